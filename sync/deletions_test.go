package sync

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// deletionsFixture uploads C1 and INV-1 to the ledger with customers,
// sales invoices and invoice payments at NEW + UPDATED both ways, and
// returns the invoice's remote ID.
func deletionsFixture(t *testing.T) (*engFixture, string) {
	t.Helper()
	f := newEngFixture(t)
	var cells []any
	for _, d := range []connectors.Direction{connectors.Mirror, connectors.Upload} {
		for _, typ := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices, connectors.InvoicePayments} {
			cells = append(cells, d, typ, NewAndUpdated)
		}
	}
	f.levels(cells...)
	f.mapDefaults()
	f.put(customer("C1"), salesInvoice("INV-1", "C1", 3))
	if rep := f.upload(); rep.FailedItems() != 0 {
		t.Fatalf("first upload %+v", rep)
	}
	l, linked, err := f.db.Link(f.ctx, mod, ref(connectors.SalesInvoices, "INV-1"))
	if err != nil || !linked {
		t.Fatalf("INV-1 not linked: %v", err)
	}
	return f, l.RemoteID
}

func (f *engFixture) mirror(types ...connectors.RecordType) Report {
	f.t.Helper()
	f.clock.Add(time.Minute)
	rep, err := f.eng.Mirror(f.ctx, mod, types)
	if err != nil {
		f.t.Fatalf("Mirror: %v", err)
	}
	return rep
}

func TestVoidedInvoiceIsNotSentAgain(t *testing.T) {
	f, id := deletionsFixture(t)
	// A change waits in Pending Export when the invoice is voided there.
	changed := salesInvoice("INV-1", "C1", 3)
	changed.Document.Reference = "amended"
	f.put(changed)
	if p := f.refresh(); !slices.Contains(p, ref(connectors.SalesInvoices, "INV-1")) {
		t.Fatalf("the change is not pending: %v", p)
	}
	f.clock.Add(time.Minute)
	if err := f.ledger.Void(connectors.SalesInvoices, id); err != nil {
		t.Fatal(err)
	}
	rep := f.mirror(connectors.SalesInvoices)
	if want := "Sales invoice INV-1 was voided in Reference ledger (in memory); LedgerLink shows it as voided and will not send it again."; !slices.Equal(rep.Notes, []string{want}) {
		t.Errorf("report notes %q", rep.Notes)
	}

	sr, err := f.db.Get(f.ctx, connectors.SalesInvoices, "INV-1")
	if err != nil {
		t.Fatalf("the voided invoice is gone from LedgerLink: %v", err)
	}
	if sr.Record.Document.Status != connectors.StatusVoided || sr.Record.Document.Reference != "amended" {
		t.Errorf("local INV-1 status %q reference %q; want voided, with the local change kept", sr.Record.Document.Status, sr.Record.Document.Reference)
	}
	if row := f.exported()[ref(connectors.SalesInvoices, "INV-1")]; row.Gone != storage.GoneVoided || row.GoneAt.IsZero() {
		t.Errorf("Successfully Exported row %+v; want it to say voided in the package", row)
	}
	if p := f.refresh(); slices.Contains(p, ref(connectors.SalesInvoices, "INV-1")) {
		t.Errorf("the voided invoice is still in Pending Export: %v", p)
	}

	// The business changes it again: it is still not sent.
	again := salesInvoice("INV-1", "C1", 3)
	again.Document.Reference = "amended twice"
	f.put(again)
	writes := f.ledger.Calls("Write")
	f.upload()
	if p := f.pending(); slices.Contains(p, ref(connectors.SalesInvoices, "INV-1")) {
		t.Errorf("the voided invoice came back to Pending Export: %v", p)
	}
	if n := f.ledger.Calls("Write"); n != writes {
		t.Errorf("the next upload made %d writes; want none", n-writes)
	}
	// Mirroring again changes nothing and says nothing.
	if rep := f.mirror(connectors.SalesInvoices); len(rep.Notes) != 0 {
		t.Errorf("second mirror notes %q", rep.Notes)
	}
}

func TestDeletedRecordLedgerLinkNeverHadIsLeftAlone(t *testing.T) {
	f, _ := deletionsFixture(t)
	other := salesInvoice("RINV-9", "C1", 5)
	other.Document.Lines[0].NominalCode, other.Document.Lines[0].TaxCode = "4000", "T1"
	r, err := f.ledger.Put(connectors.SalesInvoices, connectors.Remote{Record: other})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ledger.Delete(connectors.SalesInvoices, r.RemoteID); err != nil {
		t.Fatal(err)
	}
	rep := f.mirror(connectors.SalesInvoices)
	if _, err := f.db.Get(f.ctx, connectors.SalesInvoices, "RINV-9"); err == nil {
		t.Error("a document deleted in the package was created in LedgerLink")
	}
	if len(rep.Notes) != 0 || rep.FailedItems() != 0 {
		t.Errorf("report %+v", rep)
	}
}

