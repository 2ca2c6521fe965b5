package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	stdsync "sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"ledgerlink/connectors"
)

//go:generate go run pacing_wrap_gen.go

// PacingOptions tune a Pacer. The zero value is usable: no rate limit, no
// concurrency limit, five tries within two minutes.
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

	// MaxAttempts is how many times one call is tried in all; zero means 5,
	// one means no retries.
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
	// unknown (timeout, reset, 5xx) sent again. Otherwise a Write is retried
	// only after a rate-limit answer, which means the package refused the
	// request unread; any other failure goes back to the engine, which looks
	// the items up by their codes before it sends them again.
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

// Pacer spaces, limits and retries calls to one accounting package. Keep one
// per module for the life of the app, so a daily limit reached in one run
// still holds in the next. It is safe for concurrent use.
type Pacer struct {
	opts    PacingOptions
	limiter *rate.Limiter // nil: no rate limit
	slots   chan struct{} // nil: no concurrency limit
	log     *slog.Logger

	mu    stdsync.Mutex
	daily *connectors.RateLimitError // the daily-limit answer in force, if any
}

// NewPacer returns a Pacer with opts, defaults filled in.
func NewPacer(opts PacingOptions) *Pacer {
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
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

// Wrap returns conn with every call going through the pacer. The wrapper
// implements exactly the optional interfaces conn implements (Lister,
// Writer, Reader, Linker, Explainer, Closer), so a type assertion on it
// answers as it would on conn; Unwrap returns conn.
//
// Check, ListChanged, Get and FindByCode are retried as reads. Write is
// retried as PacingOptions.WritesIdempotent says. RecordURL, Explain and
// Close do no I/O and pass straight through.
//
// A retried ListChanged starts again from since, so pages already delivered
// come again: the page function must store records by remote ID (as the
// engine does), not append. An error the page function itself returns is
// never retried.
func (p *Pacer) Wrap(conn connectors.Connection) connectors.Connection {
	c := &pacedConn{p: p, inner: conn}
	c.lister, _ = conn.(connectors.Lister)
	c.writer, _ = conn.(connectors.Writer)
	c.reader, _ = conn.(connectors.Reader)
	c.linker, _ = conn.(connectors.Linker)
	c.explainer, _ = conn.(connectors.Explainer)
	c.closer, _ = conn.(connectors.Closer)
	return wrapPaced(c)
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

// Do runs fn through the pacer as a read: paced, limited and retried on
// temporary failures. op names the call in logs.
func (p *Pacer) Do(ctx context.Context, op string, fn func(context.Context) error) error {
	return p.do(ctx, op, true, fn)
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

// do runs fn with pacing and retries. retryUnknown says whether a failure
// that leaves the outcome unknown (timeout, reset, 5xx) may be retried.
func (p *Pacer) do(ctx context.Context, op string, retryUnknown bool, fn func(context.Context) error) error {
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
				return err
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
		if serr := p.opts.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (while waiting to retry %s after: %v)", serr, op, err)
		}
	}
}

// attempt makes one call inside a concurrency slot, after the rate limiter
// lets it go.
func (p *Pacer) attempt(ctx context.Context, fn func(context.Context) error) error {
	if p.slots != nil {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-p.slots }()
	}
	if err := p.waitTurn(ctx); err != nil {
		return err
	}
	return fn(ctx)
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
		return errors.New("the pacing settings allow no calls at all")
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
	if p.daily == nil || rl.ResumeAt.After(p.daily.ResumeAt) {
		kept := *rl
		p.daily = &kept
	}
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
	return &again
}

// pageError marks an error returned by the caller's page function, which is
// the caller's own and never retried. It is transparent to errors.Is/As.
type pageError struct{ err error }

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// pacedConn holds the wrapped connection and its optional interfaces. Its
// own methods are unexported so that only the generated wrappers, which
// embed exactly the parts the inner connection has, satisfy the optional
// interfaces.
type pacedConn struct {
	p     *Pacer
	inner connectors.Connection

	lister    connectors.Lister
	writer    connectors.Writer
	reader    connectors.Reader
	linker    connectors.Linker
	explainer connectors.Explainer
	closer    connectors.Closer
}

// Check is paced and retried as a read.
func (c *pacedConn) Check(ctx context.Context) (connectors.Identity, error) {
	var id connectors.Identity
	err := c.p.do(ctx, "check", true, func(ctx context.Context) error {
		var err error
		id, err = c.inner.Check(ctx)
		return err
	})
	return id, err
}

// Unwrap returns the connection the pacer wraps.
func (c *pacedConn) Unwrap() connectors.Connection { return c.inner }

type listerPart struct{ c *pacedConn }

func (x listerPart) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	marked := func(rs []connectors.Remote) error {
		if err := page(rs); err != nil {
			return &pageError{err}
		}
		return nil
	}
	err := x.c.p.do(ctx, "list "+string(t), true, func(ctx context.Context) error {
		return x.c.lister.ListChanged(ctx, t, since, marked)
	})
	if pe, ok := err.(*pageError); ok {
		return pe.err // the page function's error, exactly as it returned it
	}
	return err
}

type writerPart struct{ c *pacedConn }

func (x writerPart) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	var out []connectors.WriteResult
	err := x.c.p.do(ctx, "write "+string(t), x.c.p.opts.WritesIdempotent, func(ctx context.Context) error {
		var err error
		out, err = x.c.writer.Write(ctx, t, items)
		return err
	})
	return out, err
}

type readerPart struct{ c *pacedConn }

func (x readerPart) Get(ctx context.Context, t connectors.RecordType, remoteIDs []string) ([]connectors.Remote, error) {
	var out []connectors.Remote
	err := x.c.p.do(ctx, "get "+string(t), true, func(ctx context.Context) error {
		var err error
		out, err = x.c.reader.Get(ctx, t, remoteIDs)
		return err
	})
	return out, err
}

func (x readerPart) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	var out []connectors.Remote
	err := x.c.p.do(ctx, "find "+string(t), true, func(ctx context.Context) error {
		var err error
		out, err = x.c.reader.FindByCode(ctx, t, codes)
		return err
	})
	return out, err
}

type linkerPart struct{ c *pacedConn }

func (x linkerPart) RecordURL(t connectors.RecordType, remoteID string) string {
	return x.c.linker.RecordURL(t, remoteID)
}

type explainerPart struct{ c *pacedConn }

func (x explainerPart) Explain(err error) (connectors.Explanation, bool) {
	return x.c.explainer.Explain(err)
}

type closerPart struct{ c *pacedConn }

func (x closerPart) Close() error { return x.c.closer.Close() }
