//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"
)

// systemBackend is the Secret Service on the D-Bus session bus.
//
// When the session bus address is unknown, the D-Bus library would start a
// bus of its own with dbus-launch, which outlives LedgerLink and hides the
// real problem. systemBackend refuses first, with the same checks the
// library makes (the environment, then the per-user runtime directory), and
// only then lets the library connect. The connection is shared and kept for
// the life of the process, so the address is read once, at the first call.
type systemBackend struct {
	getenv func(string) string
	// runtimeDir is the per-user runtime directory, /run/user/<uid>.
	runtimeDir string
}

func newSystemBackend() backend {
	return &systemBackend{
		getenv:     os.Getenv,
		runtimeDir: filepath.Join("/run/user", strconv.Itoa(os.Getuid())),
	}
}

// errNoSessionBus is the cause when no session bus address can be found.
var errNoSessionBus = errors.New("no D-Bus session bus address: DBUS_SESSION_BUS_ADDRESS is unset and no bus was found in the user's runtime directory") // words:log: the cause behind ErrUnavailable, for logs

// sessionBusKnown reports whether the D-Bus library can find a session bus
// without launching one.
func (b *systemBackend) sessionBusKnown() bool {
	if addr := b.getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return true
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(b.runtimeDir, name)); err == nil {
			return true
		}
	}
	return false
}

// connect makes sure the shared session bus connection is up.
func (b *systemBackend) connect() error {
	if !b.sessionBusKnown() {
		return &unavailableError{cause: errNoSessionBus}
	}
	if _, err := dbus.SessionBus(); err != nil {
		return &unavailableError{cause: err}
	}
	return nil
}

func (b *systemBackend) Get(service, user string) (string, error) {
	if err := b.connect(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

func (b *systemBackend) Set(service, user, password string) error {
	if err := b.connect(); err != nil {
		return err
	}
	return keyring.Set(service, user, password)
}

func (b *systemBackend) Delete(service, user string) error {
	if err := b.connect(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

// unavailableNames are D-Bus errors meaning there is no usable Secret
// Service: nobody provides it, it could not be started, the bus went away,
// or the collection is locked or missing.
var unavailableNames = map[string]bool{
	"org.freedesktop.DBus.Error.ServiceUnknown":  true,
	"org.freedesktop.DBus.Error.NameHasNoOwner":  true,
	"org.freedesktop.DBus.Error.NoReply":         true,
	"org.freedesktop.DBus.Error.Disconnected":    true,
	"org.freedesktop.DBus.Error.NoServer":        true,
	"org.freedesktop.DBus.Error.TimedOut":        true,
	"org.freedesktop.DBus.Error.Timeout":         true,
	"org.freedesktop.DBus.Error.AccessDenied":    true,
	"org.freedesktop.DBus.Error.UnknownObject":   true,
	"org.freedesktop.Secret.Error.IsLocked":      true,
	"org.freedesktop.Secret.Error.NoSession":     true,
	"org.freedesktop.Secret.Error.NoSuchObject":  true,
	"org.freedesktop.DBus.Error.ServiceNotFound": true,
}

// isUnavailable recognises the keyring library's and the D-Bus library's
// ways of saying there is no usable keyring.
func isUnavailable(err error) bool {
	var byValue dbus.Error
	if errors.As(err, &byValue) {
		return unavailableName(byValue.Name)
	}
	var byPointer *dbus.Error
	if errors.As(err, &byPointer) {
		return unavailableName(byPointer.Name)
	}
	var netErr *net.OpError
	switch {
	case errors.Is(err, dbus.ErrClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &netErr):
		return true
	}
	// The keyring library reports a locked collection that could not be
	// unlocked (no prompt could be shown, or the person dismissed it) only
	// as text.
	return strings.Contains(err.Error(), "failed to unlock correct collection")
}

func unavailableName(name string) bool {
	return unavailableNames[name] || strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn.")
}
