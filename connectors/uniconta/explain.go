package uniconta

import (
	"errors"
	"regexp"
	"strings"

	"ledgerlink/connectors"
)

// catalogue is Uniconta's messages (the ErrorCodes names, kept word for
// word, and LedgerLink's own refusals) with their cause and fix in plain
// words: one table, so that it can be translated. The first match wins.
var catalogue = []struct {
	pattern *regexp.Regexp
	why     connectors.Explanation
}{
	{regexp.MustCompile(`(?i)\bNoCompanyId\b`), connectors.Explanation{
		Cause: "Uniconta does not know the Firma ID, or this user has no access to that company.",
		Fix:   "Check the Firma ID on the Account tab (Uniconta's app shows it), or sign in again and choose the company; in Uniconta give the user access to the company."}},
	{regexp.MustCompile(`(?i)username and password|UserOrPassword|LoginIdOrPassword`), connectors.Explanation{
		Cause: "Uniconta did not accept the username and password together (it does not say which of the two is wrong).",
		Fix:   "Type the Uniconta username and password again on the Account tab, exactly as you sign in to Uniconta."}},
	{regexp.MustCompile(`(?i)API key`), connectors.Explanation{
		Cause: "The Uniconta API key is not in the form Uniconta issues (8-4-4-4-12 letters and digits).",
		Fix:   "Paste the API key exactly as Uniconta sent it (Uniconta API Nøgle), including the dashes."}},
	{regexp.MustCompile(`(?i)Has errors|Har fejl`), connectors.Explanation{
		Cause: "Uniconta could not reach LedgerLink's modification URL several times and ticked \"Has errors\"; until it is cleared Uniconta sends no change notices, and LedgerLink holds the module's runs so that no change is missed unnoticed.",
		Fix:   "Make sure LedgerLink's address can be reached, then press Refresh on the Account tab (ledgerlink login uniconta --refresh), or in Uniconta: " + hasErrorsFixDanish}},
	{regexp.MustCompile(`customer tag .* is not a CRM group`), connectors.Explanation{
		Cause: "The customer tag chosen under Options is not one of the CRM groups in Uniconta, which hold the tag on debtors.",
		Fix:   "Choose one of the groups the message lists, or create a CRM group of that name in Uniconta, and test the connection again."}},
	{regexp.MustCompile(`\bNoRights\b`), connectors.Explanation{
		Cause: "The Uniconta user LedgerLink signs in as may not do this in the company.",
		Fix:   "In Uniconta, under Company → Users, give the user rights to the tables LedgerLink writes (debtors, orders, journals), or sign in as a user who has them."}},
	{regexp.MustCompile(`\b(KeyExists|RecordExists)\b`), connectors.Explanation{
		Cause: "Uniconta already holds a record with this number (account, item or order number).",
		Fix:   "Look the number up in Uniconta: if it is the same customer, supplier or item, link it instead of creating it; otherwise give the record another number in the business system."}},
	{regexp.MustCompile(`\bCouldNotFind\b`), connectors.Explanation{
		Cause: "The record refers to something Uniconta does not have: an account, VAT code, item, dimension value, daily journal, customer or invoice.",
		Fix:   "Check the code the message names: create it in Uniconta or change the mapping in LedgerLink, then refresh the reference data and send the record again."}},
	{regexp.MustCompile(`\b(FieldCannotBeBlank|AccountIsMissing|ArgumentMissing|InvoiceNumberMissing)\b`), connectors.Explanation{
		Cause: "A field Uniconta needs is empty (for example the name, the debtor group, the account of a line, or a supplier's invoice number).",
		Fix:   "Fill in the field the message names in the business system, or set a default (debtor group, bank account) under Options."}},
	{regexp.MustCompile(`\bErrorInJournal\b`), connectors.Explanation{
		Cause: "Uniconta checked the journal before booking it and found an error; nothing was booked.",
		Fix:   "Read the line the message names: a missing or blocked account, an unknown VAT code or dimension, or debits and credits that do not balance. Correct the journal and send it again."}},
	{regexp.MustCompile(`\bNoLinesFound\b`), connectors.Explanation{
		Cause: "The document or journal has no lines.",
		Fix:   "Add at least one line in the business system."}},
	{regexp.MustCompile(`\bItemIsOnHold\b`), connectors.Explanation{
		Cause: "An item or record is on hold in Uniconta.",
		Fix:   "Release it in Uniconta, then send the record again."}},
	{regexp.MustCompile(`\bCreditLimitExceeded\b`), connectors.Explanation{
		Cause: "The invoice takes the customer over their credit limit in Uniconta.",
		Fix:   "Raise the customer's credit limit in Uniconta or collect payment first."}},
	{regexp.MustCompile(`\b(NoSubscription|AutoBankingNotActivated)\b`), connectors.Explanation{
		Cause: "The company's Uniconta subscription does not include this function.",
		Fix:   "Ask your Uniconta partner to add the module to the company's subscription."}},
	{regexp.MustCompile(`\b(CannotDeleteRecord|CouldNotDeleteRecordThatIsReferred)\b`), connectors.Explanation{
		Cause: "Uniconta keeps the record because other records refer to it.",
		Fix:   "Nothing is lost: LedgerLink never deletes in Uniconta. Remove the references in Uniconta first if it must go."}},
	{regexp.MustCompile(`\b(CouldNotSave|CouldNotCreate|Exception|SQLException|NoSucces)\b`), connectors.Explanation{
		Cause: "Uniconta could not save the record because of a fault on its side.",
		Fix:   "Send it again later; if it keeps failing, give Uniconta's message to your Uniconta partner."}},
	{regexp.MustCompile(`\b` + codeNotTagged + `\b`), connectors.Explanation{
		Cause: "The customer does not carry the customer tag chosen under Options, so it does not travel to Uniconta (by design).",
		Fix:   "Add the tag to the customer in the business system if it should sync; it goes at the next run. No other step is needed."}},
	{regexp.MustCompile(`\b` + codePosted + `\b`), connectors.Explanation{
		Cause: "The record is booked in Uniconta, and Uniconta does not change booked invoices, payments or journals.",
		Fix:   "Correct it with a credit note or a correcting journal in the business system; draft invoices can still be changed."}},
	{regexp.MustCompile(`\b` + codeInvoiceMissing + `\b`), connectors.Explanation{
		Cause: "The payment or credit note names an invoice Uniconta does not have (or has not posted).",
		Fix:   "Send the invoice first, or correct the invoice number on the payment."}},
	{regexp.MustCompile(`\b` + codeInvalid + `\b|custom field`), connectors.Explanation{
		Cause: "The record is incomplete or a value does not fit the field in Uniconta.",
		Fix:   "Correct the field the message names in the business system and send it again."}},
	{regexp.MustCompile(`(?i)slow down|daily limit|reduced (speed|traffic)`), connectors.Explanation{
		Cause: "Uniconta's free allowance of 5,000 calls a day is used up; after it Uniconta slows every call.",
		Fix:   "LedgerLink pauses until the allowance returns at midnight (UTC). If this happens often, ask Uniconta for extended server calls."}},
}

// hasErrorsFixDanish is the seed's own fix for "Has errors", in its words.
const hasErrorsFixDanish = "Åben Uniconta. Tryk på Firma/Company, tryk på pil ned ved Vedligeholdelse/Maintenance og tryk på Ændrings URL/Modification URL. " +
	"Ved linket er der sat et flueben ved Har fejl/Has errors: tryk på Opdater/Refresh. Nu er fluebenet væk, og synkroniseringen skulle gerne begynde igen."

// Explain turns a Uniconta message into words for a bookkeeper.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return explain(err) }

func explain(err error) (connectors.Explanation, bool) {
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
				return e.why, true
			}
		}
	}
	return connectors.Explanation{}, false
}

// Explain turns any error of the connector (a refusal, a sign-in failure)
// into words for a bookkeeper, without a connection.
func Explain(err error) (connectors.Explanation, bool) { return explain(err) }
