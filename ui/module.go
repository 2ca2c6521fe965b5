package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/sync"
	"ledgerlink/words"
)

// Module screen tab keys, in order.
const (
	workExport  = "export"
	workImport  = "import"
	workHistory = "history"
)

// workTrace names the tabs in traces, the same in every language.
var workTrace = map[string]string{workExport: "Export", workImport: "Import", workHistory: "Run history"} // words:verbatim: trace names for scripts

// ModuleScreen is one module's work: Export, Import and Run history, with
// Sync now and Configure at hand. Its grids follow background runs.
type ModuleScreen struct {
	a       *App
	module  string
	title   string
	tabs    *container.AppTabs
	keys    []string
	export  *exportView
	imports *importView
	history *historyView
	dot     *canvas.Circle
	word    *widget.Label
	runInfo *widget.Label
	// calls says the day's calls to the package against its allowance.
	calls *widget.Label
	// runBar shows a run's progress while the engine says one is going.
	runBar  *widget.ProgressBar
	syncBtn *widget.Button
	content fyne.CanvasObject

	// reloadDelay gathers a burst of background changes into one reload.
	reloadDelay  time.Duration
	reloadQueued bool
	closed       bool
}

func newModuleScreen(a *App, module string) (*ModuleScreen, error) {
	w := a.w
	if a.svc.Engine == nil {
		return nil, words.Errorf(nil, "window.work.unavailable")
	}
	st, err := a.svc.Modules.Status(a.ctx, module)
	if err != nil {
		return nil, err
	}
	if !st.Installed {
		return nil, words.Errorf(nil, "window.error.not_installed", "Module", displayTitle(st), "Install", w.T("window.button.install"))
	}
	ms := &ModuleScreen{a: a, module: module, title: displayTitle(st), reloadDelay: 400 * time.Millisecond}
	ms.dot, ms.word, _ = newLight(w, st.Light)
	ms.runInfo = widget.NewLabel("")
	ms.runInfo.Truncation = fyne.TextTruncateEllipsis
	ms.runBar = widget.NewProgressBar()
	ms.runBar.Hide()

	back := widget.NewButtonWithIcon(w.T("window.modules.title"), theme.NavigateBackIcon(), a.ShowModules)
	heading := widget.NewLabelWithStyle(ms.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	configure := widget.NewButtonWithIcon(w.T("window.button.configure"), theme.SettingsIcon(), func() { a.ShowConfigure(module) })
	ms.calls = widget.NewLabel("")
	ms.calls.Importance = widget.LowImportance
	var right []fyne.CanvasObject
	right = append(right, ms.calls, configure)
	if a.svc.Scheduler != nil {
		ms.syncBtn = widget.NewButtonWithIcon(w.T("window.button.sync_now"), theme.ViewRefreshIcon(), func() { a.syncNow(module) })
		if !st.CanSync {
			ms.syncBtn.Disable()
		}
		right = append(right, ms.syncBtn)
	}
	lightBox := container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(18, 18), ms.dot)), ms.word)
	header := container.NewBorder(nil, nil, container.NewHBox(back, heading, lightBox), container.NewHBox(right...), ms.runInfo)

	ms.export = newExportView(ms)
	ms.keys = append(ms.keys, workExport)
	items := []*container.TabItem{container.NewTabItemWithIcon(w.T("window.work.export"), theme.UploadIcon(), ms.export.content)}
	ms.imports = newImportView(ms)
	ms.keys = append(ms.keys, workImport)
	items = append(items, container.NewTabItemWithIcon(w.T("window.work.import"), theme.DownloadIcon(), ms.imports.content))
	if a.svc.Runs != nil {
		ms.history = newHistoryView(ms)
		ms.keys = append(ms.keys, workHistory)
		items = append(items, container.NewTabItemWithIcon(w.T("window.work.history"), theme.HistoryIcon(), ms.history.content))
	}
	ms.tabs = container.NewAppTabs(items...)
	ms.tabs.OnSelected = func(t *container.TabItem) {
		a.tracef("tab=%s module=%s", workTrace[ms.keys[ms.tabs.SelectedIndex()]], module) // words:verbatim: trace for scripts
		ms.loadTab(ms.tabs.SelectedIndex())
	}
	keys := widget.NewLabel(w.T("window.work.keys"))
	keys.Importance = widget.LowImportance
	ms.content = container.NewPadded(container.NewBorder(container.NewVBox(header, ms.runBar, widget.NewSeparator()),
		container.NewHBox(layout.NewSpacer(), keys), nil, nil, ms.tabs))
	ms.showRunState()
	return ms, nil
}

// Content is the screen's canvas object.
func (ms *ModuleScreen) Content() fyne.CanvasObject { return ms.content }

// showTab shows the tab with key k ("export", "import", "history").
func (ms *ModuleScreen) showTab(k string) {
	for i, key := range ms.keys {
		if key == k {
			ms.selectTab(i)
			return
		}
	}
	ms.selectTab(0)
}

func (ms *ModuleScreen) selectTab(i int) {
	if i < 0 || i >= len(ms.tabs.Items) {
		return
	}
	if ms.tabs.SelectedIndex() != i {
		ms.tabs.SelectIndex(i) // OnSelected loads it
		return
	}
	ms.a.tracef("tab=%s module=%s", workTrace[ms.keys[i]], ms.module) // words:verbatim: trace for scripts
	ms.loadTab(i)
}

// loadTab reads the tab's rows the first time it is shown.
func (ms *ModuleScreen) loadTab(i int) {
	switch ms.keys[i] {
	case workExport:
		ms.export.ensureLoaded()
	case workImport:
		ms.imports.ensureLoaded()
	case workHistory:
		ms.history.load()
	}
}

