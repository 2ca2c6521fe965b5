package uniconta_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
)

// upload writes every record of the business, failing on any refusal.
func (h *harness) upload(b business) map[string]string {
	h.t.Helper()
	ids := map[string]string{}
	for _, recs := range b.all() {
		for start := 0; start < len(recs); start += uniconta.BatchSize {
			batch := recs[start:min(start+uniconta.BatchSize, len(recs))]
			items := make([]connectors.WriteItem, len(batch))
			for i, r := range batch {
				items[i] = connectors.WriteItem{Key: "up:" + r.Code(), Record: r}
			}
			for i, res := range h.write(batch[0].Type, items...) {
				if res.Err != nil {
					h.t.Fatalf("uploading %s %s: %v", batch[i].Type, batch[i].Code(), res.Err)
				}
				ids[string(batch[i].Type)+":"+batch[i].Code()] = res.RemoteID
			}
		}
	}
	return ids
}

func render(t *testing.T, r connectors.Record) string {
	t.Helper()
	r = conformanceNormalise(r.Clone())
	if r.Document != nil {
		r.Document.Total, r.Document.AmountDue, r.Document.Status = decimal.Zero, decimal.Zero, ""
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRoundTripEveryType uploads a business shaped like the sample and
// reads every type back, by listing, by remote ID and by code.
func TestRoundTripEveryType(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	b := sampleBusiness()
	ids := h.upload(b)
	for _, recs := range b.all() {
		typ := recs[0].Type
		listed := map[string]connectors.Remote{}
		for _, r := range h.list(typ) {
			listed[r.RemoteID] = r
		}
		for _, want := range recs {
			id := ids[string(typ)+":"+want.Code()]
			got, ok := listed[id]
			if !ok {
				t.Errorf("%s %s (remote %s) was not listed", typ, want.Code(), id)
				continue
			}
			if w, g := render(t, want), render(t, got.Record); w != g {
				t.Errorf("%s %s read back differs\nwant %s\ngot  %s", typ, want.Code(), w, g)
			}
			byID, err := h.conn.Get(t.Context(), typ, []string{id})
			if err != nil || len(byID) != 1 || byID[0].Record.Code() != want.Code() {
				t.Errorf("Get %s %s: %v, %d records", typ, id, err, len(byID))
			}
			byCode, err := h.conn.FindByCode(t.Context(), typ, []string{want.Code()})
			if err != nil || len(byCode) != 1 || byCode[0].RemoteID != id {
				t.Errorf("FindByCode %s %s: %v, %+v", typ, want.Code(), err, codes(byCode))
			}
		}
	}
	// Posted documents are posted invoices in Uniconta; the draft stays an order.
	for _, inv := range b.invoices {
		id := ids["sales_invoice:"+inv.Code()]
		wantPrefix := "I"
		if inv.Document.Status == connectors.StatusDraft {
			wantPrefix = "O"
		}
		if !strings.HasPrefix(id, wantPrefix) {
			t.Errorf("invoice %s (%s) has remote ID %s; want an %s… ID", inv.Code(), inv.Document.Status, id, wantPrefix)
		}
	}
	// Open items say what is paid: INV-1001 and HG-55120 were paid in full.
	status := map[string]connectors.Document{}
	for _, typ := range []connectors.RecordType{connectors.SalesInvoices, connectors.PurchaseInvoices} {
		for _, r := range h.list(typ) {
			status[r.Record.Code()] = *r.Record.Document
		}
	}
	for code, want := range map[string]string{"INV-1001": "0", "HG-55120": "0", "INV-1005": "43.8", "BSM-0087": "0", "HG-55188": "678"} {
		d := status[code]
		paid := want == "0"
		if !d.AmountDue.Equal(dec(want)) || (d.Status == connectors.StatusPaid) != paid {
			t.Errorf("%s: due %s, status %s; want due %s", code, d.AmountDue, d.Status, want)
		}
	}
	if d := status["INV-1003"]; !d.AmountDue.Equal(dec("23.8")) {
		t.Errorf("INV-1003 after the credit note's settlement of 20.00: due %s, want 23.80", d.AmountDue)
	}
	// The credit note came back as a credit note, with its settlement.
	cn := h.list(connectors.CreditNotes)
	if len(cn) != 1 || len(cn[0].Record.Document.Allocations) != 1 || cn[0].Record.Document.Allocations[0].DocumentCode != "INV-1003" {
		t.Errorf("credit notes listed: %+v", cn)
	}
	if slices.Contains(codes(h.list(connectors.SalesInvoices)), "CN-0001") {
		t.Errorf("the credit note was listed as a sales invoice")
	}
}

// TestMirrorRecordsMadeInUniconta reads what a person made in Uniconta: a
// debtor typed in, and a payment paying two invoices at once.
func TestMirrorRecordsMadeInUniconta(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	b := sampleBusiness()
	b.receipts, b.payments = nil, nil
	h.upload(business{customers: b.customers, invoices: b.invoices})
	custs := h.list(connectors.Customers)
	if !slices.Contains(codes(custs), "D9001") {
		t.Errorf("the debtor typed into Uniconta was not listed: %v", codes(custs))
	}
	pays := h.list(connectors.InvoicePayments)
	if len(pays) != 1 {
		t.Fatalf("want the one payment made in Uniconta, got %d", len(pays))
	}
	p := pays[0].Record.Payment
	var got []string
	for _, a := range p.Allocations {
		got = append(got, a.DocumentCode)
	}
	if p.PartyCode != "C005" || p.BankAccount != "090" || !slices.Equal(got, []string{"INV-1004", "INV-1007"}) || !p.Amount.Equal(dec("87.60")) {
		t.Errorf("payment made in Uniconta read as %+v (allocations %v)", p, got)
	}
	for _, typ := range connectors.AncillaryTypes() {
		if len(h.list(typ)) == 0 {
			t.Errorf("no %s read", typ.Label())
		}
	}
	accounts := h.list(connectors.NominalAccounts)
	for _, want := range []string{"090", "200", "260", "300", "400", "477", "478", "479", "814", "825", "826"} {
		if !slices.Contains(codes(accounts), want) {
			t.Errorf("the sample account %s is missing", want)
		}
	}
	if slices.Contains(codes(accounts), "1000") {
		t.Errorf("a heading was offered as an account")
	}
}

// TestCallCounts measures the calls of a first upload of the sample, of a
// run in which nothing changed, and of 1,000 invoices for 200 customers.
func TestCallCounts(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	calls := func() int { return len(h.sim.Requests()) }
	b := sampleBusiness()
	h.upload(b)
	first := calls()
	h.sim.ResetRequests()
	for typ, dirs := range uniconta.Capabilities().Types {
		if dirs.Mirror {
			h.list(typ)
		}
	}
	noChange := calls()
	if got := h.conn.Usage().Calls; got != first+noChange {
		t.Errorf("the connection counted %d calls, the simulator answered %d", got, first+noChange)
	}
	t.Logf("first upload of the sample: %d calls; a run with nothing changed (every type read): %d calls", first, noChange)
	if first > 120 || noChange > 40 {
		t.Errorf("too many calls: first upload %d (want ≤ 120), no-change run %d (want ≤ 40)", first, noChange)
	}

	big := newHarness(t, harnessOpt{})
	var custs, invs []connectors.Record
	for i := range 200 {
		custs = append(custs, connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: fmt.Sprintf("K%04d", i), Name: fmt.Sprintf("Kunde %d", i), Currency: "DKK"}})
	}
	for i := range 1000 {
		invs = append(invs, connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{Code: fmt.Sprintf("F%05d", i),
			PartyCode: fmt.Sprintf("K%04d", i%200), Date: day(10), Currency: "DKK", Status: connectors.StatusAuthorised,
			Lines: []connectors.Line{{ItemCode: "BEAN-HOUSE-1KG", Description: "Beans", Quantity: dec("3"), UnitPrice: dec("18"), NominalCode: "200", TaxCode: "U25"}}}})
	}
	big.upload(business{customers: custs, invoices: invs})
	upload := len(big.sim.Requests())
	big.sim.ResetRequests()
	if n := len(big.list(connectors.SalesInvoices)); n != 1000 {
		t.Errorf("listed %d invoices, want 1000", n)
	}
	read := len(big.sim.Requests())
	t.Logf("1,000 invoices for 200 customers: upload %d calls, reading them back %d calls", upload, read)
	if upload > 1100 || read > 20 {
		t.Errorf("1,000 invoices: upload %d calls (want ≤ 1,100), read %d (want ≤ 20)", upload, read)
	}
}

