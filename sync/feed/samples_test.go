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

const sampleDir = "../../assets/sample"

// readSamples reads every sample business file.
func readSamples(t *testing.T) map[connectors.RecordType][]connectors.Record {
	t.Helper()
	entries, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	byType := map[connectors.RecordType][]connectors.Record{}
	for _, e := range entries {
		if e.IsDir() || strings.EqualFold(e.Name(), "README.md") {
			continue
		}
		f, err := os.Open(filepath.Join(sampleDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Read(context.Background(), e.Name(), f, Options{})
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if len(res.Problems) > 0 {
			t.Fatalf("%s has problems:\n%s", e.Name(), problemsText(res.Problems))
		}
		if len(res.Records) == 0 {
			t.Fatalf("%s holds no records", e.Name())
		}
		for _, r := range res.Records {
			if err := r.Validate(); err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
		}
		byType[res.Type] = append(byType[res.Type], res.Records...)
	}
	return byType
}

func TestSampleFilesReadCleanly(t *testing.T) {
	byType := readSamples(t)
	want := map[connectors.RecordType]int{
		connectors.Customers: 8, connectors.Suppliers: 3, connectors.SalesInvoices: 12, connectors.Quotes: 2,
		connectors.PurchaseInvoices: 4, connectors.InvoicePayments: 3, connectors.PurchasePayments: 2,
		connectors.CreditNotes: 1, connectors.Journals: 1,
	}
	for typ, n := range want {
		if got := len(byType[typ]); got != n {
			t.Errorf("%s: %d records, want %d", typ.Label(), got, n)
		}
	}
	persons, companies := 0, 0
	for _, r := range byType[connectors.Customers] {
		if r.Party.IsCompany() {
			companies++
		} else {
			persons++
		}
	}
	if persons == 0 || companies == 0 {
		t.Errorf("customers: %d persons, %d companies; the sample needs both", persons, companies)
	}
	for _, r := range byType[connectors.SalesInvoices] {
		if n := len(r.Document.Lines); n < 1 || n > 5 {
			t.Errorf("%s has %d lines", r.Code(), n)
		}
	}
	j := byType[connectors.Journals][0].Journal
	periods := map[string]bool{}
	for _, l := range j.Lines {
		p := l.Period
		if p == "" {
			p = j.Period
		}
		periods[p] = true
	}
	if !j.Balanced() || len(periods) < 2 {
		t.Errorf("the payroll journal should balance and span a correction period: balanced %v, periods %v", j.Balanced(), periods)
	}
}

// gross is a document's total as the business system computed it: each
// line's net to the penny plus its tax.
func gross(d *connectors.Document) decimal.Decimal {
	sum := decimal.Zero
	for _, l := range d.Lines {
		sum = sum.Add(l.Net().Round(2)).Add(l.TaxAmount)
	}
	return sum
}

func TestSampleBusinessIsCoherent(t *testing.T) {
	byType := readSamples(t)
	parties := map[connectors.RecordType]map[string]*connectors.Party{connectors.Customers: {}, connectors.Suppliers: {}}
	for typ := range parties {
		for _, r := range byType[typ] {
			parties[typ][r.Code()] = r.Party
		}
	}
	docs := map[connectors.RecordType]map[string]*connectors.Document{}
	for _, typ := range []connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes} {
		docs[typ] = map[string]*connectors.Document{}
		for _, r := range byType[typ] {
			d := r.Document
			docs[typ][d.Code] = d
			side := connectors.Customers
			if typ == connectors.PurchaseInvoices || d.Purchase {
				side = connectors.Suppliers
			}
			p, ok := parties[side][d.PartyCode]
			if !ok {
				t.Errorf("%s %s names %s, who is not among the %s", typ.Label(), d.Code, d.PartyCode, side.Label())
				continue
			}
			if p.Currency != "" && p.Currency != d.Currency {
				t.Errorf("%s %s is in %s but %s trades in %s", typ.Label(), d.Code, d.Currency, p.Name, p.Currency)
			}
		}
	}
	for _, typ := range []connectors.RecordType{connectors.InvoicePayments, connectors.PurchasePayments} {
		for _, r := range byType[typ] {
			p := r.Payment
			sum := decimal.Zero
			for _, a := range p.Allocations {
				d, ok := docs[a.DocumentType][a.DocumentCode]
				if !ok {
					t.Errorf("payment %s pays %s %s, which is not in the sample", p.Code, a.DocumentType, a.DocumentCode)
					continue
				}
				if d.PartyCode != p.PartyCode || d.Currency != p.Currency {
					t.Errorf("payment %s (%s, %s) pays %s of %s in %s", p.Code, p.PartyCode, p.Currency, d.Code, d.PartyCode, d.Currency)
				}
				if !a.Amount.Equal(gross(d)) {
					t.Errorf("payment %s allocates %s to %s, whose total is %s", p.Code, a.Amount, d.Code, gross(d))
				}
				sum = sum.Add(a.Amount)
			}
			if !sum.Equal(p.Amount) {
				t.Errorf("payment %s of %s allocates %s", p.Code, p.Amount, sum)
			}
		}
	}
}

func TestSampleReadmeListsEveryFile(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(sampleDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "README.md" && !strings.Contains(string(readme), e.Name()) {
			t.Errorf("README.md does not describe %s", e.Name())
		}
	}
}
