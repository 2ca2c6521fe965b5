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
)

func importCommand(e *env, g *globalFlags) *cobra.Command {
	var typeName, currency string
	c := &cobra.Command{
		Use:   "import FILE...",
		Short: "Read business files (CSV or JSON) into LedgerLink",
		Long: `Read business files into LedgerLink: customers, suppliers, quotes, sales and
purchase invoices, credit notes, payments and payroll journals, as CSV or JSON.
The record type comes from the file name (customers.csv, sales_invoices.csv,
...), from a "type" column, or from --type. Bad rows are listed with their line
and column; the good rows are still imported. Importing the same file twice
changes nothing. The files themselves are left where they are.
See docs/business-files.md for every column.`,
		Args: cobra.MinimumNArgs(1),
	}
	c.Flags().StringVar(&typeName, "type", "", "record type of every file (e.g. customers, sales_invoices)")
	c.Flags().StringVar(&currency, "currency", "", "currency for rows that name none (e.g. GBP)")
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
						fmt.Fprintf(o, "%s: not imported: %s\n", out.Path, out.Error)
						continue
					}
					fmt.Fprintf(o, "%s: %s, %d record(s): %d new, %d changed, %d unchanged\n",
						out.Path, out.Type.Label(), out.Records, out.Stored.Added, out.Stored.Updated, out.Stored.Unchanged)
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
							fmt.Fprintf(e.stderr, "Payroll journals sent automatically to %s:\n", rep.Module)
							printReport(e.stderr, rep)
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
		Short: "List what is waiting to be sent to the accounting package (Pending Export)",
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
			return e.printer(g).emit(nonNil(items), func(o io.Writer) {
				if len(items) == 0 {
					fmt.Fprintln(o, "Nothing is waiting to be exported.")
					return
				}
				fmt.Fprintln(o, "TYPE\tCODE\tDATE\tNEW/UPDATED\tPRE-CHECK")
				for _, it := range items {
					fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\n", it.Type, it.Code, it.SourceDate, it.Kind, checkText(it.Check))
				}
			})
		})(cmd, args)
	}
	return c
}

// checkText is the Pre-check column in words.
func checkText(c storage.Check) string {
	if c.Status == "" {
		return "not checked"
	}
	if len(c.Problems) == 0 {
		if len(c.Notes) > 0 {
			return string(c.Status) + ": " + strings.Join(c.Notes, "; ")
		}
		return string(c.Status)
	}
	parts := make([]string, 0, len(c.Problems))
	for _, p := range c.Problems {
		parts = append(parts, p.Cause)
	}
	return string(c.Status) + ": " + strings.Join(parts, "; ")
}

