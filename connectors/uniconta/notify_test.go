package uniconta_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
)

// TestChangeNotifications: a change made in Uniconta reaches LedgerLink
// through the modification URL (one change per record, taken after a
// quiet moment); a failing address gets "Has errors" ticked, Check reports
// it with the fix, Refresh clears it and the calls resume.
func TestChangeNotifications(t *testing.T) {
	const secret = "s3cr3t-path"
	recvClock := newClock()
	recv := uniconta.NewReceiver(secret, unicontasim.SandboxCompany, recvClock.Now)
	var failing atomic.Bool
	failing.Store(true)
	mux := http.NewServeMux()
	mux.Handle("/uniconta/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "LedgerLink is not running", http.StatusBadGateway)
			return
		}
		recv.ServeHTTP(w, r)
	}))
	endpoint := httptest.NewServer(mux)
	t.Cleanup(endpoint.Close)
	address := endpoint.URL + "/uniconta/" + secret

	h := newHarness(t, harnessOpt{settings: map[string]string{uniconta.KeyNotifyURL: address}})
	rowID, err := h.sim.AddChangeURL(unicontasim.SandboxCompany, address, unicontasim.TableDebtor, false)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name string) {
		t.Helper()
		if err := h.sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "D9001", map[string]any{"Name": name}); err != nil {
			t.Fatal(err)
		}
	}
	// The address fails: after three failed calls Uniconta ticks Has errors.
	for i := range unicontasim.FailuresBeforeHasError {
		edit("Café Nørrebro " + string(rune('A'+i)))
		h.sim.FlushNotifications(t.Context())
	}
	if has, msg := h.sim.ChangeURL(unicontasim.SandboxCompany, rowID); !has || !strings.Contains(msg, "502") {
		t.Fatalf("HasError %v, %q after failed calls", has, msg)
	}
	edit("ignored while flagged")
	if n := h.sim.PendingNotifications(); n != 0 {
		t.Errorf("%d calls queued while Has errors is ticked; Uniconta sends none", n)
	}
	_, err = h.conn.Check(t.Context())
	var cl *uniconta.ChangeLinkError
	if !errors.As(err, &cl) || !strings.Contains(cl.Message, "502") {
		t.Fatalf("Check: %v; want the Has errors flag with Uniconta's message", err)
	}
	if !errors.Is(err, connectors.ErrNeedsAction) {
		t.Errorf("Check: %v does not say the person must act (ErrNeedsAction)", err)
	}
	why, ok := h.conn.Explain(err)
	why = why.In(wordsIn(t, "da"))
	if !ok || !strings.Contains(why.Fix, "tryk på Ændrings URL/Modification URL") || !strings.Contains(why.Fix, "tryk på Opdater/Refresh") {
		t.Errorf("Explain: %+v; want the seed's Danish steps", why)
	}
	// The endpoint is fixed and Refresh pressed in LedgerLink.
	failing.Store(false)
	if err := h.conn.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.conn.Check(t.Context()); err != nil {
		t.Fatalf("Check after Refresh: %v", err)
	}
	edit("Café Nørrebro ApS")
	edit("Café Nørrebro ApS (2)")
	if got := h.sim.FlushNotifications(t.Context()); got != 2 {
		t.Fatalf("%d calls delivered after Refresh, want 2", got)
	}
	if got := recv.Take(2 * time.Second); got != nil {
		t.Errorf("changes taken before the calls went quiet: %+v", got)
	}
	recvClock.Advance(3 * time.Second)
	got := recv.Take(2 * time.Second)
	if len(got) != 1 || got[0].Key != "D9001" || got[0].Table != "Debtor" || got[0].Operation != "Update" {
		t.Fatalf("changes %+v; want one update of debtor D9001", got)
	}
	if n, last := recv.Arrived(); n != 2 || last.IsZero() {
		t.Errorf("Arrived = %d, %v", n, last)
	}
	// The engine reads just that record.
	found, err := h.conn.FindByCode(t.Context(), connectors.Customers, []string{got[0].Key})
	if err != nil || len(found) != 1 || found[0].Record.Party.Name != "Café Nørrebro ApS (2)" {
		t.Errorf("reading the changed debtor: %v %+v", err, found)
	}
}

// TestReceiverRefuses: a wrong secret or another company is refused; a
// table LedgerLink does not keep is acknowledged and ignored.
func TestReceiverRefuses(t *testing.T) {
	recv := uniconta.NewReceiver("right", 123456, nil)
	cases := []struct {
		url  string
		want int
	}{
		{"/uniconta/wrong?CompanyId=123456&Table=Debtor&Key=1", http.StatusNotFound},
		{"/uniconta/right?CompanyId=999&Table=Debtor&Key=1", http.StatusForbidden},
		{"/uniconta/right?CompanyId=123456&Table=Project&Key=1", http.StatusNoContent},
		{"/uniconta/right?CompanyId=123456&Table=Debtor&Key=1&Operation=Insert", http.StatusNoContent},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		recv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.url, nil))
		if rec.Code != tc.want {
			t.Errorf("%s answered %d, want %d", tc.url, rec.Code, tc.want)
		}
	}
	if got := recv.Take(0); len(got) != 1 || got[0].Operation != "Insert" {
		t.Errorf("changes %+v", got)
	}
	post := httptest.NewRequest(http.MethodPost, "/uniconta/right?CompanyId=123456&Table=Debtor&RowId=7&Operation=Update", strings.NewReader(`{"Account":"D1","Name":"x"}`))
	rec := httptest.NewRecorder()
	recv.ServeHTTP(rec, post)
	if got := recv.Take(0); rec.Code != http.StatusNoContent || len(got) != 1 || got[0].Key != "D1" {
		t.Errorf("a call with the record posted: %d %+v", rec.Code, got)
	}
}

// FuzzReceiver: whatever Uniconta (or anyone) calls the address with, the
// receiver answers without failing and collects only well-formed changes
// of its own company.
func FuzzReceiver(f *testing.F) {
	f.Add("/uniconta/right", "CompanyId=123456&Table=Debtor&Key=D1&RowId=5&Operation=Update", "")
	f.Add("/uniconta/right", "CompanyId=123456&Table=Debtor&RowId=5", `{"Account":"D9"}`)
	f.Add("/x", "%zz", "{")
	f.Fuzz(func(t *testing.T, path, query, body string) {
		recv := uniconta.NewReceiver("right", 123456, nil)
		method := http.MethodGet
		if body != "" {
			method = http.MethodPost
		}
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL.Path, req.URL.RawQuery = path, query
		rec := httptest.NewRecorder()
		recv.ServeHTTP(rec, req)
		for _, ch := range recv.Take(0) {
			if !strings.EqualFold(ch.Table, "debtor") && !strings.EqualFold(ch.Table, "creditor") && !strings.EqualFold(ch.Table, "invitem") {
				t.Fatalf("collected a change of table %q", ch.Table)
			}
		}
		if rec.Code == http.StatusNoContent && path[strings.LastIndex(path, "/")+1:] != "right" {
			t.Fatalf("accepted the path %q", path)
		}
	})
}
