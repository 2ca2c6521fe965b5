package cash_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash"
	"ledgerlink/connectors/cash/cashsim"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// correctionParts is a November payroll with a correction for October,
// over cost centres SHOP and ROAST and cost types SALARY and EMPLOYER-NI,
// split as the engine splits it: one part per period, cost centre and cost
// type, each balancing on its own, coded "<journal>-<period>-CC…-CT…".
func correctionParts() []connectors.JournalEntry {
	type cell struct {
		period, centre, costType string
		amount                   string
	}
	cells := []cell{
		{"2026-10", "SHOP", "SALARY", "120.00"}, {"2026-10", "SHOP", "EMPLOYER-NI", "10.80"},
		{"2026-10", "ROAST", "SALARY", "240.00"}, {"2026-10", "ROAST", "EMPLOYER-NI", "21.60"},
		{"2026-11", "SHOP", "SALARY", "3400.00"}, {"2026-11", "SHOP", "EMPLOYER-NI", "310.50"},
		{"2026-11", "ROAST", "SALARY", "2800.00"}, {"2026-11", "ROAST", "EMPLOYER-NI", "255.20"},
	}
	var parts []connectors.JournalEntry
	for _, c := range cells {
		acct, payable := "477", "814"
		if c.costType == "EMPLOYER-NI" {
			acct, payable = "478", "825"
		}
		date := connectors.NewDate(2026, 11, 28)
		if c.period == "2026-10" {
			date = connectors.NewDate(2026, 10, 31)
		}
		parts = append(parts, connectors.JournalEntry{
			Code:    fmt.Sprintf("PAY-2026-11-%s-CC%s-CT%s", c.period, c.centre, c.costType),
			Company: "HLCR", Date: date, Period: c.period,
			Description:    "Payroll November 2026 (period " + c.period + ", cost centre " + c.centre + ", cost type " + c.costType + ")",
			Administration: cashsim.SampleAdmin, JournalCode: cashsim.SampleJournal,
			Lines: []connectors.JournalLine{
				{NominalCode: acct, Debit: dec(c.amount), CostCentre: c.centre, CostType: c.costType, Description: "Gross pay " + c.period + " " + c.centre},
				{NominalCode: payable, Credit: dec(c.amount), CostCentre: c.centre, CostType: c.costType, Description: "Payable " + c.period},
			},
		})
	}
	return parts
}

var sampleOptions = map[string]string{
	cash.KeyCostCentres: "SHOP=SHP, ROAST=RST",
	cash.KeyCostTypes:   "EMPLOYER-NI=EMPNI",
}

func items(parts ...connectors.JournalEntry) []connectors.WriteItem {
	out := make([]connectors.WriteItem, len(parts))
	for i := range parts {
		p := parts[i]
		out[i] = connectors.WriteItem{Key: "k:" + p.Code, Record: connectors.Record{Type: connectors.Journals, Journal: &p}}
	}
	return out
}

func mustWrite(t *testing.T, h *harness, parts ...connectors.JournalEntry) []string {
	t.Helper()
	res, err := h.conn.Write(t.Context(), connectors.Journals, items(parts...))
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	ids := make([]string, len(res))
	for i, r := range res {
		if r.Err != nil || r.RemoteID == "" {
			t.Fatalf("part %s: remote ID %q, error %v", parts[i].Code, r.RemoteID, r.Err)
		}
		ids[i] = r.RemoteID
	}
	return ids
}

