// Package ui holds LedgerLink's Fyne screens and tray. It takes a fyne.App
// from main and talks to the engine's services; it never imports a
// connector. Every change to a widget from a goroutine goes through
// App.do (fyne.Do).
package ui

import (
	"context"
	"fmt"
	"io"
	"ledgerlink/words"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/sync"
)

// WindowTitle is the main window's title (scripts find the window by it).
const WindowTitle = "LedgerLink"

// StartSize is the window's size at start, the same on every computer so
// screenshots compare.
var startSize = fyne.NewSize(1100, 720)

// TrayIcons are the tray's pictures for each state.
type TrayIcons struct {
	Idle, Syncing, Attention fyne.Resource
}

// screen names what the window shows, for keyboard shortcuts and traces.
type screen string

const (
	screenModules   screen = "modules"
	screenProgress  screen = "progress"
	screenConfigure screen = "configure"
	screenWork      screen = "module"
)

// App is LedgerLink's window and tray.
type App struct {
	ctx context.Context
	fa  fyne.App
	win fyne.Window
	svc Services
	log *slog.Logger
	// w are the words of the person's language: every label, message and
	// format on screen comes from them.
	w     *words.Words
	trace io.Writer

	// do runs f on the UI goroutine; spawn starts background work. They
	// are fyne.Do and a goroutine; tests queue do and pump it themselves.
	do    func(f func())
	spawn func(f func())

	body      *fyne.Container
	statusBar *widget.Label
	shown     screen
	modules   *ModuleList
	configure *ConfigureScreen
	work      *ModuleScreen
	progress  *progressView
	modals    []*modal
	tray      *trayState
	unsub     func()
	// lastRuns keeps the newest report of each module seen this session,
	// for the module list when there is no run history.
	lastRuns map[string]sync.Report
	// running are the modules the scheduler last said were running.
	running map[string]bool
	// live are the engine's module states, as last published.
	live map[string]sync.ModuleState
}

// modal is an open dialog that Enter and Escape answer.
type modal struct {
	title   string
	confirm func()
	dismiss func()
}

// option tunes newApp (tests).
type option func(*App)

// withRuntime replaces fyne.Do and the goroutine start.
func withRuntime(do, spawn func(func())) option {
	return func(a *App) { a.do, a.spawn = do, spawn }
}

// New builds the main window on fa. Nothing is shown until Show.
func New(ctx context.Context, fa fyne.App, svc Services) *App {
	return newApp(ctx, fa, svc)
}

func newApp(ctx context.Context, fa fyne.App, svc Services, opts ...option) *App {
	a := &App{
		ctx:      ctx,
		fa:       fa,
		do:       fyne.Do,
		spawn:    func(f func()) { go f() },
		lastRuns: map[string]sync.Report{},
		running:  map[string]bool{},
		live:     map[string]sync.ModuleState{},
	}
	for _, o := range opts {
		o(a)
	}
	a.setServices(svc)
	a.win = fa.NewWindow(WindowTitle)
	a.body = container.NewStack()
	a.statusBar = widget.NewLabel("")
	a.statusBar.Truncation = fyne.TextTruncateEllipsis
	a.win.SetContent(container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), a.statusBar), nil, nil, a.body))
	a.win.Resize(startSize)
	a.installKeys()
	a.subscribe()
	a.ShowModules()
	a.refreshStatusBar()
	return a
}

func (a *App) setServices(svc Services) {
	if svc.Logger == nil {
		svc.Logger = slog.Default()
	}
	if svc.Now == nil {
		svc.Now = time.Now
	}
	if svc.OpenURL == nil {
		svc.OpenURL = a.fa.OpenURL
	}
	if svc.Words == nil {
		svc.Words = sync.English(nil)
	}
	a.svc = svc
	a.w = svc.Words
	a.log = svc.Logger
	a.trace = svc.Trace
	if a.trace == nil && os.Getenv("LEDGERLINK_UI_TRACE") == "1" {
		a.trace = os.Stderr
	}
}

