package xero_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
)

// rawXero makes Accounting API calls straight to the simulator, as
// someone working in Xero (or another app) would, through the Sandbox's
// custom connection.
type rawXero struct {
	t      *testing.T
	h      *harness
	token  string
	serial int
}

func newRawXero(t *testing.T, h *harness) *rawXero {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(xerosim.SandboxClientID, xerosim.SandboxClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("custom connection token: %v %+v", err, tok)
	}
	return &rawXero{t: t, h: h, token: tok.AccessToken}
}

// call sends body (marshalled) and decodes the answer into out; it
// returns the status.
func (x *rawXero) call(method, path string, query url.Values, body, out any) int {
	x.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			x.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	u := x.h.srv.URL + "/api.xro/2.0" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+x.token)
	req.Header.Set("xero-tenant-id", x.h.tenant)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		x.serial++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("raw-%d-%d", time.Now().UnixNano(), x.serial))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && len(data) > 0 && data[0] == '{' {
		if err := json.Unmarshal(data, out); err != nil {
			x.t.Fatalf("%s %s answered %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// invoiceIDs reads the Xero IDs of invoices by number.
func (x *rawXero) invoiceIDs(numbers ...string) map[string]string {
	x.t.Helper()
	var env struct {
		Invoices []struct{ InvoiceID, InvoiceNumber string }
	}
	if st := x.call(http.MethodGet, "/Invoices", url.Values{"InvoiceNumbers": {strings.Join(numbers, ",")}}, nil, &env); st != http.StatusOK {
		x.t.Fatalf("reading invoices: %d", st)
	}
	out := map[string]string{}
	for _, in := range env.Invoices {
		out[in.InvoiceNumber] = in.InvoiceID
	}
	return out
}

// invoiceDue reads an invoice's amount due and status.
func (x *rawXero) invoiceDue(id string) (string, string) {
	x.t.Helper()
	var env struct {
		Invoices []struct {
			Status    string
			AmountDue json.Number
		}
	}
	if st := x.call(http.MethodGet, "/Invoices/"+id, nil, nil, &env); st != http.StatusOK || len(env.Invoices) != 1 {
		x.t.Fatalf("reading invoice %s: %d", id, st)
	}
	return string(env.Invoices[0].AmountDue), env.Invoices[0].Status
}

// paymentsWorld is an organisation with customers and authorised invoices
// ready to be paid.
type paymentsWorld struct {
	h   *harness
	raw *rawXero
	day connectors.Date
	ids map[string]string // invoice number → Xero ID
}

func newPaymentsWorld(t *testing.T) *paymentsWorld {
	t.Helper()
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true", xero.KeyMultiCurrency: "true"}})
	h.sim.EnableCurrency(h.tenant, "EUR")
	w := &paymentsWorld{h: h, raw: newRawXero(t, h), day: connectors.NewDate(2026, 5, 1)}
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", ""), customer("C-2", "Beta Ltd", "")))
	mustWrite(t, h.conn, connectors.Suppliers, items(supplier("S-1", "Parts Ltd")))
	eur := salesInvoice("INV-EUR", "C-1", w.day)
	eur.Document.Currency = "EUR"
	bill := func(code string) connectors.Record {
		return connectors.Record{Type: connectors.PurchaseInvoices, Document: &connectors.Document{Code: code, PartyCode: "S-1",
			Date: w.day, Currency: "GBP", Lines: fiveLines("429", "INPUT2")}}
	}
	mustWrite(t, h.conn, connectors.SalesInvoices, items(salesInvoice("INV-1", "C-1", w.day), salesInvoice("INV-2", "C-1", w.day),
		salesInvoice("INV-3", "C-2", w.day), salesInvoice("INV-4", "C-1", w.day), eur))
	mustWrite(t, h.conn, connectors.PurchaseInvoices, items(bill("BILL-1"), bill("BILL-2")))
	cn := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "CN-1", PartyCode: "C-1", Date: w.day,
		Currency: "GBP", Lines: []connectors.Line{{Description: "Returned", Quantity: dec("1"), UnitPrice: dec("25"), NominalCode: "200", TaxCode: "NONE"}}}}
	mustWrite(t, h.conn, connectors.CreditNotes, items(cn))
	w.ids = w.raw.invoiceIDs("INV-1", "INV-2", "INV-3", "INV-4", "INV-EUR")
	return w
}

func (w *paymentsWorld) payment(typ connectors.RecordType, code string, allocs ...connectors.Allocation) connectors.Record {
	total := dec("0")
	for _, a := range allocs {
		total = total.Add(a.Amount)
	}
	return connectors.Record{Type: typ, Payment: &connectors.Payment{Code: code, Date: w.day, Amount: total,
		Currency: "GBP", BankAccount: "090", Allocations: allocs}}
}

func alloc(t connectors.RecordType, code, amount string) connectors.Allocation {
	return connectors.Allocation{DocumentType: t, DocumentCode: code, Amount: dec(amount)}
}

func requestsTo(h *harness, method, pathSuffix string) []xerosim.RequestRecord {
	var out []xerosim.RequestRecord
	for _, r := range h.apiRequests() {
		if r.Method == method && strings.HasSuffix(r.Path, pathSuffix) {
			out = append(out, r)
		}
	}
	return out
}

// TestPaymentOfSeveralInvoicesIsOneBatch sends a payment allocated to two
// invoices: it becomes one Xero batch payment, reads back whole by its
// remote ID and by its code, is listed once, and is not made twice.
func TestPaymentOfSeveralInvoicesIsOneBatch(t *testing.T) {
	w := newPaymentsWorld(t)
	h, ctx := w.h, context.Background()
	rec := w.payment(connectors.InvoicePayments, "PAY-100",
		alloc(connectors.SalesInvoices, "INV-1", "50.00"), alloc(connectors.SalesInvoices, "INV-2", "30.25"))
	single := w.payment(connectors.InvoicePayments, "PAY-101", alloc(connectors.SalesInvoices, "INV-3", "12.00"))
	h.sim.ResetRequests()
	its := items(rec, single)
	res := mustWrite(t, h.conn, connectors.InvoicePayments, its)
	batches := requestsTo(h, http.MethodPut, "/BatchPayments")
	if len(batches) != 1 || batches[0].IdempotencyKey == "" || len(requestsTo(h, http.MethodPut, "/Payments")) != 1 {
		t.Fatalf("requests: %+v", h.apiRequests())
	}
	batchID := res[0].RemoteID
	if strings.Contains(batchID, "+") || batchID == res[1].RemoteID {
		t.Fatalf("remote IDs %q and %q", batchID, res[1].RemoteID)
	}
	for inv, want := range map[string]string{"INV-1": "172.12", "INV-2": "191.87"} {
		if due, status := w.raw.invoiceDue(w.ids[inv]); due != want || status != "AUTHORISED" {
			t.Errorf("%s after the batch: due %s (%s), want %s", inv, due, status, want)
		}
	}

	check := func(what string, r connectors.Remote) {
		t.Helper()
		p := r.Record.Payment
		if r.RemoteID != batchID || r.Record.Type != connectors.InvoicePayments || p == nil {
			t.Fatalf("%s: %+v", what, r)
		}
		if p.Code != "PAY-100" || !p.Amount.Equal(dec("80.25")) || p.BankAccount != "090" || p.PartyCode != "C-1" ||
			p.Currency != "GBP" || p.Date != w.day || r.UpdatedAt.IsZero() {
			t.Errorf("%s: payment read as %+v", what, p)
		}
		want := []connectors.Allocation{
			{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1", Amount: dec("50.00"), DocumentRemoteID: w.ids["INV-1"]},
			{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-2", Amount: dec("30.25"), DocumentRemoteID: w.ids["INV-2"]},
		}
		got := slices.Clone(p.Allocations)
		slices.SortFunc(got, func(a, b connectors.Allocation) int { return strings.Compare(a.DocumentCode, b.DocumentCode) })
		if len(got) != len(want) {
			t.Fatalf("%s: allocations %+v", what, got)
		}
		for i := range want {
			if got[i].DocumentType != want[i].DocumentType || got[i].DocumentCode != want[i].DocumentCode ||
				!got[i].Amount.Equal(want[i].Amount) || !strings.EqualFold(got[i].DocumentRemoteID, want[i].DocumentRemoteID) {
				t.Errorf("%s: allocation %d is %+v, want %+v", what, i, got[i], want[i])
			}
		}
	}
	got, err := h.conn.Get(ctx, connectors.InvoicePayments, []string{batchID, res[1].RemoteID, "not-an-id"})
	if err != nil || len(got) != 2 {
		t.Fatalf("Get = %v, %+v", err, got)
	}
	check("Get", got[0])
	if got[1].RemoteID != res[1].RemoteID || got[1].Record.Payment.Code != "PAY-101" {
		t.Errorf("Get of the single payment: %+v", got[1])
	}
	found, err := h.conn.FindByCode(ctx, connectors.InvoicePayments, []string{"PAY-100", "PAY-404"})
	if err != nil || len(found) != 1 {
		t.Fatalf("FindByCode = %v, %+v", err, found)
	}
	check("FindByCode", found[0])
	listed := listAll(t, h.conn, connectors.InvoicePayments, time.Time{})
	if codes := sortedCodes(listed); !equalStrings(codes, []string{"PAY-100", "PAY-101"}) {
		t.Fatalf("ListChanged listed %v, want the batch once and the single payment", codes)
	}
	check("ListChanged", byCode(listed)["PAY-100"])
	if n := len(listAll(t, h.conn, connectors.PurchasePayments, time.Time{})); n != 0 {
		t.Errorf("a customer batch was listed among purchase payments (%d)", n)
	}
	if url := h.conn.RecordURL(connectors.InvoicePayments, batchID); !strings.Contains(url, "bankTransactionID="+batchID) {
		t.Errorf("link of the batch: %s", url)
	}

	// The same item again is answered from Xero's memory: no second batch.
	again := mustWrite(t, h.conn, connectors.InvoicePayments, its[:1])
	if again[0].RemoteID != batchID {
		t.Errorf("resent batch got %q, want %q", again[0].RemoteID, batchID)
	}
	if due, _ := w.raw.invoiceDue(w.ids["INV-1"]); due != "172.12" {
		t.Errorf("INV-1 was paid twice: due %s", due)
	}
}

// TestBatchPaymentRefusals checks Xero's rules on batches, each with
// Xero's words and the catalogue's explanation, and that a refused batch
// leaves every invoice as it was.
func TestBatchPaymentRefusals(t *testing.T) {
	w := newPaymentsWorld(t)
	h, ctx := w.h, context.Background()
	draft, err := xero.Open(ctx, withSetting(h.cfg, xero.KeyAuthorised, "false"), xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, draft, connectors.SalesInvoices, items(salesInvoice("INV-DRAFT", "C-1", w.day)))
	tests := []struct {
		name      string
		rec       connectors.Record
		message   string
		causeHint string
	}{
		{"above amount due", w.payment(connectors.InvoicePayments, "PAY-BIG", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.SalesInvoices, "INV-2", "5000.00")),
			"Payment amount exceeds the amount outstanding on this document", "more than the invoice still owes"},
		{"draft invoice", w.payment(connectors.InvoicePayments, "PAY-DRAFT", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.SalesInvoices, "INV-DRAFT", "5.00")),
			"Payments can only be made against Authorised documents", "only takes payments against approved invoices"},
		{"mixed currencies", w.payment(connectors.InvoicePayments, "PAY-MIX", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.SalesInvoices, "INV-EUR", "5.00")),
			"All invoices in a batch payment must be in the same currency.", "one currency"},
		{"unknown invoice", w.payment(connectors.InvoicePayments, "PAY-GHOST", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.SalesInvoices, "INV-404", "5.00")),
			"INV-404, which Xero does not have yet", ""},
		{"bill on a customer payment", w.payment(connectors.InvoicePayments, "PAY-BILL", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.PurchaseInvoices, "BILL-1", "5.00")),
			"a customer payment can only pay sales invoices and credit notes", ""},
		{"zero allocation", w.payment(connectors.InvoicePayments, "PAY-ZERO", alloc(connectors.SalesInvoices, "INV-1", "10.00"), alloc(connectors.SalesInvoices, "INV-2", "0")),
			"every allocation must be more than zero", ""},
	}
	var recs []connectors.Record
	for _, tc := range tests {
		recs = append(recs, tc.rec)
	}
	dueBefore, _ := w.raw.invoiceDue(w.ids["INV-1"])
	res, err := h.conn.Write(ctx, connectors.InvoicePayments, items(recs...))
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		var ie *connectors.ItemError
		if !errors.As(res[i].Err, &ie) || !strings.Contains(ie.Message, tc.message) || res[i].RemoteID != "" {
			t.Errorf("%s: %+v, want %q", tc.name, res[i], tc.message)
			continue
		}
		if tc.causeHint == "" {
			continue
		}
		if ex, ok := xero.Explain(res[i].Err); !ok || !strings.Contains(ex.Cause, tc.causeHint) || ex.Fix == "" {
			t.Errorf("%s: explained as %+v, want a cause mentioning %q", tc.name, ex, tc.causeHint)
		}
	}
	if due, _ := w.raw.invoiceDue(w.ids["INV-1"]); due != dueBefore {
		t.Errorf("refused batches changed INV-1: due %s, was %s", due, dueBefore)
	}
	if got := listAll(t, h.conn, connectors.InvoicePayments, time.Time{}); len(got) != 0 {
		t.Errorf("refused batches left payments: %v", sortedCodes(got))
	}
}

