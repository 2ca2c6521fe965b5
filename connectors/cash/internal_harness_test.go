package cash

import (
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"

	"ledgerlink/connectors/cash/cashsim"
)

// newInternalHarness opens a connection to a strict simulator whose
// imports are processed at once.
func newInternalHarness(t *testing.T) *Conn {
	t.Helper()
	sim, err := cashsim.New(cashsim.WithStrict())
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.SetPendingPolls(cashsim.SampleAdmin, 0); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("strict violations: %q", v)
		}
	})
	u := srv.URL + cashsim.BasePath
	s := settings{admin: cashsim.SampleAdmin, journal: cashsim.SampleJournal, pendingWait: 120e9}
	s.api, _ = url.Parse(u)
	s.targets = []target{{s.admin, s.journal}}
	return &Conn{set: s, key: cashsim.SandboxKey, hc: srv.Client(), log: slog.New(slog.DiscardHandler), clock: realClock{}, pollEvery: pollEvery}
}
