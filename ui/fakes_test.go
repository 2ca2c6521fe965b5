package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// uiLoop stands in for Fyne's UI goroutine: background work queues its UI
// changes here and the test goroutine runs them, so widgets are only ever
// touched by one goroutine (as fyne.Do guarantees in the app).
type uiLoop struct {
	mu stdsync.Mutex
	q  []func()
}

func (l *uiLoop) do(f func()) {
	l.mu.Lock()
	l.q = append(l.q, f)
	l.mu.Unlock()
}

// pump runs what is queued, including what that queues, and reports how
// many functions ran.
func (l *uiLoop) pump() int {
	n := 0
	for {
		l.mu.Lock()
		q := l.q
		l.q = nil
		l.mu.Unlock()
		if len(q) == 0 {
			return n
		}
		for _, f := range q {
			f()
			n++
		}
	}
}

// recordingApp is the test app, remembering notifications, opened
// addresses and quits.
type recordingApp struct {
	fyne.App
	mu     stdsync.Mutex
	notes  []fyne.Notification
	opened []string
	quits  int
}

func (r *recordingApp) SendNotification(n *fyne.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, *n)
}

func (r *recordingApp) OpenURL(u *url.URL) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, u.String())
	return nil
}

func (r *recordingApp) Quit() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.quits++
}

func (r *recordingApp) notifications() []fyne.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

// testDefinition is a connector as the window sees it: a settings schema
// and capabilities. Purchase Payments cannot be uploaded.
func testDefinition() connectors.Definition {
	types := map[connectors.RecordType]connectors.Directions{}
	for _, t := range connectors.MatrixTypes() {
		types[t] = connectors.Directions{Mirror: true, Upload: true}
	}
	types[connectors.PurchasePayments] = connectors.Directions{Mirror: true}
	return connectors.Definition{
		Name:        "books",
		Title:       "Books Online",
		Description: "A test accounting package.",
		Settings: []connectors.Field{
			{Key: "client_id", Label: "Client ID", Kind: connectors.KindText, Required: true, Tab: "Account"},
			{Key: "api_url", Label: "API address", Kind: connectors.KindURL, Default: "https://api.example.com", Tab: "Account"},
			{Key: "email", Label: "Email", Kind: connectors.KindEmail, Tab: "Account"},
			{Key: "region", Label: "Region", Kind: connectors.KindChoice, Choices: []string{"UK", "NZ"}, Tab: "Account"},
			{Key: "organisation", Label: "Organisation", Kind: connectors.KindText, ReadOnly: true, Tab: "Account"},
			{Key: "api_key", Label: "API key", Kind: connectors.KindSecret, Secret: true, Required: true, Tab: "Account"},
			{Key: "opt.rollup", Label: "Rollup", Kind: connectors.KindBool, Default: "false", Tab: "Options"},
		},
		Caps: connectors.Capabilities{Types: types},
		Open: func(context.Context, connectors.Config) (connectors.Connection, error) {
			return nil, errors.New("not used")
		},
	}
}

// fakeModules is module management over fixed definitions.
type fakeModules struct {
	mu        stdsync.Mutex
	defs      map[string]connectors.Definition
	status    map[string]sync.ModuleStatus
	installed []string
	// installGate, when set, holds Install until it is closed.
	installGate chan struct{}
	installErr  error
	// settings and secrets are where Apply and SetSecret save, as the
	// real module management saves to the database and the keyring.
	settings *fakeSettings
	secrets  *fakeSecrets
}

