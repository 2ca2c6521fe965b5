package kashflow_test

import (
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow"
)

// TestSandbox signs in to the in-process simulator without a keyring or
// prompt, keeps its state in the module's folder, and shows the payment
// "made in KashFlow" over two invoices as one payment.
func TestSandbox(t *testing.T) {
	def := kashflow.Definition()
	dir := t.TempDir()
	cfg := connectors.Config{Module: "kashflow", Sandbox: true, DataDir: dir, Settings: def.Sandbox.Settings}
	orgs, err := def.Login(t.Context(), cfg, nil)
	if err != nil || len(orgs) != 1 || !strings.Contains(orgs[0].Name, "Harbour Lane") {
		t.Fatalf("Sandbox Login = %+v, %v", orgs, err)
	}
	open := func() *kashflow.Conn {
		c, err := kashflow.Open(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	conn := open()
	h := &harness{conn: conn, clock: newClock()}
	c6 := companyCustomer()
	c6.Party.Code = "C006"
	for _, r := range []connectors.Record{personCustomer(), c6, salesInvoice("INV-1006", "C006"), salesInvoice("INV-1012", "C006")} {
		h.write(t, r, "")
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}

	conn = open()
	defer conn.Close()
	h.conn = conn
	if got := h.list(t, connectors.Customers, time.Time{}); len(got) != 2 {
		t.Fatalf("the Sandbox kept %d customers; want 2", len(got))
	}
	pays := h.list(t, connectors.InvoicePayments, time.Time{})
	if len(pays) != 1 {
		t.Fatalf("the Sandbox shows %d payments; want the one till payment over two invoices: %+v", len(pays), pays)
	}
	p := pays[0].Record.Payment
	if len(p.Allocations) != 2 || !p.Amount.Equal(dec("87.60")) || p.Reference != "BACS BEAN THERE BISTRO" || p.PartyCode != "C006" || p.BankAccount != "90" {
		t.Errorf("the till payment reads as %+v", p)
	}
	for _, typ := range []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.BankAccounts, connectors.Items, connectors.PaymentMethods} {
		if got := h.list(t, typ, time.Time{}); len(got) == 0 {
			t.Errorf("the Sandbox company has no %s", typ.Label())
		}
	}
	codes := map[string]bool{}
	for _, r := range h.list(t, connectors.NominalAccounts, time.Time{}) {
		codes[r.Record.Account.Code] = true
	}
	for _, want := range []string{"200", "260", "300", "400", "477", "478", "479", "814", "825", "826"} {
		if !codes[want] {
			t.Errorf("the Sandbox chart of accounts lacks the sample business's %s", want)
		}
	}
}

// TestSimulatorCommand checks what `ledgerlink simulate kashflow` serves.
func TestSimulatorCommand(t *testing.T) {
	sim, err := kashflow.Definition().Simulator(connectors.SimulatorOptions{StateFile: t.TempDir() + "/kf.json"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if d := sim.Describe("http://127.0.0.1:9000"); !strings.Contains(d, "endpoint=http://127.0.0.1:9000/api/service.asmx") {
		t.Errorf("Describe says %q", d)
	}
}
