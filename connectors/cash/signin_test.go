package cash_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash"
	"ledgerlink/connectors/cash/cashsim"
	"ledgerlink/words"
)

type askPrompt struct {
	answer string
	asked  int
}

func (p *askPrompt) OpenBrowser(string) error { return nil }
func (p *askPrompt) Ask(context.Context, string) (string, error) {
	p.asked++
	return p.answer, nil
}

func TestSignIn(t *testing.T) {
	def := cash.Definition()
	cases := []struct {
		name      string
		stored    string // key already in the keyring
		typed     string // key typed at the prompt
		edition   string
		noPrompt  bool
		noKeyring bool
		wantOrgs  int
		wantErr   []string
		wantIs    error
	}{
		{name: "stored key", stored: cashsim.SandboxKey, wantOrgs: 2},
		{name: "typed key", typed: cashsim.SandboxKey, wantOrgs: 2},
		{name: "unknown key", typed: "no-such-key", wantErr: []string{"does not recognise this API key", "Cash Win"}, wantIs: connectors.ErrAuth},
		{name: "no administration linked", stored: cashsim.UnlinkedKey, wantErr: []string{"1002 Unauthorized Access", "Gebruikersbeheer"}, wantIs: cash.ErrUnauthorizedAccess},
		{name: "Cash Win", stored: cashsim.SandboxKey, edition: cash.EditionWin, wantErr: []string{"Cash Web only", "Cash Win"}},
		{name: "nothing to ask with", noPrompt: true, wantIs: connectors.ErrNoPrompt},
		{name: "no keyring", noKeyring: true, wantErr: []string{"keyring"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			cfg := h.cfg
			secrets := newSecrets()
			if tc.stored != "" {
				_ = secrets.Set(t.Context(), cash.SecretAPIKey, tc.stored)
			}
			cfg.Secrets = secrets
			if tc.noKeyring {
				cfg.Secrets = nil
			}
			cfg.Settings = map[string]string{cash.KeyAPIURL: h.cfg.Settings[cash.KeyAPIURL]}
			if tc.edition != "" {
				cfg.Settings[cash.KeyEdition] = tc.edition
			}
			var prompt connectors.Prompt
			p := &askPrompt{answer: tc.typed}
			if !tc.noPrompt {
				prompt = p
			}
			orgs, err := def.Login(t.Context(), cfg, prompt)
			if tc.wantErr == nil && tc.wantIs == nil {
				if err != nil || len(orgs) != tc.wantOrgs {
					t.Fatalf("Login: %d organisations, %v; want %d", len(orgs), err, tc.wantOrgs)
				}
				if orgs[0].ID != cashsim.SampleAdmin || orgs[0].Settings[cash.KeyAdministration] != cashsim.SampleAdmin {
					t.Errorf("first organisation %+v", orgs[0])
				}
				if got, _ := secrets.Get(t.Context(), cash.SecretAPIKey); got != cashsim.SandboxKey {
					t.Errorf("the keyring holds %q after sign-in", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("Login succeeded with %d organisations; want an error", len(orgs))
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Login error %v; want %v", err, tc.wantIs)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Login error %q does not say %q", err, w)
				}
			}
			if got, _ := secrets.Get(t.Context(), cash.SecretAPIKey); tc.typed != "" && got != "" {
				t.Errorf("a refused key was kept in the keyring: %q", got)
			}
			if x, ok := cash.Explain(err); (!ok || x.In(wordsIn(t, "nl")).Fix == "") && tc.wantIs != connectors.ErrNoPrompt && !tc.noKeyring {
				t.Errorf("no explanation for %q", err)
			}
		})
	}
}

