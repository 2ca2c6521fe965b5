package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledgerlink/connectors"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

func loginCommand(e *env, g *globalFlags) *cobra.Command {
	var clientID, organisation string
	t := e.words()
	c := &cobra.Command{
		Use:   "login MODULE",
		Short: t.T("verbs.login.short"),
		Long:  t.T("verbs.login.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&clientID, "client-id", "", t.T("verbs.login.flag.client_id"))
	c.Flags().StringVar(&organisation, "organisation", "", t.T("verbs.login.flag.organisation"))
	var disconnect, refresh bool
	c.Flags().BoolVar(&disconnect, "disconnect", false, t.T("verbs.login.flag.disconnect"))
	c.Flags().BoolVar(&refresh, "refresh", false, t.T("verbs.login.flag.refresh"))
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			def, _ := w.Reg.Lookup(module)
			if disconnect {
				if err := w.Disconnect(ctx, module); err != nil {
					return codedError{exitSetup, err}
				}
				st, err := w.Modules.Status(ctx, module)
				if err != nil {
					return err
				}
				return e.printer(g).emit(map[string]any{"disconnected": module, "module": st}, func(o io.Writer) {
					fmt.Fprintln(o, t.T("verbs.login.disconnected", "Module", def.Title, "Light", light(t, st.Light)))
				})
			}
			if refresh {
				if def.RefreshLabel == "" {
					return codedError{exitSetup, words.Errorf(nil, "verbs.login.nothing_to_refresh", "Module", def.Title)}
				}
				err := w.Engine.RefreshAction(ctx, module)
				st, serr := w.Modules.Status(ctx, module)
				if serr != nil {
					return serr
				}
				if err != nil {
					return codedError{exitSetup, err}
				}
				return e.printer(g).emit(map[string]any{"refreshed": module, "module": st}, func(o io.Writer) {
					fmt.Fprintln(o, t.T("verbs.login.refreshed", "Action", t.Label(def.RefreshLabel), "Light", light(t, st.Light)))
					for _, n := range st.Notes {
						fmt.Fprintf(o, "  - %s\n", n)
					}
				})
			}
			if def.Login == nil {
				return codedError{exitSetup, words.Errorf(nil, "verbs.login.no_sign_in", "Module", def.Title, "Name", module)}
			}
			if clientID != "" {
				if err := e.saveClientCredentials(ctx, w, def, clientID); err != nil {
					return err
				}
			}
			chosen, err := w.Connect(ctx, module, terminalPrompt{in: e.stdin, out: e.stderr, w: t}, workspace.ChooseByName(organisation))
			if err != nil {
				if clientID != "" {
					// A secret the package refused is not kept.
					if derr := w.Keyring.Delete(context.WithoutCancel(ctx), module, clientSecretKey); derr != nil {
						w.Log.Warn("the refused client secret could not be removed from the keyring", "err", derr)
					}
				}
				return codedError{exitSetup, err}
			}
			st, err := w.Modules.Status(ctx, module)
			if err != nil {
				return err
			}
			return e.printer(g).emit(map[string]any{"organisation": chosen, "module": st}, func(o io.Writer) {
				fmt.Fprintln(o, t.T("verbs.login.signed_in", "Module", def.Title, "Organisation", chosen.Name, "Light", light(t, st.Light)))
				for _, n := range st.Notes {
					fmt.Fprintf(o, "  - %s\n", n)
				}
			})
		})(cmd, args)
	}
	return c
}

