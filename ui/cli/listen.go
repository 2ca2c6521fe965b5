package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
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
func listenForChanges(ctx context.Context, w *workspace.Workspace, addr string, say func(string, ...any)) (*changeListener, error) {
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
			say("%s does not receive change calls: %v", def.Title, err)
			continue
		}
		cl.receivers[def.Name] = r
		mux.Handle("/"+def.Name+"/", r)
	}
	if len(cl.receivers) == 0 {
		return nil, errors.New("no installed module receives change calls from its package")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
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
func (cl *changeListener) watch(ctx context.Context, sched *sync.Scheduler, say func(string, ...any)) {
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
			say("%s: the package reported changes (%s); syncing", module, strings.Join(names, ", "))
			go func() {
				rep, err := sched.RunNow(ctx, module, sync.TriggerChange)
				switch {
				case err != nil:
					say("%s: the sync after the change calls did not finish: %v", module, err)
				default:
					say("%s: synced after the change calls: %d record(s) moved", module, rep.Moved())
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
