package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// engClock is a settable clock shared by the database, the engine and the
// reference ledger.
type engClock struct {
	mu stdsync.Mutex
	t  time.Time
}

func (c *engClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *engClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// engFixture is an engine over a fresh database with the reference ledger
// installed as module "memory".
type engFixture struct {
	t      testing.TB
	ctx    context.Context
	dir    string
	db     *storage.DB
	clock  *engClock
	ledger *memory.Ledger
	def    connectors.Definition
	reg    *connectors.Registry
	eng    *Engine
	// wrap, when set, wraps each connection the engine opens.
	wrap func(connectors.Connection) connectors.Connection
	// slept records the waits the engine asked for.
	slept []time.Duration
}

const mod = memory.Name

func newEngFixture(t testing.TB, opts ...Option) *engFixture {
	t.Helper()
	f := &engFixture{t: t, ctx: context.Background(), dir: t.TempDir(),
		clock: &engClock{t: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}}
	var err error
	if f.db, err = storage.Open(f.dir, storage.Options{Now: f.clock.Now}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.db.Close() })
	f.ledger = memory.NewLedger(memory.WithClock(f.clock.Now))
	f.def = memory.NewDefinition(f.ledger)
	f.reg = connectors.NewRegistry()
	if err := f.reg.Register(f.def); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Install(f.ctx, f.def, nil); err != nil {
		t.Fatal(err)
	}
	f.newEngine(opts...)
	return f
}

func (f *engFixture) newEngine(opts ...Option) {
	open := func(ctx context.Context, module string) (connectors.Connection, error) {
		var c connectors.Connection = f.ledger.Connection()
		if f.wrap != nil {
			c = f.wrap(c)
		}
		return c, nil
	}
	base := []Option{WithClock(f.clock.Now)}
	f.eng = New(f.db, f.reg, open, append(base, opts...)...)
}

// sleep records a wait and passes it on the fixture's clock.
func (f *engFixture) sleep(ctx context.Context, d time.Duration) error {
	f.slept = append(f.slept, d)
	f.clock.Add(d)
	return ctx.Err()
}

// levels sets the matrix: cells are (direction, type, level) triples,
// applied in order.
func (f *engFixture) levels(cells ...any) {
	f.t.Helper()
	var m Matrix
	for i := 0; i+2 < len(cells); i += 3 {
		var err error
		m, _, err = m.Set(cells[i].(connectors.Direction), cells[i+1].(connectors.RecordType), cells[i+2].(Level))
		if err != nil {
			f.t.Fatalf("matrix: %v", err)
		}
	}
	f.settings(m.Settings())
}

// uploadAll sets every upload type of the matrix to l.
func (f *engFixture) uploadAll(l Level) {
	var cells []any
	for _, t := range connectors.MatrixTypes() {
		cells = append(cells, connectors.Upload, t, l)
	}
	f.levels(cells...)
}

func (f *engFixture) settings(kv map[string]string) {
	f.t.Helper()
	if err := f.db.SetEngineSettings(f.ctx, mod, kv); err != nil {
		f.t.Fatal(err)
	}
}

// mapDefaults maps the local codes the sample records use to the reference
// ledger's own codes.
func (f *engFixture) mapDefaults() {
	f.settings(map[string]string{
		MapNominalPrefix + "SALES": "4000", MapNominalPrefix + "4000": "4000", MapNominalPrefix + "5000": "5000",
		MapNominalPrefix + "PURCH": "5100", MapTaxPrefix + "VAT20": "T1", MapTaxPrefix + "T1": "T1",
	})
}

func (f *engFixture) put(recs ...connectors.Record) storage.PutResult {
	f.t.Helper()
	res, err := f.db.PutRecords(f.ctx, storage.OriginLocal, recs)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *engFixture) pending() []Ref {
	f.t.Helper()
	items, err := f.eng.Pending(f.ctx, mod)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []Ref
	for _, it := range items {
		out = append(out, it.Ref())
	}
	return out
}

func (f *engFixture) refresh() []Ref {
	f.t.Helper()
	if err := f.eng.Refresh(f.ctx, mod); err != nil {
		f.t.Fatal(err)
	}
	return f.pending()
}

func (f *engFixture) upload(refs ...Ref) Report {
	f.t.Helper()
	rep, err := f.eng.Upload(f.ctx, mod, refs, nil)
	if err != nil {
		f.t.Fatalf("Upload: %v (report %+v)", err, rep)
	}
	return rep
}

