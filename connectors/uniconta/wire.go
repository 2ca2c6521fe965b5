package uniconta

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Error is a failure Uniconta reports by an ErrorCodes name (NoRights,
// KeyExists, CouldNotFind, ErrorInJournal...), often with status 200, and
// the detail Company/GetLastError gives for it.
type Error struct {
	Code   string
	Detail string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "Uniconta: " + e.Code
	}
	return e.Code + ": " + e.Detail
}

// itemError turns a Uniconta failure into the per-record verdict, keeping
// Uniconta's words.
func itemError(err error) error {
	var ue *Error
	if errors.As(err, &ue) {
		return &connectors.ItemError{Code: ue.Code, Message: ue.Error()}
	}
	return err
}

// ErrUserOrPassword is Uniconta's refusal of the login id or the password
// (it does not say which of the two).
var ErrUserOrPassword = own.Fail(nil, "uniconta.signin.user_or_password")

// CompanyError says the Firma ID is wrong or the user cannot reach it.
type CompanyError struct{ ID int }

func (e *CompanyError) Error() string {
	if en := own.English(); en != nil {
		return en.Error(e.said())
	}
	return e.said().Error()
}

// Unwrap gives the refusal's words, for the faces to say.
func (e *CompanyError) Unwrap() error { return e.said() }

func (e *CompanyError) said() *words.Error {
	if e.ID == 0 {
		return words.Errorf(nil, "uniconta.signin.no_company")
	}
	return words.Errorf(nil, "uniconta.signin.wrong_company", "ID", strconv.Itoa(e.ID))
}

func companyError(id int) error { return &CompanyError{ID: id} }

// ChangeLinkError says Uniconta ticked "Has errors" (Har fejl) on
// LedgerLink's modification URL: Uniconta sends no change calls until it
// is cleared. Message is the last error Uniconta recorded.
type ChangeLinkError struct {
	URL     string
	Message string
}

func (e *ChangeLinkError) Error() string {
	if en := own.English(); en != nil {
		return en.Error(e.said())
	}
	return e.said().Error()
}

// said is the flag in words, with Uniconta's own message as it wrote it.
func (e *ChangeLinkError) said() *words.Error {
	return words.Errorf(nil, "uniconta.has_errors_marked", "Message", e.Message)
}

// Unwrap says the person must act: nothing syncs until the flag is
// cleared (Refresh); and it gives the flag's words, for the faces to say.
func (e *ChangeLinkError) Unwrap() []error { return []error{e.said(), connectors.ErrNeedsAction} }

// decodeAnswer reads a 2xx answer into out. It returns the ErrorCodes name
// when the answer is one instead of data: a plain-text body, or a JSON
// string where out wants something else ("Succes" means done).
func decodeAnswer(data []byte, out any) (string, error) {
	b := bytes.TrimSpace(data)
	if len(b) == 0 {
		return "", nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		if p, ok := out.(*string); ok {
			*p = s
			return "", nil
		}
		return codeOf(s)
	case '{', '[':
		if out == nil {
			return "", nil
		}
		return "", json.Unmarshal(b, out)
	}
	return codeOf(string(b))
}

// codeOf accepts an ErrorCodes name ("Succes" is success).
func codeOf(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "Succes") || strings.EqualFold(s, "Success") {
		return "", nil
	}
	if s == "" || len(s) > 64 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		return "", fmt.Errorf("unexpected answer %q", snippet([]byte(s))) // words:log: detail under the words of an unreadable answer
	}
	return s, nil
}

// postingResult is the answer of the invoice and journal postings.
type postingResult struct {
	Err              json.RawMessage `json:"Err"`
	InvoiceNumber    int64           `json:"InvoiceNumber"`
	JournalPostedlID int64           `json:"JournalPostedlId"`
	Header           json.RawMessage `json:"Header"`
}

// code reads Err: 0 or "Succes" is success, any other number or name a
// failure (the numbers behind the names are not published).
func (p postingResult) code() (string, error) {
	b := bytes.TrimSpace(p.Err)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return codeOf(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return "", fmt.Errorf("Err is neither a number nor a name: %s", snippet(b)) // words:log: detail under the words of an unreadable posting
	}
	if n == 0 {
		return "", nil
	}
	return "ErrorCode" + strconv.FormatInt(n, 10), nil
}

