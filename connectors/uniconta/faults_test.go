package uniconta_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
)

func countPath(h *harness, suffix string) int {
	n := 0
	for _, r := range h.sim.Requests() {
		if strings.EqualFold(r.Path, suffix) {
			n++
		}
	}
	return n
}

func TestFaults(t *testing.T) {
	t.Run("5xx is temporary and creates nothing", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.sim.FailNext(1, http.StatusServiceUnavailable)
		if _, err := h.conn.Check(t.Context()); !errors.Is(err, connectors.ErrTemporary) {
			t.Errorf("Check after 503: %v", err)
		}
		h.create(customer("F0")) // signs in
		h.sim.FailNext(2, http.StatusInternalServerError)
		if _, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "f", Record: customer("F1")}}); !errors.Is(err, connectors.ErrTemporary) {
			t.Errorf("Write after 500: %v", err)
		}
		if found, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"F1"}); len(found) != 0 {
			t.Errorf("a failed write created the customer")
		}
	})
	t.Run("429 keeps Retry-After", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.sim.RateLimitNext(1, 7*time.Second)
		_, err := h.conn.Check(t.Context())
		var rl *connectors.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
			t.Fatalf("got %v; want a rate limit of 7s", err)
		}
		if why, ok := h.conn.Explain(err); !ok || !strings.Contains(why.Cause, "5,000") {
			t.Errorf("Explain: %+v", why)
		}
	})
	t.Run("lost reply is reconciled by code", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.create(customer("L0"))
		h.sim.DropNextReplies(1)
		if _, err := h.conn.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "l", Record: customer("L1")}}); !errors.Is(err, connectors.ErrTemporary) {
			t.Fatalf("Write with a lost reply: %v", err)
		}
		res := h.write(connectors.Customers, connectors.WriteItem{Key: "l", Record: customer("L1")})
		found, _ := h.conn.FindByCode(t.Context(), connectors.Customers, []string{"L1"})
		if res[0].Err != nil || len(found) != 1 || found[0].RemoteID != res[0].RemoteID {
			t.Errorf("the retry made %d records (result %+v)", len(found), res[0])
		}
	})
	t.Run("tokens are refreshed, then renewed by signing in", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		for range 2 {
			if _, err := h.conn.Check(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if n := countPath(h, "/login"); n != 1 {
			t.Errorf("%d sign-ins for two calls in an hour", n)
		}
		h.clock.Advance(61 * time.Minute)
		if _, err := h.conn.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
		if countPath(h, "/refresh") != 1 || countPath(h, "/login") != 1 {
			t.Errorf("after an hour: %d refreshes, %d sign-ins; want 1 and 1", countPath(h, "/refresh"), countPath(h, "/login"))
		}
		h.clock.Advance(8 * 24 * time.Hour)
		if _, err := h.conn.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
		if countPath(h, "/login") != 2 {
			t.Errorf("after the refresh token expired: %d sign-ins; want 2", countPath(h, "/login"))
		}
		h.sim.ExpireAccessTokens()
		if _, err := h.conn.Check(t.Context()); err != nil {
			t.Errorf("after the server dropped the token: %v", err)
		}
	})
	t.Run("a refusal that comes with status 200", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		res := h.write(connectors.Customers,
			connectors.WriteItem{Key: "d1", Record: customer("DUP")},
			connectors.WriteItem{Key: "d2", Record: customer("DUP")})
		var ie *connectors.ItemError
		if res[0].Err != nil || !errors.As(res[1].Err, &ie) || ie.Code != "KeyExists" {
			t.Fatalf("results %+v", res)
		}
		if !strings.Contains(ie.Message, "DUP already exists") {
			t.Errorf("Uniconta's detail was not kept: %q", ie.Message)
		}
		if why, ok := h.conn.Explain(ie); !ok || !strings.Contains(why.Cause, "already holds") {
			t.Errorf("Explain: %+v", why)
		}
	})
	t.Run("posted invoices are not changed", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.create(customer("P1"))
		inv := connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{Code: "PI-1", PartyCode: "P1", Date: day(5), Currency: "DKK",
			Status: connectors.StatusAuthorised, Lines: []connectors.Line{{Description: "x", Quantity: dec("1"), UnitPrice: dec("10"), NominalCode: "200", TaxCode: "U25"}}}}
		id := h.create(inv)
		same := h.write(connectors.SalesInvoices, connectors.WriteItem{Key: "s", RemoteID: id, Record: inv})
		if same[0].Err != nil || same[0].RemoteID != id {
			t.Errorf("an unchanged posted invoice: %+v", same[0])
		}
		changed := inv.Clone()
		changed.Document.Lines[0].Quantity = dec("2")
		res := h.write(connectors.SalesInvoices, connectors.WriteItem{Key: "c", RemoteID: id, Record: changed})
		if why, ok := h.conn.Explain(res[0].Err); res[0].Err == nil || !ok || !strings.Contains(why.Fix, "credit note") {
			t.Errorf("changing a posted invoice: %+v, %+v", res[0], why)
		}
	})
	t.Run("a draft is posted when it is approved", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.create(customer("P2"))
		inv := connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{Code: "DR-1", PartyCode: "P2", Date: day(5), Currency: "DKK",
			Lines: []connectors.Line{{Description: "x", Quantity: dec("1"), UnitPrice: dec("10"), NominalCode: "200", TaxCode: "U25"}}}}
		id := h.create(inv)
		approved := inv.Clone()
		approved.Document.Status = connectors.StatusAuthorised
		res := h.write(connectors.SalesInvoices, connectors.WriteItem{Key: "a", RemoteID: id, Record: approved})
		if res[0].Err != nil || !strings.HasPrefix(res[0].RemoteID, "I") {
			t.Fatalf("approving the draft: %+v", res[0])
		}
		got := h.list(connectors.SalesInvoices)
		if len(got) != 1 || got[0].Record.Document.Status != connectors.StatusAuthorised || !got[0].Record.Document.Total.Equal(dec("12.5")) {
			t.Errorf("after posting: %+v", got)
		}
	})
	t.Run("a payment for an unknown invoice is refused", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.create(customer("P3"))
		p := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{Code: "PX", PartyCode: "P3", Date: day(6), Amount: dec("5"), Currency: "DKK",
			BankAccount: "090", Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "NOPE", Amount: dec("5")}}}}
		res := h.write(connectors.InvoicePayments, connectors.WriteItem{Key: "p", Record: p})
		if why, ok := h.conn.Explain(res[0].Err); res[0].Err == nil || !ok || !strings.Contains(why.Fix, "invoice") {
			t.Errorf("result %+v, %+v", res[0], why)
		}
	})
}
