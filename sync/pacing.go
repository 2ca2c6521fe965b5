package sync

// Pacing: one layer between LedgerLink and each accounting package.
//
// Every call to a package goes through its module's Pacer, which alone
// spaces calls (a per-minute rate with a burst), caps the calls in progress,
// counts the day's calls, keeps a daily-limit pause until the package's
// allowance comes back, and decides once whether a failed call is tried
// again (Retry-After honoured exactly, otherwise an exponential back-off
// with full jitter). Connectors neither pace nor retry: they report
// *connectors.RateLimitError, connectors.ErrTemporary, connectors.ErrAuth or
// *connectors.ItemError, and the engine does not retry either.
//
// API for the composition root:
//
//	pacers := sync.NewPacers(log)                  // once, for the life of the app
//	rt := pacers.Transport(def, sandbox, http.DefaultTransport)
//	cfg.HTTPClient = &http.Client{Transport: rt, Timeout: 90 * time.Second}
//	conn, err := def.Open(ctx, cfg)
//	conn = pacers.Wrap(def, sandbox, conn)         // hand this to the engine
//
// Pacers keeps one Pacer per module name (and one for the module's
// Sandbox, which is another organisation), configured from def.Limits, or
// def.Sandbox.Limits in the Sandbox when they are set; a reconnect gets the
// same Pacer back, so a daily pause or a spent allowance survives it.
//
// Transport paces every HTTP request: rate, concurrency and the daily count
// apply per request, because one Write may make several. Once a module's
// Transport has been handed out, Wrap leaves those to it and only retries;
// a connection that makes no HTTP requests of its own (the reference
// ledger, say) is paced per call by Wrap instead. A connector that must
// send its requests elsewhere (an in-process simulator) keeps the pacing by
// calling the transport's WithBase(rt) method, found with an interface
// assertion on cfg.HTTPClient.Transport.
//
// Wrap returns one connection type that implements every capability
// interface and delegates each to the connection inside; a capability the
// inner connection lacks answers errors.ErrUnsupported. Ask with Has or As
// whether the inner connection really has a capability: a plain type
// assertion on a paced connection always succeeds.
//
// Attempts: one call, a Write of one batch included, goes to the package
// at most DefaultAttempts (4) times in all, within two minutes. A Write
// whose outcome is unknown (timeout, reset, 5xx) is sent again only when
// the package deduplicates on the idempotency key; otherwise the pacer
// first asks the package (FindByCode) which records arrived and sends only
// the others again, within the same count.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	stdsync "sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"ledgerlink/connectors"
)

// DefaultAttempts is how many times one call (one batch's Write included)
// is sent to the package in all, unless PacingOptions say otherwise.
const DefaultAttempts = 4

// PacingOptions tune a Pacer. The zero value is usable: no rate limit, no
// concurrency or daily limit, DefaultAttempts tries within two minutes.
type PacingOptions struct {
	// PerMinute is the steady number of calls per minute; zero means no
	// limit.
	PerMinute float64
	// Burst is how many calls may go at once after a quiet spell; zero
	// means one.
	Burst int
	// MaxConcurrent is how many calls may be in flight at once; zero means
	// no limit.
	MaxConcurrent int
	// PerDay is how many calls may go in one UTC day; zero means no limit.
	// Past it, calls are refused with a daily *connectors.RateLimitError
	// until the next UTC midnight.
	PerDay int

	// MaxAttempts is how many times one call is tried in all; zero means
	// DefaultAttempts, one means no retries.
	MaxAttempts int
	// MaxElapsed is the longest one call may take with its retries and
	// waits; zero means two minutes. A wait that would pass it is not
	// started: the last error is returned instead.
	MaxElapsed time.Duration
	// BaseDelay is the back-off before the first retry; zero means one
	// second. It doubles for each further retry up to MaxDelay (zero means
	// one minute); the actual wait is a random fraction of that ("full
	// jitter"), so many clients failing together do not retry together.
	BaseDelay time.Duration
	MaxDelay  time.Duration

	// WritesIdempotent says a repeated Write cannot create a record twice,
	// because the package deduplicates on WriteItem.Key
	// (Capabilities.IdempotencyKeys). Only then is a Write whose outcome is
	// unknown (timeout, reset, 5xx) sent again as it was. Otherwise the
	// pacer asks the package which of the batch's new records it holds
	// (when the connection is a Reader) and sends only the rest again; a
	// connection that cannot be asked gets the failure back.
	WritesIdempotent bool

	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends, returning ctx's error then; nil
	// means a real timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for the jitter; nil means
	// math/rand/v2. It is called under a lock, so it need not be safe for
	// concurrent use.
	Rand func() float64
	// Logger receives retries (Debug) and waits the package asked for
	// (Info); nil discards.
	Logger *slog.Logger
}

