package unicontasim

import "encoding/json"

// seed adds the Sandbox login, the sample company (the chart of accounts,
// VAT codes, bank account, cost centres and items the sample business
// uses, a few customer tags as CRM groups, custom debtor fields and two
// debtors typed into Uniconta) and a second, empty company.
func (s *Sim) seed() {
	s.st.Users[SandboxUser] = &user{LoginID: SandboxUser, Password: SandboxPassword, Companies: []int{SandboxCompany, SecondCompany}}
	c := newCompany(SandboxCompany, "Harbour Lane Coffee Roasters ApS", "GBP")
	s.st.Companies[c.ID] = c
	second := newCompany(SecondCompany, "Harbour Lane Test Company", "DKK")
	s.st.Companies[second.ID] = second

	put := func(co *company, entity string, r row) {
		s.st.Seq++
		r["RowId"] = intNum(s.st.Seq)
		co.Tables[entity] = append(co.Tables[entity], r)
	}
	for _, co := range []*company{c, second} {
		for _, a := range [][3]string{
			{"090", "Business current account", "Bank"}, {"200", "Sales", "Revenue"}, {"260", "Other revenue", "Revenue"},
			{"300", "Purchases", "Expense"}, {"400", "Advertising and marketing", "Expense"}, {"477", "Salaries and wages", "Expense"},
			{"478", "Employer's national insurance", "Expense"}, {"479", "Employer's pension contributions", "Expense"},
			{"814", "Net wages payable", "Liability"}, {"825", "PAYE and national insurance payable", "Liability"},
			{"826", "Pension contributions payable", "Liability"}, {"5600", "Debitorer", "Asset"}, {"6800", "Kreditorer", "Liability"},
			{"1000", "Resultatopgørelse", "Header"},
		} {
			put(co, "GLAccountClient", row{"Account": a[0], "Name": a[1], "AccountType": a[2]})
		}
		for _, v := range []struct {
			code, name, typ string
			rate            int
		}{{"OUTPUT2", "20% VAT on income", "Sales", 20}, {"ZERORATEDOUTPUT", "Zero-rated income", "Sales", 0},
			{"INPUT2", "20% VAT on expenses", "Purchase", 20}, {"ZERORATEDINPUT", "Zero-rated expenses", "Purchase", 0},
			{"U25", "Salgsmoms 25%", "Sales", 25}, {"I25", "Købsmoms 25%", "Purchase", 25}} {
			put(co, "GLVatClient", row{"Vat": v.code, "Name": v.name, "VatType": v.typ, "Rate": intNum(v.rate)})
		}
		put(co, "BankStatementClient", row{"Account": "090", "Name": "Business current account", "IBAN": "GB33BUKB20201555555555", "Currency": "GBP"})
		put(co, "DebtorGroupClient", row{"Group": "Indland", "Name": "Domestic customers", "IsDefault": true})
		put(co, "DebtorGroupClient", row{"Group": "Udland", "Name": "Customers abroad"})
		put(co, "CreditorGroupClient", row{"Group": "Indland", "Name": "Domestic suppliers", "IsDefault": true})
		put(co, "GLDailyJournalClient", row{"Journal": "LEDGERLINK", "Name": "LedgerLink postings", "GenerateVoucher": true})
		put(co, "GLDailyJournalClient", row{"Journal": "LØN", "Name": "Lønkladde", "GenerateVoucher": true})
		put(co, "DebtorPaymentFormatClient", row{"Format": "BANK", "Name": "Bank transfer", "PaymentMethod": "BankAccount", "IsDefault": true})
		put(co, "DebtorPaymentFormatClient", row{"Format": "CARD", "Name": "Card payment", "PaymentMethod": "Card"})
		put(co, "PaymentTermClient", row{"Payment": "30D", "Name": "30 days net", "Days": intNum(30)})
	}
	for _, d := range []string{"SHOP", "WHOLESALE", "TRAINING", "ROAST"} {
		put(c, "GLDimType1Client", row{"Dimension": d, "Name": d})
	}
	for _, d := range []string{"SALARY", "EMPLOYER-NI", "PENSION"} {
		put(c, "GLDimType2Client", row{"Dimension": d, "Name": d})
	}
	for _, it := range []struct {
		code, name      string
		sales, purchase string
	}{{"BEAN-HOUSE-1KG", "House Blend coffee beans, 1 kg", "18.00", "7.50"}, {"BEAN-DECAF-1KG", "Swiss Water decaf beans, 1 kg", "21.00", "9.00"},
		{"BEAN-ETH-250", "Ethiopia Guji beans, 250 g", "8.50", "3.20"}, {"GRINDER-C40", "Hand grinder C40", "189.00", "120.00"},
		{"KETTLE-GN", "Gooseneck kettle, 1 l", "65.00", "38.00"}, {"COURSE-BARISTA", "Barista course, one day", "145.00", ""},
		{"DELIVERY", "Delivery", "6.50", ""}} {
		r := row{"Item": it.code, "Name": it.name, "SalesPrice1": json.Number(it.sales), "ItemType": "Item"}
		if it.purchase != "" {
			r["PurchasePrice"] = json.Number(it.purchase)
		} else {
			r["ItemType"] = "Service"
		}
		put(c, "InvItemClient", r)
	}
	for _, g := range []string{"Uniconta", "Wholesale", "Retail"} {
		put(c, "CrmGroupClient", row{"Group": g, "Name": g})
	}
	put(c, "TableFieldsClient", row{"TableNo": intNum(TableDebtor), "Name": "LoyaltyTier", "Prompt": "Loyalty tier", "Type": "String"})
	put(c, "TableFieldsClient", row{"TableNo": intNum(TableDebtor), "Name": "PreferredRoast", "Prompt": "Preferred roast", "Type": "String"})
	put(c, "TableFieldsClient", row{"TableNo": intNum(TableDebtor), "Name": "CreditDays", "Prompt": "Credit days", "Type": "Integer"})
	put(c, "DebtorClient", row{"Account": "D9001", "Name": "Café Nørrebro ApS", "Group": "Indland", "ContactPerson": "Mette Holm",
		"ContactEmail": "mette@cafe-norrebro.example.dk", "City": "København N", "ZipCode": "2200", "CountryName": "Denmark",
		"Currency": "DKK", "CrmGroup": "Uniconta", "LoyaltyTier": "Gold", "PreferredRoast": "Dark", "Created": "2026-10-01T09:00:00"})
	put(c, "DebtorClient", row{"Account": "D9002", "Name": "Aarhus Kaffebar", "Group": "Indland", "City": "Aarhus C", "ZipCode": "8000",
		"CountryName": "Denmark", "Currency": "DKK", "CrmGroup": "Retail", "Created": "2026-10-02T09:00:00"})
}
