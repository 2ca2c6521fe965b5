// Package ui holds LedgerLink's Fyne screens and tray. It takes a fyne.App
// from main and talks to the engine's services; it never imports a connector.
package ui

import (
	"context"
	"fmt"
	"image/color"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// ModuleService is what the module list needs of the engine.
type ModuleService interface {
	List(ctx context.Context) ([]sync.ModuleStatus, error)
	Install(ctx context.Context, name string, progress func(step string)) error
	Uninstall(ctx context.Context, name string) error
}

// lightColor is the colour of a status light.
func lightColor(l connectors.Light) color.Color {
	switch l {
	case connectors.Green:
		return color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}
	case connectors.Amber:
		return color.NRGBA{R: 0xf2, G: 0xa9, B: 0x00, A: 0xff}
	default:
		return color.NRGBA{R: 0xd6, G: 0x45, B: 0x45, A: 0xff}
	}
}

// ModuleList is the module management table: one row per module with its
// light, name, notes and actions.
type ModuleList struct {
	ctx    context.Context
	svc    ModuleService
	win    fyne.Window
	log    *slog.Logger
	rows   *fyne.Container
	status *widget.Label
	// modules is the last list shown; read and written on the UI goroutine.
	modules []sync.ModuleStatus
}

// NewModuleList builds the module table; call Refresh to fill it.
func NewModuleList(ctx context.Context, svc ModuleService, win fyne.Window, log *slog.Logger) *ModuleList {
	if log == nil {
		log = slog.Default()
	}
	return &ModuleList{
		ctx:    ctx,
		svc:    svc,
		win:    win,
		log:    log,
		rows:   container.NewVBox(),
		status: widget.NewLabel(""),
	}
}

// Content is the screen's canvas object.
func (m *ModuleList) Content() fyne.CanvasObject {
	header := widget.NewLabelWithStyle("Modules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel("Each module connects LedgerLink to one accounting package. " +
		"RED: not installed. AMBER: installed, something to fix (see Notes). GREEN: ready.")
	intro.Wrapping = fyne.TextWrapWord
	return container.NewBorder(container.NewVBox(header, intro, widget.NewSeparator()), m.status, nil, nil,
		container.NewVScroll(m.rows))
}

// Modules returns the rows last shown.
func (m *ModuleList) Modules() []sync.ModuleStatus { return m.modules }

// Refresh reloads the list from the engine. Call it on the UI goroutine.
func (m *ModuleList) Refresh() {
	list, err := m.svc.List(m.ctx)
	if err != nil {
		m.status.SetText("Could not read the modules: " + err.Error())
		return
	}
	m.modules = list
	m.rows.RemoveAll()
	if len(list) == 0 {
		m.rows.Add(widget.NewLabel("No accounting packages are available in this build."))
	}
	for _, mod := range list {
		m.rows.Add(m.row(mod))
		m.rows.Add(widget.NewSeparator())
	}
	m.rows.Refresh()
}

func (m *ModuleList) row(mod sync.ModuleStatus) fyne.CanvasObject {
	light := canvas.NewCircle(lightColor(mod.Light))
	light.StrokeColor = theme.Color(theme.ColorNameForeground)
	light.StrokeWidth = 1
	lightBox := container.NewGridWrap(fyne.NewSize(22, 22), light)
	lightLabel := widget.NewLabel(string(mod.Light))

	title := widget.NewLabelWithStyle(mod.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	desc := widget.NewLabel(mod.Description)
	desc.Wrapping = fyne.TextWrapWord

	notesText := "Ready."
	if len(mod.Notes) > 0 {
		notesText = "• " + strings.Join(mod.Notes, "\n• ")
	}
	notes := widget.NewLabel(notesText)
	notes.Wrapping = fyne.TextWrapWord

	var actions []fyne.CanvasObject
	if mod.Installed {
		uninstall := widget.NewButtonWithIcon("Uninstall", theme.DeleteIcon(), func() { m.confirmUninstall(mod) })
		actions = append(actions, uninstall)
	} else {
		install := widget.NewButtonWithIcon("Install", theme.DownloadIcon(), func() { m.install(mod) })
		install.Importance = widget.HighImportance
		actions = append(actions, install)
	}
	left := container.NewHBox(container.NewCenter(lightBox), lightLabel)
	middle := container.NewGridWithColumns(2, container.NewVBox(title, desc), notes)
	return container.NewBorder(nil, nil, left, container.NewVBox(layout.NewSpacer(), container.NewHBox(actions...), layout.NewSpacer()), middle)
}

func (m *ModuleList) install(mod sync.ModuleStatus) {
	steps := widget.NewLabel("")
	steps.Wrapping = fyne.TextWrapWord
	bar := widget.NewProgressBarInfinite()
	var done *widget.Button
	done = widget.NewButton("Return", nil)
	done.Disable()
	content := container.NewVBox(widget.NewLabel("Installing "+mod.Title+"…"), bar, steps)
	d := dialog.NewCustomWithoutButtons("Install "+mod.Title, container.NewBorder(nil, done, nil, nil, content), m.win)
	done.OnTapped = func() { d.Hide(); m.Refresh() }
	d.Resize(fyne.NewSize(460, 260))
	d.Show()
	go func() {
		var lines []string
		err := m.svc.Install(m.ctx, mod.Name, func(step string) {
			fyne.Do(func() {
				lines = append(lines, step)
				steps.SetText(strings.Join(lines, "\n"))
			})
		})
		fyne.Do(func() {
			bar.Stop()
			bar.Hide()
			if err != nil {
				m.log.Error("install failed", "module", mod.Name, "err", err)
				lines = append(lines, "Installation failed: "+err.Error())
			} else {
				lines = append(lines, "Installed. Press Return, then Configure the module.")
			}
			steps.SetText(strings.Join(lines, "\n"))
			done.Enable()
		})
	}()
}

func (m *ModuleList) confirmUninstall(mod sync.ModuleStatus) {
	msg := fmt.Sprintf("Uninstall %s?\n\nLedgerLink forgets its settings, links, export queue and logs, "+
		"and deletes its saved sign-in. Nothing changes in %s itself.\nMake a backup first if you may want them back.",
		mod.Title, mod.Title)
	dialog.ShowConfirm("Uninstall "+mod.Title, msg, func(ok bool) {
		if !ok {
			return
		}
		go func() {
			err := m.svc.Uninstall(m.ctx, mod.Name)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(err, m.win)
				}
				m.Refresh()
			})
		}()
	}, m.win)
}
