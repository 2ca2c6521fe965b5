package xero

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"ledgerlink/connectors"
	"ledgerlink/connectors/oauthkit"
	"ledgerlink/words"
)

// Keys of the secrets kept in the keyring (Config.Secrets).
const (
	SecretRefreshToken = "refresh_token"
	SecretClientSecret = "client_secret"
)

// DefaultScopes are the scopes LedgerLink asks for: a refresh token
// (offline_access), contacts, the granular invoice and payment scopes Xero
// requires of apps created since March 2026 (invoices, quotes, credit
// notes and items; payments; manual journals, for payroll journals), and
// read access to the settings (the organisation, chart of accounts and tax
// rates).
const DefaultScopes = "offline_access accounting.contacts accounting.invoices accounting.payments accounting.manualjournals accounting.settings.read"

// refreshGraceRetries is how often a refresh whose answer was lost is
// tried again with the same refresh token; Xero accepts the previous
// refresh token for a grace window after rotating it.
const refreshGraceRetries = 3

// Tenant is one organisation the signed-in person connected LedgerLink to.
type Tenant struct {
	// ConnectionID identifies the connection (for Disconnect).
	ConnectionID string `json:"id"`
	// TenantID is what the xero-tenant-id header carries.
	TenantID string    `json:"tenantId"`
	Name     string    `json:"tenantName"`
	Type     string    `json:"tenantType"`
	Created  time.Time `json:"-"`
	Updated  time.Time `json:"-"`
}

// Tokens is the outcome of a sign-in. The refresh token itself is already
// in the keyring when Login returns, and is not repeated here.
type Tokens struct {
	AccessToken string
	Expiry      time.Time
	// Tenants lists the organisations the person connected; the caller
	// stores the chosen one's TenantID in the tenant_id setting.
	Tenants []Tenant
}

// endpoints are the three Xero hosts a connection talks to.
type endpoints struct {
	api      *url.URL // .../api.xro/2.0
	identity *url.URL // token endpoint host
	login    *url.URL // authorize page host
}

func (e endpoints) tokenURL() string     { return joinURL(e.identity, "/connect/token") }
func (e endpoints) authorizeURL() string { return joinURL(e.login, "/identity/connect/authorize") }

// connectionsURL is on the API host, beside /api.xro/2.0.
func (e endpoints) connectionsURL() string {
	root := *e.api
	root.Path = strings.TrimSuffix(strings.Trim(root.Path, "/"), "api.xro/2.0")
	if root.Path != "" {
		root.Path = "/" + strings.Trim(root.Path, "/")
	}
	root.RawPath = ""
	return joinURL(&root, "/connections")
}

func joinURL(base *url.URL, p string) string {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + p
	u.RawQuery = ""
	return u.String()
}

// tokenProvider hands out the bearer token for API calls.
type tokenProvider interface {
	accessToken(ctx context.Context) (string, error)
	// invalidate forgets the access token after Xero refused it.
	invalidate()
}

// tokenLifetime is how long Xero's access tokens last when an answer does
// not say.
const tokenLifetime = 30 * time.Minute

// rotatingTokens refreshes access tokens with the refresh token kept in
// the keyring. Xero rotates refresh tokens: each refresh returns a new one
// and the old one stops working after a grace window. The new refresh
// token is saved before the new access token is used, so a crash can never
// leave LedgerLink holding only a spent refresh token.
type rotatingTokens struct {
	conf    *oauth2.Config
	secrets connectors.SecretStore
	hc      *http.Client
	now     func() time.Time
	log     *slog.Logger

	kept oauthkit.Kept
}

func (r *rotatingTokens) invalidate() { r.kept.Forget() }

func (r *rotatingTokens) accessToken(ctx context.Context) (string, error) {
	return r.kept.Token(ctx, r.now, oauthkit.Rotation{
		Secrets: r.secrets, Key: SecretRefreshToken, Package: "Xero", Refused: refused, Refresh: r.refresh,
	}.Renew)
}

