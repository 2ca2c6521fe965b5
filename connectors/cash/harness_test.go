package cash_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash"
	"ledgerlink/connectors/cash/cashsim"
)

// fakeClock never sleeps: Sleep moves it on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps int
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, time.December, 3, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps++
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleeps() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sleeps
}

// memSecrets is a keyring in memory.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func newSecrets(kv ...string) *memSecrets {
	s := &memSecrets{m: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.m[kv[i]] = kv[i+1]
	}
	return s
}

func (s *memSecrets) Get(_ context.Context, k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return "", connectors.ErrSecretNotFound
	}
	return v, nil
}

func (s *memSecrets) Set(_ context.Context, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

func (s *memSecrets) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

type harness struct {
	sim   *cashsim.Sim
	srv   *httptest.Server
	clock *fakeClock
	conn  *cash.Conn
	cfg   connectors.Config
}

type harnessOpt struct {
	key      string
	settings map[string]string
	simOpts  []cashsim.Option
	connOpts []cash.Option
}

// newHarness starts a strict simulator on a loopback server and opens a
// connection to it with a clock that never sleeps.
func newHarness(t testing.TB, o harnessOpt) *harness {
	t.Helper()
	clock := newClock()
	sim, err := cashsim.New(append([]cashsim.Option{cashsim.WithStrict()}, o.simOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("the connector broke CASH's documented rules: %q", v)
		}
	})
	settings := map[string]string{
		cash.KeyAPIURL:         srv.URL + cashsim.BasePath,
		cash.KeyAdministration: cashsim.SampleAdmin,
		cash.KeyJournalCode:    cashsim.SampleJournal,
	}
	for k, v := range o.settings {
		settings[k] = v
	}
	key := o.key
	if key == "" {
		key = cashsim.SandboxKey
	}
	cfg := connectors.Config{Module: "cash", Settings: settings, Secrets: newSecrets(cash.SecretAPIKey, key), HTTPClient: srv.Client(), Logger: slog.New(slog.DiscardHandler)}
	conn, err := cash.Open(t.Context(), cfg, append([]cash.Option{cash.WithClock(clock)}, o.connOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{sim: sim, srv: srv, clock: clock, conn: conn, cfg: cfg}
}
