package xero_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
)

// TestValidationErrorsPerItem sends a batch in which some elements break
// Xero's rules: the good ones are saved, each bad one gets Xero's message
// word for word, and the catalogue explains it.
func TestValidationErrorsPerItem(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true"}})
	ctx := context.Background()
	day := connectors.NewDate(2026, 5, 1)
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "Jo Bloggs"), customer("C-ARCH", "Gone Ltd", "")))
	archive := customer("C-ARCH", "Gone Ltd", "")
	archive.Party.Archived = true
	res, err := h.conn.FindByCode(ctx, connectors.Customers, []string{"C-ARCH"})
	if err != nil || len(res) != 1 {
		t.Fatal(err, res)
	}
	mustWrite(t, h.conn, connectors.Customers, []connectors.WriteItem{{Key: "arch", RemoteID: res[0].RemoteID, Record: archive}})
	mustWrite(t, h.conn, connectors.SalesInvoices, items(salesInvoice("INV-DUP", "C-1", day)))

	withLine := func(code string, mod func(*connectors.Line)) connectors.Record {
		r := salesInvoice(code, "C-1", day)
		mod(&r.Document.Lines[2])
		return r
	}
	archivedContact := salesInvoice("INV-ARCH", "C-ARCH", day)
	tests := []struct {
		rec       connectors.Record
		message   string // Xero's words
		causeHint string // from the catalogue
	}{
		{salesInvoice("INV-OK", "C-1", day), "", ""},
		{withLine("INV-NOACC", func(l *connectors.Line) { l.NominalCode = "" }), "Account code or ID must be specified", "no Xero account mapped"},
		{withLine("INV-BADACC", func(l *connectors.Line) { l.NominalCode = "999" }), "Account code '999' is not a valid code for this document.", "account code 999"},
		{withLine("INV-OLDACC", func(l *connectors.Line) { l.NominalCode = "477" }), "Account code '477' has been archived, or has been deleted. Each line item must reference a valid account", "Account 477 is archived"},
		{withLine("INV-TAX", func(l *connectors.Line) { l.TaxCode = "INPUT2" }), "The TaxType code 'INPUT2' cannot be used with account code '200'.", "Tax rate INPUT2 cannot be used with account 200"},
		{withLine("INV-NOTAX", func(l *connectors.Line) { l.TaxCode = "BOGUS" }), "The TaxType code BOGUS does not exist or cannot be used for this type of transaction.", "tax rate that Xero does not have"},
		{salesInvoice("INV-DUP", "C-1", day), "Invoice # must be unique.", "already has a document with this number"},
		{archivedContact, "The contact with the specified contact details has been archived. The contact must be un-archived before creating new invoices or credit notes.", "archived in Xero"},
		{salesInvoice("INV-NOBODY", "C-404", day), "The contact with the specified ContactNumber C-404 could not be found", "not in Xero yet"},
		{salesInvoice("INV-OK2", "C-1", day), "", ""},
	}
	var recs []connectors.Record
	for _, tc := range tests {
		recs = append(recs, tc.rec)
	}
	its := items(recs...)
	its[6].Key = "second-dup" // a different document with a taken number
	results, err := h.conn.Write(ctx, connectors.SalesInvoices, its)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		r := results[i]
		if tc.message == "" {
			if r.Err != nil || r.RemoteID == "" {
				t.Errorf("%s: %+v", tc.rec.Code(), r)
			}
			continue
		}
		var ie *connectors.ItemError
		if !errors.As(r.Err, &ie) {
			t.Errorf("%s: error %v is not an ItemError", tc.rec.Code(), r.Err)
			continue
		}
		if ie.Message != tc.message || r.RemoteID != "" {
			t.Errorf("%s: message %q, want Xero's %q", tc.rec.Code(), ie.Message, tc.message)
		}
		ex, ok := h.conn.Explain(r.Err)
		if !ok || !strings.Contains(ex.Cause, tc.causeHint) || ex.Fix == "" {
			t.Errorf("%s: explained as %+v, want a cause mentioning %q", tc.rec.Code(), ex, tc.causeHint)
		}
	}
}

