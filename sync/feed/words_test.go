package feed

import (
	"strings"
	"testing"
	"time"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// TestProblemsInTheReadersLanguage: a record's check problem, where it is
// in the file, and the errors file are written in the language of
// Options.Words; English stays the default.
func TestProblemsInTheReadersLanguage(t *testing.T) {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	const file = "code,name,email\nC1,Acme,not-an-address\n"
	tests := []struct {
		lang, problem, counts string
	}{
		{"", "line 2, column 'email': 'not-an-address' is not an email address", "Data lines read: 1. Stored: 0 customers (0 new, 0 changed, 0 already up to date)."},
		{"nl", "regel 2, kolom 'email': 'not-an-address' is geen e-mailadres", "Gegevensregels gelezen: 1. Opgeslagen: 0 klanten (0 nieuw, 0 gewijzigd, 0 al bijgewerkt)."},
		{"da", "linje 2, kolonne 'email': 'not-an-address' er ikke en e-mailadresse", "Datalinjer læst: 1. Gemt: 0 kunder (0 nye, 0 ændrede, 0 allerede opdaterede)."},
	}
	for _, tc := range tests {
		opts := Options{}
		w := english()
		if tc.lang != "" {
			w = cat.In(tc.lang)
			opts.Words = w
		}
		res := read(t, "customers.csv", file, opts)
		if len(res.Problems) != 1 {
			t.Fatalf("%s: problems %+v", tc.lang, res.Problems)
		}
		if got := res.Problems[0].Describe(w); got != tc.problem {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.problem)
		}
		report := errorsReport(w, FileOutcome{Name: "customers.csv", Type: res.Type, Lines: res.Lines, Problems: res.Problems}, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		if !strings.Contains(report, tc.counts) || !strings.Contains(report, tc.problem) {
			t.Errorf("%s: errors file\n%s\nwant %q", tc.lang, report, tc.counts)
		}
	}
}
