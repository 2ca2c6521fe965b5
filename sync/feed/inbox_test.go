package feed

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// dedupSink stores records by type and code and recognises a record it
// already holds by its content, as the workspace does with fingerprints.
type dedupSink struct {
	mu      stdsync.Mutex
	records map[string]string
	origins []string
	fail    error
}

func newDedupSink() *dedupSink { return &dedupSink{records: map[string]string{}} }

func (s *dedupSink) PutRecords(_ context.Context, origin string, recs []connectors.Record) (Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return Stored{}, s.fail
	}
	s.origins = append(s.origins, origin)
	var st Stored
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return st, err
		}
		key := string(r.Type) + "/" + r.Code()
		prev, ok := s.records[key]
		switch {
		case !ok:
			st.Added++
		case prev != string(b):
			st.Updated++
		default:
			st.Unchanged++
		}
		s.records[key] = string(b)
	}
	return st, nil
}

func (s *dedupSink) has(typ connectors.RecordType, code string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.records[string(typ)+"/"+code]
	return ok
}

type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

var clockStart = time.Date(2026, 11, 23, 10, 15, 0, 0, time.UTC)

func newTestInbox(t *testing.T) (*Inbox, *testClock) {
	t.Helper()
	clock := &testClock{now: clockStart}
	in := NewInbox(filepath.Join(t.TempDir(), InboxFolder), Options{})
	in.Now = clock.Now
	in.Logger = slog.New(slog.DiscardHandler)
	if err := os.MkdirAll(in.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return in, clock
}

// drop writes a file into the inbox with the given modification time.
func drop(t *testing.T, in *Inbox, name, content string, mod time.Time) string {
	t.Helper()
	path := filepath.Join(in.Dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	return path
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

const (
	goodCustomers = "code,name\nC1,Emma Clarke\nC2,Acme Ltd\n"
	goodInvoices  = "code,party_code,date,description,unit_price\nINV-1,C1,2026-11-02,Beans,18\nINV-2,C2,2026-11-03,Kettle,65\n"
)

func TestInboxImportsInOrderAndMovesToProcessed(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	old := clock.now.Add(-time.Hour)
	drop(t, in, "invoices.csv", goodInvoices, old.Add(-time.Minute)) // older, yet read after customers
	drop(t, in, "customers.csv", goodCustomers, old)
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Name != "customers.csv" || outs[1].Name != "invoices.csv" {
		t.Fatalf("outcomes %+v", outs)
	}
	for _, o := range outs {
		if o.Disposition != Imported || o.Records != 2 || o.Stored.Added != 2 || o.Lines != 2 {
			t.Errorf("outcome %+v", o)
		}
		if filepath.Dir(o.Path) != filepath.Join(in.Dir, ProcessedFolder) {
			t.Errorf("%s is at %s", o.Name, o.Path)
		}
	}
	if got := listDir(t, in.Dir); len(got) != 0 {
		t.Errorf("inbox still holds %v", got)
	}
	if got := listDir(t, filepath.Join(in.Dir, ProcessedFolder)); !slices.Equal(got, []string{"customers.csv", "invoices.csv"}) {
		t.Errorf("processed holds %v", got)
	}
	if !slices.Equal(sink.origins, []string{"inbox:customers.csv", "inbox:invoices.csv"}) {
		t.Errorf("origins %v", sink.origins)
	}
}

func TestInboxReimportChangesNothingAndKeepsBothFiles(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	old := clock.now.Add(-time.Hour)
	drop(t, in, "customers.csv", goodCustomers, old)
	if _, err := in.ProcessOnce(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	before := len(sink.records)
	drop(t, in, "customers.csv", goodCustomers, old)
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Stored != (Stored{Unchanged: 2}) || len(sink.records) != before {
		t.Fatalf("second import: %+v, %d records stored", outs, len(sink.records))
	}
	wantName := "customers-20261123-101500.csv"
	if filepath.Base(outs[0].Path) != wantName {
		t.Errorf("clash renamed to %s, want %s", filepath.Base(outs[0].Path), wantName)
	}
	drop(t, in, "customers.csv", strings.Replace(goodCustomers, "Acme Ltd", "Acme Limited", 1), old)
	outs, err = in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Stored != (Stored{Updated: 1, Unchanged: 1}) {
		t.Errorf("changed file stored %+v", outs[0].Stored)
	}
	got := listDir(t, filepath.Join(in.Dir, ProcessedFolder))
	want := []string{"customers-20261123-101500-2.csv", "customers-20261123-101500.csv", "customers.csv"}
	if !slices.Equal(got, want) {
		t.Errorf("processed holds %v, want %v", got, want)
	}
}

func TestInboxFailedFileKeepsGoodRowsAndExplains(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	content := "code,party_code,date,description,unit_price\n" +
		"INV-1,C1,2026-11-02,Beans,18\n" +
		"INV-2,C2,31/02/2026,Kettle,65\n" +
		"INV-3,C2,2026-11-04,Grinder,189\n"
	drop(t, in, "sales_invoices.csv", content, clock.now.Add(-time.Hour))
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 {
		t.Fatalf("outcomes %+v", outs)
	}
	o := outs[0]
	if o.Disposition != Failed || o.Records != 2 || o.Stored.Added != 2 || len(o.Problems) != 2 {
		t.Fatalf("outcome %+v", o)
	}
	if !sink.has(connectors.SalesInvoices, "INV-1") || !sink.has(connectors.SalesInvoices, "INV-3") || sink.has(connectors.SalesInvoices, "INV-2") {
		t.Errorf("stored %v", sink.records)
	}
	wantPath := filepath.Join(in.Dir, FailedFolder, "sales_invoices.csv")
	if o.Path != wantPath || o.ErrorsPath != wantPath+ErrorsSuffix {
		t.Errorf("paths %s / %s", o.Path, o.ErrorsPath)
	}
	report, err := os.ReadFile(o.ErrorsPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"LedgerLink could not import everything in sales_invoices.csv (checked 2026-11-23 10:15:00).",
		"Data lines read: 3. Stored: 2 sales invoices (2 new, 0 changed, 0 already up to date).",
		"line 3, column 'date': '31/02/2026' is not a real date",
		"line 3: sales invoice INV-2 (line 3) was not imported",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("errors file lacks %q:\n%s", want, report)
		}
	}
	if got := listDir(t, in.Dir); len(got) != 0 {
		t.Errorf("inbox still holds %v", got)
	}
}

func TestInboxWholeFileFailures(t *testing.T) {
	tests := []struct{ name, file, content, want string }{
		{"unknown type", "export.csv", "code,name\nC1,A\n", "customers.csv, suppliers.csv"},
		{"not a readable kind", "customers.xlsx", "PK\x03\x04", "LedgerLink reads .csv, .tsv, .txt and .json files"},
		{"missing column", "customers.csv", "code\nC1\n", "has no 'name' column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, clock := newTestInbox(t)
			sink := newDedupSink()
			drop(t, in, tt.file, tt.content, clock.now.Add(-time.Hour))
			outs, err := in.ProcessOnce(context.Background(), sink)
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 1 || outs[0].Disposition != Failed || !strings.Contains(outs[0].Error, tt.want) {
				t.Fatalf("outcomes %+v", outs)
			}
			report, err := os.ReadFile(filepath.Join(in.Dir, FailedFolder, tt.file+ErrorsSuffix))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(report), tt.want) || !strings.Contains(string(report), "Nothing from this file was imported") {
				t.Errorf("errors file:\n%s", report)
			}
			if len(sink.origins) != 0 {
				t.Errorf("sink was called: %v", sink.origins)
			}
		})
	}
}

func TestInboxWaitsForFilesBeingWritten(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	drop(t, in, "customers.csv", goodCustomers, clock.now.Add(-time.Second))
	// A writer whose clock runs ahead: the modification time is in the future.
	drop(t, in, "suppliers.csv", "code,name\nS1,PackRight\n", clock.now.Add(time.Hour))
	for _, name := range []string{"invoices.csv.part", "invoices.csv.tmp", ".hidden.csv", "~$customers.csv", "quotes.csv~", "old.csv" + ErrorsSuffix} {
		drop(t, in, name, goodInvoices, clock.now.Add(-time.Hour))
	}
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 0 {
		t.Fatalf("read files still being written: %+v", outs)
	}
	clock.now = clock.now.Add(in.settle())
	outs, err = in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range outs {
		names = append(names, o.Name)
	}
	if !slices.Equal(names, []string{"customers.csv", "suppliers.csv"}) {
		t.Fatalf("read %v, want customers.csv and suppliers.csv", names)
	}
	left := listDir(t, in.Dir)
	if len(left) != 6 {
		t.Errorf("temporary and hidden files should stay untouched, inbox holds %v", left)
	}
}

func TestInboxWaitsWhileAFileKeepsChanging(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	future := clock.now.Add(time.Hour)
	path := drop(t, in, "customers.csv", "code,name\n", future)
	if outs, _ := in.ProcessOnce(context.Background(), sink); len(outs) != 0 {
		t.Fatalf("read too early: %+v", outs)
	}
	clock.now = clock.now.Add(in.settle() - time.Second)
	if err := os.WriteFile(path, []byte(goodCustomers), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, future.Add(time.Second), future.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	clock.now = clock.now.Add(2 * time.Second)
	if outs, _ := in.ProcessOnce(context.Background(), sink); len(outs) != 0 {
		t.Fatalf("read while it was still changing: %+v", outs)
	}
	clock.now = clock.now.Add(in.settle())
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil || len(outs) != 1 || outs[0].Records != 2 {
		t.Fatalf("outcomes %+v, %v", outs, err)
	}
}

func TestInboxKeepsFileWhenStorageFails(t *testing.T) {
	in, clock := newTestInbox(t)
	sink := newDedupSink()
	sink.fail = errors.New("disk full")
	drop(t, in, "customers.csv", goodCustomers, clock.now.Add(-time.Hour))
	outs, err := in.ProcessOnce(context.Background(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Disposition != Retry || !strings.Contains(outs[0].Error, "disk full") {
		t.Fatalf("outcomes %+v", outs)
	}
	if got := listDir(t, in.Dir); !slices.Equal(got, []string{"customers.csv"}) {
		t.Fatalf("inbox holds %v", got)
	}
	sink.fail = nil
	outs, err = in.ProcessOnce(context.Background(), sink)
	if err != nil || len(outs) != 1 || outs[0].Disposition != Imported || outs[0].Stored.Added != 2 {
		t.Fatalf("retry: %+v, %v", outs, err)
	}
}

func TestInboxStopsWhenCancelled(t *testing.T) {
	in, clock := newTestInbox(t)
	drop(t, in, "customers.csv", goodCustomers, clock.now.Add(-time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.ProcessOnce(ctx, newDedupSink()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := listDir(t, in.Dir); !slices.Equal(got, []string{"customers.csv"}) {
		t.Fatalf("inbox holds %v", got)
	}
}

func TestInboxFolderProblem(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in := NewInbox(file, Options{})
	if _, err := in.ProcessOnce(context.Background(), newDedupSink()); err == nil || !strings.Contains(err.Error(), "inbox folder") {
		t.Fatalf("err = %v", err)
	}
}

func TestWatchImportsUntilCancelled(t *testing.T) {
	in := NewInbox(filepath.Join(t.TempDir(), InboxFolder), Options{})
	in.Logger = slog.New(slog.DiscardHandler)
	if err := os.MkdirAll(in.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	drop(t, in, "customers.csv", goodCustomers, time.Now().Add(-time.Hour))
	sink := newDedupSink()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan FileOutcome, 1)
	in.Notify = func(o FileOutcome) {
		got <- o
		cancel()
	}
	done := make(chan error, 1)
	go func() { done <- in.Watch(ctx, sink, time.Millisecond) }()
	select {
	case o := <-got:
		if o.Name != "customers.csv" || o.Disposition != Imported {
			t.Errorf("outcome %+v", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not import the file")
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Watch returned %v", err)
	}
	if !sink.has(connectors.Customers, "C2") {
		t.Error("records not stored")
	}
}

func TestImportFileLeavesFileInPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(path, []byte(goodCustomers+"C3,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sink := newDedupSink()
	out, err := ImportFile(context.Background(), path, sink, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Disposition != Failed || out.Records != 2 || len(out.Problems) != 1 || out.Path != path || sink.origins[0] != "import:customers.csv" {
		t.Fatalf("outcome %+v origins %v", out, sink.origins)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file moved: %v", err)
	}
	bad := filepath.Join(dir, "export.csv")
	if err := os.WriteFile(bad, []byte(goodCustomers), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportFile(context.Background(), bad, sink, Options{}); !errors.Is(err, ErrFile) {
		t.Fatalf("err = %v, want ErrFile", err)
	}
	if _, err := ImportFile(context.Background(), filepath.Join(dir, "missing.csv"), sink, Options{}); err == nil {
		t.Fatal("a missing file should be an error")
	}
}
