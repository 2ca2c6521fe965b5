package kashflowsim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const envOpen = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>`
const envClose = `</soap:Body></soap:Envelope>`

const creds = `<UserName>` + SandboxUser + `</UserName><Password>` + SandboxPassword + `</Password>`

func post(t *testing.T, s *Sim, action, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(envOpen+body+envClose))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"KashFlow/`+action+`"`)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(raw)
}

func newSim(t *testing.T) *Sim {
	t.Helper()
	s, err := New(WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStrictModeFindsMalformedRequests checks that each break of the WSDL
// is recorded and answered with a SOAP fault.
func TestStrictModeFindsMalformedRequests(t *testing.T) {
	line := `<anyType xsi:type="InvoiceLine"><Quantity>1</Quantity><Rate>10</Rate><ChargeType>5002</ChargeType><VatRate>20</VatRate><VatAmount>0</VatAmount><ProductID>0</ProductID><Sort>1</Sort><ProjID>0</ProjID><LineID>0</LineID></anyType>`
	invoice := func(lines string) string {
		return `<InsertInvoice xmlns="KashFlow">` + creds + `<Inv><InvoiceDBID>0</InvoiceDBID><InvoiceNumber>0</InvoiceNumber><InvoiceDate>2026-11-02T00:00:00</InvoiceDate><DueDate>2026-11-02T00:00:00</DueDate><CustomerID>1</CustomerID><Paid>0</Paid><SuppressTotal>0</SuppressTotal><ProjectID>0</ProjectID><ExchangeRate>1</ExchangeRate><Lines>` + lines + `</Lines><NetAmount>0</NetAmount><VATAmount>0</VATAmount><AmountPaid>0</AmountPaid><UseCustomDeliveryAddress>false</UseCustomDeliveryAddress></Inv></InsertInvoice>`
	}
	cases := []struct {
		name, action, body, want string
	}{
		{"wrong SOAPAction", "GetCustomers", `<GetSuppliers xmlns="KashFlow">` + creds + `</GetSuppliers>`, "SOAPAction"},
		{"wrong namespace", "GetCustomers", `<GetCustomers xmlns="http://kashflow.com/">` + creds + `</GetCustomers>`, "namespace"},
		{"unknown element", "GetCustomer", `<GetCustomer xmlns="KashFlow">` + creds + `<CustomerNumber>C1</CustomerNumber></GetCustomer>`, "has no element CustomerNumber"},
		{"out of order", "GetCustomer", `<GetCustomer xmlns="KashFlow"><Password>x</Password><UserName>y</UserName></GetCustomer>`, "out of the WSDL's order"},
		{"wrong type", "GetInvoice", `<GetInvoice xmlns="KashFlow">` + creds + `<InvoiceNumber>INV-1</InvoiceNumber></GetInvoice>`, "not an xs:int"},
		{"missing required", "GetInvoicePaymentsByDateRange", `<GetInvoicePaymentsByDateRange xmlns="KashFlow">` + creds + `<StartDate>2026-01-01T00:00:00</StartDate><EndDate>2026-12-31T00:00:00</EndDate></GetInvoicePaymentsByDateRange>`, "lacks the required element PageNumber"},
		{"line without xsi:type", "InsertInvoice", invoice(strings.Replace(line, ` xsi:type="InvoiceLine"`, "", 1)), "xsi:type"},
		{"line missing a value", "InsertInvoice", invoice(strings.Replace(line, "<ChargeType>5002</ChargeType>", "", 1)), "lacks the required element ChargeType"},
		{"not XML", "GetCustomers", `<GetCustomers xmlns="KashFlow">`, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t)
			code, body := post(t, s, c.action, c.body)
			if code != http.StatusInternalServerError || !strings.Contains(body, "soap:Fault") {
				t.Errorf("answer %d %s; want a 500 SOAP fault", code, body)
			}
			v := s.Violations()
			if len(v) == 0 || !strings.Contains(strings.Join(v, "\n"), c.want) {
				t.Errorf("violations %q; want one naming %q", v, c.want)
			}
		})
	}
	t.Run("well-formed", func(t *testing.T) {
		s := newSim(t)
		code, body := post(t, s, "GetNominalCodes", `<GetNominalCodes xmlns="KashFlow">`+creds+`</GetNominalCodes>`)
		if code != 200 || !strings.Contains(body, "<Status>OK</Status>") || len(s.Violations()) != 0 {
			t.Errorf("answer %d %s, violations %v", code, body, s.Violations())
		}
		if !strings.Contains(body, "<GetNominalCodesResult><NominalCode><id>5001</id><Code>90</Code>") {
			t.Errorf("nominal codes are not in the WSDL's shape: %s", body)
		}
	})
}

