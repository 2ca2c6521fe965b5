package cash_test

import (
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash"
	"ledgerlink/connectors/cash/cashsim"
	"ledgerlink/connectors/conformance"
)

type simFaults struct {
	sim   *cashsim.Sim
	clock *fakeClock
}

func (f simFaults) RateLimitNext(d time.Duration) { f.sim.RateLimitNext(1, d) }
func (f simFaults) LoseNextReply()                { f.sim.DropNextReplies(1) }
func (f simFaults) Advance(d time.Duration) {
	f.sim.Advance(d)
	f.clock.Advance(d)
}

// normaliseJournal keeps what a CASH posting holds: no payroll company, no
// entry-level text (each line carries its own, or the entry's when it has
// none, cut to 25 characters), no line periods (the posting has one), and
// the administration and journal it was booked in, which the samples leave
// to the module's defaults.
func normaliseJournal(r connectors.Record) connectors.Record {
	if r.Journal == nil {
		return r
	}
	j := r.Journal
	for i := range j.Lines {
		l := &j.Lines[i]
		d := strings.TrimSpace(l.Description)
		if d == "" {
			d = strings.TrimSpace(j.Description)
		}
		if rs := []rune(d); len(rs) > 25 {
			d = strings.TrimSpace(string(rs[:25]))
		}
		l.Description, l.Period = d, ""
	}
	j.Company, j.Description, j.Administration, j.JournalCode = "", "", "", ""
	return r
}

// TestConformance runs the shared suite in strict mode against a simulator
// whose imports are answered pending and processed at the first poll.
func TestConformance(t *testing.T) {
	def := cash.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "cash",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{})
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:       cash.Capabilities(),
		Definition: &def,
		Sample: conformance.NewSamples(conformance.Codes{
			Currency: "EUR", JournalDebit: "477", JournalCredit: "814", InvalidAccount: "999",
		}),
		Normalise: normaliseJournal,
	})
}

// TestConformanceOtherShapes runs the suite again against the answer
// shapes other clients have seen (keyed lists) with imports processed at
// once (201).
func TestConformanceOtherShapes(t *testing.T) {
	def := cash.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "cash (keyed lists, 201)",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{simOpts: []cashsim.Option{cashsim.WithKeyedLists()}})
			if err := h.sim.SetPendingPolls(cashsim.SampleAdmin, 0); err != nil {
				t.Fatal(err)
			}
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:       cash.Capabilities(),
		Definition: &def,
		Sample: conformance.NewSamples(conformance.Codes{
			Prefix: "KL", Currency: "EUR", JournalDebit: "477", JournalCredit: "814", InvalidAccount: "999",
		}),
		Normalise: normaliseJournal,
	})
}
