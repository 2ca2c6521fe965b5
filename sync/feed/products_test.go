package feed

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// readSampleProducts reads the sample business's products file.
func readSampleProducts(t *testing.T) []connectors.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(sampleDir, "stock", "products.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(context.Background(), "products.csv", f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || res.Type != connectors.Items {
		t.Fatalf("type %s, problems:\n%s", res.Type, problemsText(res.Problems))
	}
	return res.Records
}

func TestSampleProductsCoverTheSampleDocuments(t *testing.T) {
	products := map[string]connectors.Item{}
	for _, r := range readSampleProducts(t) {
		products[r.Item.Code] = *r.Item
	}
	used := map[string]bool{}
	for _, typ := range []connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes, connectors.PurchaseInvoices} {
		for _, r := range readSamples(t)[typ] {
			for _, l := range r.Document.Lines {
				if l.ItemCode == "" {
					continue
				}
				used[l.ItemCode] = true
				if _, ok := products[l.ItemCode]; !ok {
					t.Errorf("%s %s sells product %s, which the products file does not have", typ.Label(), r.Code(), l.ItemCode)
				}
			}
		}
	}
	unused := 0
	for code := range products {
		if !used[code] {
			unused++
		}
	}
	if unused == 0 {
		t.Error("every sample product is on a document; the sample needs one that is not, to show the stock-on-invoices option")
	}
	house := products["BEAN-HOUSE-1KG"]
	if !house.Stock || !house.SalesPrice.Equal(decimal.RequireFromString("18.00")) || house.SalesAccount != "200" || house.Description == "" {
		t.Errorf("BEAN-HOUSE-1KG read as %+v", house)
	}
	if course := products["COURSE-BARISTA"]; course.Stock || course.PurchaseAccount != "" {
		t.Errorf("the barista course is a service with no purchase account, read as %+v", course)
	}
}

func TestProductFiles(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                int
		problem             string
	}{
		{"own column names", "products.csv", "code,name,sales_price,stock\nP1,Mug,12.00,yes\n", 1, ""},
		{"stock system headings", "Stock Items 2026-11.csv", "Stock Code;Product Name;Selling Price;Cost Price\nP1;Mug;12,00;4,50\n", 1, ""},
		{"name missing", "products.csv", "code,name\nP1,\n", 0, "the product name is missing"},
		{"negative price", "items.csv", "code,name,price\nP1,Mug,-1\n", 0, "a price cannot be negative"},
		{"code twice", "products.csv", "code,name\nP1,Mug\nP1,Cup\n", 0, "keep one row per product"},
		{"json", "products.json", `{"type":"products","records":[{"code":"P1","name":"Mug","sales_price":"12.00","stock":true}]}`, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Read(context.Background(), tc.file, strings.NewReader(tc.content), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Type != connectors.Items || len(res.Records) != tc.want {
				t.Fatalf("type %s, %d records (want %d); problems %s", res.Type, len(res.Records), tc.want, problemsText(res.Problems))
			}
			if tc.problem != "" && !strings.Contains(problemsText(res.Problems), tc.problem) {
				t.Errorf("problems %s; want one saying %q", problemsText(res.Problems), tc.problem)
			}
			if tc.problem == "" && len(res.Problems) > 0 {
				t.Errorf("unexpected problems %s", problemsText(res.Problems))
			}
		})
	}
}
