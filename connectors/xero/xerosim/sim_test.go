package xerosim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      *testing.T
	sim    *Sim
	srv    *httptest.Server
	clock  *testClock
	token  string
	tenant string
}

func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	sim, err := New(append([]Option{WithClock(clk.now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	f := &fixture{t: t, sim: sim, srv: srv, clock: clk, tenant: sim.DefaultTenantID()}
	f.token = f.clientCredentials("accounting.contacts accounting.invoices accounting.payments accounting.settings")
	return f
}

func (f *fixture) clientCredentials(scope string) string {
	f.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(SandboxClientID, SandboxClientSecret)
	var tok tokenAnswer
	status, body := f.do(req, &tok)
	if status != 200 || tok.AccessToken == "" {
		f.t.Fatalf("client credentials: %d %s", status, body)
	}
	return tok.AccessToken
}

func (f *fixture) do(req *http.Request, out any) (int, string) {
	f.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("answer %s: %v", b, err)
		}
	}
	return resp.StatusCode, string(b)
}

func (f *fixture) api(method, path, body string, hdr map[string]string) (int, string, http.Header) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.srv.URL+apiRoot+path, rd)
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("xero-tenant-id", f.tenant)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestStrictCheckerNamesTheRuleBroken(t *testing.T) {
	f := newFixture(t, WithStrict())
	good := map[string]string{"Idempotency-Key": "k1"}
	tests := []struct {
		name, path, body string
		hdr              map[string]string
		want             string
	}{
		{"quoted number", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","Contact":{"Name":"A"},"LineItems":[{"Description":"x","Quantity":"1"}]}]}`, good, "Invoices[0].LineItems[0].Quantity must be a number, not a string"},
		{"bad enum", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"SALES","Contact":{"Name":"A"},"LineItems":[]}]}`, good, `Invoices[0].Type is "SALES"; it must be one of ACCPAY, ACCREC`},
		{"missing required", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","LineItems":[]}]}`, good, "Invoices[0].Contact is required when creating a Invoice"},
		{"unknown field", "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"A","contactNumber":"x"}]}`, good, "Contacts[0].contactNumber is not a field of Contact"},
		{"too long", "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"A","ContactNumber":"` + strings.Repeat("x", 51) + `"}]}`, good, "ContactNumber is 51 characters; at most 50"},
		{"read-only", "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"A","IsCustomer":true}]}`, good, "IsCustomer is read-only"},
		{"date format", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","Contact":{"Name":"A"},"LineItems":[],"Date":"04/05/2026"}]}`, good, "dates are sent as YYYY-MM-DD"},
		{"not a guid", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","Contact":{"ContactID":"42"},"LineItems":[]}]}`, good, "is not a GUID"},
		{"currency", "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","Contact":{"Name":"A"},"LineItems":[],"CurrencyCode":"euro"}]}`, good, "three capital letters"},
		{"no idempotency key", "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"A"}]}`, nil, "Idempotency-Key"},
		{"summarize left on", "/Contacts", `{"Contacts":[{"Name":"A"}]}`, good, "summarizeErrors=false"},
		{"unknown parameter", "/Contacts?pagesize=5", "", nil, `the parameter "pagesize" is not taken`},
		{"page size too big", "/Contacts?page=1&pageSize=5000", "", nil, "pageSize must be a whole number from 1 to 1000"},
		{"bad where", "/Contacts?where=" + url.QueryEscape(`Name=="x`), "", nil, "where filter"},
		{"no accept", "/Contacts", "", map[string]string{"Accept": ""}, "Accept header"},
	}
	for _, tc := range tests {
		method := http.MethodGet
		if tc.body != "" {
			method = http.MethodPut
		}
		status, body, _ := f.api(method, tc.path, tc.body, tc.hdr)
		var e struct{ Type, Message string }
		json.Unmarshal([]byte(body), &e)
		if status != http.StatusBadRequest || !strings.Contains(e.Message, tc.want) || e.Type != "PostDataInvalidException" {
			t.Errorf("%s: %d %s; want 400 naming %q", tc.name, status, body, tc.want)
		}
	}
	if n := len(f.sim.Violations()); n < len(tests) {
		t.Errorf("%d violations kept for %d bad requests", n, len(tests))
	}
	// A conforming request passes.
	status, body, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"Good Ltd","ContactNumber":"G1"}]}`, good)
	if status != 200 || !strings.Contains(body, `"StatusAttributeString":"OK"`) {
		t.Errorf("good request: %d %s", status, body)
	}
}

func TestSummarizedErrorsRollBack(t *testing.T) {
	f := newFixture(t)
	// Without summarizeErrors=false one bad element fails the whole request
	// and nothing is saved.
	status, body, _ := f.api(http.MethodPut, "/Contacts", `{"Contacts":[{"Name":"New One"},{"Name":""}]}`, nil)
	if status != 400 || !strings.Contains(body, `"Type":"ValidationException"`) || !strings.Contains(body, "The contact name must be specified.") {
		t.Fatalf("summarized error: %d %s", status, body)
	}
	var env struct{ Contacts []Contact }
	status, body, _ = f.api(http.MethodGet, "/Contacts", "", nil)
	if err := json.Unmarshal([]byte(body), &env); err != nil || status != 200 || len(env.Contacts) != 0 {
		t.Fatalf("contacts after a refused batch: %d %s", status, body)
	}
}

func TestListingsPageAndFilter(t *testing.T) {
	f := newFixture(t)
	var els []string
	for i := range 12 {
		els = append(els, `{"Name":"Contact `+string(rune('A'+i))+`","ContactNumber":"N`+string(rune('A'+i))+`"}`)
	}
	status, body, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[`+strings.Join(els, ",")+`]}`, nil)
	if status != 200 {
		t.Fatal(body)
	}
	var env struct {
		Pagination struct{ Page, PageSize, PageCount, ItemCount int } `json:"pagination"`
		Contacts   []Contact
	}
	_, body, hdr := f.api(http.MethodGet, "/Contacts?page=2&pageSize=5", "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.Contacts) != 5 || env.Pagination.PageCount != 3 || env.Pagination.ItemCount != 12 || env.Contacts[0].ContactNumber != "NF" {
		t.Fatalf("page 2: %s", body)
	}
	if hdr.Get("X-MinLimit-Remaining") == "" || hdr.Get("X-DayLimit-Remaining") == "" || hdr.Get("X-AppMinLimit-Remaining") == "" {
		t.Fatalf("limit headers missing: %v", hdr)
	}
	where := url.QueryEscape(`ContactNumber=="NA" OR (Name.StartsWith("Contact") AND ContactNumber=="NL")`)
	_, body, _ = f.api(http.MethodGet, "/Contacts?where="+where, "", nil)
	env.Contacts = nil
	json.Unmarshal([]byte(body), &env)
	if len(env.Contacts) != 2 {
		t.Fatalf("where filter gave %s", body)
	}
	// If-Modified-Since in the ISO form and as an HTTP date.
	f.clock.advance(time.Hour)
	f.token = f.clientCredentials("accounting.contacts")
	f.api(http.MethodPost, "/Contacts?summarizeErrors=false", `{"Contacts":[{"ContactNumber":"NB","EmailAddress":"b@example.com"}]}`, nil)
	for _, since := range []string{f.clock.now().Add(-time.Minute).Format("2006-01-02T15:04:05"), f.clock.now().Add(-time.Minute).Format(http.TimeFormat)} {
		env.Contacts = nil
		_, body, _ = f.api(http.MethodGet, "/Contacts", "", map[string]string{"If-Modified-Since": since})
		json.Unmarshal([]byte(body), &env)
		if len(env.Contacts) != 1 || env.Contacts[0].EmailAddress != "b@example.com" || env.Contacts[0].Name != "Contact B" {
			t.Fatalf("modified since %s: %s", since, body)
		}
	}
}

