package xero

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestParseDate(t *testing.T) {
	nz := time.FixedZone("", 13*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"/Date(1573755038314+0000)/", time.UnixMilli(1573755038314).UTC()},
		{"/Date(1573755038314)/", time.UnixMilli(1573755038314).UTC()},
		{`\/Date(1518652800000+0000)\/`, time.Date(2018, 2, 15, 0, 0, 0, 0, time.UTC)},
		{"/Date(1518652800000+1300)/", time.Date(2018, 2, 15, 13, 0, 0, 0, nz)},
		{"/Date(-86400000)/", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)},
		{"2019-11-14", time.Date(2019, 11, 14, 0, 0, 0, 0, time.UTC)},
		{"2019-11-14T18:10:38", time.Date(2019, 11, 14, 18, 10, 38, 0, time.UTC)},
		{"2019-11-14T18:10:38Z", time.Date(2019, 11, 14, 18, 10, 38, 0, time.UTC)},
		{"2019-12-07T18:46:19.5165400", time.Date(2019, 12, 7, 18, 46, 19, 516540000, time.UTC)},
		{"2020-02-06T12:17:43.202-08:00", time.Date(2020, 2, 6, 20, 17, 43, 202000000, time.UTC)},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "  ", "/Date()/", "/Date(abc)/", "/Date(1+00)/", "/Date(1+9900)/", "/Date(99999999999999999)/",
		"14/11/2019", "2019-13-01", "Date(1)", "/Date(1573755038314+0000)"} {
		if _, err := ParseDate(bad); err == nil || !errors.Is(err, errBadDate) {
			t.Errorf("ParseDate(%q) did not fail with errBadDate: %v", bad, err)
		}
	}
	// Both ways: what FormatDate writes, ParseDate reads.
	at := time.Date(2026, 5, 4, 9, 30, 1, 123000000, time.UTC)
	if got, err := ParseDate(FormatDate(at)); err != nil || !got.Equal(at) {
		t.Errorf("round trip of %v gave %v, %v", at, got, err)
	}
	// A document date keeps the organisation's calendar day.
	d, err := dayOf("2018-02-15T00:00:00", "/Date(1518652800000+0000)/")
	if err != nil || d != connectors.NewDate(2018, 2, 15) {
		t.Errorf("dayOf = %v, %v", d, err)
	}
	if d, err := dayOf("", ""); err != nil || !d.IsZero() {
		t.Errorf("blank date = %v, %v", d, err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"/Date(1573755038314+0000)/", "/Date(0)/", "/Date(-1-0130)/", "2019-11-14", "2019-11-14T18:10:38.123Z", "", "/Date(", ")/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, errBadDate) {
				t.Fatalf("error %v does not wrap errBadDate", err)
			}
			return
		}
		if y := got.Year(); y < -1 || y > 10000 {
			t.Fatalf("ParseDate(%q) gave year %d", s, y)
		}
		// What parsed as a /Date()/ survives a round trip to the millisecond.
		if strings.HasPrefix(strings.TrimSpace(s), "/Date(") {
			again, err := ParseDate(FormatDate(got))
			if err != nil || !again.Equal(got.Truncate(time.Millisecond)) {
				t.Fatalf("round trip of %q: %v, %v", s, again, err)
			}
		}
	})
}

