package ui

import (
	"context"
	"net/http"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/sync"
	"ledgerlink/sync/workspace"
)

// ChangeCallService is the window's endpoint for the packages' change
// calls (webhooks, modification URLs): one address for every module,
// started and stopped with its setting.
type ChangeCallService interface {
	// Setting is the saved setting.
	Setting() workspace.ListenSetting
	// Apply saves the setting and starts or stops the endpoint with it.
	Apply(ctx context.Context, s workspace.ListenSetting) error
	// Module says what the endpoint does for module: the address to paste
	// into the package and the calls that arrived. ok is false when the
	// module's package makes no change calls.
	Module(module string) (r workspace.Receiving, ok bool)
}

// changeCallsView is the Account tab's part about change calls: the
// setting, the address to paste into the package with a Copy button, and
// whether a call has arrived.
type changeCallsView struct {
	cs      *ConfigureScreen
	enabled *widget.Check
	address *widget.Entry
	apply   *widget.Button
	url     *widget.Entry
	copy    *widget.Button
	// arrival says when the last call was accepted and refused.
	arrival *widget.Label
	// note says what the person should know: off, not reachable, why the
	// module does not receive.
	note    *widget.Label
	result  *widget.Label
	current string
	content fyne.CanvasObject
}

// newChangeCallsView returns the view, or nil when the window has no
// endpoint.
func newChangeCallsView(cs *ConfigureScreen) *changeCallsView {
	a := cs.a
	if a.svc.ChangeCalls == nil {
		return nil
	}
	tr := a.w
	v := &changeCallsView{cs: cs}
	s := a.svc.ChangeCalls.Setting()
	v.enabled = widget.NewCheck(tr.T("window.change_calls.enable"), nil)
	v.enabled.Checked = s.Enabled
	v.address = widget.NewEntry()
	v.address.SetPlaceHolder(workspace.DefaultListenAddress)
	v.address.Text = s.Address
	v.apply = widget.NewButtonWithIcon(tr.T("window.change_calls.apply"), theme.ConfirmIcon(), v.doApply)
	v.url = widget.NewEntry()
	v.url.Disable()
	v.copy = widget.NewButtonWithIcon(tr.T("window.change_calls.copy"), theme.ContentCopyIcon(), v.doCopy)
	v.copy.Disable()
	v.arrival = widget.NewLabel("")
	v.arrival.Wrapping = fyne.TextWrapWord
	v.note = widget.NewLabel("")
	v.note.Wrapping = fyne.TextWrapWord
	v.note.Importance = widget.WarningImportance
	v.result = widget.NewLabel("")
	v.result.Wrapping = fyne.TextWrapWord
	v.result.Hide()
	intro := widget.NewLabel(tr.T("window.change_calls.intro", "Package", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(""), v.enabled,
		widget.NewLabelWithStyle(tr.T("window.change_calls.address"), fyne.TextAlignTrailing, fyne.TextStyle{}),
		container.NewBorder(nil, nil, nil, v.apply, v.address),
		widget.NewLabelWithStyle(tr.T("window.change_calls.url", "Package", cs.title), fyne.TextAlignTrailing, fyne.TextStyle{}),
		container.NewBorder(nil, nil, nil, v.copy, v.url),
	)
	v.content = container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle(tr.T("window.change_calls.heading"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, form, v.arrival, v.note, v.result)
	v.content.Hide()
	v.load()
	return v
}

// load reads what the endpoint does for the module, off the UI goroutine.
func (v *changeCallsView) load() {
	a := v.cs.a
	svc, module := a.svc.ChangeCalls, v.cs.module
	a.spawn(func() {
		r, ok := svc.Module(module)
		s := svc.Setting()
		a.do(func() { v.show(r, ok, s) })
	})
}

// show puts what the endpoint says of the module on screen.
func (v *changeCallsView) show(r workspace.Receiving, ok bool, s workspace.ListenSetting) {
	if !ok {
		v.content.Hide()
		return
	}
	a := v.cs.a
	tr := a.w
	v.content.Show()
	v.current = r.URL
	v.url.SetText(r.URL)
	if r.URL == "" {
		v.copy.Disable()
	} else {
		v.copy.Enable()
	}
	now := a.svc.Now()
	arrival := tr.T("window.change_calls.none")
	if !r.LastAccepted.IsZero() {
		arrival = tr.T("window.change_calls.accepted", "When", humanTime(tr, r.LastAccepted, now), "Count", tr.Int(int64(r.Accepted)))
	}
	if !r.LastRefused.IsZero() {
		arrival += "\n" + tr.T("window.change_calls.refused", "When", humanTime(tr, r.LastRefused, now), "Why", v.why(r.RefusedStatus))
	}
	v.arrival.SetText(arrival)
	var note string
	switch {
	case !s.Enabled:
		note = tr.T("window.change_calls.off")
	case !r.Listening && r.Err != nil:
		note = tr.T("window.change_calls.cannot_listen", "Reason", tr.Error(r.Err))
	case r.Err != nil:
		note = tr.T("window.change_calls.not_receiving", "Reason", tr.Error(r.Err))
	case !r.Reachable:
		note = tr.T("window.change_calls.unreachable", "Package", v.cs.title)
	}
	v.note.SetText(note)
	if note == "" {
		v.note.Hide()
	} else {
		v.note.Show()
	}
	a.tracef("change calls module=%s url=%s accepted=%d refused=%d", v.cs.module, r.URL, r.Accepted, r.Refused)
}

// why words the status a refused call was answered with.
func (v *changeCallsView) why(status int) string {
	tr := v.cs.a.w
	switch status {
	case http.StatusNotFound:
		return tr.T("window.change_calls.why.secret")
	case http.StatusForbidden:
		return tr.T("window.change_calls.why.organisation")
	}
	return tr.T("window.change_calls.why.other", "Status", strconv.Itoa(status)+" "+http.StatusText(status))
}

// doApply saves the setting and starts or stops the endpoint.
func (v *changeCallsView) doApply() {
	a := v.cs.a
	s := workspace.ListenSetting{Enabled: v.enabled.Checked, Address: v.address.Text}
	svc := a.svc.ChangeCalls
	v.apply.Disable()
	a.spawn(func() {
		err := svc.Apply(a.ctx, s)
		a.do(func() {
			v.apply.Enable()
			tr := a.w
			v.result.Importance = widget.SuccessImportance
			switch {
			case err != nil:
				v.result.Importance = widget.DangerImportance
				v.result.SetText(tr.T("window.change_calls.cannot_listen", "Reason", tr.Error(err)))
			case s.Enabled:
				v.result.SetText(tr.T("window.change_calls.applied_on", "Address", s.Addr()))
			default:
				v.result.SetText(tr.T("window.change_calls.applied_off"))
			}
			v.result.Show()
			a.tracef("change calls applied module=%s enabled=%v ok=%v", v.cs.module, s.Enabled, err == nil)
			v.load()
		})
	})
}

// doCopy puts the address to paste on the clipboard.
func (v *changeCallsView) doCopy() {
	if v.current == "" {
		return
	}
	v.cs.a.fa.Clipboard().SetContent(v.current)
	v.result.Importance = widget.SuccessImportance
	v.result.SetText(v.cs.a.w.T("window.change_calls.copied"))
	v.result.Show()
}

// callsTodayText is "Calls today: 1,234 of 5,000" for a package with a
// daily allowance, "" otherwise.
func callsTodayText(a *App, module string) string {
	if a.svc.CallsToday == nil {
		return ""
	}
	c, ok := a.svc.CallsToday(module)
	if !ok || c.Limit <= 0 {
		return ""
	}
	return a.w.T("window.module.calls_today", "Calls", a.w.Int(int64(c.Calls)), "Limit", a.w.Int(int64(c.Limit)))
}

// callsToday is the day's count as Services.CallsToday reports it.
type callsToday = func(module string) (sync.DayCount, bool)
