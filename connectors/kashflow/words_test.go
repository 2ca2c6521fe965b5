package kashflow_test

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
	"ledgerlink/words"
)

// wordsIn returns the connector's own words in lang, with LedgerLink's
// beside them as the app loads them.
func wordsIn(t *testing.T, lang string) *words.Words {
	t.Helper()
	cat, err := words.Load(assets.Lang(), kashflow.Words())
	if err != nil {
		t.Fatalf("the KashFlow catalogue does not load: %v", err)
	}
	return cat.In(lang)
}

// TestSignInRefusalsInEveryLanguage: a refused sign-in keeps KashFlow's
// own words and says why and what to do in the reader's language.
func TestSignInRefusalsInEveryLanguage(t *testing.T) {
	cases := []struct {
		name       string
		setup      func(h *harness)
		kashflow   string // KashFlow's words, never translated
		en, nl, da string
	}{
		{"wrong password", func(h *harness) { h.sim.SetPassword("changed-in-kashflow") }, "Incorrect username or password",
			"check the KashFlow username and enter the API password again",
			"Controleer op het tabblad Account de gebruikersnaam van KashFlow en vul het API-wachtwoord opnieuw in",
			"Kontrollér KashFlow-brugernavnet på fanen Adgang, og angiv API-adgangskoden igen"},
		{"IP address not listed", func(h *harness) { h.sim.SetAccessList("203.0.113.7") }, "The IP address of 127.0.0.1 is not in the access list",
			"add 127.0.0.1 to the IP address list",
			"zet 127.0.0.1 op de lijst met IP-adressen",
			"føj 127.0.0.1 til listen over IP-adresser"},
		{"API switched off", func(h *harness) { h.sim.SetAPIEnabled(false) }, "",
			"switch API access on", "zet API-toegang aan", "slå API-adgang til"},
	}
	def := kashflow.Definition()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			tc.setup(h)
			_, err := def.Login(t.Context(), h.cfg, nil)
			if !errors.Is(err, connectors.ErrAuth) {
				t.Fatalf("Login: %v; want a refusal (ErrAuth)", err)
			}
			for lang, want := range map[string]string{"en": tc.en, "nl": tc.nl, "da": tc.da} {
				said := wordsIn(t, lang).Error(err)
				if !strings.Contains(said, want) || !strings.Contains(said, tc.kashflow) {
					t.Errorf("in %s the refusal is %q; want %q and KashFlow's words %q", lang, said, want, tc.kashflow)
				}
				if strings.Contains(said, "kashflow.") {
					t.Errorf("in %s the refusal shows a key: %q", lang, said)
				}
			}
		})
	}
}

// TestExplanationsInEveryLanguage: a KashFlow message's cause and fix are
// said in each language, with the values they name.
func TestExplanationsInEveryLanguage(t *testing.T) {
	why, ok := kashflow.Explain(&connectors.ItemError{Message: "The IP address of 81.2.69.160 is not in the access list"})
	if !ok || why.Key != "kashflow.ip_not_listed" {
		t.Fatalf("Explain = %+v, %v", why, ok)
	}
	for lang, want := range map[string]string{"en": "from 81.2.69.160", "nl": "vanaf 81.2.69.160", "da": "fra 81.2.69.160"} {
		got := why.In(wordsIn(t, lang))
		if !strings.Contains(got.Cause, want) || !strings.Contains(got.Fix, "81.2.69.160") {
			t.Errorf("in %s: %+v; want the address named", lang, got)
		}
	}
	nominal, _ := kashflow.Explain(&connectors.ItemError{Message: "Nominal code 999 is not in KashFlow's chart of accounts"})
	if got := nominal.In(wordsIn(t, "nl")).Fix; !strings.Contains(got, "tabblad Koppelingen") {
		t.Errorf("the Dutch fix %q does not name the Mapping tab as the window does (Koppelingen)", got)
	}
}

// TestLabelsInEveryLanguage: the description and every setting's label
// and help are catalogue keys said in every language.
func TestLabelsInEveryLanguage(t *testing.T) {
	def := kashflow.Definition()
	keys := []string{def.Description}
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
	for lang, want := range map[string]string{"en": "Payment method for invoice payments", "nl": "Betaalwijze voor ontvangen betalingen", "da": "Betalingsmåde for indbetalinger"} {
		if got := wordsIn(t, lang).Label("kashflow.setting.invoice_pay_method.label"); got != want {
			t.Errorf("in %s the label is %q, want %q", lang, got, want)
		}
	}
}

// TestOpenRefusalsInEveryLanguage: opening a connection without the API
// password, or with a Sandbox address elsewhere, says what to do in the
// reader's language.
func TestOpenRefusalsInEveryLanguage(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	noPassword := h.cfg
	noPassword.Secrets = &memSecrets{m: map[string]string{}}
	_, err := kashflow.Open(t.Context(), noPassword)
	if err == nil {
		t.Fatal("Open without the API password succeeded")
	}
	for lang, want := range map[string]string{
		"en": "Enter your KashFlow API password on the Account tab.",
		"nl": "Vul uw API-wachtwoord van KashFlow in op het tabblad Account.",
		"da": "Angiv din KashFlow API-adgangskode på fanen Adgang.",
	} {
		if said := wordsIn(t, lang).Error(err); said != want {
			t.Errorf("in %s the refusal is %q; want %q", lang, said, want)
		}
	}
	sandbox := h.cfg
	sandbox.Sandbox = true
	sandbox.Settings = map[string]string{kashflow.KeyEndpoint: "https://kashflow.example.com/api/service.asmx"}
	_, err = kashflow.Open(t.Context(), sandbox)
	if err == nil || !strings.Contains(wordsIn(t, "nl").Error(err), "In de Sandbox moet het API-adres van KashFlow deze computer zijn") {
		t.Errorf("Open in the Sandbox with an address elsewhere: %v; want the refusal in Dutch", err)
	}
	// The log's English names the setting by its label, not its key.
	if err == nil || !strings.Contains(err.Error(), `change "KashFlow API address" on the Account tab`) {
		t.Errorf("Open in the Sandbox with an address elsewhere: %v; want the setting named", err)
	}
}
