package xero_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
)

func TestLoginListsEveryConnectedOrganisation(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	second := h.sim.AddTenant("Second Shop Ltd", "GBP")
	tokens, err := xero.Login(context.Background(), h.cfg, h.browser())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tn := range tokens.Tenants {
		names = append(names, tn.Name)
		if tn.ConnectionID == "" || tn.Type != "ORGANISATION" || tn.Created.IsZero() {
			t.Errorf("tenant %+v is missing details", tn)
		}
	}
	if len(tokens.Tenants) != 2 || tokens.Tenants[1].TenantID != second || tokens.AccessToken == "" {
		t.Fatalf("tenants after sign-in: %v", names)
	}
	if h.secrets.value(xero.SecretRefreshToken) == "" {
		t.Fatal("the refresh token was not stored in the keyring")
	}
	// The second organisation is reachable once chosen.
	h.cfg.Settings[xero.KeyTenantID] = second
	conn, err := xero.Open(context.Background(), h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := conn.Check(context.Background())
	if err != nil || id.Organisation != "Second Shop Ltd" {
		t.Fatalf("Check on the second organisation = %+v, %v", id, err)
	}
	// Disconnecting it removes it from the list, and it can no longer be reached.
	conns, err := conn.Connections(context.Background())
	if err != nil || len(conns) != 2 {
		t.Fatalf("Connections = %v, %v", conns, err)
	}
	if err := conn.Disconnect(context.Background(), conns[1].ConnectionID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("Check after disconnecting = %v, want ErrAuth", err)
	}
	if err := conn.Disconnect(context.Background(), conns[1].ConnectionID); !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("disconnecting twice = %v, want ErrNotFound", err)
	}
}

func TestLoginSendsPKCEAndNoSecret(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	var authURL string
	done := make(chan error, 1)
	go func() {
		_, err := xero.Login(context.Background(), h.cfg, func(u string) error {
			authURL = u
			return h.browser()(u)
		})
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	for name, ok := range map[string]bool{
		"S256 challenge":           q.Get("code_challenge_method") == "S256" && len(q.Get("code_challenge")) >= 43,
		"state":                    len(q.Get("state")) >= 16,
		"loopback redirect":        redirect != nil && redirect.Hostname() == "127.0.0.1" && redirect.Port() != "",
		"no client secret":         q.Get("client_secret") == "",
		"offline_access requested": strings.Contains(q.Get("scope"), "offline_access"),
		"granular invoices scope":  strings.Contains(q.Get("scope"), "accounting.invoices"),
		"no broad scope":           !strings.Contains(q.Get("scope"), "accounting.transactions"),
	} {
		if !ok {
			t.Errorf("authorize address lacks %s: %s", name, authURL)
		}
	}
}

func TestLoginRefusals(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()

	// A browser coming back with a forged state is turned away, and the
	// real answer still completes the sign-in.
	_, err := xero.Login(ctx, h.cfg, func(u string) error {
		pu, _ := url.Parse(u)
		redirect := pu.Query().Get("redirect_uri")
		resp, err := http.Get(redirect + "?code=stolen&state=forged")
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "does not belong") {
			t.Errorf("forged state answered %d %s", resp.StatusCode, body)
		}
		return h.browser()(u)
	})
	if err != nil {
		t.Fatalf("sign-in after a forged return: %v", err)
	}

	// The person clicks Cancel.
	_, err = xero.Login(ctx, h.cfg, func(u string) error {
		go func() {
			pu, _ := url.Parse(u)
			form := pu.Query()
			form.Set("consent", "deny")
			pu.RawQuery = ""
			if resp, err := http.PostForm(pu.String(), form); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	})
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("cancelled sign-in = %v", err)
	}

	// The broad scope is refused to a new app.
	cfg := h.cfg
	cfg.Settings = map[string]string{}
	for k, v := range h.cfg.Settings {
		cfg.Settings[k] = v
	}
	cfg.Settings[xero.KeyScopes] = "offline_access accounting.transactions"
	_, err = xero.Login(ctx, cfg, func(u string) error {
		go func() {
			if resp, err := http.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "invalid_scope") {
		t.Errorf("broad scope sign-in = %v", err)
	}

	// The browser cannot be opened: the address is given to the person.
	_, err = xero.Login(ctx, h.cfg, func(string) error { return errors.New("no browser") })
	if err == nil || !strings.Contains(englishWords(t).Error(err), "open this address yourself") {
		t.Errorf("no browser = %v", err)
	}

	// No client ID.
	cfg.Settings[xero.KeyClientID] = ""
	if _, err := xero.Login(ctx, cfg, h.browser()); err == nil || !strings.Contains(englishWords(t).Error(err), "client ID") {
		t.Errorf("no client ID = %v", err)
	}

	// The person never finishes.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := xero.Login(short, h.cfg, func(string) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("unfinished sign-in = %v", err)
	}
}

// TestRefreshRotationStoredBeforeUse checks that a rotated refresh token
// reaches the keyring before the new access token is used.
func TestRefreshRotationStoredBeforeUse(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	first := h.secrets.value(xero.SecretRefreshToken)
	if _, err := h.conn.Check(ctx); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(31 * time.Minute) // past the access token's life
	if _, err := h.conn.Check(ctx); err != nil {
		t.Fatal(err)
	}
	rotated := h.secrets.value(xero.SecretRefreshToken)
	if rotated == first || rotated == "" {
		t.Fatal("the refresh token was not rotated")
	}
	var storedAt int64
	for _, s := range h.secrets.sets {
		if s.key == xero.SecretRefreshToken && s.value == rotated {
			storedAt = s.at
		}
	}
	var bearers []string
	firstUse := map[string]int64{}
	for _, ev := range h.wire.snapshot() {
		if ev.bearer != "" && strings.Contains(ev.path, "/api.xro/") {
			if _, seen := firstUse[ev.bearer]; !seen {
				firstUse[ev.bearer] = ev.at
				bearers = append(bearers, ev.bearer)
			}
		}
	}
	if len(bearers) < 2 {
		t.Fatalf("expected two access tokens in use, saw %d", len(bearers))
	}
	newest := bearers[len(bearers)-1]
	if storedAt == 0 || storedAt > firstUse[newest] {
		t.Fatalf("the rotated refresh token was stored at %d but the new access token was first used at %d", storedAt, firstUse[newest])
	}
	// The keyring refusing the new token stops the new access token being used.
	h.secrets.fails = true
	h.clock.Advance(31 * time.Minute)
	before := len(h.apiRequests())
	if _, err := h.conn.Check(ctx); err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Fatalf("Check with a locked keyring = %v", err)
	}
	if after := len(h.apiRequests()); after != before {
		t.Fatalf("%d API calls were made with an access token whose refresh token was not stored", after-before)
	}
	// Once the keyring works again the previous refresh token, still in
	// Xero's grace window, recovers the connection.
	h.secrets.fails = false
	if _, err := h.conn.Check(ctx); err != nil {
		t.Fatalf("recovering within the grace window: %v", err)
	}
}

