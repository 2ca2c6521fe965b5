package secrets

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	keyring "github.com/zalando/go-keyring"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// DefaultTimeout is how long one keyring call may take before it gives up.
const DefaultTimeout = 5 * time.Second

// backend is the keyring itself; the system one in the app, a fake in this
// package's tests.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// Keyring keeps secrets in the operating system's keyring. It is safe for
// concurrent use.
//
// The keyring libraries block, and a locked keyring may wait for a person
// for ever, so each call runs in its own goroutine and the caller stops
// waiting after the timeout (or when its context ends). The calls themselves
// reach the keyring one at a time, in turn. That gives a simple rule for a
// call that timed out:
//
//   - if it had not reached the keyring yet, it never will: it drops out
//     of the queue and writes nothing;
//   - if it had, it may still finish, but it holds the turn until it does,
//     so it finishes before any later call reaches the keyring. A later Set
//     therefore always wins over an earlier one that timed out, and a Get
//     after a timed-out Set sees either the old or the new value, never a
//     value that changes again afterwards.
//
// After ErrTimeout from Set or Delete the outcome is unknown: call it again.
// While the keyring stays hung, later calls time out too, and only the one
// hung goroutine is left behind.
type Keyring struct {
	backend backend
	timeout time.Duration
	log     *slog.Logger
	// turn holds a token while a call is inside the backend.
	turn chan struct{}
}

// Option adjusts a Keyring.
type Option func(*Keyring)

// WithTimeout sets how long each call may take; zero or less means
// DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(k *Keyring) {
		if d > 0 {
			k.timeout = d
		}
	}
}

// WithLogger sets where the keyring reports what it does (never the secret
// values); nil means slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(k *Keyring) {
		if l != nil {
			k.log = l
		}
	}
}

// withBackend replaces the system keyring, for tests.
func withBackend(b backend) Option {
	return func(k *Keyring) { k.backend = b }
}

// NewKeyring returns a Keyring on the operating system's keyring.
func NewKeyring(opts ...Option) *Keyring {
	k := &Keyring{
		backend: newSystemBackend(),
		timeout: DefaultTimeout,
		log:     slog.Default(),
		turn:    make(chan struct{}, 1),
	}
	for _, opt := range opts {
		opt(k)
	}
	return k
}

var _ Store = (*Keyring)(nil)

// Get returns the secret saved for module and key.
func (k *Keyring) Get(ctx context.Context, module, key string) (string, error) {
	user, err := userKey(module, key)
	if err != nil {
		return "", err
	}
	return k.do(ctx, opGet, module, key, "", func(b backend) (string, error) {
		return b.Get(Service, user)
	})
}

// Set saves value for module and key, replacing any earlier value.
func (k *Keyring) Set(ctx context.Context, module, key, value string) error {
	user, err := userKey(module, key)
	if err != nil {
		return err
	}
	if err := checkValue(value); err != nil {
		return err
	}
	_, err = k.do(ctx, opSet, module, key, value, func(b backend) (string, error) {
		return "", b.Set(Service, user, value)
	})
	return err
}

// Delete removes the secret saved for module and key.
func (k *Keyring) Delete(ctx context.Context, module, key string) error {
	user, err := userKey(module, key)
	if err != nil {
		return err
	}
	_, err = k.do(ctx, opDelete, module, key, "", func(b backend) (string, error) {
		return "", b.Delete(Service, user)
	})
	return err
}

// Has reports whether a secret is saved for module and key.
func (k *Keyring) Has(ctx context.Context, module, key string) (bool, error) {
	return has(ctx, k.Get, module, key)
}

// DeleteModule removes the module's secrets under keys, as on uninstall.
// Every key is checked before any is removed; missing ones are skipped. It
// stops at the first sign that the keyring is unavailable or not answering.
func (k *Keyring) DeleteModule(ctx context.Context, module string, keys []string) error {
	return deleteModule(ctx, k.Delete, module, keys)
}

// For returns the module's view of the keyring. A bad module name shows up
// as ErrInvalid on the view's calls.
func (k *Keyring) For(module string) connectors.SecretStore {
	return moduleView{store: k, module: module}
}

// op names a keyring operation in messages and logs.
type op string

const (
	opGet    op = "read"
	opSet    op = "save"
	opDelete op = "remove"
)

// Call states: a call is pending until its goroutine reaches the keyring
// (started) or its caller stops waiting first (abandoned).
const (
	callPending int32 = iota
	callStarted
	callAbandoned
)

type result struct {
	value string
	err   error
}

// errOwnTimeout marks the end of a call's own timeout, as opposed to the
// caller's context ending.
var errOwnTimeout = errors.New("keyring call timed out") // words:log: a context cause, turned into a timeoutError

