package memory_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/memory"
)

var start = time.Date(2025, time.March, 10, 9, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return start }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(d int) connectors.Date { return connectors.NewDate(2025, time.March, d) }

func TestConformance(t *testing.T) {
	codes := conformance.Codes{
		SalesAccount: "4000", PurchaseAccount: "5100", TaxCode: "T1", BankAccount: "1200",
		JournalDebit: "7000", JournalCredit: "2220",
	}
	t.Run("small pages", func(t *testing.T) {
		conformance.Run(t, conformance.Harness{
			Name: "memory",
			Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
				l := memory.NewLedger(memory.WithClock(fixedClock), memory.WithPageSize(7))
				return l.Connection(), l
			},
			Caps:     memory.Capabilities(),
			Sample:   conformance.NewSamples(codes),
			PageSize: 7,
		})
	})
	t.Run("opened from its definition", func(t *testing.T) {
		conformance.Run(t, conformance.Harness{
			Name: "memory",
			Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
				l := memory.NewLedger(memory.WithClock(fixedClock))
				def := memory.NewDefinition(l)
				conn, err := def.Open(t.Context(), connectors.Config{Module: def.Name, Settings: map[string]string{"organisation": "Conformance Ltd"}})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return conn, l
			},
			Caps:   memory.Definition().Caps,
			Sample: conformance.NewSamples(codes),
		})
	})
}

func TestDefinition(t *testing.T) {
	def := memory.Definition()
	if def.Name != "memory" || def.Title != "Reference ledger (in memory)" {
		t.Errorf("Name %q Title %q", def.Name, def.Title)
	}
	caps := def.Caps
	if caps.BatchSize != 50 || !caps.IncrementalPull || !caps.IdempotencyKeys || !caps.Deletions {
		t.Errorf("caps %+v", caps)
	}
	for _, typ := range append(connectors.MatrixTypes(), connectors.CreditNotes, connectors.Journals, connectors.Items) {
		if !caps.Supports(typ, connectors.Upload) || !caps.Supports(typ, connectors.Mirror) {
			t.Errorf("%s should flow both ways", typ)
		}
	}
	for _, typ := range connectors.AncillaryTypes() {
		if typ == connectors.Items {
			continue
		}
		if !caps.Supports(typ, connectors.Mirror) || caps.Supports(typ, connectors.Upload) {
			t.Errorf("%s should be mirror only", typ)
		}
	}
	reg := connectors.NewRegistry()
	if err := reg.Register(def); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if notes := def.Notes(nil, nil); len(notes) != 0 {
		t.Errorf("with defaults the module should be ready, notes: %v", notes)
	}
	if notes := def.Notes(map[string]string{"base_currency": "POUNDS"}, nil); len(notes) != 1 || !strings.Contains(notes[0], "three-letter") {
		t.Errorf("a bad currency should give one plain note, got %v", notes)
	}

	tests := []struct {
		name     string
		settings map[string]string
		want     connectors.Identity
		wantErr  bool
	}{
		{"defaults", nil, connectors.Identity{Organisation: "Demo Company", Currency: "GBP"}, false},
		{"own settings", map[string]string{"organisation": "Acme Ltd", "base_currency": "eur"}, connectors.Identity{Organisation: "Acme Ltd", Currency: "EUR"}, false},
		{"bad currency", map[string]string{"base_currency": "12"}, connectors.Identity{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := def.Open(t.Context(), connectors.Config{Module: def.Name, Settings: tc.settings})
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Open accepted %v", tc.settings)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			id, err := conn.Check(t.Context())
			if err != nil || id != tc.want {
				t.Errorf("Check = %+v, %v; want %+v", id, err, tc.want)
			}
		})
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := def.Open(ctx, connectors.Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: %v", err)
	}
}

func TestDefinitionSharesItsLedger(t *testing.T) {
	l := memory.NewLedger()
	def := memory.NewDefinition(l)
	a, err := def.Open(t.Context(), connectors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := def.Open(t.Context(), connectors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	writeOK(t, a.(connectors.Writer), connectors.Customers, customer("C1", "Ann Smith"))
	found, err := b.(connectors.Reader).FindByCode(t.Context(), connectors.Customers, []string{"C1"})
	if err != nil || len(found) != 1 {
		t.Errorf("second connection sees %d records, err %v", len(found), err)
	}
	if l.Count(connectors.Customers) != 1 {
		t.Errorf("ledger holds %d customers", l.Count(connectors.Customers))
	}
	if a.(*memory.Conn).Ledger() != l {
		t.Errorf("the connection reaches another ledger")
	}
}

// --- record builders -------------------------------------------------------

func customer(code, name string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: name, Currency: "GBP"}}
}

func supplier(code, name string) connectors.Record {
	return connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{Code: code, Name: name}}
}

func document(t connectors.RecordType, code, party, nominal string, price string) connectors.Record {
	return connectors.Record{Type: t, Document: &connectors.Document{
		Code: code, PartyCode: party, Date: day(3), DueDate: day(31), Currency: "GBP",
		Lines: []connectors.Line{{Description: "Goods", Quantity: decimal.NewFromInt(1), UnitPrice: dec(price), NominalCode: nominal, TaxCode: "T1"}},
	}}
}

func invoice(code, party, price string) connectors.Record {
	return document(connectors.SalesInvoices, code, party, "4000", price)
}

func payment(t connectors.RecordType, code, party, amount string, allocs ...connectors.Allocation) connectors.Record {
	return connectors.Record{Type: t, Payment: &connectors.Payment{
		Code: code, PartyCode: party, Date: day(12), Amount: dec(amount), Currency: "GBP", BankAccount: "1200", Allocations: allocs,
	}}
}

func alloc(t connectors.RecordType, doc, amount string) connectors.Allocation {
	return connectors.Allocation{DocumentType: t, DocumentCode: doc, Amount: dec(amount)}
}

func journal(code string, lines ...connectors.JournalLine) connectors.Record {
	return connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{
		Code: code, Company: "Payroll", Date: day(31), Period: "2025-03", Lines: lines,
	}}
}

func dr(code, amount string) connectors.JournalLine {
	return connectors.JournalLine{NominalCode: code, Debit: dec(amount)}
}

func cr(code, amount string) connectors.JournalLine {
	return connectors.JournalLine{NominalCode: code, Credit: dec(amount)}
}

// valid returns a valid record of type t that needs only what seedBasics puts.
func valid(t connectors.RecordType, code string) connectors.Record {
	switch t {
	case connectors.Customers:
		return customer(code, "Customer "+code)
	case connectors.Suppliers:
		return supplier(code, "Supplier "+code)
	case connectors.PurchaseInvoices:
		return document(t, code, "S1", "5100", "40.00")
	case connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes:
		return document(t, code, "C1", "4000", "40.00")
	case connectors.InvoicePayments:
		return payment(t, code, "C1", "5.00")
	case connectors.PurchasePayments:
		return payment(t, code, "S1", "5.00")
	case connectors.Journals:
		return journal(code, dr("7000", "100"), cr("2220", "100"))
	}
	return connectors.Record{Type: t} // no payload: every use of it fails loudly
}