func (f *engFixture) feedback() []FeedbackRow {
	f.t.Helper()
	rows, err := f.eng.Feedback(f.ctx, mod, time.Time{}, time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

func (f *engFixture) exported() map[Ref]ExportedRow {
	f.t.Helper()
	rows, err := f.eng.Exported(f.ctx, mod, time.Time{}, time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[Ref]ExportedRow{}
	for _, r := range rows {
		out[r.Ref()] = r
	}
	return out
}

// remoteCodes lists the codes the ledger holds for t, sorted, duplicates
// kept.
func remoteCodes(l *memory.Ledger, t connectors.RecordType) []string {
	var out []string
	for _, r := range l.Records(t) {
		out = append(out, r.Record.Code())
	}
	slices.Sort(out)
	return out
}

func customer(code string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: "Customer " + code}}
}

func supplier(code string) connectors.Record {
	return connectors.Record{Type: connectors.Suppliers, Party: &connectors.Party{Code: code, Name: "Supplier " + code}}
}

func salesInvoice(code, party string, day int) connectors.Record {
	return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: code, PartyCode: party, Date: connectors.NewDate(2025, 5, day), Currency: "GBP",
		Lines: []connectors.Line{{ItemCode: "WIDGET", Description: "Widget", Quantity: decimal.NewFromInt(2),
			UnitPrice: decimal.RequireFromString("12.50"), NominalCode: "SALES", TaxCode: "VAT20"}},
	}}
}

func purchaseInvoice(code, party string, day int) connectors.Record {
	return connectors.Record{Type: connectors.PurchaseInvoices, Document: &connectors.Document{
		Code: code, PartyCode: party, Date: connectors.NewDate(2025, 5, day), Currency: "GBP",
		Lines: []connectors.Line{{Description: "Paper", Quantity: decimal.NewFromInt(1),
			UnitPrice: decimal.RequireFromString("40"), NominalCode: "PURCH", TaxCode: "VAT20"}},
	}}
}

func payment(t connectors.RecordType, code, party string, invType connectors.RecordType, inv string, amount string) connectors.Record {
	return connectors.Record{Type: t, Payment: &connectors.Payment{
		Code: code, PartyCode: party, Date: connectors.NewDate(2025, 5, 20), Currency: "GBP",
		Amount:      decimal.RequireFromString(amount),
		Allocations: []connectors.Allocation{{DocumentType: invType, DocumentCode: inv, Amount: decimal.RequireFromString(amount)}},
	}}
}

func ref(t connectors.RecordType, code string) Ref { return Ref{Type: t, Code: code} }

func TestRefreshPutsDependenciesFirst(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewAndUpdated)
	// Fed in the worst order: payments first, parties last.
	f.put(
		payment(connectors.PurchasePayments, "PP-1", "S1", connectors.PurchaseInvoices, "PI-1", "48"),
		payment(connectors.InvoicePayments, "PAY-1", "C1", connectors.SalesInvoices, "INV-2", "30"),
		purchaseInvoice("PI-1", "S1", 4),
		salesInvoice("INV-2", "C1", 9),
		salesInvoice("INV-1", "C2", 9),
		salesInvoice("INV-0", "C1", 1),
		connectors.Record{Type: connectors.Quotes, Document: salesInvoice("Q-1", "C1", 2).Document},
		supplier("S1"), customer("C2"), customer("C1"),
	)
	want := []Ref{
		ref(connectors.Customers, "C1"), ref(connectors.Customers, "C2"),
		ref(connectors.Suppliers, "S1"),
		ref(connectors.Quotes, "Q-1"),
		// By date, then code.
		ref(connectors.SalesInvoices, "INV-0"), ref(connectors.SalesInvoices, "INV-1"), ref(connectors.SalesInvoices, "INV-2"),
		ref(connectors.PurchaseInvoices, "PI-1"),
		ref(connectors.InvoicePayments, "PAY-1"),
		ref(connectors.PurchasePayments, "PP-1"),
	}
	if got := f.refresh(); !slices.Equal(got, want) {
		t.Fatalf("pending order:\n got %v\nwant %v", got, want)
	}

	// And they reach the package in that order: every payment finds its
	// invoice, every invoice its party.
	f.mapDefaults()
	rep := f.upload()
	if !rep.OK() || rep.Moved() != len(want) {
		t.Fatalf("upload report %+v; feedback %+v", rep, f.feedback())
	}
	if left := f.pending(); len(left) != 0 {
		t.Fatalf("still pending: %v", left)
	}
}

