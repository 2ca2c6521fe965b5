package xero

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"ledgerlink/connectors"
)

// Limits are the client-side ceilings kept per organisation, set a little
// inside Xero's own so that LedgerLink slows itself down before Xero has to.
type Limits struct {
	// PerMinute is the most calls in any sixty seconds (Xero: 60).
	PerMinute int
	// Concurrent is the most calls in progress at once (Xero: 5).
	Concurrent int
	// PerDay is the most calls in a day (Xero: 5,000).
	PerDay int
}

// DefaultLimits are Xero's published limits for one organisation.
func DefaultLimits() Limits { return Limits{PerMinute: 60, Concurrent: 5, PerDay: 5000} }

// Usage is what the last answer said about the allowance left, and how
// many calls this connection has made.
type Usage struct {
	// Calls counts the Accounting API calls sent (sign-in calls excluded).
	Calls int64
	// MinuteRemaining, DayRemaining and AppMinuteRemaining echo Xero's
	// X-MinLimit-Remaining, X-DayLimit-Remaining and
	// X-AppMinLimit-Remaining headers; -1 until an answer carried them.
	MinuteRemaining    int
	DayRemaining       int
	AppMinuteRemaining int
}

// limiter paces calls to one organisation: a token bucket for the minute
// limit, a semaphore for the concurrency limit, a counter for the day.
type limiter struct {
	minute *rate.Limiter
	slots  chan struct{}
	perDay int
	now    func() time.Time

	mu         sync.Mutex
	day        time.Time // UTC midnight of the counted day
	dayCount   int
	blockUntil time.Time // set by a daily 429
	usage      Usage
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	if l.PerMinute <= 0 {
		l.PerMinute = DefaultLimits().PerMinute
	}
	if l.Concurrent <= 0 {
		l.Concurrent = DefaultLimits().Concurrent
	}
	if l.PerDay <= 0 {
		l.PerDay = DefaultLimits().PerDay
	}
	// A bucket of b tokens refilled at r per second lets through at most
	// b + 60r calls in any minute; choose r so that this equals PerMinute.
	burst := min(l.Concurrent, l.PerMinute)
	perSecond := float64(l.PerMinute-burst) / 60
	if perSecond <= 0 {
		perSecond = float64(l.PerMinute) / 60
	}
	return &limiter{
		minute: rate.NewLimiter(rate.Limit(perSecond), burst),
		slots:  make(chan struct{}, l.Concurrent),
		perDay: l.PerDay,
		now:    now,
		usage:  Usage{MinuteRemaining: -1, DayRemaining: -1, AppMinuteRemaining: -1},
	}
}

// acquire waits for a turn and returns the function that gives it back.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := l.dayLeft(); err != nil {
		return nil, err
	}
	if err := l.minute.Wait(ctx); err != nil {
		return nil, err
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := l.countDay(); err != nil {
		<-l.slots
		return nil, err
	}
	return func() { <-l.slots }, nil
}

// dayLeft refuses a call early, before waiting for a turn, when the day's
// allowance is already spent.
func (l *limiter) dayLeft() error {
	l.mu.Lock()
	now := l.now()
	blocked := now.Before(l.blockUntil)
	l.mu.Unlock()
	if blocked {
		return l.countDay()
	}
	return nil
}

// countDay counts one call against the day, or refuses it when the day's
// allowance is spent.
func (l *limiter) countDay() error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.blockUntil) {
		return &connectors.RateLimitError{
			RetryAfter: l.blockUntil.Sub(now), Daily: true, ResumeAt: l.blockUntil,
			Message: "Xero's daily allowance of calls for this organisation is used up",
		}
	}
	day := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	if !day.Equal(l.day) {
		l.day, l.dayCount = day, 0
	}
	if l.dayCount >= l.perDay {
		resume := day.Add(24 * time.Hour)
		return &connectors.RateLimitError{
			RetryAfter: resume.Sub(now), Daily: true, ResumeAt: resume,
			Message: "LedgerLink's daily allowance of calls to this Xero organisation is used up",
		}
	}
	l.dayCount++
	l.usage.Calls++
	return nil
}

// observe records the allowance headers of an answer.
func (l *limiter) observe(h http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	readInt := func(name string, into *int) {
		if v, err := strconv.Atoi(h.Get(name)); err == nil {
			*into = v
		}
	}
	readInt("X-MinLimit-Remaining", &l.usage.MinuteRemaining)
	readInt("X-DayLimit-Remaining", &l.usage.DayRemaining)
	readInt("X-AppMinLimit-Remaining", &l.usage.AppMinuteRemaining)
}

// blockDay stops calls until resume after Xero said the day is spent.
func (l *limiter) blockDay(resume time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if resume.After(l.blockUntil) {
		l.blockUntil = resume
	}
}

func (l *limiter) snapshot() Usage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.usage
}
