package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/storage/secrets"
)

// The end-to-end tests of this file run the real binary (the test binary
// in LEDGERLINK_TEST_RUN_MAIN mode) against Xero's simulator: the Sandbox,
// and a simulator on 127.0.0.1 reached as a real Xero would be.

// keyringHowTo is said when the real binary finds no keyring.
const keyringHowTo = `These tests run the real binary, which keeps sign-ins in the system keyring.
Run them inside a D-Bus session with an unlocked Secret Service, as scripts/test.sh does:

  XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && xvfb-run -a go test -race -tags migrated_fynedo -run E2E .'`

// simState is what the simulator keeps of one organisation, as its state
// file holds it.
type simState struct {
	Contacts []struct {
		ContactNumber string `json:"ContactNumber"`
		Name          string `json:"Name"`
	} `json:"contacts"`
	Invoices []simInvoice `json:"invoices"`
	Quotes   []struct {
		QuoteNumber string `json:"QuoteNumber"`
	} `json:"quotes"`
	CreditNotes []struct {
		CreditNoteNumber string `json:"CreditNoteNumber"`
	} `json:"credit_notes"`
	Payments []struct {
		Reference      string `json:"Reference"`
		BatchPaymentID string `json:"BatchPaymentID"`
		Invoice        *struct {
			InvoiceNumber string `json:"InvoiceNumber"`
		} `json:"Invoice"`
	} `json:"payments"`
	BatchPayments []struct {
		BatchPaymentID string `json:"BatchPaymentID"`
		Reference      string `json:"Reference"`
	} `json:"batch_payments"`
}

type simInvoice struct {
	InvoiceNumber string          `json:"InvoiceNumber"`
	Type          string          `json:"Type"`
	Status        string          `json:"Status"`
	AmountDue     decimal.Decimal `json:"AmountDue"`
}

// readSimState reads the first organisation of a simulator's state file.
func readSimState(t *testing.T, path string) simState {
	t.Helper()
	var st struct {
		Tenants []simState `json:"tenants"`
	}
	if err := json.Unmarshal(fileBytes(t, path), &st); err != nil {
		t.Fatalf("the simulator's state %s: %v", path, err)
	}
	if len(st.Tenants) == 0 {
		t.Fatalf("the simulator's state %s has no organisation", path)
	}
	return st.Tenants[0]
}

// codes lists, per LedgerLink type, the business code of every record the
// simulator holds (repeats included).
func (s simState) codes() map[connectors.RecordType][]string {
	out := map[connectors.RecordType][]string{}
	add := func(t connectors.RecordType, code string) { out[t] = append(out[t], code) }
	for _, c := range s.Contacts {
		// Xero has one list of contacts; the sample numbers customers C…
		// and suppliers S….
		if strings.HasPrefix(c.ContactNumber, "S") {
			add(connectors.Suppliers, c.ContactNumber)
		} else {
			add(connectors.Customers, c.ContactNumber)
		}
	}
	for _, inv := range s.Invoices {
		if inv.Type == "ACCPAY" {
			add(connectors.PurchaseInvoices, inv.InvoiceNumber)
		} else {
			add(connectors.SalesInvoices, inv.InvoiceNumber)
		}
	}
	for _, q := range s.Quotes {
		add(connectors.Quotes, q.QuoteNumber)
	}
	for _, cn := range s.CreditNotes {
		add(connectors.CreditNotes, cn.CreditNoteNumber)
	}
	// A payment of several invoices is one batch payment holding one
	// payment per invoice: it counts once, under the batch's reference.
	batches := map[string]bool{}
	for _, p := range s.Payments {
		if p.BatchPaymentID != "" && batches[p.BatchPaymentID] {
			continue
		}
		code := p.Reference
		if p.BatchPaymentID != "" {
			batches[p.BatchPaymentID] = true
			for _, b := range s.BatchPayments {
				if b.BatchPaymentID == p.BatchPaymentID {
					code = b.Reference
				}
			}
		}
		if p.Invoice != nil && slices.ContainsFunc(s.Invoices, func(i simInvoice) bool {
			return i.InvoiceNumber == p.Invoice.InvoiceNumber && i.Type == "ACCPAY"
		}) {
			add(connectors.PurchasePayments, code)
		} else {
			add(connectors.InvoicePayments, code)
		}
	}
	for t := range out {
		slices.Sort(out[t])
	}
	return out
}

