package quickbooks_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

func customer(code string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: "Customer " + code, Email: code + "@example.com", Currency: "GBP"}}
}

func TestStaleSyncTokenRereadAndRetriedOnce(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	id := write(t, h.conn, customer("C100"))[0]
	changed := customer("C100")
	changed.Party.Name = "Customer C100 (renamed)"
	h.sim.StaleNext(1)
	res, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "u1", RemoteID: id, Record: changed}})
	if err != nil || res[0].Err != nil || res[0].RemoteID != id {
		t.Fatalf("update meeting one stale SyncToken: %+v, %v; want it read again and saved", res, err)
	}
	got := getOne(t, reader(t, h), connectors.Customers, id)
	if got.Record.Party.Name != changed.Party.Name {
		t.Errorf("after the retry QuickBooks holds %q", got.Record.Party.Name)
	}

	// Changed again in QuickBooks during the retry: not overwritten blindly.
	changed.Party.Name = "Customer C100 (again)"
	h.sim.StaleNext(2)
	res, err = h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "u2", RemoteID: id, Record: changed}})
	if err != nil {
		t.Fatal(err)
	}
	var ie *connectors.ItemError
	if !errors.As(res[0].Err, &ie) || ie.Code != "5010" {
		t.Fatalf("update meeting two stale SyncTokens: %v; want a 5010 verdict", res[0].Err)
	}
	if why, ok := h.conn.Explain(res[0].Err); !ok || why.Fix == "" {
		t.Errorf("no explanation for %v", res[0].Err)
	}
}

func TestSparseUpdateKeepsFieldsLedgerLinkDoesNotOwn(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	rec := customer("C101")
	rec.Party.Phone = "0117 496 0101"
	id := write(t, h.conn, rec)[0]
	changed := customer("C101")
	changed.Party.Name = "Renamed"
	// The business system no longer sends the phone: a sparse update
	// leaves it as QuickBooks holds it.
	if res, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "u", RemoteID: id, Record: changed}}); err != nil || res[0].Err != nil {
		t.Fatalf("update: %+v %v", res, err)
	}
	got := getOne(t, reader(t, h), connectors.Customers, id).Record.Party
	if got.Name != "Renamed" || got.Phone != "0117 496 0101" {
		t.Errorf("after a sparse update: name %q phone %q", got.Name, got.Phone)
	}
}

func TestThrottleAnswers(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", asJSON), func(t *testing.T) {
			h := newHarness(t, harnessOpt{})
			h.sim.ThrottleNext(1, asJSON)
			_, err := h.conn.Check(t.Context())
			var rl *connectors.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != time.Minute || !strings.Contains(rl.Message, "ThrottleExceeded") {
				t.Fatalf("throttled Check: %v; want a RateLimitError to wait 60 s", err)
			}
			if _, err := h.conn.Check(t.Context()); err != nil {
				t.Errorf("Check after the throttle: %v", err)
			}
		})
	}
	// The minute limit itself.
	h := newHarness(t, harnessOpt{simOpts: []qbosim.Option{qbosim.WithLimits(qbosim.Limits{PerMinute: 2, Concurrent: 10, BatchPerMinute: 40, RefreshGraceFor: time.Hour})}})
	for i := range 2 {
		if _, err := h.conn.Check(t.Context()); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	var rl *connectors.RateLimitError
	if _, err := h.conn.Check(t.Context()); !errors.As(err, &rl) {
		t.Errorf("third call in a minute of two: %v; want a RateLimitError", err)
	}
	h.clock.Advance(time.Minute)
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Errorf("a minute later: %v", err)
	}
}

func TestServerErrorIsTemporary(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.sim.FailNext(1)
	_, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C102")}})
	if !errors.Is(err, connectors.ErrTemporary) {
		t.Fatalf("Write meeting a 503: %v; want ErrTemporary", err)
	}
	if got, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"C102"}); len(got) != 0 {
		t.Errorf("a refused batch created %d customers", len(got))
	}
}

