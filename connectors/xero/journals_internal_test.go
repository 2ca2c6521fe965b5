package xero

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestManualJournalFromEntry(t *testing.T) {
	amount := decimal.RequireFromString
	entry := func(code, desc string) connectors.JournalEntry {
		return connectors.JournalEntry{Code: code, Date: connectors.NewDate(2026, 10, 31), Description: desc,
			Lines: []connectors.JournalLine{
				{NominalCode: "429", Debit: amount("100.50"), Description: "Gross wages", CostCentre: "100", CostType: "4000"},
				{NominalCode: "814", Credit: amount("100.50"), CostType: "4000"},
			}}
	}
	tests := []struct {
		name       string
		authorised bool
		remoteID   string
		j          connectors.JournalEntry
		wantStatus string
		wantNarr   string
		wantErr    string
	}{
		{"draft create", false, "", entry("J-1-2026-10", "Payroll October"), "DRAFT", "J-1-2026-10 – Payroll October", ""},
		{"posted create", true, "", entry("J-1-2026-10", "Payroll October"), "POSTED", "J-1-2026-10 – Payroll October", ""},
		{"update keeps Xero's status", false, "3f1c0f4e-0000-4000-8000-000000000001", entry("J-1", ""), "", "J-1 – Payroll journal J-1", ""},
		{"posted update", true, "3f1c0f4e-0000-4000-8000-000000000001", entry("J-1", " "), "POSTED", "J-1 – Payroll journal J-1", ""},
		{"no code", false, "", entry(" ", "x"), "", "", "has no code"},
		{"code with a space", false, "", entry("J 1", "x"), "", "", "contains a space"},
		{"no date", false, "", func() connectors.JournalEntry { j := entry("J-2", ""); j.Date = connectors.Date{}; return j }(), "", "", "has no date"},
		{"line without account", false, "", func() connectors.JournalEntry {
			j := entry("J-3", "")
			j.Lines[1].NominalCode = ""
			return j
		}(), "", "", "Line 2 of payroll journal J-3 has no nominal code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mj, ierr := mapper{authorised: tc.authorised}.manualJournalFromEntry(tc.j, tc.remoteID)
			if tc.wantErr != "" {
				if ierr == nil || !strings.Contains(ierr.Message, tc.wantErr) || ierr.Code != "LedgerLink" {
					t.Fatalf("error %v; want one saying %q", ierr, tc.wantErr)
				}
				return
			}
			if ierr != nil {
				t.Fatal(ierr)
			}
			if mj.Status != tc.wantStatus || mj.Narration != tc.wantNarr || mj.ManualJournalID != tc.remoteID || mj.Date != "2026-10-31" || mj.LineAmountTypes != "NoTax" {
				t.Errorf("got %+v", mj)
			}
			b, _ := json.Marshal(mj.JournalLines)
			want := `[{"LineAmount":100.5,"AccountCode":"429","Description":"Gross wages [cost centre 100, cost type 4000]"},` +
				`{"LineAmount":-100.5,"AccountCode":"814","Description":"[cost type 4000]"}]`
			if string(b) != want {
				t.Errorf("lines\n got %s\nwant %s", b, want)
			}
			back, err := entryFromManualJournal(manualJournal{ManualJournalID: "x", Narration: mj.Narration, Date: "/Date(1793404800000+0000)/", JournalLines: mj.JournalLines})
			if err != nil {
				t.Fatal(err)
			}
			if back.Code != strings.TrimSpace(tc.j.Code) || back.Description != strings.TrimSpace(tc.j.Description) || len(back.Lines) != 2 ||
				back.Lines[0].NominalCode != "429" || !back.Lines[0].Debit.Equal(amount("100.50")) || !back.Lines[0].Credit.IsZero() ||
				back.Lines[0].Description != "Gross wages" || back.Lines[0].CostCentre != "100" || back.Lines[0].CostType != "4000" ||
				back.Lines[1].CostType != "4000" || back.Lines[1].Description != "" || !back.Lines[1].Credit.Equal(amount("100.50")) {
				t.Errorf("read back %+v", back)
			}
		})
	}
}

