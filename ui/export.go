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
	"ledgerlink/words"
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

// exportTrace names the sub-tabs in traces, the same in every language.
var exportTrace = [...]string{subPending: "pending", subExported: "exported", subFeedback: "feedback"}

func newExportView(ms *ModuleScreen) *exportView {
	ev := &exportView{ms: ms}
	w := ev.w()
	ev.buildPending()
	ev.buildExported()
	ev.buildFeedback()
	ev.tabs = container.NewAppTabs(
		container.NewTabItem(w.T("grids.export.tab.pending"), ev.pendingContent()),
		container.NewTabItem(w.T("grids.export.tab.exported"), ev.exportedContent()),
		container.NewTabItem(w.T("grids.export.tab.feedback"), ev.feedbackContent()),
	)
	ev.tabs.OnSelected = func(*container.TabItem) {
		ms.a.tracef("tab=%s module=%s", exportTrace[ev.tabs.SelectedIndex()], ms.module) // words:verbatim: trace for scripts
	}
	ev.content = ev.tabs
	return ev
}

// w are the words of the person's language.
func (ev *exportView) w() *words.Words { return ev.ms.a.w }

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
	w := ev.w()
	ev.pendingGrid = newGrid(w, []gridColumn{
		{Title: w.T("grids.pending.column.type"), Width: 150, Text: func(i int) string { return singular(w, (*p)[i].Type) }},
		{Title: w.T("grids.pending.column.code"), Width: 150, Text: func(i int) string { return (*p)[i].Code }},
		{Title: w.T("grids.pending.column.date"), Width: 120, Text: func(i int) string { return dateText(w, (*p)[i].SourceDate) },
			SortKey: func(i int) string { return isoDate((*p)[i].SourceDate) }},
		{Title: w.T("grids.column.change"), Width: 100, Text: func(i int) string { return kindText(w, (*p)[i].Kind) }},
		{Title: w.T("grids.pending.column.precheck"), Width: 510, Text: func(i int) string { return precheckText(w, (*p)[i]) },
			Importance: func(i int) widget.Importance { return precheckImportance((*p)[i]) }},
	}, true, w.T("grids.pending.empty"))
	ev.pendingGrid.OnSelectionChanged = ev.pendingSelectionChanged
	ev.pendingGrid.OnActivate = func(i int) { ev.showRecord(ev.pending[i].Ref(), ev.pending[i].Check.Problems) }

	ev.precheckBtn = widget.NewButtonWithIcon(w.T("grids.pending.button.precheck"), theme.SearchIcon(), ev.runPrecheck)
	ev.uploadBtn = widget.NewButtonWithIcon(w.T("grids.pending.button.upload"), theme.UploadIcon(), ev.uploadData)
	ev.uploadBtn.Importance = widget.HighImportance
	ev.markBtn = widget.NewButtonWithIcon(w.T("grids.pending.button.mark"), theme.ConfirmIcon(), ev.markExported)
	ev.showBtn = widget.NewButtonWithIcon(w.T("grids.pending.button.show"), theme.DocumentIcon(), ev.showSelected)
	ev.message = widget.NewLabel("")
	ev.message.Wrapping = fyne.TextWrapWord
	ev.bar = widget.NewProgressBar()
	ev.barText = widget.NewLabel("")
	ev.cancelBtn = widget.NewButtonWithIcon(w.T("window.button.cancel"), theme.CancelIcon(), ev.cancelUpload)
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
	w := ev.w()
	switch {
	case ev.uploading:
		return
	case n == 0:
		ev.uploadBtn.SetText(w.T("grids.pending.button.upload_all"))
		ev.precheckBtn.SetText(w.T("grids.pending.button.precheck_all"))
		ev.markBtn.Disable()
		ev.showBtn.Disable()
	default:
		ev.uploadBtn.SetText(w.T("grids.pending.button.upload_some", "Count", w.Int(int64(n))))
		ev.precheckBtn.SetText(w.T("grids.pending.button.precheck_some", "Count", w.Int(int64(n))))
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
	w := a.w
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
				ev.say(widget.DangerImportance, w.T("grids.export.read_failed", "Error", w.Error(err)))
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
			a.tracef("export loaded module=%s pending=%d exported=%d feedback=%d", module, len(ev.pending), len(ev.exported), len(ev.feedback)) // words:verbatim: trace for scripts
		})
	})
}

func (ev *exportView) setPending(items []sync.PendingItem) {
	ev.pending = items
	ev.pendingGrid.SetData(len(items), func(i int) string { return ev.pending[i].Ref().String() })
	w := ev.w()
	ev.tabs.Items[subPending].Text = w.T("grids.export.tab.pending_count", "Count", w.Int(int64(len(items))))
	ev.tabs.Refresh()
	ev.pendingSelectionChanged()
}

