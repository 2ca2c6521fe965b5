package xero

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// Xero's invoice and credit note types.
const (
	typeSales          = "ACCREC"
	typePurchase       = "ACCPAY"
	typeSalesCredit    = "ACCRECCREDIT"
	typePurchaseCredit = "ACCPAYCREDIT"

	paymentSales    = "ACCRECPAYMENT"
	paymentPurchase = "ACCPAYPAYMENT"
)

// localError is LedgerLink's own verdict on an item it did not send: its
// words go with it, for Error Feedback to say in the reader's language.
func localError(key string, pairs ...any) *connectors.ItemError {
	return own.ItemFail("LedgerLink", "", key, pairs...)
}

// mapper turns canonical records into Xero JSON and back, following the
// module's options.
type mapper struct {
	authorised    bool
	rollup        bool
	multiCurrency bool
	// baseCurrency is the organisation's currency; documents in another
	// currency are refused when multi-currency is off. Blank skips the
	// check.
	baseCurrency string
	// inventory is the organisation's inventory asset account, for stock
	// items ("" sends them untracked).
	inventory string
}

// ---- contacts ----

// splitName splits "Ann Marie Smith" into "Ann Marie" and "Smith".
func splitName(full string) (first, last string) {
	full = strings.Join(strings.Fields(full), " ")
	i := strings.LastIndexByte(full, ' ')
	if i < 0 {
		return full, ""
	}
	return full[:i], full[i+1:]
}

func (m mapper) contactFromParty(p connectors.Party, remoteID string) contact {
	c := contact{
		ContactID:     remoteID,
		ContactNumber: p.Code,
		Name:          strings.TrimSpace(p.Name),
		EmailAddress:  p.Email,
		TaxNumber:     p.TaxNumber,
	}
	// A company carries its contact person in FirstName/LastName; a person
	// carries their own name there, so that Xero shows them as a person
	// and the mirror can tell the two apart (see partyFromContact).
	person := p.ContactPerson
	if !p.IsCompany() {
		person = p.Name
	}
	first, last := splitName(person)
	c.FirstName, c.LastName = &first, &last
	if m.multiCurrency && p.Currency != "" {
		c.DefaultCurrency = strings.ToUpper(p.Currency)
	}
	if p.BillingAddress != (connectors.Address{}) {
		c.Addresses = append(c.Addresses, addressOf("POBOX", p.BillingAddress))
	}
	if p.DeliveryAddress != (connectors.Address{}) {
		c.Addresses = append(c.Addresses, addressOf("STREET", p.DeliveryAddress))
	}
	if p.Phone != "" {
		c.Phones = []phone{{PhoneType: "DEFAULT", PhoneNumber: p.Phone}}
	}
	switch {
	case p.Archived:
		c.ContactStatus = "ARCHIVED"
	case remoteID != "":
		c.ContactStatus = "ACTIVE"
	}
	return c
}

