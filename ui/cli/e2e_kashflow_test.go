package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"syscall"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow/kashflowsim"
	"ledgerlink/storage"
)

// The end-to-end tests of this file run the real binary against KashFlow's
// simulator served on 127.0.0.1, reached as the real KashFlow would be:
// the endpoint setting points at it and the API password goes to the
// system keyring from standard input. The keyring entry is one for every
// data folder; every test keeps the same password in it, and none removes
// it (the test command's keyring is thrown away), so the tests run side by
// side: each waits mostly on KashFlow's pacing, in a process of its own.

// kashflowFront stands in front of the simulator: it counts the SOAP
// operations and, at the request a trigger picks, lets KashFlow commit
// it and kills the LedgerLink process before the answer leaves.
type kashflowFront struct {
	sim *kashflowsim.Sim

	mu      stdsync.Mutex
	counts  map[string]int
	trigger func(op string, n int, body string) bool
	kill    func()
	fired   bool
}

func (f *kashflowFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := strings.TrimPrefix(strings.Trim(r.Header.Get("SOAPAction"), `"`), "KashFlow/")
	f.mu.Lock()
	f.counts[op]++
	fire := !f.fired && f.trigger != nil && f.trigger(op, f.counts[op], string(body))
	kill := f.kill
	if fire {
		f.fired = true
	}
	f.mu.Unlock()
	if !fire {
		f.sim.ServeHTTP(w, r)
		return
	}
	// KashFlow commits the write; LedgerLink dies before it hears so.
	f.sim.ServeHTTP(httptest.NewRecorder(), r)
	kill()
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}

// arm sets the kill point of the next run; nil runs to the end.
func (f *kashflowFront) arm(trigger func(op string, n int, body string) bool, kill func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trigger, f.kill, f.fired = trigger, kill, false
	f.counts = map[string]int{}
}

func (f *kashflowFront) calls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.counts)
}

func (f *kashflowFront) hasFired() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// kashflowSetup is one data folder signed in to a loopback simulator.
type kashflowSetup struct {
	b     subprocess
	sim   *kashflowsim.Sim
	front *kashflowFront
	url   string
}

// kashflowMappings map the sample's codes to the simulated company's.
var kashflowMappings = []string{
	"map.nominal.200=200", "map.nominal.260=260", "map.nominal.300=300", "map.nominal.400=400",
	"map.tax.OUTPUT2=20", "map.tax.INPUT2=20", "map.tax.ZERORATEDOUTPUT=0", "map.tax.ZERORATEDINPUT=0",
	"map.bank.090=90",
	"opt.multi_currency=true",
}

