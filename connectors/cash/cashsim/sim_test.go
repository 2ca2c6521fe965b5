package cashsim

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type client struct {
	t   *testing.T
	s   *Sim
	key string
}

func (c client) do(method, path, body string) (int, string, http.Header) {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, InProcessURL+BasePath+path, rd)
	req.Header.Set("Authorization", c.key)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	resp, err := c.s.Client().Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header
}

func line(number, account, amount string, extra ...string) string {
	f := map[string]string{"F0901": SampleJournal, "F0301": "2611", "F0302": "261128", "F0303": number, "F0201": account, "F0307": amount}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i]] = extra[i+1]
	}
	raw, _ := json.Marshal(f)
	return `{"R301":[` + string(raw) + `]}`
}

func body(admin string, elements ...string) string {
	return `{"admin":"` + admin + `","format":0,"content":{"cash":[` + strings.Join(elements, ",") + `]}}`
}

func newSim(t *testing.T, opts ...Option) *Sim {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKeys(t *testing.T) {
	s := newSim(t)
	cases := []struct {
		key, want string
		status    int
	}{
		{SandboxKey, `"Code":"HLCR"`, 200},
		{UnlinkedKey, "1002 Unauthorized Access", 401},
		{"nonsense", "Unauthorized", 401},
	}
	for _, tc := range cases {
		st, b, _ := client{t, s, tc.key}.do("GET", "/administrations", "")
		if st != tc.status || !strings.Contains(b, tc.want) {
			t.Errorf("key %q: %d %s; want %d with %q", tc.key, st, b, tc.status, tc.want)
		}
	}
	st, b, _ := client{t, s, SandboxKey}.do("GET", "/get/index/0901T?admin=ELSEWHERE", "")
	if st != 401 || !strings.Contains(b, "1002") {
		t.Errorf("administration not linked: %d %s", st, b)
	}
}

func TestImportRules(t *testing.T) {
	s := newSim(t)
	_ = s.SetPendingPolls(SampleAdmin, 0)
	c := client{t, s, SandboxKey}
	cases := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"balanced", body(SampleAdmin, line("100001", "477", "10,00"), line("100001", "814", "-10,00")), 201, ""},
		{"duplicate", body(SampleAdmin, line("100001", "477", "1,00"), line("100001", "814", "-1,00")), 400, "Stuknummer 100001 bestaat al in dagboek LON"},
		{"seven digits", body(SampleAdmin, line("0100001", "477", "1,00")), 400, "Ongeldige waarde 0303=0100001"},
		{"out of balance", body(SampleAdmin, line("100002", "477", "10,00"), line("100002", "814", "-9,00")), 400, "niet in evenwicht"},
		{"unknown account", body(SampleAdmin, line("100003", "8000", "1,00"), line("100003", "814", "-1,00")), 400, "Ongeldige waarde 0201=8000"},
		{"unknown cost centre", body(SampleAdmin, line("100004", "477", "1,00", "F0911", "ZZ"), line("100004", "814", "-1,00")), 400, "Ongeldige waarde 0911=ZZ"},
		{"dot decimals", body(SampleAdmin, line("100005", "477", "1.00")), 400, "Ongeldige waarde 0307=1.00"},
		{"lower-case journal", body(SampleAdmin, strings.Replace(line("100006", "477", "1,00"), SampleJournal, "lon", 1)), 400, "Ongeldige waarde 0901=lon"},
	}
	for _, tc := range cases {
		st, b, _ := c.do("POST", "/import", tc.body)
		if st != tc.status || !strings.Contains(b, tc.want) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, st, b, tc.status, tc.want)
		}
	}
	if n := len(s.Lines(SampleAdmin, SampleJournal)); n != 2 {
		t.Errorf("%d lines booked, want 2", n)
	}
}

// TestSeveralLinesInOneElement: CASH keeps only the last line of an R301
// list; strict mode refuses such a request.
func TestSeveralLinesInOneElement(t *testing.T) {
	two := `{"admin":"HLCR","format":0,"content":{"cash":[{"R301":[{"F0901":"LON","F0303":"100001","F0201":"477","F0307":"0,00","F0302":"261128","F0301":"2611"},{"F0901":"LON","F0303":"100001","F0201":"814","F0307":"0,00","F0302":"261128","F0301":"2611"}]}]}}`
	lax := newSim(t)
	_ = lax.SetPendingPolls(SampleAdmin, 0)
	if st, b, _ := (client{t, lax, SandboxKey}).do("POST", "/import", two); st != 201 {
		t.Fatalf("non-strict: %d %s", st, b)
	}
	if ls := lax.Lines(SampleAdmin, SampleJournal); len(ls) != 1 || ls[0]["F0201"] != "814" {
		t.Errorf("non-strict kept %v; want only the last line", ls)
	}
	strict := newSim(t, WithStrict())
	if st, _, _ := (client{t, strict, SandboxKey}).do("POST", "/import", two); st != 400 || len(strict.Violations()) != 1 {
		t.Errorf("strict: %d, violations %q", st, strict.Violations())
	}
}

