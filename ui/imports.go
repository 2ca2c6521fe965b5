package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/storage"
	"ledgerlink/sync"
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
	iv.grid = newGrid([]gridColumn{
		{Title: "Company", Width: 170, Text: func(i int) string { return dash((*r)[i].Company) }},
		{Title: "Payment date", Width: 125, Text: func(i int) string { return dateText((*r)[i].PaymentDate) },
			SortKey: func(i int) string { return isoDate((*r)[i].PaymentDate) }},
		{Title: "Reference", Width: 110, Text: func(i int) string { return dash((*r)[i].Reference) }},
		{Title: "Amount", Width: 110, Text: func(i int) string { return amountText((*r)[i]) },
			SortKey: func(i int) string { return fmt.Sprintf("%020s", (*r)[i].Amount.StringFixed(2)) }},
		{Title: "Allocated to", Width: 120, Text: func(i int) string { return dash(strings.Join((*r)[i].AllocatedTo, ", ")) }},
		{Title: "Sales or purchase", Width: 145, Text: func(i int) string { return importKindText((*r)[i].Kind) }},
		{Title: "Status", Width: 290, Text: func(i int) string { return (*r)[i].Status },
			Importance: func(i int) widget.Importance { return importImportance((*r)[i]) }},
	}, false, "No payments downloaded in this period. Press Create & Allocate Payments to fetch new ones.")
	iv.grid.OnSelectionChanged = iv.selectionChanged
	iv.when = newDateFilter(3, iv.reload)
	iv.run = widget.NewButtonWithIcon("Create & Allocate Payments", theme.DownloadIcon(), iv.createAndAllocate)
	iv.run.Importance = widget.HighImportance
	iv.message = widget.NewLabel("")
	iv.message.Wrapping = fyne.TextWrapWord
	iv.details = widget.NewLabel("Select a payment to see its status in full and what to do.")
	iv.details.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(fmt.Sprintf("Payments made in %s since the last import are downloaded, created in LedgerLink and allocated to the invoices they pay. "+
		"Credit notes allocated to invoices are not brought over.", ms.title))
	intro.Wrapping = fyne.TextWrapWord
	intro.Importance = widget.LowImportance
	iv.content = container.NewBorder(intro, container.NewVBox(iv.message, widget.NewCard("", "", iv.details)), nil, nil,
		iv.grid.Content(iv.run, widget.NewLabel("Payments dated:"), iv.when.sel))
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
				iv.say(widget.DangerImportance, "Could not read the payments: "+err.Error())
				return
			}
			iv.setRows(rows)
			a.tracef("import loaded module=%s rows=%d", module, len(rows))
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
	if len(sel) == 0 {
		iv.details.SetText("Select a payment to see its status in full and what to do.")
		return
	}
	r := iv.rows[sel[0]]
	text := fmt.Sprintf("%s, %s, %s\nStatus: %s", dash(r.Company), dateText(r.PaymentDate), amountText(r), r.Status)
	if r.Fix != "" {
		text += "\nWhat to do: " + r.Fix
	}
	iv.details.SetText(text)
}

// createAndAllocate downloads new payments, creates and allocates them.
func (iv *importView) createAndAllocate() {
	if iv.busy {
		return
	}
	a := iv.ms.a
	ctx := a.ctx
	module := iv.ms.module
	iv.busy = true
	iv.run.Disable()
	iv.say(widget.MediumImportance, fmt.Sprintf("Downloading payments from %s…", iv.ms.title))
	svc := a.svc
	a.spawn(func() {
		rows, err := svc.Engine.ImportPayments(ctx, module, true)
		a.do(func() {
			iv.busy = false
			iv.run.Enable()
			if err != nil {
				iv.say(widget.DangerImportance, "Payments were not imported: "+err.Error())
				a.tracef("import finished module=%s ok=false", module)
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
				iv.say(widget.MediumImportance, "No new payments since the last import.")
			case open == 0:
				iv.say(widget.SuccessImportance, fmt.Sprintf("%d %s created and allocated.", done, plural(done, "payment", "payments")))
			default:
				iv.say(widget.WarningImportance, fmt.Sprintf("%d %s created and allocated; %d could not be: their Status says why, and they are tried again at the next import.",
					done, plural(done, "payment", "payments"), open))
			}
			a.tracef("import finished module=%s settled=%d open=%d", module, done, open)
			iv.reload()
		})
	})
}

func amountText(r sync.ImportRow) string {
	return strings.TrimSpace(r.Currency + " " + r.Amount.StringFixed(2))
}

func importKindText(k storage.ImportKind) string {
	if k == storage.ImportPurchase {
		return "Purchase"
	}
	return "Sales"
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