// TestPurchaseBatch pays two bills at once.
func TestPurchaseBatch(t *testing.T) {
	w := newPaymentsWorld(t)
	rec := w.payment(connectors.PurchasePayments, "BP-1", alloc(connectors.PurchaseInvoices, "BILL-1", "20.00"), alloc(connectors.PurchaseInvoices, "BILL-2", "15.00"))
	res := mustWrite(t, w.h.conn, connectors.PurchasePayments, items(rec))
	got := listAll(t, w.h.conn, connectors.PurchasePayments, time.Time{})
	if len(got) != 1 || got[0].RemoteID != res[0].RemoteID || len(got[0].Record.Payment.Allocations) != 2 ||
		got[0].Record.Payment.PartyCode != "S-1" || !got[0].Record.Payment.Amount.Equal(dec("35")) {
		t.Fatalf("purchase batch listed as %+v", got)
	}
	for _, a := range got[0].Record.Payment.Allocations {
		if a.DocumentType != connectors.PurchaseInvoices || a.DocumentRemoteID == "" {
			t.Errorf("allocation %+v", a)
		}
	}
	if n := len(listAll(t, w.h.conn, connectors.InvoicePayments, time.Time{})); n != 0 {
		t.Errorf("a bill batch was listed among invoice payments (%d)", n)
	}
}

