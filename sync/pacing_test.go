package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// fakeTime is a clock whose Sleep only moves the clock forward.
type fakeTime struct {
	mu     stdsync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeTime) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fakeTime) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sleeps)
}

func (f *fakeTime) options() PacingOptions {
	return PacingOptions{Now: f.Now, Sleep: f.Sleep, Rand: func() float64 { return 0.5 }}
}

// scripted is a connection of every capability whose calls answer from a
// script of errors, one per call; past the end it succeeds.
type scripted struct {
	mu     stdsync.Mutex
	script []error
	calls  int
	pages  [][]connectors.Remote
	onCall func(n int)
}

func (s *scripted) next() error {
	s.mu.Lock()
	s.calls++
	n := s.calls
	var err error
	if n <= len(s.script) {
		err = s.script[n-1]
	}
	on := s.onCall
	s.mu.Unlock()
	if on != nil {
		on(n)
	}
	return err
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *scripted) Check(ctx context.Context) (connectors.Identity, error) {
	if err := s.next(); err != nil {
		return connectors.Identity{}, err
	}
	return connectors.Identity{Organisation: "Demo Ltd", Currency: "GBP"}, nil
}

func (s *scripted) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	// Deliver the pages first, then fail as scripted: a failure mid-way.
	for _, p := range s.pages {
		if err := page(p); err != nil {
			return err
		}
	}
	return s.next()
}

func (s *scripted) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if err := s.next(); err != nil {
		return nil, err
	}
	out := make([]connectors.WriteResult, len(items))
	for i, it := range items {
		out[i] = connectors.WriteResult{Key: it.Key, RemoteID: "R-" + it.Key}
	}
	return out, nil
}

func (s *scripted) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	if err := s.next(); err != nil {
		return nil, err
	}
	return []connectors.Remote{{RemoteID: ids[0]}}, nil
}

func (s *scripted) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := s.next(); err != nil {
		return nil, err
	}
	return []connectors.Remote{{RemoteID: "by-" + codes[0]}}, nil
}

func (s *scripted) RecordURL(t connectors.RecordType, id string) string {
	return "https://books.example/" + string(t) + "/" + id
}

func (s *scripted) Explain(err error) (connectors.Explanation, bool) {
	return connectors.Explanation{Cause: "cause of " + err.Error(), Fix: "fix"}, true
}

func (s *scripted) Close() error { return errors.New("closed once") }

// timeoutErr is a net.Error that timed out (or not).
type timeoutErr struct{ timeout bool }

func (e timeoutErr) Error() string   { return fmt.Sprintf("i/o timeout=%v", e.timeout) }
func (e timeoutErr) Timeout() bool   { return e.timeout }
func (e timeoutErr) Temporary() bool { return e.timeout }

var _ net.Error = timeoutErr{}

