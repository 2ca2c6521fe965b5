package cli

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

// The end-to-end tests of this file run the real binary against
// QuickBooks Online's simulator on 127.0.0.1, signed in through the
// simulator's OAuth pages as a person signs in through Intuit's.

// fakeBrowserName is the name the test binary answers to when it stands
// in for the system browser: the real binary opens the sign-in page with
// xdg-open, and the tests put a link of that name to themselves first on
// the PATH.
const fakeBrowserName = "xdg-open"

func init() {
	if filepath.Base(os.Args[0]) != fakeBrowserName || len(os.Args) < 2 {
		return
	}
	// The person "clicks Connect" at once: the sign-in page redirects to
	// LedgerLink's loopback address, which the browser follows.
	resp, err := http.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake browser:", err)
		os.Exit(1)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	os.Exit(0)
}

// useFakeBrowser makes the test binary the browser of the processes this
// test starts.
func useFakeBrowser(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(os.Args[0], filepath.Join(dir, fakeBrowserName)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// freeLoopbackPort finds a port on 127.0.0.1 nothing listens on.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// faultyQBO stands in front of the simulator: it counts the requests and
// writes that reach it and arms faults just before chosen writes.
type faultyQBO struct {
	sim *qbosim.Sim
	mu  stdsync.Mutex
	// armBefore maps the n-th write (1-based, retries included) to the
	// fault armed just before it; throttleAt marks the writes answered
	// with QuickBooks's throttle.
	armBefore  map[int]func()
	throttleAt map[int]bool
	writes     int
	requests   int
	throttled  int
	stale      int
	calls      []string
}

func (f *faultyQBO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/v3/company/") {
		f.requests++
		f.calls = append(f.calls, callName(r))
		if isWrite(r) {
			f.writes++
			if arm := f.armBefore[f.writes]; arm != nil {
				arm()
			}
			if f.throttleAt[f.writes] {
				// QuickBooks's throttle, in XML even to a JSON request.
				// Intuit documents no wait; a short Retry-After keeps
				// the test from waiting the connector's full minute.
				f.sim.ThrottleNext(1, false)
				w.Header().Set("Retry-After", "1")
				f.throttled++
			}
		}
	}
	rec := &answerRecorder{ResponseWriter: w}
	f.sim.ServeHTTP(rec, r)
	if bytes.Contains(rec.body, []byte(`"5010"`)) {
		f.stale++
	}
}

// answerRecorder keeps what the simulator answered, as it passes it on.
type answerRecorder struct {
	http.ResponseWriter
	body []byte
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	a.body = append(a.body, p...)
	return a.ResponseWriter.Write(p)
}

// staleAnswers counts the Stale Object Errors (5010) QuickBooks answered.
func (f *faultyQBO) staleAnswers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stale
}

// isWrite tells a write from a read sent by POST (a query, or a batch of
// queries), leaving the request's body as it was.
func isWrite(r *http.Request) bool {
	if r.Method != http.MethodPost || strings.HasSuffix(r.URL.Path, "/query") {
		return false
	}
	if !strings.HasSuffix(r.URL.Path, "/batch") {
		return true
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return bytes.Contains(body, []byte(`"operation"`))
}

// callName names a request by what it asks for: the entity of a query or
// write, cdc, or batch.
func callName(r *http.Request) string {
	_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v3/company/"), "/")
	if q := r.URL.Query().Get("query"); q != "" {
		if f := strings.Fields(q); len(f) >= 4 {
			return "query " + f[3]
		}
	}
	return r.Method + " " + rest
}

// callsSince tallies the requests after the first n by name.
func (f *faultyQBO) callsSince(n int) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls[n:] {
		out[c]++
	}
	return out
}

// counts says how many requests and writes reached QuickBooks so far.
func (f *faultyQBO) counts() (requests, writes, throttled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.writes, f.throttled
}

// arm replaces the faults, counted from the next write on.
func (f *faultyQBO) arm(armBefore map[int]func(), throttleAt map[int]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	shift := func(n int) int { return f.writes + n }
	f.armBefore, f.throttleAt = map[int]func(){}, map[int]bool{}
	for n, fn := range armBefore {
		f.armBefore[shift(n)] = fn
	}
	for n := range throttleAt {
		f.throttleAt[shift(n)] = true
	}
}

