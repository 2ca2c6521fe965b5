package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

func TestCreateAndAllocatePayments(t *testing.T) {
	h := newHarness(t, installed(readySettings()), func(h *harness, _ *Services) {
		h.eng.newImports = []sync.ImportRow{
			{Type: connectors.InvoicePayments, Kind: storage.ImportSales, RemoteID: "p1", Company: "Acme Ltd",
				PaymentDate: connectors.NewDate(2025, 3, 10), Reference: "BACS 1", Amount: decimal.RequireFromString("120.00"), Currency: "GBP",
				AllocatedTo: []string{"INV-1"}, Outcome: storage.ImportAllocated, Status: sync.StatusAllocated},
			{Type: connectors.PurchasePayments, Kind: storage.ImportPurchase, RemoteID: "p2", Company: "Paper Co",
				PaymentDate: connectors.NewDate(2025, 3, 11), Amount: decimal.RequireFromString("75.5"), Currency: "GBP",
				Outcome: storage.ImportUnknownInvoice, Status: "The bill it pays (BILL-7) is not in LedgerLink.",
				Fix: "Import BILL-7 into LedgerLink, then press Create & Allocate Payments again."},
		}
	})
	h.app.ShowModule("books", "import")
	h.waitTrace("import loaded module=books rows=0")
	iv := h.app.work.imports
	if !iv.grid.emptyL.Visible() {
		t.Error("an empty grid should say what to do")
	}
	test.Tap(iv.run)
	h.waitTrace("import finished module=books settled=1 open=1")
	h.waitTrace("import loaded module=books rows=2")
	if !strings.Contains(iv.message.Text, "1 payment created and allocated; 1 could not be") {
		t.Errorf("message %q", iv.message.Text)
	}
	cases := []struct {
		row                     int
		amount, kind, allocated string
		importance              widget.Importance
	}{
		{0, "£120.00", "Sales", "INV-1", widget.SuccessImportance},
		{1, "£75.50", "Purchase", "—", widget.DangerImportance},
	}
	for _, c := range cases {
		r := iv.rows[c.row]
		if amountText(h.app.w, r) != c.amount || importKindText(h.app.w, r.Kind) != c.kind || importImportance(r) != c.importance {
			t.Errorf("row %d: %q %q %v", c.row, amountText(h.app.w, r), importKindText(h.app.w, r.Kind), importImportance(r))
		}
		if got := iv.grid.cols[4].Text(c.row); got != c.allocated {
			t.Errorf("row %d allocated to %q, want %q", c.row, got, c.allocated)
		}
	}
	click(cellAt(t, iv.grid, 1, false), 0)
	if !strings.Contains(iv.details.Text, "What to do: Import BILL-7") {
		t.Errorf("details %q", iv.details.Text)
	}
}
