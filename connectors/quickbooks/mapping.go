package quickbooks

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// vendorCreditPrefix marks the remote ID of a supplier credit note (a
// VendorCredit), so that one record type can hold both kinds of credit.
const vendorCreditPrefix = "V"

// maxDocNumber is the longest DocNumber QuickBooks keeps.
const maxDocNumber = 21

var hundred = decimal.NewFromInt(100)

// entityOf is the QuickBooks entity a record of type t is.
func entityOf(t connectors.RecordType, purchase bool) string {
	switch t {
	case connectors.Customers:
		return "Customer"
	case connectors.Suppliers:
		return "Vendor"
	case connectors.Quotes:
		return "Estimate"
	case connectors.SalesInvoices:
		return "Invoice"
	case connectors.PurchaseInvoices:
		return "Bill"
	case connectors.CreditNotes:
		if purchase {
			return "VendorCredit"
		}
		return "CreditMemo"
	case connectors.InvoicePayments:
		return "Payment"
	case connectors.PurchasePayments:
		return "BillPayment"
	case connectors.Journals:
		return "JournalEntry"
	case connectors.Items:
		return "Item"
	case connectors.NominalAccounts, connectors.BankAccounts:
		return "Account"
	case connectors.TaxRates:
		return "TaxCode"
	case connectors.PaymentMethods:
		return "PaymentMethod"
	}
	return ""
}

// remoteID is LedgerLink's ID of a QuickBooks entity.
func remoteID(entity, id string) string {
	if entity == "VendorCredit" {
		return vendorCreditPrefix + id
	}
	return id
}

// splitRemoteID is the other way round.
func splitRemoteID(t connectors.RecordType, rid string) (entity, id string) {
	if t == connectors.CreditNotes {
		if v, ok := strings.CutPrefix(rid, vendorCreditPrefix); ok {
			return "VendorCredit", v
		}
		return "CreditMemo", rid
	}
	return entityOf(t, false), rid
}

