package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/words"
)

func catalogueIn(t *testing.T, lang string) *words.Words {
	t.Helper()
	cat, err := words.Load(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	return cat.In(lang)
}

// TestRefusalsAreSaidInTheReadersLanguage holds the storage's refusals to
// the catalogue in each language, with errors.Is still telling their kind.
func TestRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.backup")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, emptyErr := VerifyBackup(empty)
	_, refErr := ParseRef("nocolon")
	tests := []struct {
		name string
		err  error
		kind error
		want map[string]string
	}{
		{"empty backup", emptyErr, ErrNotABackup, map[string]string{
			"en": empty + " is not a usable LedgerLink backup: it is empty. Choose a backup file that LedgerLink made.",
			"nl": empty + " is geen bruikbare back-up van LedgerLink: het is leeg. Kies een back-upbestand dat LedgerLink heeft gemaakt.",
			"da": empty + " er ikke en brugbar sikkerhedskopi fra LedgerLink: den er tom. Vælg en sikkerhedskopi, som LedgerLink har lavet.",
		}},
		{"not installed", notInstalled("xero"), ErrNotInstalled, map[string]string{
			"en": "module is not installed: xero",
			"nl": "module is niet geïnstalleerd: xero",
			"da": "modulet er ikke installeret: xero",
		}},
		{"bad reference", refErr, nil, map[string]string{
			"en": `"nocolon" is not a record reference; write the type and the code, for example sales_invoice:INV-001`,
			"nl": `"nocolon" is geen verwijzing naar een record; schrijf de soort en de code, bijvoorbeeld sales_invoice:INV-001`,
			"da": `"nocolon" er ikke en henvisning til en post; skriv typen og koden, for eksempel sales_invoice:INV-001`,
		}},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		if tc.kind != nil && !errors.Is(tc.err, tc.kind) {
			t.Errorf("%s: errors.Is(%v) is false", tc.name, tc.kind)
		}
		if got := tc.err.Error(); got != tc.want["en"] {
			t.Errorf("%s: Error() = %q, want the English %q", tc.name, got, tc.want["en"])
		}
		for lang, want := range tc.want {
			if got := catalogueIn(t, lang).Error(tc.err); got != want {
				t.Errorf("%s in %s: %q, want %q", tc.name, lang, got, want)
			}
		}
	}
}

func TestInstallStepsAndStatusFollowTheWords(t *testing.T) {
	def := connectors.Definition{Name: "fakebooks", Title: "FakeBooks"}
	for _, lang := range words.Languages() {
		w := catalogueIn(t, lang)
		db, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.SetWords(w)
		var steps []string
		if err := db.Install(context.Background(), def, func(s string) { steps = append(steps, s) }); err != nil {
			t.Fatal(err)
		}
		want := []string{w.T("storage.install.creating", "Module", "FakeBooks"), w.T("storage.install.defaults"), w.T("storage.install.done")}
		if strings.Join(steps, "|") != strings.Join(want, "|") {
			t.Errorf("%s: steps %q, want %q", lang, steps, want)
		}
		err = db.Install(context.Background(), def, nil)
		if !errors.Is(err, ErrAlreadyInstalled) || w.Error(err) != w.T("storage.install.already", "Module", "FakeBooks") {
			t.Errorf("%s: second install said %q (%v)", lang, w.Error(err), err)
		}
		_ = db.Close()
		if _, notes := StatusIn(w, def, false, nil, nil); len(notes) != 1 || notes[0] != w.T("storage.status.not_installed") {
			t.Errorf("%s: not installed notes %q", lang, notes)
		}
	}
	if _, notes := Status(def, false, nil, nil); notes[0] != "Not installed. Press Install." {
		t.Errorf("Status says %q in English", notes)
	}
	nl := catalogueIn(t, "nl")
	if got := nl.T("storage.status.not_installed"); got != "Niet geïnstalleerd. Klik op Installeren." {
		t.Errorf("nl: %q", got)
	}
}

// TestMarkRefusalsInTheReadersLanguage: why a record was not marked is said
// in the words the database was given.
func TestMarkRefusalsInTheReadersLanguage(t *testing.T) {
	ctx := context.Background()
	want := map[string][2]string{
		"en": {"it is not in Pending Export.", "it is not in Successfully Exported."},
		"nl": {"het staat niet in Klaar voor export.", "het staat niet in Geëxporteerd."},
		"da": {"den står ikke i Afventer eksport.", "den står ikke i Eksporteret."},
	}
	for lang, w := range want {
		db, _ := openWorkspace(t)
		db.SetWords(catalogueIn(t, lang))
		ghost := Ref{connectors.Customers, "C9"}
		refused, err := db.MarkExported(ctx, "acme", []Ref{ghost})
		if err != nil || len(refused) != 1 || refused[0].Reason != w[0] {
			t.Errorf("%s: MarkExported refused %+v (%v), want %q", lang, refused, err, w[0])
		}
		refused, err = db.MarkNotExported(ctx, "acme", []Ref{ghost})
		if err != nil || len(refused) != 1 || refused[0].Reason != w[1] {
			t.Errorf("%s: MarkNotExported refused %+v (%v), want %q", lang, refused, err, w[1])
		}
	}
}
