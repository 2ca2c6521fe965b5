package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func read(t *testing.T, name, content string, opts Options) Result {
	t.Helper()
	res, err := Read(context.Background(), name, strings.NewReader(content), opts)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	for _, r := range res.Records {
		if err := r.Validate(); err != nil {
			t.Fatalf("Read(%s) returned an invalid record: %v", name, err)
		}
	}
	return res
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func problemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestHeadingsAndAliases(t *testing.T) {
	want := []connectors.Record{{Type: connectors.Customers, Party: &connectors.Party{
		Code: "C1", Name: "Acme Ltd", ContactPerson: "Jo Bloggs", Email: "jo@acme.example", TaxNumber: "GB1",
		BillingAddress: connectors.Address{City: "Leeds", PostalCode: "LS1 1AA"},
		Tags:           []string{"vip", "north"}, CustomFields: map[string]string{"Loyalty tier": "Gold"},
	}}}
	tests := []struct{ name, content string }{
		{"canonical", "code,name,contact_person,email,tax_number,billing_city,billing_postal_code,tags,custom:Loyalty tier\n" +
			"C1,Acme Ltd,Jo Bloggs,jo@acme.example,GB1,Leeds,LS1 1AA,vip;north,Gold\n"},
		{"title case and aliases", "Customer Code,Company Name,Contact,E-mail,VAT Number,City,Postcode,Tags,Custom: Loyalty tier\n" +
			"C1,Acme Ltd,Jo Bloggs,jo@acme.example,GB1,Leeds,LS1 1AA,vip|north,Gold\n"},
		{"other order, odd spacing and case", "  CUSTOM:Loyalty tier , Post Code,TOWN, Tax-Number,EMAIL ADDRESS, contact person ,customer_code,NAME,Labels\n" +
			"Gold,LS1 1AA,Leeds,GB1,jo@acme.example,Jo Bloggs,C1,Acme Ltd,\"vip; north\"\n"},
		{"account as code", "Account,Full Name,Attn,Email,VAT No,Billing Town,ZIP,Tag,custom:Loyalty tier\n" +
			"C1,Acme Ltd,Jo Bloggs,jo@acme.example,GB1,Leeds,LS1 1AA,vip;north,Gold\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, "customers.csv", tt.content, Options{})
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %s", problemsText(res.Problems))
			}
			if got, w := mustJSON(t, res.Records), mustJSON(t, want); got != w {
				t.Fatalf("records\n got %s\nwant %s", got, w)
			}
		})
	}
}

func TestAliasesDoNotCollide(t *testing.T) {
	for _, typ := range FeedTypes() {
		owner := map[string]string{}
		for _, c := range columnsFor(typ) {
			for _, h := range append([]string{c.key}, c.aliases...) {
				k := headingKey(h)
				if prev, ok := owner[k]; ok && prev != c.key {
					t.Errorf("%s: heading %q means both %s and %s", typ, h, prev, c.key)
				}
				owner[k] = c.key
			}
		}
	}
}

func utf16LE(s string) string {
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xFE})
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func TestDelimitersAndEncodings(t *testing.T) {
	comma := "code,party_code,date,description,quantity,unit_price\nINV-1,C1,23/11/2026,Café crème,2,\"1,234.50\"\n"
	semi := "code;party_code;date;description;quantity;unit_price\nINV-1;C1;23.11.2026;Café crème;2;1.234,50\n"
	tab := "code\tparty_code\tdate\tdescription\tquantity\tunit_price\nINV-1\tC1\t2026-11-23\tCafé crème\t2\t1234.50\n"
	win1252 := strings.NewReplacer("é", "\xe9", "è", "\xe8").Replace(semi)
	tests := []struct{ name, content string }{
		{"comma", comma},
		{"semicolon with decimal comma", semi},
		{"tab", tab},
		{"tab with empty cells", "code\tparty_code\tdate\treference\tdescription\tquantity\tunit_price\nINV-1\tC1\t2026-11-23\t\tCafé crème\t2\t1234.50\n"},
		{"utf-8 byte-order mark", "\xEF\xBB\xBF" + comma},
		{"excel sep line", "sep=;\r\n" + strings.ReplaceAll(semi, "\n", "\r\n")},
		{"crlf", strings.ReplaceAll(comma, "\n", "\r\n")},
		{"windows-1252", win1252},
		{"utf-16 tab", utf16LE(tab)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, "sales_invoices.csv", tt.content, Options{})
			if len(res.Problems) > 0 || len(res.Records) != 1 {
				t.Fatalf("got %d records, problems:\n%s", len(res.Records), problemsText(res.Problems))
			}
			d := res.Records[0].Document
			if d.Lines[0].Description != "Café crème" || !d.Lines[0].UnitPrice.Equal(decimal.RequireFromString("1234.5")) ||
				d.Date.String() != "2026-11-23" || !d.Lines[0].Quantity.Equal(decimal.NewFromInt(2)) {
				t.Fatalf("document read wrongly: %s", mustJSON(t, d))
			}
		})
	}
}