func (s simState) invoice(number string) (status string, due decimal.Decimal, ok bool) {
	for _, inv := range s.Invoices {
		if inv.InvoiceNumber == number {
			return inv.Status, inv.AmountDue, true
		}
	}
	return "", decimal.Zero, false
}

// wantOnceInXero checks that the simulator holds every record of want
// exactly once.
func wantOnceInXero(t *testing.T, st simState, want map[connectors.RecordType][]string) {
	t.Helper()
	got := st.codes()
	for _, typ := range uploadedTypes {
		if !slices.Equal(got[typ], want[typ]) {
			t.Errorf("Xero holds %s %v, want each of %v exactly once", typ, got[typ], want[typ])
		}
	}
}

// TestE2EXeroSandboxRealBinary runs the real binary with --sandbox, one
// process per command: the Sandbox sets itself up, syncs the sample
// business into its simulated Xero, and keeps its state in DATA/sandbox
// from one process to the next.
func TestE2EXeroSandboxRealBinary(t *testing.T) {
	t.Parallel()
	b := subprocess{t: t, dataDir: t.TempDir()}
	want := sampleCodes(t)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}
	stateFile := filepath.Join(b.dataDir, "sandbox", "modules", "xero", "xero-sandbox.json")

	start := time.Now()
	o := b.run("", "--sandbox", "sync", "xero", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != sent || failed != 0 || len(rep.Errors) > 0 {
		t.Fatalf("first Sandbox sync created %d, failed %d, errors %v; want %d created\n%s", created, failed, rep.Errors, sent, o)
	}
	t.Logf("first Sandbox sync: %s", time.Since(start).Round(time.Millisecond))
	first := readSimState(t, stateFile)
	// Besides the sample, the Sandbox's bank receives two payments "in
	// Xero" once the invoices they pay are approved: one invoice paid by
	// transfer, and a card payout for two web orders.
	inXero := maps.Clone(want)
	inXero[connectors.InvoicePayments] = append(slices.Clone(want[connectors.InvoicePayments]), sandboxPaidInXero...)
	slices.Sort(inXero[connectors.InvoicePayments])
	wantOnceInXero(t, first, inXero)
	for _, inv := range []string{"INV-1003", "INV-1005", "INV-1010"} {
		if status, due, ok := first.invoice(inv); !ok || status != "PAID" || !due.IsZero() {
			t.Errorf("%s in the Sandbox: %s with %s due, want PAID by the payment made in Xero", inv, status, due)
		}
	}
	for _, inv := range []string{"INV-1001", "INV-1002", "INV-1004", "INV-1007", "HG-55120", "BSM-0087"} {
		if status, due, ok := first.invoice(inv); !ok || status != "PAID" || !due.IsZero() {
			t.Errorf("%s in the Sandbox: %s with %s due, want PAID by its uploaded payment", inv, status, due)
		}
	}

	// A second process finds the Sandbox as the first left it: the second
	// sync sends nothing and the simulator holds the same records.
	start = time.Now()
	o = b.run("", "--sandbox", "sync", "xero", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	if created, updated, failed := rep.total("upload"); created+updated+failed != 0 {
		t.Errorf("second Sandbox sync sent %d new, %d changed, %d failed; want nothing\n%s", created, updated, failed, o)
	}
	t.Logf("second Sandbox sync: %s", time.Since(start).Round(time.Millisecond))
	if second := readSimState(t, stateFile); !mapsOfSlicesEqual(first.codes(), second.codes()) {
		t.Errorf("the second sync changed the Sandbox's records:\n%v\n->\n%v", first.codes(), second.codes())
	}

	// The other verbs see the same Sandbox.
	o = b.run("", "--sandbox", "pending", "xero", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Errorf("Sandbox pending after two syncs = %v", pendingRefs(rows))
	}
	o = b.run("", "--sandbox", "feedback", "xero", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonFeedback](t, o); len(rows) != 0 {
		t.Errorf("Sandbox feedback after a clean sync: %+v", rows)
	}
	o = b.run("", "--sandbox", "exported", "xero", "--json")
	wantExit(t, o, exitOK)
	exported := decode[[]jsonExported](t, o)
	if len(exported) != sent {
		t.Errorf("Sandbox exported lists %d rows, want %d", len(exported), sent)
	}
	for _, r := range exported {
		if !r.Verified || r.RemoteID == "" {
			t.Errorf("Sandbox exported row %+v is not verified", r)
		}
	}
	o = b.run("", "--sandbox", "payments", "xero", "--allocate", "--json")
	wantExit(t, o, exitOK)
	for _, r := range decode[[]jsonImportRow](t, o) {
		if r.Outcome != "already_imported" && r.Outcome != "allocated" {
			t.Errorf("Sandbox payment %+v, want every payment settled", r)
		}
	}
	// The payments made in Xero were created and allocated locally by the
	// sync's payment import, the card payout to both its orders.
	o = b.run("", "--sandbox", "payments", "xero", "--list", "--json")
	wantExit(t, o, exitOK)
	allocated := map[string]bool{}
	for _, r := range decode[[]jsonImportRow](t, o) {
		if r.Outcome == "allocated" {
			for _, a := range r.AllocatedTo {
				allocated[a] = true
			}
		}
	}
	for _, inv := range []string{"INV-1003", "INV-1005", "INV-1010"} {
		if !allocated[inv] {
			t.Errorf("no payment made in Xero was created and allocated to %s locally: %s", inv, o)
		}
	}
	o = b.run("", "--sandbox", "mark-not-exported", "xero", "customer:C001", "--json")
	wantExit(t, o, exitItems)
	if m := decode[jsonMarked](t, o); m.Marked != 0 || len(m.Refused) != 1 {
		t.Errorf("un-marking an uploaded customer: %+v, want it refused", m)
	}
	wantExit(t, b.run("", "--sandbox", "upload", "xero"), exitSetup)

	// The real books in the data folder itself are untouched.
	o = b.run("", "modules", "--json")
	wantExit(t, o, exitOK)
	for _, m := range decode[[]jsonModule](t, o) {
		if m.Installed {
			t.Errorf("the Sandbox installed %s in the real data folder", m.Name)
		}
	}
	if _, err := os.Stat(filepath.Join(b.dataDir, "sandbox", "ledgerlink.db")); err != nil {
		t.Errorf("the Sandbox's database is not in DATA/sandbox: %v", err)
	}
}

// sandboxPaidInXero are the references of the payments the Sandbox's
// simulated Xero receives by itself.
var sandboxPaidInXero = []string{"Bank transfer INV-1005", "Card payout web orders"}

func mapsOfSlicesEqual(a, b map[connectors.RecordType][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestE2EXeroSandboxKeepsRealSignInApart: removing the Sandbox's Xero
// module must not remove the real Xero module's sign-in, though both are
// called xero and the keyring is one for every data folder.
func TestE2EXeroSandboxKeepsRealSignInApart(t *testing.T) {
	kr := secrets.NewMemory()
	c := &inProcess{t: t, dataDir: t.TempDir(), keyring: kr, registry: shippedRegistry}
	ctx := context.Background()
	wantExit(t, c.run("install", "xero"), exitOK)
	wantExit(t, c.runStdin("real-secret\n", "config", "xero", "--secret", xero.SecretClientSecret), exitOK)

	wantExit(t, c.run("--sandbox", "modules"), exitOK)
	wantExit(t, c.runStdin("sandbox-only\n", "--sandbox", "config", "xero", "--secret", xero.SecretClientSecret), exitOK)
	if v, err := kr.Get(ctx, "xero", xero.SecretClientSecret); err != nil || v != "real-secret" {
		t.Errorf("a secret saved in the Sandbox replaced the real one: %q %v", v, err)
	}
	wantExit(t, c.run("--sandbox", "uninstall", "xero"), exitOK)
	if v, err := kr.Get(ctx, "xero", xero.SecretClientSecret); err != nil || v != "real-secret" {
		t.Errorf("removing the Sandbox's module removed the real Xero secret: %q %v", v, err)
	}
	o := c.run("config", "xero", xero.SecretClientSecret, "--json")
	wantExit(t, o, exitOK)
	if s := decode[[]jsonSetting](t, o); len(s) != 1 || !s[0].Set {
		t.Errorf("the real module's client secret shows as %+v", s)
	}
}

// faultyXero stands in front of the simulator and arms its faults just
// before chosen writes reach it, so that they land on uploads rather than
// on whatever request happens to come next.
type faultyXero struct {
	sim *xerosim.Sim
	mu  stdsync.Mutex
	// armBefore maps the n-th write (1-based, retries included) to the
	// fault armed just before it.
	armBefore map[int]func()
	writes    int
}

func (f *faultyXero) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The simulator answers one request at a time anyway; holding the lock
	// across it keeps an armed fault for the request it was meant for.
	f.mu.Lock()
	defer f.mu.Unlock()
	if (r.Method == http.MethodPut || r.Method == http.MethodPost) && strings.HasPrefix(r.URL.Path, "/api.xro/2.0/") {
		f.writes++
		if arm := f.armBefore[f.writes]; arm != nil {
			arm()
		}
	}
	f.sim.ServeHTTP(w, r)
}

func (f *faultyXero) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// bankFeedPayment enters a payment in the simulator through its API, as a
// bank feed reconciled in Xero would, and returns its reference.
func bankFeedPayment(t *testing.T, baseURL, tenant, invoice string, amount decimal.Decimal) string {
	t.Helper()
	ctx := context.Background()
	form := strings.NewReader("grant_type=client_credentials&scope=accounting.payments+accounting.invoices")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/connect/token", form)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(xerosim.SandboxClientID, xerosim.SandboxClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("no token from the simulator (%d): %v", resp.StatusCode, err)
	}
	const reference = "BANK FEED 4417"
	body, err := json.Marshal(map[string]any{"Payments": []map[string]any{{
		"Invoice": map[string]string{"InvoiceNumber": invoice}, "Account": map[string]string{"Code": "090"},
		"Date": "2026-12-02", "Amount": json.Number(amount.String()), "Reference": reference,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPut, baseURL+"/api.xro/2.0/Payments", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("xero-tenant-id", tenant)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var msg bytes.Buffer
		_, _ = msg.ReadFrom(resp.Body)
		t.Fatalf("the simulator refused the bank-feed payment: %d %s", resp.StatusCode, msg.String())
	}
	return reference
}

// TestE2EXeroLoopbackWithFaults runs the real binary against a simulator
// on 127.0.0.1, set up as a person would set up a real Xero custom
// connection: addresses, sign-in with the client secret on standard input,
// the sample business imported, levels and mappings chosen. It syncs while
// Xero throttles, fails and drops replies, syncs again, and imports a
// payment made in Xero: no duplicate, no loss.
func TestE2EXeroLoopbackWithFaults(t *testing.T) {
	t.Parallel()
	simFile := filepath.Join(t.TempDir(), "xero.json")
	// Xero's limits, with room in the minute for the test's own requests
	// beside LedgerLink's 60.
	limits := xerosim.XeroLimits()
	limits.PerMinute += 10
	sim, err := xerosim.New(xerosim.WithStateFile(simFile), xerosim.WithRateLimits(limits))
	if err != nil {
		t.Fatal(err)
	}
	tenant := sim.DefaultTenantID()
	if err := sim.EnableCurrency(tenant, "EUR"); err != nil {
		t.Fatal(err)
	}
	front := &faultyXero{sim: sim, armBefore: map[int]func(){
		1: func() { sim.RateLimitNext(1, "minute", time.Second) },
		3: func() { sim.FailNext(1, http.StatusInternalServerError) },
		5: func() { sim.DropNextReplies(1) },
		8: func() { sim.FailNext(1, http.StatusServiceUnavailable) },
		9: func() { sim.DropNextReplies(1) },
	}}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)

	b := subprocess{t: t, dataDir: t.TempDir()}
	want := sampleCodes(t)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}

	wantExit(t, b.run("", "install", "xero"), exitOK)
	t.Cleanup(func() { b.run("", "uninstall", "xero") }) // leaves the session keyring as it was
	wantExit(t, b.run("", "config", "xero", "api_url="+srv.URL+"/api.xro/2.0", "identity_url="+srv.URL, "login_url="+srv.URL), exitOK)
	wantExit(t, b.run("", "config", "xero", "api_url=http://api.example.com/api.xro/2.0"), exitSetup)

	// Sign in as a custom connection: the secret from standard input only.
	o := b.run("wrong-secret\n", "login", "xero", "--client-id", xerosim.SandboxClientID)
	if strings.Contains(o.stderr, "No system keyring") {
		t.Fatal(keyringHowTo)
	}
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "Xero") || strings.Contains(o.stderr, "wrong-secret") {
		t.Errorf("a refused sign-in says %q; want Xero named and the secret never shown", o.stderr)
	}
	o = b.run(xerosim.SandboxClientSecret+"\n", "login", "xero", "--client-id", xerosim.SandboxClientID, "--json")
	wantExit(t, o, exitOK)
	login := decode[struct {
		Organisation connectors.Organisation `json:"organisation"`
		Module       jsonModule              `json:"module"`
	}](t, o)
	if login.Organisation.ID != tenant || !login.Module.Installed {
		t.Fatalf("login --json = %+v; want organisation %s", login, tenant)
	}
	if strings.Contains(o.stdout+o.stderr, xerosim.SandboxClientSecret) || strings.Contains(string(fileBytes(t, filepath.Join(b.dataDir, "ledgerlink.db"))), xerosim.SandboxClientSecret) {
		t.Error("the client secret was shown or saved outside the keyring")
	}

	files := copySample(t)
	wantExit(t, b.run("", append([]string{"import"}, files...)...), exitOK)
	levels := []string{"config", "xero", "--yes", "opt.authorised=true", "opt.multi_currency=true",
		"map.nominal.200=200", "map.nominal.260=260", "map.nominal.300=300", "map.nominal.400=400",
		"map.tax.OUTPUT2=OUTPUT2", "map.tax.ZERORATEDOUTPUT=ZERORATEDOUTPUT", "map.tax.INPUT2=INPUT2", "map.tax.ZERORATEDINPUT=ZERORATEDINPUT",
		"map.bank.090=090"}
	for _, typ := range connectors.MatrixTypes() {
		levels = append(levels, "sync.upload."+string(typ)+"=new+updated", "sync.mirror."+string(typ)+"=new+updated")
	}
	wantExit(t, b.run("", levels...), exitOK)
	o = b.run("", "modules", "--json")
	if m := decode[[]jsonModule](t, o); !slices.ContainsFunc(m, func(m jsonModule) bool { return m.Name == "xero" && m.Light == "GREEN" }) {
		t.Fatalf("signed in and configured, Xero is %+v, want GREEN", m)
	}

	// Throttled before it starts, then faults on the writes.
	sim.RateLimitNext(1, "minute", time.Second)
	sim.ResetRequests()
	start := time.Now()
	o = b.run("", "sync", "xero", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != sent || failed != 0 || len(rep.Errors) > 0 {
		t.Fatalf("sync under faults created %d, failed %d, errors %v; want %d created\nXero holds %v\n%s",
			created, failed, rep.Errors, sent, readSimState(t, simFile).codes(), o)
	}
	statuses := map[int]int{}
	replayed := 0
	for _, r := range sim.Requests() {
		statuses[r.Status]++
		if r.Replayed {
			replayed++
		}
	}
	if statuses[http.StatusTooManyRequests] < 2 || statuses[http.StatusInternalServerError] < 1 || statuses[http.StatusServiceUnavailable] < 1 {
		t.Errorf("the faults were not all met: answers by status %v", statuses)
	}
	if n := front.writeCount(); n < 10 {
		t.Errorf("only %d writes reached Xero; the second dropped reply was never met", n)
	}
	t.Logf("first sync: %s, %d requests by status %v, %d replayed by idempotency key", time.Since(start).Round(time.Millisecond), len(sim.Requests()), statuses, replayed)

	// Run again: whatever the faults left undone is done, nothing twice.
	sim.ResetRequests()
	o = b.run("", "sync", "xero", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	if created, updated, failed := rep.total("upload"); created+updated+failed != 0 || len(rep.Errors) > 0 {
		t.Errorf("second sync sent %d new, %d changed, %d failed; want nothing\n%s", created, updated, failed, o)
	}
	st := readSimState(t, simFile)
	wantOnceInXero(t, st, want)
	for _, inv := range []string{"INV-1001", "INV-1002", "INV-1004", "INV-1007", "HG-55120", "BSM-0087"} {
		if status, due, ok := st.invoice(inv); !ok || status != "PAID" || !due.IsZero() {
			t.Errorf("%s in Xero: %s with %s due, want PAID by its payment", inv, status, due)
		}
	}
	for _, r := range sim.Requests() {
		if (r.Method == http.MethodPut || r.Method == http.MethodPost) && r.Status == http.StatusOK && !r.Replayed {
			t.Errorf("the second sync wrote to Xero: %s %s", r.Method, r.Path)
		}
	}
	o = b.run("", "exported", "xero", "--json")
	wantExit(t, o, exitOK)
	exported := decode[[]jsonExported](t, o)
	if len(exported) != sent {
		t.Errorf("exported lists %d rows, want %d", len(exported), sent)
	}
	for _, r := range exported {
		if !r.Verified || r.RemoteID == "" || !strings.HasPrefix(r.URL, "https://") {
			t.Errorf("exported row %+v: want Verified with its remote ID and link", r)
		}
	}

	// A payment made in Xero (from its bank feed) is created and allocated
	// here, once.
	_, due, ok := st.invoice("INV-1006")
	if !ok || !due.IsPositive() {
		t.Fatalf("INV-1006 has nothing due in Xero (%s)", due)
	}
	reference := bankFeedPayment(t, srv.URL, tenant, "INV-1006", due)
	o = b.run("", "payments", "xero", "--allocate", "--json")
	wantExit(t, o, exitOK)
	var found bool
	for _, r := range decode[[]jsonImportRow](t, o) {
		if r.Reference != reference {
			continue
		}
		found = true
		if r.Outcome != "allocated" || r.Status != "Payment created and allocated" || !slices.Equal(r.AllocatedTo, []string{"INV-1006"}) {
			t.Errorf("the bank-feed payment came in as %+v, want created and allocated to INV-1006", r)
		}
		if amount, err := decimal.NewFromString(r.Amount); err != nil || !amount.Equal(due) {
			t.Errorf("the bank-feed payment's amount is %q, want %s", r.Amount, due)
		}
	}
	if !found {
		t.Fatalf("payments --allocate did not bring in the bank-feed payment:\n%s", o)
	}
	o = b.run("", "payments", "xero", "--allocate")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "No new payments.") {
		t.Errorf("payments imported twice: %q", o.stdout)
	}
	// The payment Xero made is not sent back to Xero.
	o = b.run("", "pending", "xero", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Errorf("after the payment import these wait to be sent to Xero: %v", pendingRefs(rows))
	}
}

// TestE2ESandboxEveryPackage: in the Sandbox every package with a simulator
// installs GREEN against its own simulated company, takes the whole sample
// business with no failure, and sends nothing on a second sync.
func TestE2ESandboxEveryPackage(t *testing.T) {
	reg, err := shippedRegistry(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range reg.InOrder() {
		if def.Sandbox == nil || def.Name == "xero" {
			continue // the Sandbox's first module has tests of its own
		}
		t.Run(def.Name, func(t *testing.T) {
			t.Parallel()
			c := &inProcess{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory(), registry: shippedRegistry}
			wantExit(t, c.run("--sandbox", "install", def.Name), exitOK)
			o := c.run("--sandbox", "modules", "--json")
			wantExit(t, o, exitOK)
			if !slices.ContainsFunc(decode[[]jsonModule](t, o), func(m jsonModule) bool { return m.Name == def.Name && m.Light == "GREEN" }) {
				t.Fatalf("%s is not GREEN in the Sandbox: %s", def.Name, o)
			}
			o = c.run("--sandbox", "sync", def.Name, "--json")
			wantExit(t, o, exitOK)
			rep := decode[jsonReport](t, o)
			created, _, failed := rep.total("upload")
			if created == 0 || failed != 0 || len(rep.Errors) > 0 {
				t.Fatalf("first Sandbox sync of %s: %d created, %d failed, errors %v\n%s", def.Name, created, failed, rep.Errors, o)
			}
			o = c.run("--sandbox", "sync", def.Name, "--json")
			wantExit(t, o, exitOK)
			rep = decode[jsonReport](t, o)
			if created, updated, failed := rep.total("upload"); created+updated+failed != 0 {
				t.Errorf("second Sandbox sync of %s sent %d new, %d changed, %d failed; want nothing\n%s", def.Name, created, updated, failed, o)
			}
			o = c.run("--sandbox", "pending", def.Name, "--json")
			wantExit(t, o, exitOK)
			if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
				t.Errorf("%s has records still pending after two syncs: %v", def.Name, pendingRefs(rows))
			}
		})
	}
}
