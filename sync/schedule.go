package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"time"

	"ledgerlink/connectors"

	"ledgerlink/words"
)

// Mode is how often automatic runs happen.
type Mode string

const (
	// ModeDisabled means manual runs only.
	ModeDisabled Mode = "disabled"
	ModeDaily    Mode = "daily"
	ModeWeekly   Mode = "weekly"
	// ModeFortnightly runs every other week on the anchor's weekday.
	ModeFortnightly Mode = "fortnightly"
	// ModeMonthly runs on the anchor's day of the month, or the month's
	// last day when it is shorter.
	ModeMonthly Mode = "monthly"
	// ModeTest schedules like Daily. It is the maintenance setting: extra
	// runs are asked for with RunNow, which every mode allows.
	ModeTest Mode = "test"
)

// Modes returns the modes in the order the Timing tab lists them.
func Modes() []Mode {
	return []Mode{ModeDisabled, ModeDaily, ModeWeekly, ModeFortnightly, ModeMonthly, ModeTest}
}

// Label is the mode's name on the Timing tab, in English; LabelIn says it
// in another language.
func (m Mode) Label() string { return m.LabelIn(english()) }

// LabelIn is the mode's name in w's language.
func (m Mode) LabelIn(w *words.Words) string {
	switch m {
	case ModeDisabled:
		return w.T("engine.timing.mode.disabled")
	case ModeDaily:
		return w.T("engine.timing.mode.daily")
	case ModeWeekly:
		return w.T("engine.timing.mode.weekly")
	case ModeFortnightly:
		return w.T("engine.timing.mode.fortnightly")
	case ModeMonthly:
		return w.T("engine.timing.mode.monthly")
	case ModeTest:
		return w.T("engine.timing.mode.test")
	}
	return string(m)
}

// ParseMode reads a mode by identifier or label, in any case ("Daily",
// "test mode", "manual", "off").
func ParseMode(s string) (Mode, error) {
	norm := strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch norm {
	case "manual", "manual only", "off", "none", "never":
		return ModeDisabled, nil
	case "test mode", "testing":
		return ModeTest, nil
	case "every day", "nightly":
		return ModeDaily, nil
	case "biweekly", "every two weeks", "every other week": // words:verbatim (modes as typed on the command line)
		return ModeFortnightly, nil
	}
	for _, m := range Modes() {
		if norm == string(m) || norm == strings.ToLower(m.Label()) {
			return m, nil
		}
	}
	return ModeDisabled, refusal(nil, "engine.timing.unknown_mode", "Value", strconv.Quote(s))
}

// Setting keys of the Timing tab.
const (
	TimingModeKey   = "timing.mode"
	TimingHourKey   = "timing.hour"
	TimingAnchorKey = "timing.anchor"
)

// DefaultHour is the night hour automatic runs use unless told otherwise.
const DefaultHour = 2

// defaultAnchor is the day schedules count from when none is chosen: a
// Monday and the first of a month, so weekly runs fall on Monday nights,
// fortnightly ones on every other Monday night and monthly ones on the 1st,
// the same on every computer.
var defaultAnchor = connectors.NewDate(2024, time.January, 1)

// Timing is when a module's automatic runs happen.
type Timing struct {
	Mode Mode
	// Hour is the hour of the night (0–23, local time) runs start.
	Hour int
	// Anchor is a day of the schedule: weekly and fortnightly runs fall on
	// its weekday, fortnightly ones in its week and every second week from
	// it, monthly ones on its day of the month. Zero means Monday 1 January
	// 2024. No run is scheduled before it.
	Anchor connectors.Date
}

// DefaultTiming is the timing of a module nobody has set: daily at 02:00.
func DefaultTiming() Timing { return Timing{Mode: ModeDaily, Hour: DefaultHour} }

