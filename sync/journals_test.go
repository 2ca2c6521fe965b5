package sync_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/sync"
)

// jl is a journal line: a debit when dr is set, else a credit.
func jl(nominal, amount string, dr bool, period, centre, costType string) connectors.JournalLine {
	l := connectors.JournalLine{NominalCode: nominal, Period: period, CostCentre: centre, CostType: costType}
	if dr {
		l.Debit = dec(amount)
	} else {
		l.Credit = dec(amount)
	}
	return l
}

func journal(code string, lines ...connectors.JournalLine) connectors.JournalEntry {
	return connectors.JournalEntry{Code: code, Company: "Bakery BV", Date: connectors.NewDate(2026, 10, 25), Period: "2026-10",
		Description: "Payroll October", Lines: lines}
}

// wages is a balanced run of gross wages against net wages and PAYE.
func wages(period, centre, costType, gross string) []connectors.JournalLine {
	g := dec(gross)
	tax := g.Mul(dec("0.2")).Round(2)
	return []connectors.JournalLine{
		jl("7000", g.String(), true, period, centre, costType),
		jl("2220", g.Sub(tax).String(), false, period, centre, costType),
		jl("2210", tax.String(), false, period, centre, costType),
	}
}

func TestSplitJournal(t *testing.T) {
	cat := func(parts ...[]connectors.JournalLine) []connectors.JournalLine { return slices.Concat(parts...) }
	tests := []struct {
		name      string
		j         connectors.JournalEntry
		opts      sync.SplitOptions
		wantCodes []string
		wantDates []string
		wantLines []int
	}{
		{"single period", journal("J1", wages("", "", "", "1000")...), sync.SplitOptions{},
			[]string{"J1-2026-10"}, []string{"2026-10-25"}, []int{3}},
		{"no period at all keeps the code", func() connectors.JournalEntry {
			j := journal("J1", wages("", "", "", "1000")...)
			j.Period = ""
			return j
		}(), sync.SplitOptions{}, []string{"J1"}, []string{"2026-10-25"}, []int{3}},
		{"correction spanning two periods", journal("J2", cat(wages("", "", "", "1000"), wages("2026-09", "", "", "150"))...), sync.SplitOptions{},
			[]string{"J2-2026-09", "J2-2026-10"}, []string{"2026-09-30", "2026-10-25"}, []int{3, 3}},
		{"correction spanning three periods", journal("J3", cat(wages("2026-08", "", "", "80"), wages("2026-10", "", "", "1000"), wages("2026-09", "", "", "150"))...), sync.SplitOptions{},
			[]string{"J3-2026-08", "J3-2026-09", "J3-2026-10"}, []string{"2026-08-31", "2026-09-30", "2026-10-25"}, []int{3, 3, 3}},
		{"per cost centre", journal("J4", cat(wages("", "100", "", "600"), wages("", "200", "", "400"))...), sync.SplitOptions{CostCentres: true},
			[]string{"J4-2026-10-CC100", "J4-2026-10-CC200"}, []string{"2026-10-25", "2026-10-25"}, []int{3, 3}},
		{"per cost centre and cost type across periods", journal("J5", cat(wages("", "100", "SAL", "600"), wages("", "100", "BON", "50"), wages("2026-09", "200", "SAL", "400"))...),
			sync.SplitOptions{CostCentres: true, CostTypes: true},
			[]string{"J5-2026-09-CC200-CTSAL", "J5-2026-10-CC100-CTBON", "J5-2026-10-CC100-CTSAL"}, []string{"2026-09-30", "2026-10-25", "2026-10-25"}, []int{3, 3, 3}},
		{"cost centres carried but not split on", journal("J6", cat(wages("", "100", "", "600"), wages("", "200", "", "400"))...), sync.SplitOptions{},
			[]string{"J6-2026-10"}, []string{"2026-10-25"}, []int{6}},
		{"cost types only", journal("J7", cat(wages("", "100", "SAL", "600"), wages("", "200", "SAL", "400"))...), sync.SplitOptions{CostTypes: true},
			[]string{"J7-2026-10-CTSAL"}, []string{"2026-10-25"}, []int{6}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := sync.SplitJournal(tc.j, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var codes, dates []string
			var lines []int
			for _, p := range parts {
				codes = append(codes, p.Code)
				dates = append(dates, p.Date.String())
				lines = append(lines, len(p.Lines))
				if !p.Balanced() {
					t.Fatalf("part %s does not balance", p.Code)
				}
				if p.Company != tc.j.Company {
					t.Fatalf("part %s lost its company", p.Code)
				}
			}
			if !slices.Equal(codes, tc.wantCodes) || !slices.Equal(dates, tc.wantDates) || !slices.Equal(lines, tc.wantLines) {
				t.Fatalf("parts %v dated %v with %v lines; want %v %v %v", codes, dates, lines, tc.wantCodes, tc.wantDates, tc.wantLines)
			}
			// Deterministic: the same journal, its lines in another order,
			// splits into the same parts.
			rev := tc.j
			rev.Lines = slices.Clone(tc.j.Lines)
			slices.Reverse(rev.Lines)
			again, err := sync.SplitJournal(rev, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range again {
				if again[i].Code != parts[i].Code || again[i].Date != parts[i].Date {
					t.Fatalf("second split differs: %s vs %s", again[i].Code, parts[i].Code)
				}
			}
		})
	}
}

func TestSplitJournalRefuses(t *testing.T) {
	tests := []struct {
		name     string
		j        connectors.JournalEntry
		opts     sync.SplitOptions
		wantRule string
		want     []string
	}{
		{"part of a correction does not balance", journal("J1",
			jl("7000", "1000", true, "", "", ""), jl("2220", "1020", false, "", "", ""),
			jl("7000", "20", true, "2026-09", "", ""), jl("2210", "0", false, "2026-09", "", "")),
			sync.SplitOptions{}, sync.RuleJournalSplit, []string{"balances as a whole", "period 2026-09", "debits 20.00, credits 0.00", "difference of 20.00"}},
		{"cost centre part does not balance", journal("J2",
			jl("7000", "600", true, "", "100", ""), jl("2220", "400", false, "", "100", ""),
			jl("7000", "400", true, "", "200", ""), jl("2220", "600", false, "", "200", "")),
			sync.SplitOptions{CostCentres: true}, sync.RuleJournalSplit, []string{"cost centre 100", "difference of 200.00"}},
		{"journal does not balance", journal("J3", jl("7000", "100", true, "", "", ""), jl("2220", "90", false, "", "", "")),
			sync.SplitOptions{}, sync.RuleUnbalanced, []string{"does not balance", "debits 100.00, credits 90.00"}},
		{"line period is not a month", journal("J4", jl("7000", "100", true, "2026-13", "", ""), jl("2220", "100", false, "", "", "")),
			sync.SplitOptions{}, sync.RuleJournalSplit, []string{"Line 1", `"2026-13"`, "YYYY-MM"}},
		{"no lines", journal("J5"), sync.SplitOptions{}, sync.RuleJournalSplit, []string{"has no lines"}},
		{"codes would collide", journal("J6",
			jl("7000", "10", true, "", "X-CTY", ""), jl("2220", "10", false, "", "X-CTY", ""),
			jl("7000", "5", true, "", "X", "Y"), jl("2220", "5", false, "", "X", "Y")),
			sync.SplitOptions{CostCentres: true, CostTypes: true}, sync.RuleJournalSplit, []string{"would both be called J6-2026-10-CCX-CTY"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := sync.SplitJournal(tc.j, tc.opts)
			var je *sync.JournalError
			if !errors.As(err, &je) || parts != nil {
				t.Fatalf("got parts %v, error %v; want a *JournalError", parts, err)
			}
			if je.Rule != tc.wantRule || je.Fix == "" {
				t.Fatalf("rule %q fix %q, want rule %q", je.Rule, je.Fix, tc.wantRule)
			}
			for _, w := range tc.want {
				if !strings.Contains(je.Cause, w) {
					t.Fatalf("cause %q does not say %q", je.Cause, w)
				}
			}
		})
	}
}

func TestJournalCompanyMapping(t *testing.T) {
	mapped := map[string]string{
		sync.MapCompanyPrefix + "Bakery BV": "ADM-01", sync.MapJournalCodePrefix + "Bakery BV": "MEM",
		sync.MapCompanyPrefix + "Half BV": "ADM-02",
	}
	tests := []struct {
		company  string
		want     sync.JournalTarget
		wantRule string
		cause    string
	}{
		{"Bakery BV", sync.JournalTarget{Administration: "ADM-01", JournalCode: "MEM"}, "", ""},
		{"Half BV", sync.JournalTarget{}, sync.RuleCompanyUnmapped, "Payroll company Half BV is not mapped to a journal code"},
		{"Other BV", sync.JournalTarget{}, sync.RuleCompanyUnmapped, "Payroll company Other BV is not mapped to an administration and a journal code"},
		{"", sync.JournalTarget{}, sync.RuleCompanyUnmapped, "names no payroll company"},
	}
	for _, tc := range tests {
		t.Run(cmpName(tc.company), func(t *testing.T) {
			got, p := sync.JournalTargetOf(mapped, tc.company)
			if got != tc.want {
				t.Fatalf("target %+v, want %+v", got, tc.want)
			}
			j := journal("J1", wages("", "", "", "100")...)
			j.Company = tc.company
			problems := sync.JournalProblems(mapped, j)
			if tc.wantRule == "" {
				if p != nil || len(problems) != 0 {
					t.Fatalf("mapped company has problems %+v %+v", p, problems)
				}
				return
			}
			if p == nil || p.Rule != tc.wantRule || !strings.Contains(p.Cause, tc.cause) || !strings.Contains(p.Fix, "Configure → Administrations") && tc.company != "" {
				t.Fatalf("problem %+v", p)
			}
			if len(problems) != 1 || !reflect.DeepEqual(problems[0], *p) {
				t.Fatalf("pre-check problems %+v", problems)
			}
		})
	}
}

func cmpName(s string) string {
	if s == "" {
		return "no company"
	}
	return s
}

// journalWorld is a world whose module maps company Bakery BV.
func journalWorld(t *testing.T, split bool) *world {
	w := newWorld(t)
	w.settings(map[string]string{
		sync.MapCompanyPrefix + "Bakery BV": "ADM-01", sync.MapJournalCodePrefix + "Bakery BV": "MEM",
		sync.SettingJournalsByCostCentre: map[bool]string{true: "true", false: "false"}[split],
	})
	return w
}

func TestJournalWritesSendsParts(t *testing.T) {
	w := journalWorld(t, true)
	settings, err := w.db.Settings(mod)
	if err != nil {
		t.Fatal(err)
	}
	conn := w.ledger.Connection()
	wr, rd := sync.JournalWrites(conn, conn, settings, 2)
	j := journal("J1", slices.Concat(wages("", "100", "", "600"), wages("2026-09", "200", "", "150"), wages("", "200", "", "400"))...)
	item := connectors.WriteItem{Key: "k-1", Record: connectors.Record{Type: connectors.Journals, Journal: &j}}

	res, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{item})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("write: %v %+v", err, res)
	}
	remote := w.ledger.Records(connectors.Journals)
	var codes []string
	for _, r := range remote {
		codes = append(codes, r.Record.Code())
		if r.Record.Journal.Administration != "ADM-01" || r.Record.Journal.JournalCode != "MEM" {
			t.Fatalf("part %s booked in %q / %q", r.Record.Code(), r.Record.Journal.Administration, r.Record.Journal.JournalCode)
		}
	}
	slices.Sort(codes)
	want := []string{"J1-2026-09-CC200", "J1-2026-10-CC100", "J1-2026-10-CC200"}
	if !slices.Equal(codes, want) {
		t.Fatalf("ledger holds %v, want %v", codes, want)
	}
	for _, c := range want {
		if !strings.Contains(res[0].RemoteID, c+"=") {
			t.Fatalf("remote ID %q does not name part %s", res[0].RemoteID, c)
		}
	}

	// Sent again under the same key (a lost reply): nothing is booked twice.
	again, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{item})
	if err != nil || len(again) != 1 || again[0].RemoteID != res[0].RemoteID {
		t.Fatalf("resend: %v %+v, want %q", err, again, res[0].RemoteID)
	}
	// And under a new key, the parts the package holds are found, not resent.
	item.Key = "k-2"
	third, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{item})
	if err != nil || len(third) != 1 || third[0].RemoteID != res[0].RemoteID {
		t.Fatalf("resend with a new key: %v %+v", err, third)
	}
	if n := w.ledger.Count(connectors.Journals); n != 3 {
		t.Fatalf("ledger holds %d journals after resends", n)
	}

	if id := sync.JournalLinkID(res[0].RemoteID); !strings.Contains(res[0].RemoteID, "J1-2026-09-CC200="+id) {
		t.Fatalf("link ID %q is not the first part's in %q", id, res[0].RemoteID)
	}
	if id := sync.JournalLinkID("MEM-000001"); id != "MEM-000001" {
		t.Fatalf("plain ID became %q", id)
	}

	// Read back as one journal, for verification.
	got, err := rd.Get(w.ctx, connectors.Journals, []string{res[0].RemoteID})
	if err != nil || len(got) != 1 || len(got[0].Record.Journal.Lines) != 9 {
		t.Fatalf("read back: %v %+v", err, got)
	}

	// An update reaches the same parts.
	j.Description = "Payroll October, corrected text"
	upd := connectors.WriteItem{Key: "k-3", RemoteID: res[0].RemoteID, Record: connectors.Record{Type: connectors.Journals, Journal: &j}}
	out, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{upd})
	if err != nil || len(out) != 1 || out[0].Err != nil || out[0].RemoteID != res[0].RemoteID {
		t.Fatalf("update: %v %+v", err, out)
	}
	if n := w.ledger.Count(connectors.Journals); n != 3 {
		t.Fatalf("update created parts: %d journals", n)
	}

	// A journal that now splits otherwise is refused, not booked twice.
	moved := journal("J1", wages("", "100", "", "1150")...)
	refused, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{{Key: "k-4", RemoteID: res[0].RemoteID,
		Record: connectors.Record{Type: connectors.Journals, Journal: &moved}}})
	if err != nil || len(refused) != 1 || refused[0].Err == nil || !strings.Contains(refused[0].Err.Error(), "Mark as Not Exported") {
		t.Fatalf("changed split: %v %+v", err, refused)
	}
}

