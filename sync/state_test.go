package sync

import (
	"context"
	"errors"
	"fmt"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// stateLog records the states an engine publishes.
type stateLog struct {
	mu  stdsync.Mutex
	all []ModuleState
}

func (l *stateLog) add(st ModuleState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, st)
}

func (l *stateLog) states() []ModuleState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ModuleState(nil), l.all...)
}

// refusingConn refuses every call as a revoked sign-in would.
type refusingConn struct{ connectors.Connection }

func (refusingConn) Check(context.Context) (connectors.Identity, error) {
	return connectors.Identity{}, fmt.Errorf("token revoked: %w", connectors.ErrAuth)
}

func TestEnginePublishesARunsStagesAndCounts(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	var recs []connectors.Record
	for i := range 5 {
		code := fmt.Sprintf("C%d", i)
		recs = append(recs, customer(code), salesInvoice("INV"+code, code, i+1))
	}
	f.put(recs...)
	var log stateLog
	cancel := f.eng.Subscribe(log.add)
	rep, err := f.eng.Sync(f.ctx, mod, TriggerManual)
	if err != nil {
		t.Fatalf("Sync: %v (%+v)", err, rep)
	}
	cancel()
	got := log.states()
	if len(got) < 4 {
		t.Fatalf("only %d states published: %+v", len(got), got)
	}
	if first := got[0]; first.Activity != ActivitySyncing || first.Trigger != TriggerManual || first.Step == "" {
		t.Errorf("first state %+v, want syncing with a step and the trigger", first)
	}
	last := got[len(got)-1]
	if last.Activity != ActivityIdle || last.Finished == nil || last.Finished.Moved() != rep.Moved() {
		t.Errorf("last state %+v, want idle carrying the run's report", last)
	}
	// The upload says how far it got, rising to all 10 records, and no
	// other state carries a report.
	var sending []int
	for _, st := range got[:len(got)-1] {
		if st.Finished != nil {
			t.Errorf("a state before the end carries a report: %+v", st)
		}
		if st.Activity != ActivitySyncing {
			t.Errorf("state during the run is %q, want syncing", st.Activity)
		}
		if st.Total == 10 {
			sending = append(sending, st.Done)
		}
	}
	if len(sending) < 2 || sending[0] != 0 || sending[len(sending)-1] != 10 {
		t.Errorf("upload counts %v, want 0 rising to 10", sending)
	}
	for i := 1; i < len(sending); i++ {
		if sending[i] < sending[i-1] {
			t.Errorf("upload counts went back: %v", sending)
		}
	}
	if st := f.eng.State(mod); st.Activity != ActivityIdle {
		t.Errorf("State after the run = %+v, want idle", st)
	}
	// After cancel nothing more arrives.
	n := len(log.states())
	if _, err := f.eng.Upload(f.ctx, mod, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(log.states()) != n {
		t.Errorf("a cancelled subscriber still receives states")
	}
}

func TestEngineStateWaitingForSignInAndPaused(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.wrap = func(c connectors.Connection) connectors.Connection { return refusingConn{c} }
	var log stateLog
	defer f.eng.Subscribe(log.add)()
	_, err := f.eng.Sync(f.ctx, mod, TriggerScheduled)
	if !errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("Sync error = %v, want the refused sign-in", err)
	}
	if st := f.eng.State(mod); st.Activity != ActivityWaitingSignIn {
		t.Fatalf("state after a refused sign-in = %+v, want waiting for sign-in", st)
	}
	got := log.states()
	if end := got[len(got)-1]; end.Finished == nil || !errors.Is(end.Err, connectors.ErrAuth) {
		t.Errorf("the last state %+v does not carry the run's end and error", end)
	}

	tests := []struct {
		name   string
		paused bool
		wrap   bool
		want   Activity
	}{
		{"paused while waiting for sign-in stays waiting", true, true, ActivityWaitingSignIn},
		{"a run that works while paused rests paused", true, false, ActivityPaused},
		{"unpaused", false, false, ActivityIdle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.eng.SetPaused(tc.paused)
			if !tc.wrap {
				f.wrap = nil
				if _, err := f.eng.Sync(f.ctx, mod, TriggerManual); err != nil {
					t.Fatal(err)
				}
			}
			if st := f.eng.State(mod); st.Activity != tc.want {
				t.Errorf("state = %+v, want %s", st, tc.want)
			}
		})
	}
	if st := f.eng.State("never-run"); st.Activity != ActivityIdle {
		t.Errorf("a module never run is %q, want idle", st.Activity)
	}
}

func TestModuleStateWords(t *testing.T) {
	tests := []struct {
		st   ModuleState
		want string
	}{
		{ModuleState{Module: "m", Activity: ActivitySyncing, Step: "Sending records", Done: 3, Total: 9}, "m: Sending records, 3 of 9"},
		{ModuleState{Module: "m", Activity: ActivitySyncing, Step: "Connecting"}, "m: Connecting"},
		{ModuleState{Module: "m", Activity: ActivityWaitingSignIn}, "m: waiting for a new sign-in"},
		{ModuleState{Module: "m", Activity: ActivityPaused}, "m: automatic runs paused"},
		{ModuleState{Module: "m"}, "m: idle"},
	}
	for _, tc := range tests {
		if got := tc.st.String(); got != tc.want {
			t.Errorf("%+v = %q, want %q", tc.st, got, tc.want)
		}
	}
}

// TestEngineStateWhileThePackageAsksToWait: a rate-limit answer the pacer
// waits out shows as waiting until the time it ends, then syncing again.
func TestEngineStateWhileThePackageAsksToWait(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.put(customer("C1"))
	var slept []time.Duration
	f.wrap = func(c connectors.Connection) connectors.Connection {
		return Paced(c, PacingOptions{Now: f.clock.Now, Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			return ctx.Err()
		}})
	}
	f.ledger.RateLimitNext(30 * time.Second)
	var log stateLog
	defer f.eng.Subscribe(log.add)()
	if _, err := f.eng.Upload(f.ctx, mod, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != 30*time.Second {
		t.Fatalf("the pacer waited %v, want the 30 s asked for", slept)
	}
	var waited, resumed bool
	for _, st := range log.states() {
		switch {
		case st.Activity == ActivityWaitingRateLimit:
			waited = true
			if want := f.clock.Now().Add(30 * time.Second); !st.Until.Equal(want) {
				t.Errorf("waiting until %v, want %v", st.Until, want)
			}
		case waited && st.Activity == ActivitySyncing:
			resumed = true
		}
	}
	if !waited || !resumed {
		t.Errorf("states %+v: want waiting for the rate limit, then syncing again", log.states())
	}
}

// TestEmptyFirstReadMovesTheCursor: a first full read of an organisation
// with nothing in it still leaves a cursor, so the next run asks for
// changes only.
func TestEmptyFirstReadMovesTheCursor(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Mirror, connectors.Customers, NewOnly)
	if _, err := f.eng.Mirror(f.ctx, mod, []connectors.RecordType{connectors.Customers}); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.PullCursor(f.ctx, mod, connectors.Customers)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(-emptyReadSkew); !got.Equal(want) {
		t.Errorf("cursor after an empty first read = %v, want %v", got, want)
	}
}
