package secrets

import (
	"context"
	"sort"
	"strings"
	"sync"

	"ledgerlink/connectors"
)

// Memory is an in-memory Store for tests of other packages. It checks names
// and values exactly as Keyring does and returns the same errors, and it
// can be told to fail like an unavailable or hung keyring. It is safe for
// concurrent use.
type Memory struct {
	mu      sync.Mutex
	values  map[string]string // by "<module>/<key>"
	failure error
}

// NewMemory returns an empty Memory.
func NewMemory() *Memory {
	return &Memory{values: make(map[string]string)}
}

var _ Store = (*Memory)(nil)

// SetFailure makes every later call fail with err (for example
// ErrUnavailable or ErrTimeout) without touching the stored secrets, until
// SetFailure(nil).
func (m *Memory) SetFailure(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failure = err
}

// start checks the context, the names and the simulated failure, in the
// order Keyring does, and returns the user key.
func (m *Memory) start(ctx context.Context, module, key string) (string, error) {
	user, err := userKey(module, key)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if m.failure != nil {
		return "", m.failure
	}
	return user, nil
}

// Get returns the secret saved for module and key.
func (m *Memory) Get(ctx context.Context, module, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	user, err := m.start(ctx, module, key)
	if err != nil {
		return "", err
	}
	v, ok := m.values[user]
	if !ok {
		return "", &notFoundError{module: module, key: key}
	}
	return v, nil
}

// Set saves value for module and key.
func (m *Memory) Set(ctx context.Context, module, key, value string) error {
	if _, err := userKey(module, key); err != nil {
		return err
	}
	if err := checkValue(value); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	user, err := m.start(ctx, module, key)
	if err != nil {
		return err
	}
	m.values[user] = value
	return nil
}

// Delete removes the secret saved for module and key.
func (m *Memory) Delete(ctx context.Context, module, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	user, err := m.start(ctx, module, key)
	if err != nil {
		return err
	}
	if _, ok := m.values[user]; !ok {
		return &notFoundError{module: module, key: key}
	}
	delete(m.values, user)
	return nil
}

// Has reports whether a secret is saved for module and key.
func (m *Memory) Has(ctx context.Context, module, key string) (bool, error) {
	return has(ctx, m.Get, module, key)
}

// DeleteModule removes the module's secrets under keys, as Keyring does.
func (m *Memory) DeleteModule(ctx context.Context, module string, keys []string) error {
	return deleteModule(ctx, m.Delete, module, keys)
}

// For returns the module's view.
func (m *Memory) For(module string) connectors.SecretStore {
	return moduleView{store: m, module: module}
}

// Keys lists the keys saved for module, sorted, so tests can check what a
// module left behind. The real keyring cannot list.
func (m *Memory) Keys(module string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for user := range m.values {
		if k, ok := strings.CutPrefix(user, module+"/"); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
