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
				cl, err := listenForChanges(ctx, w, listen, func(format string, args ...any) { say(fmt.Sprintf(format, args...)) })
				if err != nil {
					return codedError{exitSetup, err}
				}
				defer cl.Close()
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
				names = append(names, c.Type.LabelIn(tr)+" "+c.Code)
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