func TestRetryByErrorClass(t *testing.T) {
	item := &connectors.ItemError{Code: "ValidationException", Message: "Account code must be specified"}
	tests := []struct {
		name    string
		script  []error
		calls   int
		ok      bool
		is      error // the final error matches this with errors.Is, if set
		asItem  bool
		sleeps  int
		message string
	}{
		{"success", nil, 1, true, nil, false, 0, ""},
		{"temporary then success", []error{fmt.Errorf("502 from server: %w", connectors.ErrTemporary)}, 2, true, nil, false, 1, ""},
		{"net timeout then success", []error{&net.OpError{Op: "read", Err: timeoutErr{true}}}, 2, true, nil, false, 1, ""},
		{"connection reset then success", []error{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}, 2, true, nil, false, 1, ""},
		{"unexpected EOF then success", []error{fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF)}, 2, true, nil, false, 1, ""},
		{"per-request deadline then success", []error{fmt.Errorf("request: %w", context.DeadlineExceeded)}, 2, true, nil, false, 1, ""},
		{"temporary every time", []error{connectors.ErrTemporary, connectors.ErrTemporary, connectors.ErrTemporary, connectors.ErrTemporary, connectors.ErrTemporary, connectors.ErrTemporary},
			5, false, connectors.ErrTemporary, false, 4, "still failed after 5 tries"},
		{"non-timeout net error", []error{&net.OpError{Op: "dial", Err: timeoutErr{false}}}, 1, false, nil, false, 0, "timeout=false"},
		{"item error", []error{item}, 1, false, nil, true, 0, "Account code must be specified"},
		{"auth", []error{fmt.Errorf("token refused: %w", connectors.ErrAuth)}, 1, false, connectors.ErrAuth, false, 0, ""},
		{"not found", []error{connectors.ErrNotFound}, 1, false, connectors.ErrNotFound, false, 0, ""},
		{"validation", []error{errors.New("amount must not be negative")}, 1, false, nil, false, 0, "amount must not be negative"},
		{"item error wrapped with temporary", []error{errors.Join(item, connectors.ErrTemporary)}, 1, false, connectors.ErrTemporary, true, 0, ""},
		{"auth wrapped with reset", []error{errors.Join(connectors.ErrAuth, syscall.ECONNRESET)}, 1, false, connectors.ErrAuth, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := newFakeTime()
			inner := &scripted{script: tt.script}
			opts := ft.options()
			opts.MaxAttempts = 5
			conn := Paced(inner, opts)
			id, err := conn.Check(context.Background())
			if got := inner.Calls(); got != tt.calls {
				t.Errorf("inner called %d times, want %d", got, tt.calls)
			}
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && id.Organisation != "Demo Ltd" {
				t.Errorf("identity lost: %+v", id)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v does not match %v", err, tt.is)
			}
			var ie *connectors.ItemError
			if tt.asItem && (!errors.As(err, &ie) || ie != item) {
				t.Errorf("err %v does not carry the item error", err)
			}
			if tt.message != "" && !strings.Contains(fmt.Sprint(err), tt.message) {
				t.Errorf("err %q lacks %q", err, tt.message)
			}
			if got := len(ft.Sleeps()); got != tt.sleeps {
				t.Errorf("slept %d times, want %d", got, tt.sleeps)
			}
		})
	}
}

func TestRetryAfterHonouredExactly(t *testing.T) {
	tests := []struct {
		name   string
		script []error
		want   []time.Duration
	}{
		{"one wait", []error{&connectors.RateLimitError{RetryAfter: 7 * time.Second}}, []time.Duration{7 * time.Second}},
		{"waits as told each time", []error{
			&connectors.RateLimitError{RetryAfter: 61 * time.Second},
			fmt.Errorf("HTTP 429: %w", &connectors.RateLimitError{RetryAfter: 3 * time.Second}),
		}, []time.Duration{61 * time.Second, 3 * time.Second}},
		{"over the back-off ceiling still exact", []error{&connectors.RateLimitError{RetryAfter: 90 * time.Second}}, []time.Duration{90 * time.Second}},
		// Without Retry-After the back-off applies: base 1s, jitter 0.5.
		{"no retry-after uses back-off", []error{&connectors.RateLimitError{}}, []time.Duration{500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := newFakeTime()
			opts := ft.options()
			opts.Rand = func() float64 { return 0.999 } // jitter must not touch Retry-After
			if tt.name == "no retry-after uses back-off" {
				opts.Rand = func() float64 { return 0.5 }
			}
			inner := &scripted{script: tt.script}
			if _, err := Paced(inner, opts).Check(context.Background()); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got := ft.Sleeps(); !slices.Equal(got, tt.want) {
				t.Errorf("sleeps = %v, want %v", got, tt.want)
			}
			if inner.Calls() != len(tt.script)+1 {
				t.Errorf("calls = %d, want %d", inner.Calls(), len(tt.script)+1)
			}
		})
	}
}

func TestMaxElapsed(t *testing.T) {
	ft := newFakeTime()
	opts := ft.options()
	opts.MaxElapsed = 2 * time.Minute
	slow := &connectors.RateLimitError{RetryAfter: 90 * time.Second}
	inner := &scripted{script: []error{slow, slow, slow}}
	_, err := Paced(inner, opts).Check(context.Background())
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || rl != slow {
		t.Fatalf("err = %v, want the rate-limit answer", err)
	}
	if !strings.Contains(err.Error(), "still failed after 2 tries over 1m30s") {
		t.Errorf("err = %q", err)
	}
	if inner.Calls() != 2 || !slices.Equal(ft.Sleeps(), []time.Duration{90 * time.Second}) {
		t.Errorf("calls %d sleeps %v; want 2 calls and one 90s wait", inner.Calls(), ft.Sleeps())
	}
}

