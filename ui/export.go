package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	stdsync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// Export sub-tab indexes.
const (
	subPending = iota
	subExported
	subFeedback
)

// exportView is the Export tab: Pending Export, Successfully Exported and
// Error Feedback.
type exportView struct {
	ms     *ModuleScreen
	tabs   *container.AppTabs
	loaded bool

	pending     []sync.PendingItem
	pendingGrid *grid
	precheckBtn *widget.Button
	uploadBtn   *widget.Button
	markBtn     *widget.Button
	showBtn     *widget.Button
	message     *widget.Label
	bar         *widget.ProgressBar
	barText     *widget.Label
	cancelBtn   *widget.Button
	progressBox *fyne.Container
	uploading   bool
	stop        context.CancelFunc

	exported     []sync.ExportedRow
	exportedGrid *grid
	exportedWhen *dateFilter
	openBtn      *widget.Button
	unmarkBtn    *widget.Button
	exportedHint *widget.Label

	feedback     []sync.FeedbackRow
	feedbackGrid *grid
	feedbackWhen *dateFilter
	details      *widget.Label

	content fyne.CanvasObject
}

func newExportView(ms *ModuleScreen) *exportView {
	ev := &exportView{ms: ms}
	ev.buildPending()
	ev.buildExported()
	ev.buildFeedback()
	ev.tabs = container.NewAppTabs(
		container.NewTabItem("Pending Export", ev.pendingContent()),
		container.NewTabItem("Successfully Exported", ev.exportedContent()),
		container.NewTabItem("Error Feedback", ev.feedbackContent()),
	)
	ev.tabs.OnSelected = func(t *container.TabItem) { ms.a.tracef("tab=%s module=%s", t.Text, ms.module) }
	ev.content = ev.tabs
	return ev
}

// activeGrid is the grid of the sub-tab shown.
func (ev *exportView) activeGrid() *grid {
	switch ev.tabs.SelectedIndex() {
	case subExported:
		return ev.exportedGrid
	case subFeedback:
		return ev.feedbackGrid
	}
	return ev.pendingGrid
}

// --- Pending Export ---

func (ev *exportView) buildPending() {
	p := &ev.pending
	ev.pendingGrid = newGrid([]gridColumn{
		{Title: "Source Type", Width: 150, Text: func(i int) string { return singular((*p)[i].Type) }},
		{Title: "Source Code", Width: 150, Text: func(i int) string { return (*p)[i].Code }},
		{Title: "Source Date", Width: 120, Text: func(i int) string { return dateText((*p)[i].SourceDate) },
			SortKey: func(i int) string { return isoDate((*p)[i].SourceDate) }},
		{Title: "Change", Width: 90, Text: func(i int) string { return kindText((*p)[i].Kind) }},
		{Title: "Pre-check", Width: 520, Text: func(i int) string { return precheckText((*p)[i]) },
			Importance: func(i int) widget.Importance { return precheckImportance((*p)[i]) }},
	}, true, "Nothing is waiting to export. New and changed records appear here after they are imported into LedgerLink.")
	ev.pendingGrid.OnSelectionChanged = ev.pendingSelectionChanged
	ev.pendingGrid.OnActivate = func(i int) { ev.showRecord(ev.pending[i].Ref(), ev.pending[i].Check.Problems) }

	ev.precheckBtn = widget.NewButtonWithIcon("Run Pre-check", theme.SearchIcon(), ev.runPrecheck)
	ev.uploadBtn = widget.NewButtonWithIcon("Upload Data", theme.UploadIcon(), ev.uploadData)
	ev.uploadBtn.Importance = widget.HighImportance
	ev.markBtn = widget.NewButtonWithIcon("Mark as Exported", theme.ConfirmIcon(), ev.markExported)
	ev.showBtn = widget.NewButtonWithIcon("Show record", theme.DocumentIcon(), ev.showSelected)
	ev.message = widget.NewLabel("")
	ev.message.Wrapping = fyne.TextWrapWord
	ev.bar = widget.NewProgressBar()
	ev.barText = widget.NewLabel("")
	ev.cancelBtn = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), ev.cancelUpload)
	ev.progressBox = container.NewBorder(nil, nil, ev.barText, ev.cancelBtn, ev.bar)
	ev.progressBox.Hide()
	ev.pendingSelectionChanged()
}