func TestRefreshHonoursUploadLevel(t *testing.T) {
	tests := []struct {
		name  string
		level Level
		// wantFirst is what is pending for a new customer; wantAfterEdit
		// what is pending after it was exported and then edited.
		wantFirst, wantAfterEdit []Ref
		wantKind                 storage.Kind
	}{
		{"off", Off, nil, nil, ""},
		{"new only", NewOnly, []Ref{ref(connectors.Customers, "C1")}, nil, ""},
		{"new and updated", NewAndUpdated, []Ref{ref(connectors.Customers, "C1")}, []Ref{ref(connectors.Customers, "C1")}, storage.KindUpdated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.levels(connectors.Upload, connectors.Customers, tc.level)
			f.put(customer("C1"))
			if got := f.refresh(); !slices.Equal(got, tc.wantFirst) {
				t.Fatalf("pending = %v, want %v", got, tc.wantFirst)
			}
			if tc.level == Off {
				return
			}
			f.upload()
			if n := f.ledger.Count(connectors.Customers); n != 1 {
				t.Fatalf("ledger has %d customers", n)
			}
			edited := customer("C1")
			edited.Party.Email = "ann@example.com"
			f.put(edited)
			got := f.refresh()
			if !slices.Equal(got, tc.wantAfterEdit) {
				t.Fatalf("pending after edit = %v, want %v", got, tc.wantAfterEdit)
			}
			if len(got) == 0 {
				return
			}
			items, _ := f.eng.Pending(f.ctx, mod)
			if items[0].Kind != tc.wantKind {
				t.Fatalf("kind = %q, want %q", items[0].Kind, tc.wantKind)
			}
			f.upload()
			remote := f.ledger.Records(connectors.Customers)
			if len(remote) != 1 || remote[0].Record.Party.Email != "ann@example.com" {
				t.Fatalf("update did not reach the ledger: %+v", remote)
			}
		})
	}
}

func TestRefreshAfterLevelChangeQueuesOlderRecords(t *testing.T) {
	f := newEngFixture(t)
	f.put(customer("C1"), customer("C2"))
	if got := f.refresh(); len(got) != 0 {
		t.Fatalf("pending with everything OFF: %v", got)
	}
	f.levels(connectors.Upload, connectors.Customers, NewOnly)
	if got := f.refresh(); len(got) != 2 {
		t.Fatalf("records fed while OFF were not queued when turned on: %v", got)
	}
	f.levels()
	if got := f.refresh(); len(got) != 0 {
		t.Fatalf("turned OFF again but still pending: %v", got)
	}
}

func TestRefreshCostGrowsWithChanges(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Upload, connectors.Customers, NewOnly)
	var recs []connectors.Record
	for i := range 2000 {
		recs = append(recs, customer(fmt.Sprintf("C%05d", i)))
	}
	f.put(recs...)
	def, _ := f.reg.Lookup(mod)
	if st, err := f.eng.refresh(f.ctx, def); err != nil || !st.Full || st.Scanned != 2000 {
		t.Fatalf("first refresh %+v %v", st, err)
	}
	edited := customer("C00007")
	edited.Party.Phone = "01234"
	f.put(edited, customer("NEW"))
	st, err := f.eng.refresh(f.ctx, def)
	if err != nil || st.Full || st.Scanned != 2 || st.Queued != 1 {
		t.Fatalf("refresh after 2 changes = %+v, %v", st, err)
	}
}