// seedBasics puts customers C1 and C2, supplier S1, sales invoice INV-1 for
// C1 (100.00 + 20% VAT = 120.00) and purchase invoice PINV-1 for S1 (60.00).
func seedBasics(t *testing.T, l *memory.Ledger) {
	t.Helper()
	for _, r := range []connectors.Record{
		customer("C1", "Ann Smith"), customer("C2", "Bob Jones"), supplier("S1", "Parts Ltd"),
		invoice("INV-1", "C1", "100.00"), document(connectors.PurchaseInvoices, "PINV-1", "S1", "5100", "50.00"),
	} {
		if _, err := l.Put(r.Type, connectors.Remote{Record: r}); err != nil {
			t.Fatalf("seeding %s %s: %v", r.Type, r.Code(), err)
		}
	}
}

func writeOK(t *testing.T, w connectors.Writer, typ connectors.RecordType, recs ...connectors.Record) []string {
	t.Helper()
	items := make([]connectors.WriteItem, len(recs))
	for i, r := range recs {
		items[i] = connectors.WriteItem{Key: "k-" + string(typ) + "-" + r.Code(), Record: r}
	}
	res, err := w.Write(t.Context(), typ, items)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("writing %s: %v", items[i].Record.Code(), r.Err)
		}
		ids[i] = r.RemoteID
	}
	return ids
}

func findOne(t *testing.T, c *memory.Conn, typ connectors.RecordType, code string) connectors.Remote {
	t.Helper()
	got, err := c.FindByCode(t.Context(), typ, []string{code})
	if err != nil || len(got) != 1 {
		t.Fatalf("FindByCode %s %s: %d records, %v", typ, code, len(got), err)
	}
	return got[0]
}

// --- validation ------------------------------------------------------------

