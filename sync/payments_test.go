package sync_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

const (
	sales    = connectors.SalesInvoices
	purchase = connectors.PurchaseInvoices
	salesPay = connectors.InvoicePayments
	buyPay   = connectors.PurchasePayments
)

// booked is a world whose ledger holds customer C1 with invoice INV-1
// (30.00) and supplier S1 with purchase invoice PI-1 (48.00), all mirrored
// into LedgerLink and linked.
func booked(t *testing.T, opts ...worldOption) *world {
	t.Helper()
	w := newWorld(t, opts...)
	w.mirrorAll()
	w.remote(party(connectors.Customers, "C1", "Ann's Bakery"))
	w.remote(party(connectors.Suppliers, "S1", "Paper Mill Ltd"))
	w.remote(invoice(sales, "INV-1", "C1", "25"))
	w.remote(invoice(purchase, "PI-1", "S1", "40"))
	w.mirror()
	return w
}

func (w *world) importPayments(allocate bool) []sync.ImportRow {
	w.t.Helper()
	w.clock.Add(time.Second)
	rows, err := w.eng.ImportPayments(w.ctx, mod, allocate)
	if err != nil {
		w.t.Fatalf("ImportPayments: %v", err)
	}
	return rows
}

func (w *world) grid() map[string]sync.ImportRow {
	w.t.Helper()
	rows, err := w.eng.Imports(w.ctx, mod, time.Time{}, time.Time{})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]sync.ImportRow{}
	for _, r := range rows {
		if _, dup := out[r.Code]; dup {
			w.t.Fatalf("payment %s has two rows in the Import grid", r.Code)
		}
		out[r.Code] = r
	}
	return out
}

func (w *world) due(t connectors.RecordType, code string) string {
	w.t.Helper()
	return w.local(t, code).Record.Document.AmountDue.StringFixed(2)
}

