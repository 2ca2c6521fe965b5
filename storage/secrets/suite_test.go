package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// longValue builds an n-byte value that is not one repeated character, so a
// truncated or shifted value cannot pass for the original.
func longValue(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%05d.", i)
	}
	return b.String()[:n]
}

// runStoreSuite checks the behaviour every Store must have. module returns
// a fresh module name for each use.
func runStoreSuite(t *testing.T, s Store, module func(t *testing.T, label string) string) {
	ctx := context.Background()

	t.Run("set get delete", func(t *testing.T) {
		m := module(t, "sgd")
		if err := s.Set(ctx, m, "token", "first-secret"); err != nil {
			t.Fatalf("Set: %v", err)
		}
		got, err := s.Get(ctx, m, "token")
		if err != nil || got != "first-secret" {
			t.Fatalf("Get = %q, %v; want first-secret", got, err)
		}
		if ok, err := s.Has(ctx, m, "token"); err != nil || !ok {
			t.Fatalf("Has = %v, %v; want true", ok, err)
		}
		if err := s.Delete(ctx, m, "token"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		got, err = s.Get(ctx, m, "token")
		if !isNotFound(err) || got != "" {
			t.Fatalf("Get after Delete = %q, %v; want not found", got, err)
		}
		want := fmt.Sprintf("The system keyring has no saved %q for %s.", "token", m)
		if err.Error() != want {
			t.Errorf("not-found message = %q, want %q", err.Error(), want)
		}
		if ok, err := s.Has(ctx, m, "token"); err != nil || ok {
			t.Fatalf("Has after Delete = %v, %v; want false", ok, err)
		}
		if err := s.Delete(ctx, m, "token"); !isNotFound(err) {
			t.Fatalf("second Delete = %v; want not found", err)
		}
	})

	t.Run("never saved", func(t *testing.T) {
		m := module(t, "never")
		if _, err := s.Get(ctx, m, "api_key"); !isNotFound(err) {
			t.Fatalf("Get = %v; want not found", err)
		}
		if ok, err := s.Has(ctx, m, "api_key"); err != nil || ok {
			t.Fatalf("Has = %v, %v; want false", ok, err)
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		m := module(t, "over")
		for _, v := range []string{"old-token", "new-token", "newest-token"} {
			if err := s.Set(ctx, m, "refresh_token", v); err != nil {
				t.Fatalf("Set %q: %v", v, err)
			}
			if got, err := s.Get(ctx, m, "refresh_token"); err != nil || got != v {
				t.Fatalf("Get = %q, %v; want %q", got, err, v)
			}
		}
	})

	values := []struct {
		name, value string
	}{
		{"4 KiB token", longValue(4 << 10)},
		{"longest allowed", longValue(MaxValueBytes)},
		{"unicode", "Grüße aus Köln — 東京 — ключ 🔑 ✓"},
		{"empty", ""},
		{"quotes newlines and tabs", "line one\nline \"two\"\t'three'\r\n"},
		{"looks like a path", "xero/refresh_token"},
	}
	for _, tc := range values {
		t.Run("value "+tc.name, func(t *testing.T) {
			m := module(t, "val")
			if err := s.Set(ctx, m, "secret", tc.value); err != nil {
				t.Fatalf("Set: %v", err)
			}
			got, err := s.Get(ctx, m, "secret")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got != tc.value {
				t.Fatalf("Get returned %d bytes, want the %d bytes saved", len(got), len(tc.value))
			}
		})
	}

	t.Run("same key in two modules kept apart", func(t *testing.T) {
		a, b := module(t, "a"), module(t, "b")
		if err := s.Set(ctx, a, "token", "token-of-a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Set(ctx, b, "token", "token-of-b"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, a, "token"); err != nil || got != "token-of-a" {
			t.Fatalf("Get a = %q, %v", got, err)
		}
		if got, err := s.Get(ctx, b, "token"); err != nil || got != "token-of-b" {
			t.Fatalf("Get b = %q, %v", got, err)
		}
		if err := s.Delete(ctx, a, "token"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, b, "token"); err != nil || got != "token-of-b" {
			t.Fatalf("Get b after deleting a = %q, %v", got, err)
		}
	})

	t.Run("DeleteModule", func(t *testing.T) {
		m, other := module(t, "del"), module(t, "keep")
		for _, k := range []string{"username", "password", "api_key"} {
			if err := s.Set(ctx, m, k, "value-of-"+k); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Set(ctx, other, "username", "other-user"); err != nil {
			t.Fatal(err)
		}
		// A missing key and a repeated one are fine; api_key is not listed.
		if err := s.DeleteModule(ctx, m, []string{"username", "password", "never_saved", "username"}); err != nil {
			t.Fatalf("DeleteModule: %v", err)
		}
		for _, k := range []string{"username", "password"} {
			if ok, err := s.Has(ctx, m, k); err != nil || ok {
				t.Errorf("Has %s after DeleteModule = %v, %v; want false", k, ok, err)
			}
		}
		if got, err := s.Get(ctx, m, "api_key"); err != nil || got != "value-of-api_key" {
			t.Errorf("unlisted key = %q, %v; want it kept", got, err)
		}
		if got, err := s.Get(ctx, other, "username"); err != nil || got != "other-user" {
			t.Errorf("other module = %q, %v; want it kept", got, err)
		}
		if err := s.DeleteModule(ctx, m, nil); err != nil {
			t.Errorf("DeleteModule with no keys: %v", err)
		}
	})

	t.Run("module view", func(t *testing.T) {
		m := module(t, "view")
		v := s.For(m)
		if err := v.Set(ctx, "access_token", "view-secret"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, m, "access_token"); err != nil || got != "view-secret" {
			t.Fatalf("store Get = %q, %v", got, err)
		}
		if got, err := v.Get(ctx, "access_token"); err != nil || got != "view-secret" {
			t.Fatalf("view Get = %q, %v", got, err)
		}
		if _, err := s.For(module(t, "other")).Get(ctx, "access_token"); !isNotFound(err) {
			t.Fatalf("another module's view sees the secret: %v", err)
		}
		if err := v.Delete(ctx, "access_token"); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Get(ctx, "access_token"); !isNotFound(err) {
			t.Fatalf("view Get after Delete = %v; want not found", err)
		}
	})

	t.Run("concurrent use", func(t *testing.T) {
		m := module(t, "conc")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("key%d", i)
				want := fmt.Sprintf("value-%d", i)
				if err := s.Set(ctx, m, key, want); err != nil {
					errs[i] = err
					return
				}
				got, err := s.Get(ctx, m, key)
				if err == nil && got != want {
					err = fmt.Errorf("Get %s = %q, want %q", key, got, want)
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
			}
		}
		keys := make([]string, len(errs))
		for i := range keys {
			keys[i] = fmt.Sprintf("key%d", i)
		}
		if err := s.DeleteModule(ctx, m, keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if ok, err := s.Has(ctx, m, k); err != nil || ok {
				t.Errorf("Has %s = %v, %v after DeleteModule", k, ok, err)
			}
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		m := module(t, "cancel")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Set(cctx, m, "token", "never-stored"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Set = %v; want context.Canceled", err)
		}
		if ok, err := s.Has(ctx, m, "token"); err != nil || ok {
			t.Fatalf("Has = %v, %v; the cancelled Set stored something", ok, err)
		}
		if err := s.DeleteModule(cctx, m, []string{"token"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("DeleteModule = %v; want context.Canceled", err)
		}
	})
}

// fixedModules hands out plain names for stores that start empty.
func fixedModules() func(t *testing.T, label string) string {
	var mu sync.Mutex
	n := 0
	return func(t *testing.T, label string) string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("%s%d", label, n)
	}
}

func TestMemoryBehaviour(t *testing.T) {
	m := NewMemory()
	runStoreSuite(t, m, fixedModules())
}

func TestKeyringBehaviourOnFakeBackend(t *testing.T) {
	f := newFakeBackend()
	k := NewKeyring(withBackend(f), WithLogger(debugLogger(&logBuffer{})))
	runStoreSuite(t, k, fixedModules())
	if n := f.maxInFlight(); n != 1 {
		t.Errorf("up to %d calls were inside the keyring at once; want one at a time", n)
	}
}

func TestKeyringFilesSecretsUnderServiceAndModuleSlashKey(t *testing.T) {
	f := newFakeBackend()
	k := NewKeyring(withBackend(f))
	ctx := context.Background()
	if err := k.Set(ctx, "xero", "refresh_token", "rt-1"); err != nil {
		t.Fatal(err)
	}
	if v, ok := f.stored("LedgerLink", "xero/refresh_token"); !ok || v != "rt-1" {
		t.Fatalf("stored under LedgerLink xero/refresh_token = %q, %v", v, ok)
	}
	if _, err := k.Get(ctx, "xero", "refresh_token"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "xero", "refresh_token"); err != nil {
		t.Fatal(err)
	}
	want := []string{"set xero/refresh_token=rt-1", "get xero/refresh_token", "delete xero/refresh_token"}
	if got := f.callLog(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q, want %q", got, want)
	}
}

func TestMemoryKeysListsOneModule(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	for _, k := range []string{"password", "api_key", "username"} {
		if err := m.Set(ctx, "uniconta", k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Set(ctx, "unicontaX", "token", "v"); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Keys("uniconta"), []string{"api_key", "password", "username"}; !slices.Equal(got, want) {
		t.Fatalf("Keys = %q, want %q", got, want)
	}
	if got := m.Keys("cash"); len(got) != 0 {
		t.Fatalf("Keys of an empty module = %q", got)
	}
}
