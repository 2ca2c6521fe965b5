package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

func loginCommand(e *env, g *globalFlags) *cobra.Command {
	var clientID, organisation string
	c := &cobra.Command{
		Use:   "login MODULE",
		Short: "Sign in to the accounting package and choose the organisation",
		Long: `Sign in to the accounting package. For Xero this opens your web browser at
Xero's sign-in page; LedgerLink receives the answer on this computer only.
For a Xero custom connection give --client-id: the client secret is then read
from standard input, never from the command line.
When the sign-in reaches several organisations, choose one with --organisation.`,
		Args: cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&clientID, "client-id", "", "client ID of a custom connection (its secret is read from standard input)")
	c.Flags().StringVar(&organisation, "organisation", "", "the organisation to use, by name or ID")
	var disconnect bool
	c.Flags().BoolVar(&disconnect, "disconnect", false, "disconnect LedgerLink from the organisation and forget the sign-in")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace, module string) error {
			def, _ := w.reg.Lookup(module)
			if disconnect {
				if err := w.disconnect(ctx, module); err != nil {
					return codedError{exitSetup, err}
				}
				st, err := w.modules.Status(ctx, module)
				if err != nil {
					return err
				}
				return e.printer(g).emit(map[string]any{"disconnected": module, "module": st}, func(o io.Writer) {
					fmt.Fprintf(o, "%s is disconnected. Status: %s.\n", def.Title, st.Light)
				})
			}
			if def.Login == nil {
				return codedError{exitSetup, fmt.Errorf("%s needs no sign-in: fill in its settings with ledgerlink config %s", def.Title, module)}
			}
			if clientID != "" {
				secret, err := readSecret(e.stdin)
				if err != nil {
					return codedError{exitSetup, fmt.Errorf("a custom connection needs its client secret on standard input: %w", err)}
				}
				if _, err := w.modules.Apply(ctx, module, map[string]string{"client_id": clientID}, false); err != nil {
					return codedError{exitSetup, err}
				}
				if err := w.keyring.Set(ctx, module, "client_secret", secret); err != nil {
					return codedError{exitSetup, err}
				}
			}
			settings, err := w.db.Settings(module)
			if err != nil {
				return err
			}
			orgs, err := def.Login(ctx, w.connectorConfig(module, settings), terminalPrompt{in: e.stdin, out: e.stderr})
			if err != nil {
				if clientID != "" {
					// A secret the package refused is not kept.
					if derr := w.keyring.Delete(context.WithoutCancel(ctx), module, "client_secret"); derr != nil {
						w.log.Warn("the refused client secret could not be removed from the keyring", "err", derr)
					}
				}
				return codedError{exitSetup, err}
			}
			chosen, err := chooseOrganisation(orgs, organisation)
			if err != nil {
				return codedError{exitSetup, err}
			}
			values := map[string]string{}
			for k, v := range chosen.Settings {
				values[k] = v
			}
			if len(values) > 0 {
				if _, err := w.modules.Apply(ctx, module, values, false); err != nil {
					return codedError{exitSetup, err}
				}
			}
			if err := w.db.SetSetting(ctx, module, storage.PrefixState+"reconnect", ""); err != nil {
				return err
			}
			st, err := w.modules.Status(ctx, module)
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

// chooseOrganisation picks the organisation named (by name or ID), or the
// only one.
func chooseOrganisation(orgs []connectors.Organisation, want string) (connectors.Organisation, error) {
	if len(orgs) == 0 {
		return connectors.Organisation{}, errors.New("the sign-in worked but reaches no organisation: connect one in the accounting package and sign in again")
	}
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		if want != "" && (strings.EqualFold(o.Name, want) || o.ID == want) {
			return o, nil
		}
		names = append(names, fmt.Sprintf("%q (%s)", o.Name, o.ID))
	}
	if want == "" && len(orgs) == 1 {
		return orgs[0], nil
	}
	if want != "" {
		return connectors.Organisation{}, fmt.Errorf("no organisation %q; the sign-in reaches: %s", want, strings.Join(names, ", "))
	}
	return connectors.Organisation{}, fmt.Errorf("the sign-in reaches several organisations; choose one with --organisation: %s", strings.Join(names, ", "))
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
		Use:   "simulate xero --listen 127.0.0.1:PORT",
		Short: "Serve an accounting package's simulator on this computer, for trying and testing",
		Long: `Serve Xero's simulator on a loopback address, so LedgerLink (or anything that
speaks Xero's API) can be pointed at it:

  ledgerlink config xero api_url=http://127.0.0.1:PORT/api.xro/2.0 \
    identity_url=http://127.0.0.1:PORT login_url=http://127.0.0.1:PORT

Only loopback addresses are accepted. Stop it with Ctrl+C.`,
		Args: cobra.ExactArgs(1),
	}
	c.Flags().StringVar(&listen, "listen", "127.0.0.1:8765", "loopback address and port to listen on")
	c.Flags().StringVar(&state, "state", "", "file to keep the simulator's records in between runs")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] != "xero" {
			return codedError{exitSetup, fmt.Errorf("there is a simulator for xero only, not %q", args[0])}
		}
		host, _, err := net.SplitHostPort(listen)
		if err != nil {
			return codedError{exitSetup, fmt.Errorf("--listen %q is not HOST:PORT", listen)}
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return codedError{exitSetup, fmt.Errorf("the simulator listens on this computer only: use 127.0.0.1:PORT, not %s", listen)}
		}
		var opts []xerosim.Option
		if state != "" {
			opts = append(opts, xerosim.WithStateFile(state))
		}
		sim, err := xerosim.New(opts...)
		if err != nil {
			return codedError{exitSetup, err}
		}
		defer sim.Close()
		if !g.json {
			fmt.Fprintf(e.stdout, "Xero simulator listening on http://%s (Ctrl+C to stop)\n", listen)
		}
		err = xerosim.ListenAndServe(cmd.Context(), listen, sim)
		if err != nil && !errors.Is(err, context.Canceled) {
			return codedError{exitSetup, err}
		}
		return nil
	}
	return c
}

// disconnect ends a module's sign-in; the module turns AMBER until someone
// signs in again.
func (w *workspace) disconnect(ctx context.Context, module string) error {
	def, ok := w.reg.Lookup(module)
	if !ok || def.Disconnect == nil {
		return fmt.Errorf("%s has no sign-in to disconnect", module)
	}
	settings, err := w.db.Settings(def.Name)
	if err != nil {
		return err
	}
	if err := def.Disconnect(ctx, w.connectorConfig(def.Name, settings)); err != nil {
		return err
	}
	return w.db.SetSetting(ctx, def.Name, sync.ReconnectSetting, disconnectedNote(def))
}

// disconnectedNote is the module's note after a disconnect.
func disconnectedNote(def connectors.Definition) string {
	return fmt.Sprintf("Disconnected from %s: sign in again (Sign in on the Account tab, or ledgerlink login %s).", def.Title, def.Name)
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