func TestWriteValidation(t *testing.T) {
	tests := []struct {
		name    string
		typ     connectors.RecordType
		bad     func() connectors.Record
		code    string
		message string
	}{
		{"invoice without customer", connectors.SalesInvoices,
			func() connectors.Record { return invoice("BAD-1", "", "10") },
			memory.CodeMissingParty, "A customer must be given for sales invoice 'BAD-1'."},
		{"invoice for unknown customer", connectors.SalesInvoices,
			func() connectors.Record { return invoice("BAD-1", "NOBODY", "10") },
			memory.CodeUnknownParty, "Customer 'NOBODY' does not exist in this ledger."},
		{"purchase invoice for unknown supplier", connectors.PurchaseInvoices,
			func() connectors.Record {
				return document(connectors.PurchaseInvoices, "BAD-1", "NOBODY", "5100", "10")
			},
			memory.CodeUnknownParty, "Supplier 'NOBODY' does not exist in this ledger."},
		{"unknown nominal", connectors.SalesInvoices,
			func() connectors.Record { return document(connectors.SalesInvoices, "BAD-1", "C1", "9999", "10") },
			memory.CodeInvalidAccount, "Account code '9999' is not a valid code for this document."},
		{"stock nominal", connectors.SalesInvoices,
			func() connectors.Record { return document(connectors.SalesInvoices, "BAD-1", "C1", "1001", "10") },
			memory.CodeInvalidAccount, "Account code '1001' is not a valid code for this document."},
		{"cost-of-sale nominal", connectors.PurchaseInvoices,
			func() connectors.Record { return document(connectors.PurchaseInvoices, "BAD-1", "S1", "5000", "10") },
			memory.CodeInvalidAccount, "Account code '5000' is not a valid code for this document."},
		{"archived nominal", connectors.Quotes,
			func() connectors.Record { return document(connectors.Quotes, "BAD-1", "C1", "4999", "10") },
			memory.CodeInvalidAccount, "Account code '4999' is not a valid code for this document."},
		{"no nominal and no item", connectors.SalesInvoices,
			func() connectors.Record { return document(connectors.SalesInvoices, "BAD-1", "C1", "", "10") },
			memory.CodeMissingAccount, "An account code must be given on line 1."},
		{"unknown item", connectors.SalesInvoices,
			func() connectors.Record {
				r := invoice("BAD-1", "C1", "10")
				r.Document.Lines[0].ItemCode = "NOPE"
				return r
			},
			memory.CodeUnknownItem, "Item code 'NOPE' on line 1 does not exist."},
		{"unknown tax rate", connectors.SalesInvoices,
			func() connectors.Record {
				r := invoice("BAD-1", "C1", "10")
				r.Document.Lines[0].TaxCode = "T7"
				return r
			},
			memory.CodeUnknownTaxRate, "Tax rate 'T7' on line 1 is not a valid tax rate."},
		{"duplicate invoice number", connectors.SalesInvoices,
			func() connectors.Record { return invoice("INV-1", "C1", "10") },
			memory.CodeDuplicateNumber, "Sales invoice number 'INV-1' has already been used."},
		{"no lines", connectors.CreditNotes,
			func() connectors.Record {
				r := document(connectors.CreditNotes, "BAD-1", "C1", "4000", "10")
				r.Document.Lines = nil
				return r
			},
			memory.CodeNoLines, "Credit note 'BAD-1' must have at least one line."},
		{"no date", connectors.SalesInvoices,
			func() connectors.Record {
				r := invoice("BAD-1", "C1", "10")
				r.Document.Date = connectors.Date{}
				return r
			},
			memory.CodeMissingDate, "Sales invoice 'BAD-1' has no date."},
		{"due before date", connectors.SalesInvoices,
			func() connectors.Record {
				r := invoice("BAD-1", "C1", "10")
				r.Document.DueDate = day(1)
				return r
			},
			memory.CodeDueBeforeDate, "The due date 2025-03-01 is before the document date 2025-03-03."},
		{"currency not enabled", connectors.SalesInvoices,
			func() connectors.Record {
				r := invoice("BAD-1", "C1", "10")
				r.Document.Currency = "JPY"
				return r
			},
			memory.CodeUnknownCurrency, "Currency 'JPY' is not enabled for this organisation."},
		{"customer without name", connectors.Customers,
			func() connectors.Record { return customer("BAD-1", " ") },
			memory.CodeMissingName, "A name must be given for customer 'BAD-1'."},
		{"duplicate customer code", connectors.Customers,
			func() connectors.Record { return customer("C1", "Another Ann") },
			memory.CodeDuplicateCode, "A customer with account code 'C1' already exists."},
		{"payment of nothing", connectors.InvoicePayments,
			func() connectors.Record { return payment(connectors.InvoicePayments, "BAD-1", "C1", "0") },
			memory.CodeInvalidAmount, "The amount of payment 'BAD-1' must be greater than zero."},
		{"payment into unknown bank account", connectors.InvoicePayments,
			func() connectors.Record {
				r := payment(connectors.InvoicePayments, "BAD-1", "C1", "5")
				r.Payment.BankAccount = "9999"
				return r
			},
			memory.CodeUnknownBankAccount, "Bank account '9999' does not exist."},
		{"allocation to unknown invoice", connectors.InvoicePayments,
			func() connectors.Record {
				return payment(connectors.InvoicePayments, "BAD-1", "C1", "5", alloc(connectors.SalesInvoices, "NOPE", "5"))
			},
			memory.CodeUnknownInvoice, "Invoice 'NOPE' could not be found to allocate the payment to."},
		{"payment above amount due", connectors.InvoicePayments,
			func() connectors.Record {
				return payment(connectors.InvoicePayments, "BAD-1", "C1", "500", alloc(connectors.SalesInvoices, "INV-1", "500"))
			},
			memory.CodeAmountAboveDue, "The payment of 500.00 is more than the 120.00 still due on invoice 'INV-1'."},
		{"allocations above payment", connectors.InvoicePayments,
			func() connectors.Record {
				return payment(connectors.InvoicePayments, "BAD-1", "C1", "10", alloc(connectors.SalesInvoices, "INV-1", "20"))
			},
			memory.CodeAllocationsTooLarge, "The allocations (20.00) add up to more than payment 'BAD-1' (10.00)."},
		{"allocation to another customer's invoice", connectors.InvoicePayments,
			func() connectors.Record {
				return payment(connectors.InvoicePayments, "BAD-1", "C2", "10", alloc(connectors.SalesInvoices, "INV-1", "10"))
			},
			memory.CodeWrongParty, "Invoice 'INV-1' belongs to customer 'C1', not 'C2'."},
		{"allocation in another currency", connectors.InvoicePayments,
			func() connectors.Record {
				r := payment(connectors.InvoicePayments, "BAD-1", "C1", "10", alloc(connectors.SalesInvoices, "INV-1", "10"))
				r.Payment.Currency = "EUR"
				return r
			},
			memory.CodeCurrencyMismatch, "The payment is in EUR but invoice 'INV-1' is in GBP."},
		{"customer payment to purchase invoice", connectors.InvoicePayments,
			func() connectors.Record {
				return payment(connectors.InvoicePayments, "BAD-1", "", "10", alloc(connectors.PurchaseInvoices, "PINV-1", "10"))
			},
			memory.CodeWrongDocumentType, "A payment of this kind can only be allocated to sales invoices, not to a purchase invoice."},
		{"supplier payment to unknown purchase invoice", connectors.PurchasePayments,
			func() connectors.Record {
				return payment(connectors.PurchasePayments, "BAD-1", "S1", "10", alloc(connectors.PurchaseInvoices, "INV-1", "10"))
			},
			memory.CodeUnknownInvoice, "Invoice 'INV-1' could not be found to allocate the payment to."},
		{"unbalanced journal", connectors.Journals,
			func() connectors.Record { return journal("BAD-1", dr("7000", "100"), cr("2220", "90")) },
			memory.CodeUnbalancedJournal, "Journal 'BAD-1' does not balance: debits 100.00, credits 90.00."},
		{"one-line journal", connectors.Journals,
			func() connectors.Record { return journal("BAD-1", dr("7000", "100")) },
			memory.CodeJournalTooShort, "Journal 'BAD-1' must have at least two lines."},
		{"journal line both ways", connectors.Journals,
			func() connectors.Record {
				l := dr("7000", "100")
				l.Credit = dec("100")
				return journal("BAD-1", l, cr("2220", "100"))
			},
			memory.CodeInvalidJournalLine, "Line 1 of journal 'BAD-1' must have either a debit or a credit."},
		{"journal to unknown nominal", connectors.Journals,
			func() connectors.Record { return journal("BAD-1", dr("7000", "100"), cr("2299", "100")) },
			memory.CodeInvalidAccount, "Account code '2299' is not a valid code for this document."},
		{"record of another type", connectors.SalesInvoices,
			func() connectors.Record { return document(connectors.Quotes, "BAD-1", "C1", "4000", "10") },
			memory.CodeWrongType, "The record sent is a quote, not a sales invoice."},
		{"record without payload", connectors.Customers,
			func() connectors.Record { return connectors.Record{Type: connectors.Customers} },
			memory.CodeWrongType, "The customer sent is incomplete: invalid record: customer record must carry exactly one payload, has 0."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := memory.NewLedger(memory.WithClock(fixedClock))
			seedBasics(t, l)
			conn := l.Connection()
			before := l.Count(tc.typ)
			dueBefore := findOne(t, conn, connectors.SalesInvoices, "INV-1").Record.Document.AmountDue
			items := []connectors.WriteItem{
				{Key: "good-1", Record: valid(tc.typ, "GOOD-1")},
				{Key: "bad", Record: tc.bad()},
				{Key: "good-2", Record: valid(tc.typ, "GOOD-2")},
			}
			res, err := conn.Write(t.Context(), tc.typ, items)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if len(res) != 3 {
				t.Fatalf("%d results for 3 items", len(res))
			}
			for _, i := range []int{0, 2} {
				if res[i].Err != nil || res[i].RemoteID == "" || res[i].Key != items[i].Key {
					t.Errorf("neighbour %d: %+v", i, res[i])
				}
			}
			var ie *connectors.ItemError
			if !errors.As(res[1].Err, &ie) {
				t.Fatalf("bad item: %v; want an ItemError", res[1].Err)
			}
			if ie.Code != tc.code || ie.Message != tc.message {
				t.Errorf("bad item: code %q message %q\nwant code %q message %q", ie.Code, ie.Message, tc.code, tc.message)
			}
			if res[1].RemoteID != "" {
				t.Errorf("refused item got remote ID %q", res[1].RemoteID)
			}
			if got := l.Count(tc.typ); got != before+2 {
				t.Errorf("ledger holds %d %s, want %d", got, tc.typ, before+2)
			}
			if due := findOne(t, conn, connectors.SalesInvoices, "INV-1").Record.Document.AmountDue; !due.Equal(dueBefore) {
				t.Errorf("a refused item changed INV-1's amount due from %s to %s", dueBefore, due)
			}
			why, ok := conn.Explain(res[1].Err)
			if !ok || why.Cause == "" || why.Fix == "" {
				t.Fatalf("Explain(%q) = %+v, %v", ie.Message, why, ok)
			}
			if byWords, ok := conn.Explain(&connectors.ItemError{Message: ie.Message}); !ok || !reflect.DeepEqual(byWords, why) {
				t.Errorf("Explain by the words alone = %+v, %v; want %+v", byWords, ok, why)
			}
		})
	}
}