func TestImportPayments(t *testing.T) {
	tests := []struct {
		name string
		// setup runs after booked(); it enters payments in the ledger or
		// changes LedgerLink's invoices.
		setup func(w *world)
		code  string
		// want is the row of payment code; empty outcome means no row.
		wantOutcome storage.ImportOutcome
		wantStatus  string
		wantKind    storage.ImportKind
		wantCompany string
		wantAlloc   []string
		// wantDue is the local amount due of the invoice afterwards.
		dueType connectors.RecordType
		dueCode string
		wantDue string
		// created says the payment is in LedgerLink afterwards.
		created bool
	}{
		{
			name:  "allocated in full",
			setup: func(w *world) { w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30")) },
			code:  "PAY-1", wantOutcome: storage.ImportAllocated, wantStatus: sync.StatusAllocated,
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery", wantAlloc: []string{"INV-1"},
			dueType: sales, dueCode: "INV-1", wantDue: "0.00", created: true,
		},
		{
			name:  "part payment",
			setup: func(w *world) { w.remote(payment(salesPay, "PAY-2", "C1", "12.50", sales, "INV-1", "12.50")) },
			code:  "PAY-2", wantOutcome: storage.ImportAllocated, wantStatus: sync.StatusAllocated,
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery", wantAlloc: []string{"INV-1"},
			dueType: sales, dueCode: "INV-1", wantDue: "17.50", created: true,
		},
		{
			name:  "purchase payment",
			setup: func(w *world) { w.remote(payment(buyPay, "PP-1", "S1", "48", purchase, "PI-1", "48")) },
			code:  "PP-1", wantOutcome: storage.ImportAllocated, wantStatus: sync.StatusAllocated,
			wantKind: storage.ImportPurchase, wantCompany: "Paper Mill Ltd", wantAlloc: []string{"PI-1"},
			dueType: purchase, dueCode: "PI-1", wantDue: "0.00", created: true,
		},
		{
			name: "invoice unknown to LedgerLink",
			setup: func(w *world) {
				w.remote(invoice(sales, "INV-9", "C1", "10")) // entered in the package after the mirror
				w.remote(payment(salesPay, "PAY-3", "C1", "12", sales, "INV-9", "12"))
			},
			code: "PAY-3", wantOutcome: storage.ImportUnknownInvoice, wantStatus: "Sales invoice INV-9 is unknown to LedgerLink",
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery",
			dueType: sales, dueCode: "INV-1", wantDue: "30.00",
		},
		{
			name: "over-allocation",
			setup: func(w *world) {
				// The business system already took 20.00 against INV-1.
				inv := w.local(sales, "INV-1").Record
				inv.Document.AmountDue = dec("10")
				w.putLocal(inv)
				w.remote(payment(salesPay, "PAY-4", "C1", "30", sales, "INV-1", "30"))
			},
			code: "PAY-4", wantOutcome: storage.ImportOverAllocation, wantStatus: "Over-allocation: the payment allocates 30.00 to sales invoice INV-1, but LedgerLink has only 10.00 still due on it.",
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery",
			dueType: sales, dueCode: "INV-1", wantDue: "10.00",
		},
		{
			name: "currency mismatch",
			setup: func(w *world) {
				inv := w.local(sales, "INV-1").Record
				inv.Document.Currency = "EUR"
				w.putLocal(inv)
				w.remote(payment(salesPay, "PAY-5", "C1", "30", sales, "INV-1", "30"))
			},
			code: "PAY-5", wantOutcome: storage.ImportCurrencyMismatch, wantStatus: "Currency mismatch: the payment is in GBP but sales invoice INV-1 is in EUR in LedgerLink.",
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery",
			dueType: sales, dueCode: "INV-1", wantDue: "30.00",
		},
		{
			name: "payment already in LedgerLink under its reference",
			setup: func(w *world) {
				w.putLocal(payment(salesPay, "PAY-6", "C1", "30", sales, "INV-1", "30"))
				w.remote(payment(salesPay, "PAY-6", "C1", "30", sales, "INV-1", "30"))
			},
			code: "PAY-6", wantOutcome: storage.ImportAlreadyThere, wantStatus: "Payment already imported",
			wantKind: storage.ImportSales, wantCompany: "Ann's Bakery",
			dueType: sales, dueCode: "INV-1", wantDue: "30.00", created: true,
		},
		{
			name: "sales payments OFF",
			setup: func(w *world) {
				w.levels(connectors.Mirror, connectors.Customers, sync.NewAndUpdated, connectors.Mirror, sales, sync.NewAndUpdated,
					connectors.Mirror, connectors.Suppliers, sync.NewAndUpdated, connectors.Mirror, purchase, sync.NewAndUpdated,
					connectors.Mirror, buyPay, sync.NewOnly)
				w.remote(payment(salesPay, "PAY-7", "C1", "30", sales, "INV-1", "30"))
			},
			code: "PAY-7", dueType: sales, dueCode: "INV-1", wantDue: "30.00",
		},
		{
			name: "purchase payments OFF",
			setup: func(w *world) {
				w.levels(connectors.Mirror, connectors.Customers, sync.NewAndUpdated, connectors.Mirror, sales, sync.NewAndUpdated,
					connectors.Mirror, salesPay, sync.NewOnly, connectors.Mirror, connectors.Suppliers, sync.NewAndUpdated)
				w.remote(payment(buyPay, "PP-2", "S1", "48", purchase, "PI-1", "48"))
			},
			code: "PP-2", dueType: purchase, dueCode: "PI-1", wantDue: "48.00",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := booked(t)
			tc.setup(w)
			rows := w.importPayments(true)
			row, found := w.grid()[tc.code]
			if tc.wantOutcome == "" {
				if found || len(rows) != 0 {
					t.Fatalf("payment imported while its type is OFF: %+v", rows)
				}
			} else {
				if !found {
					t.Fatalf("no row for %s; rows %+v", tc.code, rows)
				}
				if row.Outcome != tc.wantOutcome || !strings.HasPrefix(row.Status, tc.wantStatus) {
					t.Fatalf("row = %s %q, want %s %q", row.Outcome, row.Status, tc.wantOutcome, tc.wantStatus)
				}
				if row.Kind != tc.wantKind || row.Company != tc.wantCompany || !slices.Equal(row.AllocatedTo, tc.wantAlloc) {
					t.Fatalf("row kind %s company %q allocated to %v; want %s %q %v", row.Kind, row.Company, row.AllocatedTo, tc.wantKind, tc.wantCompany, tc.wantAlloc)
				}
				if !row.Outcome.Settled() && row.Fix == "" {
					t.Fatalf("a failed row says nothing about what to do: %+v", row)
				}
				if row.Amount.IsZero() || row.Currency != "GBP" || row.PaymentDate.IsZero() || row.Reference != tc.code {
					t.Fatalf("row lacks the payment's details: %+v", row)
				}
			}
			if got := w.due(tc.dueType, tc.dueCode); got != tc.wantDue {
				t.Fatalf("amount due of %s = %s, want %s", tc.dueCode, got, tc.wantDue)
			}
			payType := salesPay
			if tc.wantKind == storage.ImportPurchase || strings.HasPrefix(tc.code, "PP") {
				payType = buyPay
			}
			_, err := w.db.Get(w.ctx, payType, tc.code)
			if created := err == nil; created != tc.created {
				t.Fatalf("payment in LedgerLink = %v, want %v (%v)", created, tc.created, err)
			}
		})
	}
}

