package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the machine's zone files

	"ledgerlink/connectors"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestNextRun(t *testing.T) {
	utc := time.UTC
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, utc) }
	daily := Timing{Mode: ModeDaily, Hour: 2}
	tests := []struct {
		name      string
		timing    Timing
		last, now time.Time
		want      time.Time
		ok        bool
	}{
		{"disabled", Timing{Mode: ModeDisabled, Hour: 2}, time.Time{}, at(2026, 3, 4, 10, 0), time.Time{}, false},
		{"invalid hour", Timing{Mode: ModeDaily, Hour: 24}, time.Time{}, at(2026, 3, 4, 10, 0), time.Time{}, false},
		{"invalid mode", Timing{Mode: "hourly", Hour: 2}, time.Time{}, at(2026, 3, 4, 10, 0), time.Time{}, false},

		{"daily, never run, after the hour", daily, time.Time{}, at(2026, 3, 4, 10, 0), at(2026, 3, 5, 2, 0), true},
		{"daily, never run, before the hour", daily, time.Time{}, at(2026, 3, 4, 1, 0), at(2026, 3, 4, 2, 0), true},
		{"daily, never run, on the hour", daily, time.Time{}, at(2026, 3, 4, 2, 0), at(2026, 3, 4, 2, 0), true},
		{"daily, ran last night", daily, at(2026, 3, 4, 2, 0), at(2026, 3, 4, 10, 0), at(2026, 3, 5, 2, 0), true},
		{"daily, missed tonight: due now", daily, at(2026, 3, 3, 2, 0), at(2026, 3, 4, 10, 0), at(2026, 3, 4, 2, 0), true},
		{"daily, off for days: one slot only", daily, at(2026, 2, 20, 2, 0), at(2026, 3, 4, 10, 0), at(2026, 2, 21, 2, 0), true},
		{"daily, caught up at 09:00: next is tomorrow night", daily, at(2026, 3, 4, 9, 0), at(2026, 3, 4, 9, 5), at(2026, 3, 5, 2, 0), true},
		{"daily, last run in the future counts as now", daily, at(2026, 3, 10, 2, 0), at(2026, 3, 4, 10, 0), at(2026, 3, 5, 2, 0), true},
		{"daily at midnight", Timing{Mode: ModeDaily, Hour: 0}, at(2026, 12, 31, 0, 0), at(2026, 12, 31, 5, 0), at(2027, 1, 1, 0, 0), true},
		{"daily with a future anchor waits for it", Timing{Mode: ModeDaily, Hour: 2, Anchor: connectors.NewDate(2026, 3, 10)},
			time.Time{}, at(2026, 3, 4, 10, 0), at(2026, 3, 10, 2, 0), true},
		{"test mode is daily", Timing{Mode: ModeTest, Hour: 3}, at(2026, 3, 4, 3, 0), at(2026, 3, 4, 10, 0), at(2026, 3, 5, 3, 0), true},

		// 2026-03-04 is a Wednesday; the default anchor is Monday 2024-01-01.
		{"weekly default Monday", Timing{Mode: ModeWeekly, Hour: 2}, time.Time{}, at(2026, 3, 4, 10, 0), at(2026, 3, 9, 2, 0), true},
		{"weekly, ran Monday", Timing{Mode: ModeWeekly, Hour: 2}, at(2026, 3, 9, 2, 0), at(2026, 3, 9, 8, 0), at(2026, 3, 16, 2, 0), true},
		{"weekly, caught up on Tuesday: next Monday", Timing{Mode: ModeWeekly, Hour: 2}, at(2026, 3, 10, 9, 0), at(2026, 3, 10, 9, 0), at(2026, 3, 16, 2, 0), true},
		{"weekly anchored Thursday", Timing{Mode: ModeWeekly, Hour: 22, Anchor: connectors.NewDate(2026, 1, 1)},
			at(2026, 3, 5, 22, 0), at(2026, 3, 6, 8, 0), at(2026, 3, 12, 22, 0), true},
		{"weekly anchored Thursday, missed", Timing{Mode: ModeWeekly, Hour: 22, Anchor: connectors.NewDate(2026, 1, 1)},
			at(2026, 2, 26, 22, 0), at(2026, 3, 9, 8, 0), at(2026, 3, 5, 22, 0), true},

		// Fortnightly by default: Mondays 784 and 798 days after 2024-01-01
		// (23 Feb and 9 Mar 2026); 2 Mar 2026 is the week between.
		{"fortnightly default", Timing{Mode: ModeFortnightly, Hour: 2}, time.Time{}, at(2026, 3, 2, 10, 0), at(2026, 3, 9, 2, 0), true},
		{"fortnightly, ran on the slot", Timing{Mode: ModeFortnightly, Hour: 2}, at(2026, 2, 23, 2, 0), at(2026, 2, 24, 2, 0), at(2026, 3, 9, 2, 0), true},
		{"fortnightly, future anchor is the first slot", Timing{Mode: ModeFortnightly, Hour: 2, Anchor: connectors.NewDate(2026, 4, 1)},
			time.Time{}, at(2026, 3, 2, 10, 0), at(2026, 4, 1, 2, 0), true},
		{"fortnightly, after a future anchor passed", Timing{Mode: ModeFortnightly, Hour: 2, Anchor: connectors.NewDate(2026, 4, 1)},
			at(2026, 4, 1, 2, 0), at(2026, 4, 1, 5, 0), at(2026, 4, 15, 2, 0), true},

		{"monthly default 1st", Timing{Mode: ModeMonthly, Hour: 2}, time.Time{}, at(2026, 3, 15, 10, 0), at(2026, 4, 1, 2, 0), true},
		{"monthly, ran on the 1st", Timing{Mode: ModeMonthly, Hour: 2}, at(2026, 12, 1, 2, 0), at(2026, 12, 1, 3, 0), at(2027, 1, 1, 2, 0), true},
		{"monthly 31st into February", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 1, 31)},
			at(2026, 1, 31, 2, 0), at(2026, 2, 1, 0, 0), at(2026, 2, 28, 2, 0), true},
		{"monthly 31st back to 31 March", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 1, 31)},
			at(2026, 2, 28, 2, 0), at(2026, 3, 1, 0, 0), at(2026, 3, 31, 2, 0), true},
		{"monthly 31st into April", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 1, 31)},
			at(2026, 3, 31, 2, 0), at(2026, 4, 1, 0, 0), at(2026, 4, 30, 2, 0), true},
		{"monthly 31st in a leap February", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 1, 31)},
			at(2028, 1, 31, 2, 0), at(2028, 2, 1, 0, 0), at(2028, 2, 29, 2, 0), true},
		{"monthly 30th in February", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2025, 11, 30)},
			at(2026, 1, 30, 2, 0), at(2026, 2, 1, 0, 0), at(2026, 2, 28, 2, 0), true},
		{"monthly, future anchor", Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 6, 15)},
			time.Time{}, at(2026, 3, 20, 0, 0), at(2026, 6, 15, 2, 0), true},
		{"monthly, missed months: one slot", Timing{Mode: ModeMonthly, Hour: 2},
			at(2025, 10, 1, 2, 0), at(2026, 3, 20, 0, 0), at(2025, 11, 1, 2, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NextRun(tt.timing, tt.last, tt.now, utc)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("NextRun = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNextRunDST(t *testing.T) {
	london := mustLoc(t, "Europe/London")
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name      string
		loc       *time.Location
		timing    Timing
		last, now time.Time
		want      time.Time
		gap       time.Duration // want - last, when set
	}{
		{"London spring: 02:00 stays 02:00, 23 hours later", london, Timing{Mode: ModeDaily, Hour: 2},
			time.Date(2026, 3, 28, 2, 0, 0, 0, london), time.Date(2026, 3, 28, 12, 0, 0, 0, london),
			time.Date(2026, 3, 29, 2, 0, 0, 0, london), 23 * time.Hour},
		{"London autumn: 02:00 stays 02:00, 25 hours later", london, Timing{Mode: ModeDaily, Hour: 2},
			time.Date(2026, 10, 24, 2, 0, 0, 0, london), time.Date(2026, 10, 24, 12, 0, 0, 0, london),
			time.Date(2026, 10, 25, 2, 0, 0, 0, london), 25 * time.Hour},
		// 01:00 does not exist in London on 29 March 2026: it runs at 02:00 BST.
		{"London skipped hour runs after the skip", london, Timing{Mode: ModeDaily, Hour: 1},
			time.Date(2026, 3, 28, 1, 0, 0, 0, london), time.Date(2026, 3, 28, 12, 0, 0, 0, london),
			time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), 24 * time.Hour},
		// 02:00 does not exist in New York on 8 March 2026: it runs at 03:00 EDT
		// (07:00 UTC), not at 01:00 EST.
		{"New York skipped hour runs after the skip", ny, Timing{Mode: ModeDaily, Hour: 2},
			time.Date(2026, 3, 7, 2, 0, 0, 0, ny), time.Date(2026, 3, 7, 12, 0, 0, 0, ny),
			time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), 24 * time.Hour},
		{"New York day after the skip is back at 02:00", ny, Timing{Mode: ModeDaily, Hour: 2},
			time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 12, 0, 0, 0, ny),
			time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC), 23 * time.Hour},
		// 01:00 happens twice in New York on 1 November 2026: one run only.
		{"New York repeated hour runs once", ny, Timing{Mode: ModeDaily, Hour: 1},
			time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC),  // 01:00 EDT, the first one
			time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), // 01:30 EST, the repeat
			time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC), 25 * time.Hour},
		{"New York repeated hour, never run: the first one", ny, Timing{Mode: ModeDaily, Hour: 1},
			time.Time{}, time.Date(2026, 11, 1, 0, 30, 0, 0, ny),
			time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC), 0},
		{"weekly across the change keeps the wall hour", london, Timing{Mode: ModeWeekly, Hour: 2},
			time.Date(2026, 3, 23, 2, 0, 0, 0, london), time.Date(2026, 3, 23, 9, 0, 0, 0, london),
			time.Date(2026, 3, 30, 2, 0, 0, 0, london), 7*24*time.Hour - time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NextRun(tt.timing, tt.last, tt.now, tt.loc)
			if !ok || !got.Equal(tt.want) {
				t.Fatalf("NextRun = %v (%v), want %v", got.In(tt.loc), ok, tt.want.In(tt.loc))
			}
			if tt.gap != 0 && got.Sub(tt.last) != tt.gap {
				t.Errorf("interval = %v, want %v", got.Sub(tt.last), tt.gap)
			}
			// Never twice in one local day: the slot after this one is on a
			// later date.
			again, _ := NextRun(tt.timing, got, got.Add(time.Minute), tt.loc)
			if again.In(tt.loc).YearDay() == got.In(tt.loc).YearDay() {
				t.Errorf("two runs on %s: %v and %v", got.In(tt.loc).Format(time.DateOnly), got.In(tt.loc), again.In(tt.loc))
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want Mode
		ok   bool
	}{
		{"daily", ModeDaily, true},
		{"Daily", ModeDaily, true},
		{"Disabled (manual only)", ModeDisabled, true},
		{"manual", ModeDisabled, true},
		{"Test mode", ModeTest, true},
		{"test", ModeTest, true},
		{" fortnightly ", ModeFortnightly, true},
		{"every other week", ModeFortnightly, true},
		{"Monthly", ModeMonthly, true},
		{"WEEKLY", ModeWeekly, true},
		{"hourly", ModeDisabled, false},
		{"", ModeDisabled, false},
	}
	for _, tt := range tests {
		got, err := ParseMode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, m := range Modes() {
		if got, err := ParseMode(m.Label()); err != nil || got != m {
			t.Errorf("label %q does not parse back: %v, %v", m.Label(), got, err)
		}
	}
}

func TestTimingSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     Timing
		errParts []string
	}{
		{"nothing set: daily at 2", nil, Timing{Mode: ModeDaily, Hour: 2}, nil},
		{"all set", map[string]string{"timing.mode": "monthly", "timing.hour": "23", "timing.anchor": "2026-01-31"},
			Timing{Mode: ModeMonthly, Hour: 23, Anchor: connectors.NewDate(2026, 1, 31)}, nil},
		{"hour as a time", map[string]string{"timing.mode": "weekly", "timing.hour": "03:00"}, Timing{Mode: ModeWeekly, Hour: 3}, nil},
		{"label", map[string]string{"timing.mode": "Disabled (manual only)"}, Timing{Mode: ModeDisabled, Hour: 2}, nil},
		{"bad mode is manual only", map[string]string{"timing.mode": "sometimes", "timing.hour": "4"},
			Timing{Mode: ModeDisabled, Hour: 4}, []string{`"sometimes" is not a timing option`, "Timing tab"}},
		{"bad hour keeps the default", map[string]string{"timing.mode": "daily", "timing.hour": "25"},
			Timing{Mode: ModeDaily, Hour: 2}, []string{`the hour "25" must be a whole number from 0 to 23`}},
		{"negative hour", map[string]string{"timing.hour": "-1"}, Timing{Mode: ModeDaily, Hour: 2}, []string{"from 0 to 23"}},
		{"bad anchor", map[string]string{"timing.anchor": "31/01/2026"}, Timing{Mode: ModeDaily, Hour: 2},
			[]string{`the starting day "31/01/2026" is not a date in the form YYYY-MM-DD`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TimingFromSettings(tt.settings)
			if (err != nil) != (tt.errParts != nil) {
				t.Fatalf("err = %v", err)
			}
			for _, p := range tt.errParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("err %q lacks %q", err, p)
				}
			}
			if got != tt.want {
				t.Errorf("Timing = %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("returned timing invalid: %v", err)
			}
			back, err := TimingFromSettings(got.Settings())
			if err != nil || back != got {
				t.Errorf("round trip = %+v, %v", back, err)
			}
		})
	}
}

