package sync

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	stdsync "sync"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// noopConn is a package that answers at once: it measures the engine's own
// cost per item. It keeps only the last batch (for the read-back), so the
// memory measured is LedgerLink's, not the package's.
type noopConn struct {
	mu   stdsync.Mutex
	seq  int
	recs map[string]connectors.Remote
}

func (c *noopConn) Check(context.Context) (connectors.Identity, error) {
	return connectors.Identity{Organisation: "Noop", Currency: "GBP"}, nil
}

func (c *noopConn) Write(_ context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.recs)
	out := make([]connectors.WriteResult, len(items))
	for i, it := range items {
		c.seq++
		id := "R" + strconv.Itoa(c.seq)
		c.recs[id] = connectors.Remote{RemoteID: id, Record: it.Record}
		out[i] = connectors.WriteResult{Key: it.Key, RemoteID: id}
	}
	return out, nil
}

func (c *noopConn) Get(_ context.Context, _ connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]connectors.Remote, 0, len(ids))
	for _, id := range ids {
		if r, ok := c.recs[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func (c *noopConn) FindByCode(context.Context, connectors.RecordType, []string) ([]connectors.Remote, error) {
	return nil, nil
}

func noopEngine(tb testing.TB, batch int) (*Engine, *storage.DB, connectors.Definition) {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.Open(tb.TempDir(), storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	conn := &noopConn{recs: map[string]connectors.Remote{}}
	both := connectors.Directions{Mirror: true, Upload: true}
	def := connectors.Definition{Name: "noop", Title: "Noop",
		Caps: connectors.Capabilities{BatchSize: batch, Types: map[connectors.RecordType]connectors.Directions{
			connectors.Customers: both, connectors.SalesInvoices: both}},
		Open: func(context.Context, connectors.Config) (connectors.Connection, error) { return conn, nil },
	}
	reg := connectors.NewRegistry()
	if err := reg.Register(def); err != nil {
		tb.Fatal(err)
	}
	if err := db.Install(ctx, def, nil); err != nil {
		tb.Fatal(err)
	}
	var m Matrix
	for _, t := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices} {
		if m, _, err = m.Set(connectors.Upload, t, NewAndUpdated); err != nil {
			tb.Fatal(err)
		}
	}
	settings := m.Settings()
	settings[MapNominalPrefix+"SALES"] = "4000"
	settings[MapTaxPrefix+"VAT20"] = "T1"
	if err := db.SetEngineSettings(ctx, "noop", settings); err != nil {
		tb.Fatal(err)
	}
	open := func(context.Context, string) (connectors.Connection, error) { return conn, nil }
	return New(db, reg, open), db, def
}

func benchInvoice(code, party string, day int) connectors.Record {
	r := salesInvoice(code, party, day)
	for i := 2; i <= 5; i++ {
		l := r.Document.Lines[0]
		l.Description = fmt.Sprintf("Line %d", i)
		l.Quantity = decimal.NewFromInt(int64(i))
		r.Document.Lines = append(r.Document.Lines, l)
	}
	return r
}

// BenchmarkUploadOverheadPerItem uploads 1,000 new customers a round to a
// package that answers at once (batches of 100): the engine's own cost per
// item, pre-check, keys, outcomes and read-back included (target under
// 50 µs an item).
func BenchmarkUploadOverheadPerItem(b *testing.B) {
	ctx := context.Background()
	eng, db, _ := noopEngine(b, 100)
	const per = 1000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		recs := make([]connectors.Record, per)
		for j := range recs {
			recs[j] = customer(fmt.Sprintf("C%03d-%04d", i, j))
		}
		if _, err := db.PutRecords(ctx, storage.OriginLocal, recs); err != nil {
			b.Fatal(err)
		}
		if err := eng.Refresh(ctx, "noop"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := eng.Upload(ctx, "noop", nil, nil)
		if err != nil || rep.Moved() != per {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*per), "µs/item")
}

// BenchmarkRefresh100Of100k finds 100 changed invoices in a workspace of
// 20,000 customers and 80,000 five-line invoices, all exported (target
// under 50 ms). It also reports the process's memory with that workspace.
func BenchmarkRefresh100Of100k(b *testing.B) {
	ctx := context.Background()
	eng, db, def := noopEngine(b, 100)
	for start := 0; start < 20000; start += 5000 {
		recs := make([]connectors.Record, 5000)
		for i := range recs {
			recs[i] = customer(fmt.Sprintf("C%05d", start+i))
		}
		if _, err := db.PutRecords(ctx, storage.OriginLocal, recs); err != nil {
			b.Fatal(err)
		}
	}
	for start := 0; start < 80000; start += 5000 {
		recs := make([]connectors.Record, 5000)
		for i := range recs {
			recs[i] = benchInvoice(fmt.Sprintf("INV-%06d", start+i), fmt.Sprintf("C%05d", (start+i)%20000), 1+i%28)
		}
		if _, err := db.PutRecords(ctx, storage.OriginLocal, recs); err != nil {
			b.Fatal(err)
		}
	}
	if st, err := eng.refresh(ctx, def); err != nil || st.Queued != 100000 {
		b.Fatal(st, err)
	}
	// Everything reaches the package once, as after the first sync.
	if rep, err := eng.Upload(ctx, "noop", nil, nil); err != nil || rep.Moved() != 100000 {
		b.Fatal(err, rep.Moved())
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapPeak := ms.HeapSys // what the heap grew to during the first sync
	runtime.GC()
	runtime.ReadMemStats(&ms)
	rss, rssKnown := residentMB()
	fileMB := 0.0
	if info, err := os.Stat(filepath.Join(db.Dir(), storage.FileName)); err == nil {
		fileMB = float64(info.Size()) / (1 << 20)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		recs := make([]connectors.Record, 100)
		for j := range recs {
			n := (i*100 + j*797) % 80000
			recs[j] = benchInvoice(fmt.Sprintf("INV-%06d", n), fmt.Sprintf("C%05d", n%20000), 1+n%28)
			recs[j].Document.Reference = fmt.Sprintf("round %d", i)
		}
		if res, err := db.PutRecords(ctx, storage.OriginLocal, recs); err != nil || res.Updated != 100 {
			b.Fatal(res, err)
		}
		b.StartTimer()
		st, err := eng.refresh(ctx, def)
		if err != nil || st.Scanned != 100 || st.Full {
			b.Fatal(st, err)
		}
	}
	// Memory as it stood with the whole book uploaded (ResetTimer clears
	// metrics, so they are reported here).
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(heapPeak)/(1<<20), "heap-peak-MB")
	b.ReportMetric(fileMB, "file-MB")
	if rssKnown {
		// Resident memory includes the pages of the memory-mapped
		// database file the run touched (file-backed, reclaimable).
		b.ReportMetric(rss, "rss-MB")
	}
}

// residentMB reads the process's resident set size where the system tells
// it (Linux).
func residentMB() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}