// Apply saves schema keys as connector settings and the rest as
// LedgerLink's own, as sync.Modules.Apply does once it has checked them.
func (m *fakeModules) Apply(ctx context.Context, module string, values map[string]string, _ bool) ([]string, error) {
	m.mu.Lock()
	def := m.defs[module]
	m.mu.Unlock()
	schema, engine := map[string]string{}, map[string]string{}
	for k, v := range values {
		if _, ok := def.Field(k); ok {
			schema[k] = v
		} else {
			engine[k] = v
		}
	}
	if len(schema) > 0 {
		if err := m.settings.SetSettings(ctx, def, schema); err != nil {
			return nil, err
		}
	}
	if len(engine) > 0 {
		if err := m.settings.SetEngineSettings(ctx, module, engine); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// SetSecret keeps a secret in the fake keyring.
func (m *fakeModules) SetSecret(ctx context.Context, module, key, value string) error {
	return m.secrets.Set(ctx, module, key, value)
}

func newFakeModules(defs ...connectors.Definition) *fakeModules {
	m := &fakeModules{defs: map[string]connectors.Definition{}, status: map[string]sync.ModuleStatus{}}
	for _, d := range defs {
		m.defs[d.Name] = d
		m.status[d.Name] = sync.ModuleStatus{Name: d.Name, Title: d.Title, Description: d.Description,
			Light: connectors.Red, Notes: []string{"Not installed. Press Install."}}
	}
	return m
}

func (m *fakeModules) setStatus(st sync.ModuleStatus) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// As the engine does: a GREEN module can sync.
	if st.Installed && st.Light == connectors.Green {
		st.CanSync = true
	}
	m.status[st.Name] = st
}

func (m *fakeModules) List(context.Context) ([]sync.ModuleStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []sync.ModuleStatus
	for _, k := range slices.Sorted(maps.Keys(m.status)) {
		out = append(out, m.status[k])
	}
	return out, nil
}

func (m *fakeModules) Status(_ context.Context, name string) (sync.ModuleStatus, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.status[name]
	if !ok {
		return st, sync.ErrUnknownModule
	}
	return st, nil
}

func (m *fakeModules) Definition(name string) (connectors.Definition, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.defs[name]
	if !ok {
		return d, sync.ErrUnknownModule
	}
	return d, nil
}

func (m *fakeModules) Install(ctx context.Context, name string, progress func(string)) error {
	progress("Checking the database")
	if m.installGate != nil {
		select {
		case <-m.installGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if m.installErr != nil {
		return m.installErr
	}
	progress("Creating the module's storage")
	progress("Saving the default settings")
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.status[name]
	st.Installed, st.Light, st.Notes = true, connectors.Amber, []string{"Client ID is not set."}
	m.status[name] = st
	m.installed = append(m.installed, name)
	return nil
}

func (m *fakeModules) Uninstall(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.status[name]
	st.Installed, st.Light, st.Notes = false, connectors.Red, []string{"Not installed. Press Install."}
	m.status[name] = st
	return nil
}

// fakeSettings keeps settings in memory, checking schema values as
// storage does.
type fakeSettings struct {
	mu   stdsync.Mutex
	vals map[string]map[string]string
}

func newFakeSettings() *fakeSettings { return &fakeSettings{vals: map[string]map[string]string{}} }

func (s *fakeSettings) Settings(module string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.vals[module]), nil
}

func (s *fakeSettings) put(module string, values map[string]string) {
	if s.vals[module] == nil {
		s.vals[module] = map[string]string{}
	}
	for k, v := range values {
		if v == "" {
			delete(s.vals[module], k)
		} else {
			s.vals[module][k] = v
		}
	}
}

func (s *fakeSettings) SetSettings(_ context.Context, def connectors.Definition, values map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, v := range values {
		f, ok := def.Field(k)
		if !ok || f.Secret {
			errs = append(errs, &storage.SettingError{Key: k, Kind: storage.ErrUnknownSetting, Err: fmt.Errorf("no setting %q", k)})
			continue
		}
		if err := f.Check(v); err != nil {
			errs = append(errs, &storage.SettingError{Key: k, Kind: storage.ErrInvalidSetting, Err: err})
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.put(def.Name, values)
	return nil
}

func (s *fakeSettings) SetEngineSettings(_ context.Context, module string, values map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range values {
		if !storage.IsEngineKey(k) {
			return fmt.Errorf("%q is not an engine key", k)
		}
	}
	s.put(module, values)
	return nil
}

// fakeSecrets is the keyring.
type fakeSecrets struct {
	mu   stdsync.Mutex
	vals map[string]string
}

func (s *fakeSecrets) Has(_ context.Context, module, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.vals[module+"/"+key]
	return ok, nil
}

func (s *fakeSecrets) Set(_ context.Context, module, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vals == nil {
		s.vals = map[string]string{}
	}
	s.vals[module+"/"+key] = value
	return nil
}

func (s *fakeSecrets) get(module, key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vals[module+"/"+key]
}

// fakeEngine is the engine and the workspace.
type fakeEngine struct {
	mu       stdsync.Mutex
	pending  []sync.PendingItem
	exported []sync.ExportedRow
	feedback []sync.FeedbackRow
	imports  []sync.ImportRow
	records  map[sync.Ref]storage.StoredRecord
	chart    map[connectors.RecordType][]connectors.Record
	// chartAfterMirror is what Mirror "fetches".
	chartAfterMirror map[connectors.RecordType][]connectors.Record

	uploads   [][]sync.Ref
	prechecks [][]sync.Ref
	marked    [][]sync.Ref
	unmarked  [][]sync.Ref
	mirrors   [][]connectors.RecordType
	refreshes int
	// upload, when set, does the upload.
	upload func(ctx context.Context, refs []sync.Ref, progress func(done, total int)) (sync.Report, error)
	// newImports are what ImportPayments downloads.
	newImports []sync.ImportRow
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{records: map[sync.Ref]storage.StoredRecord{}, chart: map[connectors.RecordType][]connectors.Record{}}
}

func (e *fakeEngine) Refresh(context.Context, string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refreshes++
	return nil
}

func (e *fakeEngine) Pending(context.Context, string) ([]sync.PendingItem, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.pending), nil
}

func (e *fakeEngine) Precheck(_ context.Context, _ string, refs []sync.Ref) ([]sync.PendingItem, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.prechecks = append(e.prechecks, slices.Clone(refs))
	var out []sync.PendingItem
	for i, it := range e.pending {
		if len(refs) > 0 && !slices.Contains(refs, it.Ref()) {
			continue
		}
		it.Check = storage.Check{Status: storage.CheckOK}
		if strings.HasSuffix(it.Code, "-BAD") {
			it.Check = storage.Check{Status: storage.CheckProblems, Problems: []storage.Problem{{Rule: sync.RuleNominalUnmapped,
				Cause: "Nominal code 4000 on line 1 has no matching account.", Fix: "Map nominal code 4000 on the Mapping tab."}}}
		}
		e.pending[i] = it
		out = append(out, it)
	}
	return out, nil
}

func (e *fakeEngine) Upload(ctx context.Context, _ string, refs []sync.Ref, progress func(done, total int)) (sync.Report, error) {
	e.mu.Lock()
	e.uploads = append(e.uploads, slices.Clone(refs))
	up := e.upload
	e.mu.Unlock()
	if up != nil {
		return up(ctx, refs, progress)
	}
	rep := sync.Report{Module: "books", Started: time.Now()}
	e.mu.Lock()
	defer e.mu.Unlock()
	var keep []sync.PendingItem
	for _, it := range e.pending {
		if len(refs) == 0 || slices.Contains(refs, it.Ref()) {
			rep.Add(connectors.Upload, it.Type, 1, 0, 0)
			e.exported = append(e.exported, sync.ExportedRow{ID: it.Ref().String(), Type: it.Type, Code: it.Code, ExportedAt: time.Now(), Verified: true})
			continue
		}
		keep = append(keep, it)
	}
	e.pending = keep
	rep.Finished = time.Now()
	return rep, nil
}

func (e *fakeEngine) MarkExported(_ context.Context, _ string, refs []sync.Ref) ([]sync.Refusal, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.marked = append(e.marked, slices.Clone(refs))
	return nil, nil
}

func (e *fakeEngine) MarkNotExported(_ context.Context, _ string, refs []sync.Ref) ([]sync.Refusal, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.unmarked = append(e.unmarked, slices.Clone(refs))
	return nil, nil
}

func (e *fakeEngine) Exported(context.Context, string, time.Time, time.Time) ([]sync.ExportedRow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.exported), nil
}

func (e *fakeEngine) Feedback(_ context.Context, _ string, from, to time.Time) ([]sync.FeedbackRow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []sync.FeedbackRow
	for _, f := range e.feedback {
		if (from.IsZero() || !f.When.Before(from)) && (to.IsZero() || f.When.Before(to)) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (e *fakeEngine) ImportPayments(context.Context, string, bool) ([]sync.ImportRow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.imports = append(e.imports, e.newImports...)
	out := e.newImports
	e.newImports = nil
	return out, nil
}

func (e *fakeEngine) Imports(context.Context, string, time.Time, time.Time) ([]sync.ImportRow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.imports), nil
}

func (e *fakeEngine) Mirror(_ context.Context, _ string, types []connectors.RecordType) (sync.Report, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mirrors = append(e.mirrors, slices.Clone(types))
	maps.Copy(e.chart, e.chartAfterMirror)
	return sync.Report{}, nil
}

func (e *fakeEngine) Get(_ context.Context, t connectors.RecordType, code string) (storage.StoredRecord, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.records[sync.Ref{Type: t, Code: code}]
	if !ok {
		return r, storage.ErrRecordNotFound
	}
	return r, nil
}

func (e *fakeEngine) GetRecords(_ context.Context, refs []storage.Ref) (map[storage.Ref]storage.StoredRecord, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[storage.Ref]storage.StoredRecord{}
	for _, r := range refs {
		if rec, ok := e.records[r]; ok {
			out[r] = rec
		}
	}
	return out, nil
}

func (e *fakeEngine) Ancillary(_ context.Context, _ string, t connectors.RecordType, fn func(connectors.Record) error) error {
	e.mu.Lock()
	recs := slices.Clone(e.chart[t])
	e.mu.Unlock()
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (e *fakeEngine) uploadCalls() [][]sync.Ref {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.uploads)
}

// fakeScheduler records what the window asks.
type fakeScheduler struct {
	mu      stdsync.Mutex
	runs    []string
	paused  bool
	running []string
	next    time.Time
	resched int
}

func (s *fakeScheduler) RunNow(_ context.Context, module string, _ sync.Trigger) (sync.Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs = append(s.runs, module)
	return sync.Report{Module: module}, nil
}

func (s *fakeScheduler) Cancel(string) bool { return false }
func (s *fakeScheduler) Pause()             { s.mu.Lock(); s.paused = true; s.mu.Unlock() }
func (s *fakeScheduler) Resume()            { s.mu.Lock(); s.paused = false; s.mu.Unlock() }
func (s *fakeScheduler) Paused() bool       { s.mu.Lock(); defer s.mu.Unlock(); return s.paused }
func (s *fakeScheduler) Reschedule()        { s.mu.Lock(); s.resched++; s.mu.Unlock() }

func (s *fakeScheduler) State() sync.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sync.State{Running: slices.Clone(s.running), Paused: s.paused}
}

func (s *fakeScheduler) Next(string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next, !s.next.IsZero()
}

func (s *fakeScheduler) ranModules() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.runs)
}