func TestTimingString(t *testing.T) {
	tests := []struct {
		t    Timing
		want string
	}{
		{Timing{Mode: ModeDisabled, Hour: 2}, "Manual only"},
		{Timing{Mode: ModeDaily, Hour: 2}, "Daily at 02:00"},
		{Timing{Mode: ModeWeekly, Hour: 23}, "Weekly on Mondays at 23:00"},
		{Timing{Mode: ModeWeekly, Hour: 1, Anchor: connectors.NewDate(2026, 3, 5)}, "Weekly on Thursdays at 01:00"},
		{Timing{Mode: ModeMonthly, Hour: 2, Anchor: connectors.NewDate(2026, 1, 31)}, "Monthly on day 31 (or the month's last day) at 02:00"},
		{Timing{Mode: ModeFortnightly, Hour: 2}, "Every other Monday at 02:00, counting from 1 Jan 2024"},
		{Timing{Mode: ModeTest, Hour: 2}, "Test mode: daily at 02:00, and whenever asked"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func FuzzTimingFromSettings(f *testing.F) {
	f.Add("daily", "2", "")
	f.Add("monthly", "23", "2026-01-31")
	f.Add("Test mode", "02:00", "2024-02-29")
	f.Add("x", "99", "nope")
	f.Fuzz(func(t *testing.T, mode, hour, anchor string) {
		got, err := TimingFromSettings(map[string]string{TimingModeKey: mode, TimingHourKey: hour, TimingAnchorKey: anchor})
		if verr := got.Validate(); verr != nil {
			t.Fatalf("returned timing invalid (load error %v): %v", err, verr)
		}
		back, err := TimingFromSettings(got.Settings())
		if err != nil || back != got {
			t.Fatalf("round trip = %+v, %v; want %+v", back, err, got)
		}
		now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		if next, ok := NextRun(got, time.Time{}, now, time.UTC); ok && next.Before(now) {
			t.Errorf("a never-run schedule is due in the past: %v", next)
		}
	})
}

// fakeClock is a Clock whose time moves only when the test says.
type fakeClock struct {
	mu     stdsync.Mutex
	now    time.Time
	timers []*fakeTimer
	made   int
}

type fakeTimer struct {
	clock *fakeClock
	at    time.Time
	c     chan time.Time
	done  bool // fired or stopped
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: c.now.Add(d), c: make(chan time.Time, 1)}
	c.made++
	if d <= 0 {
		t.done = true
		t.c <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.done:
		case !t.at.After(c.now):
			t.done = true
			t.c <- c.now
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// AdvanceTo moves the clock to at.
func (c *fakeClock) AdvanceTo(at time.Time) { c.Advance(at.Sub(c.Now())) }

func (c *fakeClock) parked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.timers {
		if !t.done {
			return true
		}
	}
	return false
}

// runLog is a run function that records its calls and answers from a
// queue of outcomes; each call may be held until the test lets it go.
type runLog struct {
	mu      stdsync.Mutex
	calls   []runCall
	started chan runCall
	hold    chan struct{} // nil: return at once
	report  func(module string) Report
	err     error
}

type runCall struct {
	module  string
	trigger Trigger
	ctxDone bool
}

func newRunLog() *runLog { return &runLog{started: make(chan runCall, 64)} }

func (r *runLog) run(ctx context.Context, module string, trigger Trigger) (Report, error) {
	c := runCall{module: module, trigger: trigger}
	r.started <- c
	if r.hold != nil {
		select {
		case <-r.hold:
		case <-ctx.Done():
			c.ctxDone = true
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	rep := Report{Module: module, Trigger: trigger, Cancelled: c.ctxDone}
	if r.report != nil {
		rep = r.report(module)
		rep.Cancelled = c.ctxDone
	}
	if c.ctxDone {
		return rep, ctx.Err()
	}
	return rep, r.err
}

func (r *runLog) Calls() []runCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// lastStore is an in-memory LastRun/SetLastRun.
type lastStore struct {
	mu   stdsync.Mutex
	last map[string]time.Time
	sets int
}

func (l *lastStore) get(module string) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last[module], nil
}

func (l *lastStore) set(_ context.Context, module string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last[module] = at
	l.sets++
	return nil
}

func (l *lastStore) Get(module string) time.Time {
	t, _ := l.get(module)
	return t
}

type schedFixture struct {
	clock  *fakeClock
	runs   *runLog
	store  *lastStore
	sched  *Scheduler
	states chan State
	timing Timing
}

func newSchedFixture(t *testing.T, now time.Time, last map[string]time.Time, modules ...string) *schedFixture {
	t.Helper()
	fx := &schedFixture{
		clock:  &fakeClock{now: now},
		runs:   newRunLog(),
		store:  &lastStore{last: last},
		states: make(chan State, 256),
		timing: Timing{Mode: ModeDaily, Hour: 2},
	}
	if fx.store.last == nil {
		fx.store.last = map[string]time.Time{}
	}
	s, err := NewScheduler(SchedulerConfig{
		Run:        fx.runs.run,
		Modules:    func() ([]string, error) { return modules, nil },
		Timing:     func(string) (Timing, error) { return fx.timing, nil },
		LastRun:    fx.store.get,
		SetLastRun: fx.store.set,
		Clock:      fx.clock,
		Location:   time.UTC,
		Recheck:    time.Hour,
		OnState:    func(st State) { fx.states <- st },
	})
	if err != nil {
		t.Fatal(err)
	}
	fx.sched = s
	t.Cleanup(s.Stop)
	return fx
}

// settle waits until the scheduler has nothing left to do at the current
// fake time: no run in progress, no wake-up pending, the loop asleep on a
// timer (when started).
func (fx *schedFixture) settle(t *testing.T, started bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fx.sched.State().Idle() && (!started || (len(fx.sched.wake) == 0 && fx.clock.parked())) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scheduler never settled: %v", fx.sched.State())
		}
		time.Sleep(time.Millisecond)
	}
}

// nextStart waits for the run function to be called.
func (fx *schedFixture) nextStart(t *testing.T) runCall {
	t.Helper()
	select {
	case c := <-fx.runs.started:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no run started")
		return runCall{}
	}
}

func (fx *schedFixture) noStart(t *testing.T) {
	t.Helper()
	select {
	case c := <-fx.runs.started:
		t.Fatalf("unexpected run %+v", c)
	default:
	}
}

// waitWaiters waits until n callers wait on module's run.
func waitWaiters(t *testing.T, s *Scheduler, module string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		w := -1
		if r, ok := s.runs[module]; ok {
			w = r.waiters
		}
		s.mu.Unlock()
		if w == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiters on %s = %d, want %d", module, w, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSchedulerDailyAtTwo(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	// Last ran at 02:00 on the 2nd; it is now 10:00 on the 2nd.
	fx := newSchedFixture(t, day(2, 10), map[string]time.Time{"xero": day(2, 2)}, "xero")
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx.settle(t, true)
	fx.noStart(t)
	if next, ok := fx.sched.Next("xero"); !ok || !next.Equal(day(3, 2)) {
		t.Errorf("Next = %v, %v; want %v", next, ok, day(3, 2))
	}

	fx.clock.AdvanceTo(day(3, 1)) // the loop wakes at most hourly (Recheck)
	fx.settle(t, true)
	fx.noStart(t)

	fx.clock.AdvanceTo(day(3, 2))
	if c := fx.nextStart(t); c.module != "xero" || c.trigger != TriggerScheduled {
		t.Errorf("run = %+v, want xero scheduled", c)
	}
	fx.settle(t, true)
	if got := fx.store.Get("xero"); !got.Equal(day(3, 2)) {
		t.Errorf("last run stored %v, want %v", got, day(3, 2))
	}

	fx.clock.AdvanceTo(day(3, 23))
	fx.settle(t, true)
	fx.noStart(t)
	fx.clock.AdvanceTo(day(4, 2))
	if c := fx.nextStart(t); c.trigger != TriggerScheduled {
		t.Errorf("second night's run = %+v", c)
	}
	fx.settle(t, true)
	if n := len(fx.runs.Calls()); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

func TestSchedulerCatchUpOnce(t *testing.T) {
	// Last ran five nights ago; LedgerLink starts at 09:00.
	now := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	fx := newSchedFixture(t, now, map[string]time.Time{
		"xero":     now.AddDate(0, 0, -5).Add(-7 * time.Hour),
		"kashflow": now.Add(-7 * time.Hour), // ran at 02:00 today: nothing missed
	}, "xero", "kashflow")
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := fx.nextStart(t); c.module != "xero" || c.trigger != TriggerCatchUp {
		t.Errorf("run = %+v, want a xero catch-up", c)
	}
	fx.settle(t, true)
	fx.noStart(t)
	if got := fx.store.Get("xero"); !got.Equal(now) {
		t.Errorf("last run stored %v, want %v", got, now)
	}
	// The rest of the day passes with no more runs; 02:00 brings one each.
	for range 16 {
		fx.clock.Advance(time.Hour)
		fx.settle(t, true)
		fx.noStart(t)
	}
	fx.clock.AdvanceTo(time.Date(2026, 3, 8, 2, 0, 0, 0, time.UTC))
	got := []string{fx.nextStart(t).module, fx.nextStart(t).module}
	slices.Sort(got)
	if !slices.Equal(got, []string{"kashflow", "xero"}) {
		t.Errorf("runs at 02:00 = %v", got)
	}
	fx.settle(t, true)
	fx.noStart(t)
	if n := len(fx.runs.Calls()); n != 3 {
		t.Errorf("%d runs, want 3", n)
	}
}

func TestSchedulerLateWakeIsCatchUp(t *testing.T) {
	// The computer slept through 02:00 and wakes at 07:00: the timer fires
	// late and the run counts as a catch-up.
	start := time.Date(2026, 3, 7, 22, 0, 0, 0, time.UTC)
	fx := newSchedFixture(t, start, map[string]time.Time{"xero": time.Date(2026, 3, 7, 2, 0, 0, 0, time.UTC)}, "xero")
	fx.sched.cfg.Recheck = 24 * time.Hour
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx.settle(t, true)
	fx.clock.AdvanceTo(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC))
	if c := fx.nextStart(t); c.trigger != TriggerCatchUp {
		t.Errorf("late run trigger = %v, want %v", c.trigger, TriggerCatchUp)
	}
}

func TestSchedulerJoin(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil, "xero")
	fx.runs.hold = make(chan struct{})
	fx.runs.report = func(m string) Report {
		return Report{Module: m, Trigger: TriggerManual, Counts: []Count{{Direction: connectors.Upload, Type: connectors.Customers, Created: 3}}}
	}

	type answer struct {
		rep Report
		err error
	}
	answers := make(chan answer, 3)
	ask := func() {
		rep, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
		answers <- answer{rep, err}
	}
	go ask()
	fx.nextStart(t)
	if st := fx.sched.State(); !slices.Equal(st.Running, []string{"xero"}) || st.String() != "running xero" {
		t.Errorf("State = %+v (%s)", st, st)
	}
	go ask()
	go ask()
	// The joiners are waiting on the same run; let it finish.
	waitWaiters(t, fx.sched, "xero", 3)
	close(fx.runs.hold)
	var got []answer
	for range 3 {
		got = append(got, <-answers)
	}
	if n := len(fx.runs.Calls()); n != 1 {
		t.Fatalf("underlying runs = %d, want 1", n)
	}
	for i, a := range got {
		if a.err != nil || a.rep.Module != "xero" || len(a.rep.Counts) != 1 || a.rep.Counts[0].Created != 3 {
			t.Errorf("answer %d = %+v, %v", i, a.rep, a.err)
		}
	}
	// Each caller has its own copy of the report.
	got[0].rep.Counts[0].Created = 99
	if got[1].rep.Counts[0].Created != 3 {
		t.Error("joined callers share one Counts slice")
	}
	// The next request after the run is a new run.
	fx.runs.hold = nil
	if _, err := fx.sched.RunNow(context.Background(), "xero", ""); err != nil {
		t.Fatal(err)
	}
	if calls := fx.runs.Calls(); len(calls) != 2 || calls[1].trigger != TriggerManual {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSchedulerRunsModulesSeparately(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil)
	fx.runs.hold = make(chan struct{})
	errs := make(chan error, 2)
	for _, m := range []string{"xero", "kashflow"} {
		go func() {
			_, err := fx.sched.RunNow(context.Background(), m, TriggerManual)
			errs <- err
		}()
	}
	fx.nextStart(t)
	fx.nextStart(t)
	if st := fx.sched.State(); !slices.Equal(st.Running, []string{"kashflow", "xero"}) {
		t.Errorf("Running = %v", st.Running)
	}
	close(fx.runs.hold)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestSchedulerStopCancelsRuns(t *testing.T) {
	now := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	fx := newSchedFixture(t, now, map[string]time.Time{"xero": now.AddDate(0, 0, -2)}, "xero")
	fx.runs.hold = make(chan struct{}) // never released: only cancellation ends the run
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := fx.nextStart(t); c.trigger != TriggerCatchUp {
		t.Fatalf("run = %+v", c)
	}
	// A manual request joins the automatic run and sees it cancelled.
	joined := make(chan error, 1)
	go func() {
		rep, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
		if err == nil || !rep.Cancelled {
			err = fmt.Errorf("report %+v err %v; want a cancelled run", rep, err)
		} else {
			err = nil
		}
		joined <- err
	}()
	waitWaiters(t, fx.sched, "xero", 1)
	stopped := make(chan struct{})
	go func() { fx.sched.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
	if err := <-joined; err != nil {
		t.Error(err)
	}
	calls := fx.runs.Calls()
	if len(calls) != 1 || !calls[0].ctxDone {
		t.Errorf("calls = %+v; want one cancelled run", calls)
	}
	if fx.store.sets != 0 {
		t.Error("a cancelled automatic run was stored as done: it would not be caught up")
	}
	if _, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual); !errors.Is(err, ErrSchedulerStopped) {
		t.Errorf("RunNow after Stop err = %v", err)
	}
	if err := fx.sched.Start(context.Background()); !errors.Is(err, ErrSchedulerStopped) {
		t.Errorf("Start after Stop err = %v", err)
	}
	fx.sched.Stop() // twice is fine
}

func TestSchedulerStartContextCancel(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil, "xero")
	fx.runs.hold = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	if err := fx.sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fx.sched.Start(ctx); err == nil {
		t.Error("second Start succeeded")
	}
	done := make(chan error, 1)
	go func() {
		_, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
		done <- err
	}()
	fx.nextStart(t)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("run err = %v, want context.Canceled", err)
	}
	fx.sched.Stop()
	if _, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual); !errors.Is(err, ErrSchedulerStopped) {
		t.Errorf("RunNow after quit err = %v", err)
	}
}

