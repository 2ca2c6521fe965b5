package uniconta_test

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/words"
)

// wordsIn returns the connector's own words in lang.
func wordsIn(t *testing.T, lang string) *words.Words {
	t.Helper()
	cat, err := words.Load(uniconta.Words())
	if err != nil {
		t.Fatalf("the Uniconta catalogue does not load: %v", err)
	}
	return cat.In(lang)
}

// TestHasErrorsFixInEveryLanguage: the fix for Uniconta's "Has errors"
// flag names Uniconta's menu in the reader's language; the Danish is the
// seed's own steps (004: Firma → Vedligeholdelse → Ændrings URL →
// Opdater).
func TestHasErrorsFixInEveryLanguage(t *testing.T) {
	err := &uniconta.ChangeLinkError{URL: "https://books.example.dk/uniconta/k9", Message: "502 Bad Gateway"}
	cases := []struct {
		lang  string
		steps []string // in the order the person takes them
	}{
		{"da", []string{"Åben Uniconta.", "Tryk på Firma/Company", "tryk på pil ned ved Vedligeholdelse/Maintenance", "tryk på Ændrings URL/Modification URL", "Ved linket er der sat et flueben ved Har fejl/Has errors", "tryk på Opdater/Refresh", "Nu er fluebenet væk, og synkroniseringen skulle gerne begynde igen."}},
		{"en", []string{"Company", "Maintenance", "Modification URL", "\"Has errors\"", "press Refresh"}},
		{"nl", []string{"Company", "Maintenance", "Modification URL", "\"Has errors\"", "klik op Refresh"}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			why, ok := uniconta.Explain(err)
			if !ok || why.Key != "uniconta.has_errors" {
				t.Fatalf("Explain = %+v, %v; want uniconta.has_errors", why, ok)
			}
			fix := why.In(wordsIn(t, tc.lang)).Fix
			at := 0
			for _, step := range tc.steps {
				i := strings.Index(fix[at:], step)
				if i < 0 {
					t.Fatalf("in %s the fix %q lacks %q (after what came before)", tc.lang, fix, step)
				}
				at += i + len(step)
			}
		})
	}
}

// TestSignInRefusalsInEveryLanguage: Uniconta's refusals of the four
// sign-in details are said in the reader's language, naming which one is
// wrong, and stay ErrAuth underneath where they were.
func TestSignInRefusalsInEveryLanguage(t *testing.T) {
	good := []string{unicontasim.SandboxUser, unicontasim.SandboxPassword, unicontasim.SandboxAPIKey, "123456"}
	cases := []struct {
		name     string
		field    int
		value    string
		en, nl   string
		da       string
		wantAuth bool
	}{
		{"password", 1, "wrong", "username and password together", "combinatie van gebruikersnaam en wachtwoord", "brugernavn og kodeord sammen", true},
		{"API key", 2, "not-a-key", "API key is not in the form", "API-sleutel heeft niet de vorm", "API Nøglen har ikke den form", false},
		{"Firma ID", 3, "999999", "the Firma ID 999999 is wrong", "het Firma ID 999999 klopt niet", "Firma ID 999999 er forkert", true},
	}
	def := uniconta.Definition()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := append([]string(nil), good...)
			v[tc.field] = tc.value
			_, err := def.Login(t.Context(), signInConfig(t, v[0], v[1], v[2], v[3]), nil)
			if err == nil {
				t.Fatalf("a wrong %s signed in", tc.name)
			}
			if errors.Is(err, connectors.ErrAuth) != tc.wantAuth {
				t.Errorf("ErrAuth = %v for %v", !tc.wantAuth, err)
			}
			for lang, want := range map[string]string{"en": tc.en, "nl": tc.nl, "da": tc.da} {
				said := wordsIn(t, lang).Error(err)
				if !strings.Contains(said, want) {
					t.Errorf("in %s the refusal is %q; want it to hold %q", lang, said, want)
				}
				if strings.Contains(said, "uniconta.") {
					t.Errorf("in %s the refusal shows a key: %q", lang, said)
				}
			}
		})
	}
}

