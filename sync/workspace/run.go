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
	inbox.Notify = func(o feed.FileOutcome) {
		if o.Type == connectors.Journals && o.Stored.Added+o.Stored.Updated > 0 {
			// Payroll journals are sent at once where the module says so.
			w.SendImportedJournals(ctx)
		}
		if notify != nil {
			notify(o)
		}
	}
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

// SendImportedJournals sends the payroll journals just imported to every
// module that can sync and sends them automatically ("Send payroll
// journals automatically"), each run kept in the run history, and returns
// the runs made.
func (w *Workspace) SendImportedJournals(ctx context.Context) []sync.Report {
	list, err := w.Modules.List(ctx)
	if err != nil {
		w.Log.Error("the modules could not be read to send payroll journals", "err", err)
		return nil
	}
	var reps []sync.Report
	for _, m := range list {
		if !m.CanSync {
			continue
		}
		rep, sent, err := w.Engine.SendJournalsAfterImport(ctx, m.Name)
		if err != nil {
			w.Log.Warn("payroll journals were not sent", "module", m.Name, "err", err)
		}
		if sent {
			w.RecordRun(ctx, rep)
			reps = append(reps, rep)
		}
	}
	return reps
}