func addressOf(kind string, a connectors.Address) address {
	return address{AddressType: kind, AddressLine1: a.Line1, AddressLine2: a.Line2, City: a.City,
		Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

// contactCode is a contact's business code: its ContactNumber, else its
// AccountNumber, else (for contacts made in Xero by hand) its ContactID.
func contactCode(c *contact) string {
	if c == nil {
		return ""
	}
	for _, v := range []string{c.ContactNumber, c.AccountNumber, c.ContactID} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// partyFromContact applies the contact-person rule: a blank contact person
// (or one that is the contact's own name) is a person; otherwise a company
// with that contact person.
func partyFromContact(c contact) connectors.Party {
	p := connectors.Party{
		Code:      contactCode(&c),
		Name:      c.Name,
		Email:     c.EmailAddress,
		TaxNumber: c.TaxNumber,
		Currency:  c.DefaultCurrency,
		Archived:  strings.EqualFold(c.ContactStatus, "ARCHIVED"),
	}
	person := strings.TrimSpace(strings.Join(strings.Fields(deref(c.FirstName)+" "+deref(c.LastName)), " "))
	if person == "" && len(c.ContactPersons) > 0 {
		cp := c.ContactPersons[0]
		person = strings.TrimSpace(strings.Join(strings.Fields(cp.FirstName+" "+cp.LastName), " "))
	}
	if person != "" && !strings.EqualFold(person, strings.Join(strings.Fields(c.Name), " ")) {
		p.ContactPerson = person
	}
	for _, a := range c.Addresses {
		addr := connectors.Address{Line1: a.AddressLine1, Line2: a.AddressLine2, City: a.City,
			Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
		switch a.AddressType {
		case "POBOX":
			p.BillingAddress = addr
		case "STREET":
			p.DeliveryAddress = addr
		}
	}
	for _, ph := range c.Phones {
		if ph.PhoneType == "DEFAULT" && ph.PhoneNumber != "" {
			p.Phone = ph.PhoneNumber
		}
	}
	return p
}

// ---- lines ----

// lines maps document lines; discounts is false for the documents Xero
// takes no discount on (bills and credit notes), where the discount is
// folded into the unit amount instead.
func (m mapper) lines(ls []connectors.Line, discounts bool) []lineItem {
	if m.rollup {
		return rollup(ls)
	}
	out := make([]lineItem, 0, len(ls))
	for _, l := range ls {
		li := lineItem{
			Description: l.Description,
			Quantity:    num(l.Quantity),
			UnitAmount:  num(l.UnitPrice),
			ItemCode:    l.ItemCode,
			AccountCode: l.NominalCode,
			TaxType:     l.TaxCode,
			TaxAmount:   num(l.TaxAmount),
		}
		if !l.DiscountPercent.IsZero() {
			if discounts {
				li.DiscountRate = num(l.DiscountPercent)
			} else {
				hundred := decimal.NewFromInt(100)
				li.UnitAmount = num(l.UnitPrice.Mul(hundred.Sub(l.DiscountPercent)).Div(hundred).Round(4))
			}
		}
		if li.Description == "" {
			// Xero needs a description of at least one character.
			li.Description = l.ItemCode
		}
		out = append(out, li)
	}
	return out
}

// rollup makes one line per nominal account and tax rate, in the order
// they first appear, each line's net rounded as Xero would round it.
func rollup(ls []connectors.Line) []lineItem {
	type key struct{ account, tax string }
	type group struct {
		net, tax     decimal.Decimal
		count        int
		allHaveTaxes bool
	}
	var order []key
	groups := map[key]*group{}
	for _, l := range ls {
		k := key{l.NominalCode, l.TaxCode}
		g, ok := groups[k]
		if !ok {
			g = &group{allHaveTaxes: true}
			groups[k] = g
			order = append(order, k)
		}
		g.net = g.net.Add(l.Net().Round(2))
		g.tax = g.tax.Add(l.TaxAmount)
		g.allHaveTaxes = g.allHaveTaxes && !l.TaxAmount.IsZero()
		g.count++
	}
	out := make([]lineItem, 0, len(order))
	for _, k := range order {
		g := groups[k]
		desc := fmt.Sprintf("%d lines", g.count)
		if g.count == 1 {
			desc = "1 line"
		}
		if k.tax != "" {
			desc += " at tax rate " + k.tax // words:verbatim: a rolled-up line's description in Xero, as the business's documents read
		}
		li := lineItem{Description: desc, Quantity: num(decimal.NewFromInt(1)), UnitAmount: num(g.net),
			AccountCode: k.account, TaxType: k.tax}
		if g.allHaveTaxes {
			li.TaxAmount = num(g.tax)
		}
		out = append(out, li)
	}
	return out
}

func linesFromWire(ls []lineItem) []connectors.Line {
	out := make([]connectors.Line, 0, len(ls))
	for _, li := range ls {
		out = append(out, connectors.Line{
			ItemCode:        li.ItemCode,
			Description:     li.Description,
			Quantity:        li.Quantity.Decimal,
			UnitPrice:       li.UnitAmount.Decimal,
			DiscountPercent: li.DiscountRate.Decimal,
			NominalCode:     li.AccountCode,
			TaxCode:         li.TaxType,
			TaxAmount:       li.TaxAmount.Decimal,
		})
	}
	return out
}

// ---- documents ----

// currency returns the CurrencyCode to send, or an error when the
// document's currency cannot be sent under the module's options.
func (m mapper) currency(d connectors.Document) (string, *connectors.ItemError) {
	cur := strings.ToUpper(strings.TrimSpace(d.Currency))
	if cur == "" {
		return "", nil
	}
	if m.multiCurrency {
		return cur, nil
	}
	if m.baseCurrency != "" && !strings.EqualFold(cur, m.baseCurrency) {
		return "", localError("xero.item.currency_off", "Currency", cur, "Base", m.baseCurrency)
	}
	return "", nil
}

func (m mapper) documentStatus(d connectors.Document, remoteID string) string {
	switch d.Status {
	case connectors.StatusVoided:
		if remoteID != "" {
			return "VOIDED"
		}
	case connectors.StatusDeleted:
		if remoteID != "" {
			return "DELETED"
		}
	}
	if m.authorised {
		return "AUTHORISED"
	}
	return "DRAFT"
}

func lineAmountTypes(inclusive bool) string {
	if inclusive {
		return "Inclusive"
	}
	return "Exclusive"
}

func (m mapper) invoiceFromDocument(t connectors.RecordType, d connectors.Document, remoteID string) (invoice, *connectors.ItemError) {
	cur, ierr := m.currency(d)
	if ierr != nil {
		return invoice{}, ierr
	}
	kind := typeSales
	if t == connectors.PurchaseInvoices {
		kind = typePurchase
	}
	return invoice{
		Type:            kind,
		InvoiceID:       remoteID,
		InvoiceNumber:   d.Code,
		Reference:       d.Reference,
		Contact:         &contact{ContactNumber: d.PartyCode},
		Date:            d.Date.String(),
		DueDate:         d.DueDate.String(),
		Status:          m.documentStatus(d, remoteID),
		LineAmountTypes: lineAmountTypes(d.TaxInclusive),
		CurrencyCode:    cur,
		LineItems:       m.lines(d.Lines, kind == typeSales),
	}, nil
}

func (m mapper) quoteFromDocument(d connectors.Document, remoteID string) (quote, *connectors.ItemError) {
	cur, ierr := m.currency(d)
	if ierr != nil {
		return quote{}, ierr
	}
	status := "DRAFT"
	switch {
	case d.Status == connectors.StatusDeleted && remoteID != "":
		status = "DELETED"
	case m.authorised:
		status = "SENT"
	}
	lat := "EXCLUSIVE"
	if d.TaxInclusive {
		lat = "INCLUSIVE"
	}
	return quote{
		QuoteID:         remoteID,
		QuoteNumber:     d.Code,
		Reference:       d.Reference,
		Contact:         &contact{ContactNumber: d.PartyCode},
		Date:            d.Date.String(),
		ExpiryDate:      d.DueDate.String(),
		Status:          status,
		LineAmountTypes: lat,
		CurrencyCode:    cur,
		LineItems:       m.lines(d.Lines, true),
	}, nil
}

func (m mapper) creditNoteFromDocument(d connectors.Document, remoteID string) (creditNote, *connectors.ItemError) {
	cur, ierr := m.currency(d)
	if ierr != nil {
		return creditNote{}, ierr
	}
	kind := typeSalesCredit
	if d.Purchase {
		kind = typePurchaseCredit
	}
	return creditNote{
		Type:             kind,
		CreditNoteID:     remoteID,
		CreditNoteNumber: d.Code,
		Reference:        d.Reference,
		Contact:          &contact{ContactNumber: d.PartyCode},
		Date:             d.Date.String(),
		DueDate:          d.DueDate.String(),
		Status:           m.documentStatus(d, remoteID),
		LineAmountTypes:  lineAmountTypes(d.TaxInclusive),
		CurrencyCode:     cur,
		LineItems:        m.lines(d.Lines, false),
	}, nil
}

func statusFromWire(s string) connectors.DocumentStatus {
	switch strings.ToUpper(s) {
	case "DRAFT":
		return connectors.StatusDraft
	case "SUBMITTED", "SENT":
		return connectors.StatusSubmitted
	case "AUTHORISED", "ACCEPTED", "INVOICED":
		return connectors.StatusAuthorised
	case "PAID":
		return connectors.StatusPaid
	case "VOIDED", "DECLINED":
		return connectors.StatusVoided
	case "DELETED":
		return connectors.StatusDeleted
	}
	return ""
}

func firstNonBlank(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func documentFromInvoice(in invoice) (connectors.Document, error) {
	date, err := dayOf(in.DateString, in.Date)
	if err != nil {
		return connectors.Document{}, err
	}
	due, err := dayOf(in.DueDateString, in.DueDate)
	if err != nil {
		return connectors.Document{}, err
	}
	return connectors.Document{
		Code:         firstNonBlank(in.InvoiceNumber, in.InvoiceID),
		PartyCode:    contactCode(in.Contact),
		Date:         date,
		DueDate:      due,
		Reference:    in.Reference,
		Currency:     in.CurrencyCode,
		TaxInclusive: strings.EqualFold(in.LineAmountTypes, "Inclusive"),
		Status:       statusFromWire(in.Status),
		Lines:        linesFromWire(in.LineItems),
		Total:        in.Total.Decimal,
		AmountDue:    in.AmountDue.Decimal,
	}, nil
}

func documentFromQuote(q quote) (connectors.Document, error) {
	date, err := dayOf(q.DateString, q.Date)
	if err != nil {
		return connectors.Document{}, err
	}
	expiry, err := dayOf(q.ExpiryDateString, q.ExpiryDate)
	if err != nil {
		return connectors.Document{}, err
	}
	return connectors.Document{
		Code:         firstNonBlank(q.QuoteNumber, q.QuoteID),
		PartyCode:    contactCode(q.Contact),
		Date:         date,
		DueDate:      expiry,
		Reference:    q.Reference,
		Currency:     q.CurrencyCode,
		TaxInclusive: strings.EqualFold(q.LineAmountTypes, "INCLUSIVE"),
		Status:       statusFromWire(q.Status),
		Lines:        linesFromWire(q.LineItems),
		Total:        q.Total.Decimal,
	}, nil
}

func documentFromCreditNote(cn creditNote) (connectors.Document, error) {
	date, err := dayOf(cn.DateString, cn.Date)
	if err != nil {
		return connectors.Document{}, err
	}
	due, err := dayOf(cn.DueDateString, cn.DueDate)
	if err != nil {
		return connectors.Document{}, err
	}
	d := connectors.Document{
		Code:         firstNonBlank(cn.CreditNoteNumber, cn.CreditNoteID),
		PartyCode:    contactCode(cn.Contact),
		Date:         date,
		DueDate:      due,
		Reference:    cn.Reference,
		Currency:     cn.CurrencyCode,
		TaxInclusive: strings.EqualFold(cn.LineAmountTypes, "Inclusive"),
		Status:       statusFromWire(cn.Status),
		Purchase:     cn.Type == typePurchaseCredit,
		Lines:        linesFromWire(cn.LineItems),
		Total:        cn.Total.Decimal,
		AmountDue:    cn.RemainingCredit.Decimal,
	}
	docType := connectors.SalesInvoices
	if d.Purchase {
		docType = connectors.PurchaseInvoices
	}
	for _, a := range cn.Allocations {
		if a.Invoice == nil {
			continue
		}
		d.Allocations = append(d.Allocations, connectors.Allocation{
			DocumentType:     docType,
			DocumentCode:     firstNonBlank(a.Invoice.InvoiceNumber, a.Invoice.InvoiceID),
			DocumentRemoteID: a.Invoice.InvoiceID,
			Amount:           a.Amount.Decimal,
		})
	}
	return d, nil
}

// ---- reference data ----

func accountClass(class string) connectors.AccountClass {
	switch strings.ToUpper(class) {
	case "ASSET":
		return connectors.ClassAsset
	case "LIABILITY":
		return connectors.ClassLiability
	case "EQUITY":
		return connectors.ClassEquity
	case "REVENUE":
		return connectors.ClassRevenue
	case "EXPENSE":
		return connectors.ClassExpense
	}
	return ""
}

// isCostOfSale tells the cost-of-sale accounts LedgerLink never posts to.
// Xero's "Direct Costs" type also holds ordinary purchase accounts
// ("Purchases", "Subcontractors"), so the type alone is not enough: the
// account must be named as the cost of goods or sales.
func isCostOfSale(a account) bool {
	if a.Type != "DIRECTCOSTS" {
		return false
	}
	name := strings.ToLower(a.Name)
	return strings.Contains(name, "cost of goods") || strings.Contains(name, "cost of sale") || strings.Contains(name, "cogs")
}

func nominalFromAccount(a account) connectors.NominalAccount {
	return connectors.NominalAccount{
		Code:       firstNonBlank(a.Code, a.AccountID),
		Name:       a.Name,
		Class:      accountClass(a.Class),
		Type:       a.Type,
		TaxCode:    a.TaxType,
		Stock:      a.Type == "INVENTORY",
		CostOfSale: isCostOfSale(a),
		Bank:       a.Type == "BANK",
		Archived:   strings.EqualFold(a.Status, "ARCHIVED"),
	}
}

func bankFromAccount(a account) connectors.BankAccount {
	return connectors.BankAccount{
		Code:          firstNonBlank(a.Code, a.AccountID),
		Name:          a.Name,
		AccountNumber: a.BankAccountNumber,
		Currency:      a.CurrencyCode,
	}
}

func taxFromWire(t taxRate) connectors.TaxRate {
	rate := t.EffectiveRate.Decimal
	if rate.IsZero() {
		rate = t.DisplayTaxRate.Decimal
	}
	return connectors.TaxRate{Code: t.TaxType, Name: t.Name, Rate: rate,
		Archived: t.Status != "" && !strings.EqualFold(t.Status, "ACTIVE")}
}

func itemFromWire(i item) connectors.Item {
	out := connectors.Item{Code: firstNonBlank(i.Code, i.ItemID), Name: i.Name, Stock: i.IsTrackedAsInventory}
	if i.Description != i.Name {
		out.Description = i.Description
	}
	if i.SalesDetails != nil {
		out.SalesPrice = i.SalesDetails.UnitPrice.Decimal
		out.SalesAccount = i.SalesDetails.AccountCode
	}
	if i.PurchaseDetails != nil {
		out.PurchasePrice = i.PurchaseDetails.UnitPrice.Decimal
		out.PurchaseAccount = firstNonBlank(i.PurchaseDetails.AccountCode, i.PurchaseDetails.COGSAccountCode)
	}
	return out
}
