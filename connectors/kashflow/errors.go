package kashflow

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"ledgerlink/connectors"
)

// statusKind is what a StatusDetail means for the engine.
type statusKind int

const (
	kindRecord   statusKind = iota // a verdict on the one record sent
	kindSignIn                     // the call was refused: nothing works until fixed
	kindSlowDown                   // too many requests
)

// entry is one line of the catalogue: a StatusDetail pattern, what it
// means for the engine, and the plain words for the person. Cause and Fix
// may use $1 for the pattern's first group (the IP address seen).
type entry struct {
	pattern *regexp.Regexp
	kind    statusKind
	cause   string
	fix     string
}

// catalogue is KashFlow's StatusDetail texts. The first two are KashFlow's
// own words as integrations report them; the others match the wordings
// seen or likely (KashFlow publishes no list), loosely, so that either
// answer is understood.
var catalogue = []entry{
	{regexp.MustCompile(`(?i)incorrect username or password`), kindSignIn,
		"KashFlow did not accept the username or the API password.",
		"On the Account tab, check the KashFlow username and enter the API password again. If KashFlow's API settings say \"use a separate API password\", your normal KashFlow password does not work here: use the API password."},
	{regexp.MustCompile(`(?i)the ip address of\s+(\S+)\s+is not in the access list`), kindSignIn,
		"KashFlow only lets listed IP addresses use its API, and this computer reached KashFlow from $1, which is not on the list.",
		"In KashFlow open Settings, then API Settings, and add $1 to the IP address list (or switch the IP restriction off), then press Test connection. Home and office broadband addresses can change; if this comes back, add the new address."},
	{regexp.MustCompile(`(?i)\bapi\b.*\b(not (enabled|activated|switched on|turned on)|disabled|switched off|turned off)`), kindSignIn,
		"API access is switched off for this KashFlow company, so KashFlow refuses every request from LedgerLink.",
		"In KashFlow open Settings, then API Settings (near the bottom of the settings page), switch API access on and save. Then press Test connection."},
	{regexp.MustCompile(`(?i)too many (requests|calls)|rate limit|try again later`), kindSlowDown,
		"KashFlow asked LedgerLink to slow down.",
		"Nothing to do: LedgerLink waits and carries on by itself."},
	{regexp.MustCompile(`(?i)customer (code )?.*(not found|does not exist|unknown)|no such customer|customer not found`), kindRecord,
		"The document names a customer that KashFlow does not have.",
		"Upload the customer first (switch Customers on in the Synchronisation matrix), or correct the customer code on the document."},
	{regexp.MustCompile(`(?i)supplier (code )?.*(not found|does not exist|unknown)|no such supplier`), kindRecord,
		"The purchase invoice names a supplier that KashFlow does not have.",
		"Upload the supplier first (switch Suppliers on in the Synchronisation matrix), or correct the supplier code on the purchase invoice."},
	{regexp.MustCompile(`(?i)(customer|supplier) code .*(already|in use|exists)`), kindRecord,
		"KashFlow already has a customer or supplier with this code.",
		"Look the code up in KashFlow: if it is the same customer, nothing is lost (LedgerLink links it on the next run); otherwise give one of them another code."},
	{regexp.MustCompile(`(?i)product code .*(already|in use|exists)`), kindRecord,
		"KashFlow already has a product with this code.",
		"Look the product up in KashFlow (Settings, Products): if it is the same product, nothing is lost (LedgerLink links it on the next run); otherwise give one of them another code."},
	{regexp.MustCompile(`(?i)product code cannot be blank|product not found`), kindRecord,
		"KashFlow could not find or keep this product.",
		"Check the product's code in the business system and in KashFlow (Settings, Products), then send it again."},
	{regexp.MustCompile(`(?i)nominal code`), kindRecord,
		"A line or journal posts to a nominal code that is not in KashFlow's chart of accounts.",
		"On the Mapping tab, map the business system's nominal code to one of KashFlow's (press \"Get Nominal & Tax Accounts\" first), or add the code in KashFlow."},
	{regexp.MustCompile(`(?i)vat rate`), kindRecord,
		"A line carries a VAT rate KashFlow does not offer.",
		"On the Mapping tab, map the tax code to one of KashFlow's VAT rates (20, 5, 0 ...); KashFlow takes the rate as a percentage."},
	{regexp.MustCompile(`(?i)(invoice|quote|receipt|document) number .*(already|in use|exists)|duplicate`), kindRecord,
		"KashFlow already has a document with this number.",
		"Nothing is lost: LedgerLink looks the document up by its number before sending it again. If it is a different document, renumber one of them."},
	{regexp.MustCompile(`(?i)locked|vat return`), kindRecord,
		"The record falls in a period KashFlow has locked, usually because its VAT return has been submitted.",
		"Date the record in an open period, or record the change in KashFlow as a new document (a credit note or a reversal)."},
	{regexp.MustCompile(`(?i)(invoice|receipt|quote|journal|payment) not found`), kindRecord,
		"The record refers to a document KashFlow does not have (it may have been deleted in KashFlow).",
		"Upload the document first, or if it was deleted in KashFlow on purpose, remove the record from the upload."},
	{regexp.MustCompile(`(?i)payment method`), kindRecord,
		"The payment method is not one of KashFlow's.",
		"Choose a payment method KashFlow lists on the Options tab."},
	{regexp.MustCompile(`(?i)bank account`), kindRecord,
		"The payment's bank account is not one of KashFlow's bank accounts.",
		"On the Mapping tab, map the bank code to a KashFlow bank account (press \"Get Nominal & Tax Accounts\" first)."},
	{regexp.MustCompile(`(?i)does not balance|unbalanced`), kindRecord,
		"The journal's debits and credits are not equal.",
		"Correct the payroll export so that debits equal credits, then upload it again."},
	{regexp.MustCompile(`(?i)name (cannot be blank|is required)`), kindRecord,
		"The customer or supplier has no name.",
		"Give the record a name in the business system."},
	{regexp.MustCompile(`(?i)credit note cannot be applied`), kindRecord,
		"KashFlow refused to apply the credit note: it belongs to another customer, or is larger than what is still due on the invoice.",
		"Check the credit note's customer and amount against the invoice it credits, then apply it in KashFlow by hand."},
	{regexp.MustCompile(`(?i)ties each payment to one document|pays no document|unallocated`), kindRecord,
		"KashFlow ties every payment to one invoice; this payment, or part of it, pays none.",
		"Allocate the whole payment to invoices in the business system."},
	{regexp.MustCompile(`(?i)cannot change a payment`), kindRecord,
		"KashFlow cannot change a payment once it is recorded.",
		"Delete the payment in KashFlow, then upload it again."},
}