func TestPrecheckRules(t *testing.T) {
	withLine := func(edit func(*connectors.Line)) connectors.Record {
		r := salesInvoice("INV-1", "C1", 3)
		edit(&r.Document.Lines[0])
		return r
	}
	tests := []struct {
		name     string
		settings map[string]string
		recs     []connectors.Record
		check    Ref
		want     []string
	}{
		{"clean", nil, []connectors.Record{customer("C1"), salesInvoice("INV-1", "C1", 3)}, ref(connectors.SalesInvoices, "INV-1"), nil},
		{"nominal without mapping", nil, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.NominalCode = "4321" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleNominalUnmapped}},
		{"nominal mapped to nothing", map[string]string{MapNominalPrefix + "4321": "9999"}, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.NominalCode = "4321" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleNominalUnknown}},
		{"tax without mapping", nil, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.TaxCode = "ZERO" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleTaxUnmapped}},
		{"unknown item", nil, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.ItemCode = "SPROCKET" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleUnknownItem}},
		{"stock nominal", map[string]string{MapNominalPrefix + "STOCK": "1001"}, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.NominalCode = "STOCK" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleStockNominal}},
		{"cost-of-sale nominal", nil, []connectors.Record{customer("C1"), withLine(func(l *connectors.Line) { l.NominalCode = "5000" })},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleStockNominal}},
		{"customer not in LedgerLink", nil, []connectors.Record{salesInvoice("INV-1", "C404", 3)},
			ref(connectors.SalesInvoices, "INV-1"), []string{RuleMissingContact}},
		{"payment for an unknown invoice", nil, []connectors.Record{customer("C1"), payment(connectors.InvoicePayments, "PAY-1", "C1", connectors.SalesInvoices, "INV-404", "10")},
			ref(connectors.InvoicePayments, "PAY-1"), []string{RuleMissingDocument}},
		{"foreign currency without multi-currency", nil, []connectors.Record{customer("C1"), func() connectors.Record {
			r := salesInvoice("INV-1", "C1", 3)
			r.Document.Currency = "EUR"
			return r
		}()}, ref(connectors.SalesInvoices, "INV-1"), []string{RuleCurrency}},
		{"foreign currency with multi-currency", map[string]string{SettingMultiCurrency: "true"}, []connectors.Record{customer("C1"), func() connectors.Record {
			r := salesInvoice("INV-1", "C1", 3)
			r.Document.Currency = "EUR"
			return r
		}()}, ref(connectors.SalesInvoices, "INV-1"), nil},
		{"unbalanced journal", map[string]string{UploadSettingKey(connectors.Journals): "new", MapCompanyPrefix + "ACME": "ADM-1", MapJournalCodePrefix + "ACME": "60"}, []connectors.Record{{Type: connectors.Journals, Journal: &connectors.JournalEntry{
			Code: "J1", Company: "ACME", Date: connectors.NewDate(2025, 5, 31), Period: "2025-05",
			Lines: []connectors.JournalLine{{NominalCode: "4000", Debit: decimal.NewFromInt(100)}, {NominalCode: "SALES", Credit: decimal.NewFromInt(90)}},
		}}}, ref(connectors.Journals, "J1"), []string{RuleUnbalanced}},
		{"payroll company unmapped", map[string]string{UploadSettingKey(connectors.Journals): "new"}, []connectors.Record{{Type: connectors.Journals, Journal: &connectors.JournalEntry{
			Code: "J2", Company: "ACME", Date: connectors.NewDate(2025, 5, 31), Period: "2025-05",
			Lines: []connectors.JournalLine{{NominalCode: "4000", Debit: decimal.NewFromInt(100)}, {NominalCode: "SALES", Credit: decimal.NewFromInt(100)}},
		}}}, ref(connectors.Journals, "J2"), []string{RuleCompanyUnmapped}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.uploadAll(NewOnly)
			f.mapDefaults()
			if tc.settings != nil {
				f.settings(tc.settings)
			}
			// The pre-check reads the package's reference data and base
			// currency as the last sync left them.
			if _, err := f.eng.Mirror(f.ctx, mod, connectors.AncillaryTypes()); err != nil {
				t.Fatal(err)
			}
			f.put(tc.recs...)
			items, err := f.eng.Precheck(f.ctx, mod, []Ref{tc.check})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Ref() != tc.check {
				t.Fatalf("precheck returned %+v", items)
			}
			var rules []string
			for _, p := range items[0].Check.Problems {
				rules = append(rules, p.Rule)
				if p.Cause == "" || p.Fix == "" {
					t.Errorf("problem %q lacks a cause or a fix: %+v", p.Rule, p)
				}
			}
			if !slices.Equal(rules, tc.want) {
				t.Fatalf("rules = %v, want %v (%+v)", rules, tc.want, items[0].Check.Problems)
			}
			wantStatus := storage.CheckOK
			if len(tc.want) > 0 {
				wantStatus = storage.CheckProblems
			}
			if items[0].Check.Status != wantStatus {
				t.Fatalf("status = %q", items[0].Check.Status)
			}
			// An item failing the pre-check is not sent, gets feedback and
			// stays pending.
			before := f.ledger.Calls(memory.MethodWrite)
			rep := f.upload(tc.check)
			if len(tc.want) == 0 {
				return
			}
			if rep.FailedItems() != 1 || f.ledger.Count(tc.check.Type) != 0 {
				t.Fatalf("report %+v, ledger has %d", rep, f.ledger.Count(tc.check.Type))
			}
			if f.ledger.Calls(memory.MethodWrite) > before+1 { // at most the party went
				t.Fatalf("the failing item was sent")
			}
			if !slices.Contains(f.pending(), tc.check) {
				t.Fatal("the failing item left Pending Export")
			}
			fb := f.feedback()
			if len(fb) == 0 || fb[len(fb)-1].Ref() != tc.check || fb[len(fb)-1].Fix == "" {
				t.Fatalf("feedback = %+v", fb)
			}
		})
	}
}

