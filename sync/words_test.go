package sync

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"

	"github.com/shopspring/decimal"
)

// in returns the shipped catalogue (LedgerLink's words and the fixture's
// connectors') in lang.
func in(t *testing.T, reg *connectors.Registry, lang string) *words.Words {
	t.Helper()
	w := English(reg).Catalogue().In(lang)
	if w.Lang() != lang {
		t.Fatalf("the catalogue speaks %s, not %s", w.Lang(), lang)
	}
	return w
}

// TestPrecheckProblemsInTheReadersLanguage: the engine writes a pre-check
// problem's cause and fix in the language it was given, numbers in that
// language's format.
func TestPrecheckProblemsInTheReadersLanguage(t *testing.T) {
	const pkg = "Reference ledger (in memory)"
	tests := []struct {
		lang, cause, fix string
	}{
		{"en", "Nominal code 4321 on line 1 has no matching account in " + pkg + ".",
			"Map nominal code 4321 to an account of " + pkg + " on the Mapping tab, then run the pre-check again."},
		{"nl", "Grootboekrekening 4321 op regel 1 heeft geen bijbehorende rekening in " + pkg + ".",
			"Koppel grootboekrekening 4321 op het tabblad Koppelingen aan een rekening van " + pkg + " en voer daarna de controle vooraf opnieuw uit."},
		{"da", "Finanskonto 4321 på linje 1 har ingen tilsvarende konto i " + pkg + ".",
			"Tilknyt finanskonto 4321 til en konto i " + pkg + " på fanen Tilknytninger, og kør derefter forhåndskontrollen igen."},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			f := newEngFixture(t)
			f.eng.SetWords(in(t, f.reg, tc.lang))
			f.uploadAll(NewOnly)
			f.mapDefaults()
			if _, err := f.eng.Mirror(f.ctx, mod, connectors.AncillaryTypes()); err != nil {
				t.Fatal(err)
			}
			inv := salesInvoice("INV-1", "C1", 3)
			inv.Document.Lines[0].NominalCode = "4321"
			f.put(customer("C1"), inv)
			items, err := f.eng.Precheck(f.ctx, mod, []Ref{ref(connectors.SalesInvoices, "INV-1")})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || len(items[0].Check.Problems) != 1 {
				t.Fatalf("precheck returned %+v", items)
			}
			p := items[0].Check.Problems[0]
			if p.Rule != RuleNominalUnmapped || p.Cause != tc.cause || p.Fix != tc.fix {
				t.Errorf("problem = %+v\nwant cause %q\nand fix %q", p, tc.cause, tc.fix)
			}
		})
	}
}

// TestJournalProblemsWriteAmountsInTheLanguage: a journal's totals follow
// the language's format.
func TestJournalProblemsWriteAmountsInTheLanguage(t *testing.T) {
	reg := connectors.NewRegistry()
	j := connectors.JournalEntry{Code: "J1", Company: "ACME", Lines: []connectors.JournalLine{
		{NominalCode: "4000", Debit: decimal.RequireFromString("1234.50")}, {NominalCode: "2000", Credit: decimal.RequireFromString("1000")},
	}}
	tests := map[string]string{
		"en": "Payroll journal J1 does not balance: debits 1,234.50, credits 1,000.00.",
		"nl": "Salarisjournaalpost J1 is niet in balans: debet 1.234,50, credit 1.000,00.",
		"da": "Lønpostering J1 stemmer ikke: debet 1.234,50, kredit 1.000,00.",
	}
	for lang, want := range tests {
		_, err := SplitJournal(j, SplitOptions{Words: in(t, reg, lang)})
		var je *JournalError
		if !errors.As(err, &je) || je.Cause != want {
			t.Errorf("%s: %v, want the cause %q", lang, err, want)
		}
	}
}

// TestNotesInTheReadersLanguage: a module's notes, a connector's plain
// label among them, are said in the reader's language; the English ones
// stay as they were.
func TestNotesInTheReadersLanguage(t *testing.T) {
	f := newEngFixture(t)
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{"Rollup must be true or false."}},
		{"nl", []string{"Rollup moet true of false zijn."}},
		{"da", []string{"Rollup skal være true eller false."}},
	}
	for _, tc := range tests {
		light, notes := SettingsStatusIn(in(t, f.reg, tc.lang), f.def, map[string]string{"opt.rollup": "maybe"}, nil, false)
		if light != connectors.Amber || len(notes) == 0 || notes[0] != tc.want[0] {
			t.Errorf("%s: %s %q, want AMBER starting %q", tc.lang, light, notes, tc.want)
		}
	}
	nothing := map[string]string{
		"en": "Nothing is set to sync yet: choose what goes which way on the Synchronisation tab.",
		"nl": "Er staat nog niets ingesteld om te synchroniseren: kies op het tabblad Synchronisatie wat welke kant op gaat.",
		"da": "Der er endnu intet sat op til synkronisering: vælg på fanen Synkronisering, hvad der skal hvilken vej.",
	}
	for lang, want := range nothing {
		_, notes := SettingsStatusIn(in(t, f.reg, lang), f.def, map[string]string{"organisation": "Acme", "base_currency": "GBP"}, func(string) bool { return true }, false)
		if len(notes) != 1 || notes[0] != want {
			t.Errorf("%s: %q, want %q", lang, notes, want)
		}
	}
	if _, notes := SettingsStatus(f.def, map[string]string{"opt.rollup": "maybe"}, nil, false); len(notes) == 0 || notes[0] != "Rollup must be true or false." {
		t.Errorf("SettingsStatus is English: %q", notes)
	}
}

