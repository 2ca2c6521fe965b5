package xero_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
)

func TestSandboxKeepsItsStateInTheDataFolder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cfg := connectors.Config{Module: "xero", Sandbox: true, DataDir: dir, Settings: map[string]string{}}
	conn, err := xero.Definition().Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*xero.Conn)
	id, err := c.Check(ctx)
	if err != nil || id.Organisation == "" {
		t.Fatalf("Sandbox Check = %+v, %v", id, err)
	}
	mustWrite(t, c, connectors.Customers, items(customer("SB-1", "Sandbox Customer", "")))
	tokens, err := xero.Login(ctx, cfg, func(string) error { t.Error("the Sandbox opened a browser"); return nil })
	if err != nil || len(tokens.Tenants) != 1 || tokens.Tenants[0].Name != id.Organisation {
		t.Errorf("Sandbox sign-in = %+v, %v", tokens, err)
	}
	if c.RecordURL(connectors.Customers, "x") != "" {
		t.Error("a Sandbox record links to the real Xero")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "xero-sandbox.json")); err != nil {
		t.Fatalf("no state file: %v", err)
	}
	again, err := xero.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.FindByCode(ctx, connectors.Customers, []string{"SB-1"})
	if err != nil || len(got) != 1 {
		t.Fatalf("after reopening the Sandbox: %v %+v", err, got)
	}
}

func TestSandboxAgainstALoopbackSimulator(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	cfg := withSetting(h.cfg, xero.KeyTenantID, "")
	cfg.Sandbox = true
	conn, err := xero.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Check(context.Background()); err != nil {
		t.Fatalf("Sandbox on a loopback simulator: %v", err)
	}
	// The default (real Xero) address, as a fresh install stores it, means
	// the Sandbox's own in-process simulator: it answers with no network.
	cfg.Settings[xero.KeyAPIURL] = xero.DefaultAPIURL
	inProcess, err := xero.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Sandbox with the default address: %v", err)
	}
	defer inProcess.Close()
	if _, err := inProcess.Check(context.Background()); err != nil {
		t.Fatalf("Sandbox with the default address did not use its simulator: %v", err)
	}
	// Any other address off this computer is refused.
	cfg.Settings[xero.KeyAPIURL] = "https://xero-proxy.example.com/api.xro/2.0"
	if _, err := xero.Open(context.Background(), cfg); err == nil {
		t.Fatal("the Sandbox was pointed at a remote address")
	}
}

// TestRecordURL checks the deep links against the forms of Xero's
// deep-linking guide: through the organisation switch with the short code
// once it is known, the bare page before.
func TestRecordURL(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	c := h.conn
	if got := c.RecordURL(connectors.SalesInvoices, "abc"); got != "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=abc" {
		t.Errorf("before Check: %s", got)
	}
	if _, err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	org := h.sim.Organisation(h.tenant)
	if !strings.HasPrefix(org.ShortCode, "!") {
		t.Fatalf("the simulator's short code %q does not look like Xero's", org.ShortCode)
	}
	switchTo := "https://go.xero.com/organisationlogin/default.aspx?shortcode=" + org.ShortCode + "&redirecturl="
	tests := []struct {
		typ  connectors.RecordType
		id   string
		want string
	}{
		{connectors.SalesInvoices, "id-1", switchTo + "/AccountsReceivable/View.aspx?InvoiceID=id-1"},
		{connectors.PurchaseInvoices, "id-1", switchTo + "/AccountsPayable/Edit.aspx?InvoiceID=id-1"},
		{connectors.Customers, "id-1", switchTo + "/Contacts/View/id-1"},
		{connectors.Suppliers, "id-1", switchTo + "/Contacts/View/id-1"},
		{connectors.CreditNotes, "id-1", switchTo + "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=id-1"},
		{connectors.Quotes, "id-1", "https://go.xero.com/app/" + org.ShortCode + "/quotes/view/id-1"},
		{connectors.InvoicePayments, "id-1", switchTo + "/Bank/ViewTransaction.aspx?bankTransactionID=id-1"},
		// A payment Xero holds as several opens the first.
		{connectors.PurchasePayments, "id-1+id-2", switchTo + "/Bank/ViewTransaction.aspx?bankTransactionID=id-1"},
		{connectors.TaxRates, "id-1", ""},
		{connectors.SalesInvoices, "", ""},
	}
	for _, tc := range tests {
		got := c.RecordURL(tc.typ, tc.id)
		if got != tc.want {
			t.Errorf("%s %q: %s, want %s", tc.typ, tc.id, got, tc.want)
			continue
		}
		if got == "" {
			continue
		}
		// The link reads back: the switch carries the short code and the page.
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "https" {
			t.Errorf("%s: %q is not an https address", tc.typ, got)
			continue
		}
		if q := u.Query(); q.Get("shortcode") != "" && (q.Get("shortcode") != org.ShortCode || !strings.HasPrefix(q.Get("redirecturl"), "/")) {
			t.Errorf("%s: %q reads back as %v", tc.typ, got, q)
		}
	}
}

// TestMeasureCalls counts the API calls of uploading 1,000 five-line
// invoices for 200 new customers into an empty organisation, and of an
// incremental mirror of every type when nothing changed.
func TestMeasureCalls(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	var custs, invs []connectors.Record
	for i := range 200 {
		custs = append(custs, customer(fmt.Sprintf("C-%03d", i), fmt.Sprintf("Customer %03d Ltd", i), "Alex Kim"))
	}
	for i := range 1000 {
		invs = append(invs, salesInvoice(fmt.Sprintf("INV-%04d", i), fmt.Sprintf("C-%03d", i%200), connectors.NewDate(2026, 5, 1)))
	}
	h.sim.ResetRequests()
	upload := func(typ connectors.RecordType, recs []connectors.Record) {
		its := items(recs...)
		for len(its) > 0 {
			n := min(len(its), xero.BatchSize)
			mustWrite(t, h.conn, typ, its[:n])
			its = its[n:]
		}
	}
	upload(connectors.Customers, custs)
	upload(connectors.SalesInvoices, invs)
	var writes, reads int
	for _, r := range h.apiRequests() {
		if r.Method == http.MethodGet {
			reads++
		} else {
			writes++
		}
	}
	// Full batches, plus recording the customers' role: the group is
	// made once and the customers of the full batches join it together,
	// in one request, before the invoices go.
	const minimum = 200/50 + 1000/50 + 1 + 1
	t.Logf("upload of 1,000 five-line invoices for 200 new customers: %d writes + %d reads = %d calls (minimum with full batches: %d)", writes, reads, writes+reads, minimum)
	if writes != minimum || reads > 2 {
		t.Errorf("upload took %d writes and %d reads, want %d writes and at most 2 reads (the organisation's currency, the contact groups)", writes, reads, minimum)
	}

	h.clock.Advance(time.Minute)
	since := h.clock.Now()
	h.clock.Advance(time.Hour)
	h.sim.ResetRequests()
	types := append(connectors.MatrixTypes(), connectors.CreditNotes, connectors.NominalAccounts, connectors.TaxRates, connectors.Items, connectors.BankAccounts)
	for _, typ := range types {
		if got := listAll(t, h.conn, typ, since); !typ.IsAncillary() && len(got) != 0 {
			t.Errorf("%s: %d records changed, want none", typ, len(got))
		}
	}
	calls := len(h.apiRequests())
	t.Logf("incremental mirror of %d types with no changes: %d calls", len(types), calls)
	if calls != len(types) {
		t.Errorf("incremental mirror took %d calls, want one per type (%d)", calls, len(types))
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