// TestCorrectionSplitRoundTrip: a correction over two periods with two cost
// centres and two cost types arrives as eight balanced postings, each in
// its own period, and reads back with its cost centre and cost type.
func TestCorrectionSplitRoundTrip(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	parts := correctionParts()
	ids := mustWrite(t, h, parts...)

	lines := h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)
	if len(lines) != 16 {
		t.Fatalf("CASH holds %d lines, want 16 (8 postings of 2 lines)", len(lines))
	}
	stukken := map[string]int64{}
	periods := map[string]int{}
	for _, l := range lines {
		amt := strings.Replace(l["F0307"], ",", ".", 1)
		stukken[l["F0303"]] += dec(amt).Mul(decimal.NewFromInt(100)).IntPart()
		periods[l["F0301"]]++
		if len(l["F0911"]) > 3 || len(l["F0711"]) > 13 || len([]rune(l["F0306"])) > 25 {
			t.Errorf("a line breaks CASH's field lengths: %v", l)
		}
	}
	if len(stukken) != 8 {
		t.Errorf("CASH holds %d postings, want 8", len(stukken))
	}
	for n, sum := range stukken {
		if sum != 0 {
			t.Errorf("posting %s does not balance: %d cents", n, sum)
		}
	}
	if periods["2610"] != 8 || periods["2611"] != 8 {
		t.Errorf("lines per period = %v, want 8 in 2610 and 8 in 2611", periods)
	}
	// The November SHOP salary posting, in figures.
	var debit477 decimal.Decimal
	for _, l := range lines {
		if l["F0301"] == "2611" && l["F0911"] == "SHP" && l["F0201"] == "477" {
			debit477 = debit477.Add(dec(strings.Replace(l["F0307"], ",", ".", 1)))
		}
	}
	if !debit477.Equal(dec("3400")) {
		t.Errorf("November SHOP salaries booked %s on 477, want 3400.00", debit477)
	}

	got, err := h.conn.Get(t.Context(), connectors.Journals, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(parts) {
		t.Fatalf("Get read back %d postings, want %d", len(got), len(parts))
	}
	for i, r := range got {
		want := normaliseJournal(connectors.Record{Type: connectors.Journals, Journal: &parts[i]})
		j := *r.Record.Journal
		if j.Administration != cashsim.SampleAdmin || j.JournalCode != cashsim.SampleJournal {
			t.Errorf("%s read back from %s/%s", j.Code, j.Administration, j.JournalCode)
		}
		gotN := normaliseJournal(r.Record.Clone())
		if fmt.Sprint(*gotN.Journal) != fmt.Sprint(*want.Journal) {
			t.Errorf("read back differs\nwant %+v\ngot  %+v", *want.Journal, *gotN.Journal)
		}
		for _, l := range j.Lines {
			if l.CostType == "" || l.CostCentre == "" {
				t.Errorf("%s: a line lost its cost centre or cost type: %+v", j.Code, l)
			}
		}
	}
	found, err := h.conn.FindByCode(t.Context(), connectors.Journals, []string{parts[0].Code, parts[7].Code, "PAY-2026-11-2026-11-CCNONE"})
	if err != nil || len(found) != 2 {
		t.Fatalf("FindByCode found %d, %v; want 2", len(found), err)
	}
}

// TestPendingImportIsPolled: an import answered pending is polled, on the
// injected clock, until CASH has processed it.
func TestPendingImportIsPolled(t *testing.T) {
	for _, polls := range []int{1, 3, 7} {
		t.Run(fmt.Sprint(polls), func(t *testing.T) {
			h := newHarness(t, harnessOpt{settings: sampleOptions})
			if err := h.sim.SetPendingPolls(cashsim.SampleAdmin, polls); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, h, correctionParts()[0])
			if got := h.clock.Sleeps(); got != polls {
				t.Errorf("waited %d times, want %d", got, polls)
			}
			n := 0
			for _, r := range h.sim.Requests() {
				if strings.Contains(r, "/transaction/") {
					n++
				}
			}
			if n != polls {
				t.Errorf("polled %d times, want %d", n, polls)
			}
			if l := h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal); len(l) != 2 {
				t.Errorf("CASH holds %d lines, want 2", len(l))
			}
		})
	}
}

