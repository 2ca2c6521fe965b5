package workspace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/all"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync"
)

// events collects what a listener tells.
type events struct {
	mu   stdsync.Mutex
	list []ListenEvent
}

func (e *events) add(ev ListenEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) of(kind ListenEventKind) []ListenEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []ListenEvent
	for _, ev := range e.list {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listeningSandbox is a Sandbox workspace whose Uniconta module talks to
// a simulator the test holds, synced once, with its change listener on.
func listeningSandbox(t *testing.T) (*Workspace, *unicontasim.Sim, *requests, *ChangeListener, *events) {
	t.Helper()
	ctx := context.Background()
	w, err := Open(t.TempDir(), true, false, Options{
		Registry: func(bool) (*connectors.Registry, error) { return all.Registry() },
		Keyring:  func() secrets.Store { return secrets.NewMemory() },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.Install(ctx, "uniconta", nil); err != nil {
		t.Fatal(err)
	}
	sim, err := unicontasim.New()
	if err != nil {
		t.Fatal(err)
	}
	paths := &requests{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		paths.add(r.URL.Path)
		sim.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	ev := &events{}
	cl, err := w.Listen(ctx, "127.0.0.1:0", ListenOptions{Quiet: 150 * time.Millisecond, Poll: 10 * time.Millisecond, Notify: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	if _, err := w.Modules.Apply(ctx, "uniconta", map[string]string{
		"api_url":        srv.URL,
		"opt.notify_url": "http://" + cl.Addr() + "/uniconta/s3cret",
	}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Engine.Sync(ctx, "uniconta", sync.TriggerManual); err != nil {
		t.Fatal(err)
	}
	return w, sim, paths, cl, ev
}

// requests keeps the paths the simulator was asked for.
type requests struct {
	mu    stdsync.Mutex
	paths []string
}

func (r *requests) add(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, p)
}

// since returns the paths asked for after the first n.
func (r *requests) since(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.paths[n:])
}

func (r *requests) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.paths)
}

// TestListenerAnswersAndSyncsTheChangedRecord: calls without the secret,
// for another company or for a table LedgerLink does not keep change
// nothing; a burst of calls about one debtor is one pass that reads just
// that debtor.
func TestListenerAnswersAndSyncsTheChangedRecord(t *testing.T) {
	w, sim, paths, cl, ev := listeningSandbox(t)
	ctx := context.Background()
	link, found, err := w.DB.Link(ctx, "uniconta", sync.Ref{Type: connectors.Customers, Code: "D9001"})
	if err != nil || !found {
		t.Fatalf("the first sync did not link D9001: %v", err)
	}
	company := strconv.Itoa(unicontasim.SandboxCompany)
	base := "http://" + cl.Addr() + "/uniconta/"
	tests := []struct {
		name         string
		url          string
		status       int
		wantAccepted int
		wantRefused  int
	}{
		{"wrong secret", base + "guess?CompanyId=" + company + "&Table=Debtor&Key=D9001", http.StatusNotFound, 0, 1},
		{"wrong company", base + "s3cret?CompanyId=1&Table=Debtor&Key=D9001", http.StatusForbidden, 0, 1},
		{"a table LedgerLink does not keep", base + "s3cret?CompanyId=" + company + "&Table=GLAccount&Key=1000", http.StatusNoContent, 1, 0},
		{"no module of that name", "http://" + cl.Addr() + "/nobody/s3cret?CompanyId=" + company, http.StatusNotFound, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := cl.Module("uniconta").Arrival
			resp, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("answered %d, want %d", resp.StatusCode, tc.status)
			}
			got := cl.Module("uniconta").Arrival
			if got.Accepted-before.Accepted != tc.wantAccepted || got.Refused-before.Refused != tc.wantRefused {
				t.Errorf("arrivals %+v after %+v", got, before)
			}
			if tc.wantRefused > 0 && (got.RefusedStatus != tc.status || got.LastRefused.IsZero()) {
				t.Errorf("the refusal is not kept: %+v", got)
			}
		})
	}
	if passes := ev.of(ListenSyncing); len(passes) != 0 {
		t.Fatalf("calls that named no record LedgerLink keeps made passes: %+v", passes)
	}

	// The person renames the debtor in Uniconta; Uniconta calls three times.
	if err := sim.EditInUniconta(unicontasim.SandboxCompany, "DebtorClient", "D9001", map[string]any{"Name": "Café Nørrebro Nord ApS"}); err != nil {
		t.Fatal(err)
	}
	calls, _ := w.CallsToday("uniconta")
	asked := paths.count()
	for range 3 {
		resp, err := http.Get(base + "s3cret?CompanyId=" + company + "&Table=Debtor&Key=D9001&RowId=" + link.RemoteID + "&Operation=Update")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("Uniconta's call answered %d", resp.StatusCode)
		}
	}
	waitUntil(t, 10*time.Second, "the pass over the changed debtor", func() bool { return len(ev.of(ListenSynced)) > 0 })
	done := ev.of(ListenSynced)
	if len(done) != 1 || done[0].Err != nil || done[0].Report.Trigger != sync.TriggerChange {
		t.Fatalf("passes %+v, want one", done)
	}
	if ch := done[0].Changed; len(ch) != 1 || ch[0].Code != "D9001" || ch[0].RemoteID != link.RemoteID {
		t.Errorf("changed %+v, want D9001 once", ch)
	}
	sr, err := w.DB.Get(ctx, connectors.Customers, "D9001")
	if err != nil || sr.Record.Party.Name != "Café Nørrebro Nord ApS" {
		t.Fatalf("D9001 is %+v (%v), want the new name", sr.Record.Party, err)
	}
	after, _ := w.CallsToday("uniconta")
	var reads []string
	for _, p := range paths.since(asked) {
		if strings.HasPrefix(p, "/Query/Get/") && !slices.Contains(connectionChecks, p) {
			reads = append(reads, p)
		}
	}
	t.Logf("the pass made %d calls to Uniconta (counted %d): %v", len(paths.since(asked)), after.Calls-calls.Calls, paths.since(asked))
	if len(reads) != 1 || reads[0] != "/Query/Get/DebtorClientUser" {
		t.Errorf("the pass read %v; want the one debtor read once", reads)
	}
	if after.Calls-calls.Calls != len(paths.since(asked)) {
		t.Errorf("the day's count grew by %d for %d calls", after.Calls-calls.Calls, len(paths.since(asked)))
	}
	// For comparison: a full run with nothing changed.
	asked = paths.count()
	if _, err := w.Engine.Sync(ctx, "uniconta", sync.TriggerManual); err != nil {
		t.Fatal(err)
	}
	if full := len(paths.since(asked)); full <= len(reads) {
		t.Errorf("a full run made %d calls, no more than the pass", full)
	} else {
		t.Logf("a full run with nothing changed made %d calls", full)
	}
	if st := cl.Module("uniconta"); st.Accepted < 4 || st.LastAccepted.IsZero() {
		t.Errorf("arrivals %+v", st.Arrival)
	}
}