func TestBackoffJitterBounded(t *testing.T) {
	const attempts = 10
	base, maxDelay := 100*time.Millisecond, time.Second
	ceilings := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000}
	for i := range ceilings {
		ceilings[i] *= time.Millisecond
	}
	tests := []struct {
		name string
		rnd  func() float64
		want func(i int) (lo, hi time.Duration)
	}{
		{"top of the range stays below the ceiling", func() float64 { return 0.999999 },
			func(i int) (time.Duration, time.Duration) { return ceilings[i] * 99 / 100, ceilings[i] - 1 }},
		{"zero waits zero", func() float64 { return 0 },
			func(int) (time.Duration, time.Duration) { return 0, 0 }},
		{"half waits half", func() float64 { return 0.5 },
			func(i int) (time.Duration, time.Duration) { return ceilings[i] / 2, ceilings[i] / 2 }},
		{"out-of-range source is treated as zero", func() float64 { return 1.5 },
			func(int) (time.Duration, time.Duration) { return 0, 0 }},
		{"random source within bounds", rand.New(rand.NewPCG(1, 2)).Float64,
			func(i int) (time.Duration, time.Duration) { return 0, ceilings[i] - 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := newFakeTime()
			opts := ft.options()
			opts.Rand, opts.BaseDelay, opts.MaxDelay, opts.MaxAttempts = tt.rnd, base, maxDelay, attempts
			script := make([]error, attempts)
			for i := range script {
				script[i] = connectors.ErrTemporary
			}
			_, err := Paced(&scripted{script: script}, opts).Check(context.Background())
			if !errors.Is(err, connectors.ErrTemporary) {
				t.Fatalf("err = %v", err)
			}
			sleeps := ft.Sleeps()
			if len(sleeps) != attempts-1 {
				t.Fatalf("%d sleeps, want %d", len(sleeps), attempts-1)
			}
			for i, d := range sleeps {
				lo, hi := tt.want(i)
				if d < lo || d > hi {
					t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, lo, hi)
				}
			}
		})
	}
}

