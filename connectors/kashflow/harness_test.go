package kashflow_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
	"ledgerlink/connectors/kashflow/kashflowsim"
)

// clock is a test clock shared by the simulator and the connection.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, time.November, 30, 9, 0, 0, 0, time.UTC)} }

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

// memSecrets is a keyring in memory.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
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
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[k] = v
	return nil
}

func (s *memSecrets) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

// harness is one simulator in strict mode, served over loopback, and a
// connection to it.
type harness struct {
	sim   *kashflowsim.Sim
	srv   *httptest.Server
	clock *clock
	conn  *kashflow.Conn
	cfg   connectors.Config
	calls *callLog
}

type callLog struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *callLog) add(op string) {
	l.mu.Lock()
	l.n[op]++
	l.mu.Unlock()
}

func (l *callLog) reset() {
	l.mu.Lock()
	l.n = map[string]int{}
	l.mu.Unlock()
}

func (l *callLog) snapshot() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.n {
		out[k] = v
	}
	return out
}

type harnessOpt struct {
	simOpts  []kashflowsim.Option
	connOpts []kashflow.Option
	dataDir  string
}

func newHarness(t *testing.T, o harnessOpt) *harness {
	t.Helper()
	h := &harness{clock: newClock(), calls: &callLog{n: map[string]int{}}}
	sim, err := kashflowsim.New(append([]kashflowsim.Option{kashflowsim.WithStrict(), kashflowsim.WithClock(h.clock.Now)}, o.simOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h.sim = sim
	h.srv = httptest.NewServer(sim)
	// Every reply must reach the connector once: no keep-alive resends.
	tr := &http.Transport{DisableKeepAlives: true}
	h.cfg = connectors.Config{
		Module: "kashflow",
		Settings: map[string]string{
			kashflow.KeyUsername: kashflowsim.SandboxUser,
			kashflow.KeyEndpoint: h.srv.URL + kashflowsim.Path,
		},
		Secrets:    &memSecrets{m: map[string]string{kashflow.KeyPassword: kashflowsim.SandboxPassword}},
		HTTPClient: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		DataDir:    o.dataDir,
	}
	opts := append([]kashflow.Option{kashflow.WithClock(h.clock.Now), kashflow.WithCallCounter(h.calls.add)}, o.connOpts...)
	conn, err := kashflow.Open(t.Context(), h.cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.conn = conn
	t.Cleanup(func() {
		_ = conn.Close()
		h.srv.Close()
		_ = sim.Close()
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("the simulator in strict mode found %d requests that break KashFlow's WSDL, first: %s", len(v), v[0])
		}
	})
	return h
}

// soap posts one operation to the simulator as KashFlow's web screens
// would change things, and returns the answer.
func (h *harness) soap(t *testing.T, op, params string) string {
	t.Helper()
	body := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><` + op +
		` xmlns="KashFlow"><UserName>` + kashflowsim.SandboxUser + `</UserName><Password>` + kashflowsim.SandboxPassword + `</Password>` + params +
		`</` + op + `></soap:Body></soap:Envelope>`
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.URL+kashflowsim.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"KashFlow/`+op+`"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(raw), "<Status>OK</Status>") {
		t.Fatalf("%s: %s", op, raw)
	}
	return string(raw)
}
