package kashflow_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y int, m time.Month, d int) connectors.Date { return connectors.NewDate(y, m, d) }

// The sample business's records, as LedgerLink holds them (in KashFlow's
// VAT rates and the Sandbox company's codes).
func personCustomer() connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{
		Code: "C001", Name: "Emma Clarke", Email: "emma.clarke@example.com", Phone: "07700 900123",
		BillingAddress: connectors.Address{Line1: "14 Quay Street", City: "Bristol", PostalCode: "BS1 4DB", Country: "United Kingdom"},
	}}
}

func companyCustomer() connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{
		Code: "C004", Name: "The Daily Grind Café Ltd", ContactPerson: "Priya Shah", Email: "accounts@dailygrind.example.co.uk",
		Phone: "0117 496 0101", TaxNumber: "GB123456789",
		BillingAddress:  connectors.Address{Line1: "22 Park Row", City: "Bristol", PostalCode: "BS1 5LJ", Country: "United Kingdom"},
		DeliveryAddress: connectors.Address{Line1: "Unit 4, Temple Gate", City: "Bristol", PostalCode: "BS1 6QA", Country: "United Kingdom"},
	}}
}

func supplier() connectors.Record {
	return connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{
		Code: "S001", Name: "Highland Green Coffee Importers Ltd", ContactPerson: "Ewan Fraser",
		Email: "orders@highlandgreen.example.co.uk", Phone: "0131 496 0505", TaxNumber: "GB111222333",
		BillingAddress: connectors.Address{Line1: "Unit 7, Leith Docks", City: "Edinburgh", PostalCode: "EH6 6QX", Country: "United Kingdom"},
	}}
}

func salesInvoice(code, party string) connectors.Record {
	return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: code, PartyCode: party, Date: day(2026, 11, 2), DueDate: day(2026, 12, 2), Reference: "Web order 5521", Currency: "GBP",
		Lines: []connectors.Line{
			{ItemCode: "BEAN-HOUSE-1KG", Description: "House Blend coffee beans, 1 kg", Quantity: dec("2"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "0"},
			{ItemCode: "DELIVERY", Description: "Delivery", Quantity: dec("1"), UnitPrice: dec("6.50"), NominalCode: "200", TaxCode: "20", TaxAmount: dec("1.30")},
		},
	}}
}

func euroInvoice() connectors.Record {
	return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: "INV-1011", PartyCode: "C004", Date: day(2026, 11, 20), DueDate: day(2026, 12, 20), Currency: "EUR",
		Lines: []connectors.Line{{Description: "Espresso beans, 1 kg", Quantity: dec("10"), UnitPrice: dec("20.00"), NominalCode: "200", TaxCode: "0"}},
	}}
}

func quote() connectors.Record {
	return connectors.Record{Type: connectors.Quotes, Document: &connectors.Document{
		Code: "QU-0002", PartyCode: "C004", Date: day(2026, 11, 6), DueDate: day(2026, 12, 6), Reference: "Staff training", Currency: "GBP",
		Lines: []connectors.Line{{ItemCode: "COURSE-BARISTA", Description: "Barista course, one day", Quantity: dec("3"), UnitPrice: dec("145.00"), NominalCode: "260", TaxCode: "20", TaxAmount: dec("87.00")}},
	}}
}

func purchaseInvoice() connectors.Record {
	return connectors.Record{Type: connectors.PurchaseInvoices, Document: &connectors.Document{
		Code: "HG-55120", PartyCode: "S001", Date: day(2026, 11, 4), DueDate: day(2026, 12, 4), Reference: "Green coffee order 311", Currency: "GBP",
		Lines: []connectors.Line{
			{Description: "Green coffee, Brazil Cerrado, 60 kg sack", Quantity: dec("2"), UnitPrice: dec("312.00"), NominalCode: "300", TaxCode: "0"},
			{Description: "Freight", Quantity: dec("1"), UnitPrice: dec("85.00"), NominalCode: "300", TaxCode: "20", TaxAmount: dec("17.00")},
		},
	}}
}

