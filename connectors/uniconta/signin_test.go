package uniconta_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
)

func signInConfig(t *testing.T, user, password, apiKey, company string) connectors.Config {
	t.Helper()
	sim, err := unicontasim.New(unicontasim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return connectors.Config{Module: "uniconta",
		Settings: map[string]string{uniconta.KeyUsername: user, uniconta.KeyCompanyID: company, uniconta.KeyAPIURL: srv.URL},
		Secrets:  newSecrets(uniconta.SecretPassword, password, uniconta.SecretAPIKey, apiKey)}
}

// TestSignInSaysWhichCredentialIsWrong tries each of the four credentials
// wrong in turn.
func TestSignInSaysWhichCredentialIsWrong(t *testing.T) {
	def := uniconta.Definition()
	good := []string{unicontasim.SandboxUser, unicontasim.SandboxPassword, unicontasim.SandboxAPIKey, "123456"}
	cases := []struct {
		name      string
		field     int
		value     string
		wantAuth  bool
		wantWords string
	}{
		{"username", 0, "nobody", true, "username and password"},
		{"password", 1, "wrong", true, "username and password"},
		{"API key", 2, "not-a-key", false, "API key"},
		{"Firma ID", 3, "999999", true, "Firma ID 999999"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := append([]string(nil), good...)
			v[tc.field] = tc.value
			cfg := signInConfig(t, v[0], v[1], v[2], v[3])
			_, err := def.Login(t.Context(), cfg, nil)
			if err == nil {
				t.Fatalf("a wrong %s signed in", tc.name)
			}
			if errors.Is(err, connectors.ErrAuth) != tc.wantAuth {
				t.Errorf("ErrAuth = %v for %v", !tc.wantAuth, err)
			}
			if !strings.Contains(err.Error(), tc.wantWords) {
				t.Errorf("the message %q does not name the %s", err, tc.name)
			}
			if why, ok := uniconta.Explain(err); !ok || why.Fix == "" {
				t.Errorf("no explanation for %v", err)
			}
			// Test connection says the same through Check.
			if tc.field != 2 {
				conn, err := def.Open(t.Context(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := conn.Check(t.Context()); err == nil || !strings.Contains(err.Error(), tc.wantWords) {
					t.Errorf("Check: %v", err)
				}
			}
		})
	}
}

// TestLoginListsCompanies: the login reaches two companies, the chosen one
// first, each with its settings.
func TestLoginListsCompanies(t *testing.T) {
	cfg := signInConfig(t, unicontasim.SandboxUser, unicontasim.SandboxPassword, unicontasim.SandboxAPIKey, "234567")
	orgs, err := uniconta.Definition().Login(t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].ID != "234567" || orgs[1].ID != "123456" {
		t.Fatalf("organisations %+v", orgs)
	}
	if orgs[1].Name != "Harbour Lane Coffee Roasters ApS" || orgs[1].Settings[uniconta.KeyCompanyID] != "123456" || orgs[1].Settings[uniconta.KeyCompanyName] == "" {
		t.Errorf("settings of the sample company: %+v", orgs[1])
	}
	// Without a Firma ID the login still lists what it reaches.
	cfg.Settings[uniconta.KeyCompanyID] = ""
	if orgs, err := uniconta.Definition().Login(t.Context(), cfg, nil); err != nil || len(orgs) != 2 {
		t.Errorf("without a Firma ID: %v, %+v", err, orgs)
	}
}

// TestLoginNeedsKeyring: no keyring, no prompt, no settings never panic.
func TestLoginNeedsKeyring(t *testing.T) {
	def := uniconta.Definition()
	for _, cfg := range []connectors.Config{{}, {Settings: map[string]string{uniconta.KeyUsername: "x"}}} {
		if _, err := def.Login(t.Context(), cfg, nil); err == nil {
			t.Errorf("Login with %+v succeeded", cfg)
		}
	}
	if _, err := def.Open(t.Context(), connectors.Config{Settings: map[string]string{uniconta.KeyUsername: "x", uniconta.KeyCompanyID: "1"}}); err == nil {
		t.Errorf("Open without a keyring succeeded")
	}
	for _, bad := range []map[string]string{
		{uniconta.KeyAPIURL: "http://example.com"},
		{uniconta.KeyCompanyID: "12a"},
		{uniconta.KeyCustomFields: "Loyalty tier"},
		{uniconta.KeyCostCentre: "2", uniconta.KeyCostType: "2"},
	} {
		if _, err := def.Open(t.Context(), connectors.Config{Settings: bad, Sandbox: true}); err == nil {
			t.Errorf("Open accepted the settings %v", bad)
		}
	}
}

// TestSandbox: the Sandbox signs in with no prompt or keyring and keeps
// its simulator's state in the module's folder.
func TestSandbox(t *testing.T) {
	def := uniconta.Definition()
	dir := t.TempDir()
	cfg := connectors.Config{Module: "uniconta", Settings: def.Sandbox.Settings, Sandbox: true, DataDir: dir}
	orgs, err := def.Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) == 0 || orgs[0].ID != "123456" {
		t.Fatalf("Sandbox Login: %v, %+v", err, orgs)
	}
	conn, err := def.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := conn.Check(t.Context())
	if err != nil || id.Organisation != "Harbour Lane Coffee Roasters ApS" {
		t.Fatalf("Check: %+v, %v", id, err)
	}
	w := conn.(connectors.Writer)
	res, err := w.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "s", Record: customer("SBX1")}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	conn.(connectors.Closer).Close()
	again, err := def.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.(connectors.Closer).Close()
	found, err := again.(connectors.Reader).FindByCode(t.Context(), connectors.Customers, []string{"SBX1"})
	if err != nil || len(found) != 1 {
		t.Errorf("the Sandbox forgot its customer: %v, %d", err, len(found))
	}
	sim, err := def.Simulator(connectors.SimulatorOptions{})
	if err != nil || !strings.Contains(sim.Describe("http://127.0.0.1:9999"), "123456") {
		t.Errorf("simulator: %v", err)
	}
}

// TestSandboxSettingsAreComplete: what the Sandbox saves leaves no note.
func TestSandboxSettingsAreComplete(t *testing.T) {
	def := uniconta.Definition()
	if notes := def.Notes(def.Sandbox.Settings, func(string) bool { return false }); len(notes) != 0 {
		t.Errorf("the Sandbox's settings leave notes: %v", notes)
	}
	if notes := def.Notes(map[string]string{}, func(string) bool { return false }); len(notes) != 2 {
		t.Errorf("blank settings: %v; want the username and the Firma ID named", notes)
	}
}

// TestDisconnectForgetsTheSecrets: the password and API key leave the
// keyring; without a keyring Disconnect says so.
func TestDisconnectForgetsTheSecrets(t *testing.T) {
	def := uniconta.Definition()
	keys := newSecrets(uniconta.SecretPassword, "pw", uniconta.SecretAPIKey, unicontasim.SandboxAPIKey)
	if err := def.Disconnect(t.Context(), connectors.Config{Secrets: keys}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{uniconta.SecretPassword, uniconta.SecretAPIKey} {
		if _, err := keys.Get(t.Context(), k); !errors.Is(err, connectors.ErrSecretNotFound) {
			t.Errorf("%s is still kept", k)
		}
	}
	if err := def.Disconnect(t.Context(), connectors.Config{}); err == nil {
		t.Errorf("Disconnect without a keyring reported success")
	}
}
