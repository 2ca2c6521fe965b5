package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync/feed"
)

// The end-to-end tests of this file drive every headless verb through the
// real command functions against the reference ledger: one memory.Ledger
// shared by every invocation, as one accounting package outlives many
// runs of LedgerLink.

// memoryAPIKey is a secret setting added to the reference connector so the
// keyring verbs have something to keep.
const memoryAPIKey = "api_key"

// memoryRegistry registers the reference connector on l.
func memoryRegistry(l *memory.Ledger) func(bool) (*connectors.Registry, error) {
	return func(bool) (*connectors.Registry, error) {
		def := memory.NewDefinition(l)
		def.Settings = append(slices.Clone(def.Settings), connectors.Field{
			Key: memoryAPIKey, Label: "API key", Kind: connectors.KindSecret, Secret: true, Required: true, Tab: "Account",
		})
		reg := connectors.NewRegistry()
		return reg, reg.Register(def)
	}
}

func newMemoryCLI(t *testing.T) (*inProcess, *memory.Ledger) {
	t.Helper()
	l := memory.NewLedger()
	return &inProcess{t: t, dataDir: t.TempDir(), keyring: secrets.NewMemory(), registry: memoryRegistry(l)}, l
}

// memoryProducts turns the sample's product codes into the reference
// ledger's (its products cannot be added from outside). The barista course
// is kept as it is unless fixed: the ledger has no such product, so the
// documents that sell it are refused.
func memoryProducts(fixed bool) []string {
	r := []string{
		"BEAN-HOUSE-1KG", "WIDGET", "BEAN-DECAF-1KG", "WIDGET", "BEAN-ETH-250", "WIDGET",
		"GRINDER-C40", "GADGET", "KETTLE-GN", "GADGET", "DELIVERY", "CARRIAGE",
	}
	if fixed {
		r = append(r, "COURSE-BARISTA", "CONSULT")
	}
	return r
}

// memoryMappings map the sample's codes to the reference ledger's chart.
var memoryMappings = []string{
	"map.nominal.200=4000", "map.nominal.260=4010", "map.nominal.300=5100", "map.nominal.400=7500",
	"map.tax.OUTPUT2=T1", "map.tax.ZERORATEDOUTPUT=T0", "map.tax.INPUT2=T1", "map.tax.ZERORATEDINPUT=T0",
	"map.bank.090=1200",
	"opt.multi_currency=true",
}

// uploadAllNew sets every matrix type to NEW towards the package.
var uploadAllNew = []string{
	"sync.upload.customer=new", "sync.upload.quote=new", "sync.upload.sales_invoice=new", "sync.upload.invoice_payment=new",
	"sync.upload.supplier=new", "sync.upload.purchase_invoice=new", "sync.upload.purchase_payment=new",
}

// installMemory installs the module and stores its API key.
func installMemory(t *testing.T, c *inProcess) {
	t.Helper()
	wantExit(t, c.run("install", "memory"), exitOK)
	wantExit(t, c.runStdin("k-123\n", "config", "memory", "--secret", memoryAPIKey), exitOK)
}

// importSampleFiles imports the sample business, in the reference ledger's
// product codes, and returns its files.
func importSampleFiles(t *testing.T, c *inProcess, fixed bool) []string {
	t.Helper()
	files := copySampleReplacing(t, memoryProducts(fixed))
	wantExit(t, c.run(append([]string{"import", "--json"}, files...)...), exitOK)
	return files
}

// ledgerHolds checks that the ledger holds each of want's codes exactly
// once per type: no duplicate, no loss.
func ledgerHolds(t *testing.T, l *memory.Ledger, want map[connectors.RecordType][]string) {
	t.Helper()
	for typ, codes := range want {
		var got []string
		for _, r := range l.Records(typ) {
			got = append(got, r.Record.Code())
		}
		slices.Sort(got)
		if !slices.Equal(got, codes) {
			t.Errorf("the ledger's %s are %v, want each of %v exactly once", typ, got, codes)
		}
	}
}

