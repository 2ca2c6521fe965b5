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
				return errors.New("this build of LedgerLink has no window; use a verb (see --help)")
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
	root := &cobra.Command{
		Use:   "ledgerlink [verb]",
		Short: "Keep your business records and your accounting package in step",
		Long: `LedgerLink keeps your business records and your accounting package in step.
With no verb it opens the window and stays in the system tray.
With a verb it works without a window (for scripts, cron and servers).`,
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
	pf.StringVar(&g.dataDir, "data-dir", defaultDataDir(), "the folder holding LedgerLink's database")
	pf.BoolVar(&g.json, "json", false, "print results as JSON")
	pf.BoolVar(&g.sandbox, "sandbox", false, "point every connector at its simulator (sample data, no account needed)")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log what happens in detail")
	pf.BoolVar(&g.sandboxIfNew, "sandbox-if-new", false, "use the Sandbox while no module is installed in the data folder")
	_ = pf.MarkHidden("sandbox-if-new")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return codedError{exitSetup, fmt.Errorf("%w (see --help)", err)}
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
	)
	for _, c := range root.Commands() {
		c.SilenceUsage = true
		if c.Args == nil {
			c.Args = cobra.NoArgs
		}
		wrapArgs(c)
	}
	return root
}

// wrapArgs turns cobra's argument-count errors into usage errors (exit 2).
func wrapArgs(c *cobra.Command) {
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return codedError{exitSetup, fmt.Errorf("%s: %w (see ledgerlink %s --help)", cmd.Name(), err, cmd.Name())}
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
	return workspace.Options{Registry: e.deps.registry, Keyring: e.deps.keyring, LogTo: e.stderr}
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
		Short: "Print LedgerLink's version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := map[string]any{"version": version, "schema_version": storage.SchemaVersion}
			return e.printer(g).emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "LedgerLink %s (database layout %d)\n", version, storage.SchemaVersion)
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
		Short: "List the modules with their status light and what to fix",
		Long: `List every module (accounting-package connection) with its status light:
RED not installed, AMBER installed but something is missing (the notes say what),
GREEN ready.`,
		RunE: e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			list, err := w.Modules.List(ctx)
			if err != nil {
				return err
			}
			tr := w.Words()
			rows := make([]moduleRow, len(list))
			for i, m := range list {
				rows[i].ModuleStatus = m
				if count, ok := w.CallsToday(m.Name); ok && m.Installed {
					rows[i].CallsToday = &count
				}
			}
			return e.printer(g).emit(rows, func(out io.Writer) {
				fmt.Fprintln(out, "LIGHT\tMODULE\tNAME\tNOTES")
				for _, m := range rows {
					notes := strings.Join(m.Notes, " ")
					if notes == "" {
						notes = "Ready."
					}
					if c := m.CallsToday; c != nil {
						notes += " " + tr.T("verbs.modules.calls_today", "Calls", tr.Int(int64(c.Calls)), "Limit", tr.Int(int64(c.Limit)))
					}
					fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", m.Light, m.Name, m.Title, notes)
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
		Short: "Install a module (creates its storage and default settings)",
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
				fmt.Fprintf(out, "%s is installed. Status: %s.\n", st.Title, st.Light)
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
		Short: "Remove a module, its data in LedgerLink and its saved sign-in",
		Long: `Remove a module: its settings, links, queues and logs in LedgerLink's
database, and its saved sign-in in the system keyring. Nothing is changed in
the accounting package. Make a backup first if you may want it back.`,
		Args: cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			if err := w.Modules.Uninstall(ctx, args[0]); err != nil {
				return setupError(err)
			}
			return e.printer(g).emit(map[string]any{"uninstalled": args[0]}, func(out io.Writer) {
				fmt.Fprintf(out, "%s is uninstalled.\n", args[0])
			})
		})(cmd, args)
	}
	return c
}

func backupCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "backup FILE",
		Short: "Save a backup of LedgerLink's database to FILE",
		Long: `Save a consistent copy of LedgerLink's database to FILE. While the window
is open, use its Backup button instead: it copies the database while syncs go
on. Saved sign-ins live in the system keyring and are never part of a backup.`,
		Args: cobra.ExactArgs(1),
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
			fmt.Fprintf(out, "Backup saved to %s (%d bytes).\n", target, info.Size)
		})
	}
	return c
}

func restoreCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace LedgerLink's database with the backup in FILE",
		Long: `Replace LedgerLink's database with a backup. The file is checked first; the
current database is kept aside (its name is printed) so nothing is lost.
LedgerLink must not be running with this data folder. Saved sign-ins in the
system keyring are left as they are.`,
		Args: cobra.ExactArgs(1),
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
			fmt.Fprintf(out, "Restored from %s.\n", source)
			if kept != "" {
				fmt.Fprintf(out, "The database it replaced was kept as %s.\n", kept)
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
