package feed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestReadJSONArrayOfRecords(t *testing.T) {
	content := `[
  {"type": "sales_invoice", "document": {"code": "INV-1", "party_code": "C1", "date": "2026-11-02", "currency": "gbp",
    "lines": [{"description": "Beans", "quantity": "2", "unit_price": 18.00, "tax_code": "ZERO"}]}},
  {"document": {"code": "INV-2", "party_code": "C2", "date": "2026-11-03", "currency": "GBP",
    "lines": [{"item_code": "KETTLE", "description": "", "quantity": 1, "unit_price": "65.00"}]}}
]`
	res := read(t, "sales_invoices.json", content, Options{})
	if len(res.Problems) > 0 || len(res.Records) != 2 || res.Lines != 2 || res.Type != connectors.SalesInvoices {
		t.Fatalf("records %s problems:\n%s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
	d := res.Records[0].Document
	if d.Currency != "GBP" || !d.Lines[0].UnitPrice.Equal(decimal.RequireFromString("18")) || d.Date.String() != "2026-11-02" {
		t.Errorf("INV-1 %s", mustJSON(t, d))
	}
	if res.Records[1].Type != connectors.SalesInvoices {
		t.Errorf("a record without type takes the file's type, got %q", res.Records[1].Type)
	}
}

func TestReadJSONEnvelope(t *testing.T) {
	content := `{"records": [
  {"code": "C1", "name": "Emma Clarke", "tags": ["retail"], "custom_fields": {"Loyalty tier": "Gold"}},
  {"code": "C2", "name": "Acme Ltd", "contact_person": "Jo", "billing_address": {"city": "Leeds"}}
], "type": "Customers"}`
	res := read(t, "export.json", content, Options{})
	if len(res.Problems) > 0 || len(res.Records) != 2 || res.Type != connectors.Customers {
		t.Fatalf("records %s problems:\n%s", mustJSON(t, res.Records), problemsText(res.Problems))
	}
	if p := res.Records[0].Party; p.CustomFields["Loyalty tier"] != "Gold" || p.IsCompany() {
		t.Errorf("C1 %s", mustJSON(t, p))
	}
	if p := res.Records[1].Party; p.BillingAddress.City != "Leeds" || !p.IsCompany() {
		t.Errorf("C2 %s", mustJSON(t, p))
	}
}

func TestReadJSONStrictProblems(t *testing.T) {
	tests := []struct {
		name, file, content string
		line                int
		column, message     string
		records             int
	}{
		{name: "unknown field in a line", file: "invoices.json", content: `{"type": "sales_invoices", "records": [
  {"code": "I1", "party_code": "C1", "date": "2026-11-01", "currency": "GBP", "lines": [{"description": "ok", "quantity": 1, "unit_price": 1}]},
  {"code": "I2", "party_code": "C1", "date": "2026-11-01", "currency": "GBP",
   "lines": [{"description": "x", "qty": 1, "unit_price": 1}]}
]}`, line: 4, column: "records[1].lines[0].qty", message: `does not know the field "qty"`, records: 1},
		{name: "unknown field in a record", file: "customers.json", content: `[
 {"type": "customer", "party": {"code": "C1", "name": "A", "nickname": "Al"}}]`,
			line: 2, column: "[0].party.nickname", message: `does not know the field "nickname"`},
		{name: "unknown field beside the payload", file: "customers.json", content: `[{"type": "customer", "party": {"code": "C1", "name": "A"}, "extra": 1}]`,
			line: 1, column: "[0].extra", message: `does not know the field "extra"`},
		{name: "not a number", file: "invoices.json", content: `{"type": "sales_invoices", "records": [
 {"code": "I1", "party_code": "C1", "date": "2026-11-01", "currency": "GBP", "lines": [
   {"description": "x", "quantity": "two", "unit_price": 1}]}]}`,
			line: 3, column: "records[0].lines[0].quantity", message: "'two' is not a number"},
		{name: "impossible date", file: "invoices.json", content: `{"type": "sales_invoices", "records": [
 {"code": "I1", "party_code": "C1", "date": "2026-02-31", "currency": "GBP", "lines": [{"description": "x", "unit_price": 1}]}]}`,
			line: 2, column: "records[0].date", message: "'2026-02-31' is not a real date"},
		{name: "day-first date in JSON", file: "invoices.json", content: `{"type": "sales_invoices", "records": [
 {"code": "I1", "party_code": "C1", "date": "23/11/2026", "currency": "GBP", "lines": [{"description": "x", "unit_price": 1}]}]}`,
			line: 2, column: "records[0].date", message: "write dates as 2026-11-23"},
		{name: "text expected", file: "customers.json", content: `{"type": "customers", "records": [{"code": 17, "name": "A"}]}`,
			line: 1, column: "records[0].code", message: "must be text in quotes"},
		{name: "list expected", file: "customers.json", content: `{"type": "customers", "records": [{"code": "C1", "name": "A", "tags": "vip"}]}`,
			line: 1, column: "records[0].tags", message: "must be a list"},
		{name: "bool expected", file: "customers.json", content: `{"type": "customers", "records": [{"code": "C1", "name": "A", "archived": "no"}]}`,
			line: 1, column: "records[0].archived", message: "must be true or false"},
		{name: "object expected", file: "customers.json", content: `{"type": "customers", "records": [42]}`,
			line: 1, column: "records[0]", message: "must be an object"},
		{name: "null record", file: "customers.json", content: `{"type": "customers", "records": [null]}`,
			line: 1, column: "records[0]", message: "the record is empty"},
		{name: "check at path", file: "journals.json", content: `{"type": "journals", "records": [
 {"code": "J1", "company": "HL", "date": "2026-11-30", "period": "2026-11", "lines": [
   {"nominal_code": "477", "debit": "10"},
   {"nominal_code": "", "credit": "10"}]}]}`,
			line: 4, column: "records[0].lines[1].nominal_code", message: "the nominal code is missing"},
		{name: "unbalanced", file: "journals.json", content: `{"type": "journals", "records": [
 {"code": "J1", "company": "HL", "date": "2026-11-30", "period": "2026-11", "lines": [{"nominal_code": "477", "debit": "10"}]}]}`,
			line: 2, column: "records[0]", message: "does not balance"},
		{name: "other type in array", file: "customers.json", content: `[{"type": "customer", "party": {"code": "C1", "name": "A"}},
 {"type": "supplier", "party": {"code": "S1", "name": "B"}}]`,
			line: 2, column: "[1].type", message: "this record is a supplier but the file holds customers", records: 1},
		{name: "wrong payload", file: "customers.json", content: `[{"type": "customer", "document": {"code": "C1"}}]`,
			line: 1, column: "[0]", message: `carries its details under "party"`},
		{name: "two payloads", file: "customers.json", content: `[{"type": "customer", "party": {"code": "C1", "name": "A"}, "payment": {"code": "P"}}]`,
			line: 1, column: "[0]", message: `carries its details under "party" and nothing else`},
		{name: "bad currency", file: "payments.json", content: `{"type": "invoice_payments", "records": [{"code": "P1", "date": "2026-11-01", "amount": "5", "currency": "pounds"}]}`,
			line: 1, column: "records[0].currency", message: "'pounds' is not a currency code"},
		{name: "allocation over payment", file: "x.json", content: `{"type": "invoice_payments", "records": [{"code": "P1", "date": "2026-11-01", "amount": "5",
  "allocations": [{"document_type": "sales_invoice", "document_code": "I1", "amount": "6"}]}]}`,
			line: 1, column: "records[0]", message: "the allocations add up to 6, more than the payment of 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, tt.file, tt.content, Options{})
			if len(res.Records) != tt.records {
				t.Errorf("records = %d, want %d", len(res.Records), tt.records)
			}
			for _, p := range res.Problems {
				if p.Line == tt.line && p.Column == tt.column && strings.Contains(p.Message, tt.message) {
					return
				}
			}
			t.Fatalf("no problem at line %d column %q containing %q; got:\n%s", tt.line, tt.column, tt.message, problemsText(res.Problems))
		})
	}
}

func TestReadJSONAllocationPaysAnInvoiceByDefault(t *testing.T) {
	content := `{"type": "purchase_payments", "records": [{"code": "P1", "date": "2026-11-01", "amount": "5",
  "allocations": [{"document_code": "B1", "amount": "4.5"}, {"document_type": "credit_note", "document_code": "CN1", "amount": "0.5"}]}]}`
	res := read(t, "payments_made.json", content, Options{})
	if len(res.Records) != 1 {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
	a := res.Records[0].Payment.Allocations
	if a[0].DocumentType != connectors.PurchaseInvoices || a[1].DocumentType != connectors.CreditNotes {
		t.Fatalf("allocations %s", mustJSON(t, a))
	}
	bad := `{"type": "purchase_payments", "records": [{"code": "P1", "date": "2026-11-01", "amount": "5",
  "allocations": [{"document_type": "sales_invoice", "document_code": "I1", "amount": "5"}]}]}`
	res = read(t, "payments_made.json", bad, Options{})
	if len(res.Records) != 0 || len(res.Problems) != 1 || res.Problems[0].Column != "records[0].allocations[0].document_type" ||
		!strings.Contains(res.Problems[0].Message, "a purchase payment can be allocated to a purchase invoice or a credit note") {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
}

func TestReadJSONReportsEveryUnknownField(t *testing.T) {
	content := `{"type": "customers", "records": [{"code": "C1", "nme": "A", "emial": "a@b.example", "billing_address": {"town": "Leeds"}}]}`
	res := read(t, "customers.json", content, Options{})
	var cols []string
	for _, p := range res.Problems {
		cols = append(cols, p.Column)
	}
	if got := strings.Join(cols, " "); got != "records[0].nme records[0].emial records[0].billing_address.town" {
		t.Fatalf("problem columns %q\n%s", got, problemsText(res.Problems))
	}
}

func TestReadJSONWholeFileErrors(t *testing.T) {
	tests := []struct{ name, file, content, want string }{
		{"syntax", "customers.json", "[\n{\"type\": \"customer\",\n \"party\": {\"code\": }}]", "not valid JSON: line 3"},
		{"truncated", "customers.json", `[{"type": "customer", "party": {"code": "C1"`, "not valid JSON"},
		{"scalar", "customers.json", `"hello"`, "must be a list"},
		{"unknown top field", "customers.json", `{"type": "customers", "rows": []}`, `does not know the field "rows"`},
		{"no records", "customers.json", `{"type": "customers"}`, `has no "records" list`},
		{"records not a list", "customers.json", `{"type": "customers", "records": {}}`, `"records" must be a list`},
		{"type not text", "export.json", `{"type": 3, "records": []}`, `"type" must be text`},
		{"unknown type", "export.json", `{"type": "gadgets", "records": []}`, "'gadgets' is not a record type"},
		{"name and type disagree", "customers.json", `{"type": "suppliers", "records": []}`, "the file name says Customers"},
		{"no type anywhere", "export.json", `[{"party": {"code": "C1", "name": "A"}}]`, "cannot tell what this file holds"},
		{"trailing content", "customers.json", `[] []`, "more after the end"},
		{"empty", "customers.json", ``, "is empty"},
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

func TestJSONAndCSVAgree(t *testing.T) {
	csvContent := "code,party_code,date,due_date,currency,description,quantity,unit_price,discount_percent,tax_code\n" +
		"INV-1,C1,23/11/2026,23/12/2026,GBP,Beans,2,\"1,018.00\",10,ZERO\nINV-1,C1,23/11/2026,23/12/2026,GBP,Delivery,1,6.5,,OUTPUT2\n"
	jsonContent := `{"type": "sales_invoices", "records": [{"code": "INV-1", "party_code": "C1", "date": "2026-11-23", "due_date": "2026-12-23", "currency": "GBP",
  "lines": [{"description": "Beans", "quantity": "2", "unit_price": "1018.00", "discount_percent": "10", "tax_code": "ZERO"},
            {"description": "Delivery", "quantity": 1, "unit_price": 6.50, "tax_code": "OUTPUT2"}]}]}`
	a := read(t, "sales_invoices.csv", csvContent, Options{})
	b := read(t, "sales_invoices.json", jsonContent, Options{})
	if len(a.Records) != 1 || len(b.Records) != 1 {
		t.Fatalf("csv %s / json %s", problemsText(a.Problems), problemsText(b.Problems))
	}
	if x, y := mustJSON(t, a.Records), mustJSON(t, b.Records); x != y {
		t.Fatalf("CSV and JSON differ:\n%s\n%s", x, y)
	}
}

func TestJSONSniffedWithoutExtension(t *testing.T) {
	res := read(t, "customers", `[{"type":"customer","party":{"code":"C1","name":"A"}}]`, Options{})
	if len(res.Records) != 1 {
		t.Fatalf("problems %s", problemsText(res.Problems))
	}
}
