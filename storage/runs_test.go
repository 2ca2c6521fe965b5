package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// runsClock is a settable clock for the database.
type runsClock struct {
	mu  stdsync.Mutex
	now time.Time
}

func (c *runsClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *runsClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// openRunsDB opens a fresh database with the given modules' buckets made
// directly, so these tests depend on nothing but the bucket layout.
func openRunsDB(t testing.TB, clock *runsClock, modules ...string) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketModules)
		if err != nil {
			return err
		}
		for _, m := range modules {
			if _, err := root.CreateBucketIfNotExists([]byte(m)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, dir
}

var runsNow = time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC)

func sampleRun(module string, started time.Time) RunRecord {
	return RunRecord{
		Module:   module,
		Trigger:  "scheduled",
		Started:  started,
		Finished: started.Add(90 * time.Second),
		Counts: []RunCount{
			{Direction: connectors.Mirror, Type: connectors.Customers, Created: 4, Updated: 2},
			{Direction: connectors.Upload, Type: connectors.SalesInvoices, Created: 7, Failed: 1},
		},
		Errors:     []string{"Bank Accounts could not be refreshed: the package did not answer."},
		ErrorsSaid: []string{`{"da":"Bankkonti kunne ikke opdateres.","en":"Bank Accounts could not be refreshed: the package did not answer."}`},
	}
}

func sameRun(a, b RunRecord) bool {
	return a.ID == b.ID && a.Module == b.Module && a.Trigger == b.Trigger &&
		a.Started.Equal(b.Started) && a.Finished.Equal(b.Finished) && a.ResumeAt.Equal(b.ResumeAt) &&
		a.Cancelled == b.Cancelled && slices.Equal(a.Counts, b.Counts) && slices.Equal(a.Errors, b.Errors) && slices.Equal(a.ErrorsSaid, b.ErrorsSaid)
}

func TestAddRunAndList(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, dir := openRunsDB(t, clock, "xero", "kashflow")
	ctx := context.Background()

	first := sampleRun("xero", runsNow.Add(-48*time.Hour))
	second := sampleRun("xero", runsNow.Add(-24*time.Hour))
	second.Trigger, second.Cancelled = "manual", true
	second.ResumeAt = runsNow.Add(3 * time.Hour)
	third := sampleRun("xero", runsNow.Add(-time.Hour))
	third.Counts, third.Errors, third.ErrorsSaid = nil, nil, nil
	other := sampleRun("kashflow", runsNow.Add(-30*time.Minute))

	var ids []uint64
	for _, r := range []RunRecord{first, second, third, other} {
		id, err := db.AddRun(ctx, r)
		if err != nil {
			t.Fatalf("AddRun: %v", err)
		}
		ids = append(ids, id)
	}
	if ids[0] == 0 || ids[1] <= ids[0] || ids[2] <= ids[1] {
		t.Errorf("IDs %v do not grow", ids)
	}
	first.ID, second.ID, third.ID, other.ID = ids[0], ids[1], ids[2], ids[3]

	tests := []struct {
		name   string
		module string
		since  time.Time
		want   []RunRecord
	}{
		{"all, newest first", "xero", time.Time{}, []RunRecord{third, second, first}},
		{"since is inclusive", "xero", second.Started, []RunRecord{third, second}},
		{"since after all", "xero", runsNow, nil},
		{"other module apart", "kashflow", time.Time{}, []RunRecord{other}},
	}
	check := func(t *testing.T, db *DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Runs(tt.module, tt.since)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %d runs, want %d", len(got), len(tt.want))
				}
				for i := range got {
					if !sameRun(got[i], tt.want[i]) {
						t.Errorf("run %d = %+v\nwant %+v", i, got[i], tt.want[i])
					}
				}
			})
		}
	}
	check(t, db)

	// The history survives closing and opening the database.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	check(t, db2)
}

