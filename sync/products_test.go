package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
)

func product(code string) connectors.Record {
	return connectors.Record{Type: connectors.Items, Item: &connectors.Item{
		Code: code, Name: "Product " + code, Description: "Product " + code + ", boxed",
		SalesPrice: decimal.RequireFromString("9.50"), SalesAccount: "SALES",
	}}
}

// invoiceOf sells product code on one line.
func invoiceOf(code, party, item string, day int) connectors.Record {
	r := salesInvoice(code, party, day)
	r.Document.Lines[0].ItemCode = item
	return r
}

// productsFixture has the matrix at NEW, products at level, the package's
// reference data fetched, and a customer.
func productsFixture(t *testing.T, level Level, onlyOnInvoices bool) *engFixture {
	t.Helper()
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.mapDefaults()
	f.settings(map[string]string{ProductsSettingKey: level.token(), SettingStockOnInvoicesOnly: "false"})
	if onlyOnInvoices {
		f.settings(map[string]string{SettingStockOnInvoicesOnly: "true"})
	}
	if _, err := f.eng.Mirror(f.ctx, mod, connectors.AncillaryTypes()); err != nil {
		t.Fatal(err)
	}
	f.put(customer("C1"))
	return f
}

func TestProductsGoBeforeTheInvoicesThatUseThem(t *testing.T) {
	f := productsFixture(t, NewOnly, false)
	f.put(invoiceOf("INV-1", "C1", "MUG", 3), product("MUG"))
	pending := f.refresh()
	if len(pending) == 0 || pending[0] != ref(connectors.Items, "MUG") {
		t.Fatalf("Pending Export %v; want product MUG first", pending)
	}
	items, err := f.eng.Precheck(f.ctx, mod, []Ref{ref(connectors.SalesInvoices, "INV-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || len(items[0].Check.Problems) != 0 {
		t.Fatalf("pre-check of INV-1: %+v; want no problem", items)
	}
	if notes := items[0].Check.Notes; len(notes) != 1 || !strings.Contains(notes[0], "Product MUG") || !strings.Contains(notes[0], "will create it") {
		t.Errorf("pre-check notes %q; want one saying product MUG will be created", notes)
	}

	rep := f.upload()
	if rep.FailedItems() != 0 || len(rep.Errors) > 0 {
		t.Fatalf("upload report %+v; feedback %+v", rep, f.feedback())
	}
	if want := "LedgerLink created 1 product in Reference ledger (in memory) before the documents that use them."; !slices.Contains(rep.Notes, want) {
		t.Errorf("report notes %q; want %q", rep.Notes, want)
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-1"}) {
		t.Errorf("the ledger's invoices %v, want INV-1", got)
	}
	found := false
	for _, r := range f.ledger.Records(connectors.Items) {
		if r.Record.Code() == "MUG" {
			found = true
			if r.Record.Item.SalesAccount != "4000" {
				t.Errorf("product MUG reached the ledger with sales account %q; want the mapped 4000", r.Record.Item.SalesAccount)
			}
		}
	}
	if !found {
		t.Fatal("product MUG did not reach the ledger")
	}
	if row, ok := f.exported()[ref(connectors.Items, "MUG")]; !ok || !row.Verified {
		t.Errorf("Successfully Exported row of MUG: %+v, %v; want it there and verified", row, ok)
	}
	if p := f.refresh(); len(p) != 0 {
		t.Errorf("Pending Export after the upload: %v", p)
	}
}

func TestPrecheckMissingProductWithProductsOff(t *testing.T) {
	f := productsFixture(t, Off, false)
	f.put(invoiceOf("INV-1", "C1", "MUG", 3), product("MUG"))
	if p := f.refresh(); slices.Contains(p, ref(connectors.Items, "MUG")) {
		t.Fatalf("products are OFF but MUG is pending: %v", p)
	}
	items, err := f.eng.Precheck(f.ctx, mod, []Ref{ref(connectors.SalesInvoices, "INV-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || len(items[0].Check.Problems) != 1 {
		t.Fatalf("pre-check %+v; want one problem", items)
	}
	p := items[0].Check.Problems[0]
	if p.Rule != RuleUnknownItem || p.Cause != "Product MUG on line 1 does not exist in Reference ledger (in memory)." {
		t.Errorf("problem %+v; want today's unknown-product message", p)
	}
}

func TestPrecheckProductNeitherThereNorHere(t *testing.T) {
	f := productsFixture(t, NewOnly, false)
	f.put(invoiceOf("INV-1", "C1", "NOSUCH", 3))
	f.refresh()
	items, err := f.eng.Precheck(f.ctx, mod, []Ref{ref(connectors.SalesInvoices, "INV-1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || len(items[0].Check.Problems) != 1 || !strings.Contains(items[0].Check.Problems[0].Cause, "neither in") {
		t.Fatalf("pre-check %+v; want the product missing on both sides", items)
	}
}

func TestFailedProductHoldsItsInvoice(t *testing.T) {
	f := productsFixture(t, NewOnly, false)
	bad := product("MUG")
	bad.Item.SalesAccount = "NOPE" // no such account: the ledger refuses it
	f.settings(map[string]string{MapNominalPrefix + "NOPE": "9999"})
	f.put(invoiceOf("INV-1", "C1", "MUG", 3), bad)
	rep := f.upload()
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); len(got) != 0 {
		t.Fatalf("INV-1 went without its product: %v", got)
	}
	if rep.FailedItems() != 2 {
		t.Errorf("failed %d, want the product and its invoice", rep.FailedItems())
	}
	held := false
	for _, fb := range f.feedback() {
		if fb.Code == "INV-1" && strings.Contains(fb.Cause, "Product MUG has not reached") {
			held = true
		}
	}
	if !held {
		t.Errorf("no feedback says INV-1 waits for product MUG: %+v", f.feedback())
	}
}

func TestOnlyProductsOnDocumentsGo(t *testing.T) {
	f := productsFixture(t, NewOnly, true)
	f.put(product("MUG"), product("JUG"))
	if p := f.refresh(); slices.ContainsFunc(p, func(r Ref) bool { return r.Type == connectors.Items }) {
		t.Fatalf("no document uses a product yet, but Pending Export holds %v", p)
	}
	// An invoice that uses MUG arrives later: MUG is looked at again.
	f.put(invoiceOf("INV-1", "C1", "MUG", 3))
	p := f.refresh()
	if !slices.Contains(p, ref(connectors.Items, "MUG")) || slices.Contains(p, ref(connectors.Items, "JUG")) {
		t.Fatalf("Pending Export %v; want MUG and not JUG", p)
	}
	// With the option off, every product goes.
	f.settings(map[string]string{SettingStockOnInvoicesOnly: "false"})
	if p := f.refresh(); !slices.Contains(p, ref(connectors.Items, "JUG")) {
		t.Errorf("option off, Pending Export %v; want JUG too", p)
	}
}

func TestApplyProductsLevel(t *testing.T) {
	ctx := context.Background()
	mods, db := newConfigModules(t)
	changes, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.item": "new"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0] != "Products (LedgerLink → accounting package) is now NEW" {
		t.Errorf("changes %q", changes)
	}
	settings, err := db.Settings(memory.Name)
	if err != nil {
		t.Fatal(err)
	}
	if ProductsLevel(settings) != NewOnly {
		t.Errorf("products level %s, want NEW", ProductsLevel(settings))
	}
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.item": "new+updated"}, false); !errors.Is(err, ErrNeedsConfirmation) {
		t.Errorf("products NEW + UPDATED without confirmation: %v", err)
	}
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.item": "sometimes"}, false); err == nil || !strings.Contains(err.Error(), "Products") {
		t.Errorf("a bad products level: %v", err)
	}
	cfg, _ := mods.Config(ctx, memory.Name)
	if !slices.ContainsFunc(cfg, func(s Setting) bool { return s.Key == "sync.upload.item" && s.Value == "NEW" }) {
		t.Errorf("config does not list the products level: %+v", cfg)
	}
}

func TestApplyProductsRefusedWhereThePackageCannotTakeThem(t *testing.T) {
	caps := memory.Capabilities()
	caps.Types[connectors.Items] = connectors.Directions{Mirror: true}
	def := memory.Definition()
	def.Caps = caps
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	reg := connectors.NewRegistry()
	if err := reg.Register(def); err != nil {
		t.Fatal(err)
	}
	mods := NewModules(db, reg, secrets.NewMemory())
	if err := db.Install(context.Background(), def, nil); err != nil {
		t.Fatal(err)
	}
	_, err = mods.Apply(context.Background(), memory.Name, map[string]string{"sync.upload.item": "new"}, false)
	if err == nil || err.Error() != "Reference ledger (in memory) cannot receive products" {
		t.Errorf("products to a package that cannot take them: %v", err)
	}
}

// BenchmarkRefreshOnlyProductsOnInvoices measures a refresh that must
// find the products 1,000 five-line invoices use (a new invoice arrives
// each round, so the products are looked at again).
func BenchmarkRefreshOnlyProductsOnInvoices(b *testing.B) {
	f := newEngFixture(b)
	f.uploadAll(NewOnly)
	f.settings(map[string]string{ProductsSettingKey: "new", SettingStockOnInvoicesOnly: "true"})
	var recs []connectors.Record
	for i := range 200 {
		recs = append(recs, customer(fmt.Sprintf("C%03d", i)), product(fmt.Sprintf("P%03d", i)))
	}
	for i := range 1000 {
		inv := invoiceOf(fmt.Sprintf("INV-%04d", i), fmt.Sprintf("C%03d", i%200), fmt.Sprintf("P%03d", i%150), 3)
		for l := 1; l < 5; l++ {
			line := inv.Document.Lines[0]
			line.ItemCode = fmt.Sprintf("P%03d", (i+l)%150)
			inv.Document.Lines = append(inv.Document.Lines, line)
		}
		recs = append(recs, inv)
	}
	f.put(recs...)
	f.refresh()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.put(invoiceOf(fmt.Sprintf("NEW-%06d", i), "C001", fmt.Sprintf("P%03d", 150+i%50), 4))
		if err := f.eng.Refresh(f.ctx, mod); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUploadSelectionBringsItsProducts(t *testing.T) {
	f := productsFixture(t, NewOnly, false)
	f.put(invoiceOf("INV-1", "C1", "MUG", 3), product("MUG"), product("JUG"))
	f.refresh()
	rep := f.upload(ref(connectors.SalesInvoices, "INV-1"))
	if rep.FailedItems() != 0 || len(rep.Errors) > 0 {
		t.Fatalf("upload of INV-1 alone: %+v; feedback %+v", rep, f.feedback())
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-1"}) {
		t.Errorf("the ledger's invoices %v", got)
	}
	if p := f.pending(); !slices.Equal(p, []Ref{ref(connectors.Items, "JUG")}) {
		t.Errorf("Pending Export %v; want only JUG, which INV-1 does not use", p)
	}
}

func TestProductDeletedInThePackageIsNotSentAgain(t *testing.T) {
	f := productsFixture(t, NewAndUpdated, false)
	f.put(product("MUG"))
	if rep := f.upload(); rep.FailedItems() != 0 {
		t.Fatalf("upload %+v", rep)
	}
	l, _, _ := f.db.Link(f.ctx, mod, ref(connectors.Items, "MUG"))
	f.clock.Add(time.Minute)
	if err := f.ledger.Delete(connectors.Items, l.RemoteID); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.Mirror(f.ctx, mod, []connectors.RecordType{connectors.Items})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Product MUG was deleted in Reference ledger (in memory); LedgerLink shows it as deleted and will not send it again."; !slices.Contains(rep.Notes, want) {
		t.Errorf("notes %q; want %q", rep.Notes, want)
	}
	if codes, _, _ := f.db.AncillaryCodes(f.ctx, mod, connectors.Items); codes["MUG"] {
		t.Error("the deleted product is still among the package's products")
	}
	changed := product("MUG")
	changed.Item.SalesPrice = decimal.RequireFromString("11.00")
	f.put(changed)
	if p := f.refresh(); slices.Contains(p, ref(connectors.Items, "MUG")) {
		t.Errorf("the product deleted there is pending again: %v", p)
	}
}
