package xero

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"
)

// number is a decimal that travels as a bare JSON number, as Xero expects;
// decimal.Decimal on its own would write a quoted string. Reading accepts
// both, and null.
type number struct{ decimal.Decimal }

func num(d decimal.Decimal) number { return number{d} }

// MarshalJSON writes the decimal as a JSON number.
func (n number) MarshalJSON() ([]byte, error) { return []byte(n.Decimal.String()), nil }

// UnmarshalJSON reads a JSON number, a quoted number or null.
func (n *number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		n.Decimal = decimal.Zero
		return nil
	}
	b = bytes.Trim(b, `"`)
	if len(b) == 0 {
		n.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("amount %q is not a number: %w", b, err)
	}
	n.Decimal = d
	return nil
}

// The wire types below follow the Xero Accounting API's JSON: PascalCase
// names, dates as strings. Read-only fields are omitted when empty so that
// nothing read-only is sent on a write.

type validationError struct {
	Message string `json:"Message"`
}

type pagination struct {
	Page      int `json:"page"`
	PageSize  int `json:"pageSize"`
	PageCount int `json:"pageCount"`
	ItemCount int `json:"itemCount"`
}

// envelope is the body of every Accounting API answer (and of the writes):
// one of the arrays is filled.
type envelope struct {
	ID            string         `json:"Id,omitempty"`
	Status        string         `json:"Status,omitempty"`
	Pagination    *pagination    `json:"pagination,omitempty"`
	Contacts      []contact      `json:"Contacts,omitempty"`
	Invoices      []invoice      `json:"Invoices,omitempty"`
	Quotes        []quote        `json:"Quotes,omitempty"`
	CreditNotes   []creditNote   `json:"CreditNotes,omitempty"`
	Payments      []payment      `json:"Payments,omitempty"`
	BatchPayments []batchPayment `json:"BatchPayments,omitempty"`
	ContactGroups []contactGroup `json:"ContactGroups,omitempty"`
	Allocations   []allocation   `json:"Allocations,omitempty"`
	Accounts      []account      `json:"Accounts,omitempty"`
	TaxRates      []taxRate      `json:"TaxRates,omitempty"`
	Items         []item         `json:"Items,omitempty"`
	Organisations []organisation `json:"Organisations,omitempty"`
	// ManualJournals carry payroll journals.
	ManualJournals []manualJournal `json:"ManualJournals,omitempty"`
}

type address struct {
	AddressType  string `json:"AddressType"`
	AddressLine1 string `json:"AddressLine1,omitempty"`
	AddressLine2 string `json:"AddressLine2,omitempty"`
	City         string `json:"City,omitempty"`
	Region       string `json:"Region,omitempty"`
	PostalCode   string `json:"PostalCode,omitempty"`
	Country      string `json:"Country,omitempty"`
}

type phone struct {
	PhoneType   string `json:"PhoneType"`
	PhoneNumber string `json:"PhoneNumber,omitempty"`
}

type contactPerson struct {
	FirstName    string `json:"FirstName,omitempty"`
	LastName     string `json:"LastName,omitempty"`
	EmailAddress string `json:"EmailAddress,omitempty"`
}

type contact struct {
	ContactID     string `json:"ContactID,omitempty"`
	ContactNumber string `json:"ContactNumber,omitempty"`
	AccountNumber string `json:"AccountNumber,omitempty"`
	ContactStatus string `json:"ContactStatus,omitempty"`
	Name          string `json:"Name,omitempty"`
	// FirstName and LastName are pointers so that an update can send ""
	// to clear a contact person.
	FirstName       *string         `json:"FirstName,omitempty"`
	LastName        *string         `json:"LastName,omitempty"`
	EmailAddress    string          `json:"EmailAddress,omitempty"`
	TaxNumber       string          `json:"TaxNumber,omitempty"`
	DefaultCurrency string          `json:"DefaultCurrency,omitempty"`
	Addresses       []address       `json:"Addresses,omitempty"`
	Phones          []phone         `json:"Phones,omitempty"`
	ContactPersons  []contactPerson `json:"ContactPersons,omitempty"`

	// Read-only.
	IsSupplier          bool              `json:"IsSupplier,omitempty"`
	IsCustomer          bool              `json:"IsCustomer,omitempty"`
	UpdatedDateUTC      string            `json:"UpdatedDateUTC,omitempty"`
	HasValidationErrors bool              `json:"HasValidationErrors,omitempty"`
	ValidationErrors    []validationError `json:"ValidationErrors,omitempty"`
}