// Validate reports a timing that cannot schedule anything sensible.
func (t Timing) Validate() error {
	if !slices.Contains(Modes(), t.Mode) {
		return refusal(nil, "engine.timing.unknown_mode", "Value", strconv.Quote(string(t.Mode)))
	}
	if t.Hour < 0 || t.Hour > 23 {
		return refusal(nil, "engine.timing.bad_hour", "Value", strconv.Itoa(t.Hour))
	}
	return nil
}

// String says the timing in English; Describe says it in another
// language.
func (t Timing) String() string { return t.Describe(english()) }

// Describe says the timing in words in w's language, for the Timing tab
// and the tray.
func (t Timing) Describe(w *words.Words) string {
	at := fmt.Sprintf("%02d:00", t.Hour)
	anchor := t.anchor()
	switch t.Mode {
	case ModeDisabled:
		return w.T("engine.timing.manual")
	case ModeDaily:
		return w.T("engine.timing.daily", "At", at)
	case ModeTest:
		return w.T("engine.timing.test", "At", at)
	case ModeWeekly:
		return w.T("engine.timing.weekly", "Day", w.Weekday(anchor.Weekday()), "At", at)
	case ModeFortnightly:
		return w.T("engine.timing.fortnightly", "Day", w.Weekday(anchor.Weekday()), "At", at, "From", longDate(w, anchor.Time))
	case ModeMonthly:
		return w.T("engine.timing.monthly", "Day", anchor.Day(), "At", at)
	}
	return string(t.Mode)
}

// longDate is the anchor day as the Timing tab writes it: "1 Jan 2024" in
// English, the language's own date elsewhere.
func longDate(w *words.Words, d time.Time) string {
	if w.Lang() == "en" {
		return d.Format("2 Jan 2006")
	}
	return w.Date(d)
}

func (t Timing) anchor() connectors.Date {
	if t.Anchor.IsZero() {
		return defaultAnchor
	}
	return t.Anchor
}

// Settings returns the timing as settings.
func (t Timing) Settings() map[string]string {
	out := map[string]string{
		TimingModeKey: string(t.Mode),
		TimingHourKey: strconv.Itoa(t.Hour),
	}
	if !t.Anchor.IsZero() {
		out[TimingAnchorKey] = t.Anchor.Format(time.DateOnly)
	} else {
		out[TimingAnchorKey] = ""
	}
	return out
}

// TimingFromSettings reads a module's timing. Missing keys take the
// defaults (daily at 02:00, default anchor).
//
// On error the returned Timing is still the safe one to use: an unreadable
// mode means manual only (nothing runs unasked), an unreadable hour or day
// takes the default. The error says every entry that was wrong and what to
// do.
func TimingFromSettings(settings map[string]string) (Timing, error) {
	t := DefaultTiming()
	var problems words.Problems
	if v := strings.TrimSpace(settings[TimingModeKey]); v != "" {
		m, err := ParseMode(v)
		if err != nil {
			problems = append(problems, err)
		}
		t.Mode = m
	}
	if v := strings.TrimSpace(settings[TimingHourKey]); v != "" {
		h, err := parseHour(v)
		if err != nil {
			problems = append(problems, err)
		} else {
			t.Hour = h
		}
	}
	if v := strings.TrimSpace(settings[TimingAnchorKey]); v != "" {
		d, err := connectors.ParseDate(v)
		if err != nil {
			problems = append(problems, refusal(nil, "engine.timing.bad_anchor", "Value", strconv.Quote(v)))
		} else {
			t.Anchor = d
		}
	}
	if len(problems) > 0 {
		return t, refusal(problems, "engine.timing.saved_invalid")
	}
	return t, nil
}

// parseHour reads "2", "02", "02:00" or "2am"-less plain hours.
func parseHour(v string) (int, error) {
	s := strings.TrimSuffix(strings.TrimSpace(v), ":00")
	h, err := strconv.Atoi(s)
	if err != nil || h < 0 || h > 23 {
		return 0, refusal(nil, "engine.timing.bad_hour", "Value", strconv.Quote(v))
	}
	return h, nil
}