// newKashFlowSetup installs KashFlow in a new data folder, points it at a
// new simulator on loopback, keeps the API password in the keyring, signs
// in and imports the sample business.
func newKashFlowSetup(t *testing.T, mirror bool) *kashflowSetup {
	t.Helper()
	sim, err := kashflowsim.New(kashflowsim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	front := &kashflowFront{sim: sim, counts: map[string]int{}}
	srv := httptest.NewServer(front)
	t.Cleanup(srv.Close)
	s := &kashflowSetup{b: subprocess{t: t, dataDir: t.TempDir()}, sim: sim, front: front, url: srv.URL}
	b := s.b
	wantExit(t, b.run("", "install", "kashflow"), exitOK)
	wantExit(t, b.run("", "config", "kashflow", "endpoint="+srv.URL+kashflowsim.Path, "username="+kashflowsim.SandboxUser), exitOK)
	o := b.run(kashflowsim.SandboxPassword+"\n", "config", "kashflow", "--secret", "password")
	if strings.Contains(o.stderr, "No system keyring") {
		t.Fatal(keyringHowTo)
	}
	wantExit(t, o, exitOK)
	o = b.run("", "login", "kashflow")
	wantExit(t, o, exitOK)
	if strings.Contains(o.stdout+o.stderr, kashflowsim.SandboxPassword) {
		t.Errorf("the API password was shown: %s", o)
	}
	wantExit(t, b.run("", append([]string{"import"}, copySample(t)...)...), exitOK)
	levels := append([]string{"config", "kashflow", "--yes"}, kashflowMappings...)
	for _, typ := range connectors.MatrixTypes() {
		levels = append(levels, "sync.upload."+string(typ)+"=new+updated")
		if mirror {
			levels = append(levels, "sync.mirror."+string(typ)+"=new+updated")
		}
	}
	wantExit(t, b.run("", levels...), exitOK)
	o = b.run("", "modules", "--json")
	wantExit(t, o, exitOK)
	if m := decode[[]jsonModule](t, o); !slices.ContainsFunc(m, func(m jsonModule) bool { return m.Name == "kashflow" && m.Light == "GREEN" }) {
		t.Fatalf("signed in and configured, KashFlow is %+v, want GREEN", m)
	}
	return s
}

// startKilled runs ledgerlink ARGS as a process the front kills at its
// trigger; it waits for the process and reports whether it was killed.
func (s *kashflowSetup) startKilled(t *testing.T, trigger func(op string, n int, body string) bool, args ...string) (killed bool, out string) {
	t.Helper()
	full := append(slices.Clone(args), "--data-dir", s.b.dataDir)
	raw, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEDGERLINK_TEST_RUN_MAIN=1", "LEDGERLINK_TEST_ARGS_JSON="+string(raw))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	started := make(chan struct{})
	s.front.arm(trigger, func() {
		<-started
		_ = cmd.Process.Signal(syscall.SIGKILL)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	close(started)
	err = cmd.Wait()
	if !s.front.hasFired() {
		return false, buf.String()
	}
	s.front.arm(nil, nil)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, buf.String()
		}
	}
	return false, buf.String()
}

// markOf reads LedgerLink's code off a KashFlow reference or note.
var markOf = regexp.MustCompile(`^\[([^\]]+)\]`)

// kashflowHolds is, per LedgerLink type, the code of every record the
// simulated company holds (repeats included), and the problems of the
// payments: a part sent twice, or parts missing.
func kashflowHolds(t *testing.T, snap kashflowsim.Snapshot) (map[connectors.RecordType][]string, []string) {
	t.Helper()
	credit := map[string]bool{}
	parts := map[string]int{}
	for _, r := range sampleRecords(t) {
		switch {
		case r.Type == connectors.CreditNotes:
			credit[r.Code()] = true
		case r.Payment != nil:
			parts[string(r.Type)+":"+r.Code()] = len(r.Payment.Allocations)
		}
	}
	got := map[connectors.RecordType][]string{}
	for _, c := range snap.Customers {
		got[connectors.Customers] = append(got[connectors.Customers], c.Code)
	}
	for _, s := range snap.Suppliers {
		got[connectors.Suppliers] = append(got[connectors.Suppliers], s.Code)
	}
	for _, d := range snap.Documents {
		m := markOf.FindStringSubmatch(d.Reference)
		if m == nil {
			continue
		}
		typ := map[string]connectors.RecordType{"quote": connectors.Quotes, "invoice": connectors.SalesInvoices, "receipt": connectors.PurchaseInvoices}[d.Kind]
		if credit[m[1]] {
			typ = connectors.CreditNotes
		}
		got[typ] = append(got[typ], m[1])
	}
	byPayment := map[string][]int{}
	var order []string
	for _, p := range snap.Payments {
		m := markOf.FindStringSubmatch(p.Note)
		if m == nil {
			continue // made in KashFlow
		}
		typ := connectors.InvoicePayments
		if p.Kind == "receipt" {
			typ = connectors.PurchasePayments
		}
		key := string(typ) + ":" + m[1]
		if _, ok := byPayment[key]; !ok {
			order = append(order, key)
			got[typ] = append(got[typ], m[1])
		}
		byPayment[key] = append(byPayment[key], p.Document)
	}
	var problems []string
	for _, key := range order {
		docs := byPayment[key]
		sorted := slices.Clone(docs)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(docs) {
			problems = append(problems, key+": a document paid twice by it")
		}
		if len(docs) != parts[key] {
			problems = append(problems, key+": "+strconv.Itoa(len(docs))+" parts in KashFlow, want "+strconv.Itoa(parts[key]))
		}
	}
	for typ := range got {
		slices.Sort(got[typ])
	}
	return got, problems
}

// wantOnceInKashFlow checks that the simulator holds every record of want
// exactly once, and every part of every payment once.
func wantOnceInKashFlow(t *testing.T, sim *kashflowsim.Sim, want map[connectors.RecordType][]string) {
	t.Helper()
	got, problems := kashflowHolds(t, sim.Snapshot())
	for _, typ := range uploadedTypes {
		if !slices.Equal(got[typ], want[typ]) {
			t.Errorf("KashFlow holds %s %v, want each of %v exactly once", typ, got[typ], want[typ])
		}
	}
	for _, p := range problems {
		t.Errorf("KashFlow payment %s", p)
	}
	if v := sim.Violations(); len(v) > 0 {
		t.Errorf("requests that break KashFlow's WSDL: %v", v)
	}
}

// TestE2EKashFlowKilledUploadExactlyOnce kills the real binary (SIGKILL)
// at each step of an upload, just after KashFlow took a write and before
// its answer arrived, then runs the upload again to the end: every record
// of the sample is in KashFlow exactly once.
func TestE2EKashFlowKilledUploadExactlyOnce(t *testing.T) {
	t.Parallel()
	want := sampleCodes(t)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}
	tests := []struct {
		name    string
		trigger func(op string, n int, body string) bool
	}{
		{"after the first customer write", func(op string, n int, _ string) bool { return op == "InsertCustomer" && n == 1 }},
		{"mid-invoices", func(op string, n int, _ string) bool { return op == "InsertInvoice" && n == 3 }},
		{"mid-payments", func(op string, n int, _ string) bool { return op == "InsertInvoicePayment" && n == 2 }},
		{"during a payment split over several invoices", func(op string, _ int, body string) bool {
			return op == "InsertInvoicePayment" && strings.Contains(body, "[RCPT-0003]")
		}},
		{"mid-purchase payments", func(op string, n int, _ string) bool { return op == "InsertReceiptPayment" && n == 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newKashFlowSetup(t, false)
			killed, out := s.startKilled(t, tc.trigger, "upload", "kashflow", "--all", "--json")
			if !killed {
				t.Fatalf("the upload was not killed at its step:\n%s", out)
			}
			o := s.b.run("", "upload", "kashflow", "--all", "--json")
			wantExit(t, o, exitOK)
			if rep := decode[jsonReport](t, o); len(rep.Errors) > 0 {
				t.Errorf("the rerun reported errors %v", rep.Errors)
			}
			wantOnceInKashFlow(t, s.sim, want)

			o = s.b.run("", "pending", "kashflow", "--json")
			wantExit(t, o, exitOK)
			if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
				t.Errorf("after the rerun still pending: %v", pendingRefs(rows))
			}
			o = s.b.run("", "exported", "kashflow", "--json")
			wantExit(t, o, exitOK)
			rows := decode[[]jsonExported](t, o)
			if len(rows) != sent {
				t.Errorf("exported lists %d rows, want %d", len(rows), sent)
			}
			for _, r := range rows {
				if !r.Verified || r.RemoteID == "" {
					t.Errorf("exported row %+v is not verified", r)
				}
			}
		})
	}
}