func creditNote(credits string) connectors.Record {
	return connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{
		Code: "CN-0001", PartyCode: "C004", Date: day(2026, 11, 12), DueDate: day(2026, 11, 12), Reference: "Return of kettle from " + credits, Currency: "GBP",
		Lines:       []connectors.Line{{ItemCode: "KETTLE-GN", Description: "Gooseneck kettle, 1 l (returned unused)", Quantity: dec("1"), UnitPrice: dec("5.00"), NominalCode: "200", TaxCode: "20", TaxAmount: dec("1.00")}},
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: credits, Amount: dec("6.00")}},
	}}
}

func invoicePayment(code string, allocs map[string]string) connectors.Record {
	p := &connectors.Payment{Code: code, PartyCode: "C004", Date: day(2026, 11, 30), Currency: "GBP", BankAccount: "90", Reference: "BACS NORTHFIELD NOV"}
	p.Amount = decimal.Zero
	for _, doc := range []string{"INV-1004", "INV-1007", "INV-1001", "INV-1002"} {
		if a, ok := allocs[doc]; ok {
			p.Allocations = append(p.Allocations, connectors.Allocation{DocumentType: connectors.SalesInvoices, DocumentCode: doc, Amount: dec(a)})
			p.Amount = p.Amount.Add(dec(a))
		}
	}
	return connectors.Record{Type: connectors.InvoicePayments, Payment: p}
}

func purchasePayment() connectors.Record {
	return connectors.Record{Type: connectors.PurchasePayments, Payment: &connectors.Payment{
		Code: "PAY-0001", PartyCode: "S001", Date: day(2026, 11, 25), Amount: dec("200.00"), Currency: "GBP", BankAccount: "90",
		Reference:   "HIGHLAND GREEN HG-55120",
		Allocations: []connectors.Allocation{{DocumentType: connectors.PurchaseInvoices, DocumentCode: "HG-55120", Amount: dec("200.00")}},
	}}
}

func payrollJournal() connectors.Record {
	return connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{
		Code: "PAY-2026-11", Date: day(2026, 11, 28), Description: "Payroll November 2026",
		Lines: []connectors.JournalLine{
			{NominalCode: "477", Debit: dec("3400.00"), CostCentre: "SHOP", CostType: "SALARY", Description: "Gross salaries November"},
			{NominalCode: "478", Debit: dec("310.50"), CostCentre: "ROAST", CostType: "EMPLOYER-NI", Description: "Employer's NI November"},
			{NominalCode: "477", Debit: dec("120.00"), CostCentre: "SHOP", CostType: "SALARY", Description: "Overtime missed", Period: "2026-10"},
			{NominalCode: "814", Credit: dec("3830.50"), Description: "Net wages due"},
		},
	}}
}

// write sends one record and fails the test unless KashFlow takes it.
func (h *harness) write(t *testing.T, rec connectors.Record, remoteID string) string {
	t.Helper()
	res, err := h.conn.Write(t.Context(), rec.Type, []connectors.WriteItem{{Key: rec.Code(), RemoteID: remoteID, Record: rec}})
	if err != nil {
		t.Fatalf("writing %s %s: %v", rec.Type.Label(), rec.Code(), err)
	}
	if res[0].Err != nil {
		t.Fatalf("%s %s refused: %v", rec.Type.Label(), rec.Code(), res[0].Err)
	}
	return res[0].RemoteID
}

func (h *harness) get(t *testing.T, typ connectors.RecordType, id string) connectors.Remote {
	t.Helper()
	got, err := h.conn.Get(t.Context(), typ, []string{id})
	if err != nil || len(got) != 1 {
		t.Fatalf("Get %s %s: %v, %d records", typ.Label(), id, err, len(got))
	}
	return got[0]
}

func (h *harness) list(t *testing.T, typ connectors.RecordType, since time.Time) []connectors.Remote {
	t.Helper()
	var all []connectors.Remote
	if err := h.conn.ListChanged(t.Context(), typ, since, func(p []connectors.Remote) error { all = append(all, p...); return nil }); err != nil {
		t.Fatalf("ListChanged %s: %v", typ.Label(), err)
	}
	return all
}
