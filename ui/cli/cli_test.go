package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/all"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync/workspace"
)

// When LEDGERLINK_TEST_RUN_MAIN is set, the test binary behaves exactly as
// the ledgerlink binary does, so tests can run it as a real second process.
// The arguments come from LEDGERLINK_TEST_ARGS_JSON (a JSON list, so an
// argument may hold spaces) or else LEDGERLINK_TEST_ARGS (split at spaces).
func TestMain(m *testing.M) {
	if os.Getenv("LEDGERLINK_TEST_RUN_MAIN") == "1" {
		args := strings.Fields(os.Getenv("LEDGERLINK_TEST_ARGS"))
		if raw := os.Getenv("LEDGERLINK_TEST_ARGS_JSON"); raw != "" {
			if err := json.Unmarshal([]byte(raw), &args); err != nil {
				fmt.Fprintln(os.Stderr, "LEDGERLINK_TEST_ARGS_JSON is not a JSON list of strings:", err)
				os.Exit(exitSetup)
			}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, args, Env{
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			Registry: shippedRegistry,
			Keyring:  func() secrets.Store { return secrets.NewKeyring() },
		})
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// fakeDefinition is a connector with one of each kind of setting.
func fakeDefinition() connectors.Definition {
	return connectors.Definition{
		Name:        "fakebooks",
		Title:       "FakeBooks",
		Description: "A test accounting package",
		Settings: []connectors.Field{
			{Key: "organisation", Label: "Organisation", Kind: connectors.KindText, Required: true},
			{Key: "api_key", Label: "API key", Kind: connectors.KindSecret, Secret: true, Required: true},
			{Key: "api_url", Label: "API address", Kind: connectors.KindURL, Default: "https://api.fakebooks.test"},
		},
		Caps: connectors.Capabilities{BatchSize: 10},
		Open: func(context.Context, connectors.Config) (connectors.Connection, error) {
			return nil, errors.New("not used")
		},
	}
}

type harness struct {
	t       *testing.T
	dataDir string
	keyring *secrets.Memory
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory()}
}

// run executes one command line in-process with the fake connector and the
// in-memory keyring, returning exit code, stdout and stderr.
func (h *harness) run(args ...string) (int, string, string) {
	h.t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, deps: dependencies{
		registry: func(bool) (*connectors.Registry, error) {
			reg := connectors.NewRegistry()
			return reg, reg.Register(fakeDefinition())
		},
		keyring: func() secrets.Store { return h.keyring },
		window: func(context.Context, *workspace.Workspace, globalFlags) error {
			return errors.New("no window in tests")
		},
	}}
	code := run(context.Background(), append(args, "--data-dir", h.dataDir), e)
	return code, out.String(), errOut.String()
}

func (h *harness) moduleJSON(name string) map[string]any {
	h.t.Helper()
	code, out, errOut := h.run("modules", "--json")
	if code != exitOK {
		h.t.Fatalf("modules: exit %d, stderr %q", code, errOut)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		h.t.Fatalf("modules --json is not JSON: %v\n%s", err, out)
	}
	for _, m := range list {
		if m["name"] == name {
			return m
		}
	}
	h.t.Fatalf("module %s not listed in %s", name, out)
	return nil
}

func TestModuleLifecycleVerbs(t *testing.T) {
	h := newHarness(t)
	if got := h.moduleJSON("fakebooks")["light"]; got != "RED" {
		t.Fatalf("before install light = %v, want RED", got)
	}

	code, out, errOut := h.run("install", "fakebooks")
	if code != exitOK {
		t.Fatalf("install: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "FakeBooks is installed") {
		t.Errorf("install output does not confirm: %q", out)
	}
	m := h.moduleJSON("fakebooks")
	if m["light"] != "AMBER" {
		t.Fatalf("after install light = %v, want AMBER", m["light"])
	}
	notes, _ := json.Marshal(m["notes"])
	for _, want := range []string{"Organisation is not set.", "API key is not set."} {
		if !strings.Contains(string(notes), want) {
			t.Errorf("notes %s lack %q", notes, want)
		}
	}

	// Text output names the light and the notes.
	_, text, _ := h.run("modules")
	if !strings.Contains(text, "AMBER") || !strings.Contains(text, "Organisation is not set.") {
		t.Errorf("modules text output lacks the light or notes:\n%s", text)
	}

	code, _, errOut = h.run("install", "fakebooks")
	if code != exitSetup || !strings.Contains(errOut, "already installed") {
		t.Errorf("second install: exit %d, stderr %q; want exit 2 saying already installed", code, errOut)
	}

	if err := h.keyring.Set(context.Background(), "fakebooks", "api_key", "k-123"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = h.run("uninstall", "fakebooks")
	if code != exitOK {
		t.Fatalf("uninstall: exit %d, stderr %q", code, errOut)
	}
	if got := h.moduleJSON("fakebooks")["light"]; got != "RED" {
		t.Errorf("after uninstall light = %v, want RED", got)
	}
	if ok, _ := h.keyring.Has(context.Background(), "fakebooks", "api_key"); ok {
		t.Error("uninstall left the module's secret in the keyring")
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown verb", []string{"frobnicate"}, "unknown command"},
		{"missing argument", []string{"install"}, "install"},
		{"too many arguments", []string{"backup", "a", "b"}, "backup"},
		{"unknown flag", []string{"modules", "--colour"}, "unknown flag"},
		{"unknown module", []string{"install", "nosuchbooks"}, "the modules are: fakebooks"},
		{"uninstall not installed", []string{"uninstall", "fakebooks"}, "not installed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			code, _, errOut := h.run(tc.args...)
			if code != exitSetup {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitSetup, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.want)
			}
		})
	}
}