func TestDecimalMarkFollowsDelimiterAndOption(t *testing.T) {
	tests := []struct {
		name, content string
		opts          Options
		want          string
	}{
		{"comma file: 1,234 groups thousands", "code,party_code,date,description,unit_price\nI,C,2026-11-01,x,\"1,234\"\n", Options{}, "1234"},
		{"semicolon file: 1,234 is decimal", "code;party_code;date;description;unit_price\nI;C;2026-11-01;x;1,234\n", Options{}, "1.234"},
		{"semicolon file: 1.234 groups thousands", "code;party_code;date;description;unit_price\nI;C;2026-11-01;x;1.234\n", Options{}, "1234"},
		{"option overrides", "code,party_code,date,description,unit_price\nI,C,2026-11-01,x,\"1,234\"\n", Options{DecimalMark: ','}, "1.234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, "invoices.csv", tt.content, tt.opts)
			if len(res.Records) != 1 {
				t.Fatalf("problems: %s", problemsText(res.Problems))
			}
			if got := res.Records[0].Document.Lines[0].UnitPrice; !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("unit price %s, want %s", got, tt.want)
			}
		})
	}
}

func TestQuotedFieldsWithNewlines(t *testing.T) {
	content := "code,name,billing_line1,billing_city\n" +
		"C1,\"Smith, Jones & Co\",\"Unit 4\nTemple Gate\",Bristol\n" +
		"C2,\"The \"\"Best\"\" Café\",1 High St,Bath\n"
	res := read(t, "customers.csv", content, Options{})
	if len(res.Problems) > 0 || len(res.Records) != 2 {
		t.Fatalf("got %d records, problems:\n%s", len(res.Records), problemsText(res.Problems))
	}
	if got := res.Records[0].Party.BillingAddress.Line1; got != "Unit 4\nTemple Gate" {
		t.Errorf("line1 = %q", got)
	}
	if got := res.Records[1].Party.Name; got != `The "Best" Café` {
		t.Errorf("name = %q", got)
	}
	if res.Lines != 2 {
		t.Errorf("Lines = %d, want 2", res.Lines)
	}
}