// NextRun returns when the next automatic run is due, given the start of the
// last automatic run (zero if there has been none) and the time now, with
// hours read in loc (nil means local time). ok is false when nothing is
// scheduled (manual only, or an invalid timing).
//
// The answer is the first slot after last. When that is not after now, a run
// was missed and is due at once: only one, however many slots went by,
// because after it runs, last moves past them all. With no last run the
// answer is the first slot at or after now, so a new module does not run
// the moment it is set up. A last run in the future (the clock was put
// back) counts as now.
//
// Slots are wall-clock times: across a DST change a daily run stays at its
// hour (23 or 25 hours apart). An hour the spring change skips runs at the
// first moment after the skip; an hour the autumn change repeats runs once,
// at its first occurrence.
func NextRun(t Timing, last, now time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.Local
	}
	if t.Validate() != nil || t.Mode == ModeDisabled {
		return time.Time{}, false
	}
	if last.After(now) {
		last = now
	}
	due := func(s time.Time) bool {
		if last.IsZero() {
			return !s.Before(now)
		}
		return s.After(last)
	}
	ref := last
	if ref.IsZero() {
		ref = now
	}
	ref = ref.In(loc)
	refDay := dayNumber(ref.Year(), ref.Month(), ref.Day())
	anchor := t.anchor()
	anchorDay := dayNumber(anchor.Year(), anchor.Month(), anchor.Day())

	switch t.Mode {
	case ModeMonthly:
		month := max(monthNumber(ref.Year(), ref.Month()), monthNumber(anchor.Year(), anchor.Month()))
		for range 3 { // the slot is in ref's month or the next one
			y, m := month/12, time.Month(month%12+1)
			d := min(anchor.Day(), daysIn(y, m))
			if s := slotAt(y, m, d, t.Hour, loc); due(s) {
				return s, true
			}
			month++
		}
	default:
		period := 1
		switch t.Mode {
		case ModeWeekly:
			period = 7
		case ModeFortnightly:
			period = 14
		}
		k := max(floorDiv(refDay-anchorDay, period), 0)
		for range 3 { // the slot is on ref's period or the next one
			y, m, d := dayDate(anchorDay + k*period)
			if s := slotAt(y, m, d, t.Hour, loc); due(s) {
				return s, true
			}
			k++
		}
	}
	return time.Time{}, false // not reached for a valid timing
}

// slotAt is hour h on the given day in loc. A wall time the spring DST change
// skips becomes the first moment after the skip.
func slotAt(y int, m time.Month, d, h int, loc *time.Location) time.Time {
	s := time.Date(y, m, d, h, 0, 0, 0, loc)
	if s.Hour() == h && s.Day() == d {
		return s
	}
	// In a gap, time.Date read the wall time with the offset from one side
	// of the change. If the result shows a later wall time, it lies after
	// the change, which is where its zone starts; if earlier, before it,
	// where its zone ends. Either way that boundary is the moment wanted.
	wanted := time.Date(y, m, d, h, 0, 0, 0, time.UTC)
	shown := time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), 0, 0, time.UTC)
	start, end := s.ZoneBounds()
	if shown.After(wanted) && !start.IsZero() {
		return start
	}
	if shown.Before(wanted) && !end.IsZero() {
		return end
	}
	return s
}

// dayNumber counts days since 1 January 1970 for a calendar date.
func dayNumber(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func dayDate(n int) (int, time.Month, int) {
	return time.Unix(int64(n)*86400, 0).UTC().Date()
}

func monthNumber(y int, m time.Month) int { return y*12 + int(m) - 1 }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Clock is the scheduler's time source; tests give a fake one.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer of a Clock.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) NewTimer(d time.Duration) Timer {
	return systemTimer{time.NewTimer(d)}
}

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }

// State is what the scheduler is doing, for the tray and the status bar.
type State struct {
	// Running lists the modules with a run in progress, sorted.
	Running []string
	// Paused is set while automatic runs are paused.
	Paused bool
}

// Idle reports whether no run is in progress.
func (s State) Idle() bool { return len(s.Running) == 0 }

// String says the state in a few words in English: "idle", "paused",
// "running fakebooks", "running fakebooks (automatic runs paused)";
// Describe says it in another language.
func (s State) String() string { return s.Describe(english()) }

// Describe says the state in a few words in w's language.
func (s State) Describe(w *words.Words) string {
	switch {
	case s.Idle() && s.Paused:
		return w.T("engine.scheduler.paused")
	case s.Idle():
		return w.T("engine.scheduler.idle")
	case s.Paused:
		return w.T("engine.scheduler.running_paused", "Modules", strings.Join(s.Running, ", "))
	}
	return w.T("engine.scheduler.running", "Modules", strings.Join(s.Running, ", "))
}

// ErrSchedulerStopped is returned for runs asked for after the scheduler
// stopped (LedgerLink is quitting).
var ErrSchedulerStopped = words.Errorf(nil, "engine.scheduler.stopped")

// RunFunc runs one module's sync: the engine's Sync.
type RunFunc func(ctx context.Context, module string, trigger Trigger) (Report, error)

// SchedulerConfig is what a Scheduler needs. Run, Modules and Timing are
// required.
type SchedulerConfig struct {
	Run RunFunc
	// Modules lists the modules to schedule (the installed, ready ones).
	Modules func() ([]string, error)
	// Timing reads a module's timing. A module whose timing cannot be read
	// gets no automatic runs until it can (logged as a warning); return the
	// safe Timing with a nil error to keep it running instead.
	Timing func(module string) (Timing, error)
	// LastRun and SetLastRun keep the start of each module's last
	// automatic run (storage's LastScheduled and SetLastScheduled), so a run
	// missed while the computer was off is caught up at the next start.
	// When nil, the scheduler only remembers them while it runs.
	LastRun    func(module string) (time.Time, error)
	SetLastRun func(ctx context.Context, module string, at time.Time) error
	// Clock nil means the system clock; Location nil means local time.
	Clock    Clock
	Location *time.Location
	// OnState is told every change of State, one call at a time and in
	// order, on the scheduler's goroutines. It must return quickly and must
	// not itself call RunNow, Cancel, Pause, Resume or Stop; a UI hands the
	// state on with fyne.Do.
	OnState func(State)
	Logger  *slog.Logger
	// Recheck is the longest the scheduler sleeps before reading modules
	// and timings again; zero means one minute. Reschedule wakes it early.
	Recheck time.Duration
	// CatchUpAfter is how late a run may start and still count as
	// scheduled rather than caught up; zero means five minutes.
	CatchUpAfter time.Duration
}

// Scheduler starts automatic runs on time and manual runs on request, at
// most one run per module at a time: a request for a module that is running
// joins that run. It is safe for concurrent use.
//
// What counts as the last run for the schedule is the start of the last
// automatic run that was not cancelled. Manual runs do not move the
// schedule. A run the package's daily limit paused (Report.ResumeAt) runs
// again when the limit lifts.
type Scheduler struct {
	cfg   SchedulerConfig
	clock Clock
	loc   *time.Location
	log   *slog.Logger

	base   context.Context // ends on Stop or when Start's ctx ends
	cancel context.CancelFunc
	wg     stdsync.WaitGroup
	wake   chan struct{}

	notifyMu  stdsync.Mutex // orders OnState calls
	published uint64        // sequence number of the last state told; under notifyMu

	mu       stdsync.Mutex
	started  bool
	stopped  bool
	paused   bool
	stopWhen func() bool
	runs     map[string]*schedRun
	last     map[string]time.Time // start of the last automatic run, once known
	// ended counts each module's finished runs, so a tick can tell that a
	// run ended between reading its last time and deciding to start one.
	ended  map[string]uint64
	resume map[string]time.Time // when a daily-limited module may run again
	seq    uint64               // counts state changes
}

