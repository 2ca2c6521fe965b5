package ui

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// catalogue is LedgerLink's own words (the window's among them).
func catalogue(t *testing.T) *words.Catalogue {
	t.Helper()
	cat, err := connectors.NewRegistry().Catalogue(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// speaking makes the window start in lang.
func speaking(w *words.Words) harnessOption {
	return func(_ *harness, svc *Services) { svc.Words = w }
}

// labelNamed says whether a label on the current screen reads exactly text.
func labelNamed(h *harness, text string) bool {
	for _, o := range rendered(h.app.body) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text == text {
			return true
		}
	}
	return false
}

func tabTitles(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func TestScreensSpeakDutchAndDanish(t *testing.T) {
	cat := catalogue(t)
	for _, code := range []string{"nl", "da"} {
		t.Run(code, func(t *testing.T) {
			w := cat.In(code)
			h := newHarness(t, installed(readySettings()), speaking(w))

			// The module list: its buttons, headers and light in the language.
			for _, key := range []string{"window.button.sync_now", "window.button.configure", "window.work.export",
				"window.work.history", "window.button.uninstall"} {
				buttonNamed(t, h, w.T(key))
			}
			for _, key := range []string{"window.modules.title", "window.modules.column.last_run",
				"window.modules.column.next_run", "window.light.green", "window.modules.ready"} {
				if !labelNamed(h, w.T(key)) {
					t.Errorf("the module list does not show %s (%q)", key, w.T(key))
				}
			}
			if w.T("window.button.sync_now") == "Sync now" {
				t.Fatal("the catalogue says Sync now in English")
			}
			if !strings.Contains(h.app.statusBar.Text, w.T("window.status.idle")) {
				t.Errorf("status bar %q", h.app.statusBar.Text)
			}

			// Configure: every tab title, Update and Close.
			cs := openConfigure(t, h)
			want := []string{w.T("window.tab.account"), w.T("window.tab.sync"), w.T("window.tab.timing"),
				w.T("window.tab.mapping"), w.T("window.tab.options")}
			if got := tabTitles(cs.tabs); !slices.Equal(got, want) {
				t.Errorf("Configure tabs %q, want %q", got, want)
			}
			buttonNamed(t, h, w.T("window.configure.update"))
			buttonNamed(t, h, w.T("window.configure.close"))
			if !strings.Contains(cs.timing.next.Text, w.Weekday(time.Thursday)) {
				t.Errorf("the next run is not said in %s: %q", code, cs.timing.next.Text)
			}

			// The module's work screen.
			h.app.ShowModule("books", workExport)
			if got := tabTitles(h.app.work.tabs); got[0] != w.T("window.work.export") || got[len(got)-1] != w.T("window.work.history") {
				t.Errorf("work tabs %q", got)
			}
		})
	}
}

func TestChoosingALanguageRebuildsTheScreen(t *testing.T) {
	cat := catalogue(t)
	var saved []string
	h := newHarness(t, installed(readySettings()), func(_ *harness, svc *Services) {
		svc.SetLanguage = func(code string) (*words.Words, error) {
			saved = append(saved, code)
			if code == "" {
				return cat.In("en"), nil
			}
			return cat.In(code), nil
		}
		svc.Language = func() string {
			if len(saved) == 0 {
				return ""
			}
			return saved[len(saved)-1]
		}
	})
	ft := &fakeTray{}
	h.app.setupTray(ft, trayIcons)
	sel := h.app.modules.language
	if sel == nil {
		t.Fatal("the module list has no Language choice")
	}
	if sel.Selected != "System default" || !slices.Equal(sel.Options, []string{"System default", "English", "Nederlands", "Dansk"}) {
		t.Fatalf("Language offers %q with %q chosen", sel.Options, sel.Selected)
	}
	buttonNamed(t, h, "Sync now")

	for _, tc := range []struct{ choice, code string }{{"Nederlands", "nl"}, {"Dansk", "da"}, {"English", "en"}} {
		h.app.modules.language.SetSelected(tc.choice)
		if got := saved[len(saved)-1]; got != tc.code {
			t.Fatalf("choosing %s saved %q", tc.choice, got)
		}
		w := cat.In(tc.code)
		if h.app.w.Lang() != tc.code || h.app.shown != screenModules {
			t.Fatalf("after choosing %s the window speaks %s on %s", tc.choice, h.app.w.Lang(), h.app.shown)
		}
		h.waitFor("the rebuilt list", func() bool { return len(h.app.modules.list) > 0 })
		buttonNamed(t, h, w.T("window.button.sync_now"))
		if !labelNamed(h, w.T("window.modules.column.organisation")) {
			t.Errorf("%s: the headers were not rebuilt", tc.code)
		}
		if got := h.app.modules.language.Selected; got != tc.choice {
			t.Errorf("the rebuilt Language choice shows %q, want %q", got, tc.choice)
		}
		ft.item(t, w.T("window.tray.open"))
		ft.item(t, w.T("window.tray.pause"))
		if !strings.Contains(h.app.statusBar.Text, w.T("window.status.idle")) {
			t.Errorf("%s: status bar %q", tc.code, h.app.statusBar.Text)
		}
	}

	// On Configure the screen is built again too, on the same tab set.
	h.app.ShowConfigure("books")
	h.app.useWords(cat.In("da"))
	if h.app.shown != screenConfigure || h.app.configure.tabs.Items[0].Text != "Adgang" {
		t.Errorf("Configure was not rebuilt in Danish: %s %q", h.app.shown, tabTitles(h.app.configure.tabs))
	}
}

func TestTimesAndCountsFollowTheLanguage(t *testing.T) {
	cat := catalogue(t)
	now := time.Date(2025, time.March, 12, 10, 0, 0, 0, time.Local)
	rep := sync.Report{Started: now.Add(-2 * time.Hour), Finished: now.Add(-2 * time.Hour),
		Counts: []sync.Count{{Created: 1234, Failed: 2}}}
	row := moduleRow{ModuleStatus: sync.ModuleStatus{Installed: true}, LastRun: &rep}
	tests := []struct {
		lang, today, earlier, result, until string
	}{
		{"en", "Today 08:00", "Fri 07/03/2025 10:00", "1,234 moved, 2 errors (see Error Feedback)", "in 3 hours"},
		{"nl", "Vandaag 08:00", "vr 07-03-2025 10:00", "1.234 overgezet, 2 fouten (zie Foutmeldingen)", "over 3 uur"},
		{"da", "I dag 08:00", "fre. 07.03.2025 10:00", "1.234 overført, 2 fejl (se Fejlmeldinger)", "om 3 timer"},
	}
	for _, tc := range tests {
		w := cat.In(tc.lang)
		when, res := lastRunText(w, row, now)
		got := []string{when, humanTime(w, now.AddDate(0, 0, -5), now), res.text, untilText(w, 3*time.Hour)}
		want := []string{tc.today, tc.earlier, tc.result, tc.until}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", tc.lang, got, want)
		}
	}
}

func TestTrayTooltipSpeaksTheLanguage(t *testing.T) {
	cat := catalogue(t)
	until := time.Date(2025, time.March, 12, 14, 3, 10, 0, time.Local)
	live := map[string]sync.ModuleState{"books": {Module: "books", Activity: sync.ActivityWaitingRateLimit, Until: until}}
	title := func(string) string { return "Books Online" }
	for code, want := range map[string]string{
		"en": "LedgerLink — Books Online: Books Online asked LedgerLink to slow down; the sync goes on at 14:03:10.",
		"nl": "LedgerLink — Books Online: Books Online heeft LedgerLink gevraagd het rustiger aan te doen; de synchronisatie gaat om 14:03:10 verder.",
		"da": "LedgerLink — Books Online: Books Online har bedt LedgerLink om at sætte tempoet ned; synkroniseringen fortsætter kl. 14:03:10.",
	} {
		if got := liveSummary(cat.In(code), live, title, false); got != want {
			t.Errorf("%s: %q", code, got)
		}
	}
	if got := liveSummary(cat.In("nl"), nil, title, true); got != "LedgerLink: automatisch synchroniseren gepauzeerd" {
		t.Errorf("paused in Dutch: %q", got)
	}
}

func TestFyneSpeaksTheChosenLanguage(t *testing.T) {
	t.Setenv("LANGUAGE", "en")
	t.Cleanup(func() { speakFyne("en", slog.Default()) })
	for _, tc := range []struct{ code, cancel, yes string }{
		{"nl", "Annuleren", "Ja"}, {"da", "Annuller", "Ja"}, {"en", "Cancel", "Yes"},
	} {
		speakFyne(tc.code, slog.Default())
		if got := lang.L("Cancel"); got != tc.cancel {
			t.Errorf("%s: Fyne says Cancel as %q, want %q", tc.code, got, tc.cancel)
		}
		if got := lang.L("Yes"); got != tc.yes {
			t.Errorf("%s: Fyne says Yes as %q", tc.code, got)
		}
	}
}

func TestFyneWordsAreWholeInEveryLanguage(t *testing.T) {
	keys := map[string][]string{}
	for _, code := range []string{"nl", "da"} {
		b, err := fs.ReadFile(assets.FyneLang(), code+".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		for k, v := range m {
			if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
				t.Errorf("%s: %s is blank", code, k)
			}
		}
		keys[code] = slices.Sorted(maps.Keys(m))
	}
	if !slices.Equal(keys["nl"], keys["da"]) {
		t.Errorf("Fyne's words differ: nl %v, da %v", keys["nl"], keys["da"])
	}
	for _, k := range []string{"Cancel", "OK", "Yes", "No", "Confirm", "Save", "Open", "New Folder", "file.name"} {
		if !slices.Contains(keys["nl"], k) {
			t.Errorf("Fyne's %q is not translated", k)
		}
	}
}