func TestE2EMemoryConfig(t *testing.T) {
	c, _ := newMemoryCLI(t)

	o := c.run("install", "memory", "--json")
	wantExit(t, o, exitOK)
	inst := decode[struct {
		Steps  []string   `json:"steps"`
		Module jsonModule `json:"module"`
	}](t, o)
	if len(inst.Steps) == 0 || !inst.Module.Installed || inst.Module.Light != "AMBER" {
		t.Fatalf("install --json = %+v; want steps, installed, AMBER (API key missing)", inst)
	}
	if !slices.Contains(inst.Module.Notes, "API key is not set.") {
		t.Errorf("install notes %q do not say the API key is missing", inst.Module.Notes)
	}

	// Show every setting, and one.
	o = c.run("config", "memory", "--json")
	wantExit(t, o, exitOK)
	all := decode[[]jsonSetting](t, o)
	if s := settingValue(t, all, "organisation"); s.Value != "Demo Company" {
		t.Errorf("organisation = %q, want the default Demo Company", s.Value)
	}
	if s := settingValue(t, all, "sync.upload.sales_invoice"); s.Value != "OFF" {
		t.Errorf("a new module's Sales Invoices upload level is %q, want OFF", s.Value)
	}
	if s := settingValue(t, all, memoryAPIKey); !s.Secret || s.Set || s.Value != "not set" {
		t.Errorf("the API key shows as %+v, want a secret that is not set", s)
	}
	o = c.run("config", "memory", "organisation", "--json")
	wantExit(t, o, exitOK)
	if one := decode[[]jsonSetting](t, o); len(one) != 1 || one[0].Key != "organisation" {
		t.Errorf("config memory organisation = %+v, want that one setting", one)
	}
	o = c.run("config", "memory", "colour")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, `no setting "colour"`) {
		t.Errorf("an unknown setting is not named: %s", o.stderr)
	}

	// Levels: NEW needs no confirmation; NEW + UPDATED needs --yes and a
	// prerequisite at NEW + UPDATED.
	wantExit(t, c.run("config", "memory", "sync.upload.customer=new", "sync.upload.sales_invoice=new", "sync.upload.invoice_payment=new"), exitOK)
	o = c.run("config", "memory", "sync.upload.sales_invoice=new+updated", "--yes")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "Customers") {
		t.Errorf("raising Sales Invoices above its prerequisite does not name Customers: %s", o.stderr)
	}
	o = c.run("config", "memory", "sync.upload.customer=new+updated")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "changes your books") || !strings.Contains(o.stderr, "--yes") {
		t.Errorf("NEW + UPDATED without --yes does not warn and ask for --yes: %s", o.stderr)
	}
	o = c.run("config", "memory", "sync.upload.customer", "--json")
	wantExit(t, o, exitOK)
	if got := decode[[]jsonSetting](t, o)[0].Value; got != "NEW" {
		t.Fatalf("an unconfirmed change was saved: Customers upload is %q, want NEW", got)
	}
	o = c.run("config", "memory", "sync.upload.customer=new+updated", "sync.upload.sales_invoice=new+updated", "--yes", "--json")
	wantExit(t, o, exitOK)
	if ch := decode[jsonConfigChange](t, o); len(ch.Changes) < 2 {
		t.Errorf("confirmed change lists %q, want both levels", ch.Changes)
	}
	// Lowering Customers lowers what depends on it: the cascade is listed.
	o = c.run("config", "memory", "sync.upload.customer=off", "--json")
	wantExit(t, o, exitOK)
	ch := decode[jsonConfigChange](t, o)
	if !slices.ContainsFunc(ch.Changes, func(s string) bool {
		return strings.HasPrefix(s, "Sales Invoices") && strings.Contains(s, "because Customers is now OFF")
	}) || !slices.ContainsFunc(ch.Changes, func(s string) bool { return strings.HasPrefix(s, "Invoice Payments") }) {
		t.Errorf("lowering Customers does not list the cascade: %q", ch.Changes)
	}
	o = c.run("config", "memory", "--json")
	all = decode[[]jsonSetting](t, o)
	for _, k := range []string{"sync.upload.customer", "sync.upload.sales_invoice", "sync.upload.invoice_payment"} {
		if v := settingValue(t, all, k).Value; v != "OFF" {
			t.Errorf("after the cascade %s = %q, want OFF", k, v)
		}
	}

	// Timing, mappings and options.
	wantExit(t, c.run(append([]string{"config", "memory", "timing.mode=weekly", "timing.hour=3"}, memoryMappings...)...), exitOK)
	o = c.run("config", "memory", "--json")
	all = decode[[]jsonSetting](t, o)
	if v := settingValue(t, all, "timing.mode").Value; !strings.HasPrefix(v, "Weekly") || !strings.Contains(v, "03:00") {
		t.Errorf("timing = %q, want weekly at 03:00", v)
	}
	if v := settingValue(t, all, "map.nominal.200").Value; v != "4000" {
		t.Errorf("map.nominal.200 = %q, want 4000", v)
	}
	if v := settingValue(t, all, "opt.multi_currency").Value; v != "on" {
		t.Errorf("opt.multi_currency = %q, want on", v)
	}

	// Bad values are refused with exit 2, and a refused command saves
	// nothing, not even its good values.
	db := filepath.Join(c.dataDir, "ledgerlink.db")
	for _, bad := range [][]string{
		{"sync.upload.customer=sometimes"},
		{"sync.sideways.customer=new"},
		{"timing.mode=hourly"},
		{"opt.rollup=true", "timing.hour=25"},
		{"opt.rollup=maybe"},
		{"opt.colour=true"},
		{"map.planet.200=4000"},
		{"base_currency=POUNDS", "organisation=Other Ltd"},
		{"=value"},
		{"organisation", "opt.rollup=true"},
	} {
		o := c.run(append([]string{"config", "memory"}, bad...)...)
		wantExit(t, o, exitSetup)
		if strings.TrimSpace(o.stderr) == "" {
			t.Errorf("config %v was refused without a word", bad)
		}
		o = c.run("config", "memory", "--json")
		all := decode[[]jsonSetting](t, o)
		if v := settingValue(t, all, "opt.rollup").Value; v != "off" {
			t.Errorf("after refused config %v, opt.rollup = %q: part of it was saved", bad, v)
		}
		if v := settingValue(t, all, "organisation").Value; v != "Demo Company" {
			t.Errorf("after refused config %v, organisation = %q: part of it was saved", bad, v)
		}
		if v := settingValue(t, all, "timing.hour").Value; v != "3" {
			t.Errorf("after refused config %v, timing.hour = %q", bad, v)
		}
	}

	// Secrets: from standard input only, into the keyring only.
	const secret = "k-very-secret-9731"
	o = c.run("config", "memory", memoryAPIKey+"="+secret)
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "--secret "+memoryAPIKey) || strings.Contains(o.stderr, secret) {
		t.Errorf("a secret on the command line is not refused with the way to give it (or the message repeats it): %s", o.stderr)
	}
	wantExit(t, c.runStdin("", "config", "memory", "--secret", memoryAPIKey), exitSetup)
	o = c.runStdin("x\n", "config", "memory", "--secret", "organisation")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, `no secret setting "organisation"`) {
		t.Errorf("--secret of a plain setting: %s", o.stderr)
	}
	o = c.runStdin(secret+"\r\n", "config", "memory", "--secret", memoryAPIKey, "--json")
	wantExit(t, o, exitOK)
	if got, err := c.keyring.Get(context.Background(), "memory", memoryAPIKey); err != nil || got != secret {
		t.Fatalf("keyring holds %q (%v), want the secret without its line ending", got, err)
	}
	o = c.run("config", "memory", memoryAPIKey, "--json")
	wantExit(t, o, exitOK)
	if s := decode[[]jsonSetting](t, o)[0]; !s.Set || strings.Contains(o.stdout, secret) {
		t.Errorf("the stored API key shows as %+v; want set, and never its value", s)
	}
	o = c.run("modules", "--json")
	if m := decode[[]jsonModule](t, o); len(m) != 1 || slices.Contains(m[0].Notes, "API key is not set.") {
		t.Errorf("with its API key stored the module is %+v, want the key's note gone", m)
	}
	wantExit(t, c.run("config", "memory", "sync.upload.customer=new"), exitOK)
	o = c.run("modules", "--json")
	if m := decode[[]jsonModule](t, o); len(m) != 1 || m[0].Light != "GREEN" {
		t.Errorf("with its API key stored and something to sync the module is %+v, want GREEN", m)
	}
	if strings.Contains(string(fileBytes(t, db)), secret) {
		t.Error("the secret reached the database file")
	}

	// Uninstall removes the module and its secret.
	o = c.run("uninstall", "memory", "--json")
	wantExit(t, o, exitOK)
	if got := decode[map[string]string](t, o)["uninstalled"]; got != "memory" {
		t.Errorf("uninstall --json said %q", got)
	}
	if ok, _ := c.keyring.Has(context.Background(), "memory", memoryAPIKey); ok {
		t.Error("uninstall left the API key in the keyring")
	}
	o = c.run("config", "memory")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "not installed") {
		t.Errorf("config of an uninstalled module: %s", o.stderr)
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestE2EMemoryImport(t *testing.T) {
	c, _ := newMemoryCLI(t)
	installMemory(t, c)
	want := sampleCodes(t)
	files := copySample(t)

	o := c.run(append([]string{"import", "--json"}, files...)...)
	wantExit(t, o, exitOK)
	first := decode[[]feed.FileOutcome](t, o)
	if len(first) != len(files) {
		t.Fatalf("import --json reports %d files, want %d", len(first), len(files))
	}
	for _, f := range first {
		if f.Disposition != feed.Imported || f.Error != "" || len(f.Problems) > 0 {
			t.Errorf("%s: %s %q %v, want imported cleanly", f.Name, f.Disposition, f.Error, f.Problems)
		}
		if n := len(want[f.Type]); f.Records == 0 || f.Stored.Added != f.Records || f.Records > n {
			t.Errorf("%s: %d records, stored %+v; want every record new (the sample has %d %s)", f.Name, f.Records, f.Stored, n, f.Type)
		}
	}
	// Importing the same files again changes nothing.
	o = c.run(append([]string{"import", "--json"}, files...)...)
	wantExit(t, o, exitOK)
	for i, f := range decode[[]feed.FileOutcome](t, o) {
		if f.Stored.Added != 0 || f.Stored.Updated != 0 || f.Stored.Unchanged != first[i].Records {
			t.Errorf("%s imported again: %+v, want all %d unchanged", f.Name, f.Stored, first[i].Records)
		}
	}
	o = c.run(append([]string{"import"}, files[0])...)
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "0 new, 0 changed") {
		t.Errorf("text output of a repeated import: %q", o.stdout)
	}

	// A bad file: its problems with line and column, exit 1, and its good
	// rows imported all the same.
	dir := t.TempDir()
	bad := filepath.Join(dir, "customers-extra.csv")
	if err := os.WriteFile(bad, []byte("code,name,email,currency\nC100,New Customer Ltd,a@b.example,GBP\nC101,,x@y.example,GBP\nC102,Bad Currency,c@d.example,POUNDS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o = c.run("import", bad, "--json")
	wantExit(t, o, exitItems)
	res := decode[[]feed.FileOutcome](t, o)
	if len(res) != 1 || res[0].Records != 1 || res[0].Stored.Added != 1 || len(res[0].Problems) != 2 {
		t.Fatalf("bad file outcome %+v, want 1 good record stored and 2 problems", res)
	}
	for i, p := range res[0].Problems {
		if wantLine, wantCol := []int{3, 4}[i], []string{"name", "currency"}[i]; p.Line != wantLine || p.Column != wantCol || p.Message == "" {
			t.Errorf("problem %d = %+v, want line %d column %s with a message", i, p, wantLine, wantCol)
		}
	}
	o = c.run("import", bad)
	wantExit(t, o, exitItems)
	if !strings.Contains(o.stdout, "line 3, column 'name'") {
		t.Errorf("text output does not place the problem: %q", o.stdout)
	}
	// A file that is not there, and a --type that is not one.
	o = c.run("import", filepath.Join(dir, "missing.csv"))
	wantExit(t, o, exitItems)
	if !strings.Contains(o.stdout, "missing.csv: not imported") {
		t.Errorf("a missing file is not reported: %q", o.stdout)
	}
	wantExit(t, c.run("import", "--type", "invoices-ish", bad), exitSetup)

	// The good row of the bad file is in LedgerLink: it waits for export.
	wantExit(t, c.run("config", "memory", "sync.upload.customer=new"), exitOK)
	o = c.run("pending", "memory", "--json")
	wantExit(t, o, exitOK)
	refs := pendingRefs(decode[[]jsonPending](t, o))
	wantRefs := []string{"customer:C100"}
	for _, code := range want[connectors.Customers] {
		wantRefs = append(wantRefs, "customer:"+code)
	}
	slices.Sort(wantRefs)
	if !slices.Equal(refs, wantRefs) {
		t.Errorf("pending = %v, want %v", refs, wantRefs)
	}
}

func TestE2EMemoryExportVerbs(t *testing.T) {
	c, l := newMemoryCLI(t)
	installMemory(t, c)
	want := sampleCodes(t)
	importSampleFiles(t, c, false)

	o := c.run("pending", "memory", "--json")
	wantExit(t, o, exitOK)
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Fatalf("with every level OFF, pending = %v, want nothing", pendingRefs(rows))
	}
	o = c.run("pending", "memory")
	if !strings.Contains(o.stdout, "Nothing is waiting") {
		t.Errorf("empty pending text: %q", o.stdout)
	}

	wantExit(t, c.run(append([]string{"config", "memory"}, uploadAllNew...)...), exitOK)
	o = c.run("pending", "memory", "--json")
	wantExit(t, o, exitOK)
	pending := decode[[]jsonPending](t, o)
	var all []string
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.Suppliers, connectors.Quotes, connectors.SalesInvoices,
		connectors.PurchaseInvoices, connectors.CreditNotes, connectors.InvoicePayments, connectors.PurchasePayments} {
		for _, code := range want[typ] {
			all = append(all, string(typ)+":"+code)
		}
	}
	slices.Sort(all)
	if got := pendingRefs(pending); !slices.Equal(got, all) {
		t.Fatalf("pending = %v\nwant      %v", got, all)
	}
	if pending[0].Type != "customer" || pending[len(pending)-1].Type != "purchase_payment" {
		t.Errorf("pending is not in upload order: first %s, last %s", pending[0].Type, pending[len(pending)-1].Type)
	}

	// Pre-check before mapping: every document has a problem, with a cause
	// and a fix; exit 1.
	o = c.run("precheck", "memory", "--json")
	wantExit(t, o, exitItems)
	checked := decode[[]jsonPending](t, o)
	withProblems := 0
	for _, it := range checked {
		if len(it.Check.Problems) == 0 {
			continue
		}
		withProblems++
		for _, p := range it.Check.Problems {
			if p.Rule == "" || p.Cause == "" || p.Fix == "" {
				t.Errorf("%s:%s problem without rule, cause or fix: %+v", it.Type, it.Code, p)
			}
		}
	}
	if withProblems == 0 {
		t.Fatal("precheck before mapping found nothing")
	}
	inv := findPending(t, checked, "sales_invoice", "INV-1001")
	if inv.Check.Status != "problems" || !slices.ContainsFunc(inv.Check.Problems, func(p jsonProblem) bool {
		return p.Rule == "nominal-unmapped" && strings.Contains(p.Cause, "Nominal code 200") && strings.Contains(p.Fix, "Mapping tab")
	}) {
		t.Errorf("INV-1001 pre-check = %+v, want the unmapped nominal code 200 with its fix", inv.Check)
	}
	o = c.run("precheck", "memory", "sales_invoice:INV-1001")
	wantExit(t, o, exitItems)
	if !strings.Contains(o.stdout, "Fix: Map nominal code 200") || !strings.Contains(o.stdout, "1 checked, 1 with something to fix") {
		t.Errorf("precheck text: %q", o.stdout)
	}
	o = c.run("pending", "memory")
	if !strings.Contains(o.stdout, "problems: Nominal code 200") {
		t.Errorf("pending does not show the pre-check outcome: %q", o.stdout)
	}
	wantExit(t, c.run("precheck", "memory", "not-a-ref"), exitSetup)

	// After mapping: clean.
	wantExit(t, c.run(append([]string{"config", "memory"}, memoryMappings...)...), exitOK)
	o = c.run("precheck", "memory", "--json")
	wantExit(t, o, exitOK)
	for _, it := range decode[[]jsonPending](t, o) {
		if it.Check.Status != "ok" || len(it.Check.Problems) > 0 {
			t.Errorf("after mapping %s:%s pre-check = %+v", it.Type, it.Code, it.Check)
		}
	}

	// Upload needs --all or references, not both and not neither.
	for _, args := range [][]string{{"upload", "memory"}, {"upload", "memory", "--all", "customer:C001"}, {"upload", "memory", "INV-1001"}} {
		o := c.run(args...)
		wantExit(t, o, exitSetup)
		if !strings.Contains(o.stderr, "TYPE:CODE") && !strings.Contains(o.stderr, "sales_invoice:INV-001") {
			t.Errorf("%v: message does not say how to name records: %s", args, o.stderr)
		}
	}
	if n := l.Calls(memory.MethodWrite); n != 0 {
		t.Fatalf("refused uploads reached the ledger (%d writes)", n)
	}

	// Upload by reference, partly failing: INV-1008 sells a product the
	// ledger does not have. INV-1001 goes, INV-1008 stays pending with its
	// feedback, and the customers they need go first.
	o = c.run("upload", "memory", "sales_invoice:INV-1001", "sales_invoice:INV-1008", "--json")
	wantExit(t, o, exitItems)
	rep := decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != 3 || failed != 1 {
		t.Errorf("upload report %+v, want 3 created (C001, C007, INV-1001) and 1 failed", rep.Counts)
	}
	ledgerHolds(t, l, map[connectors.RecordType][]string{
		connectors.Customers:     {"C001", "C007"},
		connectors.SalesInvoices: {"INV-1001"},
	})
	o = c.run("pending", "memory", "--json")
	if refs := pendingRefs(decode[[]jsonPending](t, o)); !slices.Contains(refs, "sales_invoice:INV-1008") || slices.Contains(refs, "sales_invoice:INV-1001") {
		t.Errorf("after a partial upload pending = %v; want INV-1008 still there and INV-1001 gone", refs)
	}
	o = c.run("feedback", "memory", "--json")
	wantExit(t, o, exitOK)
	fb := decode[[]jsonFeedback](t, o)
	if len(fb) != 1 || fb[0].Code != "INV-1008" || !strings.Contains(fb[0].Message, "COURSE-BARISTA") || fb[0].Cause == "" || fb[0].Fix == "" {
		t.Fatalf("feedback = %+v; want INV-1008 with the ledger's message, a cause and a fix", fb)
	}
	o = c.run("feedback", "memory")
	if !strings.Contains(o.stdout, "Cause:") || !strings.Contains(o.stdout, "Fix:") {
		t.Errorf("feedback text: %q", o.stdout)
	}
	// Fixed in the business system and imported again: the documents
	// selling the course change, and stay pending as new.
	fixed := copySampleReplacing(t, memoryProducts(true))
	o = c.run("import", "--json", fixed[slices.IndexFunc(fixed, func(p string) bool { return strings.HasSuffix(p, "sales_invoices.csv") })],
		fixed[slices.IndexFunc(fixed, func(p string) bool { return strings.HasSuffix(p, "quotes.json") })])
	wantExit(t, o, exitOK)
	if re := decode[[]feed.FileOutcome](t, o); re[0].Stored.Updated != 2 || re[1].Stored.Updated != 1 {
		t.Errorf("importing the fixed files updated %+v and %+v, want INV-1008, INV-1011 and QU-0002", re[0].Stored, re[1].Stored)
	}

	// Mark as exported by hand, and back; only hand-marked rows go back.
	o = c.run("mark-exported", "memory", "quote:QU-0002", "customer:C001", "--json")
	wantExit(t, o, exitItems)
	marked := decode[jsonMarked](t, o)
	if marked.Marked != 1 || len(marked.Refused) != 1 || marked.Refused[0].Ref.Code != "C001" || marked.Refused[0].Reason == "" {
		t.Errorf("mark-exported = %+v; want QU-0002 marked and C001 (already uploaded) refused with a reason", marked)
	}
	o = c.run("exported", "memory", "--json")
	wantExit(t, o, exitOK)
	rows := decode[[]jsonExported](t, o)
	if r := findExported(t, rows, "quote", "QU-0002"); !r.Manual || r.Verified {
		t.Errorf("hand-marked row %+v, want manual and not verified", r)
	}
	if r := findExported(t, rows, "sales_invoice", "INV-1001"); r.Manual || !r.Verified || r.RemoteID == "" || r.URL == "" {
		t.Errorf("uploaded row %+v, want verified with remote ID and link", r)
	}
	o = c.run("mark-not-exported", "memory", "quote:QU-0002", "customer:C001", "--json")
	wantExit(t, o, exitItems)
	marked = decode[jsonMarked](t, o)
	if marked.Marked != 1 || len(marked.Refused) != 1 || marked.Refused[0].Ref.Code != "C001" {
		t.Errorf("mark-not-exported = %+v; want QU-0002 back and C001 refused", marked)
	}
	o = c.run("pending", "memory", "--json")
	if !slices.Contains(pendingRefs(decode[[]jsonPending](t, o)), "quote:QU-0002") {
		t.Error("QU-0002 is not pending again after mark-not-exported")
	}
	wantExit(t, c.run("mark-exported", "memory"), exitSetup)
	wantExit(t, c.run("mark-exported", "memory", "bad"), exitSetup)

	// Upload everything: all the sample reaches the ledger once.
	o = c.run("upload", "memory", "--all", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	if created, _, failed := rep.total("upload"); created != len(all)-3 || failed != 0 {
		t.Errorf("upload --all report %+v, want %d created, none failed", rep.Counts, len(all)-3)
	}
	ledgerHolds(t, l, pick(want, connectors.Customers, connectors.Suppliers, connectors.Quotes, connectors.SalesInvoices,
		connectors.PurchaseInvoices, connectors.CreditNotes, connectors.InvoicePayments, connectors.PurchasePayments))
	o = c.run("pending", "memory", "--json")
	if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
		t.Errorf("after upload --all pending = %v", pendingRefs(rows))
	}
	o = c.run("upload", "memory", "--all")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "Nothing to do") {
		t.Errorf("an upload with nothing pending says %q", o.stdout)
	}

	// Exported, with its date filter.
	o = c.run("exported", "memory", "--json")
	rows = decode[[]jsonExported](t, o)
	if len(rows) != len(all) {
		t.Errorf("exported lists %d rows, want %d", len(rows), len(all))
	}
	for _, r := range rows {
		if !r.Verified || r.RemoteID == "" {
			t.Errorf("exported row %+v is not verified", r)
		}
	}
	today := time.Now().Format(time.DateOnly)
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	o = c.run("exported", "memory", "--from", today, "--to", today, "--json")
	wantExit(t, o, exitOK)
	if n := len(decode[[]jsonExported](t, o)); n != len(all) {
		t.Errorf("exported today lists %d rows, want %d", n, len(all))
	}
	o = c.run("exported", "memory", "--from", tomorrow, "--json")
	wantExit(t, o, exitOK)
	if n := len(decode[[]jsonExported](t, o)); n != 0 {
		t.Errorf("exported from tomorrow lists %d rows", n)
	}
	o = c.run("exported", "memory", "--from", tomorrow)
	if !strings.Contains(o.stdout, "Nothing was exported") {
		t.Errorf("empty exported text: %q", o.stdout)
	}
	for _, args := range [][]string{
		{"exported", "memory", "--from", "23/11/2026"},
		{"exported", "memory", "--to", "2026-02-30"},
		{"exported", "memory", "--from", tomorrow, "--to", today},
		{"feedback", "memory", "--from", "yesterday"},
	} {
		o := c.run(args...)
		wantExit(t, o, exitSetup)
		if !strings.Contains(o.stderr, "YYYY-MM-DD") && !strings.Contains(o.stderr, "is after") {
			t.Errorf("%v: %s", args, o.stderr)
		}
	}
	o = c.run("feedback", "memory", "--from", tomorrow, "--json")
	wantExit(t, o, exitOK)
	if n := len(decode[[]jsonFeedback](t, o)); n != 0 {
		t.Errorf("feedback from tomorrow lists %d rows", n)
	}

	// Unknown and uninstalled modules.
	o = c.run("pending", "nosuchbooks")
	wantExit(t, o, exitSetup)
	if !strings.Contains(o.stderr, "the modules are: memory") {
		t.Errorf("unknown module: %s", o.stderr)
	}
}