func TestPaymentsRules(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	day := connectors.NewDate(2026, 5, 1)
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "")))
	// Drafts (the default option).
	mustWrite(t, h.conn, connectors.SalesInvoices, items(salesInvoice("INV-DRAFT", "C-1", day)))
	authorised, err := xero.Open(ctx, withSetting(h.cfg, xero.KeyAuthorised, "true"), xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, authorised, connectors.SalesInvoices, items(salesInvoice("INV-OK", "C-1", day)))

	pay := func(code, inv, amount, bank string, allocs int) connectors.Record {
		p := &connectors.Payment{Code: code, Date: day, Amount: dec(amount), Currency: "GBP", BankAccount: bank}
		for range allocs {
			p.Allocations = append(p.Allocations, connectors.Allocation{DocumentType: connectors.SalesInvoices, DocumentCode: inv, Amount: dec(amount)})
		}
		return connectors.Record{Type: connectors.InvoicePayments, Payment: p}
	}
	tests := []struct {
		rec  connectors.Record
		want string
	}{
		{pay("P-OK", "INV-OK", "10", "090", 1), ""},
		{pay("P-DRAFT", "INV-DRAFT", "10", "090", 1), "Payments can only be made against Authorised documents"},
		{pay("P-TOOMUCH", "INV-OK", "10000", "090", 1), "Payment amount exceeds the amount outstanding on this document"},
		{pay("P-NOBANK", "INV-OK", "10", "", 1), "has no bank account"},
		{pay("P-NOALLOC", "INV-OK", "10", "090", 0), "is not allocated to an invoice"},
		// Two allocations to one invoice are one payment of their sum.
		{pay("P-TWICE", "INV-OK", "10", "090", 2), ""},
	}
	var recs []connectors.Record
	for _, tc := range tests {
		recs = append(recs, tc.rec)
	}
	results, err := h.conn.Write(ctx, connectors.InvoicePayments, items(recs...))
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		r := results[i]
		if tc.want == "" {
			if r.Err != nil || r.RemoteID == "" {
				t.Errorf("%s: %+v", tc.rec.Code(), r)
			}
			continue
		}
		if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.rec.Code(), r.Err, tc.want)
		}
		if _, ok := xero.Explain(r.Err); !ok && strings.Contains(tc.want, "Payment") {
			t.Errorf("%s: Xero's message is not in the catalogue", tc.rec.Code())
		}
	}
	// A payment already in Xero cannot be changed.
	upd := items(pay("P-OK", "INV-OK", "11", "090", 1))
	upd[0].RemoteID = results[0].RemoteID
	res, err := h.conn.Write(ctx, connectors.InvoicePayments, upd)
	if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "does not let a payment be changed") {
		t.Errorf("changing a payment = %v, %+v", err, res)
	}
}

func withSetting(cfg connectors.Config, kv ...string) connectors.Config {
	out := cfg
	out.Settings = map[string]string{}
	for k, v := range cfg.Settings {
		out.Settings[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Settings[kv[i]] = kv[i+1]
	}
	return out
}

func TestLockDateAndCurrency(t *testing.T) {
	h := newHarness(t, harnessOpt{settings: map[string]string{xero.KeyAuthorised: "true", xero.KeyMultiCurrency: "true"}})
	ctx := context.Background()
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "")))
	h.sim.SetLockDates(h.tenant, "2026-03-31", "")
	old := salesInvoice("INV-OLD", "C-1", connectors.NewDate(2026, 3, 15))
	euro := salesInvoice("INV-EUR", "C-1", connectors.NewDate(2026, 5, 1))
	euro.Document.Currency = "EUR"
	results, err := h.conn.Write(ctx, connectors.SalesInvoices, items(old, euro))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"The document date cannot be before the period lock date, currently set at 31-Mar-2026.", "Organisation is not subscribed to currency EUR"}
	for i, w := range want {
		if results[i].Err == nil || results[i].Err.Error() != w {
			t.Errorf("item %d: %v, want %q", i, results[i].Err, w)
		}
		if _, ok := xero.Explain(results[i].Err); !ok {
			t.Errorf("item %d: not explained", i)
		}
	}
	h.sim.EnableCurrency(h.tenant, "EUR")
	res, err := h.conn.Write(ctx, connectors.SalesInvoices, items(euro))
	if err != nil || res[0].Err != nil {
		t.Fatalf("EUR invoice once enabled: %v %+v", err, res)
	}
	got, _ := h.conn.Get(ctx, connectors.SalesInvoices, []string{res[0].RemoteID})
	if len(got) != 1 || got[0].Record.Document.Currency != "EUR" {
		t.Errorf("EUR invoice read back as %+v", got)
	}

	// With multi-currency off, a foreign document is stopped before it is sent.
	single, err := xero.Open(ctx, withSetting(h.cfg, xero.KeyMultiCurrency, "false"), xero.WithClock(h.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	euro.Document.Code = "INV-EUR2"
	res, err = single.Write(ctx, connectors.SalesInvoices, items(euro))
	if err != nil || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "Multi-currency is off") {
		t.Errorf("foreign invoice with multi-currency off = %v %+v", err, res)
	}
}

