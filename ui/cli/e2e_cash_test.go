package cli

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ledgerlink/assets"
	"ledgerlink/connectors/cash/cashsim"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
)

// The end-to-end tests of this file run the real verbs against CASH's
// simulator on 127.0.0.1, reached from the Sandbox as a Cash Web would be,
// so the test can play the bookkeeper's part in CASH (granting the API
// user its rights) between runs.

// seedPending is CASH's message for an import no administration processed.
const seedPending = "De XML import is nog niet verwerkt door een administratie en de transactie is nog in behandeling"

type jsonAdministrations struct {
	Administrations []struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Journals []struct {
			Code     string `json:"code"`
			Unusable string `json:"unusable"`
		} `json:"journals"`
	} `json:"administrations"`
	Companies []struct {
		Company        string `json:"company"`
		Journals       int    `json:"journals"`
		Pending        int    `json:"pending"`
		Administration string `json:"administration"`
		JournalCode    string `json:"journal_code"`
		Problem        string `json:"problem"`
	} `json:"companies"`
}

// cashSandbox installs CASH in the Sandbox pointed at sim.
func cashSandbox(t *testing.T) (commandLine, *cashsim.Sim) {
	t.Helper()
	sim, err := cashsim.New(cashsim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("requests breaking CASH's rules: %v", v)
		}
	})
	// The good administration processes at once; HLCR2's imports stay
	// pending until the API user is given rights there.
	if err := sim.SetPendingPolls(cashsim.SampleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	c := realBinary{subprocess{t: t, dataDir: t.TempDir()}}
	wantExit(t, c.run("--sandbox", "install", "cash"), exitOK)
	wantExit(t, c.run("--sandbox", "config", "cash", "api_url="+srv.URL+cashsim.BasePath, "opt.pending_wait_seconds=1"), exitOK)
	return c, sim
}

