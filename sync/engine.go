package sync

import (
	"context"
	"errors"
	"fmt"
	"ledgerlink/assets"
	"ledgerlink/words"
	"log/slog"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// Names the engine's screens and verbs use for what storage keeps.
type (
	// Ref names one record: its type and business code.
	Ref = storage.Ref
	// PendingItem is one row of Pending Export.
	PendingItem = storage.QueueItem
	// Problem is one pre-check problem, with its cause and fix.
	Problem = storage.Problem
	// ExportedRow is one row of Successfully Exported.
	ExportedRow = storage.ExportedRow
	// FeedbackRow is one row of Error Feedback.
	FeedbackRow = storage.FeedbackRow
	// Refusal says why one record was not marked.
	Refusal = storage.Refusal
)

// OpenFunc opens a module's connection. main builds the connector's Config
// (settings, keyring secrets, HTTP client); tests hand back a reference
// connection.
type OpenFunc func(ctx context.Context, module string) (connectors.Connection, error)

// Step is an extra stage of a full sync run (payment import and allocation,
// payroll journals, ...). Steps run after upload, in the order given to
// WithSteps, on the run's open connection; an error is recorded in the run's
// report and the following steps still run.
type Step struct {
	// Name is the stage's name for people: a catalogue key (said in the
	// engine's language) or, for a step with no words of its own, text.
	Name string
	Run  func(ctx context.Context, run *Run) error
}

// Run is what a Step gets: the run's module, its connection and its report.
type Run struct {
	Engine *Engine
	Module string
	Def    connectors.Definition
	Conn   connectors.Connection
	Report *Report
}

// Engine moves records between the workspace and the modules' accounting
// packages. Its methods are safe for concurrent use; work on one module is
// serialised, different modules run side by side.
type Engine struct {
	db    *storage.DB
	reg   *connectors.Registry
	open  OpenFunc
	log   *slog.Logger
	now   func() time.Time
	steps []Step
	// words are the person's language: the engine's notes, pre-check
	// problems and causes and fixes are written in it. The window may
	// change it while a run goes on.
	words atomic.Pointer[words.Words]

	mu    stdsync.Mutex
	locks map[string]*stdsync.Mutex
	// states are the modules' published states (see Subscribe).
	states *states
}

// Option tunes New.
type Option func(*Engine)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(e *Engine) {
		if now != nil {
			e.now = now
		}
	}
}

// WithSteps appends stages to every full sync run (see Step).
func WithSteps(steps ...Step) Option {
	return func(e *Engine) { e.steps = append(e.steps, steps...) }
}

// New returns an engine over db and the registered connectors; open opens a
// module's connection.
func New(db *storage.DB, reg *connectors.Registry, open func(ctx context.Context, module string) (connectors.Connection, error), opts ...Option) *Engine {
	e := &Engine{
		db: db, reg: reg, open: open,
		log:    slog.Default(),
		now:    time.Now,
		locks:  map[string]*stdsync.Mutex{},
		states: newStates(),
	}
	for _, o := range opts {
		o(e)
	}
	if e.words.Load() == nil {
		e.words.Store(English(reg))
	}
	return e
}

// WithWords sets the language the engine writes in (default English).
func WithWords(w *words.Words) Option {
	return func(e *Engine) {
		if w != nil {
			e.words.Store(w)
		}
	}
}

// Words are the language the engine writes in.
func (e *Engine) Words() *words.Words { return e.words.Load() }

// SetWords changes the language the engine writes in from now on.
func (e *Engine) SetWords(w *words.Words) {
	if w != nil {
		e.words.Store(w)
	}
}