func TestLostReplyReplayedByRequestID(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	items := []connectors.WriteItem{{Key: "k1", Record: customer("C103")}, {Key: "k2", Record: customer("C104")}}
	h.sim.DropNextReplies(1)
	if _, err := h.conn.Write(t.Context(), connectors.Customers, items); !errors.Is(err, connectors.ErrTemporary) {
		t.Fatalf("Write with a lost reply: %v; want ErrTemporary", err)
	}
	// Another LedgerLink process (no memory of the keys) sends the same batch.
	res, err := reader(t, h).Write(t.Context(), connectors.Customers, items)
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("the same batch again: %+v %v", res, err)
	}
	if got, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"C103", "C104"}); len(got) != 2 {
		t.Errorf("after the replay QuickBooks holds %d of the 2 customers", len(got))
	}
}

// TestUploadCallCount uploads 200 new customers and 1,000 five-line
// invoices the way the engine does (batches, then a read-back of each for
// the Verified tick) and counts the calls.
func TestUploadCallCount(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	c := h.conn
	if id, err := c.Check(t.Context()); err != nil || id.Currency != "GBP" || id.Organisation == "" {
		t.Fatalf("Check: %+v, %v; want the company and its home currency GBP", id, err)
	}
	var customers, invoices []connectors.Record
	for i := range 200 {
		customers = append(customers, customer(fmt.Sprintf("C%04d", i)))
	}
	items := []string{"BEAN-HOUSE-1KG", "BEAN-DECAF-1KG", "", "DELIVERY", "GRINDER-C40"}
	for i := range 1000 {
		var lines []connectors.Line
		for j, it := range items {
			lines = append(lines, connectors.Line{ItemCode: it, Description: fmt.Sprintf("Line %d", j+1), Quantity: dec("2"), UnitPrice: dec("18.00"),
				NominalCode: "200", TaxCode: "OUTPUT2", CostCentre: "SHOP"})
		}
		invoices = append(invoices, invoice(fmt.Sprintf("INV-%05d", i), fmt.Sprintf("C%04d", i%200), lines...))
	}
	start := h.clock.Now()
	var lastID string
	upload := func(recs []connectors.Record) {
		for from := 0; from < len(recs); from += quickbooks.BatchSize {
			batch := recs[from:min(from+quickbooks.BatchSize, len(recs))]
			ids := write(t, c, batch...)
			lastID = ids[len(ids)-1]
			got, err := c.Get(t.Context(), batch[0].Type, ids)
			if err != nil || len(got) != len(ids) {
				t.Fatalf("read-back: %d of %d, %v", len(got), len(ids), err)
			}
		}
	}
	upload(customers)
	upload(invoices)
	calls := c.Calls()
	t.Logf("1,000 five-line invoices for 200 new customers: %d calls in all (Check 1, reference data 1, 7 + 34 batches, read-backs from the batch answers); batch pacing spread them over %v", calls, h.clock.Now().Sub(start))
	if calls > 45 {
		t.Errorf("the upload took %d calls; the goal is at most 45", calls)
	}
	// The read-back answers are QuickBooks's own: a fresh connection reads
	// the same through queries.
	got := getOne(t, reader(t, h), connectors.SalesInvoices, lastID)
	if len(got.Record.Document.Lines) != 5 {
		t.Errorf("an uploaded invoice read back with %d lines", len(got.Record.Document.Lines))
	}

	// A run that finds nothing changed: one CDC call per type.
	r := reader(t, h)
	since := h.clock.Now().Add(-time.Minute)
	h.clock.Advance(time.Hour)
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.Quotes, connectors.SalesInvoices, connectors.InvoicePayments,
		connectors.Suppliers, connectors.PurchaseInvoices, connectors.PurchasePayments, connectors.CreditNotes, connectors.Journals} {
		before := r.Calls()
		n := 0
		if err := r.ListChanged(t.Context(), typ, since.Add(time.Hour), func(p []connectors.Remote) error { n += len(p); return nil }); err != nil {
			t.Fatal(err)
		}
		if spent := r.Calls() - before; spent > 1 || n != 0 {
			t.Errorf("a no-change pull of %s took %d calls and listed %d records; want 1 call, none listed", typ, spent, n)
		}
	}
	t.Logf("no-change run: %d calls for 9 types", r.Calls())
}

