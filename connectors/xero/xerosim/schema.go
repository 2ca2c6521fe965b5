package xerosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The strict checker holds requests to the documented rules of the parts
// of the Accounting API the simulator serves: which fields an object has,
// their JSON types, enumerations, formats and lengths, which are
// read-only, and which a create must carry. The rules are restated here in
// the simulator's own terms.

type kind int

const (
	kString kind = iota
	kNumber
	kBool
	kObject
	kArray
)

func (k kind) String() string {
	return [...]string{"a string", "a number", "true or false", "an object", "an array"}[k]
}

type field struct {
	kind     kind
	enum     []string
	maxLen   int
	format   string // "uuid", "date", "currency"
	readOnly bool
	obj      *object // for kObject, and for kArray of objects
	scalar   kind    // for kArray of scalars
}

type object struct {
	name   string
	fields map[string]field
	// required on a create (PUT).
	required []string
}

func str(max int) field         { return field{kind: kString, maxLen: max} }
func enum(vals ...string) field { return field{kind: kString, enum: vals} }
func uuidField() field          { return field{kind: kString, format: "uuid"} }
func dateField() field          { return field{kind: kString, format: "date"} }
func numField() field           { return field{kind: kNumber} }
func boolField() field          { return field{kind: kBool} }
func objField(o *object) field  { return field{kind: kObject, obj: o} }
func arrOf(o *object) field     { return field{kind: kArray, obj: o} }
func readOnly(f field) field    { f.readOnly = true; return f }
func currencyField() field      { return field{kind: kString, format: "currency"} }

var addressSchema = &object{name: "Address", fields: map[string]field{
	"AddressType":  enum("POBOX", "STREET"),
	"AddressLine1": str(500), "AddressLine2": str(500), "AddressLine3": str(500), "AddressLine4": str(500),
	"City": str(255), "Region": str(255), "PostalCode": str(50), "Country": str(50), "AttentionTo": str(255),
}}

var phoneSchema = &object{name: "Phone", fields: map[string]field{
	"PhoneType":   enum("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"),
	"PhoneNumber": str(50), "PhoneAreaCode": str(10), "PhoneCountryCode": str(20),
}}

var contactPersonSchema = &object{name: "ContactPerson", fields: map[string]field{
	"FirstName": str(0), "LastName": str(0), "EmailAddress": str(0), "IncludeInEmails": boolField(),
}}

var contactSchema = &object{name: "Contact", required: []string{"Name"}, fields: map[string]field{
	"ContactID":                   uuidField(),
	"ContactNumber":               str(50),
	"AccountNumber":               str(50),
	"ContactStatus":               enum("ACTIVE", "ARCHIVED", "GDPRREQUEST"),
	"Name":                        str(255),
	"FirstName":                   str(255),
	"LastName":                    str(255),
	"CompanyNumber":               str(50),
	"EmailAddress":                str(255),
	"BankAccountDetails":          str(0),
	"TaxNumber":                   str(50),
	"AccountsReceivableTaxType":   str(0),
	"AccountsPayableTaxType":      str(0),
	"DefaultCurrency":             currencyField(),
	"Addresses":                   arrOf(addressSchema),
	"Phones":                      arrOf(phoneSchema),
	"ContactPersons":              arrOf(contactPersonSchema),
	"SalesDefaultAccountCode":     str(0),
	"PurchasesDefaultAccountCode": str(0),
	// Set by Xero from the documents a contact has; not settable.
	"IsSupplier":          readOnly(boolField()),
	"IsCustomer":          readOnly(boolField()),
	"UpdatedDateUTC":      readOnly(str(0)),
	"HasValidationErrors": readOnly(boolField()),
	"HasAttachments":      readOnly(boolField()),
	"Website":             readOnly(str(0)),
	"Balances":            readOnly(field{kind: kObject}),
}}

// contactRefSchema is a contact named inside a document: the same fields,
// but nothing is required beyond one way of identifying it (checked by
// the validation rules, with Xero's message).
var contactRefSchema = &object{name: "Contact", fields: contactSchema.fields}

