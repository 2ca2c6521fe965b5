package sync

import (
	"context"
	"maps"
	"slices"
	stdsync "sync"
	"time"

	"ledgerlink/words"
)

// Activity is what the engine is doing for one module.
type Activity string

const (
	// ActivityIdle: nothing is running.
	ActivityIdle Activity = "idle"
	// ActivitySyncing: a run is going; Step, Done and Total say how far.
	ActivitySyncing Activity = "syncing"
	// ActivityWaitingRateLimit: the package asked LedgerLink to slow down;
	// the run goes on at Until.
	ActivityWaitingRateLimit Activity = "waiting-rate-limit"
	// ActivityWaitingSignIn: the package refused the saved sign-in; nothing
	// runs until the person signs in again.
	ActivityWaitingSignIn Activity = "waiting-sign-in"
	// ActivityPaused: automatic runs are paused; a manual run still goes.
	ActivityPaused Activity = "paused"
)

// ModuleState is one module's state as the engine publishes it. The window,
// the tray and the command line only listen to it; none of them asks the
// engine what is happening.
type ModuleState struct {
	Module   string   `json:"module"`
	Activity Activity `json:"activity"`
	// Step names the stage of a run in plain words ("Sending Sales
	// Invoices"), in the engine's language when the stage began. A face
	// says StepText in its own language (StepIn, Describe).
	Step string `json:"step,omitempty"`
	// StepText is the stage as words not yet put in a language.
	StepText words.Text `json:"step_text,omitzero"`
	// Done of Total records of the step; Total is zero when not known.
	Done  int `json:"done"`
	Total int `json:"total"`
	// Until is when a wait for a rate limit ends.
	Until time.Time `json:"until,omitzero"`
	// Trigger is what started the run in progress or the one that ended.
	Trigger Trigger `json:"trigger,omitempty"`
	// Finished holds the report of the run that just ended: set on the one
	// event that says a run is over, nil on every other.
	Finished *Report `json:"finished,omitempty"`
	// Err is the run's error on that event.
	Err error `json:"-"`
}

// String says the state in a few words in English, for a log line.
func (s ModuleState) String() string { return s.Describe(english()) }

// StepIn is the stage of the run in w's language ("" when none).
func (s ModuleState) StepIn(w *words.Words) string {
	if s.StepText.Key == "" || w == nil {
		return s.Step
	}
	return say(w, s.StepText)
}

// say puts t in w's language; a Text whose key is not in the catalogue (a
// step named in plain text) is its key as written.
func say(w *words.Words, t words.Text) string {
	if !w.Has(t.Key) {
		return t.Key
	}
	return w.Say(t)
}

// Describe says the state in a few words in w's language, for a tooltip,
// the tray or the command line: "books: Sending records to Books Online, 3 of 9".
func (s ModuleState) Describe(w *words.Words) string {
	if w == nil {
		w = english()
	}
	switch s.Activity {
	case ActivitySyncing:
		step := s.StepIn(w)
		if s.Total > 0 {
			return w.T("engine.state.syncing_count", "Module", s.Module, "Step", step, "Done", w.Int(int64(s.Done)), "Total", w.Int(int64(s.Total)))
		}
		if step != "" {
			return w.T("engine.state.syncing_step", "Module", s.Module, "Step", step)
		}
		return w.T("engine.state.syncing", "Module", s.Module)
	case ActivityWaitingRateLimit:
		return w.T("engine.state.waiting_rate_limit", "Module", s.Module, "Until", w.Clock(s.Until.Local()))
	case ActivityWaitingSignIn:
		return w.T("engine.state.waiting_sign_in", "Module", s.Module)
	case ActivityPaused:
		return w.T("engine.state.paused", "Module", s.Module)
	}
	return w.T("engine.state.idle", "Module", s.Module)
}

// english is the English catalogue of LedgerLink's own words, loaded once:
// String is English for the logs whatever the person reads.
var english = stdsync.OnceValue(func() *words.Words { return English(nil) })

// Busy reports whether a run is in progress.
func (s ModuleState) Busy() bool {
	return s.Activity == ActivitySyncing || s.Activity == ActivityWaitingRateLimit
}

// states keeps every module's state and the subscribers to its changes.
// Changes are published in the order they happen, one at a time, on the
// goroutine that made them; subscribers must return quickly (the window
// hands the work to fyne.Do).
type states struct {
	mu     stdsync.Mutex
	by     map[string]ModuleState
	paused bool
	subs   map[int]func(ModuleState)
	next   int
	// publishing serialises delivery so subscribers see changes in order.
	publishing stdsync.Mutex
}

func newStates() *states {
	return &states{by: map[string]ModuleState{}, subs: map[int]func(ModuleState){}}
}