func TestParseNarration(t *testing.T) {
	tests := []struct {
		in, code, desc string
		ok             bool
	}{
		{"J-1 – Payroll October", "J-1", "Payroll October", true},
		{"J-1 – Payroll journal J-1", "J-1", "", true},
		{"J-1 – Payroll journal J-2", "J-1", "Payroll journal J-2", true},
		{"J-1 –  – ", "J-1", "–", true},
		{"Accrual for rent", "", "Accrual for rent", false},
		{"Rent accrual – March", "", "Rent accrual – March", false},
		{" – nothing", "", "– nothing", false},
	}
	for _, tc := range tests {
		code, desc, ok := parseNarration(tc.in)
		if code != tc.code || desc != tc.desc || ok != tc.ok {
			t.Errorf("parseNarration(%q) = %q, %q, %v; want %q, %q, %v", tc.in, code, desc, ok, tc.code, tc.desc, tc.ok)
		}
	}
}

func TestSplitLineDescription(t *testing.T) {
	tests := []struct{ in, desc, centre, costType string }{
		{"Gross wages [cost centre 100, cost type 4000]", "Gross wages", "100", "4000"},
		{"Gross wages [cost centre 100]", "Gross wages", "100", ""},
		{"[cost type 4000]", "", "", "4000"},
		{"Gross wages", "Gross wages", "", ""},
		{"Wages [March]", "Wages [March]", "", ""},
		{"Wages [cost type 4000, cost centre 100]", "Wages [cost type 4000, cost centre 100]", "", ""},
	}
	for _, tc := range tests {
		d, c, ct := splitLineDescription(tc.in)
		if d != tc.desc || c != tc.centre || ct != tc.costType {
			t.Errorf("splitLineDescription(%q) = %q, %q, %q; want %q, %q, %q", tc.in, d, c, ct, tc.desc, tc.centre, tc.costType)
		}
	}
}

// FuzzJournalText: what LedgerLink writes into a narration and a line
// description reads back the same, and any text Xero holds is read without
// failing.
func FuzzJournalText(f *testing.F) {
	f.Add("J-1-2026-10", "Payroll October", "Gross wages", "100", "4000")
	f.Add("J-2", "", "", "", "4000")
	f.Add("X", "a – b", "Wages [March]", "CC 1", "")
	f.Add("", "[cost centre 1]", "[cost type 2]", "]", ",")
	f.Fuzz(func(t *testing.T, code, desc, line, centre, costType string) {
		// Any text is read without failing.
		parseNarration(desc)
		splitLineDescription(line)

		j := connectors.JournalEntry{Code: code, Description: desc}
		if c, d, ok := parseNarration(narration(j)); validCode(code) && (!ok || c != code || d != strings.TrimSpace(desc) && !(d == "" && strings.TrimSpace(desc) == "Payroll journal "+code)) {
			t.Errorf("narration of %q, %q read back as %q, %q, %v", code, desc, c, d, ok)
		}
		l := connectors.JournalLine{Description: line, CostCentre: centre, CostType: costType}
		if plainTag(line) && plainTag(centre) && plainTag(costType) && !strings.HasSuffix(strings.TrimSpace(line), "]") {
			d, c, ct := splitLineDescription(lineDescription(l))
			if d != strings.TrimSpace(line) || c != strings.TrimSpace(centre) || ct != strings.TrimSpace(costType) {
				t.Errorf("line %q, %q, %q read back as %q, %q, %q", line, centre, costType, d, c, ct)
			}
		}
	})
}

// validCode is a code manualJournalFromEntry accepts.
func validCode(code string) bool {
	return code != "" && !strings.ContainsFunc(code, unicode.IsSpace)
}

// plainTag is text without the brackets and commas the tags are made of.
func plainTag(s string) bool {
	return !strings.ContainsAny(s, "[],\n\r") && strings.TrimSpace(s) == s && !strings.Contains(s, "cost ")
}
