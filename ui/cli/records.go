package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

func importCommand(e *env, g *globalFlags) *cobra.Command {
	var typeName, currency string
	t := e.words()
	c := &cobra.Command{
		Use:   "import FILE...",
		Short: t.T("verbs.import.short"),
		Long:  t.T("verbs.import.long"),
		Args:  cobra.MinimumNArgs(1),
	}
	c.Flags().StringVar(&typeName, "type", "", t.T("verbs.import.flag.type"))
	c.Flags().StringVar(&currency, "currency", "", t.T("verbs.import.flag.currency"))
	c.RunE = func(cmd *cobra.Command, files []string) error {
		var opts feed.Options
		if typeName != "" {
			t, err := connectors.ParseRecordType(typeName)
			if err != nil {
				return codedError{exitSetup, err}
			}
			opts.Type = t
		}
		opts.DefaultCurrency = strings.ToUpper(currency)
		return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			var outcomes []feed.FileOutcome
			problems, fileErrors := 0, 0
			for _, f := range files {
				out, err := feed.ImportFile(ctx, f, workspace.FeedSink{DB: w.DB}, opts)
				if err != nil {
					fileErrors++
					if out.Error == "" {
						out.Error = err.Error()
					}
					if out.Path == "" {
						out.Path = f
					}
				}
				problems += len(out.Problems)
				outcomes = append(outcomes, out)
			}
			if err := e.printer(g).emit(outcomes, func(o io.Writer) {
				for _, out := range outcomes {
					if out.Error != "" {
						fmt.Fprintln(o, t.T("verbs.import.not_imported", "File", out.Path, "Problem", out.Error))
						continue
					}
					fmt.Fprintln(o, t.N("verbs.import.imported", out.Records, "File", out.Path, "Type", out.Type.LabelIn(t),
						"New", t.Int(int64(out.Stored.Added)), "Changed", t.Int(int64(out.Stored.Updated)), "Unchanged", t.Int(int64(out.Stored.Unchanged))))
					for _, p := range out.Problems {
						fmt.Fprintf(o, "  - %s\n", p)
					}
				}
			}); err != nil {
				return err
			}
			for _, out := range outcomes {
				if out.Type == connectors.Journals && out.Stored.Added+out.Stored.Updated > 0 {
					for _, rep := range w.SendImportedJournals(ctx) {
						if !g.json {
							fmt.Fprintln(e.stderr, t.T("verbs.import.journals_sent", "Module", rep.Module))
							printReport(e.stderr, t, rep)
						}
					}
					break
				}
			}
			if fileErrors > 0 || problems > 0 {
				return itemsError{fileErrors + problems}
			}
			return nil
		})(cmd, files)
	}
	return c
}

// parseRefs reads TYPE:CODE arguments.
func parseRefs(args []string) ([]sync.Ref, error) {
	refs := make([]sync.Ref, 0, len(args))
	for _, a := range args {
		r, err := storage.ParseRef(a)
		if err != nil {
			return nil, codedError{exitSetup, err}
		}
		refs = append(refs, r)
	}
	return refs, nil
}

func pendingCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "pending MODULE",
		Short: e.words().T("verbs.pending.short"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			if err := w.Engine.Refresh(ctx, module); err != nil {
				return err
			}
			items, err := w.Engine.Pending(ctx, module)
			if err != nil {
				return err
			}
			t := e.words()
			return e.printer(g).emit(nonNil(items), func(o io.Writer) {
				if len(items) == 0 {
					fmt.Fprintln(o, t.T("verbs.pending.none"))
					return
				}
				fmt.Fprintln(o, t.T("verbs.pending.header"))
				for _, it := range items {
					fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\n", it.Type, it.Code, t.Date(it.SourceDate.Time), kindText(t, it.Kind), checkText(t, it.Check))
				}
			})
		})(cmd, args)
	}
	return c
}

