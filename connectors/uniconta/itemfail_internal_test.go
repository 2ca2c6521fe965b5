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

// TestOwnItemRefusalsKeepTheirCodes: the refusals LedgerLink makes about
// an item in Uniconta keep the code Explain matches on out of the words,
// and say the record type in the reader's language.
func TestOwnItemRefusalsKeepTheirCodes(t *testing.T) {
	cases := []struct {
		ie     *connectors.ItemError
		code   string
		en     string
		da, nl string
	}{
		{own.ItemFail("CouldNotFind", "", "uniconta.item.gone", "Type", connectors.Customers.Text(), "Code", "C1"), "CouldNotFind",
			"Uniconta no longer holds C1", "Uniconta har ikke længere C1", "Uniconta heeft C1 niet meer"},
		{own.ItemFail("AccountIsMissing", "party_code", "uniconta.item.no_party", "Payment", "P1"), "AccountIsMissing",
			"Payment P1 names no customer or supplier", "nævner ingen debitor eller kreditor", "noemt geen debiteur of crediteur"},
		{own.ItemFail(codeInvoiceMissing, "", "uniconta.item.credit_invoice_missing", "Invoice", "INV-1", "Code", "CN-1"), codeInvoiceMissing,
			"Invoice INV-1 is not posted in Uniconta", "kreditnota CN-1 kan ikke udlignes", "creditnota CN-1 kan er niet mee"},
	}
	for _, tc := range cases {
		if tc.ie.Code != tc.code || strings.HasPrefix(tc.ie.Message, tc.code) || !strings.Contains(tc.ie.Message, tc.en) {
			t.Errorf("%s: code %q, message %q; want %q", tc.ie.Words.Key, tc.ie.Code, tc.ie.Message, tc.en)
		}
		if why, ok := explain(tc.ie); !ok || why.Key == "" {
			t.Errorf("%s is not explained", tc.ie.Message)
		}
		for lang, want := range map[string]string{"da": tc.da, "nl": tc.nl} {
			if said := own.In(lang).Error(tc.ie.Words); !strings.Contains(said, want) {
				t.Errorf("%s: %q, want %q", lang, said, want)
			}
		}
	}
}