// OptionsFromLimits turns a package's published limits into pacing
// options. A bucket of Burst tokens refilled at r per second lets through
// at most Burst + 60r calls in any minute, so r is chosen to keep that at
// PerMinute.
func OptionsFromLimits(l connectors.Limits) PacingOptions {
	o := PacingOptions{MaxConcurrent: max(l.Concurrent, 0), PerDay: max(l.PerDay, 0)}
	if l.PerMinute > 0 {
		burst := l.Burst
		if burst <= 0 {
			burst = l.PerMinute
			if l.Concurrent > 0 {
				burst = min(l.Concurrent, l.PerMinute)
			}
		}
		burst = min(burst, l.PerMinute)
		o.Burst = burst
		o.PerMinute = float64(l.PerMinute - burst)
		if o.PerMinute <= 0 {
			o.PerMinute = float64(l.PerMinute)
		}
	}
	return o
}

// Pacer spaces, limits and retries calls to one accounting package. Keep one
// per module for the life of the app (Pacers does), so a daily limit reached
// in one run still holds in the next. It is safe for concurrent use.
type Pacer struct {
	opts    PacingOptions
	limiter *rate.Limiter // nil: no rate limit
	slots   chan struct{} // nil: no concurrency limit
	log     *slog.Logger
	// perRequest is set once the pacer's Transport is in use: the HTTP
	// requests take the turns, and calls through Wrap only retry.
	perRequest atomic.Bool

	mu       stdsync.Mutex
	daily    *connectors.RateLimitError // the daily-limit answer in force, if any
	day      time.Time                  // UTC midnight of the counted day
	dayCalls int
}