func TestImportPaymentsBothKindsOff(t *testing.T) {
	w := booked(t)
	w.levels(connectors.Mirror, connectors.Customers, sync.NewAndUpdated, connectors.Mirror, sales, sync.NewAndUpdated)
	w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30"))
	rows, err := w.eng.ImportPayments(w.ctx, mod, true)
	if !errors.Is(err, sync.ErrPaymentsOff) || !strings.Contains(err.Error(), "Synchronisation tab") || len(rows) != 0 {
		t.Fatalf("rows %+v, error %v", rows, err)
	}
	if len(w.grid()) != 0 {
		t.Fatal("rows written while payments are OFF")
	}
}

func TestImportPaymentsDownloadCutOff(t *testing.T) {
	w := booked(t)
	w.remote(payment(salesPay, "PAY-1", "C1", "10", sales, "INV-1", "10"))
	w.remote(payment(salesPay, "PAY-2", "C1", "10", sales, "INV-1", "10"))
	w.cut[salesPay] = fmt.Errorf("%w: connection reset", connectors.ErrTemporary)
	seq, _ := w.db.LastSeq(w.ctx)
	rows, err := w.eng.ImportPayments(w.ctx, mod, true)
	if !errors.Is(err, connectors.ErrTemporary) || !strings.Contains(err.Error(), "downloading Invoice Payments") || len(rows) != 0 {
		t.Fatalf("rows %+v, error %v", rows, err)
	}
	if after, _ := w.db.LastSeq(w.ctx); after != seq || len(w.grid()) != 0 || w.due(sales, "INV-1") != "30.00" {
		t.Fatal("a cut-off download left half its work behind")
	}
	delete(w.cut, salesPay)
	if rows := w.importPayments(true); len(rows) != 2 || w.due(sales, "INV-1") != "10.00" {
		t.Fatalf("second run rows %+v, due %s", rows, w.due(sales, "INV-1"))
	}
}