func TestDailyLimitPauses(t *testing.T) {
	ft := newFakeTime()
	resume := ft.Now().Add(5 * time.Hour)
	daily := &connectors.RateLimitError{Daily: true, ResumeAt: resume, Message: "daily quota"}
	inner := &scripted{script: []error{daily}}
	p := NewPacer(ft.options())
	conn := p.Wrap(inner)

	_, err := conn.Check(context.Background())
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily || !rl.ResumeAt.Equal(resume) {
		t.Fatalf("first call err = %v, want the daily limit", err)
	}
	if inner.Calls() != 1 || len(ft.Sleeps()) != 0 {
		t.Errorf("daily limit was retried: %d calls, sleeps %v", inner.Calls(), ft.Sleeps())
	}
	if at, ok := p.ResumeAt(); !ok || !at.Equal(resume) {
		t.Errorf("ResumeAt = %v, %v; want %v", at, ok, resume)
	}

	// Every kind of call is refused, with the same answer, without a call.
	ft.Advance(4 * time.Hour)
	w := conn.(connectors.Writer)
	if _, err := w.Write(context.Background(), connectors.Customers, []connectors.WriteItem{{Key: "k1"}}); !errors.As(err, &rl) || !rl.ResumeAt.Equal(resume) {
		t.Errorf("Write while paused err = %v", err)
	}
	if _, err := conn.Check(context.Background()); !errors.As(err, &rl) || !rl.Daily {
		t.Errorf("Check while paused err = %v", err)
	}
	if inner.Calls() != 1 {
		t.Errorf("calls while paused reached the package: %d", inner.Calls())
	}
	if err.Error() != daily.Error() {
		t.Errorf("paused error %q differs from the package's %q", err, daily)
	}

	// Once the allowance is back, calls go through again.
	ft.Advance(time.Hour)
	if _, err := conn.Check(context.Background()); err != nil {
		t.Errorf("after ResumeAt: %v", err)
	}
	if inner.Calls() != 2 {
		t.Errorf("calls = %d, want 2", inner.Calls())
	}
	if _, ok := p.ResumeAt(); ok {
		t.Error("ResumeAt still reported after it passed")
	}

	// A daily answer without ResumeAt is returned but cannot pause anything.
	inner2 := &scripted{script: []error{&connectors.RateLimitError{Daily: true}}}
	p2 := NewPacer(ft.options())
	c2 := p2.Wrap(inner2)
	if _, err := c2.Check(context.Background()); !errors.As(err, &rl) {
		t.Errorf("err = %v", err)
	}
	if _, err := c2.Check(context.Background()); err != nil || inner2.Calls() != 2 {
		t.Errorf("second call err %v calls %d; want it to reach the package", err, inner2.Calls())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sleeping := make(chan struct{})
	opts := PacingOptions{
		BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 24 * time.Hour, Rand: func() float64 { return 0.5 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			close(sleeping)
			<-ctx.Done()
			return ctx.Err()
		},
	}
	inner := &scripted{script: []error{connectors.ErrTemporary, connectors.ErrTemporary}}
	done := make(chan error, 1)
	go func() {
		_, err := Paced(inner, opts).(connectors.Reader).Get(ctx, connectors.SalesInvoices, []string{"INV-1"})
		done <- err
	}()
	select {
	case <-sleeping:
	case err := <-done:
		t.Fatalf("returned without backing off: %v", err)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "get sales_invoice") || !strings.Contains(err.Error(), connectors.ErrTemporary.Error()) {
		t.Errorf("err %q does not say what was stopped and why it waited", err)
	}
	if inner.Calls() != 1 {
		t.Errorf("calls = %d, want 1", inner.Calls())
	}

	// A call whose ctx ends while the package answers is not retried.
	ctx2, cancel2 := context.WithCancel(context.Background())
	inner2 := &scripted{script: []error{connectors.ErrTemporary}, onCall: func(int) { cancel2() }}
	_, err = Paced(inner2, newFakeTime().options()).Check(ctx2)
	if !errors.Is(err, context.Canceled) || inner2.Calls() != 1 {
		t.Errorf("err %v calls %d; want cancelled after one call", err, inner2.Calls())
	}
}

func TestWriteRetryPolicy(t *testing.T) {
	items := []connectors.WriteItem{{Key: "k1"}, {Key: "k2"}}
	tests := []struct {
		name       string
		idempotent bool
		script     []error
		calls      int
		ok         bool
	}{
		{"unknown outcome not resent without idempotency", false, []error{connectors.ErrTemporary}, 1, false},
		{"timeout not resent without idempotency", false, []error{timeoutErr{true}}, 1, false},
		{"rate limit resent without idempotency", false, []error{&connectors.RateLimitError{RetryAfter: time.Second}}, 2, true},
		{"unknown outcome resent with idempotency", true, []error{connectors.ErrTemporary, syscall.ECONNRESET}, 3, true},
		{"item error never resent", true, []error{&connectors.ItemError{Message: "bad"}}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := newFakeTime().options()
			opts.WritesIdempotent = tt.idempotent
			inner := &scripted{script: tt.script}
			res, err := Paced(inner, opts).(connectors.Writer).Write(context.Background(), connectors.SalesInvoices, items)
			if inner.Calls() != tt.calls || (err == nil) != tt.ok {
				t.Fatalf("calls %d err %v; want %d calls ok=%v", inner.Calls(), err, tt.calls, tt.ok)
			}
			if tt.ok && (len(res) != 2 || res[1].RemoteID != "R-k2") {
				t.Errorf("results lost: %+v", res)
			}
			if !tt.ok && !errors.Is(err, tt.script[0]) && !errors.As(err, new(*connectors.ItemError)) && !errors.As(err, new(timeoutErr)) {
				t.Errorf("err %v does not carry the package's answer", err)
			}
		})
	}
}

