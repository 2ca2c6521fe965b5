package xero_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/storage"
	llsync "ledgerlink/sync"
)

// engineWorld is LedgerLink's engine over a fresh database, with the Xero
// module installed and opened against the harness's simulator behind the
// engine's pacer, as the app opens it.
type engineWorld struct {
	h   *harness
	db  *storage.DB
	eng *llsync.Engine
}

func newEngineWorld(t *testing.T, h *harness) *engineWorld {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(t.TempDir(), storage.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	def := h.def
	open := func(ctx context.Context, _ string) (connectors.Connection, error) {
		cfg := h.cfg
		cfg.HTTPClient = &http.Client{Transport: h.pacers.Transport(def, false, h.wire), Timeout: 10 * time.Second}
		conn, err := xero.Open(ctx, cfg, xero.WithClock(h.clock.Now))
		if err != nil {
			return nil, err
		}
		return h.pacers.Wrap(def, false, conn), nil
	}
	def.Open = func(ctx context.Context, _ connectors.Config) (connectors.Connection, error) {
		return open(ctx, def.Name)
	}
	reg := connectors.NewRegistry()
	if err := reg.Register(def); err != nil {
		t.Fatal(err)
	}
	if err := db.Install(ctx, def, nil); err != nil {
		t.Fatal(err)
	}
	var m llsync.Matrix
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices} {
		if m, _, err = m.Set(connectors.Upload, typ, llsync.NewOnly); err != nil {
			t.Fatal(err)
		}
	}
	settings := m.Settings()
	settings[llsync.MapNominalPrefix+"200"] = "200"
	settings[llsync.MapTaxPrefix+"OUTPUT2"] = "OUTPUT2"
	if err := db.SetEngineSettings(ctx, def.Name, settings); err != nil {
		t.Fatal(err)
	}
	return &engineWorld{h: h, db: db, eng: llsync.New(db, reg, open, llsync.WithClock(h.clock.Now))}
}

// calls counts the Accounting API calls answered since the last reset, by
// method and path (IDs replaced by {id}).
func calls(h *harness) (total int, by map[string]int) {
	by = map[string]int{}
	for _, r := range h.apiRequests() {
		path := strings.TrimPrefix(r.Path, "/api.xro/2.0")
		if i := strings.Index(path, "/ContactGroups/"); i >= 0 {
			path = path[:i] + "/ContactGroups/{id}" + path[strings.LastIndex(path, "/"):]
		}
		by[r.Method+" "+path]++
		total++
	}
	return total, by
}

// TestEngineUploadCalls uploads 1,000 five-line invoices for 200 new
// customers through the engine, as the app does, and counts the calls:
// every record is sent, read back and ticked Verified within 30 calls (the
// writes alone take 24 with batches of 50). A run with nothing to do then
// makes at most one call per record type.
func TestEngineUploadCalls(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	w := newEngineWorld(t, h)
	ctx := context.Background()
	var recs []connectors.Record
	for i := range 200 {
		recs = append(recs, customer(fmt.Sprintf("C-%03d", i), fmt.Sprintf("Customer %03d Ltd", i), "Alex Kim"))
	}
	for i := range 1000 {
		recs = append(recs, salesInvoice(fmt.Sprintf("INV-%04d", i), fmt.Sprintf("C-%03d", i%200), connectors.NewDate(2026, 5, 1)))
	}
	if _, err := w.db.PutRecords(ctx, storage.OriginLocal, recs); err != nil {
		t.Fatal(err)
	}
	h.sim.ResetRequests()
	rep, err := w.eng.Upload(ctx, "xero", nil, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("upload: %v %+v", err, rep)
	}
	total, by := calls(h)
	t.Logf("engine upload of 1,000 five-line invoices for 200 new customers: %d calls %v", total, by)
	if total > 30 {
		t.Errorf("the upload took %d calls, want at most 30: %v", total, by)
	}
	if n := by["PUT /Contacts"] + by["PUT /Invoices"]; n != 200/50+1000/50 {
		t.Errorf("%d writes of records, want %d full batches", n, 200/50+1000/50)
	}
	rows, err := w.db.Exported(ctx, "xero", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	verified := 0
	for _, r := range rows {
		if r.Verified {
			verified++
		}
	}
	if len(rows) != 1200 || verified != 1200 {
		t.Errorf("%d exported, %d verified; want all 1,200 both", len(rows), verified)
	}
	// Verified is honest: each record was read back, in one listing per
	// type since the upload began.
	for _, path := range []string{"GET /Contacts", "GET /Invoices"} {
		if by[path] != 1 {
			t.Errorf("%s read %d times, want once", path, by[path])
		}
	}

	// Nothing left to do: an upload checks the connection and stops.
	h.clock.Advance(time.Minute)
	h.sim.ResetRequests()
	if rep, err := w.eng.Upload(ctx, "xero", nil, nil); err != nil || !rep.OK() {
		t.Fatalf("second upload: %v %+v", err, rep)
	}
	if total, by := calls(h); total > 1 {
		t.Errorf("an upload with nothing to do took %d calls, want one (the connection's check): %v", total, by)
	}

	// A full sync with nothing to do: at most one call per record type
	// (the reference data, and the types sent, each asked once what the
	// package deleted or voided) and the connection's check.
	h.sim.ResetRequests()
	if rep, err := w.eng.Sync(ctx, "xero", llsync.TriggerManual); err != nil {
		t.Fatalf("sync: %v %+v", err, rep)
	}
	total, by = calls(h)
	t.Logf("sync with nothing to do: %d calls %v", total, by)
	ancillary := []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.Items, connectors.BankAccounts}
	sent := []connectors.RecordType{connectors.Customers, connectors.SalesInvoices}
	if most := 1 + len(ancillary) + len(sent); total > most {
		t.Errorf("a sync with nothing to do took %d calls, want at most %d: %v", total, most, by)
	}
}