// kindText is the New/Updated column in words.
func kindText(t *words.Words, k storage.Kind) string {
	switch k {
	case storage.KindNew:
		return t.T("verbs.kind.new")
	case storage.KindUpdated:
		return t.T("verbs.kind.updated")
	}
	return string(k)
}

// checkText is the Pre-check column in words.
func checkText(t *words.Words, c storage.Check) string {
	var status string
	switch c.Status {
	case storage.CheckNotRun:
		return t.T("verbs.check.not_run")
	case storage.CheckOK:
		status = t.T("verbs.check.ok")
	case storage.CheckProblems:
		status = t.T("verbs.check.problems")
	default:
		status = string(c.Status)
	}
	if len(c.Problems) == 0 {
		if len(c.Notes) > 0 {
			return status + ": " + strings.Join(c.Notes, "; ")
		}
		return status
	}
	parts := make([]string, 0, len(c.Problems))
	for _, p := range c.Problems {
		parts = append(parts, p.Cause)
	}
	return status + ": " + strings.Join(parts, "; ")
}

func precheckCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "precheck MODULE [TYPE:CODE...]", // words:verbatim the verb's form: its name and arguments
		Short: e.words().T("verbs.precheck.short"),
		Args:  cobra.MinimumNArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		refs, err := parseRefs(args[1:])
		if err != nil {
			return err
		}
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			if err := w.Engine.Refresh(ctx, module); err != nil {
				return err
			}
			items, err := w.Engine.Precheck(ctx, module, refs)
			if err != nil {
				return err
			}
			failed := 0
			for _, it := range items {
				if len(it.Check.Problems) > 0 {
					failed++
				}
			}
			t := e.words()
			if err := e.printer(g).emit(nonNil(items), func(o io.Writer) {
				for _, it := range items {
					if len(it.Check.Problems) == 0 {
						fmt.Fprintln(o, t.T("verbs.precheck.ready", "Type", it.Type.LabelIn(t), "Code", it.Code))
						continue
					}
					fmt.Fprintf(o, "%s %s:\n", it.Type.LabelIn(t), it.Code)
					for _, p := range it.Check.Problems {
						fmt.Fprintf(o, "  - %s\n    %s\n", p.Cause, t.T("verbs.precheck.fix", "Fix", p.Fix))
					}
				}
				fmt.Fprintln(o, t.N("verbs.precheck.summary", len(items), "Failed", t.Int(int64(failed))))
			}); err != nil {
				return err
			}
			if failed > 0 {
				return itemsError{failed}
			}
			return nil
		})(cmd, args)
	}
	return c
}

func uploadCommand(e *env, g *globalFlags) *cobra.Command {
	var all bool
	t := e.words()
	c := &cobra.Command{
		Use:   "upload MODULE (--all | TYPE:CODE...)",
		Short: t.T("verbs.upload.short"),
		Long:  t.T("verbs.upload.long"),
		Args:  cobra.MinimumNArgs(1),
	}
	c.Flags().BoolVar(&all, "all", false, t.T("verbs.upload.flag.all"))
	c.RunE = func(cmd *cobra.Command, args []string) error {
		refs, err := parseRefs(args[1:])
		if err != nil {
			return err
		}
		if all == (len(refs) > 0) {
			return codedError{exitSetup, words.Errorf(nil, "verbs.upload.what")}
		}
		return e.withReadyModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			if err := w.Engine.Refresh(ctx, module); err != nil {
				return err
			}
			stop := e.followRun(g, w, module)
			rep, err := workspace.RecordingEngine{Engine: w.Engine, W: w}.Upload(ctx, module, refs, nil)
			stop()
			return e.report(g, rep, err)
		})(cmd, args)
	}
	return c
}

