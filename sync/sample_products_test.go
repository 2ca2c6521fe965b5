package sync

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/sync/feed"
)

// putSample imports sample business files (paths under assets/sample).
func (f *engFixture) putSample(files ...string) []connectors.Record {
	f.t.Helper()
	var all []connectors.Record
	for _, name := range files {
		fh, err := os.Open(filepath.Join("..", "assets", "sample", name))
		if err != nil {
			f.t.Fatal(err)
		}
		res, err := feed.Read(context.Background(), filepath.Base(name), fh, feed.Options{})
		_ = fh.Close()
		if err != nil || len(res.Problems) > 0 {
			f.t.Fatalf("%s: %v %v", name, err, res.Problems)
		}
		f.put(res.Records...)
		all = append(all, res.Records...)
	}
	return all
}

// sampleBooks is the reference ledger with the sample's customers and
// invoices imported, mapped to the ledger's chart, customers and sales
// invoices at NEW, and the ledger's reference data fetched.
func sampleBooks(t *testing.T, products Level, onlyOnInvoices bool) *engFixture {
	t.Helper()
	f := newEngFixture(t)
	f.levels(connectors.Upload, connectors.Customers, NewOnly, connectors.Upload, connectors.SalesInvoices, NewOnly)
	f.settings(map[string]string{
		MapNominalPrefix + "200": "4000", MapNominalPrefix + "260": "4010", MapNominalPrefix + "300": "5100",
		MapTaxPrefix + "OUTPUT2": "T1", MapTaxPrefix + "ZERORATEDOUTPUT": "T0",
		SettingMultiCurrency: "true", ProductsSettingKey: products.token(),
	})
	if onlyOnInvoices {
		f.settings(map[string]string{SettingStockOnInvoicesOnly: "true"})
	}
	if _, err := f.eng.Mirror(f.ctx, mod, connectors.AncillaryTypes()); err != nil {
		t.Fatal(err)
	}
	f.putSample("customers.csv", "sales_invoices.csv", "stock/products.csv")
	return f
}

func TestSampleInvoicesNeedTheirProducts(t *testing.T) {
	f := sampleBooks(t, Off, false)
	f.refresh()
	items, err := f.eng.Precheck(f.ctx, mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, it := range items {
		if it.Type == connectors.SalesInvoices && slices.ContainsFunc(it.Check.Problems, func(p Problem) bool { return p.Rule == RuleUnknownItem }) {
			refused++
		}
	}
	if refused != 12 {
		t.Errorf("%d of the 12 sample invoices refused for their products; with products OFF the ledger has none of them", refused)
	}
}

func TestSampleProductsReachThePackageBeforeTheirInvoices(t *testing.T) {
	f := sampleBooks(t, NewOnly, true)
	rep := f.upload()
	if rep.FailedItems() != 0 || len(rep.Errors) > 0 {
		t.Fatalf("upload %+v; feedback %+v", rep, f.feedback())
	}
	// The ledger refuses a document line naming a product it does not
	// have, so all 12 taken in one run means the products went first.
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); len(got) != 12 {
		t.Errorf("the ledger holds %d sales invoices, want the sample's 12", len(got))
	}
	have := remoteCodes(f.ledger, connectors.Items)
	for _, code := range []string{"BEAN-HOUSE-1KG", "BEAN-DECAF-1KG", "BEAN-ETH-250", "GRINDER-C40", "KETTLE-GN", "COURSE-BARISTA", "DELIVERY"} {
		if !slices.Contains(have, code) {
			t.Errorf("product %s did not reach the ledger", code)
		}
	}
	for _, code := range []string{"BEAN-COL-1KG", "MUG-ENAMEL"} {
		if slices.Contains(have, code) {
			t.Errorf("product %s went, though no document uses it", code)
		}
	}
}
