package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
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
calls have been quiet for two seconds (a burst of calls is one pass, which
reads just the records the calls name). The
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

// listenForChanges starts the change listener shared with the window on
// addr, saying what it receives and each pass it makes.
func listenForChanges(ctx context.Context, w *workspace.Workspace, addr string, say func(string, ...any)) (*workspace.ChangeListener, error) {
	tr := w.Words()
	cl, err := w.Listen(ctx, addr, workspace.ListenOptions{Notify: func(ev workspace.ListenEvent) {
		switch ev.Kind {
		case workspace.ListenRefused:
			say("%s", tr.T("verbs.run.listen.refused", "Module", ev.Module, "Status", fmt.Sprintf("%d %s", ev.Status, http.StatusText(ev.Status))))
		case workspace.ListenSyncing:
			names := make([]string, 0, len(ev.Changed))
			for _, c := range ev.Changed {
				names = append(names, c.Type.Label()+" "+c.Code)
			}
			say("%s", tr.T("verbs.run.listen.changes", "Module", ev.Module, "Records", strings.Join(names, ", ")))
		case workspace.ListenSynced:
			if ev.Err != nil {
				say("%s", tr.T("verbs.run.listen.failed", "Module", ev.Module, "Error", tr.Error(ev.Err)))
				return
			}
			say("%s", tr.N("verbs.run.listen.synced", ev.Report.Moved(), "Module", ev.Module))
		}
	}})
	if err != nil {
		return nil, err
	}
	receiving := 0
	for _, m := range cl.Receiving() {
		title := m.Module
		if def, ok := w.Reg.Lookup(m.Module); ok && def.Title != "" {
			title = def.Title
		}
		switch {
		case m.Err != nil:
			say("%s", tr.T("verbs.run.listen.not_receiving", "Module", title, "Reason", tr.Error(m.Err)))
		case !m.Reachable:
			receiving++
			say("%s", tr.T("verbs.run.listen.url", "Module", title, "URL", m.URL))
			say("%s", tr.T("verbs.run.listen.unreachable", "Module", title, "URL", m.URL))
		default:
			receiving++
			say("%s", tr.T("verbs.run.listen.url", "Module", title, "URL", m.URL))
		}
	}
	if receiving == 0 {
		_ = cl.Close()
		return nil, words.Errorf(nil, "verbs.run.listen.none")
	}
	say("%s", tr.T("verbs.run.listen.receiving", "Address", cl.Addr()))
	return cl, nil
}
