package xerosim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/shopspring/decimal"
)

func (t *tenant) paymentByID(id string) *Payment {
	for _, p := range t.Payments {
		if strings.EqualFold(p.PaymentID, id) {
			return p
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

// writePayments is PUT /Payments: payments against invoices.
func (s *Sim) writePayments(c *apiCall) answer {
	els, bad := c.elements("Payments")
	if bad != nil {
		return *bad
	}
	if bad := s.strictElements(paymentSchema, "Payments", els, true); bad != nil {
		return *bad
	}
	rollback := func() {}
	if c.summarize {
		rollback = snapshot(c.t)
	}
	t := c.t
	out := &writeOutcome{key: "Payments"}
	now := s.now()
	for _, raw := range els {
		var in Payment
		if err := decodeInto(raw, &in); err != nil {
			return badRequest("JSON for post data was invalid, " + err.Error())
		}
		var errs []string
		var inv *Invoice
		switch {
		case in.Invoice == nil:
			errs = append(errs, "An invoice or credit note must be specified to apply the payment to.")
		case in.Invoice.InvoiceID != "":
			inv = t.invoiceByID(in.Invoice.InvoiceID)
		case in.Invoice.InvoiceNumber != "":
			inv = t.invoiceByNumber(in.Invoice.InvoiceNumber, "")
		}
		if in.Invoice != nil && inv == nil {
			errs = append(errs, "The document with the supplied id was not found for this endpoint.")
		}
		var acct *Account
		switch {
		case in.Account == nil || (in.Account.AccountID == "" && in.Account.Code == ""):
			errs = append(errs, "Account code or ID must be specified")
		case in.Account.AccountID != "":
			acct = t.accountByID(in.Account.AccountID)
		default:
			acct = t.accountByCode(in.Account.Code)
		}
		if in.Account != nil && (in.Account.AccountID != "" || in.Account.Code != "") &&
			(acct == nil || acct.Status != "ACTIVE" || (acct.Type != "BANK" && !acct.EnablePaymentsToAccount)) {
			errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this document.", firstNonEmpty(in.Account.Code, in.Account.AccountID)))
		}
		date, ok := parseDay(in.Date)
		if !ok {
			errs = append(errs, "The payment date is not valid.")
		}
		if !in.Amount.IsPositive() {
			errs = append(errs, "Payment amount must be greater than zero.")
		}
		if inv != nil {
			if inv.Status != "AUTHORISED" {
				errs = append(errs, "Payments can only be made against Authorised documents")
			} else if in.Amount.GreaterThan(inv.AmountDue.Decimal) {
				errs = append(errs, "Payment amount exceeds the amount outstanding on this document")
			}
		}
		if ok {
			errs = append(errs, t.lockCheck(date)...)
		}
		if len(errs) > 0 {
			if in.PaymentID == "" {
				in.PaymentID = zeroID
			}
			in.HasValidationErrors, in.ValidationErrors, in.StatusAttributeString = true, messages(errs), "ERROR"
			out.add(&in, true)
			continue
		}
		amount := in.Amount.Round(2)
		inv.AmountPaid = amt(inv.AmountPaid.Add(amount))
		inv.AmountDue = amt(inv.AmountDue.Sub(amount))
		if inv.AmountDue.IsZero() {
			inv.Status = "PAID"
			inv.FullyPaidOnDate = msDate(date)
		}
		inv.UpdatedDateUTC = msDate(now)
		ptype := "ACCRECPAYMENT"
		if inv.Type == "ACCPAY" {
			ptype = "ACCPAYPAYMENT"
		}
		p := &Payment{
			PaymentID: newID(),
			Invoice: &DocRef{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber, Type: inv.Type,
				CurrencyCode: inv.CurrencyCode, Contact: inv.Contact},
			Account:        &AccountRef{AccountID: acct.AccountID, Code: acct.Code},
			Date:           msDate(date),
			Amount:         amt(amount),
			CurrencyRate:   amt(decimal.NewFromInt(1)),
			Reference:      in.Reference,
			IsReconciled:   in.IsReconciled,
			Status:         "AUTHORISED",
			PaymentType:    ptype,
			UpdatedDateUTC: msDate(now),
		}
		t.Payments = append(t.Payments, p)
		echo := *p
		echo.StatusAttributeString = "OK"
		out.add(&echo, false)
	}
	return s.finish(c, out, rollback)
}
