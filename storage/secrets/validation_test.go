package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNamesAndValuesAreValidated(t *testing.T) {
	long := strings.Repeat("m", maxNameBytes)
	cases := []struct {
		name        string
		module, key string
		value       string
		// wantMsg is the whole message, or "" when the call must succeed.
		wantMsg string
	}{
		{"plain", "xero", "refresh_token", "v", ""},
		{"unicode names", "caisse-café", "clé", "v", ""},
		{"longest names", long, long, "v", ""},
		{"longest value", "xero", "token", strings.Repeat("v", MaxValueBytes), ""},
		{"empty module", "", "token", "v", "The secret's module name is empty."},
		{"empty key", "xero", "", "v", "The secret's key is empty."},
		{"slash in module", "xero/eu", "token", "v", `The secret's module name "xero/eu" contains "/", which is not allowed.`},
		{"slash in key", "xero", "a/b", "v", `The secret's key "a/b" contains "/", which is not allowed.`},
		{"lone slash key", "xero", "/", "v", `The secret's key "/" contains "/", which is not allowed.`},
		{"leading space", " xero", "token", "v", `The secret's module name " xero" starts or ends with a space.`},
		{"trailing newline", "xero", "token\n", "v", `The secret's key "token\n" starts or ends with a space.`},
		{"control character", "xero", "to\x00ken", "v", `The secret's key "to\x00ken" contains a control character.`},
		{"not UTF-8", "x\xffero", "token", "v", "The secret's module name is not valid text."},
		{"module too long", long + "m", "token", "v", "The secret's module name is longer than 128 characters."},
		{"key too long", "xero", long + "k", "v", "The secret's key is longer than 128 characters."},
		{"value too long", "xero", "token", strings.Repeat("v", MaxValueBytes+1), "The secret is 65537 bytes long; LedgerLink stores at most 65536."},
	}
	stores := map[string]func() (Store, func() []string){
		"Memory": func() (Store, func() []string) {
			m := NewMemory()
			return m, func() []string { return m.Keys("xero") }
		},
		"Keyring": func() (Store, func() []string) {
			f := newFakeBackend()
			return NewKeyring(withBackend(f)), f.callLog
		},
	}
	ctx := context.Background()
	for storeName, newStore := range stores {
		for _, tc := range cases {
			t.Run(storeName+"/"+tc.name, func(t *testing.T) {
				s, touched := newStore()
				check := func(call string, err error) {
					t.Helper()
					if tc.wantMsg == "" {
						if err != nil && !isNotFound(err) {
							t.Errorf("%s: unexpected error %v", call, err)
						}
						return
					}
					if !errors.Is(err, ErrInvalid) {
						t.Errorf("%s = %v; want ErrInvalid", call, err)
						return
					}
					if err.Error() != tc.wantMsg {
						t.Errorf("%s message = %q, want %q", call, err.Error(), tc.wantMsg)
					}
				}
				// Set with a too-long value is the only call the value can
				// spoil; the others are checked with the names alone.
				check("Set", s.Set(ctx, tc.module, tc.key, tc.value))
				if strings.HasPrefix(tc.name, "value") {
					if got := touched(); len(got) != 0 {
						t.Fatalf("a refused value reached the store: %q", got)
					}
					return
				}
				_, err := s.Get(ctx, tc.module, tc.key)
				check("Get", err)
				_, err = s.Has(ctx, tc.module, tc.key)
				check("Has", err)
				check("view Set", s.For(tc.module).Set(ctx, tc.key, "v"))
				check("Delete", s.Delete(ctx, tc.module, tc.key))
				_, err = s.For(tc.module).Get(ctx, tc.key)
				check("view Get", err)
				check("view Delete", s.For(tc.module).Delete(ctx, tc.key))
				check("DeleteModule", s.DeleteModule(ctx, tc.module, []string{tc.key}))
				if tc.wantMsg != "" {
					if got := touched(); len(got) != 0 {
						t.Fatalf("refused names reached the store: %q", got)
					}
				}
			})
		}
	}
}

func TestDeleteModuleChecksEveryKeyBeforeDeletingAny(t *testing.T) {
	ctx := context.Background()
	for name, s := range map[string]Store{"Memory": NewMemory(), "Keyring": NewKeyring(withBackend(newFakeBackend()))} {
		t.Run(name, func(t *testing.T) {
			if err := s.Set(ctx, "cash", "password", "pw"); err != nil {
				t.Fatal(err)
			}
			err := s.DeleteModule(ctx, "cash", []string{"password", "bad/key"})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("DeleteModule = %v; want ErrInvalid", err)
			}
			if got, err := s.Get(ctx, "cash", "password"); err != nil || got != "pw" {
				t.Fatalf("password = %q, %v; it must survive a refused DeleteModule", got, err)
			}
		})
	}
}

// FuzzUserKey checks that every accepted module and key pair maps to a
// keyring user name that gives the same pair back, so two pairs never share
// one entry.
func FuzzUserKey(f *testing.F) {
	f.Add("xero", "refresh_token")
	f.Add("a", "b/c")
	f.Add("a/b", "c")
	f.Add("", "k")
	f.Add("café", "clé")
	f.Add("x\xff", "y")
	f.Add(" m", "k ")
	f.Fuzz(func(t *testing.T, module, key string) {
		user, err := userKey(module, key)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refusal %v does not match ErrInvalid", err)
			}
			return
		}
		m, k, ok := strings.Cut(user, "/")
		if !ok || m != module || k != key {
			t.Fatalf("user %q splits into %q %q, want %q %q", user, m, k, module, key)
		}
		if !utf8.ValidString(user) {
			t.Fatalf("accepted user %q is not valid UTF-8", user)
		}
	})
}
