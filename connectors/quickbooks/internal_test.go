package quickbooks

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// refsConn is a connection whose reference data is filled in by hand.
func refsConn(tb testing.TB) *Conn {
	tb.Helper()
	c := &Conn{now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil)), pageSize: MaxPage,
		fresh: map[string]freshEntry{}, answered: map[string]connectors.WriteResult{}}
	c.s.defaultItem = "Services"
	c.refs = newRefCache(c)
	r := c.refs
	r.loaded = true
	r.accByCode, r.accByID = map[string]account{}, map[string]account{}
	for i, num := range []string{"200", "260", "300", "090"} {
		a := account{entityBase: entityBase{ID: fmt.Sprint(i + 1)}, Name: "Account " + num, AcctNum: num, AccountType: "Income"}
		r.accounts = append(r.accounts, a)
		r.accByCode[num], r.accByID[a.ID] = a, a
	}
	r.taxByName, r.taxByID, r.rates = map[string]taxCode{}, map[string]taxCode{}, map[string]taxRate{}
	for i, n := range []string{"OUTPUT2", "ZERORATEDOUTPUT"} {
		tc := taxCode{entityBase: entityBase{ID: fmt.Sprint(10 + i)}, Name: n}
		r.taxByName[key(n)], r.taxByID[tc.ID] = tc, tc
	}
	r.itemByCode, r.itemByID = map[string]item{}, map[string]item{}
	for i, n := range []string{"Services", "BEAN-HOUSE-1KG"} {
		it := item{entityBase: entityBase{ID: fmt.Sprint(20 + i)}, Name: n, IncomeAccountRef: refTo("1")}
		r.itemByCode[key(n)], r.itemByID[it.ID] = it, it
	}
	r.classes, r.classByID, r.depts, r.deptByID = map[string]named{}, map[string]named{}, map[string]named{}, map[string]named{}
	cl := named{entityBase: entityBase{ID: "30"}, Name: "SHOP"}
	r.classes["shop"], r.classByID["30"] = cl, cl
	r.partyLoaded["Customer"] = true
	for i := range 200 {
		r.rememberParty("Customer", fmt.Sprintf("C%04d", i), fmt.Sprint(100+i))
	}
	return c
}

func benchInvoice(i int) connectors.Document {
	var lines []connectors.Line
	for j := range 5 {
		code := ""
		if j%2 == 0 {
			code = "BEAN-HOUSE-1KG"
		}
		lines = append(lines, connectors.Line{ItemCode: code, Description: fmt.Sprintf("Line %d", j), Quantity: decimal.NewFromInt(int64(j + 1)),
			UnitPrice: decimal.RequireFromString("18.50"), NominalCode: "200", TaxCode: "OUTPUT2", CostCentre: "SHOP"})
	}
	return connectors.Document{Code: fmt.Sprintf("INV-%05d", i), PartyCode: fmt.Sprintf("C%04d", i%200), Date: connectors.NewDate(2026, 11, 3),
		DueDate: connectors.NewDate(2026, 12, 3), Currency: "GBP", Lines: lines}
}