// fakeRuns is the run history.
type fakeRuns struct {
	mu   stdsync.Mutex
	runs []sync.Report
}

func (r *fakeRuns) Runs(_ context.Context, _ string, since time.Time) ([]sync.Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sync.Report
	for _, rep := range r.runs {
		if !rep.Started.Before(since) {
			out = append(out, rep)
		}
	}
	return out, nil
}

// harness is the window on fakes, driven from the test goroutine.
type harness struct {
	t        testing.TB
	loop     *uiLoop
	fa       *recordingApp
	app      *App
	def      connectors.Definition
	mods     *fakeModules
	settings *fakeSettings
	secrets  *fakeSecrets
	eng      *fakeEngine
	sched    *fakeScheduler
	runs     *fakeRuns
	hub      *Hub
	trace    *bytes.Buffer
	now      time.Time
}

// harnessOption prepares the fakes before the window is built.
type harnessOption func(h *harness, svc *Services)

// installed makes the test module installed with settings.
func installed(settings map[string]string) harnessOption {
	return func(h *harness, _ *Services) {
		h.mods.setStatus(sync.ModuleStatus{Name: "books", Title: "Books Online", Installed: true, Light: connectors.Green})
		h.settings.put("books", settings)
	}
}

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		loop:     &uiLoop{},
		def:      testDefinition(),
		settings: newFakeSettings(),
		secrets:  &fakeSecrets{},
		eng:      newFakeEngine(),
		sched:    &fakeScheduler{},
		runs:     &fakeRuns{},
		hub:      NewHub(),
		trace:    &bytes.Buffer{},
		now:      time.Date(2025, time.March, 12, 10, 30, 0, 0, time.Local),
	}
	h.mods = newFakeModules(h.def)
	h.mods.settings, h.mods.secrets = h.settings, h.secrets
	h.fa = &recordingApp{App: test.NewTempApp(t)}
	svc := Services{
		Modules: h.mods, Settings: h.settings, Secrets: h.secrets, Engine: h.eng, Workspace: h.eng,
		Scheduler: h.sched, Runs: h.runs, Events: h.hub,
		DataDir: t.TempDir(), Now: func() time.Time { return h.now }, Trace: h.trace,
	}
	for _, o := range opts {
		o(h, &svc)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.app = newApp(ctx, h.fa, svc, withRuntime(h.loop.do, func(f func()) { go f() }))
	t.Cleanup(h.app.Close)
	h.waitFor("the module list", func() bool { return len(h.app.modules.list) > 0 })
	return h
}

