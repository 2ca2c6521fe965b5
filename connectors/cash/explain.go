package cash

import (
	"errors"
	"fmt"
	"regexp"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Entry is one message of the catalogue: CASH's words (or LedgerLink's own
// about CASH), kept word for word, and the key of what they mean for a
// bookkeeper: the catalogue entries KEY.cause and KEY.fix in every
// language (words/cash.LANG.json). Where CASH's exact wording is not
// published, the pattern accepts the likely variants.
type Entry struct {
	Pattern  *regexp.Regexp
	Key      string
	Examples []string // messages the entry must match (tested)
}

// catalogue is the one table of CASH messages, most specific first.
var catalogue = []Entry{
	{
		Pattern:  regexp.MustCompile(`(?i)De XML import is nog niet verwerkt door een administratie`),
		Key:      "cash.pending",
		Examples: []string{seedPendingMessage},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)\b1002\b|Unauthorized Access`),
		Key:      "cash.unlinked",
		Examples: []string{"1002 Unauthorized Access"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)does not recognise this API key|^Unauthorized$`),
		Key:      "cash.unknown_key",
		Examples: []string{"Unauthorized"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)Cash Win`),
		Key:      "cash.cash_win",
		Examples: []string{errCashWin.Error()},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)administratie \S+ (bestaat niet|is onbekend|niet gevonden)|onbekende administratie|geen administratie opgegeven|not among those this API key reaches`),
		Key:      "cash.unknown_administration",
		Examples: []string{"Administratie XYZ bestaat niet", "Geen administratie opgegeven"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)alleen[- ]lezen|read[- ]only`),
		Key:      "cash.read_only",
		Examples: []string{"Administratie HLCR is alleen-lezen"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0901=|no journal \S+;`),
		Key:      "cash.unknown_journal",
		Examples: []string{"Ongeldige waarde 0901=XYZ"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0201=`),
		Key:      "cash.unknown_account",
		Examples: []string{"Ongeldige waarde 0201=8000"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde 0911=`),
		Key:      "cash.unknown_cost_centre",
		Examples: []string{"Ongeldige waarde 0911=ZZ"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)niet in (evenwicht|balans)|does not balance|out of balance`),
		Key:      "cash.unbalanced",
		Examples: []string{"Boeking 123456 in dagboek LON is niet in evenwicht"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)periode \S+ is (afgesloten|gesloten)|ongeldige waarde 03(01|10)=`),
		Key:      "cash.period_closed",
		Examples: []string{"Periode 2510 is afgesloten"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)already booked in CASH|stuk\s*(nummer)?\s*\S+ bestaat al|refused every document number`),
		Key:      "cash.already_booked",
		Examples: []string{"Stuknummer 123456 bestaat al in dagboek LON"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)longer than the \d+ characters|ongeldige waarde 0(303|306|711|201|901)=`),
		Key:      "cash.too_long",
		Examples: []string{"Ongeldige waarde 0306=Een omschrijving die veel te lang is"}, // words:verbatim
	},
	{
		Pattern:  regexp.MustCompile(`(?i)ongeldige waarde \d{4}=`),
		Key:      "cash.invalid_value",
		Examples: []string{"Ongeldige waarde 0307=12.5"},
	},
	{
		Pattern:  regexp.MustCompile(`^HTTP \d{3}\b`),
		Key:      "cash.no_reason",
		Examples: []string{"HTTP 400 Bad Request"},
	},
	{
		Pattern:  regexp.MustCompile(`(?i)^(Payroll journal|Line \d+ of payroll journal|Cost centre|Cost type|Ledger account|Journal code) .*`),
		Key:      "cash.local",
		Examples: []string{"Payroll journal J-1 has no date; CASH needs a booking date."}, // words:verbatim
	},
}

// Catalogue returns the catalogue's entries, for translation and review.
func Catalogue() []Entry { return append([]Entry(nil), catalogue...) }

// Explain gives the cause and fix of a CASH message: its catalogue key and
// values, with Cause and Fix in English (Explanation.In says them in the
// reader's language).
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return Explain(err) }

// Explain is the catalogue, usable without a connection: an error of this
// connector, or CASH's words alone as the Error Feedback grid keeps them.
func Explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	return explainIn(own.English(), err)
}

// explainIn explains err with Cause and Fix in en.
func explainIn(en *words.Words, err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	var r *refusal
	if errors.As(err, &r) {
		return connectors.Explanation{Key: r.key, Args: r.args}.In(en), true
	}
	var ie *connectors.ItemError
	var msg string
	switch {
	case errors.As(err, &ie):
		msg = ie.Message
	case en != nil:
		msg = en.Error(err)
	default:
		msg = err.Error()
	}
	for _, e := range catalogue {
		if e.Pattern.MatchString(msg) {
			return connectors.Explanation{Key: e.Key}.In(en), true
		}
	}
	return connectors.Explanation{}, false
}

// refusal is LedgerLink's own refusal of a journal CASH would not take,
// before it is sent: an ItemError whose Message is the English cause and
// fix (for the logs, and for the catalogue when only the words are kept),
// and the key and values of that cause and fix in every language.
type refusal struct {
	*connectors.ItemError
	key  string
	args map[string]string
}

func (r *refusal) Unwrap() error { return r.ItemError }

// refuse makes the refusal key (a family KEY.cause, KEY.fix) with its
// name/value pairs.
func (c *Conn) refuse(key string, pairs ...any) *refusal {
	args := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		args[name] = fmt.Sprint(pairs[i+1])
	}
	x := connectors.Explanation{Key: key, Args: args}.In(own.English())
	msg := x.Cause + " " + x.Fix
	if x.Cause == "" {
		msg = key
	}
	// The same cause and fix, for Error Feedback to say in the reader's
	// language.
	said := words.PairsOf(args)
	we := words.Errorf(nil, "cash.item.refusal",
		"Cause", words.Sentence(key+".cause", said...), "Fix", words.Sentence(key+".fix", said...))
	return &refusal{ItemError: &connectors.ItemError{Code: codeLocal, Message: msg, Words: we}, key: key, args: args}
}