func TestListChangedRetries(t *testing.T) {
	page := []connectors.Remote{{RemoteID: "C1"}, {RemoteID: "C2"}}

	// A failure after the pages: retried, and the pages come again.
	inner := &scripted{script: []error{connectors.ErrTemporary}, pages: [][]connectors.Remote{page}}
	seen := map[string]int{}
	err := Paced(inner, newFakeTime().options()).(connectors.Lister).ListChanged(context.Background(), connectors.Customers, time.Time{},
		func(rs []connectors.Remote) error {
			for _, r := range rs {
				seen[r.RemoteID]++
			}
			return nil
		})
	if err != nil || inner.Calls() != 2 || seen["C1"] != 2 {
		t.Errorf("err %v calls %d seen %v; want a retry re-delivering the page", err, inner.Calls(), seen)
	}

	// The page function's own error is never retried, even when temporary.
	inner = &scripted{pages: [][]connectors.Remote{page}}
	mine := fmt.Errorf("database busy: %w", connectors.ErrTemporary)
	pages := 0
	err = Paced(inner, newFakeTime().options()).(connectors.Lister).ListChanged(context.Background(), connectors.Customers, time.Time{},
		func([]connectors.Remote) error { pages++; return mine })
	if err != mine || pages != 1 {
		t.Errorf("err %v (want exactly the page error) after %d pages", err, pages)
	}
}

func TestRateLimiterPaces(t *testing.T) {
	ft := newFakeTime()
	opts := ft.options()
	opts.PerMinute, opts.Burst = 60, 2
	inner := &scripted{}
	conn := Paced(inner, opts)
	start := ft.Now()
	for range 5 {
		if _, err := conn.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := ft.Sleeps(), []time.Duration{time.Second, time.Second, time.Second}; !slices.Equal(got, want) {
		t.Errorf("limiter waits = %v, want %v (burst 2, then one a second)", got, want)
	}
	if got := ft.Now().Sub(start); got != 3*time.Second {
		t.Errorf("five calls took %v, want 3s", got)
	}

	// A cancelled wait gives its turn back and reports the cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := conn.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if inner.Calls() != 5 {
		t.Errorf("cancelled call reached the package")
	}
}

func TestConcurrencyLimit(t *testing.T) {
	const limit, callers = 3, 12
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	inner := &scripted{onCall: func(int) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
	}}
	conn := Paced(inner, PacingOptions{MaxConcurrent: limit})
	var wg stdsync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := conn.Check(context.Background())
			errs <- err
		})
	}
	for done := 0; done < callers; done++ {
		want := int32(min(limit, callers-done))
		deadline := time.Now().Add(10 * time.Second)
		for inFlight.Load() != want {
			if time.Now().After(deadline) {
				t.Fatalf("in flight = %d, want %d", inFlight.Load(), want)
			}
			time.Sleep(time.Millisecond)
		}
		release <- struct{}{}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := peak.Load(); got != limit {
		t.Errorf("peak in flight = %d, want %d", got, limit)
	}
	if inner.Calls() != callers {
		t.Errorf("calls = %d, want %d", inner.Calls(), callers)
	}
}

// Hand-written connections with a few capabilities each.
type plainConn struct{}

func (plainConn) Check(context.Context) (connectors.Identity, error) {
	return connectors.Identity{}, nil
}

type listOnly struct{ plainConn }

func (listOnly) ListChanged(context.Context, connectors.RecordType, time.Time, func([]connectors.Remote) error) error {
	return nil
}

type writeRead struct{ plainConn }

func (writeRead) Write(context.Context, connectors.RecordType, []connectors.WriteItem) ([]connectors.WriteResult, error) {
	return nil, nil
}
func (writeRead) Get(context.Context, connectors.RecordType, []string) ([]connectors.Remote, error) {
	return nil, nil
}
func (writeRead) FindByCode(context.Context, connectors.RecordType, []string) ([]connectors.Remote, error) {
	return nil, nil
}

type linkExplainClose struct{ plainConn }

func (linkExplainClose) RecordURL(connectors.RecordType, string) string { return "u" }
func (linkExplainClose) Explain(error) (connectors.Explanation, bool) {
	return connectors.Explanation{}, false
}
func (linkExplainClose) Close() error { return nil }

