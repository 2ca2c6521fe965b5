package sync_test

import (
	"context"
	stdsync "sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// tick is a settable clock shared by the database, the engine and the
// reference ledger.
type tick struct {
	mu stdsync.Mutex
	t  time.Time
}

func (c *tick) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *tick) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// injectConn is a reference connection that also lists extra records the
// reference ledger itself would refuse (allocations to credit notes, the
// package's own document IDs).
type injectConn struct {
	*memory.Conn
	extra map[connectors.RecordType][]connectors.Remote
	// cut, when it holds an error for a type, ends that type's listing
	// with it after every page went out, as a dropped connection would.
	cut map[connectors.RecordType]error
}

func (c injectConn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := c.Conn.ListChanged(ctx, t, since, page); err != nil {
		return err
	}
	if err := c.cut[t]; err != nil {
		return err
	}
	var extra []connectors.Remote
	for _, r := range c.extra[t] {
		if since.IsZero() || !r.UpdatedAt.Before(since) {
			extra = append(extra, r)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	return page(extra)
}

const mod = memory.Name

// world is an engine over a fresh database with the reference ledger
// installed as module "memory".
type world struct {
	t      testing.TB
	ctx    context.Context
	dir    string
	db     *storage.DB
	clock  *tick
	ledger *memory.Ledger
	def    connectors.Definition
	reg    *connectors.Registry
	eng    *sync.Engine
	extra  map[connectors.RecordType][]connectors.Remote
	cut    map[connectors.RecordType]error
	steps  []sync.Step
}

type worldOption func(*world)

// withCaps changes the reference connector's capabilities.
func withCaps(edit func(*connectors.Capabilities)) worldOption {
	return func(w *world) { edit(&w.def.Caps) }
}

func withSteps(steps ...sync.Step) worldOption {
	return func(w *world) { w.steps = append(w.steps, steps...) }
}

func newWorld(t testing.TB, opts ...worldOption) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), dir: t.TempDir(),
		clock: &tick{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		extra: map[connectors.RecordType][]connectors.Remote{}, cut: map[connectors.RecordType]error{}}
	w.ledger = memory.NewLedger(memory.WithClock(w.clock.Now))
	w.def = memory.NewDefinition(w.ledger)
	for _, o := range opts {
		o(w)
	}
	w.reg = connectors.NewRegistry()
	if err := w.reg.Register(w.def); err != nil {
		t.Fatal(err)
	}
	w.open(t.TempDir())
	if err := w.db.Install(w.ctx, w.def, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// open opens (or reopens) the database in dir and builds the engine on it.
func (w *world) open(dir string) {
	w.t.Helper()
	w.dir = dir
	db, err := storage.Open(dir, storage.Options{Now: w.clock.Now})
	if err != nil {
		w.t.Fatal(err)
	}
	w.db = db
	w.t.Cleanup(func() { _ = db.Close() })
	openConn := func(ctx context.Context, module string) (connectors.Connection, error) {
		return injectConn{Conn: w.ledger.Connection(), extra: w.extra, cut: w.cut}, nil
	}
	w.eng = sync.New(db, w.reg, openConn, sync.WithClock(w.clock.Now), sync.WithSteps(w.steps...))
}

// reopen closes the database and opens it again, as after a restart.
func (w *world) reopen() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open(w.dir)
}

// levels sets the matrix: (direction, type, level) triples in order.
func (w *world) levels(cells ...any) {
	w.t.Helper()
	var m sync.Matrix
	for i := 0; i+2 < len(cells); i += 3 {
		var err error
		m, _, err = m.Set(cells[i].(connectors.Direction), cells[i+1].(connectors.RecordType), cells[i+2].(sync.Level))
		if err != nil {
			w.t.Fatalf("matrix: %v", err)
		}
	}
	w.settings(m.Settings())
}

// mirrorAll turns every matrix type on both ways at NEW + UPDATED.
func (w *world) mirrorAll() {
	var cells []any
	for _, d := range []connectors.Direction{connectors.Mirror, connectors.Upload} {
		for _, t := range connectors.MatrixTypes() {
			cells = append(cells, d, t, sync.NewAndUpdated)
		}
	}
	w.levels(cells...)
}

func (w *world) settings(kv map[string]string) {
	w.t.Helper()
	if err := w.db.SetEngineSettings(w.ctx, mod, kv); err != nil {
		w.t.Fatal(err)
	}
}

// remote puts a record in the ledger as if entered there, a second later
// than anything before.
func (w *world) remote(rec connectors.Record) connectors.Remote {
	w.t.Helper()
	w.clock.Add(time.Second)
	r, err := w.ledger.Put(rec.Type, connectors.Remote{Record: rec})
	if err != nil {
		w.t.Fatalf("ledger refused %s %s: %v", rec.Type, rec.Code(), err)
	}
	return r
}

func (w *world) mirror(types ...connectors.RecordType) {
	w.t.Helper()
	w.clock.Add(time.Second)
	if rep, err := w.eng.Mirror(w.ctx, mod, types); err != nil {
		w.t.Fatalf("mirror: %v (%+v)", err, rep)
	}
}

func (w *world) local(t connectors.RecordType, code string) storage.StoredRecord {
	w.t.Helper()
	sr, err := w.db.Get(w.ctx, t, code)
	if err != nil {
		w.t.Fatal(err)
	}
	return sr
}

func (w *world) link(t connectors.RecordType, code string) (storage.Link, bool) {
	w.t.Helper()
	l, found, err := w.db.Link(w.ctx, mod, storage.Ref{Type: t, Code: code})
	if err != nil {
		w.t.Fatal(err)
	}
	return l, found
}

func (w *world) putLocal(recs ...connectors.Record) {
	w.t.Helper()
	if _, err := w.db.PutRecords(w.ctx, storage.OriginLocal, recs); err != nil {
		w.t.Fatal(err)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func party(t connectors.RecordType, code, name string) connectors.Record {
	return connectors.Record{Type: t, Party: &connectors.Party{Code: code, Name: name}}
}

// invoice is a sales or purchase invoice of one line of net, at 20% VAT.
func invoice(t connectors.RecordType, code, partyCode, net string) connectors.Record {
	nominal := "4000"
	if t == connectors.PurchaseInvoices {
		nominal = "5100"
	}
	return connectors.Record{Type: t, Document: &connectors.Document{
		Code: code, PartyCode: partyCode, Date: connectors.NewDate(2026, 2, 10), Currency: "GBP",
		Lines: []connectors.Line{{Description: "Work", Quantity: decimal.NewFromInt(1), UnitPrice: dec(net), NominalCode: nominal, TaxCode: "T1"}},
	}}
}

// payment pays amount of each (type, code) allocation pair in turn.
func payment(t connectors.RecordType, code, partyCode string, amount string, allocs ...any) connectors.Record {
	p := &connectors.Payment{Code: code, PartyCode: partyCode, Date: connectors.NewDate(2026, 2, 20), Currency: "GBP", Amount: dec(amount)}
	for i := 0; i+2 < len(allocs); i += 3 {
		p.Allocations = append(p.Allocations, connectors.Allocation{
			DocumentType: allocs[i].(connectors.RecordType), DocumentCode: allocs[i+1].(string), Amount: dec(allocs[i+2].(string))})
	}
	return connectors.Record{Type: t, Payment: p}
}
