package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// Exactly-once delivery is tested against a package that is as unhelpful as
// possible: naiveLedger neither deduplicates idempotency keys nor refuses a
// second record with the same code, so only the engine's bookkeeping keeps
// it from holding duplicates. It can persist itself to a file after every
// change, so a test can kill the process that talks to it and look at what
// it committed.

type naiveRecord struct {
	ID        string                `json:"id"`
	Type      connectors.RecordType `json:"type"`
	Record    connectors.Record     `json:"record"`
	UpdatedAt time.Time             `json:"updated_at"`
}

type naiveLedger struct {
	mu      stdsync.Mutex
	path    string        // "" keeps it in memory only
	Seq     int           `json:"seq"`
	Records []naiveRecord `json:"records"`
}

const naiveName = "naive"

func naiveDefinition(open func() connectors.Connection) connectors.Definition {
	both := connectors.Directions{Mirror: true, Upload: true}
	return connectors.Definition{
		Name: naiveName, Title: "Naive Books",
		Caps: connectors.Capabilities{
			Types:     map[connectors.RecordType]connectors.Directions{connectors.Customers: both, connectors.SalesInvoices: both},
			BatchSize: 2,
		},
		Open: func(context.Context, connectors.Config) (connectors.Connection, error) { return open(), nil },
	}
}

func loadNaive(path string) (*naiveLedger, error) {
	n := &naiveLedger{path: path}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return nil, err
	}
	return n, json.Unmarshal(raw, n)
}

// save commits the ledger durably: written aside, synced, renamed.
func (n *naiveLedger) save() error {
	if n.path == "" {
		return nil
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return err
	}
	tmp := n.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(raw); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, n.path)
}

func (n *naiveLedger) Check(ctx context.Context) (connectors.Identity, error) {
	return connectors.Identity{Organisation: "Naive Ltd", Currency: "GBP"}, ctx.Err()
}

func (n *naiveLedger) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]connectors.WriteResult, len(items))
	for i, it := range items {
		out[i].Key = it.Key
		if it.RemoteID != "" {
			j := slices.IndexFunc(n.Records, func(r naiveRecord) bool { return r.ID == it.RemoteID })
			if j < 0 {
				out[i].Err = &connectors.ItemError{Message: "No such record " + it.RemoteID}
				continue
			}
			n.Records[j].Record = it.Record
			out[i].RemoteID = it.RemoteID
			continue
		}
		n.Seq++
		id := fmt.Sprintf("N%04d", n.Seq)
		n.Records = append(n.Records, naiveRecord{ID: id, Type: t, Record: it.Record, UpdatedAt: time.Unix(int64(n.Seq), 0).UTC()})
		out[i].RemoteID = id
	}
	if err := n.save(); err != nil {
		return nil, fmt.Errorf("%w: %v", connectors.ErrTemporary, err)
	}
	return out, nil
}

func (n *naiveLedger) find(t connectors.RecordType, match func(naiveRecord) bool) []connectors.Remote {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []connectors.Remote
	for _, r := range n.Records {
		if r.Type == t && match(r) {
			out = append(out, connectors.Remote{RemoteID: r.ID, Record: r.Record, UpdatedAt: r.UpdatedAt})
		}
	}
	return out
}

func (n *naiveLedger) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	return n.find(t, func(r naiveRecord) bool { return slices.Contains(ids, r.ID) }), ctx.Err()
}

func (n *naiveLedger) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	return n.find(t, func(r naiveRecord) bool { return slices.Contains(codes, r.Record.Code()) }), ctx.Err()
}

func (n *naiveLedger) ListChanged(ctx context.Context, t connectors.RecordType, _ time.Time, page func([]connectors.Remote) error) error {
	if all := n.find(t, func(naiveRecord) bool { return true }); len(all) > 0 {
		return page(all)
	}
	return ctx.Err()
}

// codes counts the ledger's records of type t by code.
func (n *naiveLedger) codes(t connectors.RecordType) map[string]int {
	out := map[string]int{}
	for _, r := range n.find(t, func(naiveRecord) bool { return true }) {
		out[r.Record.Code()]++
	}
	return out
}

// faultConn wraps a connection and injects faults: errors before a call
// reaches the package (nothing happened), errors after it returned (the
// package acted but the reply was lost), and a hook at every such point.
type faultConn struct {
	inner connectors.Connection
	mu    stdsync.Mutex
	// before and after hold, per method, errors to return on the next calls
	// (one each, in order).
	before, after map[string][]error
	// hook is told each point ("before:Write#1", "after:Write#1", ...).
	hook  func(point string)
	calls map[string]int
	// extraRemote is appended to the first page ListChanged returns.
	extraRemote map[connectors.RecordType][]connectors.Remote
	// keys, when set, records the idempotency keys each code was sent with.
	keys *keyLog
}