// TestStuckPendingImport: an administration whose imports stay pending
// (the API user is no user of it) gives the seed's message with its cause
// and fix, the entry is not reported written, and once the rights are
// fixed a resend books nothing twice.
func TestStuckPendingImport(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	part := correctionParts()[4]
	part.Administration = cashsim.NoRightsAdmin
	res, err := h.conn.Write(t.Context(), connectors.Journals, items(part))
	if err != nil {
		t.Fatal(err)
	}
	var ie *connectors.ItemError
	if !errors.As(res[0].Err, &ie) || res[0].RemoteID != "" {
		t.Fatalf("stuck import: remote ID %q, error %v; want an item error and no remote ID", res[0].RemoteID, res[0].Err)
	}
	const seed = "De XML import is nog niet verwerkt door een administratie en de transactie is nog in behandeling"
	if ie.Message != seed {
		t.Errorf("message %q, want the seed's words %q", ie.Message, seed)
	}
	// 120 seconds at one poll every 3 seconds.
	if s := h.clock.Sleeps(); s != 40 {
		t.Errorf("waited %d times, want 40", s)
	}
	en, ok := h.conn.Explain(res[0].Err)
	if !ok || !strings.Contains(en.Cause, "too few rights") || !strings.Contains(en.Fix, "user of the client's administration") {
		t.Errorf("English explanation %+v, %v", en, ok)
	}
	nl, ok := cash.Explain(&connectors.ItemError{Message: ie.Message})
	nl = nl.In(wordsIn(t, "nl"))
	if !ok || !strings.Contains(nl.Cause, "te weinig rechten") || !strings.Contains(nl.Fix, "gebruiker van de administratie van de klant") {
		t.Errorf("Dutch explanation %+v, %v", nl, ok)
	}
	if l := h.sim.Lines(cashsim.NoRightsAdmin, cashsim.SampleJournal); len(l) != 0 {
		t.Fatalf("a pending import was booked: %v", l)
	}

	// A second entry for the same administration in one batch is checked
	// once, not waited for again.
	before := h.clock.Sleeps()
	next := correctionParts()[5]
	next.Administration = cashsim.NoRightsAdmin
	res, err = h.conn.Write(t.Context(), connectors.Journals, items(correctionParts()[6], next, part))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[1].Err == nil || res[2].Err == nil {
		t.Fatalf("batch: %+v; want the first booked and the two for %s pending", res, cashsim.NoRightsAdmin)
	}
	// One poll for the healthy administration, 40 for the first stuck
	// entry, one for the second.
	if s := h.clock.Sleeps() - before; s != 42 {
		t.Errorf("the batch waited %d times, want 42", s)
	}

	if err := h.sim.GrantRights(cashsim.NoRightsAdmin); err != nil {
		t.Fatal(err)
	}
	ids := mustWrite(t, h, part, next)
	if l := h.sim.Lines(cashsim.NoRightsAdmin, cashsim.SampleJournal); len(l) != 4 {
		t.Errorf("after the rights were fixed and the entries resent CASH holds %d lines, want 4 (each booked once)", len(l))
	}
	if got, _ := h.conn.Get(t.Context(), connectors.Journals, ids); len(got) != 2 || got[0].Record.Journal.Administration != cashsim.NoRightsAdmin {
		t.Errorf("verification read back %+v", got)
	}
}

// TestLostReplyResend: the answer to an import is lost after CASH booked
// it; the resend is refused by CASH as a duplicate and recognised as
// already posted, and FindByCode finds it.
func TestLostReplyResend(t *testing.T) {
	for _, polls := range []int{0, 2} {
		t.Run(fmt.Sprint("polls ", polls), func(t *testing.T) {
			h := newHarness(t, harnessOpt{settings: sampleOptions})
			_ = h.sim.SetPendingPolls(cashsim.SampleAdmin, polls)
			part := correctionParts()[2]
			h.sim.DropNextReplies(1)
			if _, err := h.conn.Write(t.Context(), connectors.Journals, items(part)); !errors.Is(err, connectors.ErrTemporary) {
				t.Fatalf("Write with its answer lost: %v; want a temporary error", err)
			}
			found, err := h.conn.FindByCode(t.Context(), connectors.Journals, []string{part.Code})
			if err != nil || len(found) != 1 {
				t.Fatalf("FindByCode after the lost answer: %d, %v; want 1", len(found), err)
			}
			ids := mustWrite(t, h, part)
			if ids[0] != found[0].RemoteID {
				t.Errorf("resend answered %q, FindByCode %q", ids[0], found[0].RemoteID)
			}
			if l := h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal); len(l) != 2 {
				t.Errorf("CASH holds %d lines, want 2: booked once", len(l))
			}
		})
	}
}

