package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// adminEngine is the fake engine with payroll companies.
type adminEngine struct {
	*fakeEngine
	companies []sync.PayrollCompany
}

func (e *adminEngine) PayrollCompanies(context.Context, string) ([]sync.PayrollCompany, error) {
	return e.companies, nil
}

var sampleAdministrations = []connectors.Administration{
	{Code: "HLCR", Name: "Harbour Lane Coffee Roasters BV", Journals: []connectors.Journal{
		{Code: "LON", Name: "Lonen en salarissen"},
		{Code: "VRK", Name: "Verkoopboek", Unusable: "a sales (verkoop) journal; payroll is booked in a memoriaal (general) journal"},
	}},
	{Code: "HLCR2", Name: "Harbour Lane Wholesale BV", Journals: []connectors.Journal{{Code: "MEM", Name: "Memoriaal"}}},
}

// adminHarness is a module whose package listed administrations (list
// true) with payroll companies HLCR (mapped) and NEWCO (not mapped).
func adminHarness(t *testing.T, list bool) *harness {
	settings := readySettings()
	settings[sync.MapCompanyPrefix+"HLCR"] = "HLCR"
	settings[sync.MapJournalCodePrefix+"HLCR"] = "LON"
	if list {
		raw, err := json.Marshal(sampleAdministrations)
		if err != nil {
			t.Fatal(err)
		}
		settings[sync.SettingAdministrations] = string(raw)
	}
	companies := []sync.PayrollCompany{
		{Company: "HLCR", Journals: 2, Administration: "HLCR", JournalCode: "LON"},
		{Company: "NEWCO", Journals: 1, Pending: 1},
	}
	return newHarness(t, installed(settings), func(h *harness, svc *Services) {
		svc.Engine = &adminEngine{fakeEngine: h.eng, companies: companies}
	})
}

func TestAdministrationsTabOnlyWithTheCapability(t *testing.T) {
	for _, list := range []bool{false, true} {
		h := adminHarness(t, list)
		cs := openConfigure(t, h)
		has := false
		for _, it := range cs.tabs.Items {
			has = has || it.Text == tabAdministrations
		}
		if has != list {
			t.Errorf("administrations listed %v: tab shown %v", list, has)
		}
	}
}

func TestAdministrationsTabMapsEachCompany(t *testing.T) {
	h := adminHarness(t, true)
	cs := openConfigure(t, h)
	h.waitTrace("administrations loaded module=books companies=2")
	at := cs.admins
	hl, nc := at.rows["HLCR"], at.rows["NEWCO"]
	if hl == nil || nc == nil {
		t.Fatalf("rows %v", at.rows)
	}
	if hl.admin.Selected != "HLCR – Harbour Lane Coffee Roasters BV" || hl.journal.Selected != "LON – Lonen en salarissen" {
		t.Errorf("mapped company shows %q / %q", hl.admin.Selected, hl.journal.Selected)
	}
	if hl.problem.Visible() {
		t.Errorf("mapped company shows a problem: %q", hl.problem.Text)
	}
	if !nc.journal.Disabled() {
		t.Error("the journal drop-down should wait for an administration")
	}
	if !strings.Contains(cs.notes.Text, "Payroll company NEWCO is not mapped") || !strings.Contains(cs.notes.Text, "other companies' journals still go") {
		t.Errorf("To do notes %q should name NEWCO and say the others go", cs.notes.Text)
	}

	steps := []struct {
		admin, journal int
		wantProblem    string
	}{
		{0, -1, "not mapped to a journal code"},
		{0, 1, "sales (verkoop) journal"},
		{1, 0, ""},
	}
	for _, s := range steps {
		nc.admin.SetSelectedIndex(s.admin)
		if s.journal >= 0 {
			nc.journal.SetSelectedIndex(s.journal)
		}
		if s.wantProblem == "" {
			if nc.problem.Visible() {
				t.Errorf("admin %d journal %d: problem %q", s.admin, s.journal, nc.problem.Text)
			}
			continue
		}
		if !nc.problem.Visible() || !strings.Contains(nc.problem.Text, s.wantProblem) {
			t.Errorf("admin %d journal %d: problem %q, want %q", s.admin, s.journal, nc.problem.Text, s.wantProblem)
		}
		if !strings.Contains(cs.notes.Text, "NEWCO") || cs.Light() != connectors.Amber {
			t.Errorf("admin %d journal %d: To do %q should name NEWCO", s.admin, s.journal, cs.notes.Text)
		}
	}
	// Choosing another administration offers its own journals only.
	if got := nc.journal.Options; len(got) != 1 || got[0] != "MEM – Memoriaal" {
		t.Errorf("journals offered %v", got)
	}
	if strings.Contains(cs.notes.Text, "NEWCO") {
		t.Errorf("notes still name NEWCO: %q", cs.notes.Text)
	}
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	saved, _ := h.settings.Settings("books")
	if saved[sync.MapCompanyPrefix+"NEWCO"] != "HLCR2" || saved[sync.MapJournalCodePrefix+"NEWCO"] != "MEM" {
		t.Errorf("saved %q / %q", saved[sync.MapCompanyPrefix+"NEWCO"], saved[sync.MapJournalCodePrefix+"NEWCO"])
	}
	if saved[sync.MapJournalCodePrefix+"HLCR"] != "LON" {
		t.Errorf("HLCR's mapping changed to %q", saved[sync.MapJournalCodePrefix+"HLCR"])
	}
}

func TestAdministrationsFetchButton(t *testing.T) {
	h := adminHarness(t, true)
	cs := openConfigure(t, h)
	h.waitTrace("administrations loaded")
	test.Tap(cs.admins.fetch)
	h.waitTrace("administrations fetched module=books count=2")
	if len(h.eng.mirrors) != 1 || len(h.eng.mirrors[0]) != 1 || h.eng.mirrors[0][0] != connectors.NominalAccounts {
		t.Errorf("Mirror calls %v, want the chart (which carries the administrations)", h.eng.mirrors)
	}
}
