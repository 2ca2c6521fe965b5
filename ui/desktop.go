package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	stdsync "sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

// appID matches FyneApp.toml; Fyne keeps preferences under it.
const appID = "app.ledgerlink.desktop"

// windowRun runs the window over a workspace it can swap: a restore reopens
// the database, and "Try with sample data" moves to the Sandbox's own.
type windowRun struct {
	ctx context.Context
	hub *Hub

	mu stdsync.Mutex
	w  *workspace.Workspace
	// stop ends the current workspace's scheduler and inbox watcher.
	stop func()
}

// RunDesktop opens the desktop app on w and blocks until it quits.
func RunDesktop(ctx context.Context, w *workspace.Workspace) error {
	fa := app.NewWithID(appID)
	icon, err := assets.Icon("app")
	if err != nil {
		return fmt.Errorf("the app icon is missing from this build: %w", err)
	}
	fa.SetIcon(fyne.NewStaticResource("ledgerlink.png", icon))
	icons, err := loadTrayIcons()
	if err != nil {
		return err
	}

	speakFyne(w.Words().Lang(), w.Log)
	d := &windowRun{ctx: ctx, hub: NewHub()}
	svc, err := d.start(w)
	if err != nil {
		return err
	}
	defer d.shutdown()

	win := New(ctx, fa, svc)
	win.SetupTray(icons)
	go func() {
		<-ctx.Done()
		fyne.Do(fa.Quit)
	}()
	win.Show()
	fa.Run()
	win.Close()
	return nil
}

// start runs the scheduler and the inbox watcher of w and returns the
// window's services over it.
func (d *windowRun) start(w *workspace.Workspace) (Services, error) {
	runCtx, cancel := context.WithCancel(d.ctx)
	sched, err := w.NewScheduler(d.hub.SchedulerState)
	if err != nil {
		cancel()
		return Services{}, err
	}
	unsubscribe := w.Engine.Subscribe(d.hub.ModuleState)
	if err := sched.Start(runCtx); err != nil {
		cancel()
		unsubscribe()
		return Services{}, err
	}
	listener := newWindowListener(runCtx, w, d.hub)
	var watching stdsync.WaitGroup
	watching.Add(1)
	go func() {
		defer watching.Done()
		// New business files change every module's Pending Export.
		if err := w.WatchInbox(runCtx, func(feed.FileOutcome) { d.hub.Changed("") }); err != nil {
			w.Log.Error("the inbox folder cannot be watched", "err", err)
		}
	}()
	d.mu.Lock()
	d.w = w
	d.stop = func() {
		listener.Close()
		cancel()
		sched.Stop()
		watching.Wait()
		unsubscribe()
	}
	d.mu.Unlock()
	svc := d.services(w, sched)
	svc.ChangeCalls = listener
	return svc, nil
}

// release stops and closes the current workspace and returns its folder.
func (d *windowRun) release() (dir string, sandbox bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
	dir, sandbox = d.w.DataDir, d.w.Sandbox
	d.w.Close()
	return dir, sandbox
}

func (d *windowRun) shutdown() { d.release() }

// restore replaces the database with a backup and reopens everything.
func (d *windowRun) restore(ctx context.Context, path string) (RestoreResult, error) {
	dir, sandbox := d.release()
	kept, restoreErr := storage.Restore(ctx, dir, path)
	// Whether or not the restore went through, the window needs an open
	// database again: the restored one, or the original put back.
	w, err := d.w.Reopen(dir, sandbox)
	if err != nil {
		return RestoreResult{KeptAside: kept}, errors.Join(restoreErr, fmt.Errorf("the database could not be opened again; restart LedgerLink: %w", err))
	}
	svc, err := d.start(w)
	if err != nil {
		return RestoreResult{KeptAside: kept}, errors.Join(restoreErr, err)
	}
	return RestoreResult{KeptAside: kept, Services: &svc}, restoreErr
}