func lookup(detail string) (entry, []string, bool) {
	for _, e := range catalogue {
		if m := e.pattern.FindStringSubmatch(detail); m != nil {
			return e, m, true
		}
	}
	return entry{}, nil, false
}

// classifyStatus turns a Status NO into the seam's error: a refused
// sign-in, a slow-down, or a per-record StatusError.
func classifyStatus(op, detail string) error {
	se := &StatusError{Operation: op, Detail: detail}
	e, _, ok := lookup(detail)
	switch {
	case ok && e.kind == kindSignIn:
		return fmt.Errorf("%w: %w", connectors.ErrAuth, se)
	case ok && e.kind == kindSlowDown:
		return &connectors.RateLimitError{RetryAfter: defaultRetryAfter, Message: detail}
	}
	return se
}

// itemError keeps a StatusDetail word for word as the record's verdict.
func itemError(err error) (*connectors.ItemError, bool) {
	var se *StatusError
	if errors.As(err, &se) {
		return &connectors.ItemError{Code: se.Operation, Message: se.Detail}, true
	}
	return nil, false
}

// Explain gives the plain words for a KashFlow message (an error from this
// connector, or the words alone as the Error Feedback grid keeps them).
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return Explain(err) }

// Explain is the catalogue, usable without a connection.
func Explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	var msg string
	var se *StatusError
	var ie *connectors.ItemError
	switch {
	case errors.As(err, &se):
		msg = se.Detail
	case errors.As(err, &ie):
		msg = ie.Message
	default:
		msg = err.Error()
	}
	e, m, ok := lookup(msg)
	if !ok {
		return connectors.Explanation{}, false
	}
	fill := func(s string) string {
		if len(m) > 1 {
			s = strings.ReplaceAll(s, "$1", strings.TrimRight(m[1], ".,;"))
		}
		return s
	}
	return connectors.Explanation{Cause: fill(e.cause), Fix: fill(e.fix)}, true
}