func TestUploadSendsMappedCodes(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	f.put(customer("C1"), salesInvoice("INV-1", "C1", 3))
	f.refresh()
	f.upload()
	got := f.ledger.Records(connectors.SalesInvoices)
	if len(got) != 1 {
		t.Fatalf("ledger invoices: %+v", got)
	}
	if l := got[0].Record.Document.Lines[0]; l.NominalCode != "4000" || l.TaxCode != "T1" {
		t.Fatalf("the ledger received local codes: %+v", l)
	}
	// The workspace keeps the local codes.
	sr, _ := f.db.Get(f.ctx, connectors.SalesInvoices, "INV-1")
	if l := sr.Record.Document.Lines[0]; l.NominalCode != "SALES" || l.TaxCode != "VAT20" {
		t.Fatalf("the workspace was changed: %+v", l)
	}
}

func TestUploadPerItemOutcomes(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	bad := salesInvoice("INV-2", "C1", 10)
	bad.Document.DueDate = connectors.NewDate(2025, 5, 1) // before its date: the ledger refuses it
	f.put(customer("C1"), salesInvoice("INV-1", "C1", 3), bad, salesInvoice("INV-3", "C1", 12))
	f.refresh()
	var progress [][2]int
	rep, err := f.eng.Upload(f.ctx, mod, nil, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-1", "INV-3"}) {
		t.Fatalf("ledger invoices = %v", got)
	}
	if rep.FailedItems() != 1 || rep.Moved() != 3 {
		t.Fatalf("report = %+v", rep)
	}
	if last := progress[len(progress)-1]; last != [2]int{4, 4} {
		t.Fatalf("progress = %v", progress)
	}
	if got := f.pending(); !slices.Equal(got, []Ref{ref(connectors.SalesInvoices, "INV-2")}) {
		t.Fatalf("pending = %v", got)
	}
	fb := f.feedback()
	if len(fb) != 1 || fb[0].Code != "INV-2" || !strings.Contains(fb[0].Message, "due date") ||
		!strings.Contains(fb[0].Cause, "due date is earlier") || fb[0].Fix == "" {
		t.Fatalf("feedback = %+v", fb)
	}
	ex := f.exported()
	if len(ex) != 3 {
		t.Fatalf("exported = %+v", ex)
	}
	for r, row := range ex {
		if !row.Verified || row.RemoteID == "" || !strings.HasPrefix(row.URL, "https://") || row.Manual {
			t.Errorf("%v exported row = %+v", r, row)
		}
	}
	// Fixed and uploaded again: no duplicate of the others.
	bad.Document.DueDate = connectors.NewDate(2025, 6, 10)
	f.put(bad)
	f.refresh()
	f.upload()
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-1", "INV-2", "INV-3"}) {
		t.Fatalf("ledger invoices after fix = %v", got)
	}
}

func TestUploadSelectionBringsPendingPrerequisites(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	f.put(customer("C1"), customer("C2"), salesInvoice("INV-1", "C1", 3))
	f.refresh()
	f.upload(ref(connectors.SalesInvoices, "INV-1"))
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C1"}) {
		t.Fatalf("customers sent = %v, want only the invoice's", got)
	}
	if f.ledger.Count(connectors.SalesInvoices) != 1 {
		t.Fatal("invoice not sent")
	}
}

