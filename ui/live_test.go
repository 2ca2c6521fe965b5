package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// tooltipTray is a tray host with a tooltip.
type tooltipTray struct {
	fakeTray
	tips []string
}

func (f *tooltipTray) SetSystemTrayTooltip(text string) { f.tips = append(f.tips, text) }

// TestLiveProgressFromTheEngine follows a run the engine publishes, as a
// scheduled run or Sync now would: the open module screen shows a progress
// bar with the counts, the tray icon and tooltip follow, and the end of the
// run hides the bar and tells the run's outcome.
func TestLiveProgressFromTheEngine(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	ft := &tooltipTray{}
	tray := h.app.setupTray(ft, trayIcons)
	openExport(t, h)
	ms := h.app.work
	if ms.runBar.Visible() {
		t.Fatal("the progress bar shows before any run")
	}

	steps := []struct {
		st      sync.ModuleState
		bar     bool
		info    string
		tray    string
		tooltip string
	}{
		{sync.ModuleState{Module: "books", Activity: sync.ActivitySyncing, Step: "Connecting", Trigger: sync.TriggerScheduled},
			false, "Sync running: Connecting…", traySyncing, "Connecting"},
		{sync.ModuleState{Module: "books", Activity: sync.ActivitySyncing, Step: "Sending records to FakeBooks", Total: 6, Trigger: sync.TriggerScheduled},
			true, "0 of 6", traySyncing, "0 of 6"},
		{sync.ModuleState{Module: "books", Activity: sync.ActivitySyncing, Step: "Sending records to FakeBooks", Done: 3, Total: 6, Trigger: sync.TriggerScheduled},
			true, "3 of 6", traySyncing, "3 of 6"},
		{sync.ModuleState{Module: "books", Activity: sync.ActivityWaitingRateLimit, Step: "Sending records to FakeBooks", Done: 3, Total: 6,
			Until: time.Date(2025, 6, 2, 9, 30, 0, 0, time.Local)},
			true, "slow down", traySyncing, "09:30:00"},
	}
	for _, s := range steps {
		h.hub.ModuleState(s.st)
		h.loop.pump()
		if ms.runBar.Visible() != s.bar {
			t.Errorf("%s: progress bar shown = %v, want %v", s.st, ms.runBar.Visible(), s.bar)
		}
		if s.bar && ms.runBar.Value != float64(s.st.Done) {
			t.Errorf("%s: progress bar at %v, want %d", s.st, ms.runBar.Value, s.st.Done)
		}
		if !strings.Contains(ms.runInfo.Text, s.info) {
			t.Errorf("%s: run info %q, want it to say %q", s.st, ms.runInfo.Text, s.info)
		}
		if tray.State() != s.tray {
			t.Errorf("%s: tray shows %q, want %q", s.st, tray.State(), s.tray)
		}
		if len(ft.tips) == 0 || !strings.Contains(ft.tips[len(ft.tips)-1], s.tooltip) {
			t.Errorf("%s: tooltips %q, want the last to say %q", s.st, ft.tips, s.tooltip)
		}
		if ms.syncBtn != nil && !ms.syncBtn.Disabled() {
			t.Errorf("%s: Sync now is enabled during a run", s.st)
		}
	}

	rep := sync.Report{Module: "books", Trigger: sync.TriggerScheduled, Started: h.now.Add(-time.Minute), Finished: h.now}
	rep.Add(connectors.Upload, connectors.SalesInvoices, 6, 0, 0)
	h.hub.ModuleState(sync.ModuleState{Module: "books", Activity: sync.ActivityIdle, Finished: &rep})
	h.waitFor("the run's end", func() bool { return strings.Contains(ms.runInfo.Text, "Last run") })
	if ms.runBar.Visible() {
		t.Error("the progress bar still shows after the run")
	}
	if tray.State() == traySyncing {
		t.Error("the tray still says syncing after the run")
	}
	if got := ft.tips[len(ft.tips)-1]; got != "LedgerLink is idle" {
		t.Errorf("tooltip after the run %q", got)
	}
	if got := ft.icons[len(ft.icons)-1]; got != fyne.Resource(trayIcons.Idle) {
		t.Errorf("tray icon after the run %v, want the idle icon", got)
	}
}