func TestRecordTypeDetection(t *testing.T) {
	docCSV := "code,party_code,date,description,unit_price\nD1,C1,2026-11-01,x,1\n"
	tests := []struct {
		name, file, content string
		opts                Options
		want                connectors.RecordType
		wantErr             string
	}{
		{name: "plain", file: "customers.csv", content: "code,name\nC1,A\n", want: connectors.Customers},
		{name: "suffix", file: "Sales Invoices 2026-11.csv", content: docCSV, want: connectors.SalesInvoices},
		{name: "invoices means sales", file: "invoices_nov.csv", content: docCSV, want: connectors.SalesInvoices},
		{name: "longest name wins", file: "invoice_payments.csv", content: "code,date,amount\nP1,2026-11-01,5\n", want: connectors.InvoicePayments},
		{name: "bills", file: "bills-2026.csv", content: docCSV, want: connectors.PurchaseInvoices},
		{name: "credit notes", file: "credit_notes.csv", content: docCSV, want: connectors.CreditNotes},
		{name: "payroll", file: "payroll_2026_11.csv", content: "code,company,date,period,nominal_code,debit,credit\nJ,HL,2026-11-30,2026-11,477,1,\nJ,HL,2026-11-30,2026-11,814,,1\n", want: connectors.Journals},
		{name: "type column", file: "export.csv", content: "type,code,name\ncustomer,C1,A\n", want: connectors.Customers},
		{name: "type column label", file: "export.csv", content: "Record Type,code,party_code,date,description,unit_price\nSales Invoices,D1,C1,2026-11-01,x,1\n", want: connectors.SalesInvoices},
		{name: "option", file: "export.csv", content: docCSV, opts: Options{Type: connectors.Quotes}, want: connectors.Quotes},
		{name: "option by name", file: "export.csv", content: docCSV, opts: Options{Type: "estimates"}, want: connectors.Quotes},
		{name: "option beats name", file: "invoices.csv", content: docCSV, opts: Options{Type: connectors.CreditNotes}, want: connectors.CreditNotes},
		{name: "unknown", file: "export.csv", content: docCSV, wantErr: "customers.csv, suppliers.csv, quotes.csv, sales_invoices.csv"},
		{name: "no word boundary", file: "customersX.csv", content: "code,name\nC1,A\n", wantErr: "cannot tell what this file holds"},
		{name: "ambiguous", file: "payments.csv", content: "code,date,amount\nP1,2026-11-01,5\n", wantErr: "could mean Invoice Payments or Purchase Payments"},
		{name: "name and column disagree", file: "customers.csv", content: "type,code,name\nsupplier,C1,A\n", wantErr: "the file name says Customers but its 'type' column says Suppliers"},
		{name: "bad type column", file: "export.csv", content: "type,code,name\nwidgets,C1,A\n", wantErr: "'widgets' is not a record type"},
		{name: "reference data", file: "export.csv", content: "code,name\nC1,A\n", opts: Options{Type: connectors.NominalAccounts}, wantErr: "come from the accounting package"},
		{name: "bad option", file: "export.csv", content: "code,name\nC1,A\n", opts: Options{Type: "gadgets"}, wantErr: "not a record type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Read(context.Background(), tt.file, strings.NewReader(tt.content), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrFile) {
					t.Fatalf("err = %v; want ErrFile containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Type != tt.want || len(res.Records) == 0 || res.Records[0].Type != tt.want {
				t.Fatalf("type %s (%d records, problems %s); want %s", res.Type, len(res.Records), problemsText(res.Problems), tt.want)
			}
		})
	}
}

func TestTypeColumnRowsOfAnotherType(t *testing.T) {
	content := "type,code,name\ncustomer,C1,A\nsupplier,S1,B\n,C2,C\n"
	res := read(t, "export.csv", content, Options{})
	if len(res.Records) != 2 || len(res.Problems) != 1 {
		t.Fatalf("records %d, problems:\n%s", len(res.Records), problemsText(res.Problems))
	}
	p := res.Problems[0]
	if p.Line != 3 || p.Column != "type" || !strings.Contains(p.Message, "this row is a supplier but the file holds customers") {
		t.Fatalf("problem = %+v", p)
	}
}

const invoiceHeading = "code,party_code,date,due_date,reference,currency,tax_inclusive,status,item_code,description,quantity,unit_price,discount_percent,nominal_code,tax_code,tax_amount,cost_centre,cost_type\n"