func TestUploadCustomerFailureHoldsItsInvoices(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	nameless := customer("C1")
	nameless.Party.Name = " " // the ledger refuses a blank name
	f.put(nameless, customer("C2"), salesInvoice("INV-1", "C1", 3), salesInvoice("INV-2", "C2", 3))
	f.refresh()
	rep := f.upload()
	if rep.FailedItems() != 2 {
		t.Fatalf("report = %+v", rep)
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-2"}) {
		t.Fatalf("invoices = %v", got)
	}
	var inv1 []FeedbackRow
	for _, fb := range f.feedback() {
		if fb.Code == "INV-1" {
			inv1 = append(inv1, fb)
		}
	}
	if len(inv1) != 1 || !strings.Contains(inv1[0].Cause, "Customer C1 has not reached") {
		t.Fatalf("INV-1 feedback = %+v", inv1)
	}
}

func TestUploadStopsOnDailyLimit(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.put(customer("C1"), customer("C2"))
	f.refresh()
	f.ledger.SetDailyLimit(1) // Check uses it
	rep, err := f.eng.Upload(f.ctx, mod, nil, nil)
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("err = %v", err)
	}
	if rep.ResumeAt.IsZero() || !rep.ResumeAt.Equal(time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("ResumeAt = %v", rep.ResumeAt)
	}
	if len(f.pending()) != 2 || f.ledger.Count(connectors.Customers) != 0 {
		t.Fatal("records lost or sent")
	}
	f.ledger.SetDailyLimit(0)
	f.upload()
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C1", "C2"}) {
		t.Fatalf("after the limit: %v", got)
	}
}

func TestUploadWaitsOnRateLimitAndRetries(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.put(customer("C1"))
	f.refresh()
	// The module's pacer is the layer that waits and sends the batch again.
	pacers := NewPacers(nil, PacingClock(f.clock.Now, f.sleep))
	f.wrap = func(c connectors.Connection) connectors.Connection {
		return pacers.Wrap(f.def, false, &faultConn{inner: c, before: map[string][]error{"Write": {&connectors.RateLimitError{RetryAfter: 7 * time.Second}}}})
	}
	rep := f.upload()
	if !rep.OK() || f.ledger.Count(connectors.Customers) != 1 || !slices.Contains(f.slept, 7*time.Second) {
		t.Fatalf("report %+v, slept %v", rep, f.slept)
	}
}

func TestUploadAuthRefusedAsksToReconnect(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.put(customer("C1"))
	f.refresh()
	f.wrap = func(c connectors.Connection) connectors.Connection {
		return &faultConn{inner: c, before: map[string][]error{"Write": {fmt.Errorf("token revoked: %w", connectors.ErrAuth)}}}
	}
	_, err := f.eng.Upload(f.ctx, mod, nil, nil)
	if !errors.Is(err, connectors.ErrAuth) || !strings.Contains(err.Error(), "Reconnect to Reference ledger") {
		t.Fatalf("err = %v", err)
	}
	settings, _ := f.db.Settings(mod)
	// The note is kept in every language: a person who switches to Danish
	// afterwards reads it in Danish.
	kept := words.ReadSaid(settings[ReconnectSetting])
	cat := f.eng.Words().Catalogue()
	if en := kept.In(cat.In("en")); !strings.HasPrefix(en, "Reconnect to Reference ledger") {
		t.Fatalf("reconnect note in English = %q (kept %q)", en, settings[ReconnectSetting])
	}
	da := cat.In("da")
	if got, want := kept.In(da), da.T("engine.connect.reconnect.note", "Package", "Reference ledger (in memory)"); got != want || got == kept.In(cat.In("en")) {
		t.Fatalf("reconnect note in Danish = %q; want %q", got, want)
	}
	f.wrap = nil
	f.upload()
	settings, _ = f.db.Settings(mod)
	if settings[ReconnectSetting] != "" || f.ledger.Count(connectors.Customers) != 1 {
		t.Fatalf("after reconnecting: note %q, customers %d", settings[ReconnectSetting], f.ledger.Count(connectors.Customers))
	}
}

