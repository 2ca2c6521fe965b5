package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// fakeTray records the tray's menu and icon.
type fakeTray struct {
	menu  *fyne.Menu
	icons []fyne.Resource
}

func (f *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { f.menu = m }
func (f *fakeTray) SetSystemTrayIcon(r fyne.Resource) { f.icons = append(f.icons, r) }

func (f *fakeTray) item(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range f.menu.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no tray menu item %q", label)
	return nil
}

var trayIcons = TrayIcons{
	Idle:      fyne.NewStaticResource("idle.png", []byte("i")),
	Syncing:   fyne.NewStaticResource("syncing.png", []byte("s")),
	Attention: fyne.NewStaticResource("attention.png", []byte("a")),
}

func TestTrayMenuActions(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	ft := &fakeTray{}
	tray := h.app.setupTray(ft, trayIcons)

	var labels []string
	for _, it := range ft.menu.Items {
		labels = append(labels, it.Label)
	}
	if want := []string{"Open LedgerLink", "", "Sync now", "Pause automatic sync", "", "Quit"}; !slices.Equal(labels, want) {
		t.Errorf("menu %q, want %q", labels, want)
	}
	if !ft.item(t, "Quit").IsQuit {
		t.Error("Quit should be the menu's quit item")
	}

	ft.item(t, "Sync now").Action()
	h.waitFor("the run", func() bool { return slices.Equal(h.sched.ranModules(), []string{"books"}) })

	ft.item(t, "Pause automatic sync").Action()
	if !h.sched.Paused() {
		t.Fatal("Pause did not pause the scheduler")
	}
	resume := ft.item(t, "Resume automatic sync")
	if !resume.Checked {
		t.Error("the paused item should be ticked")
	}
	if !strings.Contains(h.app.statusBar.Text, "paused") {
		t.Errorf("status bar %q", h.app.statusBar.Text)
	}
	resume.Action()
	if h.sched.Paused() {
		t.Error("Resume did not resume")
	}
	ft.item(t, "Pause automatic sync")

	ft.item(t, "Quit").Action()
	if h.fa.quits != 1 {
		t.Errorf("Quit called %d times", h.fa.quits)
	}
	_ = tray
}

func TestTraySyncNowSkipsModulesNotReady(t *testing.T) {
	h := newHarness(t, func(h *harness, _ *Services) {
		h.mods.setStatus(sync.ModuleStatus{Name: "books", Title: "Books Online", Installed: true, Light: connectors.Amber, Notes: []string{"Client ID is not set."}})
	})
	ft := &fakeTray{}
	h.app.setupTray(ft, trayIcons)
	ft.item(t, "Sync now").Action()
	h.waitFor("the notification", func() bool { return len(h.fa.notifications()) == 1 })
	if n := h.fa.notifications()[0]; n.Title != "Nothing to sync yet" {
		t.Errorf("notification %q", n.Title)
	}
	if len(h.sched.ranModules()) != 0 {
		t.Error("an AMBER module was synced")
	}
}

func TestTrayIconFollowsRunsAndNotifiesErrors(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	ft := &fakeTray{}
	tray := h.app.setupTray(ft, trayIcons)
	if tray.State() != trayIdle || ft.icons[len(ft.icons)-1] != trayIcons.Idle {
		t.Fatalf("start state %q", tray.State())
	}

	h.sched.mu.Lock()
	h.sched.running = []string{"books"}
	h.sched.mu.Unlock()
	h.hub.SchedulerState(sync.State{Running: []string{"books"}})
	h.loop.pump()
	if tray.State() != traySyncing || ft.icons[len(ft.icons)-1] != trayIcons.Syncing {
		t.Errorf("while running: %q", tray.State())
	}
	if !strings.Contains(h.app.statusBar.Text, "Syncing Books Online") {
		t.Errorf("status bar %q", h.app.statusBar.Text)
	}

	h.sched.mu.Lock()
	h.sched.running = nil
	h.sched.mu.Unlock()
	run := h.hub.WrapRun(func(context.Context, string, sync.Trigger) (sync.Report, error) {
		rep := sync.Report{Module: "books", Started: h.now, Finished: h.now}
		rep.Add(connectors.Upload, connectors.SalesInvoices, 4, 0, 2)
		return rep, nil
	})
	if _, err := run(t.Context(), "books", sync.TriggerScheduled); err != nil {
		t.Fatal(err)
	}
	h.loop.pump()
	if tray.State() != trayAttention || ft.icons[len(ft.icons)-1] != trayIcons.Attention {
		t.Errorf("after a run with errors: %q", tray.State())
	}
	// The same run heard again (from the run history) is told once.
	h.app.onEvent(Event{Kind: EventFinished, Module: "books", Report: h.app.lastRuns["books"]})
	notes := h.fa.notifications()
	if len(notes) != 1 || notes[0].Title != "LedgerLink: Books Online sync needs attention" ||
		!strings.Contains(notes[0].Content, "2 records could not be sent") {
		t.Errorf("notifications %+v", notes)
	}

	// A clean run clears the attention and sends nothing.
	clean := h.hub.WrapRun(func(context.Context, string, sync.Trigger) (sync.Report, error) {
		return sync.Report{Module: "books", Started: h.now.Add(time.Minute), Finished: h.now.Add(time.Minute)}, nil
	})
	_, _ = clean(t.Context(), "books", sync.TriggerManual)
	h.loop.pump()
	if tray.State() != trayIdle || len(h.fa.notifications()) != 1 {
		t.Errorf("after a clean run: %q, %d notifications", tray.State(), len(h.fa.notifications()))
	}

	// A failed run is said in words.
	failed := h.hub.WrapRun(func(context.Context, string, sync.Trigger) (sync.Report, error) {
		err := errors.New("Reconnect to Books Online. The package refused the sign-in")
		return sync.Report{Module: "books", Errors: []string{err.Error()}}, err
	})
	_, _ = failed(t.Context(), "books", sync.TriggerScheduled)
	h.loop.pump()
	if notes := h.fa.notifications(); len(notes) != 2 || !strings.HasPrefix(notes[1].Content, "Reconnect to Books Online.") {
		t.Errorf("notifications %+v", notes)
	}
}

func TestClosingTheWindowKeepsRunningAndSaysSoOnce(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	h.app.setupTray(&fakeTray{}, trayIcons)
	h.app.hideToTray()
	h.app.hideToTray()
	notes := h.fa.notifications()
	if len(notes) != 1 || notes[0].Title != "LedgerLink is still running" {
		t.Errorf("notifications %+v", notes)
	}
	if h.fa.quits != 0 {
		t.Error("closing the window quit")
	}
}

func TestHubSubscribeAndCancel(t *testing.T) {
	hub := NewHub()
	var mu stdsync.Mutex
	var got []EventKind
	cancel := hub.Subscribe(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.Kind)
	})
	var wg stdsync.WaitGroup
	for range 4 {
		wg.Go(func() { hub.Progress("m", 1, 2) })
	}
	wg.Wait()
	hub.Changed("m")
	cancel()
	hub.Changed("m")
	mu.Lock()
	defer mu.Unlock()
	want := []EventKind{EventProgress, EventProgress, EventProgress, EventProgress, EventChanged}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestRunHistoryChartAndList(t *testing.T) {
	h := newHarness(t, installed(readySettings()), func(h *harness, _ *Services) {
		mk := func(daysAgo, moved, failed int) sync.Report {
			r := sync.Report{Module: "books", Trigger: sync.TriggerScheduled, Started: h.now.AddDate(0, 0, -daysAgo)}
			r.Finished = r.Started.Add(90 * time.Second)
			r.Add(connectors.Upload, connectors.SalesInvoices, moved, 0, failed)
			return r
		}
		h.runs.runs = []sync.Report{mk(60, 500, 0), mk(3, 40, 0), mk(2, 10, 5), mk(1, 20, 0)}
	})
	h.app.ShowModule("books", "history")
	h.waitTrace("history loaded module=books runs=3")
	hv := h.app.work.history
	moved, failed := hv.chart.Bars()
	if !slices.Equal(moved, []float32{1, 0.25, 0.5}) || !slices.Equal(failed, []float32{0, 0.125, 0}) {
		t.Errorf("bars moved %v failed %v", moved, failed)
	}
	if hv.runs[0].Started.After(hv.runs[1].Started) == false {
		t.Error("the list should show the newest run first")
	}
	if got := runResult(h.app.w, hv.runs[1]); got != "Some records could not be sent (see Error Feedback)" {
		t.Errorf("result %q", got)
	}
	if !strings.Contains(hv.summary.Text, "3 runs, 70 records moved, 5 errors") {
		t.Errorf("summary %q", hv.summary.Text)
	}
	if durationText(h.app.w, hv.runs[0]) != "1m 30s" {
		t.Errorf("duration %q", durationText(h.app.w, hv.runs[0]))
	}
	// The chart draws one pair of bars per run.
	r := newRunChart(h.app.w)
	r.setRuns(hv.runs)
	if objs := len(rendered(r)); objs < 2*3 {
		t.Errorf("the chart draws %d objects", objs)
	}
}