// qboCodes lists, per LedgerLink type, the business code of every record
// the simulated company holds (repeats included), leaving out what the
// company held before the sample came: its own products' customers and
// the payments that only apply credit notes (no money moves).
func qboCodes(sim *qbosim.Sim) map[connectors.RecordType][]string {
	out := map[connectors.RecordType][]string{}
	str := func(o map[string]any, k string) string { s, _ := o[k].(string); return s }
	add := func(t connectors.RecordType, entity, field string, keep func(map[string]any) bool) {
		for _, o := range sim.Objects(qbosim.SandboxRealmID, entity) {
			if code := str(o, field); code != "" && (keep == nil || keep(o)) {
				out[t] = append(out[t], code)
			}
		}
	}
	add(connectors.Customers, "Customer", "AcctNum", nil)
	add(connectors.Suppliers, "Vendor", "AcctNum", nil)
	add(connectors.Quotes, "Estimate", "DocNumber", nil)
	add(connectors.SalesInvoices, "Invoice", "DocNumber", nil)
	add(connectors.PurchaseInvoices, "Bill", "DocNumber", nil)
	add(connectors.CreditNotes, "CreditMemo", "DocNumber", nil)
	add(connectors.CreditNotes, "VendorCredit", "DocNumber", nil)
	movesMoney := func(o map[string]any) bool {
		total, err := decimal.NewFromString(fmt.Sprint(o["TotalAmt"]))
		return err == nil && !total.IsZero()
	}
	add(connectors.InvoicePayments, "Payment", "PaymentRefNum", movesMoney)
	add(connectors.PurchasePayments, "BillPayment", "DocNumber", movesMoney)
	for t := range out {
		slices.Sort(out[t])
	}
	return out
}

