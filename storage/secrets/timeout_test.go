package secrets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdFirst makes the first call matching op wait inside the keyring until
// release is closed; entered is closed when it gets there.
func holdFirst(f *fakeBackend, op string) (entered chan struct{}, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.setHook(func(call, _, _ string) {
		if call != op {
			return
		}
		held := false
		once.Do(func() { held = true })
		if held {
			close(entered)
			<-release
		}
	})
	return entered, release
}

func TestHungKeyringTimesOutEveryCall(t *testing.T) {
	const timeout = 50 * time.Millisecond
	f := newFakeBackend()
	logs := &logBuffer{}
	k := NewKeyring(withBackend(f), WithTimeout(timeout), WithLogger(debugLogger(logs)))
	entered, release := holdFirst(f, "get")
	ctx := context.Background()

	_, err := k.Get(ctx, "xero", "token")
	<-entered
	calls := map[string]error{"first Get": err}
	_, calls["Get"] = k.Get(ctx, "xero", "token")
	calls["Set"] = k.Set(ctx, "xero", "token", "late-value")
	calls["Delete"] = k.Delete(ctx, "xero", "token")
	_, calls["Has"] = k.Has(ctx, "xero", "token")
	calls["DeleteModule"] = k.DeleteModule(ctx, "xero", []string{"token", "password"})
	calls["view Set"] = k.For("xero").Set(ctx, "token", "late-value")

	const want = "The system keyring did not answer within 50 milliseconds. Unlock it and try again."
	for name, err := range calls {
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%s = %v; want ErrTimeout", name, err)
			continue
		}
		if err.Error() != want {
			t.Errorf("%s message = %q, want %q", name, err.Error(), want)
		}
	}
	// Only the hung call ever reached the keyring; the ones queued behind it
	// gave up and dropped out.
	close(release)
	if _, err := k.Get(ctx, "xero", "token"); !isNotFound(err) {
		t.Fatalf("Get once the keyring answers again = %v; want not found", err)
	}
	if got, want := f.callLog(), []string{"get xero/token", "get xero/token"}; !slices.Equal(got, want) {
		t.Fatalf("calls that reached the keyring = %q, want %q", got, want)
	}
	if _, ok := f.stored(Service, "xero/token"); ok {
		t.Fatal("a Set that timed out before reaching the keyring was stored")
	}
	if !strings.Contains(logs.String(), "keyring call stopped waiting") {
		t.Errorf("timeouts were not logged:\n%s", logs.String())
	}
}

func TestSetThatTimedOutInsideTheKeyringCannotOverwriteALaterSet(t *testing.T) {
	const timeout = 200 * time.Millisecond
	f := newFakeBackend()
	logs := &logBuffer{}
	k := NewKeyring(withBackend(f), WithTimeout(timeout), WithLogger(debugLogger(logs)))
	entered, release := holdFirst(f, "set")
	ctx := context.Background()

	if err := k.Set(ctx, "xero", "refresh_token", "stale-token"); !errors.Is(err, ErrTimeout) {
		t.Fatalf("first Set = %v; want ErrTimeout", err)
	}
	<-entered // the stale write is inside the keyring and will finish

	later := make(chan error, 1)
	go func() { later <- k.Set(ctx, "xero", "refresh_token", "fresh-token") }()
	// Give the later Set time to overtake the held one if it could; it must
	// wait for its turn instead.
	time.Sleep(20 * time.Millisecond)
	if got := f.callLog(); len(got) != 1 {
		t.Fatalf("the later Set reached the keyring while the stale one was inside: %q", got)
	}
	close(release)
	if err := <-later; err != nil {
		t.Fatalf("later Set: %v", err)
	}
	if got, err := k.Get(ctx, "xero", "refresh_token"); err != nil || got != "fresh-token" {
		t.Fatalf("Get = %q, %v; want fresh-token", got, err)
	}
	want := []string{"set xero/refresh_token=stale-token", "set xero/refresh_token=fresh-token", "get xero/refresh_token"}
	if got := f.callLog(); !slices.Equal(got, want) {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), "keyring call finished after its caller stopped waiting") {
		t.Errorf("the late finish was not logged:\n%s", logs.String())
	}
}