// subscribe follows the background events for as long as the window lives.
func (a *App) subscribe() {
	if a.unsub != nil {
		a.unsub()
		a.unsub = nil
	}
	if a.svc.Events == nil {
		return
	}
	a.unsub = a.svc.Events.Subscribe(func(ev Event) {
		a.do(func() { a.onEvent(ev) })
	})
}

// onEvent handles a background event on the UI goroutine.
func (a *App) onEvent(ev Event) {
	switch ev.Kind {
	case EventModule:
		a.live[ev.Module] = ev.Live
		a.tray.update()
	case EventState:
		a.followRuns(ev.State)
		a.refreshStatusBar()
		a.tray.update()
	case EventFinished:
		if last, ok := a.lastRuns[ev.Module]; ok && sameRun(last, ev.Report) {
			return // already told, by the run history or the hub
		}
		a.lastRuns[ev.Module] = ev.Report
		a.tracef("run finished module=%s moved=%d failed=%d ok=%v", ev.Module, ev.Report.Moved(), ev.Report.FailedItems(), ev.Err == nil && ev.Report.OK()) // words:verbatim: trace for scripts
		a.notifyRun(ev)
		a.tray.update()
		if a.shown == screenModules {
			a.modules.Refresh()
		}
	}
	if a.work != nil && (a.work.module == ev.Module || ev.Module == "") {
		a.work.onEvent(ev)
	}
	if ev.Kind == EventChanged && a.shown == screenConfigure && a.configure != nil && a.configure.module == ev.Module {
		if cc := a.configure.account.changeCalls; cc != nil {
			cc.load()
		}
	}
}

// followRuns notices runs starting and ending from the scheduler's state.
// A run that ended is read back from the run history and handled as
// finished, so the window works with a scheduler that only reports its
// state; while it runs, the engine's own states keep the grids live.
func (a *App) followRuns(st sync.State) {
	now := map[string]bool{}
	for _, m := range st.Running {
		now[m] = true
		a.running[m] = true
	}
	for m := range a.running {
		if now[m] {
			continue
		}
		delete(a.running, m)
		if a.svc.Runs == nil {
			continue
		}
		svc := a.svc
		ctx := a.ctx
		since := svc.Now().Add(-24 * time.Hour)
		a.spawn(func() {
			runs, err := svc.Runs.Runs(ctx, m, since)
			if err != nil || len(runs) == 0 {
				return
			}
			rep := runs[len(runs)-1]
			a.do(func() { a.onEvent(Event{Kind: EventFinished, Module: m, Report: rep}) })
		})
	}
}

// notifyRun sends a desktop notification when a run ends with errors.
func (a *App) notifyRun(ev Event) {
	rep := ev.Report
	if rep.Cancelled || (ev.Err == nil && rep.OK()) {
		return
	}
	name := a.moduleTitle(ev.Module)
	var msg string
	switch n := rep.FailedItems(); {
	case n > 0:
		msg = a.w.N("window.notify.not_sent", n)
	case ev.Err != nil:
		msg = a.w.T("window.notify.see_what_to_do", "Problem", firstSentence(a.w.Error(ev.Err)))
	default:
		msg = a.w.T("window.notify.see_what_to_do", "Problem", firstSentence(strings.Join(rep.Errors, " ")))
	}
	a.fa.SendNotification(fyne.NewNotification(a.w.T("window.notify.needs_attention", "Module", name), msg))
}

