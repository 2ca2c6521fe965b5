package quickbooks_test

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/words"
)

// qboWords loads the QuickBooks Online connector's catalogue.
func qboWords(t *testing.T) *words.Catalogue {
	t.Helper()
	cat, err := words.Load(quickbooks.Words())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// englishWords are the connector's words in English, as a face says them
// to someone reading English.
func englishWords(t *testing.T) *words.Words {
	t.Helper()
	return qboWords(t).In("en")
}

func TestExplainSpeaksEveryLanguage(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cat := qboWords(t)
	duplicate := &connectors.ItemError{Code: "6240", Message: "Duplicate Name Exists Error: The name supplied already exists."}
	closed := &connectors.ItemError{Code: "6200", Message: "Account Period Closed : The account period has closed"}
	tests := []struct {
		name, key, lang, cause, fix string
		err                         error
	}{
		{"duplicate name, English", "quickbooks.explain.duplicate_name", "en", "already has this name", "then upload again", duplicate},
		{"duplicate name, Dutch", "quickbooks.explain.duplicate_name", "nl", "heeft deze naam al", "upload opnieuw", duplicate},
		{"duplicate name, Danish", "quickbooks.explain.duplicate_name", "da", "har allerede dette navn", "overfør igen", duplicate},
		{"closed period, Dutch", "quickbooks.explain.period_closed", "nl", "afgesloten", "Close the books", closed},
		{"closed period, Danish", "quickbooks.explain.period_closed", "da", "lukket i QuickBooks", "genåbne perioden", closed},
		{"throttled, Danish", "quickbooks.explain.throttled", "da", "i minuttet", "Du behøver ikke gøre noget", &connectors.RateLimitError{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, ok := h.conn.Explain(tc.err)
			if !ok || x.Key != tc.key {
				t.Fatalf("Explain = %+v, %v; want key %s", x, ok, tc.key)
			}
			said := x.In(cat.In(tc.lang))
			if !strings.Contains(said.Cause, tc.cause) || !strings.Contains(said.Fix, tc.fix) {
				t.Errorf("in %s: cause %q, fix %q; want %q and %q", tc.lang, said.Cause, said.Fix, tc.cause, tc.fix)
			}
		})
	}
}

func TestDefinitionSpeaksEveryLanguage(t *testing.T) {
	cat := qboWords(t)
	d := quickbooks.Definition()
	texts := []string{d.Description}
	for _, f := range d.Settings {
		texts = append(texts, f.Label, f.Help)
	}
	for _, lang := range words.Languages() {
		w := cat.In(lang)
		for _, key := range texts {
			if !w.Has(key) {
				t.Errorf("%s: %q is not in the catalogue", lang, key)
				continue
			}
			if s := w.Label(key); s == "" || s == key || strings.HasPrefix(s, "[") {
				t.Errorf("%s: %q says %q", lang, key, s)
			}
		}
	}
	for key, want := range map[string]map[string]string{
		"quickbooks.setting.cost_centre.label":     {"en": "Cost centres are", "nl": "Kostenplaatsen zijn", "da": "Omkostningssteder er"},
		"quickbooks.setting.allow_duplicate.label": {"en": "Allow duplicate document numbers", "nl": "Dubbele documentnummers toestaan", "da": "Tillad dobbelte dokumentnumre"},
	} {
		for lang, text := range want {
			if got := cat.In(lang).T(key); got != text {
				t.Errorf("%s in %s = %q, want %q", key, lang, got, text)
			}
		}
	}
}

// TestSignInSpeaksDanish: the errors of a sign-in are said in Danish.
func TestSignInSpeaksDanish(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	da := qboWords(t).In("da")
	cfg := signInConfig(h, "http://"+freePort(t)+"/callback")
	delete(h.secrets.vals, quickbooks.SecretClientSecret)
	_, err := quickbooks.Definition().Login(t.Context(), cfg, &browser{hc: h.srv.Client()})
	if got, want := da.Error(err), "Indtast din Intuit-apps Client secret på fanen Adgang, før du logger ind."; got != want {
		t.Errorf("no client secret in Danish = %q, want %q", got, want)
	}

	h = newHarness(t, harnessOpt{})
	h.secrets.vals[quickbooks.SecretRefreshToken] = "dead"
	_, err = h.conn.Check(t.Context())
	want := "Opret forbindelse til QuickBooks igen: åbn modulet QuickBooks, fanen Adgang, og log ind igen."
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(da.Error(err), want) {
		t.Errorf("dead sign-in in Danish = %q, want it to say %q", da.Error(err), want)
	}
}