// waitFor pumps the UI loop until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.loop.pump()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; trace:\n%s", what, h.trace.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// waitTrace waits for a trace line containing s.
func (h *harness) waitTrace(s string) {
	h.t.Helper()
	h.waitFor("trace "+s, func() bool { return strings.Contains(h.trace.String(), s) })
}

// topDialogTitle is the title of the dialog on top ("" when none).
func (h *harness) topModal() *modal {
	if n := len(h.app.modals); n > 0 {
		return h.app.modals[n-1]
	}
	return nil
}

// key sends a key no widget took.
func (h *harness) key(k fyne.KeyName) {
	h.app.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k})
}

// shortcut sends a shortcut to the window, as the desktop driver does when
// no focused widget takes it. The test canvas wraps the canvas that keeps
// the shortcuts in its exported WindowlessCanvas field.
func (h *harness) shortcut(s fyne.Shortcut) {
	h.t.Helper()
	c := any(h.app.win.Canvas())
	if _, ok := c.(fyne.Shortcutable); !ok {
		v := reflect.ValueOf(c)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if f := v.FieldByName("WindowlessCanvas"); f.IsValid() && f.CanInterface() {
			c = f.Interface()
		}
	}
	sc, ok := c.(fyne.Shortcutable)
	if !ok {
		h.t.Fatalf("the test canvas %T takes no shortcuts", c)
	}
	sc.TypedShortcut(s)
}