func TestJournalWritesRefusesWhatCannotGo(t *testing.T) {
	tests := []struct {
		name string
		j    connectors.JournalEntry
		want string
	}{
		{"company not mapped", func() connectors.JournalEntry {
			j := journal("J1", wages("", "", "", "100")...)
			j.Company = "Other BV"
			return j
		}(), "Payroll company Other BV is not mapped"},
		{"part does not balance", journal("J2", jl("7000", "100", true, "2026-09", "", ""), jl("2220", "100", false, "", "", "")),
			"its part for period 2026-09 does not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := journalWorld(t, false)
			settings, _ := w.db.Settings(mod)
			conn := w.ledger.Connection()
			wr, _ := sync.JournalWrites(conn, nil, settings, 10)
			res, err := wr.Write(w.ctx, connectors.Journals, []connectors.WriteItem{{Key: "k", Record: connectors.Record{Type: connectors.Journals, Journal: &tc.j}}})
			var ie *connectors.ItemError
			if err != nil || len(res) != 1 || !errors.As(res[0].Err, &ie) || !strings.Contains(ie.Message, tc.want) {
				t.Fatalf("got %v %+v, want a refusal saying %q", err, res, tc.want)
			}
			if n := w.ledger.Count(connectors.Journals); n != 0 {
				t.Fatalf("%d parts reached the ledger", n)
			}
		})
	}
}

