package kashflow_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// comparable renders what the round trip keeps.
func comparable(t *testing.T, r connectors.Record) string {
	t.Helper()
	c := normalise(r.Clone())
	if c.Document != nil {
		c.Document.Total, c.Document.AmountDue, c.Document.Status = decimal.Zero, decimal.Zero, ""
		// Applied credit shows on the invoices' amounts paid, not on the
		// credit note KashFlow hands back.
		c.Document.Allocations = nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	// Decimals compare by value: 2 and 2.00 are the same quantity.
	var v any
	_ = json.Unmarshal(raw, &v)
	out, _ := json.Marshal(canonical(v))
	return string(out)
}

func canonical(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = canonical(e)
		}
	case []any:
		for i, e := range x {
			x[i] = canonical(e)
		}
	case string:
		if d, err := decimal.NewFromString(x); err == nil && strings.ContainsAny(x, "0123456789") && !strings.ContainsAny(x, "-:") || (err == nil && strings.HasPrefix(x, "-")) {
			return d.String()
		}
	}
	return v
}

// sampleBusiness uploads the sample business's records in the engine's
// order and returns the remote IDs by code.
func sampleBusiness(t *testing.T, h *harness) (map[string]string, []connectors.Record) {
	t.Helper()
	recs := []connectors.Record{
		personCustomer(), companyCustomer(), supplier(),
		salesInvoice("INV-1001", "C001"), salesInvoice("INV-1003", "C004"), salesInvoice("INV-1004", "C004"), salesInvoice("INV-1007", "C004"),
		euroInvoice(), quote(), purchaseInvoice(), creditNote("INV-1007"),
		invoicePayment("RCPT-0003", map[string]string{"INV-1004": "20.00", "INV-1007": "30.00"}),
		purchasePayment(), payrollJournal(),
	}
	ids := map[string]string{}
	for _, r := range recs {
		ids[r.Code()] = h.write(t, r, "")
	}
	return ids, recs
}

// TestRoundTripEveryType writes one record of every type, reads each
// back (LedgerLink → KashFlow → LedgerLink), writes what was read back
// as an update and reads it again (KashFlow → LedgerLink → KashFlow), and
// checks that nothing changed on the way.
func TestRoundTripEveryType(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ids, recs := sampleBusiness(t, h)
	for _, want := range recs {
		t.Run(want.Code(), func(t *testing.T) {
			id := ids[want.Code()]
			got := h.get(t, want.Type, id)
			if w, g := comparable(t, want), comparable(t, got.Record); w != g {
				t.Fatalf("read back differs\nwritten: %s\nread:    %s", w, g)
			}
			if want.Type == connectors.InvoicePayments || want.Type == connectors.PurchasePayments {
				return // KashFlow has no update of payments
			}
			back := got.Record
			if back.Type == connectors.CreditNotes {
				back.Document.Allocations = nil // already applied once
			}
			h.clock.Advance(time.Minute)
			if again := h.write(t, back, id); again != id {
				t.Errorf("the update answered remote ID %s, want %s", again, id)
			}
			second := h.get(t, want.Type, id)
			if a, b := comparable(t, got.Record), comparable(t, second.Record); a != b {
				t.Errorf("writing back what was read changed it\nfirst:  %s\nsecond: %s", a, b)
			}
			if want.Type != connectors.Customers && want.Type != connectors.Suppliers && !second.UpdatedAt.Equal(got.UpdatedAt) {
				t.Errorf("an unchanged %s got a new change time (%v, was %v)", want.Type.Label(), second.UpdatedAt, got.UpdatedAt)
			}
		})
	}
}

