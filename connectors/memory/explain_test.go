package memory

import (
	"testing"

	"ledgerlink/connectors"
)

// TestCatalogueCoversEveryCode keeps the catalogue and the error codes in
// step: each code has exactly one entry, with a cause and a fix.
func TestCatalogueCoversEveryCode(t *testing.T) {
	codes := []string{
		CodeWrongType, CodeNotFound, CodeMissingName, CodeDuplicateCode, CodeDuplicateNumber,
		CodeMissingParty, CodeUnknownParty, CodeMissingDate, CodeDueBeforeDate, CodeUnknownCurrency,
		CodeNoLines, CodeMissingAccount, CodeInvalidAccount, CodeUnknownTaxRate, CodeUnknownItem,
		CodeTotalBelowPaid, CodeInvalidAmount, CodeUnknownBankAccount, CodePaymentLocked,
		CodeUnknownInvoice, CodeWrongDocumentType, CodeWrongParty, CodeCurrencyMismatch,
		CodeInvoiceClosed, CodeAllocationsTooLarge, CodeAmountAboveDue, CodeJournalTooShort,
		CodeInvalidJournalLine, CodeUnbalancedJournal, CodeInvalidItem, CodeDuplicateItem, CodeRecordDeleted,
	}
	entries := map[string]int{}
	for _, e := range catalogue {
		entries[e.code]++
		if e.Cause == "" || e.Fix == "" {
			t.Errorf("%s has no cause or fix", e.code)
		}
	}
	if len(entries) != len(codes) {
		t.Errorf("the catalogue has %d codes, the ledger %d", len(entries), len(codes))
	}
	c := NewLedger().Connection()
	for _, code := range codes {
		if entries[code] != 1 {
			t.Errorf("code %s has %d catalogue entries, want 1", code, entries[code])
		}
		if why, ok := c.Explain(&connectors.ItemError{Code: code, Message: "?"}); !ok || why.Cause == "" {
			t.Errorf("Explain(code %s) = %+v, %v", code, why, ok)
		}
	}
}
