package uniconta_test

import (
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

func payroll(code string, lines ...connectors.JournalLine) connectors.Record {
	return connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{Code: code, Company: "HLCR", Date: day(28), Period: "2026-11", Lines: lines}}
}

// TestJournalSimulatedBeforePosting: a journal Uniconta would refuse is
// refused by the check before anything is booked, with Uniconta's words.
func TestJournalSimulatedBeforePosting(t *testing.T) {
	dr := func(acct, amount, cc string) connectors.JournalLine {
		return connectors.JournalLine{NominalCode: acct, Debit: dec(amount), CostCentre: cc, CostType: "SALARY"}
	}
	cr := func(acct, amount string) connectors.JournalLine {
		return connectors.JournalLine{NominalCode: acct, Credit: dec(amount)}
	}
	cases := []struct {
		name  string
		rec   connectors.Record
		words string
		// checked says the refusal came from CheckJournal (the
		// simulation) rather than from the posting itself.
		checked bool
	}{
		{"unbalanced", payroll("J-UNBAL", dr("477", "100.00", "SHOP"), cr("814", "90.00")), "does not balance", true},
		{"unknown account", payroll("J-ACCT", dr("999", "100.00", "SHOP"), cr("814", "100.00")), `account "999" could not be found`, true},
		{"heading", payroll("J-HEAD", dr("1000", "100.00", "SHOP"), cr("814", "100.00")), "heading", true},
		{"unknown cost centre", payroll("J-DIM", dr("477", "100.00", "NOWHERE"), cr("814", "100.00")), `dimension 1 value "NOWHERE"`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			res := h.write(connectors.Journals, connectors.WriteItem{Key: "j", Record: tc.rec})
			var ie *connectors.ItemError
			if !errors.As(res[0].Err, &ie) || ie.Code != "ErrorInJournal" || !strings.Contains(ie.Message, tc.words) {
				t.Fatalf("result %+v; want ErrorInJournal saying %q", res[0], tc.words)
			}
			if why, ok := h.conn.Explain(res[0].Err); !ok || !strings.Contains(why.Cause, "nothing was booked") {
				t.Errorf("Explain: %+v", why)
			}
			if got := h.list(connectors.Journals); len(got) != 0 {
				t.Errorf("%d journals were booked", len(got))
			}
			posted := 0
			for _, r := range h.sim.Requests() {
				if strings.HasSuffix(r.Path, "/PostDailyJournal") {
					posted++
				}
			}
			if tc.checked && posted != 0 {
				t.Errorf("the journal was sent for posting although the check refused it")
			}
		})
	}
	t.Run("good journal is booked once", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		rec := payroll("J-OK", dr("477", "100.00", "SHOP"), cr("814", "100.00"))
		id := h.create(rec)
		// Sent again (the engine lost the answer): linked, not booked twice.
		again := h.write(connectors.Journals, connectors.WriteItem{Key: "again", Record: rec})
		if again[0].Err != nil || again[0].RemoteID != id {
			t.Errorf("second send: %+v, want %s", again[0], id)
		}
		if got := h.list(connectors.Journals); len(got) != 1 {
			t.Errorf("%d journals booked", len(got))
		}
		changed := rec.Clone()
		changed.Journal.Lines[0].Debit, changed.Journal.Lines[1].Credit = dec("120.00"), dec("120.00")
		res := h.write(connectors.Journals, connectors.WriteItem{Key: "u", RemoteID: id, Record: changed})
		var ie *connectors.ItemError
		if !errors.As(res[0].Err, &ie) || ie.Code != "PostedCannotChange" {
			t.Errorf("changing a booked journal: %+v", res[0])
		}
	})
}