// connectionChecks are the reads every connection makes before its work:
// the modification URL's Has errors mark and the custom fields' types.
var connectionChecks = []string{"/Query/Get/TableChangeEventClient", "/Query/Get/TableFieldsClient"}

// TestListenerShowsTheAddressToPaste: the URL is the listener's address
// with the module's secret path; a loopback or private address cannot be
// reached by a package on the internet.
func TestListenerShowsTheAddressToPaste(t *testing.T) {
	tests := []struct {
		addr, want string
		reachable  bool
	}{
		{"127.0.0.1:8765", "http://127.0.0.1:8765/m/s3cret", false},
		{"192.168.1.20:8765", "http://192.168.1.20:8765/m/s3cret", false},
		{"203.0.113.7:80", "http://203.0.113.7:80/m/s3cret", true},
	}
	for _, tc := range tests {
		got, reachable := receiverURL(tc.addr, "m", "s3cret")
		if got != tc.want || reachable != tc.reachable {
			t.Errorf("%s: %s reachable=%v, want %s %v", tc.addr, got, reachable, tc.want, tc.reachable)
		}
	}
}

// TestListenSettingIsCheckedAndKept: the window's setting is saved in the
// data folder, a bad address refused.
func TestListenSettingIsCheckedAndKept(t *testing.T) {
	w, err := Open(t.TempDir(), false, false, Options{
		Registry: func(bool) (*connectors.Registry, error) { return all.Registry() },
		Keyring:  func() secrets.Store { return secrets.NewMemory() },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if s := w.ListenSetting(); s.Enabled || s.Addr() != DefaultListenAddress {
		t.Fatalf("a new folder's setting %+v", s)
	}
	tests := []struct {
		setting ListenSetting
		ok      bool
	}{
		{ListenSetting{Enabled: true}, true},
		{ListenSetting{Enabled: true, Address: "127.0.0.1:9000"}, true},
		{ListenSetting{Enabled: true, Address: ":9000"}, true},
		{ListenSetting{Enabled: true, Address: "nowhere"}, false},
		{ListenSetting{Enabled: true, Address: "127.0.0.1:99999"}, false},
		{ListenSetting{Enabled: true, Address: "example.com:80"}, false},
		{ListenSetting{Enabled: false, Address: "127.0.0.1:9001"}, true},
	}
	for _, tc := range tests {
		before := w.ListenSetting()
		err := w.SetListenSetting(tc.setting)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok=%v", tc.setting, err, tc.ok)
		}
		want := before
		if tc.ok {
			want = tc.setting
		}
		if got := w.ListenSetting(); got != want {
			t.Errorf("after %+v the setting is %+v, want %+v", tc.setting, got, want)
		}
	}
}