// report prints a run report and turns it into the exit code.
func (e *env) report(g *globalFlags, rep sync.Report, runErr error) error {
	if err := e.printer(g).emit(rep, func(o io.Writer) { printReport(o, e.words(), rep) }); err != nil {
		return err
	}
	if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
		// Ctrl+C, SIGTERM or a timeout: say what it means for the books.
		return codedError{exitSetup, words.Errorf(nil, "verbs.report.stopped", "Reason", runErr.Error())}
	}
	if runErr != nil {
		return runErr
	}
	if len(rep.Errors) > 0 {
		return codedError{exitSetup, fmt.Errorf("%s", strings.Join(rep.Errors, "; "))}
	}
	if n := rep.FailedItems(); n > 0 {
		return itemsError{n}
	}
	return nil
}

func printReport(o io.Writer, t *words.Words, rep sync.Report) {
	// A sync lists every type it looked at; people need only those where
	// something happened.
	var moved []sync.Count
	for _, c := range rep.Counts {
		if c.Created+c.Updated+c.Failed > 0 {
			moved = append(moved, c)
		}
	}
	if len(moved) == 0 && len(rep.Errors) == 0 && !rep.Cancelled {
		fmt.Fprintln(o, t.T("verbs.report.nothing"))
	}
	if len(moved) > 0 {
		fmt.Fprintln(o, t.T("verbs.report.header"))
		for _, c := range moved {
			dir := t.T("verbs.report.to_package")
			if c.Direction == connectors.Mirror {
				dir = t.T("verbs.report.from_package")
			}
			fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\n", dir, c.Type.LabelIn(t), t.Int(int64(c.Created)), t.Int(int64(c.Updated)), t.Int(int64(c.Failed)))
		}
	}
	for _, msg := range rep.Notes {
		fmt.Fprintln(o, t.T("verbs.note", "Note", msg))
	}
	for _, msg := range rep.Errors {
		fmt.Fprintln(o, t.T("verbs.report.problem", "Problem", msg))
	}
	if !rep.ResumeAt.IsZero() {
		fmt.Fprintln(o, t.T("verbs.report.resumes", "At", t.DateTime(rep.ResumeAt.Local())))
	}
	if rep.FailedItems() > 0 {
		fmt.Fprintln(o, t.T("verbs.report.see_feedback", "Module", rep.Module))
	}
}

func markCommand(e *env, g *globalFlags, exported bool) *cobra.Command {
	use, short := "mark-exported MODULE TYPE:CODE...", e.words().T("verbs.mark.exported.short")
	if !exported {
		use, short = "mark-not-exported MODULE TYPE:CODE...", e.words().T("verbs.mark.not_exported.short")
	}
	c := &cobra.Command{Use: use, Short: short, Args: cobra.MinimumNArgs(2)}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		refs, err := parseRefs(args[1:])
		if err != nil {
			return err
		}
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			if err := w.Engine.Refresh(ctx, module); err != nil {
				return err
			}
			var refused []sync.Refusal
			if exported {
				refused, err = w.Engine.MarkExported(ctx, module, refs)
			} else {
				refused, err = w.Engine.MarkNotExported(ctx, module, refs)
			}
			if err != nil {
				return err
			}
			done := len(refs) - len(refused)
			t := e.words()
			if err := e.printer(g).emit(map[string]any{"marked": done, "refused": nonNil(refused)}, func(o io.Writer) {
				fmt.Fprintln(o, t.N("verbs.mark.done", done))
				for _, r := range refused {
					fmt.Fprintln(o, t.T("verbs.mark.refused", "Ref", r.Ref.String(), "Reason", r.Reason))
				}
			}); err != nil {
				return err
			}
			if len(refused) > 0 {
				return itemsError{len(refused)}
			}
			return nil
		})(cmd, args)
	}
	return c
}

// dateRange adds --from and --to (YYYY-MM-DD) to a listing verb.
type dateRange struct{ from, to string }

func (d *dateRange) flags(c *cobra.Command, t *words.Words) {
	c.Flags().StringVar(&d.from, "from", "", t.T("verbs.flag.from"))
	c.Flags().StringVar(&d.to, "to", "", t.T("verbs.flag.to"))
}