func findPending(t *testing.T, rows []jsonPending, typ, code string) jsonPending {
	t.Helper()
	for _, r := range rows {
		if r.Type == typ && r.Code == code {
			return r
		}
	}
	t.Fatalf("%s:%s is not listed", typ, code)
	return jsonPending{}
}

func findExported(t *testing.T, rows []jsonExported, typ, code string) jsonExported {
	t.Helper()
	for _, r := range rows {
		if r.Type == typ && r.Code == code {
			return r
		}
	}
	t.Fatalf("%s:%s is not in exported", typ, code)
	return jsonExported{}
}

// pick keeps only the given types of want.
func pick(want map[connectors.RecordType][]string, types ...connectors.RecordType) map[connectors.RecordType][]string {
	out := map[connectors.RecordType][]string{}
	for _, typ := range types {
		out[typ] = want[typ]
	}
	return out
}

// mirrorAllNew sets every matrix type to NEW from the package.
var mirrorAllNew = []string{
	"sync.mirror.customer=new", "sync.mirror.sales_invoice=new", "sync.mirror.invoice_payment=new",
	"sync.mirror.supplier=new", "sync.mirror.purchase_invoice=new", "sync.mirror.purchase_payment=new",
}

// setUpMemoryBooks installs the module, sets levels both ways, maps the
// sample's codes and imports it.
func setUpMemoryBooks(t *testing.T, c *inProcess) {
	t.Helper()
	installMemory(t, c)
	args := append([]string{"config", "memory"}, uploadAllNew...)
	args = append(args, mirrorAllNew...)
	wantExit(t, c.run(append(args, memoryMappings...)...), exitOK)
	importSampleFiles(t, c, true)
}

