package uniconta

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// TestOwnItemRefusalsAreSaidInTheReadersLanguage: an item Uniconta's
// connector refuses itself (not Uniconta) keeps the code Explain matches
// on, reads in English as its message, and carries its words for Error
// Feedback to say in Danish or Dutch.
func TestOwnItemRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	var err error = own.ItemFail(codePosted, "", "uniconta.item.invoice_posted", "Type", connectors.SalesInvoices.Text(), "Code", "INV-7")
	var ie *connectors.ItemError
	if !errors.As(err, &ie) || ie.Code != codePosted || ie.Words == nil {
		t.Fatalf("not an item refusal with words: %#v", err)
	}
	if want := "Sales Invoices: INV-7 is posted in Uniconta"; !strings.Contains(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	for lang, want := range map[string]string{"da": "er bogført i Uniconta", "nl": "is in Uniconta geboekt"} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) || !strings.Contains(said, "INV-7") {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}
}