func TestDecodeAPIError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		typ      string
		message  string
		elements [][]string
	}{
		{"validation", 400, `{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"InvoiceNumber":"INV-1","ValidationErrors":[{"Message":"Account code or ID must be specified"}]},{"ValidationErrors":[]}]}`,
			"ValidationException", "A validation exception occurred", [][]string{{"Account code or ID must be specified"}, nil}},
		{"post data", 400, `{"ErrorNumber":14,"Type":"PostDataInvalidException","Message":"JSON for post data was invalid"}`,
			"PostDataInvalidException", "JSON for post data was invalid", nil},
		{"gateway problem", 401, `{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthenticationUnsuccessful","Instance":"x"}`,
			"Unauthorized", "AuthenticationUnsuccessful", nil},
		{"oauth", 400, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`,
			"invalid_grant", "Token has been expired or revoked.", nil},
		{"plain text", 404, "The resource you're looking for cannot be found", "", "The resource you're looking for cannot be found", nil},
		{"broken json", 400, `{"ErrorNumber":`, "", `{"ErrorNumber":`, nil},
		{"empty", 500, "", "", "", nil},
	}
	for _, tc := range tests {
		e := decodeAPIError(tc.status, []byte(tc.body))
		if e.Status != tc.status || e.Type != tc.typ || e.Message != tc.message || fmt.Sprint(e.Elements) != fmt.Sprint(tc.elements) {
			t.Errorf("%s: %+v", tc.name, e)
		}
		if e.Error() == "" {
			t.Errorf("%s: empty error text", tc.name)
		}
	}
	long := decodeAPIError(502, []byte(strings.Repeat("é", 400)))
	if len(long.Message) > maxErrorText+len("…") {
		t.Errorf("a long body was kept whole: %d bytes", len(long.Message))
	}
}

func FuzzDecodeAPIError(f *testing.F) {
	f.Add(400, []byte(`{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"x"}]}]}`))
	f.Add(401, []byte(`{"Title":"Unauthorized","Detail":"TokenExpired"}`))
	f.Add(400, []byte(`{"error":"invalid_grant"}`))
	f.Add(500, []byte("<html>oops</html>"))
	f.Add(400, []byte(`{"Elements":[null,{"ValidationErrors":[null]}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(status, body)
		if e == nil || e.Status != status {
			t.Fatalf("decodeAPIError lost the status: %+v", e)
		}
		_ = e.Error()
		_ = e.Messages()
		if len(e.Message) > len(body)+len("…") {
			t.Fatalf("message longer than the body")
		}
		if _, ok := Explain(e); ok && e.Error() == "" {
			t.Fatal("explained an empty error")
		}
	})
}

// TestExplainCatalogue uses Xero's own message texts.
func TestExplainCatalogue(t *testing.T) {
	tests := []struct {
		message string
		cause   string
		fix     string
	}{
		{"A validation exception occurred Account code or ID must be specified", "no Xero account mapped", "Mapping tab"},
		{"Account code must be specified", "no Xero account mapped", "Mapping tab"},
		{"Account code '120' is not a valid code for this document.", "account code 120", "Get Nominal & Tax Accounts"},
		{"Account code ''476'' has been removed as it does not match a recognised account.", "account code", "Mapping tab"},
		{"Account must be valid.", "Xero does not have", "Mapping tab"},
		{"Account code '200' has been archived, or has been deleted. Each line item must reference a valid account", "Account 200 is archived", "Restore account 200"},
		{"The TaxType code 'GST on Income' cannot be used with account code '60410'.", "Tax rate GST on Income cannot be used with account 60410", "suits account 60410"},
		{"The TaxType code GST on Income does not exist or cannot be used for this type of transaction.", "tax rate that Xero does not have", "Mapping tab"},
		{"Tax rate must be valid.", "tax rate that Xero does not have", "Mapping tab"},
		{"Invoice # must be unique.", "already has a document with this number", "Mark as Exported"},
		{"The contact with the specified contact details has been archived. The contact must be un-archived before creating new invoices or credit notes", "archived in Xero", "Restore"},
		{"The contact name Buzz Lightyear is already assigned to another contact. The contact name must be unique across all active contacts.", "called Buzz Lightyear", "contact number"},
		{"Payment amount exceeds the amount outstanding on this document", "more than the invoice still owes", "duplicate payment"},
		{"Payments can only be made against Authorised documents", "approved invoices", "Approve the invoice"},
		{"The document date cannot be before the period lock date, currently set at 30-Nov-2018", "locked in Xero", "lock date"},
		{"The document date cannot be before the end of year lock date, currently set at 30-Nov-2018", "locked in Xero", "lock date"},
		{"Organisation is not subscribed to currency EUR", "currency that is not turned on", "Multi-currency"},
		// The American spelling some integrations report.
		{"Organization is not subscribed to currency SGD", "currency that is not turned on", "Multi-currency"},
		{"A validation exception occurred; Payments can only be made against Authorised documents; Payment amount exceeds the amount outstanding on this document", "approved invoices", "Approve the invoice"},
		{"Payments can only be made against AUTHORISED documents", "approved invoices", "Approve the invoice"},
		{"Payment amount exceeds amount outstanding", "more than the invoice still owes", "duplicate payment"},
		{"The amount of the payment must be less than or equal to the outstanding amount owing on the invoice", "more than the invoice still owes", "duplicate payment"},
		{"The document date cannot be before the period lock date of 30 June 2026", "locked in Xero", "lock date"},
		{"The contact is archived and cannot be used.", "archived in Xero", "Restore"},
		{"The contact number C-1 is already assigned to another contact.", "Another Xero contact already has this account code", "remove the code"},
		{"You’ve reached the limit of 100 contact groups.", "100 groups", "delete a contact group"},
		{"All invoices in a batch payment must be in the same currency.", "one currency", "separate payment per currency"},
		{"All payments in a batch payment must be made from the same bank account.", "one bank account", "Split the payment"},
		{"The currency EUR is not enabled for this organisation", "currency that is not turned on", "Multi-currency"},
		{"Invoice not of valid status for modification", "will not change it", "by hand"},
		{"This document cannot be edited as it has a payment or credit note allocated to it.", "will not change it", "by hand"},
		{"The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber", "not in Xero yet", "Upload the customer"},
		{"Item code 'BEAN-HOUSE-1KG' already exists.", "product with code BEAN-HOUSE-1KG", "Mark as Exported"},
		{"Account code '999' is not a valid code for this item.", "purchase account 999", "Mapping tab"},
		{"A cost of goods sold account must be given in the purchase details of a tracked item.", "tracks a stock item", "cost-of-goods-sold account"},
		{"Product code ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 is 33 characters long; Xero takes at most 30.", "at most 30", "Shorten"},
		{"invalid_grant", "expired or was disconnected", "Sign in"},
		{"AuthenticationUnsuccessful", "expired or was disconnected", "Sign in"},
	}
	for _, tc := range tests {
		for _, variant := range []string{tc.message, strings.ToUpper(tc.message)} {
			ex, ok := Explain(&connectors.ItemError{Code: "ValidationException", Message: variant})
			if !ok || !strings.Contains(strings.ToLower(ex.Cause), strings.ToLower(tc.cause)) || !strings.Contains(strings.ToLower(ex.Fix), strings.ToLower(tc.fix)) {
				t.Errorf("Explain(%q) = %+v, %v; want a cause with %q and a fix with %q", variant, ex, ok, tc.cause, tc.fix)
			}
		}
	}
	for _, err := range []error{
		authError("xero.auth.sign_in_refused"),
		fmt.Errorf("wrapped: %w", &APIError{Status: 400, Type: "ValidationException", Elements: [][]string{{"Invoice # must be unique."}}}),
		temporary(errors.New("timeout"), "xero.temporary.no_answer"),
		&connectors.RateLimitError{RetryAfter: time.Second},
	} {
		if ex, ok := Explain(err); !ok || ex.Cause == "" || ex.Fix == "" {
			t.Errorf("Explain(%v) = %+v, %v", err, ex, ok)
		}
	}
	for _, err := range []error{nil, errors.New("something else entirely")} {
		if _, ok := Explain(err); ok {
			t.Errorf("Explain(%v) claimed to know it", err)
		}
	}
}