// uploadedTypes are the sample's types a sync sends (payroll journals
// are OFF unless asked for).
var uploadedTypes = []connectors.RecordType{connectors.Customers, connectors.Suppliers, connectors.Quotes, connectors.SalesInvoices,
	connectors.PurchaseInvoices, connectors.CreditNotes, connectors.InvoicePayments, connectors.PurchasePayments}

// ledgerCounts is how many records of each type the ledger holds.
func ledgerCounts(l *memory.Ledger) map[connectors.RecordType]int {
	out := map[connectors.RecordType]int{}
	for _, typ := range connectors.AllTypes() {
		out[typ] = l.Count(typ)
	}
	return out
}

// ledgerDocument returns the ledger's copy of a document.
func ledgerDocument(t *testing.T, l *memory.Ledger, typ connectors.RecordType, code string) connectors.Document {
	t.Helper()
	for _, r := range l.Records(typ) {
		if r.Record.Code() == code && r.Record.Document != nil {
			return *r.Record.Document
		}
	}
	t.Fatalf("the ledger has no %s %s", typ, code)
	return connectors.Document{}
}

// putPayment enters a customer payment in the ledger, as a bank feed would.
func putPayment(t *testing.T, l *memory.Ledger, code, invoice string, amount decimal.Decimal) {
	t.Helper()
	inv := ledgerDocument(t, l, connectors.SalesInvoices, invoice)
	p := connectors.Payment{
		Code: code, PartyCode: inv.PartyCode, Date: connectors.NewDate(2026, time.December, 1), Amount: amount,
		Currency: inv.Currency, BankAccount: "1200", Reference: "BACS " + invoice,
		Allocations: []connectors.Allocation{{DocumentType: connectors.SalesInvoices, DocumentCode: invoice, Amount: amount}},
	}
	if _, err := l.Put(connectors.InvoicePayments, connectors.Remote{Record: connectors.Record{Type: connectors.InvoicePayments, Payment: &p}}); err != nil {
		t.Fatalf("entering payment %s in the ledger: %v", code, err)
	}
}

