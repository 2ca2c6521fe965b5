package qbosim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// seedCompany makes a UK company holding the chart of accounts, VAT codes,
// bank accounts, classes (cost centres), items and payment methods the
// sample business (a coffee roastery) uses, numbered as its files number
// them, so that the Sandbox's default setup maps same-named codes.
func seedCompany(realm, name string, now time.Time) *company {
	c := &company{RealmID: realm, Name: name, Country: "GB", HomeCurrency: "GBP"}
	c.init()
	add := func(entity string, o obj) string {
		id := c.nextID()
		o["Id"], o["SyncToken"], o["domain"], o["sparse"] = id, "0", "QBO", false
		o["MetaData"] = obj{"CreateTime": stampSeconds(now), "LastUpdatedTime": stampSeconds(now)}
		if _, ok := o["Active"]; !ok {
			o["Active"] = true
		}
		c.put(entity, o)
		return id
	}
	accounts := map[string]string{}
	acct := func(num, name, typ, sub, class string) {
		accounts[num] = add("Account", obj{"Name": name, "AcctNum": num, "FullyQualifiedName": name, "AccountType": typ,
			"AccountSubType": sub, "Classification": class, "SubAccount": false, "CurrentBalance": json.Number("0"),
			"CurrencyRef": obj{"value": "GBP", "name": "British Pound Sterling"}})
	}
	acct("090", "Business Current Account", "Bank", "Checking", "Asset")
	acct("091", "Business Savings Account", "Bank", "Savings", "Asset")
	acct("200", "Sales", "Income", "SalesOfProductIncome", "Revenue")
	acct("260", "Other Revenue", "Income", "ServiceFeeIncome", "Revenue")
	acct("300", "Purchases", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense")
	acct("310", "Cost of Sales", "Cost of Goods Sold", "CostOfLabourCos", "Expense")
	acct("400", "Advertising and Marketing", "Expense", "AdvertisingPromotional", "Expense")
	acct("429", "General Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "Expense")
	acct("477", "Salaries and Wages", "Expense", "PayrollExpenses", "Expense")
	acct("478", "Employer's National Insurance", "Expense", "PayrollExpenses", "Expense")
	acct("479", "Employer's Pension Contributions", "Expense", "PayrollExpenses", "Expense")
	acct("610", "Accounts Receivable (Debtors)", "Accounts Receivable", "AccountsReceivable", "Asset")
	acct("630", "Stock", "Other Current Asset", "Inventory", "Asset")
	acct("800", "Accounts Payable (Creditors)", "Accounts Payable", "AccountsPayable", "Liability")
	acct("814", "Net Wages Payable", "Other Current Liability", "PayrollClearing", "Liability")
	acct("825", "PAYE and NI Payable", "Other Current Liability", "PayrollTaxPayable", "Liability")
	acct("826", "Pension Contributions Payable", "Other Current Liability", "OtherCurrentLiabilities", "Liability")
	acct("2200", "VAT Control", "Other Current Liability", "GlobalTaxPayable", "Liability")

	rates := map[string]string{}
	rate := func(key, name, value string) {
		rates[key] = add("TaxRate", obj{"Name": name, "Description": name, "RateValue": json.Number(value),
			"AgencyRef": obj{"value": "1"}, "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"})
	}
	rate("S-sales", "20.0% S (Sales)", "20")
	rate("Z-sales", "0.0% Z (Sales)", "0")
	rate("S-purch", "20.0% S (Purchases)", "20")
	rate("Z-purch", "0.0% Z (Purchases)", "0")
	rate("NO", "No VAT", "0")
	rateList := func(key string) obj {
		return obj{"TaxRateDetail": []any{obj{"TaxRateRef": obj{"value": rates[key]}, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": json.Number("0")}}}
	}
	code := func(name, desc, sales, purchase string) {
		o := obj{"Name": name, "Description": desc, "Taxable": true, "TaxGroup": true, "Hidden": false}
		if sales != "" {
			o["SalesTaxRateList"] = rateList(sales)
		}
		if purchase != "" {
			o["PurchaseTaxRateList"] = rateList(purchase)
		}
		add("TaxCode", o)
	}
	code("OUTPUT2", "20% VAT on income", "S-sales", "")
	code("ZERORATEDOUTPUT", "Zero-rated income", "Z-sales", "")
	code("INPUT2", "20% VAT on expenses", "", "S-purch")
	code("ZERORATEDINPUT", "Zero-rated expenses", "", "Z-purch")
	code("NONE", "No VAT", "NO", "NO")

	for _, cc := range []string{"SHOP", "WHOLESALE", "TRAINING", "ROAST"} {
		add("Class", obj{"Name": cc, "FullyQualifiedName": cc, "SubClass": false})
		add("Department", obj{"Name": cc, "FullyQualifiedName": cc, "SubDepartment": false})
	}
	for _, pm := range [][2]string{{"Cash", "NON_CREDIT_CARD"}, {"Cheque", "NON_CREDIT_CARD"}, {"Credit Card", "CREDIT_CARD"}, {"BACS", "NON_CREDIT_CARD"}} {
		add("PaymentMethod", obj{"Name": pm[0], "Type": pm[1]})
	}
	item := func(sku, name, typ, price, cost, income string) {
		o := obj{"Name": name, "Sku": sku, "Description": name, "Type": typ, "UnitPrice": json.Number(price),
			"PurchaseCost": json.Number(cost), "IncomeAccountRef": obj{"value": accounts[income]},
			"ExpenseAccountRef": obj{"value": accounts["310"]}, "Taxable": true, "FullyQualifiedName": name}
		if typ == "Inventory" {
			o["AssetAccountRef"] = obj{"value": accounts["630"]}
			o["TrackQtyOnHand"], o["QtyOnHand"], o["InvStartDate"] = true, json.Number("100"), "2026-01-01"
		}
		add("Item", o)
	}
	item("", "Services", "Service", "0", "0", "200")
	item("BEAN-HOUSE-1KG", "House Blend coffee beans, 1 kg", "Inventory", "18.00", "9.00", "200")
	item("BEAN-DECAF-1KG", "Swiss Water decaf beans, 1 kg", "Inventory", "21.00", "10.00", "200")
	item("BEAN-ETH-250", "Ethiopia Yirgacheffe beans, 250 g", "Inventory", "8.50", "4.00", "200")
	item("GRINDER-C40", "Hand grinder C40", "Inventory", "229.00", "150.00", "200")
	item("KETTLE-GN", "Gooseneck kettle, 1 l", "Inventory", "65.00", "38.00", "200")
	item("COURSE-BARISTA", "Barista course, one day", "Service", "145.00", "0", "260")
	item("DELIVERY", "Delivery", "Service", "6.50", "0", "200")
	return c
}

// samplePayment is a payment the sample business's shop took: entered in
// QuickBooks once every invoice it pays is there.
type samplePayment struct {
	ref, date string
	invoices  []string
}

// samplePayments pay the shop sales the sample files mark paid without a
// payment (INV-1010), and one transfer paying two invoices of one
// customer (C006's INV-1006 and INV-1012).
var samplePayments = []samplePayment{
	{"TILL-1010", "2026-11-21", []string{"INV-1010"}},
	{"BACS-C006", "2026-11-29", []string{"INV-1006", "INV-1012"}},
}

// enterSamplePaymentsLocked enters each sample payment whose invoices
// have all arrived; the caller holds s.mu.
func (s *Sim) enterSamplePaymentsLocked(c *company) {
	if !s.samplePayments {
		return
	}
	for _, sp := range samplePayments {
		if c.SampleDone[sp.ref] {
			continue
		}
		all := true
		for _, n := range sp.invoices {
			if c.byDocNumber("Invoice", n) == nil {
				all = false
			}
		}
		if !all {
			continue
		}
		c.SampleDone[sp.ref] = true
		if _, err := s.recordPaymentLocked(c, sp.ref, sp.date, "090", sp.invoices...); err != nil {
			s.log.Warn("qbosim: sample payment not entered", "ref", sp.ref, "err", err)
		}
	}
}

func (c *company) byDocNumber(entity, n string) obj {
	for _, o := range c.all(entity) {
		if str(o, "DocNumber") == n {
			return o
		}
	}
	return nil
}

// RecordPayment enters a payment "in QuickBooks", as the bookkeeper would:
// it pays the named invoices (by DocNumber) of one customer in full, into
// the bank account numbered bank. It returns the Payment's Id.
func (s *Sim) RecordPayment(realm, ref, date, bank string, docNumbers ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.company(realm)
	if c == nil {
		return "", fmt.Errorf("no company %s", realm)
	}
	return s.recordPaymentLocked(c, ref, date, bank, docNumbers...)
}

func (s *Sim) recordPaymentLocked(c *company, ref, date, bank string, docNumbers ...string) (string, error) {
	var lines []any
	total := decimal.Zero
	customer := ""
	for _, n := range docNumbers {
		inv := c.byDocNumber("Invoice", n)
		if inv == nil {
			return "", fmt.Errorf("no invoice %s", n)
		}
		bal, _ := num(inv, "Balance")
		total = total.Add(bal)
		customer = refValue(inv, "CustomerRef")
		lines = append(lines, obj{"Amount": money(bal), "LinkedTxn": []any{obj{"TxnId": str(inv, "Id"), "TxnType": "Invoice"}}})
	}
	bankID := ""
	for _, a := range c.all("Account") {
		if str(a, "AcctNum") == bank {
			bankID = str(a, "Id")
		}
	}
	out, f := c.write("Payment", "save", obj{
		"CustomerRef": obj{"value": customer}, "TxnDate": date, "PaymentRefNum": ref,
		"TotalAmt": money(total), "DepositToAccountRef": obj{"value": bankID}, "Line": lines,
	}, false, s.now())
	if f != nil {
		return "", fmt.Errorf("%s", strings.TrimSpace(f.Errors[0].Message+" "+f.Errors[0].Detail))
	}
	return str(out, "Id"), nil
}

// recordLocked finds a company's record; the caller holds s.mu.
func (s *Sim) recordLocked(realm, entity, id string) (*company, obj, error) {
	c := s.company(realm)
	if c == nil {
		return nil, nil, fmt.Errorf("no company %s", realm)
	}
	o := c.lookup(entity, id)
	if o == nil {
		return nil, nil, fmt.Errorf("no %s %s", entity, id)
	}
	return c, o, nil
}

// Delete deletes a transaction "in QuickBooks", as the bookkeeper would;
// change data capture then reports it as deleted.
func (s *Sim) Delete(realm, entity, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, o, err := s.recordLocked(realm, entity, id)
	if err != nil {
		return err
	}
	if _, f := c.write(entity, "delete", obj{"Id": id, "SyncToken": str(o, "SyncToken")}, false, s.now()); f != nil {
		return fmt.Errorf("%s", f.Errors[0].Detail)
	}
	return nil
}

// Objects returns copies of every object of entity the company holds, for
// tests that check what reached QuickBooks.
func (s *Sim) Objects(realm, entity string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.company(realm)
	if c == nil {
		return nil
	}
	var out []map[string]any
	for _, o := range c.all(entity) {
		out = append(out, deepCopy(o))
	}
	return out
}

// Edit changes fields of a record "in QuickBooks", as a bookkeeper
// working there would: its SyncToken moves on, so an update sent with the
// token read before meets the Stale Object Error.
func (s *Sim) Edit(realm, entity, id string, fields map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, o, err := s.recordLocked(realm, entity, id)
	if err != nil {
		return err
	}
	for k, v := range fields {
		if k == "Id" || k == "SyncToken" || k == "MetaData" {
			return fmt.Errorf("%s is kept by QuickBooks and cannot be edited", k)
		}
		o[k] = v
	}
	c.touchByOther(entity, id, s.now())
	return nil
}
