package ui

import (
	"cmp"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/sync"
	"ledgerlink/words"
)

// historyWeeks is how far back Run history looks.
const historyWeeks = 6

// historyView is the Run history tab: a chart of records moved and errors
// per run over the last weeks, and the list of runs.
type historyView struct {
	ms      *ModuleScreen
	runs    []sync.Report
	chart   *runChart
	grid    *grid
	summary *widget.Label
	loaded  bool
	content fyne.CanvasObject
}

func newHistoryView(ms *ModuleScreen) *historyView {
	hv := &historyView{ms: ms}
	r := &hv.runs
	w := ms.a.w
	hv.chart = newRunChart(w)
	hv.grid = newGrid(w, []gridColumn{
		{Title: w.T("grids.history.column.started"), Width: 150, Text: func(i int) string { return w.DateTime((*r)[i].Started.Local()) },
			SortKey: func(i int) string { return (*r)[i].Started.UTC().Format(time.RFC3339Nano) }},
		{Title: w.T("grids.history.column.why"), Width: 120, Text: func(i int) string { return triggerText(w, (*r)[i].Trigger) }},
		{Title: w.T("grids.history.column.took"), Width: 90, Text: func(i int) string { return durationText(w, (*r)[i]) }},
		{Title: w.T("grids.history.column.moved"), Width: 100, Text: func(i int) string { return w.Int(int64((*r)[i].Moved())) },
			Compare: func(a, b int) int { return cmp.Compare((*r)[a].Moved(), (*r)[b].Moved()) }},
		{Title: w.T("grids.history.column.errors"), Width: 80, Text: func(i int) string { return w.Int(int64((*r)[i].FailedItems())) },
			Compare: func(a, b int) int { return cmp.Compare((*r)[a].FailedItems(), (*r)[b].FailedItems()) },
			Importance: func(i int) widget.Importance {
				if (*r)[i].FailedItems() > 0 {
					return widget.DangerImportance
				}
				return widget.MediumImportance
			}},
		{Title: w.T("grids.history.column.result"), Width: 400, Text: func(i int) string { return runResult(w, (*r)[i]) }},
	}, false, w.T("grids.history.empty", "Weeks", w.Int(historyWeeks)))
	hv.summary = widget.NewLabel("")
	legend := container.NewHBox(legendSwatch(chartMoved, w.T("grids.history.legend.moved")), legendSwatch(chartFailed, w.T("grids.history.legend.errors")))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, legend, hv.summary), hv.chart)
	hv.content = container.NewBorder(top, nil, nil, nil, hv.grid.Content())
	return hv
}

var (
	chartMoved  = color.NRGBA{R: 0x2e, G: 0x8b, B: 0x3e, A: 0xff}
	chartFailed = color.NRGBA{R: 0xc6, G: 0x3b, B: 0x3b, A: 0xff}
)

func legendSwatch(c color.Color, text string) fyne.CanvasObject {
	r := canvas.NewRectangle(c)
	return container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(14, 14), r)), widget.NewLabel(text))
}

// load reads the runs of the last weeks in the background.
func (hv *historyView) load() {
	hv.loaded = true
	a := hv.ms.a
	w := a.w
	ctx := a.ctx
	module := hv.ms.module
	since := a.svc.Now().AddDate(0, 0, -7*historyWeeks)
	svc := a.svc
	a.spawn(func() {
		runs, err := svc.Runs.Runs(ctx, module, since)
		a.do(func() {
			if hv.ms.closed {
				return
			}
			if err != nil {
				hv.summary.SetText(w.T("grids.history.read_failed", "Error", w.Error(err)))
				return
			}
			hv.setRuns(runs)
			a.tracef("history loaded module=%s runs=%d", module, len(runs)) // words:verbatim: trace for scripts
		})
	})
}

func (hv *historyView) setRuns(runs []sync.Report) {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b sync.Report) int { return a.Started.Compare(b.Started) })
	hv.chart.setRuns(runs)
	// The list shows the newest first.
	list := slices.Clone(runs)
	slices.Reverse(list)
	hv.runs = list
	hv.grid.SetData(len(list), func(i int) string { return hv.runs[i].Started.UTC().Format(time.RFC3339Nano) })
	moved, failed := 0, 0
	for _, r := range runs {
		moved += r.Moved()
		failed += r.FailedItems()
	}
	w := hv.ms.a.w
	hv.summary.SetText(w.T("grids.history.summary", "Weeks", w.Int(historyWeeks), "Runs", w.N("grids.history.runs", len(runs)),
		"Moved", w.N("grids.history.moved", moved), "Errors", w.N("grids.history.errors", failed)))
}

func triggerText(w *words.Words, t sync.Trigger) string {
	switch t {
	case sync.TriggerScheduled:
		return w.T("grids.trigger.scheduled")
	case sync.TriggerCatchUp:
		return w.T("grids.trigger.catch_up")
	case sync.TriggerStartup:
		return w.T("grids.trigger.startup")
	}
	return w.T("grids.trigger.manual")
}