func TestE2EMemorySyncAndPayments(t *testing.T) {
	c, l := newMemoryCLI(t)
	setUpMemoryBooks(t, c)
	want := sampleCodes(t)

	o := c.run("sync", "memory", "--json")
	wantExit(t, o, exitOK)
	rep := decode[jsonReport](t, o)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}
	if created, updated, failed := rep.total("upload"); created != sent || updated != 0 || failed != 0 || len(rep.Errors) > 0 {
		t.Fatalf("first sync report %+v, want %d created", rep, sent)
	}
	ledgerHolds(t, l, pick(want, uploadedTypes...))

	// Payments made in the package: one for an invoice LedgerLink sent, one
	// for an invoice entered in the package itself.
	due := ledgerDocument(t, l, connectors.SalesInvoices, "INV-1006").AmountDue
	if !due.IsPositive() {
		t.Fatalf("INV-1006 has nothing due in the ledger (%s)", due)
	}
	putPayment(t, l, "BANK-0001", "INV-1006", due)
	line := connectors.Line{Description: "Beans sold at the market", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.NewFromInt(50), NominalCode: "4000", TaxCode: "T0"}
	direct := connectors.Document{Code: "INV-9001", PartyCode: "C001", Date: connectors.NewDate(2026, time.November, 30), Currency: "GBP", Lines: []connectors.Line{line}}
	if _, err := l.Put(connectors.SalesInvoices, connectors.Remote{Record: connectors.Record{Type: connectors.SalesInvoices, Document: &direct}}); err != nil {
		t.Fatal(err)
	}
	putPayment(t, l, "BANK-0002", "INV-9001", decimal.NewFromInt(50))

	o = c.run("payments", "memory", "--json")
	wantExit(t, o, exitOK)
	shown := decode[[]jsonImportRow](t, o)
	if r := findImport(t, shown, "BANK-0001"); r.Outcome != "waiting" {
		t.Errorf("without --allocate BANK-0001 is %+v, want waiting", r)
	}
	o = c.run("payments", "memory", "--allocate", "--json")
	wantExit(t, o, exitItems)
	rows := decode[[]jsonImportRow](t, o)
	if r := findImport(t, rows, "BANK-0001"); r.Outcome != "allocated" || r.Status != "Payment created and allocated" || !slices.Equal(r.AllocatedTo, []string{"INV-1006"}) {
		t.Errorf("BANK-0001 = %+v, want created and allocated to INV-1006", r)
	}
	if r := findImport(t, rows, "BANK-0002"); r.Outcome != "unknown_invoice" || r.Fix == "" {
		t.Errorf("BANK-0002 = %+v, want unknown_invoice with a fix", r)
	}
	// A payment not allocated is tried again at the next import; one that
	// was is not imported twice.
	o = c.run("payments", "memory", "--allocate")
	wantExit(t, o, exitItems)
	if !strings.Contains(o.stdout, "STATUS") || !strings.Contains(o.stdout, "BACS INV-9001") || strings.Contains(o.stdout, "BACS INV-1006") {
		t.Errorf("payments tried again: %q, want the payment of INV-9001 alone", o.stdout)
	}

	// The next sync mirrors INV-9001 and allocates its payment.
	o = c.run("sync", "memory", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	if created, _, failed := rep.total("mirror"); created == 0 || failed != 0 {
		t.Errorf("the sync after the payments mirrored %+v, want INV-9001 created and nothing failed", rep.Counts)
	}
	imports := importRows(t, c.dataDir, "memory")
	for code, invoice := range map[string]string{"BANK-0001": "INV-1006", "BANK-0002": "INV-9001"} {
		if r := imports[code]; r.Outcome != storage.ImportAllocated || !slices.Equal(r.AllocatedTo, []string{invoice}) {
			t.Errorf("after the sync payment %s is %+v, want allocated to %s", code, r, invoice)
		}
	}
	o = c.run("payments", "memory", "--allocate")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "No new payments.") {
		t.Errorf("payments with nothing new: %q", o.stdout)
	}
	want[connectors.SalesInvoices] = append(want[connectors.SalesInvoices], "INV-9001")
	want[connectors.InvoicePayments] = append(want[connectors.InvoicePayments], "BANK-0001", "BANK-0002")
	slices.Sort(want[connectors.InvoicePayments])

	// A sync with nothing new changes nothing, in the ledger or here.
	before, writes := ledgerCounts(l), l.Calls(memory.MethodWrite)
	o = c.run("sync", "memory", "--json")
	wantExit(t, o, exitOK)
	rep = decode[jsonReport](t, o)
	for _, dir := range []string{"upload", "mirror"} {
		if created, updated, failed := rep.total(dir); created+updated+failed != 0 {
			t.Errorf("a sync with nothing to do counted %s %d/%d/%d: %+v", dir, created, updated, failed, rep.Counts)
		}
	}
	if after := ledgerCounts(l); !mapsEqual(before, after) || l.Calls(memory.MethodWrite) != writes {
		t.Errorf("a sync with nothing to do changed the ledger: %v -> %v, writes %d -> %d", before, after, writes, l.Calls(memory.MethodWrite))
	}
	o = c.run("sync", "memory")
	wantExit(t, o, exitOK)
	if !strings.Contains(o.stdout, "Nothing to do") {
		t.Errorf("a sync with nothing to do says %q", o.stdout)
	}
	ledgerHolds(t, l, pick(want, uploadedTypes...))
}

