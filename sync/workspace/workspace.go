// Package workspace is an open data folder with everything LedgerLink
// builds on it: the database, the keyring, the connector registry, module
// management, the engine and one pacer per module. The window and the
// command line are two faces of it; each rule (saving settings, signing in,
// setting up the Sandbox) is written once here or in the engine below it.
package workspace

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// Options are the outside services a workspace is built with, swapped in
// tests.
type Options struct {
	// Registry builds the connector registry.
	Registry func(sandbox bool) (*connectors.Registry, error)
	// Keyring opens the secret store.
	Keyring func() secrets.Store
	// LogTo receives the log; nil discards it.
	LogTo io.Writer
	// Lang is the language asked for by --lang or LEDGERLINK_LANG; it wins
	// over the saved Language setting and the system's locale.
	Lang string
}

// Workspace is an open data folder with everything built on it.
type Workspace struct {
	DataDir string
	Sandbox bool
	Verbose bool
	DB      *storage.DB
	Reg     *connectors.Registry
	Keyring secrets.Store
	Modules *sync.Modules
	Engine  *sync.Engine
	Log     *slog.Logger
	// pacers keep one pacer per module for the life of the process (a
	// reopened folder keeps them), so a daily limit reached in one run
	// still holds in the next.
	pacers *sync.Pacers
	opts   Options
	// catalogue holds every language's words, LedgerLink's and the
	// connectors'.
	catalogue *words.Catalogue
}

// Close releases the data folder.
func (w *Workspace) Close() {
	if w.DB != nil {
		_ = w.DB.Close()
	}
}

// SandboxDir is where the Sandbox keeps its own database and simulator
// state, apart from the real books.
func SandboxDir(dataDir string) string { return filepath.Join(dataDir, "sandbox") }

// Open opens the database in dir and builds everything on it.
func Open(dir string, sandbox, verbose bool, opts Options) (*Workspace, error) {
	return open(dir, sandbox, verbose, opts, nil)
}

func open(dir string, sandbox, verbose bool, opts Options, pacers *sync.Pacers) (*Workspace, error) {
	reg, err := opts.Registry(sandbox)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(dir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		return nil, err
	}
	kr := opts.Keyring()
	if sandbox {
		kr = sandboxKeyring{kr}
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	out := opts.LogTo
	if out == nil {
		out = io.Discard
	}
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	w := &Workspace{
		DataDir: dir,
		Sandbox: sandbox,
		Verbose: verbose,
		DB:      db,
		Reg:     reg,
		Keyring: kr,
		Log:     log,
		pacers:  pacers,
		opts:    opts,
	}
	if w.pacers == nil {
		w.pacers = sync.NewPacers(log)
	}
	// The modules' notes speak the engine's language, which the window can
	// change while it runs.
	w.Modules = newModules(db, reg, kr, sandbox, func() *words.Words { return w.Engine.Words() })
	chosen, err := w.chooseWords()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	db.SetWords(chosen)
	w.Engine = sync.New(db, reg, w.OpenConnection, sync.WithLogger(log), sync.WithSteps(w.steps()...), sync.WithWords(chosen))
	return w, nil
}

// Reopen opens the data folder dir with the same services as w (after a
// restore, or to move to or from the Sandbox). w must be closed first.
func (w *Workspace) Reopen(dir string, sandbox bool) (*Workspace, error) {
	return open(dir, sandbox, w.Verbose, w.opts, w.pacers)
}

// OpenFolder opens the data folder of the person's choice: the Sandbox's
// own folder beside it when sandbox is set, where the Sandbox is set up
// once.
func OpenFolder(ctx context.Context, dataDir string, sandbox, verbose bool, opts Options) (*Workspace, error) {
	dir := dataDir
	if sandbox {
		dir = SandboxDir(dataDir)
	}
	w, err := Open(dir, sandbox, verbose, opts)
	if err != nil {
		return nil, err
	}
	if sandbox {
		if err := w.SetUpSandbox(ctx, nil); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

// sandboxKeyring keeps the Sandbox's secrets apart from the real modules'
// of the same name: the system keyring is one for every data folder, so
// without it removing the Sandbox's module would also remove the real
// sign-in of that package.
type sandboxKeyring struct{ secrets.Store }

func sandboxSecretsOf(module string) string { return "sandbox-" + module }

func (k sandboxKeyring) Get(ctx context.Context, module, key string) (string, error) {
	return k.Store.Get(ctx, sandboxSecretsOf(module), key)
}

func (k sandboxKeyring) Set(ctx context.Context, module, key, value string) error {
	return k.Store.Set(ctx, sandboxSecretsOf(module), key, value)
}

func (k sandboxKeyring) Delete(ctx context.Context, module, key string) error {
	return k.Store.Delete(ctx, sandboxSecretsOf(module), key)
}

func (k sandboxKeyring) Has(ctx context.Context, module, key string) (bool, error) {
	return k.Store.Has(ctx, sandboxSecretsOf(module), key)
}

func (k sandboxKeyring) DeleteModule(ctx context.Context, module string, keys []string) error {
	return k.Store.DeleteModule(ctx, sandboxSecretsOf(module), keys)
}

func (k sandboxKeyring) For(module string) connectors.SecretStore {
	return k.Store.For(sandboxSecretsOf(module))
}

// NoModuleInstalled reports whether the data folder has no module yet.
func NoModuleInstalled(dataDir string) (bool, error) {
	db, err := storage.Open(dataDir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		return false, err
	}
	defer db.Close()
	mods, err := db.InstalledModules()
	return len(mods) == 0, err
}

func newModules(db *storage.DB, reg *connectors.Registry, kr secrets.Store, sandbox bool, lang func() *words.Words) *sync.Modules {
	opts := []sync.ModulesOption{sync.ModulesWords(lang)}
	if sandbox {
		opts = append(opts, sync.InSandbox())
	}
	return sync.NewModules(db, reg, kr, opts...)
}
