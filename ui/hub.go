package ui

import (
	"context"
	"maps"
	"slices"
	stdsync "sync"

	"ledgerlink/sync"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventState: the scheduler's state changed (Event.State).
	EventState EventKind = iota
	// EventProgress: a run of Event.Module moved Done of Total items.
	EventProgress
	// EventChanged: Event.Module's Pending Export, Successfully Exported,
	// Error Feedback or Import rows changed; grids showing them reload.
	EventChanged
	// EventFinished: a run of Event.Module ended (Event.Report, Event.Err).
	EventFinished
	// EventModule: the engine's state of Event.Module changed (Event.Live;
	// Done and Total are its counts).
	EventModule
)

// Event is something that happened in the background.
type Event struct {
	Kind        EventKind
	Module      string
	State       sync.State
	Done, Total int
	Report      sync.Report
	Err         error
	Live        sync.ModuleState
}

// Hub fans background events out to the window. It has no Fyne in it: main
// creates it first and connects it to the scheduler and the engine, then
// passes it as Services.Events. Subscribers are called on the publishing
// goroutine and must hand UI work to fyne.Do. It is safe for concurrent
// use.
type Hub struct {
	mu   stdsync.Mutex
	next int
	subs map[int]func(Event)
}

// NewHub returns a hub with no subscribers.
func NewHub() *Hub { return &Hub{subs: map[int]func(Event){}} }

// Subscribe adds fn and returns what removes it.
func (h *Hub) Subscribe(fn func(Event)) (cancel func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.next
	h.next++
	h.subs[id] = fn
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs, id)
	}
}

// Publish tells every subscriber about ev.
func (h *Hub) Publish(ev Event) {
	h.mu.Lock()
	ids := slices.Sorted(maps.Keys(h.subs))
	fns := make([]func(Event), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, h.subs[id])
	}
	h.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// SchedulerState publishes a scheduler state; it fits
// sync.SchedulerConfig.OnState.
func (h *Hub) SchedulerState(st sync.State) { h.Publish(Event{Kind: EventState, State: st}) }

// Progress publishes the progress of a module's run.
func (h *Hub) Progress(module string, done, total int) {
	h.Publish(Event{Kind: EventProgress, Module: module, Done: done, Total: total})
}

// ModuleState publishes one of the engine's module states; it fits
// sync.Engine.Subscribe. The state that ends a run also publishes the run's
// report (EventFinished) and that the module's grids changed.
func (h *Hub) ModuleState(st sync.ModuleState) {
	h.Publish(Event{Kind: EventModule, Module: st.Module, Live: st, Done: st.Done, Total: st.Total})
	if st.Finished != nil {
		h.Changed(st.Module)
		h.Publish(Event{Kind: EventFinished, Module: st.Module, Report: *st.Finished, Err: st.Err})
	}
}

// Changed says a module's grids have new content.
func (h *Hub) Changed(module string) { h.Publish(Event{Kind: EventChanged, Module: module}) }

// WrapRun returns run (the engine's Sync) publishing the end of every run,
// and the grids' change, for sync.SchedulerConfig.Run.
func (h *Hub) WrapRun(run func(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error)) func(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error) {
	return func(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error) {
		rep, err := run(ctx, module, trigger)
		h.Changed(module)
		h.Publish(Event{Kind: EventFinished, Module: module, Report: rep, Err: err})
		return rep, err
	}
}
