package feed

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// invoiceFile builds a sales-invoice file of n lines, five lines per invoice.
func invoiceFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString(invoiceHeading)
	for i := 0; i < n; i++ {
		inv := i / 5
		fmt.Fprintf(&b, "INV-%06d,C%03d,2026-11-%02d,2026-12-%02d,PO %d,GBP,no,authorised,ITEM-%d,\"Line %d, assorted\",%d,%d.%02d,%d,200,OUTPUT2,%d.%02d,SHOP,\n",
			inv, inv%500, inv%28+1, inv%28+1, inv, i%7, i, i%9+1, i%300+1, i%100, i%3*5, i%50, i%100)
	}
	return b.Bytes()
}

func BenchmarkRead50kInvoiceLines(b *testing.B) {
	const lines = 50_000
	data := invoiceFile(lines)
	res, err := Read(context.Background(), "sales_invoices.csv", bytes.NewReader(data), Options{})
	if err != nil || len(res.Problems) > 0 || len(res.Records) != lines/5 {
		b.Fatalf("setup: %v, %d records, problems %v", err, len(res.Records), res.Problems)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Read(context.Background(), "sales_invoices.csv", bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
