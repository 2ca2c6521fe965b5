package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
)

func runCommand(e *env, g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Sync on schedule without a window, until stopped (for servers)",
		Long: `Run LedgerLink without a window: every ready module syncs on its schedule
(a run missed while the computer was off runs once at start), and business
files dropped in the inbox folder (DATA-DIR/inbox) are imported. Stop it with
Ctrl+C or SIGTERM; a run in progress is stopped cleanly.`,
		RunE: e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			say := func(format string, args ...any) {
				if !g.json {
					fmt.Fprintf(e.stdout, time.Now().Format("15:04:05")+" "+format+"\n", args...)
				}
			}
			sched, err := w.NewScheduler(func(s sync.State) { say("%s", s) })
			if err != nil {
				return codedError{exitSetup, err}
			}
			if err := sched.Start(ctx); err != nil {
				return codedError{exitSetup, err}
			}
			defer sched.Stop()
			say("LedgerLink is running; business files go in %s", feed.DefaultInboxDir(w.DataDir))
			err = w.WatchInbox(ctx, func(o feed.FileOutcome) {
				say("%s: %s, %d record(s), %d problem(s)", o.Name, o.Disposition, o.Records, len(o.Problems))
			})
			say("LedgerLink stopped")
			return err
		}),
	}
}
