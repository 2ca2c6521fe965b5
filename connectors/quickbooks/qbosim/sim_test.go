package qbosim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type tclock struct{ t time.Time }

func (c *tclock) now() time.Time { return c.t }

// call sends one API request signed in to the sandbox company.
func call(t *testing.T, s *Sim, token, method, path string, q url.Values, body string) (int, string) {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	if q.Get("minorversion") == "" {
		q.Set("minorversion", "75")
	}
	req := httptest.NewRequest(method, "/v3/company/"+SandboxRealmID+path+"?"+q.Encode(), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func signedIn(t *testing.T, opts ...Option) (*Sim, string, *tclock) {
	t.Helper()
	clk := &tclock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	s, err := New(append([]Option{WithClock(clk.now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	refresh := s.IssueTokens(SandboxRealmID)
	rec := refreshWith(s, refresh)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" || tok.RefreshToken == refresh {
		t.Fatalf("token answer %s", rec.Body)
	}
	return s, tok.AccessToken, clk
}

// refreshWith asks the token endpoint for new tokens with a refresh token.
func refreshWith(s *Sim, refresh string) *httptest.ResponseRecorder {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req := httptest.NewRequest(http.MethodPost, "/oauth2/v1/tokens/bearer", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(SandboxClientID, SandboxClientSecret)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestGatewayUnauthorizedBody(t *testing.T) {
	s, _, _ := signedIn(t)
	code, body := call(t, s, "nonsense", http.MethodGet, "/companyinfo/"+SandboxRealmID, nil, "")
	if code != http.StatusUnauthorized || !strings.Contains(body, `"code":"3200"`) || !strings.Contains(body, `"type":"AUTHENTICATION"`) || !strings.Contains(body, "AuthenticationFailed") {
		t.Errorf("401 answer %d %s", code, body)
	}
}

func TestRefreshTokenRotationAndGrace(t *testing.T) {
	s, _, clk := signedIn(t, WithLimits(Limits{PerMinute: 500, Concurrent: 10, BatchPerMinute: 40, RefreshGraceFor: time.Hour}))
	old := s.IssueTokens(SandboxRealmID)
	refresh := func(tok string) (int, string) {
		rec := refreshWith(s, tok)
		return rec.Code, rec.Body.String()
	}
	if code, _ := refresh(old); code != http.StatusOK {
		t.Fatalf("first refresh: %d", code)
	}
	if code, _ := refresh(old); code != http.StatusOK {
		t.Errorf("the replaced refresh token within its grace: %d", code)
	}
	clk.t = clk.t.Add(2 * time.Hour)
	if code, body := refresh(old); code != http.StatusBadRequest || !strings.Contains(body, `"error":"invalid_grant"`) {
		t.Errorf("the replaced refresh token after its grace: %d %s", code, body)
	}
}

func TestQueryPagingAndValidation(t *testing.T) {
	s, tok, _ := signedIn(t)
	q := func(text string) (int, string) {
		return call(t, s, tok, http.MethodGet, "/query", url.Values{"query": {text}}, "")
	}
	code, body := q("SELECT * FROM Account WHERE AccountType = 'Bank' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1")
	if code != 200 || !strings.Contains(body, `"maxResults":1`) || !strings.Contains(body, `"AcctNum":"090"`) {
		t.Errorf("first page: %d %s", code, body)
	}
	code, body = q("SELECT * FROM Account WHERE AccountType = 'Bank' STARTPOSITION 3 MAXRESULTS 1")
	if code != 200 || !strings.Contains(body, `"QueryResponse":{}`) {
		t.Errorf("past the end: %d %s", code, body)
	}
	code, body = q("SELECT count(*) FROM TaxCode")
	if code != 200 || !strings.Contains(body, `"totalCount":5`) {
		t.Errorf("count: %d %s", code, body)
	}
	code, body = q("SELECT * FROM Account MAXRESULTS 1500")
	if code != 400 || !strings.Contains(body, "value 1500 is too large. Max allowed value is 1000") {
		t.Errorf("too large a page: %d %s", code, body)
	}
	for _, bad := range []string{"SELECT * FROM Account WHERE Name = 'a' OR Name = 'b'", "DELETE FROM Account", "SELECT * FROM Nothing", "SELECT * FROM Account WHERE Name = 'open"} {
		if code, body := q(bad); code != 400 || !strings.Contains(body, "QueryParserError") {
			t.Errorf("%q: %d %s", bad, code, body)
		}
	}
	code, body = q("SELECT * FROM Item WHERE Name LIKE '%beans%'")
	if code != 200 || strings.Count(body, `"Type":"Inventory"`) != 3 {
		t.Errorf("LIKE: %d %s", code, body)
	}
}

func TestWritesSyncTokenAndReplay(t *testing.T) {
	s, tok, _ := signedIn(t, WithStrict())
	rid := url.Values{"requestid": {"r1"}}
	code, body := call(t, s, tok, http.MethodPost, "/customer", rid, `{"DisplayName":"Ann Smith","AcctNum":"C1"}`)
	if code != 200 || !strings.Contains(body, `"SyncToken":"0"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	again, body2 := call(t, s, tok, http.MethodPost, "/customer", rid, `{"DisplayName":"Ann Smith","AcctNum":"C1"}`)
	if again != 200 || body2 != body {
		t.Errorf("the same requestid answered %d %s; want the first answer again", again, body2)
	}
	var env struct {
		Customer struct{ Id string } `json:"Customer"`
	}
	_ = json.Unmarshal([]byte(body), &env)
	code, body = call(t, s, tok, http.MethodPost, "/customer", url.Values{"requestid": {"r2"}}, `{"Id":"`+env.Customer.Id+`","SyncToken":"7","sparse":true,"Notes":"x"}`)
	if code != 400 || !strings.Contains(body, `"code":"5010"`) || !strings.Contains(body, "Stale Object Error") {
		t.Errorf("stale update: %d %s", code, body)
	}
	code, body = call(t, s, tok, http.MethodPost, "/vendor", url.Values{"requestid": {"r3"}}, `{"DisplayName":"Ann Smith"}`)
	if code != 400 || !strings.Contains(body, `"code":"6240"`) {
		t.Errorf("a vendor with a customer's name: %d %s", code, body)
	}
	// Strict mode: a field the schema does not have.
	code, body = call(t, s, tok, http.MethodPost, "/customer", url.Values{"requestid": {"r4"}}, `{"DisplayName":"B","Nickname":"x"}`)
	if code != 400 || !strings.Contains(body, `"code":"2010"`) || len(s.Violations()) == 0 {
		t.Errorf("unknown field: %d %s, violations %v", code, body, s.Violations())
	}
	code, _ = call(t, s, tok, http.MethodPost, "/customer", url.Values{"minorversion": {"40"}, "requestid": {"r5"}}, `{"DisplayName":"C"}`)
	if code != 400 {
		t.Errorf("an old minorversion in strict mode: %d", code)
	}
}

func TestBatchLimitsAndCDC(t *testing.T) {
	s, tok, clk := signedIn(t)
	var items []string
	for i := range 31 {
		items = append(items, `{"bId":"b`+string(rune('a'+i%26))+string(rune('a'+i/26))+`","operation":"create","Customer":{"DisplayName":"N`+string(rune('A'+i%26))+string(rune('a'+i/26))+`"}}`)
	}
	code, body := call(t, s, tok, http.MethodPost, "/batch", url.Values{"requestid": {"b1"}}, `{"BatchItemRequest":[`+strings.Join(items, ",")+`]}`)
	if code != 400 || !strings.Contains(body, "permissible limit of 30") {
		t.Errorf("31 items: %d %s", code, body)
	}
	code, body = call(t, s, tok, http.MethodPost, "/batch", url.Values{"requestid": {"b2"}}, `{"BatchItemRequest":[`+strings.Join(items[:2], ",")+`,{"bId":"bad","operation":"create","Invoice":{"Line":[]}}]}`)
	if code != 200 || strings.Count(body, `"Customer":{`) != 2 || !strings.Contains(body, `"Fault"`) {
		t.Errorf("a batch with one bad item: %d %s", code, body)
	}
	since := clk.t.Add(-time.Minute).Format(time.RFC3339)
	code, body = call(t, s, tok, http.MethodGet, "/cdc", url.Values{"entities": {"Customer,Invoice"}, "changedSince": {since}}, "")
	if code != 200 || strings.Count(body, `"DisplayName"`) != 2 {
		t.Errorf("CDC: %d %s", code, body)
	}
	old := clk.t.Add(-31 * 24 * time.Hour).Format(time.RFC3339)
	if code, body = call(t, s, tok, http.MethodGet, "/cdc", url.Values{"entities": {"Customer"}, "changedSince": {old}}, ""); code != 400 || !strings.Contains(body, "30 days") {
		t.Errorf("CDC beyond 30 days: %d %s", code, body)
	}
	if code, _ = call(t, s, tok, http.MethodGet, "/cdc", url.Values{"entities": {"TaxCode"}, "changedSince": {since}}, ""); code != 400 {
		t.Errorf("CDC of tax codes: %d", code)
	}
}

func TestThrottleIsXML(t *testing.T) {
	s, tok, _ := signedIn(t)
	s.ThrottleNext(1, false)
	code, body := call(t, s, tok, http.MethodGet, "/companyinfo/"+SandboxRealmID, nil, "")
	if code != http.StatusTooManyRequests || !strings.HasPrefix(body, "<?xml") || !strings.Contains(body, "The request limit was reached.  Try again later") {
		t.Errorf("throttle: %d %s", code, body)
	}
}

func TestInvoiceRules(t *testing.T) {
	s, tok, _ := signedIn(t)
	post := func(body string) (int, string) {
		return call(t, s, tok, http.MethodPost, "/invoice", url.Values{"requestid": {randomToken(6)}}, body)
	}
	code, body := post(`{"Line":[{"Amount":10,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"1"}}}]}`)
	if code != 400 || !strings.Contains(body, "(-30003)") {
		t.Errorf("no customer: %d %s", code, body)
	}
	_, cust := call(t, s, tok, http.MethodPost, "/customer", url.Values{"requestid": {"c"}}, `{"DisplayName":"Zed"}`)
	var env struct{ Customer struct{ Id string } }
	_ = json.Unmarshal([]byte(cust), &env)
	c := env.Customer.Id
	code, body = post(`{"CustomerRef":{"value":"` + c + `"},"Line":[{"Amount":10,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"99999"}}}]}`)
	if code != 400 || !strings.Contains(body, "Invalid Reference Id : Line.SalesItemLineDetail.ItemRef") {
		t.Errorf("unknown item: %d %s", code, body)
	}
	s.SetBookCloseDate(SandboxRealmID, "2026-10-31")
	code, body = post(`{"CustomerRef":{"value":"` + c + `"},"TxnDate":"2026-10-01","Line":[{"Amount":10,"DetailType":"DescriptionOnly"}]}`)
	if code != 400 || !strings.Contains(body, `"code":"6200"`) {
		t.Errorf("closed period: %d %s", code, body)
	}
}

func TestEntityReadDeleteAndVoid(t *testing.T) {
	s, tok, _ := signedIn(t)
	_, body := call(t, s, tok, http.MethodPost, "/customer", url.Values{"requestid": {"c1"}}, `{"DisplayName":"Yvonne"}`)
	var cust struct{ Customer struct{ Id string } }
	_ = json.Unmarshal([]byte(body), &cust)
	code, body := call(t, s, tok, http.MethodGet, "/customer/"+cust.Customer.Id, nil, "")
	if code != 200 || !strings.Contains(body, `"Customer":{`) || !strings.Contains(body, `"time":`) {
		t.Errorf("read one: %d %s", code, body)
	}
	if code, body = call(t, s, tok, http.MethodGet, "/customer/99999", nil, ""); code != 400 || !strings.Contains(body, `"code":"610"`) {
		t.Errorf("read a missing one: %d %s", code, body)
	}
	_, body = call(t, s, tok, http.MethodPost, "/invoice", url.Values{"requestid": {"i1"}},
		`{"CustomerRef":{"value":"`+cust.Customer.Id+`"},"DocNumber":"X1","Line":[{"Amount":5,"DetailType":"DescriptionOnly","Description":"note"},{"Amount":10,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"`+firstItem(s)+`"},"Qty":2,"UnitPrice":5,"TaxCodeRef":{"value":"`+taxCodeID(s, "OUTPUT2")+`"}}}]}`)
	var inv struct {
		Invoice struct {
			Id, SyncToken string
			TotalAmt      json.Number
		}
	}
	_ = json.Unmarshal([]byte(body), &inv)
	if inv.Invoice.TotalAmt != "12.00" {
		t.Errorf("an invoice of 10.00 at 20%%: total %s, want 12.00 (%s)", inv.Invoice.TotalAmt, body)
	}
	code, body = call(t, s, tok, http.MethodPost, "/invoice", url.Values{"operation": {"void"}, "requestid": {"v1"}}, `{"Id":"`+inv.Invoice.Id+`","SyncToken":"0","sparse":true}`)
	if code != 200 || !strings.Contains(body, `"TotalAmt":"0.00"`) && !strings.Contains(body, `"TotalAmt":0.00`) {
		t.Errorf("void: %d %s", code, body)
	}
	code, body = call(t, s, tok, http.MethodPost, "/invoice", url.Values{"operation": {"delete"}, "requestid": {"d1"}}, `{"Id":"`+inv.Invoice.Id+`","SyncToken":"1"}`)
	if code != 200 || !strings.Contains(body, `"status":"Deleted"`) {
		t.Errorf("delete: %d %s", code, body)
	}
	if code, _ = call(t, s, tok, http.MethodPost, "/customer", url.Values{"operation": {"delete"}, "requestid": {"d2"}}, `{"Id":"`+cust.Customer.Id+`","SyncToken":"0"}`); code != 400 {
		t.Errorf("deleting a customer (a name list) answered %d", code)
	}
}

func firstItem(s *Sim) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return str(s.company(SandboxRealmID).all("Item")[0], "Id")
}

func taxCodeID(s *Sim, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tc := range s.company(SandboxRealmID).all("TaxCode") {
		if str(tc, "Name") == name {
			return str(tc, "Id")
		}
	}
	return ""
}

func TestUpdateBumpsSyncTokenOnce(t *testing.T) {
	s, tok, _ := signedIn(t)
	_, body := call(t, s, tok, http.MethodPost, "/customer", url.Values{"requestid": {"c1"}}, `{"DisplayName":"Una"}`)
	var cust struct{ Customer struct{ Id string } }
	_ = json.Unmarshal([]byte(body), &cust)
	line := func(qty string) string {
		return `{"Amount":` + qty + `0,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"` + firstItem(s) + `"},"Qty":` + qty + `,"UnitPrice":10,"TaxCodeRef":{"value":"` + taxCodeID(s, "NONE") + `"}}}`
	}
	_, body = call(t, s, tok, http.MethodPost, "/invoice", url.Values{"requestid": {"i1"}}, `{"CustomerRef":{"value":"`+cust.Customer.Id+`"},"Line":[`+line("1")+`]}`)
	var inv struct{ Invoice struct{ Id string } }
	_ = json.Unmarshal([]byte(body), &inv)
	code, body := call(t, s, tok, http.MethodPost, "/invoice", url.Values{"requestid": {"i2"}}, `{"Id":"`+inv.Invoice.Id+`","SyncToken":"0","sparse":true,"Line":[`+line("3")+`]}`)
	if code != 200 || !strings.Contains(body, `"SyncToken":"1"`) || !strings.Contains(body, `"Balance":30.00`) {
		t.Errorf("an update changing the total: %d %s; want SyncToken 1 and balance 30.00", code, body)
	}
}
