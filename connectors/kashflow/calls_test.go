package kashflow_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
)

// mirrorTypes in the engine's order.
func mirrorTypes() []connectors.RecordType {
	var out []connectors.RecordType
	for _, t := range connectors.AllTypes() {
		if kashflow.Capabilities().Supports(t, connectors.Mirror) {
			out = append(out, t)
		}
	}
	return out
}

func describe(calls map[string]int) string {
	var parts []string
	for op, n := range calls {
		parts = append(parts, fmt.Sprintf("%s×%d", op, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

// TestNoChangeRunCalls measures a run that finds nothing changed: a fresh
// connection (as each run opens one) reads every type once, and the count
// of calls per type is fixed by KashFlow's lists, not by the number of
// records (except purchase payments: one call per paid receipt).
func TestNoChangeRunCalls(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, harnessOpt{dataDir: dir})
	sampleBusiness(t, h)
	for _, typ := range mirrorTypes() {
		h.list(t, typ, time.Time{})
	}
	_ = h.conn.Close()
	h.clock.Advance(time.Hour)
	since := h.clock.Now()

	// The next run: a new connection keeping the fingerprints in dataDir.
	h.calls.reset()
	conn, err := kashflow.Open(t.Context(), h.cfg, kashflow.WithClock(h.clock.Now), kashflow.WithCallCounter(h.calls.add))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	h.conn = conn
	want := map[connectors.RecordType]int{
		connectors.Customers:        1, // GetCustomers
		connectors.Quotes:           3, // GetQuotes, then once per run GetNominalCodes and GetProducts
		connectors.SalesInvoices:    1, // GetInvoicesByDateRange
		connectors.InvoicePayments:  4, // GetInvoicesByDateRange, GetInvoicePaymentsByDateRange pages 1 and 2 (empty), once GetBankAccounts
		connectors.Suppliers:        1, // GetSuppliers
		connectors.PurchaseInvoices: 1, // GetReceipts
		connectors.PurchasePayments: 2, // GetReceipts, GetReceiptPayment for the one paid receipt
		connectors.CreditNotes:      2, // GetInvoicesByDateRange, GetReceipts
		connectors.Journals:         1, // GetJournals
		connectors.NominalAccounts:  1,
		connectors.TaxRates:         1,
		connectors.Items:            12, // GetProducts, and GetSubProducts for each of the 11 nominal codes
		connectors.BankAccounts:     1,
		connectors.PaymentMethods:   2, // GetInvPayMethods, GetRecPayMethods
	}
	sum := 0
	for _, typ := range mirrorTypes() {
		h.calls.reset()
		got := h.list(t, typ, since)
		calls := h.calls.snapshot()
		t.Logf("no-change run, %-17s %d calls: %s", typ.Label(), total(calls), describe(calls))
		sum += total(calls)
		if !typ.IsAncillary() && len(got) != 0 {
			t.Errorf("%s: an unchanged run handed over %d records", typ.Label(), len(got))
		}
		if total(calls) != want[typ] {
			t.Errorf("%s: %d calls (%s); want %d", typ.Label(), total(calls), describe(calls), want[typ])
		}
	}
	t.Logf("no-change run of every type: %d calls", sum)
}

// TestFirstUploadCalls counts the calls of a first upload of the sample
// business and of 1,000 invoices for 200 customers.
func TestFirstUploadCalls(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	h.calls.reset()
	sampleBusiness(t, h)
	sample := h.calls.snapshot()
	t.Logf("first upload of the sample (14 records): %d calls: %s", total(sample), describe(sample))
	if got := sample["InsertInvoice"]; got != 6 {
		t.Errorf("%d InsertInvoice calls for 5 invoices and a credit note", got)
	}

	h = newHarness(t, harnessOpt{})
	h.calls.reset()
	var custs, invs []connectors.WriteItem
	for i := range 200 {
		c := companyCustomer()
		c.Party.Code = fmt.Sprintf("BULK%03d", i)
		custs = append(custs, connectors.WriteItem{Key: c.Party.Code, Record: c})
	}
	for i := range 1000 {
		inv := salesInvoice(fmt.Sprintf("INV-%05d", i), fmt.Sprintf("BULK%03d", i%200))
		invs = append(invs, connectors.WriteItem{Key: inv.Document.Code, Record: inv})
	}
	for _, items := range [][]connectors.WriteItem{custs, invs} {
		for start := 0; start < len(items); start += kashflow.BatchSize {
			batch := items[start:min(start+kashflow.BatchSize, len(items))]
			res, err := h.conn.Write(t.Context(), batch[0].Record.Type, batch)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					t.Fatalf("%s: %v", r.Key, r.Err)
				}
			}
		}
	}
	bulk := h.calls.snapshot()
	t.Logf("first upload of 1,000 invoices for 200 customers: %d calls: %s", total(bulk), describe(bulk))
	if total(bulk) != 1200+3 {
		t.Errorf("%d calls; want one a record and three lists (customers, nominal codes, products)", total(bulk))
	}
}
