package sync_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

var testAdministrations = []connectors.Administration{
	{Code: "ADM-01", Name: "Bakery BV", Journals: []connectors.Journal{
		{Code: "MEM", Name: "Memoriaal"},
		{Code: "VRK", Name: "Verkoop", Unusable: "a sales journal"},
	}},
	{Code: "ADM-02", Name: "Old Bakery BV", ReadOnly: true, Journals: []connectors.Journal{{Code: "MEM", Name: "Memoriaal"}}},
}

// adminConn is the memory ledger's connection that also lists
// administrations.
type adminConn struct {
	injectConn
	admins []connectors.Administration
	calls  *int
}

func (c adminConn) Administrations(context.Context) ([]connectors.Administration, error) {
	*c.calls++
	return c.admins, nil
}

// adminWorld is a journal world whose connection lists testAdministrations.
func adminWorld(t *testing.T) (*world, *int) {
	w := journalWorld(t, false)
	calls := new(int)
	open := func(ctx context.Context, module string) (connectors.Connection, error) {
		return adminConn{injectConn: injectConn{Conn: w.ledger.Connection(), extra: w.extra, cut: w.cut}, admins: testAdministrations, calls: calls}, nil
	}
	w.eng = sync.New(w.db, w.reg, open, sync.WithClock(w.clock.Now))
	return w, calls
}

func TestMappedJournalCodeExistsInItsAdministration(t *testing.T) {
	raw, err := json.Marshal(testAdministrations)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		admin, journal string
		fetched        bool
		wantRule       string
		cause          string
	}{
		{"usable journal", "ADM-01", "MEM", true, "", ""},
		{"case of the code does not matter", "adm-01", "mem", true, "", ""},
		{"journal the administration lacks", "ADM-01", "LON", true, sync.RuleJournalCodeUnknown, "does not have (it has journals MEM – Memoriaal)"},
		{"journal not for payroll", "ADM-01", "VRK", true, sync.RuleJournalCodeUnknown, "a sales journal"},
		{"administration not reached", "ADM-09", "MEM", true, sync.RuleAdministrationUnknown, "not among those the accounting package lets LedgerLink reach (ADM-01 – Bakery BV, ADM-02 – Old Bakery BV)"},
		{"read-only administration", "ADM-02", "MEM", true, sync.RuleAdministrationUnknown, "read only"},
		{"not fetched: not checked", "ADM-09", "LON", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			settings := map[string]string{sync.MapCompanyPrefix + "Bakery BV": tc.admin, sync.MapJournalCodePrefix + "Bakery BV": tc.journal}
			if tc.fetched {
				settings[sync.SettingAdministrations] = string(raw)
			}
			ps := sync.JournalProblems(settings, journal("J1", wages("", "", "", "100")...))
			if tc.wantRule == "" {
				if len(ps) != 0 {
					t.Fatalf("problems %+v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Rule != tc.wantRule || !strings.Contains(ps[0].Cause, tc.cause) || !strings.Contains(ps[0].Fix, "Configure → Administrations") && ps[0].Rule == sync.RuleJournalCodeUnknown {
				t.Fatalf("problems %+v, want %s saying %q", ps, tc.wantRule, tc.cause)
			}
		})
	}
}

func TestAdministrationsFetchedWithTheChart(t *testing.T) {
	w, calls := adminWorld(t)
	if _, known, err := w.eng.Administrations(w.ctx, mod); err != nil || known {
		t.Fatalf("before any fetch: known %v, %v", known, err)
	}
	if _, err := w.eng.FetchChart(w.ctx, mod); err != nil {
		t.Fatal(err)
	}
	got, known, err := w.eng.Administrations(w.ctx, mod)
	if err != nil || !known || *calls != 1 {
		t.Fatalf("after Get Nominal & Tax Accounts: known %v, %d calls, %v", known, *calls, err)
	}
	if len(got) != 2 || got[0].Code != "ADM-01" || len(got[0].Journals) != 2 || got[0].Journals[1].Unusable == "" || !got[1].ReadOnly {
		t.Fatalf("stored %+v", got)
	}

	// Two companies' journals: one mapped to a journal its administration
	// lacks, one not mapped at all.
	w.settings(map[string]string{sync.MapJournalCodePrefix + "Bakery BV": "LON", sync.UploadSettingKey(connectors.Journals): "new",
		sync.MapNominalPrefix + "7000": "7000", sync.MapNominalPrefix + "2220": "2220", sync.MapNominalPrefix + "2210": "2210"})
	bakery := journal("J1", wages("", "", "", "100")...)
	other := journal("J2", wages("", "", "", "200")...)
	other.Company = "Other BV"
	w.putLocal(connectors.Record{Type: connectors.Journals, Journal: &bakery}, connectors.Record{Type: connectors.Journals, Journal: &other})
	companies, err := w.eng.PayrollCompanies(w.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if len(companies) != 2 {
		t.Fatalf("companies %+v", companies)
	}
	b, o := companies[0], companies[1]
	if b.Company != "Bakery BV" || b.Journals != 1 || b.Pending != 1 || b.Administration != "ADM-01" || b.AdministrationName != "Bakery BV" || !strings.Contains(b.Problem, "journal LON") {
		t.Errorf("Bakery BV: %+v", b)
	}
	if o.Company != "Other BV" || o.Pending != 1 || o.Administration != "" || !strings.Contains(o.Problem, "not mapped") {
		t.Errorf("Other BV: %+v", o)
	}
	items, err := w.eng.Precheck(w.ctx, mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string][]string{}
	for _, it := range items {
		for _, p := range it.Check.Problems {
			rules[it.Code] = append(rules[it.Code], p.Rule)
		}
	}
	if !slices.Contains(rules["J1"], sync.RuleJournalCodeUnknown) || !slices.Contains(rules["J2"], sync.RuleCompanyUnmapped) {
		t.Errorf("pre-check rules %v", rules)
	}
	st, err := sync.NewModules(w.db, w.reg, nil).Status(w.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(st.Notes, func(n string) bool { return strings.Contains(n, "Payroll company Other BV is not mapped") }) {
		t.Errorf("module notes %v should name Other BV", st.Notes)
	}
	if slices.ContainsFunc(st.Notes, func(n string) bool { return strings.Contains(n, "Bakery BV is not mapped") }) {
		t.Errorf("module notes %v name the mapped company", st.Notes)
	}
}
