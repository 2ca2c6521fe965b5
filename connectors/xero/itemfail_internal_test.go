package xero

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// TestOwnItemRefusalsAreSaidInTheReadersLanguage: an item the Xero
// connector refuses itself (not Xero) keeps the code Explain matches on,
// reads in English as its message, and carries its words for Error
// Feedback to say in Danish or Dutch, the record type too.
func TestOwnItemRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	rec := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{
		Code: "PAY-1", BankAccount: "090", Amount: decimal.RequireFromString("5"),
		Allocations: []connectors.Allocation{{DocumentType: connectors.PurchaseInvoices, DocumentCode: "BILL-1", Amount: decimal.RequireFromString("5")}},
	}}
	_, ie := planPayment(connectors.InvoicePayments, connectors.WriteItem{Key: "k", Record: rec})
	if ie == nil || ie.Code != "LedgerLink" || ie.Words == nil {
		t.Fatalf("not an item refusal with words: %#v", ie)
	}
	if want := "allocated to BILL-1 (Purchase Invoices), but a customer payment"; !strings.Contains(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	for lang, want := range map[string]string{
		"da": "Betaling PAY-1 er udlignet mod BILL-1 (Købsfakturaer)",
		"nl": "Betaling PAY-1 is afgeletterd op BILL-1 (Inkoopfacturen)",
	} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}
}

// TestPartMessagesKeepXerosWordsAndSayLedgerLinksOwn: the parts of a
// payment Xero refused read as Xero wrote them; a part it left without a
// reason is said in the reader's language.
func TestPartMessagesKeepXerosWordsAndSayLedgerLinksOwn(t *testing.T) {
	if got := joinMessages([]any{"INV-1: Xero's own", "INV-2: also Xero's"}); got != "INV-1: Xero's own; INV-2: also Xero's" {
		t.Errorf("Xero's messages joined: %#v", got)
	}
	joined, ok := joinMessages([]any{"INV-1: Xero's own", words.Sentence("xero.item.part_not_saved", "Part", "INV-2")}).(words.Text)
	if !ok {
		t.Fatal("LedgerLink's own message is not words")
	}
	ie := own.ItemFail("ValidationException", "", joined.Key, joined.Pairs...)
	if want := "INV-1: Xero's own; INV-2: Xero did not save this part and gave no reason."; ie.Message != want {
		t.Errorf("English %q, want %q", ie.Message, want)
	}
	if said, want := own.In("nl").Error(ie.Words), "INV-1: Xero's own; INV-2: Xero heeft dit deel niet opgeslagen"; !strings.HasPrefix(said, want) {
		t.Errorf("Dutch %q, want %q", said, want)
	}
	if said, want := own.In("da").Error(ie.Words), "INV-1: Xero's own; INV-2: Xero gemte ikke denne del"; !strings.HasPrefix(said, want) {
		t.Errorf("Danish %q, want %q", said, want)
	}
}
