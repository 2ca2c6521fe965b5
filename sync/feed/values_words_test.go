package feed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// TestBadAmountAndDateInTheReadersLanguage: a CSV file's unreadable amount
// and impossible date, a JSON file's amount with a decimal comma and a
// file that cannot be read at all are said in the language of
// Options.Words. The hints say that the file itself keeps a decimal point.
func TestBadAmountAndDateInTheReadersLanguage(t *testing.T) {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	const csvFile = "number,party_code,date,description,unit_price\n" +
		"INV-1,C1,31/02/2026,Consulting,12x50\n"
	const jsonFile = `{"type": "sales_invoices", "records": [{"code": "INV-2", "party_code": "C1", "date": "2026-11-23",` +
		` "lines": [{"description": "Consulting", "unit_price": "12,50"}]}]}`
	tests := []struct {
		lang, date, amount, jsonAmount, empty string
	}{
		{"en",
			"line 2, column 'date': '31/02/2026' is not a real date",
			"line 2, column 'unit_price': '12x50' is not a number I can read",
			"line 1, column 'records[0].lines[0].unit_price': '12,50' is not a number; write amounts with a decimal point, e.g. 1234.56",
			"empty.csv is empty"},
		{"nl",
			"regel 2, kolom 'date': '31/02/2026' is geen bestaande datum",
			"regel 2, kolom 'unit_price': '12x50' is geen getal dat LedgerLink kan lezen; gebruik in het bestand een punt als decimaalteken, bijv. 1234.56 (1.234,56 wordt ook herkend)",
			"regel 1, kolom 'records[0].lines[0].unit_price': '12,50' is geen getal; schrijf bedragen in het bestand met een punt als decimaalteken, bijv. 1234.56 (geen komma en geen scheidingsteken voor duizendtallen, ook al toont LedgerLink bedragen als 1.234,56)",
			"empty.csv is leeg"},
		{"da",
			"linje 2, kolonne 'date': '31/02/2026' er ikke en gyldig dato",
			"linje 2, kolonne 'unit_price': '12x50' er ikke et tal, LedgerLink kan læse; brug punktum som decimaltegn i filen, f.eks. 1234.56 (1.234,56 forstås også)",
			"linje 1, kolonne 'records[0].lines[0].unit_price': '12,50' er ikke et tal; skriv beløb i filen med punktum som decimaltegn, f.eks. 1234.56 (intet komma og ingen tusindtalsseparator, selv om LedgerLink viser beløb som 1.234,56)",
			"empty.csv er tom"},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			w := cat.In(tc.lang)
			opts := Options{Words: w}

			res := read(t, "sales_invoices.csv", csvFile, opts)
			got := map[string]bool{}
			for _, p := range res.Problems {
				got[p.Describe(w)] = true
			}
			for _, want := range []string{tc.date, tc.amount} {
				if !got[want] {
					t.Errorf("CSV problems %q\nlack %q", keys(got), want)
				}
			}

			res = read(t, "sales_invoices.json", jsonFile, opts)
			if len(res.Problems) != 1 || res.Problems[0].Describe(w) != tc.jsonAmount {
				t.Errorf("JSON problems %+v\nwant %q", res.Problems, tc.jsonAmount)
			}

			_, err := Read(context.Background(), "empty.csv", strings.NewReader(""), opts)
			if !errors.Is(err, ErrFile) || w.Error(err) != tc.empty {
				t.Errorf("empty file: %v (%q), want %q", err, w.Error(err), tc.empty)
			}
			// Logs and English callers read a file's problem in English.
			if err.Error() != "empty.csv is empty" {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