// trySample sets up the Sandbox: in its own data folder, beside the real
// one, which is closed while the Sandbox is open.
func (d *windowRun) trySample(ctx context.Context, progress func(string)) (*Services, error) {
	d.mu.Lock()
	current := d.w
	d.mu.Unlock()
	if current.Sandbox {
		return nil, current.SetUpSandbox(ctx, progress)
	}
	dir, _ := d.release()
	sw, err := current.Reopen(workspace.SandboxDir(dir), true)
	if err == nil {
		if err = sw.SetUpSandbox(ctx, progress); err != nil {
			sw.Close()
		}
	}
	if err != nil {
		// Go back to the real books.
		rw, rerr := current.Reopen(dir, false)
		if rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		svc, serr := d.start(rw)
		if serr != nil {
			return nil, errors.Join(err, serr)
		}
		return &svc, err
	}
	svc, err := d.start(sw)
	if err != nil {
		return nil, err
	}
	return &svc, nil
}

// speakFyne makes Fyne's own words (dialog buttons, the file dialog) speak
// code ("en", "nl", "da"). Fyne reads the language from the environment
// (LANGUAGE first) each time translations are added, and ships no Dutch or
// Danish: LedgerLink's are added, which also makes it read LANGUAGE again.
func speakFyne(code string, log *slog.Logger) {
	if err := os.Setenv("LANGUAGE", code); err != nil {
		log.Warn("Fyne's language could not be set", "lang", code, "err", err)
	}
	for _, l := range words.Languages() {
		data, err := fs.ReadFile(assets.FyneLang(), l+".json")
		if err != nil {
			continue // English is Fyne's own
		}
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			log.Warn("Fyne's words could not be loaded", "lang", l, "err", err)
		}
	}
}

// preferencesDir is the folder whose Language setting w follows: the
// Sandbox shares the setting of the data folder it sits in.
func preferencesDir(w *workspace.Workspace) string {
	if w.Sandbox {
		return filepath.Dir(w.DataDir)
	}
	return w.DataDir
}

// services are the window's services over w.
func (d *windowRun) services(w *workspace.Workspace, sched *sync.Scheduler) Services {
	return Services{
		Words: w.Words(),
		SetLanguage: func(code string) (*words.Words, error) {
			chosen, err := w.SetLanguage(code)
			if err == nil {
				speakFyne(chosen.Lang(), w.Log)
			}
			return chosen, err
		},
		Language:  func() string { return workspace.SavedLanguage(preferencesDir(w)) },
		Modules:   sandboxInstalls{w.Modules, w},
		Settings:  w.DB,
		Secrets:   w.Keyring,
		Engine:    workspace.RecordingEngine{Engine: w.Engine, W: w},
		Workspace: w.DB,
		Scheduler: sched,
		Runs:      StoredRuns{Store: w.DB},
		Events:    d.hub,
		Connect: func(ctx context.Context, module string, prompt connectors.Prompt, choose ChooseOrganisation) (connectors.Organisation, error) {
			return w.Connect(ctx, module, prompt, choose)
		},
		Disconnect: w.Disconnect,
		CanConnect: func(module string) bool {
			def, ok := w.Reg.Lookup(module)
			return ok && def.Login != nil
		},
		TestConnection: func(ctx context.Context, module string) (connectors.Identity, error) {
			conn, err := w.OpenConnection(ctx, module)
			if err != nil {
				return connectors.Identity{}, err
			}
			if c, ok := conn.(connectors.Closer); ok {
				defer c.Close()
			}
			return conn.Check(ctx)
		},
		CallsToday:   w.CallsToday,
		Backup:       w.DB.BackupToFile,
		VerifyBackup: storage.VerifyBackup,
		Restore:      d.restore,
		TrySample:    d.trySample,
		DataDir:      w.DataDir,
		Sandbox:      w.Sandbox,
		Logger:       w.Log,
	}
}

func loadTrayIcons() (TrayIcons, error) {
	load := func(name string) (fyne.Resource, error) {
		b, err := assets.Icon(name)
		if err != nil {
			return nil, fmt.Errorf("the %s icon is missing from this build: %w", name, err)
		}
		return fyne.NewStaticResource(name+".png", b), nil
	}
	var icons TrayIcons
	var err error
	if icons.Idle, err = load("tray-idle"); err != nil {
		return icons, err
	}
	if icons.Syncing, err = load("tray-syncing"); err != nil {
		return icons, err
	}
	icons.Attention, err = load("tray-attention")
	return icons, err
}

// sandboxInstalls is module management whose Install sets a module up
// against its simulator in the Sandbox (see workspace.Install).
type sandboxInstalls struct {
	*sync.Modules
	w *workspace.Workspace
}

func (m sandboxInstalls) Install(ctx context.Context, name string, progress func(step string)) error {
	return m.w.Install(ctx, name, progress)
}