// schedRun is one run in progress and, once done is closed, its outcome.
type schedRun struct {
	trigger Trigger
	auto    bool
	cancel  context.CancelFunc
	waiters int
	done    chan struct{}
	report  Report
	err     error
}

// NewScheduler checks cfg and returns a stopped Scheduler: manual runs work
// at once, automatic ones after Start.
func NewScheduler(cfg SchedulerConfig) (*Scheduler, error) {
	if cfg.Run == nil || cfg.Modules == nil || cfg.Timing == nil {
		return nil, errors.New("the scheduler needs a run function, a module list and a timing source") // words:log: a fault of the build
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = time.Minute
	}
	if cfg.CatchUpAfter <= 0 {
		cfg.CatchUpAfter = 5 * time.Minute
	}
	s := &Scheduler{
		cfg:    cfg,
		clock:  cfg.Clock,
		loc:    cfg.Location,
		log:    cfg.Logger,
		wake:   make(chan struct{}, 1),
		runs:   map[string]*schedRun{},
		last:   map[string]time.Time{},
		ended:  map[string]uint64{},
		resume: map[string]time.Time{},
	}
	if s.clock == nil {
		s.clock = SystemClock()
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.base, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Start begins automatic runs. When ctx ends, the scheduler stops as if
// Stop were called, except that nothing waits for the runs to finish; call
// Stop for that.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.base.Err() != nil {
		return ErrSchedulerStopped
	}
	if s.started {
		return errors.New("the scheduler is already running") // words:log: a fault of the build
	}
	s.started = true
	s.stopWhen = context.AfterFunc(ctx, s.cancel)
	s.wg.Add(1)
	go s.loop()
	return nil
}

// Stop cancels every run and the schedule, and waits for them to end. It
// may be called more than once.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	s.stopped = true
	stopWhen := s.stopWhen
	s.mu.Unlock()
	s.cancel()
	if stopWhen != nil {
		stopWhen()
	}
	s.wg.Wait()
}

// Pause stops automatic runs from starting; manual runs still work. A run
// in progress carries on.
func (s *Scheduler) Pause() { s.setPaused(true) }

// Resume lets automatic runs start again. A run missed while paused runs
// once, straight away.
func (s *Scheduler) Resume() { s.setPaused(false) }

func (s *Scheduler) setPaused(p bool) {
	s.mu.Lock()
	changed := s.paused != p
	s.paused = p
	st, seq := s.changedLocked()
	s.mu.Unlock()
	if changed {
		s.publish(st, seq)
		s.poke()
	}
}

// Paused reports whether automatic runs are paused.
func (s *Scheduler) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// State returns what the scheduler is doing now.
func (s *Scheduler) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked()
}

func (s *Scheduler) stateLocked() State {
	return State{Running: slices.Sorted(maps.Keys(s.runs)), Paused: s.paused}
}

// changedLocked numbers a state change and takes its snapshot; s.mu is
// held. The snapshot is published after the lock is let go.
func (s *Scheduler) changedLocked() (State, uint64) {
	s.seq++
	return s.stateLocked(), s.seq
}

// publish tells OnState about a change, unless a later one was told
// already: the observer always ends on the latest state.
func (s *Scheduler) publish(st State, seq uint64) {
	if s.cfg.OnState == nil {
		return
	}
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	if seq <= s.published {
		return
	}
	s.published = seq
	s.cfg.OnState(st)
}

// Reschedule makes the scheduler read modules and timings again now, after
// a setting changed.
func (s *Scheduler) Reschedule() { s.poke() }