func precheckCommand(e *env, g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "precheck MODULE [TYPE:CODE...]",
		Short: "Check pending records before they are sent, and say what to fix",
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
			if err := e.printer(g).emit(nonNil(items), func(o io.Writer) {
				for _, it := range items {
					if len(it.Check.Problems) == 0 {
						fmt.Fprintf(o, "%s %s: ready to send\n", it.Type.Label(), it.Code)
						continue
					}
					fmt.Fprintf(o, "%s %s:\n", it.Type.Label(), it.Code)
					for _, p := range it.Check.Problems {
						fmt.Fprintf(o, "  - %s\n    Fix: %s\n", p.Cause, p.Fix)
					}
				}
				fmt.Fprintf(o, "%d checked, %d with something to fix.\n", len(items), failed)
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
	c := &cobra.Command{
		Use:   "upload MODULE (--all | TYPE:CODE...)",
		Short: "Send pending records to the accounting package (Upload Data)",
		Long: `Send pending records to the accounting package. Each record is pre-checked
first; records that fail stay pending with the reason in Error Feedback, and
never stop the others. A record is never sent twice, even after a crash.`,
		Args: cobra.MinimumNArgs(1),
	}
	c.Flags().BoolVar(&all, "all", false, "send everything that is pending")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		refs, err := parseRefs(args[1:])
		if err != nil {
			return err
		}
		if all == (len(refs) > 0) {
			return codedError{exitSetup, fmt.Errorf("say what to send: --all, or one or more TYPE:CODE references (see ledgerlink upload --help)")}
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
	if err := e.printer(g).emit(rep, func(o io.Writer) { printReport(o, rep) }); err != nil {
		return err
	}
	if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
		// Ctrl+C, SIGTERM or a timeout: say what it means for the books.
		return codedError{exitSetup, fmt.Errorf("stopped before the end (%w); nothing is lost: what was sent is kept, and the next run finishes the rest", runErr)}
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

func printReport(o io.Writer, rep sync.Report) {
	// A sync lists every type it looked at; people need only those where
	// something happened.
	var moved []sync.Count
	for _, c := range rep.Counts {
		if c.Created+c.Updated+c.Failed > 0 {
			moved = append(moved, c)
		}
	}
	if len(moved) == 0 && len(rep.Errors) == 0 && !rep.Cancelled {
		fmt.Fprintln(o, "Nothing to do: everything is in step.")
	}
	if len(moved) > 0 {
		fmt.Fprintln(o, "DIRECTION\tTYPE\tCREATED\tUPDATED\tFAILED")
		for _, c := range moved {
			dir := "to the package"
			if c.Direction == connectors.Mirror {
				dir = "from the package"
			}
			fmt.Fprintf(o, "%s\t%s\t%d\t%d\t%d\n", dir, c.Type.Label(), c.Created, c.Updated, c.Failed)
		}
	}
	for _, msg := range rep.Notes {
		fmt.Fprintf(o, "Note: %s\n", msg)
	}
	for _, msg := range rep.Errors {
		fmt.Fprintf(o, "Problem: %s\n", msg)
	}
	if !rep.ResumeAt.IsZero() {
		fmt.Fprintf(o, "The accounting package's daily limit was reached; sync resumes at %s.\n", rep.ResumeAt.Local().Format("15:04 on Mon 2 Jan"))
	}
	if rep.FailedItems() > 0 {
		fmt.Fprintln(o, "See what to fix with: ledgerlink feedback "+rep.Module)
	}
}

func markCommand(e *env, g *globalFlags, exported bool) *cobra.Command {
	use, short := "mark-exported MODULE TYPE:CODE...", "Mark pending records as exported by hand (they are not sent)"
	if !exported {
		use, short = "mark-not-exported MODULE TYPE:CODE...", "Put records marked as exported by hand back in Pending Export"
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
			if err := e.printer(g).emit(map[string]any{"marked": done, "refused": nonNil(refused)}, func(o io.Writer) {
				fmt.Fprintf(o, "%d marked.\n", done)
				for _, r := range refused {
					fmt.Fprintf(o, "%s not marked: %s\n", r.Ref, r.Reason)
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

func (d *dateRange) flags(c *cobra.Command) {
	c.Flags().StringVar(&d.from, "from", "", "only rows on or after this day (YYYY-MM-DD)")
	c.Flags().StringVar(&d.to, "to", "", "only rows on or before this day (YYYY-MM-DD)")
}

// bounds returns [from, to) in local time; zero means open.
func (d dateRange) bounds() (from, to time.Time, err error) {
	parse := func(s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
		if err != nil {
			return time.Time{}, codedError{exitSetup, fmt.Errorf("%q is not a day in the form YYYY-MM-DD", s)}
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
		err = codedError{exitSetup, fmt.Errorf("--from %s is after --to %s", d.from, d.to)}
	}
	return
}

// listByDate builds a verb listing a module's rows of a date range.
func listByDate[T any](e *env, g *globalFlags, use, short, empty string,
	list func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]T, error),
	text func(o io.Writer, rows []T)) *cobra.Command {
	var dr dateRange
	c := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1)}
	dr.flags(c)
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
	return listByDate(e, g, "exported MODULE", "List what was sent to the accounting package (Successfully Exported)",
		"Nothing was exported in that period.",
		func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]sync.ExportedRow, error) {
			return w.Engine.Exported(ctx, module, from, to)
		},
		func(o io.Writer, rows []sync.ExportedRow) {
			fmt.Fprintln(o, "TYPE\tCODE\tEXPORTED AT\tREMOTE ID\tVERIFIED\tHOW\tOPEN")
			for _, r := range rows {
				how := "uploaded"
				if r.Manual {
					how = "marked by hand"
				}
				if r.Gone != "" {
					how += ", then " + string(r.Gone) + " in the package"
				}
				fmt.Fprintf(o, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Type, r.Code, r.ExportedAt.Local().Format("2006-01-02 15:04"),
					r.RemoteID, yesNo(r.Verified), how, r.URL)
			}
		})
}

func feedbackCommand(e *env, g *globalFlags) *cobra.Command {
	return listByDate(e, g, "feedback MODULE", "List what could not be sent, with the cause and the fix (Error Feedback)",
		"No errors in that period.",
		func(ctx context.Context, w *workspace.Workspace, module string, from, to time.Time) ([]sync.FeedbackRow, error) {
			return w.Engine.Feedback(ctx, module, from, to)
		},
		func(o io.Writer, rows []sync.FeedbackRow) {
			for _, r := range rows {
				fmt.Fprintf(o, "%s  %s %s\n  Message: %s\n  Cause:   %s\n  Fix:     %s\n",
					r.When.Local().Format("2006-01-02 15:04"), r.Type.Label(), r.Code, r.Message, r.Cause, r.Fix)
			}
		})
}

func paymentsCommand(e *env, g *globalFlags) *cobra.Command {
	var allocate bool
	c := &cobra.Command{
		Use:   "payments MODULE [--allocate]",
		Short: "Download payments made in the accounting package (Create & Allocate Payments)",
		Long: `Download the payments made in the accounting package since the last import.
With --allocate, each is created in LedgerLink and allocated to the invoice it
pays; without, they are only shown with what would happen. Each payment gets a
status: "Payment created and allocated", or the reason it was not (and what to
fix). Payments that could not be allocated are tried again next time.`,
		Args: cobra.ExactArgs(1),
	}
	var list bool
	var dr dateRange
	c.Flags().BoolVar(&allocate, "allocate", false, "allocate each payment to the invoice it pays")
	c.Flags().BoolVar(&list, "list", false, "show the Import grid as it stands (nothing is downloaded)")
	dr.flags(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if list && allocate {
			return codedError{exitSetup, errors.New("--list shows the grid and --allocate downloads: choose one")}
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
					fmt.Fprintln(o, "No new payments.")
					return
				}
				fmt.Fprintln(o, "COMPANY\tDATE\tREFERENCE\tAMOUNT\tALLOCATED TO\tKIND\tSTATUS")
				for _, r := range rows {
					fmt.Fprintf(o, "%s\t%s\t%s\t%s %s\t%s\t%s\t%s\n", r.Company, r.PaymentDate, r.Reference,
						r.Amount.StringFixed(2), r.Currency, strings.Join(r.AllocatedTo, ", "), r.Kind, r.Status)
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
		Short: "Run one full sync of the module now",
		Long: `Run one full sync now: refresh the reference data (accounts, tax rates,
products, bank accounts), bring in changes from the accounting package, send
pending records, and import payments, as the module's Synchronisation settings
allow.`,
		Args: cobra.ExactArgs(1),
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
			return codedError{exitSetup, fmt.Errorf("%s is not installed: run ledgerlink install %s first", def.Title, def.Name)}
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
			return codedError{exitSetup, fmt.Errorf("%s is not ready (%s): %s", st.Title, st.Light, strings.Join(st.Notes, " "))}
		}
		return fn(ctx, w, module)
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// nonNil makes empty lists print as [] rather than null in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
