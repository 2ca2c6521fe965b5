package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/all"
	"ledgerlink/storage/secrets"
)

func openIn(t *testing.T, dir string, sandbox bool, lang string) *Workspace {
	t.Helper()
	w, err := Open(dir, sandbox, false, Options{
		Registry: func(bool) (*connectors.Registry, error) { return all.Registry() },
		Keyring:  func() secrets.Store { return secrets.NewMemory() },
		Lang:     lang,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// TestLanguageSettingIsKeptAndChosen follows the Language setting from the
// window through a restart, with --lang and the system's locale around it.
func TestLanguageSettingIsKeptAndChosen(t *testing.T) {
	for _, k := range []string{"LEDGERLINK_LANG", "LC_ALL", "LC_MESSAGES"} {
		t.Setenv(k, "")
	}
	t.Setenv("LANG", "nl_NL.UTF-8")
	dir := t.TempDir()

	w := openIn(t, dir, false, "")
	if got := w.Words().Lang(); got != "nl" {
		t.Fatalf("with LANG=nl_NL and no setting LedgerLink speaks %s", got)
	}
	if _, err := w.SetLanguage("fr"); err == nil {
		t.Error("French was accepted as a Language setting")
	}
	if got, err := w.SetLanguage("da"); err != nil || got.Lang() != "da" || w.Engine.Words().Lang() != "da" {
		t.Fatalf("SetLanguage(da) = %v, %v; the engine speaks %s", got, err, w.Engine.Words().Lang())
	}
	if got := SavedLanguage(dir); got != "da" {
		t.Errorf("saved %q", got)
	}
	w.Close()

	langOf := func(dir string, sandbox bool, flag string) string {
		w := openIn(t, dir, sandbox, flag)
		defer w.Close()
		return w.Words().Lang()
	}
	if got := langOf(dir, false, ""); got != "da" {
		t.Errorf("after a restart LedgerLink speaks %s, want the saved da", got)
	}
	if got := langOf(dir, false, "en"); got != "en" {
		t.Errorf("with --lang en LedgerLink speaks %s", got)
	}
	// The Sandbox's folder sits in the person's and shares the setting.
	if got := langOf(SandboxDir(dir), true, ""); got != "da" {
		t.Errorf("the Sandbox speaks %s, want the saved da", got)
	}
	// --lang wins at the start, but a choice made in the window wins after.
	w = openIn(t, dir, false, "en")
	if got, _ := w.SetLanguage("nl"); got.Lang() != "nl" {
		t.Errorf("a choice made while --lang en holds speaks %s", got.Lang())
	}
	if got, err := w.SetLanguage(""); err != nil || got.Lang() != "en" {
		t.Errorf("back to the system's language: %v, %v; want --lang's en", got.Lang(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, languageFile)); !os.IsNotExist(err) {
		t.Errorf("the setting file is still there after choosing the system's language: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, languageFile), []byte("klingon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := SavedLanguage(dir); got != "" {
		t.Errorf("a damaged setting reads as %q, want the system's language", got)
	}
}