func (ev *exportView) pendingContent() fyne.CanvasObject {
	return container.NewBorder(nil, container.NewVBox(ev.progressBox, ev.message), nil, nil,
		ev.pendingGrid.Content(ev.precheckBtn, ev.uploadBtn, ev.markBtn, ev.showBtn))
}

func (ev *exportView) pendingSelectionChanged() {
	n := ev.pendingGrid.SelectedCount()
	switch {
	case ev.uploading:
		return
	case n == 0:
		ev.uploadBtn.SetText("Upload Data (all)")
		ev.precheckBtn.SetText("Run Pre-check (all)")
		ev.markBtn.Disable()
		ev.showBtn.Disable()
	default:
		ev.uploadBtn.SetText(fmt.Sprintf("Upload Data (%s)", thousands(n)))
		ev.precheckBtn.SetText(fmt.Sprintf("Run Pre-check (%s)", thousands(n)))
		ev.markBtn.Enable()
		if n == 1 {
			ev.showBtn.Enable()
		} else {
			ev.showBtn.Disable()
		}
	}
}

func (ev *exportView) selectedRefs() []sync.Ref {
	sel := ev.pendingGrid.Selected()
	refs := make([]sync.Ref, len(sel))
	for i, idx := range sel {
		refs[i] = ev.pending[idx].Ref()
	}
	return refs
}

func (ev *exportView) say(imp widget.Importance, msg string) {
	ev.message.Importance = imp
	ev.message.SetText(tidy(msg))
}

// ensureLoaded reads the grids the first time the tab is shown.
func (ev *exportView) ensureLoaded() {
	if !ev.loaded {
		ev.reload()
	}
}

// reload reads all three grids in the background.
func (ev *exportView) reload() {
	ev.loaded = true
	a := ev.ms.a
	ctx := a.ctx
	module := ev.ms.module
	eng := a.svc.Engine
	now := a.svc.Now()
	efrom, eto := ev.exportedWhen.span(now)
	ffrom, fto := ev.feedbackWhen.span(now)
	// A run refreshes Pending Export itself; refreshing now would wait for
	// it to end.
	refresh := !a.running[module]
	a.spawn(func() {
		var rerr error
		if refresh {
			rerr = eng.Refresh(ctx, module)
		}
		pending, perr := eng.Pending(ctx, module)
		exported, eerr := eng.Exported(ctx, module, efrom, eto)
		feedback, ferr := eng.Feedback(ctx, module, ffrom, fto)
		a.do(func() {
			if ev.ms.closed {
				return
			}
			if err := errors.Join(rerr, perr, eerr, ferr); err != nil {
				ev.say(widget.DangerImportance, "Could not read the grids: "+err.Error())
			}
			if perr == nil {
				ev.setPending(pending)
			}
			if eerr == nil {
				ev.setExported(exported)
			}
			if ferr == nil {
				ev.setFeedback(feedback)
			}
			a.tracef("export loaded module=%s pending=%d exported=%d feedback=%d", module, len(ev.pending), len(ev.exported), len(ev.feedback))
		})
	})
}

func (ev *exportView) setPending(items []sync.PendingItem) {
	ev.pending = items
	ev.pendingGrid.SetData(len(items), func(i int) string { return ev.pending[i].Ref().String() })
	ev.tabs.Items[subPending].Text = fmt.Sprintf("Pending Export (%s)", thousands(len(items)))
	ev.tabs.Refresh()
	ev.pendingSelectionChanged()
}

