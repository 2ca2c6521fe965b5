package xerosim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

func (t *tenant) accountByCode(code string) *Account {
	return findFold(t.Accounts, func(x *Account) string { return x.Code }, code)
}

func (t *tenant) accountByID(id string) *Account {
	return findFold(t.Accounts, func(x *Account) string { return x.AccountID }, id)
}

func (t *tenant) taxRate(typ string) *TaxRate {
	return findFold(t.TaxRates, func(x *TaxRate) string { return x.TaxType }, typ)
}

func (t *tenant) item(code string) *Item {
	return findFold(t.Items, func(x *Item) string { return x.Code }, code)
}

func taxAllowed(r *TaxRate, a *Account) bool {
	switch a.Class {
	case "REVENUE":
		return r.CanApplyToRevenue
	case "EXPENSE":
		return r.CanApplyToExpenses
	case "ASSET":
		return r.CanApplyToAssets
	case "LIABILITY":
		return r.CanApplyToLiabilities
	case "EQUITY":
		return r.CanApplyToEquity
	}
	return true
}

// docRules says how a kind of document treats its lines.
type docRules struct {
	sales bool // uses sales details of items
	// discounts are taken on sales invoices and quotes only.
	discounts bool
	// accounts are required on approved documents (not on quotes).
	accounts bool
}

// totals are a document's computed amounts.
type totals struct{ sub, tax, total decimal.Decimal }

