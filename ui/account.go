package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// fieldEditor is the input of one schema field: an entry, a masked entry,
// a drop-down or a check box, with its help and its error shown inline.
type fieldEditor struct {
	w        *words.Words
	f        connectors.Field
	entry    *widget.Entry
	sel      *widget.Select
	check    *widget.Check
	ro       *widget.Label
	help     *widget.Label
	errL     *widget.Label
	state    *widget.Label // secrets: saved or not
	initial  string
	onChange func()
	widget   fyne.CanvasObject
}

// newFieldEditor is the input of f in w's language: the field's label and
// help are catalogue keys (or, from a connector that ships no words, its
// own text).
func newFieldEditor(w *words.Words, f connectors.Field, value string, onChange func()) *fieldEditor {
	e := &fieldEditor{w: w, f: f, onChange: onChange}
	e.errL = widget.NewLabel("")
	e.errL.Importance = widget.DangerImportance
	e.errL.Wrapping = fyne.TextWrapWord
	e.errL.Hide()
	e.help = widget.NewLabel(w.Label(f.Help))
	e.help.Importance = widget.LowImportance
	e.help.Wrapping = fyne.TextWrapWord
	if f.Help == "" {
		e.help.Hide()
	}
	if strings.TrimSpace(value) == "" && !f.Secret {
		value = f.Default
	}
	e.initial = value
	changed := func(string) {
		e.validate(false)
		if e.onChange != nil {
			e.onChange()
		}
	}
	switch {
	case f.ReadOnly:
		e.ro = widget.NewLabel(dash(value))
		e.widget = e.ro
	case f.Secret || f.Kind == connectors.KindSecret:
		e.entry = widget.NewPasswordEntry()
		e.entry.OnChanged = changed
		e.state = widget.NewLabel("")
		e.widget = container.NewBorder(nil, nil, nil, e.state, e.entry)
	case f.Kind == connectors.KindChoice:
		e.sel = widget.NewSelect(f.Choices, changed)
		e.sel.PlaceHolder = w.T("window.field.choose_one")
		if value != "" {
			e.sel.Selected = value
		}
		e.widget = e.sel
	case f.Kind == connectors.KindBool:
		e.check = widget.NewCheck(w.Label(f.Label), nil)
		e.check.Checked = strings.EqualFold(strings.TrimSpace(value), "true")
		e.check.OnChanged = func(bool) { changed("") }
		e.widget = e.check
	default:
		e.entry = widget.NewEntry()
		e.entry.Text = value
		switch f.Kind {
		case connectors.KindURL:
			e.entry.SetPlaceHolder("https://…") // words:verbatim: the start of a web address
		case connectors.KindEmail:
			e.entry.SetPlaceHolder(w.T("window.field.email_example"))
		case connectors.KindNumber:
			e.entry.SetPlaceHolder(w.T("window.field.a_number"))
		}
		e.entry.OnChanged = changed
		e.widget = e.entry
	}
	return e
}

// label is the field's caption; required fields carry a star.
func (e *fieldEditor) label() *widget.Label {
	text := e.w.Label(e.f.Label)
	if e.f.Required {
		text += " *"
	}
	if e.check != nil {
		text = ""
	}
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: e.f.Required})
}

// cell is the input with its help and error under it.
func (e *fieldEditor) cell() fyne.CanvasObject {
	return container.NewVBox(e.widget, e.help, e.errL)
}

// value is what the input holds now ("" for an untouched secret).
func (e *fieldEditor) value() string {
	switch {
	case e.ro != nil:
		return e.initial
	case e.sel != nil:
		return e.sel.Selected
	case e.check != nil:
		if e.check.Checked {
			return "true"
		}
		return "false"
	}
	return strings.TrimSpace(e.entry.Text)
}

