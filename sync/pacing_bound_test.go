package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
)

// TestBatchSendsBounded counts how often one batch reaches the package
// through the engine and the module's pacer when the package never takes
// it: DefaultAttempts sends in all, whatever the failure, and the records
// stay pending.
func TestBatchSendsBounded(t *testing.T) {
	always := func(err error) []error {
		errs := make([]error, 50)
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	tests := []struct {
		name   string
		before []error // faults before the package acts
		after  []error // faults after it acted (the reply lost)
		// idempotent says the package deduplicates on the keys.
		idempotent bool
		sends      int
		lookups    int
	}{
		{"always temporary", always(fmt.Errorf("%w: 503", connectors.ErrTemporary)), nil, true, DefaultAttempts, 0},
		{"always rate-limited", always(&connectors.RateLimitError{RetryAfter: 5 * time.Second}), nil, true, DefaultAttempts, 0},
		// Without idempotency keys each resend is preceded by a lookup; the
		// package never holds the records, so each lookup sends them again.
		{"always temporary, no idempotency keys", always(fmt.Errorf("%w: reset", connectors.ErrTemporary)), nil, false, DefaultAttempts, DefaultAttempts - 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.def.Caps.IdempotencyKeys = tc.idempotent
			f.uploadAll(NewOnly)
			f.put(customer("C1"), customer("C2"))
			f.refresh()
			pacers := NewPacers(nil, PacingClock(f.clock.Now, f.sleep))
			fc := &faultConn{before: map[string][]error{"Write": slices.Clone(tc.before)}, after: map[string][]error{"Write": slices.Clone(tc.after)}}
			f.wrap = func(c connectors.Connection) connectors.Connection {
				fc.inner = c
				return pacers.Wrap(f.def, false, fc)
			}
			_, err := f.eng.Upload(f.ctx, mod, nil, nil)
			if err == nil {
				t.Fatal("the upload succeeded although the package never took the batch")
			}
			if fc.calls["Write"] != tc.sends || fc.calls["FindByCode"] != tc.lookups {
				t.Errorf("calls %v, want %d sends and %d lookups", fc.calls, tc.sends, tc.lookups)
			}
			if got := f.pending(); len(got) != 2 || f.ledger.Count(connectors.Customers) != 0 {
				t.Errorf("pending %v, in the package %d; want both still pending", got, f.ledger.Count(connectors.Customers))
			}
		})
	}
}

// TestLostReplyWithoutKeysIsLookedUp: a package without idempotency keys
// that took the batch but whose reply was lost is asked what arrived, and
// nothing is sent twice.
func TestLostReplyWithoutKeysIsLookedUp(t *testing.T) {
	f := newEngFixture(t)
	f.def.Caps.IdempotencyKeys = false
	f.uploadAll(NewOnly)
	f.put(customer("C1"), customer("C2"))
	f.refresh()
	pacers := NewPacers(nil, PacingClock(f.clock.Now, f.sleep))
	fc := &faultConn{after: map[string][]error{"Write": {fmt.Errorf("%w: timeout", connectors.ErrTemporary)}}}
	f.wrap = func(c connectors.Connection) connectors.Connection {
		fc.inner = c
		return pacers.Wrap(f.def, false, fc)
	}
	rep := f.upload()
	if !rep.OK() || fc.calls["Write"] != 1 || fc.calls["FindByCode"] != 1 || f.ledger.Count(connectors.Customers) != 2 {
		t.Fatalf("report %+v calls %v customers %d; want one send, one lookup, both once", rep, fc.calls, f.ledger.Count(connectors.Customers))
	}
	rows, err := f.db.Exported(f.ctx, mod, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Verified || r.RemoteID == "" {
			t.Errorf("%v exported as %+v, want linked and verified", r.Ref(), r)
		}
	}
}