// lines validates and prices a document's lines, following Xero's rules
// and messages.
func (t *tenant) lines(in []LineItem, rules docRules, status, lat string, unitdp int) ([]LineItem, totals, []string) {
	var errs []string
	var tot totals
	approved := status == "AUTHORISED" || status == "SUBMITTED"
	out := make([]LineItem, 0, len(in))
	for _, l := range in {
		l.LineItemID = firstNonEmpty(l.LineItemID, newID())
		if l.ItemCode != "" {
			it := t.item(l.ItemCode)
			if it == nil {
				errs = append(errs, fmt.Sprintf("Item code '%s' is not valid", l.ItemCode))
			} else {
				det := it.PurchaseDetails
				if rules.sales {
					det = it.SalesDetails
				}
				if det != nil {
					if l.AccountCode == "" && l.AccountID == "" {
						l.AccountCode = det.AccountCode
					}
					if l.TaxType == "" {
						l.TaxType = det.TaxType
					}
					if l.UnitAmount == nil {
						u := det.UnitPrice
						l.UnitAmount = &u
					}
				}
				if l.Description == "" {
					l.Description = it.Description
				}
			}
		}
		var acct *Account
		switch {
		case l.AccountID != "":
			acct = t.accountByID(l.AccountID)
			if acct == nil {
				errs = append(errs, "Account code or ID must be specified")
			}
		case l.AccountCode != "":
			acct = t.accountByCode(l.AccountCode)
			switch {
			case acct == nil || acct.Type == "BANK" || acct.SystemAccount != "":
				errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this document.", l.AccountCode))
				acct = nil
			case acct.Status != "ACTIVE":
				errs = append(errs, fmt.Sprintf("Account code '%s' has been archived, or has been deleted. Each line item must reference a valid account", l.AccountCode))
				acct = nil
			}
		case rules.accounts && approved:
			errs = append(errs, "Account code or ID must be specified")
		}
		if acct != nil {
			l.AccountCode, l.AccountID = acct.Code, acct.AccountID
		}
		var rate *TaxRate
		if l.TaxType == "" && acct != nil {
			l.TaxType = acct.TaxType
		}
		if l.TaxType != "" {
			rate = t.taxRate(l.TaxType)
			if rate == nil || rate.Status != "ACTIVE" {
				errs = append(errs, fmt.Sprintf("The TaxType code %s does not exist or cannot be used for this type of transaction.", l.TaxType))
				rate = nil
			} else if acct != nil && !taxAllowed(rate, acct) {
				errs = append(errs, fmt.Sprintf("The TaxType code '%s' cannot be used with account code '%s'.", l.TaxType, acct.Code))
			}
		}
		q := decimal.NewFromInt(1)
		if l.Quantity != nil {
			q = l.Quantity.Decimal
		}
		if q.IsNegative() {
			errs = append(errs, fmt.Sprintf("The quantity value '%s' is invalid. Quantity must not be less than zero.", q.StringFixed(4)))
		}
		u := decimal.Zero
		if l.UnitAmount != nil {
			u = l.UnitAmount.Round(int32(unitdp))
		}
		disc := decimal.Zero
		if l.DiscountRate != nil && !l.DiscountRate.IsZero() {
			if !rules.discounts {
				errs = append(errs, "Discounts are not supported on this type of document.")
			}
			disc = l.DiscountRate.Decimal
		}
		lineAmount := q.Mul(u).Mul(hundred.Sub(disc)).Div(hundred).Round(2)
		tax := decimal.Zero
		switch {
		case l.TaxAmount != nil && !l.TaxAmount.IsZero():
			tax = l.TaxAmount.Round(2)
		case rate != nil && lat != "NoTax" && lat != "NOTAX":
			r := rate.EffectiveRate.Div(hundred)
			if lat == "Inclusive" || lat == "INCLUSIVE" {
				tax = lineAmount.Sub(lineAmount.Div(decimal.NewFromInt(1).Add(r))).Round(2)
			} else {
				tax = lineAmount.Mul(r).Round(2)
			}
		}
		qa, ua, la, ta := amt(q.Round(4)), amt(u), amt(lineAmount), amt(tax)
		l.Quantity, l.UnitAmount, l.LineAmount, l.TaxAmount = &qa, &ua, &la, &ta
		if disc.IsZero() {
			l.DiscountRate = nil
		}
		if lat == "Inclusive" || lat == "INCLUSIVE" {
			tot.sub = tot.sub.Add(lineAmount.Sub(tax))
		} else {
			tot.sub = tot.sub.Add(lineAmount)
		}
		tot.tax = tot.tax.Add(tax)
		out = append(out, l)
	}
	tot.total = tot.sub.Add(tot.tax)
	return out, tot, errs
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// lockCheck applies the organisation's lock dates to an approved document.
func (t *tenant) lockCheck(date time.Time) []string {
	var errs []string
	for _, l := range []struct{ value, name string }{
		{t.Organisation.PeriodLockDate, "period lock date"},
		{t.Organisation.EndOfYearLockDate, "end of year lock date"},
	} {
		if l.value == "" {
			continue
		}
		lock, ok := parseDay(l.value)
		if ok && !date.After(lock) {
			errs = append(errs, fmt.Sprintf("The document date cannot be before the %s, currently set at %s.", l.name, lock.Format("02-Jan-2006")))
		}
	}
	return errs
}

// docDates reads Date (defaulting to today) and an optional second date.
func docDates(date, second string, now time.Time) (time.Time, time.Time, []string) {
	var errs []string
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if date != "" {
		v, ok := parseDay(date)
		if !ok {
			errs = append(errs, fmt.Sprintf("The date '%s' is not valid.", date))
		}
		d = v
	}
	var d2 time.Time
	if second != "" {
		v, ok := parseDay(second)
		if !ok {
			errs = append(errs, fmt.Sprintf("The date '%s' is not valid.", second))
		}
		d2 = v
	}
	return d, d2, errs
}

// ---- invoices ----

func (t *tenant) invoiceByID(id string) *Invoice {
	return findFold(t.Invoices, func(x *Invoice) string { return x.InvoiceID }, id)
}

func (t *tenant) invoiceByNumber(number, typ string) *Invoice {
	for _, i := range t.Invoices {
		if i.InvoiceNumber == number && (typ == "" || i.Type == typ) && i.Status != "DELETED" && i.Status != "VOIDED" {
			return i
		}
	}
	return nil
}

func (s *Sim) listInvoices(c *apiCall) answer {
	recs := c.t.Invoices
	if ids := idsParam(c.query, "IDs"); ids != nil {
		recs = filter(recs, func(x *Invoice) bool { return containsFold(ids, x.InvoiceID) })
	}
	if nums := idsParam(c.query, "InvoiceNumbers"); nums != nil {
		recs = filter(recs, func(x *Invoice) bool { return slices.Contains(nums, x.InvoiceNumber) })
	}
	if ids := idsParam(c.query, "ContactIDs"); ids != nil {
		recs = filter(recs, func(x *Invoice) bool { return x.Contact != nil && containsFold(ids, x.Contact.ContactID) })
	}
	if st := idsParam(c.query, "Statuses"); st != nil {
		recs = filter(recs, func(x *Invoice) bool { return slices.Contains(st, x.Status) })
	}
	recs, bad := filterRecords(c, recs, func(x *Invoice) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, pagination, paged, bad := page(c, recs, true)
	if bad != nil {
		return *bad
	}
	out := make([]Invoice, len(pg))
	for i, x := range pg {
		out[i] = *x
		out[i].LineItems = withUnitDP(x.LineItems, c.unitdp)
		if !paged {
			// Without paging Xero leaves the lines out of a list.
			out[i].LineItems = nil
		}
	}
	extra := map[string]any{}
	if pagination != nil {
		extra["pagination"] = pagination
	}
	return jsonAnswer(http.StatusOK, s.envelope("Invoices", out, extra))
}

// withUnitDP rounds unit amounts to 2 places unless unitdp=4 was asked.
func withUnitDP(ls []LineItem, unitdp int) []LineItem {
	if unitdp == 4 || ls == nil {
		return ls
	}
	out := slices.Clone(ls)
	for i := range out {
		if out[i].UnitAmount != nil {
			u := amt(out[i].UnitAmount.Round(2))
			out[i].UnitAmount = &u
		}
	}
	return out
}

func (s *Sim) getInvoice(c *apiCall) answer {
	x := c.t.invoiceByID(c.id)
	if x == nil {
		x = c.t.invoiceByNumber(c.id, "")
	}
	if x == nil {
		return notFound
	}
	out := *x
	out.LineItems = withUnitDP(x.LineItems, c.unitdp)
	return jsonAnswer(http.StatusOK, s.envelope("Invoices", []Invoice{out}, nil))
}

// writeInvoices is PUT (create) and POST (update or create) /Invoices.
func (s *Sim) writeInvoices(c *apiCall) answer {
	if s.sandboxPayments {
		defer c.t.paySandbox(s.now())
	}
	return writeRecords(s, c, recordWrite[Invoice]{
		key:      "Invoices",
		schema:   invoiceSchema,
		id:       func(x *Invoice) *string { return &x.InvoiceID },
		byID:     (*tenant).invoiceByID,
		notFound: "An existing Invoice with the specified InvoiceID could not be found",
		byKey: func(t *tenant, x *Invoice) *Invoice {
			if x.InvoiceNumber != "" && x.Type == "ACCREC" {
				return t.invoiceByNumber(x.InvoiceNumber, "ACCREC")
			}
			return nil
		},
		refuse: func(x *Invoice, errs []ValidationError) {
			x.HasErrors, x.ValidationErrors, x.StatusAttributeString = true, errs, "ERROR"
		},
		save: s.saveInvoice,
	})
}

func (s *Sim) saveInvoice(c *apiCall, in *Invoice, raw map[string]any, stored *Invoice, now time.Time) (*Invoice, []string, error) {
	t := c.t
	next := in
	if stored != nil {
		if errs := modifiable(stored.Status, stored.AmountPaid.Add(stored.AmountCredited.Decimal), in.Status, raw); len(errs) > 0 {
			return nil, errs, nil
		}
		merged, err := overlay(stored, raw)
		if err != nil {
			return nil, []string{err.Error()}, nil
		}
		next = merged
	}
	var errs []string
	if next.Type != "ACCREC" && next.Type != "ACCPAY" {
		errs = append(errs, "Invoice Type must be specified as ACCREC or ACCPAY.")
	}
	if next.Status == "" {
		next.Status = "DRAFT"
	}
	if stored == nil && (next.Status == "PAID" || next.Status == "VOIDED" || next.Status == "DELETED") {
		errs = append(errs, "Invoice not of valid status for creation")
	}
	if next.LineAmountTypes == "" {
		next.LineAmountTypes = "Exclusive"
	}
	contact, cerrs := t.documentContact(raw, next.Contact, now)
	errs = append(errs, cerrs...)
	date, due, derrs := docDates(stripTime(next.DateString, next.Date, raw, "Date"), stripTime(next.DueDateString, next.DueDate, raw, "DueDate"), now)
	errs = append(errs, derrs...)
	errs = append(errs, t.documentCurrency(&next.CurrencyCode)...)
	lines, tot, lerrs := t.lines(next.LineItems, docRules{sales: next.Type == "ACCREC", discounts: next.Type == "ACCREC", accounts: true}, next.Status, next.LineAmountTypes, c.unitdp)
	errs = append(errs, lerrs...)
	if next.Status == "AUTHORISED" || next.Status == "SUBMITTED" {
		errs = append(errs, t.lockCheck(date)...)
	}
	if next.Type == "ACCREC" {
		if next.InvoiceNumber == "" {
			t.Seq["INV"]++
			next.InvoiceNumber = fmt.Sprintf("INV-%04d", t.Seq["INV"])
		} else if other := t.invoiceByNumber(next.InvoiceNumber, "ACCREC"); other != nil && other != stored {
			errs = append(errs, "Invoice # must be unique.")
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	next.Contact = refOf(contact)
	next.Date, next.DateString = msDate(date), dayString(date)
	next.DueDate, next.DueDateString = "", ""
	if !due.IsZero() {
		next.DueDate, next.DueDateString = msDate(due), dayString(due)
	}
	next.LineItems = lines
	next.SubTotal, next.TotalTax, next.Total = amt(tot.sub), amt(tot.tax), amt(tot.total)
	next.CurrencyRate = amt(decimal.NewFromInt(1))
	paid := decimal.Zero
	if stored != nil {
		paid = stored.AmountPaid.Add(stored.AmountCredited.Decimal)
	}
	next.AmountDue = amt(tot.total.Sub(paid))
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.HasErrors, next.StatusAttributeString = nil, false, ""
	if next.Type == "ACCREC" {
		contact.IsCustomer = true
	} else {
		contact.IsSupplier = true
	}
	contact.UpdatedDateUTC = msDate(now)
	if stored != nil {
		next.InvoiceID = stored.InvoiceID
		*stored = *next
	} else {
		next.InvoiceID = newID()
		t.Invoices = append(t.Invoices, next)
		stored = next
	}
	echo := *stored
	echo.LineItems = withUnitDP(stored.LineItems, c.unitdp)
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// documentContact resolves the contact a document names: the Contact
// the request sent, else the one the document already has.
func (t *tenant) documentContact(raw map[string]any, current *ContactRef, now time.Time) (*Contact, []string) {
	var ref ContactRef
	if cr, ok := raw["Contact"].(map[string]any); ok {
		_ = decodeInto(cr, &ref)
	} else if current != nil {
		ref = *current
	}
	return t.resolveContact(&ref, now)
}

// documentCurrency gives a document that names no currency the
// organisation's base currency, and refuses one it is not subscribed to.
func (t *tenant) documentCurrency(code *string) []string {
	if *code == "" {
		*code = t.Organisation.BaseCurrency
		return nil
	}
	if !t.currencyEnabled(*code) {
		return []string{fmt.Sprintf("Organisation is not subscribed to currency %s", *code)}
	}
	return nil
}

// stripTime picks the date a request sent: the raw Date field when the
// request named it, else what is stored.
func stripTime(isoStored, msStored string, raw map[string]any, name string) string {
	if v, ok := raw[name].(string); ok {
		return v
	}
	if isoStored != "" {
		return isoStored
	}
	return msStored
}

// modifiable applies Xero's rules on changing a saved document.
func modifiable(status string, applied decimal.Decimal, newStatus string, raw map[string]any) []string {
	switch status {
	case "PAID", "VOIDED", "DELETED":
		return []string{"Invoice not of valid status for modification"}
	case "AUTHORISED":
		if newStatus == "DRAFT" || newStatus == "SUBMITTED" || newStatus == "DELETED" {
			return []string{"Invoice not of valid status for modification"}
		}
		_, touchesLines := raw["LineItems"]
		if applied.IsPositive() && (touchesLines || newStatus == "VOIDED") {
			return []string{"This document cannot be edited as it has a payment or credit note allocated to it."}
		}
	}
	return nil
}

// ---- quotes ----

func (t *tenant) quoteByID(id string) *Quote {
	return findFold(t.Quotes, func(x *Quote) string { return x.QuoteID }, id)
}

func (s *Sim) listQuotes(c *apiCall) answer {
	recs := c.t.Quotes
	if n := c.query.Get("QuoteNumber"); n != "" {
		recs = filter(recs, func(x *Quote) bool { return x.QuoteNumber == n })
	}
	if id := c.query.Get("ContactID"); id != "" {
		recs = filter(recs, func(x *Quote) bool { return x.Contact != nil && strings.EqualFold(x.Contact.ContactID, id) })
	}
	if st := c.query.Get("Status"); st != "" {
		recs = filter(recs, func(x *Quote) bool { return x.Status == st })
	}
	recs, bad := filterRecords(c, recs, func(x *Quote) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, _, _, bad := page(c, recs, false)
	if bad != nil {
		return *bad
	}
	out := make([]Quote, len(pg))
	for i, x := range pg {
		out[i] = *x
		out[i].LineItems = withUnitDP(x.LineItems, c.unitdp)
	}
	return jsonAnswer(http.StatusOK, s.envelope("Quotes", out, nil))
}

func (s *Sim) getQuote(c *apiCall) answer {
	x := c.t.quoteByID(c.id)
	if x == nil {
		return notFound
	}
	out := *x
	out.LineItems = withUnitDP(x.LineItems, c.unitdp)
	return jsonAnswer(http.StatusOK, s.envelope("Quotes", []Quote{out}, nil))
}

func (s *Sim) writeQuotes(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[Quote]{
		key:      "Quotes",
		schema:   quoteSchema,
		id:       func(x *Quote) *string { return &x.QuoteID },
		byID:     (*tenant).quoteByID,
		notFound: "An existing Quote with the specified QuoteID could not be found",
		refuse: func(x *Quote, errs []ValidationError) {
			x.ValidationErrors, x.StatusAttributeString = errs, "ERROR"
		},
		save: s.saveQuote,
	})
}

// saveQuote checks a quote (merged over stored, nil for a new one) and
// stores it, returning the quote to echo or the reasons it is refused.
func (s *Sim) saveQuote(c *apiCall, in *Quote, raw map[string]any, stored *Quote, now time.Time) (*Quote, []string, error) {
	t := c.t
	next := in
	if stored != nil {
		if stored.Status == "INVOICED" || stored.Status == "DELETED" {
			return nil, []string{"Quote not of valid status for modification"}, nil
		}
		merged, err := overlay(stored, raw)
		if err != nil {
			return nil, nil, err
		}
		next = merged
	}
	var errs []string
	if next.Status == "" {
		next.Status = "DRAFT"
	}
	if next.LineAmountTypes == "" {
		next.LineAmountTypes = "EXCLUSIVE"
	}
	contact, cerrs := t.documentContact(raw, next.Contact, now)
	errs = append(errs, cerrs...)
	if stripTime(next.DateString, next.Date, raw, "Date") == "" {
		errs = append(errs, "Date is a required field.")
	}
	date, expiry, derrs := docDates(stripTime(next.DateString, next.Date, raw, "Date"), stripTime(next.ExpiryDateString, next.ExpiryDate, raw, "ExpiryDate"), now)
	errs = append(errs, derrs...)
	errs = append(errs, t.documentCurrency(&next.CurrencyCode)...)
	lines, tot, lerrs := t.lines(next.LineItems, docRules{sales: true, discounts: true}, next.Status, next.LineAmountTypes, c.unitdp)
	errs = append(errs, lerrs...)
	if next.QuoteNumber == "" {
		t.Seq["QU"]++
		next.QuoteNumber = fmt.Sprintf("QU-%04d", t.Seq["QU"])
	} else {
		for _, q := range t.Quotes {
			if q.QuoteNumber == next.QuoteNumber && q != stored && q.Status != "DELETED" {
				errs = append(errs, "Quote number must be unique.")
				break
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	next.Contact = refOf(contact)
	next.Date, next.DateString = msDate(date), dayString(date)
	next.ExpiryDate, next.ExpiryDateString = "", ""
	if !expiry.IsZero() {
		next.ExpiryDate, next.ExpiryDateString = msDate(expiry), dayString(expiry)
	}
	next.LineItems = lines
	next.SubTotal, next.TotalTax, next.Total = amt(tot.sub), amt(tot.tax), amt(tot.total)
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.StatusAttributeString = nil, ""
	if stored != nil {
		next.QuoteID = stored.QuoteID
		*stored = *next
	} else {
		next.QuoteID = newID()
		t.Quotes = append(t.Quotes, next)
		stored = next
	}
	echo := *stored
	echo.LineItems = withUnitDP(stored.LineItems, c.unitdp)
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// ---- credit notes ----

func (t *tenant) creditNoteByID(id string) *CreditNote {
	return findFold(t.CreditNotes, func(x *CreditNote) string { return x.CreditNoteID }, id)
}

func (s *Sim) listCreditNotes(c *apiCall) answer {
	recs, bad := filterRecords(c, c.t.CreditNotes, func(x *CreditNote) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, pagination, _, bad := page(c, recs, true)
	if bad != nil {
		return *bad
	}
	out := make([]CreditNote, len(pg))
	for i, x := range pg {
		out[i] = *x
		out[i].LineItems = withUnitDP(x.LineItems, c.unitdp)
	}
	extra := map[string]any{}
	if pagination != nil {
		extra["pagination"] = pagination
	}
	return jsonAnswer(http.StatusOK, s.envelope("CreditNotes", out, extra))
}

func (s *Sim) getCreditNote(c *apiCall) answer {
	x := c.t.creditNoteByID(c.id)
	if x == nil {
		for _, cn := range c.t.CreditNotes {
			if cn.CreditNoteNumber == c.id {
				x = cn
			}
		}
	}
	if x == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("CreditNotes", []*CreditNote{x}, nil))
}

func (s *Sim) writeCreditNotes(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[CreditNote]{
		key:      "CreditNotes",
		schema:   creditNoteSchema,
		id:       func(x *CreditNote) *string { return &x.CreditNoteID },
		byID:     (*tenant).creditNoteByID,
		notFound: "An existing Credit Note with the specified CreditNoteID could not be found",
		refuse: func(x *CreditNote, errs []ValidationError) {
			x.HasErrors, x.ValidationErrors, x.StatusAttributeString = true, errs, "ERROR"
		},
		save: s.saveCreditNote,
	})
}

// saveCreditNote checks a credit note (merged over stored, nil for a new
// one) and stores it, returning the credit note to echo or the reasons it
// is refused.
func (s *Sim) saveCreditNote(c *apiCall, in *CreditNote, raw map[string]any, stored *CreditNote, now time.Time) (*CreditNote, []string, error) {
	t := c.t
	next := in
	if stored != nil {
		applied := stored.Total.Sub(stored.RemainingCredit.Decimal)
		if stored.Status != "AUTHORISED" {
			applied = decimal.Zero
		}
		if errs := modifiable(stored.Status, applied, in.Status, raw); len(errs) > 0 {
			return nil, errs, nil
		}
		merged, err := overlay(stored, raw)
		if err != nil {
			return nil, nil, err
		}
		next = merged
	}
	var errs []string
	if next.Type != "ACCRECCREDIT" && next.Type != "ACCPAYCREDIT" {
		errs = append(errs, "Credit Note Type must be specified as ACCRECCREDIT or ACCPAYCREDIT.")
	}
	if next.Status == "" {
		next.Status = "DRAFT"
	}
	if next.LineAmountTypes == "" {
		next.LineAmountTypes = "Exclusive"
	}
	contact, cerrs := t.documentContact(raw, next.Contact, now)
	errs = append(errs, cerrs...)
	date, due, derrs := docDates(stripTime(next.DateString, next.Date, raw, "Date"), stripTime(next.DueDateString, next.DueDate, raw, "DueDate"), now)
	errs = append(errs, derrs...)
	errs = append(errs, t.documentCurrency(&next.CurrencyCode)...)
	lines, tot, lerrs := t.lines(next.LineItems, docRules{sales: next.Type == "ACCRECCREDIT", accounts: true}, next.Status, next.LineAmountTypes, c.unitdp)
	errs = append(errs, lerrs...)
	if next.Status == "AUTHORISED" || next.Status == "SUBMITTED" {
		errs = append(errs, t.lockCheck(date)...)
	}
	if next.Type == "ACCRECCREDIT" {
		if next.CreditNoteNumber == "" {
			t.Seq["CN"]++
			next.CreditNoteNumber = fmt.Sprintf("CN-%04d", t.Seq["CN"])
		} else {
			for _, x := range t.CreditNotes {
				if x.CreditNoteNumber == next.CreditNoteNumber && x.Type == "ACCRECCREDIT" && x != stored && x.Status != "DELETED" && x.Status != "VOIDED" {
					errs = append(errs, "Credit Note # must be unique.")
					break
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	next.Contact = refOf(contact)
	next.Date, next.DateString = msDate(date), dayString(date)
	next.DueDate, next.DueDateString = "", ""
	if !due.IsZero() {
		next.DueDate, next.DueDateString = msDate(due), dayString(due)
	}
	next.LineItems = lines
	next.SubTotal, next.TotalTax, next.Total = amt(tot.sub), amt(tot.tax), amt(tot.total)
	applied := decimal.Zero
	for _, a := range next.Allocations {
		applied = applied.Add(a.Amount.Decimal)
	}
	next.RemainingCredit = amt(tot.total.Sub(applied))
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.HasErrors, next.StatusAttributeString = nil, false, ""
	if stored != nil {
		next.CreditNoteID = stored.CreditNoteID
		*stored = *next
	} else {
		next.CreditNoteID = newID()
		t.CreditNotes = append(t.CreditNotes, next)
		stored = next
	}
	echo := *stored
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// allocateCreditNote is PUT /CreditNotes/{id}/Allocations.
func (s *Sim) allocateCreditNote(c *apiCall) answer {
	t := c.t
	cn := t.creditNoteByID(c.id)
	if cn == nil {
		return notFound
	}
	return writeElements(s, c, "Allocations", allocationSchema, true, func(in *Allocation, raw map[string]any, now time.Time, out *writeOutcome) error {
		var errs []string
		var inv *Invoice
		if in.Invoice != nil {
			inv = t.invoiceByID(in.Invoice.InvoiceID)
		}
		date, ok := parseDay(in.Date)
		switch {
		case cn.Status != "AUTHORISED":
			errs = append(errs, "Credit note must be AUTHORISED before it can be allocated.")
		case inv == nil:
			errs = append(errs, "The document with the supplied id was not found for this endpoint.")
		case !ok:
			errs = append(errs, "The allocation date is not valid.")
		case inv.Status != "AUTHORISED":
			errs = append(errs, "Invoice must be AUTHORISED before it can have a credit note allocated to it.")
		case (cn.Type == "ACCRECCREDIT") != (inv.Type == "ACCREC"):
			errs = append(errs, "The credit note and the invoice must both be sales or both be purchases.")
		case in.Amount.GreaterThan(cn.RemainingCredit.Decimal):
			errs = append(errs, "The amount applied cannot exceed the remaining credit on the credit note.")
		case in.Amount.GreaterThan(inv.AmountDue.Decimal):
			errs = append(errs, "The amount applied cannot exceed the amount due on the invoice.")
		}
		if ok && len(errs) == 0 {
			errs = append(errs, t.lockCheck(date)...)
		}
		if len(errs) > 0 {
			in.ValidationErrors, in.StatusAttributeString = messages(errs), "ERROR"
			out.add(in, true)
			return nil
		}
		a := Allocation{AllocationID: newID(), Amount: amt(in.Amount.Round(2)), Date: msDate(date),
			Invoice: &DocRef{InvoiceID: inv.InvoiceID, InvoiceNumber: inv.InvoiceNumber}}
		cn.Allocations = append(cn.Allocations, a)
		cn.RemainingCredit = amt(cn.RemainingCredit.Sub(a.Amount.Decimal))
		if cn.RemainingCredit.IsZero() {
			cn.Status = "PAID"
		}
		cn.UpdatedDateUTC = msDate(now)
		inv.AmountCredited = amt(inv.AmountCredited.Add(a.Amount.Decimal))
		inv.AmountDue = amt(inv.AmountDue.Sub(a.Amount.Decimal))
		if inv.AmountDue.IsZero() {
			inv.Status = "PAID"
			inv.FullyPaidOnDate = msDate(date)
		}
		inv.UpdatedDateUTC = msDate(now)
		a.StatusAttributeString = "OK"
		out.add(&a, false)
		return nil
	})
}
