//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package secrets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	keyring "github.com/zalando/go-keyring"
)

// howToRun is printed when the tests find no Secret Service.
const howToRun = `These tests need a D-Bus session with an unlocked Secret Service. Run them as:

  XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && go test -race -tags migrated_fynedo ./storage/secrets/...'

(dbus-run-session comes with dbus; gnome-keyring-daemon with gnome-keyring.)`

// Environment variables of the child process the unavailable-keyring tests
// run in: a keyring connection, once made, lasts for the whole process, so
// each broken setup needs a process of its own.
const (
	childModeEnv       = "LEDGERLINK_SECRETS_TEST_CHILD"
	childRuntimeDirEnv = "LEDGERLINK_SECRETS_TEST_RUNTIME_DIR"
)

func TestMain(m *testing.M) {
	if os.Getenv(childModeEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

type childResult struct {
	Call        string
	Text        string
	Chain       []string
	Unavailable bool
	Timeout     bool
}

type childReport struct {
	Results []childResult
	// BusAddress is DBUS_SESSION_BUS_ADDRESS after the calls: launching a
	// bus would have changed it.
	BusAddress    string
	BusAddressSet bool
}

// runChild tries every call on the system keyring in whatever environment
// it was given and reports the errors as JSON on stdout.
func runChild() int {
	k := NewKeyring(WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if dir := os.Getenv(childRuntimeDirEnv); dir != "" {
		k.backend.(*systemBackend).runtimeDir = dir
	}
	ctx := context.Background()
	var report childReport
	add := func(call string, err error) {
		r := childResult{Call: call, Chain: errorTexts(err), Unavailable: errors.Is(err, ErrUnavailable), Timeout: errors.Is(err, ErrTimeout)}
		if err != nil {
			r.Text = err.Error()
		}
		report.Results = append(report.Results, r)
	}
	_, err := k.Get(ctx, "xero", "refresh_token")
	add("Get", err)
	add("Set", k.Set(ctx, "xero", "refresh_token", secretValue))
	add("Delete", k.Delete(ctx, "xero", "refresh_token"))
	_, err = k.Has(ctx, "xero", "refresh_token")
	add("Has", err)
	add("DeleteModule", k.DeleteModule(ctx, "xero", []string{"refresh_token", "access_token"}))
	add("view Set", k.For("xero").Set(ctx, "access_token", secretValue))
	report.BusAddress, report.BusAddressSet = os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// childEnv is this process's environment without the session bus address
// and with PATH starting at pathDir, plus extra.
func childEnv(pathDir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") || strings.HasPrefix(kv, "PATH=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PATH="+pathDir+string(os.PathListSeparator)+os.Getenv("PATH"), childModeEnv+"=1")
	return append(env, extra...)
}

// fakeLauncher puts a dbus-launch on a fresh PATH directory that only
// leaves a marker file behind, so a test can tell whether anything tried to
// launch a bus.
func fakeLauncher(t *testing.T) (pathDir, marker string) {
	t.Helper()
	pathDir = t.TempDir()
	marker = filepath.Join(t.TempDir(), "dbus-launch-was-run")
	script := "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(pathDir, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return pathDir, marker
}

// startBareBus starts a session bus that offers no services at all, and
// returns its address; it is stopped when the test ends.
func startBareBus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	config := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=` + dir + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	confPath := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(confPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Fatalf("dbus-daemon is needed for this test (it comes with dbus): %v", err)
	}
	cmd := exec.Command(daemon, "--config-file="+confPath, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon gave no address: %v; %s", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return strings.TrimSpace(line)
}

func TestNoUsableKeyringGivesThePlainMessage(t *testing.T) {
	cases := []struct {
		name string
		// busAddress is DBUS_SESSION_BUS_ADDRESS for the child; "-" leaves
		// it unset; "bare" is a bus with no services.
		busAddress string
		// emptyRuntimeDir hides any per-user bus the machine may have.
		emptyRuntimeDir bool
	}{
		{name: "address of a bus that does not exist", busAddress: "unix:path=/nonexistent/ledgerlink-test-bus"},
		{name: "address that is not an address", busAddress: "not-a-bus-address"},
		{name: "no address and no per-user bus", busAddress: "-", emptyRuntimeDir: true},
		{name: "autolaunch address and no per-user bus", busAddress: "autolaunch:", emptyRuntimeDir: true},
		{name: "bus without a Secret Service", busAddress: "bare"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pathDir, marker := fakeLauncher(t)
			var extra []string
			switch tc.busAddress {
			case "-":
			case "bare":
				extra = append(extra, "DBUS_SESSION_BUS_ADDRESS="+startBareBus(t))
			default:
				extra = append(extra, "DBUS_SESSION_BUS_ADDRESS="+tc.busAddress)
			}
			if tc.emptyRuntimeDir {
				extra = append(extra, childRuntimeDirEnv+"="+t.TempDir())
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = childEnv(pathDir, extra...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("child process: %v\n%s", err, stderr.String())
			}
			var report childReport
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("child report %q: %v\n%s", stdout.String(), err, stderr.String())
			}
			if len(report.Results) != 6 {
				t.Fatalf("child reported %d calls, want 6", len(report.Results))
			}
			for _, r := range report.Results {
				if !r.Unavailable || r.Timeout {
					t.Errorf("%s: %q (unavailable %v, timeout %v); want ErrUnavailable at once", r.Call, r.Text, r.Unavailable, r.Timeout)
				}
				if r.Text != ErrUnavailable.Error() {
					t.Errorf("%s message = %q, want %q", r.Call, r.Text, ErrUnavailable.Error())
				}
				for _, text := range r.Chain {
					if strings.Contains(text, secretValue) {
						t.Errorf("%s: error text %q contains the secret", r.Call, text)
					}
				}
			}
			if strings.Contains(stderr.String(), secretValue) {
				t.Errorf("the child's log contains the secret:\n%s", stderr.String())
			}
			if _, err := os.Stat(marker); err == nil {
				t.Error("dbus-launch was run: a stray session bus would have been left behind")
			}
			wantAddress, wantSet := extraValue(extra, "DBUS_SESSION_BUS_ADDRESS=")
			if report.BusAddressSet != wantSet || report.BusAddress != wantAddress {
				t.Errorf("DBUS_SESSION_BUS_ADDRESS after the calls = %q (set %v); something changed the session", report.BusAddress, report.BusAddressSet)
			}
		})
	}
}

func extraValue(env []string, prefix string) (string, bool) {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, prefix); ok {
			return v, true
		}
	}
	return "", false
}

func TestSessionBusIsFoundWithoutLaunchingOne(t *testing.T) {
	withBus := t.TempDir()
	if err := os.WriteFile(filepath.Join(withBus, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	withSessionFile := t.TempDir()
	if err := os.WriteFile(filepath.Join(withSessionFile, "dbus-session"), []byte("DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	cases := []struct {
		name       string
		address    string
		runtimeDir string
		want       bool
	}{
		{"address set", "unix:path=/run/user/1000/bus", empty, true},
		{"bogus address set", "unix:path=/nonexistent", empty, true},
		{"no address, per-user bus socket", "", withBus, true},
		{"no address, per-user session file", "", withSessionFile, true},
		{"autolaunch, per-user bus socket", "autolaunch:", withBus, true},
		{"no address, nothing", "", empty, false},
		{"autolaunch, nothing", "autolaunch:", empty, false},
		{"no address, missing runtime dir", "", filepath.Join(empty, "missing"), false},
	}
	for _, tc := range cases {
		b := &systemBackend{
			getenv:     func(string) string { return tc.address },
			runtimeDir: tc.runtimeDir,
		}
		if got := b.sessionBusKnown(); got != tc.want {
			t.Errorf("%s: sessionBusKnown = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKeyringLibraryErrorsAreMapped(t *testing.T) {
	type want int
	const (
		wantUnavailable want = iota
		wantNotFound
		wantInvalid
		wantOther
	)
	cases := []struct {
		name string
		err  error
		want want
	}{
		{"not found", keyring.ErrNotFound, wantNotFound},
		{"no Secret Service on the bus", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, wantUnavailable},
		{"Secret Service failed to start", dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"}, wantUnavailable},
		{"no reply", &dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, wantUnavailable},
		{"collection locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, wantUnavailable},
		{"no default collection", dbus.Error{Name: "org.freedesktop.Secret.Error.NoSuchObject"}, wantUnavailable},
		{"unlock refused or impossible", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), wantUnavailable},
		{"bus connection closed", dbus.ErrClosed, wantUnavailable},
		{"bus went away mid-call", io.EOF, wantUnavailable},
		{"socket error", &net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}, wantUnavailable},
		{"value too big for the platform", keyring.ErrSetDataTooBig, wantInvalid},
		{"unknown method", dbus.Error{Name: "org.freedesktop.DBus.Error.UnknownMethod", Body: []any{"no such method"}}, wantOther},
		{"anything else", errors.New("something odd"), wantOther},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeBackend()
			f.setFail(func(string, string, string) error { return tc.err })
			k := NewKeyring(withBackend(f), WithLogger(debugLogger(&logBuffer{})))
			err := k.Set(ctx, "xero", "token", "tok-123456")
			switch tc.want {
			case wantUnavailable:
				if !errors.Is(err, ErrUnavailable) || err.Error() != ErrUnavailable.Error() {
					t.Fatalf("Set = %q; want exactly ErrUnavailable", err)
				}
				if !slices.Contains(errorTexts(err), tc.err.Error()) {
					t.Errorf("the cause %q is not kept inside %q", tc.err, err)
				}
			case wantNotFound:
				if !isNotFound(err) {
					t.Fatalf("Set = %v; want not found", err)
				}
			case wantInvalid:
				if !errors.Is(err, ErrInvalid) || err.Error() != "The secret is too long for this computer's keyring." {
					t.Fatalf("Set = %q; want the too-long ErrInvalid", err)
				}
			case wantOther:
				if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrInvalid) {
					t.Fatalf("Set = %v; want none of the known errors", err)
				}
				want := fmt.Sprintf("The system keyring could not save the %q of xero: %v.", "token", tc.err)
				if err.Error() != want {
					t.Fatalf("Set = %q, want %q", err, want)
				}
				if !slices.Contains(errorTexts(err), tc.err.Error()) {
					t.Errorf("the cause %q is not kept inside %q", tc.err, err)
				}
			}
		})
	}
}

// realKeyring returns a Keyring on the session's Secret Service, or fails
// the test with instructions when there is none.
func realKeyring(t *testing.T) *Keyring {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("No D-Bus session: DBUS_SESSION_BUS_ADDRESS is not set.\n\n%s", howToRun)
	}
	k := NewKeyring(WithLogger(debugLogger(&logBuffer{})))
	if _, err := k.Has(context.Background(), uniqueModule(t, "probe"), "probe"); err != nil {
		t.Fatalf("The Secret Service does not answer: %v (%s)\n\n%s", err, causeText(err), howToRun)
	}
	return k
}

// suiteKeys are all the keys runStoreSuite uses, for cleaning up after it.
var suiteKeys = []string{"token", "api_key", "refresh_token", "secret", "username", "password", "access_token",
	"key0", "key1", "key2", "key3", "key4", "key5", "key6", "key7"}

// cleanModules gives unique module names and removes what the test left
// under them from the real keyring.
func cleanModules(k *Keyring) func(t *testing.T, label string) string {
	return func(t *testing.T, label string) string {
		m := uniqueModule(t, label)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := k.DeleteModule(ctx, m, suiteKeys); err != nil {
				t.Errorf("cleaning up %s: %v", m, err)
			}
		})
		return m
	}
}

func TestRealSecretService(t *testing.T) {
	k := realKeyring(t)
	runStoreSuite(t, k, cleanModules(k))
}

func TestRealSecretServiceLayout(t *testing.T) {
	k := realKeyring(t)
	m := cleanModules(k)(t, "layout")
	ctx := context.Background()
	if err := k.Set(ctx, m, "refresh_token", "layout-secret"); err != nil {
		t.Fatal(err)
	}
	// Read it back the keyring library's own way: service LedgerLink, user
	// <module>/<key>.
	got, err := keyring.Get("LedgerLink", m+"/refresh_token")
	if err != nil || got != "layout-secret" {
		t.Fatalf("keyring.Get(LedgerLink, %s/refresh_token) = %q, %v", m, got, err)
	}
	if _, err := keyring.Get("LedgerLink", m); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("the module name alone finds an entry: %v", err)
	}
}
