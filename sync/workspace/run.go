package workspace

import (
	"context"
	"errors"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
)

// NewScheduler builds the scheduler over every ready module of w.
func (w *Workspace) NewScheduler(onState func(sync.State)) (*sync.Scheduler, error) {
	return sync.NewScheduler(sync.SchedulerConfig{
		Run: func(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error) {
			rep, err := w.Engine.Sync(ctx, module, trigger)
			w.RecordRun(ctx, rep)
			return rep, err
		},
		Modules: func() ([]string, error) {
			list, err := w.Modules.List(context.Background())
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
			settings, err := w.DB.Settings(module)
			if err != nil {
				return sync.Timing{}, err
			}
			// An unreadable timing falls back to the safe value (manual
			// only for a bad mode); the Notes say what to fix.
			t, _ := sync.TimingFromSettings(settings)
			return t, nil
		},
		LastRun:    w.DB.LastScheduled,
		SetLastRun: w.DB.SetLastScheduled,
		OnState: func(st sync.State) {
			w.Engine.SetPaused(st.Paused)
			if onState != nil {
				onState(st)
			}
		},
		Logger: w.Log,
	})
}

// WatchInbox imports business files dropped in the data folder's inbox
// until ctx ends.
func (w *Workspace) WatchInbox(ctx context.Context, notify func(feed.FileOutcome)) error {
	inbox := feed.NewInbox(feed.DefaultInboxDir(w.DataDir), feed.Options{})
	inbox.Logger = w.Log
	inbox.Notify = notify
	err := inbox.Watch(ctx, FeedSink{DB: w.DB}, feed.DefaultInterval)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// FeedSink stores business files in the workspace.
type FeedSink struct{ DB *storage.DB }

// PutRecords stores the records of one business file.
func (s FeedSink) PutRecords(ctx context.Context, origin string, recs []connectors.Record) (feed.Stored, error) {
	r, err := s.DB.PutRecords(ctx, origin, recs)
	return feed.Stored{Added: r.Added, Updated: r.Updated, Unchanged: r.Unchanged}, err
}