func (ev *exportView) runPrecheck() {
	a := ev.ms.a
	ctx := a.ctx
	module := ev.ms.module
	refs := ev.selectedRefs()
	ev.precheckBtn.Disable()
	ev.say(widget.MediumImportance, "Running the pre-check…")
	svc := a.svc
	a.spawn(func() {
		items, err := svc.Engine.Precheck(ctx, module, refs)
		a.do(func() {
			ev.precheckBtn.Enable()
			if err != nil {
				ev.say(widget.DangerImportance, "The pre-check did not run: "+err.Error())
				return
			}
			ev.mergePending(items)
			ok, bad := 0, 0
			for _, it := range items {
				if it.Check.Status == storage.CheckProblems {
					bad++
				} else {
					ok++
				}
			}
			if bad == 0 {
				ev.say(widget.SuccessImportance, fmt.Sprintf("Pre-check: all %s %s can be uploaded.", thousands(ok), plural(ok, "record", "records")))
			} else {
				ev.say(widget.WarningImportance, fmt.Sprintf("Pre-check: %s OK, %s with problems. The Pre-check column says what to fix; select a row and press Show record for details.", thousands(ok), thousands(bad)))
			}
			a.tracef("precheck finished module=%s ok=%d problems=%d", module, ok, bad)
		})
	})
}

// mergePending replaces the rows the engine returned.
func (ev *exportView) mergePending(items []sync.PendingItem) {
	byRef := make(map[sync.Ref]sync.PendingItem, len(items))
	for _, it := range items {
		byRef[it.Ref()] = it
	}
	for i := range ev.pending {
		if it, ok := byRef[ev.pending[i].Ref()]; ok {
			ev.pending[i] = it
		}
	}
	ev.pendingGrid.SetData(len(ev.pending), nil)
}

// uploadData uploads the selected rows, or all of them once confirmed.
func (ev *exportView) uploadData() {
	if ev.uploading {
		return
	}
	a := ev.ms.a
	refs := ev.selectedRefs()
	if len(refs) > 0 {
		ev.startUpload(refs)
		return
	}
	n := len(ev.pending)
	if n == 0 {
		ev.say(widget.MediumImportance, "Nothing is waiting to export.")
		return
	}
	a.confirm("Upload everything?", fmt.Sprintf("No rows are selected. Upload all %s %s waiting to export to %s?\n\nTo upload only some, tick them first.",
		thousands(n), plural(n, "record", "records"), ev.ms.title), "Upload all", func() { ev.startUpload(nil) })
}

func (ev *exportView) startUpload(refs []sync.Ref) {
	a := ev.ms.a
	module := ev.ms.module
	ctx, stop := context.WithCancel(a.ctx)
	ev.stop = stop
	ev.uploading = true
	for _, b := range []*widget.Button{ev.precheckBtn, ev.uploadBtn, ev.markBtn, ev.showBtn} {
		b.Disable()
	}
	ev.bar.SetValue(0)
	ev.barText.SetText("Starting…")
	ev.cancelBtn.Enable()
	ev.progressBox.Show()
	ev.say(widget.MediumImportance, fmt.Sprintf("Uploading to %s… you can keep working; Cancel stops after the records already on their way.", ev.ms.title))
	a.tracef("upload started module=%s count=%d", module, len(refs))

	var mu stdsync.Mutex
	var last time.Time
	progress := func(done, total int) {
		mu.Lock()
		now := time.Now()
		send := done >= total || now.Sub(last) >= 100*time.Millisecond
		if send {
			last = now
		}
		mu.Unlock()
		if send {
			a.do(func() { ev.showProgress(done, total) })
		}
	}
	eng := a.svc.Engine
	a.spawn(func() {
		rep, err := eng.Upload(ctx, module, refs, progress)
		a.do(func() { ev.uploadFinished(rep, err) })
	})
}

func (ev *exportView) showProgress(done, total int) {
	if !ev.uploading || total <= 0 {
		return
	}
	ev.bar.SetValue(float64(done) / float64(total))
	ev.barText.SetText(fmt.Sprintf("%s of %s", thousands(done), thousands(total)))
}

// cancelUpload stops the upload in progress.
func (ev *exportView) cancelUpload() {
	if ev.stop != nil {
		ev.stop()
		ev.cancelBtn.Disable()
		ev.barText.SetText("Stopping…")
	}
}