// validate shows the field's problem under it; blank required fields are
// flagged only when showRequired is set (they are allowed while setting up).
func (e *fieldEditor) validate(showRequired bool) bool {
	if e.ro != nil {
		return true
	}
	v := e.value()
	var msg string
	if err := e.f.Check(v); err != nil && !e.f.Secret {
		msg = e.w.T("window.field.problem", "Problem", e.w.Error(err))
	} else if showRequired && e.f.Required && v == "" && !e.f.Secret {
		msg = e.w.T("window.field.required", "Field", e.w.Label(e.f.Label))
	}
	e.setError(msg)
	return e.f.Secret || e.f.Check(v) == nil
}

func (e *fieldEditor) setError(msg string) {
	e.errL.SetText(msg)
	if msg == "" {
		e.errL.Hide()
	} else {
		e.errL.Show()
	}
}

// accountTab is generated from the connector's settings schema, with
// Connect (browser sign-in) and Test connection.
type accountTab struct {
	cs         *ConfigureScreen
	fields     []*fieldEditor
	connected  bool
	result     *widget.Label
	connect    *widget.Button
	disconnect *widget.Button
	test       *widget.Button
	refresh    *widget.Button
	cancel     *widget.Button
	// changeCalls is nil when the window has no change-call endpoint.
	changeCalls *changeCallsView
	stop        context.CancelFunc
	content     fyne.CanvasObject
}

// isOptionField says whether a schema field belongs on the Options tab.
func isOptionField(f connectors.Field) bool {
	return strings.EqualFold(f.Tab, tabOptions) || (f.Tab == "" && strings.HasPrefix(f.Key, storage.PrefixOption))
}

