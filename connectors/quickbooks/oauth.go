package quickbooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"ledgerlink/connectors"
	"ledgerlink/connectors/oauthkit"
	"ledgerlink/words"
)

// tokenSource hands out the bearer token for API calls.
type tokenSource interface {
	accessToken(ctx context.Context) (string, error)
	// invalidate forgets the access token after QuickBooks refused it.
	invalidate()
}

// rotatingTokens refreshes access tokens with the refresh token kept in
// the keyring. Intuit rotates refresh tokens: a refresh may answer a new
// one, and the old one stops working about a day later. The new refresh
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
		Secrets: r.secrets, Key: SecretRefreshToken, Package: "QuickBooks", Refused: refused, Refresh: r.refresh,
	}.Renew)
}

// refresh swaps the refresh token for new tokens at Intuit's token
// endpoint.
func (r *rotatingTokens) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	tok, err := r.conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, r.hc), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, tokenError(ctx, err)
	}
	return tok, nil
}

// tokenError turns a failed token request into the contract's errors:
// invalid_grant means the sign-in is over and the person must reconnect.
func tokenError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return temporary(err, "quickbooks.temporary.identity")
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		return authError("quickbooks.auth.expired")
	case re.ErrorCode == "invalid_client" || (re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized):
		return authError("quickbooks.auth.client_unknown")
	case re.Response != nil && re.Response.StatusCode >= 500:
		return temporary(re, "quickbooks.temporary.identity_server", "Status", re.Response.StatusCode)
	}
	return authError("quickbooks.auth.request_refused", "Reason", strings.TrimSpace(re.ErrorCode+" "+re.ErrorDescription))
}

func oauthConfig(s settings, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.clientID, ClientSecret: secret,
		Endpoint:    oauth2.Endpoint{AuthURL: s.auth.String(), TokenURL: s.token.String(), AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL: s.redirect, Scopes: []string{Scope},
	}
}

// landing is where the browser came back to: the code, state and realmId.
type landing struct{ code, state, realmID, errCode string }

func parseLanding(raw string) (landing, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.RawQuery == "" && !strings.Contains(raw, "code=")) {
		return landing{}, words.Errorf(nil, "quickbooks.sign_in.not_landing")
	}
	q := u.Query()
	if u.RawQuery == "" {
		q, _ = url.ParseQuery(strings.TrimPrefix(raw, "?"))
	}
	return landing{code: q.Get("code"), state: q.Get("state"), realmID: q.Get("realmId"), errCode: q.Get("error")}, nil
}

// check accepts a landing of this sign-in only.
func (l landing) check(state string) error {
	switch {
	case l.state != state:
		return words.Errorf(nil, "quickbooks.sign_in.wrong_state")
	case l.errCode != "":
		return authError("quickbooks.auth.cancelled", "Reason", l.errCode)
	case l.code == "" || l.realmID == "":
		return words.Errorf(nil, "quickbooks.sign_in.no_code")
	}
	return nil
}

func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a sign-in check value: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// authorise runs the browser part of the sign-in and returns where the
// browser landed. With a loopback redirect LedgerLink listens on it; with
// an https redirect the person pastes the address the browser landed on.
func authorise(ctx context.Context, s settings, conf *oauth2.Config, state string, prompt connectors.Prompt) (landing, error) {
	authURL := conf.AuthCodeURL(state)
	u, _ := url.Parse(s.redirect)
	if u.Scheme != "http" || !connectors.IsLoopbackHost(u.Hostname()) {
		if err := prompt.OpenBrowser(authURL); err != nil {
			return landing{}, words.Errorf(err, "quickbooks.sign_in.open_browser", "Address", authURL)
		}
		answer, err := prompt.Ask(ctx, own.English().T("quickbooks.sign_in.paste_landing", "Address", s.redirect))
		if err != nil {
			return landing{}, err
		}
		l, err := parseLanding(answer)
		if err != nil {
			return landing{}, err
		}
		return l, l.check(state)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		return landing{}, words.Errorf(err, "quickbooks.sign_in.listen", "Address", u.Host)
	}
	done := make(chan landing, 1)
	var once sync.Once
	mux := http.NewServeMux()
	path := u.Path
	if path == "" {
		path = "/"
	}
	mux.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
		l := landing{code: req.URL.Query().Get("code"), state: req.URL.Query().Get("state"),
			realmID: req.URL.Query().Get("realmId"), errCode: req.URL.Query().Get("error")}
		if l.state != state {
			// Not this sign-in (or a forged one): say so and keep waiting.
			writeLoginPage(w, http.StatusBadRequest, browserWords(req).T("quickbooks.sign_in.page.wrong_state"))
			return
		}
		writeLoginPage(w, http.StatusOK, browserWords(req).T("quickbooks.sign_in.page.answered"))
		once.Do(func() { done <- l })
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := prompt.OpenBrowser(authURL); err != nil {
		return landing{}, words.Errorf(err, "quickbooks.sign_in.open_browser", "Address", authURL)
	}
	select {
	case l := <-done:
		return l, l.check(state)
	case <-ctx.Done():
		return landing{}, words.Errorf(ctx.Err(), "quickbooks.sign_in.unfinished")
	}
}

func writeLoginPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>LedgerLink</title><p>%s</p>", html.EscapeString(msg))
}

// readSecret reads key from the keyring; blank when it is not there.
func readSecret(ctx context.Context, secrets connectors.SecretStore, key string) (string, error) {
	if secrets == nil {
		return "", nil
	}
	v, err := secrets.Get(ctx, key)
	switch {
	case errors.Is(err, connectors.ErrSecretNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading the QuickBooks %s from the system keyring: %w", strings.ReplaceAll(key, "_", " "), err)
	}
	return strings.TrimSpace(v), nil
}

// Login signs in to QuickBooks through the browser: the authorisation
// code grant with state, the realmId taken from the redirect, the refresh
// token saved in cfg.Secrets before Login returns.
func Login(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) (realmID string, err error) {
	s, err := readSettings(cfg)
	if err != nil {
		return "", err
	}
	if s.clientID == "" {
		return "", words.Errorf(nil, "quickbooks.sign_in.no_client_id")
	}
	if cfg.Secrets == nil {
		return "", words.Errorf(nil, "quickbooks.sign_in.no_keyring")
	}
	secret, err := readSecret(ctx, cfg.Secrets, SecretClientSecret)
	if err != nil {
		return "", err
	}
	if secret == "" {
		return "", words.Errorf(nil, "quickbooks.sign_in.no_client_secret")
	}
	if prompt == nil {
		return "", connectors.ErrNoPrompt
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
	}
	state, err := randomState()
	if err != nil {
		return "", err
	}
	conf := oauthConfig(s, secret)
	l, err := authorise(ctx, s, conf, state, prompt)
	if err != nil {
		return "", err
	}
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, httpClient(cfg)), l.code)
	if err != nil {
		return "", tokenError(ctx, err)
	}
	if tok.RefreshToken == "" {
		return "", words.Errorf(nil, "quickbooks.sign_in.no_refresh_token")
	}
	if err := cfg.Secrets.Set(ctx, SecretRefreshToken, tok.RefreshToken); err != nil {
		return "", words.Errorf(err, "quickbooks.sign_in.keyring_save")
	}
	return l.realmID, nil
}
