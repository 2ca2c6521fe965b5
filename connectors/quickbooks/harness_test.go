package quickbooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

// clock is a settable clock shared by the simulator and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sleep waits by moving the clock on: no test sleeps for real.
func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// sequence orders events across the keyring and the wire.
type sequence struct{ n atomic.Int64 }

func (s *sequence) next() int64 { return s.n.Add(1) }

// memSecrets is an in-memory keyring that records when each value was set.
type memSecrets struct {
	mu    sync.Mutex
	vals  map[string]string
	seq   *sequence
	sets  []secretSet
	fails bool
}

type secretSet struct {
	key, value string
	at         int64
}

func newSecrets(seq *sequence) *memSecrets { return &memSecrets{vals: map[string]string{}, seq: seq} }

func (m *memSecrets) Get(_ context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	if !ok {
		return "", connectors.ErrSecretNotFound
	}
	return v, nil
}

func (m *memSecrets) Set(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fails {
		return fmt.Errorf("keyring locked")
	}
	m.vals[key] = value
	m.sets = append(m.sets, secretSet{key, value, m.seq.next()})
	return nil
}

func (m *memSecrets) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}

// harness is a simulator on a loopback server and a connection to it,
// signed in with a refresh token the simulator issued.
type harness struct {
	sim     *qbosim.Sim
	srv     *httptest.Server
	conn    *quickbooks.Conn
	clock   *clock
	secrets *memSecrets
	seq     *sequence
	cfg     connectors.Config
}

type harnessOpt struct {
	settings map[string]string
	connOpts []quickbooks.Option
	simOpts  []qbosim.Option
	lax      bool // not strict
}

func endpointSettings(base string) map[string]string {
	return map[string]string{
		quickbooks.KeyClientID: qbosim.SandboxClientID, quickbooks.KeyRealmID: qbosim.SandboxRealmID,
		quickbooks.KeyAPIURL: base, quickbooks.KeyAuthURL: base + "/connect/oauth2",
		quickbooks.KeyTokenURL: base + "/oauth2/v1/tokens/bearer", quickbooks.KeyRevokeURL: base + "/v2/oauth2/tokens/revoke",
	}
}

func newHarness(t testing.TB, o harnessOpt) *harness {
	t.Helper()
	h := &harness{clock: newClock(), seq: &sequence{}}
	opts := append([]qbosim.Option{qbosim.WithClock(h.clock.Now)}, o.simOpts...)
	if !o.lax {
		opts = append(opts, qbosim.WithStrict())
	}
	sim, err := qbosim.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.sim = sim
	h.srv = httptest.NewServer(sim)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() {
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("the simulator's strict mode saw %d broken rules, first: %s", len(v), v[0])
		}
	})
	h.secrets = newSecrets(h.seq)
	h.secrets.vals[quickbooks.SecretClientSecret] = qbosim.SandboxClientSecret
	h.secrets.vals[quickbooks.SecretRefreshToken] = sim.IssueTokens(qbosim.SandboxRealmID)
	settings := endpointSettings(h.srv.URL)
	for k, v := range o.settings {
		settings[k] = v
	}
	h.cfg = connectors.Config{Module: "quickbooks", Settings: settings, Secrets: h.secrets, HTTPClient: h.srv.Client(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	conn, err := quickbooks.Open(t.Context(), h.cfg, append([]quickbooks.Option{quickbooks.WithClock(h.clock.Now), quickbooks.WithSleep(h.clock.sleep)}, o.connOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h.conn = conn
	return h
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
