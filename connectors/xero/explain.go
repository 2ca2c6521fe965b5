package xero

import (
	"errors"
	"regexp"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// explanation is one entry of the error catalogue: a pattern over Xero's
// message (Xero's own words) and the catalogue key whose entries KEY.cause
// and KEY.fix say what it means. The pattern's groups fill the
// placeholders named in args, in order (an account code, a tax rate, ...).
type explanation struct {
	key     string
	pattern *regexp.Regexp
	args    []string
}

func entry(key, pattern string, args ...string) explanation {
	return explanation{key: key, pattern: regexp.MustCompile("(?i)" + pattern), args: args}
}

// catalogue is checked in order; the first match wins, so the narrower
// patterns come first.
var catalogue = []explanation{
	entry("xero.explain.journal_unbalanced", `total debits \(([^)]*)\) must equal total credits \(([^)]*)\)`, "Debits", "Credits"),                                                                 // words:verbatim
	entry("xero.explain.journal_too_few_lines", `manual journal must have at least two`),                                                                                                           // words:verbatim
	entry("xero.explain.journal_narration_missing", `narration cannot be empty`),                                                                                                                   // words:verbatim
	entry("xero.explain.product_code_used", `item code '([^']*)' already exists`, "Code"),                                                                                                          // words:verbatim
	entry("xero.explain.product_account_unknown", `account code '*([^' ]*)'* is not a valid code for this item`, "Account"),                                                                        // words:verbatim
	entry("xero.explain.product_tracking", `inventory asset account|cost of goods sold account must be given|not applicable to a tracked item`),                                                    // words:verbatim
	entry("xero.explain.product_code_too_long", `product code .* xero takes at most 30`),                                                                                                           // words:verbatim
	entry("xero.explain.account_missing", `account code (or id )?must be specified`),                                                                                                               // words:verbatim
	entry("xero.explain.account_archived", `account code '*([^' ]*)'* has been archived`, "Account"),                                                                                               // words:verbatim
	entry("xero.explain.account_unknown", `account code '*([^' ]*)'* (is not a valid code|has been removed as it does not match a recognised account)|account must be valid`, "Account"),           // words:verbatim
	entry("xero.explain.tax_type_not_allowed", `taxtype code '*([^']*?)'* cannot be used with account code '*([^' ]*?)'*\.?(\s|;|$)`, "TaxRate", "Account"),                                        // words:verbatim
	entry("xero.explain.tax_type_unknown", `taxtype code '?(.*?)'? does not exist|tax rate must be valid|the taxtype field is mandatory`),                                                          // words:verbatim
	entry("xero.explain.duplicate_number", `(invoice|credit note|quote|order) ?(#|number) must be unique`),                                                                                         // words:verbatim
	entry("xero.explain.contact_archived", `contact .*has been archived|contact is archived|contact .*must be un-archived`),                                                                        // words:verbatim
	entry("xero.explain.contact_name_used", `contact name (.*) is already assigned to another contact`, "Name"),                                                                                    // words:verbatim
	entry("xero.explain.contact_number_used", `another contact has this contact number|contact number .*already`),                                                                                  // words:verbatim
	entry("xero.explain.contact_missing", `the contact must contain at least 1 of the following elements|contact cannot be empty|contact .*could not be found`),                                    // words:verbatim
	entry("xero.explain.batch_currencies", `batch payment must be in the same currency|batch payment must be in the bank account's currency`),                                                      // words:verbatim
	entry("xero.explain.batch_accounts_dates", `batch payment must be made from the same bank account|batch payment must have the same date|batch payment can pay either sales invoices or bills`), // words:verbatim
	// Xero often sends both payment messages together when the invoice
	// is not approved; the status is the cause, so it is checked first.
	entry("xero.explain.invoice_not_authorised", `payments can only be made against authori[sz]ed documents|not of valid status for creation of a payment`),                                        // words:verbatim
	entry("xero.explain.payment_above_due", `payment amount exceeds (the )?amount outstanding|must be less than or equal to the outstanding amount`),                                               // words:verbatim
	entry("xero.explain.lock_date", `cannot be before the (period|end of year) lock date`),                                                                                                         // words:verbatim
	entry("xero.explain.currency_not_enabled", `not subscribed to currency|currency .*(is )?not (enabled|set up|available)|currency code .*is not valid`),                                          // words:verbatim
	entry("xero.explain.document_locked", `not of valid status for modification|cannot be edited as it has a payment or credit note allocated`),                                                    // words:verbatim
	entry("xero.explain.contact_group_limit", `limit of 100 contact groups`),                                                                                                                       // words:verbatim
	entry("xero.explain.connection_expired", `invalid_grant|authenticationunsuccessful|tokenexpired|token has (been )?expired|expired or (been )?revoked|reconnect to xero|not signed in to xero`), // words:verbatim
}

// Explain turns a Xero error into a Cause and a Fix for the Error Feedback
// grid. It knows Xero's validation messages, sign-in failures and rate
// limits; other errors are not explained. The Explanation carries its
// catalogue key (said in the person's language with Explanation.In) and
// its Cause and Fix in English.
func Explain(err error) (connectors.Explanation, bool) {
	x, ok := explain(err)
	if !ok {
		return connectors.Explanation{}, false
	}
	x = x.In(own.English())
	x.Cause, x.Fix = tidy(x.Cause), tidy(x.Fix)
	return x, true
}

func explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	var rl *connectors.RateLimitError
	if errors.As(err, &rl) {
		if rl.Daily {
			return connectors.Explanation{Key: "xero.explain.daily_limit"}, true
		}
		return connectors.Explanation{Key: "xero.explain.slow_down"}, true
	}
	var texts []string
	var ie *connectors.ItemError
	if errors.As(err, &ie) {
		texts = append(texts, ie.Message)
	}
	var ae *APIError
	if errors.As(err, &ae) {
		texts = append(texts, ae.Messages()...)
		texts = append(texts, ae.Type, ae.Message)
	}
	texts = append(texts, err.Error())
	var we *words.Error
	if errors.As(err, &we) {
		// LedgerLink's own words (a refused sign-in) as the English
		// patterns know them.
		texts = append(texts, own.English().Error(err))
	}
	for _, text := range texts {
		if strings.TrimSpace(text) == "" {
			continue
		}
		for _, e := range catalogue {
			if m := e.pattern.FindStringSubmatch(text); m != nil {
				x := connectors.Explanation{Key: e.key}
				for i, name := range e.args {
					if x.Args == nil {
						x.Args = map[string]string{}
					}
					if i+1 < len(m) {
						x.Args[name] = m[i+1]
					}
				}
				return x, true
			}
		}
	}
	if errors.Is(err, connectors.ErrAuth) {
		return connectors.Explanation{Key: "xero.explain.sign_in_refused"}, true
	}
	if errors.Is(err, connectors.ErrTemporary) {
		return connectors.Explanation{Key: "xero.explain.temporary"}, true
	}
	return connectors.Explanation{}, false
}

// tidy drops the gaps an empty placeholder leaves.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "  ", " ")
	return strings.ReplaceAll(s, " ,", ",")
}

// Explain is the connection's Explainer.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return Explain(err) }