func TestFinishedRunIsReadFromTheHistory(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	h.hub.SchedulerState(sync.State{Running: []string{"books"}})
	h.loop.pump()
	rep := sync.Report{Module: "books", Trigger: sync.TriggerScheduled, Started: h.now.Add(-time.Minute), Finished: h.now}
	rep.Add(connectors.Upload, connectors.SalesInvoices, 1, 0, 3)
	h.runs.mu.Lock()
	h.runs.runs = append(h.runs.runs, rep)
	h.runs.mu.Unlock()
	h.hub.SchedulerState(sync.State{})
	h.waitFor("the notification", func() bool { return len(h.fa.notifications()) == 1 })
	if !strings.Contains(h.fa.notifications()[0].Content, "3 records could not be sent") {
		t.Errorf("notification %+v", h.fa.notifications()[0])
	}
	h.waitFor("the module list", func() bool {
		r := h.app.modules.list[0]
		return r.LastRun != nil && r.LastRun.FailedItems() == 3
	})
}

type fakeRunStore struct{ recs []storage.RunRecord }

func (f fakeRunStore) Runs(module string, since time.Time) ([]storage.RunRecord, error) {
	var out []storage.RunRecord
	for _, r := range f.recs {
		if r.Module == module && !r.Started.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func TestStoredRunsAdapter(t *testing.T) {
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	store := fakeRunStore{recs: []storage.RunRecord{
		{Module: "books", Trigger: "scheduled", Started: now, Finished: now.Add(time.Minute),
			Counts: []storage.RunCount{{Direction: connectors.Upload, Type: connectors.SalesInvoices, Created: 2, Updated: 1, Failed: 1}}},
		{Module: "books", Trigger: "manual", Started: now.Add(-time.Hour), Errors: []string{"boom"}},
		{Module: "other", Started: now},
	}}
	runs, err := StoredRuns{Store: store}.Runs(t.Context(), "books", now.Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Trigger != sync.TriggerManual || runs[1].Moved() != 3 || runs[1].FailedItems() != 1 || runs[0].OK() {
		t.Errorf("runs %+v", runs)
	}
}

func TestStatusBarSaysWhenInTheSandbox(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		h := newHarness(t, installed(readySettings()), func(_ *harness, svc *Services) { svc.Sandbox = sandbox })
		h.app.refreshStatusBar()
		if got := strings.Contains(h.app.statusBar.Text, "SANDBOX"); got != sandbox {
			t.Errorf("sandbox %v: status bar %q", sandbox, h.app.statusBar.Text)
		}
	}
}
