package ui

import (
	"context"
	stdsync "sync"

	"ledgerlink/sync/workspace"
)

// windowListener runs the workspace's change-call endpoint while the
// window is open and its setting says so.
type windowListener struct {
	ctx context.Context
	w   *workspace.Workspace
	hub *Hub

	mu stdsync.Mutex
	cl *workspace.ChangeListener
	// err says why the endpoint does not listen although its setting is on.
	err error
}

// newWindowListener starts the endpoint when the saved setting is on.
func newWindowListener(ctx context.Context, w *workspace.Workspace, hub *Hub) *windowListener {
	l := &windowListener{ctx: ctx, w: w, hub: hub}
	if err := l.restart(w.ListenSetting()); err != nil {
		w.Log.Warn("the change-call endpoint does not listen", "err", err)
	}
	return l
}

// Setting is the saved setting.
func (l *windowListener) Setting() workspace.ListenSetting { return l.w.ListenSetting() }

// Apply saves the setting and starts or stops the endpoint with it.
func (l *windowListener) Apply(_ context.Context, s workspace.ListenSetting) error {
	if err := l.w.SetListenSetting(s); err != nil {
		return err
	}
	return l.restart(s)
}

// restart stops the endpoint and starts it again when s is on.
func (l *windowListener) restart(s workspace.ListenSetting) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cl != nil {
		_ = l.cl.Close()
		l.cl = nil
	}
	l.err = nil
	if !s.Enabled {
		return nil
	}
	cl, err := l.w.Listen(l.ctx, s.Addr(), workspace.ListenOptions{Notify: func(ev workspace.ListenEvent) {
		// The Account tab and the module screen read what changed.
		l.hub.Changed(ev.Module)
	}})
	if err != nil {
		l.err = err
		return err
	}
	l.cl = cl
	return nil
}

// Module says what the endpoint does for module.
func (l *windowListener) Module(module string) (workspace.Receiving, bool) {
	def, ok := l.w.Reg.Lookup(module)
	if !ok || def.Receiver == nil {
		return workspace.Receiving{}, false
	}
	l.mu.Lock()
	cl, err := l.cl, l.err
	l.mu.Unlock()
	if cl == nil {
		return workspace.Receiving{Module: module, Err: err}, true
	}
	return cl.Module(module), true
}

// Close stops the endpoint.
func (l *windowListener) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cl != nil {
		_ = l.cl.Close()
		l.cl = nil
	}
}
