package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	stdsync "sync"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// Change calls are taken once they have been quiet this long, so a burst
// of calls (a person editing a customer field by field) is one pass.
const (
	DefaultChangeQuiet = 2 * time.Second
	defaultChangePoll  = 500 * time.Millisecond
)

// ListenOptions tune a ChangeListener.
type ListenOptions struct {
	// Quiet is how long a module's calls must have stopped before its
	// changed records are synced; zero means DefaultChangeQuiet.
	Quiet time.Duration
	// Poll is how often the receivers are asked; zero means half a second.
	Poll time.Duration
	// Notify is told what happens (a call arriving or refused, a pass
	// starting and ending), on the listener's goroutines; it must return
	// quickly. Nil tells nobody.
	Notify func(ListenEvent)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// ListenEventKind says what a ListenEvent reports.
type ListenEventKind string

const (
	// ListenAccepted: a module accepted a call.
	ListenAccepted ListenEventKind = "accepted"
	// ListenRefused: a module refused a call (Status says how).
	ListenRefused ListenEventKind = "refused"
	// ListenSyncing: a pass over the changed records starts.
	ListenSyncing ListenEventKind = "syncing"
	// ListenSynced: the pass ended (Report, Err).
	ListenSynced ListenEventKind = "synced"
)

// ListenEvent is one thing that happened on the listener.
type ListenEvent struct {
	Kind   ListenEventKind
	Module string
	// Status is the HTTP status a refused call was answered with.
	Status  int
	Changed []sync.ChangedRecord
	Report  sync.Report
	Err     error
}

// Arrival says what calls reached a module.
type Arrival struct {
	// Accepted counts the calls the module took; LastAccepted is the last.
	Accepted     int       `json:"accepted"`
	LastAccepted time.Time `json:"last_accepted,omitzero"`
	// Refused counts the calls the module turned away (a wrong secret,
	// another organisation); LastRefused is the last, RefusedStatus its
	// HTTP status.
	Refused       int       `json:"refused"`
	LastRefused   time.Time `json:"last_refused,omitzero"`
	RefusedStatus int       `json:"refused_status,omitempty"`
}

// Receiving is what the listener says of one module.
type Receiving struct {
	Module string
	// Listening says the listener is running.
	Listening bool
	// URL is the address the package must call (for the person to paste
	// into it); empty when the module does not receive.
	URL string
	// Reachable is false when URL's host is this computer or a private
	// network address, which a package on the internet cannot call: the
	// scheduled runs then keep the books in step.
	Reachable bool
	// Err says why the module does not receive calls (its settings name
	// no address, say).
	Err error
	Arrival
}

// ChangeListener serves the installed modules' change receivers on one
// address, each under /MODULE/, and syncs a module's changed records once
// its calls have gone quiet. The window and `ledgerlink run --listen` share
// it.
type ChangeListener struct {
	w    *Workspace
	opts ListenOptions
	srv  *http.Server
	ln   net.Listener
	stop context.CancelFunc
	// running counts the watcher and the passes in progress.
	running stdsync.WaitGroup

	mu       stdsync.Mutex
	modules  map[string]*receiving
	arrivals map[string]Arrival
}

// receiving is one module's receiver and the settings it was made with.
type receiving struct {
	r   connectors.ChangeReceiver
	err error
	key string
}

// Listen starts a ChangeListener on addr (host:port) until ctx ends or
// Close is called.
func (w *Workspace) Listen(ctx context.Context, addr string, opts ListenOptions) (*ChangeListener, error) {
	if opts.Quiet <= 0 {
		opts.Quiet = DefaultChangeQuiet
	}
	if opts.Poll <= 0 {
		opts.Poll = defaultChangePoll
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("the address %q is not HOST:PORT: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	ctx, stop := context.WithCancel(ctx)
	cl := &ChangeListener{w: w, opts: opts, ln: ln, stop: stop, modules: map[string]*receiving{}, arrivals: map[string]Arrival{}}
	for _, module := range cl.receivingModules() {
		cl.receiver(module)
	}
	cl.srv = &http.Server{Handler: http.HandlerFunc(cl.serve), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	cl.running.Add(2)
	go func() {
		defer cl.running.Done()
		_ = cl.srv.Serve(ln)
	}()
	go func() {
		defer cl.running.Done()
		cl.watch(ctx)
	}()
	return cl, nil
}

// Addr is the address listened on.
func (cl *ChangeListener) Addr() string { return cl.ln.Addr().String() }

// Close stops listening and waits for a pass in progress to end.
func (cl *ChangeListener) Close() error {
	cl.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := cl.srv.Shutdown(ctx)
	cl.running.Wait()
	return err
}

// receivingModules are the installed modules whose package makes change
// calls, in the registry's order.
func (cl *ChangeListener) receivingModules() []string {
	var out []string
	for _, def := range cl.w.Reg.InOrder() {
		if def.Receiver == nil {
			continue
		}
		if _, installed, err := cl.w.DB.Installed(def.Name); err == nil && installed {
			out = append(out, def.Name)
		}
	}
	return out
}

// receiver returns the module's receiver, made again when its settings
// changed since (the address pasted into the package, say).
func (cl *ChangeListener) receiver(module string) (connectors.ChangeReceiver, error) {
	def, ok := cl.w.Reg.Lookup(module)
	if !ok || def.Receiver == nil {
		return nil, fmt.Errorf("%w %q", sync.ErrUnknownModule, module)
	}
	settings, err := cl.w.DB.Settings(module)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(settings)
	key := string(b)
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if m, ok := cl.modules[module]; ok && m.key == key {
		return m.r, m.err
	}
	r, err := def.Receiver(cl.w.ConnectorConfig(module, settings))
	cl.modules[module] = &receiving{r: r, err: err, key: key}
	return r, err
}

// Receiving says which installed modules receive calls, and why not.
func (cl *ChangeListener) Receiving() []Receiving {
	var out []Receiving
	for _, m := range cl.receivingModules() {
		out = append(out, cl.Module(m))
	}
	return out
}

// Module says what the listener does for module: the address to paste,
// whether the package can reach it, and the calls that arrived.
func (cl *ChangeListener) Module(module string) Receiving {
	st := Receiving{Module: module, Listening: true}
	r, err := cl.receiver(module)
	cl.mu.Lock()
	st.Arrival = cl.arrivals[module]
	cl.mu.Unlock()
	if err != nil {
		st.Err = err
		return st
	}
	st.URL, st.Reachable = receiverURL(cl.Addr(), module, r.Path())
	return st
}

// receiverURL is the address a package calls to reach module's receiver on
// the listener's address, and whether it can be reached from the internet.
func receiverURL(addr, module, secret string) (string, bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsUnspecified() {
		// Listening on every address: name the one the computer is known
		// by on its network.
		host = outwardAddress()
		ip = net.ParseIP(host)
	}
	reachable := ip != nil && !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() && !ip.IsUnspecified()
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: "/" + module + "/" + secret}
	return u.String(), reachable
}

// outwardAddress is this computer's first non-loopback IPv4 address, or
// the loopback address when it has none.
func outwardAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return "127.0.0.1"
}

// serve hands a call to the module its path names and notes how it was
// answered.
func (cl *ChangeListener) serve(rw http.ResponseWriter, req *http.Request) {
	module, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	if module == "" || !slices.Contains(cl.receivingModules(), module) {
		http.NotFound(rw, req)
		return
	}
	r, err := cl.receiver(module)
	if err != nil {
		cl.note(module, http.StatusNotFound)
		http.NotFound(rw, req)
		return
	}
	sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
	r.ServeHTTP(sw, req)
	cl.note(module, sw.status)
}

// note keeps how a call to module was answered and tells Notify.
func (cl *ChangeListener) note(module string, status int) {
	now := cl.opts.Now()
	cl.mu.Lock()
	a := cl.arrivals[module]
	ev := ListenEvent{Module: module, Status: status}
	if status >= 200 && status < 300 {
		a.Accepted++
		a.LastAccepted = now
		ev.Kind = ListenAccepted
	} else {
		a.Refused++
		a.LastRefused, a.RefusedStatus = now, status
		ev.Kind = ListenRefused
	}
	cl.arrivals[module] = a
	cl.mu.Unlock()
	cl.tell(ev)
}

func (cl *ChangeListener) tell(ev ListenEvent) {
	if cl.opts.Notify != nil {
		cl.opts.Notify(ev)
	}
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// watch syncs each module's changed records once its calls have gone
// quiet, until ctx ends. A module's passes never overlap.
func (cl *ChangeListener) watch(ctx context.Context) {
	tick := time.NewTicker(cl.opts.Poll)
	defer tick.Stop()
	busy := map[string]bool{}
	var mu stdsync.Mutex
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		cl.mu.Lock()
		mods := maps.Clone(cl.modules)
		cl.mu.Unlock()
		for _, module := range slices.Sorted(maps.Keys(mods)) {
			m := mods[module]
			mu.Lock()
			skip := busy[module]
			mu.Unlock()
			if m.r == nil || skip {
				continue
			}
			changed := m.r.Take(cl.opts.Quiet)
			if len(changed) == 0 {
				continue
			}
			mu.Lock()
			busy[module] = true
			mu.Unlock()
			cl.running.Add(1)
			go func() {
				defer cl.running.Done()
				defer func() {
					mu.Lock()
					delete(busy, module)
					mu.Unlock()
				}()
				cl.pass(ctx, module, changed)
			}()
		}
	}
}

// pass syncs the records one module's calls named and keeps the run in
// the history.
func (cl *ChangeListener) pass(ctx context.Context, module string, changed []sync.ChangedRecord) {
	cl.tell(ListenEvent{Kind: ListenSyncing, Module: module, Changed: changed})
	rep, err := cl.w.Engine.SyncChanged(ctx, module, changed)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		rep.Cancelled = true
	}
	cl.w.RecordRun(ctx, rep)
	cl.tell(ListenEvent{Kind: ListenSynced, Module: module, Changed: changed, Report: rep, Err: err})
}