// parseLoginAnswer reads /login and /refresh: the token pair, or an
// ErrorCodes name (such as NoCompanyId) sent as a JSON string.
func parseLoginAnswer(data []byte) (loginAnswer, string, error) {
	var ans loginAnswer
	code, err := decodeAnswer(data, &ans)
	if err != nil {
		return ans, "", own.Fail(err, "uniconta.signin.unreadable")
	}
	if code != "" {
		return ans, code, nil
	}
	if ans.Token == "" {
		return ans, "", own.Fail(nil, "uniconta.signin.no_token")
	}
	return ans, "", nil
}

// tokenExpiry reads "exp" from the JWT's payload; without it the access
// token is taken to last the documented hour, less a margin.
func tokenExpiry(token string, now time.Time) time.Time {
	fallback := now.Add(55 * time.Minute)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fallback
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return fallback
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return fallback
	}
	exp, err := claims.Exp.Int64()
	if err != nil || exp <= 0 || exp > 1<<40 {
		return fallback
	}
	t := time.Unix(exp, 0)
	if t.After(now.Add(25 * time.Hour)) {
		return fallback
	}
	return t
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 7*24*3600 {
		return max(time.Duration(n)*time.Second, time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now), true
	}
	return 0, false
}

// ucDate is a WebAPI date: "2026-11-02T00:00:00" (Newtonsoft's form,
// sometimes with a zone), null, or .NET's zero date.
type ucDate struct{ time.Time }

func (d ucDate) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.UTC().Format("2006-01-02T15:04:05") + `"`), nil
}

func (d *ucDate) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" || s == `""` {
		*d = ucDate{}
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("a Uniconta date must be a string, got %s", snippet(b)) // words:log: detail under the words of an unreadable answer
	}
	t, err := parseUCDate(v)
	if err != nil {
		return err
	}
	*d = ucDate{t}
	return nil
}

func parseUCDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05.9999999Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			if t.Year() <= 1 {
				return time.Time{}, nil
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Uniconta date", snippet([]byte(v))) // words:log: detail under the words of an unreadable answer
}

func toDate(d ucDate) connectors.Date {
	if d.IsZero() {
		return connectors.Date{}
	}
	return connectors.DateOf(d.Time)
}

func fromDate(d connectors.Date) ucDate {
	if d.IsZero() {
		return ucDate{}
	}
	return ucDate{d.Time}
}

// amount is a decimal sent as a JSON number, as the WebAPI's doubles are.
type amount struct{ decimal.Decimal }

func (a amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

func (a *amount) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	s = strings.Trim(s, `"`)
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("%q is not an amount", snippet(b)) // words:log: detail under the words of an unreadable answer

	}
	a.Decimal = d
	return nil
}

func amt(d decimal.Decimal) amount { return amount{d} }

// ---- entities (the WebAPI's property names) ----

// wireParty is a DebtorClient or CreditorClient.
type wireParty struct {
	RowID               int64   `json:"RowId,omitempty"`
	Account             string  `json:"Account"`
	Name                string  `json:"Name"`
	Group               string  `json:"Group,omitempty"`
	Address1            string  `json:"Address1"`
	Address2            string  `json:"Address2"`
	Address3            string  `json:"Address3"`
	ZipCode             string  `json:"ZipCode"`
	City                string  `json:"City"`
	CountryName         string  `json:"CountryName"`
	ContactPerson       string  `json:"ContactPerson"`
	ContactEmail        string  `json:"ContactEmail"`
	Phone               string  `json:"Phone"`
	VatNumber           string  `json:"VatNumber"`
	Currency            string  `json:"Currency"`
	DeliveryAddress1    string  `json:"DeliveryAddress1"`
	DeliveryAddress2    string  `json:"DeliveryAddress2"`
	DeliveryAddress3    string  `json:"DeliveryAddress3"`
	DeliveryZipCode     string  `json:"DeliveryZipCode"`
	DeliveryCity        string  `json:"DeliveryCity"`
	DeliveryCountryName string  `json:"DeliveryCountryName"`
	Blocked             bool    `json:"Blocked"`
	CrmGroup            *string `json:"CrmGroup,omitempty"`
	Created             *ucDate `json:"Created,omitempty"`
}

// wireOrder is a DebtorOrderClient, DebtorOfferClient or CreditorOrderClient.
type wireOrder struct {
	RowID         int64   `json:"RowId,omitempty"`
	OrderNumber   int64   `json:"OrderNumber,omitempty"`
	OfferNumber   int64   `json:"OfferNumber,omitempty"`
	Account       string  `json:"Account"`
	InvoiceDate   ucDate  `json:"InvoiceDate"`
	DueDate       ucDate  `json:"DueDate"`
	Currency      string  `json:"Currency"`
	YourRef       string  `json:"YourRef"`
	OurRef        string  `json:"OurRef"`
	InvoiceNumber *string `json:"InvoiceNumber,omitempty"`
	PricesInclVat bool    `json:"PricesInclVat"`
	UpdatedAt     *ucDate `json:"UpdatedAt,omitempty"`
}

