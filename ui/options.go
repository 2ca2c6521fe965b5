package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// Option keys LedgerLink offers for every module. A connector that declares
// the same key in its settings schema gives it its own words.
const (
	OptionRollup          = storage.PrefixOption + "rollup"
	OptionAuthorised      = storage.PrefixOption + "authorised"
	OptionMultiCurrency   = sync.SettingMultiCurrency
	OptionStockOnInvoices = storage.PrefixOption + "stock_on_invoices_only"
)

// standardOptions are the Options tab's check boxes.
var standardOptions = []connectors.Field{
	{Key: OptionRollup, Label: "Rollup", Kind: connectors.KindBool, Default: "false",
		Help: "Send one line per account and tax rate instead of one line per product."},
	{Key: OptionAuthorised, Label: "Create authorised invoices", Kind: connectors.KindBool, Default: "false",
		Help: "Send invoices as approved instead of drafts."},
	{Key: OptionMultiCurrency, Label: "Multi-currency", Kind: connectors.KindBool, Default: "false",
		Help: "Send documents in their own currency (the currency must be enabled in the accounting package)."},
	{Key: OptionStockOnInvoices, Label: "Only export stock items that appear on invoices", Kind: connectors.KindBool, Default: "false",
		Help: "Products are sent only when an invoice being sent uses them. Stock and cost-of-sale accounts are never posted to."},
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
	ot := &optionsTab{cs: cs}
	form := container.New(layout.NewFormLayout())
	add := func(fe *fieldEditor) {
		form.Add(fe.label())
		form.Add(fe.cell())
	}
	for _, std := range standardOptions {
		if f, ok := cs.def.Field(std.Key); ok {
			fe := newFieldEditor(f, cs.saved[f.Key], cs.markDirty)
			ot.schema = append(ot.schema, fe)
			add(fe)
			continue
		}
		fe := newFieldEditor(std, cs.saved[std.Key], cs.markDirty)
		ot.engine = append(ot.engine, fe)
		add(fe)
	}
	for _, f := range cs.def.Settings {
		if !isOptionField(f) || isStandardOption(f.Key) {
			continue
		}
		fe := newFieldEditor(f, cs.saved[f.Key], cs.markDirty)
		ot.schema = append(ot.schema, fe)
		add(fe)
	}
	intro := widget.NewLabel("How documents are sent to " + cs.title + ".")
	intro.Wrapping = fyne.TextWrapWord
	ot.content = container.NewVScroll(container.NewVBox(intro, form))
	return ot
}

func isStandardOption(key string) bool {
	for _, o := range standardOptions {
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