func TestSendJournalsAfterImport(t *testing.T) {
	tests := []struct {
		name     string
		autoSend string
		level    string
		wantSent bool
		wantErr  string
	}{
		{"off waits for Upload Data", "false", "new", false, ""},
		{"on sends at once", "true", "new", true, ""},
		{"on but journals OFF says so", "true", "off", false, "Payroll Journals is OFF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := journalWorld(t, false)
			w.settings(map[string]string{
				sync.SettingJournalsAutoSend: tc.autoSend, sync.UploadSettingKey(connectors.Journals): tc.level,
				sync.MapNominalPrefix + "7000": "7000", sync.MapNominalPrefix + "2220": "2220", sync.MapNominalPrefix + "2210": "2210",
			})
			j := journal("J1", wages("", "", "", "1000")...)
			w.putLocal(connectors.Record{Type: connectors.Journals, Journal: &j})
			rep, sent, err := w.eng.SendJournalsAfterImport(w.ctx, mod)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || sent != tc.wantSent {
				t.Fatalf("sent %v err %v (%+v)", sent, err, rep)
			}
			got := w.ledger.Count(connectors.Journals) > 0
			if got != tc.wantSent {
				t.Fatalf("journal in the ledger = %v, want %v (%+v)", got, tc.wantSent, rep)
			}
			if tc.wantSent {
				if _, linked := w.link(connectors.Journals, "J1"); !linked {
					t.Fatal("sent journal not linked")
				}
			}
		})
	}
}