// BenchmarkMapInvoices maps 1,000 five-line invoices to QuickBooks's JSON
// and back.
func BenchmarkMapInvoices(b *testing.B) {
	c := refsConn(b)
	m := mapper{c: c, ctx: b.Context()}
	docs := make([]connectors.Document, 1000)
	for i := range docs {
		docs[i] = benchInvoice(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range docs {
			t, ie, err := m.toDocument("Invoice", docs[i])
			if ie != nil || err != nil {
				b.Fatal(ie, err)
			}
			t.ID = fmt.Sprint(i + 1)
			raw, err := json.Marshal(t)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.fromRaw(connectors.SalesInvoices, "Invoice", raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestMappingRoundTrip(t *testing.T) {
	c := refsConn(t)
	m := mapper{c: c, ctx: t.Context()}
	in := benchInvoice(7)
	in.Lines[1].DiscountPercent = decimal.NewFromInt(10)
	tx, ie, err := m.toDocument("Invoice", in)
	if ie != nil || err != nil {
		t.Fatal(ie, err)
	}
	if got := tx.Line[1].Amount.String(); got != "33.3" {
		t.Errorf("line 2 amount %s, want 2 × 18.50 less 10%% = 33.3", got)
	}
	tx.ID = "5"
	raw, _ := json.Marshal(tx)
	got, err := m.fromRaw(connectors.SalesInvoices, "Invoice", raw)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(in.Lines)
	b, _ := json.Marshal(got.Record.Document.Lines)
	if string(a) != string(b) {
		t.Errorf("lines differ\n in: %s\nout: %s", a, b)
	}
	for _, tc := range []struct {
		name  string
		spoil func(*connectors.Document)
		want  string
	}{
		{"unknown account", func(d *connectors.Document) { d.Lines[0].NominalCode = "999" }, "chart of accounts"},
		{"unknown tax code", func(d *connectors.Document) { d.Lines[0].TaxCode = "T9" }, "tax code"},
		{"unknown product", func(d *connectors.Document) { d.Lines[0].ItemCode = "NOPE" }, "not in QuickBooks"},
		{"unknown class", func(d *connectors.Document) { d.Lines[0].CostCentre = "ATTIC" }, "not a class"},
		{"long number", func(d *connectors.Document) { d.Code = "INV-0000000000000000000001" }, "21 characters"},
		{"no lines", func(d *connectors.Document) { d.Lines = nil }, "no lines"},
	} {
		d := benchInvoice(1)
		tc.spoil(&d)
		_, ie, err := m.toDocument("Invoice", d)
		if err != nil || ie == nil || !contains(ie.Message, tc.want) {
			t.Errorf("%s: %v %v; want a refusal saying %q", tc.name, ie, err, tc.want)
			continue
		}
		if why, ok := explain(ie); !ok || why.Cause == "" || why.Fix == "" {
			t.Errorf("%s: no explanation for %q", tc.name, ie.Message)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (indexOf(s, sub) >= 0))
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestParseFaultForms(t *testing.T) {
	for _, tc := range []struct {
		name, body, code, msg string
	}{
		{"api json", `{"Fault":{"Error":[{"Message":"Duplicate Name Exists Error","Detail":"The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.","code":"6240","element":""}],"type":"ValidationFault"},"time":"2026-05-01T10:00:00.000-07:00"}`,
			"6240", "Duplicate Name Exists Error: The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name."},
		{"gateway 401", `{"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: eyJ","code":"3200","element":null}],"type":"AUTHENTICATION"},"report":null,"time":1700000000000}`,
			"3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401: Token expired: eyJ"},
		{"xml throttle", `<?xml version="1.0" encoding="UTF-8"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="2026-05-01T10:00:00.000-07:00"><Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>`,
			"3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429: The request limit was reached.  Try again later"},
		{"xml validation", `<IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault type="ValidationFault"><Error code="2500" element="Line.SalesItemLineDetail.ItemRef"><Message>Invalid Reference Id</Message><Detail>Invalid Reference Id : Line.SalesItemLineDetail.ItemRef</Detail></Error></Fault></IntuitResponse>`,
			"2500", "Invalid Reference Id : Line.SalesItemLineDetail.ItemRef"},
	} {
		f, ok := parseFault([]byte(tc.body))
		if !ok || f.Error[0].Code != tc.code || faultMessage(f.Error[0]) != tc.msg {
			t.Errorf("%s: %+v %v; want code %s and %q", tc.name, f, ok, tc.code, tc.msg)
		}
	}
	for _, body := range []string{"", "{}", `{"Invoice":{}}`, "<html>oops</html>", "not json"} {
		if _, ok := parseFault([]byte(body)); ok {
			t.Errorf("parseFault(%q) found a fault", body)
		}
	}
}

func TestCatalogue(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&connectors.ItemError{Code: "6240", Message: "Duplicate Name Exists Error: The name supplied already exists."}, "already has this name"},
		{&connectors.ItemError{Message: "Duplicate Document Number Error : You must specify a different number. DocNumber=1234 is assigned to TxnType=Invoice with TxnId=111"}, "already holds a document"},
		{&connectors.ItemError{Code: "5010", Message: "Stale Object Error : You and QuickBooks Sandbox were working on this at the same time."}, "changed this record"},
		{&connectors.ItemError{Message: "Object Not Found : Something you're trying to use has been made inactive or deleted."}, "no longer in QuickBooks"},
		{&connectors.ItemError{Code: "2500", Message: "Invalid Reference Id : Line.SalesItemLineDetail.ItemRef"}, "does not have"},
		{&connectors.ItemError{Code: "2500", Message: "Invalid Reference Id: Something you're trying to use has been made inactive."}, "inactive"},
		{&connectors.ItemError{Code: "6200", Message: "Account Period Closed : The account period has closed"}, "books are closed"},
		{&connectors.ItemError{Code: "6000", Message: "A business validation error has occurred while processing your request: Business Validation Error: Unexpected Internal Error. (-30003)"}, "needs a customer"},
		{&connectors.ItemError{Message: "A business validation error has occurred while processing your request: Business Validation Error: something else"}, "business rule"},
		{&connectors.RateLimitError{RetryAfter: time.Minute}, "more requests"},
		{&APIError{Status: 403, Errors: []faultError{{Code: "3100", Message: "ApplicationAuthorizationFailed"}}}, "not allowed"},
		{authError("QuickBooks no longer accepts LedgerLink's sign-in"), "no longer accepts"},
	} {
		why, ok := explain(tc.err)
		if !ok || !contains(why.Cause, tc.want) || why.Fix == "" {
			t.Errorf("Explain(%v) = %+v, %v; want a cause saying %q", tc.err, why, ok, tc.want)
		}
	}
	if _, ok := explain(fmt.Errorf("something unheard of")); ok {
		t.Errorf("an unknown message was explained")
	}
}

func FuzzParseFault(f *testing.F) {
	for _, s := range []string{
		`{"Fault":{"Error":[{"Message":"m","Detail":"d","code":"6240","element":""}],"type":"ValidationFault"}}`,
		`{"fault":{"error":[{"message":"m","detail":"d","code":"3200","element":null}],"type":"AUTHENTICATION"}}`,
		`<IntuitResponse><Fault type="SERVICE"><Error code="3001"><Message>m</Message></Error></Fault></IntuitResponse>`,
		``, `{`, `<`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fa, ok := parseFault(body)
		if ok && len(fa.Error) == 0 {
			t.Fatalf("a fault with no errors: %q", body)
		}
		_ = answerError(400, nil, body, time.Now())
	})
}

func FuzzQueryAnswer(f *testing.F) {
	for _, s := range []string{
		`{"QueryResponse":{"Invoice":[{"Id":"1","SyncToken":"0","DocNumber":"A","Line":[{"Amount":10,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":1,"UnitPrice":"10"}}]}],"startPosition":1,"maxResults":1}}`,
		`{"QueryResponse":{}}`, `{"QueryResponse":{"totalCount":4}}`, `{"QueryResponse":{"Invoice":{}}}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	c := refsConn(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var env struct {
			QueryResponse *queryResponse `json:"QueryResponse"`
		}
		if json.Unmarshal(body, &env) != nil || env.QueryResponse == nil {
			return
		}
		rows, err := rowsOf(env.QueryResponse, "Invoice")
		if err != nil {
			return
		}
		_, _ = mapper{c: c, ctx: t.Context()}.fromRawPage(connectors.SalesInvoices, "Invoice", rows)
	})
}

func FuzzCDCAnswer(f *testing.F) {
	for _, s := range []string{
		`{"CDCResponse":[{"QueryResponse":[{"Invoice":[{"Id":"3","status":"Deleted","domain":"QBO","MetaData":{"LastUpdatedTime":"2026-05-01T10:00:00-07:00"}}],"startPosition":1,"maxResults":1},{"Customer":[{"Id":"4","DisplayName":"X"}]}]}],"time":"2026-05-01T10:00:00.000-07:00"}`,
		`{"CDCResponse":[]}`, `{"CDCResponse":[{"QueryResponse":[{}]}]}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	c := refsConn(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		lists, err := parseCDC(body, []string{"Invoice", "Customer"})
		if err != nil {
			return
		}
		m := mapper{c: c, ctx: t.Context()}
		_, _ = m.fromRawPage(connectors.SalesInvoices, "Invoice", lists["Invoice"])
		_, _ = m.fromRawPage(connectors.Customers, "Customer", lists["Customer"])
	})
}

func FuzzDates(f *testing.F) {
	for _, s := range []string{"2026-05-01", "2026-05-01T10:00:00-07:00", "2015-07-24T10:33:39-07:00", "", "31/12/2026", "2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := parseDay(s)
		if !d.IsZero() && d.String() != s {
			t.Fatalf("parseDay(%q) = %s", s, d)
		}
		u := updatedAt(&metaData{LastUpdatedTime: s})
		if !u.IsZero() {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Fatalf("updatedAt(%q) = %v though it is no RFC 3339 time", s, u)
			}
		}
	})
}

func FuzzLanding(f *testing.F) {
	for _, s := range []string{"https://ledgerlink.example/cb?code=AB&state=s&realmId=1", "code=AB&state=s&realmId=1", "", "::", "https://x/?error=access_denied&state=s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseLanding(s)
		if err != nil {
			return
		}
		if l.check("s") == nil && (l.code == "" || l.realmID == "" || l.state != "s" || l.errCode != "") {
			t.Fatalf("landing %q accepted: %+v", s, l)
		}
	})
}