func TestGroupingLinesIntoDocuments(t *testing.T) {
	content := invoiceHeading +
		"INV-1,C1,2026-11-02,2026-12-02,PO 1,GBP,no,authorised,BEAN,Beans,2,18.00,10,200,ZERO,0,SHOP,\n" +
		"INV-2,C2,2026-11-03,,,gbp,yes,draft,,Course,1,150,,260,OUTPUT2,25,TRAINING,\n" +
		"INV-1,C1,02/11/2026,02/12/2026,PO 1,GBP,No,Authorised,DELIVERY,Delivery,,6.50,,200,OUTPUT2,1.30,SHOP,\n" +
		"INV-1,,,,,,,,KETTLE,Kettle,1,65,,200,OUTPUT2,13,SHOP,\n"
	res := read(t, "sales_invoices.csv", content, Options{})
	if len(res.Problems) > 0 {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
	if len(res.Records) != 2 || res.Lines != 4 {
		t.Fatalf("records %d lines %d", len(res.Records), res.Lines)
	}
	inv1, inv2 := res.Records[0].Document, res.Records[1].Document
	if inv1.Code != "INV-1" || len(inv1.Lines) != 3 || inv2.Code != "INV-2" || len(inv2.Lines) != 1 {
		t.Fatalf("grouping wrong: %s", mustJSON(t, res.Records))
	}
	if inv1.Lines[0].ItemCode != "BEAN" || inv1.Lines[1].ItemCode != "DELIVERY" || inv1.Lines[2].ItemCode != "KETTLE" {
		t.Errorf("line order not kept: %s", mustJSON(t, inv1.Lines))
	}
	if !inv1.Lines[1].Quantity.Equal(decimal.NewFromInt(1)) {
		t.Errorf("blank quantity should be 1, got %s", inv1.Lines[1].Quantity)
	}
	if got := inv1.NetTotal(); !got.Equal(decimal.RequireFromString("103.90")) {
		t.Errorf("net total %s, want 103.90", got)
	}
	if inv1.Status != connectors.StatusAuthorised || inv1.DueDate.String() != "2026-12-02" || inv1.PartyCode != "C1" || inv1.Reference != "PO 1" {
		t.Errorf("header wrong: %s", mustJSON(t, inv1))
	}
	if inv2.Currency != "GBP" || !inv2.TaxInclusive || inv2.Status != connectors.StatusDraft || !inv2.DueDate.IsZero() {
		t.Errorf("header wrong: %s", mustJSON(t, inv2))
	}
}

func TestInconsistentHeaderRejectsWholeDocument(t *testing.T) {
	content := invoiceHeading +
		"INV-1,C1,2026-11-02,,,GBP,no,,BEAN,Beans,2,18.00,,200,ZERO,,,\n" +
		"INV-2,C2,2026-11-03,,,GBP,no,,,Course,1,150,,260,OUTPUT2,,,\n" +
		"INV-1,C9,2026-11-02,,,GBP,no,,DELIVERY,Delivery,1,6.50,,200,OUTPUT2,,,\n" +
		"INV-1,C1,2026-11-05,,,GBP,no,,KETTLE,Kettle,1,65,,200,OUTPUT2,,,\n"
	res := read(t, "sales_invoices.csv", content, Options{})
	if len(res.Records) != 1 || res.Records[0].Document.Code != "INV-2" {
		t.Fatalf("want only INV-2 imported, got %s", mustJSON(t, res.Records))
	}
	want := []Problem{
		{File: "sales_invoices.csv", Line: 4, Column: "party_code", Message: "'C9' differs from line 2 of this sales invoice, which says 'C1'; the party_code must be the same on every line of a sales invoice"},
		{File: "sales_invoices.csv", Line: 5, Column: "date", Message: "'2026-11-05' differs from line 2 of this sales invoice, which says '2026-11-02'; the date must be the same on every line of a sales invoice"},
		{File: "sales_invoices.csv", Line: 2, Message: "sales invoice INV-1 (lines 2, 4, 5) was not imported because of the problems above; fix them and import the file again"},
	}
	if got, w := mustJSON(t, res.Problems), mustJSON(t, want); got != w {
		t.Fatalf("problems\n got %s\nwant %s", problemsText(res.Problems), problemsText(want))
	}
}

func TestProblemsCarryLineAndColumn(t *testing.T) {
	tests := []struct {
		name, file, content string
		line                int
		column, message     string
	}{
		{"impossible date", "sales_invoices.csv", "code,party_code,Invoice Date,description,unit_price\nI1,C1,31/02/2026,x,1\n",
			2, "Invoice Date", "'31/02/2026' is not a real date"},
		{"month first", "sales_invoices.csv", "code,party_code,date,description,unit_price\nI1,C1,11/23/2026,x,1\n",
			2, "date", "dates are read day first"},
		{"bad number", "sales_invoices.csv", "code,party_code,date,description,Price\nI1,C1,2026-11-01,x,12.3.4\n",
			2, "Price", "'12.3.4' is not a number I can read"},
		{"missing price", "sales_invoices.csv", "code,party_code,date,description,unit_price\nI1,C1,2026-11-01,x,\n",
			2, "unit_price", "the unit price is missing"},
		{"missing party", "purchase_invoices.csv", "code,Supplier Code,date,description,unit_price\nB1,,2026-11-01,x,1\n",
			2, "Supplier Code", "the supplier code is missing"},
		{"missing date", "quotes.csv", "code,party_code,date,description,unit_price\nQ1,C1,,x,1\n",
			2, "date", "the quote date is missing"},
		{"no description", "sales_invoices.csv", "code,party_code,date,description,unit_price\nI1,C1,2026-11-01,,1\n",
			2, "description", "needs a description or an item code"},
		{"discount too big", "sales_invoices.csv", "code,party_code,date,description,unit_price,discount %\nI1,C1,2026-11-01,x,1,120%\n",
			2, "discount %", "a discount of 120% is not between 0 and 100"},
		{"due before date", "sales_invoices.csv", "code,party_code,date,due_date,description,unit_price\nI1,C1,2026-11-10,2026-11-01,x,1\n",
			2, "due_date", "the due date 2026-11-01 is before the sales invoice date 2026-11-10"},
		{"bad currency", "sales_invoices.csv", "code,party_code,date,currency,description,unit_price\nI1,C1,2026-11-01,pounds,x,1\n",
			2, "currency", "'pounds' is not a currency code"},
		{"bad status", "sales_invoices.csv", "code,party_code,date,status,description,unit_price\nI1,C1,2026-11-01,lost,x,1\n",
			2, "status", "'lost' is not a status I know"},
		{"bad yes/no", "sales_invoices.csv", "code,party_code,date,Prices Include Tax,description,unit_price\nI1,C1,2026-11-01,perhaps,x,1\n",
			2, "Prices Include Tax", "'perhaps' is not yes or no"},
		{"missing document number", "sales_invoices.csv", "code,party_code,date,description,unit_price\n,C1,2026-11-01,x,1\n",
			2, "code", "the sales invoice number is missing"},
		{"party without name", "customers.csv", "code,name\nC1,A\nC2,\n", 3, "name", "the name is missing"},
		{"bad email", "suppliers.csv", "code,name,email\nS1,A,not-an-address\n", 2, "email", "'not-an-address' is not an email address"},
		{"bare quote", "customers.csv", "code,name\nC1,Fred \"the\" Shed\n", 2, "", `a quote mark (") is in the middle of a value`},
		{"unknown column", "customers.csv", "code,name,shoe size\nC1,A,9\n", 1, "shoe size", "does not know this column"},
		{"custom column on documents", "sales_invoices.csv", "code,party_code,date,description,unit_price,custom:Colour\nI1,C1,2026-11-01,x,1,red\n",
			1, "custom:Colour", "custom fields are read only from customer and supplier files"},
		{"value without heading", "customers.csv", "code,name\nC1,A,surprise\n", 1, "", "column 3 has no heading but holds values (first 'surprise' on line 2)"},
		{"type of the wrong kind", "invoice_payments.csv", "code,date,amount,allocated_document,allocated_type\nP1,2026-11-01,5,I1,bill of lading\n",
			2, "allocated_type", "is not something a payment is allocated to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, tt.file, tt.content, Options{})
			for _, p := range res.Problems {
				if p.Line == tt.line && p.Column == tt.column && strings.Contains(p.Message, tt.message) {
					if p.File != tt.file {
						t.Errorf("problem file %q, want %q", p.File, tt.file)
					}
					return
				}
			}
			t.Fatalf("no problem at line %d column %q containing %q; got:\n%s", tt.line, tt.column, tt.message, problemsText(res.Problems))
		})
	}
}

