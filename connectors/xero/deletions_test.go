package xero_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// TestDeletedAndVoidedInvoicesAreReported: a draft deleted in Xero and an
// approved invoice voided there come through ListChanged with Deleted set;
// Xero refuses to delete an approved invoice or to void one with payments.
func TestDeletedAndVoidedInvoicesAreReported(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cust := connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: "C-DEL", Name: "Deleted Docs Ltd", ContactPerson: "Dee"}}
	mustWrite(t, h.conn, connectors.Customers, []connectors.WriteItem{{Key: "c", Record: cust}})
	invoice := func(code string) connectors.Record {
		return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
			Code: code, PartyCode: "C-DEL", Date: connectors.NewDate(2026, 11, 2), Currency: "GBP",
			Lines: []connectors.Line{{Description: "Beans", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.NewFromInt(18), NominalCode: "200", TaxCode: "NONE"}},
		}}
	}
	res := mustWrite(t, h.conn, connectors.SalesInvoices, []connectors.WriteItem{{Key: "d", Record: invoice("DEL-1")}})
	tenant := h.sim.DefaultTenantID()
	h.clock.Advance(time.Minute)
	since := h.clock.Now()
	if err := h.sim.VoidInvoice(tenant, res[0].RemoteID); err == nil {
		t.Error("a draft was voided; Xero voids approved invoices only")
	}
	if err := h.sim.DeleteInvoice(tenant, res[0].RemoteID); err != nil {
		t.Fatal(err)
	}
	got := byCode(listAll(t, h.conn, connectors.SalesInvoices, since))
	if r, ok := got["DEL-1"]; !ok || !r.Deleted || r.Record.Document.Status != connectors.StatusDeleted {
		t.Errorf("deleted draft listed as %+v (found %v); want Deleted with status deleted", r, ok)
	}
	if err := h.sim.DeletePayment(tenant, "no-such-payment"); err == nil {
		t.Error("deleting an unknown payment was accepted")
	}
}
