package xero

import (
	"errors"
	"regexp"
	"strings"

	"ledgerlink/connectors"
)

// explanation is one entry of the error catalogue: a pattern over Xero's
// message and the Cause and Fix shown beside it. $1, $2 in the texts are
// replaced by the pattern's groups (an account code, a tax type, ...).
type explanation struct {
	name    string
	pattern *regexp.Regexp
	cause   string
	fix     string
}

func entry(name, pattern, cause, fix string) explanation {
	return explanation{name: name, pattern: regexp.MustCompile("(?i)" + pattern), cause: cause, fix: fix}
}

// catalogue is checked in order; the first match wins, so the narrower
// patterns come first.
var catalogue = []explanation{
	entry("journal unbalanced",
		`total debits \(([^)]*)\) must equal total credits \(([^)]*)\)`,
		"The payroll journal does not balance in Xero: its debits come to $1 and its credits to $2, and Xero only takes a manual journal whose debits equal its credits.",
		"Correct the journal in the payroll system so that every period (and every cost centre and cost type, when journals are split by them) balances, import it again and upload."),
	entry("journal too few lines",
		`manual journal must have at least two`,
		"Xero needs a manual journal to have at least two lines, a debit and a credit; this part of the payroll journal has fewer.",
		"Check the journal in the payroll system: each period (and cost centre or cost type, when journals are split by them) needs both its debit and its credit lines. Correct it, import it again and upload."),
	entry("journal narration missing",
		`narration cannot be empty`,
		"Xero needs a narration (a description) on every manual journal, and this one had none.",
		"Give the payroll journal a code in the payroll system, import it again and upload; LedgerLink puts the code in the narration."),
	entry("product code used",
		`item code '([^']*)' already exists`,
		"Xero already has a product with code $1, entered there or by an earlier upload.",
		"If it is the same product, use Mark as Exported on it in Pending Export; otherwise give one of them another code in your business system."),
	entry("product account unknown",
		`account code '*([^' ]*)'* is not a valid code for this item`,
		"The product's sales or purchase account $1 is not one Xero lets a product use: it does not exist, is archived, or is a bank account.",
		"Map the product's nominal code to a Xero sales or purchase account on the Mapping tab (Get Nominal & Tax Accounts fetches Xero's chart), then upload again."),
	entry("product tracking",
		`inventory asset account|cost of goods sold account must be given|not applicable to a tracked item`,
		"Xero tracks a stock item only with an inventory asset account and a cost-of-goods-sold account, and this product's accounts do not fit that.",
		"Give the product a cost-of-goods-sold account as its purchase account in your business system (and an Inventory account in Xero's chart), import it again and upload."),
	entry("product code too long",
		`product code .* xero takes at most 30`,
		"Xero keeps product codes of at most 30 characters, and this product's code is longer.",
		"Shorten the product code in your business system (and on the documents that use it), import again and upload."),
	entry("account missing",
		`account code (or id )?must be specified`,
		"A line of the document has a nominal code with no Xero account mapped to it, so Xero does not know where to post it.",
		"Open the Mapping tab, map the nominal code to a Xero account (Get Nominal & Tax Accounts fetches Xero's chart), then upload again."),
	entry("account archived",
		`account code '*([^' ]*)'* has been archived`,
		"Account $1 is archived (or deleted) in Xero, so nothing can be posted to it.",
		"Restore account $1 in Xero's chart of accounts, or map the nominal code to another account on the Mapping tab, then upload again."),
	entry("account unknown",
		`account code '*([^' ]*)'* (is not a valid code|has been removed as it does not match a recognised account)|account must be valid`,
		"The document uses account code $1, which Xero does not have, or which cannot be used on this kind of document (for example a bank or system account).",
		"On the Mapping tab click Get Nominal & Tax Accounts, map the nominal code to an account that exists in Xero, then upload again."),
	entry("tax type not allowed on account",
		`taxtype code '*([^']*?)'* cannot be used with account code '*([^' ]*?)'*\.?(\s|;|$)`,
		"Tax rate $1 cannot be used with account $2 in Xero (for example a sales tax rate on a purchase account).",
		"Map the tax code to a Xero tax rate that suits account $2 on the Mapping tab, or change the account's tax settings in Xero, then upload again."),
	entry("tax type unknown",
		`taxtype code '?(.*?)'? does not exist|tax rate must be valid|the taxtype field is mandatory`,
		"The document uses a tax rate that Xero does not have, or that cannot be used on this kind of document.",
		"On the Mapping tab click Get Nominal & Tax Accounts and map the tax code to one of Xero's tax rates, then upload again."),
	entry("duplicate number",
		`(invoice|credit note|quote|order) ?(#|number) must be unique`,
		"Xero already has a document with this number.",
		"If it is the same document, it was sent before: find it in Xero and use Mark as Exported. If it is a different document, give it a new number in the business system and upload again."),
	entry("archived contact",
		`contact .*has been archived|contact is archived|contact .*must be un-archived`,
		"The customer or supplier is archived in Xero, and Xero takes no new documents for archived contacts.",
		"In Xero open Contacts, Archived, find the contact and click Restore, then upload again."),
	entry("contact name used",
		`contact name (.*) is already assigned to another contact`,
		"Xero already has another contact called $1, and Xero needs every contact name to be different.",
		"If it is the same customer or supplier, give the Xero contact this account's code as its contact number (or merge them in Xero); otherwise change the name slightly in the business system, then upload again."),
	entry("contact number used",
		`another contact has this contact number|contact number .*already`,
		"Another Xero contact already has this account code as its contact number.",
		"Check the contacts in Xero: remove the code from the wrong one (or merge the two), then upload again."),
	entry("contact missing",
		`the contact must contain at least 1 of the following elements|contact cannot be empty|contact .*could not be found`,
		"The document's customer or supplier is not in Xero yet.",
		"Upload the customer or supplier first (or turn on Customers / Suppliers in the sync matrix), then upload the document again."),
	entry("batch payment mixes currencies",
		`batch payment must be in the same currency|batch payment must be in the bank account's currency`,
		"A payment that pays several invoices goes to Xero as one batch payment, and Xero takes a batch only when all its invoices are in one currency, the currency of the bank account it is paid into.",
		"Record a separate payment per currency in the business system (and pay foreign-currency invoices into a bank account in that currency), then upload again."),
	entry("batch payment mixes accounts or dates",
		`batch payment must be made from the same bank account|batch payment must have the same date|batch payment can pay either sales invoices or bills`,
		"A payment that pays several invoices goes to Xero as one batch payment: one bank transaction, from one bank account, on one date, for sales invoices only or bills only.",
		"Split the payment in the business system so that each one has one bank account, one date and one kind of invoice, then upload again."),
	// Xero often sends both payment messages together when the invoice
	// is not approved; the status is the cause, so it is checked first.
	entry("invoice not authorised",
		`payments can only be made against authori[sz]ed documents|not of valid status for creation of a payment`,
		"Xero only takes payments against approved invoices; this one is still a draft, or is already paid or voided.",
		"Approve the invoice in Xero (or turn on \"Create authorised invoices\" in the Xero module's Options for future invoices), then upload the payment again. If it is already paid in Xero, mark this payment as exported."),
	entry("payment above amount due",
		`payment amount exceeds (the )?amount outstanding|must be less than or equal to the outstanding amount`,
		"The payment is more than the invoice still owes in Xero; the invoice may already be partly or fully paid there.",
		"Compare the invoice in Xero with the business system: remove a duplicate payment in Xero, or correct the payment's amount, then upload again."),
	entry("lock date",
		`cannot be before the (period|end of year) lock date`,
		"The document's date falls in a period that is locked in Xero.",
		"Ask whoever keeps the books to move the lock date in Xero (Accounting, Advanced, Financial settings), or date the document after it, then upload again."),
	entry("currency not enabled",
		`not subscribed to currency|currency .*(is )?not (enabled|set up|available)|currency code .*is not valid`,
		"The document is in a currency that is not turned on in this Xero organisation.",
		"Add the currency in Xero (Accounting, Advanced, Currencies; it needs a plan with multi-currency) and turn on Multi-currency in the Xero module's Options, then upload again."),
	entry("document locked",
		`not of valid status for modification|cannot be edited as it has a payment or credit note allocated`,
		"The document is already approved and paid, credited or voided in Xero, so Xero will not change it.",
		"Make the change in Xero by hand (remove the payment first if needed), or leave the document as it is and mark it as exported."),
	entry("contact group limit",
		`limit of 100 contact groups`,
		"LedgerLink records which contacts are customers and which are suppliers in two contact groups in Xero, and this organisation already has the 100 groups Xero allows, so LedgerLink could not add its own.",
		"In Xero delete a contact group you no longer use (Contacts, the group, Delete group), then upload again."),
	entry("connection expired",
		`invalid_grant|authenticationunsuccessful|tokenexpired|token has (been )?expired|expired or (been )?revoked|reconnect to xero|not signed in to xero`,
		"LedgerLink's connection to Xero has expired or was disconnected (for example from Xero's Connected Apps page, or after 60 days without a sync).",
		"Open the Xero module and click Sign in to reconnect; pending items stay pending and are sent on the next sync."),
}