func TestWriteAcceptsDefaultsFromItemsAndAccounts(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock))
	seedBasics(t, l)
	conn := l.Connection()
	r := invoice("INV-2", "C1", "0")
	r.Document.Currency = ""
	r.Document.Lines = []connectors.Line{
		// No nominal: the item's sales account (4000, standard rate) is used.
		{ItemCode: "WIDGET", Description: "Widgets", Quantity: dec("4"), UnitPrice: dec("12.50")},
		// No tax code: the account's (T1) is used; 10% discount.
		{Description: "Fitting", Quantity: dec("1"), UnitPrice: dec("85"), NominalCode: "4010", DiscountPercent: dec("10")},
		// Tax computed by the business system is kept.
		{Description: "Delivery", Quantity: dec("1"), UnitPrice: dec("7.95"), NominalCode: "4905", TaxAmount: dec("1.50")},
	}
	writeOK(t, conn, connectors.SalesInvoices, r)
	got := findOne(t, conn, connectors.SalesInvoices, "INV-2").Record.Document
	// (50 + 10) + (76.50 + 15.30) + (7.95 + 1.50) = 161.25
	if !got.Total.Equal(dec("161.25")) || !got.AmountDue.Equal(dec("161.25")) {
		t.Errorf("total %s amount due %s; want 161.25 both", got.Total, got.AmountDue)
	}
	if got.Currency != "GBP" || got.Status != connectors.StatusAuthorised {
		t.Errorf("currency %q status %q; want the base currency and authorised", got.Currency, got.Status)
	}
	q := document(connectors.Quotes, "Q-1", "C1", "4000", "10")
	writeOK(t, conn, connectors.Quotes, q)
	if due := findOne(t, conn, connectors.Quotes, "Q-1").Record.Document.AmountDue; !due.IsZero() {
		t.Errorf("a quote is owed %s; want nothing", due)
	}
}

func TestUpdateRules(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock))
	seedBasics(t, l)
	conn := l.Connection()
	inv := findOne(t, conn, connectors.SalesInvoices, "INV-1")
	c2 := findOne(t, conn, connectors.Customers, "C2")
	writeOK(t, conn, connectors.InvoicePayments, payment(connectors.InvoicePayments, "P-1", "C1", "60", alloc(connectors.SalesInvoices, "INV-1", "60")))
	pay := findOne(t, conn, connectors.InvoicePayments, "P-1")

	cheaper := invoice("INV-1", "C1", "40.00") // 48.00 with VAT, below the 60.00 paid
	dearer := invoice("INV-1", "C1", "150.00") // 180.00 with VAT
	tests := []struct {
		name     string
		typ      connectors.RecordType
		remoteID string
		rec      connectors.Record
		code     string
		message  string
	}{
		{"unknown remote ID", connectors.SalesInvoices, "MEM-999999", invoice("INV-9", "C1", "1"),
			memory.CodeNotFound, "There is no sales invoice with ID 'MEM-999999'."},
		{"remote ID of another type", connectors.Customers, inv.RemoteID, customer("C9", "Nobody"),
			memory.CodeNotFound, fmt.Sprintf("There is no customer with ID '%s'.", inv.RemoteID)},
		{"code taken by another record", connectors.Customers, c2.RemoteID, customer("C1", "Bob Jones"),
			memory.CodeDuplicateCode, "A customer with account code 'C1' already exists."},
		{"payment", connectors.InvoicePayments, pay.RemoteID, payment(connectors.InvoicePayments, "P-1", "C1", "70"),
			memory.CodePaymentLocked, "Payment 'P-1' cannot be changed once entered; delete it in the ledger and enter it again."},
		{"invoice total below what is paid", connectors.SalesInvoices, inv.RemoteID, cheaper,
			memory.CodeTotalBelowPaid, "Sales invoice 'INV-1' has 60.00 paid against it; its new total of 48.00 would be less than that."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := conn.Write(t.Context(), tc.typ, []connectors.WriteItem{{Key: "u-" + tc.name, RemoteID: tc.remoteID, Record: tc.rec}})
			if err != nil {
				t.Fatal(err)
			}
			var ie *connectors.ItemError
			if !errors.As(res[0].Err, &ie) || ie.Code != tc.code || ie.Message != tc.message {
				t.Errorf("got %v; want %s %q", res[0].Err, tc.code, tc.message)
			}
		})
	}

	writeOK(t, conn, connectors.SalesInvoices) // an empty batch is fine
	res, err := conn.Write(t.Context(), connectors.SalesInvoices, []connectors.WriteItem{{Key: "dearer", RemoteID: inv.RemoteID, Record: dearer}})
	if err != nil || res[0].Err != nil || res[0].RemoteID != inv.RemoteID {
		t.Fatalf("raising the invoice: %+v, %v", res, err)
	}
	got := findOne(t, conn, connectors.SalesInvoices, "INV-1").Record.Document
	if !got.Total.Equal(dec("180")) || !got.AmountDue.Equal(dec("120")) {
		t.Errorf("after raising: total %s due %s; want 180 and 120 (60 already paid)", got.Total, got.AmountDue)
	}

	renamed := customer("C2-NEW", "Bob Jones")
	if r, err := conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "rename", RemoteID: c2.RemoteID, Record: renamed}}); err != nil || r[0].Err != nil {
		t.Fatalf("renaming code: %+v %v", r, err)
	}
	if got, _ := conn.FindByCode(t.Context(), connectors.Customers, []string{"C2"}); len(got) != 0 {
		t.Errorf("the old code still finds %d records", len(got))
	}
	if got := findOne(t, conn, connectors.Customers, "C2-NEW"); got.RemoteID != c2.RemoteID {
		t.Errorf("the new code finds %s, want %s", got.RemoteID, c2.RemoteID)
	}
}

// --- payments and allocations ----------------------------------------------

