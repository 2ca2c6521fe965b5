package xero

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestCompositeRemoteID(t *testing.T) {
	a, b := "BBBBBBBB-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000001"
	id := compositeID([]string{a, b})
	if id != strings.ToLower(b)+"+"+strings.ToLower(a) || compositeID([]string{b, a}) != id {
		t.Fatalf("composite of %s and %s = %q; want one order whatever the input", a, b, id)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{id, []string{strings.ToLower(b), strings.ToLower(a)}},
		{a, []string{a}},
		{" x + +y ", []string{"x", "y"}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := splitRemoteID(tc.in); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitRemoteID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := guids([]string{"anything", a, "", a}); len(got) != 1 || got[0] != strings.ToLower(a) {
		t.Errorf("guids = %q", got)
	}
}

// TestGroupLoose joins the payments of a split payment and leaves
// payments typed into Xero by hand alone, even with the same reference.
func TestGroupLoose(t *testing.T) {
	inv := func(id, ref, who string) payment {
		return payment{PaymentID: id, Reference: ref, Date: "/Date(1777593600000+0000)/", Amount: num(decimal.RequireFromString("10")),
			Account: &accountRef{Code: "090"}, PaymentType: paymentSales,
			Invoice: &docRef{InvoiceID: "inv-" + id, InvoiceNumber: "INV-" + id, Contact: &contact{ContactID: who}}}
	}
	refund := func(id, ref, who string) payment {
		p := inv(id, ref, who)
		p.Invoice, p.PaymentType = nil, paymentSalesRefund
		p.CreditNote = &creditNoteRef{CreditNoteID: "cn-" + id, CreditNoteNumber: "CN-" + id, Contact: &contact{ContactID: who}}
		return p
	}
	tests := []struct {
		name string
		in   []payment
		want []string // group IDs
	}{
		{"split payment", []payment{inv("1", "PAY", "c1"), refund("2", "PAY", "c1")}, []string{"1+2"}},
		{"same reference by hand", []payment{inv("1", "Cash", "c1"), inv("2", "Cash", "c1")}, []string{"1", "2"}},
		{"refund of another customer", []payment{inv("1", "PAY", "c1"), refund("2", "PAY", "c2")}, []string{"1", "2"}},
		{"no reference", []payment{inv("1", "", "c1"), refund("2", "", "c1")}, []string{"1", "2"}},
	}
	for _, tc := range tests {
		var got []string
		for _, g := range groupLoose(tc.in) {
			got = append(got, g.id)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: groups %v, want %v", tc.name, got, tc.want)
		}
	}
	r, err := paymentRecord(connectors.InvoicePayments, groupLoose([]payment{inv("1", "PAY", "c1"), refund("2", "PAY", "c1")})[0])
	if err != nil || !r.Record.Payment.Amount.IsZero() || len(r.Record.Payment.Allocations) != 2 {
		t.Errorf("a payment of 10 less a refund of 10 reads as %+v, %v", r.Record.Payment, err)
	}
}

// FuzzPaymentAnswers feeds /Payments and /BatchPayments answers, as Xero
// might send them, through the grouping and mapping of payments: nothing
// panics, and every record read is a valid payment.
func FuzzPaymentAnswers(f *testing.F) {
	f.Add(`{"Payments":[{"PaymentID":"p1","Reference":"PAY","Date":"/Date(1777593600000+0000)/","Amount":10,"PaymentType":"ACCRECPAYMENT","Invoice":{"InvoiceID":"i1","InvoiceNumber":"INV-1"}},{"PaymentID":"p2","Reference":"PAY","Date":"/Date(1777593600000+0000)/","Amount":"2.5","CreditNote":{"CreditNoteID":"c1"}}]}`,
		`{"BatchPayments":[{"BatchPaymentID":"b1","Reference":"R","Date":"2026-05-01","TotalAmount":12.5,"Payments":[{"PaymentID":"p1","Amount":10}]}]}`)
	f.Add(`{"Payments":[{"PaymentID":"x","Date":"not a date","Amount":null}]}`, `{"BatchPayments":[{"Payments":null}]}`)
	f.Add(`{}`, `{"BatchPayments":[{"BatchPaymentID":"","Date":"/Date(-1)/","Payments":[{}]}]}`)
	f.Fuzz(func(t *testing.T, payments, batches string) {
		var pe, be envelope
		if json.Unmarshal([]byte(payments), &pe) != nil || json.Unmarshal([]byte(batches), &be) != nil {
			return
		}
		groups := groupLoose(pe.Payments)
		for _, b := range be.BatchPayments {
			g := payGroup{id: b.BatchPaymentID, batch: &b}
			for _, m := range b.Payments {
				g.members = append(g.members, payment{PaymentID: m.PaymentID, Invoice: m.Invoice, Amount: m.Amount, Reference: m.Reference})
			}
			groups = append(groups, g)
		}
		for _, g := range groups {
			r, err := paymentRecord(connectors.InvoicePayments, g)
			if err != nil {
				continue
			}
			if r.Record.Payment.Code == "" && g.id != "" {
				t.Errorf("payment %q read with no code", g.id)
			}
			if r.Record.Code() != "" {
				if err := r.Record.Validate(); err != nil {
					t.Errorf("invalid record from %+v: %v", g, err)
				}
			}
		}
	})
}
