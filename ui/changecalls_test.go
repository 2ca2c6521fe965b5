package ui

import (
	"context"
	"net/http"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
)

// fakeChangeCalls is the change-call endpoint.
type fakeChangeCalls struct {
	mu      stdsync.Mutex
	setting workspace.ListenSetting
	r       workspace.Receiving
	applied []workspace.ListenSetting
}

func (f *fakeChangeCalls) Setting() workspace.ListenSetting {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.setting
}

func (f *fakeChangeCalls) Apply(_ context.Context, s workspace.ListenSetting) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := s.Check(); err != nil {
		return err
	}
	f.setting = s
	f.applied = append(f.applied, s)
	f.r.Listening = s.Enabled
	return nil
}

func (f *fakeChangeCalls) Module(module string) (workspace.Receiving, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.r
	r.Module = module
	return r, module == "books"
}

func (f *fakeChangeCalls) set(change func(r *workspace.Receiving)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.r)
}

// TestAccountTabShowsTheAddressToPasteAndTheArrivals: the Account tab
// shows the address to paste into the package with a Copy button, says
// when a call was accepted and refused (and why), and says plainly when the
// package cannot reach the address.
func TestAccountTabShowsTheAddressToPasteAndTheArrivals(t *testing.T) {
	const url = "http://192.168.1.20:8765/books/s3cret"
	cc := &fakeChangeCalls{setting: workspace.ListenSetting{Enabled: true, Address: "0.0.0.0:8765"},
		r: workspace.Receiving{Listening: true, URL: url}}
	h := newHarness(t, installed(readySettings()), func(_ *harness, svc *Services) { svc.ChangeCalls = cc })
	cs := openConfigure(t, h)
	v := cs.account.changeCalls
	if v == nil {
		t.Fatal("the Account tab has no change-call part")
	}
	h.waitTrace("change calls module=books url=" + url + " accepted=0")
	if v.url.Text != url || v.copy.Disabled() || !v.content.Visible() {
		t.Fatalf("address %q, copy disabled %v", v.url.Text, v.copy.Disabled())
	}
	if !strings.Contains(v.arrival.Text, "No call has arrived yet") {
		t.Errorf("arrival %q", v.arrival.Text)
	}
	if !v.note.Visible() || !strings.Contains(v.note.Text, "cannot reach this address") || !strings.Contains(v.note.Text, "Scheduled syncs still keep things in step") {
		t.Errorf("a private address should be called unreachable: %q", v.note.Text)
	}
	test.Tap(v.copy)
	if got := h.fa.Clipboard().Content(); got != url {
		t.Errorf("the clipboard holds %q", got)
	}

	// Calls arrive; the endpoint tells the window, which reads them again.
	accepted := h.now.Add(-2 * time.Minute)
	cc.set(func(r *workspace.Receiving) {
		r.Accepted, r.LastAccepted = 3, accepted
		r.Refused, r.LastRefused, r.RefusedStatus = 1, h.now.Add(-time.Minute), http.StatusForbidden
		r.URL, r.Reachable = "http://203.0.113.7:8765/books/s3cret", true
	})
	h.hub.Changed("books")
	h.waitTrace("accepted=3 refused=1")
	if !strings.Contains(v.arrival.Text, "Last call accepted: "+humanTime(h.app.w, accepted, h.now)+" (3 in all)") {
		t.Errorf("arrival %q", v.arrival.Text)
	}
	if !strings.Contains(v.arrival.Text, "Last call refused: ") || !strings.Contains(v.arrival.Text, "another organisation") {
		t.Errorf("the refusal and why: %q", v.arrival.Text)
	}
	if v.note.Visible() {
		t.Errorf("a public address needs no note: %q", v.note.Text)
	}
}

// TestAccountTabTurnsChangeCallsOnAndOff: the setting is applied as typed;
// a bad address is refused with the reason.
func TestAccountTabTurnsChangeCallsOnAndOff(t *testing.T) {
	tests := []struct {
		name    string
		enabled bool
		address string
		want    string
		applied bool
	}{
		{"on", true, "127.0.0.1:9000", "Listening for change calls on 127.0.0.1:9000.", true},
		{"off", false, "", "No longer listening for change calls.", true},
		{"a bad address", true, "nowhere", "cannot listen for change calls", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cc := &fakeChangeCalls{}
			h := newHarness(t, installed(readySettings()), func(_ *harness, svc *Services) { svc.ChangeCalls = cc })
			v := openConfigure(t, h).account.changeCalls
			h.waitTrace("change calls module=books")
			if !strings.Contains(v.note.Text, "Change calls are off") {
				t.Errorf("note while off: %q", v.note.Text)
			}
			v.enabled.SetChecked(tc.enabled)
			v.address.SetText(tc.address)
			test.Tap(v.apply)
			h.waitTrace("change calls applied module=books")
			if !strings.Contains(v.result.Text, tc.want) {
				t.Errorf("result %q, want %q", v.result.Text, tc.want)
			}
			cc.mu.Lock()
			n := len(cc.applied)
			cc.mu.Unlock()
			if (n == 1) != tc.applied {
				t.Errorf("%d settings applied", n)
			}
		})
	}
}

// TestModuleScreenShowsTheDaysCalls: a package with a daily allowance
// shows the day's calls on the module screen.
func TestModuleScreenShowsTheDaysCalls(t *testing.T) {
	tests := []struct {
		name  string
		count sync.DayCount
		ok    bool
		want  string
	}{
		{"a daily allowance", sync.DayCount{Calls: 1234, Limit: 5000}, true, "Calls today: 1,234 of 5,000"},
		{"no allowance", sync.DayCount{}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, installed(readySettings()), func(_ *harness, svc *Services) {
				svc.CallsToday = func(string) (sync.DayCount, bool) { return tc.count, tc.ok }
			})
			h.app.ShowModule("books", workExport)
			ms := h.app.work
			if ms == nil {
				t.Fatal("the module screen did not open")
			}
			if ms.calls.Text != tc.want || ms.calls.Visible() != (tc.want != "") {
				t.Errorf("calls %q (shown %v), want %q", ms.calls.Text, ms.calls.Visible(), tc.want)
			}
		})
	}
}
