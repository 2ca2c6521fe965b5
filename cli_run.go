package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ledgerlink/sync"
	"ledgerlink/sync/feed"
)

// newScheduler builds the scheduler over every ready module of w.
func (w *workspace) newScheduler(onState func(sync.State)) (*sync.Scheduler, error) {
	return sync.NewScheduler(sync.SchedulerConfig{
		Run: func(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error) {
			rep, err := w.engine.Sync(ctx, module, trigger)
			w.recordRun(ctx, rep)
			return rep, err
		},
		Modules: func() ([]string, error) {
			list, err := w.modules.List(context.Background())
			if err != nil {
				return nil, err
			}
			var ready []string
			for _, m := range list {
				if m.CanSync {
					ready = append(ready, m.Name)
				}
			}
			return ready, nil
		},
		Timing: func(module string) (sync.Timing, error) {
			settings, err := w.db.Settings(module)
			if err != nil {
				return sync.Timing{}, err
			}
			// An unreadable timing falls back to the safe value (manual
			// only for a bad mode); the Notes say what to fix.
			t, _ := sync.TimingFromSettings(settings)
			return t, nil
		},
		LastRun:    w.db.LastScheduled,
		SetLastRun: w.db.SetLastScheduled,
		OnState:    onState,
		Logger:     w.log,
	})
}

// watchInbox imports business files dropped in the data folder's inbox
// until ctx ends.
func (w *workspace) watchInbox(ctx context.Context, notify func(feed.FileOutcome)) error {
	inbox := feed.NewInbox(feed.DefaultInboxDir(w.dataDir), feed.Options{})
	inbox.Logger = w.log
	inbox.Notify = notify
	err := inbox.Watch(ctx, feedSink{w.db}, feed.DefaultInterval)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func runCommand(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Sync on schedule without a window, until stopped (for servers)",
		Long: `Run LedgerLink without a window: every ready module syncs on its schedule
(a run missed while the computer was off runs once at start), and business
files dropped in the inbox folder (DATA-DIR/inbox) are imported. Stop it with
Ctrl+C or SIGTERM; a run in progress is stopped cleanly.`,
		RunE: e.withWorkspace(g, func(ctx context.Context, w *workspace) error {
			say := func(format string, args ...any) {
				if !g.json {
					fmt.Fprintf(e.stdout, time.Now().Format("15:04:05")+" "+format+"\n", args...)
				}
			}
			sched, err := w.newScheduler(func(s sync.State) { say("%s", s) })
			if err != nil {
				return codedError{exitSetup, err}
			}
			if err := sched.Start(ctx); err != nil {
				return codedError{exitSetup, err}
			}
			defer sched.Stop()
			say("LedgerLink is running; business files go in %s", feed.DefaultInboxDir(w.dataDir))
			err = w.watchInbox(ctx, func(o feed.FileOutcome) {
				say("%s: %s, %d record(s), %d problem(s)", o.Name, o.Disposition, o.Records, len(o.Problems))
			})
			say("LedgerLink stopped")
			return err
		}),
	}
}
