package xerosim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Amount is a decimal written as a bare JSON number, as Xero writes money.
type Amount struct{ decimal.Decimal }

func amt(d decimal.Decimal) Amount { return Amount{d} }

// MarshalJSON writes the amount as a JSON number with at least two
// decimal places.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.StringFixed(max(2, -a.Exponent()))), nil
}

// UnmarshalJSON reads a JSON number (or, leniently, a quoted one).
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if len(b) == 0 || string(b) == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a number", b)
	}
	a.Decimal = d
	return nil
}

// The records below are kept exactly as the API shows them (PascalCase,
// dates as Xero writes them), which is also how the state file holds them.

type ValidationError struct {
	Message string `json:"Message"`
}

type Address struct {
	AddressType  string `json:"AddressType,omitempty"`
	AddressLine1 string `json:"AddressLine1,omitempty"`
	AddressLine2 string `json:"AddressLine2,omitempty"`
	AddressLine3 string `json:"AddressLine3,omitempty"`
	AddressLine4 string `json:"AddressLine4,omitempty"`
	City         string `json:"City,omitempty"`
	Region       string `json:"Region,omitempty"`
	PostalCode   string `json:"PostalCode,omitempty"`
	Country      string `json:"Country,omitempty"`
	AttentionTo  string `json:"AttentionTo,omitempty"`
}

type Phone struct {
	PhoneType        string `json:"PhoneType,omitempty"`
	PhoneNumber      string `json:"PhoneNumber,omitempty"`
	PhoneAreaCode    string `json:"PhoneAreaCode,omitempty"`
	PhoneCountryCode string `json:"PhoneCountryCode,omitempty"`
}

type ContactPerson struct {
	FirstName       string `json:"FirstName,omitempty"`
	LastName        string `json:"LastName,omitempty"`
	EmailAddress    string `json:"EmailAddress,omitempty"`
	IncludeInEmails bool   `json:"IncludeInEmails,omitempty"`
}

type Contact struct {
	ContactID                 string            `json:"ContactID,omitempty"`
	ContactNumber             string            `json:"ContactNumber,omitempty"`
	AccountNumber             string            `json:"AccountNumber,omitempty"`
	ContactStatus             string            `json:"ContactStatus,omitempty"`
	Name                      string            `json:"Name,omitempty"`
	FirstName                 string            `json:"FirstName,omitempty"`
	LastName                  string            `json:"LastName,omitempty"`
	CompanyNumber             string            `json:"CompanyNumber,omitempty"`
	EmailAddress              string            `json:"EmailAddress,omitempty"`
	BankAccountDetails        string            `json:"BankAccountDetails,omitempty"`
	TaxNumber                 string            `json:"TaxNumber,omitempty"`
	AccountsReceivableTaxType string            `json:"AccountsReceivableTaxType,omitempty"`
	AccountsPayableTaxType    string            `json:"AccountsPayableTaxType,omitempty"`
	DefaultCurrency           string            `json:"DefaultCurrency,omitempty"`
	Addresses                 []Address         `json:"Addresses,omitempty"`
	Phones                    []Phone           `json:"Phones,omitempty"`
	ContactPersons            []ContactPerson   `json:"ContactPersons,omitempty"`
	IsSupplier                bool              `json:"IsSupplier"`
	IsCustomer                bool              `json:"IsCustomer"`
	UpdatedDateUTC            string            `json:"UpdatedDateUTC,omitempty"`
	HasValidationErrors       bool              `json:"HasValidationErrors,omitempty"`
	ValidationErrors          []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString     string            `json:"StatusAttributeString,omitempty"`
}

// ContactRef is how documents and payments show their contact.
type ContactRef struct {
	ContactID     string `json:"ContactID,omitempty"`
	ContactNumber string `json:"ContactNumber,omitempty"`
	Name          string `json:"Name,omitempty"`
	ContactStatus string `json:"ContactStatus,omitempty"`
}

type LineItem struct {
	LineItemID   string  `json:"LineItemID,omitempty"`
	Description  string  `json:"Description,omitempty"`
	Quantity     *Amount `json:"Quantity,omitempty"`
	UnitAmount   *Amount `json:"UnitAmount,omitempty"`
	ItemCode     string  `json:"ItemCode,omitempty"`
	AccountCode  string  `json:"AccountCode,omitempty"`
	AccountID    string  `json:"AccountID,omitempty"`
	TaxType      string  `json:"TaxType,omitempty"`
	TaxAmount    *Amount `json:"TaxAmount,omitempty"`
	LineAmount   *Amount `json:"LineAmount,omitempty"`
	DiscountRate *Amount `json:"DiscountRate,omitempty"`
}