func TestAllocations(t *testing.T) {
	type step struct {
		rec     connectors.Record
		refused string // error code, or "" when accepted
	}
	type due struct {
		typ    connectors.RecordType
		code   string
		amount string
		status connectors.DocumentStatus
	}
	inv2 := invoice("INV-2", "C1", "50.00") // 60.00 with VAT
	tests := []struct {
		name  string
		extra []connectors.Record // written before the payments
		steps []step              // written in one batch, in order
		want  []due
	}{
		{"part payment", nil,
			[]step{{payment(connectors.InvoicePayments, "P-1", "C1", "50", alloc(connectors.SalesInvoices, "INV-1", "50")), ""}},
			[]due{{connectors.SalesInvoices, "INV-1", "70", connectors.StatusAuthorised}}},
		{"paid in full", nil,
			[]step{{payment(connectors.InvoicePayments, "P-1", "C1", "120", alloc(connectors.SalesInvoices, "INV-1", "120")), ""}},
			[]due{{connectors.SalesInvoices, "INV-1", "0", connectors.StatusPaid}}},
		{"second payment in the batch over-allocates", nil,
			[]step{
				{payment(connectors.InvoicePayments, "P-1", "C1", "100", alloc(connectors.SalesInvoices, "INV-1", "100")), ""},
				{payment(connectors.InvoicePayments, "P-2", "C1", "30", alloc(connectors.SalesInvoices, "INV-1", "30")), memory.CodeAmountAboveDue},
				{payment(connectors.InvoicePayments, "P-3", "C1", "20", alloc(connectors.SalesInvoices, "INV-1", "20")), ""},
			},
			[]due{{connectors.SalesInvoices, "INV-1", "0", connectors.StatusPaid}}},
		{"one payment over two invoices", []connectors.Record{inv2},
			[]step{{payment(connectors.InvoicePayments, "P-1", "C1", "150",
				alloc(connectors.SalesInvoices, "INV-1", "120"), alloc(connectors.SalesInvoices, "INV-2", "25")), ""}},
			[]due{{connectors.SalesInvoices, "INV-1", "0", connectors.StatusPaid}, {connectors.SalesInvoices, "INV-2", "35", connectors.StatusAuthorised}}},
		{"two allocations to one invoice add up to too much", nil,
			[]step{{payment(connectors.InvoicePayments, "P-1", "C1", "130",
				alloc(connectors.SalesInvoices, "INV-1", "65"), alloc(connectors.SalesInvoices, "INV-1", "65")), memory.CodeAmountAboveDue}},
			[]due{{connectors.SalesInvoices, "INV-1", "120", connectors.StatusAuthorised}}},
		{"type of allocation left blank", nil,
			[]step{{payment(connectors.InvoicePayments, "P-1", "", "20", alloc("", "INV-1", "20")), ""}},
			[]due{{connectors.SalesInvoices, "INV-1", "100", connectors.StatusAuthorised}}},
		{"supplier payment", nil,
			[]step{{payment(connectors.PurchasePayments, "PP-1", "S1", "60", alloc(connectors.PurchaseInvoices, "PINV-1", "60")), ""}},
			[]due{{connectors.PurchaseInvoices, "PINV-1", "0", connectors.StatusPaid}}},
		{"unallocated payment on account", nil,
			[]step{{payment(connectors.InvoicePayments, "P-1", "C1", "500"), ""}},
			[]due{{connectors.SalesInvoices, "INV-1", "120", connectors.StatusAuthorised}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := memory.NewLedger(memory.WithClock(fixedClock))
			seedBasics(t, l)
			conn := l.Connection()
			if len(tc.extra) > 0 {
				writeOK(t, conn, tc.extra[0].Type, tc.extra...)
			}
			l.Advance(time.Hour)
			typ := tc.steps[0].rec.Type
			items := make([]connectors.WriteItem, len(tc.steps))
			for i, s := range tc.steps {
				items[i] = connectors.WriteItem{Key: "pay-" + s.rec.Code(), Record: s.rec}
			}
			res, err := conn.Write(t.Context(), typ, items)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tc.steps {
				var ie *connectors.ItemError
				switch {
				case s.refused == "" && res[i].Err != nil:
					t.Errorf("payment %s refused: %v", s.rec.Code(), res[i].Err)
				case s.refused != "" && (!errors.As(res[i].Err, &ie) || ie.Code != s.refused):
					t.Errorf("payment %s: %v; want refusal %s", s.rec.Code(), res[i].Err, s.refused)
				}
			}
			for _, w := range tc.want {
				got := findOne(t, conn, w.typ, w.code)
				d := got.Record.Document
				if !d.AmountDue.Equal(dec(w.amount)) || d.Status != w.status {
					t.Errorf("%s: due %s status %s; want %s %s", w.code, d.AmountDue, d.Status, w.amount, w.status)
				}
				// A changed amount due is a change the next pull must see.
				moved := !d.AmountDue.Equal(d.Total)
				if moved != got.UpdatedAt.After(start) {
					t.Errorf("%s: UpdatedAt %v with amount due %s of %s", w.code, got.UpdatedAt, d.AmountDue, d.Total)
				}
			}
		})
	}
}

func TestAllocationToClosedInvoice(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock))
	seedBasics(t, l)
	voided := invoice("INV-V", "C1", "10")
	voided.Document.Status = connectors.StatusVoided
	if _, err := l.Put(connectors.SalesInvoices, connectors.Remote{Record: voided}); err != nil {
		t.Fatal(err)
	}
	res, err := l.Connection().Write(t.Context(), connectors.InvoicePayments, []connectors.WriteItem{
		{Key: "k", Record: payment(connectors.InvoicePayments, "P-1", "C1", "5", alloc(connectors.SalesInvoices, "INV-V", "5"))},
	})
	var ie *connectors.ItemError
	if err != nil || !errors.As(res[0].Err, &ie) || ie.Message != "Invoice 'INV-V' is voided and cannot take payments." {
		t.Errorf("got %+v, %v", res, err)
	}
}

func TestPut(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock))
	seedBasics(t, l)
	conn := l.Connection()

	// A payment made in the package reduces the invoice like an uploaded one.
	when := start.Add(-48 * time.Hour)
	p, err := l.Put(connectors.InvoicePayments, connectors.Remote{RemoteID: "BANK-7", UpdatedAt: when,
		Record: payment(connectors.InvoicePayments, "RCPT-7", "C1", "20", alloc(connectors.SalesInvoices, "INV-1", "20"))})
	if err != nil {
		t.Fatal(err)
	}
	if p.RemoteID != "BANK-7" || !p.UpdatedAt.Equal(when) {
		t.Errorf("Put kept remote ID %q and time %v", p.RemoteID, p.UpdatedAt)
	}
	if d := findOne(t, conn, connectors.SalesInvoices, "INV-1").Record.Document; !d.AmountDue.Equal(dec("100")) {
		t.Errorf("after a payment of 20 INV-1 is owed %s, want 100", d.AmountDue)
	}
	got, err := conn.Get(t.Context(), connectors.InvoicePayments, []string{"BANK-7", "BANK-7", "MEM-999999"})
	if err != nil || len(got) != 1 || got[0].Record.Payment.Code != "RCPT-7" {
		t.Errorf("Get of the put payment: %+v, %v", got, err)
	}

	blank, err := l.Put(connectors.Customers, connectors.Remote{Record: connectors.Record{Party: &connectors.Party{Code: "C7", Name: "Cy"}}})
	if err != nil || !strings.HasPrefix(blank.RemoteID, "MEM-") || blank.Record.Type != connectors.Customers || !blank.UpdatedAt.Equal(start) {
		t.Errorf("Put without ID, type or time: %+v, %v", blank, err)
	}

	bad := []struct {
		name string
		typ  connectors.RecordType
		r    connectors.Remote
	}{
		{"unknown type", "gizmo", connectors.Remote{Record: customer("C8", "X")}},
		{"type mismatch", connectors.Suppliers, connectors.Remote{Record: customer("C8", "X")}},
		{"over-allocation", connectors.InvoicePayments, connectors.Remote{Record: payment(connectors.InvoicePayments, "R-9", "C1", "999", alloc(connectors.SalesInvoices, "INV-1", "999"))}},
		{"remote ID of another type", connectors.Suppliers, connectors.Remote{RemoteID: "BANK-7", Record: supplier("S9", "X")}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := l.Count(tc.typ)
			if _, err := l.Put(tc.typ, tc.r); err == nil {
				t.Errorf("Put accepted it")
			}
			if l.Count(tc.typ) != before {
				t.Errorf("a refused Put stored something")
			}
		})
	}
	if d := findOne(t, conn, connectors.SalesInvoices, "INV-1").Record.Document; !d.AmountDue.Equal(dec("100")) {
		t.Errorf("refused Puts changed INV-1's amount due to %s", d.AmountDue)
	}
	if l.Calls(memory.MethodWrite) != 0 {
		t.Errorf("Put counted as a call")
	}
}