// TestCustomerChangesShape fills and empties a customer's contact in
// KashFlow: the record turns from a company into a person and back,
// keeping its ID, and its documents and payments still name it.
func TestCustomerChangesShape(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ids, _ := sampleBusiness(t, h)
	start := h.clock.Now()
	for _, step := range []struct {
		contact string
		company bool
	}{{"", false}, {"Priya Shah", true}} {
		h.clock.Advance(time.Minute)
		since := h.clock.Now()
		c := companyCustomer()
		c.Party.ContactPerson = step.contact
		h.write(t, c, ids["C004"])
		var found *connectors.Remote
		for _, r := range h.list(t, connectors.Customers, since) {
			if r.Record.Code() == "C004" {
				found = &r
			}
		}
		if found == nil || found.RemoteID != ids["C004"] || found.Record.Party.IsCompany() != step.company {
			t.Fatalf("contact %q: listed %+v; want C004 (ID %s) as company=%v", step.contact, found, ids["C004"], step.company)
		}
	}
	docs := 0
	for _, r := range h.list(t, connectors.SalesInvoices, start) {
		if r.Record.Document.PartyCode == "C004" {
			docs++
		}
	}
	if docs != 4 {
		t.Errorf("C004 keeps %d sales invoices; want 4", docs)
	}
	var pay *connectors.Payment
	for _, r := range h.list(t, connectors.InvoicePayments, time.Time{}) {
		if r.Record.Code() == "RCPT-0003" {
			pay = r.Record.Payment
		}
	}
	if pay == nil || pay.PartyCode != "C004" || len(pay.Allocations) != 2 {
		t.Errorf("C004's payment reads back as %+v", pay)
	}
}

// TestDeletionsSeenByAbsence deletes records in KashFlow and checks that
// the next read reports them deleted, once, and that an unchanged run
// hands over nothing.
func TestDeletionsSeenByAbsence(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ids, _ := sampleBusiness(t, h)
	for _, typ := range []connectors.RecordType{connectors.SalesInvoices, connectors.Journals, connectors.Customers} {
		h.list(t, typ, time.Time{})
	}
	h.clock.Advance(time.Hour)
	since := h.clock.Now()
	for _, typ := range []connectors.RecordType{connectors.SalesInvoices, connectors.Journals} {
		if got := h.list(t, typ, since); len(got) != 0 {
			t.Errorf("%s: a run with no change handed over %d records", typ.Label(), len(got))
		}
	}
	h.soap(t, "DeleteInvoice", "<InvoiceNumber>"+ids["INV-1007"]+"</InvoiceNumber>")
	h.soap(t, "DeleteJournal", "<JournalNumber>"+ids["PAY-2026-11"]+"</JournalNumber>")
	for typ, code := range map[connectors.RecordType]string{connectors.SalesInvoices: "INV-1007", connectors.Journals: "PAY-2026-11"} {
		got := h.list(t, typ, since)
		if len(got) != 1 || !got[0].Deleted || got[0].Record.Code() != code || got[0].RemoteID != ids[code] {
			t.Errorf("%s after deleting %s in KashFlow: %+v", typ.Label(), code, got)
		}
		if again := h.list(t, typ, since); len(again) != 0 {
			t.Errorf("%s: the deletion was reported again: %+v", typ.Label(), again)
		}
	}
}

// TestCreditNoteApplied checks that a credit note goes in as a negative
// invoice applied to the invoice it credits.
func TestCreditNoteApplied(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ids, _ := sampleBusiness(t, h)
	inv := h.get(t, connectors.SalesInvoices, ids["INV-1007"])
	if !inv.Record.Document.AmountDue.Equal(dec("7.80")) {
		t.Errorf("INV-1007 (43.80) after a credit of 6.00 and a payment of 30.00 has %s due; want 7.80", inv.Record.Document.AmountDue)
	}
	body := h.soap(t, "GetInvoice", "<InvoiceNumber>"+ids["CN-0001"]+"</InvoiceNumber>")
	if !strings.Contains(body, "<Rate>-5</Rate>") || !strings.Contains(body, "<Quantity>1</Quantity>") {
		t.Errorf("the credit note is not a negative invoice with a positive quantity: %s", body)
	}
	if got := h.list(t, connectors.SalesInvoices, time.Time{}); len(got) != 5 {
		t.Errorf("sales invoices list %d records; the credit note must not be one of them", len(got))
	}
}