// Explain turns a Xero error into a Cause and a Fix for the Error Feedback
// grid. It knows Xero's validation messages, sign-in failures and rate
// limits; other errors are not explained.
func Explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	var rl *connectors.RateLimitError
	if errors.As(err, &rl) {
		if rl.Daily {
			return connectors.Explanation{
				Cause: "LedgerLink has made as many calls to this Xero organisation today as Xero allows (5,000 a day).",
				Fix:   "Nothing to do: the sync carries on by itself when the allowance comes back. Pending items stay pending.",
			}, true
		}
		return connectors.Explanation{
			Cause: "Xero asked LedgerLink to slow down (it allows 60 calls a minute per organisation).",
			Fix:   "Nothing to do: LedgerLink waits and tries again by itself.",
		}, true
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
	for _, text := range texts {
		if strings.TrimSpace(text) == "" {
			continue
		}
		for _, e := range catalogue {
			if m := e.pattern.FindStringSubmatchIndex(text); m != nil {
				return connectors.Explanation{
					Cause: expand(e.pattern, e.cause, text, m),
					Fix:   expand(e.pattern, e.fix, text, m),
				}, true
			}
		}
	}
	if errors.Is(err, connectors.ErrAuth) {
		return connectors.Explanation{
			Cause: "Xero refused LedgerLink's sign-in.",
			Fix:   Reconnect,
		}, true
	}
	if errors.Is(err, connectors.ErrTemporary) {
		return connectors.Explanation{
			Cause: "Xero did not answer in time, or had a passing fault.",
			Fix:   "Nothing to do: the item stays pending and is sent again on the next sync.",
		}, true
	}
	return connectors.Explanation{}, false
}

// expand fills $1, $2 from the match, dropping empty ones tidily.
func expand(re *regexp.Regexp, tmpl, text string, match []int) string {
	out := string(re.ExpandString(nil, tmpl, text, match))
	out = strings.ReplaceAll(out, "  ", " ")
	return strings.ReplaceAll(out, " ,", ",")
}

// Explain is the connection's Explainer.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) { return Explain(err) }
