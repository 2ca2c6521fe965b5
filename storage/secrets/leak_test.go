package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	keyring "github.com/zalando/go-keyring"
)

// secretValue is what every path below is given to keep; no error text or
// log line may contain it.
const secretValue = "s3cr3t-Value-that-must-never-leak"

// assertNoSecret fails when err, anything it wraps, or the log contains
// the secret.
func assertNoSecret(t *testing.T, path string, err error, logs *logBuffer) {
	t.Helper()
	for _, text := range errorTexts(err) {
		if strings.Contains(text, secretValue) {
			t.Errorf("%s: error text %q contains the secret", path, text)
		}
	}
	if logs != nil && strings.Contains(logs.String(), secretValue) {
		t.Errorf("%s: the log contains the secret:\n%s", path, logs.String())
	}
}

func TestKeyringErrorsAndLogsNeverContainTheSecret(t *testing.T) {
	ctx := context.Background()
	// Keyring errors that quote the password, as a careless library might.
	failures := map[string]func(call, user, password string) error{
		"none": nil,
		"not found": func(string, string, string) error {
			return keyring.ErrNotFound
		},
		"too big": func(string, string, string) error {
			return keyring.ErrSetDataTooBig
		},
		"quoting failure": func(_, _, password string) error {
			return fmt.Errorf("cannot store %q for you", password)
		},
		"unavailable quoting the secret": func(_, _, password string) error {
			return &unavailableError{cause: errors.New("bus lost while sending " + password)}
		},
	}
	for name, fail := range failures {
		t.Run(name, func(t *testing.T) {
			f := newFakeBackend()
			f.setFail(fail)
			logs := &logBuffer{}
			k := NewKeyring(withBackend(f), WithLogger(debugLogger(logs)))
			assertNoSecret(t, "Set", k.Set(ctx, "xero", "token", secretValue), logs)
			assertNoSecret(t, "view Set", k.For("xero").Set(ctx, "token", secretValue), logs)
			_, err := k.Get(ctx, "xero", "token")
			assertNoSecret(t, "Get", err, logs)
			assertNoSecret(t, "Delete", k.Delete(ctx, "xero", "token"), logs)
			assertNoSecret(t, "DeleteModule", k.DeleteModule(ctx, "xero", []string{"token"}), logs)
		})
	}

	t.Run("scrubbed cause still explains", func(t *testing.T) {
		f := newFakeBackend()
		f.setFail(failures["quoting failure"])
		err := NewKeyring(withBackend(f)).Set(ctx, "xero", "token", secretValue)
		want := `The system keyring could not save the "token" of xero: cannot store "[hidden]" for you.`
		if err == nil || err.Error() != want {
			t.Fatalf("Set = %v; want %q", err, want)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		f := newFakeBackend()
		_, release := holdFirst(f, "set")
		defer close(release)
		logs := &logBuffer{}
		k := NewKeyring(withBackend(f), WithTimeout(20*time.Millisecond), WithLogger(debugLogger(logs)))
		err := k.Set(ctx, "xero", "token", secretValue)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("Set = %v; want ErrTimeout", err)
		}
		assertNoSecret(t, "Set timeout", err, logs)
	})

	t.Run("too long", func(t *testing.T) {
		logs := &logBuffer{}
		k := NewKeyring(withBackend(newFakeBackend()), WithLogger(debugLogger(logs)))
		long := strings.Repeat(secretValue, MaxValueBytes/len(secretValue)+1)
		err := k.Set(ctx, "xero", "token", long)
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Set = %v; want ErrInvalid", err)
		}
		assertNoSecret(t, "Set too long", err, logs)
	})
}

func TestMemoryErrorsNeverContainTheSecret(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat(secretValue, MaxValueBytes/len(secretValue)+1)
	for _, failure := range []error{nil, ErrUnavailable, ErrTimeout} {
		m := NewMemory()
		m.SetFailure(failure)
		assertNoSecret(t, "Set", m.Set(ctx, "xero", "token", secretValue), nil)
		assertNoSecret(t, "Set too long", m.Set(ctx, "xero", "token", long), nil)
		assertNoSecret(t, "Set bad key", m.Set(ctx, "xero", "a/b", secretValue), nil)
		_, err := m.Get(ctx, "xero", "missing")
		assertNoSecret(t, "Get", err, nil)
	}
}
