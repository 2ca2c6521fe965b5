package conformance

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// Samples produce valid records for the suite to send. Every call returns a
// record with a business code no earlier call returned. Documents and
// payments are given the prerequisite the suite has already created in the
// package (the customer of a sales invoice, the invoice a payment pays).
//
// A nil function is fine for a type the connector does not upload; the
// suite fails with a clear message if a claimed type has none.
type Samples struct {
	Customer        func() connectors.Record
	Supplier        func() connectors.Record
	Quote           func(customer connectors.Party) connectors.Record
	SalesInvoice    func(customer connectors.Party) connectors.Record
	CreditNote      func(customer connectors.Party) connectors.Record
	PurchaseInvoice func(supplier connectors.Party) connectors.Record
	// InvoicePayment and PurchasePayment pay part of invoice, allocated to it.
	InvoicePayment  func(invoice connectors.Document) connectors.Record
	PurchasePayment func(invoice connectors.Document) connectors.Record
	Journal         func() connectors.Record
	// Item is a product, for connectors that upload products.
	Item func() connectors.Record

	// Spoil turns a valid record into one of the same type and code that
	// the package refuses on its own (an unknown nominal code on a document,
	// for instance), so that the suite can check per-item errors.
	Spoil func(connectors.Record) connectors.Record
	// Change returns an edited copy of a valid record with the same code,
	// for the update test.
	Change func(connectors.Record) connectors.Record
}

// Codes are the package's own reference codes the default samples use.
type Codes struct {
	// Prefix starts every business code; blank means "CF". A simulator that
	// keeps state between runs should give a prefix unique to the run.
	Prefix string
	// Currency of every record; blank means GBP.
	Currency string
	// SalesAccount and PurchaseAccount are nominal codes documents may post to.
	SalesAccount    string
	PurchaseAccount string
	// TaxCode is put on every document line; blank leaves it to the package.
	TaxCode string
	// BankAccount is put on every payment; blank leaves it to the package.
	BankAccount string
	// JournalDebit and JournalCredit are the nominal codes of sample journals.
	JournalDebit  string
	JournalCredit string
	// InvalidAccount is a nominal code the package does not have; blank
	// means "NO-SUCH-ACCOUNT". The default Spoil uses it.
	InvalidAccount string
	// Date of every sample record; zero means 3 March 2025.
	Date connectors.Date
}

