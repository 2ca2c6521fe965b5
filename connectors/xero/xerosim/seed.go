package xerosim

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// tenant is one organisation and everything in it.
type tenant struct {
	Organisation Organisation `json:"organisation"`
	// Currencies are the currencies enabled besides the base currency.
	Currencies  []string      `json:"currencies"`
	Contacts    []*Contact    `json:"contacts"`
	Invoices    []*Invoice    `json:"invoices"`
	Quotes      []*Quote      `json:"quotes"`
	CreditNotes []*CreditNote `json:"credit_notes"`
	Payments    []*Payment    `json:"payments"`
	// BatchPayments are the batches; their payments are in Payments too.
	BatchPayments []*BatchPayment `json:"batch_payments"`
	ContactGroups []*ContactGroup `json:"contact_groups"`
	// ManualJournals are journals posted straight to the ledger.
	ManualJournals []*ManualJournal `json:"manual_journals"`
	Accounts       []*Account       `json:"accounts"`
	TaxRates       []*TaxRate       `json:"tax_rates"`
	Items          []*Item          `json:"items"`
	// Seq numbers documents that come without a number.
	Seq map[string]int `json:"seq"`
	// Idem remembers answers by Idempotency-Key.
	Idem map[string]*idemEntry `json:"idempotency"`
	// SandboxPaid are the Sandbox payments already entered, by reference.
	SandboxPaid map[string]bool `json:"sandbox_paid,omitempty"`
}

type idemEntry struct {
	Status int       `json:"status"`
	Body   []byte    `json:"body"`
	At     time.Time `json:"at"`
}

func (t *tenant) init() {
	if t.Seq == nil {
		t.Seq = map[string]int{}
	}
	if t.Idem == nil {
		t.Idem = map[string]*idemEntry{}
	}
}

func (s *Sim) tenantLocked(id string) *tenant {
	for _, t := range s.st.Tenants {
		if strings.EqualFold(t.Organisation.OrganisationID, id) {
			return t
		}
	}
	return nil
}

// seedSample adds the sample organisation.
func seedSample(st *state, now time.Time) {
	st.Tenants = append(st.Tenants, seedTenant("Sandbox Trading Ltd", "GBP", now))
}

func d(s string) Amount { return Amount{decimal.RequireFromString(s)} }

// seedTenant makes an organisation with a small UK-style chart of
// accounts (including two bank accounts), tax rates and items.
func seedTenant(name, base string, now time.Time) *tenant {
	stamp := msDate(now)
	t := &tenant{
		Organisation: Organisation{
			OrganisationID: newID(), Name: name, LegalName: name, BaseCurrency: base, CountryCode: "GB",
			Version: "UK", ShortCode: "!" + strings.ToUpper(randomToken(3))[:5], OrganisationStatus: "ACTIVE",
		},
		Currencies: []string{},
	}
	t.init()
	acct := func(code, name, typ, class, tax string) *Account {
		return &Account{AccountID: newID(), Code: code, Name: name, Status: "ACTIVE", Type: typ, Class: class,
			TaxType: tax, UpdatedDateUTC: stamp}
	}
	bank := func(code, name, number string) *Account {
		a := acct(code, name, "BANK", "ASSET", "NONE")
		a.BankAccountNumber, a.BankAccountType, a.CurrencyCode, a.EnablePaymentsToAccount = number, "BANK", base, true
		return a
	}
	t.Accounts = []*Account{
		bank("090", "Business Bank Account", "20-00-00 12345678"),
		bank("091", "Business Savings Account", "20-00-00 87654321"),
		acct("200", "Sales", "REVENUE", "REVENUE", "OUTPUT2"),
		acct("260", "Other Revenue", "REVENUE", "REVENUE", "OUTPUT2"),
		acct("300", "Purchases", "DIRECTCOSTS", "EXPENSE", "INPUT2"),
		acct("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "INPUT2"),
		acct("400", "Advertising", "OVERHEADS", "EXPENSE", "INPUT2"),
		acct("429", "General Expenses", "OVERHEADS", "EXPENSE", "INPUT2"),
		acct("630", "Inventory", "INVENTORY", "ASSET", "NONE"),
		acct("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "NONE"),
		acct("610", "Accounts Receivable", "CURRENT", "ASSET", "NONE"),
	}
	t.Accounts[9].SystemAccount = "CREDITORS"
	t.Accounts[10].SystemAccount = "DEBTORS"
	archived := acct("477", "Old Wages", "OVERHEADS", "EXPENSE", "NONE")
	archived.Status = "ARCHIVED"
	t.Accounts = append(t.Accounts, archived,
		// Payroll journals credit the wages they owe here.
		acct("814", "Wages Payable - Payroll", "CURRLIAB", "LIABILITY", "NONE"))

	rate := func(name, typ, r string, revenue, expenses bool) *TaxRate {
		return &TaxRate{Name: name, TaxType: typ, Status: "ACTIVE", CanApplyToRevenue: revenue, CanApplyToExpenses: expenses,
			CanApplyToAssets: expenses, CanApplyToLiabilities: true, CanApplyToEquity: true,
			DisplayTaxRate: d(r), EffectiveRate: d(r)}
	}
	t.TaxRates = []*TaxRate{
		rate("20% (VAT on Income)", "OUTPUT2", "20.0000", true, false),
		rate("20% (VAT on Expenses)", "INPUT2", "20.0000", false, true),
		rate("5% (VAT on Income)", "RROUTPUT", "5.0000", true, false),
		rate("Zero Rated Income", "ZERORATEDOUTPUT", "0.0000", true, false),
		rate("Zero Rated Expenses", "ZERORATEDINPUT", "0.0000", false, true),
		rate("No VAT", "NONE", "0.0000", true, true),
	}
	item := func(code, name, price, cost string) *Item {
		return &Item{ItemID: newID(), Code: code, Name: name, Description: name, IsSold: true, IsPurchased: true,
			SalesDetails:    &ItemDetails{UnitPrice: d(price), AccountCode: "200", TaxType: "OUTPUT2"},
			PurchaseDetails: &ItemDetails{UnitPrice: d(cost), AccountCode: "310", TaxType: "INPUT2"},
			UpdatedDateUTC:  stamp}
	}
	t.Items = []*Item{
		item("WIDGET", "Widget", "12.50", "6.00"),
		item("GADGET", "Gadget", "40.00", "22.00"),
		item("SERVICE-HR", "Consulting hour", "85.00", "0.00"),
		// The Sandbox's sample business (a coffee roastery) sells these.
		item("BEAN-HOUSE-1KG", "House Blend coffee beans, 1 kg", "18.00", "9.00"),
		item("BEAN-DECAF-1KG", "Decaf coffee beans, 1 kg", "19.50", "10.00"),
		item("BEAN-ETH-250", "Ethiopia Yirgacheffe beans, 250 g", "8.50", "4.00"),
		item("GRINDER-C40", "Hand grinder C40", "229.00", "150.00"),
		item("KETTLE-GN", "Gooseneck kettle, 1 l", "65.00", "38.00"),
		item("COURSE-BARISTA", "Barista course, one day", "145.00", "0.00"),
		item("DELIVERY", "Delivery", "6.50", "0.00"),
	}
	return t
}