// TestE2EKashFlowSyncShapeChangeAndNoChangeRun syncs the sample both ways,
// measures the calls of a second sync that finds nothing changed, then
// fills in a domestic customer's contact field in KashFlow: the next sync
// turns the local person into a company with that contact, keeping its
// invoices and payments.
func TestE2EKashFlowSyncShapeChangeAndNoChangeRun(t *testing.T) {
	t.Parallel()
	s := newKashFlowSetup(t, true)
	want := sampleCodes(t)
	o := s.b.run("", "sync", "kashflow", "--json")
	wantExit(t, o, exitOK)
	if rep := decode[jsonReport](t, o); len(rep.Errors) > 0 {
		t.Fatalf("first sync reported errors %v\n%s", rep.Errors, o)
	}
	wantOnceInKashFlow(t, s.sim, want)
	t.Logf("first sync: %d calls: %v", callTotal(s.front.calls()), s.front.calls())

	s.front.arm(nil, nil)
	o = s.b.run("", "sync", "kashflow", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	if created, updated, failed := rep.total("upload"); created+updated+failed != 0 {
		t.Errorf("second sync sent %d new, %d changed, %d failed; want nothing\n%s", created, updated, failed, o)
	}
	calls := s.front.calls()
	t.Logf("no-change sync: %d calls: %v", callTotal(calls), calls)
	for op := range calls {
		if strings.HasPrefix(op, "Insert") || strings.HasPrefix(op, "Update") || strings.HasPrefix(op, "AddOrUpdate") || strings.HasPrefix(op, "Delete") || strings.HasPrefix(op, "apply") {
			t.Errorf("the no-change sync wrote to KashFlow: %s×%d", op, calls[op])
		}
	}
	wantOnceInKashFlow(t, s.sim, want)

	before := localRecord(t, s.b.dataDir, connectors.Customers, "C001")
	if before.Party == nil || before.Party.IsCompany() {
		t.Fatalf("C001 is %+v locally, want a person (the sample's domestic customer)", before.Party)
	}
	if err := s.sim.SetCustomerContact("C001", "Emma Clarke"); err != nil {
		t.Fatal(err)
	}
	o = s.b.run("", "sync", "kashflow", "--json")
	wantExit(t, o, exitOK)
	after := localRecord(t, s.b.dataDir, connectors.Customers, "C001")
	if after.Party == nil || !after.Party.IsCompany() || after.Party.ContactPerson != "Emma Clarke" {
		t.Errorf("after the contact was filled in KashFlow, C001 is %+v locally; want a company with contact Emma Clarke\n%s", after.Party, o)
	}
	inv := localRecord(t, s.b.dataDir, connectors.SalesInvoices, "INV-1001")
	if inv.Document == nil || inv.Document.PartyCode != "C001" {
		t.Errorf("INV-1001 no longer belongs to C001 locally: %+v", inv.Document)
	}
	pay := localRecord(t, s.b.dataDir, connectors.InvoicePayments, "RCPT-0001")
	if pay.Payment == nil || pay.Payment.PartyCode != "C001" || len(pay.Payment.Allocations) != 1 || pay.Payment.Allocations[0].DocumentCode != "INV-1001" {
		t.Errorf("RCPT-0001 no longer pays INV-1001 for C001 locally: %+v", pay.Payment)
	}
	wantOnceInKashFlow(t, s.sim, want)

	// An invoice deleted in KashFlow is shown as deleted here, and not
	// sent again.
	number := 0
	for _, d := range s.sim.Snapshot().Documents {
		if m := markOf.FindStringSubmatch(d.Reference); d.Kind == "invoice" && m != nil && m[1] == "INV-1011" {
			number = d.Number
		}
	}
	if err := s.sim.Remove("invoice", number); err != nil {
		t.Fatalf("deleting INV-1011 (number %d) in KashFlow: %v", number, err)
	}
	o = s.b.run("", "sync", "kashflow", "--json")
	wantExit(t, o, exitOK)
	notes := decode[struct {
		Notes []string `json:"notes"`
	}](t, o).Notes
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "INV-1011") && strings.Contains(n, "deleted") }) {
		t.Errorf("the sync after INV-1011 was deleted in KashFlow notes %q; want it shown as deleted", notes)
	}
	if created, updated, failed := decode[jsonReport](t, o).total("upload"); created+updated+failed != 0 {
		t.Errorf("the sync after the deletion sent %d new, %d changed, %d failed; want nothing", created, updated, failed)
	}
	got, _ := kashflowHolds(t, s.sim.Snapshot())
	if slices.Contains(got[connectors.SalesInvoices], "INV-1011") {
		t.Errorf("INV-1011 was sent to KashFlow again after its deletion there")
	}
}