// set changes module's state with change and publishes the result. change
// runs under the lock and must not call back into s.
func (s *states) set(module string, change func(*ModuleState)) {
	s.publishing.Lock()
	defer s.publishing.Unlock()
	s.mu.Lock()
	st, ok := s.by[module]
	if !ok {
		st = ModuleState{Module: module, Activity: s.restingLocked()}
	}
	st.Finished, st.Err = nil, nil
	change(&st)
	s.by[module] = st
	fns := s.subscribersLocked()
	s.mu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// restingLocked is the activity of a module with nothing running.
func (s *states) restingLocked() Activity {
	if s.paused {
		return ActivityPaused
	}
	return ActivityIdle
}

func (s *states) subscribersLocked() []func(ModuleState) {
	ids := slices.Sorted(maps.Keys(s.subs))
	fns := make([]func(ModuleState), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, s.subs[id])
	}
	return fns
}

// Subscribe calls fn with every change of any module's state until the
// returned function is called.
func (e *Engine) Subscribe(fn func(ModuleState)) (cancel func()) {
	s := e.states
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.next
	s.next++
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

// State returns module's state now.
func (e *Engine) State(module string) ModuleState {
	s := e.states
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.by[module]; ok {
		return st
	}
	return ModuleState{Module: module, Activity: s.restingLocked()}
}

// SetPaused records that automatic runs are paused (or no longer are); the
// state of every module not running follows. The scheduler's owner calls it.
func (e *Engine) SetPaused(paused bool) {
	s := e.states
	s.mu.Lock()
	s.paused = paused
	rest := s.restingLocked()
	var resting []string
	for m, st := range s.by {
		if st.Activity == ActivityIdle || st.Activity == ActivityPaused {
			resting = append(resting, m)
		}
	}
	s.mu.Unlock()
	slices.Sort(resting)
	for _, m := range resting {
		e.states.set(m, func(st *ModuleState) {
			if st.Activity == ActivityIdle || st.Activity == ActivityPaused {
				st.Activity = rest
			}
		})
	}
}

func (s *states) resting() Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restingLocked()
}

// progress is how one run reports its stages and counts.
type progress struct {
	e      *Engine
	module string
}

// step starts a stage of the run, with total records when known.
func (p progress) step(name words.Text, total int) {
	said := say(p.e.Words(), name)
	p.e.states.set(p.module, func(st *ModuleState) {
		st.Activity, st.Step, st.StepText, st.Done, st.Total, st.Until = ActivitySyncing, said, name, 0, total, time.Time{}
	})
}

// count says done of total records of the stage are through.
func (p progress) count(done, total int) {
	p.e.states.set(p.module, func(st *ModuleState) {
		st.Activity, st.Done, st.Total, st.Until = ActivitySyncing, done, total, time.Time{}
	})
}

// waiting says the run waits for the package's rate limit until until.
func (p progress) waiting(until time.Time) {
	p.e.states.set(p.module, func(st *ModuleState) {
		st.Activity, st.Until = ActivityWaitingRateLimit, until
	})
}

// begin marks a run started.
func (p progress) begin(trigger Trigger) {
	p.e.states.set(p.module, func(st *ModuleState) {
		connecting := words.Sentence("engine.step.connecting")
		*st = ModuleState{Module: p.module, Activity: ActivitySyncing, Step: p.e.Words().Say(connecting), StepText: connecting, Trigger: trigger}
	})
}

// end marks the run over with its report: idle (or paused), or waiting for
// a sign-in when the package refused the saved one.
func (p progress) end(rep Report, err error, signIn bool) {
	resting := p.e.states.resting()
	p.e.states.set(p.module, func(st *ModuleState) {
		next := ModuleState{Module: p.module, Activity: resting, Trigger: rep.Trigger, Finished: &rep, Err: err}
		if signIn {
			next.Activity = ActivityWaitingSignIn
		}
		*st = next
	})
}

// waitsKey carries a run's progress in its context, so the module's pacer
// can say when the run waits for the package's rate limit.
type waitsKey struct{}

// withWaits returns ctx carrying p for the pacer.
func withWaits(ctx context.Context, p progress) context.Context {
	return context.WithValue(ctx, waitsKey{}, p)
}

// reportWait tells the run in ctx, if any, that it waits for the package
// until until; a zero until says the wait is over.
func reportWait(ctx context.Context, until time.Time) {
	p, ok := ctx.Value(waitsKey{}).(progress)
	if !ok {
		return
	}
	if until.IsZero() {
		p.e.states.set(p.module, func(st *ModuleState) {
			if st.Activity == ActivityWaitingRateLimit {
				st.Activity, st.Until = ActivitySyncing, time.Time{}
			}
		})
		return
	}
	p.waiting(until)
}
