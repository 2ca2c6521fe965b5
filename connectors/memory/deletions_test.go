package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
)

func TestVoidAndDeleteAreReported(t *testing.T) {
	ctx := context.Background()
	l := memory.NewLedger(memory.WithClock(fixedClock))
	c := l.Connection()
	_, err := l.Put(connectors.Customers, connectors.Remote{Record: connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: "C1", Name: "Ann"}}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.Put(connectors.SalesInvoices, connectors.Remote{Record: connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: "INV-1", PartyCode: "C1", Date: connectors.NewDate(2025, 5, 1), Currency: "GBP",
		Lines: []connectors.Line{{Description: "Work", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.NewFromInt(100), NominalCode: "4000", TaxCode: "T0"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	pay, err := l.Put(connectors.InvoicePayments, connectors.Remote{Record: connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{
		Code: "P1", PartyCode: "C1", Date: connectors.NewDate(2025, 5, 2), Currency: "GBP", Amount: decimal.NewFromInt(40), BankAccount: "1200",
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1", Amount: decimal.NewFromInt(40)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	due := func() decimal.Decimal {
		got, _ := c.Get(ctx, connectors.SalesInvoices, []string{inv.RemoteID})
		return got[0].Record.Document.AmountDue
	}
	if !due().Equal(decimal.NewFromInt(60)) {
		t.Fatalf("INV-1 due %s after the payment", due())
	}

	if err := l.Delete(connectors.InvoicePayments, pay.RemoteID); err != nil {
		t.Fatal(err)
	}
	if !due().Equal(decimal.NewFromInt(100)) {
		t.Errorf("INV-1 due %s after its payment was deleted; want 100", due())
	}
	if err := l.Void(connectors.SalesInvoices, inv.RemoteID); err != nil {
		t.Fatal(err)
	}
	if err := l.Void(connectors.SalesInvoices, inv.RemoteID); err == nil {
		t.Error("voiding twice was accepted")
	}
	for _, tc := range []struct {
		typ    connectors.RecordType
		id     string
		status connectors.DocumentStatus
	}{{connectors.InvoicePayments, pay.RemoteID, ""}, {connectors.SalesInvoices, inv.RemoteID, connectors.StatusVoided}} {
		var got []connectors.Remote
		if err := c.ListChanged(ctx, tc.typ, fixedClock().Add(-time.Hour), func(p []connectors.Remote) error { got = append(got, p...); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].RemoteID != tc.id || !got[0].Deleted {
			t.Errorf("%s listed as %+v; want it with Deleted", tc.typ, got)
			continue
		}
		if d := got[0].Record.Document; d != nil && d.Status != tc.status {
			t.Errorf("%s status %s, want %s", tc.typ, d.Status, tc.status)
		}
	}
	// A deleted payment's reference is free; a voided invoice keeps its number.
	if found, _ := c.FindByCode(ctx, connectors.InvoicePayments, []string{"P1"}); len(found) != 0 {
		t.Errorf("FindByCode still finds the deleted payment: %+v", found)
	}
	res, err := c.Write(ctx, connectors.SalesInvoices, []connectors.WriteItem{{Key: "k", RemoteID: inv.RemoteID, Record: connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: "INV-1", PartyCode: "C1", Date: connectors.NewDate(2025, 5, 1), Currency: "GBP",
		Lines: []connectors.Line{{Description: "Work", Quantity: decimal.NewFromInt(2), UnitPrice: decimal.NewFromInt(100), NominalCode: "4000", TaxCode: "T0"}},
	}}}})
	var ie *connectors.ItemError
	if err != nil || len(res) != 1 || !errors.As(res[0].Err, &ie) || ie.Code != memory.CodeRecordDeleted {
		t.Errorf("updating a voided invoice: %+v %v; want refused with %s", res, err, memory.CodeRecordDeleted)
	}
	if err := l.Delete(connectors.Customers, "no-such-id"); err == nil {
		t.Error("deleting an unknown record was accepted")
	}
}