// TestChangedAfterSending: a part resent with other amounts is not booked
// again, and the person is told to reverse it in CASH.
func TestChangedAfterSending(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	part := correctionParts()[1]
	id := mustWrite(t, h, part)[0]
	changed := part
	changed.Lines = []connectors.JournalLine{
		{NominalCode: "478", Debit: dec("11.00"), CostCentre: "SHOP", CostType: "EMPLOYER-NI"},
		{NominalCode: "825", Credit: dec("11.00"), CostCentre: "SHOP", CostType: "EMPLOYER-NI"},
	}
	for _, remote := range []string{"", id} {
		it := items(changed)
		it[0].RemoteID = remote
		res, err := h.conn.Write(t.Context(), connectors.Journals, it)
		if err != nil {
			t.Fatal(err)
		}
		why, ok := h.conn.Explain(res[0].Err)
		if res[0].Err == nil || !ok || !strings.Contains(why.Fix, "Reverse the entry in CASH") {
			t.Errorf("changed resend (remote ID %q): %v, %+v", remote, res[0].Err, why)
		}
	}
	// An update with what CASH already holds is done, with the same ID.
	it := items(part)
	it[0].RemoteID = id
	res, err := h.conn.Write(t.Context(), connectors.Journals, it)
	if err != nil || res[0].Err != nil || res[0].RemoteID != id {
		t.Errorf("unchanged update: %+v, %v", res, err)
	}
	if l := h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal); len(l) != 2 {
		t.Errorf("CASH holds %d lines, want 2", len(l))
	}
}

// TestRefusals: CASH's refusals come back word for word, per item, with a
// cause and a fix; the neighbours are booked.
func TestRefusals(t *testing.T) {
	base := correctionParts()[5]
	cases := []struct {
		name  string
		spoil func(*connectors.JournalEntry, *cashsim.Sim)
		want  string
		fix   string
	}{
		{"unknown journal", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.JournalCode = "XYZ" }, "Ongeldige waarde 0901=XYZ", "journal code"},
		{"unknown account", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.Lines[0].NominalCode = "8000" }, "Ongeldige waarde 0201=8000", "Mapping tab"},
		{"unknown cost centre", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.Lines[0].CostCentre = "ZZ" }, "Ongeldige waarde 0911=ZZ", "Cost centre codes"},
		{"period closed", func(_ *connectors.JournalEntry, s *cashsim.Sim) { _ = s.ClosePeriod(cashsim.SampleAdmin, "2611") }, "Periode 2611 is afgesloten", "Reopen the period"},
		{"unauthorised administration", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.Administration = "OTHER" }, "1002 Unauthorized Access", "link the administration"},
		{"cost centre too long", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.Lines[0].CostCentre = "WAREHOUSE" }, "longer than the 3 characters", "short CASH form"},
		{"out of balance", func(j *connectors.JournalEntry, _ *cashsim.Sim) { j.Lines[0].Debit = dec("1.00") }, "does not balance", "balances"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{settings: sampleOptions})
			bad := base
			bad.Lines = append([]connectors.JournalLine(nil), base.Lines...)
			tc.spoil(&bad, h.sim)
			good := correctionParts()[0]
			res, err := h.conn.Write(t.Context(), connectors.Journals, items(good, bad))
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err != nil {
				t.Errorf("the good neighbour was refused: %v", res[0].Err)
			}
			var ie *connectors.ItemError
			if !errors.As(res[1].Err, &ie) || !strings.Contains(ie.Message, tc.want) || res[1].RemoteID != "" {
				t.Fatalf("refusal: %v (remote ID %q); want %q", res[1].Err, res[1].RemoteID, tc.want)
			}
			why, ok := h.conn.Explain(&connectors.ItemError{Message: ie.Message})
			if !ok || !strings.Contains(why.Fix, tc.fix) {
				t.Errorf("Explain(%q) = %+v, %v; want a fix mentioning %q", ie.Message, why, ok, tc.fix)
			}
			if n := len(h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)); n != 2 {
				t.Errorf("CASH holds %d lines, want the good neighbour's 2", n)
			}
		})
	}
}

