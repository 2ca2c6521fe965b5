package kashflow_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
)

// TestLostReplyFoundByNumber loses the reply to each kind of create and
// checks that FindByCode finds what KashFlow committed by LedgerLink's
// number, once, so the engine links it instead of sending it again.
func TestLostReplyFoundByNumber(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	for _, r := range []connectors.Record{companyCustomer(), supplier()} {
		h.write(t, r, "")
	}
	for _, rec := range []connectors.Record{
		salesInvoice("INV-2001", "C004"), quote(), purchaseInvoice(), payrollJournal(), euroInvoice(),
	} {
		t.Run(rec.Code(), func(t *testing.T) {
			h.sim.LoseNextReply()
			_, err := h.conn.Write(t.Context(), rec.Type, []connectors.WriteItem{{Key: rec.Code(), Record: rec}})
			if !errors.Is(err, connectors.ErrTemporary) {
				t.Fatalf("a lost reply gave %v; want ErrTemporary for the whole batch", err)
			}
			found, err := h.conn.FindByCode(t.Context(), rec.Type, []string{rec.Code()})
			if err != nil || len(found) != 1 {
				t.Fatalf("FindByCode(%s) = %d records, %v; want the one KashFlow committed", rec.Code(), len(found), err)
			}
			if w, g := comparable(t, rec), comparable(t, found[0].Record); w != g {
				t.Errorf("found record differs\nwritten: %s\nfound:   %s", w, g)
			}
		})
	}
}

// TestPaymentOverTwoInvoicesExactlyOnce loses the reply to the second
// part of a payment over two invoices; sending the payment again adds
// nothing, and it reads back as one payment with two allocations.
func TestPaymentOverTwoInvoicesExactlyOnce(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	for _, r := range []connectors.Record{companyCustomer(), salesInvoice("INV-1004", "C004"), salesInvoice("INV-1007", "C004")} {
		h.write(t, r, "")
	}
	pay := invoicePayment("RCPT-0003", map[string]string{"INV-1004": "43.80", "INV-1007": "20.00"})
	item := []connectors.WriteItem{{Key: "RCPT-0003", Record: pay}}
	h.calls.reset()
	// The replies to both parts are lost, one attempt each: the second
	// attempt finds the first part in KashFlow and sends only the second.
	h.sim.LoseNextReply()
	h.sim.LoseNextReply()
	h.sim.ResetCalls()
	var err error
	for range 2 {
		if _, err = h.conn.Write(t.Context(), connectors.InvoicePayments, item); err == nil {
			break
		}
	}
	if err == nil {
		t.Fatalf("both lost replies went unnoticed")
	}
	found, err := h.conn.FindByCode(t.Context(), connectors.InvoicePayments, []string{"RCPT-0003"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.conn.Write(t.Context(), connectors.InvoicePayments, item)
	if err != nil || res[0].Err != nil {
		t.Fatalf("sending the payment again: %v %v", err, res)
	}
	all := h.list(t, connectors.InvoicePayments, time.Time{})
	var mine []connectors.Remote
	for _, r := range all {
		if r.Record.Code() == "RCPT-0003" {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || len(mine[0].Record.Payment.Allocations) != 2 || !mine[0].Record.Payment.Amount.Equal(dec("63.80")) {
		t.Fatalf("RCPT-0003 reads back as %+v; want one payment of 63.80 over two invoices", mine)
	}
	if res[0].RemoteID != mine[0].RemoteID || strings.Count(mine[0].RemoteID, "+") != 1 {
		t.Errorf("remote ID %q, listed %q; want the same two parts", res[0].RemoteID, mine[0].RemoteID)
	}
	if len(found) != 1 {
		t.Errorf("FindByCode after the lost replies found %d payments; want 1", len(found))
	}
	if n := h.sim.Calls()["InsertInvoicePayment"]; n != 2 {
		t.Errorf("KashFlow was sent %d payment parts; want exactly 2", n)
	}
}

// TestServerFailures checks 5xx and SOAP faults: temporary, nothing made.
func TestServerFailures(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		h := newHarness(t, harnessOpt{})
		h.sim.FailNext(1, status)
		_, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: personCustomer()}})
		var fault *kashflow.FaultError
		if !errors.Is(err, connectors.ErrTemporary) || !errors.As(err, &fault) || fault.HTTPStatus != status {
			t.Errorf("HTTP %d: %v; want a temporary SOAP fault", status, err)
		}
		if found, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"C001"}); len(found) != 0 {
			t.Errorf("HTTP %d: the failed write created %d customers", status, len(found))
		}
	}
	h := newHarness(t, harnessOpt{})
	h.sim.RateLimitNext(4 * time.Second)
	err := h.conn.ListChanged(t.Context(), connectors.SalesInvoices, time.Time{}, func([]connectors.Remote) error { return nil })
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 4*time.Second {
		t.Errorf("a 429 while listing gave %v; want RetryAfter 4s", err)
	}
}

// TestRefusalsAreItemErrors checks KashFlow's per-record verdicts keep
// its words and leave the neighbours alone.
func TestRefusalsAreItemErrors(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.write(t, companyCustomer(), "")
	h.sim.SetLockDate(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC))
	locked := salesInvoice("INV-0900", "C004")
	locked.Document.Date = day(2026, 10, 15)
	unknown := salesInvoice("INV-0901", "C999")
	badVAT := salesInvoice("INV-0902", "C004")
	badVAT.Document.Lines[0].TaxCode = "7"
	wrongCode := salesInvoice("INV-0903", "C004")
	wrongCode.Document.Lines[0].TaxCode = "OUTPUT2"
	good := salesInvoice("INV-0904", "C004")
	items := []connectors.WriteItem{{Key: "a", Record: locked}, {Key: "b", Record: unknown}, {Key: "c", Record: badVAT}, {Key: "d", Record: wrongCode}, {Key: "e", Record: good}}
	res, err := h.conn.Write(t.Context(), connectors.SalesInvoices, items)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "The date 15/10/2026 is in a locked period (VAT return submitted)",
		"b": "Customer C999 not found in KashFlow",
		"c": "VAT rate 7 is not allowed",
		"d": `VAT rate "OUTPUT2" is not a KashFlow VAT rate`,
	}
	for _, r := range res {
		w, refused := want[r.Key]
		var ie *connectors.ItemError
		switch {
		case !refused && r.Err != nil:
			t.Errorf("%s: %v; want it created", r.Key, r.Err)
		case refused && (!errors.As(r.Err, &ie) || !strings.Contains(ie.Message, w)):
			t.Errorf("%s: %v; want %q", r.Key, r.Err, w)
		case refused:
			if why, ok := kashflow.Explain(r.Err); !ok || why.Fix == "" {
				t.Errorf("%s: %q is not explained", r.Key, ie.Message)
			}
		}
	}
}
