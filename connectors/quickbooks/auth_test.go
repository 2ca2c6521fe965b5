package quickbooks_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

// browser is a Prompt whose "browser" visits the sign-in page with an HTTP
// client: following the redirect (a loopback return address) or noting
// where it lands (for the person to paste).
type browser struct {
	hc      *http.Client
	follow  bool
	tamper  func(string) string
	mu      sync.Mutex
	landed  string
	asked   []string
	done    chan struct{}
	openErr error
}

func (b *browser) OpenBrowser(address string) error {
	if b.openErr != nil {
		return b.openErr
	}
	hc := *b.hc
	if !b.follow {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	b.done = make(chan struct{})
	go func() {
		defer close(b.done)
		resp, err := hc.Get(address)
		if err != nil {
			return
		}
		resp.Body.Close()
		b.mu.Lock()
		b.landed = resp.Header.Get("Location")
		b.mu.Unlock()
	}()
	return nil
}

func (b *browser) Ask(ctx context.Context, q string) (string, error) {
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked = append(b.asked, q)
	if b.tamper != nil {
		return b.tamper(b.landed), nil
	}
	return b.landed, nil
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// signInConfig is a module not yet signed in: client ID and secret only.
func signInConfig(h *harness, redirect string) connectors.Config {
	settings := endpointSettings(h.srv.URL)
	delete(settings, quickbooks.KeyRealmID)
	settings[quickbooks.KeyRedirectURI] = redirect
	delete(h.secrets.vals, quickbooks.SecretRefreshToken)
	return connectors.Config{Module: "quickbooks", Settings: settings, Secrets: h.secrets, HTTPClient: h.srv.Client()}
}

func TestSignInLoopback(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cfg := signInConfig(h, "http://"+freePort(t)+"/callback")
	orgs, err := quickbooks.Definition().Login(t.Context(), cfg, &browser{hc: h.srv.Client(), follow: true})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if len(orgs) != 1 || orgs[0].Settings[quickbooks.KeyRealmID] != qbosim.SandboxRealmID || !strings.Contains(orgs[0].Name, "Harbour Lane") {
		t.Fatalf("Login reached %+v", orgs)
	}
	if tok, _ := h.secrets.Get(t.Context(), quickbooks.SecretRefreshToken); tok == "" {
		t.Errorf("no refresh token was kept in the keyring")
	}
}

func TestSignInPastedAddress(t *testing.T) {
	const redirect = "https://ledgerlink.example/quickbooks/callback"
	h := newHarness(t, harnessOpt{simOpts: []qbosim.Option{qbosim.WithRedirect(redirect)}})
	cfg := signInConfig(h, redirect)
	b := &browser{hc: h.srv.Client()}
	orgs, err := quickbooks.Definition().Login(t.Context(), cfg, b)
	if err != nil {
		t.Fatalf("Login with a pasted address: %v", err)
	}
	if len(b.asked) != 1 || !strings.Contains(b.asked[0], redirect) {
		t.Errorf("the person was asked %q", b.asked)
	}
	if len(orgs) != 1 || orgs[0].ID != qbosim.SandboxRealmID {
		t.Errorf("Login reached %+v", orgs)
	}
}

func TestSignInRefusesForeignOrBrokenAddress(t *testing.T) {
	const redirect = "https://ledgerlink.example/quickbooks/callback"
	for _, tc := range []struct {
		name, want string
		tamper     func(string) string
	}{
		{"another sign-in's state", "state does not match", func(s string) string { return strings.Replace(s, "state=", "state=forged", 1) }},
		{"not an address", "not the address", func(string) string { return "I clicked allow" }},
		{"refused in QuickBooks", "Reconnect to QuickBooks", func(s string) string { return s + "&error=access_denied" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{simOpts: []qbosim.Option{qbosim.WithRedirect(redirect)}})
			cfg := signInConfig(h, redirect)
			_, err := quickbooks.Definition().Login(t.Context(), cfg, &browser{hc: h.srv.Client(), tamper: tc.tamper})
			if err == nil || !strings.Contains(englishWords(t).Error(err), tc.want) {
				t.Fatalf("Login: %v; want an error saying %q", err, tc.want)
			}
			if _, err := h.secrets.Get(t.Context(), quickbooks.SecretRefreshToken); !errors.Is(err, connectors.ErrSecretNotFound) {
				t.Errorf("a refused sign-in left a refresh token in the keyring")
			}
		})
	}
}

func TestSignInNeedsPromptAndSecret(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cfg := signInConfig(h, "http://"+freePort(t)+"/callback")
	if _, err := quickbooks.Definition().Login(t.Context(), cfg, nil); !errors.Is(err, connectors.ErrNoPrompt) {
		t.Errorf("Login without a prompt: %v; want ErrNoPrompt", err)
	}
	delete(h.secrets.vals, quickbooks.SecretClientSecret)
	if _, err := quickbooks.Definition().Login(t.Context(), cfg, &browser{hc: h.srv.Client()}); err == nil || !strings.Contains(englishWords(t).Error(err), "Client secret") {
		t.Errorf("Login without the client secret: %v", err)
	}
}

// orderTransport numbers each API request, to compare with keyring writes.
type orderTransport struct {
	next http.RoundTripper
	seq  *sequence
	mu   sync.Mutex
	api  []int64
}

func (o *orderTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, "/v3/company/") {
		o.mu.Lock()
		o.api = append(o.api, o.seq.next())
		o.mu.Unlock()
	}
	return o.next.RoundTrip(r)
}