// TestDescriptionCut: a long description reaches CASH cut to 25 characters
// (the full text stays on LedgerLink's own record).
func TestDescriptionCut(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	part := correctionParts()[0]
	part.Lines[0].Description = "Gross salaries November including the overtime correction for October"
	part.Lines[1].Description = ""
	ids := mustWrite(t, h, part)
	got, err := h.conn.Get(t.Context(), connectors.Journals, ids)
	if err != nil || len(got) != 1 {
		t.Fatalf("Get: %v, %v", got, err)
	}
	ls := got[0].Record.Journal.Lines
	if ls[0].Description != "Gross salaries November" && ls[0].Description != "Gross salaries November i" {
		t.Errorf("line 1 read back %q", ls[0].Description)
	}
	if len([]rune(ls[0].Description)) > 25 || ls[1].Description != "Payroll November 2026 (pe" {
		t.Errorf("descriptions read back %q and %q", ls[0].Description, ls[1].Description)
	}
}

// TestFindAfterRestart: a fresh connection (after a crash) finds parts in
// the administrations of the company mapping, and passes over a mapped
// administration the API user may not read.
func TestFindAfterRestart(t *testing.T) {
	settings := map[string]string{
		"map.company.HLCR": cashsim.NoRightsAdmin, "map.journalcode.HLCR": cashsim.SampleJournal,
		"map.company.GONE": "OTHER", "map.journalcode.GONE": "MEM",
	}
	for k, v := range sampleOptions {
		settings[k] = v
	}
	h := newHarness(t, harnessOpt{settings: settings})
	if err := h.sim.GrantRights(cashsim.NoRightsAdmin); err != nil {
		t.Fatal(err)
	}
	part := correctionParts()[3]
	part.Administration = cashsim.NoRightsAdmin
	id := mustWrite(t, h, part)[0]

	fresh, err := cash.Open(t.Context(), h.cfg, cash.WithClock(h.clock))
	if err != nil {
		t.Fatal(err)
	}
	found, err := fresh.FindByCode(t.Context(), connectors.Journals, []string{part.Code, correctionParts()[2].Code})
	if err != nil || len(found) != 1 || found[0].RemoteID != id {
		t.Fatalf("FindByCode after a restart: %+v, %v; want %s only", found, err, id)
	}
}

// samplePayroll is the Sandbox's payroll journal PAY-2026-11 (the sample
// business's journals file) as the engine sends it: split by period only.
func samplePayroll() []connectors.JournalEntry {
	l := func(acct, dr, cr, cc, ct, desc string) connectors.JournalLine {
		jl := connectors.JournalLine{NominalCode: acct, CostCentre: cc, CostType: ct, Description: desc}
		if dr != "" {
			jl.Debit = dec(dr)
		}
		if cr != "" {
			jl.Credit = dec(cr)
		}
		return jl
	}
	return []connectors.JournalEntry{
		{Code: "PAY-2026-11-2026-10", Company: "HLCR", Date: connectors.NewDate(2026, 10, 31), Period: "2026-10",
			Description: "Payroll November 2026 (period 2026-10)", Administration: cashsim.SampleAdmin, JournalCode: cashsim.SampleJournal,
			Lines: []connectors.JournalLine{
				l("477", "240.00", "", "ROAST", "SALARY", "Correction: overtime October"),
				l("478", "21.60", "", "ROAST", "EMPLOYER-NI", "Correction: employer's NI October"),
				l("814", "", "192.00", "", "", "Correction: net wages October"),
				l("825", "", "69.60", "", "", "Correction: PAYE and NI October"),
			}},
		{Code: "PAY-2026-11-2026-11", Company: "HLCR", Date: connectors.NewDate(2026, 11, 28), Period: "2026-11",
			Description: "Payroll November 2026 (period 2026-11)", Administration: cashsim.SampleAdmin, JournalCode: cashsim.SampleJournal,
			Lines: []connectors.JournalLine{
				l("477", "3400.00", "", "SHOP", "SALARY", "Gross salaries November"),
				l("477", "2800.00", "", "ROAST", "SALARY", "Gross salaries November"),
				l("478", "310.50", "", "SHOP", "EMPLOYER-NI", "Employer's NI November"),
				l("478", "255.20", "", "ROAST", "EMPLOYER-NI", "Employer's NI November"),
				l("479", "102.00", "", "SHOP", "PENSION", "Employer's pension November"),
				l("479", "84.00", "", "ROAST", "PENSION", "Employer's pension November"),
				l("814", "", "4984.00", "", "", "Net wages payable November"),
				l("825", "", "1595.70", "", "", "PAYE and NI payable November"),
				l("826", "", "372.00", "", "", "Pension payable November"),
			}},
	}
}