// do runs fn against the backend in turn, under the timeout. secret is the
// value being saved, if any, so that it can be kept out of errors.
func (k *Keyring) do(ctx context.Context, o op, module, key, secret string, fn func(backend) (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	callCtx, cancel := context.WithTimeoutCause(ctx, k.timeout, errOwnTimeout)
	defer cancel()

	var state atomic.Int32
	var gaveUp atomic.Bool
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		select {
		case k.turn <- struct{}{}:
		case <-callCtx.Done():
			return
		}
		defer func() { <-k.turn }()
		if !state.CompareAndSwap(callPending, callStarted) {
			return // the caller stopped waiting before our turn came
		}
		v, err := fn(k.backend)
		done <- result{v, err}
		if gaveUp.Load() {
			k.log.Warn("keyring call finished after its caller stopped waiting",
				"op", string(o), "module", module, "key", key,
				"took", time.Since(start).Round(time.Millisecond), "ok", err == nil)
		}
	}()

	select {
	case r := <-done:
		return k.finish(o, module, key, secret, r, start)
	case <-callCtx.Done():
	}
	// A result that arrived together with the deadline still counts.
	select {
	case r := <-done:
		return k.finish(o, module, key, secret, r, start)
	default:
	}
	gaveUp.Store(true)
	reached := !state.CompareAndSwap(callPending, callAbandoned)
	k.log.Warn("keyring call stopped waiting",
		"op", string(o), "module", module, "key", key,
		"reached_keyring", reached, "after", time.Since(start).Round(time.Millisecond))
	if context.Cause(callCtx) == errOwnTimeout {
		return "", &timeoutError{after: k.timeout}
	}
	return "", ctx.Err()
}

// finish turns a backend result into LedgerLink's errors and logs it.
func (k *Keyring) finish(o op, module, key, secret string, r result, start time.Time) (string, error) {
	err := classify(o, module, key, secret, r.err)
	k.log.Debug("keyring call",
		"op", string(o), "module", module, "key", key,
		"took", time.Since(start).Round(time.Millisecond), "outcome", outcome(err))
	if err != nil {
		return "", err
	}
	return r.value, nil
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotFound):
		return "not found"
	case errors.Is(err, ErrUnavailable):
		return "unavailable: " + causeText(err)
	case errors.Is(err, ErrInvalid):
		return "invalid"
	default:
		return "failed: " + err.Error()
	}
}

// causeText is the underlying reason of an unavailableError, for logs.
func causeText(err error) string {
	var u *unavailableError
	if errors.As(err, &u) && u.cause != nil {
		return u.cause.Error()
	}
	return ""
}

// classify maps the keyring library's errors to this package's. The cause
// kept inside an error has the secret value scrubbed out.
func classify(o op, module, key, secret string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return &notFoundError{module: module, key: key}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &invalidError{words.Sentence("storage.secrets.too_long_for_keyring")}
	case errors.Is(err, ErrUnavailable), isUnavailable(err):
		cause := err
		var u *unavailableError
		if errors.As(err, &u) {
			cause = u.cause
		}
		if cause == nil {
			return &unavailableError{}
		}
		return &unavailableError{cause: scrub(cause, secret)}
	}
	return &failedError{op: o, module: module, key: key, cause: scrub(err, secret)}
}

// scrub returns err, or, if its text or the text of anything it wraps
// quotes secret, a plain copy of its text with the secret blanked out. Any
// non-empty secret is scrubbed, even a short one that may turn up by
// chance: a garbled cause is better than a leaked secret.
func scrub(err error, secret string) error {
	if secret == "" || !quotes(err, secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "[hidden]"))
}

// quotes reports whether err or anything it wraps has secret in its text.
func quotes(err error, secret string) bool {
	if err == nil {
		return false
	}
	if strings.Contains(err.Error(), secret) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return quotes(u.Unwrap(), secret)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if quotes(e, secret) {
				return true
			}
		}
	}
	return false
}

// unavailableError reads exactly as ErrUnavailable and keeps the technical
// cause for logs and errors.As.
type unavailableError struct {
	cause error
}

func (e *unavailableError) Error() string { return ErrUnavailable.Error() }

func (e *unavailableError) As(target any) bool {
	return asWords(target, words.Errorf(nil, "storage.secrets.unavailable"))
}

func (e *unavailableError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrUnavailable}
	}
	return []error{ErrUnavailable, e.cause}
}

// timeoutError names the timeout that was used; it matches ErrTimeout.
type timeoutError struct {
	after time.Duration
}

// said is the sentence, with the timeout written the way a person would
// say it.
func (e *timeoutError) said() *words.Error {
	d := e.after
	switch {
	case d == time.Second:
		return words.Errorf(nil, "storage.secrets.timeout.one_second")
	case d%time.Second == 0:
		return words.Errorf(nil, "storage.secrets.timeout.seconds", "Seconds", int64(d/time.Second))
	case d < time.Second:
		return words.Errorf(nil, "storage.secrets.timeout.milliseconds", "Milliseconds", d.Milliseconds())
	default:
		return words.Errorf(nil, "storage.secrets.timeout.seconds", "Seconds", strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
	}
}

func (e *timeoutError) Error() string        { return english().Error(e.said()) }
func (e *timeoutError) As(target any) bool   { return asWords(target, e.said()) }
func (e *timeoutError) Is(target error) bool { return target == ErrTimeout }

// failedError is any other refusal by the keyring.
type failedError struct {
	op          op
	module, key string
	cause       error
}

// said is the sentence for the call that failed, followed by the
// keyring's own words.
func (e *failedError) said() *words.Error {
	key := "storage.secrets.failed.read"
	switch e.op {
	case opSet:
		key = "storage.secrets.failed.save"
	case opDelete:
		key = "storage.secrets.failed.remove"
	}
	return words.Errorf(e.cause, key, "Key", strconv.Quote(e.key), "Module", e.module)
}

// Error is the sentence and the cause, as a log reads it.
func (e *failedError) Error() string      { return english().Error(e.said()) + "." }
func (e *failedError) As(target any) bool { return asWords(target, e.said()) }

func (e *failedError) Unwrap() error { return e.cause }