func TestSchedulerCallerCancel(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil, "xero")
	fx.runs.hold = make(chan struct{})

	// The only caller of a manual run gives up: the run is cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := fx.sched.RunNow(ctx, "xero", TriggerManual)
		done <- err
	}()
	fx.nextStart(t)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	fx.settle(t, false)
	if calls := fx.runs.Calls(); len(calls) != 1 || !calls[0].ctxDone {
		t.Errorf("calls = %+v; want the abandoned run cancelled", calls)
	}

	// One of two callers gives up: the run carries on for the other.
	ctx1, cancel1 := context.WithCancel(context.Background())
	res := make(chan error, 2)
	go func() { _, err := fx.sched.RunNow(ctx1, "xero", TriggerManual); res <- err }()
	fx.nextStart(t)
	go func() { _, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual); res <- err }()
	waitWaiters(t, fx.sched, "xero", 2)
	cancel1()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("leaving caller err = %v", err)
	}
	close(fx.runs.hold)
	if err := <-res; err != nil {
		t.Errorf("staying caller err = %v", err)
	}
	if calls := fx.runs.Calls(); len(calls) != 2 || calls[1].ctxDone {
		t.Errorf("calls = %+v; want the second run finished", calls)
	}

	// Cancel stops a run by module.
	fx.runs.hold = make(chan struct{})
	go func() { _, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual); res <- err }()
	fx.nextStart(t)
	if !fx.sched.Cancel("xero") {
		t.Error("Cancel found no run")
	}
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run err = %v", err)
	}
	if fx.sched.Cancel("xero") {
		t.Error("Cancel found a run after it ended")
	}
}

