// Package connectors holds LedgerLink's canonical record model, the contract
// every accounting-package connector implements, and the registry connectors
// join. It is a leaf: it imports no other LedgerLink package.
package connectors

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/words"
)

// RecordType names a kind of record LedgerLink moves.
type RecordType string

// The seven types of the sync matrix, then the other record types.
const (
	Customers        RecordType = "customer"
	Quotes           RecordType = "quote"
	SalesInvoices    RecordType = "sales_invoice"
	InvoicePayments  RecordType = "invoice_payment"
	Suppliers        RecordType = "supplier"
	PurchaseInvoices RecordType = "purchase_invoice"
	PurchasePayments RecordType = "purchase_payment"

	CreditNotes RecordType = "credit_note"
	Journals    RecordType = "journal"

	NominalAccounts RecordType = "nominal_account"
	TaxRates        RecordType = "tax_rate"
	Items           RecordType = "item"
	BankAccounts    RecordType = "bank_account"
	PaymentMethods  RecordType = "payment_method"
)

// MatrixTypes returns the seven record types of the sync matrix in the order
// they appear on screen.
func MatrixTypes() []RecordType {
	return []RecordType{Customers, Quotes, SalesInvoices, InvoicePayments, Suppliers, PurchaseInvoices, PurchasePayments}
}

// AncillaryTypes returns the reference-data types that flow remote→local only,
// refreshed in full on every run.
func AncillaryTypes() []RecordType {
	return []RecordType{NominalAccounts, TaxRates, Items, BankAccounts, PaymentMethods}
}

// AllTypes returns every record type LedgerLink knows.
func AllTypes() []RecordType {
	return append(append(MatrixTypes(), CreditNotes, Journals), AncillaryTypes()...)
}

// IsReadOnly reports whether records of t come from the accounting package
// only and are never kept as business records: every ancillary type except
// products, which the business system owns (its stock items) and may upload.
func (t RecordType) IsReadOnly() bool { return t.IsAncillary() && t != Items }

// IsAncillary reports whether t is reference data the package is read for
// in full on every run.
func (t RecordType) IsAncillary() bool {
	for _, a := range AncillaryTypes() {
		if a == t {
			return true
		}
	}
	return false
}

// Label is the type's English name ("Sales Invoices"), for logs and for
// reading a type named on the command line (ParseRecordType). People read
// Key said in their language: w.T(t.Key()), or t.Text() in a placeholder.
func (t RecordType) Label() string {
	switch t {
	case Customers:
		return "Customers" // words:verbatim
	case Quotes:
		return "Quotes" // words:verbatim
	case SalesInvoices:
		return "Sales Invoices" // words:verbatim
	case InvoicePayments:
		return "Invoice Payments" // words:verbatim
	case Suppliers:
		return "Suppliers" // words:verbatim
	case PurchaseInvoices:
		return "Purchase Invoices" // words:verbatim
	case PurchasePayments:
		return "Purchase Payments" // words:verbatim
	case CreditNotes:
		return "Credit Notes" // words:verbatim
	case Journals:
		return "Payroll Journals" // words:verbatim
	case NominalAccounts:
		return "Nominal Accounts" // words:verbatim
	case TaxRates:
		return "Tax Rates" // words:verbatim
	case Items:
		return "Products" // words:verbatim
	case BankAccounts:
		return "Bank Accounts" // words:verbatim
	case PaymentMethods:
		return "Payment Methods" // words:verbatim
	}
	return string(t)
}

// Key is the catalogue key of the type's name as a person reads it
// ("Sales Invoices"); a type LedgerLink does not know is its identifier.
func (t RecordType) Key() string {
	switch t {
	case Customers:
		return "engine.type.customer"
	case Quotes:
		return "engine.type.quote"
	case SalesInvoices:
		return "engine.type.sales_invoice"
	case InvoicePayments:
		return "engine.type.invoice_payment"
	case Suppliers:
		return "engine.type.supplier"
	case PurchaseInvoices:
		return "engine.type.purchase_invoice"
	case PurchasePayments:
		return "engine.type.purchase_payment"
	case CreditNotes:
		return "engine.type.credit_note"
	case Journals:
		return "engine.type.journal"
	case NominalAccounts:
		return "engine.type.nominal_account"
	case TaxRates:
		return "engine.type.tax_rate"
	case Items:
		return "engine.type.item"
	case BankAccounts:
		return "engine.type.bank_account"
	case PaymentMethods:
		return "engine.type.payment_method"
	}
	return string(t)
}

