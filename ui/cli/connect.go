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
)

func loginCommand(e *env, g *globalFlags) *cobra.Command {
	var clientID, organisation string
	c := &cobra.Command{
		Use:   "login MODULE",
		Short: "Sign in to the accounting package and choose the organisation",
		Long: `Sign in to the accounting package. Where the package signs in through the
web browser this opens its sign-in page; LedgerLink receives the answer on this
computer only, or asks you to paste the address the browser landed on. Where it
signs in with a username and password or a key, set those first with
ledgerlink config, and login checks them.
For a package app of your own (a custom connection, or your own client ID and
secret) give --client-id: the client secret is then read from standard input,
never from the command line.
When the sign-in reaches several organisations, choose one with --organisation.
Where the package can flag LedgerLink's access as needing attention (the
module shows AMBER with the package's words), --refresh clears the flag
through the package's API and checks the connection again.`,
		Args: cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&clientID, "client-id", "", "client ID of a custom connection (its secret is read from standard input)")
	c.Flags().StringVar(&organisation, "organisation", "", "the organisation to use, by name or ID")
	var disconnect, refresh bool
	c.Flags().BoolVar(&disconnect, "disconnect", false, "disconnect LedgerLink from the organisation and forget the sign-in")
	c.Flags().BoolVar(&refresh, "refresh", false, "clear what the package flagged on LedgerLink's access (where the module has a Refresh action), then check the connection")
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
					fmt.Fprintf(o, "%s is disconnected. Status: %s.\n", def.Title, st.Light)
				})
			}
			if refresh {
				if def.RefreshLabel == "" {
					return codedError{exitSetup, fmt.Errorf("%s has nothing to refresh", def.Title)}
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
					fmt.Fprintf(o, "%s: done. Status: %s.\n", def.RefreshLabel, st.Light)
					for _, n := range st.Notes {
						fmt.Fprintf(o, "  - %s\n", n)
					}
				})
			}
			if def.Login == nil {
				return codedError{exitSetup, fmt.Errorf("%s needs no sign-in: fill in its settings with ledgerlink config %s", def.Title, module)}
			}
			if clientID != "" {
				if err := e.saveClientCredentials(ctx, w, def, clientID); err != nil {
					return err
				}
			}
			chosen, err := w.Connect(ctx, module, terminalPrompt{in: e.stdin, out: e.stderr}, workspace.ChooseByName(organisation))
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
				fmt.Fprintf(o, "Signed in to %s: %s. Status: %s.\n", def.Title, chosen.Name, st.Light)
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
		return fmt.Errorf("could not open the browser: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func simulateCommand(e *env, g *globalFlags) *cobra.Command {
	var listen, state string
	c := &cobra.Command{
		Use:   "simulate MODULE --listen 127.0.0.1:PORT",
		Short: "Serve an accounting package's simulator on this computer, for trying and testing",
		Long: `Serve an accounting package's simulator on a loopback address, so LedgerLink
(or anything that speaks that package's API) can be pointed at it. It prints
the settings that point a module at it. Only loopback addresses are accepted.
Stop it with Ctrl+C.`,
		Args: cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&listen, "listen", "127.0.0.1:8765", "loopback address and port to listen on")
	c.Flags().StringVar(&state, "state", "", "file to keep the simulator's records in between runs")
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
			return codedError{exitSetup, fmt.Errorf("there is no simulator for %q; there are simulators for: %s", args[0], strings.Join(names, ", "))}
		}
		host, _, err := net.SplitHostPort(listen)
		if err != nil {
			return codedError{exitSetup, fmt.Errorf("--listen %q is not HOST:PORT", listen)}
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return codedError{exitSetup, fmt.Errorf("the simulator listens on this computer only: use 127.0.0.1:PORT, not %s", listen)}
		}
		sim, err := def.Simulator(connectors.SimulatorOptions{StateFile: state})
		if err != nil {
			return codedError{exitSetup, err}
		}
		defer sim.Close()
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return codedError{exitSetup, fmt.Errorf("the simulator cannot listen on %s: %w", listen, err)}
		}
		address := "http://" + ln.Addr().String()
		if !g.json {
			fmt.Fprintf(e.stdout, "%s simulator listening on %s (Ctrl+C to stop)\n%s\n", def.Title, address, sim.Describe(address))
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
}

func (p terminalPrompt) OpenBrowser(address string) error {
	fmt.Fprintf(p.out, "Opening your browser to sign in. If it does not open, visit:\n%s\n", address)
	return openBrowser(address)
}

func (p terminalPrompt) Ask(ctx context.Context, question string) (string, error) {
	fmt.Fprintf(p.out, "%s\n> ", question)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	answer, err := readSecret(p.in)
	if err != nil {
		return "", fmt.Errorf("no answer was given: %w", err)
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
		return codedError{exitSetup, fmt.Errorf("%s takes no client ID: leave out --client-id", def.Title)}
	}
	if f, ok := def.Field(clientSecretKey); !ok || !f.Secret {
		return codedError{exitSetup, fmt.Errorf("%s takes no client secret: leave out --client-id", def.Title)}
	}
	secret, err := readSecret(e.stdin)
	if err != nil {
		return codedError{exitSetup, fmt.Errorf("--client-id needs the client secret on standard input: %w", err)}
	}
	if _, err := w.Modules.Apply(ctx, def.Name, map[string]string{clientIDKey: clientID}, false); err != nil {
		return codedError{exitSetup, err}
	}
	if err := w.Modules.SetSecret(ctx, def.Name, clientSecretKey, secret); err != nil {
		return codedError{exitSetup, err}
	}
	return nil
}
