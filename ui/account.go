package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// fieldEditor is the input of one schema field: an entry, a masked entry,
// a drop-down or a check box, with its help and its error shown inline.
type fieldEditor struct {
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

func newFieldEditor(f connectors.Field, value string, onChange func()) *fieldEditor {
	e := &fieldEditor{f: f, onChange: onChange}
	e.errL = widget.NewLabel("")
	e.errL.Importance = widget.DangerImportance
	e.errL.Wrapping = fyne.TextWrapWord
	e.errL.Hide()
	e.help = widget.NewLabel(f.Help)
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
		e.sel.PlaceHolder = "(choose one)"
		if value != "" {
			e.sel.Selected = value
		}
		e.widget = e.sel
	case f.Kind == connectors.KindBool:
		e.check = widget.NewCheck(f.Label, nil)
		e.check.Checked = strings.EqualFold(strings.TrimSpace(value), "true")
		e.check.OnChanged = func(bool) { changed("") }
		e.widget = e.check
	default:
		e.entry = widget.NewEntry()
		e.entry.Text = value
		switch f.Kind {
		case connectors.KindURL:
			e.entry.SetPlaceHolder("https://…")
		case connectors.KindEmail:
			e.entry.SetPlaceHolder("name@example.com")
		case connectors.KindNumber:
			e.entry.SetPlaceHolder("a number")
		}
		e.entry.OnChanged = changed
		e.widget = e.entry
	}
	return e
}

// label is the field's caption; required fields carry a star.
func (e *fieldEditor) label() *widget.Label {
	text := e.f.Label
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
		msg = err.Error() + "."
	} else if showRequired && e.f.Required && v == "" && !e.f.Secret {
		msg = e.f.Label + " is required."
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
	at := &accountTab{cs: cs}
	form := container.New(layout.NewFormLayout())
	for _, f := range cs.def.Settings {
		if isOptionField(f) {
			continue
		}
		fe := newFieldEditor(f, cs.saved[f.Key], cs.markDirty)
		cs.addFetch(fe)
		at.fields = append(at.fields, fe)
		form.Add(fe.label())
		form.Add(fe.cell())
	}
	intro := widget.NewLabel(fmt.Sprintf("How LedgerLink signs in to %s. Fields marked * are required. "+
		"Secrets are kept in the system keyring, never in LedgerLink's database.", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	at.result = widget.NewLabel("")
	at.result.Wrapping = fyne.TextWrapWord
	at.result.Hide()

	var buttons []fyne.CanvasObject
	svc := cs.a.svc
	if svc.Connect != nil && (svc.CanConnect == nil || svc.CanConnect(cs.module)) {
		at.connect = widget.NewButtonWithIcon("Sign in to "+cs.title+"…", theme.LoginIcon(), at.doConnect)
		at.connect.Importance = widget.HighImportance
		buttons = append(buttons, at.connect)
	}
	if svc.Disconnect != nil && at.connect != nil {
		at.disconnect = widget.NewButtonWithIcon("Disconnect", theme.LogoutIcon(), at.doDisconnect)
		buttons = append(buttons, at.disconnect)
	}
	if svc.TestConnection != nil {
		at.test = widget.NewButtonWithIcon("Test connection", theme.ConfirmIcon(), at.doTest)
		buttons = append(buttons, at.test)
	}
	at.cancel = widget.NewButton("Cancel sign-in", func() {
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
		form.Add(widget.NewLabel("This module needs no sign-in details."))
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
	for _, fe := range at.fields {
		if fe.state == nil {
			continue
		}
		if at.cs.secretsSet[fe.f.Key] {
			fe.state.SetText("✓ saved")
			fe.state.Importance = widget.SuccessImportance
			fe.entry.SetPlaceHolder("Saved in the system keyring; type to replace it")
		} else {
			fe.state.SetText("not set")
			fe.state.Importance = widget.WarningImportance
			fe.entry.SetPlaceHolder("")
		}
		fe.state.Refresh()
	}
	if err != nil {
		at.showResult(false, "The system keyring cannot be reached, so LedgerLink cannot tell which secrets are saved: "+err.Error())
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
				fe.setError(se.Error())
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
	ctx, stop := context.WithCancel(a.ctx)
	at.stop = stop
	at.busy(true)
	at.showResult(true, "Your browser is opening "+cs.title+"'s sign-in page. Sign in there and choose your organisation; LedgerLink waits here.")
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
				at.showResult(false, "Sign-in cancelled. Nothing was changed.")
			case err != nil:
				at.showResult(false, "Not signed in: "+err.Error())
			default:
				at.connected = true
				at.showResult(true, fmt.Sprintf("Signed in. LedgerLink is connected to %s.", dash(org.Name)))
				cs.reloadSaved()
			}
			a.tracef("connect finished module=%s ok=%v", cs.module, err == nil)
		})
	})
}

// doDisconnect asks, then ends the sign-in.
func (at *accountTab) doDisconnect() {
	cs := at.cs
	a := cs.a
	a.confirm("Disconnect from "+cs.title,
		fmt.Sprintf("Disconnect LedgerLink from %s?\n\nLedgerLink stops syncing with this organisation and forgets the sign-in until you sign in again. Nothing in %s and nothing in LedgerLink is deleted.", cs.title, cs.title),
		"Disconnect", func() {
			at.busy(true)
			svc := a.svc
			a.spawn(func() {
				err := svc.Disconnect(a.ctx, cs.module)
				a.do(func() {
					at.busy(false)
					if err != nil {
						at.showResult(false, "Not disconnected: "+err.Error())
					} else {
						at.connected = false
						at.showResult(true, fmt.Sprintf("Disconnected from %s. Sign in again to sync.", cs.title))
						cs.reloadSaved()
					}
					a.tracef("disconnect finished module=%s ok=%v", cs.module, err == nil)
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
	ctx := a.ctx
	at.busy(true)
	at.showResult(true, "Testing the connection to "+cs.title+"…")
	at.result.Importance = widget.MediumImportance
	at.result.Refresh()
	svc := a.svc
	a.spawn(func() {
		id, err := svc.TestConnection(ctx, cs.module)
		a.do(func() {
			at.busy(false)
			if err != nil {
				at.showResult(false, "The connection does not work: "+err.Error())
			} else {
				at.connected = true
				msg := fmt.Sprintf("The connection works: LedgerLink reached %s", dash(id.Organisation))
				if id.Currency != "" {
					msg += fmt.Sprintf(" (its currency is %s)", id.Currency)
				}
				at.showResult(true, msg+".")
				cs.reloadSaved()
			}
			a.tracef("test connection finished module=%s ok=%v", cs.module, err == nil)
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
		cs.status.SetText("Could not read the settings again: " + err.Error())
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