// Next returns when module's next automatic run is due (it may be in the
// past when a run is due now), for "next sync" displays.
func (s *Scheduler) Next(module string) (time.Time, bool) {
	t, err := s.cfg.Timing(module)
	if err != nil {
		return time.Time{}, false
	}
	last, err := s.lastRun(module)
	if err != nil {
		return time.Time{}, false
	}
	return NextRun(t, last, s.clock.Now(), s.loc)
}

// RunNow runs module now, or joins its run in progress, and returns that
// run's Report. An empty trigger means TriggerManual. When ctx ends first,
// RunNow returns ctx's error; the run is cancelled too when nobody else is
// waiting for it and it was not an automatic run.
func (s *Scheduler) RunNow(ctx context.Context, module string, trigger Trigger) (Report, error) {
	if trigger == "" {
		trigger = TriggerManual
	}
	s.mu.Lock()
	if s.stopped || s.base.Err() != nil {
		s.mu.Unlock()
		return Report{}, ErrSchedulerStopped
	}
	r, joined := s.runs[module]
	var st State
	var seq uint64
	if !joined {
		r = s.startLocked(module, trigger, false)
		st, seq = s.changedLocked()
	}
	r.waiters++
	s.mu.Unlock()
	if !joined {
		s.publish(st, seq)
	} else {
		s.log.Info("sync already running; joining it", "module", module, "trigger", trigger)
	}

	select {
	case <-r.done:
		rep := r.report
		rep.Counts = slices.Clone(rep.Counts)
		rep.Errors = slices.Clone(rep.Errors)
		rep.ErrorsSaid = slices.Clone(rep.ErrorsSaid)
		return rep, r.err
	case <-ctx.Done():
		s.mu.Lock()
		r.waiters--
		abandon := r.waiters == 0 && !r.auto
		s.mu.Unlock()
		if abandon {
			r.cancel()
		}
		return Report{}, ctx.Err()
	}
}

// Cancel stops module's run in progress, reporting whether there was one.
func (s *Scheduler) Cancel(module string) bool {
	s.mu.Lock()
	r, ok := s.runs[module]
	s.mu.Unlock()
	if ok {
		r.cancel()
	}
	return ok
}

// startLocked registers and starts a run; s.mu is held.
func (s *Scheduler) startLocked(module string, trigger Trigger, auto bool) *schedRun {
	ctx, cancel := context.WithCancel(s.base)
	r := &schedRun{trigger: trigger, auto: auto, cancel: cancel, done: make(chan struct{})}
	s.runs[module] = r
	s.wg.Add(1)
	go s.execute(ctx, module, r)
	return r
}

func (s *Scheduler) execute(ctx context.Context, module string, r *schedRun) {
	defer s.wg.Done()
	started := s.clock.Now()
	s.log.Info("sync starting", "module", module, "trigger", r.trigger)
	rep, err := s.callRun(ctx, module, r.trigger)
	cancelled := rep.Cancelled || ctx.Err() != nil
	r.cancel()

	record := r.auto && !cancelled
	if record && s.cfg.SetLastRun != nil {
		// Stored before anyone hears the run ended, so a quit right after
		// cannot make it run again at the next start.
		if serr := s.cfg.SetLastRun(context.WithoutCancel(ctx), module, started); serr != nil {
			s.log.Warn("could not store the time of the last automatic sync; it may run again at the next start",
				"module", module, "err", serr)
		}
	}
	s.mu.Lock()
	r.report, r.err = rep, err
	delete(s.runs, module)
	s.ended[module]++
	if record {
		s.last[module] = started
	}
	if !rep.ResumeAt.IsZero() && !cancelled {
		s.resume[module] = rep.ResumeAt
	}
	s.pokeLocked() // under the lock, so "not running" implies the loop knows
	st, seq := s.changedLocked()
	s.mu.Unlock()
	s.log.Info("sync finished", "module", module, "trigger", r.trigger, "cancelled", cancelled, "err", err)
	s.publish(st, seq) // before the waiters hear, so the observer is never behind them
	close(r.done)
}

