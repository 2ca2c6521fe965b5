package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// Option keys LedgerLink offers for every module (sync.ModuleOptions). A
// connector that declares the same key in its settings schema gives it its
// own words.
const (
	OptionMultiCurrency   = sync.SettingMultiCurrency
	OptionStockOnInvoices = sync.SettingStockOnInvoicesOnly
)

// standardOptions are the Options tab's check boxes, as fields.
func standardOptions() []connectors.Field {
	var out []connectors.Field
	for _, o := range sync.ModuleOptions() {
		out = append(out, connectors.Field{Key: o.Key, Label: o.Label, Help: o.Help, Kind: connectors.KindBool, Default: "false"})
	}
	return out
}

// optionsTab holds the module's options: the standard ones and any the
// connector's schema puts on the Options tab.
type optionsTab struct {
	cs      *ConfigureScreen
	schema  []*fieldEditor // fields of the connector's schema
	engine  []*fieldEditor // LedgerLink's own option keys
	content fyne.CanvasObject
}

func newOptionsTab(cs *ConfigureScreen) *optionsTab {
	w := cs.a.w
	ot := &optionsTab{cs: cs}
	form := container.New(layout.NewFormLayout())
	add := func(fe *fieldEditor) {
		form.Add(fe.label())
		form.Add(fe.cell())
	}
	for _, std := range standardOptions() {
		if f, ok := cs.def.Field(std.Key); ok {
			fe := newFieldEditor(w, f, cs.saved[f.Key], cs.markDirty)
			ot.schema = append(ot.schema, fe)
			add(fe)
			continue
		}
		fe := newFieldEditor(w, std, cs.saved[std.Key], cs.markDirty)
		ot.engine = append(ot.engine, fe)
		add(fe)
	}
	for _, f := range cs.def.Settings {
		if !isOptionField(f) || isStandardOption(f.Key) {
			continue
		}
		fe := newFieldEditor(w, f, cs.saved[f.Key], cs.markDirty)
		cs.addFetch(fe)
		ot.schema = append(ot.schema, fe)
		add(fe)
	}
	intro := widget.NewLabel(w.T("window.options.intro", "Module", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	ot.content = container.NewVScroll(container.NewVBox(intro, form))
	return ot
}

func isStandardOption(key string) bool {
	for _, o := range standardOptions() {
		if o.Key == key {
			return true
		}
	}
	return false
}

// schemaValues are the connector's option fields as edited.
func (ot *optionsTab) schemaValues() map[string]string {
	out := map[string]string{}
	for _, fe := range ot.schema {
		out[fe.f.Key] = fe.value()
	}
	return out
}

func (ot *optionsTab) changedSchemaValues(saved map[string]string) map[string]string {
	return changedFields(ot.schema, saved)
}

func (ot *optionsTab) changedEngineValues(saved map[string]string) map[string]string {
	return changedFields(ot.engine, saved)
}

// validate shows each option's problem and reports whether all can be
// saved.
func (ot *optionsTab) validate() bool {
	ok := true
	for _, fe := range append(append([]*fieldEditor{}, ot.schema...), ot.engine...) {
		if !fe.validate(false) {
			ok = false
		}
	}
	return ok
}

// Check returns the option's check box (tests).
func (ot *optionsTab) Check(key string) *widget.Check {
	for _, fe := range append(append([]*fieldEditor{}, ot.schema...), ot.engine...) {
		if fe.f.Key == key {
			return fe.check
		}
	}
	return nil
}