// TestPacersKeepOneModuleState: the daily pause and the day's count belong
// to the module (and its Sandbox apart), across connections.
func TestPacersKeepOneModuleState(t *testing.T) {
	ft := newFakeTime()
	pacers := NewPacers(nil, PacingClock(ft.Now, ft.Sleep))
	def := connectors.Definition{Name: "books", Limits: connectors.Limits{PerMinute: 60, Concurrent: 2, PerDay: 3},
		Sandbox: &connectors.Sandbox{Limits: connectors.Limits{PerDay: 100}}}
	ctx := context.Background()
	first := &scripted{}
	for range 3 {
		if _, err := pacers.Wrap(def, false, first).Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A reconnect is a new connection behind the same pacer: the day's
	// allowance is spent, and the refusal says when it comes back.
	again := &scripted{}
	_, err := pacers.Wrap(def, false, again).Check(ctx)
	var rl *connectors.RateLimitError
	midnight := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	if !errors.As(err, &rl) || !rl.Daily || !rl.ResumeAt.Equal(midnight) || again.Calls() != 0 {
		t.Fatalf("fourth call of three a day = %v (%+v), %d calls reached the package", err, rl, again.Calls())
	}
	if at, ok := pacers.ResumeAt(def, false); !ok || !at.Equal(midnight) {
		t.Errorf("ResumeAt = %v %v", at, ok)
	}
	// The Sandbox is another organisation with its own limits.
	if _, err := pacers.Wrap(def, true, &scripted{}).Check(ctx); err != nil {
		t.Errorf("the Sandbox was paused by the real organisation's limit: %v", err)
	}
	if pacers.For(def, false) != pacers.For(def, false) || pacers.For(def, true) == pacers.For(def, false) {
		t.Error("one pacer per module and one per its Sandbox")
	}
	// Past midnight the allowance is back.
	ft.Advance(15 * time.Hour)
	if _, err := pacers.Wrap(def, false, again).Check(ctx); err != nil {
		t.Errorf("after midnight: %v", err)
	}
}

// TestTransportPacesEachRequest: with the module's Transport in use, every
// HTTP request takes a turn and counts against the day, and calls through
// Wrap only retry.
func TestTransportPacesEachRequest(t *testing.T) {
	ft := newFakeTime()
	pacers := NewPacers(nil, PacingClock(ft.Now, ft.Sleep))
	// A bucket of one refilled at 60 a minute: 61 in any minute, one a
	// second once the first has gone.
	def := connectors.Definition{Name: "books", Limits: connectors.Limits{PerMinute: 61, Burst: 1, PerDay: 5}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	hc := &http.Client{Transport: pacers.Transport(def, false, srv.Client().Transport)}
	// One Check making two requests.
	conn := pacers.Wrap(def, false, checkFunc(func(ctx context.Context) error {
		for range 2 {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
		}
		return nil
	}))
	ctx := context.Background()
	for range 2 {
		if _, err := conn.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Four requests, one a second after the first: three waits of a second.
	if got := ft.Sleeps(); !slices.Equal(got, []time.Duration{time.Second, time.Second, time.Second}) {
		t.Errorf("waits %v, want three of a second (one per request after the first)", got)
	}
	// The fifth request is the day's last; the sixth is refused before it
	// leaves, as the daily limit, and not retried.
	_, err := conn.Check(ctx)
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("third Check (requests 5 and 6 of 5 a day) = %v", err)
	}
}

// checkFunc is a connection whose Check runs a function.
type checkFunc func(ctx context.Context) error

func (f checkFunc) Check(ctx context.Context) (connectors.Identity, error) {
	return connectors.Identity{}, f(ctx)
}

// TestVerifyReadsBackWithFewCalls: what an upload sent is read back at the
// end, one listing per type when reading by ID would take several calls,
// by ID otherwise and for records exported too long ago to list.
func TestVerifyReadsBackWithFewCalls(t *testing.T) {
	tests := []struct {
		name      string
		customers int
		// before the verifying run, the records wait unverified this long.
		wait         time.Duration
		lists, reads int
	}{
		{"one batch is read by ID", 40, 0, 0, 1},
		// The reference ledger counts each page of a listing as a call.
		{"several batches are listed once", 140, 0, (140 + memory.DefaultPageSize - 1) / memory.DefaultPageSize, 0},
		{"old unverified records are read by ID", 140, 2 * listingWindow, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.uploadAll(NewOnly)
			for i := range tc.customers {
				f.put(customer(fmt.Sprintf("C%03d", i)))
			}
			f.refresh()
			if tc.wait > 0 {
				// The first run cannot read back; a later one does.
				f.wrap = func(c connectors.Connection) connectors.Connection {
					return &faultConn{inner: c, before: map[string][]error{"Get": {connectors.ErrTemporary}, "ListChanged": {connectors.ErrTemporary}}}
				}
				f.upload()
				f.wrap = nil
				f.clock.Add(tc.wait)
			}
			lists, reads := f.ledger.Calls(memory.MethodListChanged), f.ledger.Calls(memory.MethodGet)
			f.upload()
			lists, reads = f.ledger.Calls(memory.MethodListChanged)-lists, f.ledger.Calls(memory.MethodGet)-reads
			if lists != tc.lists || reads != tc.reads {
				t.Errorf("read back with %d listings and %d reads by ID, want %d and %d", lists, reads, tc.lists, tc.reads)
			}
			rows, err := f.db.Exported(f.ctx, mod, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if !r.Verified {
					t.Errorf("%v not verified", r.Ref())
				}
			}
			if len(rows) != tc.customers {
				t.Errorf("%d exported, want %d", len(rows), tc.customers)
			}
		})
	}
}