func TestLongDescription(t *testing.T) {
	long := strings.Repeat("x", 30)
	b := body(SampleAdmin, line("100001", "477", "1,00", "F0306", long), line("100001", "814", "-1,00"))
	lax := newSim(t)
	_ = lax.SetPendingPolls(SampleAdmin, 0)
	if st, _, _ := (client{t, lax, SandboxKey}).do("POST", "/import", b); st != 201 {
		t.Fatalf("non-strict refused a long description")
	}
	if ls := lax.Lines(SampleAdmin, SampleJournal); len(ls[0]["F0306"]) != 25 {
		t.Errorf("description kept as %q; want it cut to 25", ls[0]["F0306"])
	}
	strict := newSim(t, WithStrict())
	if st, _, _ := (client{t, strict, SandboxKey}).do("POST", "/import", b); st != 400 || len(strict.Violations()) != 1 {
		t.Errorf("strict took a 30-character description")
	}
}

func TestPendingTransactions(t *testing.T) {
	s := newSim(t)
	c := client{t, s, SandboxKey}
	b := body(NoRightsAdmin, line("100001", "477", "1,00"), line("100001", "814", "-1,00"))
	st, ans, _ := c.do("POST", "/import", b)
	if st != 202 || !strings.Contains(ans, `"status":"Pending"`) {
		t.Fatalf("import into the administration without rights: %d %s", st, ans)
	}
	var tx struct{ Transaction string }
	_ = json.Unmarshal([]byte(ans), &tx)
	for range 10 {
		if _, a, _ := c.do("GET", "/transaction/"+tx.Transaction, ""); !strings.Contains(a, "Pending") {
			t.Fatalf("the transaction left Pending: %s", a)
		}
	}
	c.do("GET", "/get/index/301T?admin="+NoRightsAdmin+"&params=2601|2612", "")
	if n := len(s.Lines(NoRightsAdmin, SampleJournal)); n != 0 {
		t.Fatalf("a stuck import was booked")
	}
	if err := s.GrantRights(NoRightsAdmin); err != nil {
		t.Fatal(err)
	}
	if _, a, _ := c.do("GET", "/transaction/"+tx.Transaction, ""); !strings.Contains(a, "Success") {
		t.Errorf("after the rights were granted: %s", a)
	}
	if _, a, _ := c.do("GET", "/transaction/T999", ""); !strings.Contains(a, "Transaction does not exist") {
		t.Errorf("unknown transaction: %s", a)
	}
}

func TestFaultsAndState(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cash.json")
	s := newSim(t, WithStateFile(file), WithKeyedLists())
	_ = s.SetPendingPolls(SampleAdmin, 0)
	c := client{t, s, SandboxKey}
	s.RateLimitNext(1, 5*time.Second)
	if st, _, h := c.do("GET", "/administrations", ""); st != 429 || h.Get("Retry-After") != "5" {
		t.Errorf("rate limit: %d %v", st, h)
	}
	s.FailNext(1, 503)
	if st, _, _ := c.do("GET", "/administrations", ""); st != 503 {
		t.Errorf("fail: %d", st)
	}
	s.DropNextReplies(1)
	if st, msg, _ := c.do("POST", "/import", body(SampleAdmin, line("100001", "477", "1,00"), line("100001", "814", "-1,00"))); st != 0 {
		t.Errorf("dropped reply arrived: %d %s", st, msg)
	}
	if _, b, _ := c.do("GET", "/administrations", ""); !strings.HasPrefix(b, `{"Dir":[`) || !strings.Contains(b, `"Adm":{"0":`) {
		t.Errorf("keyed lists: %s", b)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := newSim(t, WithStateFile(file))
	if n := len(again.Lines(SampleAdmin, SampleJournal)); n != 2 {
		t.Errorf("after reopening, %d lines; want the 2 booked with the lost reply", n)
	}
}