func TestCDCReportsDeletionsAndFallsBackAfter30Days(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	write(t, h.conn, connectors.Record{Type: connectors.Customers, Party: &company})
	line := connectors.Line{Description: "Beans", Quantity: dec("1"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"}
	ids := write(t, h.conn, invoice("INV-2001", "C004", line), invoice("INV-2002", "C004", line))
	since := h.clock.Now()
	h.clock.Advance(time.Hour)
	if err := h.sim.Delete(qbosim.SandboxRealmID, "Invoice", ids[0]); err != nil {
		t.Fatal(err)
	}
	var got []connectors.Remote
	if err := h.conn.ListChanged(t.Context(), connectors.SalesInvoices, since.Add(time.Minute), func(p []connectors.Remote) error { got = append(got, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Deleted || got[0].RemoteID != ids[0] || got[0].Record.Document == nil || got[0].Record.Document.Code != "INV-2001" {
		t.Fatalf("after a deletion in QuickBooks, CDC listed %+v", got)
	}
	// Forty days later CDC cannot reach back: a full read of what changed.
	h.clock.Advance(40 * 24 * time.Hour)
	got = nil
	if err := h.conn.ListChanged(t.Context(), connectors.SalesInvoices, since, func(p []connectors.Remote) error { got = append(got, p...); return nil }); err != nil {
		t.Fatalf("a pull from 40 days ago: %v", err)
	}
	if len(got) != 1 || got[0].RemoteID != ids[1] || got[0].Deleted {
		t.Errorf("a pull from 40 days ago listed %+v; want the remaining invoice", got)
	}
}

func TestBatchCallsKeepInsideTheBatchLimit(t *testing.T) {
	// The simulator keeps QuickBooks's 40 batch calls a minute; the
	// connection spaces its batches so that 60 in a row are never refused.
	h := newHarness(t, harnessOpt{})
	start := h.clock.Now()
	for i := range 60 {
		write(t, h.conn, customer(fmt.Sprintf("P%03d", i)))
	}
	if took := h.clock.Now().Sub(start); took < 30*time.Second {
		t.Errorf("60 batch calls went out in %v; the batch limit allows 40 a minute", took)
	}
}

func TestCDCCapFallsBackToQuery(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	since := h.clock.Now()
	h.clock.Advance(time.Minute)
	var recs []connectors.Record
	for i := range 1005 {
		recs = append(recs, customer(fmt.Sprintf("K%04d", i)))
	}
	for from := 0; from < len(recs); from += quickbooks.BatchSize {
		write(t, h.conn, recs[from:min(from+quickbooks.BatchSize, len(recs))]...)
	}
	seen := map[string]bool{}
	if err := reader(t, h).ListChanged(t.Context(), connectors.Customers, since, func(p []connectors.Remote) error {
		for _, r := range p {
			seen[r.RemoteID] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1005 {
		t.Errorf("listed %d of 1,005 changed customers past CDC's 1,000 cap", len(seen))
	}
}

func TestTokenServiceDownIsTemporary(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.sim.FailTokenRequests(1)
	if _, err := h.conn.Check(t.Context()); !errors.Is(err, connectors.ErrTemporary) || errors.Is(err, connectors.ErrAuth) {
		t.Fatalf("Check with the sign-in service down: %v; want ErrTemporary, not ErrAuth", err)
	}
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Errorf("Check once it is back: %v", err)
	}
}
