package quickbooks

import (
	"errors"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// explanation is one entry of the catalogue: QuickBooks's error code
// and/or words of its message (lower case) → the catalogue key of the
// cause and fix in plain words.
type explanation struct {
	code  string
	words string
	// key names the catalogue entries KEY.cause and KEY.fix.
	key string
}

// catalogue is QuickBooks's messages (and LedgerLink's own refusals) with
// what they mean for a bookkeeper. An entry matches on the code, the words,
// or both when both are given; the first match wins, so the specific
// entries come first. The words are said in each language by the
// connector's catalogue (words/quickbooks.LANG.json).
var catalogue = []explanation{
	{"6240", "", "quickbooks.explain.duplicate_name"},
	{"6140", "", "quickbooks.explain.duplicate_number"},
	{"5010", "", "quickbooks.explain.stale"},
	{"610", "", "quickbooks.explain.not_found"},
	{"2500", "inactive", "quickbooks.explain.reference_inactive"},
	{"2500", "", "quickbooks.explain.reference_unknown"},
	{"6200", "", "quickbooks.explain.period_closed"},
	{"6210", "", "quickbooks.explain.period_password"},
	{"6000", "-30003", "quickbooks.explain.customer_missing"},
	{"6000", "open balance", "quickbooks.explain.open_balance"},
	{"6000", "", "quickbooks.explain.business_rule"},
	{"6070", "", "quickbooks.explain.amount_mismatch"},
	{"2300", "", "quickbooks.explain.journal_unbalanced"},
	{"2260", "", "quickbooks.explain.posting_type_missing"},
	{"2020", "", "quickbooks.explain.required_missing"},
	{"2010", "", "quickbooks.explain.unsupported_property"},
	{"2050", "", "quickbooks.explain.string_length"},
	{"2290", "", "quickbooks.explain.negative_amount"},
	{"3001", "", "quickbooks.explain.throttled"},
	{"3200", "", "quickbooks.explain.authentication_failed"},
	{"3100", "", "quickbooks.explain.app_not_authorised"},
	{"120", "", "quickbooks.explain.not_administrator"},
	{"6190", "", "quickbooks.explain.company_inactive"},
	{"ALLOCATION", "", "quickbooks.explain.allocation"},
	{"", "chart of accounts", "quickbooks.explain.account_unmapped"}, // words:verbatim: words of the message matched
	{"", "tax code", "quickbooks.explain.tax_code_unmapped"},
	{"", "is not in quickbooks yet", "quickbooks.explain.party_missing"},              // words:verbatim: words of the message matched
	{"", "not in quickbooks", "quickbooks.explain.reference_missing"},                 // words:verbatim: words of the message matched
	{"", "inactive in quickbooks", "quickbooks.explain.account_inactive"},             // words:verbatim: words of the message matched
	{"", "has no name", "quickbooks.explain.no_name"},                                 // words:verbatim: words of the message matched
	{"", "longer than quickbooks", "quickbooks.explain.too_long"},                     // words:verbatim: words of the message matched
	{"", "does not balance", "quickbooks.explain.journal_differs"},                    // words:verbatim: words of the message matched
	{"", "customer or vendor on such lines", "quickbooks.explain.journal_party_line"}, // words:verbatim: words of the message matched
	{"", "cost centre", "quickbooks.explain.cost_centre"},
	{"", "reconnect to quickbooks", "quickbooks.explain.reconnect"}, // words:verbatim: words of the message matched
	{"", "no bank account", "quickbooks.explain.no_bank_account"},   // words:verbatim: words of the message matched
	{"", "discount", "quickbooks.explain.bill_discount"},
	{"", "both a debit and a credit", "quickbooks.explain.journal_both_sides"}, // words:verbatim: words of the message matched
	{"", "negative amount", "quickbooks.explain.journal_negative"},
	{"", "needs a product", "quickbooks.explain.default_item_missing"}, // words:verbatim: words of the message matched
	{"", "stock item", "quickbooks.explain.stock_item_accounts"},
	{"", "was a", "quickbooks.explain.kind_changed"},
	{"", "no lines", "quickbooks.explain.no_lines"},
	{"", "names no", "quickbooks.explain.payment_no_party"},
	{"", "invalid record", "quickbooks.explain.invalid_record"},
}

// Explain finds QuickBooks's message (or LedgerLink's own) in the
// catalogue.
// The Explanation carries its key (said in the person's language with
// Explanation.In) and its Cause and Fix in English.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return explain(err) }

// explain is Explain with the Cause and Fix in English.
func explain(err error) (connectors.Explanation, bool) {
	x, ok := explainKey(err)
	if !ok {
		return connectors.Explanation{}, false
	}
	return x.In(own.English()), true
}

// explainKey finds err's entry in the catalogue.
func explainKey(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	code, msg := "", err.Error()
	var ie *connectors.ItemError
	var ae *APIError
	switch {
	case errors.As(err, &ie):
		code, msg = ie.Code, ie.Message
	case errors.As(err, &ae):
		code = ae.code()
	}
	var rl *connectors.RateLimitError
	if errors.As(err, &rl) {
		code = "3001"
	}
	var we *words.Error
	if errors.As(err, &we) {
		// LedgerLink's own words, as the entries' words know them.
		msg += " " + own.English().Error(err)
	}
	if errors.Is(err, connectors.ErrAuth) {
		msg += " " + reconnect
	}
	low := strings.ToLower(msg)
	for _, e := range catalogue {
		codeOK := e.code != "" && e.code == code
		wordsOK := e.words != "" && strings.Contains(low, e.words)
		if (e.code != "" && e.words != "" && codeOK && wordsOK) ||
			(e.code != "" && e.words == "" && codeOK) ||
			(e.code == "" && wordsOK) {
			return connectors.Explanation{Key: e.key}, true
		}
	}
	// The words alone, as the Error Feedback grid keeps them, may still
	// carry the code's message.
	for _, e := range catalogue {
		if e.code != "" && e.words == "" && strings.Contains(low, strings.ToLower(codeMessages[e.code])) && codeMessages[e.code] != "" {
			return connectors.Explanation{Key: e.key}, true
		}
	}
	return connectors.Explanation{}, false
}

// codeMessages are the Message words QuickBooks sends with each code.
// Each line holds QuickBooks's own words.
var codeMessages = map[string]string{
	"6240": "Duplicate Name Exists Error", "6140": "Duplicate Document Number Error", "5010": "Stale Object Error", // words:verbatim
	"610": "Object Not Found", "2500": "Invalid Reference Id", "6200": "Account Period Closed", // words:verbatim
	"6000": "A business validation error", "6070": "Amount is not equal to UnitPrice", "2300": "Journal Entry Must Balance", // words:verbatim
	"2260": "Posting type missing", "2020": "Required param missing", "2010": "Request has invalid or unsupported property", // words:verbatim
	"2050": "String length", "2290": "Negative amount", "3001": "ThrottleExceeded", "3200": "AuthenticationFailed", // words:verbatim
	"3100": "ApplicationAuthorizationFailed", "120": "Authorization Failure", "6190": "Invalid Company Status", // words:verbatim
	"ALLOCATION": "but applying it to its invoices failed", // words:verbatim
}

func decimalOf(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero
	}
	return d
}