// TestProductsUpload: products can be written ahead of the documents that
// use them (not declared in the capabilities, where reference data is
// read-only, until the engine sends products).
func TestProductsUpload(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	item := connectors.Record{Type: connectors.Items, Item: &connectors.Item{Code: "MUG-01", Name: "Enamel mug", SalesPrice: dec("12.50"), Stock: true}}
	res := h.write(connectors.Items, connectors.WriteItem{Key: "i", Record: item}, connectors.WriteItem{Key: "d", Record: connectors.Record{Type: connectors.Items,
		Item: &connectors.Item{Code: "DELIVERY", Name: "Delivery"}}})
	if res[0].Err != nil || res[0].RemoteID == "" || res[1].Err != nil || res[1].RemoteID == "" {
		t.Fatalf("results %+v", res)
	}
	changed := item.Clone()
	changed.Item.SalesPrice = dec("14")
	if r := h.write(connectors.Items, connectors.WriteItem{Key: "u", RemoteID: res[0].RemoteID, Record: changed}); r[0].Err != nil {
		t.Fatalf("update: %v", r[0].Err)
	}
	var got *connectors.Item
	for _, r := range h.list(connectors.Items) {
		if r.RemoteID == res[0].RemoteID {
			got = r.Record.Item
		}
	}
	if got == nil || !got.SalesPrice.Equal(dec("14")) || !got.Stock || got.Name != "Enamel mug" {
		t.Errorf("read back %+v", got)
	}
}