// Text is the type's name as words for a sentence's placeholder: said in
// the reader's language when the sentence is.
func (t RecordType) Text() words.Text { return words.Sentence(t.Key()) }

// LabelIn is the type's name in w's language ("Verkoopfacturen"); with a
// nil w, the English Label.
func (t RecordType) LabelIn(w *words.Words) string {
	if w == nil || !w.Has(t.Key()) {
		return t.Label()
	}
	return w.T(t.Key())
}

// ParseRecordType accepts a type's identifier or its label, in any case.
func ParseRecordType(s string) (RecordType, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.NewReplacer(" ", "_", "-", "_").Replace(norm)
	for _, t := range AllTypes() {
		label := strings.ReplaceAll(strings.ToLower(t.Label()), " ", "_")
		if norm == string(t) || norm == string(t)+"s" || norm == label {
			return t, nil
		}
	}
	return "", Said(English(), words.Errorf(nil, "engine.type.unknown", "Type", s))
}

// Direction is one way records flow.
type Direction string

const (
	// Mirror is remote→local: the accounting package into LedgerLink.
	Mirror Direction = "mirror"
	// Upload is local→remote: LedgerLink into the accounting package.
	Upload Direction = "upload"
)

// Label is the direction's English name, for logs. People read Key said in
// their language.
func (d Direction) Label() string {
	if d == Upload {
		return "LedgerLink → accounting package" // words:verbatim
	}
	return "Accounting package → LedgerLink" // words:verbatim
}

// Key is the catalogue key of the direction's name as a person reads it.
func (d Direction) Key() string {
	if d == Upload {
		return "engine.direction.upload"
	}
	return "engine.direction.mirror"
}

// LabelIn is the direction's name in w's language; with a nil w, Label.
func (d Direction) LabelIn(w *words.Words) string {
	if w == nil {
		return d.Label()
	}
	return w.T(d.Key())
}

// Date is a calendar day with no time of day, as accounting documents carry.
type Date struct{ time.Time }

// NewDate returns the calendar day y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar day t falls on in t's own location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseDate reads an ISO date (2006-01-02).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not in the form YYYY-MM-DD: %w", s, err)
	}
	return Date{t}, nil
}

// String renders the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON writes the date as "YYYY-MM-DD" (or null when zero).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*d = Date{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return Said(English(), words.Errorf(nil, "engine.date.not_string", "Value", s))
	}
	parsed, err := ParseDate(s[1 : len(s)-1])
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}

// Party is a customer or a supplier. Code is the business system's own
// account code and the stable key matched on both sides.
type Party struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// ContactPerson blank means a person (domestic customer); filled means a
	// company with that contact person (commercial customer).
	ContactPerson   string            `json:"contact_person,omitempty"`
	Email           string            `json:"email,omitempty"`
	Phone           string            `json:"phone,omitempty"`
	TaxNumber       string            `json:"tax_number,omitempty"`
	Currency        string            `json:"currency,omitempty"`
	BillingAddress  Address           `json:"billing_address,omitzero"`
	DeliveryAddress Address           `json:"delivery_address,omitzero"`
	Tags            []string          `json:"tags,omitempty"`
	CustomFields    map[string]string `json:"custom_fields,omitempty"`
	Archived        bool              `json:"archived,omitempty"`
}

// IsCompany reports whether the party is a company with a contact person
// rather than a private person (seed 001's commercial vs domestic rule).
func (p Party) IsCompany() bool { return strings.TrimSpace(p.ContactPerson) != "" }