// importRows reads the Import grid of a data folder no verb has open.
func importRows(t *testing.T, dataDir, module string) map[string]storage.ImportRow {
	t.Helper()
	db, err := storage.Open(dataDir, storage.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Imports(context.Background(), module, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]storage.ImportRow{}
	for _, r := range rows {
		out[r.Code] = r
	}
	return out
}

func findImport(t *testing.T, rows []jsonImportRow, code string) jsonImportRow {
	t.Helper()
	for _, r := range rows {
		if r.Code == code || r.Reference == code {
			return r
		}
	}
	t.Fatalf("payment %s is not listed in %+v", code, rows)
	return jsonImportRow{}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestE2EMemoryUploadFaultsNoDuplicateNoLoss(t *testing.T) {
	tests := []struct {
		name string
		arm  func(l *memory.Ledger)
		// stopAfter, when set, stops the first run (as Ctrl+C or a crash
		// would) that long after it starts.
		stopAfter time.Duration
	}{
		{name: "stopped halfway, a reply lost", arm: func(l *memory.Ledger) { l.SetLatency(25 * time.Millisecond); l.LoseNextReply() }, stopAfter: 300 * time.Millisecond},
		{name: "reply lost after the ledger wrote", arm: func(l *memory.Ledger) { l.LoseNextReply() }},
		{name: "several replies lost", arm: func(l *memory.Ledger) { l.FailAfterWrite(3, nil) }},
		{name: "ledger not answering", arm: func(l *memory.Ledger) { l.FailNext(2, nil) }},
		{name: "slow down", arm: func(l *memory.Ledger) { l.RateLimitNext(30 * time.Millisecond); l.RateLimitNext(20 * time.Millisecond) }},
		{name: "everything at once", arm: func(l *memory.Ledger) {
			l.RateLimitNext(20 * time.Millisecond)
			l.FailNext(1, nil)
			l.FailAfterWrite(2, nil)
		}},
	}
	want := sampleCodes(t)
	sent := 0
	for _, typ := range uploadedTypes {
		sent += len(want[typ])
	}
	setUp := func(t *testing.T) (*inProcess, *memory.Ledger) {
		c, l := newMemoryCLI(t)
		installMemory(t, c)
		wantExit(t, c.run(append(append([]string{"config", "memory"}, uploadAllNew...), memoryMappings...)...), exitOK)
		importSampleFiles(t, c, true)
		return c, l
	}
	// What the upload costs the ledger when nothing goes wrong.
	c, l := setUp(t)
	wantExit(t, c.run("upload", "memory", "--all"), exitOK)
	baseline := ledgerCalls(l)

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, l := setUp(t)
			tc.arm(l)
			ctx, cancel := context.WithCancel(context.Background())
			if tc.stopAfter > 0 {
				ctx, cancel = context.WithTimeout(ctx, tc.stopAfter)
			}
			first := c.runCtx(ctx, "", "upload", "memory", "--all", "--json")
			cancel()
			l.SetLatency(0)
			if first.code != exitOK && first.code != exitItems && first.code != exitSetup {
				t.Fatalf("upload under faults ended oddly:\n%s", first)
			}
			rep := decode[jsonReport](t, first)
			if tc.stopAfter > 0 {
				if first.code != exitSetup || !strings.Contains(first.stderr, "stopped before the end") {
					t.Fatalf("the stopped upload did not say it was stopped (or finished anyway):\n%s", first)
				}
			} else if n := ledgerCalls(l); n <= baseline {
				t.Errorf("the ledger answered %d requests, no more than the %d of a run without faults: the faults were never met", n, baseline)
			}
			// Whatever the first run could not finish, the next one does,
			// without sending anything twice.
			second := c.run("upload", "memory", "--all", "--json")
			wantExit(t, second, exitOK)
			ledgerHolds(t, l, pick(want, uploadedTypes...))

			o := c.run("pending", "memory", "--json")
			if rows := decode[[]jsonPending](t, o); len(rows) != 0 {
				t.Errorf("after the second upload still pending: %v\nfirst run:\n%s", pendingRefs(rows), first)
			}
			o = c.run("exported", "memory", "--json")
			rows := decode[[]jsonExported](t, o)
			if len(rows) != sent {
				t.Errorf("exported lists %d rows, want %d", len(rows), sent)
			}
			for _, r := range rows {
				if !r.Verified || r.RemoteID == "" {
					t.Errorf("exported row %+v is not verified", r)
				}
			}
			created, _, _ := rep.total("upload")
			again := decode[jsonReport](t, second)
			created2, _, failed2 := again.total("upload")
			if created+created2 < sent || failed2 != 0 {
				t.Errorf("the two runs created %d + %d (failed %d), want %d between them", created, created2, failed2, sent)
			}
		})
	}
}