// NewPacer returns a Pacer with opts, defaults filled in.
func NewPacer(opts PacingOptions) *Pacer {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultAttempts
	}
	if opts.MaxElapsed <= 0 {
		opts.MaxElapsed = 2 * time.Minute
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = time.Second
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = time.Minute
	}
	if opts.MaxDelay < opts.BaseDelay {
		opts.MaxDelay = opts.BaseDelay
	}
	if opts.Burst <= 0 {
		opts.Burst = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	p := &Pacer{opts: opts, log: opts.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if opts.PerMinute > 0 {
		p.limiter = rate.NewLimiter(rate.Limit(opts.PerMinute/60), opts.Burst)
	}
	if opts.MaxConcurrent > 0 {
		p.slots = make(chan struct{}, opts.MaxConcurrent)
	}
	return p
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Paced wraps conn in a new Pacer with opts. See Pacer.Wrap.
func Paced(conn connectors.Connection, opts PacingOptions) connectors.Connection {
	return NewPacer(opts).Wrap(conn)
}

// ResumeAt reports when the package's daily allowance comes back, while a
// daily limit is in force.
func (p *Pacer) ResumeAt() (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.daily == nil || !p.opts.Now().Before(p.daily.ResumeAt) {
		return time.Time{}, false
	}
	return p.daily.ResumeAt, true
}

// DayCount is how many calls went to the package on one UTC day, of the
// day's allowance.
type DayCount struct {
	// Day is the UTC midnight the count is of.
	Day   time.Time `json:"day"`
	Calls int       `json:"calls"`
	// Limit is the day's allowance; zero means none.
	Limit int `json:"limit,omitempty"`
}

// Today returns the calls counted today (UTC).
func (p *Pacer) Today() DayCount {
	now := p.opts.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p.mu.Lock()
	defer p.mu.Unlock()
	c := DayCount{Day: day, Limit: p.opts.PerDay}
	if p.day.Equal(day) {
		c.Calls = p.dayCalls
	}
	return c
}

// Seed adds to today's count the calls another process (or an earlier
// run of this one) made today, so the allowance holds across restarts.
// A count of another day is ignored; a smaller count than the pacer's
// changes nothing.
func (p *Pacer) Seed(c DayCount) {
	now := p.opts.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if !c.Day.UTC().Equal(day) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.day.Equal(day) {
		p.day, p.dayCalls = day, 0
	}
	p.dayCalls = max(p.dayCalls, c.Calls)
}

// Do runs fn through the pacer as a read: paced, limited and retried on
// temporary failures. op names the call in logs.
func (p *Pacer) Do(ctx context.Context, op string, fn func(context.Context) error) error {
	return p.do(ctx, op, true, nil, fn)
}

// errClass is what a failure calls for.
type errClass int

const (
	permanent  errClass = iota // give it back at once
	transient                  // back off and try again
	slowDown                   // wait as the package asked, then try again
	dailyLimit                 // give it back and refuse calls until ResumeAt
)

// classify sorts err. Permanent verdicts are checked first, so a record's
// own rejection or a refused sign-in is never retried even when wrapped
// together with something temporary.
func classify(err error) (errClass, *connectors.RateLimitError) {
	var item *connectors.ItemError
	var page *pageError
	if errors.As(err, &item) || errors.As(err, &page) || errors.Is(err, connectors.ErrAuth) ||
		errors.Is(err, connectors.ErrNotFound) || errors.Is(err, errors.ErrUnsupported) {
		return permanent, nil
	}
	var rl *connectors.RateLimitError
	if errors.As(err, &rl) {
		if rl.Daily {
			return dailyLimit, rl
		}
		return slowDown, rl
	}
	if errors.Is(err, connectors.ErrTemporary) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return transient, nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return transient, nil
	}
	return permanent, nil
}

// settleFunc is asked, after a failure whose outcome is unknown and that
// may not simply be sent again, what became of the call: done means
// nothing is left to send; an error ends the call with it; otherwise the
// call is tried again (with what settle left to send).
type settleFunc func(ctx context.Context, err error) (done bool, serr error)

// do runs fn with pacing and retries. retryUnknown says whether a failure
// that leaves the outcome unknown (timeout, reset, 5xx) may be retried as
// it is; when it may not, settle (if any) finds out what arrived first.
func (p *Pacer) do(ctx context.Context, op string, retryUnknown bool, settle settleFunc, fn func(context.Context) error) error {
	start := p.opts.Now()
	for attempt := 1; ; attempt++ {
		if err := p.pausedErr(); err != nil {
			return err
		}
		err := p.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// The caller gave up; whatever fn said is beside the point.
			if errors.Is(err, cerr) {
				return err
			}
			return fmt.Errorf("%w (%s stopped: %v)", cerr, op, err)
		}
		class, rl := classify(err)
		var wait time.Duration
		switch class {
		case permanent:
			return err
		case dailyLimit:
			p.rememberDaily(op, rl)
			return err
		case slowDown:
			wait = rl.RetryAfter
			if wait <= 0 {
				wait = p.backoff(attempt)
			}
		case transient:
			if !retryUnknown {
				if settle == nil || attempt >= p.opts.MaxAttempts {
					return err
				}
				done, serr := settle(ctx, err)
				if serr != nil {
					return serr
				}
				if done {
					return nil
				}
			}
			wait = p.backoff(attempt)
		}
		if attempt >= p.opts.MaxAttempts {
			return fmt.Errorf("the accounting package still failed after %d tries: %w", attempt, err)
		}
		if elapsed := p.opts.Now().Sub(start); elapsed+wait > p.opts.MaxElapsed {
			return fmt.Errorf("the accounting package still failed after %d tries over %s: %w",
				attempt, elapsed.Round(time.Second), err)
		}
		if class == slowDown {
			p.log.Info("accounting package asked to slow down; waiting", "op", op, "wait", wait, "attempt", attempt)
		} else {
			p.log.Debug("retrying after a temporary failure", "op", op, "wait", wait, "attempt", attempt, "err", err)
		}
		if class == slowDown {
			reportWait(ctx, p.opts.Now().Add(wait))
		}
		serr := p.opts.Sleep(ctx, wait)
		if class == slowDown {
			reportWait(ctx, time.Time{})
		}
		if serr != nil {
			return fmt.Errorf("%w (while waiting to retry %s after: %v)", serr, op, err)
		}
	}
}