// refresh swaps the refresh token for new tokens. When the answer is lost
// (a broken connection, a timeout, a 5xx) the same refresh token is sent
// again: Xero honours a just-rotated refresh token within its grace window.
func (r *rotatingTokens) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, r.hc)
	var lastErr error
	for attempt := range refreshGraceRetries {
		if attempt > 0 {
			r.log.Warn("xero: refreshing the sign-in again after a lost answer", "attempt", attempt+1, "err", lastErr)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		src := r.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken})
		tok, err := src.Token()
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return nil, tokenError(re)
		}
		lastErr = err
	}
	return nil, temporary(lastErr, "xero.temporary.identity")
}

// tokenError turns a refused token request into a plain-words error.
func tokenError(re *oauth2.RetrieveError) error {
	switch re.ErrorCode {
	case "invalid_grant":
		return authError("xero.auth.expired")
	case "invalid_client", "unauthorized_client":
		return authError("xero.auth.client_unknown")
	}
	if re.Response != nil && (re.Response.StatusCode == http.StatusUnauthorized || re.Response.StatusCode == http.StatusForbidden) {
		return authError("xero.auth.sign_in_refused")
	}
	return words.Errorf(re, "xero.auth.request_refused", "Reason", strings.TrimSpace(re.ErrorCode+" "+re.ErrorDescription))
}

// clientCredentialTokens serves a custom connection: one organisation,
// client ID and secret, no refresh token.
type clientCredentialTokens struct {
	conf *clientcredentials.Config
	hc   *http.Client
	now  func() time.Time

	kept oauthkit.Kept
}

func (c *clientCredentialTokens) invalidate() { c.kept.Forget() }

func (c *clientCredentialTokens) accessToken(ctx context.Context) (string, error) {
	return c.kept.Token(ctx, c.now, func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := c.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, c.hc))
		if err != nil {
			var re *oauth2.RetrieveError
			if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
				return nil, tokenError(re)
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, temporary(err, "xero.temporary.identity")
		}
		return tok, nil
	})
}

// oauthConfig is the authorisation-code configuration of a public client:
// PKCE, no client secret.
func oauthConfig(ep endpoints, clientID, scopes, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: clientID,
		Endpoint: oauth2.Endpoint{
			AuthURL:   ep.authorizeURL(),
			TokenURL:  ep.tokenURL(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirect,
		Scopes:      strings.Fields(scopes),
	}
}

// callbackPath is where the browser comes back to on the loopback server.
const callbackPath = "/callback"

// Login signs in to Xero through the system browser: OAuth 2.0
// authorisation code with PKCE (S256) and a loopback redirect on a random
// port of 127.0.0.1 (RFC 8252), no client secret. openBrowser is handed the
// address to open. The refresh token is saved in cfg.Secrets before Login
// returns; the organisations the person connected are listed in Tokens.
//
// In the Sandbox there is nothing to sign in to: Login lists the
// simulator's organisations without opening the browser.
func Login(ctx context.Context, cfg connectors.Config, openBrowser func(url string) error) (Tokens, error) {
	if cfg.Sandbox {
		c, err := Open(ctx, cfg)
		if err != nil {
			return Tokens{}, err
		}
		defer c.Close()
		tenants, err := c.Connections(ctx)
		return Tokens{Tenants: tenants}, err
	}
	s, err := readSettings(cfg)
	if err != nil {
		return Tokens{}, err
	}
	if s.clientID == "" {
		return Tokens{}, words.Errorf(nil, "xero.sign_in.no_client_id")
	}
	if cfg.Secrets == nil {
		return Tokens{}, words.Errorf(nil, "xero.sign_in.no_keyring")
	}
	if openBrowser == nil {
		return Tokens{}, errors.New("no way to open the browser was given") // words:log: a caller without a browser opener is a programming error
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
	}
	hc := httpClient(cfg)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Tokens{}, fmt.Errorf("opening the sign-in return address on this computer: %w", err)
	}
	redirect := "http://" + ln.Addr().String() + callbackPath
	conf := oauthConfig(s.endpoints, s.clientID, s.scopes, redirect)
	verifier := oauth2.GenerateVerifier()
	state, err := randomState()
	if err != nil {
		ln.Close()
		return Tokens{}, err
	}

	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	var once sync.Once
	finish := func(r result) { once.Do(func() { done <- r }) }
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		page := browserWords(req)
		switch {
		case q.Get("state") != state:
			// Not our sign-in (or a forged one): say so and keep waiting.
			writeLoginPage(w, http.StatusBadRequest, page.T("xero.sign_in.page.wrong_state"))
			return
		case q.Get("error") != "":
			writeLoginPage(w, http.StatusOK, page.T("xero.sign_in.page.cancelled", "Reason", q.Get("error")))
			finish(result{err: authError("xero.auth.cancelled", "Reason", q.Get("error"))})
		case q.Get("code") == "":
			writeLoginPage(w, http.StatusBadRequest, page.T("xero.sign_in.page.no_code"))
			finish(result{err: words.Errorf(errors.New("no code in the sign-in answer"), "xero.sign_in.no_code")}) // words:log: detail under the words
		default:
			writeLoginPage(w, http.StatusOK, page.T("xero.sign_in.page.connected"))
			finish(result{code: q.Get("code")})
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutCtx)
	}()

	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	if err := openBrowser(authURL); err != nil {
		return Tokens{}, words.Errorf(err, "xero.sign_in.open_browser", "Address", authURL)
	}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return Tokens{}, words.Errorf(ctx.Err(), "xero.sign_in.unfinished")
	}
	if res.err != nil {
		return Tokens{}, res.err
	}
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, hc), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Tokens{}, tokenError(re)
		}
		return Tokens{}, temporary(err, "xero.temporary.identity")
	}
	if tok.RefreshToken == "" {
		return Tokens{}, words.Errorf(nil, "xero.sign_in.no_refresh_token")
	}
	if err := cfg.Secrets.Set(ctx, SecretRefreshToken, tok.RefreshToken); err != nil {
		return Tokens{}, words.Errorf(err, "xero.sign_in.keyring_save")
	}
	tenants, err := listConnections(ctx, hc, s.endpoints, tok.AccessToken)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: tok.AccessToken, Expiry: tok.Expiry, Tenants: tenants}, nil
}