// wireLine is an order, offer or posted invoice line.
type wireLine struct {
	RowID          int64  `json:"RowId,omitempty"`
	OrderNumber    int64  `json:"OrderNumber,omitempty"`
	InvoiceRowID   int64  `json:"InvoiceRowId,omitempty"`
	LineNumber     amount `json:"LineNumber"`
	Item           string `json:"Item"`
	Text           string `json:"Text"`
	Qty            amount `json:"Qty"`
	Price          amount `json:"Price"`
	DiscountPct    amount `json:"DiscountPct"`
	Vat            string `json:"Vat"`
	PostingAccount string `json:"PostingAccount"`
	Dimension1     string `json:"Dimension1"`
	Dimension2     string `json:"Dimension2"`
	Dimension3     string `json:"Dimension3"`
	Dimension4     string `json:"Dimension4"`
	Dimension5     string `json:"Dimension5"`
}

// wireInvoice is a posted DebtorInvoiceClient or CreditorInvoiceClient.
type wireInvoice struct {
	RowID         int64  `json:"RowId"`
	InvoiceNumber int64  `json:"InvoiceNumber"`
	InvoiceAN     string `json:"InvoiceAN"`
	Account       string `json:"Account"`
	Date          ucDate `json:"Date"`
	DueDate       ucDate `json:"DueDate"`
	Currency      string `json:"Currency"`
	YourRef       string `json:"YourRef"`
	OurRef        string `json:"OurRef"`
	PricesInclVat bool   `json:"PricesInclVat"`
	NetAmount     amount `json:"NetAmount"`
	VatAmount     amount `json:"VatAmount"`
	TotalAmount   amount `json:"TotalAmount"`
}

// wireTrans is a posted ledger row (GLTransClient).
type wireTrans struct {
	RowID           int64  `json:"RowId"`
	Date            ucDate `json:"Date"`
	Account         string `json:"Account"`
	Voucher         int64  `json:"Voucher"`
	Invoice         int64  `json:"Invoice"`
	JournalPostedID int64  `json:"JournalPostedId"`
	Amount          amount `json:"Amount"`
	Text            string `json:"Text"`
	DCType          string `json:"DCType"`
	DCAccount       string `json:"DCAccount"`
	ReferenceNumber string `json:"ReferenceNumber"`
	Currency        string `json:"Currency"`
	Dimension1      string `json:"Dimension1"`
	Dimension2      string `json:"Dimension2"`
	Dimension3      string `json:"Dimension3"`
	Dimension4      string `json:"Dimension4"`
	Dimension5      string `json:"Dimension5"`
}

// wireJournalLine is a GLDailyJournalLineClient as posted.
type wireJournalLine struct {
	Date              ucDate `json:"Date"`
	AccountType       string `json:"AccountType"`
	Account           string `json:"Account"`
	OffsetAccountType string `json:"OffsetAccountType,omitempty"`
	OffsetAccount     string `json:"OffsetAccount,omitempty"`
	Invoice           string `json:"Invoice,omitempty"`
	Text              string `json:"Text"`
	Amount            amount `json:"Amount"`
	Currency          string `json:"Currency,omitempty"`
	DCPostType        string `json:"DCPostType,omitempty"`
	ReferenceNumber   string `json:"ReferenceNumber"`
	Dimension1        string `json:"Dimension1,omitempty"`
	Dimension2        string `json:"Dimension2,omitempty"`
	Dimension3        string `json:"Dimension3,omitempty"`
	Dimension4        string `json:"Dimension4,omitempty"`
	Dimension5        string `json:"Dimension5,omitempty"`
}

// wirePostingLine is a GLPostingLineWA, for CheckJournal.
type wirePostingLine struct {
	Account     string `json:"Account"`
	AccountType int    `json:"AccountType"`
	AmountCur   amount `json:"AmountCur"`
	Text        string `json:"Text"`
}

type queryFilter struct {
	PropertyName      string `json:"PropertyName,omitempty"`
	FilterValue       string `json:"FilterValue,omitempty"`
	Skip              int    `json:"Skip,omitempty"`
	Take              int    `json:"Take,omitempty"`
	OrderBy           bool   `json:"OrderBy,omitempty"`
	OrderByDescending bool   `json:"OrderByDescending,omitempty"`
}