// English returns the shipped catalogue (LedgerLink's words and those of the
// registered connectors) in English. The catalogue is part of the binary,
// so it loads; should a file be broken, the words come from what loaded
// and the catalogue tests name the file.
func English(reg *connectors.Registry) *words.Words {
	if reg == nil {
		reg = connectors.NewRegistry()
	}
	cat, err := reg.Catalogue(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat.In("en")
}

// lock serialises work on one module and returns its unlock.
func (e *Engine) lock(module string) func() {
	e.mu.Lock()
	l, ok := e.locks[module]
	if !ok {
		l = &stdsync.Mutex{}
		e.locks[module] = l
	}
	e.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (e *Engine) definition(module string) (connectors.Definition, error) {
	def, ok := e.reg.Lookup(module)
	if !ok {
		return connectors.Definition{}, fmt.Errorf("%w %q", ErrUnknownModule, module)
	}
	return def, nil
}

func title(def connectors.Definition) string {
	if def.Title != "" {
		return def.Title
	}
	return def.Name
}

// connect opens the module's connection and checks it, remembering the
// organisation's base currency for the pre-check. A refused sign-in leaves
// a "Reconnect" note on the module.
func (e *Engine) connect(ctx context.Context, def connectors.Definition) (connectors.Connection, error) {
	conn, err := e.open(ctx, def.Name)
	if err != nil {
		return nil, e.connError(ctx, def, err)
	}
	id, err := conn.Check(ctx)
	if err != nil {
		if errors.Is(err, connectors.ErrNeedsAction) {
			if serr := e.db.SetSetting(ctx, def.Name, AttentionSetting, e.attentionNote(conn, err)); serr != nil {
				e.log.Warn("cannot save the module's attention note", "module", def.Name, "err", serr)
			}
		}
		closeConn(conn)
		return nil, e.connError(ctx, def, err)
	}
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		closeConn(conn)
		return nil, err
	}
	want := map[string]string{}
	if c := strings.ToUpper(strings.TrimSpace(id.Currency)); c != "" && settings[settingBaseCurrency] != c {
		want[settingBaseCurrency] = c
	}
	for _, k := range []string{ReconnectSetting, AttentionSetting} {
		if settings[k] != "" {
			want[k] = ""
		}
	}
	if len(want) > 0 {
		if err := e.db.SetEngineSettings(ctx, def.Name, want); err != nil {
			closeConn(conn)
			return nil, err
		}
	}
	return conn, nil
}

// connError words a failure to reach the package; a refused sign-in also
// sets the module's Reconnect note.
func (e *Engine) connError(ctx context.Context, def connectors.Definition, err error) error {
	if errors.Is(err, connectors.ErrAuth) {
		note := e.reconnectNote(def)
		if serr := e.db.SetSetting(ctx, def.Name, ReconnectSetting, note); serr != nil {
			e.log.Warn("cannot save the reconnect note", "module", def.Name, "err", serr)
		}
		return sayErr(e.Words(), err, "engine.connect.reconnect", "Package", title(def))
	}
	return sayErr(e.Words(), err, "engine.connect.unreachable", "Package", title(def))
}

// reconnectNote is the module's note after the package refused the saved
// sign-in, kept in every language (words.Said).
func (e *Engine) reconnectNote(def connectors.Definition) string {
	return words.SayEvery(e.Words().Catalogue(), func(w *words.Words) string {
		return w.T("engine.connect.reconnect.note", "Package", title(def))
	}).Encode()
}

func closeConn(c connectors.Connection) {
	if cl, ok := c.(connectors.Closer); ok {
		_ = cl.Close()
	}
}

// settingBaseCurrency remembers the organisation's base currency, read from
// the package at every connection.
const settingBaseCurrency = storage.PrefixState + "base_currency"

// Engine option and mapping settings.
const (
	// SettingMultiCurrency ("true"/"false") allows documents in currencies
	// other than the organisation's.
	SettingMultiCurrency = storage.PrefixOption + "multi_currency"
	// MapNominalPrefix + local nominal code = remote account code.
	MapNominalPrefix = storage.PrefixMap + "nominal."
	// MapTaxPrefix + local tax code = remote tax rate code.
	MapTaxPrefix = storage.PrefixMap + "tax."
	// MapBankPrefix + local bank account code = remote bank account code.
	MapBankPrefix = storage.PrefixMap + "bank."
)

// Sync runs one full sync of the module: reference data, mirror per the
// matrix, the records the package deleted among those sent but not
// mirrored, Pending Export refresh, upload of what passes the pre-check,
// then the extra steps. Problems with single records are feedback rows and
// Failed counts; problems with the run are in Report.Errors.
func (e *Engine) Sync(ctx context.Context, module string, trigger Trigger) (Report, error) {
	return e.run(ctx, module, trigger, func(def connectors.Definition, conn connectors.Connection, rep *Report) error {
		p := progress{e: e, module: module}
		p.step(words.Sentence("engine.step.reading_reference", "Package", title(def)), 0)
		if err := e.refreshAncillary(ctx, def, conn, rep); err != nil {
			return err
		}
		m, err := e.matrix(module)
		if err != nil {
			rep.fail(e.Words(), func(w *words.Words) string { return w.Error(err) })
		}
		var mirrorTypes []connectors.RecordType
		for _, t := range connectors.MatrixTypes() {
			if m.Level(connectors.Mirror, t) != Off {
				mirrorTypes = append(mirrorTypes, t)
			}
		}
		if err := e.mirror(ctx, def, conn, mirrorTypes, rep); err != nil {
			return err
		}
		if err := e.watchDeletions(ctx, def, conn, m, rep); err != nil {
			return err
		}
		var synced []connectors.RecordType
		for _, t := range connectors.MatrixTypes() {
			if m.Level(connectors.Mirror, t) != Off || m.Level(connectors.Upload, t) != Off {
				synced = append(synced, t)
			}
		}
		if err := e.noteExcluded(ctx, def, conn, synced, rep); err != nil {
			rep.fail(e.Words(), func(w *words.Words) string { return w.Error(err) })
		}
		p.step(words.Sentence("engine.step.finding_pending"), 0)
		if _, err := e.refresh(ctx, def); err != nil {
			return err
		}
		if err := e.upload(ctx, def, conn, nil, nil, rep); err != nil {
			return err
		}
		for _, s := range e.steps {
			if err := ctx.Err(); err != nil {
				return err
			}
			p.step(words.Sentence(s.Name), 0)
			if err := s.Run(ctx, &Run{Engine: e, Module: module, Def: def, Conn: conn, Report: rep}); err != nil {
				if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
					return err
				}
				rep.fail(e.Words(), func(w *words.Words) string {
					return w.T("engine.report.step_failed", "Step", w.Label(s.Name), "Error", w.Error(err))
				})
			}
		}
		return nil
	})
}

