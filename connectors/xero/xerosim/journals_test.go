package xerosim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type journalsAnswer struct {
	Pagination     struct{ Page, PageSize, PageCount, ItemCount int } `json:"pagination"`
	ManualJournals []ManualJournal
}

func newJournalFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	f := newFixture(t, opts...)
	f.token = f.clientCredentials("accounting.manualjournals accounting.settings")
	return f
}

func journalBody(narration, date, status string, lines ...string) string {
	el := map[string]any{"Narration": narration, "Date": date, "JournalLines": []any{}}
	if status != "" {
		el["Status"] = status
	}
	var ls []any
	for _, l := range lines {
		code, amount, _ := strings.Cut(l, "=")
		ls = append(ls, map[string]any{"AccountCode": code, "LineAmount": json.Number(amount), "Description": "line " + code})
	}
	if ls != nil {
		el["JournalLines"] = ls
	}
	b, _ := json.Marshal(map[string]any{"ManualJournals": []any{el}})
	return string(b)
}

func TestManualJournalValidation(t *testing.T) {
	f := newJournalFixture(t, WithStrict())
	if err := f.sim.SetLockDates(f.tenant, "2026-03-31", ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body string
		want string // "" means saved
	}{
		{"balanced", journalBody("J-1 – Payroll", "2026-04-30", "POSTED", "429=1250.00", "814=-1250.00"), ""},
		{"balanced draft in a locked period", journalBody("J-2 – Payroll", "2026-03-15", "", "429=10", "814=-10"), ""},
		{"unbalanced", journalBody("J-3 – Payroll", "2026-04-30", "POSTED", "429=1250.00", "814=-1200.00"), "The total debits (1250.00) must equal total credits (1200.00)."},
		{"one line", journalBody("J-4 – Payroll", "2026-04-30", "", "429=0"), "A manual journal must have at least two journal lines."},
		{"unknown account", journalBody("J-5 – Payroll", "2026-04-30", "", "999=5", "814=-5"), "Account code '999' is not a valid code for this document."},
		{"bank account", journalBody("J-6 – Payroll", "2026-04-30", "", "090=5", "814=-5"), "Account code '090' is not a valid code for this document."},
		{"archived account", journalBody("J-7 – Payroll", "2026-04-30", "", "477=5", "814=-5"), "Account code '477' has been archived"},
		{"posted in a locked period", journalBody("J-8 – Payroll", "2026-03-15", "POSTED", "429=5", "814=-5"), "cannot be before the period lock date"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"Idempotency-Key": "k" + string(rune('a'+i))}
			path := "/ManualJournals?summarizeErrors=false"
			status, body, _ := f.api(http.MethodPut, path, tc.body, hdr)
			var env journalsAnswer
			if err := json.Unmarshal([]byte(body), &env); err != nil || status != 200 || len(env.ManualJournals) != 1 {
				t.Fatalf("%d %s", status, body)
			}
			mj := env.ManualJournals[0]
			if tc.want == "" {
				if mj.StatusAttributeString != "OK" || mj.ManualJournalID == zeroID || len(mj.ValidationErrors) > 0 {
					t.Errorf("not saved: %s", body)
				}
				return
			}
			if mj.StatusAttributeString != "ERROR" || mj.ManualJournalID != zeroID || len(mj.ValidationErrors) == 0 ||
				!strings.Contains(mj.ValidationErrors[0].Message+mj.ValidationErrors[len(mj.ValidationErrors)-1].Message, tc.want) {
				t.Errorf("want %q, got %s", tc.want, body)
			}
		})
	}
	// Strict mode refuses a blank narration before Xero's own rule; the
	// rule itself is checked with the plain simulator.
	plain := newJournalFixture(t)
	_, body, _ := plain.api(http.MethodPut, "/ManualJournals?summarizeErrors=false", journalBody("", "2026-04-30", "", "429=5", "814=-5"), nil)
	if !strings.Contains(body, "Narration cannot be empty") {
		t.Errorf("a journal without narration: %s", body)
	}
	// Only the two good journals were kept.
	_, body, _ = f.api(http.MethodGet, "/ManualJournals", "", nil)
	var env journalsAnswer
	json.Unmarshal([]byte(body), &env)
	if len(env.ManualJournals) != 2 {
		t.Errorf("%d journals kept; want 2: %s", len(env.ManualJournals), body)
	}
}