func TestInvoiceListLeavesLinesOutUnlessPaged(t *testing.T) {
	f := newFixture(t)
	status, body, _ := f.api(http.MethodPut, "/Invoices?summarizeErrors=false", `{"Invoices":[{"Type":"ACCREC","Contact":{"Name":"A"},"Date":"2026-05-01","LineItems":[{"Description":"x","Quantity":2,"UnitAmount":1.2345,"AccountCode":"200"}]}]}`, nil)
	if status != 200 {
		t.Fatal(body)
	}
	var env struct{ Invoices []Invoice }
	_, body, _ = f.api(http.MethodGet, "/Invoices", "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.Invoices) != 1 || env.Invoices[0].LineItems != nil {
		t.Fatalf("unpaged list: %s", body)
	}
	_, body, _ = f.api(http.MethodGet, "/Invoices?page=1&unitdp=4", "", nil)
	env.Invoices = nil
	json.Unmarshal([]byte(body), &env)
	inv := env.Invoices[0]
	if len(inv.LineItems) != 1 || inv.LineItems[0].UnitAmount.String() != "1.23" || inv.Total.String() != "2.95" {
		// Without unitdp=4 on the write, Xero keeps two places: 1.23 × 2 = 2.46 + 20% = 2.95.
		t.Fatalf("paged list: %s", body)
	}
	if !strings.Contains(body, `"Date":"/Date(1777593600000+0000)/"`) || !strings.Contains(body, `"DateString":"2026-05-01T00:00:00"`) {
		t.Fatalf("dates not in Xero's forms: %s", body)
	}
}

