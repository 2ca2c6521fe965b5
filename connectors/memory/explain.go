package memory

import (
	"errors"
	"regexp"

	"ledgerlink/connectors"
)

// explained is one entry of the catalogue: the ledger's error code, a
// pattern matching its message (for messages kept as text without their
// code), and the words shown to a person.
type explained struct {
	code    string
	message *regexp.Regexp
	connectors.Explanation
}

// catalogue lists every message the reference ledger gives. It is never
// changed after start-up.
var catalogue = []explained{
	{CodeWrongType, regexp.MustCompile(`^The .+ sent is (a .+, not a .+|incomplete: )`), connectors.Explanation{
		Cause: "The record LedgerLink sent did not have the shape the ledger expects for this type.",
		Fix:   "Open the record in LedgerLink, check that it has a code and the details of its type, then upload it again.",
	}},
	{CodeNotFound, regexp.MustCompile(`^There is no .+ with ID '.*'\.$`), connectors.Explanation{
		Cause: "The record was deleted in the accounting package after LedgerLink first sent it.",
		Fix:   "Use Mark as Not Exported on the Successfully Exported grid so that the record is sent again as a new one.",
	}},
	{CodeMissingName, regexp.MustCompile(`^A name must be given for `), connectors.Explanation{
		Cause: "The customer or supplier has no name.",
		Fix:   "Give the customer or supplier a name in your business system, import it again, then upload.",
	}},
	{CodeDuplicateCode, regexp.MustCompile(`^A (customer|supplier) with account code '.*' already exists\.$`), connectors.Explanation{
		Cause: "The accounting package already has a customer or supplier with this account code, entered there or by an earlier upload.",
		Fix:   "If it is the same customer or supplier, use Mark as Exported; otherwise give one of them a different account code.",
	}},
	{CodeDuplicateNumber, regexp.MustCompile(`(number|reference) '.*' has already been used\.$`), connectors.Explanation{
		Cause: "The accounting package already has a document or payment with this number.",
		Fix:   "If it is the same document, use Mark as Exported; otherwise renumber it in your business system and import it again.",
	}},
	{CodeMissingParty, regexp.MustCompile(`^A (customer|supplier) must be given for `), connectors.Explanation{
		Cause: "The document does not say which customer or supplier it is for.",
		Fix:   "Fill in the customer or supplier on the document in your business system, import it again, then upload.",
	}},
	{CodeUnknownParty, regexp.MustCompile(`^(Customer|Supplier) '.*' does not exist in this ledger\.$`), connectors.Explanation{
		Cause: "The customer or supplier of this record has not reached the accounting package yet.",
		Fix:   "Upload the customer or supplier first (turn Customers or Suppliers on in the sync matrix), then upload this record again.",
	}},
	{CodeMissingDate, regexp.MustCompile(`' has no date\.$`), connectors.Explanation{
		Cause: "The record has no date.",
		Fix:   "Give the record a date in your business system, import it again, then upload.",
	}},
	{CodeDueBeforeDate, regexp.MustCompile(`^The due date .* is before the document date `), connectors.Explanation{
		Cause: "The document's due date is earlier than its own date.",
		Fix:   "Correct the due date in your business system, import the document again, then upload.",
	}},
	{CodeUnknownCurrency, regexp.MustCompile(`^Currency '.*' is not enabled for this organisation\.$`), connectors.Explanation{
		Cause: "The record is in a currency the accounting package does not trade in.",
		Fix:   "Turn the currency on in the accounting package, or turn on Multi-currency in LedgerLink's options, then upload again.",
	}},
	{CodeNoLines, regexp.MustCompile(`must have at least one line\.$`), connectors.Explanation{
		Cause: "The document has no lines.",
		Fix:   "Add at least one line to the document in your business system, import it again, then upload.",
	}},
	{CodeMissingAccount, regexp.MustCompile(`^An account code must be given on line \d+\.$`), connectors.Explanation{
		Cause: "A line has no nominal code and no product that brings one.",
		Fix:   "On the Mapping tab, map the line's nominal code or set the default sales and purchase accounts (Apply Default Setup), then upload again.",
	}},
	{CodeInvalidAccount, regexp.MustCompile(`^Account code '.*' is not a valid code for this document\.$`), connectors.Explanation{
		Cause: "A nominal code on the record has no matching account in the accounting package, or points at an account that cannot be posted to (stock, cost of sale, bank or archived).",
		Fix:   "On the Mapping tab, map the nominal code to an account that exists in the accounting package (Get Nominal & Tax Accounts refreshes the list), then upload again.",
	}},
	{CodeUnknownTaxRate, regexp.MustCompile(`^Tax rate '.*' on line \d+ is not a valid tax rate\.$`), connectors.Explanation{
		Cause: "A tax code on the document has no matching tax rate in the accounting package.",
		Fix:   "On the Mapping tab, map the tax code to one of the package's tax rates, then upload again.",
	}},
	{CodeUnknownItem, regexp.MustCompile(`^Item code '.*' on line \d+ does not exist\.$`), connectors.Explanation{
		Cause: "A product on the document is not set up in the accounting package.",
		Fix:   "Create the product in the accounting package, or turn off Only export stock items that appear on invoices, then upload again.",
	}},
	{CodeTotalBelowPaid, regexp.MustCompile(`paid against it; its new total of .* would be less than that\.$`), connectors.Explanation{
		Cause: "The changed document totals less than the payments already allocated to it in the accounting package.",
		Fix:   "Remove or reduce the payment allocation in the accounting package first, or issue a credit note instead of changing the invoice.",
	}},
	{CodeInvalidAmount, regexp.MustCompile(`must be greater than zero\.$`), connectors.Explanation{
		Cause: "The payment or one of its allocations has an amount of zero or less.",
		Fix:   "Correct the amount in your business system, import it again, then upload.",
	}},
	{CodeUnknownBankAccount, regexp.MustCompile(`^Bank account '.*' does not exist\.$`), connectors.Explanation{
		Cause: "The payment names a bank account the accounting package does not have.",
		Fix:   "On the Mapping tab, map the bank account to one of the package's bank accounts, then upload again.",
	}},
	{CodePaymentLocked, regexp.MustCompile(`cannot be changed once entered; `), connectors.Explanation{
		Cause: "The accounting package does not allow a payment to be edited once it is entered.",
		Fix:   "Delete the payment in the accounting package, then use Mark as Not Exported so that LedgerLink sends it again.",
	}},
	{CodeUnknownInvoice, regexp.MustCompile(`^Invoice '.*' could not be found to allocate the payment to\.$`), connectors.Explanation{
		Cause: "The payment is allocated to an invoice that has not reached the accounting package.",
		Fix:   "Upload the invoice first (turn its type on in the sync matrix), then upload the payment again.",
	}},
	{CodeWrongDocumentType, regexp.MustCompile(`^A payment of this kind can only be allocated to `), connectors.Explanation{
		Cause: "A customer payment was allocated to a purchase document, or a supplier payment to a sales document.",
		Fix:   "Correct the allocation in your business system, import the payment again, then upload.",
	}},
	{CodeWrongParty, regexp.MustCompile(`^Invoice '.*' belongs to (customer|supplier) '.*', not '.*'\.$`), connectors.Explanation{
		Cause: "The payment is from one customer or supplier but is allocated to another's invoice.",
		Fix:   "Correct the payment's customer or supplier, or its allocation, in your business system, then upload again.",
	}},
	{CodeCurrencyMismatch, regexp.MustCompile(`^The payment is in .* but invoice '.*' is in .*\.$`), connectors.Explanation{
		Cause: "The payment and the invoice it pays are in different currencies.",
		Fix:   "Record the payment in the invoice's currency in your business system, then upload again.",
	}},
	{CodeInvoiceClosed, regexp.MustCompile(`and cannot take payments\.$`), connectors.Explanation{
		Cause: "The invoice was voided or deleted in the accounting package.",
		Fix:   "Allocate the payment to another invoice, or leave it unallocated, then upload again.",
	}},
	{CodeAllocationsTooLarge, regexp.MustCompile(`^The allocations \(.*\) add up to more than payment `), connectors.Explanation{
		Cause: "The payment is allocated for more than the payment itself.",
		Fix:   "Correct the allocations in your business system so that they add up to no more than the payment, then upload again.",
	}},
	{CodeAmountAboveDue, regexp.MustCompile(`^The payment of .* is more than the .* still due on invoice '.*'\.$`), connectors.Explanation{
		Cause: "The invoice has less left to pay in the accounting package than this payment allocates; part of it may already have been paid there.",
		Fix:   "Check the invoice in the accounting package, then reduce the allocation or allocate the rest to another invoice.",
	}},
	{CodeJournalTooShort, regexp.MustCompile(`must have at least two lines\.$`), connectors.Explanation{
		Cause: "A journal needs at least one debit and one credit line.",
		Fix:   "Check the payroll journal in the payroll system, export it again, then upload.",
	}},
	{CodeInvalidJournalLine, regexp.MustCompile(`^Line \d+ of journal '.*' (has a negative amount|must have either a debit or a credit)\.$`), connectors.Explanation{
		Cause: "A journal line has both a debit and a credit, neither, or a negative amount.",
		Fix:   "Check the payroll journal in the payroll system, export it again, then upload.",
	}},
	{CodeUnbalancedJournal, regexp.MustCompile(`^Journal '.*' does not balance: `), connectors.Explanation{
		Cause: "The journal's debits and credits are not equal.",
		Fix:   "Check the cost-centre and period split of the payroll journal, export it again, then upload.",
	}},
	{CodeInvalidItem, regexp.MustCompile(`^Item (code )?'.*' (has no name|is longer than 30 characters)\.$`), connectors.Explanation{
		Cause: "The product has no name, or its code is longer than the accounting package allows (30 characters).",
		Fix:   "Give the product a name and a code of at most 30 characters in your business system, import it again, then upload.",
	}},
	{CodeDuplicateItem, regexp.MustCompile(`^An item with code '.*' already exists\.$`), connectors.Explanation{
		Cause: "The accounting package already has a product with this code, entered there or by an earlier upload.",
		Fix:   "If it is the same product, use Mark as Exported; otherwise give one of them a different code.",
	}},
	{CodeRecordDeleted, regexp.MustCompile(`has been deleted or voided in the ledger and cannot be changed\.$`), connectors.Explanation{
		Cause: "The record was deleted or voided in the accounting package, so it can no longer be changed there.",
		Fix:   "Nothing to send: LedgerLink shows the record as deleted or voided. If it is still wanted, enter it again in your business system under a new number.",
	}},
}