func TestManualJournalsListPagingFilterAndChanges(t *testing.T) {
	f := newJournalFixture(t)
	var ids []string
	for i := range 5 {
		status, body, _ := f.api(http.MethodPut, "/ManualJournals?summarizeErrors=false",
			journalBody("J-"+string(rune('A'+i))+" – Payroll", "2026-04-30", "", "429=10", "814=-10"), nil)
		var env journalsAnswer
		if json.Unmarshal([]byte(body), &env) != nil || status != 200 || len(env.ManualJournals) != 1 {
			t.Fatalf("%d %s", status, body)
		}
		ids = append(ids, env.ManualJournals[0].ManualJournalID)
		f.clock.advance(time.Minute)
	}
	var env journalsAnswer
	_, body, _ := f.api(http.MethodGet, "/ManualJournals?page=2&pageSize=2", "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.ManualJournals) != 2 || env.Pagination.PageCount != 3 || env.Pagination.ItemCount != 5 ||
		env.ManualJournals[0].Narration != "J-C – Payroll" || len(env.ManualJournals[0].JournalLines) != 2 {
		t.Fatalf("page 2: %s", body)
	}
	env = journalsAnswer{}
	_, body, _ = f.api(http.MethodGet, "/ManualJournals", "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.ManualJournals) != 5 || len(env.ManualJournals[0].JournalLines) != 0 {
		t.Errorf("an unpaged list shows lines or misses journals: %s", body)
	}
	env = journalsAnswer{}
	where := url.QueryEscape(`Narration.StartsWith("J-B – ") OR Narration.StartsWith("J-D – ")`)
	_, body, _ = f.api(http.MethodGet, "/ManualJournals?page=1&where="+where, "", nil)
	json.Unmarshal([]byte(body), &env)
	if len(env.ManualJournals) != 2 || env.ManualJournals[0].ManualJournalID != ids[1] || env.ManualJournals[1].ManualJournalID != ids[3] {
		t.Errorf("where on the narration: %s", body)
	}
	env = journalsAnswer{}
	_, body, _ = f.api(http.MethodGet, "/ManualJournals?page=1", "", map[string]string{"If-Modified-Since": "2026-05-04T09:03:00"})
	json.Unmarshal([]byte(body), &env)
	if len(env.ManualJournals) != 2 {
		t.Errorf("If-Modified-Since: %d journals, want the last 2: %s", len(env.ManualJournals), body)
	}
	env = journalsAnswer{}
	status, body, _ := f.api(http.MethodGet, "/ManualJournals/"+ids[4], "", nil)
	json.Unmarshal([]byte(body), &env)
	if status != 200 || len(env.ManualJournals) != 1 || len(env.ManualJournals[0].JournalLines) != 2 {
		t.Errorf("get one: %d %s", status, body)
	}
	if status, _, _ := f.api(http.MethodGet, "/ManualJournals/"+newID(), "", nil); status != http.StatusNotFound {
		t.Errorf("get an unknown journal: %d", status)
	}
}

func TestManualJournalUpdateAndReplay(t *testing.T) {
	f := newJournalFixture(t)
	key := map[string]string{"Idempotency-Key": "same"}
	body := journalBody("J-1 – Payroll", "2026-04-30", "POSTED", "429=10", "814=-10")
	_, first, _ := f.api(http.MethodPut, "/ManualJournals?summarizeErrors=false", body, key)
	_, again, _ := f.api(http.MethodPut, "/ManualJournals?summarizeErrors=false", body, key)
	if first != again {
		t.Errorf("a replayed request got another answer:\n%s\n%s", first, again)
	}
	var env journalsAnswer
	json.Unmarshal([]byte(first), &env)
	id := env.ManualJournals[0].ManualJournalID
	_, list, _ := f.api(http.MethodGet, "/ManualJournals", "", nil)
	if n := strings.Count(list, `"ManualJournalID"`); n != 1 {
		t.Errorf("%d journals after a replay; want 1", n)
	}
	up := `{"ManualJournals":[{"ManualJournalID":"` + id + `","Narration":"J-1 – Payroll (amended)"}]}`
	_, body, _ = f.api(http.MethodPost, "/ManualJournals?summarizeErrors=false", up, nil)
	if !strings.Contains(body, `"StatusAttributeString":"OK"`) || !strings.Contains(body, "(amended)") || !strings.Contains(body, `"LineAmount":-10.00`) {
		t.Errorf("update of the narration: %s", body)
	}
	back := `{"ManualJournals":[{"ManualJournalID":"` + id + `","Status":"DRAFT"}]}`
	if _, body, _ = f.api(http.MethodPost, "/ManualJournals?summarizeErrors=false", back, nil); !strings.Contains(body, "cannot be changed back to a draft") {
		t.Errorf("a posted journal went back to draft: %s", body)
	}
}