func TestGlobalFlagsBeforeOrAfterVerb(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"--json", "version"}, {"version", "--json"}} {
		code, out, errOut := h.run(args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil || v["version"] != version {
			t.Errorf("%v: output %q is not the JSON version (err %v)", args, out, err)
		}
	}
}

func TestEveryVerbHasHelp(t *testing.T) {
	h := newHarness(t)
	root := newRootCommand(&env{})
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		code, out, _ := h.run(c.Name(), "--help")
		if code != exitOK || !strings.Contains(out, "Usage:") || !strings.Contains(out, "--data-dir") {
			t.Errorf("%s --help: exit %d, output lacks usage or global flags:\n%s", c.Name(), code, out)
		}
	}
}

func TestBackupAndRestoreVerbs(t *testing.T) {
	h := newHarness(t)
	if code, _, errOut := h.run("install", "fakebooks"); code != exitOK {
		t.Fatalf("install: %s", errOut)
	}
	backup := filepath.Join(t.TempDir(), "books.backup")
	code, out, errOut := h.run("backup", backup)
	if code != exitOK {
		t.Fatalf("backup: exit %d %s", code, errOut)
	}
	if !strings.Contains(out, "Backup saved") {
		t.Errorf("backup output %q", out)
	}
	if code, _, errOut := h.run("uninstall", "fakebooks"); code != exitOK {
		t.Fatalf("uninstall: %s", errOut)
	}

	code, out, errOut = h.run("restore", backup, "--json")
	if code != exitOK {
		t.Fatalf("restore: exit %d %s", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("restore --json: %v %q", err, out)
	}
	kept, _ := res["kept_aside"].(string)
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("the replaced database was not kept aside at %q: %v", kept, err)
	}
	if got := h.moduleJSON("fakebooks")["light"]; got != "AMBER" {
		t.Errorf("after restore the module light is %v, want AMBER (installed again)", got)
	}
}

func TestRestoreRefusesBadFileAndKeepsDatabase(t *testing.T) {
	h := newHarness(t)
	if code, _, errOut := h.run("install", "fakebooks"); code != exitOK {
		t.Fatalf("install: %s", errOut)
	}
	bad := filepath.Join(t.TempDir(), "not-a-backup.db")
	if err := os.WriteFile(bad, []byte("this is a spreadsheet, not a backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := h.run("restore", bad)
	if code != exitSetup {
		t.Fatalf("restore of a bad file: exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "not-a-backup.db") {
		t.Errorf("message %q does not name the file", errOut)
	}
	if got := h.moduleJSON("fakebooks")["light"]; got != "AMBER" {
		t.Errorf("the database changed after a refused restore: light %v", got)
	}
}

// TestSecondInstanceRealProcess holds the data folder in this process and
// runs the real command line in a second process.
func TestSecondInstanceRealProcess(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEDGERLINK_TEST_RUN_MAIN=1", "LEDGERLINK_TEST_ARGS=modules --data-dir "+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitSetup {
		t.Fatalf("second instance: err %v, want exit code %d; stderr %q", err, exitSetup, stderr.String())
	}
	if !strings.Contains(stderr.String(), "LedgerLink is already running with this data folder") {
		t.Errorf("second instance said %q", stderr.String())
	}
	if elapsed > 2*time.Second {
		t.Errorf("second instance took %s to give up, want under 2 s", elapsed)
	}
}

// shippedRegistry is the registry the ledgerlink binary builds.
func shippedRegistry(bool) (*connectors.Registry, error) { return all.Registry() }
