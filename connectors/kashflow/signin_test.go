package kashflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
)

type askPrompt struct{ answer string }

func (askPrompt) OpenBrowser(string) error                      { return nil }
func (p askPrompt) Ask(context.Context, string) (string, error) { return p.answer, nil }

// TestSignIn checks Login: it returns the company on good credentials and
// plain words on each refusal.
func TestSignIn(t *testing.T) {
	def := kashflow.Definition()
	cases := []struct {
		name  string
		setup func(h *harness)
		want  []string // words the message must hold; none means success
	}{
		{"good", func(*harness) {}, nil},
		{"wrong password", func(h *harness) { h.sim.SetPassword("changed-in-kashflow") },
			[]string{"Incorrect username or password", "API password", "Account tab"}},
		{"API switched off", func(h *harness) { h.sim.SetAPIEnabled(false) },
			[]string{"API access is switched off", "Settings, then API Settings", "switch API access on"}},
		{"IP address not listed", func(h *harness) { h.sim.SetAccessList("203.0.113.7") },
			[]string{"The IP address of 127.0.0.1 is not in the access list", "reached KashFlow from 127.0.0.1", "add 127.0.0.1 to the IP address list", "API Settings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			c.setup(h)
			orgs, err := def.Login(t.Context(), h.cfg, nil)
			if c.want == nil {
				if err != nil || len(orgs) != 1 || orgs[0].Name != "Harbour Lane Coffee Roasters Ltd" || orgs[0].Settings[kashflow.KeyCompany] != orgs[0].Name {
					t.Fatalf("Login = %+v, %v; want the company", orgs, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Login succeeded; want a refusal")
			}
			if !errors.Is(err, connectors.ErrAuth) {
				t.Errorf("the refusal %v is not ErrAuth", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err.Error(), w)
				}
			}
		})
	}
}

// TestSignInAsksForAMissingPassword checks that a missing password is
// asked for (and kept), and that without a prompt Login says it needs one.
func TestSignInAsksForAMissingPassword(t *testing.T) {
	def := kashflow.Definition()
	h := newHarness(t, harnessOpt{})
	secrets := &memSecrets{}
	cfg := h.cfg
	cfg.Secrets = secrets
	if _, err := def.Login(t.Context(), cfg, nil); !errors.Is(err, connectors.ErrNoPrompt) {
		t.Errorf("Login without a password or prompt: %v; want ErrNoPrompt", err)
	}
	orgs, err := def.Login(t.Context(), cfg, askPrompt{answer: "sandbox-api-password"})
	if err != nil || len(orgs) != 1 {
		t.Fatalf("Login with a prompt: %v, %v", orgs, err)
	}
	if v, _ := secrets.Get(t.Context(), kashflow.KeyPassword); v != "sandbox-api-password" {
		t.Errorf("the password was not kept in the keyring: %q", v)
	}
	cfg.Settings = map[string]string{}
	if _, err := def.Login(t.Context(), cfg, nil); err == nil || !strings.Contains(err.Error(), "username") {
		t.Errorf("Login without a username: %v", err)
	}
}

// TestEndpointSetting checks the endpoint rule: https, or http on loopback.
func TestEndpointSetting(t *testing.T) {
	for v, ok := range map[string]bool{
		"https://securedwebapp.com/api/service.asmx": true,
		"http://127.0.0.1:8080/api/service.asmx":     true,
		"http://localhost/api/service.asmx":          true,
		"http://securedwebapp.com/api/service.asmx":  false,
		"ftp://example.com":                          false,
		"not an address":                             false,
	} {
		if err := kashflow.ValidateEndpoint(v); (err == nil) != ok {
			t.Errorf("ValidateEndpoint(%q) = %v", v, err)
		}
	}
}

// TestExplainCatalogue checks that every message class the connector may
// meet has a cause and a fix, and that unknown words are not explained.
func TestExplainCatalogue(t *testing.T) {
	for _, msg := range []string{
		"Incorrect username or password",
		"The IP address of 81.2.69.160 is not in the access list",
		"API access is not enabled for this account",
		"Too many requests. Please try again later",
		"Customer not found",
		"Supplier not found",
		"The customer code C001 is already in use",
		"Invalid nominal code (ChargeType 12)",
		"Nominal code 999 is not in KashFlow's chart of accounts",
		"VAT rate 7 is not allowed",
		"Invoice number 1001 already exists",
		"The date 01/10/2026 is in a locked period (VAT return submitted)",
		"Invoice not found",
		"Invalid payment method",
		"Invalid bank account",
		"Journal does not balance",
		"Name cannot be blank",
		"Credit note cannot be applied to this invoice",
		"The product code COLD-BREW-1L is already in use",
		"Product code cannot be blank",
		"Invalid nominal code (ParentID 12)",
	} {
		why, ok := kashflow.Explain(&connectors.ItemError{Message: msg})
		if !ok || why.Cause == "" || why.Fix == "" {
			t.Errorf("Explain(%q) = %+v, %v", msg, why, ok)
		}
	}
	if why, _ := kashflow.Explain(&connectors.ItemError{Message: "The IP address of 81.2.69.160 is not in the access list"}); !strings.Contains(why.Fix, "81.2.69.160") {
		t.Errorf("the IP fix does not name the address: %q", why.Fix)
	}
	if _, ok := kashflow.Explain(errors.New("something nobody has seen")); ok {
		t.Errorf("an unknown message was explained")
	}
}

// TestNotesNameWhatIsMissing checks the module screen's notes: the
// missing username and password keep the module AMBER, in plain words.
func TestNotesNameWhatIsMissing(t *testing.T) {
	def := kashflow.Definition()
	notes := strings.Join(def.Notes(map[string]string{}, func(string) bool { return false }), " ")
	// A note names the field by its label (a catalogue key), said in the
	// engine's English.
	en := wordsIn(t, "en")
	for key, label := range map[string]string{kashflow.KeyUsername: "KashFlow username", kashflow.KeyPassword: "KashFlow API password"} {
		f, _ := def.Field(key)
		if want := label + " is not set."; !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
		if got := en.Label(f.Label); got != label {
			t.Errorf("the %s field is called %q in English, want %q", key, got, label)
		}
	}
	if n := def.Notes(map[string]string{kashflow.KeyUsername: "me@example.com"}, func(k string) bool { return k == kashflow.KeyPassword }); len(n) != 0 {
		t.Errorf("a configured module still has notes: %v", n)
	}
	if n := def.Notes(map[string]string{kashflow.KeyUsername: "me", kashflow.KeyEndpoint: "http://example.com/api"}, func(string) bool { return true }); len(n) != 1 {
		t.Errorf("a plain-http endpoint off this computer gave notes %v; want one", n)
	}
}
