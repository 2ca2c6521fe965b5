package ui

import (
	"context"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// trayHost is the part of desktop.App the tray uses.
type trayHost interface {
	SetSystemTrayMenu(menu *fyne.Menu)
	SetSystemTrayIcon(icon fyne.Resource)
}

// trayTooltip is a tray host that can also show a tooltip on its icon.
type trayTooltip interface {
	SetSystemTrayTooltip(text string)
}

// systrayHost adds the tooltip to Fyne's tray, which does not offer one:
// Fyne's tray is fyne.io/systray, whose tooltip is set directly.
type systrayHost struct{ desktop.App }

func (systrayHost) SetSystemTrayTooltip(text string) { systray.SetTooltip(text) }

// Tray states, as the icon shows them.
const (
	trayIdle      = "idle"
	traySyncing   = "syncing"
	trayAttention = "attention"
)

// trayState is LedgerLink's tray icon and menu: Open, Sync now, Pause
// automatic sync, Quit. The icon shows idle, syncing or needs attention.
type trayState struct {
	a      *App
	host   trayHost
	icons  TrayIcons
	menu   *fyne.Menu
	open   *fyne.MenuItem
	syncIt *fyne.MenuItem
	pause  *fyne.MenuItem
	quit   *fyne.MenuItem
	shown  string
	// tooltip is what the icon's tooltip says LedgerLink is doing.
	tooltip string
}

// toldClosingKey remembers that the person was told closing the window
// keeps LedgerLink running.
const toldClosingKey = "told-closing-keeps-running"

// SetupTray puts LedgerLink in the system tray, when the desktop has one.
// Closing the window then hides it to the tray instead of quitting, and
// says so the first time.
func (a *App) SetupTray(icons TrayIcons) bool {
	desk, ok := a.fa.(desktop.App)
	if !ok {
		return false
	}
	a.setupTray(systrayHost{desk}, icons)
	if sw, ok := a.fa.(interface{ SetSystemTrayWindow(fyne.Window) }); ok {
		sw.SetSystemTrayWindow(a.win)
	}
	return true
}

func (a *App) setupTray(host trayHost, icons TrayIcons) *trayState {
	t := &trayState{a: a, host: host, icons: icons}
	t.open = fyne.NewMenuItem(a.w.T("window.tray.open"), a.Show)
	t.syncIt = fyne.NewMenuItem(a.w.T("window.button.sync_now"), t.syncAll)
	t.pause = fyne.NewMenuItem(a.w.T("window.tray.pause"), t.togglePause)
	t.quit = fyne.NewMenuItem(a.w.T("window.tray.quit"), a.fa.Quit)
	// Fyne adds its own Quit to tray menus; ours carries the same action.
	t.quit.IsQuit = true
	items := []*fyne.MenuItem{t.open, fyne.NewMenuItemSeparator()}
	if a.svc.Scheduler != nil {
		items = append(items, t.syncIt, t.pause, fyne.NewMenuItemSeparator())
	}
	items = append(items, t.quit)
	t.menu = fyne.NewMenu("LedgerLink", items...) // words:verbatim: the product name
	host.SetSystemTrayMenu(t.menu)
	a.tray = t
	a.win.SetCloseIntercept(a.hideToTray)
	t.update()
	return t
}

// hideToTray hides the window; LedgerLink keeps running in the tray.
func (a *App) hideToTray() {
	a.win.Hide()
	a.tracef("window hidden to tray") // words:verbatim: trace for scripts
	prefs := a.fa.Preferences()
	if prefs.Bool(toldClosingKey) {
		return
	}
	prefs.SetBool(toldClosingKey, true)
	a.fa.SendNotification(fyne.NewNotification(a.w.T("window.tray.still_running"),
		a.w.T("window.tray.still_running_text", "Quit", a.w.T("window.tray.quit"))))
}

// relabel says the menu in the window's language again, after the
// language changed. Safe on a nil tray.
func (t *trayState) relabel() {
	if t == nil {
		return
	}
	w := t.a.w
	t.open.Label = w.T("window.tray.open")
	t.syncIt.Label = w.T("window.button.sync_now")
	t.quit.Label = w.T("window.tray.quit")
	t.tooltip = ""
	t.update()
}

// update shows the state on the icon and the menu. Safe on a nil tray.
func (t *trayState) update() {
	if t == nil {
		return
	}
	a := t.a
	state := trayIdle
	if s := a.svc.Scheduler; s != nil {
		st := s.State()
		if !st.Idle() {
			state = traySyncing
		}
		if st.Paused {
			t.pause.Label = a.w.T("window.tray.resume")
			t.pause.Checked = true
		} else {
			t.pause.Label = a.w.T("window.tray.pause")
			t.pause.Checked = false
		}
	}
	if a.anyBusy() {
		state = traySyncing
	}
	if state == trayIdle && t.needsAttention() {
		state = trayAttention
	}
	if summary := a.liveSummary(); summary != t.tooltip {
		t.tooltip = summary
		if tip, ok := t.host.(trayTooltip); ok {
			tip.SetSystemTrayTooltip(summary)
		}
	}
	t.menu.Refresh()
	if state == t.shown {
		return
	}
	t.shown = state
	var icon fyne.Resource
	switch state {
	case traySyncing:
		icon = t.icons.Syncing
	case trayAttention:
		icon = t.icons.Attention
	default:
		icon = t.icons.Idle
	}
	if icon != nil {
		t.host.SetSystemTrayIcon(icon)
	}
	a.tracef("tray=%s", state) // words:verbatim: trace for scripts
}

// needsAttention: an installed module is not GREEN, or its last run had
// errors.
func (t *trayState) needsAttention() bool {
	a := t.a
	if a.modules != nil {
		for _, r := range a.modules.list {
			if r.Installed && r.Light != connectors.Green {
				return true
			}
		}
	}
	for _, rep := range a.lastRuns {
		if !rep.OK() && !rep.Cancelled {
			return true
		}
	}
	return false
}

// State is the icon shown: "idle", "syncing" or "attention" (tests).
func (t *trayState) State() string { return t.shown }

// syncAll runs every ready module now.
func (t *trayState) syncAll() {
	a := t.a
	if a.svc.Scheduler == nil {
		return
	}
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		list, err := svc.Modules.List(ctx)
		if err != nil {
			a.do(func() { a.fa.SendNotification(fyne.NewNotification(a.w.T("window.tray.cannot_sync"), a.w.Error(err))) })
			return
		}
		var ready []string
		for _, m := range list {
			if m.CanSync {
				ready = append(ready, m.Name)
			}
		}
		if len(ready) == 0 {
			a.do(func() {
				a.fa.SendNotification(fyne.NewNotification(a.w.T("window.tray.nothing_to_sync"),
					a.w.T("window.tray.nothing_ready", "Green", a.w.T("window.light.green"))))
			})
			return
		}
		a.do(func() { a.tracef("tray sync now modules=%d", len(ready)) }) // words:verbatim: trace for scripts
		for _, m := range ready {
			a.spawn(func() { runNow(ctx, a, svc.Scheduler, m) })
		}
	})
}