// TestIdempotentReplay loses the answer to a write that Xero carried out:
// sending the same items again is answered from Xero's memory, and no
// record is created twice.
func TestIdempotentReplay(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	its := items(customer("C-1", "Acme Ltd", ""), customer("C-2", "Beta Ltd", ""))
	// Go's transport itself resends a request carrying an Idempotency-Key
	// once when the connection breaks; losing two answers reaches us.
	h.sim.DropNextReplies(2)
	if _, err := h.conn.Write(ctx, connectors.Customers, its); !errors.Is(err, connectors.ErrTemporary) {
		t.Fatalf("write with lost answers = %v, want ErrTemporary", err)
	}
	res := mustWrite(t, h.conn, connectors.Customers, its)
	all := listAll(t, h.conn, connectors.Customers, time.Time{})
	if len(all) != 2 {
		t.Fatalf("%d customers after a replayed write, want 2", len(all))
	}
	if byCode(all)["C-1"].RemoteID != res[0].RemoteID {
		t.Fatal("the replayed answer names another contact")
	}
	var puts []xerosim.RequestRecord
	for _, r := range h.apiRequests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/2.0/Contacts") {
			puts = append(puts, r)
		}
	}
	if len(puts) < 2 || puts[0].IdempotencyKey == "" || puts[0].Replayed || !puts[len(puts)-1].Replayed {
		t.Fatalf("writes seen: %+v", puts)
	}
	for _, p := range puts {
		if p.IdempotencyKey != puts[0].IdempotencyKey {
			t.Fatalf("the resent write carried another key: %+v", puts)
		}
	}
	// Different items make a different key.
	if xero.IdempotencyKey("PUT", "/Contacts", []string{"a"}) == xero.IdempotencyKey("PUT", "/Contacts", []string{"b"}) ||
		xero.IdempotencyKey("PUT", "/Contacts", []string{"a", "b"}) == xero.IdempotencyKey("PUT", "/Contacts", []string{"ab"}) {
		t.Fatal("idempotency keys collide")
	}
	if k := xero.IdempotencyKey("PUT", "/Contacts", []string{"a"}); len(k) > 128 {
		t.Fatalf("key %q is longer than Xero allows", k)
	}
}

func TestBatchesSplitBySizeAndCount(t *testing.T) {
	h := newHarness(t, harnessOpt{connOpts: []xero.Option{xero.WithMaxRequestBytes(2000)}})
	var recs []connectors.Record
	for i := range 51 {
		recs = append(recs, customer(fmt.Sprintf("C-%03d", i), fmt.Sprintf("Customer %03d Ltd", i), "Sam Lee"))
	}
	h.sim.ResetRequests()
	// More than Xero's 50 elements: refused whole, nothing sent.
	if _, err := h.conn.Write(context.Background(), connectors.Customers, items(recs...)); err == nil {
		t.Fatal("a batch of 51 was accepted")
	}
	if n := len(h.apiRequests()); n != 0 {
		t.Fatalf("%d requests for a refused batch", n)
	}
	res := mustWrite(t, h.conn, connectors.Customers, items(recs[:50]...))
	seen := map[string]bool{}
	for _, r := range res {
		if seen[r.RemoteID] {
			t.Fatal("two items got the same remote ID")
		}
		seen[r.RemoteID] = true
	}
	puts := 0
	for _, r := range h.apiRequests() {
		if r.Method == http.MethodPut {
			puts++
			if r.BodyBytes > 2000 {
				t.Errorf("a request of %d bytes went over the 2,000-byte limit", r.BodyBytes)
			}
		}
	}
	if puts <= 1 {
		t.Fatalf("%d requests for 50 contacts under a 2,000-byte limit", puts)
	}
	if got := listAll(t, h.conn, connectors.Customers, time.Time{}); len(got) != 50 {
		t.Fatalf("%d customers after the split batch, want 50", len(got))
	}
	// Without a size limit, 50 items go in one request.
	h2 := newHarness(t, harnessOpt{})
	h2.sim.ResetRequests()
	mustWrite(t, h2.conn, connectors.Customers, items(recs[:50]...))
	contactPuts := 0
	for _, r := range h2.apiRequests() {
		if r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/2.0/Contacts") {
			contactPuts++
		}
	}
	if contactPuts != 1 {
		t.Fatalf("%d requests for 50 contacts, want 1", contactPuts)
	}
}