func TestSchedulerPause(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	fx := newSchedFixture(t, day(2, 10), map[string]time.Time{"xero": day(2, 2)}, "xero")
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx.settle(t, true)
	fx.sched.Pause()
	if !fx.sched.Paused() || fx.sched.State().String() != "paused" {
		t.Errorf("State = %v", fx.sched.State())
	}
	fx.clock.AdvanceTo(day(3, 2))
	fx.settle(t, true)
	fx.clock.AdvanceTo(day(3, 8))
	fx.settle(t, true)
	fx.noStart(t)

	// Manual runs still work while paused.
	rep, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
	if err != nil || rep.Trigger != TriggerManual {
		t.Errorf("manual run while paused: %+v, %v", rep, err)
	}
	fx.nextStart(t)
	fx.settle(t, true)
	fx.noStart(t)

	// Resuming catches up the missed night once.
	fx.sched.Resume()
	if c := fx.nextStart(t); c.trigger != TriggerCatchUp {
		t.Errorf("after resume: %+v", c)
	}
	fx.settle(t, true)
	fx.noStart(t)
	if n := len(fx.runs.Calls()); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

func TestSchedulerObserver(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil, "xero")
	fx.runs.hold = make(chan struct{})
	var got []string
	next := func() {
		t.Helper()
		select {
		case st := <-fx.states:
			got = append(got, st.String())
		case <-time.After(10 * time.Second):
			t.Fatalf("no state after %q", got)
		}
	}
	fx.sched.Pause()
	next()
	done := make(chan error, 1)
	go func() {
		_, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
		done <- err
	}()
	next()
	close(fx.runs.hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	next() // published before RunNow returned
	fx.sched.Resume()
	fx.sched.Resume() // no change, no call
	next()
	if len(fx.states) != 0 {
		t.Errorf("extra state %v", <-fx.states)
	}
	want := []string{"paused", "running xero (automatic runs paused)", "paused", "idle"}
	if !slices.Equal(got, want) {
		t.Errorf("states = %q, want %q", got, want)
	}
}

func TestSchedulerResumesAfterDailyLimit(t *testing.T) {
	now := time.Date(2026, 3, 7, 2, 0, 0, 0, time.UTC)
	fx := newSchedFixture(t, now, map[string]time.Time{"xero": now.Add(-24 * time.Hour)}, "xero")
	resumeAt := now.Add(5 * time.Hour)
	first := true
	fx.runs.report = func(m string) Report {
		if first {
			first = false
			return Report{Module: m, ResumeAt: resumeAt}
		}
		return Report{Module: m}
	}
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	fx.nextStart(t)
	fx.settle(t, true)
	fx.clock.AdvanceTo(resumeAt.Add(-time.Minute))
	fx.settle(t, true)
	fx.noStart(t)
	fx.clock.AdvanceTo(resumeAt)
	if c := fx.nextStart(t); c.trigger != TriggerScheduled {
		t.Errorf("resumed run = %+v", c)
	}
	fx.settle(t, true)
	fx.clock.Advance(time.Hour)
	fx.settle(t, true)
	fx.noStart(t)
}

func TestSchedulerBadTimingSkipsModule(t *testing.T) {
	now := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	fx := newSchedFixture(t, now, map[string]time.Time{"a": now.AddDate(0, 0, -2), "b": now.AddDate(0, 0, -2)}, "a", "b")
	fx.sched.cfg.Timing = func(m string) (Timing, error) {
		if m == "a" {
			return Timing{}, errors.New("unreadable")
		}
		return Timing{Mode: ModeDaily, Hour: 2}, nil
	}
	if err := fx.sched.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := fx.nextStart(t); c.module != "b" {
		t.Errorf("run = %+v, want b only", c)
	}
	fx.settle(t, true)
	fx.noStart(t)
}

func TestSchedulerRecoversPanic(t *testing.T) {
	fx := newSchedFixture(t, time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC), nil)
	fx.sched.cfg.Run = func(context.Context, string, Trigger) (Report, error) { panic("boom") }
	_, err := fx.sched.RunNow(context.Background(), "xero", TriggerManual)
	if err == nil || !strings.Contains(err.Error(), "stopped unexpectedly (boom)") {
		t.Errorf("err = %v", err)
	}
}

func TestNewSchedulerNeedsFuncs(t *testing.T) {
	if _, err := NewScheduler(SchedulerConfig{}); err == nil {
		t.Error("NewScheduler accepted an empty config")
	}
}
