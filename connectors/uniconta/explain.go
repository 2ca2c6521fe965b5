package uniconta

import (
	"errors"
	"regexp"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// catalogue is Uniconta's messages (the ErrorCodes names, kept word for
// word, and LedgerLink's own refusals) with the key of their cause and fix
// in the catalogue (words/uniconta.LANG.json, where the Danish fix of "Has
// errors" carries the seed's steps). The first match wins.
var catalogue = []struct {
	pattern *regexp.Regexp
	key     string // KEY.cause and KEY.fix in words/uniconta.LANG.json
}{
	{regexp.MustCompile(`(?i)\bNoCompanyId\b`), "uniconta.no_company"},
	{regexp.MustCompile(`(?i)username and password|UserOrPassword|LoginIdOrPassword`), "uniconta.user_or_password"},
	{regexp.MustCompile(`(?i)API key`), "uniconta.api_key"},
	{regexp.MustCompile(`(?i)Has errors|Har fejl`), "uniconta.has_errors"},
	{regexp.MustCompile(`customer tag .* is not a CRM group`), "uniconta.tag_not_group"},
	{regexp.MustCompile(`\bNoRights\b`), "uniconta.no_rights"},
	{regexp.MustCompile(`\b(KeyExists|RecordExists)\b`), "uniconta.exists"},
	{regexp.MustCompile(`\bCouldNotFind\b`), "uniconta.not_found"},
	{regexp.MustCompile(`\b(FieldCannotBeBlank|AccountIsMissing|ArgumentMissing|InvoiceNumberMissing)\b`), "uniconta.blank"},
	{regexp.MustCompile(`\bErrorInJournal\b`), "uniconta.journal_error"},
	{regexp.MustCompile(`\bNoLinesFound\b`), "uniconta.no_lines"},
	{regexp.MustCompile(`\bItemIsOnHold\b`), "uniconta.on_hold"},
	{regexp.MustCompile(`\bCreditLimitExceeded\b`), "uniconta.credit_limit"},
	{regexp.MustCompile(`\b(NoSubscription|AutoBankingNotActivated)\b`), "uniconta.no_subscription"},
	{regexp.MustCompile(`\b(CannotDeleteRecord|CouldNotDeleteRecordThatIsReferred)\b`), "uniconta.referred"},
	{regexp.MustCompile(`\b(CouldNotSave|CouldNotCreate|Exception|SQLException|NoSucces)\b`), "uniconta.fault"},
	{regexp.MustCompile(`\b` + codeNotTagged + `\b`), "uniconta.not_tagged"},
	{regexp.MustCompile(`\b` + codePosted + `\b`), "uniconta.posted"},
	{regexp.MustCompile(`\b` + codeInvoiceMissing + `\b`), "uniconta.invoice_missing"},
	{regexp.MustCompile(`\b` + codeInvalid + `\b|custom field`), "uniconta.invalid"},
	{regexp.MustCompile(`(?i)slow down|daily limit|reduced (speed|traffic)|too many requests`), "uniconta.slow_down"},
}

// Explain turns a Uniconta message into words for a bookkeeper: the
// catalogue key of its cause and fix, with Cause and Fix in English
// (Explanation.In says them in the reader's language).
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return Explain(err) }

func explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	return explainIn(own.English(), err)
}

// explainIn explains err with Cause and Fix in en. LedgerLink's own
// refusals read in English in their Error(), which the patterns match.
func explainIn(en *words.Words, err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	texts := []string{err.Error()}
	var ie *connectors.ItemError
	if errors.As(err, &ie) && ie.Code != "" {
		texts = append([]string{ie.Code}, texts...)
	}
	var ue *Error
	if errors.As(err, &ue) {
		texts = append([]string{ue.Code}, texts...)
	}
	for _, t := range texts {
		for _, e := range catalogue {
			if e.pattern.MatchString(strings.TrimSpace(t)) {
				return connectors.Explanation{Key: e.key}.In(en), true
			}
		}
	}
	return connectors.Explanation{}, false
}

// Explain turns any error of the connector (a refusal, a sign-in failure)
// into words for a bookkeeper, without a connection.
func Explain(err error) (connectors.Explanation, bool) { return explain(err) }