func (ev *exportView) runPrecheck() {
	a := ev.ms.a
	w := a.w
	ctx := a.ctx
	module := ev.ms.module
	refs := ev.selectedRefs()
	ev.precheckBtn.Disable()
	ev.say(widget.MediumImportance, w.T("grids.precheck.running"))
	svc := a.svc
	a.spawn(func() {
		items, err := svc.Engine.Precheck(ctx, module, refs)
		a.do(func() {
			ev.precheckBtn.Enable()
			if err != nil {
				ev.say(widget.DangerImportance, w.T("grids.precheck.failed", "Error", w.Error(err)))
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
				ev.say(widget.SuccessImportance, w.N("grids.precheck.all_ok", ok))
			} else {
				ev.say(widget.WarningImportance, w.T("grids.precheck.problems", "OK", w.Int(int64(ok)), "Problems", w.Int(int64(bad))))
			}
			a.tracef("precheck finished module=%s ok=%d problems=%d", module, ok, bad) // words:verbatim: trace for scripts
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
	w := a.w
	refs := ev.selectedRefs()
	if len(refs) > 0 {
		ev.startUpload(refs)
		return
	}
	n := len(ev.pending)
	if n == 0 {
		ev.say(widget.MediumImportance, w.T("grids.upload.nothing"))
		return
	}
	a.confirm(w.T("grids.upload.confirm.title"), w.N("grids.upload.confirm.message", n, "Package", ev.ms.title),
		w.T("grids.upload.confirm.yes"), func() { ev.startUpload(nil) })
	a.tracef("confirm=upload-all module=%s", ev.ms.module) // words:verbatim: trace for scripts
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
	ev.barText.SetText(a.w.T("grids.upload.starting"))
	ev.cancelBtn.Enable()
	ev.progressBox.Show()
	ev.say(widget.MediumImportance, a.w.T("grids.upload.uploading", "Package", ev.ms.title))
	a.tracef("upload started module=%s count=%d", module, len(refs)) // words:verbatim: trace for scripts

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
	w := ev.w()
	ev.barText.SetText(w.T("grids.upload.progress", "Done", w.Int(int64(done)), "Total", w.Int(int64(total))))
}

// cancelUpload stops the upload in progress.
func (ev *exportView) cancelUpload() {
	if ev.stop != nil {
		ev.stop()
		ev.cancelBtn.Disable()
		ev.barText.SetText(ev.w().T("grids.upload.stopping"))
	}
}

func (ev *exportView) uploadFinished(rep sync.Report, err error) {
	a := ev.ms.a
	w := a.w
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
		ev.say(widget.WarningImportance, w.N("grids.upload.stopped", moved))
	case err != nil:
		ev.say(widget.DangerImportance, w.T("grids.upload.failed", "Error", w.Error(err)))
	case failed > 0:
		ev.say(widget.DangerImportance, w.N("grids.upload.sent", moved)+" "+w.N("grids.upload.not_sent", failed))
	default:
		ev.say(widget.SuccessImportance, w.N("grids.upload.sent_to", moved, "Package", ev.ms.title))
	}
	if !rep.Finished.IsZero() {
		a.lastRuns[ev.ms.module] = rep
		ev.ms.showRunState()
	}
	a.tracef("upload finished module=%s moved=%d failed=%d err=%v", ev.ms.module, moved, failed, err != nil) // words:verbatim: trace for scripts
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
	w := a.w
	n := len(refs)
	msg := w.N("grids.mark.confirm", n, "Package", ev.ms.title)
	a.confirm(w.T("grids.pending.button.mark"), msg, w.T("grids.pending.button.mark"), func() {
		ctx := a.ctx
		module := ev.ms.module
		svc := a.svc
		a.spawn(func() {
			refused, err := svc.Engine.MarkExported(ctx, module, refs)
			a.do(func() {
				ev.showRefusals(markedExported, n, refused, err)
				ev.pendingGrid.ClearSelection()
				ev.reload()
			})
		})
	})
}

// marking is what Mark as Exported or Mark as Not Exported did, for
// showRefusals.
type marking struct {
	trace                   string // the trace's name, the same in every language
	failed, partly, success string // catalogue keys
}

var (
	markedExported    = marking{"marked-as-exported", "grids.mark.failed", "grids.mark.partly", "grids.mark.done"}
	markedNotExported = marking{"marked-as-not-exported", "grids.unmark.failed", "grids.unmark.partly", "grids.unmark.done"}
)

func (ev *exportView) showRefusals(what marking, n int, refused []sync.Refusal, err error) {
	w := ev.w()
	switch {
	case err != nil:
		ev.say(widget.DangerImportance, w.T(what.failed, "Error", w.Error(err)))
	case len(refused) > 0:
		lines := make([]string, len(refused))
		for i, r := range refused {
			lines[i] = fmt.Sprintf("%s %s: %s", singular(w, r.Ref.Type), r.Ref.Code, r.Reason)
		}
		ev.say(widget.WarningImportance, w.T(what.partly, "Done", w.Int(int64(n-len(refused))), "Count", w.Int(int64(n)), "List", strings.Join(lines, "\n")))
	default:
		ev.say(widget.SuccessImportance, w.N(what.success, n))
	}
	ev.ms.a.tracef("%s module=%s count=%d refused=%d", what.trace, ev.ms.module, n, len(refused)) // words:verbatim: trace for scripts
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
	w := a.w
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		rec, err := svc.Workspace.Get(ctx, ref.Type, ref.Code)
		a.do(func() {
			if err != nil {
				a.showError(w.T("grids.record.cannot_show"), err)
				return
			}
			text := formatRecord(w, rec.Record)
			if len(problems) > 0 {
				text += "\n\n" + w.T("grids.record.precheck_found") + "\n" + formatProblems(w, problems)
			}
			a.inform(fmt.Sprintf("%s %s", singular(w, ref.Type), ref.Code), text)
		})
	})
}

// --- Successfully Exported ---

func (ev *exportView) buildExported() {
	e := &ev.exported
	w := ev.w()
	ev.exportedGrid = newGrid(w, []gridColumn{
		{Title: w.T("grids.column.type"), Width: 150, Text: func(i int) string { return singular(w, (*e)[i].Type) }},
		{Title: w.T("grids.column.code"), Width: 150, Text: func(i int) string { return (*e)[i].Code }},
		{Title: w.T("grids.column.change"), Width: 100, Text: func(i int) string { return kindText(w, (*e)[i].Kind) }},
		{Title: w.T("grids.exported.column.at"), Width: 150, Text: func(i int) string { return w.DateTime((*e)[i].ExportedAt.Local()) },
			SortKey: func(i int) string { return (*e)[i].ExportedAt.UTC().Format(time.RFC3339Nano) }},
		{Title: w.T("grids.exported.column.remote_id"), Width: 250, Text: func(i int) string { return dash((*e)[i].RemoteID) }},
		{Title: w.T("grids.exported.column.verified"), Width: 160, Text: func(i int) string { return verifiedText(w, (*e)[i]) },
			Importance: func(i int) widget.Importance { return verifiedImportance((*e)[i]) }},
	}, true, w.T("grids.exported.empty"))
	ev.exportedGrid.OnSelectionChanged = ev.exportedSelectionChanged
	ev.exportedWhen = newDateFilter(w, 2, func() { ev.reload() })
	ev.openBtn = widget.NewButtonWithIcon(w.T("grids.exported.button.open", "Package", ev.ms.title), theme.ComputerIcon(), ev.openExported)
	ev.unmarkBtn = widget.NewButtonWithIcon(w.T("grids.exported.button.unmark"), theme.ContentUndoIcon(), ev.markNotExported)
	ev.exportedHint = widget.NewLabel("")
	ev.exportedHint.Wrapping = fyne.TextWrapWord
	ev.exportedSelectionChanged()
}

func (ev *exportView) exportedContent() fyne.CanvasObject {
	w := ev.w()
	legend := widget.NewLabel(w.T("grids.exported.legend", "Package", ev.ms.title))
	legend.Wrapping = fyne.TextWrapWord
	legend.Importance = widget.LowImportance
	return container.NewBorder(nil, container.NewVBox(ev.exportedHint, legend), nil, nil,
		ev.exportedGrid.Content(widget.NewLabel(w.T("grids.exported.filter")), ev.exportedWhen.obj, ev.openBtn, ev.unmarkBtn))
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
		w := ev.w()
		ev.exportedHint.SetText(w.T("grids.exported.unmark_only_by_hand", "Count", w.Int(int64(len(sel)-manual)), "Package", ev.ms.title))
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
	w := a.w
	n := len(refs)
	a.confirm(w.T("grids.exported.button.unmark"), w.N("grids.unmark.confirm", n, "Package", ev.ms.title), w.T("grids.exported.button.unmark"), func() {
		ctx := a.ctx
		module := ev.ms.module
		svc := a.svc
		a.spawn(func() {
			refused, err := svc.Engine.MarkNotExported(ctx, module, refs)
			a.do(func() {
				ev.showRefusals(markedNotExported, n, refused, err)
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
	w := ev.w()
	ev.feedbackGrid = newGrid(w, []gridColumn{
		{Title: w.T("grids.feedback.column.when"), Width: 140, Text: func(i int) string { return w.DateTime((*f)[i].When.Local()) },
			SortKey: func(i int) string { return (*f)[i].When.UTC().Format(time.RFC3339Nano) }},
		{Title: w.T("grids.column.type"), Width: 130, Text: func(i int) string { return singular(w, (*f)[i].Type) }},
		{Title: w.T("grids.column.code"), Width: 110, Text: func(i int) string { return (*f)[i].Code }},
		{Title: w.T("grids.feedback.column.message"), Width: 260, Text: func(i int) string { return oneLine((*f)[i].Message) },
			Importance: func(int) widget.Importance { return widget.DangerImportance }},
		{Title: w.T("grids.feedback.column.cause"), Width: 230, Text: func(i int) string { return oneLine((*f)[i].Cause) }},
		{Title: w.T("grids.feedback.column.fix"), Width: 300, Text: func(i int) string { return oneLine((*f)[i].Fix) }},
	}, false, w.T("grids.feedback.empty"))
	ev.feedbackGrid.OnSelectionChanged = ev.feedbackSelectionChanged
	ev.feedbackWhen = newDateFilter(w, 2, func() { ev.reload() })
	ev.details = widget.NewLabel(w.T("grids.feedback.select"))
	ev.details.Wrapping = fyne.TextWrapWord
}

func (ev *exportView) feedbackContent() fyne.CanvasObject {
	details := container.NewVScroll(ev.details)
	details.SetMinSize(fyne.NewSize(0, 130))
	return container.NewBorder(nil, widget.NewCard("", "", details), nil, nil,
		ev.feedbackGrid.Content(widget.NewLabel(ev.w().T("grids.feedback.filter")), ev.feedbackWhen.obj))
}

func (ev *exportView) setFeedback(rows []sync.FeedbackRow) {
	w := ev.w()
	// The cause and fix are said again in the reader's language from the
	// explanation's key; the package's own message stays as it wrote it.
	for i, r := range rows {
		rows[i].Cause, rows[i].Fix = explained(w, r.Key, r.Args, r.Cause, r.Fix)
	}
	ev.feedback = rows
	ev.feedbackGrid.SetData(len(rows), func(i int) string { return ev.feedback[i].ID })
	title := w.T("grids.export.tab.feedback")
	if len(rows) > 0 {
		title = w.T("grids.export.tab.feedback_count", "Count", w.Int(int64(len(rows))))
	}
	ev.tabs.Items[subFeedback].Text = title
	ev.tabs.Refresh()
	ev.feedbackSelectionChanged()
}

func (ev *exportView) feedbackSelectionChanged() {
	sel := ev.feedbackGrid.Selected()
	w := ev.w()
	if len(sel) == 0 {
		ev.details.SetText(w.T("grids.feedback.select"))
		return
	}
	ev.details.SetText(tidy(feedbackDetails(w, ev.feedback[sel[0]])))
}

// feedbackDetails is one error row in full.
func feedbackDetails(w *words.Words, r sync.FeedbackRow) string {
	return w.T("grids.feedback.details", "Type", singular(w, r.Type), "Code", r.Code, "When", w.DateTime(r.When.Local()),
		"Message", dash(r.Message), "Cause", dash(r.Cause), "Fix", dash(r.Fix))
}

// explained is a cause and fix said in w's language from their
// explanation's key and values; without a key, they stay as stored.
func explained(w *words.Words, key string, args map[string]string, cause, fix string) (string, string) {
	x := connectors.Explanation{Key: key, Args: args, Cause: cause, Fix: fix}.In(w)
	return x.Cause, x.Fix
}

// --- shared helpers ---

// dateFilter is a period drop-down for a grid.
type dateFilter struct {
	sel *widget.Select
	// obj is the drop-down sized for its longest choice, to put on screen.
	obj fyne.CanvasObject
}

// The periods of a dateFilter, in the order of its choices.
const (
	periodToday = iota
	periodWeek
	periodMonth
	periodQuarter
	periodYear
	periodAll
)

func newDateFilter(w *words.Words, initial int, onChange func()) *dateFilter {
	periods := []string{w.T("grids.period.today"), w.T("grids.period.last_7_days"), w.T("grids.period.last_30_days"),
		w.T("grids.period.last_90_days"), w.T("grids.period.this_year"), w.T("grids.period.all_time")}
	f := &dateFilter{}
	f.sel = widget.NewSelect(periods, func(string) { onChange() })
	f.sel.Selected = periods[initial]
	// A drop-down is as wide as its choice; keep it wide enough for the
	// longest period in the reader's language.
	widest := float32(0)
	for _, p := range periods {
		widest = max(widest, widget.NewLabel(p).MinSize().Width)
	}
	size := fyne.NewSize(widest+theme.IconInlineSize()+2*theme.InnerPadding(), f.sel.MinSize().Height)
	f.obj = container.NewGridWrap(size.Max(f.sel.MinSize()), f.sel)
	return f
}

// span is the period's [from, to); zero ends are open.
func (f *dateFilter) span(now time.Time) (from, to time.Time) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch f.sel.SelectedIndex() {
	case periodToday:
		return day, time.Time{}
	case periodWeek:
		return day.AddDate(0, 0, -6), time.Time{}
	case periodMonth:
		return day.AddDate(0, 0, -29), time.Time{}
	case periodQuarter:
		return day.AddDate(0, 0, -89), time.Time{}
	case periodYear:
		return time.Date(now.Year(), time.January, 1, 0, 0, 0, 0, now.Location()), time.Time{}
	}
	return time.Time{}, time.Time{}
}

func dateText(w *words.Words, d connectors.Date) string {
	if d.IsZero() {
		return "—"
	}
	return w.Date(d.Time)
}

func isoDate(d connectors.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func kindText(w *words.Words, k storage.Kind) string {
	if k == storage.KindUpdated {
		return w.T("grids.change.updated")
	}
	return w.T("grids.change.new")
}

func precheckText(w *words.Words, it sync.PendingItem) string {
	if it.Uncertain() {
		return w.T("grids.precheck.uncertain")
	}
	switch it.Check.Status {
	case storage.CheckOK:
		if len(it.Check.Notes) > 0 {
			// What will happen besides the upload, such as a product
			// created first.
			return w.T("grids.precheck.ok_note", "Note", it.Check.Notes[0])
		}
		return w.T("grids.precheck.ok")
	case storage.CheckProblems:
		ps := it.Check.Problems
		if len(ps) == 0 {
			return w.T("grids.precheck.problems_short")
		}
		cause, _ := explained(w, ps[0].Key, ps[0].Args, ps[0].Cause, ps[0].Fix)
		if len(ps) > 1 {
			return w.T("grids.precheck.problem_more", "Cause", cause, "More", w.Int(int64(len(ps)-1)))
		}
		return w.T("grids.precheck.problem", "Cause", cause)
	}
	return w.T("grids.precheck.not_checked")
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

func verifiedText(w *words.Words, r sync.ExportedRow) string {
	switch {
	case r.Gone == storage.GoneDeleted:
		return w.T("grids.verified.deleted")
	case r.Gone == storage.GoneVoided:
		return w.T("grids.verified.voided")
	case r.Verified:
		return w.T("grids.verified.yes")
	case r.Manual:
		return w.T("grids.verified.by_hand")
	}
	return w.T("grids.precheck.not_checked")
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

func formatProblems(w *words.Words, ps []sync.Problem) string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		cause, fix := explained(w, p.Key, p.Args, p.Cause, p.Fix)
		lines[i] = w.T("grids.record.problem", "Cause", cause, "Fix", fix)
	}
	return strings.Join(lines, "\n")
}

// singular is a record type's name for one record ("Sales Invoice",
// "Verkoopfactuur", "Salgsfaktura"); a type LedgerLink does not know is its
// name in w's language.
func singular(w *words.Words, t connectors.RecordType) string {
	key := ""
	switch t {
	case connectors.Customers:
		key = "grids.type.customer"
	case connectors.Quotes:
		key = "grids.type.quote"
	case connectors.SalesInvoices:
		key = "grids.type.sales_invoice"
	case connectors.InvoicePayments:
		key = "grids.type.invoice_payment"
	case connectors.Suppliers:
		key = "grids.type.supplier"
	case connectors.PurchaseInvoices:
		key = "grids.type.purchase_invoice"
	case connectors.PurchasePayments:
		key = "grids.type.purchase_payment"
	case connectors.CreditNotes:
		key = "grids.type.credit_note"
	case connectors.Journals:
		key = "grids.type.journal"
	case connectors.NominalAccounts:
		key = "grids.type.nominal_account"
	case connectors.TaxRates:
		key = "grids.type.tax_rate"
	case connectors.Items:
		key = "grids.type.item"
	case connectors.BankAccounts:
		key = "grids.type.bank_account"
	case connectors.PaymentMethods:
		key = "grids.type.payment_method"
	default:
		return t.LabelIn(w)
	}
	return w.T(key)
}
