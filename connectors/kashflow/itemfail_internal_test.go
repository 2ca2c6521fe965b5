package kashflow

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// TestOwnItemRefusalsAreSaidInTheReadersLanguage: an item KashFlow's
// connector refuses itself (not KashFlow) reads in English as its message,
// as the catalogue explains it, and carries its words for Error Feedback to
// say in Danish or Dutch; a refusal keeps its field and words too.
func TestOwnItemRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	_, err := vatRate("OUTPUT2")
	var ie *connectors.ItemError
	if !errors.As(err, &ie) || ie.Field != "tax_code" || ie.Words == nil {
		t.Fatalf("not an item refusal with words: %#v", err)
	}
	if want := `VAT rate "OUTPUT2" is not a KashFlow VAT rate`; !strings.Contains(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	if e, ok := Explain(ie); !ok || e.Key != "kashflow.vat_rate" {
		t.Errorf("explained as %+v, %v; want kashflow.vat_rate", e, ok)
	}
	for lang, want := range map[string]string{"da": "er ikke en momssats i KashFlow", "nl": "is geen btw-tarief van KashFlow"} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) || !strings.Contains(said, "OUTPUT2") {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}

	r := (&Conn{}).refuse("bank_account", "kashflow.refusal.bank_account", "Code", "1200")
	if !errors.As(error(r), &ie) || ie.Field != "bank_account" || ie.Words == nil {
		t.Fatalf("refusal without words: %#v", r)
	}
	if said := own.In("nl").Error(ie.Words); !strings.Contains(said, "Bankrekening 1200 is geen bankrekening in KashFlow") {
		t.Errorf("nl: %q", said)
	}
	if said := own.In("da").Error(ie.Words); !strings.Contains(said, "Bankkonto 1200 er ikke en af KashFlows bankkonti") {
		t.Errorf("da: %q", said)
	}
}
