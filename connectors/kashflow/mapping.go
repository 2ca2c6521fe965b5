package kashflow

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// ---- LedgerLink's codes on KashFlow's records ----
//
// KashFlow numbers documents, payments and journals itself (integers), so
// LedgerLink's own number ("INV-1001") travels at the start of a text
// field KashFlow keeps: the invoice's CustomerReference, the payment's
// PayNote, the journal's Comment, as "[INV-1001] Web order 5521". It is
// what FindByCode looks for after a lost reply. A record made in KashFlow
// carries no mark: its code is KashFlow's number.

// mark puts code in front of text.
func mark(code, text string) string {
	if code == "" {
		return text
	}
	if text == "" {
		return "[" + code + "]"
	}
	return "[" + code + "] " + text
}

// unmark splits a marked text into the code and the text.
func unmark(s string) (code, text string) {
	if strings.HasPrefix(s, "[") {
		if end := strings.Index(s, "]"); end > 1 {
			return s[1:end], strings.TrimPrefix(s[end+1:], " ")
		}
	}
	return "", s
}

// payNote is the note of each part of a payment: its code, and for a
// payment over several documents how many parts it has, so that a payment
// broken off after some of its parts is known to be unfinished.
func payNote(code, reference string, parts int) string {
	if parts > 1 {
		reference = strings.TrimSpace("[" + strconv.Itoa(parts) + " parts] " + reference)
	}
	return mark(code, reference)
}

// readPayNote splits a part's note into the payment's code, its reference
// and how many parts it has (1 when the note does not say).
func readPayNote(s string) (code, reference string, parts int) {
	code, reference = unmark(s)
	parts = 1
	if code == "" || !strings.HasPrefix(reference, "[") {
		return code, reference, parts
	}
	end := strings.Index(reference, " parts]")
	if end < 2 {
		return code, reference, parts
	}
	n, err := strconv.Atoi(reference[1:end])
	if err != nil || n < 2 {
		return code, reference, parts
	}
	return code, strings.TrimPrefix(reference[end+len(" parts]"):], " "), n
}

// checkCode refuses a code that cannot travel in a mark.
func checkCode(code string) error {
	if strings.ContainsAny(code, "[]\r\n") {
		return own.ItemFail("", "code", "kashflow.item.code_bracket", "Code", strconv.Quote(code))
	}
	return nil
}

// ---- customers and suppliers ----

func splitName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	if i := strings.LastIndex(full, " "); i > 0 {
		return full[:i], full[i+1:]
	}
	return full, ""
}

func countryCode(country string) string {
	if c := strings.TrimSpace(country); len(c) == 2 {
		return strings.ToUpper(c)
	}
	return ""
}

// customerToWire fills base (the customer as KashFlow holds it, or zero
// for a new one) with the party: fields LedgerLink does not keep are left
// as KashFlow had them. A blank contact person is a person (domestic
// customer); a filled one a company with that contact (commercial).
func customerToWire(p connectors.Party, base wCustomer) wCustomer {
	w := base
	w.Code, w.Name, w.Contact = p.Code, p.Name, strings.TrimSpace(p.ContactPerson)
	w.ContactFirstName, w.ContactLastName = splitName(w.Contact)
	w.Email, w.Telephone, w.VATNumber = p.Email, p.Phone, p.TaxNumber
	a := p.BillingAddress
	w.Address1, w.Address2, w.Address3, w.Address4, w.Postcode = a.Line1, a.Line2, a.City, a.Region, a.PostalCode
	w.CountryName, w.CountryCode = a.Country, countryCode(a.Country)
	d := p.DeliveryAddress
	w.CustHasDeliveryAddress = "0"
	if d != (connectors.Address{}) {
		w.CustHasDeliveryAddress = "1"
	}
	w.DeliveryAddress1, w.DeliveryAddress2, w.DeliveryAddress3, w.DeliveryAddress4 = d.Line1, d.Line2, d.City, d.Region
	w.DeliveryPostcode, w.DeliveryCountryName, w.DeliveryCountryCode = d.PostalCode, d.Country, countryCode(d.Country)
	return w
}

