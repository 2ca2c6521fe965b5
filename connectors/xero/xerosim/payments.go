package xerosim

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

func (t *tenant) paymentByID(id string) *Payment {
	return findFold(t.Payments, func(x *Payment) string { return x.PaymentID }, id)
}

func (t *tenant) batchByID(id string) *BatchPayment {
	return findFold(t.BatchPayments, func(x *BatchPayment) string { return x.BatchPaymentID }, id)
}

func (t *tenant) creditNoteByNumber(number string) *CreditNote {
	for _, cn := range t.CreditNotes {
		if cn.CreditNoteNumber == number && cn.Status != "DELETED" && cn.Status != "VOIDED" {
			return cn
		}
	}
	return nil
}

func (s *Sim) listPayments(c *apiCall) answer {
	recs, bad := filterRecords(c, c.t.Payments, func(x *Payment) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, pagination, _, bad := page(c, recs, true)
	if bad != nil {
		return *bad
	}
	extra := map[string]any{}
	if pagination != nil {
		extra["pagination"] = pagination
	}
	return jsonAnswer(http.StatusOK, s.envelope("Payments", pg, extra))
}

func (s *Sim) getPayment(c *apiCall) answer {
	p := c.t.paymentByID(c.id)
	if p == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("Payments", []*Payment{p}, nil))
}

// paymentTarget is the document one payment applies to.
type paymentTarget struct {
	inv *Invoice
	cn  *CreditNote
}

func (p paymentTarget) status() string {
	if p.inv != nil {
		return p.inv.Status
	}
	return p.cn.Status
}

func (p paymentTarget) due() decimal.Decimal {
	if p.inv != nil {
		return p.inv.AmountDue.Decimal
	}
	return p.cn.RemainingCredit.Decimal
}

func (p paymentTarget) currency() string {
	if p.inv != nil {
		return p.inv.CurrencyCode
	}
	return p.cn.CurrencyCode
}

// kind is the invoice type the document belongs with: ACCREC or ACCPAY.
func (p paymentTarget) kind() string {
	if p.inv != nil {
		return p.inv.Type
	}
	if p.cn.Type == "ACCPAYCREDIT" {
		return "ACCPAY"
	}
	return "ACCREC"
}

// resolveTarget finds the invoice or credit note a payment names.
func (t *tenant) resolveTarget(in *Payment) (paymentTarget, []string) {
	switch {
	case in.Invoice != nil && in.CreditNote != nil:
		return paymentTarget{}, []string{"A payment can be applied to an invoice or a credit note, not both."}
	case in.Invoice != nil:
		var inv *Invoice
		switch {
		case in.Invoice.InvoiceID != "":
			inv = t.invoiceByID(in.Invoice.InvoiceID)
		case in.Invoice.InvoiceNumber != "":
			inv = t.invoiceByNumber(in.Invoice.InvoiceNumber, "")
		}
		if inv == nil {
			return paymentTarget{}, []string{"The document with the supplied id was not found for this endpoint."}
		}
		return paymentTarget{inv: inv}, nil
	case in.CreditNote != nil:
		var cn *CreditNote
		switch {
		case in.CreditNote.CreditNoteID != "":
			cn = t.creditNoteByID(in.CreditNote.CreditNoteID)
		case in.CreditNote.CreditNoteNumber != "":
			cn = t.creditNoteByNumber(in.CreditNote.CreditNoteNumber)
		}
		if cn == nil {
			return paymentTarget{}, []string{"The document with the supplied id was not found for this endpoint."}
		}
		return paymentTarget{cn: cn}, nil
	}
	return paymentTarget{}, []string{"An invoice or credit note must be specified to apply the payment to."}
}

// bankAccount finds the account a payment is made from or into.
func (t *tenant) bankAccount(ref *AccountRef) (*Account, []string) {
	if ref == nil || (ref.AccountID == "" && ref.Code == "") {
		return nil, []string{"Account code or ID must be specified"}
	}
	var acct *Account
	if ref.AccountID != "" {
		acct = t.accountByID(ref.AccountID)
	} else {
		acct = t.accountByCode(ref.Code)
	}
	if acct == nil || acct.Status != "ACTIVE" || (acct.Type != "BANK" && !acct.EnablePaymentsToAccount) {
		return nil, []string{fmt.Sprintf("Account code '%s' is not a valid code for this document.", firstNonEmpty(ref.Code, ref.AccountID))}
	}
	return acct, nil
}