// TestE2ECashAdministrationsAndStuckPending: the administrations are
// listed with their journals; a journal code the administration lacks is
// caught by the pre-check; an administration whose imports stay pending
// shows CASH's Dutch message with its cause and fix and keeps the journal
// pending; once the rights are given the journal is recognised as booked,
// not sent twice, and ticked Verified in that administration and journal.
func TestE2ECashAdministrationsAndStuckPending(t *testing.T) {
	c, sim := cashSandbox(t)

	o := c.run("--sandbox", "config", "cash", "--administrations", "--json")
	wantExit(t, o, exitOK)
	list := decode[jsonAdministrations](t, o)
	var codes []string
	for _, a := range list.Administrations {
		codes = append(codes, a.Code)
		for _, j := range a.Journals {
			if (j.Code == "VRK" || j.Code == "BNK") == (j.Unusable == "") {
				t.Errorf("%s journal %s: unusable %q", a.Code, j.Code, j.Unusable)
			}
		}
	}
	if !slices.Equal(codes, []string{cashsim.SampleAdmin, cashsim.NoRightsAdmin}) {
		t.Fatalf("administrations %v", codes)
	}
	if len(list.Companies) != 1 || list.Companies[0].Company != "HLCR" || list.Companies[0].JournalCode != "LON" || list.Companies[0].Problem != "" || list.Companies[0].Pending != 1 {
		t.Fatalf("payroll companies %+v", list.Companies)
	}
	o = c.run("--sandbox", "config", "cash", "--administrations")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "VRK – Verkoopboek (not for payroll)") || !slices.ContainsFunc(strings.Split(o.stdout, "\n"), func(l string) bool {
		return strings.Join(strings.Fields(l), " ") == "HLCR 1 1 HLCR LON"
	}) {
		t.Errorf("the text listing:\n%s", o.stdout)
	}

	// A journal the administration has not: the pre-check says so.
	wantExit(t, c.run("--sandbox", "config", "cash", "map.journalcode.HLCR=XYZ"), exitOK)
	o = c.run("--sandbox", "precheck", "cash", "--json")
	wantExit(t, o, exitItems)
	var rules []string
	for _, p := range decode[[]jsonPending](t, o) {
		for _, pr := range p.Check.Problems {
			rules = append(rules, pr.Rule)
			if pr.Rule == "journal-code-unknown" && !strings.Contains(pr.Cause, "LON – Lonen en salarissen") {
				t.Errorf("the problem should list the usable journals: %q", pr.Cause)
			}
		}
	}
	if !slices.Contains(rules, "journal-code-unknown") {
		t.Fatalf("pre-check rules %v, want journal-code-unknown\n%s", rules, o)
	}

	// The administration where the API user has no rights.
	wantExit(t, c.run("--sandbox", "config", "cash", "map.company.HLCR="+cashsim.NoRightsAdmin, "map.journalcode.HLCR=LON"), exitOK)
	o = c.run("--sandbox", "sync", "cash", "--json")
	rep := decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != 0 || failed != 1 {
		t.Fatalf("sync into %s: %d created, %d failed\n%s", cashsim.NoRightsAdmin, created, failed, o)
	}
	o = c.run("--sandbox", "feedback", "cash", "--json")
	wantExit(t, o, exitOK)
	fb := decode[[]jsonFeedback](t, o)
	if len(fb) != 1 || !strings.Contains(fb[0].Message, seedPending) {
		t.Fatalf("Error Feedback %+v, want CASH's own message word for word", fb)
	}
	if !strings.Contains(fb[0].Cause, "too few rights") || !strings.Contains(fb[0].Fix, "a user of the client's administration") {
		t.Errorf("cause %q / fix %q", fb[0].Cause, fb[0].Fix)
	}
	o = c.run("--sandbox", "pending", "cash", "--json")
	wantExit(t, o, exitOK)
	if got := pendingRefs(decode[[]jsonPending](t, o)); !slices.Equal(got, []string{"journal:PAY-2026-11"}) {
		t.Errorf("pending after the stuck import: %v", got)
	}
	o = c.run("--sandbox", "exported", "cash", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonExported](t, o); len(rows) != 0 {
		t.Fatalf("a pending journal was marked exported: %+v", rows)
	}
	// A second run while the rights are still missing changes nothing.
	o = c.run("--sandbox", "sync", "cash", "--json")
	if created, _, failed := decode[jsonReport](t, o).total("upload"); created != 0 || failed != 1 {
		t.Fatalf("second sync while pending: %d created, %d failed", created, failed)
	}
	if n := len(sim.Lines(cashsim.NoRightsAdmin, "LON")); n != 0 {
		t.Fatalf("CASH booked %d lines while the imports were pending", n)
	}

	// The bookkeeper makes the API user a user of HLCR2: CASH processes
	// the pending imports; the next run finds them and sends nothing.
	if err := sim.GrantRights(cashsim.NoRightsAdmin); err != nil {
		t.Fatal(err)
	}
	booked := len(sim.Lines(cashsim.NoRightsAdmin, "LON"))
	if booked != 13 {
		t.Fatalf("CASH booked %d lines once the rights were given, want the sample's 13", booked)
	}
	o = c.run("--sandbox", "sync", "cash", "--json")
	wantExit(t, o, exitOK)
	if _, _, failed := decode[jsonReport](t, o).total("upload"); failed != 0 {
		t.Fatalf("sync after the rights: %s", o)
	}
	if n := len(sim.Lines(cashsim.NoRightsAdmin, "LON")); n != booked {
		t.Fatalf("CASH holds %d lines after the resend, want %d: booked twice", n, booked)
	}
	o = c.run("--sandbox", "exported", "cash", "--json")
	wantExit(t, o, exitOK)
	rows := decode[[]jsonExported](t, o)
	if len(rows) != 1 || !rows[0].Verified {
		t.Fatalf("exported %+v, want the journal Verified", rows)
	}
	for _, part := range strings.Split(rows[0].RemoteID, ",") {
		if _, id, _ := strings.Cut(part, "="); !strings.HasPrefix(id, cashsim.NoRightsAdmin+"/LON/") {
			t.Errorf("part %s is not in administration %s, journal LON", part, cashsim.NoRightsAdmin)
		}
	}
	o = c.run("--sandbox", "pending", "cash", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Errorf("still pending: %v", pendingRefs(rows))
	}
}

// TestE2ECashUnmappedCompanyHoldsOnlyItsOwn: a payroll company without a
// mapping keeps its own journal back, with a note naming it, while the
// mapped company's journal is booked and Verified in its administration.
func TestE2ECashUnmappedCompanyHoldsOnlyItsOwn(t *testing.T) {
	c, sim := cashSandbox(t)
	file := filepath.Join(t.TempDir(), "journals.csv")
	csv := "Journal Code;Company;Journal Date;Period;Description;Nominal Code;Debit;Credit;Cost Centre;Cost Type;Line Description;Line Period\n" +
		"NEW-2026-11;NEWCO;28-11-2026;2026-11;Payroll November 2026;477;1.000,00;;;;Gross salaries;\n" +
		"NEW-2026-11;NEWCO;28-11-2026;2026-11;Payroll November 2026;814;;1.000,00;;;Net wages payable;\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	wantExit(t, c.run("--sandbox", "import", file), exitOK)
	o := c.run("--sandbox", "modules", "--json")
	wantExit(t, o, exitOK)
	i := slices.IndexFunc(decode[[]jsonModule](t, o), func(m jsonModule) bool { return m.Name == "cash" })
	notes := strings.Join(decode[[]jsonModule](t, o)[i].Notes, " ")
	if !strings.Contains(notes, "Payroll company NEWCO is not mapped") || !strings.Contains(notes, "other companies' journals still go") {
		t.Errorf("module notes %q should name NEWCO and say it holds only its own", notes)
	}
	o = c.run("--sandbox", "sync", "cash", "--json")
	if created, _, failed := decode[jsonReport](t, o).total("upload"); created != 1 || failed != 1 {
		t.Fatalf("sync: %d created, %d failed, want HLCR's sent and NEWCO's held\n%s", created, failed, o)
	}
	if n := len(sim.Lines(cashsim.SampleAdmin, "LON")); n != 13 {
		t.Errorf("HLCR/LON holds %d lines, want 13", n)
	}
	o = c.run("--sandbox", "exported", "cash", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonExported](t, o); len(rows) != 1 || rows[0].Code != "PAY-2026-11" || !rows[0].Verified {
		t.Errorf("exported %+v", rows)
	}
}

