package cash

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// TestOwnItemRefusalsAreSaidInTheReadersLanguage: a payroll journal CASH's
// connector refuses itself (not CASH) keeps its code and English cause and
// fix as its message, as the catalogue explains it, and carries its words
// for Error Feedback to say in Danish or Dutch; so does an answer in which
// CASH said nothing but its status.
func TestOwnItemRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	var err error = (&Conn{}).refuse("cash.refusal.no_lines", "Code", "LON-7")
	var ie *connectors.ItemError
	if !errors.As(err, &ie) || ie.Code != codeLocal || ie.Words == nil {
		t.Fatalf("not an item refusal with words: %#v", err)
	}
	if want := "Payroll journal LON-7 has no lines. Import the journal again"; !strings.Contains(ie.Message, want) {
		t.Errorf("message %q, want %q", ie.Message, want)
	}
	if got := own.English().Error(ie.Words); got != ie.Message {
		t.Errorf("words in English %q, message %q", got, ie.Message)
	}
	for lang, want := range map[string]string{
		"da": "Lønpostering LON-7 har ingen linjer. Indlæs posteringen igen",
		"nl": "Salarisjournaalpost LON-7 heeft geen regels. Lees de journaalpost",
	} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}

	ie = itemErrorOf(nil, http.StatusBadRequest)
	if ie.Message != "HTTP 400 Bad Request" || ie.Words == nil {
		t.Fatalf("status refusal %#v", ie)
	}
	if e, ok := Explain(ie); !ok || e.Key == "" {
		t.Errorf("status refusal not explained: %+v", e)
	}
	for lang, want := range map[string]string{"da": "CASH gav ingen melding", "nl": "CASH gaf geen melding"} {
		if said := own.In(lang).Error(ie.Words); !strings.Contains(said, want) || !strings.Contains(said, "HTTP 400") {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}
}
