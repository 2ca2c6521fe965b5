package kashflow_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow/kashflowsim"
)

func product(code, account string) connectors.Record {
	return connectors.Record{Type: connectors.Items, Item: &connectors.Item{
		Code: code, Name: "Cold brew concentrate", Description: "Cold brew concentrate, 1 l",
		SalesPrice: dec("12.50"), PurchasePrice: dec("4.10"), SalesAccount: account, Stock: true,
	}}
}

// TestProductsUpload sends a product as a sub-product, uses it on an
// invoice line, updates it, and refuses the ones KashFlow cannot keep.
func TestProductsUpload(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.write(t, personCustomer(), "")
	id := h.write(t, product("COLD-BREW-1L", "200"), "")
	if !strings.HasPrefix(id, "sp:") {
		t.Fatalf("a sent product's remote ID is %q, want a sub-product's", id)
	}
	got := h.get(t, connectors.Items, id).Record.Item
	if got.Code != "COLD-BREW-1L" || got.SalesAccount != "200" || !got.PurchasePrice.Equal(dec("4.10")) || !got.Stock {
		t.Errorf("the product read back as %+v", got)
	}

	inv := salesInvoice("INV-7001", personCustomer().Party.Code)
	inv.Document.Lines[0].ItemCode = "COLD-BREW-1L"
	invID := h.write(t, inv, "")
	if line := h.get(t, connectors.SalesInvoices, invID).Record.Document.Lines[0]; line.ItemCode != "COLD-BREW-1L" {
		t.Errorf("the invoice line names product %q, want COLD-BREW-1L", line.ItemCode)
	}

	changed := product("COLD-BREW-1L", "260")
	changed.Item.SalesPrice = dec("13.00")
	if again := h.write(t, changed, id); again != id {
		t.Errorf("the update answered %q, want %q", again, id)
	}
	got = h.get(t, connectors.Items, id).Record.Item
	if got.SalesAccount != "260" || !got.SalesPrice.Equal(dec("13.00")) {
		t.Errorf("after the update the product is %+v", got)
	}
	found, err := h.conn.FindByCode(t.Context(), connectors.Items, []string{"cold-brew-1l", "NO-SUCH"})
	if err != nil || len(found) != 1 || found[0].RemoteID != id {
		t.Errorf("FindByCode = %v, %v; want the one product %s", found, err, id)
	}

	for _, c := range []struct {
		name     string
		rec      connectors.Record
		remoteID string
		words    string
	}{
		{"no sales nominal code", product("P-1", ""), "", "sales nominal code"},
		{"unknown nominal code", product("P-2", "999"), "", "Nominal code 999"},
		{"code in use", product("COLD-BREW-1L", "200"), "", "already in use"},
		{"not a sub-product", product("P-3", "200"), "7001", "only products kept under a nominal code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := h.conn.Write(t.Context(), connectors.Items, []connectors.WriteItem{{Key: "k", RemoteID: c.remoteID, Record: c.rec}})
			if err != nil {
				t.Fatal(err)
			}
			var ie *connectors.ItemError
			if !errors.As(res[0].Err, &ie) || !strings.Contains(ie.Message, c.words) {
				t.Errorf("refusal %v; want an item error saying %q", res[0].Err, c.words)
			}
		})
	}
	if v := h.sim.Violations(); len(v) > 0 {
		t.Errorf("requests that break the WSDL: %v", v)
	}
}

// TestProductDeletedInKashFlow: a sub-product removed in KashFlow is
// reported deleted at the next read.
func TestProductDeletedInKashFlow(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	id := h.write(t, product("COLD-BREW-1L", "200"), "")
	h.list(t, connectors.Items, h.clock.Now())
	n := 0
	for _, p := range h.sim.Snapshot().SubProducts {
		if p == "COLD-BREW-1L" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the simulator holds the product %d times", n)
	}
	if err := h.sim.Remove("product", mustAtoi(t, strings.TrimPrefix(id, "sp:"))); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.Remove("product", 1); !errors.Is(err, kashflowsim.ErrNoSuchRecord) {
		t.Errorf("removing a product the company does not have: %v", err)
	}
	var gone *connectors.Remote
	for _, r := range h.list(t, connectors.Items, h.clock.Now()) {
		if r.RemoteID == id {
			gone = &r
		}
	}
	if gone == nil || !gone.Deleted || gone.Record.Code() != "COLD-BREW-1L" {
		t.Errorf("after its removal in KashFlow the product reads as %+v, want Deleted with its code", gone)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