func TestRefreshTokenSavedBeforeUse(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	old := h.secrets.vals[quickbooks.SecretRefreshToken]
	ot := &orderTransport{next: h.srv.Client().Transport, seq: h.seq}
	cfg := h.cfg
	cfg.HTTPClient = &http.Client{Transport: ot}
	conn, err := quickbooks.Open(t.Context(), cfg, quickbooks.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Check(t.Context()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(h.secrets.sets) != 1 || h.secrets.sets[0].value == old || len(ot.api) == 0 {
		t.Fatalf("keyring writes %+v, API calls %v; want the rotated token saved once", h.secrets.sets, ot.api)
	}
	if h.secrets.sets[0].at > ot.api[0] {
		t.Errorf("the first API call (%d) went before the rotated refresh token was saved (%d)", ot.api[0], h.secrets.sets[0].at)
	}
	// An hour on, the access token has expired: it is renewed, and the
	// refresh token rotates again, saved first.
	h.clock.Advance(61 * 60e9)
	if _, err := conn.Check(t.Context()); err != nil {
		t.Fatalf("Check after an hour: %v", err)
	}
	if len(h.secrets.sets) != 2 || h.secrets.sets[1].at > ot.api[len(ot.api)-1] {
		t.Errorf("after an hour: keyring writes %+v, API calls %v", h.secrets.sets, ot.api)
	}
}

func TestRotatedTokenNotUsedWhenKeyringFails(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.secrets.fails = true
	calls := h.sim.Requests()
	if _, err := h.conn.Check(t.Context()); err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Fatalf("Check with a locked keyring: %v", err)
	}
	if h.sim.Requests() != calls {
		t.Errorf("an API call went out although the renewed sign-in could not be saved")
	}
	// The old refresh token still works within Intuit's grace window.
	h.secrets.fails = false
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Errorf("Check once the keyring works again: %v", err)
	}
}

func TestInvalidGrantAsksToReconnect(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.secrets.vals[quickbooks.SecretRefreshToken] = "RT1-long-gone"
	_, err := h.conn.Check(t.Context())
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(englishWords(t).Error(err), "Reconnect to QuickBooks") {
		t.Fatalf("Check with a dead refresh token: %v; want ErrAuth saying Reconnect to QuickBooks", err)
	}
	if why, ok := h.conn.Explain(err); !ok || !strings.Contains(why.Fix, "Reconnect to QuickBooks") {
		t.Errorf("Explain(%v) = %+v, %v", err, why, ok)
	}
}

func TestExpiredAccessTokenRenewedOnce(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.sim.ExpireAccessTokens()
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Fatalf("Check after QuickBooks ended the access token early: %v", err)
	}
}

func TestDisconnectRevokes(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := quickbooks.Definition().Disconnect(t.Context(), h.cfg); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if _, err := h.secrets.Get(t.Context(), quickbooks.SecretRefreshToken); !errors.Is(err, connectors.ErrSecretNotFound) {
		t.Errorf("the refresh token is still in the keyring")
	}
	h.sim.ExpireAccessTokens()
	if _, err := h.conn.Check(t.Context()); !errors.Is(err, connectors.ErrAuth) {
		t.Errorf("Check after disconnecting: %v; want ErrAuth", err)
	}
}