// paymentInLedger enters a payment for INV-1 in the ledger, as a bank feed
// would, and returns its remote ID.
func paymentInLedger(t *testing.T, f *engFixture, code, amount string) string {
	t.Helper()
	p := payment(connectors.InvoicePayments, code, "C1", connectors.SalesInvoices, "INV-1", amount)
	p.Payment.BankAccount = "1200"
	r, err := f.ledger.Put(connectors.InvoicePayments, connectors.Remote{Record: p})
	if err != nil {
		t.Fatal(err)
	}
	return r.RemoteID
}

// TestVoidedPaymentIsUndoneWithANote: a payment made in the package,
// imported and allocated here, then voided there.
func TestVoidedPaymentIsUndoneWithANote(t *testing.T) {
	f, _ := deletionsFixture(t)
	id := paymentInLedger(t, f, "BANK-1", "10")
	if _, err := f.eng.ImportPayments(f.ctx, mod, true); err != nil {
		t.Fatal(err)
	}
	inv, err := f.db.Get(f.ctx, connectors.SalesInvoices, "INV-1")
	if err != nil {
		t.Fatal(err)
	}
	due := inv.Record.Document.AmountDue
	if !inv.Record.Document.Total.IsPositive() || !due.Equal(inv.Record.Document.Total.Sub(decimal.NewFromInt(10))) {
		t.Fatalf("after the import INV-1 has total %s, due %s", inv.Record.Document.Total, due)
	}

	f.clock.Add(time.Minute)
	if err := f.ledger.Void(connectors.InvoicePayments, id); err != nil {
		t.Fatal(err)
	}
	rows, err := f.eng.ImportPayments(f.ctx, mod, true)
	if err != nil {
		t.Fatal(err)
	}
	pay, err := f.db.Get(f.ctx, connectors.InvoicePayments, "BANK-1")
	if err != nil {
		t.Fatalf("the deleted payment is gone from LedgerLink: %v", err)
	}
	if len(pay.Record.Payment.Allocations) != 0 {
		t.Errorf("the deleted payment keeps its allocations %+v", pay.Record.Payment.Allocations)
	}
	inv, _ = f.db.Get(f.ctx, connectors.SalesInvoices, "INV-1")
	if !inv.Record.Document.AmountDue.Equal(due.Add(decimal.NewFromInt(10))) {
		t.Errorf("INV-1 has %s due after the payment was undone; want %s", inv.Record.Document.AmountDue, due.Add(decimal.NewFromInt(10)))
	}
	want := "Payment BANK-1 was deleted or voided in Reference ledger (in memory), so LedgerLink took it off sales invoice INV-1 (" + due.Add(decimal.NewFromInt(10)).StringFixed(2) + " due again)."
	if len(rows) != 1 || rows[0].Status != want || rows[0].Outcome != storage.ImportDeleted {
		t.Errorf("import rows %+v; want one saying %q", rows, want)
	}
	noted := false
	for _, fb := range f.feedback() {
		if fb.Code == "BANK-1" && fb.Cause == want {
			noted = true
		}
	}
	if !noted {
		t.Errorf("no feedback row says %q: %+v", want, f.feedback())
	}
	if l, _, _ := f.db.Link(f.ctx, mod, ref(connectors.InvoicePayments, "BANK-1")); l.Gone != storage.GoneDeleted {
		t.Errorf("link of BANK-1 %+v; want it marked deleted", l)
	}
	// Running again changes nothing.
	if rows, err := f.eng.ImportPayments(f.ctx, mod, true); err != nil || len(rows) != 0 {
		t.Errorf("second import: %+v %v", rows, err)
	}
	inv2, _ := f.db.Get(f.ctx, connectors.SalesInvoices, "INV-1")
	if !inv2.Record.Document.AmountDue.Equal(inv.Record.Document.AmountDue) {
		t.Errorf("a second run changed the amount due to %s", inv2.Record.Document.AmountDue)
	}
	if p := f.refresh(); slices.Contains(p, ref(connectors.InvoicePayments, "BANK-1")) {
		t.Errorf("the undone payment is pending: %v", p)
	}
}

