package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// quietLocale clears every variable that picks a language, so a test sets
// only the ones it means.
func quietLocale(t *testing.T) {
	t.Helper()
	for _, name := range []string{"LEDGERLINK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		t.Setenv(name, "")
	}
}

// wordsIn are the shipped words of one language, as the verbs speak them.
func wordsIn(lang string) *words.Words { return catalogue(shippedRegistry).In(lang) }

func TestVerbsSpeakTheChosenLanguage(t *testing.T) {
	quietLocale(t)
	for _, lang := range words.Languages() {
		t.Run(lang, func(t *testing.T) {
			w := wordsIn(lang)
			h := newHarness(t)

			code, out, errOut := h.run("--lang", lang, "modules")
			if code != exitOK {
				t.Fatalf("modules: exit %d, stderr %q", code, errOut)
			}
			for _, want := range append(strings.Split(w.T("verbs.modules.header"), "\t"), light(w, connectors.Red)) {
				if !strings.Contains(out, want) {
					t.Errorf("modules output lacks %q:\n%s", want, out)
				}
			}

			code, out, _ = h.run("--lang", lang, "--help")
			if code != exitOK {
				t.Fatalf("--help: exit %d", code)
			}
			for _, want := range []string{w.T("verbs.help.usage"), w.T("verbs.help.commands"), strings.Split(w.T("verbs.root.long"), "\n")[0],
				w.T("verbs.modules.short"), w.T("verbs.flag.data_dir"), w.T("verbs.help.flags")} {
				if !strings.Contains(out, want) {
					t.Errorf("--help lacks %q:\n%s", want, out)
				}
			}

			code, out, _ = h.run("--lang", lang, "install", "--help")
			if code != exitOK {
				t.Fatalf("install --help: exit %d", code)
			}
			for _, want := range []string{w.T("verbs.install.short"), w.T("verbs.help.global_flags"),
				w.T("verbs.flag.help", "Verb", "install"), w.T("verbs.flag.json")} {
				if !strings.Contains(out, want) {
					t.Errorf("install --help lacks %q:\n%s", want, out)
				}
			}

			// An error of the verbs' own, said on standard error.
			code, _, errOut = h.run("--lang", lang, "upload", "fakebooks")
			if want := w.T("verbs.error", "Error", w.T("verbs.upload.what")) + "\n"; code != exitSetup || errOut != want {
				t.Errorf("upload without --all: exit %d, stderr %q; want exit 2 and %q", code, errOut, want)
			}

			// A count in the language's format: a backup is thousands of
			// bytes.
			if code, _, errOut := h.run("install", "fakebooks"); code != exitOK {
				t.Fatalf("install: %s", errOut)
			}
			file := filepath.Join(t.TempDir(), "books.backup")
			code, out, errOut = h.run("backup", file, "--json")
			if code != exitOK {
				t.Fatalf("backup: exit %d %s", code, errOut)
			}
			var saved struct{ Size int64 }
			if err := json.Unmarshal([]byte(out), &saved); err != nil || saved.Size < 1000 {
				t.Fatalf("backup --json said %q (%v)", out, err)
			}
			code, out, _ = h.run("--lang", lang, "backup", file)
			if want := w.T("verbs.backup.done", "File", file, "Size", w.Int(saved.Size)) + "\n"; code != exitOK || out != want {
				t.Errorf("backup said %q, want %q", out, want)
			}
		})
	}
}

func TestTheWordsAreDutchAndDanish(t *testing.T) {
	quietLocale(t)
	tests := []struct {
		lang, key string
		pairs     []any
		want      string
	}{
		{"en", "verbs.pending.none", nil, "Nothing is waiting to be exported."},
		{"nl", "verbs.pending.none", nil, "Er staat niets klaar voor export."},
		{"da", "verbs.pending.none", nil, "Intet venter på eksport."},
		{"en", "verbs.help.usage", nil, "Usage:"},
		{"nl", "verbs.help.usage", nil, "Gebruik:"},
		{"da", "verbs.help.usage", nil, "Brug:"},
		{"nl", "verbs.light.amber", nil, "ORANJE"},
		{"da", "verbs.light.amber", nil, "GUL"},
	}
	for _, tc := range tests {
		if got := wordsIn(tc.lang).T(tc.key, tc.pairs...); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	// Counts as each language writes them.
	for lang, want := range map[string]string{"en": "1,234 checked", "nl": "1.234 gecontroleerd", "da": "1.234 kontrolleret"} {
		if got := wordsIn(lang).N("verbs.precheck.summary", 1234, "Failed", "0"); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want it to start %q", lang, got, want)
		}
	}
}

