package xero_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
)

func stockItem(code string, stock bool, purchaseAccount string) connectors.Record {
	return connectors.Record{Type: connectors.Items, Item: &connectors.Item{
		Code: code, Name: "Product " + code, Description: "Product " + code + ", boxed",
		SalesPrice: decimal.RequireFromString("18.00"), SalesAccount: "200",
		PurchasePrice: decimal.RequireFromString("7.40"), PurchaseAccount: purchaseAccount, Stock: stock,
	}}
}

func TestItemsTrackedOnlyWhereTheAccountsAllow(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyTrackInventory: "true"}})
	tests := []struct {
		name    string
		rec     connectors.Record
		tracked bool
	}{
		// The organisation has an Inventory account; 310 is cost of goods sold.
		{"stock item with a cost-of-goods account", stockItem("P-STOCK", true, "310"), true},
		{"stock item without a purchase account", stockItem("P-NOBUY", true, ""), false},
		{"service", stockItem("P-SERVICE", false, "429"), false},
	}
	var items []connectors.WriteItem
	for _, tc := range tests {
		items = append(items, connectors.WriteItem{Key: "k-" + tc.rec.Code(), Record: tc.rec})
	}
	h.sim.ResetRequests()
	mustWrite(t, h.conn, connectors.Items, items)
	var puts, accountReads int
	for _, r := range h.apiRequests() {
		switch {
		case r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/Items"):
			puts++
		case r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/Accounts"):
			accountReads++
		}
	}
	if puts != 1 || accountReads != 1 {
		t.Errorf("%d PUT /Items and %d reads of /Accounts for one batch; want one each", puts, accountReads)
	}
	got := byCode(listAll(t, h.conn, connectors.Items, time.Time{}))
	for _, tc := range tests {
		r, ok := got[tc.rec.Code()]
		if !ok {
			t.Errorf("%s: not in Xero", tc.name)
			continue
		}
		if r.Record.Item.Stock != tc.tracked {
			t.Errorf("%s: tracked as inventory = %v, want %v", tc.name, r.Record.Item.Stock, tc.tracked)
		}
		if r.Record.Item.PurchaseAccount != tc.rec.Item.PurchaseAccount || r.Record.Item.Description != tc.rec.Item.Description {
			t.Errorf("%s: read back %+v", tc.name, *r.Record.Item)
		}
	}
	if v := h.sim.Violations(); len(v) > 0 {
		t.Errorf("requests broke the documented rules: %v", v)
	}
}

func TestItemRefusalsKeepXerosWords(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	dup := stockItem("WIDGET", false, "") // in the organisation already
	long := stockItem(strings.Repeat("X", 31), false, "")
	badAccount := stockItem("P-BAD", false, "")
	badAccount.Item.SalesAccount = "999"
	res, err := h.conn.Write(context.Background(), connectors.Items, []connectors.WriteItem{
		{Key: "k1", Record: dup}, {Key: "k2", Record: long}, {Key: "k3", Record: badAccount},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"k1": "Item code 'WIDGET' already exists.",
		"k2": "Xero takes at most 30",
		"k3": "Account code '999' is not a valid code for this item.",
	}
	for _, r := range res {
		if r.Err == nil || !strings.Contains(r.Err.Error(), want[r.Key]) {
			t.Errorf("%s: %v; want %q", r.Key, r.Err, want[r.Key])
		}
		if ex, ok := h.conn.Explain(r.Err); !ok || ex.Cause == "" {
			t.Errorf("%s: no cause for %v", r.Key, r.Err)
		}
	}
}

func TestArchivedContactIsNotADeletion(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cust := connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: "C-ARCH", Name: "Archie Ltd", ContactPerson: "Archie"}}
	res := mustWrite(t, h.conn, connectors.Customers, []connectors.WriteItem{{Key: "k", Record: cust}})
	h.clock.Advance(time.Minute)
	if err := h.sim.ArchiveContact(h.sim.DefaultTenantID(), res[0].RemoteID); err != nil {
		t.Fatal(err)
	}
	r, ok := byCode(listAll(t, h.conn, connectors.Customers, time.Time{}))["C-ARCH"]
	if !ok {
		t.Fatal("the archived customer is no longer listed")
	}
	if r.Deleted || !r.Record.Party.Archived {
		t.Errorf("archived customer listed with Deleted %v, Archived %v; want an archived, not deleted, customer", r.Deleted, r.Record.Party.Archived)
	}
}

func TestStockItemsUntrackedUnlessAsked(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.sim.ResetRequests()
	mustWrite(t, h.conn, connectors.Items, []connectors.WriteItem{{Key: "k", Record: stockItem("P-STOCK", true, "310")}})
	for _, r := range h.apiRequests() {
		if strings.HasSuffix(r.Path, "/Accounts") {
			t.Errorf("the chart was read (%s %s) though stock items go untracked", r.Method, r.Path)
		}
	}
	got := byCode(listAll(t, h.conn, connectors.Items, time.Time{}))["P-STOCK"]
	if got.Record.Item == nil || got.Record.Item.Stock || got.Record.Item.PurchaseAccount != "310" {
		t.Errorf("P-STOCK read back as %+v; want untracked, bought on 310", got.Record.Item)
	}
}