// --- idempotency -----------------------------------------------------------

func TestIdempotencyKeys(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock))
	conn := l.Connection()
	ctx := t.Context()
	write := func(items ...connectors.WriteItem) []connectors.WriteResult {
		t.Helper()
		res, err := conn.Write(ctx, connectors.Customers, items)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	first := write(connectors.WriteItem{Key: "k1", Record: customer("C1", "Ann")})
	again := write(connectors.WriteItem{Key: "k1", Record: customer("C1", "Ann")})
	if again[0].Err != nil || again[0].RemoteID != first[0].RemoteID {
		t.Errorf("replay: %+v, want %+v", again[0], first[0])
	}
	changed := write(connectors.WriteItem{Key: "k1", Record: customer("C1", "Annabel")})
	if changed[0].RemoteID != first[0].RemoteID || findOne(t, conn, connectors.Customers, "C1").Record.Party.Name != "Ann" {
		t.Errorf("a replayed key changed the record")
	}
	if l.Count(connectors.Customers) != 1 || l.Calls(memory.MethodWrite) != 3 {
		t.Errorf("count %d calls %d; want 1 record after 3 writes", l.Count(connectors.Customers), l.Calls(memory.MethodWrite))
	}

	// A refusal is not remembered: the corrected record goes under the same key.
	refused := write(connectors.WriteItem{Key: "k2", Record: customer("C2", "")})
	if refused[0].Err == nil {
		t.Fatalf("a nameless customer was accepted")
	}
	fixed := write(connectors.WriteItem{Key: "k2", Record: customer("C2", "Bob")})
	if fixed[0].Err != nil || fixed[0].RemoteID == "" {
		t.Errorf("corrected record under the same key: %+v", fixed[0])
	}

	// The same key twice in one batch creates one record.
	twice := write(connectors.WriteItem{Key: "k3", Record: customer("C3", "Cy")}, connectors.WriteItem{Key: "k3", Record: customer("C3", "Cy")})
	if twice[0].Err != nil || twice[1].Err != nil || twice[0].RemoteID != twice[1].RemoteID {
		t.Errorf("same key in one batch: %+v", twice)
	}

	// Without a key nothing is deduplicated; the business code still is.
	none := write(connectors.WriteItem{Record: customer("C4", "Di")}, connectors.WriteItem{Record: customer("C4", "Di")})
	var ie *connectors.ItemError
	if none[0].Err != nil || !errors.As(none[1].Err, &ie) || ie.Code != memory.CodeDuplicateCode {
		t.Errorf("keyless writes: %+v", none)
	}
	if l.Count(connectors.Customers) != 4 {
		t.Errorf("ledger holds %d customers, want 4", l.Count(connectors.Customers))
	}
}

// --- fault hooks -----------------------------------------------------------

func TestFaultHooks(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name  string
		arm   func(l *memory.Ledger)
		check func(t *testing.T, l *memory.Ledger, c *memory.Conn)
	}{
		{"FailNext fails n calls then recovers",
			func(l *memory.Ledger) { l.FailNext(2, connectors.ErrAuth) },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				for i := range 2 {
					if _, err := c.Check(t.Context()); !errors.Is(err, connectors.ErrAuth) {
						t.Errorf("call %d: %v; want ErrAuth", i+1, err)
					}
				}
				if _, err := c.Check(t.Context()); err != nil {
					t.Errorf("third call: %v", err)
				}
				if l.Calls(memory.MethodCheck) != 3 {
					t.Errorf("Calls = %d, want 3", l.Calls(memory.MethodCheck))
				}
			}},
		{"FailNext stops a write before it does anything",
			func(l *memory.Ledger) { l.FailNext(1, nil) },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				_, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C1", "Ann")}})
				if !errors.Is(err, connectors.ErrTemporary) {
					t.Errorf("got %v; want ErrTemporary", err)
				}
				if l.Count(connectors.Customers) != 0 {
					t.Errorf("a failed write created a record")
				}
				if why, ok := c.Explain(err); !ok || why.Fix == "" {
					t.Errorf("Explain(%v) = %+v %v", err, why, ok)
				}
			}},
		{"FailAfterWrite commits and loses the reply",
			func(l *memory.Ledger) { l.FailAfterWrite(1, errBoom) },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				item := connectors.WriteItem{Key: "k", Record: customer("C1", "Ann")}
				if _, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{item}); !errors.Is(err, errBoom) {
					t.Fatalf("got %v; want the injected error", err)
				}
				found := findOne(t, c, connectors.Customers, "C1")
				res, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{item})
				if err != nil || res[0].RemoteID != found.RemoteID || l.Count(connectors.Customers) != 1 {
					t.Errorf("retry: %+v %v, %d records", res, err, l.Count(connectors.Customers))
				}
			}},
		{"LoseNextReply is a temporary failure after the commit",
			func(l *memory.Ledger) { l.LoseNextReply() },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				_, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C1", "Ann")}})
				if !errors.Is(err, connectors.ErrTemporary) || l.Count(connectors.Customers) != 1 {
					t.Errorf("got %v with %d records", err, l.Count(connectors.Customers))
				}
			}},
		{"RateLimitNext queues one answer per call",
			func(l *memory.Ledger) { l.RateLimitNext(5 * time.Second); l.RateLimitNext(0) },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				for _, want := range []time.Duration{5 * time.Second, time.Second} {
					called := false
					err := c.ListChanged(t.Context(), connectors.TaxRates, time.Time{}, func([]connectors.Remote) error { called = true; return nil })
					var rl *connectors.RateLimitError
					if !errors.As(err, &rl) || rl.RetryAfter != want || rl.Daily || called {
						t.Errorf("got %v (page handed over: %v); want a %v rate limit", err, called, want)
					}
				}
				if _, err := c.Check(t.Context()); err != nil {
					t.Errorf("after the queue: %v", err)
				}
			}},
		{"faults apply to every page",
			func(l *memory.Ledger) {},
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				pages := 0
				err := c.ListChanged(t.Context(), connectors.NominalAccounts, time.Time{}, func([]connectors.Remote) error {
					pages++
					l.RateLimitNext(time.Second)
					return nil
				})
				var rl *connectors.RateLimitError
				if !errors.As(err, &rl) || pages != 1 || l.Calls(memory.MethodListChanged) != 2 {
					t.Errorf("got %v after %d pages and %d calls", err, pages, l.Calls(memory.MethodListChanged))
				}
			}},
		{"latency respects the context",
			func(l *memory.Ledger) { l.SetLatency(time.Hour) },
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
				defer cancel()
				_, err := c.Write(ctx, connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C1", "Ann")}})
				if !errors.Is(err, context.DeadlineExceeded) || l.Count(connectors.Customers) != 0 {
					t.Errorf("got %v with %d records", err, l.Count(connectors.Customers))
				}
				l.SetLatency(time.Millisecond)
				if _, err := c.Check(t.Context()); err != nil {
					t.Errorf("with a short latency: %v", err)
				}
			}},
		{"a cancelled context is not a call",
			func(l *memory.Ledger) {},
			func(t *testing.T, l *memory.Ledger, c *memory.Conn) {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				if _, err := c.Get(ctx, connectors.Customers, []string{"x"}); !errors.Is(err, context.Canceled) {
					t.Errorf("got %v", err)
				}
				if l.Calls(memory.MethodGet) != 0 {
					t.Errorf("counted %d calls", l.Calls(memory.MethodGet))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := memory.NewLedger(memory.WithClock(fixedClock), memory.WithPageSize(10))
			tc.arm(l)
			tc.check(t, l, l.Connection())
		})
	}
}

