package kashflowsim

import "time"

// seed fills a new company with the Sandbox's reference data: the nominal
// codes, VAT rates, bank account, payment methods and products of the
// sample business (Harbour Lane Coffee Roasters), and two payments "made
// in KashFlow" that wait for the invoices they pay.
func seed(st *state, now time.Time) {
	st.Company = CompanyDetails{
		CompanyName: "Harbour Lane Coffee Roasters Ltd", Address1: "5 Harbour Lane", Address2: "Bristol",
		Postcode: "BS1 4RN", PrimaryEmail: "accounts@harbourlane.example", PrimaryContact: "Jo Harbour",
		VatRegistered: "Yes", VatRegistrationNumber: "GB987654321", PaymentTerms: 30,
		CurrencySymbol: "£", CurrencyPosition: "Before", UsDate: "No", CurrencyId: 1, CurrencyName: "GBP",
		PaymentTermsType: "Days",
	}
	nominals := []struct {
		code int
		name string
	}{
		{90, "Business current account"}, {200, "Sales"}, {260, "Other revenue"}, {300, "Purchases"},
		{400, "Advertising and marketing"}, {477, "Salaries and wages"}, {478, "Employer's national insurance"},
		{479, "Employer's pension contributions"}, {814, "Net wages payable"},
		{825, "PAYE and national insurance payable"}, {826, "Pension contributions payable"},
	}
	for i, n := range nominals {
		st.Nominals = append(st.Nominals, NominalCode{ID: 5001 + i, Code: n.code, Name: n.name,
			Debit: money("0"), Credit: money("0"), Balance: money("0")})
	}
	st.VATRates = []BasicDataset{
		{ID: 1, Name: "20%", Description: "Standard rate", Value: money("20")},
		{ID: 2, Name: "5%", Description: "Reduced rate", Value: money("5")},
		{ID: 3, Name: "0%", Description: "Zero rated", Value: money("0")},
	}
	st.Banks = []BankAccount{{AccountID: 1, AccountName: "Business current account", AccountCode: 90}}
	st.InvMethods = []PaymentMethod{{1, "BACS"}, {2, "Card"}, {3, "Cash"}, {4, "Cheque"}}
	st.RecMethods = []PaymentMethod{{1, "BACS"}, {2, "Card"}, {3, "Direct Debit"}, {4, "Cheque"}}
	products := []struct{ name, desc, price string }{
		{"BEAN-HOUSE-1KG", "House Blend coffee beans, 1 kg", "18.00"},
		{"BEAN-DECAF-1KG", "Swiss Water decaf beans, 1 kg", "21.00"},
		{"BEAN-ETH-250", "Ethiopia Guji beans, 250 g", "7.50"},
		{"GRINDER-C40", "Hand grinder C40", "229.00"},
		{"KETTLE-GN", "Gooseneck kettle, 1 l", "65.00"},
		{"COURSE-BARISTA", "Barista course, one day", "145.00"},
		{"DELIVERY", "Delivery", "6.50"},
	}
	for i, p := range products {
		st.Products = append(st.Products, Product{ProductID: 7001 + i, ProductName: p.name, ProductDescription: p.desc, ProductPrice: money(p.price)})
	}
	// Two payments made in KashFlow: the card payment at the till for
	// INV-1003, and one bank transfer from C006 paying INV-1006 and
	// INV-1012 at once, which KashFlow holds as one payment per invoice
	// with the same date, account and note.
	st.Pending = []pendingPayment{
		{Reference: "INV-1003", Date: time.Date(2026, time.November, 5, 0, 0, 0, 0, time.UTC), Note: "Card at the till", Method: 2, Account: 1},
		{Reference: "INV-1006", Date: time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC), Note: "BACS BEAN THERE BISTRO", Method: 1, Account: 1},
		{Reference: "INV-1012", Date: time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC), Note: "BACS BEAN THERE BISTRO", Method: 1, Account: 1},
	}
	_ = now
}