// ledgerCalls is how many requests the ledger has answered or refused.
func ledgerCalls(l *memory.Ledger) int {
	n := 0
	for _, m := range []string{memory.MethodCheck, memory.MethodListChanged, memory.MethodWrite, memory.MethodGet, memory.MethodFindByCode} {
		n += l.Calls(m)
	}
	return n
}

func TestE2EMemoryRunImportsInbox(t *testing.T) {
	c, _ := newMemoryCLI(t)
	setUpMemoryBooks(t, c)

	// A business file dropped in the inbox while LedgerLink runs, old
	// enough to count as completely written.
	inbox := feed.DefaultInboxDir(c.dataDir)
	if err := os.MkdirAll(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	dropped := filepath.Join(inbox, "customers-web.csv")
	if err := os.WriteFile(dropped, []byte("code,name,email,currency\nC200,Web Shop Customer,web@example.com,GBP\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(dropped, old, old); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan outcome, 1)
	go func() { done <- c.runCtx(ctx, "", "run") }()
	processed := filepath.Join(inbox, feed.ProcessedFolder, "customers-web.csv")
	waitFor(t, 10*time.Second, "the dropped file to be imported and moved to processed/", func() bool {
		_, err := os.Stat(processed)
		return err == nil
	})
	cancel()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop within 10 s of being told to")
	}
	wantExit(t, o, exitOK)
	for _, want := range []string{"LedgerLink is running", "customers-web.csv: imported, 1 record, 0 problems", "LedgerLink stopped"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("run said %q, want it to say %q", o.stdout, want)
		}
	}
	if _, err := os.Stat(dropped); !os.IsNotExist(err) {
		t.Errorf("the dropped file is still in the inbox (%v)", err)
	}
	o = c.run("pending", "memory", "--json")
	wantExit(t, o, exitOK)
	if refs := pendingRefs(decode[[]jsonPending](t, o)); !slices.Contains(refs, "customer:C200") {
		t.Errorf("the inbox customer is not waiting for export: %v", refs)
	}
	// The data folder is free again once run has stopped.
	wantExit(t, c.run("modules"), exitOK)
}

func TestE2EMemoryBackupRestoreUninstall(t *testing.T) {
	c, l := newMemoryCLI(t)
	setUpMemoryBooks(t, c)
	wantExit(t, c.run("sync", "memory"), exitOK)
	o := c.run("exported", "memory", "--json")
	exported := decode[[]jsonExported](t, o)
	if len(exported) == 0 {
		t.Fatal("nothing was exported")
	}

	backup := filepath.Join(t.TempDir(), "books.llbackup")
	o = c.run("backup", backup, "--json")
	wantExit(t, o, exitOK)
	saved := decode[struct {
		File    string   `json:"file"`
		Size    int64    `json:"size"`
		Modules []string `json:"modules"`
	}](t, o)
	if saved.File != backup || saved.Size <= 0 || !slices.Contains(saved.Modules, "memory") {
		t.Errorf("backup --json = %+v", saved)
	}
	if strings.Contains(string(fileBytes(t, backup)), "k-123") {
		t.Error("the backup holds the API key")
	}

	// Uninstall: the module, its data and its secret go; the ledger keeps
	// everything.
	before := ledgerCounts(l)
	wantExit(t, c.run("uninstall", "memory"), exitOK)
	o = c.run("modules", "--json")
	if m := decode[[]jsonModule](t, o); m[0].Installed || m[0].Light != "RED" {
		t.Errorf("after uninstall the module is %+v", m[0])
	}
	for _, verb := range []string{"pending", "exported", "feedback", "sync", "precheck"} {
		o := c.run(verb, "memory")
		wantExit(t, o, exitSetup)
		if !strings.Contains(o.stderr, "ledgerlink install memory") {
			t.Errorf("%s of an uninstalled module: %s", verb, o.stderr)
		}
	}
	if after := ledgerCounts(l); !mapsEqual(before, after) {
		t.Errorf("uninstall changed the ledger: %v -> %v", before, after)
	}

	// Restore brings the module and its history back, and keeps the
	// replaced database aside.
	o = c.run("restore", backup, "--json")
	wantExit(t, o, exitOK)
	restored := decode[struct {
		RestoredFrom string `json:"restored_from"`
		KeptAside    string `json:"kept_aside"`
	}](t, o)
	if _, err := os.Stat(restored.KeptAside); err != nil || restored.RestoredFrom != backup {
		t.Errorf("restore --json = %+v (kept aside: %v)", restored, err)
	}
	o = c.run("exported", "memory", "--json")
	wantExit(t, o, exitOK)
	if got := decode[[]jsonExported](t, o); len(got) != len(exported) {
		t.Errorf("after restore %d rows are exported, want %d", len(got), len(exported))
	}
	// Sign-ins are not part of backups: the API key went with the
	// uninstall, and the module says so.
	o = c.run("modules", "--json")
	if m := decode[[]jsonModule](t, o); !m[0].Installed || m[0].Light != "AMBER" || !slices.Contains(m[0].Notes, "API key is not set.") {
		t.Errorf("after restore the module is %+v, want installed and AMBER for its API key", m[0])
	}
	// Nothing is sent again: the restored links know the ledger has it all.
	wantExit(t, c.runStdin("k-123\n", "config", "memory", "--secret", memoryAPIKey), exitOK)
	writes := l.Calls(memory.MethodWrite)
	o = c.run("sync", "memory", "--json")
	wantExit(t, o, exitOK)
	if created, updated, _ := decode[jsonReport](t, o).total("upload"); created+updated != 0 || l.Calls(memory.MethodWrite) != writes {
		t.Errorf("the sync after restore sent %d new and %d changed records", created, updated)
	}

	// Restore refuses what is not a backup, and a missing file.
	notBackup := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(notBackup, []byte("code,name\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{notBackup, filepath.Join(t.TempDir(), "missing.backup")} {
		o := c.run("restore", f)
		wantExit(t, o, exitSetup)
		if !strings.Contains(o.stderr, filepath.Base(f)) {
			t.Errorf("restore of %s: %s", f, o.stderr)
		}
	}
}