// TestAccessRefusals checks the API switch, the IP access list and the
// password, with KashFlow's words.
func TestAccessRefusals(t *testing.T) {
	call := `<GetCompanyDetails xmlns="KashFlow">` + creds + `</GetCompanyDetails>`
	cases := []struct {
		name  string
		setup func(s *Sim)
		body  string
		want  string
	}{
		{"wrong password", func(*Sim) {}, strings.Replace(call, SandboxPassword, "nope", 1), "<StatusDetail>Incorrect username or password</StatusDetail>"},
		{"API off", func(s *Sim) { s.SetAPIEnabled(false) }, call, "<StatusDetail>" + MsgAPIDisabled + "</StatusDetail>"},
		{"IP not listed", func(s *Sim) { s.SetAccessList("203.0.113.9") }, call, "<StatusDetail>The IP address of 192.0.2.1 is not in the access list</StatusDetail>"},
		{"IP listed", func(s *Sim) { s.SetAccessList("192.0.2.1") }, call, "<Status>OK</Status>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t)
			c.setup(s)
			code, body := post(t, s, "GetCompanyDetails", c.body)
			if code != 200 || !strings.Contains(body, c.want) {
				t.Errorf("answer %d %s; want %s", code, body, c.want)
			}
			if !strings.Contains(c.want, "OK") && !strings.Contains(body, "<Status>NO</Status>") {
				t.Errorf("a refusal must say Status NO: %s", body)
			}
		})
	}
}

// TestFaultHooks checks the rate-limit, failure and lost-reply hooks.
func TestFaultHooks(t *testing.T) {
	s := newSim(t)
	s.RateLimitNext(7e9)
	req := httptest.NewRequest(http.MethodPost, Path, strings.NewReader(envOpen+`<GetCustomers xmlns="KashFlow">`+creds+`</GetCustomers>`+envClose))
	req.Header.Set("SOAPAction", `"KashFlow/GetCustomers"`)
	req.Header.Set("Content-Type", "text/xml")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "7" {
		t.Errorf("rate limit answer %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	s.FailNext(1, http.StatusServiceUnavailable)
	if code, body := post(t, s, "GetCustomers", `<GetCustomers xmlns="KashFlow">`+creds+`</GetCustomers>`); code != 503 || !strings.Contains(body, "soap:Server") {
		t.Errorf("failure answer %d %s", code, body)
	}
	s.LoseNextReply()
	cust := `<InsertCustomer xmlns="KashFlow">` + creds + `<custr><CustomerID>0</CustomerID><Code>LOST1</Code><Name>Lost Reply Ltd</Name>` + required + `</custr></InsertCustomer>`
	func() {
		defer func() {
			if r := recover(); r != http.ErrAbortHandler {
				t.Errorf("a lost reply must abort the answer, got %v", r)
			}
		}()
		post(t, s, "InsertCustomer", cust)
	}()
	if _, body := post(t, s, "GetCustomer", `<GetCustomer xmlns="KashFlow">`+creds+`<CustomerCode>LOST1</CustomerCode></GetCustomer>`); !strings.Contains(body, "<Name>Lost Reply Ltd</Name>") {
		t.Errorf("the write whose reply was lost did not take effect: %s", body)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
}

// required are the Customer's value elements, which the WSDL requires.
var required = func() string {
	var b strings.Builder
	b.WriteString(`<EC>0</EC><OutsideEC>0</OutsideEC><Source>0</Source><Discount>0</Discount><ShowDiscount>false</ShowDiscount><PaymentTerms>0</PaymentTerms>`)
	for i := 1; i <= 20; i++ {
		b.WriteString("<CheckBox" + itoa(i) + ">0</CheckBox" + itoa(i) + ">")
	}
	b.WriteString(`<Created>0001-01-01T00:00:00</Created><Updated>0001-01-01T00:00:00</Updated><CurrencyID>0</CurrencyID>`)
	return b.String()
}()

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