// activeGrid is the grid Ctrl+A acts on.
func (ms *ModuleScreen) activeGrid() *grid {
	if ms.keys[ms.tabs.SelectedIndex()] == workExport {
		return ms.export.activeGrid()
	}
	return nil
}

// onEvent follows a background run of this module.
func (ms *ModuleScreen) onEvent(ev Event) {
	switch ev.Kind {
	case EventProgress:
		if ev.Total > 0 {
			w := ms.a.w
			ms.runInfo.SetText(w.T("window.run.records_done", "Done", w.Int(int64(ev.Done)), "Total", w.Int(int64(ev.Total))))
		}
		ms.scheduleReload()
	case EventChanged:
		ms.scheduleReload()
	case EventFinished:
		ms.showRunState()
		ms.reload()
	case EventState:
		ms.showRunState()
	case EventModule:
		ms.showLive(ev.Live)
	}
}

// showLive shows the engine's state of this module: a progress bar with
// the step and its counts while a run goes, nothing extra when idle.
func (ms *ModuleScreen) showLive(st sync.ModuleState) {
	w := ms.a.w
	if !st.Busy() {
		ms.runBar.Hide()
		if st.Activity == sync.ActivityWaitingSignIn {
			ms.runInfo.SetText(w.T("window.run.waiting_sign_in", "Configure", w.T("window.button.configure"), "Account", w.T("window.tab.account")))
		}
		if st.Finished != nil {
			ms.showRunState()
		}
		return
	}
	if ms.syncBtn != nil {
		ms.syncBtn.Disable()
	}
	ms.runInfo.SetText(liveText(w, st, ms.title))
	if st.Total > 0 {
		// The words first: SetValue draws the bar with them.
		ms.runBar.TextFormatter = func() string {
			return w.T("window.run.of", "Done", w.Int(int64(st.Done)), "Total", w.Int(int64(st.Total)))
		}
		ms.runBar.Max = float64(st.Total)
		ms.runBar.SetValue(float64(min(st.Done, st.Total)))
		ms.runBar.Show()
		ms.a.tracef("progress module=%s step=%q done=%d total=%d", ms.module, st.StepText.Key, st.Done, st.Total) // words:verbatim: trace for scripts
		ms.scheduleReload()
	} else {
		ms.runBar.Hide()
	}
}

// liveText words a running module's state for a person.
func liveText(w *words.Words, st sync.ModuleState, title string) string {
	return w.T("window.run.running", "State", liveState(w, st, title))
}

// liveState is the state of a run in a few words: the step and its
// counts, or the wait for the package's rate limit.
func liveState(w *words.Words, st sync.ModuleState, title string) string {
	step := st.StepIn(w)
	switch st.Activity {
	case sync.ActivityWaitingRateLimit:
		return w.T("window.run.rate_limit", "Module", title, "Time", w.Clock(st.Until.Local()))
	case sync.ActivitySyncing:
		if st.Total > 0 {
			return w.T("window.run.step_of", "Step", step, "Done", w.Int(int64(st.Done)), "Total", w.Int(int64(st.Total)))
		}
		if st.Done > 0 {
			return w.T("window.run.step_so_far", "Step", step, "Done", w.Int(int64(st.Done)))
		}
		return w.T("window.run.step", "Step", step)
	}
	return ""
}

// showRunState says whether a run is going and how the last one went.
func (ms *ModuleScreen) showRunState() {
	a := ms.a
	ms.showCalls()
	running := false
	if a.svc.Scheduler != nil {
		for _, m := range a.svc.Scheduler.State().Running {
			running = running || m == ms.module
		}
	}
	if running {
		ms.runInfo.SetText(a.w.T("window.run.grids_follow"))
		if ms.syncBtn != nil {
			ms.syncBtn.Disable()
		}
		return
	}
	if ms.syncBtn != nil {
		if st, err := a.svc.Modules.Status(a.ctx, ms.module); err == nil {
			setLight(a.w, ms.dot, ms.word, st.Light)
			if st.CanSync {
				ms.syncBtn.Enable()
			}
		}
	}
	if rep, ok := a.lastRuns[ms.module]; ok {
		_, res := lastRunText(a.w, moduleRow{ModuleStatus: sync.ModuleStatus{Installed: true}, LastRun: &rep}, a.svc.Now())
		ms.runInfo.SetText(a.w.T("window.run.last", "When", humanTime(a.w, rep.Started, a.svc.Now()), "Result", res.text))
		return
	}
	ms.runInfo.SetText("")
}

// showCalls shows the day's calls to the package, for one with a daily
// allowance.
func (ms *ModuleScreen) showCalls() {
	text := callsTodayText(ms.a, ms.module)
	ms.calls.SetText(text)
	if text == "" {
		ms.calls.Hide()
	} else {
		ms.calls.Show()
	}
}

// scheduleReload reloads the grids shortly, once for a burst of changes.
func (ms *ModuleScreen) scheduleReload() {
	if ms.reloadQueued {
		return
	}
	ms.reloadQueued = true
	a := ms.a
	delay := ms.reloadDelay
	a.spawn(func() {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-a.ctx.Done():
				t.Stop()
			}
		}
		a.do(func() {
			ms.reloadQueued = false
			if !ms.closed {
				ms.reload()
			}
		})
	})
}

// reload reads every loaded grid again, keeping selections.
func (ms *ModuleScreen) reload() {
	ms.export.reload()
	ms.imports.reloadIfLoaded()
	if ms.history != nil && ms.history.loaded {
		ms.history.load()
	}
}

func (ms *ModuleScreen) close() {
	ms.closed = true
	ms.export.cancelUpload()
}