func TestPagingAndIncrementalPull(t *testing.T) {
	h := newHarness(t, harnessOpt{connOpts: []xero.Option{xero.WithPageSize(7)}})
	ctx := context.Background()
	var recs []connectors.Record
	for i := range 20 {
		recs = append(recs, customer(fmt.Sprintf("C-%03d", i), fmt.Sprintf("Customer %03d", i), ""))
	}
	res := mustWrite(t, h.conn, connectors.Customers, items(recs...))
	h.sim.ResetRequests()
	var pages [][]connectors.Remote
	err := h.conn.ListChanged(ctx, connectors.Customers, time.Time{}, func(rs []connectors.Remote) error {
		pages = append(pages, rs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 3 || len(pages[0]) != 7 || len(pages[2]) != 6 {
		t.Fatalf("pages of %v", pageSizes(pages))
	}
	// Three pages, and the customers group once: the new contacts have
	// no documents, so their role is read from the group.
	if n := len(h.apiRequests()); n != 4 {
		t.Fatalf("%d calls for 3 pages and the customers group", n)
	}

	// Change two contacts an hour later: an incremental pull sees only them.
	mark := h.clock.Now().Add(30 * time.Minute)
	h.clock.Advance(time.Hour)
	changed := items(customer("C-003", "Customer 003 renamed", ""), customer("C-011", "Customer 011", "Kim Park"))
	changed[0].RemoteID, changed[1].RemoteID = res[3].RemoteID, res[11].RemoteID
	mustWrite(t, h.conn, connectors.Customers, changed)
	got := listAll(t, h.conn, connectors.Customers, mark)
	if codes := sortedCodes(got); !equalStrings(codes, []string{"C-003", "C-011"}) {
		t.Fatalf("incremental pull = %v", codes)
	}
	if p := byCode(got)["C-011"].Record.Party; p.ContactPerson != "Kim Park" {
		t.Fatalf("C-011 now %+v", p)
	}
	if p := byCode(got)["C-003"].Record.Party; p.Name != "Customer 003 renamed" || p.ContactPerson != "" {
		t.Fatalf("C-003 now %+v", p)
	}
	// Nothing changed since now.
	if got := listAll(t, h.conn, connectors.Customers, h.clock.Now().Add(time.Second)); len(got) != 0 {
		t.Fatalf("pull with nothing changed = %v", sortedCodes(got))
	}
	// A page callback's error stops the listing.
	stop := errors.New("stop")
	if err := h.conn.ListChanged(ctx, connectors.Customers, time.Time{}, func([]connectors.Remote) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("ListChanged = %v, want the callback's error", err)
	}
}

func pageSizes(pages [][]connectors.Remote) []int {
	var out []int
	for _, p := range pages {
		out = append(out, len(p))
	}
	return out
}

func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	t.Run("minute limit with Retry-After", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.sim.RateLimitNext(1, "minute", 7*time.Second)
		_, err := h.conn.Check(ctx)
		var rl *connectors.RateLimitError
		if !errors.As(err, &rl) || rl.Daily || rl.RetryAfter != 7*time.Second {
			t.Fatalf("Check = %v (%+v)", err, rl)
		}
		if _, err := h.conn.Check(ctx); err != nil {
			t.Fatalf("Check after waiting: %v", err)
		}
		if u := h.conn.Usage(); u.MinuteRemaining < 0 || u.DayRemaining < 0 || u.AppMinuteRemaining < 0 || u.Calls != 2 {
			t.Fatalf("usage %+v does not echo the limit headers", u)
		}
	})
	t.Run("day limit stops calls until it resumes", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.sim.RateLimitNext(1, "day", 3*time.Hour)
		// The pause is the engine's pacer's, kept for the module.
		_, err := h.paced.Check(ctx)
		var rl *connectors.RateLimitError
		if !errors.As(err, &rl) || !rl.Daily || !rl.ResumeAt.Equal(h.clock.Now().Add(3*time.Hour)) {
			t.Fatalf("Check = %v (%+v)", err, rl)
		}
		before := len(h.apiRequests())
		if _, err := h.paced.Check(ctx); !errors.As(err, &rl) || !rl.Daily {
			t.Fatalf("second Check = %v", err)
		}
		if len(h.apiRequests()) != before {
			t.Fatal("a call was sent while the day's allowance was spent")
		}
		h.clock.Advance(3*time.Hour + time.Second)
		if _, err := h.paced.Check(ctx); err != nil {
			t.Fatalf("Check once the allowance is back: %v", err)
		}
		if ex, ok := xero.Explain(rl); !ok || !strings.Contains(ex.Cause, "5,000") {
			t.Fatalf("daily limit explained as %+v", ex)
		}
	})
	t.Run("simulator counts the minute", func(t *testing.T) {
		h := newHarness(t, harnessOpt{simOpts: []xerosim.Option{xerosim.WithRateLimits(xerosim.RateLimits{PerMinute: 3, PerDay: 1000})}})
		var err error
		for range 4 {
			_, err = h.conn.Check(ctx)
		}
		var rl *connectors.RateLimitError
		if !errors.As(err, &rl) || rl.Daily || rl.RetryAfter <= 0 || rl.RetryAfter > time.Minute {
			t.Fatalf("fourth call in a minute of three = %v", err)
		}
		h.clock.Advance(time.Minute)
		if _, err := h.conn.Check(ctx); err != nil {
			t.Fatalf("call in the next minute: %v", err)
		}
	})
	t.Run("client keeps its own day count", func(t *testing.T) {
		// The day count is the engine's pacer's, per HTTP request; the
		// first call also renews the sign-in, which counts too.
		h := newHarness(t, harnessOpt{limits: connectors.Limits{PerMinute: 1000, Concurrent: 5, PerDay: 3}})
		for i := range 2 {
			if _, err := h.conn.Check(ctx); err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		before := len(h.apiRequests())
		_, err := h.conn.Check(ctx)
		var rl *connectors.RateLimitError
		if !errors.As(err, &rl) || !rl.Daily || len(h.apiRequests()) != before {
			t.Fatalf("third call of a two-a-day allowance = %v", err)
		}
	})
	t.Run("server faults are temporary", func(t *testing.T) {
		h := newHarness(t, harnessOpt{})
		h.sim.FailNext(1, http.StatusServiceUnavailable)
		if _, err := h.conn.Check(ctx); !errors.Is(err, connectors.ErrTemporary) {
			t.Fatalf("Check on a 503 = %v", err)
		}
		if _, err := h.conn.Check(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCreditNoteDraftIsNotAllocated(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	day := connectors.NewDate(2026, 5, 1)
	mustWrite(t, h.conn, connectors.Customers, items(customer("C-1", "Acme Ltd", "")))
	cn := connectors.Record{Type: connectors.CreditNotes, Document: &connectors.Document{Code: "CN-9", PartyCode: "C-1", Date: day,
		Lines:       []connectors.Line{{Description: "x", Quantity: dec("1"), UnitPrice: dec("5"), NominalCode: "200"}},
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: "INV-1", Amount: dec("5")}}}}
	res, err := h.conn.Write(ctx, connectors.CreditNotes, items(cn))
	if err != nil {
		t.Fatal(err)
	}
	if res[0].RemoteID == "" || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "as a draft") {
		t.Fatalf("draft credit note with allocations = %+v", res[0])
	}
}

func TestWriteRefusesWrongRecords(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	ctx := context.Background()
	bad := []connectors.WriteItem{
		{Key: "a", Record: connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{Code: "S", Name: "S"}}},
		{Key: "b", Record: connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Name: "No code"}}},
	}
	res, err := h.conn.Write(ctx, connectors.Customers, bad)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		var ie *connectors.ItemError
		if !errors.As(r.Err, &ie) || ie.Code != "LedgerLink" {
			t.Errorf("item %d: %v", i, r.Err)
		}
	}
	if len(h.apiRequests()) != 0 {
		t.Error("records LedgerLink refused were sent anyway")
	}
	if _, err := h.conn.Write(ctx, connectors.PaymentMethods, nil); err == nil {
		t.Error("payment methods are not a Xero type to write, yet Write took them")
	}
}
