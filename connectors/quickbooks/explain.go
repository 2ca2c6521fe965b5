package quickbooks

import (
	"errors"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// explanation is one entry of the catalogue: QuickBooks's error code
// and/or words of its message (lower case) → cause and fix in plain words.
type explanation struct {
	code  string
	words string
	cause string
	fix   string
}

// catalogue is QuickBooks's messages (and LedgerLink's own refusals) with
// what they mean for a bookkeeper. An entry matches on the code, the words,
// or both when both are given; the first match wins, so the specific
// entries come first. Kept as one table so it can be translated.
var catalogue = []explanation{
	{"6240", "", "Another customer, supplier or employee in QuickBooks already has this name: QuickBooks needs every name to be different across all three lists.",
		"Rename one of them (for example add the town or the account code to the name), or link this record to the existing one in QuickBooks, then upload again."},
	{"6140", "", "QuickBooks already holds a document with this number, and the company refuses duplicate numbers.",
		"If it is the same document, mark it as exported here. If not, give this document another number, or turn on \"Allow duplicate document numbers\" in the Options."},
	{"5010", "", "Someone changed this record in QuickBooks while LedgerLink was updating it; QuickBooks kept their change rather than overwrite it.",
		"Nothing is lost: LedgerLink reads the record again and sends its update at the next run. If it keeps happening, check who else edits this record in QuickBooks."},
	{"610", "", "The record LedgerLink was updating is no longer in QuickBooks: it was deleted or made inactive there.",
		"Make it active again in QuickBooks, or remove its link here so it is uploaded as a new record."},
	{"2500", "inactive", "The record uses an account, customer, product, supplier or tax code that has been made inactive in QuickBooks.",
		"Make it active again in QuickBooks (lists → show inactive), or map the code to an active one on the Mapping tab."},
	{"2500", "", "The record refers to an account, product, tax code or customer that QuickBooks does not have (the field is named in the message).",
		"Run \"Get Nominal & Tax Accounts\" again and check the Mapping tab maps every code to an existing QuickBooks one, then upload again."},
	{"6200", "", "The document's date is in a period whose books are closed in QuickBooks.",
		"Change the date to one after the closing date, or ask whoever keeps the books to reopen the period (Settings → Advanced → Close the books)."},
	{"6210", "", "The document's date is in a closed period, and QuickBooks asks for the closing password.",
		"Change the date to one after the closing date, or ask whoever keeps the books to reopen the period."},
	{"6000", "-30003", "QuickBooks needs a customer on this document and none was sent.",
		"Check the document names a customer that has been uploaded to QuickBooks, then upload again."},
	{"6000", "open balance", "The payment applies more to a document than the document still owes in QuickBooks; it may already be paid there.",
		"Compare the document in QuickBooks with the business system: remove a duplicate payment in QuickBooks, or correct the amount, then upload again."},
	{"6000", "", "QuickBooks refused the record for a business rule; its own reason is at the end of the message.",
		"Read QuickBooks's reason in the message, correct the record in the business system (or the setting in QuickBooks), then upload again."},
	{"6070", "", "A line's amount is not its quantity times its price, so QuickBooks refused it (usually rounding).",
		"Give the line a price with at most two decimals, or round the quantity, then upload again."},
	{"2300", "", "The journal's debits and credits do not add up to the same total.",
		"Correct the journal in the payroll export so it balances, then upload again."},
	{"2260", "", "A journal line is neither a debit nor a credit.", "Give every journal line a debit or a credit amount, then upload again."},
	{"2020", "", "QuickBooks needs a field this record does not have (the field is named in the message).",
		"Fill in the named field in the business system, then upload again."},
	{"2010", "", "QuickBooks did not accept a field of the record (the field is named in the message).",
		"This usually needs a newer LedgerLink; send the message to support."},
	{"2050", "", "A name, number or text is longer or shorter than QuickBooks allows.", "Shorten the named field, then upload again."},
	{"2290", "", "QuickBooks does not take a negative amount here.", "Send a credit note instead of a negative line, or correct the amount."},
	{"3001", "", "LedgerLink sent more requests than QuickBooks allows per minute for this company.",
		"Nothing to do: LedgerLink waits a minute and carries on by itself."},
	{"3200", "", "QuickBooks did not accept LedgerLink's sign-in.", reconnect + " on the Account tab (Sign in)."},
	{"3100", "", "LedgerLink's Intuit app is not allowed into this company (wrong keys for the environment, or the app was disconnected).",
		reconnect + " on the Account tab; check the company type (real or sandbox) matches your Intuit app's keys."},
	{"120", "", "The QuickBooks user who signed in may not do this (only a company administrator can connect apps).",
		reconnect + " as a QuickBooks administrator."},
	{"6190", "", "QuickBooks says the company's subscription is not active.", "Renew the QuickBooks subscription, then run the sync again."},
	{"ALLOCATION", "", "The credit note is in QuickBooks, but QuickBooks refused to apply it to the invoice (it may already be paid, or owe less than the credit).",
		"Apply the credit in QuickBooks (Receive payment → tick the credit), or correct the allocation and mark it as exported."},
	{"", "chart of accounts", "The nominal code is not mapped to an account QuickBooks has.",
		"Map the nominal code to a QuickBooks account on the Mapping tab (or turn on account numbers in QuickBooks so codes match), then upload again."},
	{"", "tax code", "The tax code is not mapped to one of QuickBooks's tax codes.",
		"Map it on the Mapping tab to a QuickBooks tax code (run \"Get Nominal & Tax Accounts\" first), then upload again."},
	{"", "is not in quickbooks yet", "The customer or supplier of this record has not been uploaded to QuickBooks yet.",
		"Upload the customers or suppliers first (or tick them in the sync matrix), then upload this record again."},
	{"", "not in quickbooks", "The record points at a product or document that QuickBooks does not have.",
		"Upload the product or document first, or correct the code, then upload again."},
	{"", "inactive in quickbooks", "The record uses an account that is inactive in QuickBooks.",
		"Make the account active again in QuickBooks, or map the code to another account on the Mapping tab."},
	{"", "has no name", "QuickBooks needs a display name for every customer and supplier.", "Fill in the name in the business system, then upload again."},
	{"", "longer than quickbooks", "A document number or reference is longer than QuickBooks's 21 characters.", "Shorten it in the business system, then upload again."},
	{"", "does not balance", "The journal's debits and credits differ.", "Correct the journal in the payroll export so it balances."},
	{"", "customer or vendor on such lines", "A payroll journal line posts to receivables or payables, which QuickBooks only takes with a customer or supplier named.",
		"Post that line to another account in the payroll mapping."},
	{"", "cost centre", "The cost centre is not a class (or location) in QuickBooks.", "Add it in QuickBooks under Classes (or Locations), or change the cost-centre option."},
	{"", "reconnect to quickbooks", "QuickBooks no longer accepts LedgerLink's sign-in: it expired, was disconnected in QuickBooks, or was renewed by another copy of LedgerLink.",
		reconnect + ": open the QuickBooks module, Account tab, and sign in again."},
	{"", "no bank account", "QuickBooks needs the bank account a supplier payment was paid from.", "Map the payment's bank code on the Mapping tab, then upload again."},
	{"", "discount", "QuickBooks bills take no line discounts.", "Put the discounted price on the bill line instead."},
	{"", "both a debit and a credit", "A journal line has both a debit and a credit.", "Split it into two lines in the payroll export."},
	{"", "negative amount", "A journal line has a negative amount.", "Put the amount on the other side (debit instead of credit) in the payroll export."},
	{"", "needs a product", "QuickBooks needs a product or service on every sales line and the stand-in product is missing.",
		"Add a product called as in the Options tab (\"Product for lines without one\") in QuickBooks, or choose an existing one."},
	{"", "stock item", "A stock product needs an inventory asset account and a cost-of-sales account in QuickBooks.", "Add those accounts in QuickBooks, then upload again."},
	{"", "was a", "The record was uploaded as another kind of QuickBooks document and cannot change kind.", "Remove it in QuickBooks and upload it again."},
	{"", "no lines", "QuickBooks needs at least one line on every document.", "Add a line to the document in the business system."},
	{"", "names no", "The payment names no customer or supplier.", "Fill in who paid (or was paid) in the business system."},
	{"", "invalid record", "The record is incomplete (it has no code, or the wrong contents for its type).", "Correct the record in the business system."},
}

// Explain finds QuickBooks's message (or LedgerLink's own) in the
// catalogue.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return explain(err) }

func explain(err error) (connectors.Explanation, bool) {
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
			return connectors.Explanation{Cause: e.cause, Fix: e.fix}, true
		}
	}
	// The words alone, as the Error Feedback grid keeps them, may still
	// carry the code's message.
	for _, e := range catalogue {
		if e.code != "" && e.words == "" && strings.Contains(low, strings.ToLower(codeMessages[e.code])) && codeMessages[e.code] != "" {
			return connectors.Explanation{Cause: e.cause, Fix: e.fix}, true
		}
	}
	return connectors.Explanation{}, false
}

// codeMessages are the Message words QuickBooks sends with each code.
var codeMessages = map[string]string{
	"6240": "Duplicate Name Exists Error", "6140": "Duplicate Document Number Error", "5010": "Stale Object Error",
	"610": "Object Not Found", "2500": "Invalid Reference Id", "6200": "Account Period Closed",
	"6000": "A business validation error", "6070": "Amount is not equal to UnitPrice", "2300": "Journal Entry Must Balance",
	"2260": "Posting type missing", "2020": "Required param missing", "2010": "Request has invalid or unsupported property",
	"2050": "String length", "2290": "Negative amount", "3001": "ThrottleExceeded", "3200": "AuthenticationFailed",
	"3100": "ApplicationAuthorizationFailed", "120": "Authorization Failure", "6190": "Invalid Company Status",
	"ALLOCATION": "but applying it to its invoices failed",
}

func decimalOf(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero
	}
	return d
}
