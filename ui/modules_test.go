package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// buttonNamed finds a visible button by its text on the current screen.
func buttonNamed(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	for _, o := range rendered(h.app.body) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q on the %s screen", text, h.app.shown)
	return nil
}

func hasLabel(h *harness, substr string) bool {
	for _, o := range rendered(h.app.body) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && strings.Contains(l.Text, substr) {
			return true
		}
	}
	return false
}

func TestInstallShowsProgressThenConfigure(t *testing.T) {
	gate := make(chan struct{})
	h := newHarness(t, func(h *harness, _ *Services) { h.mods.installGate = gate })
	if h.app.modules.list[0].Light != connectors.Red {
		t.Fatal("the module should start RED")
	}
	test.Tap(buttonNamed(t, h, "Install"))
	if h.app.shown != screenProgress {
		t.Fatalf("Install should show the progress screen, shows %s", h.app.shown)
	}
	h.waitFor("the first step", func() bool { return hasLabel(h, "✓ Checking the database") })
	back := buttonNamed(t, h, "Return")
	if !back.Disabled() {
		t.Error("Return should wait for the installation")
	}
	close(gate)
	h.waitTrace("progress finished ok=true")
	if back.Disabled() || !hasLabel(h, "✓ Saving the default settings") || !hasLabel(h, "Installed.") {
		t.Error("the finished installation should list its steps and let the person return")
	}
	test.Tap(buttonNamed(t, h, "Configure"))
	if h.app.shown != screenConfigure {
		t.Fatalf("Configure after install shows %s", h.app.shown)
	}
	h.app.ShowModules()
	h.waitFor("the AMBER row", func() bool { return len(h.app.modules.list) == 1 && h.app.modules.list[0].Light == connectors.Amber })
	if !hasLabel(h, "Client ID is not set.") {
		t.Error("the notes should say what to fix")
	}
}

func TestInstallFailureIsSaid(t *testing.T) {
	h := newHarness(t, func(h *harness, _ *Services) {
		h.mods.installErr = errors.New("the disk is full")
	})
	test.Tap(buttonNamed(t, h, "Install"))
	h.waitTrace("progress finished ok=false")
	if !hasLabel(h, "It did not finish: the disk is full") {
		t.Error("the failure should be shown")
	}
	test.Tap(buttonNamed(t, h, "Return"))
	if h.app.shown != screenModules {
		t.Errorf("Return shows %s", h.app.shown)
	}
}

func TestTryWithSampleData(t *testing.T) {
	var calls int
	h := newHarness(t, func(h *harness, svc *Services) {
		svc.TrySample = func(ctx context.Context, progress func(string)) (*Services, error) {
			calls++
			progress("Installing the Sandbox module")
			progress("Importing the sample customers and invoices")
			return nil, h.mods.Install(ctx, "books", func(string) {})
		}
	})
	if !h.app.modules.welcome.Visible() {
		t.Fatal("with nothing installed, the sample data should be offered")
	}
	buttonNamed(t, h, "Try with sample data") // offered as a button, and on Alt+T
	h.shortcut(&desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierAlt})
	h.waitTrace("progress finished ok=true")
	if calls != 1 || !hasLabel(h, "✓ Importing the sample customers and invoices") {
		t.Errorf("TrySample calls %d", calls)
	}
	h.key(fyne.KeyReturn) // Return
	h.waitFor("the installed module", func() bool { return countInstalled(h.app.modules.list) == 1 })
	if h.app.modules.welcome.Visible() {
		t.Error("the offer should go once a module is installed")
	}
}

func TestUninstallAsksFirst(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	test.Tap(buttonNamed(t, h, "Uninstall"))
	m := h.topModal()
	if m == nil || m.title != "Uninstall Books Online" {
		t.Fatalf("modal %+v", m)
	}
	h.key(fyne.KeyEscape)
	st, _ := h.mods.Status(t.Context(), "books")
	if !st.Installed {
		t.Fatal("Escape uninstalled the module")
	}
	test.Tap(buttonNamed(t, h, "Uninstall"))
	h.key(fyne.KeyReturn)
	h.waitTrace("uninstalled module=books ok=true")
	h.waitFor("the RED row", func() bool { return h.app.modules.list[0].Light == connectors.Red })
}