// checkPayment applies Xero's rules to one payment against its document.
func (t *tenant) checkPayment(target paymentTarget, amount decimal.Decimal, date time.Time, dateOK bool) []string {
	var errs []string
	if !dateOK {
		errs = append(errs, "The payment date is not valid.")
	}
	if !amount.IsPositive() {
		errs = append(errs, "Payment amount must be greater than zero.")
	}
	if target.inv != nil || target.cn != nil {
		if target.status() != "AUTHORISED" {
			errs = append(errs, "Payments can only be made against Authorised documents")
		} else if amount.GreaterThan(target.due()) {
			errs = append(errs, "Payment amount exceeds the amount outstanding on this document")
		}
	}
	if dateOK {
		errs = append(errs, t.lockCheck(date)...)
	}
	return errs
}

// record applies a checked payment to its document and keeps it.
func (t *tenant) record(target paymentTarget, acct *Account, amount decimal.Decimal, date time.Time, reference string, reconciled bool, now time.Time) *Payment {
	amount = amount.Round(2)
	p := &Payment{
		PaymentID:      newID(),
		Account:        &AccountRef{AccountID: acct.AccountID, Code: acct.Code},
		Date:           msDate(date),
		Amount:         amt(amount),
		CurrencyRate:   amt(decimal.NewFromInt(1)),
		Reference:      reference,
		IsReconciled:   reconciled,
		Status:         "AUTHORISED",
		UpdatedDateUTC: msDate(now),
	}
	if inv := target.inv; inv != nil {
		inv.AmountPaid = amt(inv.AmountPaid.Add(amount))
		inv.AmountDue = amt(inv.AmountDue.Sub(amount))
		if inv.AmountDue.IsZero() {
			inv.Status = "PAID"
			inv.FullyPaidOnDate = msDate(date)
		}
		inv.UpdatedDateUTC = msDate(now)
		p.Invoice = &DocRef{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber, Type: inv.Type,
			CurrencyCode: inv.CurrencyCode, Contact: inv.Contact}
		p.PaymentType = "ACCRECPAYMENT"
		if inv.Type == "ACCPAY" {
			p.PaymentType = "ACCPAYPAYMENT"
		}
	} else {
		cn := target.cn
		cn.RemainingCredit = amt(cn.RemainingCredit.Sub(amount))
		if cn.RemainingCredit.IsZero() {
			cn.Status = "PAID"
		}
		cn.UpdatedDateUTC = msDate(now)
		p.CreditNote = &CreditNoteRef{CreditNoteID: cn.CreditNoteID, CreditNoteNumber: cn.CreditNoteNumber, Type: cn.Type,
			CurrencyCode: cn.CurrencyCode, Contact: cn.Contact}
		p.PaymentType = "ARCREDITPAYMENT"
		if cn.Type == "ACCPAYCREDIT" {
			p.PaymentType = "APCREDITPAYMENT"
		}
	}
	t.Payments = append(t.Payments, p)
	return p
}

// writePayments is PUT /Payments: payments against invoices, and refunds
// of credit notes.
func (s *Sim) writePayments(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[Payment]{
		key:        "Payments",
		schema:     paymentSchema,
		createOnly: true,
		keepSentID: true,
		id:         func(x *Payment) *string { return &x.PaymentID },
		refuse: func(x *Payment, errs []ValidationError) {
			x.HasValidationErrors, x.ValidationErrors, x.StatusAttributeString = true, errs, "ERROR"
		},
		save: s.savePayment,
	})
}