func TestImportedPaymentIsLinkedAndNeverSentBack(t *testing.T) {
	w := booked(t)
	r := w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30"))
	w.importPayments(true)

	pay := w.local(salesPay, "PAY-1")
	if pay.Origin != storage.OriginModule(mod) {
		t.Fatalf("payment origin %q", pay.Origin)
	}
	want := []connectors.Allocation{{DocumentType: sales, DocumentCode: "INV-1", Amount: dec("30")}}
	if got := pay.Record.Payment.Allocations; len(got) != 1 || got[0].DocumentCode != want[0].DocumentCode || !got[0].Amount.Equal(want[0].Amount) {
		t.Fatalf("local allocations %+v", got)
	}
	if l, ok := w.link(salesPay, "PAY-1"); !ok || l.RemoteID != r.RemoteID {
		t.Fatalf("payment link %+v %v, want remote %s", l, ok, r.RemoteID)
	}
	inv := w.local(sales, "INV-1")
	if inv.Record.Document.Status != connectors.StatusPaid {
		t.Fatalf("paid invoice has status %q", inv.Record.Document.Status)
	}
	// Uploads are on both ways: neither the payment nor the invoice whose
	// amount due changed may go back to the package.
	if err := w.eng.Refresh(w.ctx, mod); err != nil {
		t.Fatal(err)
	}
	pending, err := w.eng.Pending(w.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Fatalf("imported payment bounced back to Pending Export: %+v", pending)
	}
	if n := w.ledger.Count(salesPay); n != 1 {
		t.Fatalf("ledger holds %d payments", n)
	}
}

func TestImportPaymentsRerunChangesNothing(t *testing.T) {
	w := booked(t)
	w.remote(payment(salesPay, "PAY-1", "C1", "10", sales, "INV-1", "10"))
	w.remote(payment(buyPay, "PP-1", "S1", "48", purchase, "PI-1", "48"))
	first := w.importPayments(true)
	if len(first) != 2 {
		t.Fatalf("first run wrote %d rows", len(first))
	}
	seq, err := w.db.LastSeq(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := w.grid()
	for run := range 3 {
		if again := w.importPayments(true); len(again) != 0 {
			t.Fatalf("run %d wrote rows again: %+v", run+2, again)
		}
	}
	if after, _ := w.db.LastSeq(w.ctx); after != seq {
		t.Fatalf("a re-run changed the workspace (seq %d -> %d)", seq, after)
	}
	after := w.grid()
	for code, r := range before {
		if !after[code].UpdatedAt.Equal(r.UpdatedAt) || after[code].Attempts != r.Attempts {
			t.Fatalf("row %s changed on re-run: %+v -> %+v", code, r, after[code])
		}
	}
	if got := w.due(sales, "INV-1"); got != "20.00" {
		t.Fatalf("amount due after re-runs = %s, want 20.00 (allocated once)", got)
	}
	if n, _ := w.db.CountRecords(w.ctx, salesPay); n != 1 {
		t.Fatalf("%d sales payments in LedgerLink", n)
	}
}

func TestImportPaymentsRetryAfterFix(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(w *world)
		fix     func(w *world)
		outcome storage.ImportOutcome
	}{
		{
			name: "unknown invoice, then mirrored",
			setup: func(w *world) {
				w.remote(invoice(sales, "INV-9", "C1", "10"))
				w.remote(payment(salesPay, "PAY-1", "C1", "12", sales, "INV-9", "12"))
			},
			fix:     func(w *world) { w.mirror(sales) },
			outcome: storage.ImportUnknownInvoice,
		},
		{
			name: "over-allocation, then corrected",
			setup: func(w *world) {
				inv := w.local(sales, "INV-1").Record
				inv.Document.AmountDue = dec("5")
				w.putLocal(inv)
				w.remote(payment(salesPay, "PAY-1", "C1", "12", sales, "INV-1", "12"))
			},
			fix: func(w *world) {
				inv := w.local(sales, "INV-1").Record
				inv.Document.AmountDue = dec("30")
				w.putLocal(inv)
			},
			outcome: storage.ImportOverAllocation,
		},
		{
			name: "currency mismatch, then corrected",
			setup: func(w *world) {
				inv := w.local(sales, "INV-1").Record
				inv.Document.Currency = "USD"
				w.putLocal(inv)
				w.remote(payment(salesPay, "PAY-1", "C1", "12", sales, "INV-1", "12"))
			},
			fix: func(w *world) {
				inv := w.local(sales, "INV-1").Record
				inv.Document.Currency = "GBP"
				w.putLocal(inv)
			},
			outcome: storage.ImportCurrencyMismatch,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := booked(t)
			tc.setup(w)
			w.importPayments(true)
			if row := w.grid()["PAY-1"]; row.Outcome != tc.outcome {
				t.Fatalf("first run outcome %s (%s), want %s", row.Outcome, row.Status, tc.outcome)
			}
			// Still broken: tried again, still the same reason, nothing created.
			w.importPayments(true)
			if row := w.grid()["PAY-1"]; row.Outcome != tc.outcome || row.Attempts != 2 {
				t.Fatalf("second run %+v", row)
			}
			if _, err := w.db.Get(w.ctx, salesPay, "PAY-1"); err == nil {
				t.Fatal("payment created although it could not be allocated")
			}
			tc.fix(w)
			w.importPayments(true)
			row := w.grid()["PAY-1"]
			if row.Outcome != storage.ImportAllocated || row.Status != sync.StatusAllocated || row.Fix != "" || row.Attempts != 3 {
				t.Fatalf("after the fix: %+v", row)
			}
			inv := row.AllocatedTo[0]
			before := w.ledger.Records(sales)
			var remoteDue string
			for _, r := range before {
				if r.Record.Code() == inv {
					remoteDue = r.Record.Document.AmountDue.StringFixed(2)
				}
			}
			if got := w.due(sales, inv); got != remoteDue {
				t.Fatalf("local amount due of %s = %s, the package says %s", inv, got, remoteDue)
			}
		})
	}
}