// TestNotesInEveryLanguage: the untagged customer's note and the custom
// field notes are sentences said in the reader's language.
func TestNotesInEveryLanguage(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyCustomerTag: "Uniconta", uniconta.KeyCustomFields: "Loyalty_Tier"}})
	res := h.write(connectors.Customers, connectors.WriteItem{Key: "b", Record: customer("T2", "retail")})
	if !errors.Is(res[0].Err, connectors.ErrNotSynced) {
		t.Fatalf("the untagged customer: %+v", res[0])
	}
	notes, err := h.conn.CustomFieldNotes(t.Context(), []string{"Loyalty tier"})
	if err != nil || len(notes) != 2 {
		t.Fatalf("custom field notes %v, %v; want two", notes, err)
	}
	cases := []struct {
		lang           string
		untagged, note string
	}{
		{"en", `Customer T2 does not carry the customer tag "Uniconta"`, `Uniconta has no custom field "Loyalty_Tier"; it has "LoyaltyTier"`},
		{"nl", `Klant T2 heeft niet de klanttag "Uniconta"`, `Uniconta heeft geen vrij veld "Loyalty_Tier"; het heeft "LoyaltyTier"`},
		{"da", `Kunde T2 har ikke kundetagget "Uniconta"`, `Uniconta har intet kundedatafelt "Loyalty_Tier"; det har "LoyaltyTier"`},
	}
	for _, tc := range cases {
		w := wordsIn(t, tc.lang)
		if got := w.Error(res[0].Err); !strings.Contains(got, tc.untagged) {
			t.Errorf("in %s the untagged note is %q; want %q", tc.lang, got, tc.untagged)
		}
		var said []string
		for _, n := range notes {
			said = append(said, w.Say(n))
		}
		if joined := strings.Join(said, "\n"); !strings.Contains(joined, tc.note) {
			t.Errorf("in %s the custom field notes are %q; want %q", tc.lang, joined, tc.note)
		}
	}
}

// TestLabelsInEveryLanguage: the description, every setting's label and
// help, and the refresh action are catalogue keys said in every language,
// in Uniconta's own words where it has them.
func TestLabelsInEveryLanguage(t *testing.T) {
	def := uniconta.Definition()
	keys := []string{def.Description, def.RefreshLabel, def.RefreshHelp}
	for _, f := range def.Settings {
		keys = append(keys, f.Label, f.Help)
	}
	for _, lang := range words.Languages() {
		w := wordsIn(t, lang)
		for _, k := range keys {
			if !w.Has(k) {
				t.Errorf("%q is not a catalogue key", k)
				continue
			}
			if got := w.Label(k); got == "" || got == k || strings.HasPrefix(got, "[") {
				t.Errorf("%s in %s is %q", k, lang, got)
			}
		}
	}
	for _, c := range []struct{ lang, key, want string }{
		{"da", "uniconta.setting.journal.label", "Kassekladde"},
		{"da", "uniconta.setting.debtor_group.label", "Debitorgruppe til nye kunder"},
		{"da", "uniconta.setting.creditor_group.label", "Kreditorgruppe til nye leverandører"},
		{"da", "uniconta.setting.notify_url.label", "Ændrings URL"},
		{"nl", "uniconta.setting.cost_centre_dimension.label", "Dimensie voor kostenplaatsen"},
		{"en", "uniconta.setting.journal.label", "Daily journal"},
	} {
		if got := wordsIn(t, c.lang).Label(c.key); got != c.want {
			t.Errorf("%s in %s is %q, want %q", c.key, c.lang, got, c.want)
		}
	}
}

// TestOwnItemRefusalSaidThroughWrite: a payment LedgerLink refuses itself
// (it names no customer or supplier) comes back from Write with its code
// and field, and with words Error Feedback says in Danish and Dutch.
func TestOwnItemRefusalSaidThroughWrite(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	p := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{Code: "PN", Date: day(6), Amount: dec("5"), Currency: "DKK", BankAccount: "090"}}
	res := h.write(connectors.InvoicePayments, connectors.WriteItem{Key: "p", Record: p})
	var ie *connectors.ItemError
	if !errors.As(res[0].Err, &ie) || ie.Code != "AccountIsMissing" || ie.Field != "party_code" || ie.Words == nil {
		t.Fatalf("result %+v; want an AccountIsMissing refusal of party_code with words", res[0])
	}
	if ie.Message != "Payment PN names no customer or supplier" {
		t.Errorf("message %q", ie.Message)
	}
	for lang, want := range map[string]string{"da": "Betaling PN nævner ingen debitor eller kreditor", "nl": "Betaling PN noemt geen debiteur of crediteur"} {
		if said := wordsIn(t, lang).Error(ie.Words); !strings.Contains(said, want) {
			t.Errorf("%s: %q, want %q", lang, said, want)
		}
	}
}
