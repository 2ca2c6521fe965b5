// Package secrets keeps each module's credentials and tokens in the
// operating system's keyring: the Secret Service (GNOME Keyring, KeePassXC)
// on Linux and the BSDs, the Keychain on macOS and the Credential Manager on
// Windows. Secrets never go anywhere else: with no keyring, every call fails
// with ErrUnavailable and nothing is written, in plain text or otherwise.
//
// Each secret is stored under the service name "LedgerLink" with the user
// name "<module>/<key>". Neither a module name nor a key may contain '/', so
// the pair can always be told apart again.
//
// Keyring talks to the real keyring; Memory is an in-memory stand-in with
// the same behaviour for tests of other packages. Both satisfy Store.
package secrets

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Service is the keyring service name every LedgerLink secret is filed
// under.
const Service = "LedgerLink"

// MaxValueBytes is the longest secret LedgerLink stores. The Secret Service
// sets no limit of its own (it only slows down past about 100 KiB), but
// Windows takes at most 2,560 bytes and macOS about 3,000; OAuth tokens are
// typically 1–4 KiB. The cap keeps a runaway value from being sent at all.
const MaxValueBytes = 64 << 10

// maxNameBytes bounds module and key names; they are short identifiers.
const maxNameBytes = 128

// Store is what the rest of LedgerLink uses to keep secrets: the system
// keyring in the app, Memory in tests.
type Store interface {
	// Get returns the secret, or an error matching ErrNotFound when none is
	// saved.
	Get(ctx context.Context, module, key string) (string, error)
	// Set saves the secret, replacing any earlier one.
	Set(ctx context.Context, module, key, value string) error
	// Delete removes the secret, or returns an error matching ErrNotFound
	// when none was saved.
	Delete(ctx context.Context, module, key string) error
	// Has reports whether a secret is saved, without handing it out.
	Has(ctx context.Context, module, key string) (bool, error)
	// DeleteModule removes the module's secrets under keys; keys with
	// nothing saved are not an error. The keyring cannot list what a module
	// holds, so the caller names the keys (the module's secret settings and
	// token keys).
	DeleteModule(ctx context.Context, module string, keys []string) error
	// For returns the module's own view, as handed to its connector.
	For(module string) connectors.SecretStore
}

var (
	// ErrNotFound means no secret is saved under the module and key. It is
	// the connector contract's own ErrSecretNotFound, so connectors can test
	// for either.
	ErrNotFound = connectors.ErrSecretNotFound

	// ErrUnavailable means there is no usable keyring: no session bus, no
	// Secret Service on it, or a locked collection that could not be
	// unlocked.
	ErrUnavailable error = &kindError{key: "storage.secrets.unavailable"}

	// ErrTimeout means the keyring did not answer in time, typically
	// because it waits for a person to unlock it. Errors returned for a
	// timeout match ErrTimeout and name the timeout actually used; ErrTimeout
	// itself names DefaultTimeout.
	ErrTimeout error = &timeoutError{after: DefaultTimeout}

	// ErrInvalid means a module name, key or value cannot be stored.
	ErrInvalid = errors.New("the secret's module, key or value cannot be stored") // words:log: a kind for errors.Is; a person reads invalidError's words
)

// notFoundError names what was missing; it matches ErrNotFound.
type notFoundError struct {
	module, key string
}

func (e *notFoundError) said() *words.Error {
	return words.Errorf(nil, "storage.secrets.not_found", "Key", strconv.Quote(e.key), "Module", e.module)
}

func (e *notFoundError) Error() string      { return english().Error(e.said()) }
func (e *notFoundError) As(target any) bool { return asWords(target, e.said()) }
func (e *notFoundError) Unwrap() error      { return ErrNotFound }

// invalidError says why a name or value was refused; it matches ErrInvalid.
// It never carries the secret value itself.
type invalidError struct {
	reason words.Text
}

func (e *invalidError) Error() string      { return english().Say(e.reason) }
func (e *invalidError) As(target any) bool { return asWords(target, &words.Error{Text: e.reason}) }
func (e *invalidError) Unwrap() error      { return ErrInvalid }

// checkName validates a module name or key; what is the base key of the
// sentences about one ("storage.secrets.invalid_module" or
// "storage.secrets.invalid_key"), each reason a key of its family.
func checkName(what, name string) error {
	reason := func(why string, pairs ...any) error {
		return &invalidError{words.Sentence(what+"."+why, pairs...)}
	}
	switch {
	case name == "":
		return reason("empty")
	case len(name) > maxNameBytes:
		return reason("too_long", "Max", maxNameBytes)
	case !utf8.ValidString(name):
		return reason("not_text")
	case strings.Contains(name, "/"):
		return reason("slash", "Name", strconv.Quote(name))
	case strings.TrimSpace(name) != name:
		return reason("space", "Name", strconv.Quote(name))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return reason("control", "Name", strconv.Quote(name))
	}
	return nil
}

// userKey validates module and key and joins them into the keyring's user
// name.
func userKey(module, key string) (string, error) {
	if err := checkName("storage.secrets.invalid_module", module); err != nil {
		return "", err
	}
	if err := checkName("storage.secrets.invalid_key", key); err != nil {
		return "", err
	}
	return module + "/" + key, nil
}

// checkValue validates a secret value without ever quoting it.
func checkValue(value string) error {
	if len(value) > MaxValueBytes {
		return &invalidError{words.Sentence("storage.secrets.value_too_long", "Size", len(value), "Max", MaxValueBytes)}
	}
	return nil
}

// checkKeys validates every key of a DeleteModule call before any is
// deleted, and drops repeats.
func checkKeys(module string, keys []string) ([]string, error) {
	if err := checkName("storage.secrets.invalid_module", module); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(keys))
	unique := make([]string, 0, len(keys))
	for _, key := range keys {
		if err := checkName("storage.secrets.invalid_key", key); err != nil {
			return nil, err
		}
		if !seen[key] {
			seen[key] = true
			unique = append(unique, key)
		}
	}
	return unique, nil
}

// stopsDeleteModule reports errors after which trying the remaining keys is
// pointless: the keyring is gone or not answering, or the caller gave up.
func stopsDeleteModule(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrTimeout) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// deleteModule is DeleteModule for any store with a Delete.
func deleteModule(ctx context.Context, del func(ctx context.Context, module, key string) error, module string, keys []string) error {
	keys, err := checkKeys(module, keys)
	if err != nil {
		return err
	}
	var errs []error
	for _, key := range keys {
		err := del(ctx, module, key)
		switch {
		case err == nil, errors.Is(err, ErrNotFound):
		case stopsDeleteModule(err):
			return err
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// has is Has for any store with a Get.
func has(ctx context.Context, get func(ctx context.Context, module, key string) (string, error), module, key string) (bool, error) {
	_, err := get(ctx, module, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// moduleView is one module's slice of a Store, as a connector sees it.
type moduleView struct {
	store  Store
	module string
}

func (v moduleView) Get(ctx context.Context, key string) (string, error) {
	return v.store.Get(ctx, v.module, key)
}

func (v moduleView) Set(ctx context.Context, key, value string) error {
	return v.store.Set(ctx, v.module, key, value)
}

func (v moduleView) Delete(ctx context.Context, key string) error {
	return v.store.Delete(ctx, v.module, key)
}

var _ connectors.SecretStore = moduleView{}
