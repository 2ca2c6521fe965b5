package kashflow

import (
	"encoding/xml"
	"fmt"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// mappingConn is a connection whose reference lists are already read, so
// mapping needs no calls.
func mappingConn() *Conn {
	now := time.Now()
	r := &reference{
		nominals:  []wNominal{{ID: 5002, Code: 200, Name: "Sales"}},
		products:  []wProduct{{ProductID: 7001, ProductName: "BEAN-HOUSE-1KG"}},
		customers: map[int]wCustomer{},
		suppliers: map[int]wSupplier{},
		loaded:    map[string]bool{"nominals": true, "products": true, "customers": true},
		readAt:    map[string]time.Time{"nominals": now, "products": now, "customers": now},
	}
	for i := range 200 {
		r.customers[i+1] = wCustomer{CustomerID: i + 1, Code: fmt.Sprintf("C%03d", i), Name: "Customer"}
	}
	return &Conn{now: time.Now, ref: r, prints: &fingerprints{Types: map[connectors.RecordType]map[string]seen{}}}
}

func benchInvoice(i int) connectors.Document {
	return connectors.Document{
		Code: fmt.Sprintf("INV-%05d", i), PartyCode: fmt.Sprintf("C%03d", i%200), Date: connectors.NewDate(2026, 11, 2),
		DueDate: connectors.NewDate(2026, 12, 2), Reference: "Order", Currency: "GBP",
		Lines: []connectors.Line{
			{ItemCode: "BEAN-HOUSE-1KG", Description: "House Blend", Quantity: dec("2"), UnitPrice: dec("18.00"), NominalCode: "200", TaxCode: "0"},
			{Description: "Delivery", Quantity: dec("1"), UnitPrice: dec("6.50"), NominalCode: "200", TaxCode: "20", TaxAmount: dec("1.30")},
		},
	}
}

// BenchmarkMapping1000Invoices maps 1,000 invoices to KashFlow's XML and
// back, with their fingerprints.
func BenchmarkMapping1000Invoices(b *testing.B) {
	c := mappingConn()
	ctx := b.Context()
	docs := make([]connectors.Document, 1000)
	for i := range docs {
		docs[i] = benchInvoice(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			w, err := c.docToWire(ctx, connectors.SalesInvoices, d, nil)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := xml.Marshal(w)
			if err != nil {
				b.Fatal(err)
			}
			var back wInvoice
			if err := xml.Unmarshal(raw, &back); err != nil {
				b.Fatal(err)
			}
			r, err := c.docFromWire(ctx, connectors.SalesInvoices, back)
			if err != nil || r.Document.Code != d.Code {
				b.Fatalf("%v %v", r, err)
			}
			_ = hash(r)
		}
	}
}

// TestMappingNeedsNoCalls checks the benchmark's premise and the mapping
// of one invoice both ways.
func TestMappingNeedsNoCalls(t *testing.T) {
	c := mappingConn()
	d := benchInvoice(7)
	w, err := c.docToWire(t.Context(), connectors.SalesInvoices, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.CustomerReference != "[INV-00007] Order" || w.CustomerID != 8 || w.Lines.Lines[0].ChargeType != 5002 || w.Lines.Lines[0].ProductID != 7001 {
		t.Errorf("wire invoice %+v", w)
	}
	r, err := c.docFromWire(t.Context(), connectors.SalesInvoices, w)
	if err != nil || r.Document.Code != "INV-00007" || r.Document.PartyCode != "C007" || r.Document.Lines[0].ItemCode != "BEAN-HOUSE-1KG" {
		t.Errorf("read back %+v, %v", r.Document, err)
	}
}