// bounds returns [from, to) in local time; zero means open.
func (d dateRange) bounds() (from, to time.Time, err error) {
	parse := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return time.Time{}, codedError{exitSetup, words.Errorf(nil, "verbs.dates.bad_day", "Value", s)}
		}
		return t, nil
	}
	if from, err = parse(d.from); err != nil {
		return
	}
	if to, err = parse(d.to); err != nil {
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = codedError{exitSetup, words.Errorf(nil, "verbs.dates.from_after_to", "From", d.from, "To", d.to)}
	}
	return
}

// listByDate builds a verb listing a module's rows of a date range.
func listByDate[T any](e *env, g *globalFlags, use, short, empty string,
	list func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]T, error),
	text func(o io.Writer, rows []T)) *cobra.Command {
	var dr dateRange
	c := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1)}
	dr.flags(c, e.words())
	c.RunE = func(cmd *cobra.Command, args []string) error {
		from, to, err := dr.bounds()
		if err != nil {
			return err
		}
		return e.withModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			rows, err := list(ctx, w, module, from, to)
			if err != nil {
				return err
			}
			return e.printer(g).emit(nonNil(rows), func(o io.Writer) {
				if len(rows) == 0 {
					fmt.Fprintln(o, empty)
					return
				}
				text(o, rows)
			})
		})(cmd, args)
	}
	return c
}

func exportedCommand(e *env, g *globalFlags) *cobra.Command {
	t := e.words()
	return listByDate(e, g, "exported MODULE", t.T("verbs.exported.short"), t.T("verbs.exported.none"),
		func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]sync.ExportedRow, error) {
			return w.Engine.Exported(ctx, module, from, to)
		},
		func(o io.Writer, rows []sync.ExportedRow) {
			fmt.Fprintln(o, t.T("verbs.exported.header"))
			for _, r := range rows {
				how := t.T("verbs.exported.uploaded")
				if r.Manual {
					how = t.T("verbs.exported.by_hand")
				}
				switch r.Gone {
				case "":
				case storage.GoneDeleted:
					how = t.T("verbs.exported.then_deleted", "How", how)
				case storage.GoneVoided:
					how = t.T("verbs.exported.then_voided", "How", how)
				default:
					how += ", " + string(r.Gone)
				}
				fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Type, r.Code, t.DateTime(r.ExportedAt.Local()),
					r.RemoteID, yesNo(t, r.Verified), how, r.URL)
			}
		})
}

func feedbackCommand(e *env, g *globalFlags) *cobra.Command {
	t := e.words()
	return listByDate(e, g, "feedback MODULE", t.T("verbs.feedback.short"), t.T("verbs.feedback.none"),
		func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]sync.FeedbackRow, error) {
			return w.Engine.Feedback(ctx, module, from, to)
		},
		func(o io.Writer, rows []sync.FeedbackRow) {
			for _, r := range rows {
				fmt.Fprintf(o, "%s  %s %s\n", t.DateTime(r.When.Local()), r.Type.LabelIn(t), r.Code)
				fmt.Fprintln(o, t.T("verbs.feedback.row", "Message", r.Message, "Cause", r.Cause, "Fix", r.Fix))
			}
		})
}