func TestLastRun(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero")
	ctx := context.Background()
	if _, found, err := db.LastRun("xero"); found || err != nil {
		t.Errorf("LastRun on empty history = found %v, %v", found, err)
	}
	// Added out of start order: the latest start wins, not the latest added.
	late := sampleRun("xero", runsNow.Add(-time.Hour))
	early := sampleRun("xero", runsNow.Add(-5*time.Hour))
	idLate, err := db.AddRun(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddRun(ctx, early); err != nil {
		t.Fatal(err)
	}
	got, found, err := db.LastRun("xero")
	if err != nil || !found || got.ID != idLate || !got.Started.Equal(late.Started) {
		t.Errorf("LastRun = %+v, %v, %v; want run %d", got, found, err, idLate)
	}
	// Two runs with the same start: the later-added one is last.
	same := sampleRun("xero", late.Started)
	idSame, err := db.AddRun(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.LastRun("xero"); got.ID != idSame {
		t.Errorf("LastRun ID = %d, want %d", got.ID, idSame)
	}
}

func TestPruneRuns(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero", "kashflow")
	ctx := context.Background()
	ages := []int{500, 401, 399, 45, 29, 1} // days before now
	for _, d := range ages {
		if _, err := db.AddRun(ctx, sampleRun("xero", runsNow.AddDate(0, 0, -d))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddRun(ctx, sampleRun("kashflow", runsNow.AddDate(0, 0, -d))); err != nil {
			t.Fatal(err)
		}
	}
	// Each AddRun dropped what was already past RunRetentionDays: the
	// 500- and 401-day-old runs are gone.
	runs, err := db.Runs("xero", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 {
		t.Fatalf("%d runs after adding, want 4", len(runs))
	}

	tests := []struct {
		name    string
		days    int
		removed int
	}{
		{"default 400 days: nothing more", 0, 0},
		{"30 days", 30, 2},
		{"negative means default", -5, 0},
		{"1 day keeps the run exactly a day old", 1, 1},
	}
	left := len(runs)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := db.PruneRuns(ctx, "xero", tt.days)
			if err != nil {
				t.Fatal(err)
			}
			after, _ := db.Runs("xero", time.Time{})
			left -= tt.removed
			if n != tt.removed || len(after) != left {
				t.Errorf("removed %d leaving %d, want %d leaving %d", n, len(after), tt.removed, left)
			}
			cutoffDays := tt.days
			if cutoffDays <= 0 {
				cutoffDays = RunRetentionDays
			}
			for _, r := range after {
				if r.Started.Before(runsNow.AddDate(0, 0, -cutoffDays)) {
					t.Errorf("run from %v kept", r.Started)
				}
			}
		})
	}
	// A run added out of order behind a newer one is missed by AddRun's
	// cheap pass but found by PruneRuns.
	if _, err := db.AddRun(ctx, sampleRun("xero", runsNow.AddDate(0, 0, -450))); err != nil {
		t.Fatal(err)
	}
	if n, err := db.PruneRuns(ctx, "xero", 0); n != 1 || err != nil {
		t.Errorf("PruneRuns of the out-of-order run = %d, %v", n, err)
	}
	// The other module's history is untouched by pruning xero.
	if got, _ := db.Runs("kashflow", time.Time{}); len(got) != len(runs) {
		t.Errorf("kashflow has %d runs, want %d", len(got), len(runs))
	}
}

func TestAddRunPrunesOldHistory(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero")
	ctx := context.Background()
	old := runsNow.AddDate(0, 0, -(RunRetentionDays + 1))
	if _, err := db.AddRun(ctx, sampleRun("xero", old)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Runs("xero", time.Time{}); len(got) != 1 {
		t.Fatalf("the old run was not stored: %d", len(got))
	}
	if _, err := db.AddRun(ctx, sampleRun("xero", runsNow)); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Runs("xero", time.Time{})
	if len(got) != 1 || !got[0].Started.Equal(runsNow) {
		t.Errorf("after a new run the history is %+v; want only the new run", got)
	}
}

func TestRunsBadInput(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero")
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		call func() error
		is   error
		text string
	}{
		{"add to a module not installed", func() error { _, err := db.AddRun(ctx, sampleRun("quickbooks", runsNow)); return err }, ErrNotInstalled, "quickbooks"},
		{"list a module not installed", func() error { _, err := db.Runs("quickbooks", time.Time{}); return err }, ErrNotInstalled, ""},
		{"last of a module not installed", func() error { _, _, err := db.LastRun("quickbooks"); return err }, ErrNotInstalled, ""},
		{"prune a module not installed", func() error { _, err := db.PruneRuns(ctx, "quickbooks", 0); return err }, ErrNotInstalled, ""},
		{"no module", func() error { _, err := db.AddRun(ctx, sampleRun("", runsNow)); return err }, nil, "without a module"},
		{"no start", func() error { _, err := db.AddRun(ctx, sampleRun("xero", time.Time{})); return err }, nil, "without its start time"},
		{"cancelled add", func() error { _, err := db.AddRun(cancelled, sampleRun("xero", runsNow)); return err }, context.Canceled, ""},
		{"cancelled prune", func() error { _, err := db.PruneRuns(cancelled, "xero", 0); return err }, context.Canceled, ""},
		{"cancelled set last", func() error { return db.SetLastScheduled(cancelled, "xero", runsNow) }, context.Canceled, ""},
		{"last scheduled of a module not installed", func() error { _, err := db.LastScheduled("quickbooks"); return err }, ErrNotInstalled, ""},
		{"set last scheduled of a module not installed", func() error { return db.SetLastScheduled(ctx, "quickbooks", runsNow) }, ErrNotInstalled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v is not %v", err, tt.is)
			}
			if tt.text != "" && !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err %q lacks %q", err, tt.text)
			}
		})
	}
	if got, _ := db.Runs("xero", time.Time{}); len(got) != 0 {
		t.Errorf("refused adds stored %d runs", len(got))
	}
}

