package sync

import (
	"context"
	"testing"
	"time"
)

// TestPacerCountsTheDay: the day's calls are counted against the
// allowance, seeded from an earlier process, and start again at midnight.
func TestPacerCountsTheDay(t *testing.T) {
	day := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		seed      DayCount
		calls     int
		later     time.Duration
		wantCalls int
	}{
		{"counted", DayCount{}, 3, 0, 3},
		{"seeded from today", DayCount{Day: day, Calls: 1200}, 3, 0, 1203},
		{"a seed of yesterday is ignored", DayCount{Day: day.Add(-24 * time.Hour), Calls: 1200}, 3, 0, 3},
		{"midnight starts a new day", DayCount{Day: day, Calls: 1200}, 3, 24 * time.Hour, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := day.Add(9 * time.Hour)
			p := NewPacer(PacingOptions{PerDay: 5000, Now: func() time.Time { return now }})
			p.Seed(tc.seed)
			for range tc.calls {
				if err := p.Do(context.Background(), "test", func(context.Context) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(tc.later)
			got := p.Today()
			if got.Calls != tc.wantCalls || got.Limit != 5000 {
				t.Errorf("today %+v, want %d calls of 5000", got, tc.wantCalls)
			}
		})
	}
}