// attempt makes one call, taking a turn first unless the HTTP requests
// take their own.
func (p *Pacer) attempt(ctx context.Context, fn func(context.Context) error) error {
	if p.perRequest.Load() {
		return fn(ctx)
	}
	release, err := p.turn(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn(ctx)
}

// turn waits until one call (or HTTP request) may go: no daily pause, a
// free concurrency slot, the rate limiter's leave and the day's allowance.
// The returned function gives the slot back.
func (p *Pacer) turn(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := p.pausedErr(); err != nil {
		return nil, err
	}
	release = func() {}
	if p.slots != nil {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		release = func() { <-p.slots }
	}
	if err := p.waitTurn(ctx); err != nil {
		release()
		return nil, err
	}
	if err := p.countDay(); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// waitTurn waits for the rate limiter on the pacer's own clock, so tests
// with a fake clock never really wait.
func (p *Pacer) waitTurn(ctx context.Context) error {
	if p.limiter == nil {
		return nil
	}
	now := p.opts.Now()
	r := p.limiter.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("the pacing settings allow no calls at all") // words:log: a connector's limits are a fault of the build, for the log
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := p.opts.Sleep(ctx, d); err != nil {
		r.CancelAt(p.opts.Now())
		return err
	}
	return nil
}

// countDay counts one call against the UTC day, or refuses it (and pauses
// the pacer until midnight) when the day's allowance is spent.
func (p *Pacer) countDay() error {
	if p.opts.PerDay <= 0 {
		return nil
	}
	now := p.opts.Now().UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p.mu.Lock()
	if !day.Equal(p.day) {
		p.day, p.dayCalls = day, 0
	}
	if p.dayCalls < p.opts.PerDay {
		p.dayCalls++
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	resume := day.Add(24 * time.Hour)
	rl := &connectors.RateLimitError{RetryAfter: resume.Sub(now), Daily: true, ResumeAt: resume,
		Message: fmt.Sprintf("LedgerLink's allowance of %d calls a day to this organisation is used up", p.opts.PerDay)}
	p.rememberDaily("daily count", rl)
	return rl
}

func (p *Pacer) backoff(attempt int) time.Duration {
	ceiling := p.opts.BaseDelay
	for i := 1; i < attempt && ceiling < p.opts.MaxDelay; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, p.opts.MaxDelay)
	p.mu.Lock()
	f := p.opts.Rand()
	p.mu.Unlock()
	if f < 0 || f >= 1 {
		f = 0
	}
	return time.Duration(f * float64(ceiling))
}

// rememberDaily keeps a daily-limit answer so later calls are refused with
// it until ResumeAt. An answer without ResumeAt cannot be kept: nobody
// knows when to try again.
func (p *Pacer) rememberDaily(op string, rl *connectors.RateLimitError) {
	if rl.ResumeAt.IsZero() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.daily != nil && !rl.ResumeAt.After(p.daily.ResumeAt) {
		return
	}
	kept := *rl
	p.daily = &kept
	p.log.Info("accounting package's daily limit reached; pausing calls", "op", op, "resume_at", rl.ResumeAt)
}

// pausedErr returns the daily-limit answer while it is in force.
func (p *Pacer) pausedErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.daily == nil {
		return nil
	}
	if !p.opts.Now().Before(p.daily.ResumeAt) {
		p.daily = nil
		return nil
	}
	again := *p.daily
	again.RetryAfter = again.ResumeAt.Sub(p.opts.Now())
	return &again
}

// pageError marks an error returned by the caller's page function, which is
// the caller's own and never retried. It is transparent to errors.Is/As.
type pageError struct{ err error }

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// Pacers keeps one Pacer per module (and one per module's Sandbox) for the
// life of the app. It is safe for concurrent use.
type Pacers struct {
	log  *slog.Logger
	base PacingOptions

	mu stdsync.Mutex
	by map[pacerKey]*Pacer
}

type pacerKey struct {
	module  string
	sandbox bool
}

// PacersOption adjusts the options every module's Pacer starts from
// (clock, waits, attempts); the limits come from each module's Definition.
type PacersOption func(*PacingOptions)

// PacingClock makes the pacers use now and sleep (tests use a fake clock).
func PacingClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) PacersOption {
	return func(o *PacingOptions) { o.Now, o.Sleep = now, sleep }
}