var lineItemSchema = &object{name: "LineItem", fields: map[string]field{
	"LineItemID":     uuidField(),
	"Description":    str(0),
	"Quantity":       numField(),
	"UnitAmount":     numField(),
	"ItemCode":       str(30),
	"AccountCode":    str(10),
	"AccountID":      uuidField(),
	"TaxType":        str(0),
	"TaxAmount":      numField(),
	"LineAmount":     numField(),
	"DiscountRate":   numField(),
	"DiscountAmount": numField(),
	"Tracking":       field{kind: kArray, scalar: kObject},
}}

var invoiceSchema = &object{name: "Invoice", required: []string{"Type", "Contact", "LineItems"}, fields: map[string]field{
	"Type":                enum("ACCPAY", "ACCREC"),
	"Contact":             objField(contactRefSchema),
	"LineItems":           arrOf(lineItemSchema),
	"Date":                dateField(),
	"DueDate":             dateField(),
	"LineAmountTypes":     enum("Exclusive", "Inclusive", "NoTax"),
	"InvoiceNumber":       str(255),
	"Reference":           str(0),
	"BrandingThemeID":     uuidField(),
	"Url":                 str(0),
	"CurrencyCode":        currencyField(),
	"CurrencyRate":        numField(),
	"Status":              enum("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED"),
	"SentToContact":       boolField(),
	"ExpectedPaymentDate": dateField(),
	"PlannedPaymentDate":  dateField(),
	"InvoiceID":           uuidField(),
	"SubTotal":            readOnly(numField()),
	"TotalTax":            readOnly(numField()),
	"Total":               readOnly(numField()),
	"TotalDiscount":       readOnly(numField()),
	"AmountDue":           readOnly(numField()),
	"AmountPaid":          readOnly(numField()),
	"AmountCredited":      readOnly(numField()),
	"UpdatedDateUTC":      readOnly(str(0)),
	"FullyPaidOnDate":     readOnly(str(0)),
	"HasAttachments":      readOnly(boolField()),
	"IsDiscounted":        readOnly(boolField()),
}}

var quoteSchema = &object{name: "Quote", required: []string{"Contact", "Date", "LineItems"}, fields: map[string]field{
	"QuoteID":         uuidField(),
	"QuoteNumber":     str(255),
	"Reference":       str(4000),
	"Terms":           str(4000),
	"Contact":         objField(contactRefSchema),
	"LineItems":       arrOf(lineItemSchema),
	"Date":            dateField(),
	"ExpiryDate":      dateField(),
	"Status":          enum("DRAFT", "SENT", "DECLINED", "ACCEPTED", "INVOICED", "DELETED"),
	"CurrencyCode":    currencyField(),
	"CurrencyRate":    numField(),
	"Title":           str(100),
	"Summary":         str(3000),
	"BrandingThemeID": uuidField(),
	"LineAmountTypes": enum("EXCLUSIVE", "INCLUSIVE", "NOTAX"),
	"SubTotal":        readOnly(numField()),
	"TotalTax":        readOnly(numField()),
	"Total":           readOnly(numField()),
	"UpdatedDateUTC":  readOnly(str(0)),
}}

var creditNoteSchema = &object{name: "CreditNote", required: []string{"Type", "Contact"}, fields: map[string]field{
	"Type":             enum("ACCPAYCREDIT", "ACCRECCREDIT"),
	"Contact":          objField(contactRefSchema),
	"Date":             dateField(),
	"DueDate":          dateField(),
	"Status":           enum("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED"),
	"LineAmountTypes":  enum("Exclusive", "Inclusive", "NoTax"),
	"LineItems":        arrOf(lineItemSchema),
	"CurrencyCode":     currencyField(),
	"CurrencyRate":     numField(),
	"CreditNoteID":     uuidField(),
	"CreditNoteNumber": str(0),
	"Reference":        str(0),
	"BrandingThemeID":  uuidField(),
	"SubTotal":         readOnly(numField()),
	"TotalTax":         readOnly(numField()),
	"Total":            readOnly(numField()),
	"RemainingCredit":  readOnly(numField()),
	"UpdatedDateUTC":   readOnly(str(0)),
}}

