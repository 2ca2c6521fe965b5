package uniconta_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
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

// secrets is a keyring in memory.
type secrets struct {
	mu sync.Mutex
	m  map[string]string
}

func newSecrets(kv ...string) *secrets {
	s := &secrets{m: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.m[kv[i]] = kv[i+1]
	}
	return s
}

func (s *secrets) Get(_ context.Context, k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return "", connectors.ErrSecretNotFound
	}
	return v, nil
}

func (s *secrets) Set(_ context.Context, k, v string) error {
	s.mu.Lock()
	s.m[k] = v
	s.mu.Unlock()
	return nil
}

func (s *secrets) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	delete(s.m, k)
	s.mu.Unlock()
	return nil
}

type harness struct {
	t     *testing.T
	sim   *unicontasim.Sim
	srv   *httptest.Server
	clock *clock
	conn  *uniconta.Conn
	cfg   connectors.Config
}

type harnessOpt struct {
	settings map[string]string
	pageSize int
	// lax turns strict checking off (for tests of malformed answers).
	lax bool
}

// newHarness starts a strict simulator on a loopback server and opens a
// connection to its sample company. Any breach of the documented rules
// fails the test.
func newHarness(t *testing.T, o harnessOpt) *harness {
	t.Helper()
	clk := newClock()
	opts := []unicontasim.Option{unicontasim.WithClock(clk.Now)}
	if !o.lax {
		opts = append(opts, unicontasim.WithStrict())
	}
	sim, err := unicontasim.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	settings := map[string]string{
		uniconta.KeyUsername:  unicontasim.SandboxUser,
		uniconta.KeyCompanyID: "123456",
		uniconta.KeyAPIURL:    srv.URL,
	}
	for k, v := range o.settings {
		settings[k] = v
	}
	cfg := connectors.Config{Module: "uniconta", Settings: settings,
		Secrets: newSecrets(uniconta.SecretPassword, unicontasim.SandboxPassword, uniconta.SecretAPIKey, unicontasim.SandboxAPIKey)}
	var copts []uniconta.Option
	copts = append(copts, uniconta.WithClock(clk.Now))
	if o.pageSize > 0 {
		copts = append(copts, uniconta.WithPageSize(o.pageSize))
	}
	conn, err := uniconta.Open(t.Context(), cfg, copts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("the simulator saw %d breaches of the documented rules:\n%s", len(v), strings.Join(v, "\n"))
		}
	})
	return &harness{t: t, sim: sim, srv: srv, clock: clk, conn: conn, cfg: cfg}
}

// write sends items and fails on a whole-batch error.
func (h *harness) write(typ connectors.RecordType, items ...connectors.WriteItem) []connectors.WriteResult {
	h.t.Helper()
	res, err := h.conn.Write(h.t.Context(), typ, items)
	if err != nil {
		h.t.Fatalf("Write %s: %v", typ, err)
	}
	return res
}

// create writes one record and returns its remote ID.
func (h *harness) create(r connectors.Record) string {
	h.t.Helper()
	res := h.write(r.Type, connectors.WriteItem{Key: "k:" + r.Code(), Record: r})
	if res[0].Err != nil {
		h.t.Fatalf("creating %s %s: %v", r.Type, r.Code(), res[0].Err)
	}
	return res[0].RemoteID
}

// list reads every record of typ.
func (h *harness) list(typ connectors.RecordType) []connectors.Remote {
	h.t.Helper()
	var all []connectors.Remote
	err := h.conn.ListChanged(h.t.Context(), typ, time.Time{}, func(p []connectors.Remote) error {
		all = append(all, p...)
		return nil
	})
	if err != nil {
		h.t.Fatalf("ListChanged %s: %v", typ, err)
	}
	return all
}

func codes(rs []connectors.Remote) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Record.Code())
	}
	return out
}