func TestRunsSkipsDamagedEntries(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero")
	ctx := context.Background()
	good, err := db.AddRun(ctx, sampleRun("xero", runsNow))
	if err != nil {
		t.Fatal(err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, "xero", subRuns)
		if err != nil {
			return err
		}
		return b.Put(u64(good+1), []byte("{not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.Runs("xero", time.Time{})
	var said *words.Error
	if !errors.As(err, &said) || said.Key != "storage.runs.damaged_skipped" || !strings.Contains(err.Error(), fmt.Sprintf("(numbers %d)", good+1)) {
		t.Errorf("err = %v", err)
	}
	if len(runs) != 1 || runs[0].ID != good {
		t.Errorf("runs = %+v; want the good one still listed", runs)
	}
	last, found, err := db.LastRun("xero")
	if !found || last.ID != good || err == nil {
		t.Errorf("LastRun = %+v, %v, %v", last, found, err)
	}
	// Later adds and prunes still work around it.
	if _, err := db.AddRun(ctx, sampleRun("xero", runsNow.Add(time.Hour))); err != nil {
		t.Errorf("AddRun next to a damaged entry: %v", err)
	}
}

func TestLastScheduled(t *testing.T) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(t, clock, "xero", "kashflow")
	ctx := context.Background()
	if at, err := db.LastScheduled("xero"); err != nil || !at.IsZero() {
		t.Errorf("unset LastScheduled = %v, %v", at, err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		london = time.FixedZone("BST", 3600)
	}
	at := time.Date(2026, 6, 1, 2, 0, 0, 123456789, london)
	if err := db.SetLastScheduled(ctx, "xero", at); err != nil {
		t.Fatal(err)
	}
	got, err := db.LastScheduled("xero")
	if err != nil || !got.Equal(at) {
		t.Errorf("LastScheduled = %v, %v; want %v", got, err, at)
	}
	if other, _ := db.LastScheduled("kashflow"); !other.IsZero() {
		t.Errorf("kashflow's LastScheduled = %v", other)
	}
	// Pruning all history keeps it.
	clock.Set(runsNow.AddDate(5, 0, 0))
	if _, err := db.PruneRuns(ctx, "xero", 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LastScheduled("xero"); !got.Equal(at) {
		t.Errorf("after pruning LastScheduled = %v", got)
	}
}

func BenchmarkRunsList(b *testing.B) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(b, clock, "xero")
	ctx := context.Background()
	for i := range 1000 { // about a year of three runs a day
		if _, err := db.AddRun(ctx, sampleRun("xero", runsNow.Add(-time.Duration(i)*8*time.Hour))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		runs, err := db.Runs("xero", runsNow.AddDate(0, 0, -30))
		if err != nil || len(runs) != 91 {
			b.Fatalf("%d runs, %v", len(runs), err)
		}
	}
}

func BenchmarkAddRun(b *testing.B) {
	clock := &runsClock{now: runsNow}
	db, _ := openRunsDB(b, clock, "xero")
	ctx := context.Background()
	r := sampleRun("xero", runsNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.AddRun(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
