package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// importView is the Import tab: the payments downloaded from the package
// and Create & Allocate Payments.
type importView struct {
	ms      *ModuleScreen
	rows    []sync.ImportRow
	grid    *grid
	when    *dateFilter
	run     *widget.Button
	message *widget.Label
	details *widget.Label
	loaded  bool
	busy    bool
	content fyne.CanvasObject
}

func newImportView(ms *ModuleScreen) *importView {
	iv := &importView{ms: ms}
	r := &iv.rows
	w := ms.a.w
	iv.grid = newGrid(w, []gridColumn{
		{Title: w.T("grids.import.column.company"), Width: 170, Text: func(i int) string { return dash((*r)[i].Company) }},
		{Title: w.T("grids.import.column.date"), Width: 125, Text: func(i int) string { return dateText(w, (*r)[i].PaymentDate) },
			SortKey: func(i int) string { return isoDate((*r)[i].PaymentDate) }},
		{Title: w.T("grids.import.column.reference"), Width: 110, Text: func(i int) string { return dash((*r)[i].Reference) }},
		{Title: w.T("grids.import.column.amount"), Width: 120, Text: func(i int) string { return amountText(w, (*r)[i]) },
			Compare: func(a, b int) int { return (*r)[a].Amount.Cmp((*r)[b].Amount) }},
		{Title: w.T("grids.import.column.allocated_to"), Width: 120, Text: func(i int) string { return dash(strings.Join((*r)[i].AllocatedTo, ", ")) }},
		{Title: w.T("grids.import.column.kind"), Width: 145, Text: func(i int) string { return importKindText(w, (*r)[i].Kind) }},
		{Title: w.T("grids.import.column.status"), Width: 280, Text: func(i int) string { return (*r)[i].Status },
			Importance: func(i int) widget.Importance { return importImportance((*r)[i]) }},
	}, false, w.T("grids.import.empty"))
	iv.grid.OnSelectionChanged = iv.selectionChanged
	iv.when = newDateFilter(w, 3, iv.reload)
	iv.run = widget.NewButtonWithIcon(w.T("grids.import.button.run"), theme.DownloadIcon(), iv.createAndAllocate)
	iv.run.Importance = widget.HighImportance
	iv.message = widget.NewLabel("")
	iv.message.Wrapping = fyne.TextWrapWord
	iv.details = widget.NewLabel(w.T("grids.import.select"))
	iv.details.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(w.T("grids.import.intro", "Package", ms.title))
	intro.Wrapping = fyne.TextWrapWord
	intro.Importance = widget.LowImportance
	iv.content = container.NewBorder(intro, container.NewVBox(iv.message, widget.NewCard("", "", iv.details)), nil, nil,
		iv.grid.Content(iv.run, widget.NewLabel(w.T("grids.import.filter")), iv.when.obj))
	return iv
}

func (iv *importView) ensureLoaded() {
	if !iv.loaded {
		iv.reload()
	}
}

func (iv *importView) reloadIfLoaded() {
	if iv.loaded {
		iv.reload()
	}
}

// reload reads the grid in the background.
func (iv *importView) reload() {
	iv.loaded = true
	a := iv.ms.a
	w := a.w
	ctx := a.ctx
	module := iv.ms.module
	from, to := iv.when.span(a.svc.Now())
	svc := a.svc
	a.spawn(func() {
		rows, err := svc.Engine.Imports(ctx, module, from, to)
		a.do(func() {
			if iv.ms.closed {
				return
			}
			if err != nil {
				iv.say(widget.DangerImportance, w.T("grids.import.read_failed", "Error", w.Error(err)))
				return
			}
			iv.setRows(rows)
			a.tracef("import loaded module=%s rows=%d", module, len(rows)) // words:verbatim: trace for scripts
		})
	})
}

func (iv *importView) setRows(rows []sync.ImportRow) {
	iv.rows = rows
	iv.grid.SetData(len(rows), func(i int) string { return string(iv.rows[i].Type) + ":" + iv.rows[i].RemoteID })
	iv.selectionChanged()
}

func (iv *importView) say(imp widget.Importance, msg string) {
	iv.message.Importance = imp
	iv.message.SetText(msg)
}

func (iv *importView) selectionChanged() {
	sel := iv.grid.Selected()
	w := iv.ms.a.w
	if len(sel) == 0 {
		iv.details.SetText(w.T("grids.import.select"))
		return
	}
	r := iv.rows[sel[0]]
	text := w.T("grids.import.details", "Company", dash(r.Company), "Date", dateText(w, r.PaymentDate), "Amount", amountText(w, r), "Status", r.Status)
	if r.Fix != "" {
		text += "\n" + w.T("grids.import.fix", "Fix", r.Fix)
	}
	iv.details.SetText(text)
}

// createAndAllocate downloads new payments, creates and allocates them.
func (iv *importView) createAndAllocate() {
	if iv.busy {
		return
	}
	a := iv.ms.a
	w := a.w
	ctx := a.ctx
	module := iv.ms.module
	iv.busy = true
	iv.run.Disable()
	iv.say(widget.MediumImportance, w.T("grids.import.downloading", "Package", iv.ms.title))
	svc := a.svc
	a.spawn(func() {
		rows, err := svc.Engine.ImportPayments(ctx, module, true)
		a.do(func() {
			iv.busy = false
			iv.run.Enable()
			if err != nil {
				iv.say(widget.DangerImportance, w.T("grids.import.failed", "Error", w.Error(err)))
				a.tracef("import finished module=%s ok=false", module) // words:verbatim: trace for scripts
				return
			}
			done, open := 0, 0
			for _, r := range rows {
				if r.Outcome.Settled() {
					done++
				} else {
					open++
				}
			}
			switch {
			case len(rows) == 0:
				iv.say(widget.MediumImportance, w.T("grids.import.none"))
			case open == 0:
				iv.say(widget.SuccessImportance, w.N("grids.import.done", done))
			default:
				iv.say(widget.WarningImportance, w.N("grids.import.done_some", done, "Open", w.Int(int64(open))))
			}
			a.tracef("import finished module=%s settled=%d open=%d", module, done, open) // words:verbatim: trace for scripts
			iv.reload()
		})
	})
}

func amountText(w *words.Words, r sync.ImportRow) string {
	return w.Amount(r.Amount, r.Currency)
}

func importKindText(w *words.Words, k storage.ImportKind) string {
	if k == storage.ImportPurchase {
		return w.T("grids.import.kind.purchase")
	}
	return w.T("grids.import.kind.sales")
}

func importImportance(r sync.ImportRow) widget.Importance {
	switch {
	case r.Outcome.Settled():
		return widget.SuccessImportance
	case r.Outcome == storage.ImportWaiting:
		return widget.MediumImportance
	}
	return widget.DangerImportance
}