func TestAccessRules(t *testing.T) {
	f := newFixture(t)
	status, body, hdr := f.api(http.MethodGet, "/Organisation", "", map[string]string{"Authorization": "Bearer nope"})
	if status != 401 || !strings.Contains(body, "AuthenticationUnsuccessful") || hdr.Get("WWW-Authenticate") == "" {
		t.Errorf("bad token: %d %s", status, body)
	}
	status, body, _ = f.api(http.MethodGet, "/Organisation", "", map[string]string{"xero-tenant-id": ""})
	if status != 403 || !strings.Contains(body, "AuthorizationUnsuccessful") {
		t.Errorf("no tenant: %d %s", status, body)
	}
	other := f.sim.AddTenant("Other Ltd", "USD")
	status, _, _ = f.api(http.MethodGet, "/Organisation", "", map[string]string{"xero-tenant-id": other})
	if status != 403 {
		t.Errorf("a custom connection reached another organisation: %d", status)
	}
	f.token = f.clientCredentials("accounting.contacts.read")
	if status, _, _ := f.api(http.MethodGet, "/Invoices", "", nil); status != 403 {
		t.Errorf("invoices read without an invoices scope: %d", status)
	}
	if status, _, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"x"}]}`, nil); status != 403 {
		t.Errorf("contacts written with a read-only scope: %d", status)
	}
	f.clock.advance(AccessTokenLifetime)
	status, body, _ = f.api(http.MethodGet, "/Contacts", "", nil)
	if status != 401 || !strings.Contains(body, "TokenExpired") {
		t.Errorf("expired token: %d %s", status, body)
	}
	if status, _, _ := f.api(http.MethodGet, "/Nothing", "", nil); status != 401 {
		t.Errorf("unknown path before auth: %d", status)
	}
}

func TestIdempotencyKeyReplays(t *testing.T) {
	f := newFixture(t)
	hdr := map[string]string{"Idempotency-Key": "same"}
	_, first, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"Once"}]}`, hdr)
	_, second, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"Once"}]}`, hdr)
	if first != second {
		t.Fatalf("replay differs:\n%s\n%s", first, second)
	}
	var env struct{ Contacts []Contact }
	_, body, _ := f.api(http.MethodGet, "/Contacts", "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.Contacts) != 1 {
		t.Fatalf("%d contacts after a replay", len(env.Contacts))
	}
	if status, _, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"x"}]}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 129)}); status != 400 {
		t.Fatalf("a 129-character key was taken: %d", status)
	}
}

func TestRateLimitWindows(t *testing.T) {
	f := newFixture(t, WithRateLimits(RateLimits{PerMinute: 2, PerDay: 3}))
	for i := range 2 {
		if status, _, _ := f.api(http.MethodGet, "/Organisation", "", nil); status != 200 {
			t.Fatalf("call %d: %d", i, status)
		}
	}
	status, _, hdr := f.api(http.MethodGet, "/Organisation", "", nil)
	if status != 429 || hdr.Get("X-Rate-Limit-Problem") != "minute" || hdr.Get("Retry-After") != "60" {
		t.Fatalf("third call in a minute: %d %v", status, hdr)
	}
	f.clock.advance(time.Minute)
	f.api(http.MethodGet, "/Organisation", "", nil)
	status, _, hdr = f.api(http.MethodGet, "/Organisation", "", nil)
	if status != 429 || hdr.Get("X-Rate-Limit-Problem") != "day" {
		t.Fatalf("fourth call of a three-a-day allowance: %d %v", status, hdr)
	}
}

func TestAuthorizationCodeFlow(t *testing.T) {
	f := newFixture(t)
	verifier := "a-very-long-verifier-string-of-at-least-forty-three-characters"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(params url.Values) *http.Response {
		resp, err := noRedirect.PostForm(f.srv.URL+"/identity/connect/authorize", params)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	base := url.Values{"response_type": {"code"}, "client_id": {DesktopClientID}, "redirect_uri": {"http://127.0.0.1:53123/callback"},
		"scope": {"offline_access accounting.contacts"}, "state": {"s1"}, "code_challenge": {challenge},
		"code_challenge_method": {"S256"}, "consent": {"allow"}}
	resp := authorize(base)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Host != "127.0.0.1:53123" || loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, loc)
	}
	exchange := func(code, verifier string) (int, tokenAnswer) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"http://127.0.0.1:53123/callback"},
			"client_id": {DesktopClientID}, "code_verifier": {verifier}}
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/connect/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var tok tokenAnswer
		status, _ := f.do(req, &tok)
		return status, tok
	}
	if status, _ := exchange(loc.Query().Get("code"), "wrong-verifier"); status != 400 {
		t.Fatalf("wrong verifier: %d", status)
	}
	// The code was spent by the failed attempt.
	if status, _ := exchange(loc.Query().Get("code"), verifier); status != 400 {
		t.Fatalf("code reused: %d", status)
	}
	resp = authorize(base)
	loc, _ = url.Parse(resp.Header.Get("Location"))
	status, tok := exchange(loc.Query().Get("code"), verifier)
	if status != 200 || tok.RefreshToken == "" || tok.ExpiresIn != 1800 {
		t.Fatalf("exchange: %d %+v", status, tok)
	}
	// Refresh rotates; the old token works within the grace window and
	// answers with the same successor; after it, it is refused.
	refresh := func(rt string) (int, tokenAnswer) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DesktopClientID}}
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/connect/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		var out tokenAnswer
		status, _ := f.do(req, &out)
		return status, out
	}
	s1, t1 := refresh(tok.RefreshToken)
	s2, t2 := refresh(tok.RefreshToken)
	if s1 != 200 || s2 != 200 || t1.RefreshToken == tok.RefreshToken || t2.RefreshToken != t1.RefreshToken {
		t.Fatalf("rotation: %d %d %q %q", s1, s2, t1.RefreshToken, t2.RefreshToken)
	}
	f.clock.advance(RefreshGraceWindow + time.Second)
	if s, _ := refresh(tok.RefreshToken); s != 400 {
		t.Fatalf("old refresh token after the grace window: %d", s)
	}
	if s, _ := refresh(t1.RefreshToken); s != 200 {
		t.Fatalf("current refresh token: %d", s)
	}
	// Registered loopback redirects accept any port; others are refused.
	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad.Set("redirect_uri", "https://evil.example/callback")
	if resp := authorize(bad); resp.StatusCode != 400 {
		t.Fatalf("foreign redirect: %d", resp.StatusCode)
	}
	bad.Set("redirect_uri", "http://127.0.0.1:1/callback")
	bad.Del("code_challenge")
	resp = authorize(bad)
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("no PKCE: %s", resp.Header.Get("Location"))
	}
}

func TestStatePersistsAndSurvivesDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sim.json")
	f := newFixture(t, WithStateFile(path))
	if status, body, _ := f.api(http.MethodPut, "/Contacts?summarizeErrors=false", `{"Contacts":[{"Name":"Kept Ltd"}]}`, nil); status != 200 {
		t.Fatal(body)
	}
	again, err := New(WithStateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	if got := again.DefaultTenantID(); got != f.tenant {
		t.Fatalf("tenant after reload %s, want %s", got, f.tenant)
	}
	if n := len(again.st.Tenants[0].Contacts); n != 1 {
		t.Fatalf("%d contacts after reload", n)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := New(WithStateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh.st.Tenants) != 1 || len(fresh.st.Tenants[0].Contacts) != 0 {
		t.Fatal("a damaged state file did not give a fresh sample organisation")
	}
	matches, _ := filepath.Glob(path + ".unreadable-*")
	if len(matches) != 1 {
		t.Fatalf("the damaged file was not kept aside: %v", matches)
	}
}

func TestListenAndServeStaysOnLoopback(t *testing.T) {
	sim, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"0.0.0.0:0", "192.168.1.5:8080", ":8080", "example.com:80", "nonsense"} {
		if err := ListenAndServe(context.Background(), addr, sim); err == nil {
			t.Errorf("ListenAndServe(%q) was allowed", addr)
		}
	}
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, addr, sim) }()
	answered := false
	for range 100 {
		resp, err := http.Get("http://" + addr + "/connections")
		if err == nil {
			resp.Body.Close()
			answered = resp.StatusCode == http.StatusUnauthorized
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("loopback server: %v", err)
	}
	if !answered {
		t.Fatal("the loopback server did not answer")
	}
}

func TestWhereParser(t *testing.T) {
	rec := map[string]any{"Type": "ACCREC", "Status": "PAID", "Total": json.Number("10.50"), "IsCustomer": true,
		"Contact": map[string]any{"ContactID": "AB7B8C1E-0000-4000-8000-000000000000"}, "Date": "/Date(1777593600000+0000)/", "Reference": ""}
	tests := map[string]bool{
		`Type=="ACCREC"`:                                    true,
		`Type=="accrec"`:                                    false,
		`Type!="ACCPAY" AND Status=="PAID"`:                 true,
		`Type=="ACCPAY" OR (Status=="PAID" && Total>=10.5)`: true,
		`Total<10`:             false,
		`IsCustomer==true`:     true,
		`NOT IsCustomer==true`: false,
		`Contact.ContactID==Guid("ab7b8c1e-0000-4000-8000-000000000000")`: true,
		`Date>=DateTime(2026, 05, 01) AND Date<DateTime(2026,05,02)`:      true,
		`Reference==null`:            true,
		`Status.Contains("ai")`:      true,
		`Missing=="x"`:               false,
		`Type=="A \"quoted\" value"`: false,
	}
	for expr, want := range tests {
		n, err := parseWhere(expr)
		if err != nil {
			t.Errorf("parseWhere(%q): %v", expr, err)
			continue
		}
		got, err := n.eval(rec)
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", expr, got, err, want)
		}
	}
	for _, bad := range []string{``, `Type==`, `Type="x"`, `(Type=="x"`, `Type=="x" AND`, `Guid("x")==Type`, `Type==Guid("nope")`, `Name.Contains(3)`} {
		if _, err := parseWhere(bad); err == nil {
			t.Errorf("parseWhere(%q) was accepted", bad)
		}
	}
}

func FuzzParseWhere(f *testing.F) {
	for _, s := range []string{`Type=="ACCREC"`, `A==1 OR (B!=null AND C.Contains("x"))`, `D>=DateTime(2020,1,2)`, `X==Guid("00000000-0000-0000-0000-000000000000")`, `((`, `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseWhere(s)
		if err != nil {
			return
		}
		_, _ = n.eval(map[string]any{"A": json.Number("1"), "B": "b", "C": map[string]any{"x": true}})
	})
}
