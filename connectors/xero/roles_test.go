package xero_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
)

// TestContactRoles lists new contacts under the role LedgerLink gave them,
// although Xero flags none of them yet, and contacts with documents under
// Xero's own flags.
func TestContactRoles(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true"}})
	ctx := context.Background()
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "Jo Bloggs"), customer("C-2", "Beta Ltd", ""), customer("C-3", "Gamma Ltd", "")))
	mustWrite(t, h.conn, connectors.Suppliers, items(supplier("S-1", "Parts Ltd"), supplier("S-2", "Tools Ltd")))
	// Typed into Xero by hand, with no documents: no role yet.
	if _, err := h.sim.AddContact(h.tenant, "X-1", "Walk-in Ltd"); err != nil {
		t.Fatal(err)
	}

	customers := sortedCodes(listAll(t, h.conn, connectors.Customers, time.Time{}))
	suppliers := sortedCodes(listAll(t, h.conn, connectors.Suppliers, time.Time{}))
	if !equalStrings(customers, []string{"C-1", "C-2", "C-3"}) {
		t.Errorf("customers listed: %v, want C-1, C-2, C-3", customers)
	}
	if !equalStrings(suppliers, []string{"S-1", "S-2"}) {
		t.Errorf("suppliers listed: %v, want S-1, S-2", suppliers)
	}

	// The roles are kept in Xero, where a person can see them.
	raw := newRawXero(t, h)
	var groups struct {
		ContactGroups []struct{ ContactGroupID, Name string }
	}
	if st := raw.call(http.MethodGet, "/ContactGroups", nil, nil, &groups); st != http.StatusOK {
		t.Fatalf("contact groups: %d", st)
	}
	names := map[string]string{}
	for _, g := range groups.ContactGroups {
		names[g.Name] = g.ContactGroupID
	}
	if names[xero.CustomerGroup] == "" || names[xero.SupplierGroup] == "" || len(names) != 2 {
		t.Fatalf("contact groups in Xero: %+v", groups)
	}

	// A sales invoice to a supplier makes it a customer too (Xero's flag);
	// a customer with documents stays one.
	mustWrite(t, h.conn, connectors.SalesInvoices, items(salesInvoice("INV-1", "S-1", connectors.NewDate(2026, 5, 1)), salesInvoice("INV-2", "C-1", connectors.NewDate(2026, 5, 1))))
	customers = sortedCodes(listAll(t, h.conn, connectors.Customers, time.Time{}))
	if !equalStrings(customers, []string{"C-1", "C-2", "C-3", "S-1"}) {
		t.Errorf("customers after invoicing S-1: %v", customers)
	}
	if suppliers := sortedCodes(listAll(t, h.conn, connectors.Suppliers, time.Time{})); !equalStrings(suppliers, []string{"S-1", "S-2"}) {
		t.Errorf("suppliers after invoicing S-1: %v", suppliers)
	}

	// Adding the hand-made contact to the group in Xero brings it over.
	found, err := h.conn.FindByCode(ctx, connectors.Customers, []string{"X-1"})
	if err != nil || len(found) != 1 {
		t.Fatalf("the hand-made contact is found by its code: %v %+v", err, found)
	}
	body := map[string]any{"Contacts": []any{map[string]any{"ContactID": found[0].RemoteID}}}
	if st := raw.call(http.MethodPut, "/ContactGroups/"+names[xero.CustomerGroup]+"/Contacts", url.Values{"summarizeErrors": {"false"}}, body, nil); st != http.StatusOK {
		t.Fatalf("adding to the group: %d", st)
	}
	if customers := sortedCodes(listAll(t, h.conn, connectors.Customers, time.Time{})); !equalStrings(customers, []string{"C-1", "C-2", "C-3", "S-1", "X-1"}) {
		t.Errorf("customers after grouping X-1 in Xero: %v", customers)
	}
}

// TestContactRoleSurvivesAnotherConnection finds the groups made by an
// earlier connection instead of making them again, and records the role
// again on an update.
func TestContactRoleSurvivesAnotherConnection(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	res := mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "")))
	second, err := xero.Open(ctx, h.cfg, xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	upd := items(customer("C-1", "Acme Trading Ltd", ""))
	upd[0].RemoteID = res[0].RemoteID
	h.sim.ResetRequests()
	mustWrite(t, second, connectors.Customers, upd)
	if n := len(requestsTo(h, http.MethodPut, "/ContactGroups")); n != 0 {
		t.Errorf("a second connection made the group again (%d)", n)
	}
	joined := 0
	for _, r := range requestsTo(h, http.MethodPut, "/Contacts") {
		if strings.Contains(r.Path, "/ContactGroups/") {
			joined++
		}
	}
	if n := joined; n != 1 {
		t.Errorf("%d requests added the updated customer to its group, want 1", n)
	}
	got := listAll(t, second, connectors.Customers, time.Time{})
	if len(got) != 1 || got[0].Record.Party.Name != "Acme Trading Ltd" {
		t.Errorf("customers: %+v", got)
	}
	if n := len(listAll(t, second, connectors.Suppliers, time.Time{})); n != 0 {
		t.Errorf("a customer was listed as a supplier")
	}
	for _, r := range h.apiRequests() {
		if strings.Contains(r.Path, "ContactGroups") && r.Status != http.StatusOK {
			t.Errorf("%s %s answered %d", r.Method, r.Path, r.Status)
		}
	}
}

// TestContactRolesGathered joins the contacts of full batches to their
// group together, before the next call that needs them or at Close, and
// tries again when Xero asked to wait.
func TestContactRolesGathered(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	batch := func(from int) []connectors.WriteItem {
		var recs []connectors.Record
		for i := from; i < from+xero.BatchSize; i++ {
			recs = append(recs, customer(fmt.Sprintf("C-%03d", i), fmt.Sprintf("Customer %03d", i), ""))
		}
		return items(recs...)
	}
	joins := func() int {
		n := 0
		for _, r := range h.apiRequests() {
			if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/Contacts") && strings.Contains(r.Path, "/ContactGroups/") && r.Status == http.StatusOK {
				n++
			}
		}
		return n
	}
	mustWrite(t, h.conn, connectors.Customers, batch(0))
	mustWrite(t, h.conn, connectors.Customers, batch(50))
	if n := joins(); n != 0 {
		t.Fatalf("%d group requests after two full batches, want them gathered", n)
	}
	if got := listAll(t, h.conn, connectors.Customers, time.Time{}); len(got) != 100 {
		t.Fatalf("%d customers listed, want the 100 just written", len(got))
	}
	if n := joins(); n != 1 {
		t.Fatalf("%d group requests, want one for both batches", n)
	}

	// Xero asks to wait: the contacts stay gathered and join at Close.
	mustWrite(t, h.conn, connectors.Customers, batch(100))
	h.sim.RateLimitNext(1, "minute", time.Second)
	if _, err := h.conn.Get(ctx, connectors.Customers, []string{"00000000-0000-0000-0000-00000000abcd"}); err != nil {
		t.Fatal(err)
	}
	if n := joins(); n != 1 {
		t.Fatalf("%d group requests after a refused one, want still one", n)
	}
	if err := h.conn.Close(); err != nil {
		t.Fatal(err)
	}
	if n := joins(); n != 2 {
		t.Fatalf("%d group requests after Close, want two", n)
	}
	second, err := xero.Open(ctx, h.cfg, xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, second, connectors.Customers, time.Time{}); len(got) != 150 {
		t.Errorf("%d customers listed by another connection, want 150", len(got))
	}
}
