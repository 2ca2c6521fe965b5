package xerosim

import (
	"time"

	"github.com/shopspring/decimal"
)

// sandboxPayment is a payment that reaches the Sandbox's bank account "in
// Xero" once the sample invoices it pays are there and approved, so Create
// & Allocate Payments has something to bring in on first use: one invoice
// paid by bank transfer, and the card provider's payout for two web orders
// in one deposit (a batch payment).
type sandboxPayment struct {
	reference string
	invoices  []string
}

var sandboxPayments = []sandboxPayment{
	{reference: "Bank transfer INV-1005", invoices: []string{"INV-1005"}},
	{reference: "Card payout web orders", invoices: []string{"INV-1003", "INV-1010"}},
}

// WithSandboxPayments makes the simulator enter the Sandbox's customer
// payments (see sandboxPayment) in the tenant the sample invoices go to.
func WithSandboxPayments() Option { return func(s *Sim) { s.sandboxPayments = true } }

// paySandbox enters each Sandbox payment whose invoices are all approved
// and unpaid, once: a payment already entered is remembered in the
// tenant's state.
func (t *tenant) paySandbox(now time.Time) {
	bank := t.accountByCode("090")
	if bank == nil {
		return
	}
	for _, sp := range sandboxPayments {
		if t.SandboxPaid[sp.reference] {
			continue
		}
		var targets []paymentTarget
		for _, number := range sp.invoices {
			inv := t.invoiceByNumber(number, "ACCREC")
			if inv == nil || inv.Status != "AUTHORISED" || !inv.AmountDue.IsPositive() {
				break
			}
			targets = append(targets, paymentTarget{inv: inv})
		}
		if len(targets) != len(sp.invoices) {
			continue
		}
		if t.SandboxPaid == nil {
			t.SandboxPaid = map[string]bool{}
		}
		t.SandboxPaid[sp.reference] = true
		day := now.UTC().Truncate(24 * time.Hour)
		if len(targets) == 1 {
			t.record(targets[0], bank, targets[0].inv.AmountDue.Decimal, day, sp.reference, true, now)
			continue
		}
		b := &BatchPayment{
			BatchPaymentID: newID(),
			Account:        &AccountRef{AccountID: bank.AccountID, Code: bank.Code},
			Reference:      sp.reference,
			DateString:     dayString(day),
			Date:           msDate(day),
			Type:           "RECBATCH",
			Status:         "AUTHORISED",
			UpdatedDateUTC: msDate(now),
		}
		total := decimal.Zero
		for _, target := range targets {
			p := t.record(target, bank, target.inv.AmountDue.Decimal, day, sp.reference, true, now)
			p.BatchPaymentID = b.BatchPaymentID
			total = total.Add(p.Amount.Decimal)
			b.Payments = append(b.Payments, BatchMember{PaymentID: p.PaymentID, Reference: p.Reference,
				Invoice: &BatchInvoice{InvoiceID: p.Invoice.InvoiceID, CurrencyCode: p.Invoice.CurrencyCode},
				Amount:  p.Amount, BankAmount: p.Amount})
			p.BatchPayment = &BatchPaymentRef{BatchPaymentID: b.BatchPaymentID, Account: b.Account, Date: b.Date,
				Reference: b.Reference, Type: b.Type, Status: b.Status, UpdatedDateUTC: b.UpdatedDateUTC}
		}
		b.TotalAmount = amt(total)
		for _, m := range b.Payments {
			if p := t.paymentByID(m.PaymentID); p != nil {
				p.BatchPayment.TotalAmount = b.TotalAmount
			}
		}
		t.BatchPayments = append(t.BatchPayments, b)
	}
}