func (a *App) moduleTitle(module string) string {
	if a.svc.Modules != nil {
		if def, err := a.svc.Modules.Definition(module); err == nil && def.Title != "" {
			return def.Title
		}
	}
	return module
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

// setScreen puts content in the window as the screen s.
func (a *App) setScreen(s screen, module string, content fyne.CanvasObject) {
	a.closeModals()
	a.shown = s
	a.body.Objects = []fyne.CanvasObject{content}
	a.body.Refresh()
	a.win.Canvas().Unfocus()
	if module != "" {
		a.tracef("screen=%s module=%s", s, module) // words:verbatim: trace for scripts
	} else {
		a.tracef("screen=%s", s) // words:verbatim: trace for scripts
	}
}

// ShowModules shows the module list.
func (a *App) ShowModules() {
	if a.modules == nil {
		a.modules = newModuleList(a)
	}
	a.configure = nil
	a.closeWork()
	a.setScreen(screenModules, "", a.modules.Content())
	a.modules.Refresh()
}

// ShowConfigure opens the Configure screen of module.
func (a *App) ShowConfigure(module string) {
	cs, err := newConfigureScreen(a, module)
	if err != nil {
		a.showError(a.w.T("window.error.open_settings"), err)
		return
	}
	a.closeWork()
	a.configure = cs
	a.setScreen(screenConfigure, module, cs.Content())
	cs.selectTab(0)
}

// ShowModule opens the module's Export, Import and Run history tabs on tab
// ("export", "import" or "history").
func (a *App) ShowModule(module, tab string) {
	if a.work == nil || a.work.module != module {
		a.closeWork()
		ms, err := newModuleScreen(a, module)
		if err != nil {
			a.showError(a.w.T("window.error.open_module"), err)
			return
		}
		a.work = ms
	}
	a.configure = nil
	a.setScreen(screenWork, module, a.work.Content())
	a.work.showTab(tab)
}

func (a *App) closeWork() {
	if a.work != nil {
		a.work.close()
		a.work = nil
	}
}

// showProgress shows a progress screen while run works in the background,
// with its steps, and a Return button when it is done.
func (a *App) showProgress(title, doneText string, run func(ctx context.Context, progress func(step string)) error, onReturn func()) *progressView {
	pv := newProgressView(a, title, onReturn)
	a.progress = pv
	a.setScreen(screenProgress, "", pv.Content())
	ctx := a.ctx
	a.spawn(func() {
		err := run(ctx, func(step string) {
			a.do(func() { pv.addStep(step) })
		})
		a.do(func() { pv.finish(doneText, err) })
	})
	return pv
}

// selectedModule is the module keyboard shortcuts act on.
func (a *App) selectedModule() string {
	switch {
	case a.configure != nil && a.shown == screenConfigure:
		return a.configure.module
	case a.work != nil && a.shown == screenWork:
		return a.work.module
	case a.modules != nil:
		return a.modules.Selected()
	}
	return ""
}

// installKeys sets the window's keyboard shortcuts: Alt+M Modules, Alt+C
// Configure, Alt+E Export, Alt+I Import, Alt+H Run history, Alt+U Upload
// Data, Alt+S Sync now, Alt+T Try with sample data, Alt+1…9 the tabs,
// Ctrl+S Update, Ctrl+A select all; Enter and Escape answer dialogs, Escape
// also goes back.
func (a *App) installKeys() {
	c := a.win.Canvas()
	alt := func(k fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierAlt}, func(fyne.Shortcut) {
			if len(a.modals) == 0 {
				fn()
			}
		})
	}
	alt(fyne.KeyM, a.ShowModules)
	alt(fyne.KeyC, func() {
		if m := a.selectedModule(); m != "" && a.isInstalled(m) {
			a.ShowConfigure(m)
		}
	})
	alt(fyne.KeyE, func() { a.openWork("export") })
	alt(fyne.KeyI, func() { a.openWork("import") })
	alt(fyne.KeyH, func() { a.openWork("history") })
	alt(fyne.KeyU, func() {
		if a.shown == screenWork && a.work != nil {
			a.work.showTab("export")
			a.work.export.uploadData()
		}
	})
	alt(fyne.KeyT, func() {
		if a.shown == screenModules && a.modules.welcome.Visible() {
			a.modules.trySample()
		}
	})
	alt(fyne.KeyS, func() {
		if m := a.selectedModule(); m != "" && a.isInstalled(m) {
			a.syncNow(m)
		}
	})
	for i, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9} {
		alt(k, func() { a.selectTab(i) })
	}
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		if a.shown == screenConfigure && a.configure != nil && len(a.modals) == 0 {
			a.configure.update(nil)
		}
	})
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) {
		if g := a.activeGrid(); g != nil && len(a.modals) == 0 {
			g.SelectAll()
		}
	})
	c.SetOnTypedKey(a.typedKey)
}

