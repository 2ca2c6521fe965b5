package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// progressView is the screen shown while a module installs or the sample
// data is set up: each step as it happens, then the outcome and Return.
type progressView struct {
	a       *App
	heading string
	title   *widget.Label
	bar     *widget.ProgressBarInfinite
	steps   *widget.Label
	result  *widget.Label
	back    *widget.Button
	next    *widget.Button
	lines   []string
	done    bool
	failed  bool
	content fyne.CanvasObject
	// onDone, when set, is told the outcome once it is known.
	onDone func(err error)
}

func newProgressView(a *App, title string, onReturn func()) *progressView {
	pv := &progressView{a: a}
	pv.heading = title
	pv.title = widget.NewLabelWithStyle(a.w.T("window.progress.working", "Title", title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	pv.bar = widget.NewProgressBarInfinite()
	pv.steps = widget.NewLabel("")
	pv.steps.Wrapping = fyne.TextWrapWord
	pv.result = widget.NewLabel("")
	pv.result.Wrapping = fyne.TextWrapWord
	pv.back = widget.NewButtonWithIcon(a.w.T("window.button.return"), theme.NavigateBackIcon(), func() {
		if onReturn != nil {
			onReturn()
		} else {
			a.ShowModules()
		}
	})
	pv.back.Importance = widget.HighImportance
	pv.back.Disable()
	pv.next = widget.NewButton("", nil)
	pv.next.Hide()
	top := container.NewVBox(pv.title, pv.bar)
	bottom := container.NewVBox(widget.NewSeparator(), pv.result, container.NewHBox(pv.back, pv.next))
	pv.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, container.NewVScroll(pv.steps)))
	return pv
}

// Content is the screen's canvas object.
func (pv *progressView) Content() fyne.CanvasObject { return pv.content }

func (pv *progressView) addStep(step string) {
	pv.lines = append(pv.lines, "✓ "+pv.a.w.Label(step))
	pv.steps.SetText(strings.Join(pv.lines, "\n"))
}

// finish shows the outcome and lets the person go back.
func (pv *progressView) finish(doneText string, err error) {
	w := pv.a.w
	pv.done = true
	pv.bar.Stop()
	pv.bar.Hide()
	if err != nil {
		pv.failed = true
		pv.result.Importance = widget.DangerImportance
		pv.result.SetText(w.T("window.progress.failed", "Error", w.Error(err), "Return", w.T("window.button.return")))
		pv.title.SetText(w.T("window.progress.stopped", "Title", pv.heading))
	} else {
		pv.result.Importance = widget.SuccessImportance
		pv.result.SetText(doneText)
		pv.title.SetText(w.T("window.progress.done", "Title", pv.heading))
	}
	pv.result.Refresh()
	pv.back.Enable()
	if pv.onDone != nil {
		pv.onDone(err)
	}
	pv.a.tracef("progress finished ok=%v", err == nil) // words:verbatim: trace for scripts
}

// offer adds a second button after a success (for example Configure).
func (pv *progressView) offer(label string, fn func()) {
	pv.next.SetText(label)
	pv.next.OnTapped = fn
	pv.next.Show()
}

// leave returns from the screen once the work is done (Enter, Escape).
func (pv *progressView) leave() {
	if pv.done && pv.back.OnTapped != nil {
		pv.back.OnTapped()
	}
}
