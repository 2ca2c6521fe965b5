package cli

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

// Change calls are taken once they have been quiet this long, so a burst
// of calls (a person editing a customer field by field) is one run.
const (
	changeQuiet = 2 * time.Second
	changePoll  = 500 * time.Millisecond
)

// changeListener serves the installed modules' change receivers on one
// address, each under /MODULE/, and starts one run of a module once its
// calls have gone quiet.
type changeListener struct {
	srv       *http.Server
	ln        net.Listener
	receivers map[string]connectors.ChangeReceiver
}

// listenForChanges starts the listener on addr. Modules whose package does
// not call (no Receiver) or whose settings name no address are left out,
// with a line said for each of the latter.
func listenForChanges(ctx context.Context, w *workspace.Workspace, addr string, t *words.Words, say func(string)) (*changeListener, error) {
	cl := &changeListener{receivers: map[string]connectors.ChangeReceiver{}}
	mux := http.NewServeMux()
	for _, def := range w.Reg.InOrder() {
		if def.Receiver == nil {
			continue
		}
		if _, installed, err := w.DB.Installed(def.Name); err != nil || !installed {
			continue
		}
		settings, err := w.DB.Settings(def.Name)
		if err != nil {
			return nil, err
		}
		r, err := def.Receiver(w.ConnectorConfig(def.Name, settings))
		if err != nil {
			say(t.T("verbs.listen.not_receiving", "Module", def.Title, "Problem", t.Error(err)))
			continue
		}
		cl.receivers[def.Name] = r
		mux.Handle("/"+def.Name+"/", r)
	}
	if len(cl.receivers) == 0 {
		return nil, words.Errorf(nil, "verbs.listen.none")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, words.Errorf(err, "verbs.listen.cannot_listen", "Address", addr)
	}
	cl.ln = ln
	cl.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() { _ = cl.srv.Serve(ln) }()
	return cl, nil
}

// Addr is the address listened on.
func (cl *changeListener) Addr() string { return cl.ln.Addr().String() }

// watch starts a run of each module whose change calls have gone quiet,
// until ctx ends.
func (cl *changeListener) watch(ctx context.Context, sched *sync.Scheduler, t *words.Words, say func(string)) {
	tick := time.NewTicker(changePoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for module, r := range cl.receivers {
			changed := r.Take(changeQuiet)
			if len(changed) == 0 {
				continue
			}
			names := make([]string, 0, len(changed))
			for _, c := range changed {
				names = append(names, c.Type.Label()+" "+c.Code)
			}
			say(t.T("verbs.listen.changes", "Module", module, "Changes", strings.Join(names, ", ")))
			go func() {
				rep, err := sched.RunNow(ctx, module, sync.TriggerChange)
				switch {
				case err != nil:
					say(t.T("verbs.listen.failed", "Module", module, "Problem", t.Error(err)))
				default:
					say(t.N("verbs.listen.synced", rep.Moved(), "Module", module))
				}
			}()
		}
	}
}

// Close stops listening.
func (cl *changeListener) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return cl.srv.Shutdown(ctx)
}
