package xero_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/words"
)

// xeroWords loads the Xero connector's catalogue.
func xeroWords(t *testing.T) *words.Catalogue {
	t.Helper()
	cat, err := words.Load(xero.Words())
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// englishWords are the Xero connector's words in English, as a face says
// them to someone reading English.
func englishWords(t *testing.T) *words.Words {
	t.Helper()
	return xeroWords(t).In("en")
}

func TestExplainSpeaksEveryLanguage(t *testing.T) {
	cat := xeroWords(t)
	tests := []struct {
		name  string
		err   error
		key   string
		lang  string
		cause string
		fix   string
	}{
		{"archived account, English", &connectors.ItemError{Message: "Account code '4000' has been archived, or deleted."},
			"xero.explain.account_archived", "en", "Account 4000 is archived (or deleted) in Xero", "Restore account 4000 in Xero's chart of accounts"},
		{"archived account, Dutch", &connectors.ItemError{Message: "Account code '4000' has been archived, or deleted."},
			"xero.explain.account_archived", "nl", "Rekening 4000 is in Xero gearchiveerd", "Zet rekening 4000 terug in het rekeningschema van Xero"},
		{"archived account, Danish", &connectors.ItemError{Message: "Account code '4000' has been archived, or deleted."},
			"xero.explain.account_archived", "da", "Konto 4000 er arkiveret", "Gendan konto 4000 i Xeros kontoplan"},
		{"unbalanced journal, Dutch", &connectors.ItemError{Message: "The total debits (1250.00) must equal total credits (1240.00)."},
			"xero.explain.journal_unbalanced", "nl", "het debet komt op 1250.00 en het credit op 1240.00", "kostenplaats en kostensoort"},
		{"unbalanced journal, Danish", &connectors.ItemError{Message: "The total debits (1250.00) must equal total credits (1240.00)."},
			"xero.explain.journal_unbalanced", "da", "debet giver 1250.00 og kredit 1240.00", "omkostningssted"},
		{"tax rate on account, Danish", &connectors.ItemError{Message: "TaxType code 'OUTPUT2' cannot be used with account code '300'."},
			"xero.explain.tax_type_not_allowed", "da", "Momssats OUTPUT2 kan ikke bruges med konto 300", "fanen Tilknytninger"},
		{"daily limit, Dutch", &connectors.RateLimitError{Daily: true},
			"xero.explain.daily_limit", "nl", "5.000 per dag", "U hoeft niets te doen"},
		{"daily limit, English", &connectors.RateLimitError{Daily: true},
			"xero.explain.daily_limit", "en", "(5,000 a day)", "Nothing to do"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, ok := xero.Explain(tc.err)
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
	cat := xeroWords(t)
	d := xero.Definition()
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
		"xero.setting.authorised.label": {"en": "Create authorised invoices", "nl": "Facturen goedgekeurd aanmaken", "da": "Opret godkendte fakturaer"},
		"xero.setting.tenant_id.label":  {"en": "Organisation ID", "nl": "Organisatie-ID", "da": "Organisations-ID"},
	} {
		for lang, text := range want {
			if got := cat.In(lang).T(key); got != text {
				t.Errorf("%s in %s = %q, want %q", key, lang, got, text)
			}
		}
	}
}

// TestSignInSpeaksDanish: a cancelled sign-in is said to the person in
// Danish (Xero's own code kept), and the browser page speaks the browser's
// language.
func TestSignInSpeaksDanish(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	da := xeroWords(t).In("da")

	pages := make(chan string, 1)
	_, err := xero.Login(ctx, h.cfg, func(u string) error {
		go func() {
			pu, _ := url.Parse(u)
			req, _ := http.NewRequest(http.MethodGet, pu.Query().Get("redirect_uri")+"?error=access_denied&state="+url.QueryEscape(pu.Query().Get("state")), nil)
			req.Header.Set("Accept-Language", "da-DK,da;q=0.9,en;q=0.8")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				pages <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			pages <- string(body)
		}()
		return nil
	})
	if !errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("cancelled sign-in = %v, want ErrAuth", err)
	}
	want := "Login hos Xero blev annulleret eller afvist (access_denied). Opret forbindelse til Xero igen: åbn modulet Xero, og log ind igen."
	if got := da.Error(err); !strings.HasPrefix(got, want) {
		t.Errorf("in Danish: %q, want it to start %q", got, want)
	}
	if page := <-pages; !strings.Contains(page, "Du kan lukke dette vindue.") {
		t.Errorf("the browser page in Danish: %q", page)
	}

	cfg := h.cfg
	cfg.Settings = map[string]string{}
	for k, v := range h.cfg.Settings {
		cfg.Settings[k] = v
	}
	cfg.Settings[xero.KeyClientID] = ""
	_, err = xero.Login(ctx, cfg, h.browser())
	if got, want := da.Error(err), "Indtast Xero-appens client ID på fanen Adgang, før du logger ind."; got != want {
		t.Errorf("no client ID in Danish = %q, want %q", got, want)
	}
}