func TestValidateEndpoint(t *testing.T) {
	for v, ok := range map[string]bool{
		"https://api.xero.com/api.xro/2.0":  true,
		"http://127.0.0.1:8080/api.xro/2.0": true,
		"http://127.5.6.7:1":                true,
		"http://localhost:9000":             true,
		"http://[::1]:9000":                 true,
		"http://api.xero.com":               false,
		"http://192.168.1.10:8080":          false,
		"ftp://127.0.0.1":                   false,
		"not a url":                         false,
		"https://":                          false,
	} {
		if err := ValidateEndpoint(v); (err == nil) != ok {
			t.Errorf("ValidateEndpoint(%q) = %v", v, err)
		}
	}
}

func TestDefinition(t *testing.T) {
	d := Definition()
	reg := connectors.NewRegistry()
	if err := reg.Register(d); err != nil {
		t.Fatal(err)
	}
	if d.Name != "xero" || d.Title != "Xero" || d.Caps.BatchSize != 50 || !d.Caps.IncrementalPull || !d.Caps.IdempotencyKeys || !d.Caps.CreditNoteAllocations {
		t.Errorf("definition %+v", d)
	}
	for _, typ := range connectors.MatrixTypes() {
		if !d.Caps.Supports(typ, connectors.Upload) || !d.Caps.Supports(typ, connectors.Mirror) {
			t.Errorf("%s is not both ways", typ)
		}
	}
	for _, typ := range []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.BankAccounts} {
		if !d.Caps.Supports(typ, connectors.Mirror) || d.Caps.Supports(typ, connectors.Upload) {
			t.Errorf("%s must be mirror only", typ)
		}
	}
	if !d.Caps.Supports(connectors.Items, connectors.Upload) || !d.Caps.Supports(connectors.Items, connectors.Mirror) || !d.Caps.Deletions {
		t.Errorf("products must flow both ways and deletions be reported: %+v", d.Caps)
	}
	if !d.Caps.Supports(connectors.CreditNotes, connectors.Upload) {
		t.Error("credit notes cannot be uploaded")
	}
	notes := d.Notes(map[string]string{}, func(string) bool { return false })
	if len(notes) != 1 || notes[0] != "Client ID is not set." {
		t.Errorf("notes for a blank module: %v", notes)
	}
	notes = d.Notes(map[string]string{KeyClientID: "abc", KeyAPIURL: "http://example.com", KeyRollup: "maybe"}, nil)
	if len(notes) != 2 {
		t.Errorf("notes for bad values: %v", notes)
	}
	for _, key := range []string{SecretClientSecret, SecretRefreshToken} {
		if f, ok := d.Field(key); !ok || !f.Secret {
			t.Errorf("%s is not a secret field", key)
		}
	}
	if f, _ := d.Field(KeyOrganisation); !f.ReadOnly {
		t.Error("the organisation name is not read-only")
	}
	if f, _ := d.Field(KeyScopes); f.Check("accounting.contacts") == nil || f.Check(DefaultScopes) != nil {
		t.Error("the scopes field does not insist on offline_access")
	}
}

