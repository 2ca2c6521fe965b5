package secrets

import (
	"context"
	"log/slog"
	"testing"
)

// BenchmarkKeyringGet measures what the timeout machinery (a goroutine, a
// turn and a timer per call) adds on top of the keyring itself.
func BenchmarkKeyringGet(b *testing.B) {
	ctx := context.Background()
	k := NewKeyring(withBackend(newFakeBackend()), WithLogger(slog.New(slog.DiscardHandler)))
	if err := k.Set(ctx, "xero", "refresh_token", longValue(2<<10)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.Get(ctx, "xero", "refresh_token"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	ctx := context.Background()
	m := NewMemory()
	if err := m.Set(ctx, "xero", "refresh_token", longValue(2<<10)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Get(ctx, "xero", "refresh_token"); err != nil {
			b.Fatal(err)
		}
	}
}
