package main

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"ledgerlink/assets"
	"ledgerlink/ui"
)

// appID matches FyneApp.toml; Fyne keeps preferences under it.
const appID = "app.ledgerlink.desktop"

// runWindow opens the desktop app on w and blocks until it quits.
func runWindow(ctx context.Context, w *workspace, g globalFlags) error {
	fa := app.NewWithID(appID)
	icon, err := assets.Icon("app")
	if err != nil {
		return fmt.Errorf("the app icon is missing from this build: %w", err)
	}
	fa.SetIcon(fyne.NewStaticResource("ledgerlink.png", icon))

	log := slog.Default()
	win := ui.New(ctx, fa, ui.Services{
		Modules: w.modules,
		Backup:  w.db.BackupToFile,
		DataDir: w.dataDir,
		Logger:  log,
	})
	icons, err := trayIcons()
	if err != nil {
		return err
	}
	win.SetupTray(icons)
	// Quit from the tray or the OS ends the context's work; a cancelled
	// context (Ctrl+C, SIGTERM) closes the app.
	go func() {
		<-ctx.Done()
		fyne.Do(fa.Quit)
	}()
	win.Show()
	fa.Run()
	return nil
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