func TestImportPaymentsAlreadyCountedByMirror(t *testing.T) {
	// The payment is entered before the invoices are mirrored: the
	// mirrored invoice already shows it paid, so the import must not take
	// it off a second time.
	w := newWorld(t)
	w.mirrorAll()
	w.remote(party(connectors.Customers, "C1", "Ann's Bakery"))
	w.remote(invoice(sales, "INV-1", "C1", "25"))
	w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30"))
	w.mirror()
	if got := w.due(sales, "INV-1"); got != "0.00" {
		t.Fatalf("mirrored amount due %s", got)
	}
	w.importPayments(true)
	if row := w.grid()["PAY-1"]; row.Outcome != storage.ImportAllocated {
		t.Fatalf("row %+v", row)
	}
	if got := w.due(sales, "INV-1"); got != "0.00" {
		t.Fatalf("amount due after import %s, want 0.00", got)
	}
}

func TestImportPaymentsPreviewThenAllocate(t *testing.T) {
	w := booked(t)
	w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30"))
	rows := w.importPayments(false)
	if len(rows) != 1 || rows[0].Outcome != storage.ImportWaiting || !slices.Equal(rows[0].AllocatedTo, []string{"INV-1"}) {
		t.Fatalf("preview rows %+v", rows)
	}
	if _, err := w.db.Get(w.ctx, salesPay, "PAY-1"); err == nil {
		t.Fatal("preview created the payment")
	}
	if got := w.due(sales, "INV-1"); got != "30.00" {
		t.Fatalf("preview changed the amount due to %s", got)
	}
	// The downloaded row waits; Create & Allocate finishes it without
	// downloading it again.
	rows = w.importPayments(true)
	if len(rows) != 1 || rows[0].Outcome != storage.ImportAllocated {
		t.Fatalf("allocate rows %+v", rows)
	}
	if got := w.due(sales, "INV-1"); got != "0.00" {
		t.Fatalf("amount due %s", got)
	}
}

