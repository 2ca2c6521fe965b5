package main

import (
	"context"
	"errors"
	"fmt"
	stdsync "sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/ui"
)

// appID matches FyneApp.toml; Fyne keeps preferences under it.
const appID = "app.ledgerlink.desktop"

// desktop runs the window over a workspace it can swap: a restore reopens
// the database, and "Try with sample data" moves to the Sandbox's own.
type desktop struct {
	e   *env
	ctx context.Context
	hub *ui.Hub

	mu stdsync.Mutex
	w  *workspace
	// stop ends the current workspace's scheduler and inbox watcher.
	stop func()
}

// runWindow opens the desktop app on w and blocks until it quits.
func runWindow(ctx context.Context, w *workspace, g globalFlags) error {
	fa := app.NewWithID(appID)
	icon, err := assets.Icon("app")
	if err != nil {
		return fmt.Errorf("the app icon is missing from this build: %w", err)
	}
	fa.SetIcon(fyne.NewStaticResource("ledgerlink.png", icon))
	icons, err := trayIcons()
	if err != nil {
		return err
	}

	d := &desktop{e: w.env, ctx: ctx, hub: ui.NewHub()}
	svc, err := d.start(w)
	if err != nil {
		return err
	}
	defer d.shutdown()

	win := ui.New(ctx, fa, svc)
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
func (d *desktop) start(w *workspace) (ui.Services, error) {
	runCtx, cancel := context.WithCancel(d.ctx)
	sched, err := w.newScheduler(d.hub.SchedulerState)
	if err != nil {
		cancel()
		return ui.Services{}, err
	}
	if err := sched.Start(runCtx); err != nil {
		cancel()
		return ui.Services{}, err
	}
	var watching stdsync.WaitGroup
	watching.Add(1)
	go func() {
		defer watching.Done()
		// New business files change every module's Pending Export.
		if err := w.watchInbox(runCtx, func(feed.FileOutcome) { d.hub.Changed("") }); err != nil {
			w.log.Error("the inbox folder cannot be watched", "err", err)
		}
	}()
	d.mu.Lock()
	d.w = w
	d.stop = func() {
		cancel()
		sched.Stop()
		watching.Wait()
	}
	d.mu.Unlock()
	return d.services(w, sched), nil
}

// release stops and closes the current workspace and returns its folder.
func (d *desktop) release() (dir string, sandbox bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
	dir, sandbox = d.w.dataDir, d.w.sandbox
	d.w.Close()
	return dir, sandbox
}

func (d *desktop) shutdown() { d.release() }

// restore replaces the database with a backup and reopens everything.
func (d *desktop) restore(ctx context.Context, path string) (ui.RestoreResult, error) {
	dir, sandbox := d.release()
	kept, restoreErr := storage.Restore(ctx, dir, path)
	// Whether or not the restore went through, the window needs an open
	// database again: the restored one, or the original put back.
	w, err := d.e.openWorkspaceAt(dir, sandbox, false)
	if err != nil {
		return ui.RestoreResult{KeptAside: kept}, errors.Join(restoreErr, fmt.Errorf("the database could not be opened again; restart LedgerLink: %w", err))
	}
	svc, err := d.start(w)
	if err != nil {
		return ui.RestoreResult{KeptAside: kept}, errors.Join(restoreErr, err)
	}
	return ui.RestoreResult{KeptAside: kept, Services: &svc}, restoreErr
}

// trySample sets up the Sandbox: in its own data folder, beside the real
// one, which is closed while the Sandbox is open.
func (d *desktop) trySample(ctx context.Context, progress func(string)) (*ui.Services, error) {
	d.mu.Lock()
	current := d.w
	d.mu.Unlock()
	if current.sandbox {
		return nil, current.setUpSandbox(ctx, progress)
	}
	dir, _ := d.release()
	sw, err := d.e.openWorkspaceAt(sandboxDir(dir), true, current.verbose)
	if err == nil {
		if err = sw.setUpSandbox(ctx, progress); err != nil {
			sw.Close()
		}
	}
	if err != nil {
		// Go back to the real books.
		rw, rerr := d.e.openWorkspaceAt(dir, false, current.verbose)
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

// services are the window's services over w.
func (d *desktop) services(w *workspace, sched *sync.Scheduler) ui.Services {
	return ui.Services{
		Modules:    w.modules,
		Settings:   w.db,
		Secrets:    w.keyring,
		Engine:     recordingEngine{Engine: w.engine, w: w},
		Workspace:  w.db,
		Scheduler:  sched,
		Runs:       ui.StoredRuns{Store: w.db},
		Events:     d.hub,
		Connect:    w.connect,
		Disconnect: w.disconnect,
		CanConnect: func(module string) bool {
			def, ok := w.reg.Lookup(module)
			return ok && def.Login != nil
		},
		TestConnection: func(ctx context.Context, module string) (connectors.Identity, error) {
			conn, err := w.openConnection(ctx, module)
			if err != nil {
				return connectors.Identity{}, err
			}
			if c, ok := conn.(connectors.Closer); ok {
				defer c.Close()
			}
			return conn.Check(ctx)
		},
		Backup:       w.db.BackupToFile,
		VerifyBackup: storage.VerifyBackup,
		Restore:      d.restore,
		TrySample:    d.trySample,
		DataDir:      w.dataDir,
		Sandbox:      w.sandbox,
		Logger:       w.log,
	}
}

// connect signs in through the browser and keeps the first organisation.
func (w *workspace) connect(ctx context.Context, module string) (string, error) {
	def, _ := w.reg.Lookup(module)
	if def.Login == nil {
		return "", fmt.Errorf("%s needs no sign-in: fill in its settings", def.Title)
	}
	settings, err := w.db.Settings(module)
	if err != nil {
		return "", err
	}
	orgs, err := def.Login(ctx, w.connectorConfig(module, settings), browserPrompt{})
	if err != nil {
		return "", err
	}
	chosen, err := chooseOrganisation(orgs, "")
	if err != nil {
		return "", err
	}
	if len(chosen.Settings) > 0 {
		if _, err := w.modules.Apply(ctx, module, chosen.Settings, false); err != nil {
			return "", err
		}
	}
	if err := w.db.SetSetting(ctx, module, sync.ReconnectSetting, ""); err != nil {
		return "", err
	}
	return chosen.Name, nil
}

func trayIcons() (ui.TrayIcons, error) {
	load := func(name string) (fyne.Resource, error) {
		b, err := assets.Icon(name)
		if err != nil {
			return nil, fmt.Errorf("the %s icon is missing from this build: %w", name, err)
		}
		return fyne.NewStaticResource(name+".png", b), nil
	}
	var icons ui.TrayIcons
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

// browserPrompt opens the browser for a sign-in started in the window.
type browserPrompt struct{}

func (browserPrompt) OpenBrowser(address string) error { return openBrowser(address) }

func (browserPrompt) Ask(context.Context, string) (string, error) {
	return "", connectors.ErrNoPrompt
}
