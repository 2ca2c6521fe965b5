package xero_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
	llsync "ledgerlink/sync"
)

// clock is a settable clock shared by the simulator and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)} }

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

func (m *memSecrets) value(key string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.vals[key]
}

// wireEvent is one request seen leaving the client.
type wireEvent struct {
	at     int64
	method string
	path   string
	bearer string
}

// recorder is a transport that records requests in the shared sequence.
type recorder struct {
	mu     sync.Mutex
	seq    *sequence
	next   http.RoundTripper
	events []wireEvent
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ev := wireEvent{at: r.seq.next(), method: req.Method, path: req.URL.Path,
		bearer: strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) snapshot() []wireEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wireEvent(nil), r.events...)
}

// harness is a simulator on a loopback server and a client signed in to
// it through the full PKCE flow.
type harness struct {
	t       *testing.T
	clock   *clock
	seq     *sequence
	sim     *xerosim.Sim
	srv     *httptest.Server
	secrets *memSecrets
	wire    *recorder
	cfg     connectors.Config
	conn    *xero.Conn
	tenant  string
	// def is the connector's Definition with the harness's limits; paced
	// is conn behind the engine's pacer for it, whose Transport paces
	// conn's requests.
	def    connectors.Definition
	pacers *llsync.Pacers
	paced  connectors.Connection
}

// sleep passes d on the harness clock.
func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

type harnessOpt struct {
	simOpts     []xerosim.Option
	connOpts    []xero.Option
	settings    map[string]string
	noKeepAlive bool
	// limits are the limits the pacer keeps to; zero means generous ones.
	limits connectors.Limits
	// wrap, when set, stands in front of the simulator (to refuse or
	// change some requests).
	wrap func(http.Handler) http.Handler
}

func newHarness(t *testing.T, o harnessOpt) *harness {
	t.Helper()
	h := &harness{t: t, clock: newClock(), seq: &sequence{}}
	simOpts := append([]xerosim.Option{xerosim.WithClock(h.clock.Now), xerosim.WithStrict(),
		xerosim.WithRateLimits(xerosim.RateLimits{PerMinute: 100000, PerDay: 100000, Concurrent: 10, AppPerMinute: 100000})}, o.simOpts...)
	sim, err := xerosim.New(simOpts...)
	if err != nil {
		t.Fatal(err)
	}
	h.sim = sim
	var handler http.Handler = sim
	if o.wrap != nil {
		handler = o.wrap(sim)
	}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() {
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("requests broke the documented schema rules:\n%s", strings.Join(v, "\n"))
		}
	})
	h.secrets = newSecrets(h.seq)
	var transport http.RoundTripper = http.DefaultTransport
	if o.noKeepAlive {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableKeepAlives = true
		transport = tr
	}
	h.wire = &recorder{seq: h.seq, next: transport}
	settings := map[string]string{
		xero.KeyClientID:    xerosim.DesktopClientID,
		xero.KeyAPIURL:      h.srv.URL + "/api.xro/2.0",
		xero.KeyIdentityURL: h.srv.URL,
		xero.KeyLoginURL:    h.srv.URL,
	}
	for k, v := range o.settings {
		settings[k] = v
	}
	h.cfg = connectors.Config{Module: "xero", Settings: settings, Secrets: h.secrets,
		HTTPClient: &http.Client{Transport: h.wire, Timeout: 10 * time.Second}}

	tokens, err := xero.Login(context.Background(), h.cfg, h.browser())
	if err != nil {
		t.Fatalf("signing in: %v", err)
	}
	if len(tokens.Tenants) == 0 {
		t.Fatal("the sign-in reached no organisation")
	}
	h.tenant = tokens.Tenants[0].TenantID
	h.cfg.Settings[xero.KeyTenantID] = h.tenant
	connOpts := append([]xero.Option{xero.WithClock(h.clock.Now)}, o.connOpts...)
	h.def = xero.Definition()
	h.def.Limits = connectors.Limits{PerMinute: 100000, Concurrent: 5, PerDay: 100000}
	if o.limits != (connectors.Limits{}) {
		h.def.Limits = o.limits
	}
	h.pacers = llsync.NewPacers(nil, llsync.PacingClock(h.clock.Now, h.clock.sleep))
	paced := h.cfg
	paced.HTTPClient = &http.Client{Transport: h.pacers.Transport(h.def, false, h.wire), Timeout: h.cfg.HTTPClient.Timeout}
	h.conn, err = xero.Open(context.Background(), paced, connOpts...)
	if err != nil {
		t.Fatal(err)
	}
	h.paced = h.pacers.Wrap(h.def, false, h.conn)
	return h
}