// TestPaymentWithCreditNoteIsSplit sends a payment allocated to an invoice
// and a credit note, which a batch cannot carry: one Xero payment per
// allocation, read back and listed as one LedgerLink payment under a
// composite remote ID, and never sent twice.
func TestPaymentWithCreditNoteIsSplit(t *testing.T) {
	w := newPaymentsWorld(t)
	h, ctx := w.h, context.Background()
	rec := w.payment(connectors.InvoicePayments, "PAY-CN",
		alloc(connectors.SalesInvoices, "INV-1", "100.00"), alloc(connectors.CreditNotes, "CN-1", "25.00"))
	rec.Payment.Amount = dec("75.00")
	h.sim.ResetRequests()
	res := mustWrite(t, h.conn, connectors.InvoicePayments, items(rec))
	id := res[0].RemoteID
	if parts := strings.Split(id, "+"); len(parts) != 2 || len(requestsTo(h, http.MethodPut, "/BatchPayments")) != 0 {
		t.Fatalf("remote ID %q after %+v", id, h.apiRequests())
	}
	check := func(what string, rs []connectors.Remote) {
		t.Helper()
		if len(rs) != 1 || rs[0].RemoteID != id {
			t.Fatalf("%s: %+v", what, rs)
		}
		p := rs[0].Record.Payment
		if p.Code != "PAY-CN" || !p.Amount.Equal(dec("75")) || len(p.Allocations) != 2 || p.PartyCode != "C-1" {
			t.Fatalf("%s: %+v", what, p)
		}
		for _, a := range p.Allocations {
			switch a.DocumentCode {
			case "INV-1":
				if a.DocumentType != connectors.SalesInvoices || !a.Amount.Equal(dec("100")) || !strings.EqualFold(a.DocumentRemoteID, w.ids["INV-1"]) {
					t.Errorf("%s: %+v", what, a)
				}
			case "CN-1":
				if a.DocumentType != connectors.CreditNotes || !a.Amount.Equal(dec("25")) || a.DocumentRemoteID == "" {
					t.Errorf("%s: %+v", what, a)
				}
			default:
				t.Errorf("%s: allocation %+v", what, a)
			}
		}
	}
	got, err := h.conn.Get(ctx, connectors.InvoicePayments, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	check("Get", got)
	found, err := h.conn.FindByCode(ctx, connectors.InvoicePayments, []string{"PAY-CN"})
	if err != nil {
		t.Fatal(err)
	}
	check("FindByCode", found)
	check("ListChanged", listAll(t, h.conn, connectors.InvoicePayments, time.Time{}))

	// Sent again under another key (after a crash, say): Xero already
	// holds the whole set, so its ID comes back and nothing is paid twice.
	again, err := h.conn.Write(ctx, connectors.InvoicePayments, []connectors.WriteItem{{Key: "another-key", Record: rec}})
	if err != nil || again[0].Err != nil || again[0].RemoteID != id {
		t.Fatalf("resent split payment: %v %+v", err, again)
	}
	// A different payment under the same code is not sent over it.
	other := w.payment(connectors.InvoicePayments, "PAY-CN", alloc(connectors.SalesInvoices, "INV-4", "10.00"), alloc(connectors.CreditNotes, "CN-1", "5.00"))
	clash, err := h.conn.Write(ctx, connectors.InvoicePayments, []connectors.WriteItem{{Key: "clash", Record: other}})
	if err != nil || clash[0].Err == nil || !strings.Contains(clash[0].Err.Error(), "already holds part of payment PAY-CN") {
		t.Fatalf("clashing split payment: %v %+v", err, clash)
	}
	if due, _ := w.raw.invoiceDue(w.ids["INV-4"]); due != "222.12" {
		t.Errorf("INV-4 was paid: due %s", due)
	}
}

// TestMirrorOfBatchMadeInXero lists a batch payment entered in Xero (its
// payments carry no reference of their own): one payment, its code the
// batch's reference, every allocation with the invoice's Xero ID.
func TestMirrorOfBatchMadeInXero(t *testing.T) {
	w := newPaymentsWorld(t)
	h := w.h
	body := map[string]any{"BatchPayments": []any{map[string]any{
		"Account": map[string]any{"Code": "091"}, "Date": "2026-05-02", "Reference": "Remittance 77",
		"Payments": []any{
			map[string]any{"Invoice": map[string]any{"InvoiceID": w.ids["INV-1"]}, "Amount": 40},
			map[string]any{"Invoice": map[string]any{"InvoiceID": w.ids["INV-3"]}, "Amount": 60.5},
		},
	}}}
	var env struct {
		BatchPayments []struct{ BatchPaymentID string }
	}
	if st := w.raw.call(http.MethodPut, "/BatchPayments", url.Values{"summarizeErrors": {"false"}}, body, &env); st != http.StatusOK || len(env.BatchPayments) != 1 {
		t.Fatalf("batch made in Xero: %d %+v", st, env)
	}
	// Xero shows a batch's invoices by ID and currency only.
	var one struct {
		BatchPayments []struct {
			Type, Reference string
			Payments        []struct {
				PaymentID string
				Invoice   map[string]any
			}
		}
	}
	if st := w.raw.call(http.MethodGet, "/BatchPayments/"+env.BatchPayments[0].BatchPaymentID, nil, nil, &one); st != http.StatusOK ||
		len(one.BatchPayments) != 1 || one.BatchPayments[0].Type != "RECBATCH" || len(one.BatchPayments[0].Payments) != 2 {
		t.Fatalf("GET /BatchPayments/{id}: %d %+v", st, one)
	}
	for _, m := range one.BatchPayments[0].Payments {
		if _, ok := m.Invoice["InvoiceNumber"]; ok || m.Invoice["InvoiceID"] == "" || m.PaymentID == "" {
			t.Errorf("batch member shown as %+v", m)
		}
	}
	since := h.clock.Now().Add(-time.Minute)
	got := listAll(t, h.conn, connectors.InvoicePayments, since)
	if len(got) != 1 {
		t.Fatalf("listed %d payments, want the batch once", len(got))
	}
	r := got[0]
	p := r.Record.Payment
	if !strings.EqualFold(r.RemoteID, env.BatchPayments[0].BatchPaymentID) || p.Code != "Remittance 77" || p.BankAccount != "091" ||
		!p.Amount.Equal(dec("100.5")) || p.PartyCode != "" || p.Date != connectors.NewDate(2026, 5, 2) {
		t.Fatalf("batch listed as %s %+v", r.RemoteID, p)
	}
	byDoc := map[string]connectors.Allocation{}
	for _, a := range p.Allocations {
		byDoc[a.DocumentCode] = a
	}
	for inv, amount := range map[string]string{"INV-1": "40", "INV-3": "60.5"} {
		a, ok := byDoc[inv]
		if !ok || !a.Amount.Equal(dec(amount)) || !strings.EqualFold(a.DocumentRemoteID, w.ids[inv]) || a.DocumentType != connectors.SalesInvoices {
			t.Errorf("allocation to %s: %+v", inv, a)
		}
	}
	found, err := h.conn.FindByCode(context.Background(), connectors.InvoicePayments, []string{"Remittance 77"})
	if err != nil || len(found) != 1 || found[0].RemoteID != r.RemoteID {
		t.Errorf("found by the batch's reference: %v %+v", err, found)
	}
}

// TestSimulatorBatchRules holds batches to one bank account and one date,
// as a batch is one bank transaction.
func TestSimulatorBatchRules(t *testing.T) {
	w := newPaymentsWorld(t)
	member := func(inv, account, date string) map[string]any {
		m := map[string]any{"Invoice": map[string]any{"InvoiceID": w.ids[inv]}, "Amount": 1}
		if account != "" {
			m["Account"] = map[string]any{"Code": account}
		}
		if date != "" {
			m["Date"] = date
		}
		return m
	}
	tests := []struct {
		name    string
		members []any
		want    string
	}{
		{"two bank accounts", []any{member("INV-1", "", ""), member("INV-2", "091", "")}, "same bank account"},
		{"two dates", []any{member("INV-1", "", ""), member("INV-2", "", "2026-05-03")}, "same date"},
		{"no payments", []any{}, "at least one payment"},
	}
	for _, tc := range tests {
		body := map[string]any{"BatchPayments": []any{map[string]any{"Account": map[string]any{"Code": "090"}, "Date": "2026-05-02",
			"Reference": tc.name, "Payments": tc.members}}}
		var env struct {
			BatchPayments []struct {
				BatchPaymentID   string
				ValidationErrors []struct{ Message string }
			}
		}
		st := w.raw.call(http.MethodPut, "/BatchPayments", url.Values{"summarizeErrors": {"false"}}, body, &env)
		if st != http.StatusOK || len(env.BatchPayments) != 1 || len(env.BatchPayments[0].ValidationErrors) == 0 ||
			!strings.Contains(env.BatchPayments[0].ValidationErrors[0].Message, tc.want) ||
			env.BatchPayments[0].BatchPaymentID != "00000000-0000-0000-0000-000000000000" {
			t.Errorf("%s: %d %+v", tc.name, st, env)
		}
	}
	if due, _ := w.raw.invoiceDue(w.ids["INV-1"]); due != "222.12" {
		t.Errorf("refused batches paid INV-1: due %s", due)
	}
}