// callRun calls the run function, turning a panic into an error so one bad
// run cannot take the app down.
func (s *Scheduler) callRun(ctx context.Context, module string, trigger Trigger) (rep Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("sync stopped unexpectedly", "module", module, "panic", p)
			err = refusal(nil, "engine.scheduler.panic", "Module", module, "Panic", fmt.Sprint(p))
		}
	}()
	return s.cfg.Run(ctx, module, trigger)
}

func (s *Scheduler) poke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pokeLocked()
}

func (s *Scheduler) pokeLocked() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Scheduler) loop() {
	defer s.wg.Done()
	first := true
	for {
		wait := s.tick(first)
		first = false
		t := s.clock.NewTimer(wait)
		select {
		case <-s.base.Done():
			t.Stop()
			return
		case <-t.C():
		case <-s.wake:
			t.Stop()
		}
	}
}

// tick starts every automatic run that is due and returns how long to sleep
// before the next one. first marks the pass at start-up, where anything due
// was missed while LedgerLink was not running.
func (s *Scheduler) tick(first bool) time.Duration {
	wait := s.cfg.Recheck
	if s.base.Err() != nil {
		return wait
	}
	modules, err := s.cfg.Modules()
	if err != nil {
		s.log.Warn("cannot list modules for automatic sync; trying again shortly", "err", err)
		return wait
	}
	now := s.clock.Now()
	var st State
	var seq uint64
	for _, module := range modules {
		s.mu.Lock()
		ended := s.ended[module]
		s.mu.Unlock()
		due, trigger, ok := s.dueTime(module, now, first)
		if !ok {
			continue
		}
		if due.After(now) {
			wait = min(wait, due.Sub(now))
			continue
		}
		s.mu.Lock()
		_, running := s.runs[module]
		// A run that ended since dueTime read the last run time has moved
		// it on: that run's end pokes the loop, which decides afresh.
		if s.ended[module] == ended && !s.paused && !running && s.base.Err() == nil {
			delete(s.resume, module)
			s.startLocked(module, trigger, true)
			st, seq = s.changedLocked()
		}
		s.mu.Unlock()
		// Running or paused: the end of the run or Resume wakes the loop.
	}
	if seq != 0 {
		s.publish(st, seq)
	}
	return wait
}

// dueTime is when module's next automatic run is due and as what trigger.
func (s *Scheduler) dueTime(module string, now time.Time, first bool) (time.Time, Trigger, bool) {
	s.mu.Lock()
	resumeAt, resuming := s.resume[module]
	s.mu.Unlock()

	t, err := s.cfg.Timing(module)
	if err != nil {
		s.log.Warn("cannot read the timing; no automatic sync for this module until it is fixed", "module", module, "err", err)
		return resumeAt, TriggerScheduled, resuming
	}
	last, err := s.lastRun(module)
	if err != nil {
		s.log.Warn("cannot read when the last automatic sync ran; trying again shortly", "module", module, "err", err)
		return resumeAt, TriggerScheduled, resuming
	}
	next, ok := NextRun(t, last, now, s.loc)
	if resuming && (!ok || !resumeAt.After(next)) {
		return resumeAt, TriggerScheduled, true
	}
	if !ok {
		return time.Time{}, "", false
	}
	trigger := TriggerScheduled
	if first || now.Sub(next) > s.cfg.CatchUpAfter {
		trigger = TriggerCatchUp
	}
	return next, trigger, true
}

func (s *Scheduler) lastRun(module string) (time.Time, error) {
	s.mu.Lock()
	last, known := s.last[module]
	s.mu.Unlock()
	if known || s.cfg.LastRun == nil {
		return last, nil
	}
	last, err := s.cfg.LastRun(module)
	if err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	if cur, ok := s.last[module]; !ok || last.After(cur) {
		s.last[module] = last
	} else {
		last = cur
	}
	s.mu.Unlock()
	return last, nil
}
