package xero_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
)

// payrollPart is one part of a payroll journal as the engine hands it to
// the connector: already split, with its part code.
func payrollPart(code, description, debit, credit string) connectors.Record {
	return connectors.Record{Type: connectors.Journals, Journal: &connectors.JournalEntry{
		Code: code, Company: "Bakkerij Jansen", Date: connectors.NewDate(2026, 10, 31), Period: "2026-10",
		Description: description, Administration: "Sandbox Trading Ltd", JournalCode: "MEM",
		Lines: []connectors.JournalLine{
			{NominalCode: "429", Debit: dec(debit), Description: "Gross wages", CostCentre: "100", CostType: "4000", Period: "2026-10"},
			{NominalCode: "429", Debit: dec("50.00"), Description: "Holiday allowance", CostCentre: "100"},
			{NominalCode: "814", Credit: dec(credit), Description: "Net wages due", Period: "2026-10"},
		},
	}}
}

// heldByXero is what a journal part reads back as: Xero keeps no payroll
// company, pay period or journal code.
func heldByXero(r connectors.Record) connectors.JournalEntry {
	j := *r.Journal
	j.Company, j.Period, j.Administration, j.JournalCode = "", "", "", ""
	j.Lines = slices.Clone(j.Lines)
	for i := range j.Lines {
		j.Lines[i].Period = ""
	}
	return j
}

func sameJournal(t *testing.T, what string, want, got connectors.JournalEntry) {
	t.Helper()
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) != string(g) {
		t.Errorf("%s differs:\nwant %s\ngot  %s", what, w, g)
	}
}

func TestPayrollJournalUploadsAndReadsBack(t *testing.T) {
	for _, authorised := range []bool{false, true} {
		t.Run(map[bool]string{false: "draft", true: "posted"}[authorised], func(t *testing.T) {
			h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: map[bool]string{false: "false", true: "true"}[authorised]}})
			ctx := context.Background()
			parts := []connectors.Record{
				payrollPart("J-7-2026-10-CC100", "Payroll October (cost centre 100)", "1200.00", "1250.00"),
				// A blank description becomes "Payroll journal <code>" in
				// Xero and reads back blank.
				payrollPart("J-7-2026-10-CC1", "", "10.00", "60.00"),
			}
			items := []connectors.WriteItem{{Key: "k1", Record: parts[0]}, {Key: "k2", Record: parts[1]}}
			res, err := h.conn.Write(ctx, connectors.Journals, items)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]string{}
			for _, r := range res {
				if r.Err != nil || r.RemoteID == "" {
					t.Fatalf("%s: %q, %v", r.Key, r.RemoteID, r.Err)
				}
				ids[r.Key] = r.RemoteID
			}

			got, err := h.conn.Get(ctx, connectors.Journals, []string{ids["k1"], ids["k2"]})
			if err != nil || len(got) != 2 {
				t.Fatalf("Get: %d, %v", len(got), err)
			}
			for _, g := range got {
				want := parts[0]
				if g.RemoteID == ids["k2"] {
					want = parts[1]
				}
				sameJournal(t, "Get "+want.Code(), heldByXero(want), *g.Record.Journal)
			}

			// The code leads the narration: a code that is the start of
			// another one finds only its own journal.
			found, err := h.conn.FindByCode(ctx, connectors.Journals, []string{"J-7-2026-10-CC1", "J-7-2026-10-CC9"})
			if err != nil || len(found) != 1 || found[0].RemoteID != ids["k2"] {
				t.Fatalf("FindByCode: %+v, %v", found, err)
			}
			sameJournal(t, "FindByCode", heldByXero(parts[1]), *found[0].Record.Journal)

			var listed []connectors.Remote
			err = h.conn.ListChanged(ctx, connectors.Journals, time.Time{}, func(rs []connectors.Remote) error {
				listed = append(listed, rs...)
				return nil
			})
			if err != nil || len(listed) != 2 {
				t.Fatalf("ListChanged: %d, %v", len(listed), err)
			}

			// An update keeps the journal and changes its narration.
			changed := payrollPart("J-7-2026-10-CC100", "Payroll October, corrected", "1200.00", "1250.00")
			res, err = h.conn.Write(ctx, connectors.Journals, []connectors.WriteItem{{Key: "k1-update", RemoteID: ids["k1"], Record: changed}})
			if err != nil || len(res) != 1 || res[0].Err != nil || res[0].RemoteID != ids["k1"] {
				t.Fatalf("update: %+v, %v", res, err)
			}
			got, err = h.conn.Get(ctx, connectors.Journals, []string{ids["k1"]})
			if err != nil || len(got) != 1 {
				t.Fatalf("Get after update: %d, %v", len(got), err)
			}
			sameJournal(t, "after update", heldByXero(changed), *got[0].Record.Journal)
		})
	}
}

