//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package secrets

import keyring "github.com/zalando/go-keyring"

// systemBackend is the platform's own keyring (the macOS Keychain or the
// Windows Credential Manager), which needs no session bus.
type systemBackend struct{}

func newSystemBackend() backend { return systemBackend{} }

func (systemBackend) Get(service, user string) (string, error) { return keyring.Get(service, user) }

func (systemBackend) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}

func (systemBackend) Delete(service, user string) error { return keyring.Delete(service, user) }

// isUnavailable knows no platform-specific signs of a missing keyring here.
func isUnavailable(error) bool { return false }