func TestLanguageFlagBeatsEnvironmentBeatsSettingBeatsLocale(t *testing.T) {
	versionLine := func(lang string) string {
		return wordsIn(lang).T("verbs.version.line", "Version", version, "Layout", storage.SchemaVersion) + "\n"
	}
	tests := []struct {
		name  string
		env   map[string]string
		saved string
		args  []string
		want  string
	}{
		{"nothing set", nil, "", nil, "en"},
		{"system locale", map[string]string{"LANG": "da_DK.UTF-8"}, "", nil, "da"},
		{"LC_ALL before LANG", map[string]string{"LC_ALL": "nl_NL.UTF-8", "LANG": "da_DK.UTF-8"}, "", nil, "nl"},
		{"setting beats locale", map[string]string{"LANG": "da_DK.UTF-8"}, "nl", nil, "nl"},
		{"environment beats setting", map[string]string{"LEDGERLINK_LANG": "da", "LANG": "en_GB.UTF-8"}, "nl", nil, "da"},
		{"flag beats environment", map[string]string{"LEDGERLINK_LANG": "nl", "LANG": "da_DK.UTF-8"}, "", []string{"--lang", "da"}, "da"},
		{"flag with =", map[string]string{"LEDGERLINK_LANG": "da"}, "", []string{"--lang=nl"}, "nl"},
		{"flag after the verb", map[string]string{"LEDGERLINK_LANG": "da"}, "", []string{"version", "--lang", "en"}, "en"},
		{"a locale name as the flag", nil, "", []string{"--lang", "da_DK.UTF-8"}, "da"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			quietLocale(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			h := newHarness(t)
			if tc.saved != "" {
				if err := os.WriteFile(filepath.Join(h.dataDir, "language"), []byte(tc.saved+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := tc.args
			if len(args) == 0 || args[0] != "version" {
				args = append(args, "version")
			}
			code, out, errOut := h.run(args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if want := versionLine(tc.want); out != want {
				t.Errorf("said %q, want it in %s (%q)", out, tc.want, want)
			}
		})
	}
}

func TestUnknownLanguageIsAnError(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		from string
	}{
		{"flag", "", []string{"--lang", "fr", "version"}, "--lang"},
		{"flag with =", "", []string{"--lang=klingon", "version"}, "--lang"},
		{"environment", "de", []string{"version"}, "LEDGERLINK_LANG"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			quietLocale(t)
			t.Setenv("LEDGERLINK_LANG", tc.env)
			h := newHarness(t)
			code, out, errOut := h.run(tc.args...)
			if code != exitSetup || out != "" {
				t.Errorf("exit %d, stdout %q; want exit 2 and nothing done", code, out)
			}
			for _, want := range []string{tc.from, "en, nl, da", "is not a language LedgerLink speaks"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
		})
	}
	// Said in the language the rest of the environment chooses.
	quietLocale(t)
	t.Setenv("LANG", "nl_NL.UTF-8")
	h := newHarness(t)
	_, _, errOut := h.run("--lang", "fr", "version")
	if !strings.Contains(errOut, "is geen taal die LedgerLink spreekt") {
		t.Errorf("with LANG=nl the error is %q, want it in Dutch", errOut)
	}
}

func TestLanguageVerbSavesTheSetting(t *testing.T) {
	quietLocale(t)
	h := newHarness(t)
	code, out, errOut := h.run("language", "da")
	if code != exitOK {
		t.Fatalf("language da: exit %d %s", code, errOut)
	}
	da := wordsIn("da")
	if want := da.T("verbs.language.setting", "Setting", da.T("verbs.language.danish")); !strings.Contains(out, want) {
		t.Errorf("language da said %q, want %q", out, want)
	}
	if _, out, _ := h.run("pending", "--help"); !strings.Contains(out, da.T("verbs.pending.short")) {
		t.Errorf("after language da, pending --help is not in Danish:\n%s", out)
	}
	if code, out, _ := h.run("language", "--json"); code != exitOK || !strings.Contains(out, `"setting": "da"`) {
		t.Errorf("language --json: exit %d %s", code, out)
	}
	if code, _, errOut := h.run("language", "fr"); code != exitSetup || !strings.Contains(errOut, "fr") {
		t.Errorf("language fr: exit %d, stderr %q; want exit 2", code, errOut)
	}
	if code, _, _ := h.run("language", "system"); code != exitOK {
		t.Fatal("language system failed")
	}
	if _, out, _ := h.run("pending", "--help"); !strings.Contains(out, wordsIn("en").T("verbs.pending.short")) {
		t.Errorf("after language system, pending --help is not in English:\n%s", out)
	}
}

func TestJSONIsTheSameInEveryLanguage(t *testing.T) {
	quietLocale(t)
	csv := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(csv, []byte("Customer Code,Name,Currency\nC001,Emma Clarke,GBP\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "books.backup")
	verbs := [][]string{
		{"version", "--json"},
		{"import", csv, "--json"},
		{"backup", backup, "--json"},
		{"exported", "fakebooks", "--json"},
	}
	// The same steps on a fresh data folder in each language.
	said := map[string][]string{}
	for _, lang := range []string{"en", "da", "nl"} {
		t.Setenv("LEDGERLINK_LANG", lang)
		h := newHarness(t)
		// Installing says its steps and the module's notes, sentences in
		// the language; it is not compared.
		if code, _, errOut := h.run("install", "fakebooks"); code != exitOK {
			t.Fatalf("install: %s", errOut)
		}
		for _, args := range verbs {
			code, out, errOut := h.run(args...)
			if code != exitOK {
				t.Fatalf("%s %v: exit %d %s", lang, args, code, errOut)
			}
			said[lang] = append(said[lang], out)
		}
	}
	for i, args := range verbs {
		for _, lang := range []string{"da", "nl"} {
			if said[lang][i] != said["en"][i] {
				t.Errorf("%v differs in %s:\n%s\nin English:\n%s", args, lang, said[lang][i], said["en"][i])
			}
		}
	}
}