func TestSandboxSignInAndPersistence(t *testing.T) {
	def := cash.Definition()
	dir := t.TempDir()
	cfg := connectors.Config{Module: "cash", Sandbox: true, DataDir: dir, Settings: map[string]string{}}
	orgs, err := def.Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("Sandbox Login: %v, %v", orgs, err)
	}
	for k, v := range def.Sandbox.Settings {
		cfg.Settings[k] = v
	}
	for k, v := range orgs[0].Settings {
		cfg.Settings[k] = v
	}
	conn, err := cash.Open(t.Context(), cfg, cash.WithClock(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	if id, err := conn.Check(t.Context()); err != nil || !strings.Contains(id.Organisation, "Harbour Lane") {
		t.Fatalf("Check: %+v, %v", id, err)
	}
	part := correctionParts()[6]
	res, err := conn.Write(t.Context(), connectors.Journals, items(part))
	if err != nil || res[0].Err != nil {
		t.Fatalf("Sandbox write: %v %v", res, err)
	}
	if err := conn.CheckJournalCode(t.Context(), cashsim.SampleAdmin, "LON"); err != nil {
		t.Errorf("LON: %v", err)
	}
	if err := conn.CheckJournalCode(t.Context(), cashsim.SampleAdmin, "VRK"); err == nil || !strings.Contains(err.Error(), "memoriaal") {
		t.Errorf("VRK: %v; want a sales journal refused", err)
	} else {
		for lang, want := range map[string]string{"nl": "Dagboek VRK van administratie " + cashsim.SampleAdmin + " is een verkoopdagboek", "da": "er en salgskladde"} {
			if got := wordsIn(t, lang).Error(err); !strings.Contains(got, want) {
				t.Errorf("VRK in %s: %q; want %q", lang, got, want)
			}
		}
	}

	if err := conn.CheckJournalCode(t.Context(), cashsim.SampleAdmin, "NOPE"); err == nil || !strings.Contains(err.Error(), "LON (Lonen en salarissen)") {
		t.Errorf("NOPE: %v; want the journals listed", err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := cash.Open(t.Context(), cfg, cash.WithClock(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	found, err := again.FindByCode(t.Context(), connectors.Journals, []string{part.Code})
	if err != nil || len(found) != 1 || found[0].RemoteID != res[0].RemoteID {
		t.Fatalf("after reopening the Sandbox: %v, %v; want the posting kept", found, err)
	}
}

func TestOpenRefusals(t *testing.T) {
	for name, cfg := range map[string]connectors.Config{
		"no key":        {Settings: map[string]string{}, Secrets: newSecrets()},
		"no keyring":    {Settings: map[string]string{}},
		"plain http":    {Settings: map[string]string{cash.KeyAPIURL: "http://cashweb.example/api/4.0"}, Secrets: newSecrets(cash.SecretAPIKey, "k")},
		"Cash Win":      {Settings: map[string]string{cash.KeyEdition: cash.EditionWin}, Secrets: newSecrets(cash.SecretAPIKey, "k")},
		"bad cost code": {Settings: map[string]string{cash.KeyCostCentres: "WAREHOUSE=WARE"}, Secrets: newSecrets(cash.SecretAPIKey, "k")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := cash.Open(t.Context(), cfg); err == nil {
				t.Errorf("Open succeeded")
			}
		})
	}
}

// TestKeyedLists: the other answer shape seen (Dir as an array, lists
// keyed "0", "1", …) reads the same.
func TestKeyedLists(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions, simOpts: []cashsim.Option{cashsim.WithKeyedLists()}})
	admins, err := h.conn.Administrations(t.Context())
	if err != nil || len(admins) != 2 {
		t.Fatalf("administrations: %v, %v", admins, err)
	}
	ids := mustWrite(t, h, correctionParts()[:3]...)
	got, err := h.conn.Get(t.Context(), connectors.Journals, ids)
	if err != nil || len(got) != 3 {
		t.Fatalf("Get: %d, %v", len(got), err)
	}
	var accounts []connectors.Remote
	if err := h.conn.ListChanged(t.Context(), connectors.NominalAccounts, got[0].UpdatedAt, func(p []connectors.Remote) error {
		accounts = append(accounts, p...)
		return nil
	}); err != nil || len(accounts) != 12 {
		t.Fatalf("chart of accounts: %d, %v", len(accounts), err)
	}
}

func TestExplainCatalogue(t *testing.T) {
	en, nl := wordsIn(t, "en"), wordsIn(t, "nl-NL")
	for i, e := range cash.Catalogue() {
		if len(e.Examples) == 0 {
			t.Errorf("entry %d (%s) has no example", i, e.Pattern)
		}
		for _, lang := range words.Languages() {
			for _, part := range []string{".cause", ".fix"} {
				if wordsIn(t, lang).Catalogue().Text(lang, e.Key+part) == "" {
					t.Errorf("entry %d (%s) has no %s%s in %s", i, e.Pattern, e.Key, part, lang)
				}
			}
		}
		for _, ex := range e.Examples {
			why, ok := cash.Explain(&connectors.ItemError{Message: ex})
			if !ok || why.Key != e.Key || why.Cause != en.T(e.Key+".cause") {
				t.Errorf("%q is explained as %q; want entry %d", ex, why.Cause, i)
			}
			dutch, _ := cash.Explain(errors.New(ex))
			if dutch.In(nl).Fix != nl.T(e.Key+".fix") {
				t.Errorf("%q in Dutch: %q; want entry %d", ex, dutch.In(nl).Fix, i)
			}
		}
	}
	if _, ok := cash.Explain(errors.New("something else entirely")); ok {
		t.Errorf("an unknown message was explained")
	}
}

// TestSimulateCommand: the simulator the Definition starts (`ledgerlink
// simulate cash`) serves a Sandbox module pointed at it over loopback.
func TestSimulateCommand(t *testing.T) {
	def := cash.Definition()
	sim, err := def.Simulator(connectors.SimulatorOptions{StateFile: t.TempDir() + "/cash.json"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	defer sim.Close()
	desc := sim.Describe(srv.URL)
	if !strings.Contains(desc, srv.URL+cashsim.BasePath) || !strings.Contains(desc, cashsim.SandboxKey) {
		t.Errorf("Describe: %s", desc)
	}
	cfg := connectors.Config{Module: "cash", Sandbox: true, HTTPClient: srv.Client(),
		Settings: map[string]string{cash.KeyAPIURL: srv.URL + cashsim.BasePath, cash.KeyAdministration: cashsim.SampleAdmin, cash.KeyJournalCode: cashsim.SampleJournal}}
	orgs, err := def.Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("Login: %v %v", orgs, err)
	}
	conn, err := cash.Open(t.Context(), cfg, cash.WithClock(newClock()))
	if err != nil {
		t.Fatal(err)
	}
	res, err := conn.Write(t.Context(), connectors.Journals, items(correctionParts()[0]))
	if err == nil && res[0].Err == nil {
		t.Fatalf("a cost centre of 4 characters with no CASH code was sent")
	}
	cfg.Settings[cash.KeyAPIURL] = "https://www.cashweb.example/api/4.0"
	if _, err := cash.Open(t.Context(), cfg); err == nil {
		t.Errorf("the Sandbox opened against an address that is not this computer")
	}
}

func TestDisconnect(t *testing.T) {
	def := cash.Definition()
	secrets := newSecrets(cash.SecretAPIKey, "k")
	if err := def.Disconnect(t.Context(), connectors.Config{Secrets: secrets}); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Get(t.Context(), cash.SecretAPIKey); !errors.Is(err, connectors.ErrSecretNotFound) {
		t.Errorf("the key is still in the keyring: %v", err)
	}
	if err := def.Disconnect(t.Context(), connectors.Config{}); err == nil {
		t.Errorf("Disconnect with no keyring reported success")
	}
}

// TestNotesForCashWin: choosing Cash Win keeps the module AMBER with the
// reason in plain words.
func TestNotesForCashWin(t *testing.T) {
	notes := cash.Definition().Notes(map[string]string{cash.KeyEdition: cash.EditionWin, cash.KeyAdministration: "HLCR"}, func(string) bool { return true })
	if len(notes) != 1 || !strings.Contains(notes[0], "Cash Web only") {
		t.Errorf("notes %q", notes)
	}
}

// TestAdministrationLister: the administrations the key reaches come with
// their journals; only memoriaal journals are usable for payroll.
func TestAdministrationLister(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	lister, ok := connectors.Connection(h.conn).(connectors.AdministrationLister)
	if !ok {
		t.Fatal("the CASH connection lists no administrations")
	}
	admins, err := lister.Administrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(admins) != 2 || admins[0].Code != cashsim.SampleAdmin || admins[1].Code != cashsim.NoRightsAdmin {
		t.Fatalf("administrations %+v", admins)
	}
	tests := []struct {
		journal  string
		usable   bool
		inReason string
	}{
		{"LON", true, ""},
		{"MEM", true, ""},
		{"VRK", false, "sales"},
		{"BNK", false, "bank"},
	}
	for _, a := range admins {
		for _, tc := range tests {
			i := slices.IndexFunc(a.Journals, func(j connectors.Journal) bool { return j.Code == tc.journal })
			if i < 0 {
				t.Errorf("%s: journal %s missing from %+v", a.Code, tc.journal, a.Journals)
				continue
			}
			j := a.Journals[i]
			if (j.Unusable == "") != tc.usable || !strings.Contains(j.Unusable, tc.inReason) {
				t.Errorf("%s/%s: unusable %q, want usable %v", a.Code, j.Code, j.Unusable, tc.usable)
			}
		}
	}
}