func paymentsCommand(e *env, g *globalFlags) *cobra.Command {
	var allocate bool
	t := e.words()
	c := &cobra.Command{
		Use:   "payments MODULE [--allocate]", // words:verbatim the verb's form: its name and flag
		Short: t.T("verbs.payments.short"),
		Long:  t.T("verbs.payments.long"),
		Args:  cobra.ExactArgs(1),
	}
	var list bool
	var dr dateRange
	c.Flags().BoolVar(&allocate, "allocate", false, t.T("verbs.payments.flag.allocate"))
	c.Flags().BoolVar(&list, "list", false, t.T("verbs.payments.flag.list"))
	dr.flags(c, t)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if list && allocate {
			return codedError{exitSetup, words.Errorf(nil, "verbs.payments.list_or_allocate")}
		}
		from, to, err := dr.bounds()
		if err != nil {
			return err
		}
		return e.withReadyModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			var rows []sync.ImportRow
			var err error
			if list {
				rows, err = w.Engine.Imports(ctx, module, from, to)
			} else {
				rows, err = w.Engine.ImportPayments(ctx, module, allocate)
			}
			if err != nil {
				return err
			}
			notDone := 0
			for _, r := range rows {
				if !r.Outcome.Settled() {
					notDone++
				}
			}
			if err := e.printer(g).emit(nonNil(rows), func(o io.Writer) {
				if len(rows) == 0 {
					fmt.Fprintln(o, t.T("verbs.payments.none"))
					return
				}
				fmt.Fprintln(o, t.T("verbs.payments.header"))
				for _, r := range rows {
					fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Company, t.Date(r.PaymentDate.Time), r.Reference,
						t.Amount(r.Amount, r.Currency), strings.Join(r.AllocatedTo, ", "), importKindText(t, r.Kind), r.Status)
				}
			}); err != nil {
				return err
			}
			if allocate && !list && notDone > 0 {
				return itemsError{notDone}
			}
			return nil
		})(cmd, args)
	}
	return c
}

func syncCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "sync MODULE",
		Short: e.words().T("verbs.sync.short"),
		Long:  e.words().T("verbs.sync.long"),
		Args:  cobra.ExactArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return e.withReadyModule(g, args[0], func(ctx context.Context, w *workspace.Workspace, module string) error {
			stop := e.followRun(g, w, module)
			rep, err := w.Engine.Sync(ctx, module, sync.TriggerManual)
			stop()
			w.RecordRun(ctx, rep)
			return e.report(g, rep, err)
		})(cmd, args)
	}
	return c
}

// withModule opens the workspace and checks the module is installed.
func (e *env) withModule(g *globalFlags, name string, fn func(ctx context.Context, w *workspace.Workspace, module string) error) func(*cobra.Command, []string) error {
	return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
		def, err := w.Modules.Definition(name)
		if err != nil {
			return setupError(err)
		}
		if _, ok, err := w.DB.Installed(def.Name); err != nil {
			return err
		} else if !ok {
			return codedError{exitSetup, words.Errorf(nil, "verbs.module.not_installed", "Module", def.Title, "Name", def.Name)}
		}
		return fn(ctx, w, def.Name)
	})
}

// withReadyModule is withModule for verbs that reach the accounting
// package: the module must be able to sync (GREEN, or AMBER only for
// unmapped codes), as the scheduler requires too; otherwise its notes say
// what to fix.
func (e *env) withReadyModule(g *globalFlags, name string, fn func(ctx context.Context, w *workspace.Workspace, module string) error) func(*cobra.Command, []string) error {
	return e.withModule(g, name, func(ctx context.Context, w *workspace.Workspace, module string) error {
		st, err := w.Modules.Status(ctx, module)
		if err != nil {
			return err
		}
		if !st.CanSync {
			return codedError{exitSetup, words.Errorf(nil, "verbs.module.not_ready", "Module", st.Title, "Light", light(e.words(), st.Light), "Notes", strings.Join(st.Notes, " "))}
		}
		return fn(ctx, w, module)
	})
}

func yesNo(t *words.Words, b bool) string {
	if b {
		return t.T("verbs.yes")
	}
	return t.T("verbs.no")
}

// importKindText is the Kind column of the Import grid in words.
func importKindText(t *words.Words, k storage.ImportKind) string {
	switch k {
	case storage.ImportSales:
		return t.T("verbs.payments.kind.sales")
	case storage.ImportPurchase:
		return t.T("verbs.payments.kind.purchase")
	}
	return string(k)
}

// nonNil makes empty lists print as [] rather than null in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
