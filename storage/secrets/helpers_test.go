package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	keyring "github.com/zalando/go-keyring"

	"ledgerlink/connectors"
)

// fakeBackend is an in-memory keyring that records every call, counts how
// many run at once, and can be made to fail or to wait inside a call.
type fakeBackend struct {
	mu       sync.Mutex
	values   map[string]string // by service + "\x00" + user
	calls    []string          // "get user", "set user=value", "delete user"
	inFlight int
	maxIn    int
	// fail, when set, decides the error for a call instead of the store.
	fail func(call, user, password string) error
	// hook, when set, runs at the start of every call, outside the lock; a
	// test uses it to hold a call inside the keyring.
	hook func(call, user, password string)
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{values: make(map[string]string)}
}

func (f *fakeBackend) enter(call, user, password string) error {
	f.mu.Lock()
	f.inFlight++
	if f.inFlight > f.maxIn {
		f.maxIn = f.inFlight
	}
	rec := call + " " + user
	if call == "set" {
		rec += "=" + password
	}
	f.calls = append(f.calls, rec)
	hook, fail := f.hook, f.fail
	f.mu.Unlock()
	if hook != nil {
		hook(call, user, password)
	}
	if fail != nil {
		return fail(call, user, password)
	}
	return nil
}

func (f *fakeBackend) leave() {
	f.mu.Lock()
	f.inFlight--
	f.mu.Unlock()
}

func (f *fakeBackend) Get(service, user string) (string, error) {
	defer f.leave()
	if err := f.enter("get", user, ""); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, user, password string) error {
	defer f.leave()
	if err := f.enter("set", user, password); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[service+"\x00"+user] = password
	return nil
}

func (f *fakeBackend) Delete(service, user string) error {
	defer f.leave()
	if err := f.enter("delete", user, ""); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.values[service+"\x00"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.values, service+"\x00"+user)
	return nil
}

func (f *fakeBackend) setHook(h func(call, user, password string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

func (f *fakeBackend) setFail(fail func(call, user, password string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *fakeBackend) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeBackend) maxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxIn
}

func (f *fakeBackend) stored(service, user string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[service+"\x00"+user]
	return v, ok
}

// logBuffer collects log output; late keyring goroutines may write to it
// while a test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLogger logs everything, at debug level, into buf.
func debugLogger(buf *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// errorTexts returns the text of err and of every error it wraps.
func errorTexts(err error) []string {
	if err == nil {
		return nil
	}
	texts := []string{err.Error()}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		texts = append(texts, errorTexts(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			texts = append(texts, errorTexts(e)...)
		}
	}
	return texts
}

// uniqueModule returns a module name no other test or earlier run uses, so
// tests against a real keyring never touch real credentials.
func uniqueModule(t *testing.T, label string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random module name: %v", err)
	}
	return fmt.Sprintf("test-%s-%s", label, hex.EncodeToString(b))
}

// isNotFound checks both names of the not-found error.
func isNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) && errors.Is(err, connectors.ErrSecretNotFound)
}
