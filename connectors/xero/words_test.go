package xero_test

import (
	"testing"

	"ledgerlink/connectors/xero"
	"ledgerlink/words"
)

// englishWords are the Xero connector's words in English, as a face says
// them to someone reading English.
func englishWords(t *testing.T) *words.Words {
	t.Helper()
	cat, err := words.Load(xero.Words())
	if err != nil {
		t.Fatal(err)
	}
	return cat.In("en")
}
