package assets

import (
	"io/fs"
	"testing"
)

func TestIconsArePNG(t *testing.T) {
	for _, name := range []string{"app", "tray-idle", "tray-syncing", "tray-attention"} {
		b, err := Icon(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG file", name)
		}
	}
	if _, err := Icon("missing"); err == nil {
		t.Error("a missing icon gave no error")
	}
}

func TestSampleHoldsEveryBusinessFile(t *testing.T) {
	want := []string{"customers.csv", "suppliers.csv", "sales_invoices.csv", "invoice_payments.csv", "purchase_invoices.csv"}
	for _, name := range want {
		b, err := fs.ReadFile(Sample(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
}