func (a *App) openWork(tab string) {
	if m := a.selectedModule(); m != "" && a.isInstalled(m) {
		a.ShowModule(m, tab)
	}
}

func (a *App) isInstalled(module string) bool {
	if a.svc.Modules == nil {
		return false
	}
	st, err := a.svc.Modules.Status(a.ctx, module)
	return err == nil && st.Installed
}

func (a *App) selectTab(i int) {
	switch {
	case a.shown == screenConfigure && a.configure != nil:
		a.configure.selectTab(i)
	case a.shown == screenWork && a.work != nil:
		a.work.selectTab(i)
	}
}

func (a *App) activeGrid() *grid {
	if a.shown == screenWork && a.work != nil {
		return a.work.activeGrid()
	}
	return nil
}

// typedKey handles keys nothing focused took: Enter confirms and Escape
// dismisses the top dialog; Escape with no dialog goes back.
func (a *App) typedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		if n := len(a.modals); n > 0 {
			a.modals[n-1].dismiss()
			return
		}
		switch a.shown {
		case screenConfigure:
			a.configure.close()
		case screenWork:
			a.ShowModules()
		case screenProgress:
			a.progress.leave()
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if n := len(a.modals); n > 0 && a.modals[n-1].confirm != nil {
			a.modals[n-1].confirm()
			return
		}
		if a.shown == screenProgress {
			a.progress.leave()
		}
	}
}

// trackModal makes Enter and Escape answer d until it closes.
func (a *App) trackModal(title string, d dialog.Dialog, confirm, dismiss func()) {
	m := &modal{title: title, confirm: confirm, dismiss: dismiss}
	if m.dismiss == nil {
		m.dismiss = d.Hide
	}
	a.modals = append(a.modals, m)
	d.SetOnClosed(func() {
		for i, x := range a.modals {
			if x == m {
				a.modals = append(a.modals[:i], a.modals[i+1:]...)
				break
			}
		}
	})
	a.tracef("dialog=%q", title) // words:verbatim: trace for scripts
}

func (a *App) closeModals() {
	for len(a.modals) > 0 {
		a.modals[len(a.modals)-1].dismiss()
	}
}

// confirm asks a yes/no question; Enter answers yes, Escape no.
func (a *App) confirm(title, message, yes string, onYes func()) *dialog.ConfirmDialog {
	msg := widget.NewLabel(tidy(message))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, yes, a.w.T("window.button.cancel"), container.NewPadded(msg), func(ok bool) {
		if ok {
			onYes()
		}
	}, a.win)
	d.SetConfirmImportance(widget.HighImportance)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	a.trackModal(title, d, d.Confirm, d.Dismiss)
	return d
}

// inform shows a message with an OK button; Enter and Escape close it.
func (a *App) inform(title, message string) {
	msg := widget.NewLabel(tidy(message))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, a.w.T("window.button.ok"), container.NewPadded(msg), a.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	a.trackModal(title, d, d.Hide, d.Hide)
}

// showError shows what went wrong and what to do, in the person's words
// when the error carries them.
func (a *App) showError(title string, err error) {
	a.log.Warn(title, "err", err)
	a.inform(title, a.w.Error(err))
}

// syncNow runs the module's sync now through the scheduler (it joins a
// run in progress).
func (a *App) syncNow(module string) {
	if a.svc.Scheduler == nil {
		return
	}
	a.tracef("sync started module=%s", module) // words:verbatim: trace for scripts
	ctx := a.ctx
	sched := a.svc.Scheduler
	a.spawn(func() {
		_, err := sched.RunNow(ctx, module, sync.TriggerManual)
		if err != nil {
			a.log.Info("sync ended with an error", "module", module, "err", err)
		}
	})
	a.refreshStatusBar()
}

