package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

// version is set at build time with -ldflags "-X ledgerlink/ui/cli.version=…".
var version = "0.1.0-dev"

// globalFlags are accepted before or after any verb.
type globalFlags struct {
	dataDir string
	json    bool
	sandbox bool
	// sandboxIfNew turns the Sandbox on when no module is installed in the
	// data folder yet (what scripts/run.sh uses).
	sandboxIfNew bool
	verbose      bool
}

// dependencies are the outside services, swapped in tests.
type dependencies struct {
	// registry builds the connector registry.
	registry func(sandbox bool) (*connectors.Registry, error)
	// keyring opens the secret store.
	keyring func() secrets.Store
	// terminal reports whether a stream is a terminal a person watches
	// (progress bars there, plain lines elsewhere).
	terminal func(io.Writer) bool
	// window runs the desktop app until it quits.
	window func(ctx context.Context, w *workspace.Workspace, g globalFlags) error
}

// Env is what the command line runs with: its streams and the outside
// services the composition root builds.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Registry builds the connector registry.
	Registry func(sandbox bool) (*connectors.Registry, error)
	// Keyring opens the system keyring.
	Keyring func() secrets.Store
	// Window opens the desktop app on w and returns when it quits; nil
	// means this build has no window.
	Window func(ctx context.Context, w *workspace.Workspace) error
}

// Main executes one command line and returns its exit code: with no verb it
// opens the window, with a verb it works headless.
func Main(ctx context.Context, args []string, e Env) int {
	return run(ctx, args, env{stdin: e.Stdin, stdout: e.Stdout, stderr: e.Stderr, deps: dependencies{
		registry: e.Registry,
		keyring:  e.Keyring,
		terminal: isTerminal,
		window: func(ctx context.Context, w *workspace.Workspace, _ globalFlags) error {
			if e.Window == nil {
				return words.Errorf(nil, "verbs.no_window")
			}
			return e.Window(ctx, w)
		},
	}})
}

// defaultDataDir is the OS user config folder + ledgerlink.
func defaultDataDir() string {
	if d := os.Getenv("LEDGERLINK_DATA_DIR"); d != "" {
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		base = "."
	}
	return filepath.Join(base, "ledgerlink")
}

func newRootCommand(e *env) *cobra.Command {
	g := &globalFlags{}
	w := e.words()
	root := &cobra.Command{
		Use:           "ledgerlink [verb]",
		Short:         w.T("verbs.root.short"),
		Long:          w.T("verbs.root.long"),
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := e.openWorkspace(cmd.Context(), *g)
			if err != nil {
				return err
			}
			defer w.Close()
			return e.deps.window(cmd.Context(), w, *g)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.dataDir, "data-dir", defaultDataDir(), w.T("verbs.flag.data_dir"))
	pf.BoolVar(&g.json, "json", false, w.T("verbs.flag.json"))
	pf.BoolVar(&g.sandbox, "sandbox", false, w.T("verbs.flag.sandbox"))
	pf.BoolVarP(&g.verbose, "verbose", "v", false, w.T("verbs.flag.verbose"))
	pf.BoolVar(&g.sandboxIfNew, "sandbox-if-new", false, w.T("verbs.flag.sandbox_if_new"))
	_ = pf.MarkHidden("sandbox-if-new")
	// The language is chosen before the verbs are built (see run); the flag
	// is here so it is accepted and shown.
	var lang string
	pf.StringVar(&lang, "lang", "", w.T("verbs.flag.lang", "Languages", strings.Join(words.Languages(), ", ")))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return codedError{exitSetup, words.Errorf(nil, "verbs.usage.flag", "Problem", err.Error())}
	})
	root.AddCommand(
		versionCommand(e, g),
		modulesCommand(e, g),
		installCommand(e, g),
		uninstallCommand(e, g),
		backupCommand(e, g),
		restoreCommand(e, g),
		configCommand(e, g),
		importCommand(e, g),
		pendingCommand(e, g),
		precheckCommand(e, g),
		uploadCommand(e, g),
		markCommand(e, g, true),
		markCommand(e, g, false),
		exportedCommand(e, g),
		feedbackCommand(e, g),
		paymentsCommand(e, g),
		syncCommand(e, g),
		loginCommand(e, g),
		simulateCommand(e, g),
		runCommand(e, g),
		languageCommand(e, g),
	)
	for _, c := range root.Commands() {
		c.SilenceUsage = true
		if c.Args == nil {
			c.Args = cobra.NoArgs
		}
		wrapArgs(c)
	}
	sayCobrasWords(root, w)
	return root
}

// wrapArgs turns cobra's argument-count errors into usage errors (exit 2).
func wrapArgs(c *cobra.Command) {
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return codedError{exitSetup, words.Errorf(nil, "verbs.usage.args", "Verb", cmd.Name(), "Problem", err.Error())}
		}
		return nil
	}
}

func (e *env) openWorkspace(ctx context.Context, g globalFlags) (*workspace.Workspace, error) {
	if g.sandboxIfNew && !g.sandbox {
		fresh, err := workspace.NoModuleInstalled(g.dataDir)
		if err != nil {
			return nil, codedError{exitSetup, err}
		}
		g.sandbox = fresh
	}
	w, err := workspace.OpenFolder(ctx, g.dataDir, g.sandbox, g.verbose, e.workspaceOptions())
	if err != nil {
		return nil, codedError{exitSetup, err}
	}
	return w, nil
}

func (e *env) workspaceOptions() workspace.Options {
	return workspace.Options{Registry: e.deps.registry, Keyring: e.deps.keyring, LogTo: e.stderr, Lang: e.lang}
}

// printer writes a verb's result as text or JSON.
type printer struct {
	w    io.Writer
	json bool
}