// keyLog records, per record code, every idempotency key it was sent with.
type keyLog struct {
	mu     stdsync.Mutex
	byCode map[string]map[string]bool
}

func (k *keyLog) add(items []connectors.WriteItem) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.byCode == nil {
		k.byCode = map[string]map[string]bool{}
	}
	for _, it := range items {
		code := it.Record.Code()
		if k.byCode[code] == nil {
			k.byCode[code] = map[string]bool{}
		}
		k.byCode[code][it.Key] = true
	}
}

func (c *faultConn) point(phase, method string) error {
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	if phase == "before" {
		c.calls[method]++
	}
	n := c.calls[method]
	var err error
	src := c.before
	if phase == "after" {
		src = c.after
	}
	if q := src[method]; len(q) > 0 {
		err, src[method] = q[0], q[1:]
	}
	hook := c.hook
	c.mu.Unlock()
	if hook != nil {
		hook(fmt.Sprintf("%s:%s#%d", phase, method, n))
	}
	return err
}

func (c *faultConn) Check(ctx context.Context) (connectors.Identity, error) {
	if err := c.point("before", "Check"); err != nil {
		return connectors.Identity{}, err
	}
	return c.inner.Check(ctx)
}

func (c *faultConn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if c.keys != nil {
		c.keys.add(items)
	}
	if err := c.point("before", "Write"); err != nil {
		return nil, err
	}
	res, err := c.inner.(connectors.Writer).Write(ctx, t, items)
	if err != nil {
		return nil, err
	}
	if err := c.point("after", "Write"); err != nil {
		return nil, err
	}
	return res, nil
}

func (c *faultConn) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	if err := c.point("before", "Get"); err != nil {
		return nil, err
	}
	return c.inner.(connectors.Reader).Get(ctx, t, ids)
}

func (c *faultConn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := c.point("before", "FindByCode"); err != nil {
		return nil, err
	}
	return c.inner.(connectors.Reader).FindByCode(ctx, t, codes)
}

func (c *faultConn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := c.point("before", "ListChanged"); err != nil {
		return err
	}
	extra := c.extraRemote[t]
	sent := false
	err := c.inner.(connectors.Lister).ListChanged(ctx, t, since, func(p []connectors.Remote) error {
		if !sent {
			sent = true
			p = append(slices.Clone(p), extra...)
		}
		return page(p)
	})
	if err == nil && !sent && len(extra) > 0 {
		err = page(extra)
	}
	return err
}

func (c *faultConn) RecordURL(t connectors.RecordType, id string) string {
	if l, ok := c.inner.(connectors.Linker); ok {
		return l.RecordURL(t, id)
	}
	return ""
}

func (c *faultConn) Explain(err error) (connectors.Explanation, bool) {
	if x, ok := c.inner.(connectors.Explainer); ok {
		return x.Explain(err)
	}
	return connectors.Explanation{}, false
}

// crashBook is what every crash test uploads: three customers (two batches
// of two and one) and two invoices.
func crashBook() []connectors.Record {
	return []connectors.Record{
		customer("C1"), customer("C2"), customer("C3"),
		salesInvoice("INV-1", "C1", 3), salesInvoice("INV-2", "C3", 4),
	}
}

// prepareCrashDir makes a data folder with the naive module installed and
// configured and the book fed in, and closes it.
func prepareCrashDir(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	def := naiveDefinition(nil)
	if err := db.Install(ctx, def, nil); err != nil {
		t.Fatal(err)
	}
	var m Matrix
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices} {
		if m, _, err = m.Set(connectors.Upload, typ, NewOnly); err != nil {
			t.Fatal(err)
		}
	}
	settings := m.Settings()
	settings[MapNominalPrefix+"SALES"] = "4000"
	settings[MapTaxPrefix+"VAT20"] = "T1"
	if err := db.SetEngineSettings(ctx, naiveName, settings); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutRecords(ctx, storage.OriginLocal, crashBook()); err != nil {
		t.Fatal(err)
	}
}

func naiveEngine(db *storage.DB, conn func() connectors.Connection, opts ...Option) *Engine {
	reg := connectors.NewRegistry()
	_ = reg.Register(naiveDefinition(conn))
	open := func(context.Context, string) (connectors.Connection, error) { return conn(), nil }
	return New(db, reg, open, opts...)
}