// TestE2ECashJournalFileIsPostedAutomatically: with "Send payroll journals
// automatically" on, a payroll journal file handed to the real binary is
// posted to CASH as part of the import, in its parts, and each part is
// ticked Verified once CASH's export shows it; importing the same file
// again books nothing twice.
func TestE2ECashJournalFileIsPostedAutomatically(t *testing.T) {
	c, sim := cashSandbox(t)
	wantExit(t, c.run("--sandbox", "config", "cash", "opt.journals_auto_send=true"), exitOK)
	sample, err := fs.ReadFile(assets.Sample(), "journals.csv")
	if err != nil {
		t.Fatal(err)
	}
	december := strings.NewReplacer("PAY-2026-11", "PAY-2026-12", "2026-11", "2026-12", "28-11-2026", "24-12-2026", "November", "December").Replace(string(sample))
	file := filepath.Join(t.TempDir(), "journals.csv")
	if err := os.WriteFile(file, []byte(december), 0o600); err != nil {
		t.Fatal(err)
	}
	o := c.run("--sandbox", "import", file)
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stderr, "Payroll journals sent automatically to cash") {
		t.Fatalf("the import did not say it sent the journal: %s", o)
	}
	o = c.run("--sandbox", "exported", "cash", "--json")
	wantExit(t, o, exitOK)
	var got *jsonExported
	for _, r := range decode[[]jsonExported](t, o) {
		if r.Code == "PAY-2026-12" {
			got = &r
		}
	}
	if got == nil || !got.Verified {
		t.Fatalf("the December journal is not exported and Verified: %s", o)
	}
	lines := len(sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal))
	wantExit(t, c.run("--sandbox", "import", file), exitOK)
	if again := len(sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)); again != lines {
		t.Errorf("importing the same file again booked %d lines more", again-lines)
	}
}

// TestE2ECashInboxJournalIsSentWithoutAClick: while `run` keeps
// LedgerLink going, a payroll journal file dropped in the inbox is imported
// and, with "Send payroll journals automatically" on, booked in CASH with
// no click and no scheduled run.
func TestE2ECashInboxJournalIsSentWithoutAClick(t *testing.T) {
	sim, err := cashsim.New(cashsim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	if err := sim.SetPendingPolls(cashsim.SampleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory(), registry: shippedRegistry}
	wantExit(t, c.run("--sandbox", "install", "cash"), exitOK)
	wantExit(t, c.run("--sandbox", "config", "cash", "api_url="+srv.URL+cashsim.BasePath, "opt.journals_auto_send=true", "timing.mode=disabled"), exitOK)
	before := len(sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal))

	sample, err := fs.ReadFile(assets.Sample(), "journals.csv")
	if err != nil {
		t.Fatal(err)
	}
	january := strings.NewReplacer("PAY-2026-11", "PAY-2027-01", "2026-11", "2027-01", "28-11-2026", "28-01-2027", "November", "January").Replace(string(sample))
	inbox := feed.DefaultInboxDir(workspace.SandboxDir(c.dataDir))
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	dropped := filepath.Join(inbox, "journals.csv")
	if err := os.WriteFile(dropped, []byte(january), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(dropped, old, old); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan outcome, 1)
	var out lockedBuffer
	go func() { done <- c.runCtxOut(ctx, &out, "--sandbox", "run") }()
	// The file's line comes once it is imported and its journals sent.
	waitFor(t, 30*time.Second, "the dropped journal to be imported and sent", func() bool {
		return strings.Contains(out.String(), "journals.csv: imported")
	})
	cancel()
	select {
	case o := <-done:
		wantExit(t, o, exitOK)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if after := len(sim.Lines(cashsim.SampleAdmin, cashsim.SampleJournal)); after <= before {
		t.Fatalf("nothing was booked in CASH (%d lines before, %d after):\n%s", before, after, out.String())
	}
	o := c.run("--sandbox", "exported", "cash", "--json")
	wantExit(t, o, exitOK)
	if !slices.ContainsFunc(decode[[]jsonExported](t, o), func(r jsonExported) bool { return r.Code == "PAY-2027-01" && r.Verified }) {
		t.Errorf("the inbox journal is not exported and Verified: %s", o)
	}
}