// capsOf reports which optional interfaces c really has.
func capsOf(c connectors.Connection) [6]bool {
	return [6]bool{Has[connectors.Lister](c), Has[connectors.Writer](c), Has[connectors.Reader](c),
		Has[connectors.Linker](c), Has[connectors.Explainer](c), Has[connectors.Closer](c)}
}

func TestWrapperPreservesInterfaces(t *testing.T) {
	for _, inner := range []connectors.Connection{plainConn{}, listOnly{}, writeRead{}, linkExplainClose{}, &scripted{}} {
		t.Run(fmt.Sprintf("%T", inner), func(t *testing.T) {
			wrapped := Paced(inner, PacingOptions{})
			if got, want := capsOf(wrapped), capsOf(inner); got != want {
				t.Errorf("wrapped caps %v, inner caps %v", got, want)
			}
			u, ok := wrapped.(interface{ Unwrap() connectors.Connection })
			if !ok || u.Unwrap() != inner {
				t.Error("Unwrap does not return the inner connection")
			}
		})
	}
	// Every one of the 64 combinations of capabilities, each delegated on
	// its own.
	full := &scripted{}
	for mask := range 1 << 6 {
		c := &pacedConn{p: NewPacer(PacingOptions{}), inner: full}
		want := [6]bool{}
		for i := range 6 {
			want[i] = mask&(1<<i) != 0
		}
		if want[0] {
			c.lister = full
		}
		if want[1] {
			c.writer = full
		}
		if want[2] {
			c.reader = full
		}
		if want[3] {
			c.linker = full
		}
		if want[4] {
			c.explainer = full
		}
		if want[5] {
			c.closer = full
		}
		if got := capsOf(c); got != want {
			t.Errorf("mask %06b: wrapper caps %v", mask, got)
		}
	}
}

func TestPassThroughCalls(t *testing.T) {
	inner := &scripted{}
	conn := Paced(inner, PacingOptions{})
	if got := conn.(connectors.Linker).RecordURL(connectors.Quotes, "Q1"); got != "https://books.example/quote/Q1" {
		t.Errorf("RecordURL = %q", got)
	}
	if ex, ok := conn.(connectors.Explainer).Explain(errors.New("boom")); !ok || ex.Cause != "cause of boom" {
		t.Errorf("Explain = %+v, %v", ex, ok)
	}
	if err := conn.(connectors.Closer).Close(); err == nil || err.Error() != "closed once" {
		t.Errorf("Close = %v", err)
	}
	r := conn.(connectors.Reader)
	if got, err := r.FindByCode(context.Background(), connectors.Customers, []string{"CUST1"}); err != nil || got[0].RemoteID != "by-CUST1" {
		t.Errorf("FindByCode = %v, %v", got, err)
	}
	if got, err := r.Get(context.Background(), connectors.Customers, []string{"R9"}); err != nil || got[0].RemoteID != "R9" {
		t.Errorf("Get = %v, %v", got, err)
	}
	if inner.Calls() != 2 {
		t.Errorf("calls = %d, want 2 (pass-throughs do no I/O)", inner.Calls())
	}
}

func TestRetriesAreLogged(t *testing.T) {
	var buf bytes.Buffer
	opts := newFakeTime().options()
	opts.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	inner := &scripted{script: []error{connectors.ErrTemporary, &connectors.RateLimitError{RetryAfter: 2 * time.Second}}}
	if _, err := Paced(inner, opts).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"level=DEBUG msg=\"retrying after a temporary failure\" op=check", "level=INFO msg=\"accounting package asked to slow down; waiting\" op=check wait=2s attempt=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestPacerDo(t *testing.T) {
	p := NewPacer(newFakeTime().options())
	n := 0
	err := p.Do(context.Background(), "refresh", func(context.Context) error {
		n++
		if n < 3 {
			return connectors.ErrTemporary
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("Do err %v after %d tries; want success on the third", err, n)
	}
}

func BenchmarkPacedCheck(b *testing.B) {
	conn := Paced(&scripted{}, PacingOptions{MaxConcurrent: 4})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Check(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