func TestImportPaymentsCreditNotes(t *testing.T) {
	tests := []struct {
		name        string
		allowed     bool
		wantOutcome storage.ImportOutcome
		wantAlloc   []string
		wantCNDue   string
	}{
		{"package cannot allocate credit notes", false, storage.ImportCreditNote, []string{"INV-1"}, "6.00"},
		{"package can allocate credit notes", true, storage.ImportAllocated, []string{"INV-1", "CN-1"}, "1.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := booked(t, withCaps(func(c *connectors.Capabilities) { c.CreditNoteAllocations = tc.allowed }))
			w.settings(map[string]string{sync.SettingKey(connectors.Mirror, connectors.CreditNotes): "new+updated"})
			cn := invoice(connectors.CreditNotes, "CN-1", "C1", "5")
			w.remote(cn)
			w.mirror(connectors.CreditNotes)
			// A refund paid against an invoice and a credit note: the
			// reference ledger itself cannot hold one, so it is listed
			// alongside.
			pay := payment(salesPay, "PAY-1", "C1", "35", sales, "INV-1", "30", connectors.CreditNotes, "CN-1", "5")
			w.clock.Add(time.Second)
			w.extra[salesPay] = []connectors.Remote{{RemoteID: "EXT-1", Record: pay, UpdatedAt: w.clock.Now()}}
			w.importPayments(true)
			row := w.grid()["PAY-1"]
			if row.Outcome != tc.wantOutcome || !slices.Equal(row.AllocatedTo, tc.wantAlloc) {
				t.Fatalf("row %s %q allocated to %v", row.Outcome, row.Status, row.AllocatedTo)
			}
			if !tc.allowed && (!strings.Contains(row.Status, "credit note CN-1") || row.Fix == "") {
				t.Fatalf("row does not say why the credit note was left: %+v", row)
			}
			if got := w.due(sales, "INV-1"); got != "0.00" {
				t.Fatalf("invoice due %s", got)
			}
			if got := w.due(connectors.CreditNotes, "CN-1"); got != tc.wantCNDue {
				t.Fatalf("credit note due %s, want %s", got, tc.wantCNDue)
			}
		})
	}
}

func TestImportPaymentsFindsInvoiceThroughItsRemoteID(t *testing.T) {
	w := booked(t)
	l, ok := w.link(sales, "INV-1")
	if !ok {
		t.Fatal("INV-1 not linked")
	}
	pay := payment(salesPay, "PAY-1", "", "30", sales, "SI/2026/1", "30")
	pay.Payment.Allocations[0].DocumentRemoteID = l.RemoteID
	w.clock.Add(time.Second)
	w.extra[salesPay] = []connectors.Remote{{RemoteID: "EXT-9", Record: pay, UpdatedAt: w.clock.Now()}}
	w.importPayments(true)
	row := w.grid()["PAY-1"]
	if row.Outcome != storage.ImportAllocated || !slices.Equal(row.AllocatedTo, []string{"INV-1"}) || row.Company != "Ann's Bakery" {
		t.Fatalf("row %+v", row)
	}
	if got := w.local(salesPay, "PAY-1").Record.Payment; got.PartyCode != "C1" || got.Allocations[0].DocumentCode != "INV-1" {
		t.Fatalf("local payment %+v", got)
	}
}

func TestImportPaymentsSkipsWhatLedgerLinkSent(t *testing.T) {
	w := booked(t)
	w.putLocal(payment(salesPay, "PAY-L", "C1", "10", sales, "INV-1", "10"))
	if rep, err := w.eng.Upload(w.ctx, mod, nil, nil); err != nil || w.ledger.Count(salesPay) != 1 {
		t.Fatalf("upload %v %+v", err, rep)
	}
	if rows := w.importPayments(true); len(rows) != 0 {
		t.Fatalf("a payment LedgerLink sent came back as an import: %+v", rows)
	}
}