// FuzzSplitJournal checks, for any journal, that SplitJournal never panics
// and that what it returns is a true split: every part balances, the parts
// carry every line once, and per nominal account the parts add up to the
// journal.
func FuzzSplitJournal(f *testing.F) {
	// spec: lines separated by ';', each "period|centre|type|nominal|D or C|amount".
	f.Add("J1", "2026-10", "|100||7000|D|600;|100||2220|C|600", true, false)
	f.Add("J2", "2026-10", "2026-09|||7000|D|150;2026-09|||2210|C|150;|||7000|D|1000;|||2220|C|1000", false, false)
	f.Add("J3", "", "2026-08|A|X|7000|D|1.005;2026-08|A|X|2220|C|1.005", true, true)
	f.Add("J4", "2026-13", "|||7000|D|1;|||2220|C|2", false, true)
	f.Add("", "bad", "garbage", true, true)
	f.Add("J5", "2026-10", "|X-CTY||7000|D|1;|X-CTY||2220|C|1;|X|Y|7000|D|1;|X|Y|2220|C|1", true, true)
	f.Fuzz(func(t *testing.T, code, period, spec string, cc, ct bool) {
		j := connectors.JournalEntry{Code: code, Period: period, Company: "C", Date: connectors.NewDate(2026, 10, 1)}
		for _, raw := range strings.Split(spec, ";") {
			fields := strings.Split(raw, "|")
			for len(fields) < 6 {
				fields = append(fields, "")
			}
			amount, err := decimal.NewFromString(fields[5])
			if err != nil {
				amount = decimal.Zero
			}
			l := connectors.JournalLine{Period: fields[0], CostCentre: fields[1], CostType: fields[2], NominalCode: fields[3]}
			if fields[4] == "D" {
				l.Debit = amount
			} else {
				l.Credit = amount
			}
			j.Lines = append(j.Lines, l)
		}
		parts, err := sync.SplitJournal(j, sync.SplitOptions{CostCentres: cc, CostTypes: ct})
		if err != nil {
			var je *sync.JournalError
			if !errors.As(err, &je) || je.Cause == "" || je.Fix == "" {
				t.Fatalf("error without cause and fix: %v", err)
			}
			return
		}
		type sums struct{ dr, cr decimal.Decimal }
		total := func(lines []connectors.JournalLine, into map[string]sums) {
			for _, l := range lines {
				s := into[l.NominalCode]
				s.dr, s.cr = s.dr.Add(l.Debit), s.cr.Add(l.Credit)
				into[l.NominalCode] = s
			}
		}
		want, got := map[string]sums{}, map[string]sums{}
		total(j.Lines, want)
		n := 0
		codes := map[string]bool{}
		for _, p := range parts {
			if !p.Balanced() {
				t.Fatalf("part %s does not balance", p.Code)
			}
			if codes[p.Code] || !strings.HasPrefix(p.Code, j.Code) {
				t.Fatalf("part code %q repeated or not derived from %q", p.Code, j.Code)
			}
			codes[p.Code] = true
			n += len(p.Lines)
			total(p.Lines, got)
		}
		if n != len(j.Lines) || len(got) != len(want) {
			t.Fatalf("parts carry %d lines over %d accounts, the journal %d over %d", n, len(got), len(j.Lines), len(want))
		}
		for nominal, w := range want {
			if g := got[nominal]; !g.dr.Equal(w.dr) || !g.cr.Equal(w.cr) {
				t.Fatalf("account %q: parts %s/%s, journal %s/%s", nominal, g.dr, g.cr, w.dr, w.cr)
			}
		}
	})
}

