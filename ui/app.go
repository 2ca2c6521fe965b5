package ui

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Services are the engine services the window uses.
type Services struct {
	Modules ModuleService
	// Backup writes a consistent copy of the database to path while
	// everything keeps running.
	Backup func(ctx context.Context, path string) error
	// DataDir is shown to people so they know where their data is.
	DataDir string
	Logger  *slog.Logger
}

// TrayIcons are the tray's pictures for each state.
type TrayIcons struct {
	Idle, Syncing, Attention fyne.Resource
}

// App is LedgerLink's window and tray.
type App struct {
	ctx     context.Context
	fa      fyne.App
	win     fyne.Window
	svc     Services
	modules *ModuleList
	log     *slog.Logger
}

// WindowTitle is the main window's title (scripts find the window by it).
const WindowTitle = "LedgerLink"

// New builds the main window on fa. Nothing is shown until Show.
func New(ctx context.Context, fa fyne.App, svc Services) *App {
	log := svc.Logger
	if log == nil {
		log = slog.Default()
	}
	win := fa.NewWindow(WindowTitle)
	a := &App{ctx: ctx, fa: fa, win: win, svc: svc, log: log}
	a.modules = NewModuleList(ctx, svc.Modules, win, log)

	backup := widget.NewButtonWithIcon("Backup…", theme.DocumentSaveIcon(), a.backup)
	where := widget.NewLabel("Data folder: " + svc.DataDir)
	where.Truncation = fyne.TextTruncateEllipsis
	toolbar := container.NewBorder(nil, nil, nil, backup, where)
	win.SetContent(container.NewBorder(toolbar, nil, nil, nil, a.modules.Content()))
	win.Resize(fyne.NewSize(980, 640))
	a.modules.Refresh()
	return a
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Modules is the module list screen.
func (a *App) Modules() *ModuleList { return a.modules }

// Show brings the window up.
func (a *App) Show() {
	a.win.Show()
	a.win.RequestFocus()
}

// SetupTray puts LedgerLink in the system tray, when the desktop has one,
// with Open and Quit. Closing the window then hides it to the tray instead of
// quitting, and says so the first time.
func (a *App) SetupTray(icons TrayIcons) bool {
	desk, ok := a.fa.(desktop.App)
	if !ok {
		return false
	}
	menu := fyne.NewMenu("LedgerLink",
		fyne.NewMenuItem("Open LedgerLink", a.Show),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Quit", a.fa.Quit),
	)
	// Fyne adds its own Quit item to tray menus; ours carries the same
	// action, so mark it as the quit item to avoid showing it twice.
	menu.Items[len(menu.Items)-1].IsQuit = true
	desk.SetSystemTrayMenu(menu)
	if icons.Idle != nil {
		desk.SetSystemTrayIcon(icons.Idle)
	}
	desk.SetSystemTrayWindow(a.win)
	a.win.SetCloseIntercept(func() {
		a.win.Hide()
		const told = "told-closing-keeps-running"
		if !a.fa.Preferences().Bool(told) {
			a.fa.Preferences().SetBool(told, true)
			a.fa.SendNotification(fyne.NewNotification("LedgerLink is still running",
				"It keeps syncing in the background. Open it again from the tray icon, or choose Quit there."))
		}
	})
	return true
}

func (a *App) backup() {
	name := "ledgerlink-backup-" + time.Now().Format("2006-01-02-1504") + ".db"
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, a.win)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		go func() {
			err := a.svc.Backup(a.ctx, path)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("the backup was not saved: %w", err), a.win)
					return
				}
				dialog.ShowInformation("Backup saved", "LedgerLink's data was saved to\n"+path+
					"\n\nSaved sign-ins stay in the system keyring and are not part of the backup.", a.win)
			})
		}()
	}, a.win)
	d.SetFileName(name)
	if a.svc.DataDir != "" {
		if uri, err := storageURI(filepath.Dir(a.svc.DataDir)); err == nil {
			d.SetLocation(uri)
		}
	}
	d.Show()
}