// savePayment checks a new payment and records it, returning the payment
// to echo or the reasons it is refused.
func (s *Sim) savePayment(c *apiCall, in *Payment, _ map[string]any, _ *Payment, now time.Time) (*Payment, []string, error) {
	t := c.t
	target, errs := t.resolveTarget(in)
	acct, aerrs := t.bankAccount(in.Account)
	errs = append(errs, aerrs...)
	date, ok := parseDay(in.Date)
	errs = append(errs, t.checkPayment(target, in.Amount.Decimal, date, ok)...)
	if len(errs) > 0 {
		return nil, errs, nil
	}
	p := t.record(target, acct, in.Amount.Decimal, date, in.Reference, in.IsReconciled, now)
	echo := *p
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// ---- batch payments ----

func (s *Sim) listBatchPayments(c *apiCall) answer {
	recs, bad := filterRecords(c, c.t.BatchPayments, func(x *BatchPayment) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	return jsonAnswer(http.StatusOK, s.envelope("BatchPayments", recs, nil))
}

func (s *Sim) getBatchPayment(c *apiCall) answer {
	b := c.t.batchByID(c.id)
	if b == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("BatchPayments", []*BatchPayment{b}, nil))
}

// batchMemberIn is one payment of a batch as a request sends it.
type batchMemberIn struct {
	Invoice   *DocRef     `json:"Invoice"`
	Account   *AccountRef `json:"Account"`
	Date      string      `json:"Date"`
	Amount    Amount      `json:"Amount"`
	Reference string      `json:"Reference"`
}

type batchIn struct {
	Account   *AccountRef     `json:"Account"`
	Date      string          `json:"Date"`
	Reference string          `json:"Reference"`
	Details   string          `json:"Details"`
	Narrative string          `json:"Narrative"`
	Payments  []batchMemberIn `json:"Payments"`
}

// writeBatchPayments is PUT /BatchPayments. A batch is one bank
// transaction: every payment in it is from the same bank account, on the
// same date, for invoices of one kind (all sales or all bills) in one
// currency. A batch with any payment Xero refuses is not saved at all.
func (s *Sim) writeBatchPayments(c *apiCall) answer {
	t := c.t
	return writeElements(s, c, "BatchPayments", batchPaymentSchema, true, func(in *batchIn, raw map[string]any, now time.Time, out *writeOutcome) error {
		acct, errs := t.bankAccount(in.Account)
		date, dateOK := parseDay(in.Date)
		if !dateOK {
			errs = append(errs, "The batch payment date is not valid.")
		}
		if len(in.Payments) == 0 {
			errs = append(errs, "A batch payment must contain at least one payment.")
		}
		targets := make([]paymentTarget, len(in.Payments))
		kinds, currencies := map[string]bool{}, map[string]bool{}
		for i, m := range in.Payments {
			if m.Invoice == nil {
				errs = append(errs, "An invoice must be specified for each payment in a batch payment.")
				continue
			}
			target, terrs := t.resolveTarget(&Payment{Invoice: m.Invoice})
			errs = append(errs, terrs...)
			if target.inv == nil {
				continue
			}
			targets[i] = target
			kinds[target.kind()] = true
			currencies[strings.ToUpper(target.currency())] = true
			if m.Account != nil && acct != nil {
				other, _ := t.bankAccount(m.Account)
				if other != acct {
					errs = append(errs, "All payments in a batch payment must be made from the same bank account.")
				}
			}
			if m.Date != "" && dateOK {
				if d, ok := parseDay(m.Date); !ok || !d.Equal(date) {
					errs = append(errs, "All payments in a batch payment must have the same date.")
				}
			}
			errs = append(errs, t.checkPayment(target, m.Amount.Decimal, date, dateOK)...)
		}
		if len(kinds) > 1 {
			errs = append(errs, "A batch payment can pay either sales invoices or bills, not both.")
		}
		if len(currencies) > 1 {
			errs = append(errs, "All invoices in a batch payment must be in the same currency.")
		}
		if acct != nil && acct.CurrencyCode != "" && len(currencies) == 1 && !currencies[strings.ToUpper(acct.CurrencyCode)] {
			errs = append(errs, fmt.Sprintf("The invoices in a batch payment must be in the bank account's currency (%s).", acct.CurrencyCode))
		}
		errs = dedupe(errs)
		if len(errs) > 0 {
			echo := BatchPayment{BatchPaymentID: zeroID, Account: in.Account, Reference: in.Reference, Date: in.Date,
				Payments: []BatchMember{}, ValidationErrors: messages(errs), StatusAttributeString: "ERROR"}
			out.add(&echo, true)
			return nil
		}
		b := &BatchPayment{
			BatchPaymentID: newID(),
			Account:        &AccountRef{AccountID: acct.AccountID, Code: acct.Code},
			Reference:      in.Reference,
			DateString:     dayString(date),
			Date:           msDate(date),
			Type:           "RECBATCH",
			Status:         "AUTHORISED",
			UpdatedDateUTC: msDate(now),
		}
		if kinds["ACCPAY"] {
			b.Type = "PAYBATCH"
		}
		total := decimal.Zero
		var members []*Payment
		for i, m := range in.Payments {
			ref := firstNonEmpty(m.Reference, in.Reference)
			p := t.record(targets[i], acct, m.Amount.Decimal, date, ref, false, now)
			p.BatchPaymentID = b.BatchPaymentID
			members = append(members, p)
			total = total.Add(p.Amount.Decimal)
			b.Payments = append(b.Payments, BatchMember{PaymentID: p.PaymentID, Reference: p.Reference,
				Invoice: &BatchInvoice{InvoiceID: p.Invoice.InvoiceID, CurrencyCode: p.Invoice.CurrencyCode},
				Amount:  p.Amount, BankAmount: p.Amount})
		}
		b.TotalAmount = amt(total)
		for _, p := range members {
			p.BatchPayment = &BatchPaymentRef{BatchPaymentID: b.BatchPaymentID, Account: b.Account, Date: b.Date,
				Reference: b.Reference, Type: b.Type, Status: b.Status, TotalAmount: b.TotalAmount, UpdatedDateUTC: b.UpdatedDateUTC}
		}
		t.BatchPayments = append(t.BatchPayments, b)
		echo := *b
		echo.StatusAttributeString = "OK"
		out.add(&echo, false)
		return nil
	})
}

func dedupe(vs []string) []string {
	seen := map[string]bool{}
	out := vs[:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