func TestMarkExportedRules(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewAndUpdated)
	f.put(customer("C1"), customer("C2"), customer("C3"))
	f.refresh()
	f.upload(ref(connectors.Customers, "C2"))

	refused, err := f.eng.MarkExported(f.ctx, mod, []Ref{ref(connectors.Customers, "C1"), ref(connectors.Customers, "C2")})
	if err != nil || len(refused) != 1 || refused[0].Ref.Code != "C2" {
		t.Fatalf("MarkExported refused %+v, %v", refused, err)
	}
	ex := f.exported()
	if row := ex[ref(connectors.Customers, "C1")]; !row.Manual || row.Verified {
		t.Fatalf("manual row = %+v", row)
	}
	if row := ex[ref(connectors.Customers, "C2")]; row.Manual || !row.Verified {
		t.Fatalf("uploaded row = %+v", row)
	}
	// Uploading now sends only C3; C1 stays with the package as marked.
	f.upload()
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C2", "C3"}) {
		t.Fatalf("ledger = %v", got)
	}

	refused, err = f.eng.MarkNotExported(f.ctx, mod, []Ref{ref(connectors.Customers, "C1"), ref(connectors.Customers, "C2")})
	if err != nil || len(refused) != 1 || refused[0].Ref.Code != "C2" || !strings.Contains(refused[0].Reason, "by hand") {
		t.Fatalf("MarkNotExported refused %+v, %v", refused, err)
	}
	if got := f.pending(); !slices.Equal(got, []Ref{ref(connectors.Customers, "C1")}) {
		t.Fatalf("pending = %v", got)
	}
	f.upload()
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C1", "C2", "C3"}) {
		t.Fatalf("ledger = %v", got)
	}
	if _, err := f.eng.MarkExported(f.ctx, "nosuch", nil); !errors.Is(err, ErrUnknownModule) {
		t.Fatalf("unknown module: %v", err)
	}
}

func TestManuallyMarkedRecordIsUpdatedByCode(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewAndUpdated)
	// Someone entered C1 in the package by hand, then marked it as exported.
	if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("C1")}); err != nil {
		t.Fatal(err)
	}
	f.put(customer("C1"))
	f.refresh()
	if _, err := f.eng.MarkExported(f.ctx, mod, []Ref{ref(connectors.Customers, "C1")}); err != nil {
		t.Fatal(err)
	}
	edited := customer("C1")
	edited.Party.Phone = "555"
	f.put(edited)
	f.refresh()
	rep := f.upload()
	remote := f.ledger.Records(connectors.Customers)
	if !rep.OK() || len(remote) != 1 || remote[0].Record.Party.Phone != "555" {
		t.Fatalf("report %+v remote %+v feedback %+v", rep, remote, f.feedback())
	}
}

func TestMirrorDoesNotBounce(t *testing.T) {
	f := newEngFixture(t)
	f.levels(
		connectors.Mirror, connectors.Customers, NewAndUpdated, connectors.Mirror, connectors.SalesInvoices, NewAndUpdated,
		connectors.Upload, connectors.Customers, NewAndUpdated, connectors.Upload, connectors.SalesInvoices, NewAndUpdated,
	)
	f.mapDefaults()
	if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R1")}); err != nil {
		t.Fatal(err)
	}
	inv := salesInvoice("RINV-1", "R1", 4)
	inv.Document.Lines[0].NominalCode, inv.Document.Lines[0].TaxCode = "4000", "T1"
	if _, err := f.ledger.Put(connectors.SalesInvoices, connectors.Remote{Record: inv}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Sync(f.ctx, mod, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	sr, err := f.db.Get(f.ctx, connectors.SalesInvoices, "RINV-1")
	if err != nil || sr.Origin != storage.OriginModule(mod) {
		t.Fatalf("mirrored invoice %+v %v", sr.RecordHead, err)
	}
	// Codes come back as the local ones the mapping names.
	if l := sr.Record.Document.Lines[0]; l.NominalCode != "4000" && l.NominalCode != "SALES" {
		t.Fatalf("mirrored line codes %+v", l)
	}
	if len(f.pending()) != 0 || f.ledger.Calls(memory.MethodWrite) != 0 {
		t.Fatalf("mirrored records bounced: pending %v, writes %d, report %+v", f.pending(), f.ledger.Calls(memory.MethodWrite), rep)
	}
	// A second sync pulls nothing new and sends nothing.
	rep, err = f.eng.Sync(f.ctx, mod, TriggerManual)
	if err != nil || rep.Moved() != 0 || f.ledger.Calls(memory.MethodWrite) != 0 {
		t.Fatalf("second sync %+v %v", rep, err)
	}
}

func TestMirrorLevels(t *testing.T) {
	tests := []struct {
		name      string
		level     Level
		wantFirst bool
		wantEdit  bool
	}{
		{"off", Off, false, false},
		{"new only", NewOnly, true, false},
		{"new and updated", NewAndUpdated, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.levels(connectors.Mirror, connectors.Customers, tc.level)
			r, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R1")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.eng.Mirror(f.ctx, mod, nil); err != nil {
				t.Fatal(err)
			}
			_, err = f.db.Get(f.ctx, connectors.Customers, "R1")
			if (err == nil) != tc.wantFirst {
				t.Fatalf("mirrored = %v, want %v", err == nil, tc.wantFirst)
			}
			f.clock.Add(time.Minute)
			edited := customer("R1")
			edited.Party.Email = "r1@example.com"
			if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{RemoteID: r.RemoteID, Record: edited}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.eng.Mirror(f.ctx, mod, nil); err != nil {
				t.Fatal(err)
			}
			sr, err := f.db.Get(f.ctx, connectors.Customers, "R1")
			got := err == nil && sr.Record.Party.Email == "r1@example.com"
			if got != tc.wantEdit {
				t.Fatalf("edit mirrored = %v, want %v", got, tc.wantEdit)
			}
		})
	}
}