func durationText(w *words.Words, r sync.Report) string {
	if r.Finished.IsZero() {
		return "—"
	}
	d := r.Finished.Sub(r.Started)
	if d < time.Minute {
		return w.T("grids.history.took.seconds", "Seconds", int(d.Seconds()))
	}
	return w.T("grids.history.took.minutes", "Minutes", w.Int(int64(d.Minutes())), "Seconds", int(d.Seconds())%60)
}

func runResult(w *words.Words, r sync.Report) string {
	switch {
	case r.Cancelled:
		return w.T("grids.result.cancelled")
	case len(r.Errors) > 0:
		return w.T("grids.result.failed", "Errors", strings.Join(r.Errors, " "))
	case r.FailedItems() > 0:
		return w.T("grids.result.some_failed")
	case !r.ResumeAt.IsZero():
		return w.T("grids.result.paused", "Until", w.DateTime(r.ResumeAt.Local()))
	}
	return w.T("grids.result.ok")
}

// runChart draws, per run, a green bar for records moved and a red one for
// errors, on a shared scale.
type runChart struct {
	widget.BaseWidget
	w    *words.Words
	runs []sync.Report
}

func newRunChart(w *words.Words) *runChart {
	c := &runChart{w: w}
	c.ExtendBaseWidget(c)
	return c
}

func (c *runChart) setRuns(runs []sync.Report) {
	c.runs = runs
	c.Refresh()
}

// Bars returns the bar heights as fractions of the tallest (tests).
func (c *runChart) Bars() (moved, failed []float32) {
	peak := 1
	for _, r := range c.runs {
		peak = max(peak, r.Moved(), r.FailedItems())
	}
	for _, r := range c.runs {
		moved = append(moved, float32(r.Moved())/float32(peak))
		failed = append(failed, float32(r.FailedItems())/float32(peak))
	}
	return moved, failed
}

func (c *runChart) CreateRenderer() fyne.WidgetRenderer {
	r := &runChartRenderer{c: c}
	r.axis = canvas.NewLine(theme.Color(theme.ColorNameForeground))
	r.top = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.top.TextSize = theme.CaptionTextSize()
	r.first = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.first.TextSize = theme.CaptionTextSize()
	r.last = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.last.TextSize = theme.CaptionTextSize()
	r.last.Alignment = fyne.TextAlignTrailing
	r.empty = canvas.NewText(c.w.T("grids.history.chart_empty"), theme.Color(theme.ColorNamePlaceHolder))
	r.Refresh()
	return r
}

type runChartRenderer struct {
	c                       *runChart
	bars                    []*canvas.Rectangle
	axis                    *canvas.Line
	top, first, last, empty *canvas.Text
	size                    fyne.Size
}

const chartHeight = 150

func (r *runChartRenderer) MinSize() fyne.Size { return fyne.NewSize(200, chartHeight) }

func (r *runChartRenderer) Layout(s fyne.Size) {
	r.size = s
	labelH := r.first.MinSize().Height
	left := r.top.MinSize().Width + theme.Padding()
	plotH := s.Height - labelH - theme.Padding()
	plotW := s.Width - left
	r.top.Move(fyne.NewPos(0, 0))
	r.axis.Position1 = fyne.NewPos(left, plotH)
	r.axis.Position2 = fyne.NewPos(s.Width, plotH)
	r.first.Move(fyne.NewPos(left, plotH+2))
	r.last.Move(fyne.NewPos(s.Width-r.last.MinSize().Width, plotH+2))
	r.empty.Move(fyne.NewPos(left+theme.Padding(), plotH/2))
	n := len(r.c.runs)
	if n == 0 {
		return
	}
	moved, failed := r.c.Bars()
	slot := plotW / float32(n)
	barW := max(min(slot/2-1, 14), 1)
	for i := range n {
		x := left + float32(i)*slot + (slot-2*barW)/2
		for j, frac := range []float32{moved[i], failed[i]} {
			b := r.bars[2*i+j]
			h := frac * (plotH - 4)
			if frac > 0 {
				h = max(h, 2)
			}
			b.Move(fyne.NewPos(x+float32(j)*barW, plotH-h))
			b.Resize(fyne.NewSize(barW, h))
		}
	}
}

func (r *runChartRenderer) Refresh() {
	runs := r.c.runs
	for len(r.bars) < 2*len(runs) {
		r.bars = append(r.bars, canvas.NewRectangle(chartMoved), canvas.NewRectangle(chartFailed))
	}
	r.bars = r.bars[:2*len(runs)]
	peak := 0
	for _, run := range runs {
		peak = max(peak, run.Moved(), run.FailedItems())
	}
	w := r.c.w
	r.top.Text = w.Int(int64(peak))
	r.first.Text, r.last.Text = "", ""
	if len(runs) > 0 {
		r.first.Text = w.Date(runs[0].Started.Local())
		r.last.Text = w.Date(runs[len(runs)-1].Started.Local())
	}
	r.empty.Hidden = len(runs) > 0
	for _, t := range []*canvas.Text{r.top, r.first, r.last, r.empty} {
		t.Refresh()
	}
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

func (r *runChartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.axis, r.top, r.first, r.last, r.empty}
	for _, b := range r.bars {
		objs = append(objs, b)
	}
	return objs
}

func (r *runChartRenderer) Destroy() {}
