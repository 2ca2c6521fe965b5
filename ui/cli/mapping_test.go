package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"ledgerlink/storage/secrets"
)

// TestMappingSetupAndImportGridVerbs covers "Get Nominal & Tax Accounts",
// "Apply Default Setup" and the Import grid from the command line.
func TestMappingSetupAndImportGridVerbs(t *testing.T) {
	c, _ := newMemoryCLI(t)
	installMemory(t, c)
	wantExit(t, c.run(append([]string{"config", "memory"}, uploadAllNew...)...), exitOK)
	importSampleFiles(t, c, true)
	wantExit(t, c.run("pending", "memory"), exitOK)

	// Before the chart is read, default setup cannot know what to map.
	o := c.run("config", "memory", "--apply-default-setup")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "Get Nominal & Tax Accounts") {
		t.Errorf("default setup before fetching says %q", o.stderr)
	}

	type row struct {
		Kind    string `json:"kind"`
		Local   string `json:"local"`
		Remote  string `json:"remote"`
		Pending int    `json:"pending"`
	}
	type answer struct {
		Changes  []string `json:"changes"`
		Mappings []row    `json:"mappings"`
	}
	o = c.run("config", "memory", "--get-accounts", "--json")
	wantExit(t, o, exitOK)
	got := decode[answer](t, o)
	unmappedWaiting := 0
	for _, r := range got.Mappings {
		if r.Remote == "" && r.Pending > 0 {
			unmappedWaiting++
		}
	}
	if unmappedWaiting == 0 {
		t.Fatalf("the sample's codes should be unmapped and used by waiting documents: %+v", got.Mappings)
	}

	// The reference ledger's chart has none of the sample's codes, so
	// default setup maps nothing and says the codes are still unmapped.
	o = c.run("config", "memory", "--apply-default-setup")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "NOT MAPPED") || !strings.Contains(o.stdout, "are not mapped") {
		t.Errorf("default setup output does not point at the unmapped codes:\n%s", o.stdout)
	}

	// Mapping by hand clears them.
	wantExit(t, c.run(append([]string{"config", "memory"}, memoryMappings...)...), exitOK)
	o = c.run("config", "memory", "--get-accounts", "--json")
	wantExit(t, o, exitOK)
	for _, r := range decode[answer](t, o).Mappings {
		if r.Remote == "" && r.Pending > 0 {
			t.Errorf("%s %s is still unmapped after mapping it", r.Kind, r.Local)
		}
	}

	// The Import grid is empty before any payment was downloaded, and
	// --list with --allocate is refused.
	o = c.run("payments", "memory", "--list", "--json")
	wantExit(t, o, exitOK)
	if strings.TrimSpace(o.stdout) != "[]" {
		t.Errorf("an empty Import grid printed %q", o.stdout)
	}
	wantExit(t, c.run("payments", "memory", "--list", "--allocate"), exitSetup)
	wantExit(t, c.run("payments", "memory", "--list", "--from", "2026-13-01"), exitSetup)
}

// TestVerbsThatReachThePackageNeedGreen: with a note to fix, sync, upload
// and payments are refused with that note, and nothing is sent.
func TestVerbsThatReachThePackageNeedGreen(t *testing.T) {
	c, l := newMemoryCLI(t)
	wantExit(t, c.run("install", "memory"), exitOK)
	wantExit(t, c.run(append([]string{"config", "memory"}, uploadAllNew...)...), exitOK)
	importSampleFiles(t, c, true)
	// The API key is missing: AMBER.
	for _, args := range [][]string{{"sync", "memory"}, {"upload", "memory", "--all"}, {"payments", "memory", "--allocate"}} {
		o := c.run(args...)
		wantExit(t, o, exitSetup)
		if !strings.Contains(o.stderr, "not ready") || !strings.Contains(o.stderr, "API key is not set.") {
			t.Errorf("%v said %q", args, o.stderr)
		}
	}
	if n := ledgerCalls(l); n != 0 {
		t.Errorf("the ledger was called %d times while the module was AMBER", n)
	}
}