// assertExactlyOnce checks that the package holds each record of the book
// exactly once, that nothing is pending and everything is exported and
// verified.
func assertExactlyOnce(t *testing.T, db *storage.DB, ledger *naiveLedger) {
	t.Helper()
	ctx := context.Background()
	want := map[connectors.RecordType]map[string]int{connectors.Customers: {}, connectors.SalesInvoices: {}}
	for _, r := range crashBook() {
		want[r.Type][r.Code()] = 1
	}
	for typ, codes := range want {
		if got := ledger.codes(typ); fmt.Sprint(got) != fmt.Sprint(codes) {
			t.Errorf("%s in the package = %v, want each once: %v", typ.Label(), got, codes)
		}
	}
	queue, err := db.Queue(ctx, naiveName)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 0 {
		t.Errorf("still pending: %+v", queue)
	}
	rows, err := db.Exported(ctx, naiveName, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[Ref]bool{}
	for _, r := range rows {
		if seen[r.Ref()] {
			t.Errorf("%v exported twice", r.Ref())
		}
		seen[r.Ref()] = true
		if !r.Verified {
			t.Errorf("%v not verified", r.Ref())
		}
		remote := ledger.find(r.Type, func(n naiveRecord) bool { return n.ID == r.RemoteID })
		if len(remote) != 1 || remote[0].Record.Code() != r.Code {
			t.Errorf("%v links to %q, which the package does not hold as it", r.Ref(), r.RemoteID)
		}
	}
	if len(rows) != len(crashBook()) {
		t.Errorf("%d exported rows, want %d", len(rows), len(crashBook()))
	}
}

// TestCrashAtEveryStep fails the connection at each step of an upload, in
// process: the run ends with items in flight; a later run must neither
// duplicate nor lose anything.
func TestCrashAtEveryStep(t *testing.T) {
	temporary := fmt.Errorf("%w: connection reset", connectors.ErrTemporary)
	tests := []struct {
		name string
		// runs are the fault sets of successive runs; a final clean run
		// follows.
		runs []func(*faultConn)
		// maxWrites bounds the Write calls of the final clean run.
		maxWrites int
	}{
		{"fail before the request leaves", []func(*faultConn){
			func(c *faultConn) { c.before = map[string][]error{"Write": {temporary}} },
		}, 3},
		{"reply lost after the package committed", []func(*faultConn){
			func(c *faultConn) { c.after = map[string][]error{"Write": {temporary}} },
		}, 2},
		{"second batch's reply lost", []func(*faultConn){
			func(c *faultConn) { c.after = map[string][]error{"Write": {nil, temporary}} },
		}, 1},
		{"invoice batch's reply lost", []func(*faultConn){
			func(c *faultConn) { c.after = map[string][]error{"Write": {nil, nil, temporary}} },
		}, 0},
		{"fail during read-back", []func(*faultConn){
			func(c *faultConn) { c.before = map[string][]error{"Get": {temporary}} },
		}, 0},
		{"reply lost, then the lookup fails", []func(*faultConn){
			func(c *faultConn) { c.after = map[string][]error{"Write": {temporary}} },
			func(c *faultConn) { c.before = map[string][]error{"FindByCode": {temporary}} },
		}, 2},
		{"lost twice in a row", []func(*faultConn){
			func(c *faultConn) { c.after = map[string][]error{"Write": {temporary}} },
			func(c *faultConn) { c.after = map[string][]error{"Write": {temporary}} },
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			prepareCrashDir(t, dir)
			ledger, _ := loadNaive("")
			db, err := storage.Open(dir, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			keys := &keyLog{}
			for i, arm := range tc.runs {
				fc := &faultConn{inner: ledger, keys: keys}
				arm(fc)
				// No pacer, so no in-run retries: the run ends as a crash
				// would leave it.
				eng := naiveEngine(db, func() connectors.Connection { return fc })
				if _, err := eng.Upload(ctx, naiveName, nil, nil); err == nil && !strings.Contains(tc.name, "read-back") {
					t.Fatalf("run %d: the fault did not stop the upload", i+1)
				}
				for typ, codes := range ledger.codes(connectors.Customers) {
					if codes > 1 {
						t.Fatalf("run %d: duplicate %s", i+1, typ)
					}
				}
			}
			clean := &faultConn{inner: ledger, keys: keys}
			eng := naiveEngine(db, func() connectors.Connection { return clean })
			rep, err := eng.Upload(ctx, naiveName, nil, nil)
			if err != nil {
				t.Fatalf("clean run: %v (%+v)", err, rep)
			}
			if clean.calls["Write"] > tc.maxWrites {
				t.Errorf("clean run sent %d batches, want at most %d", clean.calls["Write"], tc.maxWrites)
			}
			assertExactlyOnce(t, db, ledger)
			// Every attempt of a record went under the key saved for it first.
			for code, ks := range keys.byCode {
				if len(ks) != 1 || ks[""] {
					t.Errorf("%s was sent under keys %v, want one", code, ks)
				}
			}
		})
	}
}

// TestLostReplyIsSettledWithinTheRun: with retries, a lost reply is looked
// up and settled in the same run, without sending twice.
func TestLostReplyIsSettledWithinTheRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	prepareCrashDir(t, dir)
	ledger, _ := loadNaive("")
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fc := &faultConn{inner: ledger, after: map[string][]error{"Write": {nil, fmt.Errorf("%w: timeout", connectors.ErrTemporary)}}}
	pacers := NewPacers(nil, PacingClock(time.Now, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
	def := naiveDefinition(nil)
	rep, err := naiveEngine(db, func() connectors.Connection { return pacers.Wrap(def, false, fc) }).Upload(ctx, naiveName, nil, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("upload: %v %+v", err, rep)
	}
	if fc.calls["Write"] != 3 || fc.calls["FindByCode"] != 1 {
		t.Fatalf("calls = %v, want 3 writes and one lookup", fc.calls)
	}
	assertExactlyOnce(t, db, ledger)
}

// Killed-process crash tests: the test binary runs itself as a child that
// uploads against a ledger kept in a file and kills itself at a chosen
// point; the parent reopens the data folder and finishes the job.
const (
	envCrashDir = "LEDGERLINK_TEST_CRASH_DIR"
	envCrashAt  = "LEDGERLINK_TEST_CRASH_AT"
)

func TestMain(m *testing.M) {
	if os.Getenv(envCrashAt) != "" {
		os.Exit(crashChild(os.Getenv(envCrashDir), os.Getenv(envCrashAt)))
	}
	os.Exit(m.Run())
}

// crashChild uploads and kills its own process at point at. Reaching the
// end alive is exit code 0, which the parent treats as a failure.
func crashChild(dir, at string) int {
	ctx := context.Background()
	db, err := storage.Open(dir, storage.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	ledger, err := loadNaive(filepath.Join(dir, "ledger.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	kill := func(point string) {
		if point != at {
			return
		}
		// Leave proof that the point was reached, then die at once: no
		// deferred function, no closing of the database.
		_ = os.WriteFile(filepath.Join(dir, "reached"), []byte(point), 0o600)
		self, _ := os.FindProcess(os.Getpid())
		_ = self.Kill()
		select {}
	}
	conn := func() connectors.Connection { return &faultConn{inner: ledger, hook: kill} }
	if _, err := naiveEngine(db, conn).Upload(ctx, naiveName, nil, nil); err != nil {
		fmt.Fprintln(os.Stderr, "child upload:", err)
	}
	return 0
}

func TestCrashKilledProcess(t *testing.T) {
	tests := []struct {
		name   string
		points []string
	}{
		{"killed with keys saved, before the request left", []string{"before:Write#1"}},
		{"killed after the package committed", []string{"after:Write#1"}},
		{"killed after the second batch committed", []string{"after:Write#2"}},
		{"killed after the invoices committed", []string{"after:Write#3"}},
		{"killed during read-back", []string{"before:Get#1"}},
		{"killed again while reconciling", []string{"after:Write#1", "before:FindByCode#1"}},
		{"killed again while resending", []string{"before:Write#1", "after:Write#1"}},
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			prepareCrashDir(t, dir)
			for _, point := range tc.points {
				_ = os.Remove(filepath.Join(dir, "reached"))
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashAt+"="+point)
				out, err := cmd.CombinedOutput()
				if err == nil {
					t.Fatalf("child survived crash point %s: %s", point, out)
				}
				if reached, _ := os.ReadFile(filepath.Join(dir, "reached")); string(reached) != point {
					t.Fatalf("child died before crash point %s (%v): %s", point, err, out)
				}
			}
			db, err := storage.Open(dir, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ledger, err := loadNaive(filepath.Join(dir, "ledger.json"))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := naiveEngine(db, func() connectors.Connection { return ledger }).Upload(context.Background(), naiveName, nil, nil)
			if err != nil {
				t.Fatalf("run after the crash: %v (%+v)", err, rep)
			}
			assertExactlyOnce(t, db, ledger)
		})
	}
}
