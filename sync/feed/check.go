package feed

import (
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"

	"ledgerlink/words"
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
func checkRecord(w *words.Words, rec connectors.Record) []issue {
	switch {
	case rec.Party != nil:
		return checkParty(w, rec.Type, rec.Party)
	case rec.Document != nil:
		return checkDocument(w, rec.Type, rec.Document)
	case rec.Payment != nil:
		return checkPayment(w, rec.Type, rec.Payment)
	case rec.Journal != nil:
		return checkJournal(w, rec.Journal)
	case rec.Item != nil:
		return checkItem(w, rec.Item)
	}
	return []issue{{index: -1, msg: w.T("engine.feed.check.no_details", "What", w.T(nounKey(rec.Type)))}}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func missing(w *words.Words, field, what string) issue {
	return issue{index: -1, field: field, msg: w.T("engine.feed.check.missing", "What", what)}
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

func checkParty(w *words.Words, t connectors.RecordType, p *connectors.Party) []issue {
	var out []issue
	if blank(p.Code) {
		out = append(out, missing(w, "code", w.T("engine.feed.check.the_code", "What", w.T(nounKey(t)))))
	}
	if blank(p.Name) {
		out = append(out, missing(w, "name", w.T("engine.feed.check.the_name")))
	}
	if e := strings.TrimSpace(p.Email); e != "" {
		at := strings.IndexByte(e, '@')
		if at <= 0 || at == len(e)-1 || strings.Count(e, "@") != 1 || strings.ContainsAny(e, " ,;") {
			out = append(out, issue{index: -1, field: "email", msg: w.T("engine.feed.check.not_email", "Value", e)})
		}
	}
	if is := checkCurrency(p.Currency); is != nil {
		out = append(out, *is)
	}
	for name := range p.CustomFields {
		if blank(name) {
			out = append(out, issue{index: -1, field: "custom_fields", msg: w.T("engine.feed.check.custom_field_unnamed")})
			break
		}
	}
	return out
}

func checkDocument(w *words.Words, t connectors.RecordType, d *connectors.Document) []issue {
	var out []issue
	n := w.T(nounKey(t))
	if blank(d.Code) {
		out = append(out, missing(w, "code", w.T("engine.feed.check.the_number", "What", n)))
	}
	if blank(d.PartyCode) {
		who := connectors.Customers
		if t == connectors.PurchaseInvoices || (t == connectors.CreditNotes && d.Purchase) {
			who = connectors.Suppliers
		}
		out = append(out, missing(w, "party_code", w.T("engine.feed.check.the_code", "What", w.T(nounKey(who)))))
	}
	if d.Date.IsZero() {
		out = append(out, missing(w, "date", w.T("engine.feed.check.the_date", "What", n)))
	}
	if !d.DueDate.IsZero() && !d.Date.IsZero() && d.DueDate.Before(d.Date.Time) {
		out = append(out, issue{index: -1, field: "due_date", msg: w.T("engine.feed.check.due_before_date", "Due", d.DueDate.String(), "What", n, "Date", d.Date.String())})
	}
	if is := checkCurrency(d.Currency); is != nil {
		out = append(out, *is)
	}
	if !validStatus(d.Status) {
		out = append(out, issue{index: -1, field: "status", msg: w.T("engine.feed.check.bad_status", "Value", string(d.Status))})
	}
	if d.Purchase && t != connectors.CreditNotes {
		out = append(out, issue{index: -1, field: "purchase", msg: w.T("engine.feed.check.purchase_not_credit_note")})
	}
	if len(d.Lines) == 0 {
		out = append(out, issue{index: -1, field: "lines", msg: w.T("engine.feed.check.no_lines", "What", n)})
	}
	hundred := decimal.NewFromInt(100)
	for i, l := range d.Lines {
		if blank(l.Description) && blank(l.ItemCode) {
			out = append(out, issue{index: i, field: "description", msg: w.T("engine.feed.check.no_description")})
		}
		if l.DiscountPercent.IsNegative() || l.DiscountPercent.GreaterThan(hundred) {
			out = append(out, issue{index: i, field: "discount_percent", msg: w.T("engine.feed.check.bad_discount", "Percent", l.DiscountPercent.String())})
		}
	}
	return out
}

func checkPayment(w *words.Words, t connectors.RecordType, p *connectors.Payment) []issue {
	var out []issue
	if blank(p.Code) {
		out = append(out, missing(w, "code", w.T("engine.feed.check.payment_code")))
	}
	if p.Date.IsZero() {
		out = append(out, missing(w, "date", w.T("engine.feed.check.payment_date")))
	}
	if !p.Amount.IsPositive() {
		out = append(out, issue{index: -1, field: "amount", msg: w.T("engine.feed.check.payment_not_positive", "Amount", p.Amount.String())})
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
			out = append(out, issue{index: i, field: "document_code", msg: w.T("engine.feed.check.allocation_no_document")})
		}
		if !a.Amount.IsPositive() {
			out = append(out, issue{index: i, field: "amount", msg: w.T("engine.feed.check.allocation_not_positive", "Amount", a.Amount.String())})
		}
		ok := false
		for _, at := range allowed {
			ok = ok || a.DocumentType == at
		}
		if !ok {
			key := "engine.feed.check.allocation_wrong_type.sales"
			if t == connectors.PurchasePayments {
				key = "engine.feed.check.allocation_wrong_type.purchase"
			}
			out = append(out, issue{index: i, field: "document_type", msg: w.T(key, "Value", string(a.DocumentType))})
		}
		sum = sum.Add(a.Amount)
	}
	if p.Amount.IsPositive() && sum.GreaterThan(p.Amount) {
		out = append(out, issue{index: -1, msg: w.T("engine.feed.check.over_allocated", "Sum", sum.String(), "Amount", p.Amount.String())})
	}
	return out
}

func checkJournal(w *words.Words, j *connectors.JournalEntry) []issue {
	var out []issue
	if blank(j.Code) {
		out = append(out, missing(w, "code", w.T("engine.feed.check.journal_code")))
	}
	if blank(j.Company) {
		out = append(out, missing(w, "company", w.T("engine.feed.check.company")))
	}
	if j.Date.IsZero() {
		out = append(out, missing(w, "date", w.T("engine.feed.check.journal_date")))
	}
	switch {
	case blank(j.Period):
		out = append(out, missing(w, "period", w.T("engine.feed.check.period")))
	case !validPeriod(j.Period):
		out = append(out, issue{index: -1, field: "period", msg: w.T("engine.feed.check.bad_period", "Value", j.Period)})
	}
	if len(j.Lines) == 0 {
		out = append(out, issue{index: -1, field: "lines", msg: w.T("engine.feed.check.journal_no_lines")})
	}
	for i, l := range j.Lines {
		if blank(l.NominalCode) {
			out = append(out, issue{index: i, field: "nominal_code", msg: w.T("engine.feed.check.no_nominal")})
		}
		hasDebit, hasCredit := !l.Debit.IsZero(), !l.Credit.IsZero()
		switch {
		case hasDebit && hasCredit:
			out = append(out, issue{index: i, field: "credit", msg: w.T("engine.feed.check.debit_and_credit")})
		case !hasDebit && !hasCredit:
			out = append(out, issue{index: i, field: "debit", msg: w.T("engine.feed.check.no_amount")})
		}
		if l.Period != "" && !validPeriod(l.Period) {
			out = append(out, issue{index: i, field: "period", msg: w.T("engine.feed.check.bad_period", "Value", l.Period)})
		}
	}
	if len(j.Lines) > 0 && !j.Balanced() {
		dr, cr := decimal.Zero, decimal.Zero
		for _, l := range j.Lines {
			dr, cr = dr.Add(l.Debit), cr.Add(l.Credit)
		}
		out = append(out, issue{index: -1, msg: w.T("engine.feed.check.unbalanced", "Debits", dr.StringFixed(2), "Credits", cr.StringFixed(2), "Difference", dr.Sub(cr).Abs().StringFixed(2))})
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

func checkItem(w *words.Words, it *connectors.Item) []issue {
	var out []issue
	if blank(it.Code) {
		out = append(out, missing(w, "code", w.T("engine.feed.check.product_code")))
	}
	if blank(it.Name) {
		out = append(out, missing(w, "name", w.T("engine.feed.check.product_name")))
	}
	for _, p := range []struct {
		field string
		v     decimal.Decimal
	}{{"sales_price", it.SalesPrice}, {"purchase_price", it.PurchasePrice}} {
		if p.v.IsNegative() {
			out = append(out, issue{index: -1, field: p.field, msg: w.T("engine.feed.check.negative_price")})
		}
	}
	return out
}