func updatedAt(m *metaData) time.Time {
	if m == nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, m.LastUpdatedTime)
	if err != nil {
		return time.Time{}
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func address(a connectors.Address) *physicalAddress {
	if a == (connectors.Address{}) {
		return nil
	}
	return &physicalAddress{Line1: a.Line1, Line2: a.Line2, City: a.City, CountrySubDivisionCode: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

func fromAddress(a *physicalAddress) connectors.Address {
	if a == nil {
		return connectors.Address{}
	}
	return connectors.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.CountrySubDivisionCode, PostalCode: a.PostalCode, Country: a.Country}
}

// splitName turns "Priya Shah" into given and family names.
func splitName(full string) (given, family string) {
	f := strings.Fields(full)
	switch len(f) {
	case 0:
		return "", ""
	case 1:
		return f[0], ""
	}
	return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
}

// toParty is a customer or supplier as a Customer or Vendor: a company
// has a CompanyName and its contact person as the names; a person has
// only the names.
func toParty(p connectors.Party, vendor bool) nameEntity {
	n := nameEntity{DisplayName: strings.TrimSpace(p.Name), AcctNum: p.Code, Active: ptr(!p.Archived)}
	if p.IsCompany() {
		n.CompanyName = n.DisplayName
		n.GivenName, n.FamilyName = splitName(p.ContactPerson)
	} else {
		n.GivenName, n.FamilyName = splitName(p.Name)
	}
	if p.Email != "" {
		n.PrimaryEmailAddr = &emailAddress{Address: p.Email}
	}
	if p.Phone != "" {
		n.PrimaryPhone = &telephone{FreeFormNumber: p.Phone}
	}
	n.BillAddr, n.ShipAddr = address(p.BillingAddress), address(p.DeliveryAddress)
	if p.Currency != "" {
		n.CurrencyRef = &ref{Value: p.Currency}
	}
	return n
}

func fromParty(n nameEntity) connectors.Party {
	p := connectors.Party{Code: partyCodeOf(n), Name: n.DisplayName, Archived: n.Active != nil && !*n.Active}
	if strings.TrimSpace(n.CompanyName) != "" {
		p.ContactPerson = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
	}
	if n.PrimaryEmailAddr != nil {
		p.Email = n.PrimaryEmailAddr.Address
	}
	if n.PrimaryPhone != nil {
		p.Phone = n.PrimaryPhone.FreeFormNumber
	}
	p.BillingAddress, p.DeliveryAddress = fromAddress(n.BillAddr), fromAddress(n.ShipAddr)
	p.Currency = n.CurrencyRef.id()
	return p
}

// mapper turns records into entities with the company's reference data;
// its errors are the record's verdict, sent nowhere.
type mapper struct {
	c   *Conn
	ctx context.Context
}

// accountID is the QuickBooks account of code; role is the catalogue key
// of what the account is for the record (its nominal code, its bank
// account), said in the refusal.
func (m mapper) accountID(code, role string) (string, *connectors.ItemError) {
	a, ok := m.c.refs.account(code)
	if !ok {
		return "", refError("nominal_code", "quickbooks.item.account_missing", "What", words.Sentence(role), "Code", code)
	}
	if a.Active != nil && !*a.Active {
		return "", refError("nominal_code", "quickbooks.item.account_inactive", "What", words.Sentence(role), "Code", code)
	}
	return a.ID, nil
}

func (m mapper) taxID(code string) (*ref, *connectors.ItemError) {
	if strings.TrimSpace(code) == "" {
		return nil, nil
	}
	t, ok := m.c.refs.taxCode(code)
	if !ok {
		return nil, refError("tax_code", "quickbooks.item.tax_code_missing", "Code", code)
	}
	return refTo(t.ID), nil
}

func (m mapper) itemID(code string) (string, *connectors.ItemError) {
	name := code
	if strings.TrimSpace(name) == "" {
		name = m.c.s.defaultItem
	}
	it, ok := m.c.refs.item(name)
	if !ok {
		if code == "" {
			return "", refError("item_code", "quickbooks.item.default_item_missing", "Name", name)
		}
		return "", refError("item_code", "quickbooks.item.product_missing", "Code", code)
	}
	return it.ID, nil
}

func (m mapper) classRef(name string) (*ref, *connectors.ItemError) {
	if strings.TrimSpace(name) == "" {
		return nil, nil
	}
	c, ok := m.c.refs.costCentre(name, false)
	if !ok {
		return nil, refError("cost_centre", "quickbooks.item.class_missing", "Name", name)
	}
	return refTo(c.ID), nil
}

func (m mapper) partyRef(entity, code string) (*ref, *connectors.ItemError, error) {
	id, ok, err := m.c.refs.partyIDOf(m.ctx, entity, code)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		key := "quickbooks.item.party_missing.customer"
		if entity == "Vendor" {
			key = "quickbooks.item.party_missing.supplier"
		}
		return nil, localError(key, "Code", code), nil
	}
	return refTo(id), nil, nil
}

// toDocument is a quote, invoice, bill or credit note as its entity.
func (m mapper) toDocument(entity string, d connectors.Document) (txn, *connectors.ItemError, error) {
	if len(d.Code) > maxDocNumber {
		return txn{}, localError("quickbooks.item.document_number_too_long", "Code", d.Code, "Max", maxDocNumber), nil
	}
	purchase := entity == "Bill" || entity == "VendorCredit"
	out := txn{DocNumber: d.Code, TxnDate: d.Date.String(), PrivateNote: d.Reference, GlobalTaxCalculation: "TaxExcluded"}
	if entity != "VendorCredit" {
		out.DueDate = d.DueDate.String()
	}
	if d.TaxInclusive {
		out.GlobalTaxCalculation = "TaxInclusive"
	}
	if d.Currency != "" {
		out.CurrencyRef = &ref{Value: d.Currency}
	}
	partyEntity := "Customer"
	if purchase {
		partyEntity = "Vendor"
	}
	pr, ie, err := m.partyRef(partyEntity, d.PartyCode)
	if ie != nil || err != nil {
		return txn{}, ie, err
	}
	if purchase {
		out.VendorRef = pr
	} else {
		out.CustomerRef = pr
	}
	if len(d.Lines) == 0 {
		return txn{}, localError("quickbooks.item.no_lines", "Code", d.Code), nil
	}
	for i, l := range d.Lines {
		tax, ie := m.taxID(l.TaxCode)
		if ie != nil {
			return txn{}, ie, nil
		}
		class, ie := m.classRef(l.CostCentre)
		if ie != nil {
			return txn{}, ie, nil
		}
		ql := line{Description: l.Description, Amount: amt(l.Net().Round(2))}
		var acct string
		if l.NominalCode != "" {
			if acct, ie = m.accountID(l.NominalCode, "quickbooks.account_role.nominal_code"); ie != nil {
				return txn{}, own.ItemFail(ie.Code, ie.Field, "quickbooks.item.on_line", "Line", i+1, "Reason", ie), nil
			}
		}
		switch {
		case !purchase:
			itemID, ie := m.itemID(l.ItemCode)
			if ie != nil {
				return txn{}, ie, nil
			}
			det := &salesItemDetail{ItemRef: refTo(itemID), Qty: amt(l.Quantity), UnitPrice: amt(l.UnitPrice),
				ItemAccountRef: refTo(acct), TaxCodeRef: tax, ClassRef: class}
			if !l.DiscountPercent.IsZero() {
				det.DiscountRate = amt(l.DiscountPercent)
			}
			ql.DetailType, ql.SalesItemLineDetail = "SalesItemLineDetail", det
		case l.ItemCode != "":
			itemID, ie := m.itemID(l.ItemCode)
			if ie != nil {
				return txn{}, ie, nil
			}
			ql.Amount = amt(l.Quantity.Mul(l.UnitPrice).Round(2))
			if !l.DiscountPercent.IsZero() {
				return txn{}, localError("quickbooks.item.bill_discount", "Line", i+1, "Code", d.Code), nil
			}
			ql.DetailType = "ItemBasedExpenseLineDetail"
			ql.ItemBasedExpenseLineDetail = &itemExpenseDetail{ItemRef: refTo(itemID), Qty: amt(l.Quantity), UnitPrice: amt(l.UnitPrice),
				ItemAccountRef: refTo(acct), TaxCodeRef: tax, ClassRef: class}
		default:
			if acct == "" {
				return txn{}, localError("quickbooks.item.bill_line_no_account", "Line", i+1, "Code", d.Code), nil
			}
			ql.DetailType = "AccountBasedExpenseLineDetail"
			ql.AccountBasedExpenseLineDetail = &accountExpenseDetail{AccountRef: refTo(acct), TaxCodeRef: tax, ClassRef: class}
		}
		out.Line = append(out.Line, ql)
	}
	return out, nil, nil
}

func parseDay(s string) connectors.Date {
	d, err := connectors.ParseDate(s)
	if err != nil {
		return connectors.Date{}
	}
	return d
}

// fromDocument reads a quote, invoice, bill or credit note.
func (m mapper) fromDocument(entity string, t txn) (connectors.Document, error) {
	purchase := entity == "Bill" || entity == "VendorCredit"
	d := connectors.Document{Code: t.DocNumber, Date: parseDay(t.TxnDate), DueDate: parseDay(t.DueDate), Reference: t.PrivateNote,
		Currency: t.CurrencyRef.id(), TaxInclusive: t.GlobalTaxCalculation == "TaxInclusive", Purchase: entity == "VendorCredit",
		Total: t.TotalAmt.dec()}
	if d.Code == "" {
		d.Code = localIDPrefix + t.ID
	}
	var err error
	if purchase {
		d.PartyCode, err = m.c.refs.partyCodeOfID(m.ctx, "Vendor", t.VendorRef.id())
	} else {
		d.PartyCode, err = m.c.refs.partyCodeOfID(m.ctx, "Customer", t.CustomerRef.id())
	}
	if err != nil {
		return d, err
	}
	switch entity {
	case "Invoice", "Bill":
		d.AmountDue = t.Balance.dec()
	case "CreditMemo":
		d.AmountDue = t.RemainingCredit.dec()
	case "VendorCredit":
		d.AmountDue = t.Balance.dec()
	}
	d.Status = connectors.StatusAuthorised
	switch {
	case t.TxnStatus == "Voided":
		d.Status = connectors.StatusVoided
	case (entity == "Invoice" || entity == "Bill") && t.Balance != nil && t.Balance.IsZero() && !d.Total.IsZero():
		d.Status = connectors.StatusPaid
	}
	for _, l := range t.Line {
		var cl connectors.Line
		cl.Description = l.Description
		net := l.Amount.dec()
		switch {
		case l.SalesItemLineDetail != nil:
			det := l.SalesItemLineDetail
			cl.Quantity, cl.UnitPrice, cl.DiscountPercent = det.Qty.dec(), det.UnitPrice.dec(), det.DiscountRate.dec()
			if det.Qty == nil && det.UnitPrice == nil {
				cl.Quantity, cl.UnitPrice = decimal.NewFromInt(1), net
			}
			cl.ItemCode, cl.NominalCode = m.lineItem(det.ItemRef.id(), det.ItemAccountRef.id(), false)
			cl.TaxCode, cl.CostCentre = m.taxName(det.TaxCodeRef.id()), m.c.refs.costCentreName(det.ClassRef.id(), "")
		case l.ItemBasedExpenseLineDetail != nil:
			det := l.ItemBasedExpenseLineDetail
			cl.Quantity, cl.UnitPrice = det.Qty.dec(), det.UnitPrice.dec()
			cl.ItemCode, cl.NominalCode = m.lineItem(det.ItemRef.id(), det.ItemAccountRef.id(), true)
			cl.TaxCode, cl.CostCentre = m.taxName(det.TaxCodeRef.id()), m.c.refs.costCentreName(det.ClassRef.id(), "")
		case l.AccountBasedExpenseLineDetail != nil:
			det := l.AccountBasedExpenseLineDetail
			// An account line holds an amount only.
			cl.Quantity, cl.UnitPrice = decimal.NewFromInt(1), net
			if a, ok := m.c.refs.accountByID(det.AccountRef.id()); ok {
				cl.NominalCode = accountCode(a)
			}
			cl.TaxCode, cl.CostCentre = m.taxName(det.TaxCodeRef.id()), m.c.refs.costCentreName(det.ClassRef.id(), "")
		default:
			continue // subtotal, discount and description-only lines
		}
		d.Lines = append(d.Lines, cl)
	}
	return d, nil
}

// lineItem is a line's product code (blank for the stand-in product) and
// its account: the line's own, else the product's.
func (m mapper) lineItem(itemID, accountID string, purchase bool) (code, nominal string) {
	it, ok := m.c.refs.itemByIDs(itemID)
	if ok && !strings.EqualFold(it.Name, m.c.s.defaultItem) && !strings.EqualFold(it.Sku, m.c.s.defaultItem) {
		code = itemCode(it)
	}
	if accountID == "" && ok {
		accountID = it.IncomeAccountRef.id()
		if purchase {
			accountID = it.ExpenseAccountRef.id()
		}
	}
	if a, found := m.c.refs.accountByID(accountID); found {
		nominal = accountCode(a)
	}
	return code, nominal
}

func (m mapper) taxName(id string) string {
	if t, ok := m.c.refs.taxCodeByID(id); ok {
		return t.Name
	}
	return ""
}

// toJournal is a payroll journal as a JournalEntry: amounts positive, the
// side in PostingType, the cost centre as Class or Location.
func (m mapper) toJournal(j connectors.JournalEntry) (txn, *connectors.ItemError) {
	if len(j.Code) > maxDocNumber {
		return txn{}, localError("quickbooks.item.journal_code_too_long", "Code", j.Code, "Max", maxDocNumber)
	}
	out := txn{DocNumber: j.Code, TxnDate: j.Date.String(), PrivateNote: j.Description, Adjustment: ptr(false)}
	for i, l := range j.Lines {
		side, value := "Debit", l.Debit
		switch {
		case !l.Debit.IsZero() && !l.Credit.IsZero():
			return txn{}, localError("quickbooks.item.journal_both_sides", "Line", i+1, "Code", j.Code)
		case l.Debit.IsNegative() || l.Credit.IsNegative():
			return txn{}, localError("quickbooks.item.journal_negative", "Line", i+1, "Code", j.Code)
		case !l.Credit.IsZero():
			side, value = "Credit", l.Credit
		}
		acct, ie := m.accountID(l.NominalCode, "quickbooks.account_role.nominal_code")
		if ie != nil {
			return txn{}, own.ItemFail(ie.Code, ie.Field, "quickbooks.item.on_line", "Line", i+1, "Reason", ie)
		}
		if a, _ := m.c.refs.accountByID(acct); a.AccountType == "Accounts Receivable" || a.AccountType == "Accounts Payable" { // words:verbatim: QuickBooks query / account type
			return txn{}, localError("quickbooks.item.journal_party_line", "Line", i+1, "Code", j.Code, "Account", a.Name, "AccountType", a.AccountType)
		}
		det := &journalDetail{PostingType: side, AccountRef: refTo(acct)}
		if cc := strings.TrimSpace(l.CostCentre); cc != "" {
			c, ok := m.c.refs.costCentre(cc, m.c.s.costCentreDept)
			if !ok {
				return txn{}, refError("cost_centre", "quickbooks.item.journal_cost_centre", "Name", cc, "Code", j.Code, "Kind", words.Sentence(map[bool]string{false: "quickbooks.cost_centre_kind.class", true: "quickbooks.cost_centre_kind.location"}[m.c.s.costCentreDept]))
			}
			if m.c.s.costCentreDept {
				det.DepartmentRef = refTo(c.ID)
			} else {
				det.ClassRef = refTo(c.ID)
			}
		}
		out.Line = append(out.Line, line{Description: l.Description, Amount: amt(value), DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: det})
	}
	if !j.Balanced() {
		return txn{}, localError("quickbooks.item.journal_unbalanced", "Code", j.Code)
	}
	return out, nil
}

func (m mapper) fromJournal(t txn) connectors.JournalEntry {
	j := connectors.JournalEntry{Code: t.DocNumber, Date: parseDay(t.TxnDate), Description: t.PrivateNote}
	if j.Code == "" {
		j.Code = localIDPrefix + t.ID
	}
	for _, l := range t.Line {
		det := l.JournalEntryLineDetail
		if det == nil {
			continue
		}
		jl := connectors.JournalLine{Description: l.Description}
		if a, ok := m.c.refs.accountByID(det.AccountRef.id()); ok {
			jl.NominalCode = accountCode(a)
		}
		if det.PostingType == "Credit" {
			jl.Credit = l.Amount.dec()
		} else {
			jl.Debit = l.Amount.dec()
		}
		jl.CostCentre = m.c.refs.costCentreName(det.ClassRef.id(), det.DepartmentRef.id())
		j.Lines = append(j.Lines, jl)
	}
	return j
}

func toItem(m mapper, it connectors.Item) (item, *connectors.ItemError) {
	out := item{Name: it.Name, Description: it.Description, UnitPrice: amt(it.SalesPrice), PurchaseCost: amt(it.PurchasePrice), Type: "Service", Active: ptr(true)}
	if it.Code != it.Name {
		out.Sku = it.Code
	}
	if strings.TrimSpace(out.Name) == "" {
		out.Name = it.Code
	}
	income := it.SalesAccount
	if income == "" {
		if d, ok := m.c.refs.item(m.c.s.defaultItem); ok {
			if a, ok := m.c.refs.accountByID(d.IncomeAccountRef.id()); ok {
				income = accountCode(a)
			}
		}
	}
	id, ie := m.accountID(income, "quickbooks.account_role.sales_account")
	if ie != nil {
		return item{}, ie
	}
	out.IncomeAccountRef = refTo(id)
	// What the business pays for the product is booked to its purchase
	// account (for a stock item, its cost of sales).
	expense := ""
	if it.PurchaseAccount != "" {
		if expense, ie = m.accountID(it.PurchaseAccount, "quickbooks.account_role.purchase_account"); ie != nil {
			return item{}, ie
		}
		out.ExpenseAccountRef = refTo(expense)
	}
	if it.Stock {
		out.Type = "Inventory"
		var asset, cogs string
		m.c.refs.mu.Lock()
		for _, a := range m.c.refs.accounts {
			switch {
			case asset == "" && a.AccountSubType == "Inventory":
				asset = a.ID
			case cogs == "" && a.AccountType == "Cost of Goods Sold": // words:verbatim: QuickBooks query / account type
				cogs = a.ID
			}
		}
		if expense != "" {
			cogs = expense
		}
		m.c.refs.mu.Unlock()
		if asset == "" || cogs == "" {
			return item{}, localError("quickbooks.item.stock_item_accounts", "Code", it.Code)
		}
		out.AssetAccountRef, out.ExpenseAccountRef = refTo(asset), refTo(cogs)
		out.TrackQtyOnHand, out.QtyOnHand, out.InvStartDate = ptr(true), amt(decimal.Zero), m.c.now().Format(time.DateOnly)
	}
	return out, nil
}

func (m mapper) fromItem(it item) connectors.Item {
	out := connectors.Item{Code: itemCode(it), Name: it.Name, Description: it.Description, SalesPrice: it.UnitPrice.dec(), PurchasePrice: it.PurchaseCost.dec(), Stock: it.Type == "Inventory"}
	if a, ok := m.c.refs.accountByID(it.IncomeAccountRef.id()); ok {
		out.SalesAccount = accountCode(a)
	}
	if a, ok := m.c.refs.accountByID(it.ExpenseAccountRef.id()); ok {
		out.PurchaseAccount = accountCode(a)
	}
	return out
}

var classes = map[string]connectors.AccountClass{"Asset": connectors.ClassAsset, "Liability": connectors.ClassLiability,
	"Equity": connectors.ClassEquity, "Revenue": connectors.ClassRevenue, "Expense": connectors.ClassExpense}

func (m mapper) fromAccount(a account) connectors.NominalAccount {
	return connectors.NominalAccount{Code: accountCode(a), Name: a.Name, Class: classes[a.Classification], Type: a.AccountType,
		TaxCode: m.taxName(a.TaxCodeRef.id()), Stock: a.AccountSubType == "Inventory", CostOfSale: a.AccountType == "Cost of Goods Sold", // words:verbatim: QuickBooks query / account type
		Bank: a.AccountType == "Bank", Archived: a.Active != nil && !*a.Active}
}