func runNow(ctx context.Context, a *App, s Scheduler, module string) {
	if _, err := s.RunNow(ctx, module, sync.TriggerManual); err != nil {
		a.log.Info("sync ended with an error", "module", module, "err", err)
	}
}

// togglePause pauses or resumes automatic runs.
func (t *trayState) togglePause() {
	s := t.a.svc.Scheduler
	if s == nil {
		return
	}
	if s.Paused() {
		s.Resume()
	} else {
		s.Pause()
	}
	t.update()
	t.a.refreshStatusBar()
}

// replaced follows new services after a restore.
func (t *trayState) replaced() {
	if t == nil {
		return
	}
	t.update()
}

// anyBusy reports whether the engine says a run is going for any module.
func (a *App) anyBusy() bool {
	for _, st := range a.live {
		if st.Busy() {
			return true
		}
	}
	return false
}

// liveSummary says in a line what LedgerLink is doing, for the tray's
// tooltip.
func (a *App) liveSummary() string {
	return liveSummary(a.w, a.live, a.moduleTitle, a.svc.Scheduler != nil && a.svc.Scheduler.State().Paused)
}

func liveSummary(w *words.Words, live map[string]sync.ModuleState, title func(string) string, paused bool) string {
	var parts []string
	for _, m := range slices.Sorted(maps.Keys(live)) {
		st := live[m]
		name := title(m)
		switch {
		case st.Busy():
			parts = append(parts, w.T("window.tray.module_state", "Module", name, "State", liveState(w, st, name)))
		case st.Activity == sync.ActivityWaitingSignIn:
			parts = append(parts, w.T("window.tray.module_state", "Module", name, "State", w.T("window.tray.waiting_sign_in")))
		}
	}
	if len(parts) == 0 {
		if paused {
			return w.T("window.tray.paused")
		}
		return w.T("window.tray.idle")
	}
	return w.T("window.tray.busy", "States", strings.Join(parts, "; "))
}
