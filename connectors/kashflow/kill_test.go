package kashflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// upload sends records the way the engine does without idempotency keys:
// a record whose write broke off is looked up by its code before it is
// sent again, and linked when KashFlow has it.
func upload(t *testing.T, h *harness, recs []connectors.Record) {
	t.Helper()
	for _, r := range recs {
		for attempt := 0; ; attempt++ {
			if attempt > 0 {
				found, err := h.conn.FindByCode(t.Context(), r.Type, []string{r.Code()})
				if err != nil {
					t.Fatalf("reconciling %s: %v", r.Code(), err)
				}
				// As the engine does: what FindByCode finds is linked as
				// done, so a payment with parts missing must not be found.
				if len(found) == 1 {
					break
				}
			}
			res, err := h.conn.Write(t.Context(), r.Type, []connectors.WriteItem{{Key: r.Code(), Record: r}})
			if errors.Is(err, connectors.ErrTemporary) && attempt < 3 {
				continue
			}
			if err != nil || res[0].Err != nil {
				t.Fatalf("%s: %v %v", r.Code(), err, res)
			}
			break
		}
	}
}

// TestKillAtEveryStep cuts the line after each write of the sample
// business's upload in turn (KashFlow commits, LedgerLink hears nothing),
// then lets the upload carry on, and checks every record is in KashFlow
// exactly once: no duplicates, no losses.
func TestKillAtEveryStep(t *testing.T) {
	probe := newHarness(t, harnessOpt{})
	probe.sim.ResetCalls()
	_, recs := sampleBusiness(t, probe)
	writes := 0
	for op, n := range probe.sim.Calls() {
		if strings.HasPrefix(op, "Insert") || strings.HasPrefix(op, "apply") {
			writes += n
		}
	}
	if writes < len(recs) {
		t.Fatalf("the sample upload made %d writes for %d records", writes, len(recs))
	}
	t.Logf("cutting the line after each of the upload's %d writes", writes)
	for step := 1; step <= writes; step++ {
		h := newHarness(t, harnessOpt{})
		h.sim.LoseReplyOfWrite(step)
		upload(t, h, recs)
		for _, typ := range []connectors.RecordType{connectors.Customers, connectors.Suppliers, connectors.SalesInvoices, connectors.Quotes,
			connectors.PurchaseInvoices, connectors.CreditNotes, connectors.InvoicePayments, connectors.PurchasePayments, connectors.Journals} {
			count := map[string]int{}
			for _, r := range h.list(t, typ, time.Time{}) {
				count[r.Record.Code()]++
				if r.Record.Payment != nil {
					count[r.Record.Code()] += len(r.Record.Payment.Allocations) - 1
				}
			}
			for _, r := range recs {
				if r.Type != typ {
					continue
				}
				want := 1
				if r.Payment != nil {
					want = len(r.Payment.Allocations)
				}
				if count[r.Code()] != want {
					t.Errorf("cut after write %d: %s %s is in KashFlow %d times (parts), want %d", step, typ.Label(), r.Code(), count[r.Code()], want)
				}
			}
		}
	}
}