func TestBadRowsDoNotStopGoodOnes(t *testing.T) {
	content := "code,name,email\nC1,Good One,a@b.example\nC2,Bad Email,nope\nC3,\"Broken \"quote,x@y.example\nC4,Good Two,\n"
	res := read(t, "customers.csv", content, Options{})
	var codes []string
	for _, r := range res.Records {
		codes = append(codes, r.Code())
	}
	if strings.Join(codes, ",") != "C1,C4" {
		t.Fatalf("imported %v, want C1,C4; problems:\n%s", codes, problemsText(res.Problems))
	}
	if len(res.Problems) != 2 || res.Problems[0].Line != 3 || res.Problems[1].Line != 4 {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
	if res.Lines != 4 {
		t.Errorf("Lines = %d, want 4", res.Lines)
	}
}

func TestUnclosedQuoteSaysWhatWasLost(t *testing.T) {
	content := "code,name\nC1,A\nC2,\"Never closed\nC3,B\nC4,C\n"
	res := read(t, "customers.csv", content, Options{})
	if len(res.Records) != 1 || len(res.Problems) != 1 {
		t.Fatalf("records %d problems:\n%s", len(res.Records), problemsText(res.Problems))
	}
	if p := res.Problems[0]; p.Line != 3 || !strings.Contains(p.Message, "not closed") {
		t.Fatalf("problem %+v", p)
	}
}

func TestParties(t *testing.T) {
	content := "code,name,contact_person,currency,billing_line1,delivery_line1,delivery_country,archived,custom:Tier,custom:Notes\n" +
		"C1,Emma Clarke,,gbp,1 High St,,,no,Gold,\n" +
		"C2,Acme Ltd,Jo Bloggs,EUR,2 Low St,Dock 4,Germany,yes,,Call first\n"
	res := read(t, "customers.csv", content, Options{})
	if len(res.Records) != 2 || len(res.Problems) > 0 {
		t.Fatalf("records %d problems:\n%s", len(res.Records), problemsText(res.Problems))
	}
	person, company := res.Records[0].Party, res.Records[1].Party
	if person.IsCompany() || !company.IsCompany() {
		t.Errorf("contact person rule: person %v company %v", person.IsCompany(), company.IsCompany())
	}
	if person.Currency != "GBP" || person.Archived || !company.Archived {
		t.Errorf("person %s company %s", mustJSON(t, person), mustJSON(t, company))
	}
	if company.DeliveryAddress.Line1 != "Dock 4" || company.DeliveryAddress.Country != "Germany" {
		t.Errorf("delivery %+v", company.DeliveryAddress)
	}
	if len(person.CustomFields) != 1 || person.CustomFields["Tier"] != "Gold" || company.CustomFields["Notes"] != "Call first" || len(company.CustomFields) != 1 {
		t.Errorf("custom fields: %v / %v", person.CustomFields, company.CustomFields)
	}
}

func TestDuplicatePartyCodesAreRefused(t *testing.T) {
	content := "code,name\nC1,First\nC2,Other\nC1,Second\n"
	res := read(t, "suppliers.csv", content, Options{})
	if len(res.Records) != 1 || res.Records[0].Code() != "C2" {
		t.Fatalf("records %s", mustJSON(t, res.Records))
	}
	if len(res.Problems) != 2 || res.Problems[0].Line != 2 || res.Problems[1].Line != 4 ||
		!strings.Contains(res.Problems[0].Message, "supplier C1 is on lines 2, 4; keep one row per supplier") {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
}

func TestPayments(t *testing.T) {
	content := "Payment Code,Customer Code,Payment Date,Amount,Currency,Bank,Reference,Invoice Number,Allocated Amount,Allocated Type\n" +
		"R1,C1,2026-11-02,43.80,GBP,090,Card,INV-1001,,\n" +
		"R2,C5,30/11/2026,704.85,GBP,090,BACS,INV-1004,499.65,\n" +
		"R2,C5,30/11/2026,704.85,GBP,090,BACS,INV-1007,205.20,invoice\n" +
		"R3,C2,2026-11-12,10,GBP,090,,,,\n" +
		"R4,C2,2026-11-12,10,GBP,090,,CN-1,10,credit note\n" +
		"R5,C3,2026-11-12,100,GBP,090,,INV-1,60,\n" +
		"R5,C3,2026-11-12,100,GBP,090,,INV-2,50,\n" +
		"R6,C3,2026-11-12,100,GBP,090,,INV-1,60,\n" +
		"R6,C3,2026-11-12,100,GBP,090,,INV-2,,\n" +
		"R7,C3,2026-11-12,0,GBP,090,,,,\n" +
		",C3,2026-11-12,5,GBP,090,,,,\n"
	res := read(t, "invoice_payments.csv", content, Options{})
	byCode := map[string]*connectors.Payment{}
	for _, r := range res.Records {
		byCode[r.Code()] = r.Payment
	}
	if len(byCode) != 4 {
		t.Fatalf("imported %s\nproblems:\n%s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
	r1 := byCode["R1"]
	if len(r1.Allocations) != 1 || !r1.Allocations[0].Amount.Equal(r1.Amount) || r1.Allocations[0].DocumentType != connectors.SalesInvoices {
		t.Errorf("single row with no allocated amount should allocate the whole payment: %s", mustJSON(t, r1))
	}
	r2 := byCode["R2"]
	if len(r2.Allocations) != 2 || r2.Date.String() != "2026-11-30" || r2.Allocations[1].DocumentCode != "INV-1007" ||
		!r2.Allocations[1].Amount.Equal(decimal.RequireFromString("205.2")) {
		t.Errorf("R2: %s", mustJSON(t, r2))
	}
	if r3 := byCode["R3"]; r3 == nil || len(r3.Allocations) != 0 {
		t.Errorf("R3 should be an unallocated payment: %s", mustJSON(t, r3))
	}
	if r4 := byCode["R4"]; r4 == nil || r4.Allocations[0].DocumentType != connectors.CreditNotes {
		t.Errorf("R4 should pay a credit note: %s", mustJSON(t, r4))
	}
	txt := problemsText(res.Problems)
	for _, want := range []string{
		"line 7: the allocations add up to 110, more than the payment of 100",
		"line 10, column 'Allocated Amount': say how much of the payment goes to INV-2",
		"line 11, column 'Amount': the payment amount 0 must be more than zero",
		"invoice payment R5 (lines 7, 8) was not imported",
		"line 12, column 'Payment Code': the invoice payment code is missing; every line of an invoice payment carries it",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems lack %q:\n%s", want, txt)
		}
	}
}

func TestJournals(t *testing.T) {
	heading := "Journal Code;Company;Journal Date;Period;Description;Nominal Code;Debit;Credit;Cost Centre;Cost Type;Line Description;Line Period\n"
	content := heading +
		"J1;HL;30-11-2026;2026-11;Payroll;477;3.400,00;;SHOP;SALARY;Gross;\n" +
		"J1;HL;30-11-2026;2026-11;Payroll;814;;3.400,00;;;Net;\n" +
		"J1;HL;30-11-2026;11/2026;Payroll;477;240,00;;ROAST;SALARY;Correction;10-2026\n" +
		"J1;HL;30-11-2026;2026-11;;814;;240,00;;;Correction;2026-10\n" +
		"J2;HL;30-11-2026;2026-11;Payroll;477;100,00;;;;;\n" +
		"J2;HL;30-11-2026;2026-11;Payroll;814;;90,00;;;;\n" +
		"J3;HL;30-11-2026;2026-11;Payroll;477;5,00;5,00;;;;\n" +
		"J3;HL;30-11-2026;2026-11;Other text;814;;;;;;\n"
	res := read(t, "journals.csv", content, Options{})
	if len(res.Records) != 1 {
		t.Fatalf("records %s\nproblems:\n%s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
	j := res.Records[0].Journal
	if !j.Balanced() || len(j.Lines) != 4 || j.Period != "2026-11" || j.Lines[2].Period != "2026-10" || j.Lines[3].Period != "2026-10" ||
		j.Lines[0].CostCentre != "SHOP" || j.Lines[0].CostType != "SALARY" || !j.Lines[0].Debit.Equal(decimal.NewFromInt(3400)) || j.Description != "Payroll" {
		t.Fatalf("journal %s", mustJSON(t, j))
	}
	txt := problemsText(res.Problems)
	for _, want := range []string{
		"line 6: the journal does not balance: debits 100.00, credits 90.00 (difference 10.00)",
		"line 8, column 'Credit': the line has both a debit and a credit",
		"line 9, column 'Debit': the line has neither a debit nor a credit",
		"line 9, column 'Description': 'Other text' differs from line 8 of this journal, which says 'Payroll'",
		"name the column 'line_description'",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems lack %q:\n%s", want, txt)
		}
	}
}

func TestWholeFileErrors(t *testing.T) {
	tests := []struct{ name, file, content, want string }{
		{"empty", "customers.csv", "", "is empty"},
		{"blank heading", "customers.csv", ",,\nC1,A,\n", "has no heading"},
		{"missing required column", "customers.csv", "code,email\nC1,a@b.example\n", "has no 'name' column"},
		{"missing price column", "sales_invoices.csv", "code,party_code,date,description\nI,C,2026-11-01,x\n", "has no 'unit_price' column"},
		{"journal without amounts", "journals.csv", "code,company,date,period,nominal_code\nJ,H,2026-11-01,2026-11,477\n", "neither a 'debit' nor a 'credit' column"},
		{"duplicate column", "customers.csv", "code,name,Customer Code\nC1,A,C1\n", "the columns 'code' and 'Customer Code' both mean 'code'"},
		{"duplicate custom field", "customers.csv", "code,name,custom:Tier,CUSTOM: tier\nC1,A,x,y\n", "are the same custom field"},
		{"workbook", "customers.csv", "PK\x03\x04rest of a zip", "spreadsheet workbook"},
		{"binary", "customers.csv", "code,name\x00\x01", "not a text file"},
		{"unreadable heading", "customers.csv", "code,\"name\n", "heading on line 1 cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), tt.file, strings.NewReader(tt.content), Options{})
			if err == nil || !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want ErrFile containing %q", err, tt.want)
			}
		})
	}
}

func TestTooLargeAndCancelled(t *testing.T) {
	_, err := Read(context.Background(), "customers.csv", strings.NewReader("code,name\nC1,A\n"), Options{MaxBytes: 8})
	if !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, "customers.csv", strings.NewReader("code,name\nC1,A\n"), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestDefaultCurrency(t *testing.T) {
	content := "code,party_code,date,currency,description,unit_price\nI1,C1,2026-11-01,,x,1\nI2,C1,2026-11-01,EUR,x,1\n"
	res := read(t, "invoices.csv", content, Options{DefaultCurrency: "gbp"})
	if len(res.Records) != 2 || res.Records[0].Document.Currency != "GBP" || res.Records[1].Document.Currency != "EUR" {
		t.Fatalf("records %s problems %s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
	if _, err := Read(context.Background(), "invoices.csv", strings.NewReader(content), Options{DefaultCurrency: "pounds"}); err == nil {
		t.Fatal("a bad default currency should be refused")
	}
}

func TestCreditNotePurchaseFlag(t *testing.T) {
	content := "code,party_code,date,purchase,description,unit_price\nCN1,S1,2026-11-01,yes,Returned bags,10\nCN2,C1,2026-11-01,,Returned kettle,65\n"
	res := read(t, "credit_notes.csv", content, Options{})
	if len(res.Records) != 2 || !res.Records[0].Document.Purchase || res.Records[1].Document.Purchase {
		t.Fatalf("records %s problems %s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Line: 14, Column: "date", Message: "'31/02/2026' is not a real date"}, "line 14, column 'date': '31/02/2026' is not a real date"},
		{Problem{Line: 3, Message: "a quote mark"}, "line 3: a quote mark"},
		{Problem{Message: "whole file"}, "whole file"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestLineList(t *testing.T) {
	tests := map[string][]int{"3": {3}, "3, 4": {3, 4}, "3–5, 9": {3, 4, 5, 9}, "1, 3, 5, 7, 9, 11, 13, 15, …": {1, 3, 5, 7, 9, 11, 13, 15, 17}}
	for want, in := range tests {
		if got := lineList(in); got != want {
			t.Errorf("lineList(%v) = %q, want %q", in, got, want)
		}
	}
}
