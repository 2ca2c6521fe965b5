package oauthkit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"ledgerlink/connectors"
)

type memSecrets struct {
	vals   map[string]string
	setErr error
	order  *[]string
}

func (m *memSecrets) Get(_ context.Context, k string) (string, error) {
	v, ok := m.vals[k]
	if !ok {
		return "", connectors.ErrSecretNotFound
	}
	return v, nil
}

func (m *memSecrets) Set(_ context.Context, k, v string) error {
	if m.setErr != nil {
		return m.setErr
	}
	m.vals[k] = v
	if m.order != nil {
		*m.order = append(*m.order, "saved "+v)
	}
	return nil
}

func (m *memSecrets) Delete(_ context.Context, k string) error { delete(m.vals, k); return nil }

func refused(what string) error { return fmt.Errorf("%w: %s", connectors.ErrAuth, what) }

func TestRenewSavesTheRotatedTokenFirst(t *testing.T) {
	var order []string
	s := &memSecrets{vals: map[string]string{"rt": "old"}, order: &order}
	r := Rotation{Secrets: s, Key: "rt", Package: "Books", Refused: refused,
		Refresh: func(_ context.Context, rt string) (*oauth2.Token, error) {
			// Each refresh spends the token the one before saved.
			if want := map[bool]string{true: "old", false: "new"}[len(order) == 0]; rt != want {
				t.Errorf("refreshed with %q, want %q", rt, want)
			}
			return &oauth2.Token{AccessToken: "a1", RefreshToken: "new", ExpiresIn: 1800}, nil
		}}
	var k Kept
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	fetches := 0
	fetch := func(ctx context.Context) (*oauth2.Token, error) {
		fetches++
		tok, err := r.Renew(ctx)
		if err == nil {
			order = append(order, "used "+tok.AccessToken)
		}
		return tok, err
	}
	for range 2 {
		if a, err := k.Token(t.Context(), clock, fetch); err != nil || a != "a1" {
			t.Fatalf("token %q, %v", a, err)
		}
	}
	if fetches != 1 || strings.Join(order, ", ") != "saved new, used a1" {
		t.Errorf("%d fetches, order %v: want one, saved before used", fetches, order)
	}
	now = now.Add(30*time.Minute - 30*time.Second) // under a minute left
	if _, err := k.Token(t.Context(), clock, fetch); err != nil || fetches != 2 {
		t.Errorf("a token about to expire was kept: %d fetches, %v", fetches, err)
	}
	k.Forget()
	if _, err := k.Token(t.Context(), clock, fetch); err != nil || fetches != 3 {
		t.Errorf("a forgotten token was kept: %d fetches, %v", fetches, err)
	}
}

func TestRenewRefusals(t *testing.T) {
	ok := func(context.Context, string) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: "a", RefreshToken: "new"}, nil
	}
	tests := []struct {
		name    string
		secrets connectors.SecretStore
		want    string
		auth    bool
	}{
		{"no keyring", nil, "no keyring to keep the Books sign-in", true},
		{"never signed in", &memSecrets{vals: map[string]string{}}, "not signed in to Books", true},
		{"blank token", &memSecrets{vals: map[string]string{"rt": "  "}}, "not signed in to Books", true},
		{"the new token cannot be saved", &memSecrets{vals: map[string]string{"rt": "old"}, setErr: errors.New("locked")}, "saving the renewed Books sign-in", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rotation{Secrets: tc.secrets, Key: "rt", Package: "Books", Refused: refused, Refresh: ok}.Renew(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, connectors.ErrAuth) != tc.auth {
				t.Errorf("error %v, want one saying %q (sign in again: %v)", err, tc.want, tc.auth)
			}
		})
	}
}

func TestExpiryOf(t *testing.T) {
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		tok      oauth2.Token
		lifetime time.Duration
		want     time.Time
	}{
		{"expires_in", oauth2.Token{ExpiresIn: 60, Expiry: now.Add(time.Hour)}, 0, now.Add(time.Minute)},
		{"its own expiry", oauth2.Token{Expiry: now.Add(20 * time.Minute)}, 0, now.Add(20 * time.Minute)},
		{"the package's lifetime", oauth2.Token{}, 30 * time.Minute, now.Add(30 * time.Minute)},
		{"an hour", oauth2.Token{}, 0, now.Add(time.Hour)},
	}
	for _, tc := range tests {
		if got := ExpiryOf(&tc.tok, now, tc.lifetime); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
