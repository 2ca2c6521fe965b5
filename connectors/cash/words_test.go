package cash_test

import (
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash"
	"ledgerlink/words"
)

// wordsIn returns the connector's own words in lang.
func wordsIn(t *testing.T, lang string) *words.Words {
	t.Helper()
	cat, err := words.Load(cash.Words())
	if err != nil {
		t.Fatalf("the CASH catalogue does not load: %v", err)
	}
	return cat.In(lang)
}

// TestPendingImportInEveryLanguage: CASH's pending-import message (seed
// 003) keeps CASH's words, and its cause and fix are said in the reader's
// language; the Dutch are the seed's own.
func TestPendingImportInEveryLanguage(t *testing.T) {
	const message = "De XML import is nog niet verwerkt door een administratie en de transactie is nog in behandeling"
	cases := []struct {
		lang       string
		cause, fix string   // the whole text, where it is fixed
		holds      []string // words it must hold
	}{
		{"nl",
			"Het account waarmee de CASH-koppeling tot stand is gebracht, heeft te weinig rechten om de journaalposten in te lezen in de administratie van de klant; CASH houdt de import in behandeling. De post is niet geboekt en blijft in LedgerLink klaarstaan.",
			"Maak in Cash Web het account dat met LedgerLink koppelt (de API-gebruiker) gebruiker van de administratie van de klant, en verstuur de journaalpost opnieuw. Er wordt niets dubbel geboekt: een post die CASH intussen verwerkt, wordt herkend.",
			// The seed: "Het account waarmee de CASH koppeling tot stand is
			// gebracht, heeft te weinig rechten om de journaalposten in te
			// lezen"; "dient een gebruiker te zijn in de administratie van
			// de klant".
			[]string{"Het account waarmee de CASH-koppeling tot stand is gebracht, heeft te weinig rechten om de journaalposten in te lezen", "gebruiker van de administratie van de klant"}},
		{"en", "", "", []string{"too few rights", "user of the client's administration"}},
		{"da", "", "", []string{"for få rettigheder", "bruger af kundens regnskab"}},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			x, ok := cash.Explain(&connectors.ItemError{Message: message})
			if !ok || x.Key != "cash.pending" {
				t.Fatalf("Explain(%q) = %+v, %v; want cash.pending", message, x, ok)
			}
			x = x.In(wordsIn(t, tc.lang))
			if tc.cause != "" && (x.Cause != tc.cause || x.Fix != tc.fix) {
				t.Errorf("in %s:\ncause %q\nfix   %q\nwant the seed's\ncause %q\nfix   %q", tc.lang, x.Cause, x.Fix, tc.cause, tc.fix)
			}
			both := x.Cause + " " + x.Fix
			for _, w := range tc.holds {
				if !strings.Contains(both, w) {
					t.Errorf("in %s the explanation %q lacks %q", tc.lang, both, w)
				}
			}
		})
	}
}

// TestSignInRefusalInEveryLanguage: a refused API key is said in the
// reader's language, and is still ErrAuth underneath.
func TestSignInRefusalInEveryLanguage(t *testing.T) {
	cases := []struct {
		lang  string
		holds []string
	}{
		{"en", []string{"Cash Web does not recognise this API key", "Gebruikersoverzicht"}},
		{"nl", []string{"Cash Web herkent deze API-sleutel niet", "Gebruikersoverzicht → de API-gebruiker → tabblad Api"}},
		{"da", []string{"Cash Web genkender ikke denne API-nøgle", "Gebruikersoverzicht → API-brugeren → fanen Api"}},
	}
	h := newHarness(t, harnessOpt{})
	cfg := h.cfg
	cfg.Secrets = newSecrets()
	_ = cfg.Secrets.Set(t.Context(), cash.SecretAPIKey, "no-such-key")
	cfg.Settings = map[string]string{cash.KeyAPIURL: h.cfg.Settings[cash.KeyAPIURL]}
	_, err := cash.Definition().Login(t.Context(), cfg, nil)
	if err == nil {
		t.Fatal("an unknown key signed in")
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			said := wordsIn(t, tc.lang).Error(err)
			for _, w := range tc.holds {
				if !strings.Contains(said, w) {
					t.Errorf("in %s the refusal is %q; want it to hold %q", tc.lang, said, w)
				}
			}
			if strings.Contains(said, "cash.") {
				t.Errorf("in %s the refusal shows a key: %q", tc.lang, said)
			}
		})
	}
}

// TestLocalRefusalInEveryLanguage: LedgerLink's own refusal of a journal
// keeps its English message (the evidence), and its cause and fix are
// said in each language with the journal's values.
func TestLocalRefusalInEveryLanguage(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	bad := correctionParts()[5]
	bad.Lines = append([]connectors.JournalLine(nil), bad.Lines...)
	bad.Lines[0].CostCentre = "WAREHOUSE"
	res, err := h.conn.Write(t.Context(), connectors.Journals, items(bad))
	if err != nil || res[0].Err == nil {
		t.Fatalf("Write: %+v, %v; want a refusal", res, err)
	}
	x, ok := h.conn.Explain(res[0].Err)
	if !ok || x.Key != "cash.refusal.cost_centre_too_long" {
		t.Fatalf("Explain: %+v, %v", x, ok)
	}
	for lang, want := range map[string]string{
		"en": `Cost centre "WAREHOUSE" on line 1`,
		"nl": `Kostenplaats "WAREHOUSE" op regel 1`,
		"da": `Omkostningssted "WAREHOUSE" på linje 1`,
	} {
		got := x.In(wordsIn(t, lang))
		if !strings.Contains(got.Cause, want) || !strings.Contains(got.Fix, "WAREHOUSE=WAR") {
			t.Errorf("in %s: %+v; want the cause to hold %q and the fix the short code", lang, got, want)
		}
	}
}

// TestLabelsInEveryLanguage: the description, every setting's label and
// help, are catalogue keys said in every language.
func TestLabelsInEveryLanguage(t *testing.T) {
	def := cash.Definition()
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
	if got := wordsIn(t, "nl").Label("cash.setting.journal_code.label"); got != "Dagboekcode" {
		t.Errorf("the journal code's label in Dutch is %q, want CASH's word Dagboekcode", got)
	}
}
