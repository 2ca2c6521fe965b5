package memory

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// Error codes the reference ledger puts in connectors.ItemError.Code. The
// catalogue in explain.go gives a cause and a fix for each.
const (
	CodeWrongType           = "wrong_type"
	CodeNotFound            = "not_found"
	CodeMissingName         = "missing_name"
	CodeDuplicateCode       = "duplicate_code"
	CodeDuplicateNumber     = "duplicate_number"
	CodeMissingParty        = "missing_party"
	CodeUnknownParty        = "unknown_party"
	CodeMissingDate         = "missing_date"
	CodeDueBeforeDate       = "due_before_date"
	CodeUnknownCurrency     = "unknown_currency"
	CodeNoLines             = "no_lines"
	CodeMissingAccount      = "missing_account"
	CodeInvalidAccount      = "invalid_account"
	CodeUnknownTaxRate      = "unknown_tax_rate"
	CodeUnknownItem         = "unknown_item"
	CodeTotalBelowPaid      = "total_below_paid"
	CodeInvalidAmount       = "invalid_amount"
	CodeUnknownBankAccount  = "unknown_bank_account"
	CodePaymentLocked       = "payment_locked"
	CodeUnknownInvoice      = "unknown_invoice"
	CodeWrongDocumentType   = "wrong_document_type"
	CodeWrongParty          = "wrong_party"
	CodeCurrencyMismatch    = "currency_mismatch"
	CodeInvoiceClosed       = "invoice_closed"
	CodeAllocationsTooLarge = "allocations_exceed_payment"
	CodeAmountAboveDue      = "amount_above_due"
	CodeJournalTooShort     = "journal_too_short"
	CodeInvalidJournalLine  = "invalid_journal_line"
	CodeUnbalancedJournal   = "unbalanced_journal"
	CodeRecordDeleted       = "record_deleted"
	CodeInvalidItem         = "invalid_item"
	CodeDuplicateItem       = "duplicate_item"
)

// enabledCurrencies are the currencies the reference organisation trades in
// besides its base currency.
func enabledCurrencies() []string { return []string{"GBP", "EUR", "USD"} }

