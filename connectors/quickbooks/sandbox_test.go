package quickbooks_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
)

func sandboxConfig(dir string) connectors.Config {
	settings := map[string]string{}
	for k, v := range quickbooks.Definition().Sandbox.Settings {
		settings[k] = v
	}
	return connectors.Config{Module: "quickbooks", Settings: settings, Sandbox: true, DataDir: dir}
}

// TestSandboxKeepsItsCompany signs in to the in-process simulator with no
// prompt and no keyring, and finds what it wrote after a restart.
func TestSandboxKeepsItsCompany(t *testing.T) {
	dir := t.TempDir()
	def := quickbooks.Definition()
	cfg := sandboxConfig(dir)
	orgs, err := def.Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) != 1 || orgs[0].Settings[quickbooks.KeyRealmID] == "" {
		t.Fatalf("Sandbox Login: %+v, %v", orgs, err)
	}
	for k, v := range orgs[0].Settings {
		cfg.Settings[k] = v
	}
	conn, err := def.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := conn.(connectors.Writer)
	res, err := w.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: "k", Record: customer("C900")}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("Sandbox write: %+v %v", res, err)
	}
	if err := conn.(connectors.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	again, err := def.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer again.(connectors.Closer).Close()
	found, err := again.(connectors.Reader).FindByCode(t.Context(), connectors.Customers, []string{"C900"})
	if err != nil || len(found) != 1 {
		t.Fatalf("after a restart the Sandbox holds %d of the customer, %v", len(found), err)
	}
	// The Sandbox's chart holds the sample business's codes, so the
	// default setup maps same-named codes.
	var codes []string
	if err := again.(connectors.Lister).ListChanged(t.Context(), connectors.NominalAccounts, found[0].UpdatedAt.AddDate(-1, 0, 0), func(p []connectors.Remote) error {
		for _, r := range p {
			codes = append(codes, r.Record.Code())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"090", "200", "260", "300", "400", "477", "478", "479", "814", "825", "826"} {
		if !strings.Contains(strings.Join(codes, ","), want) {
			t.Errorf("the Sandbox chart of accounts lacks %s: %v", want, codes)
		}
	}
	if lk := again.(connectors.Linker).RecordURL(connectors.SalesInvoices, "12"); !strings.HasPrefix(lk, quickbooks.DefaultSandboxAppURL+"/app/invoice?") {
		t.Errorf("Sandbox deep link %q; want the sandbox host", lk)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 1 {
		t.Errorf("the Sandbox keeps %v in its folder; want its one state file", files)
	}
}

// TestSandboxAgainstServedSimulator points the Sandbox at the simulator
// `ledgerlink simulate quickbooks` serves, and signs in with no person.
func TestSandboxAgainstServedSimulator(t *testing.T) {
	sim, err := quickbooks.Definition().Simulator(connectors.SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	desc := sim.Describe(srv.URL)
	if !strings.Contains(desc, "sandbox_api_url="+srv.URL) {
		t.Errorf("Describe says %q", desc)
	}
	cfg := sandboxConfig("")
	cfg.Settings[quickbooks.KeySandboxAPIURL] = srv.URL
	cfg.Settings[quickbooks.KeyAuthURL] = srv.URL + "/connect/oauth2"
	cfg.Settings[quickbooks.KeyTokenURL] = srv.URL + "/oauth2/v1/tokens/bearer"
	orgs, err := quickbooks.Definition().Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) != 1 || !strings.Contains(orgs[0].Name, "Sandbox") {
		t.Fatalf("Login to the served simulator: %+v %v", orgs, err)
	}
}

func TestDeepLinks(t *testing.T) {
	h := newHarness(t, harnessOpt{})
	for _, tc := range []struct {
		typ  connectors.RecordType
		id   string
		want string
	}{
		{connectors.SalesInvoices, "130", "https://app.qbo.intuit.com/app/invoice?companyId=9130357766900001&txnId=130"},
		{connectors.Quotes, "5", "/app/estimate?"},
		{connectors.CreditNotes, "7", "/app/creditmemo?"},
		{connectors.CreditNotes, "V7", "/app/vendorcredit?companyId=9130357766900001&txnId=7"},
		{connectors.InvoicePayments, "8", "/app/recvpayment?"},
		{connectors.PurchaseInvoices, "9", "/app/bill?"},
		{connectors.PurchasePayments, "10", "/app/billpayment?"},
		{connectors.Customers, "58", "/app/customerdetail?companyId=9130357766900001&nameId=58"},
		{connectors.Suppliers, "59", "/app/vendordetail?"},
		{connectors.Journals, "11", "/app/journal?"},
	} {
		if got := h.conn.RecordURL(tc.typ, tc.id); !strings.Contains(got, tc.want) {
			t.Errorf("RecordURL(%s, %s) = %q; want it to contain %q", tc.typ, tc.id, got, tc.want)
		}
	}
}

// TestSandboxEntersSamplePayments: once the sample invoices they pay are
// uploaded, the Sandbox's company holds the shop's payments, one of them
// paying two invoices, for Create & Allocate Payments to find.
func TestSandboxEntersSamplePayments(t *testing.T) {
	cfg := sandboxConfig(t.TempDir())
	conn, err := quickbooks.Definition().Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.(connectors.Closer).Close()
	w := conn.(connectors.Writer)
	for _, code := range []string{"C001", "C006"} {
		if res, err := w.Write(t.Context(), connectors.Customers, []connectors.WriteItem{{Key: code, Record: customer(code)}}); err != nil || res[0].Err != nil {
			t.Fatalf("customer %s: %+v %v", code, res, err)
		}
	}
	line := connectors.Line{Description: "Beans", Quantity: dec("2"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "ZERORATEDOUTPUT"}
	var items []connectors.WriteItem
	for _, inv := range []connectors.Record{invoice("INV-1010", "C001", line), invoice("INV-1006", "C006", line), invoice("INV-1012", "C006", line)} {
		items = append(items, connectors.WriteItem{Key: inv.Code(), Record: inv})
	}
	if res, err := w.Write(t.Context(), connectors.SalesInvoices, items); err != nil || res[0].Err != nil {
		t.Fatalf("invoices: %+v %v", res, err)
	}
	var pays []connectors.Remote
	if err := conn.(connectors.Lister).ListChanged(t.Context(), connectors.InvoicePayments, time.Time{}, func(p []connectors.Remote) error { pays = append(pays, p...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(pays) != 2 || len(pays[1].Record.Payment.Allocations) != 2 || pays[1].Record.Payment.Code != "BACS-C006" {
		t.Fatalf("the Sandbox holds payments %+v", pays)
	}
}

// countingPacer stands for the engine's pacing transport: it counts the
// requests sent through the base it is given.
type countingPacer struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (p countingPacer) RoundTrip(r *http.Request) (*http.Response, error) {
	p.n.Add(1)
	return p.base.RoundTrip(r)
}

func (p countingPacer) WithBase(base http.RoundTripper) http.RoundTripper {
	return countingPacer{base: base, n: p.n}
}

// TestSandboxKeepsThePacing: the in-process simulator is reached through
// the pacing transport LedgerLink gives, as a real company is.
func TestSandboxKeepsThePacing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client func(n *atomic.Int64) *http.Client
		paced  bool
	}{
		{"pacing transport", func(n *atomic.Int64) *http.Client {
			return &http.Client{Transport: countingPacer{base: http.DefaultTransport, n: n}}
		}, true},
		{"plain client", func(*atomic.Int64) *http.Client { return &http.Client{} }, false},
		{"no client", func(*atomic.Int64) *http.Client { return nil }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int64
			cfg := sandboxConfig(t.TempDir())
			cfg.HTTPClient = tc.client(&n)
			conn, err := quickbooks.Definition().Open(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.(connectors.Closer).Close()
			if _, err := conn.(connectors.Reader).FindByCode(t.Context(), connectors.Customers, []string{"C001"}); err != nil {
				t.Fatal(err)
			}
			if got := n.Load() > 0; got != tc.paced {
				t.Errorf("%d requests went through the pacing transport; want paced %v", n.Load(), tc.paced)
			}
		})
	}
}
