package conformance_test

import (
	stdsync "sync"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
)

func TestNewSamples(t *testing.T) {
	s := conformance.NewSamples(conformance.Codes{Prefix: "RUN7", SalesAccount: "200", PurchaseAccount: "400", JournalDebit: "477", JournalCredit: "814"})
	cust, supp := s.Customer(), s.Supplier()
	inv := s.SalesInvoice(*cust.Party)
	pinv := s.PurchaseInvoice(*supp.Party)
	all := []connectors.Record{
		cust, supp, inv, pinv, s.Quote(*cust.Party), s.CreditNote(*cust.Party),
		s.InvoicePayment(*inv.Document), s.PurchasePayment(*pinv.Document), s.Journal(),
	}
	seen := map[string]bool{}
	for _, r := range all {
		if err := r.Validate(); err != nil {
			t.Errorf("%s sample: %v", r.Type, err)
		}
		if seen[r.Code()] {
			t.Errorf("code %s given twice", r.Code())
		}
		seen[r.Code()] = true
		if len(r.Code()) < 5 || r.Code()[:5] != "RUN7-" {
			t.Errorf("code %q does not start with the prefix", r.Code())
		}
	}
	if inv.Document.PartyCode != cust.Party.Code || pinv.Document.PartyCode != supp.Party.Code {
		t.Errorf("documents do not reference their party")
	}
	if inv.Document.Lines[0].NominalCode != "200" || pinv.Document.Lines[0].NominalCode != "400" {
		t.Errorf("documents do not use the given accounts")
	}
	pay := all[6].Payment
	if pay.Allocations[0].DocumentCode != inv.Document.Code || !pay.Allocations[0].Amount.Equal(pay.Amount) ||
		pay.Amount.GreaterThan(inv.Document.NetTotal()) {
		t.Errorf("payment %+v does not pay part of %s", pay, inv.Document.Code)
	}
	if j := all[8].Journal; !j.Balanced() || j.Lines[0].NominalCode != "477" {
		t.Errorf("journal %+v", j)
	}

	tests := []struct {
		name  string
		rec   connectors.Record
		check func(connectors.Record) bool
	}{
		{"party loses its name", cust, func(r connectors.Record) bool { return r.Party.Name == "" }},
		{"document gets an unknown account", inv, func(r connectors.Record) bool { return r.Document.Lines[0].NominalCode == "NO-SUCH-ACCOUNT" }},
		{"payment pays a missing invoice", all[6], func(r connectors.Record) bool { return r.Payment.Allocations[0].DocumentCode == "RUN7-MISSING-INVOICE" }},
		{"journal gets an unknown account", all[8], func(r connectors.Record) bool { return r.Journal.Lines[0].NominalCode == "NO-SUCH-ACCOUNT" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.rec.Code()
			spoilt := s.Spoil(tc.rec)
			if spoilt.Type != tc.rec.Type || spoilt.Code() != before || !tc.check(spoilt) {
				t.Errorf("Spoil gave %+v", spoilt)
			}
			if tc.check(tc.rec) {
				t.Errorf("Spoil changed the original record")
			}
			changed := s.Change(tc.rec)
			if changed.Type != tc.rec.Type || changed.Code() != before {
				t.Errorf("Change altered type or code: %+v", changed)
			}
		})
	}
	if s.Change(inv).Document.Lines[0].Description == inv.Document.Lines[0].Description {
		t.Errorf("Change left the document's lines as they were")
	}
}

func TestSampleCodesUniqueAcrossGoroutines(t *testing.T) {
	s := conformance.NewSamples(conformance.Codes{})
	const workers, each = 4, 50
	var (
		mu   stdsync.Mutex
		wg   stdsync.WaitGroup
		seen = map[string]int{}
	)
	for range workers {
		wg.Go(func() {
			for range each {
				c := s.Customer().Code()
				mu.Lock()
				seen[c]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("%d distinct codes for %d samples", len(seen), workers*each)
	}
}