// TestRunNotesInTheReadersLanguage: a note the engine adds to a run's
// report is in its words.
func TestRunNotesInTheReadersLanguage(t *testing.T) {
	tests := map[string]string{
		"en": "Customer C1 is not in Pending Export.",
		"nl": "Klant C1 staat niet in Klaar voor export.",
		"da": "Kunde C1 står ikke i Afventer eksport.",
	}
	for lang, want := range tests {
		f := newEngFixture(t)
		f.eng.SetWords(in(t, f.reg, lang))
		rep, _ := f.eng.Upload(f.ctx, mod, []Ref{ref(connectors.Customers, "C1")}, nil)
		if len(rep.Errors) == 0 || rep.Errors[0] != want {
			t.Errorf("%s: report says %q, want %q", lang, rep.Errors, want)
		}
	}
}

func TestModuleStatesInTheReadersLanguage(t *testing.T) {
	reg := connectors.NewRegistry()
	until := time.Date(2026, 12, 3, 14, 3, 0, 0, time.Local)
	sending := ModuleState{Module: "xero", Activity: ActivitySyncing, StepText: words.Sentence("engine.step.sending", "Package", "Xero"), Done: 1200, Total: 3400}
	reading := ModuleState{Module: "xero", Activity: ActivitySyncing, StepText: words.Sentence("engine.step.reading", "Type", connectors.SalesInvoices.Text(), "Package", "Xero")}
	tests := []struct {
		lang string
		st   ModuleState
		want string
	}{
		{"en", sending, "xero: Sending records to Xero, 1,200 of 3,400"},
		{"nl", sending, "xero: Records versturen naar Xero, 1.200 van 3.400"},
		{"da", sending, "xero: Sender poster til Xero, 1.200 af 3.400"},
		{"en", reading, "xero: Reading Sales Invoices from Xero"},
		{"nl", reading, "xero: Verkoopfacturen lezen uit Xero"},
		{"da", reading, "xero: Læser Salgsfakturaer fra Xero"},
		{"nl", ModuleState{Module: "xero", Activity: ActivityWaitingRateLimit, Until: until}, "xero: wacht tot 14:03:00 op de limiet van het pakket"},
		{"da", ModuleState{Module: "xero", Activity: ActivityWaitingRateLimit, Until: until}, "xero: venter til 14:03:00 på pakkens grænse"},
		{"nl", ModuleState{Module: "xero", Activity: ActivityWaitingSignIn}, "xero: wacht op opnieuw inloggen"},
		{"da", ModuleState{Module: "xero", Activity: ActivityPaused}, "xero: automatisk synkronisering på pause"},
		{"nl", ModuleState{Module: "xero"}, "xero: niets te doen"},
		{"da", ModuleState{Module: "xero"}, "xero: klar"},
	}
	for _, tc := range tests {
		if got := tc.st.Describe(in(t, reg, tc.lang)); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.lang, tc.st.Activity, got, tc.want)
		}
	}
}

// TestEngineStatesCarryTheirWords: the states a run publishes say their
// stage in the engine's language and keep its words for a face to say
// again in another.
func TestEngineStatesCarryTheirWords(t *testing.T) {
	f := newEngFixture(t)
	f.eng.SetWords(in(t, f.reg, "nl"))
	var steps []ModuleState
	cancel := f.eng.Subscribe(func(st ModuleState) {
		if st.Activity == ActivitySyncing && st.StepText.Key != "" {
			steps = append(steps, st)
		}
	})
	defer cancel()
	if _, err := f.eng.Sync(f.ctx, mod, TriggerManual); err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 || steps[0].Step != "Verbinden" {
		t.Fatalf("states %+v", steps)
	}
	if got := steps[0].StepIn(in(t, f.reg, "da")); got != "Opretter forbindelse" {
		t.Errorf("the first stage said in Danish is %q", got)
	}
}