// NewSamples returns samples built from the package's codes: parties with
// contact details, documents with two lines, payments of 10.00 allocated to
// their invoice, and balanced two-line journals. Any field of the result may
// be replaced before handing it to the suite.
func NewSamples(c Codes) Samples {
	if c.Prefix == "" {
		c.Prefix = "CF"
	}
	if c.Currency == "" {
		c.Currency = "GBP"
	}
	if c.InvalidAccount == "" {
		c.InvalidAccount = "NO-SUCH-ACCOUNT"
	}
	if c.Date.IsZero() {
		c.Date = connectors.NewDate(2025, time.March, 3)
	}
	seq := new(atomic.Int64)
	code := func(kind string) string { return fmt.Sprintf("%s-%s%05d", c.Prefix, kind, seq.Add(1)) }

	party := func(t connectors.RecordType, kind, name string) connectors.Record {
		cd := code(kind)
		return connectors.Record{Type: t, Party: &connectors.Party{
			Code:          cd,
			Name:          name + " " + cd,
			ContactPerson: "Sam Example",
			Email:         "accounts@example.com",
			Phone:         "01632 960001",
			Currency:      c.Currency,
			BillingAddress: connectors.Address{
				Line1: "1 High Street", City: "Exampleton", PostalCode: "EX1 1AA", Country: "GB",
			},
		}}
	}
	document := func(t connectors.RecordType, kind string, party connectors.Party, account string, purchase bool) connectors.Record {
		cd := code(kind)
		return connectors.Record{Type: t, Document: &connectors.Document{
			Code:      cd,
			PartyCode: party.Code,
			Date:      c.Date,
			DueDate:   connectors.DateOf(c.Date.AddDate(0, 0, 30)),
			Reference: "Order " + cd,
			Currency:  c.Currency,
			Purchase:  purchase,
			Lines: []connectors.Line{
				{Description: "Blue widgets", Quantity: decimal.NewFromInt(2), UnitPrice: decimal.RequireFromString("50.00"), NominalCode: account, TaxCode: c.TaxCode},
				{Description: "Fitting, one hour", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.RequireFromString("25.50"), NominalCode: account, TaxCode: c.TaxCode},
			},
		}}
	}
	payment := func(t, invoiceType connectors.RecordType, kind string, inv connectors.Document) connectors.Record {
		amount := decimal.RequireFromString("10.00")
		return connectors.Record{Type: t, Payment: &connectors.Payment{
			Code:        code(kind),
			PartyCode:   inv.PartyCode,
			Date:        c.Date,
			Amount:      amount,
			Currency:    inv.Currency,
			BankAccount: c.BankAccount,
			Reference:   "Part payment of " + inv.Code,
			Allocations: []connectors.Allocation{{DocumentType: invoiceType, DocumentCode: inv.Code, Amount: amount}},
		}}
	}
	return Samples{
		Customer: func() connectors.Record { return party(connectors.Customers, "C", "Customer") },
		Supplier: func() connectors.Record { return party(connectors.Suppliers, "S", "Supplier") },
		Quote: func(p connectors.Party) connectors.Record {
			return document(connectors.Quotes, "Q", p, c.SalesAccount, false)
		},
		SalesInvoice: func(p connectors.Party) connectors.Record {
			return document(connectors.SalesInvoices, "SI", p, c.SalesAccount, false)
		},
		CreditNote: func(p connectors.Party) connectors.Record {
			return document(connectors.CreditNotes, "CN", p, c.SalesAccount, false)
		},
		PurchaseInvoice: func(p connectors.Party) connectors.Record {
			return document(connectors.PurchaseInvoices, "PI", p, c.PurchaseAccount, false)
		},
		InvoicePayment: func(inv connectors.Document) connectors.Record {
			return payment(connectors.InvoicePayments, connectors.SalesInvoices, "IP", inv)
		},
		PurchasePayment: func(inv connectors.Document) connectors.Record {
			return payment(connectors.PurchasePayments, connectors.PurchaseInvoices, "PP", inv)
		},
		Journal: func() connectors.Record {
			cd := code("J")
			amount := decimal.RequireFromString("1250.00")
			return connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{
				Code: cd, Company: "Example Payroll", Date: c.Date,
				Period:      c.Date.Format("2006-01"),
				Description: "Payroll " + cd,
				Lines: []connectors.JournalLine{
					{NominalCode: c.JournalDebit, Debit: amount, Description: "Gross wages"},
					{NominalCode: c.JournalCredit, Credit: amount, Description: "Net wages due"},
				},
			}}
		},
		Item: func() connectors.Record {
			cd := code("P")
			return connectors.Record{Type: connectors.Items, Item: &connectors.Item{
				Code: cd, Name: "Blue widget " + cd, Description: "Blue widget, boxed",
				SalesPrice: decimal.RequireFromString("50.00"), SalesAccount: c.SalesAccount,
				PurchasePrice: decimal.RequireFromString("21.40"), PurchaseAccount: c.PurchaseAccount,
			}}
		},
		Spoil: func(r connectors.Record) connectors.Record {
			r = r.Clone()
			switch {
			case r.Item != nil:
				r.Item.SalesAccount = c.InvalidAccount
			case r.Party != nil:
				r.Party.Name = ""
			case r.Document != nil && len(r.Document.Lines) > 0:
				r.Document.Lines[0].NominalCode = c.InvalidAccount
			case r.Payment != nil:
				doc := connectors.SalesInvoices
				if r.Type == connectors.PurchasePayments {
					doc = connectors.PurchaseInvoices
				}
				r.Payment.Allocations = []connectors.Allocation{{DocumentType: doc, DocumentCode: c.Prefix + "-MISSING-INVOICE", Amount: r.Payment.Amount}}
			case r.Journal != nil && len(r.Journal.Lines) > 0:
				r.Journal.Lines[0].NominalCode = c.InvalidAccount
			}
			return r
		},
		Change: func(r connectors.Record) connectors.Record {
			r = r.Clone()
			switch {
			case r.Party != nil:
				r.Party.Name += " (renamed)"
				r.Party.Email = "new-accounts@example.com"
			case r.Document != nil:
				r.Document.Reference += " (amended)"
				if len(r.Document.Lines) > 0 {
					r.Document.Lines[0].Description += " (amended)"
					r.Document.Lines[0].Quantity = r.Document.Lines[0].Quantity.Add(decimal.NewFromInt(1))
				}
			case r.Payment != nil:
				r.Payment.Reference += " (amended)"
			case r.Journal != nil:
				r.Journal.Description += " (amended)"
			case r.Item != nil:
				r.Item.Name += " (renamed)"
				r.Item.SalesPrice = r.Item.SalesPrice.Add(decimal.NewFromInt(1))
			}
			return r
		},
	}
}