func (e *env) printer(g *globalFlags) printer { return printer{w: e.stdout, json: g.json} }

// emit prints v as JSON, or calls text to print it for people.
func (p printer) emit(v any, text func(w io.Writer)) error {
	if p.json {
		enc := json.NewEncoder(p.w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(p.w, 2, 4, 2, ' ', 0)
	text(tw)
	return tw.Flush()
}

func versionCommand(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: e.words().T("verbs.version.short"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := map[string]any{"version": version, "schema_version": storage.SchemaVersion}
			return e.printer(g).emit(v, func(w io.Writer) {
				fmt.Fprintln(w, e.words().T("verbs.version.line", "Version", version, "Layout", storage.SchemaVersion))
			})
		},
	}
}

// withWorkspace opens the data folder for the length of one verb.
func (e *env) withWorkspace(g *globalFlags, fn func(ctx context.Context, w *workspace.Workspace) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		w, err := e.openWorkspace(cmd.Context(), *g)
		if err != nil {
			return err
		}
		defer w.Close()
		return fn(cmd.Context(), w)
	}
}

func modulesCommand(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "modules",
		Short: e.words().T("verbs.modules.short"),
		Long:  e.words().T("verbs.modules.long"),
		RunE: e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			list, err := w.Modules.List(ctx)
			if err != nil {
				return err
			}
			rows := make([]moduleRow, len(list))
			for i, m := range list {
				rows[i].ModuleStatus = m
				if count, ok := w.CallsToday(m.Name); ok && m.Installed {
					rows[i].CallsToday = &count
				}
			}
			return e.printer(g).emit(rows, func(out io.Writer) {
				t := e.words()
				fmt.Fprintln(out, t.T("verbs.modules.header"))
				for _, m := range rows {
					notes := strings.Join(m.Notes, " ")
					if notes == "" {
						notes = t.T("verbs.modules.ready")
					}
					if c := m.CallsToday; c != nil {
						notes += " " + t.T("verbs.modules.calls_today", "Calls", t.Int(int64(c.Calls)), "Limit", t.Int(int64(c.Limit)))
					}
					fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", light(t, m.Light), m.Name, m.Title, notes)
				}
			})
		}),
	}
}

// moduleRow is one module as `ledgerlink modules` lists it: its status and,
// for a package with a daily allowance, the calls made to it today.
type moduleRow struct {
	sync.ModuleStatus
	CallsToday *sync.DayCount `json:"calls_today,omitempty"`
}

func installCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "install MODULE",
		Short: e.words().T("verbs.install.short"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			var steps []string
			progress := func(step string) {
				steps = append(steps, step)
				if !g.json {
					fmt.Fprintln(e.stdout, step)
				}
			}
			if err := w.Install(ctx, args[0], progress); err != nil {
				return setupError(err)
			}
			st, err := w.Modules.Status(ctx, args[0])
			if err != nil {
				return err
			}
			return e.printer(g).emit(map[string]any{"steps": steps, "module": st}, func(out io.Writer) {
				fmt.Fprintln(out, e.words().T("verbs.install.done", "Module", st.Title, "Light", light(e.words(), st.Light)))
				for _, n := range st.Notes {
					fmt.Fprintf(out, "  - %s\n", n)
				}
			})
		})(cmd, args)
	}
	return c
}

func uninstallCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "uninstall MODULE",
		Short: e.words().T("verbs.uninstall.short"),
		Long:  e.words().T("verbs.uninstall.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			if err := w.Modules.Uninstall(ctx, args[0]); err != nil {
				return setupError(err)
			}
			return e.printer(g).emit(map[string]any{"uninstalled": args[0]}, func(out io.Writer) {
				fmt.Fprintln(out, e.words().T("verbs.uninstall.done", "Module", args[0]))
			})
		})(cmd, args)
	}
	return c
}

func backupCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: e.words().T("verbs.backup.short"),
		Long:  e.words().T("verbs.backup.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		target, err := filepath.Abs(args[0])
		if err != nil {
			return codedError{exitSetup, err}
		}
		w, err := e.openWorkspace(cmd.Context(), *g)
		if err != nil {
			return err
		}
		defer w.Close()
		if err := w.DB.BackupToFile(cmd.Context(), target); err != nil {
			return codedError{exitSetup, err}
		}
		info, err := storage.VerifyBackup(target)
		if err != nil {
			return codedError{exitSetup, err}
		}
		return e.printer(g).emit(map[string]any{"file": target, "size": info.Size, "modules": info.Modules}, func(out io.Writer) {
			fmt.Fprintln(out, e.words().T("verbs.backup.done", "File", target, "Size", e.words().Int(info.Size)))
		})
	}
	return c
}

func restoreCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "restore FILE",
		Short: e.words().T("verbs.restore.short"),
		Long:  e.words().T("verbs.restore.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		source, err := filepath.Abs(args[0])
		if err != nil {
			return codedError{exitSetup, err}
		}
		info, err := storage.VerifyBackup(source)
		if err != nil {
			return codedError{exitSetup, err}
		}
		kept, err := storage.Restore(cmd.Context(), g.dataDir, source)
		if err != nil {
			return codedError{exitSetup, err}
		}
		return e.printer(g).emit(map[string]any{"restored_from": source, "kept_aside": kept, "modules": info.Modules}, func(out io.Writer) {
			fmt.Fprintln(out, e.words().T("verbs.restore.done", "File", source))
			if kept != "" {
				fmt.Fprintln(out, e.words().T("verbs.restore.kept", "File", kept))
			}
		})
	}
	return c
}

// setupError marks configuration mistakes (unknown module, not installed,
// installed twice) as exit code 2.
func setupError(err error) error {
	var ce codedError
	if errors.As(err, &ce) {
		return err
	}
	return codedError{exitSetup, err}
}