func TestImportPaymentsAsSyncStep(t *testing.T) {
	w := newWorld(t, withSteps(sync.PaymentsStep()))
	w.mirrorAll()
	w.remote(party(connectors.Customers, "C1", "Ann's Bakery"))
	w.remote(invoice(sales, "INV-1", "C1", "25"))
	w.mirror()
	w.remote(payment(salesPay, "PAY-1", "C1", "30", sales, "INV-1", "30"))
	// A payment for an invoice LedgerLink never heard of.
	w.extra[salesPay] = []connectors.Remote{{RemoteID: "EXT-1", UpdatedAt: w.clock.Now(),
		Record: payment(salesPay, "PAY-X", "C1", "5", sales, "INV-404", "5")}}
	w.clock.Add(time.Second)
	rep, err := w.eng.Sync(w.ctx, mod, sync.TriggerManual)
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, rep)
	}
	grid := w.grid()
	if grid["PAY-1"].Outcome != storage.ImportAllocated || grid["PAY-X"].Outcome != storage.ImportUnknownInvoice {
		t.Fatalf("grid after sync: %+v", grid)
	}
	// The run mirrored INV-1 as the package shows it (paid) before the
	// step ran: the payment is not taken off twice.
	if got := w.due(sales, "INV-1"); got != "0.00" {
		t.Fatalf("amount due %s", got)
	}
	failed := 0
	for _, c := range rep.Counts {
		if c.Direction == connectors.Mirror && c.Type == salesPay {
			failed += c.Failed
		}
	}
	if failed != 1 || rep.OK() {
		t.Fatalf("report does not show the payment left to fix: %+v", rep)
	}
}

func TestImportsSurviveRestartAndFilterByDate(t *testing.T) {
	w := booked(t)
	early := payment(salesPay, "PAY-1", "C1", "10", sales, "INV-1", "10")
	early.Payment.Date = connectors.NewDate(2026, 1, 15)
	w.remote(early)
	w.remote(payment(salesPay, "PAY-2", "C1", "10", sales, "INV-1", "10"))
	w.importPayments(true)
	w.reopen()
	all, err := w.eng.Imports(w.ctx, mod, time.Time{}, time.Time{})
	if err != nil || len(all) != 2 || all[0].Code != "PAY-1" {
		t.Fatalf("after restart: %v %+v", err, all)
	}
	feb, err := w.eng.Imports(w.ctx, mod, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(feb) != 1 || feb[0].Code != "PAY-2" {
		t.Fatalf("February: %v %+v", err, feb)
	}
	// And the cursor survived too: nothing is imported twice.
	if rows := w.importPayments(true); len(rows) != 0 {
		t.Fatalf("after restart re-imported %+v", rows)
	}
}

// BenchmarkImportPayments creates and allocates 1,000 payments, each to its
// own invoice.
func BenchmarkImportPayments(b *testing.B) {
	const n = 1000
	w := newWorld(b)
	w.mirrorAll()
	w.remote(party(connectors.Customers, "C1", "Ann's Bakery"))
	for i := range n {
		w.remote(invoice(sales, fmt.Sprintf("INV-%04d", i), "C1", "25"))
	}
	w.mirror()
	for i := range n {
		w.remote(payment(salesPay, fmt.Sprintf("PAY-%04d", i), "C1", "30", sales, fmt.Sprintf("INV-%04d", i), "30"))
	}
	template := filepath.Join(b.TempDir(), "template.db")
	if err := w.db.BackupToFile(w.ctx, template); err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(template)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		if err := os.WriteFile(filepath.Join(dir, storage.FileName), raw, 0o600); err != nil {
			b.Fatal(err)
		}
		if err := w.db.Close(); err != nil {
			b.Fatal(err)
		}
		w.open(dir)
		b.StartTimer()
		rows, err := w.eng.ImportPayments(w.ctx, mod, true)
		if err != nil || len(rows) != n {
			b.Fatalf("imported %d rows: %v", len(rows), err)
		}
	}
}