type Invoice struct {
	Type                  string            `json:"Type,omitempty"`
	InvoiceID             string            `json:"InvoiceID,omitempty"`
	InvoiceNumber         string            `json:"InvoiceNumber,omitempty"`
	Reference             string            `json:"Reference,omitempty"`
	Contact               *ContactRef       `json:"Contact,omitempty"`
	DateString            string            `json:"DateString,omitempty"`
	Date                  string            `json:"Date,omitempty"`
	DueDateString         string            `json:"DueDateString,omitempty"`
	DueDate               string            `json:"DueDate,omitempty"`
	Status                string            `json:"Status,omitempty"`
	LineAmountTypes       string            `json:"LineAmountTypes,omitempty"`
	LineItems             []LineItem        `json:"LineItems,omitempty"`
	SubTotal              Amount            `json:"SubTotal"`
	TotalTax              Amount            `json:"TotalTax"`
	Total                 Amount            `json:"Total"`
	AmountDue             Amount            `json:"AmountDue"`
	AmountPaid            Amount            `json:"AmountPaid"`
	AmountCredited        Amount            `json:"AmountCredited"`
	CurrencyCode          string            `json:"CurrencyCode,omitempty"`
	CurrencyRate          Amount            `json:"CurrencyRate"`
	FullyPaidOnDate       string            `json:"FullyPaidOnDate,omitempty"`
	UpdatedDateUTC        string            `json:"UpdatedDateUTC,omitempty"`
	HasErrors             bool              `json:"HasErrors"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

type Quote struct {
	QuoteID               string            `json:"QuoteID,omitempty"`
	QuoteNumber           string            `json:"QuoteNumber,omitempty"`
	Reference             string            `json:"Reference,omitempty"`
	Terms                 string            `json:"Terms,omitempty"`
	Title                 string            `json:"Title,omitempty"`
	Summary               string            `json:"Summary,omitempty"`
	Contact               *ContactRef       `json:"Contact,omitempty"`
	DateString            string            `json:"DateString,omitempty"`
	Date                  string            `json:"Date,omitempty"`
	ExpiryDateString      string            `json:"ExpiryDateString,omitempty"`
	ExpiryDate            string            `json:"ExpiryDate,omitempty"`
	Status                string            `json:"Status,omitempty"`
	LineAmountTypes       string            `json:"LineAmountTypes,omitempty"`
	LineItems             []LineItem        `json:"LineItems,omitempty"`
	SubTotal              Amount            `json:"SubTotal"`
	TotalTax              Amount            `json:"TotalTax"`
	Total                 Amount            `json:"Total"`
	CurrencyCode          string            `json:"CurrencyCode,omitempty"`
	UpdatedDateUTC        string            `json:"UpdatedDateUTC,omitempty"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

type DocRef struct {
	InvoiceID     string      `json:"InvoiceID,omitempty"`
	InvoiceNumber string      `json:"InvoiceNumber,omitempty"`
	Type          string      `json:"Type,omitempty"`
	CurrencyCode  string      `json:"CurrencyCode,omitempty"`
	Contact       *ContactRef `json:"Contact,omitempty"`
}

type Allocation struct {
	AllocationID          string            `json:"AllocationID,omitempty"`
	Invoice               *DocRef           `json:"Invoice,omitempty"`
	Amount                Amount            `json:"Amount"`
	Date                  string            `json:"Date,omitempty"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

type CreditNote struct {
	Type                  string            `json:"Type,omitempty"`
	CreditNoteID          string            `json:"CreditNoteID,omitempty"`
	CreditNoteNumber      string            `json:"CreditNoteNumber,omitempty"`
	Reference             string            `json:"Reference,omitempty"`
	Contact               *ContactRef       `json:"Contact,omitempty"`
	DateString            string            `json:"DateString,omitempty"`
	Date                  string            `json:"Date,omitempty"`
	DueDateString         string            `json:"DueDateString,omitempty"`
	DueDate               string            `json:"DueDate,omitempty"`
	Status                string            `json:"Status,omitempty"`
	LineAmountTypes       string            `json:"LineAmountTypes,omitempty"`
	LineItems             []LineItem        `json:"LineItems,omitempty"`
	SubTotal              Amount            `json:"SubTotal"`
	TotalTax              Amount            `json:"TotalTax"`
	Total                 Amount            `json:"Total"`
	RemainingCredit       Amount            `json:"RemainingCredit"`
	CurrencyCode          string            `json:"CurrencyCode,omitempty"`
	Allocations           []Allocation      `json:"Allocations,omitempty"`
	UpdatedDateUTC        string            `json:"UpdatedDateUTC,omitempty"`
	HasErrors             bool              `json:"HasErrors"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

type AccountRef struct {
	AccountID string `json:"AccountID,omitempty"`
	Code      string `json:"Code,omitempty"`
}

type Payment struct {
	PaymentID             string            `json:"PaymentID,omitempty"`
	Invoice               *DocRef           `json:"Invoice,omitempty"`
	CreditNote            *CreditNoteRef    `json:"CreditNote,omitempty"`
	BatchPaymentID        string            `json:"BatchPaymentID,omitempty"`
	BatchPayment          *BatchPaymentRef  `json:"BatchPayment,omitempty"`
	Account               *AccountRef       `json:"Account,omitempty"`
	Date                  string            `json:"Date,omitempty"`
	Amount                Amount            `json:"Amount"`
	CurrencyRate          Amount            `json:"CurrencyRate"`
	Reference             string            `json:"Reference,omitempty"`
	IsReconciled          bool              `json:"IsReconciled"`
	Status                string            `json:"Status,omitempty"`
	PaymentType           string            `json:"PaymentType,omitempty"`
	UpdatedDateUTC        string            `json:"UpdatedDateUTC,omitempty"`
	HasValidationErrors   bool              `json:"HasValidationErrors"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

// CreditNoteRef is how a payment shows the credit note it refunds.
type CreditNoteRef struct {
	CreditNoteID     string      `json:"CreditNoteID,omitempty"`
	CreditNoteNumber string      `json:"CreditNoteNumber,omitempty"`
	Type             string      `json:"Type,omitempty"`
	CurrencyCode     string      `json:"CurrencyCode,omitempty"`
	Contact          *ContactRef `json:"Contact,omitempty"`
}

// BatchPaymentRef is how a payment made in a batch shows its batch.
type BatchPaymentRef struct {
	BatchPaymentID string      `json:"BatchPaymentID"`
	Account        *AccountRef `json:"Account,omitempty"`
	Date           string      `json:"Date,omitempty"`
	Reference      string      `json:"Reference,omitempty"`
	Type           string      `json:"Type,omitempty"`
	Status         string      `json:"Status,omitempty"`
	TotalAmount    Amount      `json:"TotalAmount"`
	UpdatedDateUTC string      `json:"UpdatedDateUTC,omitempty"`
	IsReconciled   bool        `json:"IsReconciled"`
}

// BatchInvoice is how a batch shows the invoice one of its payments pays:
// only its ID and currency, as Xero answers.
type BatchInvoice struct {
	InvoiceID    string `json:"InvoiceID,omitempty"`
	CurrencyCode string `json:"CurrencyCode,omitempty"`
}

// BatchMember is one payment of a batch as the batch shows it.
type BatchMember struct {
	PaymentID  string        `json:"PaymentID,omitempty"`
	Invoice    *BatchInvoice `json:"Invoice,omitempty"`
	Reference  string        `json:"Reference,omitempty"`
	Amount     Amount        `json:"Amount"`
	BankAmount Amount        `json:"BankAmount"`
}

// BatchPayment is one bank transaction paying several invoices or bills.
type BatchPayment struct {
	BatchPaymentID        string            `json:"BatchPaymentID,omitempty"`
	Account               *AccountRef       `json:"Account,omitempty"`
	Reference             string            `json:"Reference,omitempty"`
	DateString            string            `json:"DateString,omitempty"`
	Date                  string            `json:"Date,omitempty"`
	Payments              []BatchMember     `json:"Payments"`
	Type                  string            `json:"Type,omitempty"`
	Status                string            `json:"Status,omitempty"`
	TotalAmount           Amount            `json:"TotalAmount"`
	UpdatedDateUTC        string            `json:"UpdatedDateUTC,omitempty"`
	IsReconciled          bool              `json:"IsReconciled"`
	ValidationErrors      []ValidationError `json:"ValidationErrors,omitempty"`
	StatusAttributeString string            `json:"StatusAttributeString,omitempty"`
}

// ContactGroup is a named group of contacts.
type ContactGroup struct {
	ContactGroupID string `json:"ContactGroupID"`
	Name           string `json:"Name"`
	Status         string `json:"Status"`
	// ContactIDs are the members; the API shows them as Contacts.
	ContactIDs []string `json:"contact_ids"`
}

type Account struct {
	AccountID               string `json:"AccountID"`
	Code                    string `json:"Code,omitempty"`
	Name                    string `json:"Name"`
	Status                  string `json:"Status"`
	Type                    string `json:"Type"`
	TaxType                 string `json:"TaxType"`
	Class                   string `json:"Class"`
	SystemAccount           string `json:"SystemAccount,omitempty"`
	EnablePaymentsToAccount bool   `json:"EnablePaymentsToAccount"`
	BankAccountNumber       string `json:"BankAccountNumber,omitempty"`
	BankAccountType         string `json:"BankAccountType,omitempty"`
	CurrencyCode            string `json:"CurrencyCode,omitempty"`
	UpdatedDateUTC          string `json:"UpdatedDateUTC"`
}

type TaxRate struct {
	Name                  string `json:"Name"`
	TaxType               string `json:"TaxType"`
	Status                string `json:"Status"`
	ReportTaxType         string `json:"ReportTaxType,omitempty"`
	CanApplyToAssets      bool   `json:"CanApplyToAssets"`
	CanApplyToEquity      bool   `json:"CanApplyToEquity"`
	CanApplyToExpenses    bool   `json:"CanApplyToExpenses"`
	CanApplyToLiabilities bool   `json:"CanApplyToLiabilities"`
	CanApplyToRevenue     bool   `json:"CanApplyToRevenue"`
	DisplayTaxRate        Amount `json:"DisplayTaxRate"`
	EffectiveRate         Amount `json:"EffectiveRate"`
}

type ItemDetails struct {
	UnitPrice       Amount `json:"UnitPrice"`
	AccountCode     string `json:"AccountCode,omitempty"`
	COGSAccountCode string `json:"COGSAccountCode,omitempty"`
	TaxType         string `json:"TaxType,omitempty"`
}

type Item struct {
	ItemID                    string            `json:"ItemID"`
	Code                      string            `json:"Code"`
	Name                      string            `json:"Name,omitempty"`
	Description               string            `json:"Description,omitempty"`
	PurchaseDescription       string            `json:"PurchaseDescription,omitempty"`
	IsSold                    bool              `json:"IsSold"`
	IsPurchased               bool              `json:"IsPurchased"`
	IsTrackedAsInventory      bool              `json:"IsTrackedAsInventory"`
	InventoryAssetAccountCode string            `json:"InventoryAssetAccountCode,omitempty"`
	SalesDetails              *ItemDetails      `json:"SalesDetails,omitempty"`
	PurchaseDetails           *ItemDetails      `json:"PurchaseDetails,omitempty"`
	UpdatedDateUTC            string            `json:"UpdatedDateUTC"`
	StatusAttributeString     string            `json:"StatusAttributeString,omitempty"`
	ValidationErrors          []ValidationError `json:"ValidationErrors,omitempty"`
}

type Organisation struct {
	OrganisationID     string `json:"OrganisationID"`
	Name               string `json:"Name"`
	LegalName          string `json:"LegalName"`
	BaseCurrency       string `json:"BaseCurrency"`
	CountryCode        string `json:"CountryCode"`
	Version            string `json:"Version"`
	ShortCode          string `json:"ShortCode"`
	OrganisationStatus string `json:"OrganisationStatus"`
	PeriodLockDate     string `json:"PeriodLockDate,omitempty"`
	EndOfYearLockDate  string `json:"EndOfYearLockDate,omitempty"`
	IsDemoCompany      bool   `json:"IsDemoCompany"`
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// isUUID reports whether s has the 8-4-4-4-12 hex shape.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// msDate writes t as Xero's "/Date(ms+0000)/".
func msDate(t time.Time) string {
	return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + "+0000)/"
}

// parseMSDate reads "/Date(ms)/" or "/Date(ms+hhmm)/" (the offset is
// informative: ms is always since the epoch in UTC).
func parseMSDate(s string) (time.Time, bool) {
	inner, ok := strings.CutPrefix(s, "/Date(")
	if !ok {
		return time.Time{}, false
	}
	inner, ok = strings.CutSuffix(inner, ")/")
	if !ok {
		return time.Time{}, false
	}
	end := len(inner)
	for i := 1; i < len(inner); i++ {
		if inner[i] == '+' || inner[i] == '-' {
			end = i
			break
		}
	}
	ms, err := strconv.ParseInt(inner[:end], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// dayLayouts are the forms Xero takes for a document date.
var dayLayouts = []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", time.RFC3339Nano}

// parseDay reads a request's date into a calendar day (UTC midnight).
func parseDay(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, ok := parseMSDate(s); ok {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
	}
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// dayString is the *DateString form of a calendar day.
func dayString(t time.Time) string { return t.Format("2006-01-02T15:04:05") }

// parseTimestamp reads an If-Modified-Since value: ISO 8601 with or
// without a zone (no zone is UTC), or an HTTP date.
func parseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse(time.RFC1123, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// findFold returns the first of xs whose key equals want, ignoring case,
// as Xero matches IDs and codes; nil when there is none.
func findFold[T any](xs []*T, key func(*T) string, want string) *T {
	for _, x := range xs {
		if strings.EqualFold(key(x), want) {
			return x
		}
	}
	return nil
}