// TestDisconnectTurnsTheModuleAmberUntilSignedInAgain uses the Sandbox's
// simulated Xero through the product registry.
func TestDisconnectTurnsTheModuleAmberUntilSignedInAgain(t *testing.T) {
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory(), registry: shippedRegistry}
	light := func() (string, string) {
		o := c.run("--sandbox", "modules", "--json")
		wantExit(t, o, exitOK)
		for _, m := range decode[[]map[string]any](t, o) {
			if m["name"] == "xero" {
				notes, _ := json.Marshal(m["notes"])
				return m["light"].(string), string(notes)
			}
		}
		t.Fatal("xero is not listed")
		return "", ""
	}
	if l, notes := light(); l != "GREEN" {
		t.Fatalf("the Sandbox starts %s (%s), want GREEN", l, notes)
	}
	o := c.run("--sandbox", "login", "xero", "--disconnect")
	wantExit(t, o, exitOK)
	if l, notes := light(); l != "AMBER" || !strings.Contains(notes, "Disconnected from Xero") {
		t.Fatalf("after disconnecting: %s %s, want AMBER saying it was disconnected", l, notes)
	}
	o = c.run("--sandbox", "sync", "xero")
	wantExit(t, o, exitSetup)
	wantExit(t, c.run("--sandbox", "login", "xero"), exitOK)
	if l, notes := light(); l != "GREEN" {
		t.Fatalf("after signing in again: %s %s, want GREEN", l, notes)
	}
	// A connector with nothing to disconnect says so.
	m, _ := newMemoryCLI(t)
	wantExit(t, m.run("install", "memory"), exitOK)
	wantExit(t, m.run("login", "memory", "--disconnect"), exitSetup)
}

// TestSandboxWorksWithoutAKeyring: the Sandbox must open on a machine whose
// keyring is missing or locked.
func TestSandboxWorksWithoutAKeyring(t *testing.T) {
	kr := secrets.NewMemory()
	kr.SetFailure(secrets.ErrUnavailable)
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: kr, registry: shippedRegistry}
	o := c.run("--sandbox", "modules", "--json")
	wantExit(t, o, exitOK)
	for _, m := range decode[[]map[string]any](t, o) {
		if m["name"] == "xero" && m["light"] != "GREEN" {
			t.Errorf("the Sandbox's Xero is %v without a keyring: %v", m["light"], m["notes"])
		}
	}
	wantExit(t, c.run("--sandbox", "pending", "xero"), exitOK)
}

// TestConfigWithoutAKeyringShowsTheOtherSettings: with the keyring missing,
// `config` still lists every non-secret setting (once each) and says the
// secrets cannot be read.
func TestConfigWithoutAKeyringShowsTheOtherSettings(t *testing.T) {
	kr := secrets.NewMemory()
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: kr, registry: shippedRegistry}
	wantExit(t, c.run("install", "xero"), exitOK)
	wantExit(t, c.run("config", "xero", "client_id=ABC123"), exitOK)
	kr.SetFailure(secrets.ErrUnavailable)
	o := c.run("config", "xero", "--json")
	wantExit(t, o, exitOK)
	list := decode[[]jsonSetting](t, o)
	seen := map[string]int{}
	for _, s := range list {
		seen[s.Key]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("config lists %s %d times", k, n)
		}
	}
	if v := settingValue(t, list, "client_id").Value; v != "ABC123" {
		t.Errorf("client_id shows %q without a keyring", v)
	}
	if v := settingValue(t, list, "client_secret").Value; !strings.Contains(v, "unknown") {
		t.Errorf("the client secret shows %q without a keyring, want it unknown", v)
	}
	for _, k := range []string{"opt.rollup", "opt.authorised", "opt.multi_currency"} {
		if seen[k] != 1 {
			t.Errorf("option %s listed %d times, want once", k, seen[k])
		}
	}
	if !strings.Contains(o.stderr, "keyring") {
		t.Errorf("nothing says the keyring is unavailable: %s", o)
	}
}

// TestLoginClientIDChecksTheSecretFirst: `login --client-id` keeps nothing
// the schema refuses, and a connector without app credentials refuses the
// flag before reading anything.
func TestLoginClientIDChecksTheSecretFirst(t *testing.T) {
	kr := secrets.NewMemory()
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: kr, registry: shippedRegistry}
	wantExit(t, c.run("install", "xero"), exitOK)
	o := c.runStdin("\n", "login", "xero", "--client-id", "ABC123")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "secret") {
		t.Errorf("a blank secret is not refused in words: %s", o)
	}
	if ok, _ := kr.Has(t.Context(), "xero", "client_secret"); ok {
		t.Error("a blank client secret was kept")
	}
	m, _ := newMemoryCLI(t)
	wantExit(t, m.run("install", "memory"), exitOK)
	o = m.runStdin("s3cret\n", "login", "memory", "--client-id", "X")
	wantExit(t, o, exitSetup)
}