func TestLostRefreshAnswerIsRetriedWithTheOldToken(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	old := h.secrets.value(xero.SecretRefreshToken)
	h.clock.Advance(31 * time.Minute)
	h.sim.DropNextTokenReplies(1)
	if _, err := h.conn.Check(ctx); err != nil {
		t.Fatalf("Check after a lost refresh answer: %v", err)
	}
	now := h.secrets.value(xero.SecretRefreshToken)
	if now == old || now == "" {
		t.Fatal("the refresh token Xero rotated to was not stored")
	}
	// The stored token is the live one: the next refresh works.
	h.clock.Advance(31 * time.Minute)
	if _, err := h.conn.Check(ctx); err != nil {
		t.Fatalf("refresh with the stored token: %v", err)
	}
	// Past the grace window the old token is refused.
	h.clock.Advance(xerosim.RefreshGraceWindow + time.Minute)
	h.secrets.vals[xero.SecretRefreshToken] = old
	conn, err := xero.Open(ctx, h.cfg, xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Check(ctx); !errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("old refresh token after the grace window = %v, want ErrAuth", err)
	}
}

func TestRevokedConnectionAsksToReconnect(t *testing.T) {
	for name, expire := range map[string]bool{"access token still fresh": false, "access token expired": true} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			ctx := context.Background()
			if _, err := h.conn.Check(ctx); err != nil {
				t.Fatal(err)
			}
			h.sim.RevokeAll()
			if expire {
				h.clock.Advance(time.Hour)
			}
			_, err := h.conn.Check(ctx)
			if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(englishWords(t).Error(err), "Reconnect to Xero") {
				t.Fatalf("Check after revocation = %v", err)
			}
			ex, ok := xero.Explain(err)
			if !ok || !strings.Contains(ex.Fix, "Sign in") {
				t.Fatalf("Explain(%v) = %+v, %v", err, ex, ok)
			}
		})
	}
}

func TestNotSignedIn(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	delete(h.secrets.vals, xero.SecretRefreshToken)
	conn, err := xero.Open(context.Background(), h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "not signed in") {
		t.Fatalf("Check without a sign-in = %v", err)
	}
}

func TestCustomConnection(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cfg := h.cfg
	cfg.Settings = map[string]string{}
	for k, v := range h.cfg.Settings {
		cfg.Settings[k] = v
	}
	cfg.Settings[xero.KeyClientID] = xerosim.SandboxClientID
	cfg.Settings[xero.KeyTenantID] = ""
	secrets := newSecrets(h.seq)
	secrets.vals[xero.SecretClientSecret] = xerosim.SandboxClientSecret
	cfg.Secrets = secrets
	conn, err := xero.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := conn.Check(context.Background())
	if err != nil || id.Organisation != "Sandbox Trading Ltd" {
		t.Fatalf("custom connection Check = %+v, %v", id, err)
	}
	secrets.vals[xero.SecretClientSecret] = "wrong"
	conn, _ = xero.Open(context.Background(), cfg)
	if _, err := conn.Check(context.Background()); !errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("wrong secret = %v, want ErrAuth", err)
	}
}