// Line is one line of a quote, invoice or credit note.
type Line struct {
	ItemCode    string          `json:"item_code,omitempty"`
	Description string          `json:"description"`
	Quantity    decimal.Decimal `json:"quantity"`
	UnitPrice   decimal.Decimal `json:"unit_price"`
	// DiscountPercent is 0–100.
	DiscountPercent decimal.Decimal `json:"discount_percent,omitzero"`
	NominalCode     string          `json:"nominal_code,omitempty"`
	// TaxCode is the local tax-rate code; the module's mapping turns it into
	// the package's tax type.
	TaxCode string `json:"tax_code,omitempty"`
	// TaxAmount, when given, is the tax the business system computed; when
	// zero, the accounting package computes it.
	TaxAmount  decimal.Decimal `json:"tax_amount,omitzero"`
	CostCentre string          `json:"cost_centre,omitempty"`
	CostType   string          `json:"cost_type,omitempty"`
}

// Net is quantity × unit price less the discount, before tax.
func (l Line) Net() decimal.Decimal {
	gross := l.Quantity.Mul(l.UnitPrice)
	if l.DiscountPercent.IsZero() {
		return gross
	}
	hundred := decimal.NewFromInt(100)
	return gross.Mul(hundred.Sub(l.DiscountPercent)).Div(hundred)
}

// DocumentStatus is where a document stands in its life.
type DocumentStatus string

const (
	StatusDraft      DocumentStatus = "draft"
	StatusSubmitted  DocumentStatus = "submitted"
	StatusAuthorised DocumentStatus = "authorised"
	StatusPaid       DocumentStatus = "paid"
	StatusVoided     DocumentStatus = "voided"
	StatusDeleted    DocumentStatus = "deleted"
)

// Document is a quote, a sales invoice, a purchase invoice or a credit note;
// Record.Type says which.
type Document struct {
	// Code is the document number in the business system.
	Code string `json:"code"`
	// PartyCode is the customer's or supplier's Code.
	PartyCode string `json:"party_code"`
	Date      Date   `json:"date"`
	DueDate   Date   `json:"due_date,omitzero"`
	Reference string `json:"reference,omitempty"`
	Currency  string `json:"currency"`
	// TaxInclusive says unit prices include tax.
	TaxInclusive bool           `json:"tax_inclusive,omitempty"`
	Status       DocumentStatus `json:"status,omitempty"`
	// Purchase marks a supplier credit note; purchase invoices have their own type.
	Purchase bool   `json:"purchase,omitempty"`
	Lines    []Line `json:"lines"`
	// Total and AmountDue are as the accounting package reports them; they
	// are informational on the local side.
	Total     decimal.Decimal `json:"total,omitzero"`
	AmountDue decimal.Decimal `json:"amount_due,omitzero"`
	// Allocations, on a credit note, are the documents it pays off.
	Allocations []Allocation `json:"allocations,omitempty"`
}

// NetTotal adds up the lines before tax.
func (d Document) NetTotal() decimal.Decimal {
	sum := decimal.Zero
	for _, l := range d.Lines {
		sum = sum.Add(l.Net())
	}
	return sum
}

// Allocation ties part of a payment or credit note to a document.
type Allocation struct {
	DocumentType RecordType      `json:"document_type"`
	DocumentCode string          `json:"document_code"`
	Amount       decimal.Decimal `json:"amount"`
	// DocumentRemoteID is the accounting package's own ID of the document,
	// when a connector reading a payment knows it; LedgerLink then finds the
	// local document through its ID link rather than by code. Blank on
	// local records.
	DocumentRemoteID string `json:"document_remote_id,omitempty"`
}

