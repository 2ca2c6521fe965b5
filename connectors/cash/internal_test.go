package cash

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":"Error import","message":{"errors":{"error":[{"message":"Ongeldige waarde 0201=8000"}]}}}`,
		`{"error":"Error import","message":{"errors":{"error":{"message":"Stuknummer 1 bestaat al in dagboek LON"}}}}`,
		`{"error":"1002 Unauthorized Access"}`, `{"message":"x"}`, `"text"`, `plain text`, `<html>`, ``, `[1,2]`, `{"errors":[[[{"message":1}]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, m := range parseErrorBody(raw) {
			if strings.TrimSpace(m) == "" {
				t.Errorf("blank message from %q", raw)
			}
		}
	})
}

func FuzzParseAdministrations(f *testing.F) {
	for _, s := range []string{
		`{"Dir":{"Name":"R","Adms":{"Adm":[{"Code":"A","Name":"Adm A","ReadOnly":false}]}}}`,
		`{"Dir":[{"Name":"R","Adms":{"Adm":{"0":{"Code":"A","Name":"x","ReadOnly":"1"},"1":{"Code":"B"}}}}]}`,
		`{"Dir":{"Adms":{"Adm":{"Code":"A"}}}}`, `{"Dir":null}`, `{}`, `[]`, `{"Dir":{"Adms":[{"Code":7}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := parseAdministrations(raw)
		if err != nil {
			return
		}
		for _, a := range d.Admins {
			if a.Code == "" || a.Name == "" {
				t.Errorf("administration without code or name from %q: %+v", raw, a)
			}
		}
	})
}