func TestDailyLimit(t *testing.T) {
	evening := time.Date(2025, time.March, 10, 22, 30, 0, 0, time.UTC)
	l := memory.NewLedger(memory.WithClock(func() time.Time { return evening }))
	c := l.Connection()
	l.SetDailyLimit(3)
	for i := range 3 {
		if _, err := c.Check(t.Context()); err != nil {
			t.Fatalf("call %d within the limit: %v", i+1, err)
		}
	}
	_, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C1", "Ann")}})
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("fourth call: %v; want a daily limit", err)
	}
	midnight := time.Date(2025, time.March, 11, 0, 0, 0, 0, time.UTC)
	if !rl.ResumeAt.Equal(midnight) || rl.RetryAfter != 90*time.Minute {
		t.Errorf("ResumeAt %v RetryAfter %v; want %v and 1h30m", rl.ResumeAt, rl.RetryAfter, midnight)
	}
	if l.Count(connectors.Customers) != 0 {
		t.Errorf("a refused write created a record")
	}
	if why, ok := c.Explain(err); !ok || !strings.Contains(why.Cause, "a day") {
		t.Errorf("Explain(daily) = %+v %v", why, ok)
	}
	l.Advance(2 * time.Hour)
	if _, err := c.Check(t.Context()); err != nil {
		t.Errorf("after midnight: %v", err)
	}
	l.SetDailyLimit(0)
	for range 5 {
		if _, err := c.Check(t.Context()); err != nil {
			t.Fatalf("without a limit: %v", err)
		}
	}
	if got := l.Calls(memory.MethodCheck); got != 9 {
		t.Errorf("Calls(Check) = %d, want 9", got)
	}
}

// --- listing and reading ---------------------------------------------------