// Payment is money received from a customer (Record.Type InvoicePayments) or
// paid to a supplier (PurchasePayments).
type Payment struct {
	// Code is the business system's payment reference, unique per module.
	Code        string          `json:"code"`
	PartyCode   string          `json:"party_code,omitempty"`
	Date        Date            `json:"date"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	BankAccount string          `json:"bank_account,omitempty"`
	Reference   string          `json:"reference,omitempty"`
	Allocations []Allocation    `json:"allocations,omitempty"`
}

// JournalLine is one debit or credit of a journal entry.
type JournalLine struct {
	NominalCode string          `json:"nominal_code"`
	Debit       decimal.Decimal `json:"debit,omitzero"`
	Credit      decimal.Decimal `json:"credit,omitzero"`
	CostCentre  string          `json:"cost_centre,omitempty"`
	CostType    string          `json:"cost_type,omitempty"`
	Description string          `json:"description,omitempty"`
	// Period is the pay period this line belongs to (YYYY-MM), when a
	// correction spans periods.
	Period string `json:"period,omitempty"`
}

// JournalEntry is a payroll journal (seed 003).
type JournalEntry struct {
	Code string `json:"code"`
	// Company is the payroll company; the module maps it to an
	// administration / organisation and a journal code.
	Company     string        `json:"company"`
	Date        Date          `json:"date"`
	Period      string        `json:"period"`
	Description string        `json:"description,omitempty"`
	Lines       []JournalLine `json:"lines"`
	// Administration and JournalCode are where the package books the entry
	// (the administration / organisation and the journal, or dagboek). They
	// are filled from the module's company mapping on the way out and are
	// blank on local records.
	Administration string `json:"administration,omitempty"`
	JournalCode    string `json:"journal_code,omitempty"`
}

// Balanced reports whether debits equal credits.
func (j JournalEntry) Balanced() bool {
	dr, cr := decimal.Zero, decimal.Zero
	for _, l := range j.Lines {
		dr = dr.Add(l.Debit)
		cr = cr.Add(l.Credit)
	}
	return dr.Equal(cr)
}

// AccountClass is the broad kind of a nominal account.
type AccountClass string

const (
	ClassAsset     AccountClass = "asset"
	ClassLiability AccountClass = "liability"
	ClassEquity    AccountClass = "equity"
	ClassRevenue   AccountClass = "revenue"
	ClassExpense   AccountClass = "expense"
)

// NominalAccount is an account of the chart of accounts.
type NominalAccount struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Class   AccountClass `json:"class,omitempty"`
	Type    string       `json:"type,omitempty"`
	TaxCode string       `json:"tax_code,omitempty"`
	// Stock and CostOfSale nominals are never posted to.
	Stock      bool `json:"stock,omitempty"`
	CostOfSale bool `json:"cost_of_sale,omitempty"`
	Bank       bool `json:"bank,omitempty"`
	Archived   bool `json:"archived,omitempty"`
}

// TaxRate is a tax rate of the accounting package.
type TaxRate struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Rate     decimal.Decimal `json:"rate"`
	Archived bool            `json:"archived,omitempty"`
}

// Item is a product or service.
type Item struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Description is the sales description that goes on document lines.
	Description   string          `json:"description,omitempty"`
	SalesPrice    decimal.Decimal `json:"sales_price,omitzero"`
	PurchasePrice decimal.Decimal `json:"purchase_price,omitzero"`
	// SalesAccount and PurchaseAccount are nominal codes (local codes on
	// the local side; the module's mapping turns them into the package's).
	SalesAccount    string `json:"sales_account,omitempty"`
	PurchaseAccount string `json:"purchase_account,omitempty"`
	// Stock marks a stock item whose quantity the business tracks.
	Stock bool `json:"stock,omitempty"`
}

// BankAccount is a bank account payments are made into or from.
type BankAccount struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	AccountNumber string `json:"account_number,omitempty"`
	Currency      string `json:"currency,omitempty"`
}

// PaymentMethod is a way of paying.
type PaymentMethod struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Record is the envelope every record travels in: Type says which one of the
// payload fields is set.
type Record struct {
	Type          RecordType      `json:"type"`
	Party         *Party          `json:"party,omitempty"`
	Document      *Document       `json:"document,omitempty"`
	Payment       *Payment        `json:"payment,omitempty"`
	Journal       *JournalEntry   `json:"journal,omitempty"`
	Account       *NominalAccount `json:"account,omitempty"`
	TaxRate       *TaxRate        `json:"tax_rate,omitempty"`
	Item          *Item           `json:"item,omitempty"`
	BankAccount   *BankAccount    `json:"bank_account,omitempty"`
	PaymentMethod *PaymentMethod  `json:"payment_method,omitempty"`
}

// Code is the business system's key of the record, unique within its type.
func (r Record) Code() string {
	switch {
	case r.Party != nil:
		return r.Party.Code
	case r.Document != nil:
		return r.Document.Code
	case r.Payment != nil:
		return r.Payment.Code
	case r.Journal != nil:
		return r.Journal.Code
	case r.Account != nil:
		return r.Account.Code
	case r.TaxRate != nil:
		return r.TaxRate.Code
	case r.Item != nil:
		return r.Item.Code
	case r.BankAccount != nil:
		return r.BankAccount.Code
	case r.PaymentMethod != nil:
		return r.PaymentMethod.Code
	}
	return ""
}

// Date is the record's own date, where it has one.
func (r Record) Date() Date {
	switch {
	case r.Document != nil:
		return r.Document.Date
	case r.Payment != nil:
		return r.Payment.Date
	case r.Journal != nil:
		return r.Journal.Date
	}
	return Date{}
}

// Clone returns a copy of r that shares no payload, slice or map with it,
// so that either can be edited without touching the other.
func (r Record) Clone() Record {
	if r.Party != nil {
		p := *r.Party
		p.Tags = slices.Clone(p.Tags)
		p.CustomFields = maps.Clone(p.CustomFields)
		r.Party = &p
	}
	if r.Document != nil {
		d := *r.Document
		d.Lines = slices.Clone(d.Lines)
		d.Allocations = slices.Clone(d.Allocations)
		r.Document = &d
	}
	if r.Payment != nil {
		p := *r.Payment
		p.Allocations = slices.Clone(p.Allocations)
		r.Payment = &p
	}
	if r.Journal != nil {
		j := *r.Journal
		j.Lines = slices.Clone(j.Lines)
		r.Journal = &j
	}
	r.Account = clonePtr(r.Account)
	r.TaxRate = clonePtr(r.TaxRate)
	r.Item = clonePtr(r.Item)
	r.BankAccount = clonePtr(r.BankAccount)
	r.PaymentMethod = clonePtr(r.PaymentMethod)
	return r
}

// clonePtr copies what p points at (nil stays nil).
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// ErrInvalidRecord marks a record whose shape is wrong for its type.
var ErrInvalidRecord = errors.New("invalid record") // words:log: a kind for errors.Is; a record LedgerLink made wrongly, for the log

// Validate checks that exactly the payload matching Type is set and that the
// record has a code. It does not check business rules (that is pre-check).
func (r Record) Validate() error {
	set := 0
	for _, present := range []bool{r.Party != nil, r.Document != nil, r.Payment != nil, r.Journal != nil,
		r.Account != nil, r.TaxRate != nil, r.Item != nil, r.BankAccount != nil, r.PaymentMethod != nil} {
		if present {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("%w: %s record must carry exactly one payload, has %d", ErrInvalidRecord, r.Type, set)
	}
	var ok bool
	switch r.Type {
	case Customers, Suppliers:
		ok = r.Party != nil
	case Quotes, SalesInvoices, PurchaseInvoices, CreditNotes:
		ok = r.Document != nil
	case InvoicePayments, PurchasePayments:
		ok = r.Payment != nil
	case Journals:
		ok = r.Journal != nil
	case NominalAccounts:
		ok = r.Account != nil
	case TaxRates:
		ok = r.TaxRate != nil
	case Items:
		ok = r.Item != nil
	case BankAccounts:
		ok = r.BankAccount != nil
	case PaymentMethods:
		ok = r.PaymentMethod != nil
	default:
		return fmt.Errorf("%w: unknown record type %q", ErrInvalidRecord, r.Type)
	}
	if !ok {
		return fmt.Errorf("%w: %s record carries the wrong payload", ErrInvalidRecord, r.Type)
	}
	if strings.TrimSpace(r.Code()) == "" {
		return fmt.Errorf("%w: %s record has no code", ErrInvalidRecord, r.Type.Label())
	}
	return nil
}