func itemErr(code, field, format string, args ...any) *connectors.ItemError {
	return &connectors.ItemError{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// noun is how the ledger's messages name a record of type t.
func noun(t connectors.RecordType) string {
	switch t {
	case connectors.Customers:
		return "customer"
	case connectors.Suppliers:
		return "supplier"
	case connectors.Quotes:
		return "quote"
	case connectors.SalesInvoices:
		return "sales invoice"
	case connectors.PurchaseInvoices:
		return "purchase invoice"
	case connectors.CreditNotes:
		return "credit note"
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return "payment"
	case connectors.Journals:
		return "journal"
	case connectors.Items:
		return "item"
	}
	return strings.ToLower(t.Label())
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

// checkShape refuses a record whose payload does not fit t.
func checkShape(t connectors.RecordType, r connectors.Record) *connectors.ItemError {
	if r.Type != t {
		return itemErr(CodeWrongType, "", "The record sent is a %s, not a %s.", noun(r.Type), noun(t))
	}
	if err := r.Validate(); err != nil {
		return itemErr(CodeWrongType, "", "The %s sent is incomplete: %v.", noun(t), err)
	}
	return nil
}

// writeCtx applies one write inside the ledger's lock.
type writeCtx struct {
	ledger *Ledger
	// currency is the connection's base currency, used when a record has none.
	currency string
	at       time.Time
}

// create validates rec and stores it as a new record; id may be given (Put)
// or blank. Callers hold the ledger's lock.
func (w writeCtx) create(t connectors.RecordType, id string, rec connectors.Record) (string, *connectors.ItemError) {
	if _, dup := w.ledger.byCode(t, rec.Code()); dup {
		return "", w.duplicate(t, rec.Code())
	}
	if ie := w.prepare(t, rec, nil); ie != nil {
		return "", ie
	}
	if t == connectors.InvoicePayments || t == connectors.PurchasePayments {
		w.allocate(t, rec.Payment)
	}
	if id == "" {
		id = w.ledger.nextID()
	}
	w.ledger.store(t, connectors.Remote{RemoteID: id, Record: rec, UpdatedAt: w.at})
	return id, nil
}

// update validates rec and replaces the record with remote ID id. Callers
// hold the ledger's lock.
func (w writeCtx) update(t connectors.RecordType, id string, rec connectors.Record) (string, *connectors.ItemError) {
	old, ok := w.ledger.tables[t].byID[id]
	if !ok {
		return "", itemErr(CodeNotFound, "", "There is no %s with ID '%s'.", noun(t), id)
	}
	if old.Deleted {
		return "", itemErr(CodeRecordDeleted, "", "%s '%s' has been deleted or voided in the ledger and cannot be changed.", capitalise(noun(t)), old.Record.Code())
	}
	if other, dup := w.ledger.byCode(t, rec.Code()); dup && other.RemoteID != id {
		return "", w.duplicate(t, rec.Code())
	}
	if t == connectors.InvoicePayments || t == connectors.PurchasePayments {
		return "", itemErr(CodePaymentLocked, "", "Payment '%s' cannot be changed once entered; delete it in the ledger and enter it again.", old.Record.Code())
	}
	if ie := w.prepare(t, rec, old); ie != nil {
		return "", ie
	}
	w.ledger.store(t, connectors.Remote{RemoteID: id, Record: rec, UpdatedAt: w.at})
	return id, nil
}

func (w writeCtx) duplicate(t connectors.RecordType, code string) *connectors.ItemError {
	switch t {
	case connectors.Customers, connectors.Suppliers:
		return itemErr(CodeDuplicateCode, "code", "A %s with account code '%s' already exists.", noun(t), code)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return itemErr(CodeDuplicateNumber, "code", "Payment reference '%s' has already been used.", code)
	case connectors.Items:
		return itemErr(CodeDuplicateItem, "code", "An item with code '%s' already exists.", code)
	}
	return itemErr(CodeDuplicateNumber, "code", "%s number '%s' has already been used.", capitalise(noun(t)), code)
}

// prepare checks rec against the ledger's rules and fills in what the
// package computes (totals, amount due, status). old is the record being
// replaced, or nil.
func (w writeCtx) prepare(t connectors.RecordType, rec connectors.Record, old *connectors.Remote) *connectors.ItemError {
	switch t {
	case connectors.Customers, connectors.Suppliers:
		return w.checkParty(t, rec.Party)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		return w.prepareDocument(t, rec.Document, old)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return w.checkPayment(t, rec.Payment)
	case connectors.Journals:
		return w.checkJournal(rec.Journal)
	case connectors.Items:
		return w.checkItem(rec.Item)
	}
	return itemErr(CodeWrongType, "", "%s cannot be entered through the reference ledger's interface.", t.Label())
}

func (w writeCtx) checkCurrency(code string) *connectors.ItemError {
	if code == "" || strings.EqualFold(code, w.currency) {
		return nil
	}
	for _, c := range enabledCurrencies() {
		if strings.EqualFold(code, c) {
			return nil
		}
	}
	return itemErr(CodeUnknownCurrency, "currency", "Currency '%s' is not enabled for this organisation.", code)
}

func (w writeCtx) checkParty(t connectors.RecordType, p *connectors.Party) *connectors.ItemError {
	if strings.TrimSpace(p.Name) == "" {
		return itemErr(CodeMissingName, "name", "A name must be given for %s '%s'.", noun(t), p.Code)
	}
	return w.checkCurrency(p.Currency)
}

// partyType is the type of party a document of type t belongs to.
func partyType(t connectors.RecordType, d *connectors.Document) connectors.RecordType {
	if t == connectors.PurchaseInvoices || (t == connectors.CreditNotes && d.Purchase) {
		return connectors.Suppliers
	}
	return connectors.Customers
}

func salesSide(t connectors.RecordType, d *connectors.Document) bool {
	return partyType(t, d) == connectors.Customers
}

func (w writeCtx) prepareDocument(t connectors.RecordType, d *connectors.Document, old *connectors.Remote) *connectors.ItemError {
	pt := partyType(t, d)
	if strings.TrimSpace(d.PartyCode) == "" {
		return itemErr(CodeMissingParty, "party_code", "A %s must be given for %s '%s'.", noun(pt), noun(t), d.Code)
	}
	if _, ok := w.ledger.byCode(pt, d.PartyCode); !ok {
		return itemErr(CodeUnknownParty, "party_code", "%s '%s' does not exist in this ledger.", capitalise(noun(pt)), d.PartyCode)
	}
	if d.Date.IsZero() {
		return itemErr(CodeMissingDate, "date", "%s '%s' has no date.", capitalise(noun(t)), d.Code)
	}
	if !d.DueDate.IsZero() && d.DueDate.Before(d.Date.Time) {
		return itemErr(CodeDueBeforeDate, "due_date", "The due date %s is before the document date %s.", d.DueDate, d.Date)
	}
	if ie := w.checkCurrency(d.Currency); ie != nil {
		return ie
	}
	if d.Currency == "" {
		d.Currency = w.currency
	}
	if len(d.Lines) == 0 {
		return itemErr(CodeNoLines, "lines", "%s '%s' must have at least one line.", capitalise(noun(t)), d.Code)
	}
	total := decimal.Zero
	for i, line := range d.Lines {
		n := i + 1
		var item *connectors.Item
		if line.ItemCode != "" {
			r, ok := w.ledger.byCode(connectors.Items, line.ItemCode)
			if !ok {
				return itemErr(CodeUnknownItem, fmt.Sprintf("lines[%d].item_code", i), "Item code '%s' on line %d does not exist.", line.ItemCode, n)
			}
			item = r.Record.Item
		}
		nominal := line.NominalCode
		if nominal == "" && item != nil && salesSide(t, d) {
			nominal = item.SalesAccount
		}
		if nominal == "" {
			return itemErr(CodeMissingAccount, fmt.Sprintf("lines[%d].nominal_code", i), "An account code must be given on line %d.", n)
		}
		acct, ok := w.ledger.byCode(connectors.NominalAccounts, nominal)
		if !ok || !postable(acct.Record.Account) {
			return itemErr(CodeInvalidAccount, fmt.Sprintf("lines[%d].nominal_code", i), "Account code '%s' is not a valid code for this document.", nominal)
		}
		taxCode := line.TaxCode
		if taxCode == "" {
			taxCode = acct.Record.Account.TaxCode
		}
		rate := decimal.Zero
		if taxCode != "" {
			tr, ok := w.ledger.byCode(connectors.TaxRates, taxCode)
			if !ok || tr.Record.TaxRate.Archived {
				return itemErr(CodeUnknownTaxRate, fmt.Sprintf("lines[%d].tax_code", i), "Tax rate '%s' on line %d is not a valid tax rate.", taxCode, n)
			}
			rate = tr.Record.TaxRate.Rate
		}
		net := line.Net()
		switch {
		case d.TaxInclusive:
			total = total.Add(net)
		case !line.TaxAmount.IsZero():
			total = total.Add(net).Add(line.TaxAmount)
		default:
			total = total.Add(net).Add(net.Mul(rate).Div(decimal.NewFromInt(100)).Round(2))
		}
	}
	total = total.Round(2)

	paid := decimal.Zero
	if old != nil && old.Record.Document != nil {
		paid = old.Record.Document.Total.Sub(old.Record.Document.AmountDue)
	}
	due := total.Sub(paid)
	if due.IsNegative() {
		return itemErr(CodeTotalBelowPaid, "lines", "%s '%s' has %s paid against it; its new total of %s would be less than that.",
			capitalise(noun(t)), d.Code, money(paid), money(total))
	}
	d.Total = total
	if t == connectors.Quotes {
		d.AmountDue = decimal.Zero
	} else {
		d.AmountDue = due
	}
	switch {
	case d.Status == connectors.StatusVoided || d.Status == connectors.StatusDeleted:
	case t != connectors.Quotes && paid.IsPositive() && due.IsZero():
		d.Status = connectors.StatusPaid
	case d.Status == "" || d.Status == connectors.StatusPaid:
		d.Status = connectors.StatusAuthorised
	}
	return nil
}

// postable reports whether documents and journals may post to a.
func postable(a *connectors.NominalAccount) bool {
	return !a.Stock && !a.CostOfSale && !a.Bank && !a.Archived
}

// invoiceType is the only document type a payment of type t may pay.
func invoiceType(t connectors.RecordType) connectors.RecordType {
	if t == connectors.PurchasePayments {
		return connectors.PurchaseInvoices
	}
	return connectors.SalesInvoices
}

func (w writeCtx) checkPayment(t connectors.RecordType, p *connectors.Payment) *connectors.ItemError {
	if !p.Amount.IsPositive() {
		return itemErr(CodeInvalidAmount, "amount", "The amount of payment '%s' must be greater than zero.", p.Code)
	}
	if p.Date.IsZero() {
		return itemErr(CodeMissingDate, "date", "Payment '%s' has no date.", p.Code)
	}
	if ie := w.checkCurrency(p.Currency); ie != nil {
		return ie
	}
	if p.Currency == "" {
		p.Currency = w.currency
	}
	pt := connectors.Customers
	if t == connectors.PurchasePayments {
		pt = connectors.Suppliers
	}
	if p.PartyCode != "" {
		if _, ok := w.ledger.byCode(pt, p.PartyCode); !ok {
			return itemErr(CodeUnknownParty, "party_code", "%s '%s' does not exist in this ledger.", capitalise(noun(pt)), p.PartyCode)
		}
	}
	if p.BankAccount != "" {
		if _, ok := w.ledger.byCode(connectors.BankAccounts, p.BankAccount); !ok {
			return itemErr(CodeUnknownBankAccount, "bank_account", "Bank account '%s' does not exist.", p.BankAccount)
		}
	}
	want := invoiceType(t)
	allocated := decimal.Zero
	perInvoice := map[string]decimal.Decimal{}
	for i, a := range p.Allocations {
		field := fmt.Sprintf("allocations[%d]", i)
		if a.DocumentType != "" && a.DocumentType != want {
			return itemErr(CodeWrongDocumentType, field, "A payment of this kind can only be allocated to %ss, not to a %s.", noun(want), noun(a.DocumentType))
		}
		if !a.Amount.IsPositive() {
			return itemErr(CodeInvalidAmount, field, "The amount allocated to '%s' must be greater than zero.", a.DocumentCode)
		}
		inv, ok := w.ledger.byCode(want, a.DocumentCode)
		if !ok {
			return itemErr(CodeUnknownInvoice, field, "Invoice '%s' could not be found to allocate the payment to.", a.DocumentCode)
		}
		doc := inv.Record.Document
		if p.PartyCode != "" && doc.PartyCode != p.PartyCode {
			return itemErr(CodeWrongParty, field, "Invoice '%s' belongs to %s '%s', not '%s'.", a.DocumentCode, noun(pt), doc.PartyCode, p.PartyCode)
		}
		if !strings.EqualFold(doc.Currency, p.Currency) {
			return itemErr(CodeCurrencyMismatch, field, "The payment is in %s but invoice '%s' is in %s.", p.Currency, a.DocumentCode, doc.Currency)
		}
		if doc.Status == connectors.StatusVoided || doc.Status == connectors.StatusDeleted {
			return itemErr(CodeInvoiceClosed, field, "Invoice '%s' is %s and cannot take payments.", a.DocumentCode, doc.Status)
		}
		sum := perInvoice[a.DocumentCode].Add(a.Amount)
		if sum.GreaterThan(doc.AmountDue) {
			return itemErr(CodeAmountAboveDue, field, "The payment of %s is more than the %s still due on invoice '%s'.", money(sum), money(doc.AmountDue), a.DocumentCode)
		}
		perInvoice[a.DocumentCode] = sum
		allocated = allocated.Add(a.Amount)
	}
	if allocated.GreaterThan(p.Amount) {
		return itemErr(CodeAllocationsTooLarge, "allocations", "The allocations (%s) add up to more than payment '%s' (%s).", money(allocated), p.Code, money(p.Amount))
	}
	return nil
}

// allocate reduces the amount due of the invoices p pays; checkPayment has
// already passed.
func (w writeCtx) allocate(t connectors.RecordType, p *connectors.Payment) {
	want := invoiceType(t)
	for _, a := range p.Allocations {
		inv, ok := w.ledger.byCode(want, a.DocumentCode)
		if !ok {
			continue
		}
		next := cloneRemote(*inv)
		doc := next.Record.Document
		doc.AmountDue = doc.AmountDue.Sub(a.Amount)
		if doc.AmountDue.IsZero() {
			doc.Status = connectors.StatusPaid
		}
		// A Put may carry an earlier time; the invoice's change time never
		// goes back, or a changed-since pull could miss it.
		if w.at.After(next.UpdatedAt) {
			next.UpdatedAt = w.at
		}
		w.ledger.store(want, next)
	}
}

func (w writeCtx) checkJournal(j *connectors.JournalEntry) *connectors.ItemError {
	if j.Date.IsZero() {
		return itemErr(CodeMissingDate, "date", "Journal '%s' has no date.", j.Code)
	}
	if len(j.Lines) < 2 {
		return itemErr(CodeJournalTooShort, "lines", "Journal '%s' must have at least two lines.", j.Code)
	}
	for i, line := range j.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		n := i + 1
		if line.Debit.IsNegative() || line.Credit.IsNegative() {
			return itemErr(CodeInvalidJournalLine, field, "Line %d of journal '%s' has a negative amount.", n, j.Code)
		}
		if line.Debit.IsZero() == line.Credit.IsZero() {
			return itemErr(CodeInvalidJournalLine, field, "Line %d of journal '%s' must have either a debit or a credit.", n, j.Code)
		}
		if line.NominalCode == "" {
			return itemErr(CodeMissingAccount, field+".nominal_code", "An account code must be given on line %d.", n)
		}
		acct, ok := w.ledger.byCode(connectors.NominalAccounts, line.NominalCode)
		if !ok || !postable(acct.Record.Account) {
			return itemErr(CodeInvalidAccount, field+".nominal_code", "Account code '%s' is not a valid code for this document.", line.NominalCode)
		}
	}
	if !j.Balanced() {
		dr, cr := decimal.Zero, decimal.Zero
		for _, line := range j.Lines {
			dr, cr = dr.Add(line.Debit), cr.Add(line.Credit)
		}
		return itemErr(CodeUnbalancedJournal, "lines", "Journal '%s' does not balance: debits %s, credits %s.", j.Code, money(dr), money(cr))
	}
	return nil
}

// checkItem applies the ledger's rules for a product: a name, a code of at
// most 30 characters, and sales and purchase accounts that exist and may be
// posted to.
func (w writeCtx) checkItem(it *connectors.Item) *connectors.ItemError {
	if strings.TrimSpace(it.Name) == "" {
		return itemErr(CodeInvalidItem, "name", "Item '%s' has no name.", it.Code)
	}
	if len([]rune(it.Code)) > 30 {
		return itemErr(CodeInvalidItem, "code", "Item code '%s' is longer than 30 characters.", it.Code)
	}
	for _, acct := range []struct{ field, code string }{{"sales_account", it.SalesAccount}, {"purchase_account", it.PurchaseAccount}} {
		if acct.code == "" {
			continue
		}
		a, ok := w.ledger.byCode(connectors.NominalAccounts, acct.code)
		if !ok || !postable(a.Record.Account) {
			return itemErr(CodeInvalidAccount, acct.field, "Account code '%s' is not a valid account for item '%s'.", acct.code, it.Code)
		}
	}
	return nil
}