func TestUnbalancedJournalGetsXerosWords(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true"}})
	ctx := context.Background()
	good := payrollPart("J-8-2026-10", "Payroll October", "1200.00", "1250.00")
	bad := payrollPart("J-9-2026-10", "Payroll October", "1200.00", "1240.00")
	res, err := h.conn.Write(ctx, connectors.Journals, []connectors.WriteItem{{Key: "good", Record: good}, {Key: "bad", Record: bad}})
	if err != nil || len(res) != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
	for _, r := range res {
		if r.Key == "good" {
			if r.Err != nil || r.RemoteID == "" {
				t.Errorf("the balanced neighbour was not saved: %v", r.Err)
			}
			continue
		}
		var ie *connectors.ItemError
		if !errors.As(r.Err, &ie) || r.RemoteID != "" {
			t.Fatalf("unbalanced journal: %q, %v", r.RemoteID, r.Err)
		}
		if want := "The total debits (1250.00) must equal total credits (1240.00)."; ie.Message != want || ie.Code != "ValidationException" {
			t.Errorf("message %q (%s); want Xero's %q", ie.Message, ie.Code, want)
		}
		why, ok := h.conn.Explain(r.Err)
		if !ok || !strings.Contains(why.Cause, "1250.00") || !strings.Contains(why.Cause, "1240.00") || !strings.Contains(why.Fix, "payroll system") {
			t.Errorf("Explain = %+v, %v", why, ok)
		}
	}
	found, err := h.conn.FindByCode(ctx, connectors.Journals, []string{"J-8-2026-10", "J-9-2026-10"})
	if err != nil || len(found) != 1 || found[0].Record.Code() != "J-8-2026-10" {
		t.Errorf("Xero holds %+v (%v); want only the balanced journal", found, err)
	}
}

func TestJournalRetryIsIdempotent(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	items := []connectors.WriteItem{{Key: "payroll-7#J-7-2026-10", Record: payrollPart("J-7-2026-10", "Payroll October", "1200.00", "1250.00")}}
	first, err := h.conn.Write(ctx, connectors.Journals, items)
	if err != nil || len(first) != 1 || first[0].Err != nil {
		t.Fatalf("%+v, %v", first, err)
	}
	again, err := h.conn.Write(ctx, connectors.Journals, items)
	if err != nil || len(again) != 1 || again[0].RemoteID != first[0].RemoteID {
		t.Fatalf("retry answered %+v, %v; want remote ID %s", again, err, first[0].RemoteID)
	}
	var puts, replayed int
	for _, r := range h.sim.Requests() {
		if r.Method == http.MethodPut && r.Path == "/api.xro/2.0/ManualJournals" {
			puts++
			if r.Replayed {
				replayed++
			}
			if !strings.Contains(r.Query, "summarizeErrors=false") || r.IdempotencyKey == "" {
				t.Errorf("write sent as %q with key %q", r.Query, r.IdempotencyKey)
			}
		}
	}
	if puts != 2 || replayed != 1 {
		t.Errorf("%d writes, %d replayed; want 2 and 1", puts, replayed)
	}
	found, err := h.conn.FindByCode(ctx, connectors.Journals, []string{"J-7-2026-10"})
	if err != nil || len(found) != 1 {
		t.Errorf("Xero holds %d journals J-7-2026-10 (%v); want 1", len(found), err)
	}
}

// TestFindJournalWithoutNarrationFilter: should Xero refuse the filter on
// the narration, every manual journal is read and matched by its code.
func TestFindJournalWithoutNarrationFilter(t *testing.T) {
	var refused atomic.Int32
	h := newHarness(t, harnessOpt{wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/ManualJournals") && strings.Contains(r.URL.Query().Get("where"), "Narration") {
				refused.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"ErrorNumber":16,"Type":"QueryParseException","Message":"No property or field 'Narration' exists"}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	ctx := context.Background()
	var items []connectors.WriteItem
	for _, code := range []string{"J-1-2026-09", "J-1-2026-10", "J-10-2026-10"} {
		items = append(items, connectors.WriteItem{Key: code, Record: payrollPart(code, "", "1200.00", "1250.00")})
	}
	if res, err := h.conn.Write(ctx, connectors.Journals, items); err != nil || len(res) != 3 || res[0].Err != nil || res[1].Err != nil || res[2].Err != nil {
		t.Fatalf("%+v, %v", res, err)
	}
	found, err := h.conn.FindByCode(ctx, connectors.Journals, []string{"J-1-2026-10", "J-1"})
	if err != nil || len(found) != 1 || found[0].Record.Code() != "J-1-2026-10" {
		t.Fatalf("FindByCode = %+v, %v", found, err)
	}
	if n := refused.Load(); n != 1 {
		t.Errorf("the filter was tried %d times; want once before reading them all", n)
	}
}