func newAccountTab(cs *ConfigureScreen) *accountTab {
	w := cs.a.w
	at := &accountTab{cs: cs}
	form := container.New(layout.NewFormLayout())
	for _, f := range cs.def.Settings {
		if isOptionField(f) {
			continue
		}
		fe := newFieldEditor(w, f, cs.saved[f.Key], cs.markDirty)
		cs.addFetch(fe)
		at.fields = append(at.fields, fe)
		form.Add(fe.label())
		form.Add(fe.cell())
	}
	intro := widget.NewLabel(w.T("window.account.intro", "Module", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	at.result = widget.NewLabel("")
	at.result.Wrapping = fyne.TextWrapWord
	at.result.Hide()

	var buttons []fyne.CanvasObject
	svc := cs.a.svc
	if svc.Connect != nil && (svc.CanConnect == nil || svc.CanConnect(cs.module)) {
		at.connect = widget.NewButtonWithIcon(w.T("window.account.sign_in", "Module", cs.title), theme.LoginIcon(), at.doConnect)
		at.connect.Importance = widget.HighImportance
		buttons = append(buttons, at.connect)
	}
	if svc.Disconnect != nil && at.connect != nil {
		at.disconnect = widget.NewButtonWithIcon(w.T("window.account.disconnect"), theme.LogoutIcon(), at.doDisconnect)
		buttons = append(buttons, at.disconnect)
	}
	if svc.TestConnection != nil {
		at.test = widget.NewButtonWithIcon(w.T("window.account.test"), theme.ConfirmIcon(), at.doTest)
		buttons = append(buttons, at.test)
	}
	at.cancel = widget.NewButton(w.T("window.account.cancel_sign_in"), func() {
		if at.stop != nil {
			at.stop()
		}
	})
	at.cancel.Hide()
	buttons = append(buttons, at.cancel)
	var refreshHelp fyne.CanvasObject = layout.NewSpacer()
	if at.refresh = at.refreshButton(); at.refresh != nil {
		buttons = append(buttons, at.refresh)
		refreshHelp = at.refreshHelp()
	}
	if len(cs.def.Settings) == 0 {
		form.Add(widget.NewLabel(""))
		form.Add(widget.NewLabel(w.T("window.account.no_details")))
	}
	parts := []fyne.CanvasObject{intro, form, widget.NewSeparator(), container.NewHBox(buttons...), refreshHelp, at.result}
	if at.changeCalls = newChangeCallsView(cs); at.changeCalls != nil {
		parts = append(parts, at.changeCalls.content)
	}
	at.content = container.NewVScroll(container.NewVBox(parts...))
	return at
}

// values are the non-secret fields as edited.
func (at *accountTab) values() map[string]string {
	out := map[string]string{}
	for _, fe := range at.fields {
		if fe.f.Secret || fe.ro != nil {
			continue
		}
		out[fe.f.Key] = fe.value()
	}
	return out
}

// changedValues are the non-secret fields that differ from saved.
func (at *accountTab) changedValues(saved map[string]string) map[string]string {
	return changedFields(at.fields, saved)
}

func changedFields(fields []*fieldEditor, saved map[string]string) map[string]string {
	out := map[string]string{}
	for _, fe := range fields {
		if fe.f.Secret || fe.ro != nil {
			continue
		}
		v := fe.value()
		old, ok := saved[fe.f.Key]
		if !ok {
			old = fe.f.Default
		}
		if strings.TrimSpace(old) != v {
			out[fe.f.Key] = v
		}
	}
	return out
}

// typedSecret says whether a new value was typed for secret k.
func (at *accountTab) typedSecret(k string) bool {
	for _, fe := range at.fields {
		if fe.f.Key == k && fe.f.Secret && fe.value() != "" {
			return true
		}
	}
	return false
}

// typedSecrets are the secrets typed in, to save in the keyring.
func (at *accountTab) typedSecrets() map[string]string {
	out := map[string]string{}
	for _, fe := range at.fields {
		if fe.f.Secret && fe.entry != nil && fe.value() != "" {
			out[fe.f.Key] = fe.value()
		}
	}
	return out
}

// validate shows every field's problem and reports whether all can be
// saved.
func (at *accountTab) validate() bool {
	ok := true
	for _, fe := range at.fields {
		if !fe.validate(true) {
			ok = false
		}
	}
	return ok
}

// saved clears the typed secrets and remembers the saved values.
func (at *accountTab) saved() {
	for _, fe := range at.fields {
		if fe.f.Secret && fe.entry != nil {
			fe.entry.SetText("")
		}
		fe.initial = fe.value()
		if fe.ro != nil {
			fe.initial = at.cs.saved[fe.f.Key]
			fe.ro.SetText(dash(fe.initial))
		}
	}
	at.secretsLoaded(nil)
}

// secretsLoaded shows, by each secret, whether the keyring holds it.
func (at *accountTab) secretsLoaded(err error) {
	w := at.cs.a.w
	for _, fe := range at.fields {
		if fe.state == nil {
			continue
		}
		if at.cs.secretsSet[fe.f.Key] {
			fe.state.SetText(w.T("window.account.secret_saved"))
			fe.state.Importance = widget.SuccessImportance
			fe.entry.SetPlaceHolder(w.T("window.account.secret_replace"))
		} else {
			fe.state.SetText(w.T("window.account.secret_not_set"))
			fe.state.Importance = widget.WarningImportance
			fe.entry.SetPlaceHolder("")
		}
		fe.state.Refresh()
	}
	if err != nil {
		at.showResult(false, w.T("window.account.keyring_unreachable", "Error", w.Error(err)))
	}
}

// showSaveErrors puts each refused setting's reason under its field.
func (at *accountTab) showSaveErrors(err error) {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var se *storage.SettingError
		if !errors.As(e, &se) {
			continue
		}
		for _, fe := range at.fields {
			if fe.f.Key == se.Key {
				fe.setError(at.cs.a.w.Error(se))
			}
		}
	}
}

func (at *accountTab) showResult(ok bool, msg string) {
	at.result.Importance = widget.DangerImportance
	if ok {
		at.result.Importance = widget.SuccessImportance
	}
	at.result.SetText(msg)
	at.result.Show()
}

// doConnect saves the edits, then signs in through the browser.
func (at *accountTab) doConnect() {
	cs := at.cs
	if cs.dirty {
		cs.update(at.runConnect)
		return
	}
	at.runConnect()
}

func (at *accountTab) runConnect() {
	cs := at.cs
	a := cs.a
	w := a.w
	ctx, stop := context.WithCancel(a.ctx)
	at.stop = stop
	at.busy(true)
	at.showResult(true, w.T("window.account.browser_opening", "Module", cs.title))
	at.result.Importance = widget.MediumImportance
	at.result.Refresh()
	svc := a.svc
	a.spawn(func() {
		org, err := svc.Connect(ctx, cs.module, windowPrompt{a: a}, windowChooser(a))
		a.do(func() {
			stop()
			at.stop = nil
			at.busy(false)
			switch {
			case errors.Is(err, context.Canceled):
				at.showResult(false, w.T("window.account.sign_in_cancelled"))
			case err != nil:
				at.showResult(false, w.T("window.account.not_signed_in", "Error", w.Error(err)))
			default:
				at.connected = true
				at.showResult(true, w.T("window.account.signed_in", "Organisation", dash(org.Name)))
				cs.reloadSaved()
			}
			a.tracef("connect finished module=%s ok=%v", cs.module, err == nil) // words:verbatim: trace for scripts
		})
	})
}

// doDisconnect asks, then ends the sign-in.
func (at *accountTab) doDisconnect() {
	cs := at.cs
	a := cs.a
	w := a.w
	a.confirm(w.T("window.account.disconnect_title", "Module", cs.title),
		w.T("window.account.disconnect_question", "Module", cs.title),
		w.T("window.account.disconnect"), func() {
			at.busy(true)
			svc := a.svc
			a.spawn(func() {
				err := svc.Disconnect(a.ctx, cs.module)
				a.do(func() {
					at.busy(false)
					if err != nil {
						at.showResult(false, w.T("window.account.not_disconnected", "Error", w.Error(err)))
					} else {
						at.connected = false
						at.showResult(true, w.T("window.account.disconnected", "Module", cs.title))
						cs.reloadSaved()
					}
					a.tracef("disconnect finished module=%s ok=%v", cs.module, err == nil) // words:verbatim: trace for scripts
				})
			})
		})
}

// doTest saves the edits, then checks the connection.
func (at *accountTab) doTest() {
	cs := at.cs
	if cs.dirty {
		cs.update(at.runTest)
		return
	}
	at.runTest()
}

func (at *accountTab) runTest() {
	cs := at.cs
	a := cs.a
	w := a.w
	ctx := a.ctx
	at.busy(true)
	at.showResult(true, w.T("window.account.testing", "Module", cs.title))
	at.result.Importance = widget.MediumImportance
	at.result.Refresh()
	svc := a.svc
	a.spawn(func() {
		id, err := svc.TestConnection(ctx, cs.module)
		a.do(func() {
			at.busy(false)
			if err != nil {
				at.showResult(false, w.T("window.account.test_failed", "Error", w.Error(err)))
			} else {
				at.connected = true
				msg := w.T("window.account.test_ok", "Organisation", dash(id.Organisation))
				if id.Currency != "" {
					msg = w.T("window.account.test_ok_currency", "Organisation", dash(id.Organisation), "Currency", id.Currency)
				}
				at.showResult(true, msg)
				cs.reloadSaved()
			}
			a.tracef("test connection finished module=%s ok=%v", cs.module, err == nil) // words:verbatim: trace for scripts
		})
	})
}

func (at *accountTab) busy(b bool) {
	for _, btn := range []*widget.Button{at.connect, at.disconnect, at.test} {
		if btn == nil {
			continue
		}
		if b {
			btn.Disable()
		} else {
			btn.Enable()
		}
	}
	if b && at.stop != nil {
		at.cancel.Show()
	} else {
		at.cancel.Hide()
	}
}

// reloadSaved reads the settings again after a sign-in or test filled
// some in (organisation, tokens), keeping unsaved edits elsewhere.
func (cs *ConfigureScreen) reloadSaved() {
	a := cs.a
	saved, err := a.svc.Settings.Settings(cs.module)
	if err != nil {
		cs.status.SetText(a.w.T("window.configure.reread_failed", "Error", a.w.Error(err)))
		return
	}
	cs.saved = saved
	for _, fe := range cs.account.fields {
		if fe.ro != nil {
			fe.initial = saved[fe.f.Key]
			fe.ro.SetText(dash(fe.initial))
		}
	}
	cs.loadSecrets()
	cs.refreshLight()
}
