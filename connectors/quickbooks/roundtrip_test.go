package quickbooks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y int, m time.Month, d int) connectors.Date { return connectors.NewDate(y, m, d) }

// write sends records of one type and returns their remote IDs, failing
// on any refusal.
func write(t *testing.T, c *quickbooks.Conn, recs ...connectors.Record) []string {
	t.Helper()
	items := make([]connectors.WriteItem, len(recs))
	for i, r := range recs {
		items[i] = connectors.WriteItem{Key: "k:" + string(r.Type) + ":" + r.Code(), Record: r}
	}
	res, err := c.Write(t.Context(), recs[0].Type, items)
	if err != nil {
		t.Fatalf("Write %s: %v", recs[0].Type, err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if r.Err != nil || r.RemoteID == "" {
			t.Fatalf("Write %s %s: remote ID %q, error %v", recs[i].Type, recs[i].Code(), r.RemoteID, r.Err)
		}
		ids[i] = r.RemoteID
	}
	return ids
}

// reader is a second connection to the same simulator: it knows nothing
// of what the first wrote, so every read goes to QuickBooks.
func reader(t *testing.T, h *harness) *quickbooks.Conn {
	t.Helper()
	h.secrets.vals[quickbooks.SecretRefreshToken] = h.sim.IssueTokens(qbosim.SandboxRealmID)
	c, err := quickbooks.Open(t.Context(), h.cfg, quickbooks.WithClock(h.clock.Now), quickbooks.WithSleep(h.clock.sleep))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getOne(t *testing.T, c *quickbooks.Conn, typ connectors.RecordType, id string) connectors.Remote {
	t.Helper()
	got, err := c.Get(t.Context(), typ, []string{id})
	if err != nil || len(got) != 1 {
		t.Fatalf("Get %s %s: %d records, %v", typ, id, len(got), err)
	}
	return got[0]
}

func sameRecord(t *testing.T, what string, want, got connectors.Record) {
	t.Helper()
	w, g := normalise(want.Clone()), normalise(got.Clone())
	if d := g.Document; d != nil {
		d.Total, d.AmountDue, d.Status = decimal.Zero, decimal.Zero, ""
	}
	if d := w.Document; d != nil {
		d.Total, d.AmountDue, d.Status = decimal.Zero, decimal.Zero, ""
	}
	ws, gs := mustJSON(t, w), mustJSON(t, g)
	if ws != gs {
		t.Errorf("%s: read back differs\nwritten: %s\nread:    %s", what, ws, gs)
	}
}

var (
	person = connectors.Party{Code: "C001", Name: "Emma Clarke", Email: "emma.clarke@example.com", Phone: "07700 900123", Currency: "GBP",
		BillingAddress: connectors.Address{Line1: "14 Quay Street", City: "Bristol", PostalCode: "BS1 4DB", Country: "United Kingdom"}}
	company = connectors.Party{Code: "C004", Name: "The Daily Grind Café Ltd", ContactPerson: "Priya Shah", Email: "accounts@dailygrind.example.co.uk",
		Currency: "GBP", BillingAddress: connectors.Address{Line1: "22 Park Row", City: "Bristol", PostalCode: "BS1 5LJ", Country: "United Kingdom"},
		DeliveryAddress: connectors.Address{Line1: "Unit 4, Temple Gate", City: "Bristol", PostalCode: "BS1 6QA", Country: "United Kingdom"}}
	supplier = connectors.Party{Code: "S001", Name: "Highland Green Coffee Importers Ltd", ContactPerson: "Ewan Fraser", Currency: "GBP"}
)

func invoice(code, party string, lines ...connectors.Line) connectors.Record {
	return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{Code: code, PartyCode: party,
		Date: day(2026, 11, 3), DueDate: day(2026, 12, 3), Reference: "PO 4410", Currency: "GBP", Lines: lines}}
}

// TestRoundTripEveryType writes every record type and reads it back on
// another connection, both through Get and the listing.
func TestRoundTripEveryType(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	c := h.conn
	beans := connectors.Line{ItemCode: "BEAN-HOUSE-1KG", Description: "House Blend coffee beans, 1 kg", Quantity: dec("20"), UnitPrice: dec("18.00"),
		DiscountPercent: dec("10"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT", CostCentre: "WHOLESALE"}
	course := connectors.Line{Description: "Barista course, one day", Quantity: dec("1"), UnitPrice: dec("145.00"), NominalCode: "260", TaxCode: "OUTPUT2", CostCentre: "TRAINING"}

	custIDs := write(t, c, connectors.Record{Type: connectors.Customers, Party: &person}, connectors.Record{Type: connectors.Customers, Party: &company})
	supIDs := write(t, c, connectors.Record{Type: connectors.Suppliers, Party: &supplier})
	quote := connectors.Record{Type: connectors.Quotes, Document: &connectors.Document{Code: "Q-0001", PartyCode: "C004", Date: day(2026, 11, 1),
		DueDate: day(2026, 11, 30), Currency: "GBP", TaxInclusive: true, Lines: []connectors.Line{course}}}
	quoteID := write(t, c, quote)[0]
	inv1 := invoice("INV-1002", "C004", beans, course)
	inv2 := invoice("INV-1004", "C004", course)
	inv3 := invoice("INV-1003", "C001", connectors.Line{ItemCode: "KETTLE-GN", Description: "Gooseneck kettle, 1 l", Quantity: dec("1"), UnitPrice: dec("65.00"), NominalCode: "200", TaxCode: "OUTPUT2"})
	invIDs := write(t, c, inv1, inv2, inv3)
	bill := connectors.Record{Type: connectors.PurchaseInvoices, Document: &connectors.Document{Code: "HG-55120", PartyCode: "S001", Date: day(2026, 11, 4),
		DueDate: day(2026, 12, 4), Reference: "Green coffee order 311", Currency: "GBP", Lines: []connectors.Line{
			{Description: "Green coffee, Brazil Cerrado, 60 kg sack", Quantity: dec("2"), UnitPrice: dec("312.00"), NominalCode: "300", TaxCode: "ZERORATEDINPUT", CostCentre: "ROAST"},
			{ItemCode: "DELIVERY", Description: "Freight", Quantity: dec("1"), UnitPrice: dec("40.00"), NominalCode: "300", TaxCode: "INPUT2"},
		}}}
	billID := write(t, c, bill)[0]
	// A credit memo applied to the kettle invoice: a Payment of no money.
	credit := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "CN-0001", PartyCode: "C001", Date: day(2026, 11, 12),
		Reference: "Return of kettle from INV-1003", Currency: "GBP", Lines: []connectors.Line{{ItemCode: "KETTLE-GN", Description: "Gooseneck kettle, 1 l (returned unused)",
			Quantity: dec("1"), UnitPrice: dec("65.00"), NominalCode: "200", TaxCode: "OUTPUT2"}},
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1003", Amount: dec("78.00")}}}}
	creditID := write(t, c, credit)[0]
	vendorCredit := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "HG-CR-7", PartyCode: "S001", Date: day(2026, 11, 20),
		Currency: "GBP", Purchase: true, Lines: []connectors.Line{{Description: "Damaged sack", Quantity: dec("1"), UnitPrice: dec("100.00"), NominalCode: "300", TaxCode: "ZERORATEDINPUT"}},
		Allocations: []connectors.Allocation{{DocumentType: connectors.PurchaseInvoices, DocumentCode: "HG-55120", Amount: dec("100.00")}}}}
	vcID := write(t, c, vendorCredit)[0]
	// One payment over two invoices.
	pay := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{Code: "RCPT-0003", PartyCode: "C004", Date: day(2026, 11, 30),
		Amount: dec("300.00"), Currency: "GBP", BankAccount: "090", Reference: "BACS DAILYGRIND NOV", Allocations: []connectors.Allocation{
			{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1002", Amount: dec("150.00")},
			{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1004", Amount: dec("150.00")}}}}
	payID := write(t, c, pay)[0]
	billPay := connectors.Record{Type: connectors.PurchasePayments, Payment: &connectors.Payment{Code: "PAY-0001", PartyCode: "S001", Date: day(2026, 11, 25),
		Amount: dec("572.00"), Currency: "GBP", BankAccount: "090", Reference: "HIGHLAND GREEN", Allocations: []connectors.Allocation{
			{DocumentType: connectors.PurchaseInvoices, DocumentCode: "HG-55120", Amount: dec("572.00")}}}}
	billPayID := write(t, c, billPay)[0]
	journal := connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{Code: "PAY-2026-11", Date: day(2026, 11, 28),
		Description: "Payroll November 2026", Lines: []connectors.JournalLine{
			{NominalCode: "477", Debit: dec("3400.00"), CostCentre: "SHOP", Description: "Gross salaries November"},
			{NominalCode: "478", Debit: dec("310.50"), CostCentre: "ROAST", Description: "Employer's NI November"},
			{NominalCode: "814", Credit: dec("2900.00"), Description: "Net wages"},
			{NominalCode: "825", Credit: dec("810.50"), Description: "PAYE and NI"}}}}
	journalID := write(t, c, journal)[0]
	product := connectors.Record{Type: connectors.Items, Item: &connectors.Item{Code: "MUG-12", Name: "Enamel mug, 12 oz", SalesPrice: dec("12.50"), PurchasePrice: dec("4.20"), SalesAccount: "200"}}
	productID := write(t, c, product)[0]

	r := reader(t, h)
	for _, tc := range []struct {
		what string
		typ  connectors.RecordType
		id   string
		want connectors.Record
	}{
		{"person", connectors.Customers, custIDs[0], connectors.Record{Type: connectors.Customers, Party: &person}},
		{"company", connectors.Customers, custIDs[1], connectors.Record{Type: connectors.Customers, Party: &company}},
		{"supplier", connectors.Suppliers, supIDs[0], connectors.Record{Type: connectors.Suppliers, Party: &supplier}},
		{"quote", connectors.Quotes, quoteID, quote},
		{"invoice with discount and cost centres", connectors.SalesInvoices, invIDs[0], inv1},
		{"bill", connectors.PurchaseInvoices, billID, bill},
		{"credit memo applied to an invoice", connectors.CreditNotes, creditID, credit},
		{"vendor credit applied to a bill", connectors.CreditNotes, vcID, vendorCredit},
		{"payment over two invoices", connectors.InvoicePayments, payID, pay},
		{"bill payment", connectors.PurchasePayments, billPayID, billPay},
		{"journal", connectors.Journals, journalID, journal},
		{"product", connectors.Items, productID, product},
	} {
		got := getOne(t, r, tc.typ, tc.id)
		sameRecord(t, tc.what, tc.want, got.Record)
	}

	// What QuickBooks worked out: balances after the payment and credit.
	got := getOne(t, r, connectors.SalesInvoices, invIDs[2]).Record.Document
	if !got.AmountDue.IsZero() || got.Status != connectors.StatusPaid {
		t.Errorf("the kettle invoice after its credit: due %s, status %s; want 0 and paid", got.AmountDue, got.Status)
	}
	if got := getOne(t, r, connectors.SalesInvoices, invIDs[1]).Record.Document; !got.AmountDue.Equal(dec("24.00")) {
		t.Errorf("INV-1004 after 150.00 of its 174.00: due %s, want 24.00", got.AmountDue)
	}
	// The listing shows the payment over two invoices, not the credit's
	// payment of no money.
	var pays []connectors.Remote
	if err := r.ListChanged(t.Context(), connectors.InvoicePayments, time.Time{}, func(p []connectors.Remote) error { pays = append(pays, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(pays) != 1 || pays[0].RemoteID != payID {
		t.Errorf("listed %d invoice payments, want only %s", len(pays), payID)
	}
}

// TestPaymentEnteredInQuickBooks reads a payment made by hand in
// QuickBooks (one paying two invoices) through change data capture.
func TestPaymentEnteredInQuickBooks(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	write(t, h.conn, connectors.Record{Type: connectors.Customers, Party: &company})
	line := connectors.Line{Description: "Beans", Quantity: dec("10"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"}
	write(t, h.conn, invoice("INV-1004", "C004", line), invoice("INV-1007", "C004", line))
	since := h.clock.Now()
	h.clock.Advance(time.Hour)
	payID, err := h.sim.RecordPayment(qbosim.SandboxRealmID, "", "2026-11-30", "090", "INV-1004", "INV-1007")
	if err != nil {
		t.Fatal(err)
	}
	r := reader(t, h)
	var got []connectors.Remote
	if err := r.ListChanged(t.Context(), connectors.InvoicePayments, since, func(p []connectors.Remote) error { got = append(got, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].RemoteID != payID {
		t.Fatalf("listed %d payments, want the one made in QuickBooks", len(got))
	}
	p := got[0].Record.Payment
	if p.Code != "QBO-"+payID || p.PartyCode != "C004" || !p.Amount.Equal(dec("360")) || p.BankAccount != "090" || len(p.Allocations) != 2 ||
		p.Allocations[0].DocumentCode != "INV-1004" || p.Allocations[1].DocumentCode != "INV-1007" || !p.Allocations[1].Amount.Equal(dec("180")) {
		t.Errorf("payment read as %+v", p)
	}
}

func TestJournalsByLocationAndRefusedReceivables(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{quickbooks.KeyCostCentre: quickbooks.CostCentreDepartment}})
	j := connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{Code: "PAY-2026-12", Date: day(2026, 12, 28), Lines: []connectors.JournalLine{
		{NominalCode: "477", Debit: dec("100"), CostCentre: "ROAST"}, {NominalCode: "814", Credit: dec("100")}}}}
	id := write(t, h.conn, j)[0]
	got := getOne(t, reader(t, h), connectors.Journals, id).Record.Journal
	if got.Lines[0].CostCentre != "ROAST" {
		t.Errorf("cost centre as a location read back as %q", got.Lines[0].CostCentre)
	}
	for _, tc := range []struct {
		name string
		line connectors.JournalLine
		want string
	}{
		{"receivables", connectors.JournalLine{NominalCode: "610", Credit: dec("100")}, "customer or vendor on such lines"},
		{"unknown location", connectors.JournalLine{NominalCode: "814", Credit: dec("100"), CostCentre: "ATTIC"}, "not a location"},
		{"both sides", connectors.JournalLine{NominalCode: "814", Credit: dec("100"), Debit: dec("1")}, "both a debit and a credit"},
	} {
		bad := j.Clone()
		bad.Journal.Code = "PAY-X-" + tc.name[:3]
		bad.Journal.Lines[1] = tc.line
		res, err := h.conn.Write(t.Context(), connectors.Journals, []connectors.WriteItem{{Key: tc.name, Record: bad}})
		if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tc.want) {
			t.Errorf("%s: %+v %v; want a refusal saying %q", tc.name, res, err, tc.want)
			continue
		}
		if why, ok := h.conn.Explain(res[0].Err); !ok || why.Fix == "" {
			t.Errorf("%s: no explanation", tc.name)
		}
	}
}

func TestArchivedSupplierAndStockProduct(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	s := supplier
	s.Archived = true
	id := write(t, h.conn, connectors.Record{Type: connectors.Suppliers, Party: &s})[0]
	if got := getOne(t, reader(t, h), connectors.Suppliers, id).Record.Party; !got.Archived {
		t.Errorf("an archived supplier read back active")
	}
	stock := connectors.Record{Type: connectors.Items, Item: &connectors.Item{Code: "BEAN-KENYA-1KG", Name: "Kenya AA beans, 1 kg", SalesPrice: dec("24"), PurchasePrice: dec("12"), SalesAccount: "200", Stock: true}}
	pid := write(t, h.conn, stock)[0]
	// QuickBooks needs a cost-of-sales account on a stock item: with none
	// given, the company's first one (300 in the seeded company) is used,
	// and read back as the product's purchase account.
	want := stock.Clone()
	want.Item.PurchaseAccount = "300"
	sameRecord(t, "stock product", want, getOne(t, reader(t, h), connectors.Items, pid).Record)
	withCost := connectors.Record{Type: connectors.Items, Item: &connectors.Item{Code: "BEAN-PERU-1KG", Name: "Peru beans, 1 kg", Description: "Peru, washed", SalesPrice: dec("22"), PurchasePrice: dec("11"), SalesAccount: "200", PurchaseAccount: "300", Stock: true}}
	pid = write(t, h.conn, withCost)[0]
	sameRecord(t, "stock product with its cost account", withCost, getOne(t, reader(t, h), connectors.Items, pid).Record)
}

// TestCreditAllocationsChangedOnUpdate: a credit note updated with other
// allocations is applied afresh (its old application deleted first); one
// updated with the same allocations keeps its application untouched.
func TestCreditAllocationsChangedOnUpdate(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	write(t, h.conn, connectors.Record{Type: connectors.Customers, Party: &company})
	line := connectors.Line{Description: "Beans", Quantity: dec("10"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"}
	invIDs := write(t, h.conn, invoice("INV-1002", "C004", line), invoice("INV-1004", "C004", line))
	alloc := func(doc, amount string) connectors.Allocation {
		return connectors.Allocation{DocumentType: connectors.SalesInvoices, DocumentCode: doc, Amount: dec(amount)}
	}
	credit := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "CN-0002", PartyCode: "C004", Date: day(2026, 11, 12),
		Reference: "Short delivery", Currency: "GBP", Lines: []connectors.Line{{Description: "Beans short", Quantity: dec("1"), UnitPrice: dec("60.00"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"}},
		Allocations: []connectors.Allocation{alloc("INV-1002", "60.00")}}}
	creditID := write(t, h.conn, credit)[0]
	applications := func() []string {
		var ids []string
		for _, p := range h.sim.Objects(qbosim.SandboxRealmID, "Payment") {
			if fmt.Sprint(p["TotalAmt"]) == "0.00" || fmt.Sprint(p["TotalAmt"]) == "0" {
				ids = append(ids, fmt.Sprint(p["Id"]))
			}
		}
		return ids
	}
	first := applications()
	if len(first) != 1 {
		t.Fatalf("after the credit note's creation QuickBooks holds %d applications, want 1", len(first))
	}
	for _, tc := range []struct {
		name      string
		allocs    []connectors.Allocation
		due       [2]string // INV-1002, INV-1004 (180.00 each)
		keepFirst bool      // the first application is left as it was
	}{
		{"same allocations, new reference", []connectors.Allocation{alloc("INV-1002", "60.00")}, [2]string{"120", "180"}, true},
		{"moved to the other invoice", []connectors.Allocation{alloc("INV-1004", "60.00")}, [2]string{"180", "120"}, false},
		{"split over both", []connectors.Allocation{alloc("INV-1002", "25.00"), alloc("INV-1004", "35.00")}, [2]string{"155", "145"}, false},
		{"no longer allocated", nil, [2]string{"180", "180"}, false},
		{"allocated again", []connectors.Allocation{alloc("INV-1002", "60.00")}, [2]string{"120", "180"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upd := credit.Clone()
			upd.Document.Reference = "Short delivery: " + tc.name
			upd.Document.Allocations = tc.allocs
			res, err := h.conn.Write(t.Context(), connectors.CreditNotes, []connectors.WriteItem{{Key: "u:" + tc.name, RemoteID: creditID, Record: upd}})
			if err != nil || res[0].Err != nil {
				t.Fatalf("update: %+v %v", res, err)
			}
			r := reader(t, h)
			got := getOne(t, r, connectors.CreditNotes, creditID).Record
			sameRecord(t, tc.name, upd, got)
			for i, id := range invIDs {
				if due := getOne(t, r, connectors.SalesInvoices, id).Record.Document.AmountDue; !due.Equal(dec(tc.due[i])) {
					t.Errorf("invoice %d owes %s, want %s", i+1, due, tc.due[i])
				}
			}
			apps := applications()
			wantApps := 1
			if len(tc.allocs) == 0 {
				wantApps = 0
			}
			if len(apps) != wantApps {
				t.Errorf("QuickBooks holds applications %v, want %d", apps, wantApps)
			}
			if tc.keepFirst && (len(apps) != 1 || apps[0] != first[0]) {
				t.Errorf("applications %v, want %s left as it was", apps, first[0])
			}
		})
	}
}