func TestCallerContextEndsTheWait(t *testing.T) {
	f := newFakeBackend()
	k := NewKeyring(withBackend(f), WithTimeout(time.Minute))
	entered, release := holdFirst(f, "get")
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-entered
		cancel()
	}()
	if _, err := k.Get(ctx, "xero", "token"); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("Get with a cancelled context = %v; want context.Canceled", err)
	}

	// A caller's own deadline is reported as the caller's, not as the
	// keyring's timeout; the call queued behind the hung one never runs.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	if err := k.Set(dctx, "xero", "token", "never-stored"); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Fatalf("Set past the caller's deadline = %v; want context.DeadlineExceeded", err)
	}
	if got := f.callLog(); !slices.Equal(got, []string{"get xero/token"}) {
		t.Fatalf("calls = %q; only the hung Get may have reached the keyring", got)
	}
}

func TestTimeoutMessages(t *testing.T) {
	cases := []struct {
		after time.Duration
		want  string
	}{
		{DefaultTimeout, ErrTimeout.Error()},
		{5 * time.Second, "The system keyring did not answer within 5 seconds. Unlock it and try again."},
		{time.Second, "The system keyring did not answer within 1 second. Unlock it and try again."},
		{2500 * time.Millisecond, "The system keyring did not answer within 2.5 seconds. Unlock it and try again."},
		{250 * time.Millisecond, "The system keyring did not answer within 250 milliseconds. Unlock it and try again."},
		{30 * time.Second, "The system keyring did not answer within 30 seconds. Unlock it and try again."},
	}
	for _, tc := range cases {
		err := error(&timeoutError{after: tc.after})
		if err.Error() != tc.want {
			t.Errorf("%v: %q, want %q", tc.after, err.Error(), tc.want)
		}
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("%v: does not match ErrTimeout", tc.after)
		}
	}
	if ErrTimeout.Error() != "The system keyring did not answer within 5 seconds. Unlock it and try again." {
		t.Errorf("ErrTimeout = %q", ErrTimeout.Error())
	}
}

func TestTimeoutOption(t *testing.T) {
	cases := []struct {
		opt  time.Duration
		want time.Duration
	}{
		{0, DefaultTimeout},
		{-time.Second, DefaultTimeout},
		{2 * time.Second, 2 * time.Second},
	}
	for _, tc := range cases {
		if got := NewKeyring(withBackend(newFakeBackend()), WithTimeout(tc.opt)).timeout; got != tc.want {
			t.Errorf("WithTimeout(%v) gives %v, want %v", tc.opt, got, tc.want)
		}
	}
	if got := NewKeyring(withBackend(newFakeBackend())).timeout; got != DefaultTimeout {
		t.Errorf("default timeout = %v, want %v", got, DefaultTimeout)
	}
}

func TestMemorySimulatesFailures(t *testing.T) {
	ctx := context.Background()
	for _, failure := range []error{ErrUnavailable, ErrTimeout} {
		t.Run(failure.Error(), func(t *testing.T) {
			m := NewMemory()
			if err := m.Set(ctx, "xero", "token", "kept-token"); err != nil {
				t.Fatal(err)
			}
			m.SetFailure(failure)
			calls := map[string]error{}
			_, calls["Get"] = m.Get(ctx, "xero", "token")
			calls["Set"] = m.Set(ctx, "xero", "token", "replacement")
			calls["Delete"] = m.Delete(ctx, "xero", "token")
			_, calls["Has"] = m.Has(ctx, "xero", "token")
			calls["DeleteModule"] = m.DeleteModule(ctx, "xero", []string{"token"})
			_, calls["view Get"] = m.For("xero").Get(ctx, "token")
			calls["view Set"] = m.For("xero").Set(ctx, "token", "replacement")
			for name, err := range calls {
				if !errors.Is(err, failure) {
					t.Errorf("%s = %v; want %v", name, err, failure)
				}
			}
			// Names are still checked first, as Keyring does.
			if err := m.Set(ctx, "", "token", "x"); !errors.Is(err, ErrInvalid) {
				t.Errorf("Set with no module while failing = %v; want ErrInvalid", err)
			}
			m.SetFailure(nil)
			if got, err := m.Get(ctx, "xero", "token"); err != nil || got != "kept-token" {
				t.Fatalf("after the failure ends Get = %q, %v; want the untouched kept-token", got, err)
			}
		})
	}
}