// refreshStatusBar says what the scheduler is doing and where the data is.
func (a *App) refreshStatusBar() {
	var parts []string
	if a.svc.Sandbox {
		parts = append(parts, a.w.T("window.status.sandbox"))
	}
	if s := a.svc.Scheduler; s != nil {
		st := s.State()
		switch {
		case !st.Idle():
			names := make([]string, len(st.Running))
			for i, m := range st.Running {
				names[i] = a.moduleTitle(m)
			}
			parts = append(parts, a.w.T("window.status.syncing", "Modules", strings.Join(names, ", ")))
		case st.Paused:
			parts = append(parts, a.w.T("window.status.paused", "Resume", a.w.T("window.tray.resume")))
		default:
			parts = append(parts, a.w.T("window.status.idle"))
		}
	}
	if a.svc.DataDir != "" {
		parts = append(parts, a.w.T("window.status.data_folder", "Path", a.svc.DataDir))
	}
	a.statusBar.SetText(strings.Join(parts, "   ·   "))
}

// openURL opens a web address in the browser.
func (a *App) openURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		a.inform(a.w.T("window.error.open_link"), a.w.T("window.error.not_an_address", "Address", raw))
		return
	}
	if err := a.svc.OpenURL(u); err != nil {
		a.log.Warn("the browser did not open", "url", raw, "err", err)
		a.inform(a.w.T("window.error.open_browser"), a.w.T("window.error.browser_failed", "Address", raw, "Error", err.Error()))
	}
}

// tracef writes one trace line for scripts.
func (a *App) tracef(format string, args ...any) {
	if a.trace != nil {
		fmt.Fprintf(a.trace, "LEDGERLINK-UI "+format+"\n", args...)
	}
}

// Close stops following background events.
func (a *App) Close() {
	if a.unsub != nil {
		a.unsub()
		a.unsub = nil
	}
	a.closeWork()
}

// tidy makes text safe to show: Fyne's fonts draw "→" followed by a space
// with a missing-glyph box, so arrows are drawn as "➜".
func tidy(s string) string { return strings.ReplaceAll(s, "→", "➜") }

// sameRun says whether two reports are of one run.
func sameRun(a, b sync.Report) bool {
	return !a.Started.IsZero() && a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) &&
		a.Moved() == b.Moved() && a.FailedItems() == b.FailedItems() && len(a.Errors) == len(b.Errors)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// firstSentence keeps a long message short enough for a notification.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	if len(s) > 160 {
		return s[:157] + "…"
	}
	return s
}

// languageChoices are the Language setting's choices: the system's
// language, then each language LedgerLink speaks, named in itself.
func (a *App) languageChoices() (codes, names []string) {
	codes = append([]string{""}, words.Languages()...)
	names = []string{a.w.T("window.language.system"), "English", "Nederlands", "Dansk"} // words:verbatim: each language named in itself
	return codes, names
}

// savedLanguage is the Language setting as saved ("" for the system's).
func (a *App) savedLanguage() string {
	if a.svc.Language != nil {
		return a.svc.Language()
	}
	return a.w.Lang()
}

// chooseLanguage saves the Language setting and speaks it at once.
func (a *App) chooseLanguage(code string) {
	if a.svc.SetLanguage == nil {
		return
	}
	w, err := a.svc.SetLanguage(code)
	if err != nil {
		a.showError(a.w.T("window.language.failed"), err)
		return
	}
	a.useWords(w)
}

// useWords makes the window speak w: the screen shown is built again in
// it, with the tray and the status bar.
func (a *App) useWords(w *words.Words) {
	if w == nil {
		return
	}
	a.svc.Words = w
	a.w = w
	a.tracef("language=%s", w.Lang()) // words:verbatim: trace for scripts
	a.modules = newModuleList(a)
	a.tray.relabel()
	a.refreshStatusBar()
	switch a.shown {
	case screenConfigure:
		if a.configure != nil {
			a.ShowConfigure(a.configure.module)
			return
		}
	case screenWork:
		if a.work != nil {
			module, tab := a.work.module, a.work.keys[a.work.tabs.SelectedIndex()]
			a.closeWork()
			a.ShowModule(module, tab)
			return
		}
	case screenProgress:
		return
	}
	a.ShowModules()
}