// run is one piece of work on a module's package: it takes the module's
// lock, opens the connection, calls fn and finishes the report.
func (e *Engine) run(ctx context.Context, module string, trigger Trigger, fn func(def connectors.Definition, conn connectors.Connection, rep *Report) error) (Report, error) {
	rep := Report{Module: module, Trigger: trigger, Started: e.now()}
	def, err := e.definition(module)
	if err != nil {
		return e.finish(&rep, err)
	}
	unlock := e.lock(module)
	defer unlock()
	p := progress{e: e, module: module}
	p.begin(trigger)
	out, err := e.runConnected(withWaits(ctx, p), def, &rep, fn)
	p.end(out, err, errors.Is(err, connectors.ErrAuth))
	return out, err
}

// runConnected opens the connection, calls fn and finishes the report.
func (e *Engine) runConnected(ctx context.Context, def connectors.Definition, rep *Report, fn func(def connectors.Definition, conn connectors.Connection, rep *Report) error) (Report, error) {
	conn, err := e.connect(ctx, def)
	if err != nil {
		return e.finish(rep, err)
	}
	defer closeConn(conn)
	return e.finish(rep, fn(def, conn, rep))
}

// DB is the engine's database, for steps that keep their own records.
func (e *Engine) DB() *storage.DB { return e.db }

// matrix reads the module's sync matrix. A damaged setting still gives the
// safe matrix (unreadable levels count as OFF) and an error saying so.
func (e *Engine) matrix(module string) (Matrix, error) {
	settings, err := e.db.Settings(module)
	if err != nil {
		return Matrix{}, err
	}
	return MatrixFromSettings(settings)
}

// MarkExported moves pending records to Successfully Exported by hand (not
// Verified); records not pending are refused with the reason.
func (e *Engine) MarkExported(ctx context.Context, module string, refs []Ref) ([]Refusal, error) {
	if _, err := e.definition(module); err != nil {
		return nil, err
	}
	unlock := e.lock(module)
	defer unlock()
	return e.db.MarkExported(ctx, module, refs)
}

// MarkNotExported returns records marked as exported by hand to Pending
// Export; records the package really received are refused with the reason.
func (e *Engine) MarkNotExported(ctx context.Context, module string, refs []Ref) ([]Refusal, error) {
	if _, err := e.definition(module); err != nil {
		return nil, err
	}
	unlock := e.lock(module)
	defer unlock()
	return e.db.MarkNotExported(ctx, module, refs)
}

// Exported returns the module's Successfully Exported rows exported in
// [from, to); zero ends are open.
func (e *Engine) Exported(ctx context.Context, module string, from, to time.Time) ([]ExportedRow, error) {
	return e.db.Exported(ctx, module, from, to)
}

// Feedback returns the module's Error Feedback rows of [from, to); zero
// ends are open. A row kept with its explanation's key has its cause and
// fix said again in the engine's language now; the package's own message
// stays as it wrote it.
func (e *Engine) Feedback(ctx context.Context, module string, from, to time.Time) ([]FeedbackRow, error) {
	rows, err := e.db.Feedback(ctx, module, from, to)
	if err != nil {
		return nil, err
	}
	w := e.Words()
	for i, r := range rows {
		if r.Key != "" {
			x := connectors.Explanation{Key: r.Key, Args: r.Args, Cause: r.Cause, Fix: r.Fix}.In(w)
			rows[i].Cause, rows[i].Fix = x.Cause, x.Fix
		}
	}
	return rows, nil
}