func TestMirrorIsIncremental(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Mirror, connectors.Customers, NewAndUpdated)
	for i := range 5 {
		if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer(fmt.Sprintf("R%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := f.eng.Mirror(f.ctx, mod, []connectors.RecordType{connectors.Customers})
	if err != nil || rep.Moved() != 5 {
		t.Fatalf("first mirror %+v %v", rep, err)
	}
	f.clock.Add(time.Hour)
	if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R9")}); err != nil {
		t.Fatal(err)
	}
	rep, err = f.eng.Mirror(f.ctx, mod, []connectors.RecordType{connectors.Customers})
	if err != nil || rep.Moved() != 1 {
		t.Fatalf("second mirror %+v %v", rep, err)
	}
	cursor, _ := f.db.PullCursor(f.ctx, mod, connectors.Customers)
	if !cursor.Equal(f.clock.Now()) {
		t.Fatalf("cursor = %v, want %v", cursor, f.clock.Now())
	}
}

func TestMirrorKeepsGoingPastABadRecord(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Mirror, connectors.Customers, NewOnly)
	f.wrap = func(c connectors.Connection) connectors.Connection {
		return &faultConn{inner: c, extraRemote: map[connectors.RecordType][]connectors.Remote{
			connectors.Customers: {{RemoteID: "odd", Record: connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Name: "No code"}}}},
		}}
	}
	if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R1")}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Mirror(f.ctx, mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Get(f.ctx, connectors.Customers, "R1"); err != nil {
		t.Fatal("the good record was not taken")
	}
	fb := f.feedback()
	if rep.FailedItems() != 1 || len(fb) != 1 || !strings.Contains(fb[0].Message, "odd") {
		t.Fatalf("report %+v feedback %+v", rep, fb)
	}
}

func TestSyncRunsExtraSteps(t *testing.T) {
	var ran []string
	step := func(name string, err error) Step {
		return Step{Name: name, Run: func(ctx context.Context, run *Run) error {
			if run.Conn == nil || run.Module != mod || run.Report == nil {
				t.Errorf("step %s got %+v", name, run)
			}
			ran = append(ran, name)
			return err
		}}
	}
	f := newEngFixture(t, WithSteps(step("payments", errors.New("bank feed closed")), step("journals", nil)))
	rep, err := f.eng.Sync(f.ctx, mod, TriggerScheduled)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ran, []string{"payments", "journals"}) || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], "payments: bank feed closed") {
		t.Fatalf("ran %v, report %+v", ran, rep)
	}
	if rep.Trigger != TriggerScheduled || rep.Finished.IsZero() {
		t.Fatalf("report %+v", rep)
	}
	// The reference data was refreshed on the way.
	if codes, fetched, _ := f.db.AncillaryCodes(f.ctx, mod, connectors.Items); !fetched || !codes["WIDGET"] {
		t.Fatalf("items not refreshed: %v", codes)
	}
}