// qboObject finds the one object of entity whose field is value.
func qboObject(t *testing.T, sim *qbosim.Sim, entity, field, value string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, o := range sim.Objects(qbosim.SandboxRealmID, entity) {
		if o[field] == value {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("QuickBooks holds %d %s with %s %s, want one", len(found), entity, field, value)
	}
	return found[0]
}

// wantOnceInQBO checks that the simulated company holds every record of
// want exactly once.
func wantOnceInQBO(t *testing.T, sim *qbosim.Sim, want map[connectors.RecordType][]string) {
	t.Helper()
	got := qboCodes(sim)
	for _, typ := range uploadedTypes {
		if !slices.Equal(got[typ], want[typ]) {
			t.Errorf("QuickBooks holds %s %v, want each of %v exactly once", typ, got[typ], want[typ])
		}
	}
}

// TestE2EQuickBooksLoopbackRealBinary runs the real binary against
// QuickBooks Online's simulator on 127.0.0.1 in strict mode, set up as a
// person sets up their own Intuit app: addresses, the client secret on
// standard input, the browser sign-in returning to a loopback address,
// the sample business imported and its codes mapped. The first sync meets
// QuickBooks's throttle and a lost reply; the second sends nothing; a
// payment entered in QuickBooks is created and allocated here; a customer
// changed in QuickBooks and then here is updated over a Stale Object Error
// and a throttle without losing what QuickBooks holds; every sample code
// is in QuickBooks exactly once throughout.
func TestE2EQuickBooksLoopbackRealBinary(t *testing.T) {
	useFakeBrowser(t) // sets PATH: this test cannot run in parallel
	sim, err := qbosim.New(qbosim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("requests broke QuickBooks's documented rules:\n%s", strings.Join(v, "\n"))
		}
	})
	front := &faultyQBO{sim: sim}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)

	b := subprocess{t: t, dataDir: t.TempDir()}
	want := sampleCodes(t)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}

	wantExit(t, b.run("", "install", "quickbooks"), exitOK)
	t.Cleanup(func() { b.run("", "uninstall", "quickbooks") }) // leaves the session keyring as it was
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", freeLoopbackPort(t))
	wantExit(t, b.run("", "config", "quickbooks", quickbooks.KeyEnvironment+"="+quickbooks.Development,
		quickbooks.KeySandboxAPIURL+"="+srv.URL, quickbooks.KeyAuthURL+"="+srv.URL+"/connect/oauth2",
		quickbooks.KeyTokenURL+"="+srv.URL+"/oauth2/v1/tokens/bearer", quickbooks.KeyRevokeURL+"="+srv.URL+"/v2/oauth2/tokens/revoke",
		quickbooks.KeyRedirectURI+"="+redirect), exitOK)
	wantExit(t, b.run("", "config", "quickbooks", quickbooks.KeySandboxAPIURL+"=http://quickbooks.example.com"), exitSetup)

	// Sign in with the client secret on standard input; the browser
	// returns to LedgerLink's loopback address.
	o := b.run("wrong-secret\n", "login", "quickbooks", "--client-id", qbosim.SandboxClientID)
	if strings.Contains(o.stderr, "No system keyring") {
		t.Fatal(keyringHowTo)
	}
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "QuickBooks") || strings.Contains(o.stderr, "wrong-secret") {
		t.Errorf("a refused sign-in says %q; want QuickBooks named and the secret never shown", o.stderr)
	}
	o = b.run(qbosim.SandboxClientSecret+"\n", "login", "quickbooks", "--client-id", qbosim.SandboxClientID, "--json")
	wantExit(t, o, exitOK)
	login := decode[struct {
		Organisation connectors.Organisation `json:"organisation"`
		Module       jsonModule              `json:"module"`
	}](t, o)
	if login.Organisation.ID != qbosim.SandboxRealmID || !login.Module.Installed {
		t.Fatalf("login --json = %+v; want company %s", login, qbosim.SandboxRealmID)
	}
	if strings.Contains(o.stdout+o.stderr, qbosim.SandboxClientSecret) || strings.Contains(string(fileBytes(t, filepath.Join(b.dataDir, "ledgerlink.db"))), qbosim.SandboxClientSecret) {
		t.Error("the client secret was shown or saved outside the keyring")
	}

	wantExit(t, b.run("", append([]string{"import"}, copySample(t)...)...), exitOK)
	wantExit(t, b.run("", "config", "quickbooks", "--get-accounts"), exitOK)
	wantExit(t, b.run("", "config", "quickbooks", "--apply-default-setup"), exitOK)
	levels := []string{"config", "quickbooks", "--yes", "opt.multi_currency=true"}
	for _, typ := range connectors.MatrixTypes() {
		levels = append(levels, "sync.upload."+string(typ)+"=new+updated", "sync.mirror."+string(typ)+"=new+updated")
	}
	wantExit(t, b.run("", levels...), exitOK)
	o = b.run("", "modules", "--json")
	if m := decode[[]jsonModule](t, o); !slices.ContainsFunc(m, func(m jsonModule) bool { return m.Name == "quickbooks" && m.Light == "GREEN" }) {
		t.Fatalf("signed in and configured, QuickBooks is %+v, want GREEN", m)
	}

	// The first sync: throttled on its second write, and the reply to its
	// fourth lost (the write took effect in QuickBooks).
	front.arm(map[int]func(){4: func() { sim.DropNextReplies(1) }}, map[int]bool{2: true})
	req0, writes0, _ := front.counts()
	o = b.run("", "sync", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != sent || failed != 0 || len(rep.Errors) > 0 {
		t.Fatalf("sync under faults created %d, failed %d, errors %v; want %d created\nQuickBooks holds %v\n%s",
			created, failed, rep.Errors, sent, qboCodes(sim), o)
	}
	req1, writes1, throttled := front.counts()
	if throttled != 1 || writes1-writes0 < 4 {
		t.Errorf("the faults were not all met: %d throttled, %d writes", throttled, writes1-writes0)
	}
	t.Logf("first sync: %d requests, %d of them writes, for %d records", req1-req0, writes1-writes0, sent)
	wantOnceInQBO(t, sim, want)
	for _, inv := range []string{"INV-1001", "INV-1002", "INV-1004", "INV-1007"} {
		if bal := fmt.Sprint(qboObject(t, sim, "Invoice", "DocNumber", inv)["Balance"]); !decimal.RequireFromString(bal).IsZero() {
			t.Errorf("%s in QuickBooks has %s due, want it paid by its uploaded payment", inv, bal)
		}
	}

	// The second sync sends nothing and reads little.
	syncSendsNothing(t, b, front, "the second sync")
	wantOnceInQBO(t, sim, want)
	o = b.run("", "exported", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	exported := decode[[]jsonExported](t, o)
	if len(exported) != sent {
		t.Errorf("exported lists %d rows, want %d", len(exported), sent)
	}
	for _, r := range exported {
		if !r.Verified || r.RemoteID == "" || !strings.HasPrefix(r.URL, quickbooks.DefaultSandboxAppURL) {
			t.Errorf("exported row %+v: want Verified with its remote ID and a link to the sandbox company", r)
		}
	}

	// A payment entered in QuickBooks is created and allocated here, once.
	inv := qboObject(t, sim, "Invoice", "DocNumber", "INV-1006")
	due := decimal.RequireFromString(fmt.Sprint(inv["Balance"]))
	if !due.IsPositive() {
		t.Fatalf("INV-1006 has nothing due in QuickBooks (%s)", due)
	}
	const reference = "BACS C006 DEC"
	if _, err := sim.RecordPayment(qbosim.SandboxRealmID, reference, "2026-12-02", "090", "INV-1006"); err != nil {
		t.Fatal(err)
	}
	o = b.run("", "payments", "quickbooks", "--allocate", "--json")
	wantExit(t, o, exitOK)
	var found bool
	for _, r := range decode[[]jsonImportRow](t, o) {
		if r.Code != reference && r.Reference != reference {
			continue
		}
		found = true
		if r.Outcome != "allocated" || !slices.Equal(r.AllocatedTo, []string{"INV-1006"}) {
			t.Errorf("the payment entered in QuickBooks came in as %+v, want created and allocated to INV-1006", r)
		}
		if amount, err := decimal.NewFromString(r.Amount); err != nil || !amount.Equal(due) {
			t.Errorf("the payment's amount is %q, want %s", r.Amount, due)
		}
	}
	if !found {
		t.Fatalf("payments --allocate did not bring in the payment entered in QuickBooks:\n%s", o)
	}
	o = b.run("", "payments", "quickbooks", "--allocate")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "No new payments.") {
		t.Errorf("payments imported twice: %q", o.stdout)
	}
	o = b.run("", "pending", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Errorf("after the payment import these wait to be sent to QuickBooks: %v", pendingRefs(rows))
	}

	// A customer changed in QuickBooks (a note LedgerLink does not own),
	// then here (a new email): the update meets the Stale Object Error and
	// a throttle, and still lands once, keeping QuickBooks's note.
	c002 := qboObject(t, sim, "Customer", "AcctNum", "C002")
	const note = "Prefers invoices by post"
	if err := sim.Edit(qbosim.SandboxRealmID, "Customer", fmt.Sprint(c002["Id"]), map[string]any{"Notes": note}); err != nil {
		t.Fatal(err)
	}
	const newEmail = "oliver@hughes.example.net"
	var customers []string
	for _, p := range copySampleReplacing(t, []string{"oliver.hughes@example.net", newEmail}) {
		if filepath.Base(p) == "customers.csv" {
			customers = append(customers, p)
		}
	}
	wantExit(t, b.run("", append([]string{"import"}, customers...)...), exitOK)
	front.arm(map[int]func(){1: func() { sim.StaleNext(1) }}, map[int]bool{1: true})
	o = b.run("", "sync", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	if created, updated, failed := rep.total("upload"); created != 0 || updated != 1 || failed != 0 || len(rep.Errors) > 0 {
		t.Errorf("the sync after the changes sent %d new, %d changed, %d failed, errors %v; want C002 changed\n%s", created, updated, failed, rep.Errors, o)
	}
	if n := front.staleAnswers(); n != 1 {
		t.Errorf("QuickBooks answered %d Stale Object Errors, want the one armed", n)
	}
	if _, _, n := front.counts(); n != 2 {
		t.Errorf("QuickBooks throttled %d writes in all, want one in each of the two runs armed", n)
	}
	c002 = qboObject(t, sim, "Customer", "AcctNum", "C002")
	email, _ := c002["PrimaryEmailAddr"].(map[string]any)
	if email["Address"] != newEmail || c002["Notes"] != note {
		t.Errorf("C002 in QuickBooks after the update: email %v, notes %v; want %s and the note kept", email["Address"], c002["Notes"], newEmail)
	}
	want[connectors.InvoicePayments] = append(want[connectors.InvoicePayments], reference)
	slices.Sort(want[connectors.InvoicePayments])
	wantOnceInQBO(t, sim, want)
	o = b.run("", "feedback", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonFeedback](t, o); len(rows) != 0 {
		t.Errorf("feedback after the stale update: %+v", rows)
	}

	// Once every type has been read, a sync that finds nothing new asks
	// change data capture once per type and reads no list of transactions
	// in full (customers may be read as a whole list: QuickBooks cannot
	// look them up by account number).
	calls := syncSendsNothing(t, b, front, "the last sync")
	for _, entity := range []string{"Estimate", "Invoice", "Bill", "CreditMemo", "VendorCredit", "Payment", "BillPayment"} {
		if n := calls["query "+entity]; n != 0 {
			t.Errorf("the last sync read every %s (%d queries); want change data capture only", entity, n)
		}
	}
}

// syncSendsNothing runs a sync that must send and write nothing, and
// returns its requests to QuickBooks by name.
func syncSendsNothing(t *testing.T, b subprocess, front *faultyQBO, what string) map[string]int {
	t.Helper()
	before, writesBefore, _ := front.counts()
	o := b.run("", "sync", "quickbooks", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	if created, updated, failed := rep.total("upload"); created+updated+failed != 0 || len(rep.Errors) > 0 {
		t.Errorf("%s sent %d new, %d changed, %d failed, errors %v; want nothing\n%s", what, created, updated, failed, rep.Errors, o)
	}
	after, writes, _ := front.counts()
	if writes != writesBefore {
		t.Errorf("%s wrote %d times to QuickBooks", what, writes-writesBefore)
	}
	calls := front.callsSince(before)
	t.Logf("%s, with nothing new: %d requests: %v", what, after-before, calls)
	return calls
}
