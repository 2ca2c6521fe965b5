package feed

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// issue is a problem check found in a built record. index is the line
// (document or journal line, payment allocation) it concerns, or -1 for the
// record itself; field is the model field ("date", "quantity") or "" for
// the record as a whole. CSV and JSON reading turn it into a Problem with
// their own line and column.
type issue struct {
	index int
	field string
	msg   string
}

// checkRecord applies the rules every imported record must meet, whichever
// format it came in. They are the rules of a well-formed record; business
// rules that need the accounting package (does the nominal code exist?)
// belong to pre-check.
func checkRecord(rec connectors.Record) []issue {
	switch {
	case rec.Party != nil:
		return checkParty(rec.Type, rec.Party)
	case rec.Document != nil:
		return checkDocument(rec.Type, rec.Document)
	case rec.Payment != nil:
		return checkPayment(rec.Type, rec.Payment)
	case rec.Journal != nil:
		return checkJournal(rec.Journal)
	case rec.Item != nil:
		return checkItem(rec.Item)
	}
	return []issue{{index: -1, msg: fmt.Sprintf("the record has no %s details", noun(rec.Type))}}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func missing(field, what string) issue {
	return issue{index: -1, field: field, msg: what + " is missing"}
}

func checkCurrency(code string) *issue {
	if code == "" {
		return nil
	}
	if _, err := parseCurrency(code); err != nil {
		return &issue{index: -1, field: "currency", msg: err.Error()}
	}
	return nil
}

func checkParty(t connectors.RecordType, p *connectors.Party) []issue {
	var out []issue
	if blank(p.Code) {
		out = append(out, missing("code", "the "+noun(t)+" code"))
	}
	if blank(p.Name) {
		out = append(out, missing("name", "the name"))
	}
	if e := strings.TrimSpace(p.Email); e != "" {
		at := strings.IndexByte(e, '@')
		if at <= 0 || at == len(e)-1 || strings.Count(e, "@") != 1 || strings.ContainsAny(e, " ,;") {
			out = append(out, issue{index: -1, field: "email", msg: fmt.Sprintf("'%s' is not an email address", e)})
		}
	}
	if is := checkCurrency(p.Currency); is != nil {
		out = append(out, *is)
	}
	for name := range p.CustomFields {
		if blank(name) {
			out = append(out, issue{index: -1, field: "custom_fields", msg: "a custom field has no name"})
			break
		}
	}
	return out
}

func checkDocument(t connectors.RecordType, d *connectors.Document) []issue {
	var out []issue
	n := noun(t)
	if blank(d.Code) {
		out = append(out, missing("code", "the "+n+" number"))
	}
	if blank(d.PartyCode) {
		who := "customer"
		if t == connectors.PurchaseInvoices || (t == connectors.CreditNotes && d.Purchase) {
			who = "supplier"
		}
		out = append(out, missing("party_code", "the "+who+" code"))
	}
	if d.Date.IsZero() {
		out = append(out, missing("date", "the "+n+" date"))
	}
	if !d.DueDate.IsZero() && !d.Date.IsZero() && d.DueDate.Before(d.Date.Time) {
		out = append(out, issue{index: -1, field: "due_date", msg: fmt.Sprintf("the due date %s is before the %s date %s", d.DueDate, n, d.Date)})
	}
	if is := checkCurrency(d.Currency); is != nil {
		out = append(out, *is)
	}
	if !validStatus(d.Status) {
		out = append(out, issue{index: -1, field: "status", msg: fmt.Sprintf("'%s' is not a status; use draft, submitted, authorised, paid, voided or deleted", d.Status)})
	}
	if d.Purchase && t != connectors.CreditNotes {
		out = append(out, issue{index: -1, field: "purchase", msg: "only credit notes can be marked as purchase"})
	}
	if len(d.Lines) == 0 {
		out = append(out, issue{index: -1, field: "lines", msg: "the " + n + " has no lines"})
	}
	hundred := decimal.NewFromInt(100)
	for i, l := range d.Lines {
		if blank(l.Description) && blank(l.ItemCode) {
			out = append(out, issue{index: i, field: "description", msg: "the line needs a description or an item code"})
		}
		if l.DiscountPercent.IsNegative() || l.DiscountPercent.GreaterThan(hundred) {
			out = append(out, issue{index: i, field: "discount_percent", msg: fmt.Sprintf("a discount of %s%% is not between 0 and 100", l.DiscountPercent)})
		}
	}
	return out
}

func checkPayment(t connectors.RecordType, p *connectors.Payment) []issue {
	var out []issue
	if blank(p.Code) {
		out = append(out, missing("code", "the payment code"))
	}
	if p.Date.IsZero() {
		out = append(out, missing("date", "the payment date"))
	}
	if !p.Amount.IsPositive() {
		out = append(out, issue{index: -1, field: "amount", msg: fmt.Sprintf("the payment amount %s must be more than zero (a refund is entered as a credit note)", p.Amount)})
	}
	if is := checkCurrency(p.Currency); is != nil {
		out = append(out, *is)
	}
	allowed := []connectors.RecordType{connectors.SalesInvoices, connectors.CreditNotes}
	if t == connectors.PurchasePayments {
		allowed = []connectors.RecordType{connectors.PurchaseInvoices, connectors.CreditNotes}
	}
	sum := decimal.Zero
	for i, a := range p.Allocations {
		if blank(a.DocumentCode) {
			out = append(out, issue{index: i, field: "document_code", msg: "the allocation does not say which document it pays"})
		}
		if !a.Amount.IsPositive() {
			out = append(out, issue{index: i, field: "amount", msg: fmt.Sprintf("the allocated amount %s must be more than zero", a.Amount)})
		}
		ok := false
		for _, at := range allowed {
			ok = ok || a.DocumentType == at
		}
		if !ok {
			out = append(out, issue{index: i, field: "document_type", msg: fmt.Sprintf("%s can be allocated to %s or a credit note, not to '%s'", aNoun(noun(t)), aNoun(noun(allowed[0])), a.DocumentType)})
		}
		sum = sum.Add(a.Amount)
	}
	if p.Amount.IsPositive() && sum.GreaterThan(p.Amount) {
		out = append(out, issue{index: -1, msg: fmt.Sprintf("the allocations add up to %s, more than the payment of %s", sum, p.Amount)})
	}
	return out
}

func checkJournal(j *connectors.JournalEntry) []issue {
	var out []issue
	if blank(j.Code) {
		out = append(out, missing("code", "the journal code"))
	}
	if blank(j.Company) {
		out = append(out, missing("company", "the company"))
	}
	if j.Date.IsZero() {
		out = append(out, missing("date", "the journal date"))
	}
	switch {
	case blank(j.Period):
		out = append(out, missing("period", "the period"))
	case !validPeriod(j.Period):
		out = append(out, issue{index: -1, field: "period", msg: fmt.Sprintf("'%s' is not a period in the form 2026-11", j.Period)})
	}
	if len(j.Lines) == 0 {
		out = append(out, issue{index: -1, field: "lines", msg: "the journal has no lines"})
	}
	for i, l := range j.Lines {
		if blank(l.NominalCode) {
			out = append(out, issue{index: i, field: "nominal_code", msg: "the nominal code is missing"})
		}
		hasDebit, hasCredit := !l.Debit.IsZero(), !l.Credit.IsZero()
		switch {
		case hasDebit && hasCredit:
			out = append(out, issue{index: i, field: "credit", msg: "the line has both a debit and a credit; put them on separate lines"})
		case !hasDebit && !hasCredit:
			out = append(out, issue{index: i, field: "debit", msg: "the line has neither a debit nor a credit"})
		}
		if l.Period != "" && !validPeriod(l.Period) {
			out = append(out, issue{index: i, field: "period", msg: fmt.Sprintf("'%s' is not a period in the form 2026-11", l.Period)})
		}
	}
	if len(j.Lines) > 0 && !j.Balanced() {
		dr, cr := decimal.Zero, decimal.Zero
		for _, l := range j.Lines {
			dr, cr = dr.Add(l.Debit), cr.Add(l.Credit)
		}
		out = append(out, issue{index: -1, msg: fmt.Sprintf("the journal does not balance: debits %s, credits %s (difference %s)", dr.StringFixed(2), cr.StringFixed(2), dr.Sub(cr).Abs().StringFixed(2))})
	}
	return out
}

// finish fills defaults the options give and tidies what both formats
// share (currency codes in capitals, an allocation with no document type
// pays an invoice), before checks run.
func finish(rec *connectors.Record, opts Options) {
	def := strings.ToUpper(strings.TrimSpace(opts.DefaultCurrency))
	tidy := func(cur *string, fill bool) {
		*cur = strings.TrimSpace(*cur)
		if up, err := parseCurrency(*cur); err == nil {
			*cur = up
		}
		if *cur == "" && fill {
			*cur = def
		}
	}
	switch {
	case rec.Party != nil:
		tidy(&rec.Party.Currency, false)
	case rec.Document != nil:
		tidy(&rec.Document.Currency, true)
	case rec.Payment != nil:
		tidy(&rec.Payment.Currency, true)
		invoiceType := connectors.SalesInvoices
		if rec.Type == connectors.PurchasePayments {
			invoiceType = connectors.PurchaseInvoices
		}
		for i := range rec.Payment.Allocations {
			if rec.Payment.Allocations[i].DocumentType == "" {
				rec.Payment.Allocations[i].DocumentType = invoiceType
			}
		}
	}
}

func checkItem(it *connectors.Item) []issue {
	var out []issue
	if blank(it.Code) {
		out = append(out, missing("code", "the product code"))
	}
	if blank(it.Name) {
		out = append(out, missing("name", "the product name"))
	}
	for _, p := range []struct {
		field string
		v     decimal.Decimal
	}{{"sales_price", it.SalesPrice}, {"purchase_price", it.PurchasePrice}} {
		if p.v.IsNegative() {
			out = append(out, issue{index: -1, field: p.field, msg: "a price cannot be negative"})
		}
	}
	return out
}