var journalLineSchema = &object{name: "JournalLine", fields: map[string]field{
	"LineAmount":  numField(),
	"AccountCode": str(0),
	"AccountID":   uuidField(),
	"Description": str(0),
	"TaxType":     str(0),
	"Tracking": arrOf(&object{name: "TrackingCategory", fields: map[string]field{
		"TrackingCategoryID": uuidField(), "TrackingOptionID": uuidField(), "Name": str(100), "Option": str(100),
	}}),
	"TaxAmount": readOnly(numField()),
	"IsBlank":   readOnly(boolField()),
}}

var manualJournalSchema = &object{name: "ManualJournal", required: []string{"Narration"}, fields: map[string]field{
	"ManualJournalID":        uuidField(),
	"Narration":              str(0),
	"Date":                   dateField(),
	"Status":                 enum("DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED"),
	"LineAmountTypes":        enum("Exclusive", "Inclusive", "NoTax"),
	"JournalLines":           arrOf(journalLineSchema),
	"Url":                    str(0),
	"ShowOnCashBasisReports": boolField(),
	"HasAttachments":         readOnly(boolField()),
	"UpdatedDateUTC":         readOnly(str(0)),
}}

var docRefSchema = &object{name: "Invoice", fields: map[string]field{
	"InvoiceID": uuidField(), "InvoiceNumber": str(255),
}}

var accountRefSchema = &object{name: "Account", fields: map[string]field{
	"AccountID": uuidField(), "Code": str(10),
}}

var creditNoteRefSchema = &object{name: "CreditNote", fields: map[string]field{"CreditNoteID": uuidField(), "CreditNoteNumber": str(0)}}

var paymentSchema = &object{name: "Payment", required: []string{"Account", "Date", "Amount"}, fields: map[string]field{
	"Invoice":        objField(docRefSchema),
	"CreditNote":     objField(creditNoteRefSchema),
	"Account":        objField(accountRefSchema),
	"Date":           dateField(),
	"CurrencyRate":   numField(),
	"Amount":         numField(),
	"BankAmount":     numField(),
	"Reference":      str(0),
	"IsReconciled":   boolField(),
	"Status":         enum("AUTHORISED", "DELETED"),
	"PaymentID":      uuidField(),
	"PaymentType":    readOnly(str(0)),
	"UpdatedDateUTC": readOnly(str(0)),
}}

// batchMemberSchema is one payment inside a batch: it names its invoice
// and amount; account and date, when given, must be the batch's own.
var batchMemberSchema = &object{name: "Payment", required: []string{"Invoice", "Amount"}, fields: map[string]field{
	"Invoice":        objField(docRefSchema),
	"Account":        objField(accountRefSchema),
	"Date":           dateField(),
	"Amount":         numField(),
	"Reference":      str(255),
	"PaymentID":      readOnly(uuidField()),
	"BatchPaymentID": readOnly(uuidField()),
}}

var batchPaymentSchema = &object{name: "BatchPayment", required: []string{"Account", "Date", "Payments"}, fields: map[string]field{
	"Account":        objField(accountRefSchema),
	"Date":           dateField(),
	"Reference":      str(255),
	"Particulars":    str(12),
	"Code":           str(12),
	"Details":        str(18),
	"Narrative":      str(18),
	"Payments":       arrOf(batchMemberSchema),
	"BatchPaymentID": readOnly(uuidField()),
	"Type":           readOnly(enum("PAYBATCH", "RECBATCH")),
	"Status":         readOnly(enum("AUTHORISED", "DELETED")),
	"TotalAmount":    readOnly(numField()),
	"UpdatedDateUTC": readOnly(str(0)),
	"IsReconciled":   readOnly(boolField()),
}}