func (ev *exportView) uploadFinished(rep sync.Report, err error) {
	a := ev.ms.a
	if ev.stop != nil {
		ev.stop()
		ev.stop = nil
	}
	ev.uploading = false
	ev.progressBox.Hide()
	ev.precheckBtn.Enable()
	ev.uploadBtn.Enable()
	ev.pendingSelectionChanged()
	moved, failed := rep.Moved(), rep.FailedItems()
	switch {
	case rep.Cancelled || errors.Is(err, context.Canceled):
		ev.say(widget.WarningImportance, fmt.Sprintf("Upload stopped. %s %s sent; the rest is still waiting here.", thousands(moved), plural(moved, "record was", "records were")))
	case err != nil:
		ev.say(widget.DangerImportance, "The upload did not finish: "+err.Error())
	case failed > 0:
		ev.say(widget.DangerImportance, fmt.Sprintf("Sent %s %s. %s could not be sent and %s still waiting: the Error Feedback tab says why and what to do.",
			thousands(moved), plural(moved, "record", "records"), thousands(failed), plural(failed, "is", "are")))
	default:
		ev.say(widget.SuccessImportance, fmt.Sprintf("Sent %s %s to %s.", thousands(moved), plural(moved, "record", "records"), ev.ms.title))
	}
	if !rep.Finished.IsZero() {
		a.lastRuns[ev.ms.module] = rep
		ev.ms.showRunState()
	}
	a.tracef("upload finished module=%s moved=%d failed=%d err=%v", ev.ms.module, moved, failed, err != nil)
	ev.pendingGrid.ClearSelection()
	ev.reload()
}

// markExported marks the selected rows as exported by hand.
func (ev *exportView) markExported() {
	refs := ev.selectedRefs()
	if len(refs) == 0 {
		return
	}
	a := ev.ms.a
	n := len(refs)
	msg := fmt.Sprintf("Mark %s %s as exported?\n\nLedgerLink will not send %s to %s: it takes %s as already there. "+
		"%s move to Successfully Exported without a tick, and you can undo this there with Mark as Not Exported.\n\n"+
		"Only do this for records you know are already in %s.",
		thousands(n), plural(n, "record", "records"), plural(n, "it", "them"), ev.ms.title, plural(n, "it", "them"),
		plural(n, "It will", "They"), ev.ms.title)
	a.confirm("Mark as Exported", msg, "Mark as Exported", func() {
		ctx := a.ctx
		module := ev.ms.module
		svc := a.svc
		a.spawn(func() {
			refused, err := svc.Engine.MarkExported(ctx, module, refs)
			a.do(func() {
				ev.showRefusals("marked as exported", n, refused, err)
				ev.pendingGrid.ClearSelection()
				ev.reload()
			})
		})
	})
}

func (ev *exportView) showRefusals(what string, n int, refused []sync.Refusal, err error) {
	switch {
	case err != nil:
		ev.say(widget.DangerImportance, "Nothing was "+what+": "+err.Error())
	case len(refused) > 0:
		lines := make([]string, len(refused))
		for i, r := range refused {
			lines[i] = fmt.Sprintf("%s %s: %s", r.Ref.Type.Label(), r.Ref.Code, r.Reason)
		}
		ev.say(widget.WarningImportance, fmt.Sprintf("%d of %d %s; not these:\n%s", n-len(refused), n, what, strings.Join(lines, "\n")))
	default:
		ev.say(widget.SuccessImportance, fmt.Sprintf("%s %s %s.", thousands(n), plural(n, "record", "records"), what))
	}
	ev.ms.a.tracef("%s module=%s count=%d refused=%d", strings.ReplaceAll(what, " ", "-"), ev.ms.module, n, len(refused))
}

func (ev *exportView) showSelected() {
	sel := ev.pendingGrid.Selected()
	if len(sel) != 1 {
		return
	}
	it := ev.pending[sel[0]]
	ev.showRecord(it.Ref(), it.Check.Problems)
}

