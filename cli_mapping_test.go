package main

import (
	"strings"
	"testing"
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
