package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ledgerlink/sync"
)

func TestRunProgressOnATerminalAndInALog(t *testing.T) {
	run := []sync.ModuleState{
		{Module: "m", Activity: sync.ActivitySyncing, Step: "Connecting"},
		{Module: "m", Activity: sync.ActivitySyncing, Step: "Reading Customers from Books", Done: 40},
		{Module: "m", Activity: sync.ActivitySyncing, Step: "Sending records to Books", Total: 35},
		{Module: "m", Activity: sync.ActivitySyncing, Step: "Sending records to Books", Done: 20, Total: 35},
		{Module: "m", Activity: sync.ActivityWaitingRateLimit, Step: "Sending records to Books", Done: 20, Total: 35, Until: time.Date(2026, 1, 5, 10, 0, 30, 0, time.Local)},
		{Module: "m", Activity: sync.ActivitySyncing, Step: "Sending records to Books", Done: 35, Total: 35},
		{Module: "m", Activity: sync.ActivityIdle, Finished: &sync.Report{Module: "m"}},
	}
	tests := []struct {
		name        string
		interactive bool
		want        []string
		notWant     []string
	}{
		{"terminal", true,
			[]string{"Sending records to Books", "35/35", "slow down; going on at 10:00:30"},
			nil},
		{"log", false,
			[]string{"Connecting…\n", "Reading Customers from Books…\n", "Sending records to Books (35)…\n", "slow down; going on at 10:00:30\n"},
			[]string{"35/35", "\r"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := &runProgress{out: &out, interactive: tc.interactive, w: (&env{}).words()}
			for _, st := range run {
				p.show(st)
			}
			got := out.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%q", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("output has %q:\n%q", w, got)
				}
			}
			if strings.Count(got, "Sending records to Books (35)") > 1 {
				t.Errorf("a stage was announced twice:\n%q", got)
			}
			if p.bar != nil {
				t.Error("the bar is still open after the run ended")
			}
		})
	}
}