// TestSyncSendsAutomaticJournalsOnce: with "Send payroll journals
// automatically" a full sync sends each journal part once and reads it back
// once, whether the journal goes with the sync's upload or its own step.
func TestSyncSendsAutomaticJournalsOnce(t *testing.T) {
	w := newWorld(t, withSteps(sync.JournalsStep()))
	w.settings(map[string]string{
		sync.MapCompanyPrefix + "Bakery BV": "ADM-01", sync.MapJournalCodePrefix + "Bakery BV": "MEM",
		sync.SettingJournalsAutoSend: "true", sync.UploadSettingKey(connectors.Journals): "new",
		sync.MapNominalPrefix + "7000": "7000", sync.MapNominalPrefix + "2220": "2220", sync.MapNominalPrefix + "2210": "2210",
	})
	j := journal("J1", wages("", "", "", "1000")...)
	w.putLocal(connectors.Record{Type: connectors.Journals, Journal: &j})
	writes, gets := w.ledger.Calls(memory.MethodWrite), w.ledger.Calls(memory.MethodGet)
	rep, err := w.eng.Sync(w.ctx, mod, sync.TriggerManual)
	if err != nil || !rep.OK() {
		t.Fatalf("sync: %v %+v", err, rep)
	}
	if n := w.ledger.Count(connectors.Journals); n != 1 {
		t.Fatalf("%d journal parts in the ledger, want 1", n)
	}
	if got := w.ledger.Calls(memory.MethodWrite) - writes; got != 1 {
		t.Errorf("%d journal writes in one sync, want 1", got)
	}
	if got := w.ledger.Calls(memory.MethodGet) - gets; got != 1 {
		t.Errorf("%d read-backs in one sync, want 1", got)
	}
	created := 0
	for _, c := range rep.Counts {
		if c.Type == connectors.Journals && c.Direction == connectors.Upload {
			created += c.Created
		}
	}
	if created != 1 {
		t.Errorf("the report counts %d journals sent, want 1: %+v", created, rep.Counts)
	}
}