func TestUploadedPaymentDeletedThereIsUndoneByTheMirror(t *testing.T) {
	f, _ := deletionsFixture(t)
	f.put(payment(connectors.InvoicePayments, "PAY-1", "C1", connectors.SalesInvoices, "INV-1", "5"))
	if rep := f.upload(); rep.FailedItems() != 0 {
		t.Fatalf("payment upload %+v", rep)
	}
	l, _, _ := f.db.Link(f.ctx, mod, ref(connectors.InvoicePayments, "PAY-1"))
	f.clock.Add(time.Minute)
	if err := f.ledger.Delete(connectors.InvoicePayments, l.RemoteID); err != nil {
		t.Fatal(err)
	}
	rep := f.mirror(connectors.InvoicePayments)
	want := "Payment PAY-1 was deleted or voided in Reference ledger (in memory), so LedgerLink took it off sales invoice INV-1."
	if !slices.Contains(rep.Notes, want) {
		t.Errorf("report notes %q; want %q", rep.Notes, want)
	}
	if row := f.exported()[ref(connectors.InvoicePayments, "PAY-1")]; row.Gone != storage.GoneDeleted {
		t.Errorf("Successfully Exported row %+v; want it to say deleted in the package", row)
	}
	pay, _ := f.db.Get(f.ctx, connectors.InvoicePayments, "PAY-1")
	if len(pay.Record.Payment.Allocations) != 0 {
		t.Errorf("PAY-1 keeps its allocations")
	}
	if p := f.refresh(); slices.Contains(p, ref(connectors.InvoicePayments, "PAY-1")) {
		t.Errorf("PAY-1 is pending again: %v", p)
	}
}

func TestDeletedPaymentWaitsWhilePaymentsAreOnlyShown(t *testing.T) {
	f, _ := deletionsFixture(t)
	id := paymentInLedger(t, f, "BANK-2", "10")
	if _, err := f.eng.ImportPayments(f.ctx, mod, true); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Minute)
	if err := f.ledger.Delete(connectors.InvoicePayments, id); err != nil {
		t.Fatal(err)
	}
	rows, err := f.eng.ImportPayments(f.ctx, mod, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Outcome != storage.ImportWaiting || rows[0].Status != "Deleted or voided in Reference ledger (in memory); Create & Allocate Payments takes it off its invoices here." {
		t.Fatalf("preview rows %+v", rows)
	}
	pay, _ := f.db.Get(f.ctx, connectors.InvoicePayments, "BANK-2")
	if len(pay.Record.Payment.Allocations) == 0 {
		t.Fatal("showing payments undid the deleted one")
	}
	// The next Create & Allocate undoes it, though the package lists it no
	// more as changed.
	rows, err = f.eng.ImportPayments(f.ctx, mod, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Outcome != storage.ImportDeleted {
		t.Fatalf("allocate rows %+v", rows)
	}
	pay, _ = f.db.Get(f.ctx, connectors.InvoicePayments, "BANK-2")
	if len(pay.Record.Payment.Allocations) != 0 {
		t.Error("the deleted payment was not undone")
	}
}

func TestSyncSeesDeletionsOfTypesItOnlySends(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Upload, connectors.Customers, NewAndUpdated, connectors.Upload, connectors.SalesInvoices, NewAndUpdated)
	f.mapDefaults()
	f.put(customer("C1"), salesInvoice("INV-1", "C1", 3), salesInvoice("INV-2", "C1", 4))
	if rep, err := f.eng.Sync(f.ctx, mod, TriggerManual); err != nil || rep.FailedItems() != 0 {
		t.Fatalf("first sync %+v %v", rep, err)
	}
	l, _, _ := f.db.Link(f.ctx, mod, ref(connectors.SalesInvoices, "INV-1"))
	f.clock.Add(time.Minute)
	if err := f.ledger.Void(connectors.SalesInvoices, l.RemoteID); err != nil {
		t.Fatal(err)
	}
	changed := salesInvoice("INV-1", "C1", 3)
	changed.Document.Reference = "changed after it was voided there"
	f.put(changed)
	writes := f.ledger.Calls("Write")
	rep, err := f.eng.Sync(f.ctx, mod, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Sales invoice INV-1 was voided in Reference ledger (in memory); LedgerLink shows it as voided and will not send it again."; !slices.Contains(rep.Notes, want) {
		t.Errorf("sync notes %q; want %q", rep.Notes, want)
	}
	if n := f.ledger.Calls("Write"); n != writes {
		t.Errorf("the sync sent %d writes after the invoice was voided there; want none", n-writes)
	}
	// A quiet run asks once per watched type, from where it left off.
	lists := f.ledger.Calls("ListChanged")
	if _, err := f.eng.Sync(f.ctx, mod, TriggerManual); err != nil {
		t.Fatal(err)
	}
	watched := f.ledger.Calls("ListChanged") - lists
	ancillary := 0
	for _, typ := range connectors.AncillaryTypes() {
		if f.def.Caps.Supports(typ, connectors.Mirror) {
			ancillary++
		}
	}
	// Reference data, then customers and sales invoices watched.
	if watched != ancillary+2 {
		t.Errorf("a quiet sync made %d ListChanged calls; want %d (reference data and the two watched types)", watched, ancillary+2)
	}
}
