package cli

import (
	"context"
	"fmt"
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
	t := e.words()
	c := &cobra.Command{
		Use:   "run",
		Short: t.T("verbs.run.short"),
		Long:  t.T("verbs.run.long"),
		RunE: e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			// say prints one line of what happens, after the time of day.
			say := func(line string) {
				if !g.json {
					fmt.Fprintln(e.stdout, t.Clock(time.Now())+" "+line)
				}
			}
			sched, err := w.NewScheduler(func(s sync.State) { say(stateText(t, s)) })
			if err != nil {
				return codedError{exitSetup, err}
			}
			if err := sched.Start(ctx); err != nil {
				return codedError{exitSetup, err}
			}
			defer sched.Stop()
			if listen != "" {
				cl, err := listenForChanges(ctx, w, listen, t, say)
				if err != nil {
					return codedError{exitSetup, err}
				}
				defer cl.Close()
				say(t.T("verbs.run.listening", "Address", "http://"+cl.Addr()+"/MODULE/…"))
				go cl.watch(ctx, sched, t, say)
			}
			say(t.T("verbs.run.running", "Inbox", feed.DefaultInboxDir(w.DataDir)))
			err = w.WatchInbox(ctx, func(o feed.FileOutcome) {
				say(t.T("verbs.run.file_line", "File", o.Name, "Outcome", dispositionText(t, o.Disposition),
					"Records", t.N("verbs.run.records", o.Records), "Problems", t.N("verbs.run.problems", len(o.Problems))))
			})
			say(t.T("verbs.run.stopped"))
			return err
		}),
	}
	c.Flags().StringVar(&listen, "listen", "", t.T("verbs.run.flag.listen"))
	return c
}

// stateText says what the scheduler is doing.
func stateText(t *words.Words, s sync.State) string {
	running := strings.Join(s.Running, ", ")
	switch {
	case s.Idle() && s.Paused:
		return t.T("verbs.run.state.paused")
	case s.Idle():
		return t.T("verbs.run.state.idle")
	case s.Paused:
		return t.T("verbs.run.state.running_paused", "Modules", running)
	}
	return t.T("verbs.run.state.running", "Modules", running)
}

// dispositionText says what became of a file dropped in the inbox.
func dispositionText(t *words.Words, d feed.Disposition) string {
	switch d {
	case feed.Imported:
		return t.T("verbs.run.file.imported")
	case feed.Failed:
		return t.T("verbs.run.file.failed")
	case feed.Retry:
		return t.T("verbs.run.file.retry")
	}
	return string(d)
}
