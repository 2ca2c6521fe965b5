package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// TestGridsSpeakEachLanguage shows the Import grid in English, Dutch and
// Danish: its headers, an amount and a date in the language's format, and
// sorting by amount in the order of the values.
func TestGridsSpeakEachLanguage(t *testing.T) {
	cat := catalogue(t)
	amounts := []string{"1234.50", "99", "-5", "10000"}
	cases := []struct {
		lang, amount, date, status string
		headers                    []string
	}{
		{"en", "£1,234.50", "10/03/2025", "Sales", []string{"Company", "Payment date", "Amount", "Sales or purchase"}},
		{"nl", "£ 1.234,50", "10-03-2025", "Verkoop", []string{"Bedrijf", "Betaaldatum", "Bedrag", "Verkoop of inkoop"}},
		{"da", "1.234,50 £", "10.03.2025", "Salg", []string{"Firma", "Betalingsdato", "Beløb", "Salg eller køb"}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			w := cat.In(tc.lang)
			h := newHarness(t, installed(readySettings()), speaking(w), func(h *harness, _ *Services) {
				for i, a := range amounts {
					h.eng.imports = append(h.eng.imports, sync.ImportRow{Type: connectors.InvoicePayments, Kind: storage.ImportSales,
						RemoteID: "p" + a, Company: "Acme", PaymentDate: connectors.NewDate(2025, time.March, 10+i),
						Amount: decimal.RequireFromString(a), Currency: "GBP", Outcome: storage.ImportAllocated})
				}
			})
			h.app.ShowModule("books", "import")
			h.waitTrace("import loaded module=books rows=4")
			g := h.app.work.imports.grid
			var titles []string
			for _, c := range g.cols {
				titles = append(titles, c.Title)
			}
			for _, want := range tc.headers {
				if !slices.Contains(titles, want) {
					t.Errorf("headers %q lack %q", titles, want)
				}
			}
			if got := g.cols[3].Text(0); got != tc.amount {
				t.Errorf("amount %q, want %q", got, tc.amount)
			}
			if got := g.cols[1].Text(0); got != tc.date {
				t.Errorf("date %q, want %q", got, tc.date)
			}
			if got := g.cols[5].Text(0); got != tc.status {
				t.Errorf("kind %q, want %q", got, tc.status)
			}
			g.SortBy(3)
			var order []string
			for _, i := range g.Rows() {
				order = append(order, h.app.work.imports.rows[i].Amount.String())
			}
			if want := []string{"-5", "99", "1234.5", "10000"}; !slices.Equal(order, want) {
				t.Errorf("sorted by amount %v, want %v", order, want)
			}
			g.SortBy(3)
			if first := h.app.work.imports.rows[g.Rows()[0]].Amount.String(); first != "10000" {
				t.Errorf("sorted by amount, descending, starts with %s", first)
			}
		})
	}
}

// TestExportSpeaksEachLanguage: the Export tabs, Pending Export's headers
// and button, a date, and an Error Feedback row's cause and fix said from
// its key while the package's message stays as it wrote it.
func TestExportSpeaksEachLanguage(t *testing.T) {
	cat := catalogue(t)
	const message = "Account code '9999' is not a valid code"
	for _, lang := range []string{"en", "nl", "da"} {
		t.Run(lang, func(t *testing.T) {
			w := cat.In(lang)
			h := newHarness(t, installed(readySettings()), speaking(w),
				withPending([]sync.PendingItem{{Type: connectors.SalesInvoices, Code: "INV-1", Kind: storage.KindNew,
					SourceDate: connectors.NewDate(2025, time.March, 3)}}),
				func(h *harness, _ *Services) {
					h.eng.feedback = []sync.FeedbackRow{{ID: "f1", When: h.now, Type: connectors.SalesInvoices, Code: "INV-1",
						Message: message, Cause: "stored cause", Fix: "stored fix", Key: "engine.administrations.read_only",
						Args: map[string]string{"Administration": "Main", "Company": "Acme"}}}
				})
			ev := openExport(t, h)
			h.waitFor("the feedback row", func() bool { return len(ev.feedback) == 1 })
			if got := ev.tabs.Items[subPending].Text; got != w.T("grids.export.tab.pending_count", "Count", "1") {
				t.Errorf("Pending Export tab %q", got)
			}
			if got := ev.tabs.Items[subExported].Text; got != w.T("grids.export.tab.exported") {
				t.Errorf("Successfully Exported tab %q", got)
			}
			if got := ev.pendingGrid.cols[0].Title; got != w.T("grids.pending.column.type") {
				t.Errorf("header %q", got)
			}
			if got := ev.pendingGrid.cols[0].Text(0); got != w.T("grids.type.sales_invoice") {
				t.Errorf("type %q", got)
			}
			if got, want := ev.pendingGrid.cols[2].Text(0), w.Date(time.Date(2025, time.March, 3, 0, 0, 0, 0, time.UTC)); got != want {
				t.Errorf("source date %q, want %q", got, want)
			}
			buttonNamed(t, h, w.T("grids.pending.button.upload_all"))
			r := ev.feedback[0]
			if r.Message != message {
				t.Errorf("the package's words changed: %q", r.Message)
			}
			if want := w.T("engine.administrations.read_only.cause", "Administration", "Main", "Company", "Acme"); r.Cause != want || r.Cause == "stored cause" {
				t.Errorf("cause %q, want %q", r.Cause, want)
			}
			if lang != "en" && r.Fix == cat.In("en").T("engine.administrations.read_only.fix", "Administration", "Main", "Company", "Acme") {
				t.Errorf("the fix is in English: %q", r.Fix)
			}
		})
	}
	if got := cat.In("nl").T("grids.pending.button.upload"); got == "Upload Data" || !strings.Contains(got, "uploaden") {
		t.Errorf("Dutch Upload Data is %q", got)
	}
}
