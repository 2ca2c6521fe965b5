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
	var listen string
	c := &cobra.Command{
		Use:   "run",
		Short: "Sync on schedule without a window, until stopped (for servers)",
		Long: `Run LedgerLink without a window: every ready module syncs on its schedule
(a run missed while the computer was off runs once at start), and business
files dropped in the inbox folder (DATA-DIR/inbox) are imported. Stop it with
Ctrl+C or SIGTERM; a run in progress is stopped cleanly.

With --listen ADDRESS (for example 0.0.0.0:8765) LedgerLink also receives the
change calls of packages that make them (a webhook, a modification URL): each
module answers under /MODULE/ on that address, and a module syncs once its
calls have been quiet for two seconds (a burst of calls is one run). The
package must reach the address: on a desktop behind a router it cannot, and
the scheduled runs keep the books in step instead.`,
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
			if listen != "" {
				cl, err := listenForChanges(ctx, w, listen, say)
				if err != nil {
					return codedError{exitSetup, err}
				}
				defer cl.Close()
				say("Receiving change calls on http://%s/MODULE/…", cl.Addr())
				go cl.watch(ctx, sched, say)
			}
			say("LedgerLink is running; business files go in %s", feed.DefaultInboxDir(w.DataDir))
			err = w.WatchInbox(ctx, func(o feed.FileOutcome) {
				say("%s: %s, %d record(s), %d problem(s)", o.Name, o.Disposition, o.Records, len(o.Problems))
			})
			say("LedgerLink stopped")
			return err
		}),
	}
	c.Flags().StringVar(&listen, "listen", "", "also receive the packages' change calls on this address (host:port)")
	return c
}