// TestFeedbackRowIsSaidAgainInAnotherLanguage: a row stored with its
// explanation's key is said again in the reader's language; the package's
// own message stays as it wrote it.
func TestFeedbackRowIsSaidAgainInAnotherLanguage(t *testing.T) {
	f := newEngFixture(t)
	en := in(t, f.reg, "en")
	refusal := &connectors.ItemError{Code: "E42", Message: "Account code '9999' is not a valid code"}
	x := explain(en, plainConn{}, refusal, "Xero")
	row := FeedbackRow{Type: connectors.SalesInvoices, Code: "INV-1", Message: refusal.Error(), Cause: x.Cause, Fix: x.Fix, Key: x.Key, Args: x.Args}
	if err := f.db.AddFeedback(f.ctx, mod, row); err != nil {
		t.Fatal(err)
	}
	rows, err := f.eng.Feedback(f.ctx, mod, time.Time{}, time.Time{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("feedback %+v, %v", rows, err)
	}
	stored := rows[0]
	if stored.Cause != "Xero did not accept this record." || stored.Key != "engine.feedback.refused" {
		t.Fatalf("stored row %+v", stored)
	}
	tests := []struct{ lang, cause, fix string }{
		{"nl", "Xero heeft dit record niet geaccepteerd.", "Lees de melding van Xero, verbeter het record in uw bedrijfssysteem (of de koppeling in LedgerLink) en upload het opnieuw."},
		{"da", "Xero accepterede ikke denne post.", "Læs meddelelsen fra Xero, ret posten i dit virksomhedssystem (eller tilknytningen i LedgerLink), og overfør den igen."},
	}
	for _, tc := range tests {
		again := connectors.Explanation{Key: stored.Key, Args: stored.Args}.In(in(t, f.reg, tc.lang))
		if again.Cause != tc.cause || again.Fix != tc.fix {
			t.Errorf("%s: %+v", tc.lang, again)
		}
	}
	f.eng.SetWords(in(t, f.reg, "da"))
	if rows, err := f.eng.Feedback(f.ctx, mod, time.Time{}, time.Time{}); err != nil || rows[0].Cause != tests[1].cause || rows[0].Message != stored.Message {
		t.Errorf("the engine in Danish shows %+v, %v", rows, err)
	}
	if stored.Message != "Account code '9999' is not a valid code" {
		t.Errorf("the package's words changed: %q", stored.Message)
	}
	// A row written before keys were kept is shown as it was stored.
	var old storage.FeedbackRow
	old.Cause = "Xero did not accept this record."
	if again := (connectors.Explanation{Key: old.Key, Args: old.Args, Cause: old.Cause}).In(in(t, f.reg, "nl")); again.Cause != old.Cause {
		t.Errorf("an old row said again: %+v", again)
	}
}

// TestRefusalsAreSaidInTheReadersLanguage: a refusal made where no language
// is at hand (the matrix, a timing, several problems at once) reads in
// English in its Error() and in the reader's language through Words.Error,
// and keeps the kind callers tell apart.
func TestRefusalsAreSaidInTheReadersLanguage(t *testing.T) {
	reg := connectors.NewRegistry()
	_, _, ruleErr := Matrix{}.Set(connectors.Upload, connectors.SalesInvoices, NewOnly)
	_, levelErr := ParseLevel("sometimes")
	_, timingErr := TimingFromSettings(map[string]string{TimingModeKey: "hourly", TimingHourKey: "25"})
	tests := []struct {
		name    string
		err     error
		kind    error
		english string
		nl, da  []string
	}{
		{"matrix rule", ruleErr, ErrNotAllowed, "turn Customers on first", []string{"zet eerst", "Klanten"}, []string{"slå først", "Kunder"}},
		{"level", levelErr, nil, `"sometimes" is not a sync level`, []string{"is geen synchronisatieniveau"}, []string{"er ikke et synkroniseringsniveau"}},
		{"timing, two problems", timingErr, nil, `"hourly" is not a timing option`, []string{"opgeslagen planning", "geen planningsoptie", "het uur \"25\""}, []string{"gemte tidsplan", "timen \"25\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no refusal")
			}
			if !strings.Contains(tt.err.Error(), tt.english) {
				t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.english)
			}
			if tt.kind != nil && !errors.Is(tt.err, tt.kind) {
				t.Errorf("%v is not %v", tt.err, tt.kind)
			}
			for lang, want := range map[string][]string{"nl": tt.nl, "da": tt.da} {
				said := in(t, reg, lang).Error(tt.err)
				for _, w := range want {
					if !strings.Contains(said, w) {
						t.Errorf("%s: %q lacks %q", lang, said, w)
					}
				}
			}
		})
	}
}

// TestRunErrorsAreSaidAgainAfterASwitch: a problem of a whole run is kept
// in every language, so the run history says it in the language the
// person reads now, not the one the run was made in; a run kept before
// that (text only) is shown as it was written.
func TestRunErrorsAreSaidAgainAfterASwitch(t *testing.T) {
	reg := connectors.NewRegistry()
	var rep Report
	rep.fail(in(t, reg, "en"), func(w *words.Words) string { return w.Error(ErrSchedulerStopped) })
	if rep.Errors[0] != "LedgerLink is closing, so the sync was not started." {
		t.Fatalf("said in the run's language: %q", rep.Errors[0])
	}
	for lang, want := range map[string]string{"en": rep.Errors[0], "nl": "LedgerLink wordt afgesloten", "da": "LedgerLink lukker"} {
		if got := rep.ErrorIn(in(t, reg, lang), 0); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	old := Report{Errors: []string{"an old run's words"}}
	if got := old.ErrorIn(in(t, reg, "da"), 0); got != "an old run's words" {
		t.Errorf("an old run: %q", got)
	}
}
