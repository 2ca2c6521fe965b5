// Package oauthkit is the part of an OAuth 2.0 sign-in every package that
// rotates refresh tokens shares: the access token kept until shortly before
// it expires, and the refresh that saves the new refresh token in the
// keyring before the new access token is used, so a crash can never leave
// LedgerLink holding only a spent refresh token. How a package is asked
// for tokens, and what its refusals mean, stay with its connector.
package oauthkit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"ledgerlink/connectors"
)

// Kept is an access token kept between calls. The zero value is ready;
// it is safe for concurrent use, and one fetch runs at a time, so two calls
// never spend the same refresh token.
type Kept struct {
	// Lifetime is how long a token lasts when the package's answer does
	// not say; zero means an hour.
	Lifetime time.Duration

	mu     sync.Mutex
	access string
	expiry time.Time
}

// Token returns the kept access token while it has more than a minute
// left by now, and otherwise the one fetch gets.
func (k *Kept) Token(ctx context.Context, now func() time.Time, fetch func(ctx context.Context) (*oauth2.Token, error)) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.access != "" && now().Add(time.Minute).Before(k.expiry) {
		return k.access, nil
	}
	tok, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	k.access, k.expiry = tok.AccessToken, ExpiryOf(tok, now(), k.Lifetime)
	return k.access, nil
}

// Forget drops the kept access token, after the package refused it.
func (k *Kept) Forget() {
	k.mu.Lock()
	k.access = ""
	k.mu.Unlock()
}

// ExpiryOf is when an access token expires by the connection's clock:
// expires_in counted from now, else the token's own expiry, else lifetime
// from now (an hour when zero).
func ExpiryOf(tok *oauth2.Token, now time.Time, lifetime time.Duration) time.Time {
	switch {
	case tok.ExpiresIn > 0:
		return now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		return tok.Expiry
	case lifetime > 0:
		return now.Add(lifetime)
	}
	return now.Add(time.Hour)
}

// Rotation is a sign-in whose refresh token lives in the keyring and may
// change at every refresh.
type Rotation struct {
	// Secrets is the module's keyring; Key the refresh token's key in it.
	Secrets connectors.SecretStore
	Key     string
	// Package names the accounting package in messages ("FakeBooks").
	Package string
	// Refused words a sign-in the person must make again; it wraps
	// connectors.ErrAuth.
	Refused func(what string) error
	// Refresh swaps a refresh token for new tokens, with the package's own
	// handling of its answers.
	Refresh func(ctx context.Context, refreshToken string) (*oauth2.Token, error)
}

// Renew refreshes the sign-in and, when the package rotated the refresh
// token, saves the new one before returning the new tokens.
func (r Rotation) Renew(ctx context.Context) (*oauth2.Token, error) {
	if r.Secrets == nil {
		return nil, r.Refused("LedgerLink has no keyring to keep the " + r.Package + " sign-in in")
	}
	old, err := r.Secrets.Get(ctx, r.Key)
	if errors.Is(err, connectors.ErrSecretNotFound) || (err == nil && strings.TrimSpace(old) == "") {
		return nil, r.Refused("LedgerLink is not signed in to " + r.Package)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the %s sign-in from the system keyring: %w", r.Package, err)
	}
	tok, err := r.Refresh(ctx, old)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken != "" && tok.RefreshToken != old {
		if err := r.Secrets.Set(ctx, r.Key, tok.RefreshToken); err != nil {
			// The old refresh token still works for the package's grace
			// window, so the next attempt can recover; the new access
			// token is not used.
			return nil, fmt.Errorf("saving the renewed %s sign-in in the system keyring: %w", r.Package, err)
		}
	}
	return tok, nil
}