// TestSamplePayrollInSandbox: the Sandbox's settings take the sample
// payroll as it is, and it reads back with every cost centre and cost type.
func TestSamplePayrollInSandbox(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: cash.Definition().Sandbox.Settings})
	parts := samplePayroll()
	ids := mustWrite(t, h, parts...)
	got, err := h.conn.Get(t.Context(), connectors.Journals, ids)
	if err != nil || len(got) != 2 {
		t.Fatalf("Get: %d, %v", len(got), err)
	}
	for i, r := range got {
		want := normaliseJournal(connectors.Record{Type: connectors.Journals, Journal: &parts[i]})
		if g := normaliseJournal(r.Record.Clone()); fmt.Sprint(*g.Journal) != fmt.Sprint(*want.Journal) {
			t.Errorf("read back differs\nwant %+v\ngot  %+v", *want.Journal, *g.Journal)
		}
	}
	if n := len(h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)); n != 13 {
		t.Errorf("CASH holds %d lines, want 13", n)
	}
}

func TestServerErrorsAndCancelledPolling(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	part := correctionParts()[0]
	h.sim.FailNext(1, 503)
	if _, err := h.conn.Write(t.Context(), connectors.Journals, items(part)); !errors.Is(err, connectors.ErrTemporary) {
		t.Fatalf("503: %v; want a temporary error", err)
	}
	if n := len(h.sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)); n != 0 {
		t.Fatalf("a refused request booked %d lines", n)
	}
	h.sim.RateLimitNext(1, 7e9)
	_, err := h.conn.Write(t.Context(), connectors.Journals, items(part))
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter.Seconds() != 7 {
		t.Fatalf("429: %v; want a rate limit of 7s", err)
	}
	// Cancelled while waiting for a pending import: the wait ends at once.
	_ = h.sim.SetPendingPolls(cashsim.SampleAdmin, -1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cc := &cancellingClock{fakeClock: newClock(), cancel: cancel}
	conn, err := cash.Open(t.Context(), h.cfg, cash.WithClock(cc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(ctx, connectors.Journals, items(part)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while polling: %v; want context.Canceled", err)
	}
	_ = h.sim.SetPendingPolls(cashsim.SampleAdmin, 1)
	mustWrite(t, h, correctionParts()[1:2]...)
}

// cancellingClock cancels its context at the first wait.
type cancellingClock struct {
	*fakeClock
	cancel func()
}

func (c *cancellingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.fakeClock.Sleep(ctx, d)
}

// TestReadBackOnlyInItsAdministrationAndJournal: the engine ticks a posting
// Verified from Get, which finds it only in the administration and
// journal its remote ID names, as CASH's export shows it there.
func TestReadBackOnlyInItsAdministrationAndJournal(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: sampleOptions})
	ids := mustWrite(t, h, correctionParts()[0])
	parts := strings.Split(ids[0], "/")
	if len(parts) != 5 || parts[0] != cashsim.SampleAdmin || parts[1] != cashsim.SampleJournal {
		t.Fatalf("remote ID %q", ids[0])
	}
	tests := []struct {
		name           string
		admin, journal string
		found          bool
	}{
		{"where it was booked", cashsim.SampleAdmin, cashsim.SampleJournal, true},
		{"another journal", cashsim.SampleAdmin, "MEM", false},
		{"another administration", cashsim.NoRightsAdmin, cashsim.SampleJournal, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.Join(append([]string{tc.admin, tc.journal}, parts[2:]...), "/")
			got, err := h.conn.Get(t.Context(), connectors.Journals, []string{id})
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) == 1) != tc.found {
				t.Fatalf("Get(%s) found %d postings, want found %v", id, len(got), tc.found)
			}
			if tc.found && (got[0].Record.Journal.Administration != tc.admin || got[0].Record.Journal.JournalCode != tc.journal) {
				t.Errorf("read back from %s/%s", got[0].Record.Journal.Administration, got[0].Record.Journal.JournalCode)
			}
		})
	}
}
