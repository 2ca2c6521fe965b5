package xero_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
)

// TestRoundTripEveryType writes every record type to the simulator and
// reads it back through the lister, Get and FindByCode.
func TestRoundTripEveryType(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true"}})
	ctx := context.Background()
	day := connectors.NewDate(2026, 5, 1)

	custRes := mustWrite(t, h.conn, connectors.Customers, items(
		customer("C-001", "Acme Ltd", "Jane Smith"),
		customer("C-002", "John Brown", ""),
	))
	mustWrite(t, h.conn, connectors.Suppliers, items(supplier("S-001", "Parts Supply Co")))

	quote := connectors.Record{Type: connectors.Quotes, Document: &connectors.Document{Code: "Q-1", PartyCode: "C-001",
		Date: day, DueDate: connectors.NewDate(2026, 6, 1), Currency: "GBP", Lines: fiveLines("200", "OUTPUT2")}}
	mustWrite(t, h.conn, connectors.Quotes, items(quote))

	inv := salesInvoice("INV-1", "C-001", day)
	inv.Document.Lines[0].DiscountPercent = dec("10")
	inv2 := salesInvoice("INV-2", "C-002", day)
	invRes := mustWrite(t, h.conn, connectors.SalesInvoices, items(inv, inv2))

	bill := connectors.Record{Type: connectors.PurchaseInvoices, Document: &connectors.Document{Code: "BILL-9", PartyCode: "S-001",
		Date: day, DueDate: connectors.NewDate(2026, 5, 31), Currency: "GBP", Lines: fiveLines("429", "INPUT2")}}
	bill.Document.Lines[1].DiscountPercent = dec("50")
	mustWrite(t, h.conn, connectors.PurchaseInvoices, items(bill))

	credit := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "CN-1", PartyCode: "C-002",
		Date: day, Currency: "GBP", Lines: []connectors.Line{{Description: "Refund", Quantity: dec("1"), UnitPrice: dec("10"),
			NominalCode: "200", TaxCode: "OUTPUT2"}},
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-2", Amount: dec("12")}}}}
	mustWrite(t, h.conn, connectors.CreditNotes, items(credit))

	pay := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{Code: "PAY-1", Date: day,
		Amount: dec("50"), Currency: "GBP", BankAccount: "090",
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1", Amount: dec("50")}}}}
	mustWrite(t, h.conn, connectors.InvoicePayments, items(pay))
	bpay := connectors.Record{Type: connectors.PurchasePayments, Payment: &connectors.Payment{Code: "BP-1", Date: day,
		Amount: dec("20"), Currency: "GBP", BankAccount: "090",
		Allocations: []connectors.Allocation{{DocumentType: connectors.PurchaseInvoices, DocumentCode: "BILL-9", Amount: dec("20")}}}}
	mustWrite(t, h.conn, connectors.PurchasePayments, items(bpay))

	// Customers: the contact-person rule both ways.
	custs := byCode(listAll(t, h.conn, connectors.Customers, time.Time{}))
	if got := custs["C-001"].Record.Party; got == nil || got.ContactPerson != "Jane Smith" || !got.IsCompany() || got.Name != "Acme Ltd" {
		t.Errorf("company customer read back as %+v", got)
	}
	if got := custs["C-002"].Record.Party; got == nil || got.ContactPerson != "" || got.IsCompany() {
		t.Errorf("person customer read back as %+v", got)
	}
	if got := custs["C-001"].Record.Party; got.Email != "c-001@example.com" || got.BillingAddress.City != "Leeds" || got.Phone != "01632 960000" {
		t.Errorf("customer details lost: %+v", got)
	}
	if _, ok := custs["S-001"]; ok {
		t.Error("a supplier with a bill was listed as a customer")
	}
	sups := byCode(listAll(t, h.conn, connectors.Suppliers, time.Time{}))
	if _, ok := sups["S-001"]; !ok || len(sups) != 1 {
		t.Errorf("suppliers listed: %v", keys(sups))
	}

	// Sales invoices with totals computed by Xero.
	sales := byCode(listAll(t, h.conn, connectors.SalesInvoices, time.Time{}))
	if len(sales) != 2 {
		t.Fatalf("sales invoices listed: %v", keys(sales))
	}
	got := sales["INV-1"].Record.Document
	// Net: 1×12.34×0.9 + (2+3+4+5)×12.34 = 11.106→11.11 + 172.76 = 183.87; VAT 20% per line.
	if got.PartyCode != "C-001" || got.Status != connectors.StatusAuthorised || len(got.Lines) != 5 ||
		!got.Lines[0].DiscountPercent.Equal(dec("10")) || got.Date != day {
		t.Errorf("INV-1 read back as %+v", got)
	}
	if !got.Total.Equal(dec("220.64")) || !got.AmountDue.Equal(dec("170.64")) {
		t.Errorf("INV-1 total %s due %s, want 220.64 and 170.64", got.Total, got.AmountDue)
	}
	if d := sales["INV-2"].Record.Document; !d.AmountDue.Equal(d.Total.Sub(dec("12"))) {
		t.Errorf("INV-2 due %s after a 12.00 credit on %s", d.AmountDue, d.Total)
	}

	bills := byCode(listAll(t, h.conn, connectors.PurchaseInvoices, time.Time{}))
	if b := bills["BILL-9"].Record.Document; b == nil || !b.Lines[1].UnitPrice.Equal(dec("6.17")) || b.Lines[1].DiscountPercent.Sign() != 0 {
		t.Errorf("bill read back as %+v (a bill takes no discount: it is folded into the unit amount)", b)
	}
	quotes := byCode(listAll(t, h.conn, connectors.Quotes, time.Time{}))
	if q := quotes["Q-1"].Record.Document; q == nil || q.DueDate != connectors.NewDate(2026, 6, 1) || q.Status != connectors.StatusSubmitted {
		t.Errorf("quote read back as %+v", q)
	}
	credits := byCode(listAll(t, h.conn, connectors.CreditNotes, time.Time{}))
	cn := credits["CN-1"].Record.Document
	if cn == nil || len(cn.Allocations) != 1 || cn.Allocations[0].DocumentCode != "INV-2" || !cn.Allocations[0].Amount.Equal(dec("12")) {
		t.Errorf("credit note read back as %+v", cn)
	}
	pays := byCode(listAll(t, h.conn, connectors.InvoicePayments, time.Time{}))
	if p := pays["PAY-1"].Record.Payment; p == nil || len(pays) != 1 || p.PartyCode != "C-001" || p.BankAccount != "090" ||
		!p.Amount.Equal(dec("50")) || p.Allocations[0].DocumentCode != "INV-1" || p.Date != day {
		t.Errorf("invoice payments read back as %+v", pays)
	}
	bpays := byCode(listAll(t, h.conn, connectors.PurchasePayments, time.Time{}))
	if p := bpays["BP-1"].Record.Payment; p == nil || len(bpays) != 1 || p.Allocations[0].DocumentType != connectors.PurchaseInvoices {
		t.Errorf("purchase payments read back as %+v", bpays)
	}

	// Reference data.
	banks := byCode(listAll(t, h.conn, connectors.BankAccounts, time.Time{}))
	if _, ok := banks["090"]; !ok || len(banks) != 2 {
		t.Errorf("bank accounts: %v", keys(banks))
	}
	noms := byCode(listAll(t, h.conn, connectors.NominalAccounts, time.Time{}))
	if a := noms["200"].Record.Account; a == nil || a.Class != connectors.ClassRevenue || a.TaxCode != "OUTPUT2" || !noms["090"].Record.Account.Bank {
		t.Errorf("nominal accounts: %+v", noms["200"])
	}
	if a := noms["477"].Record.Account; a == nil || !a.Archived {
		t.Errorf("archived account: %+v", a)
	}
	rates := byCode(listAll(t, h.conn, connectors.TaxRates, time.Time{}))
	if r := rates["OUTPUT2"].Record.TaxRate; r == nil || !r.Rate.Equal(dec("20")) {
		t.Errorf("tax rates: %+v", rates["OUTPUT2"])
	}
	its := byCode(listAll(t, h.conn, connectors.Items, time.Time{}))
	if i := its["WIDGET"].Record.Item; i == nil || !i.SalesPrice.Equal(dec("12.50")) || i.SalesAccount != "200" {
		t.Errorf("items: %+v", its["WIDGET"])
	}

	// Get by ID and FindByCode, leaving unknown ones out.
	gotInv, err := h.conn.Get(ctx, connectors.SalesInvoices, []string{invRes[0].RemoteID, "7f1c0e4a-0000-4000-8000-000000000000"})
	if err != nil || len(gotInv) != 1 || gotInv[0].Record.Code() != "INV-1" {
		t.Errorf("Get invoices: %v %+v", err, gotInv)
	}
	gotCust, err := h.conn.Get(ctx, connectors.Customers, []string{custRes[1].RemoteID})
	if err != nil || len(gotCust) != 1 || gotCust[0].Record.Code() != "C-002" {
		t.Errorf("Get customers: %v %+v", err, gotCust)
	}
	for _, tc := range []struct {
		typ   connectors.RecordType
		codes []string
		want  []string
	}{
		{connectors.Customers, []string{"C-001", "NOPE"}, []string{"C-001"}},
		{connectors.Suppliers, []string{"S-001"}, []string{"S-001"}},
		{connectors.SalesInvoices, []string{"INV-2", "INV-1", "BILL-9"}, []string{"INV-1", "INV-2"}},
		{connectors.PurchaseInvoices, []string{"BILL-9", "INV-1"}, []string{"BILL-9"}},
		{connectors.Quotes, []string{"Q-1", "Q-404"}, []string{"Q-1"}},
		{connectors.CreditNotes, []string{"CN-1"}, []string{"CN-1"}},
		{connectors.InvoicePayments, []string{"PAY-1", "BP-1"}, []string{"PAY-1"}},
		{connectors.PurchasePayments, []string{"BP-1"}, []string{"BP-1"}},
		{connectors.TaxRates, []string{"INPUT2"}, []string{"INPUT2"}},
	} {
		rs, err := h.conn.FindByCode(ctx, tc.typ, tc.codes)
		if err != nil {
			t.Errorf("FindByCode %s: %v", tc.typ, err)
			continue
		}
		if got := sortedCodes(rs); !equalStrings(got, tc.want) {
			t.Errorf("FindByCode %s %v = %v, want %v", tc.typ, tc.codes, got, tc.want)
		}
	}
	// Read back by ID for every type, as the verify step does.
	for typ, rs := range map[connectors.RecordType]map[string]connectors.Remote{
		connectors.Quotes: quotes, connectors.CreditNotes: credits, connectors.InvoicePayments: pays, connectors.Suppliers: sups,
	} {
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.RemoteID)
		}
		got, err := h.conn.Get(ctx, typ, ids)
		if err != nil || len(got) != len(ids) {
			t.Errorf("Get %s: %v, %d of %d", typ, err, len(got), len(ids))
		}
	}
	if _, err := h.conn.Get(ctx, connectors.PaymentMethods, []string{"x"}); err == nil {
		t.Error("Get of an unsupported type did not fail")
	}
	id, err := h.conn.Check(ctx)
	if err != nil || id.Organisation != "Sandbox Trading Ltd" || id.Currency != "GBP" {
		t.Errorf("Check = %+v, %v", id, err)
	}
	if errors.Is(err, connectors.ErrAuth) {
		t.Fatal("unexpected auth failure")
	}
}

func keys(m map[string]connectors.Remote) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