// localRecord reads one record of the data folder's books.
func localRecord(t *testing.T, dataDir string, typ connectors.RecordType, code string) connectors.Record {
	t.Helper()
	db, err := storage.Open(dataDir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Get(context.Background(), typ, code)
	if err != nil {
		t.Fatalf("reading %s %s locally: %v", typ, code, err)
	}
	return r.Record
}

func callTotal(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

// TestE2EKashFlowSignInMessages: when KashFlow refuses the sign-in, login
// says why in plain words (API access switched off, a wrong password, an
// IP address not in the access list, with the address seen) and what to
// do, and the module list's notes say it too.
func TestE2EKashFlowSignInMessages(t *testing.T) {
	t.Parallel()
	s := newKashFlowSetup(t, false)
	tests := []struct {
		name  string
		set   func()
		words []string
	}{
		{"API access switched off", func() { s.sim.SetAPIEnabled(false) }, []string{"KashFlow", "API", "Settings"}},
		{"wrong password", func() { s.sim.SetPassword("another-password") }, []string{"KashFlow", "password"}},
		{"IP address not in the access list", func() { s.sim.SetAccessList("192.0.2.10") }, []string{"KashFlow", "127.0.0.1", "IP"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.set()
			t.Cleanup(func() {
				s.sim.SetAPIEnabled(true)
				s.sim.SetPassword(kashflowsim.SandboxPassword)
				s.sim.SetAccessList()
				// Signing in again clears the note to reconnect.
				wantExit(t, s.b.run("", "login", "kashflow"), exitOK)
			})
			o := s.b.run("", "login", "kashflow")
			wantExit(t, o, exitSetup)
			for _, w := range tc.words {
				if !strings.Contains(o.stderr, w) {
					t.Errorf("login says %q; want it to name %q", o.stderr, w)
				}
			}
			if strings.Contains(o.stdout+o.stderr, kashflowsim.SandboxPassword) {
				t.Errorf("the API password was shown: %s", o)
			}
			// A sync refused the same way says so too, and leaves the
			// module's note to reconnect.
			o = s.b.run("", "sync", "kashflow")
			if o.code == exitOK {
				t.Fatalf("a sync KashFlow refuses ended well:\n%s", o)
			}
			if !strings.Contains(o.stderr, "KashFlow") {
				t.Errorf("sync says %q; want it to name KashFlow", o.stderr)
			}
			o = s.b.run("", "modules", "--json")
			wantExit(t, o, exitOK)
			var mod jsonModule
			for _, m := range decode[[]jsonModule](t, o) {
				if m.Name == "kashflow" {
					mod = m
				}
			}
			if mod.Light != "AMBER" || !strings.Contains(strings.Join(mod.Notes, " "), "KashFlow") {
				t.Errorf("after the refusal the module list shows %+v; want AMBER with a note naming KashFlow", mod)
			}
		})
	}
	o := s.b.run("", "login", "kashflow")
	wantExit(t, o, exitOK)
	o = s.b.run("", "modules", "--json")
	wantExit(t, o, exitOK)
	if !slices.ContainsFunc(decode[[]jsonModule](t, o), func(m jsonModule) bool { return m.Name == "kashflow" && m.Light == "GREEN" }) {
		t.Errorf("signed in again, KashFlow is not GREEN: %s", o)
	}
}