// contactOf is the contact person KashFlow holds: the Contact field, or
// the first and last names when only those are filled in.
func contactOf(contact, first, last string) string {
	if c := strings.TrimSpace(contact); c != "" {
		return c
	}
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

func customerFromWire(w wCustomer) connectors.Party {
	contact := contactOf(w.Contact, w.ContactFirstName, w.ContactLastName)
	country := w.CountryName
	if country == "" {
		country = w.CountryCode
	}
	p := connectors.Party{
		Code: strings.TrimSpace(w.Code), Name: w.Name, ContactPerson: contact,
		Email: w.Email, Phone: w.Telephone, TaxNumber: w.VATNumber,
		BillingAddress: connectors.Address{Line1: w.Address1, Line2: w.Address2, City: w.Address3, Region: w.Address4,
			PostalCode: w.Postcode, Country: country},
	}
	if w.CustHasDeliveryAddress == "1" || w.DeliveryAddress1 != "" {
		dc := w.DeliveryCountryName
		if dc == "" {
			dc = w.DeliveryCountryCode
		}
		p.DeliveryAddress = connectors.Address{Line1: w.DeliveryAddress1, Line2: w.DeliveryAddress2, City: w.DeliveryAddress3,
			Region: w.DeliveryAddress4, PostalCode: w.DeliveryPostcode, Country: dc}
	}
	return p
}

func supplierToWire(p connectors.Party, base wSupplier) wSupplier {
	w := base
	w.Code, w.Name, w.Contact = p.Code, p.Name, strings.TrimSpace(p.ContactPerson)
	w.ContactFirstName, w.ContactLastName = splitName(w.Contact)
	w.Email, w.Telephone, w.VATNumber = p.Email, p.Phone, p.TaxNumber
	a := p.BillingAddress
	// KashFlow's supplier has four address lines and a postcode, no country
	// field: the country takes the fourth line when the region leaves it free.
	w.Address1, w.Address2, w.Address3, w.Address4, w.PostCode = a.Line1, a.Line2, a.City, a.Region, a.PostalCode
	if a.Region == "" && a.Country != "" {
		w.Address4 = a.Country
	}
	return w
}

func supplierFromWire(w wSupplier) connectors.Party {
	contact := contactOf(w.Contact, w.ContactFirstName, w.ContactLastName)
	return connectors.Party{
		Code: strings.TrimSpace(w.Code), Name: w.Name, ContactPerson: contact,
		Email: w.Email, Phone: w.Telephone, TaxNumber: w.VATNumber,
		BillingAddress: connectors.Address{Line1: w.Address1, Line2: w.Address2, City: w.Address3, Country: w.Address4,
			PostalCode: w.PostCode},
	}
}

// ---- documents ----

var hundred = decimal.NewFromInt(100)

// vatRate reads a tax code as KashFlow's VAT rate, a percentage; "N/A"
// (or exempt) is KashFlow's -1.
func vatRate(code string) (decimal.Decimal, error) {
	s := strings.TrimSuffix(strings.TrimSpace(code), "%")
	switch strings.ToLower(s) {
	case "n/a", "na", "exempt", "-1":
		return decimal.NewFromInt(-1), nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || d.GreaterThan(hundred) {
		return decimal.Zero, own.ItemFail("", "tax_code", "kashflow.item.vat_rate", "Rate", strconv.Quote(code))
	}
	return d, nil
}

func vatCode(rate decimal.Decimal) string {
	if rate.Equal(decimal.NewFromInt(-1)) {
		return "N/A"
	}
	return rate.String()
}

// docKind says which of KashFlow's three uses of Invoice a type is.
func docKind(t connectors.RecordType, purchase bool) string {
	switch {
	case t == connectors.Quotes:
		return "quote"
	case t == connectors.PurchaseInvoices || (t == connectors.CreditNotes && purchase):
		return "receipt"
	}
	return "invoice"
}

// docToWire builds KashFlow's Invoice for a document; base is the invoice
// as KashFlow holds it for an update (its IDs and line IDs are kept).
// Credit notes become negative invoices (or receipts): KashFlow has no
// credit note type.
func (c *Conn) docToWire(ctx context.Context, t connectors.RecordType, d connectors.Document, base *wInvoice) (wInvoice, error) {
	if err := checkCode(d.Code); err != nil {
		return wInvoice{}, err
	}
	kind := docKind(t, d.Purchase)
	var w wInvoice
	if base != nil {
		w = *base
	}
	id, name, err := c.partyByCode(ctx, d.PartyCode, kind == "receipt")
	if err != nil {
		return wInvoice{}, err
	}
	w.CustomerID, w.Customer = id, name
	w.InvoiceDate = dateTime{d.Date.Time}
	due := d.DueDate
	if due.IsZero() {
		due = d.Date
	}
	w.DueDate = dateTime{due.Time}
	if base != nil && strconv.Itoa(base.InvoiceNumber) == d.Code {
		w.CustomerReference = d.Reference
	} else {
		w.CustomerReference = mark(d.Code, d.Reference)
	}
	w.CurrencyCode = strings.ToUpper(strings.TrimSpace(d.Currency))
	if (w.CurrencyCode == "" || w.CurrencyCode == "GBP") && w.ExchangeRate.IsZero() {
		// Pounds are KashFlow's home currency. For another currency the
		// rate is left to KashFlow (UNCONFIRMED whether it fills in its own).
		w.ExchangeRate = amount{decimal.NewFromInt(1)}
	}
	sign := decimal.NewFromInt(1)
	if t == connectors.CreditNotes {
		sign = sign.Neg()
	}
	var old []wLine
	if base != nil && base.Lines != nil {
		old = base.Lines.Lines
	}
	lines := &wLines{}
	for i, l := range d.Lines {
		rate, err := vatRate(l.TaxCode)
		if err != nil {
			return wInvoice{}, err
		}
		chargeType := 0
		if strings.TrimSpace(l.NominalCode) != "" {
			id, ok, err := c.nominalID(ctx, l.NominalCode)
			if err != nil {
				return wInvoice{}, err
			}
			if !ok {
				return wInvoice{}, c.refuse("nominal_code", "kashflow.refusal.nominal_code", "Code", l.NominalCode)
			}
			chargeType = id
		}
		product, ok, err := c.productID(ctx, l.ItemCode)
		if err != nil {
			return wInvoice{}, err
		}
		if !ok {
			// A product KashFlow does not have: the line goes without one,
			// its description says what it is.
			product = 0
		}
		unit := l.UnitPrice
		if d.TaxInclusive && rate.IsPositive() {
			unit = unit.Mul(hundred).Div(hundred.Add(rate)).Round(4)
		}
		if !l.DiscountPercent.IsZero() {
			unit = unit.Mul(hundred.Sub(l.DiscountPercent)).Div(hundred).Round(4)
		}
		wl := wLine{TypeOut: "InvoiceLine", Quantity: amount{l.Quantity}, Description: l.Description,
			Rate: amount{unit.Mul(sign)}, ChargeType: chargeType, VatRate: amount{rate},
			VatAmount: amount{l.TaxAmount.Mul(sign)}, ProductID: product, Sort: i + 1}
		if i < len(old) {
			wl.LineID = old[i].LineID
		}
		lines.Lines = append(lines.Lines, wl)
	}
	w.Lines = lines
	return w, nil
}

// docFromWire maps KashFlow's Invoice to a document of type t.
func (c *Conn) docFromWire(ctx context.Context, t connectors.RecordType, w wInvoice) (connectors.Record, error) {
	kind := docKind(t, false)
	code, ref := unmark(w.CustomerReference)
	if code == "" {
		code = strconv.Itoa(w.InvoiceNumber)
	}
	total := w.NetAmount.Add(w.VATAmount.Decimal)
	credit := total.IsNegative()
	purchase := kind == "receipt"
	if credit {
		t = connectors.CreditNotes
	}
	party, err := c.partyCode(ctx, w.CustomerID, purchase)
	if err != nil {
		return connectors.Record{}, err
	}
	currency := strings.ToUpper(strings.TrimSpace(w.CurrencyCode))
	if currency == "" {
		currency = "GBP"
	}
	d := &connectors.Document{
		Code: code, PartyCode: party, Date: dateOf(w.InvoiceDate.Time), DueDate: dateOf(w.DueDate.Time),
		Reference: ref, Currency: currency, Purchase: credit && purchase,
		Total: total.Abs(), AmountDue: total.Abs().Sub(w.AmountPaid.Abs()),
		Status: connectors.StatusAuthorised,
	}
	if w.Paid == 1 || (total.IsPositive() && !d.AmountDue.IsPositive()) {
		d.Status = connectors.StatusPaid
	}
	if w.Lines != nil {
		for _, l := range w.Lines.Lines {
			nominal, err := c.nominalCode(ctx, l.ChargeType)
			if err != nil {
				return connectors.Record{}, err
			}
			item, err := c.productCodeOf(ctx, l.ProductID)
			if err != nil {
				return connectors.Record{}, err
			}
			d.Lines = append(d.Lines, connectors.Line{
				ItemCode: item, Description: l.Description, Quantity: l.Quantity.Decimal,
				UnitPrice: l.Rate.Abs(), NominalCode: nominal, TaxCode: vatCode(l.VatRate.Decimal),
				TaxAmount: l.VatAmount.Abs(),
			})
		}
	}
	return connectors.Record{Type: t, Document: d}, nil
}

func dateOf(t time.Time) connectors.Date {
	if t.IsZero() {
		return connectors.Date{}
	}
	return connectors.DateOf(t)
}

// ---- journals ----

// Cost centre, cost type and pay period travel in each journal line's
// narrative (KashFlow's Comment), as " [cc:SHOP] [ct:SALARY] [period:2026-10]":
// the line's project (ProjId) is a number that needs a project set up in
// KashFlow first, and could not carry "SHOP".
var lineTags = []string{"cc", "ct", "period"}

func tagLine(l connectors.JournalLine) string {
	s := l.Description
	for i, v := range []string{l.CostCentre, l.CostType, l.Period} {
		if v != "" {
			s += " [" + lineTags[i] + ":" + v + "]"
		}
	}
	return strings.TrimSpace(s)
}

func untagLine(s string) (desc string, values [3]string) {
	for {
		s = strings.TrimRight(s, " ")
		if !strings.HasSuffix(s, "]") {
			break
		}
		open := strings.LastIndex(s, "[")
		if open < 0 {
			break
		}
		tag := s[open+1 : len(s)-1]
		found := false
		for i, name := range lineTags {
			if v, ok := strings.CutPrefix(tag, name+":"); ok && values[i] == "" {
				values[i], found = v, true
				break
			}
		}
		if !found {
			break
		}
		s = s[:open]
	}
	return strings.TrimSpace(s), values
}

func (c *Conn) journalToWire(ctx context.Context, j connectors.JournalEntry, base *wJournal) (wJournal, error) {
	if err := checkCode(j.Code); err != nil {
		return wJournal{}, err
	}
	var w wJournal
	if base != nil {
		w = *base
	}
	w.JournalDate = dateTime{j.Date.Time}
	w.Comment = mark(j.Code, j.Description)
	lines := &wJournalLines{}
	for _, l := range j.Lines {
		id, ok, err := c.nominalID(ctx, l.NominalCode)
		if err != nil {
			return wJournal{}, err
		}
		if !ok {
			return wJournal{}, c.refuse("nominal_code", "kashflow.refusal.nominal_code", "Code", l.NominalCode)
		}
		// A positive Amount is a debit (the sign KashFlow's journal screen
		// and the REST API's balanced lines imply).
		lines.Lines = append(lines.Lines, wJournalLine{TypeOut: "JournalLine", NominalID: id,
			Amount: amount{l.Debit.Sub(l.Credit)}, Comment: tagLine(l)})
	}
	w.Lines = lines
	return w, nil
}

func (c *Conn) journalFromWire(ctx context.Context, w wJournal) (connectors.Record, error) {
	code, desc := unmark(w.Comment)
	if code == "" {
		code = strconv.Itoa(w.JournalNumber)
	}
	j := &connectors.JournalEntry{Code: code, Date: dateOf(w.JournalDate.Time), Description: desc}
	if w.Lines != nil {
		for _, l := range w.Lines.Lines {
			nominal, err := c.nominalCode(ctx, l.NominalID)
			if err != nil {
				return connectors.Record{}, err
			}
			text, tags := untagLine(l.Comment)
			jl := connectors.JournalLine{NominalCode: nominal, Description: text, CostCentre: tags[0], CostType: tags[1], Period: tags[2]}
			if l.Amount.IsNegative() {
				jl.Credit = l.Amount.Neg()
			} else {
				jl.Debit = l.Amount.Decimal
			}
			j.Lines = append(j.Lines, jl)
		}
	}
	return connectors.Record{Type: connectors.Journals, Journal: j}, nil
}

// ---- reference data ----

func nominalRecord(n wNominal) connectors.Remote {
	return connectors.Remote{RemoteID: strconv.Itoa(n.ID), Record: connectors.Record{Type: connectors.NominalAccounts,
		Account: &connectors.NominalAccount{Code: strconv.Itoa(n.Code), Name: n.Name}}}
}

func vatRecord(v wVATRate) connectors.Remote {
	name := strings.TrimSpace(v.Description)
	if name == "" {
		name = v.Name
	}
	return connectors.Remote{RemoteID: strconv.Itoa(v.ID), Record: connectors.Record{Type: connectors.TaxRates,
		TaxRate: &connectors.TaxRate{Code: vatCode(v.Value.Decimal), Name: name, Rate: v.Value.Decimal}}}
}

func productRecord(p wProduct) connectors.Remote {
	name := strings.TrimSpace(p.ProductDescription)
	if name == "" {
		name = p.ProductName
	}
	return connectors.Remote{RemoteID: strconv.Itoa(p.ProductID), Record: connectors.Record{Type: connectors.Items,
		Item: &connectors.Item{Code: productCode(p), Name: name, SalesPrice: p.ProductPrice.Decimal}}}
}

func bankRecord(b wBank) connectors.Remote {
	return connectors.Remote{RemoteID: strconv.Itoa(b.AccountID), Record: connectors.Record{Type: connectors.BankAccounts,
		BankAccount: &connectors.BankAccount{Code: strconv.Itoa(b.AccountCode), Name: b.AccountName, Currency: "GBP"}}}
}

func methodRecord(prefix string, m wMethod) connectors.Remote {
	return connectors.Remote{RemoteID: prefix + strconv.Itoa(m.MethodID), Record: connectors.Record{Type: connectors.PaymentMethods,
		PaymentMethod: &connectors.PaymentMethod{Code: prefix + strconv.Itoa(m.MethodID), Name: m.MethodName}}}
}