func TestRestoreSaysWhatWillBeReplaced(t *testing.T) {
	var restored []string
	newSvc := make(chan struct{}, 1)
	h := newHarness(t, installed(readySettings()), func(h *harness, svc *Services) {
		svc.VerifyBackup = func(path string) (storage.BackupInfo, error) {
			if strings.HasSuffix(path, "bad.db") {
				return storage.BackupInfo{}, errors.New("bad.db is not a LedgerLink backup")
			}
			return storage.BackupInfo{SavedAt: h.now.Add(-26 * time.Hour), Modules: []string{"books", "xero"}}, nil
		}
		svc.Restore = func(_ context.Context, path string) (RestoreResult, error) {
			restored = append(restored, path)
			newSvc <- struct{}{}
			return RestoreResult{KeptAside: "/data/ledgerlink.db.before-restore"}, nil
		}
	})
	h.app.modules.restoreFrom("/backups/bad.db")
	h.waitFor("the refusal", func() bool { return h.topModal() != nil })
	if m := h.topModal(); m.title != "This file cannot be restored" {
		t.Errorf("modal %q", m.title)
	}
	h.key(fyne.KeyEscape)

	h.app.modules.restoreFrom("/backups/monday.db")
	h.waitFor("the confirmation", func() bool { return h.topModal() != nil })
	d := h.topModal()
	if d.title != "Restore this backup?" {
		t.Fatalf("modal %q", d.title)
	}
	var msg string
	for _, o := range rendered(h.app.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "Restoring replaces") {
			msg = l.Text
		}
	}
	for _, want := range []string{"/backups/monday.db", "Yesterday", "books, xero", "the modules Books Online", "kept in a separate file"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the confirmation does not say %q:\n%s", want, msg)
		}
	}
	if len(restored) != 0 {
		t.Fatal("restored before confirming")
	}
	h.key(fyne.KeyReturn)
	<-newSvc
	h.waitTrace("restored")
	if len(restored) != 1 || restored[0] != "/backups/monday.db" {
		t.Errorf("Restore got %v", restored)
	}
	h.waitFor("the report", func() bool { return h.topModal() != nil && h.topModal().title == "Backup restored" })
}

func TestModuleRowShowsRunsAndNotes(t *testing.T) {
	h := newHarness(t, func(h *harness, _ *Services) {
		h.mods.setStatus(sync.ModuleStatus{Name: "books", Title: "Books Online", Installed: true, Light: connectors.Green, Organisation: "Demo Ltd"})
		h.sched.next = h.now.Add(15*time.Hour + 30*time.Minute)
		rep := sync.Report{Module: "books", Started: h.now.Add(-time.Hour), Finished: h.now.Add(-time.Hour + time.Minute)}
		rep.Add(connectors.Upload, connectors.SalesInvoices, 5, 1, 2)
		h.runs.runs = []sync.Report{rep}
	})
	r := h.app.modules.list[0]
	last, res := lastRunText(h.app.w, r, h.now)
	if last != "Today 09:30" || res.text != "6 moved, 2 errors (see Error Feedback)" || res.importance != widget.DangerImportance {
		t.Errorf("last run %q / %q", last, res.text)
	}
	if got := nextRunText(h.app.w, r, h.now); got != "Tomorrow 02:00" {
		t.Errorf("next run %q", got)
	}
	for _, want := range []string{"Demo Ltd", "Today 09:30", "Tomorrow 02:00", "Ready."} {
		if !hasLabel(h, want) {
			t.Errorf("the module row does not show %q", want)
		}
	}
}

func TestHumanTime(t *testing.T) {
	now := time.Date(2025, time.March, 12, 10, 0, 0, 0, time.Local)
	cases := []struct {
		t    time.Time
		want string
	}{
		{now.Add(-2 * time.Hour), "Today 08:00"},
		{now.Add(-20 * time.Hour), "Yesterday 14:00"},
		{now.Add(16 * time.Hour), "Tomorrow 02:00"},
		{now.AddDate(0, 0, -5), "Fri 07/03/2025 10:00"},
		{now.AddDate(-1, 0, 0), "12/03/2024 10:00"},
		{time.Time{}, "—"},
	}
	en := sync.English(nil)
	for _, c := range cases {
		if got := humanTime(en, c.t, now); got != c.want {
			t.Errorf("humanTime(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestKeyboardNavigation(t *testing.T) {
	alt := func(k fyne.KeyName) fyne.Shortcut {
		return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierAlt}
	}
	h := newHarness(t, installed(readySettings()))
	steps := []struct {
		key  fyne.KeyName
		want screen
	}{
		{fyne.KeyC, screenConfigure},
		{fyne.KeyM, screenModules},
		{fyne.KeyE, screenWork},
		{fyne.KeyH, screenWork},
		{fyne.KeyI, screenWork},
	}
	for _, s := range steps {
		h.shortcut(alt(s.key))
		if h.app.shown != s.want {
			t.Fatalf("Alt+%s shows %s, want %s", s.key, h.app.shown, s.want)
		}
	}
	if h.app.work.keys[h.app.work.tabs.SelectedIndex()] != workImport {
		t.Error("Alt+I should show the Import tab")
	}
	h.key(fyne.KeyEscape)
	if h.app.shown != screenModules {
		t.Errorf("Escape on the module screen shows %s", h.app.shown)
	}
	h.shortcut(alt(fyne.KeyC))
	h.shortcut(alt(fyne.Key2))
	if got := h.app.configure.tabs.Selected().Text; got != tabSync {
		t.Errorf("Alt+2 on Configure shows %q", got)
	}
	h.shortcut(alt(fyne.KeyS))
	h.waitFor("the sync", func() bool { return len(h.sched.ranModules()) == 1 })
}