// PacingAttempts sets how many times one call is tried in all.
func PacingAttempts(n int) PacersOption { return func(o *PacingOptions) { o.MaxAttempts = n } }

// NewPacers returns an empty set of pacers logging to log (nil discards).
func NewPacers(log *slog.Logger, opts ...PacersOption) *Pacers {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pacers{log: log, by: map[pacerKey]*Pacer{}}
	for _, o := range opts {
		o(&p.base)
	}
	return p
}

// For returns the module's Pacer, made on first use from def's limits (the
// Sandbox's when sandbox is set and it declares any).
func (p *Pacers) For(def connectors.Definition, sandbox bool) *Pacer {
	key := pacerKey{def.Name, sandbox}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pc, ok := p.by[key]; ok {
		return pc
	}
	limits := def.Limits
	if sandbox && def.Sandbox != nil && def.Sandbox.Limits != (connectors.Limits{}) {
		limits = def.Sandbox.Limits
	}
	o := OptionsFromLimits(limits)
	o.MaxAttempts, o.MaxElapsed, o.BaseDelay, o.MaxDelay = p.base.MaxAttempts, p.base.MaxElapsed, p.base.BaseDelay, p.base.MaxDelay
	o.Now, o.Sleep, o.Rand = p.base.Now, p.base.Sleep, p.base.Rand
	o.WritesIdempotent = def.Caps.IdempotencyKeys
	log := p.log.With("module", def.Name)
	if sandbox {
		log = log.With("sandbox", true)
	}
	o.Logger = log
	pc := NewPacer(o)
	p.by[key] = pc
	return pc
}

// Wrap returns conn behind the module's pacer. See Pacer.Wrap.
func (p *Pacers) Wrap(def connectors.Definition, sandbox bool, conn connectors.Connection) connectors.Connection {
	return p.For(def, sandbox).Wrap(conn)
}

// ResumeAt reports when the module's daily allowance comes back, while a
// daily limit is in force (for the module's state: "waiting until T").
func (p *Pacers) ResumeAt(def connectors.Definition, sandbox bool) (time.Time, bool) {
	return p.For(def, sandbox).ResumeAt()
}

// Transport returns base (nil: http.DefaultTransport) with every request
// paced by the module's pacer. From then on the module's calls through
// Wrap only retry, leaving the pacing to the requests.
func (p *Pacers) Transport(def connectors.Definition, sandbox bool, base http.RoundTripper) http.RoundTripper {
	return p.For(def, sandbox).Transport(base)
}

// Transport returns base (nil: http.DefaultTransport) with every request
// paced: it waits for its turn, counts against the day, and is refused
// with the daily *connectors.RateLimitError while a daily pause holds. A
// request's concurrency slot is held until its answer's body is closed.
// It never retries: the one retry decision is Wrap's.
func (p *Pacer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	p.perRequest.Store(true)
	return &pacedTransport{p: p, base: base}
}

// pacedTransport is a paced http.RoundTripper.
type pacedTransport struct {
	p    *Pacer
	base http.RoundTripper
}

// WithBase returns the same pacing over another base transport, for a
// connector that sends its requests elsewhere (an in-process simulator).
func (t *pacedTransport) WithBase(base http.RoundTripper) http.RoundTripper {
	return t.p.Transport(base)
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release, err := t.p.turn(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		release()
		return resp, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody gives the request's slot back once the answer is closed.
type releasingBody struct {
	io.ReadCloser
	once    stdsync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