// TestEngineBatchAttemptsBound counts the sends of one batch through the
// engine and its pacer when Xero keeps failing: at most
// llsync.DefaultAttempts in all, and the records stay pending.
func TestEngineBatchAttemptsBound(t *testing.T) {
	tests := []struct {
		name  string
		fault func(*xerosim.Sim)
	}{
		{"always 503", func(s *xerosim.Sim) { s.FailNext(1000, http.StatusServiceUnavailable) }},
		{"always rate-limited", func(s *xerosim.Sim) { s.RateLimitNext(1000, "minute", time.Second) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			w := newEngineWorld(t, h)
			ctx := context.Background()
			if _, err := w.db.PutRecords(ctx, storage.OriginLocal, []connectors.Record{customer("C-1", "Acme Ltd", "")}); err != nil {
				t.Fatal(err)
			}
			// The connection's check goes through first.
			if _, err := h.paced.Check(ctx); err != nil {
				t.Fatal(err)
			}
			h.sim.ResetRequests()
			var sends int
			w.eng = llsync.New(w.db, mustRegistry(t, h.def), func(ctx context.Context, module string) (connectors.Connection, error) {
				return &faultOnWrite{Connection: h.paced, arm: func() { tc.fault(h.sim) }, sends: &sends}, nil
			}, llsync.WithClock(h.clock.Now))
			_, err := w.eng.Upload(ctx, "xero", nil, nil)
			if err == nil {
				t.Fatal("the upload succeeded although Xero kept failing")
			}
			puts := 0
			for _, r := range h.apiRequests() {
				if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/Contacts") && !strings.Contains(r.Path, "ContactGroups") {
					puts++
				}
			}
			if puts != llsync.DefaultAttempts || sends != 1 {
				t.Errorf("the batch reached Xero %d times in %d engine sends, want %d in one", puts, sends, llsync.DefaultAttempts)
			}
			queue, err := w.db.Queue(ctx, "xero")
			if err != nil || len(queue) != 1 {
				t.Errorf("pending after the failure: %v %v", queue, err)
			}
		})
	}
}

func mustRegistry(t *testing.T, def connectors.Definition) *connectors.Registry {
	t.Helper()
	reg := connectors.NewRegistry()
	if err := reg.Register(def); err != nil {
		t.Fatal(err)
	}
	return reg
}

// faultOnWrite arms the simulator's faults at the engine's Write and counts
// the engine's sends.
type faultOnWrite struct {
	connectors.Connection
	arm   func()
	sends *int
}

func (f *faultOnWrite) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	*f.sends++
	f.arm()
	return f.Connection.(connectors.Writer).Write(ctx, t, items)
}

// TestSandboxIsPacedByTheEngine: the in-process Sandbox keeps the pacing of
// the HTTP client it was given, with the Sandbox's own limits.
func TestSandboxIsPacedByTheEngine(t *testing.T) {
	ctx := context.Background()
	def := xero.Definition()
	def.Sandbox.Limits = connectors.Limits{PerMinute: 600, Concurrent: 5, PerDay: 2}
	pacers := llsync.NewPacers(nil)
	cfg := connectors.Config{Module: "xero", Sandbox: true, DataDir: t.TempDir(), Settings: map[string]string{},
		HTTPClient: &http.Client{Transport: pacers.Transport(def, true, nil), Timeout: 10 * time.Second}}
	conn, err := def.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.(connectors.Closer).Close() }()
	paced := pacers.Wrap(def, true, conn)
	// The sign-in and the organisation: the day's two requests.
	if _, err := paced.Check(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = paced.Check(ctx)
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("third request of two a day in the Sandbox = %v", err)
	}
	if u := conn.(*xero.Conn).Usage(); u.Calls != 1 {
		t.Errorf("%d calls reached the simulator, want 1", u.Calls)
	}
}
