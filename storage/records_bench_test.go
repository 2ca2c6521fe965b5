package storage

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// benchInvoices returns n invoices of 5 lines numbered from start.
func benchInvoices(start, n int) []connectors.Record {
	out := make([]connectors.Record, n)
	for i := range n {
		out[i] = wsInvoice(fmt.Sprintf("INV-%07d", start+i), fmt.Sprintf("C%05d", (start+i)%5000), 1+(start+i)%28, 5)
	}
	return out
}

// BenchmarkPutRecordsInvoices feeds 5-line invoices in batches of 1,000, as
// a CSV import does; the target is 10,000 invoices (50,000 lines) a second.
func BenchmarkPutRecordsInvoices(b *testing.B) {
	ctx := context.Background()
	db, _ := openWorkspace(b)
	const batch = 1000
	batches := make([][]connectors.Record, 8)
	for i := range batches {
		batches[i] = benchInvoices(i*batch, batch)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		// Alternate content so every put really writes.
		recs := batches[i%len(batches)]
		for j := range recs {
			recs[j].Document.Reference = strconv.Itoa(i)
		}
		res, err := db.PutRecords(ctx, OriginLocal, recs)
		if err != nil {
			b.Fatal(err)
		}
		if res.Unchanged != 0 {
			b.Fatalf("unchanged %d", res.Unchanged)
		}
		n += len(recs)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)/sec, "invoices/s")
	b.ReportMetric(float64(n*5)/sec, "lines/s")
}

// BenchmarkPutRecordsUnchanged re-imports the same 1,000 invoices: the
// no-op path (encode, hash, compare).
func BenchmarkPutRecordsUnchanged(b *testing.B) {
	ctx := context.Background()
	db, _ := openWorkspace(b)
	recs := benchInvoices(0, 1000)
	if _, err := db.PutRecords(ctx, OriginLocal, recs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := db.PutRecords(ctx, OriginLocal, recs)
		if err != nil || res.Unchanged != len(recs) {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "invoices/s")
}

// fillWorkspace puts 20,000 customers and 80,000 five-line invoices.
func fillWorkspace(tb testing.TB, db *DB) {
	tb.Helper()
	ctx := context.Background()
	for start := 0; start < 20000; start += 5000 {
		recs := make([]connectors.Record, 5000)
		for i := range recs {
			recs[i] = wsCustomer(fmt.Sprintf("C%05d", start+i), "Customer")
		}
		if _, err := db.PutRecords(ctx, OriginLocal, recs); err != nil {
			tb.Fatal(err)
		}
	}
	for start := 0; start < 80000; start += 5000 {
		if _, err := db.PutRecords(ctx, OriginLocal, benchInvoices(start, 5000)); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkChangedSince100Of100k walks the 100 latest changes of a
// 100,000-record workspace.
func BenchmarkChangedSince100Of100k(b *testing.B) {
	ctx := context.Background()
	db, _ := openWorkspace(b)
	fillWorkspace(b, db)
	last, _ := db.LastSeq(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if err := db.ChangedSince(ctx, last-100, func(RecordHead) error { n++; return nil }); err != nil || n != 100 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkWorkspaceMemory100k reports the memory held with 100,000 records
// in the workspace after filling it and walking every record once (target:
// under 300 MB resident).
func BenchmarkWorkspaceMemory100k(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		db, _ := openWorkspace(b)
		fillWorkspace(b, db)
		n := 0
		for _, t := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices} {
			if err := db.ListRecords(ctx, t, func(StoredRecord) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		if n != 100000 {
			b.Fatalf("%d records", n)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
		if rss, ok := residentMB(); ok {
			b.ReportMetric(rss, "rss-MB")
		}
		info, err := os.Stat(db.bolt.Path())
		if err == nil {
			b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
		}
	}
}

// residentMB reads the process's resident set size where the system
// tells it (Linux).
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