// browser plays the person in the browser: it opens the consent page and
// clicks Allow, following the redirect back to LedgerLink.
func (h *harness) browser() func(string) error {
	return func(authURL string) error {
		go func() {
			resp, err := http.Get(authURL)
			if err != nil {
				h.t.Errorf("opening the consent page: %v", err)
				return
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Allow access") {
				h.t.Errorf("consent page: %d %s", resp.StatusCode, page)
				return
			}
			u, _ := url.Parse(authURL)
			form := u.Query()
			form.Set("consent", "allow")
			u.RawQuery = ""
			resp, err = http.PostForm(u.String(), form)
			if err != nil {
				h.t.Errorf("allowing access: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}

// apiRequests returns the Accounting API requests the simulator answered.
func (h *harness) apiRequests() []xerosim.RequestRecord { return h.sim.Requests() }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func customer(code, name, person string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: name, ContactPerson: person,
		Email: strings.ToLower(code) + "@example.com", Phone: "01632 960000",
		BillingAddress: connectors.Address{Line1: "1 High Street", City: "Leeds", PostalCode: "LS1 1AA", Country: "GB"}}}
}

func supplier(code, name string) connectors.Record {
	return connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{Code: code, Name: name, ContactPerson: "Pat Jones"}}
}

func fiveLines(account, tax string) []connectors.Line {
	var ls []connectors.Line
	for i := 1; i <= 5; i++ {
		ls = append(ls, connectors.Line{ItemCode: "", Description: fmt.Sprintf("Line %d", i),
			Quantity: decimal.NewFromInt(int64(i)), UnitPrice: dec("12.34"), NominalCode: account, TaxCode: tax})
	}
	return ls
}

func salesInvoice(code, party string, date connectors.Date) connectors.Record {
	return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{Code: code, PartyCode: party,
		Date: date, DueDate: connectors.DateOf(date.AddDate(0, 0, 30)), Currency: "GBP", Lines: fiveLines("200", "OUTPUT2")}}
}

func items(recs ...connectors.Record) []connectors.WriteItem {
	out := make([]connectors.WriteItem, len(recs))
	for i, r := range recs {
		out[i] = connectors.WriteItem{Key: fmt.Sprintf("key-%s-%s", r.Type, r.Code()), Record: r}
	}
	return out
}

func mustWrite(t *testing.T, c *xero.Conn, typ connectors.RecordType, its []connectors.WriteItem) []connectors.WriteResult {
	t.Helper()
	res, err := c.Write(context.Background(), typ, its)
	if err != nil {
		t.Fatalf("writing %s: %v", typ, err)
	}
	if len(res) != len(its) {
		t.Fatalf("writing %s: %d results for %d items", typ, len(res), len(its))
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("writing %s %s: %v", typ, its[i].Record.Code(), r.Err)
		}
		if r.RemoteID == "" || r.Key != its[i].Key {
			t.Fatalf("writing %s: result %d is %+v", typ, i, r)
		}
	}
	return res
}

func listAll(t *testing.T, c *xero.Conn, typ connectors.RecordType, since time.Time) []connectors.Remote {
	t.Helper()
	var out []connectors.Remote
	err := c.ListChanged(context.Background(), typ, since, func(rs []connectors.Remote) error {
		out = append(out, rs...)
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", typ, err)
	}
	return out
}

func byCode(rs []connectors.Remote) map[string]connectors.Remote {
	m := map[string]connectors.Remote{}
	for _, r := range rs {
		m[r.Record.Code()] = r
	}
	return m
}

func sortedCodes(rs []connectors.Remote) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Record.Code())
	}
	slices.Sort(out)
	return out
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