// showRecord shows the source record with its pre-check problems.
func (ev *exportView) showRecord(ref sync.Ref, problems []sync.Problem) {
	a := ev.ms.a
	if a.svc.Workspace == nil {
		return
	}
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		rec, err := svc.Workspace.Get(ctx, ref.Type, ref.Code)
		a.do(func() {
			if err != nil {
				a.showError("Cannot show the record", err)
				return
			}
			text := formatRecord(rec.Record)
			if len(problems) > 0 {
				text += "\n\nWhat the pre-check found:\n" + formatProblems(problems)
			}
			a.inform(fmt.Sprintf("%s %s", singular(ref.Type), ref.Code), text)
		})
	})
}

// --- Successfully Exported ---

func (ev *exportView) buildExported() {
	e := &ev.exported
	ev.exportedGrid = newGrid([]gridColumn{
		{Title: "Type", Width: 150, Text: func(i int) string { return singular((*e)[i].Type) }},
		{Title: "Code", Width: 150, Text: func(i int) string { return (*e)[i].Code }},
		{Title: "Change", Width: 90, Text: func(i int) string { return kindText((*e)[i].Kind) }},
		{Title: "Exported at", Width: 150, Text: func(i int) string { return (*e)[i].ExportedAt.Local().Format("02 Jan 2006 15:04") },
			SortKey: func(i int) string { return (*e)[i].ExportedAt.UTC().Format(time.RFC3339Nano) }},
		{Title: "Remote ID", Width: 260, Text: func(i int) string { return dash((*e)[i].RemoteID) }},
		{Title: "Verified", Width: 150, Text: func(i int) string { return verifiedText((*e)[i]) },
			Importance: func(i int) widget.Importance { return verifiedImportance((*e)[i]) }},
	}, true, "Nothing was exported in this period.")
	ev.exportedGrid.OnSelectionChanged = ev.exportedSelectionChanged
	ev.exportedWhen = newDateFilter(2, func() { ev.reload() })
	ev.openBtn = widget.NewButtonWithIcon("Open in "+ev.ms.title, theme.ComputerIcon(), ev.openExported)
	ev.unmarkBtn = widget.NewButtonWithIcon("Mark as Not Exported", theme.ContentUndoIcon(), ev.markNotExported)
	ev.exportedHint = widget.NewLabel("")
	ev.exportedHint.Wrapping = fyne.TextWrapWord
	ev.exportedSelectionChanged()
}

func (ev *exportView) exportedContent() fyne.CanvasObject {
	legend := widget.NewLabel("✓ Verified: " + ev.ms.title + " was read back and shows the record. Marked by hand: marked as exported without sending; only these can be marked as not exported.")
	legend.Wrapping = fyne.TextWrapWord
	legend.Importance = widget.LowImportance
	return container.NewBorder(nil, container.NewVBox(ev.exportedHint, legend), nil, nil,
		ev.exportedGrid.Content(widget.NewLabel("Exported:"), ev.exportedWhen.sel, ev.openBtn, ev.unmarkBtn))
}

func (ev *exportView) setExported(rows []sync.ExportedRow) {
	ev.exported = rows
	ev.exportedGrid.SetData(len(rows), func(i int) string { return ev.exported[i].ID })
	ev.exportedSelectionChanged()
}

func (ev *exportView) exportedSelectionChanged() {
	sel := ev.exportedGrid.Selected()
	ev.openBtn.Disable()
	ev.unmarkBtn.Disable()
	ev.exportedHint.SetText("")
	if len(sel) == 0 {
		return
	}
	if len(sel) == 1 && ev.exported[sel[0]].URL != "" {
		ev.openBtn.Enable()
	}
	manual := 0
	for _, i := range sel {
		if ev.exported[i].Manual {
			manual++
		}
	}
	if manual == len(sel) {
		ev.unmarkBtn.Enable()
	} else {
		ev.exportedHint.Importance = widget.MediumImportance
		ev.exportedHint.SetText(fmt.Sprintf("Mark as Not Exported is only for rows marked by hand; %d of the selected rows went to %s for real.", len(sel)-manual, ev.ms.title))
	}
}

