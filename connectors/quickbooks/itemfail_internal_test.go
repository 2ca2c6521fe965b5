package quickbooks

import (
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// TestOwnItemRefusalsAreSaidInTheReadersLanguage: an item the QuickBooks
// connector refuses itself (not QuickBooks) keeps its code and field,
// reads in English as its message (the words Explain knows), and carries
// its words for Error Feedback to say in Danish or Dutch: the record type
// and the account's role too, and a refusal about a line with the line.
func TestOwnItemRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	c := refsConn(t)
	_, ie, err := c.toOp(mapper{c: c, ctx: t.Context()}, connectors.Customers,
		connectors.WriteItem{Key: "k", Record: connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: "C-7"}}})
	if err != nil || ie == nil || ie.Code != "LEDGERLINK" || ie.Words == nil {
		t.Fatalf("not an item refusal with words: %#v %v", ie, err)
	}
	if want := "Customers: C-7 has no name"; !strings.Contains(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	for lang, want := range map[string]string{"da": "Kunder: C-7 har intet navn", "nl": "Klanten: C-7 heeft geen naam"} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}

	d := benchInvoice(1)
	d.Lines[0].NominalCode = "999"
	_, ie, err = mapper{c: c, ctx: t.Context()}.toDocument("Invoice", d)
	if err != nil || ie == nil || ie.Field != "nominal_code" || ie.Words == nil {
		t.Fatalf("not a line's refusal with words: %#v %v", ie, err)
	}
	if want := `Line 1: The nominal code "999" is not in the QuickBooks chart of accounts`; !strings.HasPrefix(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	if why, ok := explain(ie); !ok || why.Key != "quickbooks.explain.account_unmapped" {
		t.Errorf("explained as %+v, want the unmapped account", why)
	}
	for lang, want := range map[string]string{
		"da": `Linje 1: Kontoen "999" (finanskonto) findes ikke i QuickBooks' kontoplan`,
		"nl": `Regel 1: De grootboekrekening "999" staat niet in het rekeningschema van QuickBooks`,
	} {
		if said := own.In(lang).Error(ie.Words); !strings.HasPrefix(said, want) {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}

	ie = allocationError("CN-1", own.ItemFail("", "", "quickbooks.item.no_answer"))
	if said := own.In("nl").Error(ie.Words); !strings.Contains(said, "afletteren op de facturen is mislukt: QuickBooks gaf in de batch geen antwoord") {
		t.Errorf("nl: %q", said)
	}
}