// Explain gives the cause and fix for the ledger's messages: per-item
// errors (by code, or by their words when the code was lost), rate limits,
// temporary failures and oversized batches.
func (c *Conn) Explain(err error) (connectors.Explanation, bool) {
	if err == nil {
		return connectors.Explanation{}, false
	}
	var ie *connectors.ItemError
	if errors.As(err, &ie) {
		for _, e := range catalogue {
			if ie.Code != "" && ie.Code == e.code {
				return e.Explanation, true
			}
		}
		for _, e := range catalogue {
			if e.message.MatchString(ie.Message) {
				return e.Explanation, true
			}
		}
		return connectors.Explanation{}, false
	}
	var rl *connectors.RateLimitError
	switch {
	case errors.As(err, &rl) && rl.Daily:
		return connectors.Explanation{
			Cause: "The accounting package allows only so many requests a day, and today's are used up.",
			Fix:   "Nothing to do: LedgerLink carries on by itself when the allowance comes back after midnight.",
		}, true
	case errors.As(err, &rl):
		return connectors.Explanation{
			Cause: "LedgerLink sent requests faster than the accounting package accepts.",
			Fix:   "Nothing to do: LedgerLink waits as asked and carries on.",
		}, true
	case errors.Is(err, ErrBatchTooLarge):
		return connectors.Explanation{
			Cause: "More records were sent at once than the accounting package accepts.",
			Fix:   "Upload again; LedgerLink sends the records in smaller groups.",
		}, true
	case errors.Is(err, connectors.ErrTemporary):
		return connectors.Explanation{
			Cause: "The accounting package did not answer.",
			Fix:   "Try again later; records that were in flight are checked in the package before they are sent again, so nothing is entered twice.",
		}, true
	}
	return connectors.Explanation{}, false
}