func (ev *exportView) openExported() {
	sel := ev.exportedGrid.Selected()
	if len(sel) != 1 {
		return
	}
	ev.ms.a.openURL(ev.exported[sel[0]].URL)
}

func (ev *exportView) markNotExported() {
	sel := ev.exportedGrid.Selected()
	refs := make([]sync.Ref, 0, len(sel))
	for _, i := range sel {
		if ev.exported[i].Manual {
			refs = append(refs, ev.exported[i].Ref())
		}
	}
	if len(refs) == 0 {
		return
	}
	a := ev.ms.a
	n := len(refs)
	a.confirm("Mark as Not Exported", fmt.Sprintf("Put %d %s back in Pending Export, to be sent to %s at the next upload?",
		n, plural(n, "record", "records"), ev.ms.title), "Mark as Not Exported", func() {
		ctx := a.ctx
		module := ev.ms.module
		svc := a.svc
		a.spawn(func() {
			refused, err := svc.Engine.MarkNotExported(ctx, module, refs)
			a.do(func() {
				ev.showRefusals("marked as not exported", n, refused, err)
				ev.exportedHint.Importance = ev.message.Importance
				ev.exportedHint.SetText(ev.message.Text)
				ev.exportedGrid.ClearSelection()
				ev.reload()
			})
		})
	})
}

// --- Error Feedback ---

func (ev *exportView) buildFeedback() {
	f := &ev.feedback
	ev.feedbackGrid = newGrid([]gridColumn{
		{Title: "When", Width: 140, Text: func(i int) string { return (*f)[i].When.Local().Format("02 Jan 2006 15:04") },
			SortKey: func(i int) string { return (*f)[i].When.UTC().Format(time.RFC3339Nano) }},
		{Title: "Type", Width: 130, Text: func(i int) string { return singular((*f)[i].Type) }},
		{Title: "Code", Width: 110, Text: func(i int) string { return (*f)[i].Code }},
		{Title: "Message", Width: 260, Text: func(i int) string { return oneLine((*f)[i].Message) },
			Importance: func(int) widget.Importance { return widget.DangerImportance }},
		{Title: "Cause", Width: 230, Text: func(i int) string { return oneLine((*f)[i].Cause) }},
		{Title: "Fix", Width: 300, Text: func(i int) string { return oneLine((*f)[i].Fix) }},
	}, false, "No errors in this period.")
	ev.feedbackGrid.OnSelectionChanged = ev.feedbackSelectionChanged
	ev.feedbackWhen = newDateFilter(2, func() { ev.reload() })
	ev.details = widget.NewLabel("Select a row to read its message, cause and fix in full.")
	ev.details.Wrapping = fyne.TextWrapWord
}

func (ev *exportView) feedbackContent() fyne.CanvasObject {
	details := container.NewVScroll(ev.details)
	details.SetMinSize(fyne.NewSize(0, 130))
	return container.NewBorder(nil, widget.NewCard("", "", details), nil, nil,
		ev.feedbackGrid.Content(widget.NewLabel("Errors from:"), ev.feedbackWhen.sel))
}

func (ev *exportView) setFeedback(rows []sync.FeedbackRow) {
	ev.feedback = rows
	ev.feedbackGrid.SetData(len(rows), func(i int) string { return ev.feedback[i].ID })
	title := "Error Feedback"
	if len(rows) > 0 {
		title = fmt.Sprintf("Error Feedback (%s)", thousands(len(rows)))
	}
	ev.tabs.Items[subFeedback].Text = title
	ev.tabs.Refresh()
	ev.feedbackSelectionChanged()
}

func (ev *exportView) feedbackSelectionChanged() {
	sel := ev.feedbackGrid.Selected()
	if len(sel) == 0 {
		ev.details.SetText("Select a row to read its message, cause and fix in full.")
		return
	}
	ev.details.SetText(tidy(feedbackDetails(ev.feedback[sel[0]])))
}