func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a sign-in check value: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func writeLoginPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>LedgerLink</title><p style=\"font-family:sans-serif\">%s</p>", html.EscapeString(msg)) // words:verbatim: markup around the words
}

// connectionWire is one element of GET /connections.
type connectionWire struct {
	ID             string `json:"id"`
	TenantID       string `json:"tenantId"`
	TenantName     string `json:"tenantName"`
	TenantType     string `json:"tenantType"`
	CreatedDateUTC string `json:"createdDateUtc"`
	UpdatedDateUTC string `json:"updatedDateUtc"`
}

// listConnections reads GET /connections with a bearer token.
func listConnections(ctx context.Context, hc *http.Client, ep endpoints, access string) ([]Tenant, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.connectionsURL(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, temporary(err, "xero.temporary.connections")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, temporary(err, "xero.temporary.connections")
	}
	if err := statusError(resp, body); err != nil {
		return nil, err
	}
	var wire []connectionWire
	if err := json.Unmarshal(body, &wire); err != nil {
		return nil, fmt.Errorf("Xero's list of organisations could not be read: %w", err)
	}
	out := make([]Tenant, 0, len(wire))
	for _, c := range wire {
		t := Tenant{ConnectionID: c.ID, TenantID: c.TenantID, Name: c.TenantName, Type: c.TenantType}
		t.Created, _ = ParseDate(c.CreatedDateUTC)
		t.Updated, _ = ParseDate(c.UpdatedDateUTC)
		out = append(out, t)
	}
	return out, nil
}

// statusError maps an answer's status to the connector errors; nil for 2xx.
func statusError(resp *http.Response, body []byte) error {
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusUnauthorized:
		return authError("xero.auth.refused")
	case resp.StatusCode == http.StatusForbidden:
		return authError("xero.auth.forbidden")
	case resp.StatusCode == http.StatusNotFound:
		return connectors.ErrNotFound
	case resp.StatusCode == http.StatusTooManyRequests:
		return rateLimitFromResponse(resp.Header, time.Now())
	case resp.StatusCode >= 500:
		return temporary(fmt.Errorf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)), "xero.temporary.server", "Status", resp.StatusCode) // words:log: detail under the words
	}
	return decodeAPIError(resp.StatusCode, body)
}
