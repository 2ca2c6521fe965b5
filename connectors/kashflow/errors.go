package kashflow

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// statusKind is what a StatusDetail means for the engine.
type statusKind int

const (
	kindRecord   statusKind = iota // a verdict on the one record sent
	kindSignIn                     // the call was refused: nothing works until fixed
	kindSlowDown                   // too many requests
)

// entry is one line of the catalogue: a StatusDetail pattern, what it
// means for the engine, and the key of the plain words for the person
// (KEY.cause and KEY.fix in words/kashflow.LANG.json, and KEY.signin for a
// refused sign-in). The words may use {{.Address}} for the pattern's first
// group (the IP address seen).
type entry struct {
	pattern *regexp.Regexp
	kind    statusKind
	key     string
}

// catalogue is KashFlow's StatusDetail texts. The first two are KashFlow's
// own words as integrations report them; the others match the wordings
// seen or likely (KashFlow publishes no list), loosely, so that either
// answer is understood.
var catalogue = []entry{
	{regexp.MustCompile(`(?i)incorrect username or password`), kindSignIn, "kashflow.password"},
	{regexp.MustCompile(`(?i)the ip address of\s+(\S+)\s+is not in the access list`), kindSignIn, "kashflow.ip_not_listed"},
	{regexp.MustCompile(`(?i)\bapi\b.*\b(not (enabled|activated|switched on|turned on)|disabled|switched off|turned off)`), kindSignIn, "kashflow.api_off"},
	{regexp.MustCompile(`(?i)too many (requests|calls)|rate limit|try again later`), kindSlowDown, "kashflow.slow_down"},
	{regexp.MustCompile(`(?i)customer (code )?.*(not found|does not exist|unknown)|no such customer|customer not found`), kindRecord, "kashflow.no_customer"},
	{regexp.MustCompile(`(?i)supplier (code )?.*(not found|does not exist|unknown)|no such supplier`), kindRecord, "kashflow.no_supplier"},
	{regexp.MustCompile(`(?i)(customer|supplier) code .*(already|in use|exists)`), kindRecord, "kashflow.party_code_used"},
	{regexp.MustCompile(`(?i)product code .*(already|in use|exists)`), kindRecord, "kashflow.product_code_used"},
	{regexp.MustCompile(`(?i)product code cannot be blank|product not found`), kindRecord, "kashflow.product"},
	{regexp.MustCompile(`(?i)nominal code`), kindRecord, "kashflow.nominal_code"},
	{regexp.MustCompile(`(?i)vat rate`), kindRecord, "kashflow.vat_rate"},
	{regexp.MustCompile(`(?i)(invoice|quote|receipt|document) number .*(already|in use|exists)|duplicate`), kindRecord, "kashflow.document_number_used"},
	{regexp.MustCompile(`(?i)locked|vat return`), kindRecord, "kashflow.locked"},
	{regexp.MustCompile(`(?i)(invoice|receipt|quote|journal|payment) not found`), kindRecord, "kashflow.no_document"},
	{regexp.MustCompile(`(?i)payment method`), kindRecord, "kashflow.payment_method"},
	{regexp.MustCompile(`(?i)bank account`), kindRecord, "kashflow.bank_account"},
	{regexp.MustCompile(`(?i)does not balance|unbalanced`), kindRecord, "kashflow.unbalanced"},
	{regexp.MustCompile(`(?i)name (cannot be blank|is required)`), kindRecord, "kashflow.no_name"},
	{regexp.MustCompile(`(?i)credit note cannot be applied`), kindRecord, "kashflow.credit_note"},
	{regexp.MustCompile(`(?i)ties each payment to one document|pays no document|unallocated`), kindRecord, "kashflow.unallocated"},
	{regexp.MustCompile(`(?i)cannot change a payment`), kindRecord, "kashflow.payment_fixed"},
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
// connector, or the words alone as the Error Feedback grid keeps them):
// the catalogue key and values, with Cause and Fix in English
// (Explanation.In says them in the reader's language).
func (c *Conn) Explain(err error) (connectors.Explanation, bool) {
	e, args, ok := explain(err)
	if !ok {
		return connectors.Explanation{}, false
	}
	return connectors.Explanation{Key: e.key, Args: args}.In(own.English()), true
}

// Explain is the catalogue, usable without a connection.
func Explain(err error) (connectors.Explanation, bool) {
	e, args, ok := explain(err)
	if !ok {
		return connectors.Explanation{}, false
	}
	return connectors.Explanation{Key: e.key, Args: args}.In(own.English()), true
}

// explain finds the catalogue's entry for err and the values of its words.
func explain(err error) (entry, map[string]string, bool) {
	if err == nil {
		return entry{}, nil, false
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
		return entry{}, nil, false
	}
	var args map[string]string
	if len(m) > 1 {
		args = map[string]string{"Address": strings.TrimRight(m[1], ".,;")}
	}
	return e, args, true
}

// refusal is LedgerLink's own refusal of a record before KashFlow sees
// it, put as KashFlow would: an ItemError whose Message is the English
// (the evidence the catalogue explains), carrying its words for the faces
// to say in the reader's language.
type refusal struct {
	*connectors.ItemError
	said *words.Error
}

func (r *refusal) Unwrap() []error { return []error{r.ItemError, r.said} }

// refuse makes the refusal key with its name/value pairs; field names the
// offending field.
func (c *Conn) refuse(field, key string, pairs ...any) *refusal {
	said := words.Errorf(nil, key, pairs...)
	msg := key
	if en := own.English(); en != nil {
		msg = en.Say(said.Text)
	}
	return &refusal{ItemError: &connectors.ItemError{Field: field, Message: msg, Words: said}, said: said}
}