// feedbackDetails is one error row in full.
func feedbackDetails(r sync.FeedbackRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s, %s\n", singular(r.Type), r.Code, r.When.Local().Format("02 Jan 2006 15:04"))
	fmt.Fprintf(&b, "Message: %s\n", dash(r.Message))
	fmt.Fprintf(&b, "Cause: %s\n", dash(r.Cause))
	fmt.Fprintf(&b, "Fix: %s", dash(r.Fix))
	return b.String()
}

// --- shared helpers ---

// dateFilter is a period drop-down for a grid.
type dateFilter struct {
	sel *widget.Select
}

var periods = []string{"Today", "Last 7 days", "Last 30 days", "Last 90 days", "This year", "All time"}

func newDateFilter(initial int, onChange func()) *dateFilter {
	f := &dateFilter{}
	f.sel = widget.NewSelect(periods, func(string) { onChange() })
	f.sel.Selected = periods[initial]
	return f
}

// span is the period's [from, to); zero ends are open.
func (f *dateFilter) span(now time.Time) (from, to time.Time) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch f.sel.Selected {
	case "Today":
		return day, time.Time{}
	case "Last 7 days":
		return day.AddDate(0, 0, -6), time.Time{}
	case "Last 30 days":
		return day.AddDate(0, 0, -29), time.Time{}
	case "Last 90 days":
		return day.AddDate(0, 0, -89), time.Time{}
	case "This year":
		return time.Date(now.Year(), time.January, 1, 0, 0, 0, 0, now.Location()), time.Time{}
	}
	return time.Time{}, time.Time{}
}

func dateText(d connectors.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Format("02 Jan 2006")
}

func isoDate(d connectors.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func kindText(k storage.Kind) string {
	if k == storage.KindUpdated {
		return "Updated"
	}
	return "New"
}

func precheckText(it sync.PendingItem) string {
	if it.Uncertain() {
		return "Sent; waiting to confirm it arrived (checked before any resend)"
	}
	switch it.Check.Status {
	case storage.CheckOK:
		if len(it.Check.Notes) > 0 {
			// What will happen besides the upload, such as a product
			// created first.
			return "✓ OK — " + it.Check.Notes[0]
		}
		return "✓ OK"
	case storage.CheckProblems:
		ps := it.Check.Problems
		if len(ps) == 0 {
			return "✗ Problems"
		}
		text := "✗ " + ps[0].Cause
		if len(ps) > 1 {
			text += fmt.Sprintf(" (+%d more)", len(ps)-1)
		}
		return text
	}
	return "Not checked yet"
}

func precheckImportance(it sync.PendingItem) widget.Importance {
	switch it.Check.Status {
	case storage.CheckOK:
		return widget.SuccessImportance
	case storage.CheckProblems:
		return widget.DangerImportance
	}
	return widget.LowImportance
}

func verifiedText(r sync.ExportedRow) string {
	switch {
	case r.Gone == storage.GoneDeleted:
		return "Deleted in the package"
	case r.Gone == storage.GoneVoided:
		return "Voided in the package"
	case r.Verified:
		return "✓ Verified"
	case r.Manual:
		return "Marked by hand"
	}
	return "Not checked yet"
}

func verifiedImportance(r sync.ExportedRow) widget.Importance {
	switch {
	case r.Gone != "":
		return widget.DangerImportance
	case r.Verified:
		return widget.SuccessImportance
	case r.Manual:
		return widget.WarningImportance
	}
	return widget.LowImportance
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func formatProblems(ps []sync.Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "• %s\n  What to do: %s", p.Cause, p.Fix)
	}
	return b.String()
}

// singular is a record type's name for one record.
func singular(t connectors.RecordType) string {
	l := t.Label()
	switch {
	case strings.HasSuffix(l, "ies"):
		return strings.TrimSuffix(l, "ies") + "y"
	case strings.HasSuffix(l, "s"):
		return strings.TrimSuffix(l, "s")
	}
	return l
}
