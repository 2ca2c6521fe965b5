package unicontasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type client struct {
	t     testing.TB
	sim   *Sim
	hc    *http.Client
	token string
}

func newClient(t testing.TB, opts ...Option) *client {
	t.Helper()
	sim, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, sim: sim, hc: sim.Client()}
	status, body := c.do(http.MethodPost, "/login", `{"Username":"00123456/`+SandboxUser+`","Password":"`+SandboxPassword+`"}`, "application/json")
	var ans loginAnswer
	if status != 200 || json.Unmarshal(body, &ans) != nil || ans.Token == "" {
		t.Fatalf("login: %d %s", status, body)
	}
	c.token = ans.Token
	return c
}

func (c *client) do(method, path, body, contentType string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, InProcessURL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestStrictMode(t *testing.T) {
	cases := []struct {
		name, method, path, body, ct string
		wantIn                       string
	}{
		{"unknown property", "POST", "/Crud/Insert/DebtorClient", `{"Account":"X1","Name":"x","Group":"Indland","Colour":"red"}`, "application/json", `no property "Colour"`},
		{"read-only property", "POST", "/Crud/Insert/DebtorClient", `{"Account":"X1","Name":"x","Group":"Indland","CurBalance":5}`, "application/json", "read-only"},
		{"wrong JSON type", "POST", "/Crud/Insert/DebtorClient", `{"Account":1,"Name":"x","Group":"Indland"}`, "application/json", "wrong JSON type"},
		{"no filter array", "POST", "/Query/Get/DebtorClient", `[]`, "application/json", "at least one QueryFilter"},
		{"filter on unknown property", "POST", "/Query/Get/DebtorClient", `[{"PropertyName":"Colour","FilterValue":"red"}]`, "application/json", `no property "Colour"`},
		{"not JSON", "POST", "/Crud/Insert/DebtorClient", `Account=X1`, "application/x-www-form-urlencoded", "application/json"},
		{"journal line property", "POST", "/GLJournal/PostDailyJournal", `{"Journal":"LEDGERLINK","Lines":[{"Account":"090","Amount":1,"Colour":"red"}]}`, "application/json", `no property "Colour"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, WithStrict())
			status, body := c.do(tc.method, tc.path, tc.body, tc.ct)
			if status != http.StatusBadRequest || !strings.Contains(string(body), tc.wantIn) {
				t.Errorf("%d %s; want 400 saying %q", status, body, tc.wantIn)
			}
			if len(c.sim.Violations()) != 1 {
				t.Errorf("violations %v", c.sim.Violations())
			}
		})
	}
	// Without strict mode the same unknown property is ignored, as Newtonsoft does.
	c := newClient(t)
	if status, body := c.do("POST", "/Crud/Insert/DebtorClient", `{"Account":"X1","Name":"x","Group":"Indland","Colour":"red"}`, "application/json"); status != 200 || !strings.Contains(string(body), `"Account":"X1"`) {
		t.Errorf("lax insert: %d %s", status, body)
	}
}

func TestBusinessErrorsAnswer200WithTheCode(t *testing.T) {
	c := newClient(t, WithStrict())
	insert := func(body string) (int, string) {
		s, b := c.do("POST", "/Crud/Insert/DebtorClient", body, "application/json")
		return s, string(b)
	}
	if s, b := insert(`{"Account":"D9001","Name":"again","Group":"Indland"}`); s != 200 || b != "KeyExists" {
		t.Errorf("duplicate key: %d %q", s, b)
	}
	_, detail := c.do("GET", "/Company/GetLastError/123456&KeyExists", "", "")
	if !strings.Contains(string(detail), "D9001 already exists") {
		t.Errorf("last error: %s", detail)
	}
	if s, b := insert(`{"Account":"N1","Name":"","Group":"Indland"}`); s != 200 || b != "FieldCannotBeBlank" {
		t.Errorf("blank name: %d %q", s, b)
	}
	if s, b := insert(`{"Account":"N1","Name":"x","Group":"Nowhere"}`); s != 200 || b != "CouldNotFind" {
		t.Errorf("unknown group: %d %q", s, b)
	}
	if s, b := c.do("POST", "/Crud/Insert/DebtorInvoiceClient", `{"Account":"D9001"}`, "application/json"); s != 200 || string(b) != "NoRights" {
		t.Errorf("inserting a posted invoice: %d %s", s, b)
	}
}

func TestQueryFilters(t *testing.T) {
	c := newClient(t, WithStrict())
	for _, a := range []string{"A1", "A2", "B1", "B22"} {
		if s, b := c.do("POST", "/Crud/Insert/DebtorClient", `{"Account":"`+a+`","Name":"n `+a+`","Group":"Indland"}`, "application/json"); s != 200 {
			t.Fatalf("%d %s", s, b)
		}
	}
	accounts := func(filters string) string {
		s, b := c.do("POST", "/Query/Get/DebtorClient", filters, "application/json")
		if s != 200 {
			t.Fatalf("%d %s", s, b)
		}
		var rows []struct{ Account string }
		json.Unmarshal(b, &rows)
		var out []string
		for _, r := range rows {
			out = append(out, r.Account)
		}
		return strings.Join(out, ",")
	}
	cases := map[string]string{
		`[{"PropertyName":"Account","FilterValue":"A1;B1"}]`:                                                 "A1,B1",
		`[{"PropertyName":"Account","FilterValue":"A2..B1"}]`:                                                "A2,B1",
		`[{"PropertyName":"Account","FilterValue":"B*"}]`:                                                    "B1,B22",
		`[{"PropertyName":"Name","FilterValue":"*2*"}]`:                                                      "A2,B22",
		`[{"PropertyName":"Account","FilterValue":"a1"}]`:                                                    "A1",
		`[{"PropertyName":"Account","OrderByDescending":true},{"Skip":1,"Take":2}]`:                          "D9001,B22",
		`[{"PropertyName":"Account","FilterValue":"A*"},{"PropertyName":"Account","OrderBy":true,"Take":1}]`: "A1",
	}
	for f, want := range cases {
		if got := accounts(f); got != want {
			t.Errorf("%s: %s, want %s", f, got, want)
		}
	}
}

func TestTokensAndCounter(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := newClient(t, WithClock(clock))
	if s, _ := c.do("POST", "/Query/Get/GLVatClient", `[{}]`, "application/json"); s != 200 {
		t.Fatal(s)
	}
	if n := c.sim.CallsToday(SandboxUser); n != 2 {
		t.Errorf("calls today %d, want 2 (login and query)", n)
	}
	now = now.Add(61 * time.Minute)
	if s, _ := c.do("POST", "/Query/Get/GLVatClient", `[{}]`, "application/json"); s != http.StatusUnauthorized {
		t.Errorf("an access token older than an hour: %d", s)
	}
	c.token = ""
	if s, b := c.do("POST", "/login", `{"Username":"00999999/`+SandboxUser+`","Password":"`+SandboxPassword+`"}`, "application/json"); s != 200 || string(b) != `"NoCompanyId"` {
		t.Errorf("an unknown company: %d %s", s, b)
	}
	if s, _ := c.do("POST", "/login", `{"Username":"`+SandboxUser+`","Password":"nope"}`, "application/json"); s != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d", s)
	}
	now = now.Add(24 * time.Hour)
	if n := c.sim.CallsToday(SandboxUser); n != 0 {
		t.Errorf("the counter did not start afresh the next day: %d", n)
	}
}

func TestStateFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	c := newClient(t, WithStateFile(path))
	if s, _ := c.do("POST", "/Crud/Insert/DebtorClient", `{"Account":"KEEP","Name":"kept","Group":"Indland"}`, "application/json"); s != 200 {
		t.Fatal(s)
	}
	c.sim.Close()
	again := newClient(t, WithStateFile(path))
	_, b := again.do("POST", "/Query/Get/DebtorClient", `[{"PropertyName":"Account","FilterValue":"KEEP"}]`, "application/json")
	if !bytes.Contains(b, []byte("kept")) {
		t.Errorf("the state was not kept: %s", b)
	}
	os.WriteFile(path, []byte("{broken"), 0o600)
	fresh := newClient(t, WithStateFile(path))
	_, b = fresh.do("POST", "/Query/Get/DebtorClient", `[{"PropertyName":"Account","FilterValue":"KEEP"}]`, "application/json")
	if bytes.Contains(b, []byte("kept")) {
		t.Errorf("an unreadable state was used")
	}
	matches, _ := filepath.Glob(path + ".unreadable-*")
	if len(matches) != 1 {
		t.Errorf("the unreadable state was not moved aside: %v", matches)
	}
}

func TestPostingRules(t *testing.T) {
	c := newClient(t, WithStrict())
	post := func(body string) string {
		_, b := c.do("POST", "/GLJournal/PostDailyJournal", body, "application/json")
		return string(b)
	}
	if got := post(`{"Journal":"NOPE","Lines":[]}`); !strings.Contains(got, "CouldNotFind") {
		t.Errorf("unknown journal: %s", got)
	}
	if got := post(`{"Journal":"LEDGERLINK","Lines":[{"AccountType":"Finans","Account":"477","Amount":10},{"AccountType":"Finans","Account":"814","Amount":-9}]}`); !strings.Contains(got, "ErrorInJournal") {
		t.Errorf("unbalanced: %s", got)
	}
	if got := post(`{"Journal":"LEDGERLINK","Lines":[{"AccountType":"Debtor","Account":"D9001","OffsetAccountType":"Finans","OffsetAccount":"090","Amount":-5,"Invoice":"77"}]}`); !strings.Contains(got, "ErrorInJournal") {
		t.Errorf("unknown invoice: %s", got)
	}
	if got := post(`{"Journal":"LEDGERLINK","Lines":[{"AccountType":"Finans","Account":"477","Amount":10,"Dimension1":"SHOP"},{"AccountType":"Finans","Account":"814","Amount":-10}]}`); !strings.Contains(got, `"Err":0`) {
		t.Errorf("a good journal: %s", got)
	}
	_, b := c.do("POST", "/Invoice/GenerateDebtorInvoice", `{"Order":{"Account":"D9001","Currency":"DKK"},"Lines":[{"Item":"DELIVERY","Qty":2,"Price":10,"Vat":"U25"}],"Date":"2026-11-30T00:00:00"}`, "application/json")
	var res struct {
		Err           any
		InvoiceNumber int
		Header        map[string]any
	}
	if json.Unmarshal(b, &res) != nil || res.InvoiceNumber != 1 || res.Header["TotalAmount"].(float64) != 25 {
		t.Errorf("posting an invoice: %s", b)
	}
}

func FuzzMatches(f *testing.F) {
	for _, s := range []string{"a;b", "1..5", "*x*", "..", ";;", "**", "01-01-2025..31-05-2025"} {
		f.Add("abc", s)
	}
	f.Fuzz(func(t *testing.T, value, filter string) {
		for _, k := range []kind{kString, kInt, kNumber, kDate, kBool} {
			matches(value, filter, k)
		}
	})
}

// FuzzServe: no request, however malformed, makes the simulator fail; it
// answers every one.
func FuzzServe(f *testing.F) {
	for _, s := range [][3]string{
		{"POST", "/Query/Get/DebtorClient", `[{"PropertyName":"Account","FilterValue":"D*;..9"}]`},
		{"POST", "/Crud/InsertMasterAndDetails/DebtorOrderClient/DebtorOrderLineClient", `{"Master":{"Account":"D9001"},"Details":[{"Qty":1}]}`},
		{"POST", "/Invoice/GenerateDebtorInvoice", `{"OrderNumber":7}`},
		{"POST", "/GLJournal/PostDailyJournal", `{"Journal":"LEDGERLINK","Lines":[{"AccountType":"Debtor","Account":"D9001","Invoice":"x"}]}`},
		{"PUT", "/Crud/UpdateList/DebtorClientUser", `[{"RowId":1,"LoyaltyTier":3}]`},
		{"GET", "/Company/GetLastError/123456&", ``},
		{"DELETE", "/Crud/DeleteList/GLTransClient", `[{}]`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	c := newClient(f, WithStrict())
	f.Fuzz(func(t *testing.T, method, path, body string) {
		cl := &client{t: t, sim: c.sim, hc: c.sim.Client(), token: c.token}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#%") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return
		}
		req, err := http.NewRequest(method, InProcessURL+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+cl.token)
		resp, err := cl.hc.Do(req)
		if err != nil {
			if strings.Contains(err.Error(), "unexpected EOF") {
				return // a lost reply the fuzzer switched on cannot happen here
			}
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
	})
}