type lineItem struct {
	Description  string `json:"Description,omitempty"`
	Quantity     number `json:"Quantity"`
	UnitAmount   number `json:"UnitAmount"`
	ItemCode     string `json:"ItemCode,omitempty"`
	AccountCode  string `json:"AccountCode,omitempty"`
	TaxType      string `json:"TaxType,omitempty"`
	TaxAmount    number `json:"TaxAmount,omitzero"`
	DiscountRate number `json:"DiscountRate,omitzero"`
	// Read-only on our writes: Xero computes it.
	LineAmount number `json:"LineAmount,omitzero"`
}

// docRef points at an invoice or credit note from a payment or allocation.
type docRef struct {
	InvoiceID     string   `json:"InvoiceID,omitempty"`
	InvoiceNumber string   `json:"InvoiceNumber,omitempty"`
	Type          string   `json:"Type,omitempty"`
	CurrencyCode  string   `json:"CurrencyCode,omitempty"`
	Contact       *contact `json:"Contact,omitempty"`
}

type accountRef struct {
	AccountID string `json:"AccountID,omitempty"`
	Code      string `json:"Code,omitempty"`
}

type invoice struct {
	Type            string     `json:"Type,omitempty"`
	InvoiceID       string     `json:"InvoiceID,omitempty"`
	InvoiceNumber   string     `json:"InvoiceNumber,omitempty"`
	Reference       string     `json:"Reference,omitempty"`
	Contact         *contact   `json:"Contact,omitempty"`
	Date            string     `json:"Date,omitempty"`
	DueDate         string     `json:"DueDate,omitempty"`
	Status          string     `json:"Status,omitempty"`
	LineAmountTypes string     `json:"LineAmountTypes,omitempty"`
	CurrencyCode    string     `json:"CurrencyCode,omitempty"`
	LineItems       []lineItem `json:"LineItems,omitempty"`

	// Read-only.
	DateString       string            `json:"DateString,omitempty"`
	DueDateString    string            `json:"DueDateString,omitempty"`
	Total            number            `json:"Total,omitzero"`
	AmountDue        number            `json:"AmountDue,omitzero"`
	UpdatedDateUTC   string            `json:"UpdatedDateUTC,omitempty"`
	HasErrors        bool              `json:"HasErrors,omitempty"`
	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

type quote struct {
	QuoteID         string     `json:"QuoteID,omitempty"`
	QuoteNumber     string     `json:"QuoteNumber,omitempty"`
	Reference       string     `json:"Reference,omitempty"`
	Contact         *contact   `json:"Contact,omitempty"`
	Date            string     `json:"Date,omitempty"`
	ExpiryDate      string     `json:"ExpiryDate,omitempty"`
	Status          string     `json:"Status,omitempty"`
	LineAmountTypes string     `json:"LineAmountTypes,omitempty"`
	CurrencyCode    string     `json:"CurrencyCode,omitempty"`
	LineItems       []lineItem `json:"LineItems,omitempty"`

	// Read-only.
	DateString       string            `json:"DateString,omitempty"`
	ExpiryDateString string            `json:"ExpiryDateString,omitempty"`
	Total            number            `json:"Total,omitzero"`
	UpdatedDateUTC   string            `json:"UpdatedDateUTC,omitempty"`
	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

type allocation struct {
	AllocationID string  `json:"AllocationID,omitempty"`
	Invoice      *docRef `json:"Invoice,omitempty"`
	Amount       number  `json:"Amount"`
	Date         string  `json:"Date,omitempty"`

	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

type creditNote struct {
	Type             string     `json:"Type,omitempty"`
	CreditNoteID     string     `json:"CreditNoteID,omitempty"`
	CreditNoteNumber string     `json:"CreditNoteNumber,omitempty"`
	Reference        string     `json:"Reference,omitempty"`
	Contact          *contact   `json:"Contact,omitempty"`
	Date             string     `json:"Date,omitempty"`
	DueDate          string     `json:"DueDate,omitempty"`
	Status           string     `json:"Status,omitempty"`
	LineAmountTypes  string     `json:"LineAmountTypes,omitempty"`
	CurrencyCode     string     `json:"CurrencyCode,omitempty"`
	LineItems        []lineItem `json:"LineItems,omitempty"`

	// Read-only.
	DateString       string            `json:"DateString,omitempty"`
	DueDateString    string            `json:"DueDateString,omitempty"`
	Total            number            `json:"Total,omitzero"`
	RemainingCredit  number            `json:"RemainingCredit,omitzero"`
	Allocations      []allocation      `json:"Allocations,omitempty"`
	UpdatedDateUTC   string            `json:"UpdatedDateUTC,omitempty"`
	HasErrors        bool              `json:"HasErrors,omitempty"`
	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

// creditNoteRef points at a credit note from a payment (a refund).
type creditNoteRef struct {
	CreditNoteID     string   `json:"CreditNoteID,omitempty"`
	CreditNoteNumber string   `json:"CreditNoteNumber,omitempty"`
	Type             string   `json:"Type,omitempty"`
	CurrencyCode     string   `json:"CurrencyCode,omitempty"`
	Contact          *contact `json:"Contact,omitempty"`
}

type payment struct {
	PaymentID  string         `json:"PaymentID,omitempty"`
	Invoice    *docRef        `json:"Invoice,omitempty"`
	CreditNote *creditNoteRef `json:"CreditNote,omitempty"`
	Account    *accountRef    `json:"Account,omitempty"`
	Date       string         `json:"Date,omitempty"`
	Amount     number         `json:"Amount"`
	Reference  string         `json:"Reference,omitempty"`

	// Read-only.
	BatchPaymentID      string            `json:"BatchPaymentID,omitempty"`
	PaymentType         string            `json:"PaymentType,omitempty"`
	Status              string            `json:"Status,omitempty"`
	UpdatedDateUTC      string            `json:"UpdatedDateUTC,omitempty"`
	HasValidationErrors bool              `json:"HasValidationErrors,omitempty"`
	ValidationErrors    []validationError `json:"ValidationErrors,omitempty"`
}

// batchMember is one payment inside a batch payment.
type batchMember struct {
	PaymentID string  `json:"PaymentID,omitempty"`
	Invoice   *docRef `json:"Invoice,omitempty"`
	Amount    number  `json:"Amount"`
	Reference string  `json:"Reference,omitempty"`

	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

// batchPayment is one bank transaction paying several invoices or bills
// (/BatchPayments).
type batchPayment struct {
	BatchPaymentID string        `json:"BatchPaymentID,omitempty"`
	Account        *accountRef   `json:"Account,omitempty"`
	Date           string        `json:"Date,omitempty"`
	Reference      string        `json:"Reference,omitempty"`
	Payments       []batchMember `json:"Payments"`

	// Read-only.
	DateString       string            `json:"DateString,omitempty"`
	Type             string            `json:"Type,omitempty"`
	Status           string            `json:"Status,omitempty"`
	TotalAmount      number            `json:"TotalAmount,omitzero"`
	UpdatedDateUTC   string            `json:"UpdatedDateUTC,omitempty"`
	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

// contactGroup is a named group of contacts (/ContactGroups).
type contactGroup struct {
	ContactGroupID string    `json:"ContactGroupID,omitempty"`
	Name           string    `json:"Name,omitempty"`
	Status         string    `json:"Status,omitempty"`
	Contacts       []contact `json:"Contacts,omitempty"`

	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

// journalLine is one line of a manual journal: a debit is a positive
// LineAmount, a credit a negative one.
type journalLine struct {
	LineAmount  number `json:"LineAmount"`
	AccountCode string `json:"AccountCode,omitempty"`
	Description string `json:"Description,omitempty"`
	TaxType     string `json:"TaxType,omitempty"`

	// Read-only.
	AccountID string `json:"AccountID,omitempty"`
	TaxAmount number `json:"TaxAmount,omitzero"`
}

// manualJournal is a Xero manual journal (/ManualJournals).
type manualJournal struct {
	ManualJournalID string        `json:"ManualJournalID,omitempty"`
	Narration       string        `json:"Narration,omitempty"`
	Date            string        `json:"Date,omitempty"`
	Status          string        `json:"Status,omitempty"`
	LineAmountTypes string        `json:"LineAmountTypes,omitempty"`
	JournalLines    []journalLine `json:"JournalLines,omitempty"`

	// Read-only.
	UpdatedDateUTC   string            `json:"UpdatedDateUTC,omitempty"`
	ValidationErrors []validationError `json:"ValidationErrors,omitempty"`
}

type account struct {
	AccountID         string `json:"AccountID"`
	Code              string `json:"Code"`
	Name              string `json:"Name"`
	Type              string `json:"Type"`
	TaxType           string `json:"TaxType"`
	Status            string `json:"Status"`
	Class             string `json:"Class"`
	SystemAccount     string `json:"SystemAccount"`
	BankAccountNumber string `json:"BankAccountNumber"`
	CurrencyCode      string `json:"CurrencyCode"`
	UpdatedDateUTC    string `json:"UpdatedDateUTC"`
}

type taxRate struct {
	Name           string `json:"Name"`
	TaxType        string `json:"TaxType"`
	Status         string `json:"Status"`
	EffectiveRate  number `json:"EffectiveRate"`
	DisplayTaxRate number `json:"DisplayTaxRate"`
}

type itemDetails struct {
	UnitPrice       number `json:"UnitPrice"`
	AccountCode     string `json:"AccountCode"`
	COGSAccountCode string `json:"COGSAccountCode"`
	TaxType         string `json:"TaxType"`
}

type item struct {
	ItemID               string            `json:"ItemID"`
	Code                 string            `json:"Code"`
	Name                 string            `json:"Name"`
	Description          string            `json:"Description"`
	IsTrackedAsInventory bool              `json:"IsTrackedAsInventory"`
	SalesDetails         *itemDetails      `json:"SalesDetails"`
	PurchaseDetails      *itemDetails      `json:"PurchaseDetails"`
	UpdatedDateUTC       string            `json:"UpdatedDateUTC"`
	ValidationErrors     []validationError `json:"ValidationErrors"`
}

// itemOut is an item as LedgerLink sends it (PUT or POST /Items).
type itemOut struct {
	ItemID                    string          `json:"ItemID,omitempty"`
	Code                      string          `json:"Code"`
	Name                      string          `json:"Name,omitempty"`
	Description               string          `json:"Description,omitempty"`
	IsSold                    bool            `json:"IsSold"`
	IsPurchased               bool            `json:"IsPurchased"`
	InventoryAssetAccountCode string          `json:"InventoryAssetAccountCode,omitempty"`
	SalesDetails              *itemDetailsOut `json:"SalesDetails,omitempty"`
	PurchaseDetails           *itemDetailsOut `json:"PurchaseDetails,omitempty"`
}

type itemDetailsOut struct {
	UnitPrice       number `json:"UnitPrice"`
	AccountCode     string `json:"AccountCode,omitempty"`
	COGSAccountCode string `json:"COGSAccountCode,omitempty"`
}

type organisation struct {
	OrganisationID    string `json:"OrganisationID"`
	Name              string `json:"Name"`
	BaseCurrency      string `json:"BaseCurrency"`
	ShortCode         string `json:"ShortCode"`
	PeriodLockDate    string `json:"PeriodLockDate"`
	EndOfYearLockDate string `json:"EndOfYearLockDate"`
}

// apiErrorBody is the body of a 400 answer.
type apiErrorBody struct {
	ErrorNumber int               `json:"ErrorNumber"`
	Type        string            `json:"Type"`
	Message     string            `json:"Message"`
	Elements    []errorElement    `json:"Elements"`
	Detail      string            `json:"Detail"`
	Title       string            `json:"Title"`
	Errors      []validationError `json:"ValidationErrors"`
}

// errorElement is one element of a ValidationException; Xero repeats the
// element's own fields, of which only the messages and IDs matter here.
type errorElement struct {
	ValidationErrors []validationError `json:"ValidationErrors"`
	InvoiceNumber    string            `json:"InvoiceNumber"`
	ContactNumber    string            `json:"ContactNumber"`
	CreditNoteNumber string            `json:"CreditNoteNumber"`
	QuoteNumber      string            `json:"QuoteNumber"`
	Reference        string            `json:"Reference"`
}