func TestListChanged(t *testing.T) {
	l := memory.NewLedger(memory.WithClock(fixedClock), memory.WithPageSize(10))
	c := l.Connection()
	var early, late []connectors.Record
	for i := range 22 {
		early = append(early, customer(fmt.Sprintf("E%02d", i), "Early"))
	}
	writeOK(t, c, connectors.Customers, early...)
	l.Advance(time.Minute)
	for i := range 3 {
		late = append(late, customer(fmt.Sprintf("L%02d", i), "Late"))
	}
	lateIDs := writeOK(t, c, connectors.Customers, late...)
	if !l.Now().Equal(start.Add(time.Minute)) {
		t.Errorf("Now = %v", l.Now())
	}

	tests := []struct {
		name  string
		since time.Time
		pages []int
		first string
	}{
		{"everything", time.Time{}, []int{10, 10, 5}, "E00"},
		{"from the first change", start, []int{10, 10, 5}, "E00"},
		{"only the late ones", start.Add(time.Minute), []int{3}, "L00"},
		{"after the last change", start.Add(time.Minute + time.Nanosecond), nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pages []int
			var all []connectors.Remote
			err := c.ListChanged(t.Context(), connectors.Customers, tc.since, func(p []connectors.Remote) error {
				pages = append(pages, len(p))
				all = append(all, p...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(pages) != fmt.Sprint(tc.pages) {
				t.Errorf("pages %v, want %v", pages, tc.pages)
			}
			if len(all) > 0 && all[0].Record.Code() != tc.first {
				t.Errorf("first record %s, want %s", all[0].Record.Code(), tc.first)
			}
			for i := 1; i < len(all); i++ {
				if all[i].UpdatedAt.Before(all[i-1].UpdatedAt) {
					t.Errorf("records not oldest change first at %d", i)
				}
			}
		})
	}
	got, err := c.Get(t.Context(), connectors.Customers, lateIDs)
	if err != nil || len(got) != 3 || got[0].RemoteID != lateIDs[0] || !got[0].UpdatedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("Get late: %+v %v", got, err)
	}
	if err := c.ListChanged(t.Context(), "gizmo", time.Time{}, func([]connectors.Remote) error { return nil }); err == nil {
		t.Errorf("listing an unknown type succeeded")
	}
	if _, err := c.Get(t.Context(), "gizmo", nil); err == nil {
		t.Errorf("Get of an unknown type succeeded")
	}
	if recs := l.Records(connectors.Customers); len(recs) != 25 || recs[0].RemoteID > recs[24].RemoteID {
		t.Errorf("Records: %d, not in ID order", len(recs))
	}
}

func TestSeededReferenceData(t *testing.T) {
	l := memory.NewLedger()
	tests := []struct {
		typ  connectors.RecordType
		want int
		has  func(connectors.Record) bool
		what string
	}{
		{connectors.NominalAccounts, 21, func(r connectors.Record) bool { return r.Account.Stock }, "a stock nominal"},
		{connectors.NominalAccounts, 21, func(r connectors.Record) bool { return r.Account.CostOfSale }, "a cost-of-sale nominal"},
		{connectors.TaxRates, 5, func(r connectors.Record) bool { return r.TaxRate.Rate.Equal(dec("20")) }, "a 20% rate"},
		{connectors.Items, 4, func(r connectors.Record) bool { return r.Item.Stock }, "a stock item"},
		{connectors.Items, 4, func(r connectors.Record) bool { return !r.Item.Stock }, "a service item"},
		{connectors.BankAccounts, 3, func(r connectors.Record) bool { return r.BankAccount.Currency == "EUR" }, "a euro account"},
		{connectors.PaymentMethods, 4, func(r connectors.Record) bool { return r.PaymentMethod.Code == "BACS" }, "bank transfer"},
	}
	for _, tc := range tests {
		t.Run(tc.what, func(t *testing.T) {
			recs := l.Records(tc.typ)
			if len(recs) != tc.want {
				t.Errorf("%d %s, want %d", len(recs), tc.typ, tc.want)
			}
			found := false
			for _, r := range recs {
				if err := r.Record.Validate(); err != nil || r.Record.Type != tc.typ {
					t.Errorf("seeded %s: %v", r.RemoteID, err)
				}
				found = found || tc.has(r.Record)
			}
			if !found {
				t.Errorf("no %s among %s", tc.what, tc.typ)
			}
		})
	}
	_, err := l.Connection().Write(t.Context(), connectors.TaxRates, []connectors.WriteItem{{Key: "k", Record: connectors.Record{
		Type: connectors.TaxRates, TaxRate: &connectors.TaxRate{Code: "T3", Name: "New"}}}})
	if err == nil || l.Count(connectors.TaxRates) != 5 {
		t.Errorf("writing reference data: %v, %d rates", err, l.Count(connectors.TaxRates))
	}
}

func TestWholeBatchRefusals(t *testing.T) {
	l := memory.NewLedger()
	c := l.Connection()
	var items []connectors.WriteItem
	for i := range memory.BatchSize + 1 {
		r := customer(fmt.Sprintf("C%03d", i), "X")
		items = append(items, connectors.WriteItem{Key: r.Code(), Record: r})
	}
	_, err := c.Write(t.Context(), connectors.Customers, items)
	if !errors.Is(err, memory.ErrBatchTooLarge) || l.Count(connectors.Customers) != 0 {
		t.Errorf("oversized batch: %v, %d created", err, l.Count(connectors.Customers))
	}
	if why, ok := c.Explain(err); !ok || why.Cause == "" {
		t.Errorf("Explain(batch) = %+v %v", why, ok)
	}
	if res, err := c.Write(t.Context(), connectors.Customers, items[:memory.BatchSize]); err != nil || len(res) != memory.BatchSize {
		t.Errorf("a full batch: %d results, %v", len(res), err)
	}
	if _, err := c.Write(t.Context(), "gizmo", items[:1]); err == nil {
		t.Errorf("writing an unknown type succeeded")
	}
	calls := l.Calls(memory.MethodWrite)
	if res, err := c.Write(t.Context(), connectors.Customers, nil); err != nil || res != nil || l.Calls(memory.MethodWrite) != calls {
		t.Errorf("an empty batch: %v %v, calls %d→%d", res, err, calls, l.Calls(memory.MethodWrite))
	}
}

func TestRecordsAreCopies(t *testing.T) {
	l := memory.NewLedger()
	c := l.Connection()
	rec := invoice("INV-1", "C1", "10")
	writeOK(t, c, connectors.Customers, customer("C1", "Ann"))
	writeOK(t, c, connectors.SalesInvoices, rec)
	rec.Document.Lines[0].Description = "changed by the caller"
	got := findOne(t, c, connectors.SalesInvoices, "INV-1")
	got.Record.Document.Lines[0].Description = "changed by the reader"
	for _, r := range [][]connectors.Remote{l.Records(connectors.SalesInvoices), {findOne(t, c, connectors.SalesInvoices, "INV-1")}} {
		if d := r[0].Record.Document.Lines[0].Description; d != "Goods" {
			t.Errorf("stored line changed to %q", d)
		}
	}
}

func TestRecordURLAndExplain(t *testing.T) {
	c := memory.NewLedger().Connection()
	if got := c.RecordURL(connectors.SalesInvoices, "MEM-000042"); got != "https://ledger.example/sales_invoice/MEM-000042" {
		t.Errorf("RecordURL = %q", got)
	}
	if got := c.RecordURL(connectors.Customers, "a/b c"); got != "https://ledger.example/customer/a%2Fb%20c" {
		t.Errorf("RecordURL escapes badly: %q", got)
	}
	for _, err := range []error{nil, errors.New("something else"), &connectors.ItemError{Message: "Unheard of."}} {
		if why, ok := c.Explain(err); ok {
			t.Errorf("Explain(%v) = %+v; want no explanation", err, why)
		}
	}
	if why, ok := c.Explain(fmt.Errorf("upload: %w", &connectors.RateLimitError{RetryAfter: time.Second})); !ok || why.Cause == "" {
		t.Errorf("Explain(rate limit) = %+v %v", why, ok)
	}
}

func TestConcurrentUse(t *testing.T) {
	l := memory.NewLedger(memory.WithPageSize(5))
	c := l.Connection()
	const workers, each = 6, 10
	done := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				r := customer(fmt.Sprintf("W%d-%02d", w, i), "Worker")
				res, err := c.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: r.Code(), Record: r}})
				if err == nil && res[0].Err != nil {
					err = res[0].Err
				}
				if err == nil {
					_, err = c.FindByCode(t.Context(), connectors.Customers, []string{r.Code()})
				}
				if err == nil {
					err = c.ListChanged(t.Context(), connectors.Customers, time.Time{}, func([]connectors.Remote) error { return nil })
				}
				if err != nil {
					done <- err
					return
				}
				_ = l.Count(connectors.Customers)
				l.Advance(time.Millisecond)
			}
			done <- nil
		}()
	}
	for range workers {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if l.Count(connectors.Customers) != workers*each || l.Calls(memory.MethodWrite) != workers*each {
		t.Errorf("%d customers after %d writes", l.Count(connectors.Customers), l.Calls(memory.MethodWrite))
	}
}

// --- benchmarks --------------------------------------------------------------

func BenchmarkWrite50(b *testing.B) {
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices} {
		b.Run(string(typ), func(b *testing.B) {
			l := memory.NewLedger()
			c := l.Connection()
			if _, err := l.Put(connectors.Customers, connectors.Remote{Record: customer("C1", "Ann")}); err != nil {
				b.Fatal(err)
			}
			batch := 0
			b.ReportAllocs()
			// Building the batch is timed too: it is a small part of the
			// cost, and pausing the timer would cost more than it hides.
			for b.Loop() {
				items := make([]connectors.WriteItem, memory.BatchSize)
				for i := range items {
					code := fmt.Sprintf("B%06d-%02d", batch, i)
					r := customer(code, "Bench")
					if typ == connectors.SalesInvoices {
						r = invoice(code, "C1", "12.34")
					}
					items[i] = connectors.WriteItem{Key: code, Record: r}
				}
				batch++
				res, err := c.Write(b.Context(), typ, items)
				if err != nil || len(res) != memory.BatchSize || res[0].Err != nil {
					b.Fatalf("Write: %v", err)
				}
			}
		})
	}
}