// openBrowser opens url in the person's web browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return words.Errorf(err, "verbs.login.no_browser")
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func simulateCommand(e *env, g *globalFlags) *cobra.Command {
	var listen, state string
	t := e.words()
	c := &cobra.Command{
		Use:   "simulate MODULE --listen 127.0.0.1:PORT", // words:verbatim the verb's form: its name and flags
		Short: t.T("verbs.simulate.short"),
		Long:  t.T("verbs.simulate.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&listen, "listen", "127.0.0.1:8765", t.T("verbs.simulate.flag.listen"))
	c.Flags().StringVar(&state, "state", "", t.T("verbs.simulate.flag.state"))
	c.RunE = func(cmd *cobra.Command, args []string) error {
		reg, err := e.deps.registry(g.sandbox)
		if err != nil {
			return codedError{exitSetup, err}
		}
		var names []string
		for _, d := range reg.InOrder() {
			if d.Simulator != nil {
				names = append(names, d.Name)
			}
		}
		def, ok := reg.Lookup(args[0])
		if !ok || def.Simulator == nil {
			return codedError{exitSetup, words.Errorf(nil, "verbs.simulate.unknown", "Name", args[0], "Names", strings.Join(names, ", "))}
		}
		host, _, err := net.SplitHostPort(listen)
		if err != nil {
			return codedError{exitSetup, words.Errorf(nil, "verbs.simulate.bad_address", "Address", listen)}
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return codedError{exitSetup, words.Errorf(nil, "verbs.simulate.not_loopback", "Address", listen)}
		}
		sim, err := def.Simulator(connectors.SimulatorOptions{StateFile: state})
		if err != nil {
			return codedError{exitSetup, err}
		}
		defer sim.Close()
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return codedError{exitSetup, words.Errorf(err, "verbs.simulate.cannot_listen", "Address", listen)}
		}
		address := "http://" + ln.Addr().String()
		if !g.json {
			fmt.Fprintf(e.stdout, "%s\n%s\n", t.T("verbs.simulate.listening", "Package", def.Title, "Address", address), sim.Describe(address))
		}
		srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		select {
		case err := <-served:
			return codedError{exitSetup, err}
		case <-cmd.Context().Done():
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 5*time.Second)
			defer cancel()
			return srv.Shutdown(shutdownCtx)
		}
	}
	return c
}

// terminalPrompt answers a sign-in's questions on the terminal.
type terminalPrompt struct {
	in  io.Reader
	out io.Writer
	w   *words.Words
}

func (p terminalPrompt) OpenBrowser(address string) error {
	fmt.Fprintf(p.out, "%s\n%s\n", p.w.T("verbs.login.opening_browser"), address)
	return openBrowser(address)
}

func (p terminalPrompt) Ask(ctx context.Context, question string) (string, error) {
	fmt.Fprintf(p.out, "%s\n> ", question)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	answer, err := readSecret(p.in)
	if err != nil {
		return "", words.Errorf(err, "verbs.login.no_answer")
	}
	return strings.TrimSpace(answer), nil
}

// Setting keys a connector with app credentials of the person's own
// declares in its schema.
const (
	clientIDKey     = "client_id"
	clientSecretKey = "client_secret"
)

// saveClientCredentials keeps a client ID and the client secret read from
// standard input, each checked against the module's schema first.
func (e *env) saveClientCredentials(ctx context.Context, w *workspace.Workspace, def connectors.Definition, clientID string) error {
	if _, ok := def.Field(clientIDKey); !ok {
		return codedError{exitSetup, words.Errorf(nil, "verbs.login.no_client_id", "Module", def.Title)}
	}
	if f, ok := def.Field(clientSecretKey); !ok || !f.Secret {
		return codedError{exitSetup, words.Errorf(nil, "verbs.login.no_client_secret", "Module", def.Title)}
	}
	secret, err := readSecret(e.stdin)
	if err != nil {
		return codedError{exitSetup, words.Errorf(err, "verbs.login.secret_needed")}
	}
	if _, err := w.Modules.Apply(ctx, def.Name, map[string]string{clientIDKey: clientID}, false); err != nil {
		return codedError{exitSetup, err}
	}
	if err := w.Modules.SetSecret(ctx, def.Name, clientSecretKey, secret); err != nil {
		return codedError{exitSetup, err}
	}
	return nil
}
