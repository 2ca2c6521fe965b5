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
		Secrets: r.secrets, Key: SecretRefreshToken, Package: "QuickBooks", Refused: authError, Refresh: r.refresh,
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
		return temporary("QuickBooks's sign-in service did not answer: %v", err)
	}
	switch {
	case re.ErrorCode == "invalid_grant":
		return authError("QuickBooks no longer accepts LedgerLink's sign-in (it expired, was disconnected, or was renewed elsewhere)")
	case re.ErrorCode == "invalid_client" || (re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized):
		return authError("QuickBooks does not recognise the app's Client ID and Client secret")
	case re.Response != nil && re.Response.StatusCode >= 500:
		return temporary("QuickBooks's sign-in service answered %d", re.Response.StatusCode)
	}
	return authError(fmt.Sprintf("QuickBooks's sign-in service refused the request (%s)", strings.TrimSpace(re.ErrorCode+" "+re.ErrorDescription)))
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
		return landing{}, errors.New("that is not the address the browser landed on after signing in to QuickBooks: copy the whole address from the browser's address bar")
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
		return errors.New("that sign-in address does not belong to LedgerLink's current sign-in (its state does not match): start the sign-in again")
	case l.errCode != "":
		return authError("QuickBooks sign-in was cancelled or refused (" + l.errCode + ")")
	case l.code == "" || l.realmID == "":
		return errors.New("QuickBooks did not send a sign-in code and company ID: start the sign-in again")
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
			return landing{}, fmt.Errorf("could not open the browser (%v); open this address yourself: %s", err, authURL)
		}
		answer, err := prompt.Ask(ctx, "After signing in to QuickBooks and choosing the company, the browser lands on "+s.redirect+
			". Copy the whole address from the browser's address bar and paste it here:")
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
		return landing{}, fmt.Errorf("LedgerLink could not listen on the sign-in return address %s (%v); close whatever uses that port, or register another redirect URI", u.Host, err)
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
			writeLoginPage(w, http.StatusBadRequest, "This sign-in link does not belong to LedgerLink's current sign-in. Go back to LedgerLink and start again.")
			return
		}
		writeLoginPage(w, http.StatusOK, "LedgerLink has your QuickBooks answer. You can close this window and return to LedgerLink.")
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
		return landing{}, fmt.Errorf("could not open the browser (%v); open this address yourself: %s", err, authURL)
	}
	select {
	case l := <-done:
		return l, l.check(state)
	case <-ctx.Done():
		return landing{}, fmt.Errorf("the QuickBooks sign-in was not finished in the browser: %w", ctx.Err())
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
		return "", errors.New("enter your Intuit app's Client ID on the Account tab before signing in")
	}
	if cfg.Secrets == nil {
		return "", errors.New("LedgerLink has no keyring to keep the QuickBooks sign-in in")
	}
	secret, err := readSecret(ctx, cfg.Secrets, SecretClientSecret)
	if err != nil {
		return "", err
	}
	if secret == "" {
		return "", errors.New("enter your Intuit app's Client secret on the Account tab before signing in")
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
		return "", errors.New("QuickBooks gave no refresh token; sign in again")
	}
	if err := cfg.Secrets.Set(ctx, SecretRefreshToken, tok.RefreshToken); err != nil {
		return "", fmt.Errorf("saving the QuickBooks sign-in in the system keyring: %w", err)
	}
	return l.realmID, nil
}