func TestReadSettingsRefusesBadValues(t *testing.T) {
	for name, settings := range map[string]map[string]string{
		"plain http":   {KeyAPIURL: "http://api.example.com"},
		"bad option":   {KeyAuthorised: "sometimes"},
		"no offline":   {KeyScopes: "accounting.contacts"},
		"bad login":    {KeyLoginURL: "ftp://x"},
		"bad identity": {KeyIdentityURL: "::"},
	} {
		if _, err := readSettings(connectors.Config{Settings: settings}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	s, err := readSettings(connectors.Config{Settings: map[string]string{KeyRollup: "TRUE"}})
	if err != nil || !s.rollup || s.authorised || s.endpoints.api.String() != DefaultAPIURL {
		t.Errorf("defaults: %+v, %v", s, err)
	}
	if got := s.endpoints.connectionsURL(); got != "https://api.xero.com/connections" {
		t.Errorf("connections address %s", got)
	}
	for api, want := range map[string]string{
		"http://127.0.0.1:9000/api.xro/2.0/":     "http://127.0.0.1:9000/connections",
		"http://127.0.0.1:9000/xero/api.xro/2.0": "http://127.0.0.1:9000/xero/connections",
		"https://proxy.example/api.xro/2.0?x=1":  "https://proxy.example/connections",
	} {
		s, err := readSettings(connectors.Config{Settings: map[string]string{KeyAPIURL: api}})
		if err != nil || s.endpoints.connectionsURL() != want {
			t.Errorf("connections address for %s = %s, %v; want %s", api, s.endpoints.connectionsURL(), err, want)
		}
	}
	if got := s.endpoints.tokenURL(); got != "https://identity.xero.com/connect/token" {
		t.Errorf("token address %s", got)
	}
	if got := s.endpoints.authorizeURL(); got != "https://login.xero.com/identity/connect/authorize" {
		t.Errorf("authorize address %s", got)
	}
}

func TestContactPersonRule(t *testing.T) {
	m := mapper{}
	tests := []struct {
		party         connectors.Party
		first, last   string
		backAsCompany bool
	}{
		{connectors.Party{Code: "C1", Name: "Acme Ltd", ContactPerson: "Ann Marie Smith"}, "Ann Marie", "Smith", true},
		{connectors.Party{Code: "C2", Name: "John Brown"}, "John", "Brown", false},
		{connectors.Party{Code: "C3", Name: "Cher"}, "Cher", "", false},
		{connectors.Party{Code: "C4", Name: "Widgets Inc", ContactPerson: "  "}, "Widgets", "Inc", false},
	}
	for _, tc := range tests {
		c := m.contactFromParty(tc.party, "")
		if deref(c.FirstName) != tc.first || deref(c.LastName) != tc.last || c.ContactNumber != tc.party.Code {
			t.Errorf("%s: first %q last %q", tc.party.Code, deref(c.FirstName), deref(c.LastName))
		}
		back := partyFromContact(c)
		if back.IsCompany() != tc.backAsCompany || back.Code != tc.party.Code {
			t.Errorf("%s read back as %+v", tc.party.Code, back)
		}
	}
	// A contact made in Xero with a ContactPersons list but no names.
	p := partyFromContact(contact{ContactID: "id-1", Name: "Shop", ContactPersons: []contactPerson{{FirstName: "Li", LastName: "Wu"}}})
	if p.ContactPerson != "Li Wu" || p.Code != "id-1" {
		t.Errorf("contact persons read as %+v", p)
	}
	// Emptying the contact person sends blank names, so Xero clears them.
	b, _ := json.Marshal(m.contactFromParty(connectors.Party{Code: "C", Name: "Solo"}, "some-id"))
	if !strings.Contains(string(b), `"LastName":""`) || !strings.Contains(string(b), `"ContactStatus":"ACTIVE"`) {
		t.Errorf("update body %s", b)
	}
}

func TestRollupAndNumbers(t *testing.T) {
	lines := []connectors.Line{
		{ItemCode: "A", Description: "a", Quantity: decimal.NewFromInt(3), UnitPrice: decimal.RequireFromString("1.005"), NominalCode: "200", TaxCode: "OUTPUT2"},
		{ItemCode: "B", Description: "b", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.RequireFromString("10"), NominalCode: "200", TaxCode: "OUTPUT2", DiscountPercent: decimal.NewFromInt(10)},
		{ItemCode: "C", Description: "c", Quantity: decimal.NewFromInt(2), UnitPrice: decimal.RequireFromString("5"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"},
	}
	got := mapper{rollup: true}.lines(lines, true)
	if len(got) != 2 {
		t.Fatalf("rolled up into %d lines", len(got))
	}
	// 3 × 1.005 = 3.015 → 3.02; 10 less 10% = 9.00.
	if !got[0].UnitAmount.Equal(decimal.RequireFromString("12.02")) || got[0].AccountCode != "200" || got[0].TaxType != "OUTPUT2" || got[0].ItemCode != "" {
		t.Errorf("first rolled-up line %+v", got[0])
	}
	if !got[1].UnitAmount.Equal(decimal.NewFromInt(10)) || !strings.Contains(got[1].Description, "ZERORATEDOUTPUT") {
		t.Errorf("second rolled-up line %+v", got[1])
	}
	b, err := json.Marshal(got[0])
	if err != nil || !strings.Contains(string(b), `"UnitAmount":12.02`) || !strings.Contains(string(b), `"Quantity":1`) {
		t.Errorf("amounts must travel as JSON numbers: %s", b)
	}
	var n number
	for in, want := range map[string]string{`12.5`: "12.5", `"7.25"`: "7.25", `null`: "0", `""`: "0"} {
		if err := json.Unmarshal([]byte(in), &n); err != nil || n.String() != want {
			t.Errorf("reading %s gave %s, %v", in, n, err)
		}
	}
	if err := json.Unmarshal([]byte(`"abc"`), &n); err == nil {
		t.Error("a non-number was read as an amount")
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	for v, want := range map[string]time.Duration{"30": 30 * time.Second, "": time.Minute, "soon": time.Minute,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("Retry-After %q = %v, want %v", v, got, want)
		}
	}
	h.Set("Retry-After", "5")
	h.Set("X-Rate-Limit-Problem", "concurrent")
	if e := rateLimitFromResponse(h, now); e.Daily || e.RetryAfter != 5*time.Second || !strings.Contains(e.Message, "at once") {
		t.Errorf("concurrent 429: %+v", e)
	}
}

// BenchmarkMapInvoices maps 1,000 five-line invoices to Xero's JSON.
func BenchmarkMapInvoices(b *testing.B) {
	var docs []connectors.Document
	for i := range 1000 {
		d := connectors.Document{Code: fmt.Sprintf("INV-%05d", i), PartyCode: fmt.Sprintf("C-%03d", i%200),
			Date: connectors.NewDate(2026, 5, 1), DueDate: connectors.NewDate(2026, 5, 31), Currency: "GBP"}
		for j := range 5 {
			d.Lines = append(d.Lines, connectors.Line{ItemCode: "WIDGET", Description: fmt.Sprintf("Widget %d", j),
				Quantity: decimal.NewFromInt(int64(j + 1)), UnitPrice: decimal.RequireFromString("12.34"),
				NominalCode: "200", TaxCode: "OUTPUT2"})
		}
		docs = append(docs, d)
	}
	m := mapper{authorised: true, baseCurrency: "GBP"}
	b.ReportAllocs()
	for b.Loop() {
		total := 0
		for _, d := range docs {
			inv, ierr := m.invoiceFromDocument(connectors.SalesInvoices, d, "")
			if ierr != nil {
				b.Fatal(ierr)
			}
			raw, err := json.Marshal(inv)
			if err != nil {
				b.Fatal(err)
			}
			total += len(raw)
		}
		b.SetBytes(int64(total))
	}
}