var contactGroupSchema = &object{name: "ContactGroup", required: []string{"Name"}, fields: map[string]field{
	"Name":           str(0),
	"Status":         enum("ACTIVE", "DELETED"),
	"ContactGroupID": uuidField(),
}}

// groupContactSchema is a contact named to join a group: its ID only.
var groupContactSchema = &object{name: "Contact", required: []string{"ContactID"}, fields: map[string]field{
	"ContactID": uuidField(),
}}

var allocationSchema = &object{name: "Allocation", required: []string{"Amount", "Invoice", "Date"}, fields: map[string]field{
	"Invoice": objField(&object{name: "Invoice", fields: map[string]field{"InvoiceID": uuidField()}}),
	"Amount":  numField(),
	"Date":    dateField(),
}}

var (
	isoDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$`)
	currencyISO = regexp.MustCompile(`^[A-Z]{3}$`)
)

// checkObject appends to problems every rule v breaks.
func checkObject(o *object, v map[string]any, at string, create bool, problems *[]string) {
	if create {
		for _, name := range o.required {
			if val, ok := v[name]; !ok || val == nil {
				*problems = append(*problems, fmt.Sprintf("%s.%s is required when creating a %s", at, name, o.name))
			}
		}
	}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		val := v[name]
		f, ok := o.fields[name]
		path := at + "." + name
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s is not a field of %s (names are PascalCase and exact)", path, o.name))
			continue
		}
		if f.readOnly {
			*problems = append(*problems, fmt.Sprintf("%s is read-only and must not be sent", path))
			continue
		}
		if val == nil {
			continue
		}
		checkValue(f, val, path, problems)
	}
}

func checkValue(f field, val any, path string, problems *[]string) {
	if got := kindOf(val); got != f.kind {
		*problems = append(*problems, fmt.Sprintf("%s must be %s, not %s", path, f.kind, got))
		return
	}
	switch f.kind {
	case kString:
		s := val.(string)
		if f.maxLen > 0 && utf8.RuneCountInString(s) > f.maxLen {
			*problems = append(*problems, fmt.Sprintf("%s is %d characters; at most %d are allowed", path, utf8.RuneCountInString(s), f.maxLen))
		}
		if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
			*problems = append(*problems, fmt.Sprintf("%s is %q; it must be one of %s", path, s, strings.Join(f.enum, ", ")))
		}
		switch f.format {
		case "uuid":
			if !isUUID(s) {
				*problems = append(*problems, fmt.Sprintf("%s is %q, which is not a GUID", path, s))
			}
		case "date":
			if !isoDate.MatchString(s) {
				*problems = append(*problems, fmt.Sprintf("%s is %q; dates are sent as YYYY-MM-DD", path, s))
			}
		case "currency":
			if !currencyISO.MatchString(s) {
				*problems = append(*problems, fmt.Sprintf("%s is %q; currencies are three capital letters (ISO 4217)", path, s))
			}
		}
	case kNumber:
		if _, err := strconv.ParseFloat(string(val.(json.Number)), 64); err != nil {
			*problems = append(*problems, fmt.Sprintf("%s is not a number", path))
		}
	case kObject:
		if f.obj != nil {
			checkObject(f.obj, val.(map[string]any), path, false, problems)
		}
	case kArray:
		for i, el := range val.([]any) {
			p := fmt.Sprintf("%s[%d]", path, i)
			if f.obj != nil {
				m, ok := el.(map[string]any)
				if !ok {
					*problems = append(*problems, fmt.Sprintf("%s must be an object", p))
					continue
				}
				checkObject(f.obj, m, p, false, problems)
			} else if kindOf(el) != f.scalar {
				*problems = append(*problems, fmt.Sprintf("%s must be %s", p, f.scalar))
			}
		}
	}
}

func kindOf(v any) kind {
	switch v.(type) {
	case string:
		return kString
	case json.Number, float64:
		return kNumber
	case bool:
		return kBool
	case map[string]any:
		return kObject
	case []any:
		return kArray
	}
	return kString
}

// queryRules are the parameters each collection takes.
var queryRules = map[string][]string{
	"contacts":       {"where", "order", "IDs", "page", "pageSize", "includeArchived", "summaryOnly", "searchTerm", "summarizeErrors"},
	"invoices":       {"where", "order", "IDs", "InvoiceNumbers", "ContactIDs", "Statuses", "page", "pageSize", "includeArchived", "createdByMyApp", "unitdp", "summaryOnly", "searchTerm", "summarizeErrors"},
	"quotes":         {"DateFrom", "DateTo", "ExpiryDateFrom", "ExpiryDateTo", "ContactID", "Status", "page", "order", "QuoteNumber", "unitdp", "summarizeErrors"},
	"creditnotes":    {"where", "order", "page", "pageSize", "unitdp", "summarizeErrors"},
	"payments":       {"where", "order", "page", "pageSize", "summarizeErrors"},
	"batchpayments":  {"where", "order", "summarizeErrors"},
	"contactgroups":  {"where", "order", "summarizeErrors"},
	"manualjournals": {"where", "order", "page", "pageSize", "summarizeErrors"},
	"accounts":       {"where", "order"},
	"taxrates":       {"where", "order", "TaxType"},
	"items":          {"where", "order", "unitdp", "summarizeErrors"},
	"organisation":   {},
	"currencies":     {"where", "order"},
}

// checkRequest applies the header and parameter rules.
func checkRequest(r *http.Request, resource string, problems *[]string) {
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		*problems = append(*problems, "the Accept header must ask for application/json (Xero answers XML otherwise)")
	}
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			*problems = append(*problems, "a write must have Content-Type: application/json")
		}
		if k := r.Header.Get("Idempotency-Key"); k == "" {
			*problems = append(*problems, "every write must carry an Idempotency-Key header")
		} else if len(k) > 128 {
			*problems = append(*problems, "Idempotency-Key is longer than 128 characters")
		}
		if r.URL.Query().Get("summarizeErrors") != "false" {
			*problems = append(*problems, "writes must ask for summarizeErrors=false so that each element gets its own verdict")
		}
	}
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		if _, ok := parseTimestamp(v); !ok {
			*problems = append(*problems, fmt.Sprintf("If-Modified-Since %q is not a date-time", v))
		}
	}
	allowed, ok := queryRules[resource]
	if !ok {
		return
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := q.Get(k)
		if !slices.Contains(allowed, k) {
			*problems = append(*problems, fmt.Sprintf("the parameter %q is not taken by %s", k, resource))
			continue
		}
		switch k {
		case "page":
			if n, err := strconv.Atoi(v); err != nil || n < 1 {
				*problems = append(*problems, fmt.Sprintf("page must be a whole number from 1, not %q", v))
			}
		case "pageSize":
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > maxPageSize {
				*problems = append(*problems, fmt.Sprintf("pageSize must be a whole number from 1 to %d, not %q", maxPageSize, v))
			}
		case "unitdp":
			if v != "2" && v != "4" {
				*problems = append(*problems, fmt.Sprintf("unitdp must be 2 or 4, not %q", v))
			}
		case "includeArchived", "summarizeErrors", "summaryOnly", "createdByMyApp":
			if v != "true" && v != "false" {
				*problems = append(*problems, fmt.Sprintf("%s must be true or false, not %q", k, v))
			}
		case "IDs", "ContactIDs":
			for _, id := range strings.Split(v, ",") {
				if !isUUID(strings.TrimSpace(id)) {
					*problems = append(*problems, fmt.Sprintf("%s holds %q, which is not a GUID", k, id))
				}
			}
		case "where":
			if _, err := parseWhere(v); err != nil {
				*problems = append(*problems, fmt.Sprintf("the where filter %q cannot be read: %v", v, err))
			}
		}
	}
}
