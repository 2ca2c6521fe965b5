package uniconta_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(d int) connectors.Date { return connectors.NewDate(2026, time.November, d) }

// business is a business's records in the shape of the sample business
// (the same codes and counts as assets/sample): 8 customers, 3 suppliers,
// 2 quotes, 12 sales invoices, 4 purchase invoices, 1 credit note, 3
// payments received (one paying two invoices), 2 payments made and one
// payroll journal with cost centres, cost types and a corrected period.
type business struct {
	customers, suppliers, quotes, invoices, purchases, credits, receipts, payments, journals []connectors.Record
}

func sampleBusiness() business {
	var b business
	for i := 1; i <= 8; i++ {
		p := &connectors.Party{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("Customer %d", i), Email: fmt.Sprintf("c%d@example.com", i),
			Currency: "GBP", BillingAddress: connectors.Address{Line1: "1 Quay Street", City: "Bristol", PostalCode: "BS1 4DB", Country: "United Kingdom"}}
		if i > 3 {
			p.ContactPerson = "Priya Shah"
		}
		b.customers = append(b.customers, connectors.Record{Type: connectors.Customers, Party: p})
	}
	for i := 1; i <= 3; i++ {
		b.suppliers = append(b.suppliers, connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{Code: fmt.Sprintf("S%03d", i),
			Name: fmt.Sprintf("Supplier %d Ltd", i), ContactPerson: "Ewan Fraser", Currency: "GBP"}})
	}
	line := func(item, account, tax, qty, price, cc string) connectors.Line {
		return connectors.Line{ItemCode: item, Description: item, Quantity: dec(qty), UnitPrice: dec(price), NominalCode: account, TaxCode: tax, CostCentre: cc}
	}
	doc := func(t connectors.RecordType, code, party string, status connectors.DocumentStatus, lines ...connectors.Line) connectors.Record {
		return connectors.Record{Type: t, Document: &connectors.Document{Code: code, PartyCode: party, Date: day(3), DueDate: day(30),
			Reference: "Ref " + code, Currency: "GBP", Status: status, Lines: lines}}
	}
	b.quotes = append(b.quotes,
		doc(connectors.Quotes, "QU-0001", "C005", connectors.StatusSubmitted, line("BEAN-HOUSE-1KG", "200", "ZERORATEDOUTPUT", "144", "18.00", "WHOLESALE")),
		doc(connectors.Quotes, "QU-0002", "C007", connectors.StatusSubmitted, line("COURSE-BARISTA", "260", "OUTPUT2", "2", "145.00", "TRAINING")))
	parties := []string{"C001", "C004", "C002", "C005", "C003", "C006", "C005", "C008", "C004", "C002", "C007", "C001"}
	for i, party := range parties {
		status := connectors.StatusAuthorised
		if i == 10 {
			status = connectors.StatusDraft
		}
		b.invoices = append(b.invoices, doc(connectors.SalesInvoices, fmt.Sprintf("INV-%d", 1001+i), party, status,
			line("BEAN-HOUSE-1KG", "200", "ZERORATEDOUTPUT", "2", "18.00", "SHOP"), line("DELIVERY", "200", "OUTPUT2", "1", "6.50", "SHOP")))
	}
	for i, code := range []string{"HG-55120", "PR-2026-0311", "BSM-0087", "HG-55188"} {
		b.purchases = append(b.purchases, doc(connectors.PurchaseInvoices, code, fmt.Sprintf("S%03d", []int{1, 2, 3, 1}[i]), connectors.StatusAuthorised,
			line("", "300", "ZERORATEDINPUT", "2", "312.00", "ROAST"), line("", "300", "INPUT2", "1", "45.00", "ROAST")))
	}
	cn := doc(connectors.CreditNotes, "CN-0001", "C002", connectors.StatusAuthorised, line("KETTLE-GN", "200", "OUTPUT2", "1", "65.00", "SHOP"))
	cn.Document.Allocations = []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1003", Amount: dec("20.00")}}
	b.credits = append(b.credits, cn)
	pay := func(t connectors.RecordType, code, party string, allocs ...connectors.Allocation) connectors.Record {
		total := decimal.Zero
		for _, a := range allocs {
			total = total.Add(a.Amount)
		}
		return connectors.Record{Type: t, Payment: &connectors.Payment{Code: code, PartyCode: party, Date: day(28), Amount: total,
			Currency: "GBP", BankAccount: "090", Allocations: allocs}}
	}
	alloc := func(t connectors.RecordType, code, amount string) connectors.Allocation {
		return connectors.Allocation{DocumentType: t, DocumentCode: code, Amount: dec(amount)}
	}
	b.receipts = append(b.receipts,
		pay(connectors.InvoicePayments, "RCPT-0001", "C001", alloc(connectors.SalesInvoices, "INV-1001", "43.80")),
		pay(connectors.InvoicePayments, "RCPT-0002", "C004", alloc(connectors.SalesInvoices, "INV-1002", "43.80")),
		pay(connectors.InvoicePayments, "RCPT-0003", "C005", alloc(connectors.SalesInvoices, "INV-1004", "43.80"), alloc(connectors.SalesInvoices, "INV-1007", "43.80")))
	b.payments = append(b.payments,
		pay(connectors.PurchasePayments, "PAY-0001", "S001", alloc(connectors.PurchaseInvoices, "HG-55120", "678.00")),
		pay(connectors.PurchasePayments, "PAY-0002", "S003", alloc(connectors.PurchaseInvoices, "BSM-0087", "678.00")))
	jl := func(acct, dr, cr, cc, ct, desc, period string) connectors.JournalLine {
		l := connectors.JournalLine{NominalCode: acct, CostCentre: cc, CostType: ct, Description: desc, Period: period}
		if dr != "" {
			l.Debit = dec(dr)
		}
		if cr != "" {
			l.Credit = dec(cr)
		}
		return l
	}
	b.journals = append(b.journals, connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{
		Code: "PAY-2026-11", Company: "HLCR", Date: day(28), Period: "2026-11", Description: "Payroll November 2026",
		Lines: []connectors.JournalLine{
			jl("477", "3400.00", "", "SHOP", "SALARY", "Gross salaries November", ""),
			jl("477", "2800.00", "", "ROAST", "SALARY", "Gross salaries November", ""),
			jl("478", "310.50", "", "SHOP", "EMPLOYER-NI", "Employer's NI November", ""),
			jl("477", "120.00", "", "ROAST", "SALARY", "Overtime missed in October", "2026-10"),
			jl("814", "", "5000.00", "", "", "Net wages due", ""),
			jl("825", "", "1630.50", "", "", "PAYE and NI due", ""),
		}}})
	return b
}

// all lists the records in upload order (what documents need goes first).
func (b business) all() [][]connectors.Record {
	return [][]connectors.Record{b.customers, b.suppliers, b.quotes, b.invoices, b.purchases, b.credits, b.receipts, b.payments, b.journals}
}
