package quickbooks_test

import (
	"testing"

	"ledgerlink/connectors/quickbooks"
	"ledgerlink/words"
)

// englishWords are the QuickBooks Online connector's words in English, as a face says
// them to someone reading English.
func englishWords(t *testing.T) *words.Words {
	t.Helper()
	cat, err := words.Load(quickbooks.Words())
	if err != nil {
		t.Fatal(err)
	}
	return cat.In("en")
}