func FuzzParseTransaction(f *testing.F) {
	for _, s := range []string{
		`{"status":"Pending","transaction":"T1"}`, `{"status":"Success"}`, `{"status":3,"error":"x"}`,
		`{"status":"Error","error":"Error import","message":{"errors":{"error":[{"message":"Ongeldige waarde 0911=ZZ"}]}}}`,
		`{"error":"x"}`, `{"status":"weird"}`, `null`, `{"status":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := parseTransaction(raw)
		if err != nil {
			return
		}
		switch tx.status {
		case txPending, txSuccess, txError:
		default:
			t.Errorf("status %q from %q", tx.status, raw)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1264,50", "-72,10", "1.264,50", "1264.50", "0", "-0,01", "", "1e9", "abc", "12,3,4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseAmount(s)
		if err != nil {
			return
		}
		// What LedgerLink writes reads back the same.
		if back, err := parseAmount(formatAmount(d.Round(2))); err != nil || !back.Equal(d.Round(2)) {
			t.Errorf("%q → %s → %q → %s, %v", s, d, formatAmount(d.Round(2)), back, err)
		}
	})
}

func FuzzExportRows(f *testing.F) {
	for _, s := range []string{
		`{"R0301":[{"F0901":"LON","F0303":"123456","F0301":"2611","F0302":"261128","F0201":"477","F0307":"10,00","F0711":"ABCDEFSALARY"}]}`,
		`{"R0301":{"0":{"F0901":"LON","F0303":1,"F0307":-10}}}`, `{"R301":{"F0307":"x"}}`, `{"R0301":null}`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		rs, err := parseExport(raw, "301T")
		if err != nil {
			return
		}
		ps, _ := groupPostings("A", rs)
		c := &Conn{}
		for _, p := range ps {
			_, _ = c.entry(p)
		}
	})
}

func FuzzRemoteID(f *testing.F) {
	f.Add("HLCR", "LON", "2611", "123456", "PAY-2026-11-CCSHOP")
	f.Add("a/b", "x=y", "2611", "1", "c,d=e/f")
	f.Fuzz(func(t *testing.T, admin, journal, period, number, code string) {
		if admin == "" || journal == "" || period == "" || number == "" || code == "" {
			return
		}
		if !utf8.ValidString(admin + journal + period + number + code) {
			return
		}
		p := posting{target: target{admin, journal}, period: period, number: number, code: code}
		id := remoteID(p)
		if strings.ContainsAny(id, ",=") {
			t.Errorf("remote ID %q holds the engine's separators", id)
		}
		back, ok := parseRemoteID(id)
		if !ok || back.target != p.target || back.period != period || back.number != number || back.code != code {
			t.Errorf("%q read back as %+v", id, back)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "0", "-1", "999999", "Wed, 21 Oct 2026 07:28:00 GMT", "soon"} {
		f.Add(s)
	}
	now := time.Date(2026, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d := parseRetryAfter(s, now); d < 0 || d > 24*time.Hour+time.Hour {
			t.Errorf("Retry-After %q gave %v", s, d)
		}
	})
}

// TestDocumentNumbers: numbers are six digits, the same for the same code,
// and a code's series does not repeat itself.
func TestDocumentNumbers(t *testing.T) {
	seen := map[string]bool{}
	for n := range probes {
		d := docNumber("PAY-2026-11-2026-10-CCSHOP", n)
		if len(d) != 6 || strings.Trim(d, "0123456789") != "" {
			t.Errorf("number %q is not six digits", d)
		}
		if d != docNumber("PAY-2026-11-2026-10-CCSHOP", n) {
			t.Errorf("number %d is not deterministic", n)
		}
		seen[d] = true
	}
	if len(seen) != probes {
		t.Errorf("the series holds %d distinct numbers, want %d", len(seen), probes)
	}
	if m := partMark("A"); len(m) != markLen || m == partMark("B") {
		t.Errorf("marks %q and %q", m, partMark("B"))
	}
}

// TestNumberTakenByAnother: when a part's first number already belongs to
// a posting made in CASH by hand, the part goes under the next number of
// its series, and FindByCode still finds it.
func TestNumberTakenByAnother(t *testing.T) {
	h := newInternalHarness(t)
	code := "PAY-2026-11-2026-11"
	hand := posting{code: "typed by hand", target: target{"HLCR", "LON"}, period: "2611", date: "261115", number: docNumber(code, 0),
		lines: []postLine{{account: "477", amount: decimal.RequireFromString("5")}, {account: "814", amount: decimal.RequireFromString("-5")}}}
	if err := h.importPosting(t.Context(), hand, time.Minute); err != nil {
		t.Fatal(err)
	}
	j := connectors.JournalEntry{Code: code, Date: connectors.NewDate(2026, 11, 28), Period: "2026-11",
		Lines: []connectors.JournalLine{{NominalCode: "477", Debit: decimal.RequireFromString("100")}, {NominalCode: "814", Credit: decimal.RequireFromString("100")}}}
	res, err := h.Write(t.Context(), connectors.Journals, []connectors.WriteItem{{Key: "k", Record: connectors.Record{Type: connectors.Journals, Journal: &j}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %v", res, err)
	}
	p, _ := parseRemoteID(res[0].RemoteID)
	if p.number != docNumber(code, 1) {
		t.Errorf("booked under %s, want the series' second number %s", p.number, docNumber(code, 1))
	}
	found, err := h.FindByCode(t.Context(), connectors.Journals, []string{code})
	if err != nil || len(found) != 1 || found[0].RemoteID != res[0].RemoteID {
		t.Errorf("FindByCode: %v, %v", found, err)
	}
	again, err := h.Write(t.Context(), connectors.Journals, []connectors.WriteItem{{Key: "k", Record: connectors.Record{Type: connectors.Journals, Journal: &j}}})
	if err != nil || again[0].RemoteID != res[0].RemoteID {
		t.Errorf("resend: %v %v", again, err)
	}
}

// BenchmarkMapping maps 1,000 journal parts of ten lines to CASH's import
// bodies.
func BenchmarkMapping(b *testing.B) {
	c := &Conn{set: settings{admin: "HLCR", journal: "LON", costCentres: map[string]string{"SHOP": "SHP"}, costTypes: map[string]string{}}}
	parts := make([]connectors.JournalEntry, 1000)
	for i := range parts {
		j := connectors.JournalEntry{Code: "PAY-2026-11-" + strings.Repeat("x", i%7) + string(rune('A'+i%26)), Date: connectors.NewDate(2026, 11, 28), Period: "2026-11", Description: "Payroll November 2026 with a long description"}
		for l := range 5 {
			amt := decimal.New(int64(1000+i*7+l), -2)
			j.Lines = append(j.Lines,
				connectors.JournalLine{NominalCode: "477", Debit: amt, CostCentre: "SHOP", CostType: "SALARY", Description: "Gross salaries November"},
				connectors.JournalLine{NominalCode: "814", Credit: amt, CostCentre: "SHOP", CostType: "SALARY"})
		}
		parts[i] = j
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, j := range parts {
			p, ie := c.toPosting(j)
			if ie != nil {
				b.Fatal(ie)
			}
			p.number = docNumber(p.code, 0)
			if _, err := json.Marshal(p.importBody()); err != nil {
				b.Fatal(err)
			}
		}
	}
}
