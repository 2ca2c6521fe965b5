package ui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// chartEntry is one account, tax rate or bank account of the package.
type chartEntry struct {
	code, name string
	class      connectors.AccountClass
}

func (c chartEntry) option() string {
	if c.name == "" {
		return c.code
	}
	return c.code + " — " + c.name
}

// mappingData is what the Mapping tab shows, read in the background.
type mappingData struct {
	charts map[connectors.RecordType][]chartEntry
	// used counts, per kind and local code, the pending records using it.
	used map[connectors.RecordType]map[string]int
	// sales and purchase say which nominal codes sales and purchase
	// documents use (for Apply Default Setup).
	sales, purchase map[string]bool
}

// mappingKinds are the three mapped kinds, in screen order.
var mappingKinds = []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.BankAccounts}

func mappingPrefix(t connectors.RecordType) string {
	switch t {
	case connectors.TaxRates:
		return sync.MapTaxPrefix
	case connectors.BankAccounts:
		return sync.MapBankPrefix
	}
	return sync.MapNominalPrefix
}

// mappingWords are the catalogue keys of a mapped kind's section: its
// title, what it says when no waiting document uses one, and the note (one,
// other) of the codes not mapped.
func mappingWords(t connectors.RecordType) (title, none, unmapped string) {
	switch t {
	case connectors.TaxRates:
		return "grids.mapping.tax.title", "grids.mapping.tax.none", "grids.mapping.tax.unmapped"
	case connectors.BankAccounts:
		return "grids.mapping.bank.title", "grids.mapping.bank.none", "grids.mapping.bank.unmapped"
	}
	return "grids.mapping.nominal.title", "grids.mapping.nominal.none", "grids.mapping.nominal.unmapped"
}

// mappingTab maps local nominal codes, tax codes and bank accounts to the
// package's own.
type mappingTab struct {
	cs      *ConfigureScreen
	data    mappingData
	loaded  bool
	values  map[string]string // setting key -> remote code, as edited
	rows    map[string]*mappingRow
	box     *fyne.Container
	info    *widget.Label
	fetch   *widget.Button
	apply   *widget.Button
	content fyne.CanvasObject
}

// mappingRow is one local code and the package's code it maps to.
type mappingRow struct {
	mt    *mappingTab
	kind  connectors.RecordType
	code  string
	key   string
	entry *widget.SelectEntry
	bg    *canvas.Rectangle
	usage *widget.Label
	errL  *widget.Label
	obj   fyne.CanvasObject
	// setting is set while the entry is filled by code, not by typing.
	setting bool
}

func newMappingTab(cs *ConfigureScreen) *mappingTab {
	mt := &mappingTab{cs: cs, values: map[string]string{}, rows: map[string]*mappingRow{}}
	for k, v := range cs.saved {
		for _, kind := range mappingKinds {
			if strings.HasPrefix(k, mappingPrefix(kind)) {
				mt.values[k] = strings.TrimSpace(v)
			}
		}
	}
	w := mt.w()
	mt.info = widget.NewLabel(w.T("grids.mapping.reading"))
	mt.info.Wrapping = fyne.TextWrapWord
	mt.fetch = widget.NewButtonWithIcon(w.T("grids.mapping.button.fetch"), theme.DownloadIcon(), mt.fetchChart)
	mt.apply = widget.NewButtonWithIcon(w.T("grids.mapping.button.defaults"), theme.ContentPasteIcon(), mt.applyDefaults)
	intro := widget.NewLabel(w.T("grids.mapping.intro", "Package", cs.title, "Fetch", w.T("grids.mapping.button.fetch")))
	intro.Wrapping = fyne.TextWrapWord
	mt.box = container.NewVBox()
	top := container.NewVBox(intro, container.NewHBox(mt.fetch, mt.apply), mt.info, widget.NewSeparator())
	mt.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(mt.box))
	return mt
}

// w are the words of the person's language.
func (mt *mappingTab) w() *words.Words { return mt.cs.a.w }

// load reads the package's chart and the codes pending records use, in
// the background.
func (mt *mappingTab) load() {
	a := mt.cs.a
	w := a.w
	ctx := a.ctx
	module := mt.cs.module
	svc := a.svc
	a.spawn(func() {
		data, err := loadMappingData(ctx, w, svc, module)
		a.do(func() {
			if err != nil {
				mt.info.Importance = widget.DangerImportance
				mt.info.SetText(w.T("grids.mapping.read_failed", "Error", w.Error(err)))
				return
			}
			mt.data = data
			mt.loaded = true
			mt.rebuild()
			mt.cs.refreshLight()
			a.tracef("mapping loaded module=%s", module) // words:verbatim: trace for scripts
		})
	})
}

func loadMappingData(ctx context.Context, w *words.Words, svc Services, module string) (mappingData, error) {
	data := mappingData{
		charts:   map[connectors.RecordType][]chartEntry{},
		used:     map[connectors.RecordType]map[string]int{},
		sales:    map[string]bool{},
		purchase: map[string]bool{},
	}
	for _, kind := range mappingKinds {
		data.used[kind] = map[string]int{}
		var entries []chartEntry
		err := svc.Workspace.Ancillary(ctx, module, kind, func(r connectors.Record) error {
			switch {
			case r.Account != nil:
				if !r.Account.Archived && !r.Account.Stock && !r.Account.CostOfSale {
					entries = append(entries, chartEntry{code: r.Account.Code, name: r.Account.Name, class: r.Account.Class})
				}
			case r.TaxRate != nil:
				if !r.TaxRate.Archived {
					name := r.TaxRate.Name
					if !strings.Contains(name, "%") {
						name = fmt.Sprintf("%s (%s%%)", name, quantity(w, r.TaxRate.Rate))
					}
					entries = append(entries, chartEntry{code: r.TaxRate.Code, name: name})
				}
			case r.BankAccount != nil:
				entries = append(entries, chartEntry{code: r.BankAccount.Code, name: r.BankAccount.Name})
			}
			return nil
		})
		if err != nil {
			return data, err
		}
		slices.SortFunc(entries, func(a, b chartEntry) int { return cmp.Compare(a.code, b.code) })
		data.charts[kind] = entries
	}
	if err := svc.Engine.Refresh(ctx, module); err != nil {
		return data, err
	}
	pending, err := svc.Engine.Pending(ctx, module)
	if err != nil {
		return data, err
	}
	const chunk = 1000
	for start := 0; start < len(pending); start += chunk {
		refs := make([]storage.Ref, 0, chunk)
		for _, it := range pending[start:min(start+chunk, len(pending))] {
			refs = append(refs, it.Ref())
		}
		recs, err := svc.Workspace.GetRecords(ctx, refs)
		if err != nil {
			return data, err
		}
		for _, ref := range refs {
			if rec, ok := recs[ref]; ok {
				data.count(rec.Record)
			}
		}
	}
	return data, nil
}

// count notes the codes one pending record uses.
func (d *mappingData) count(rec connectors.Record) {
	seen := map[string]bool{}
	add := func(kind connectors.RecordType, code string) {
		code = strings.TrimSpace(code)
		k := string(kind) + "\x00" + code
		if code == "" || seen[k] {
			return
		}
		seen[k] = true
		d.used[kind][code]++
	}
	switch {
	case rec.Document != nil:
		purchase := rec.Type == connectors.PurchaseInvoices || rec.Document.Purchase
		for _, l := range rec.Document.Lines {
			add(connectors.NominalAccounts, l.NominalCode)
			add(connectors.TaxRates, l.TaxCode)
			if l.NominalCode != "" {
				if purchase {
					d.purchase[l.NominalCode] = true
				} else {
					d.sales[l.NominalCode] = true
				}
			}
		}
	case rec.Journal != nil:
		for _, l := range rec.Journal.Lines {
			add(connectors.NominalAccounts, l.NominalCode)
		}
	case rec.Payment != nil:
		add(connectors.BankAccounts, rec.Payment.BankAccount)
	}
}

// codes are the local codes of kind shown: those pending records use and
// those already mapped; unmapped used ones first.
func (mt *mappingTab) codes(kind connectors.RecordType) []string {
	set := map[string]bool{}
	for c := range mt.data.used[kind] {
		set[c] = true
	}
	prefix := mappingPrefix(kind)
	for k := range mt.values {
		if c, ok := strings.CutPrefix(k, prefix); ok && c != "" {
			set[c] = true
		}
	}
	out := slices.Collect(maps.Keys(set))
	slices.SortFunc(out, func(a, b string) int {
		ua, ub := mt.needs(kind, a), mt.needs(kind, b)
		if ua != ub {
			if ua {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
	return out
}

// needs says whether a used code has no mapping.
func (mt *mappingTab) needs(kind connectors.RecordType, code string) bool {
	return mt.data.used[kind][code] > 0 && mt.values[mappingPrefix(kind)+code] == ""
}

// rebuild lays out every section.
func (mt *mappingTab) rebuild() {
	w := mt.w()
	mt.box.RemoveAll()
	clear(mt.rows)
	fetched := 0
	for _, kind := range mappingKinds {
		title, none, _ := mappingWords(kind)
		mt.box.Add(widget.NewLabelWithStyle(w.T(title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		codes := mt.codes(kind)
		if len(mt.data.charts[kind]) > 0 {
			fetched++
		}
		if len(codes) == 0 {
			l := widget.NewLabel(w.T(none))
			l.Importance = widget.LowImportance
			mt.box.Add(l)
			continue
		}
		for _, code := range codes {
			r := mt.newRow(kind, code)
			mt.rows[r.key] = r
			mt.box.Add(r.obj)
		}
		mt.box.Add(widget.NewSeparator())
	}
	mt.box.Refresh()
	mt.info.Importance = widget.MediumImportance
	if fetched == 0 {
		mt.info.Importance = widget.WarningImportance
		mt.info.SetText(w.T("grids.mapping.not_fetched", "Package", mt.cs.title, "Fetch", w.T("grids.mapping.button.fetch")))
	} else {
		mt.info.SetText(w.T("grids.mapping.lists", "Package", mt.cs.title,
			"Accounts", w.Int(int64(len(mt.data.charts[connectors.NominalAccounts]))),
			"TaxRates", w.Int(int64(len(mt.data.charts[connectors.TaxRates]))),
			"BankAccounts", w.Int(int64(len(mt.data.charts[connectors.BankAccounts])))))
	}
	mt.info.Refresh()
}

func (mt *mappingTab) newRow(kind connectors.RecordType, code string) *mappingRow {
	r := &mappingRow{mt: mt, kind: kind, code: code, key: mappingPrefix(kind) + code}
	r.entry = widget.NewSelectEntry(mt.options(kind, ""))
	r.entry.SetPlaceHolder(mt.w().T("grids.mapping.placeholder"))
	r.setting = true
	r.entry.SetText(mt.display(kind, mt.values[r.key]))
	r.setting = false
	r.entry.OnChanged = r.typed
	r.bg = canvas.NewRectangle(color.Transparent)
	r.bg.CornerRadius = 3
	r.usage = widget.NewLabel("")
	r.errL = widget.NewLabel("")
	r.errL.Importance = widget.DangerImportance
	r.errL.Hide()
	codeL := widget.NewLabelWithStyle(code, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	line := newColumnsRow([]float32{120, 300}, codeL, r.usage, container.NewVBox(r.entry, r.errL))
	r.obj = container.NewStack(r.bg, line)
	r.refresh()
	return r
}

// display is how a remote code shows in its entry.
func (mt *mappingTab) display(kind connectors.RecordType, remote string) string {
	if remote == "" {
		return ""
	}
	for _, c := range mt.data.charts[kind] {
		if c.code == remote {
			return c.option()
		}
	}
	return remote
}

// options are the package's entries matching query.
func (mt *mappingTab) options(kind connectors.RecordType, query string) []string {
	q := strings.ToLower(strings.TrimSpace(query))
	var out []string
	for _, c := range mt.data.charts[kind] {
		o := c.option()
		if q == "" || strings.Contains(strings.ToLower(o), q) {
			out = append(out, o)
		}
	}
	return out
}

// resolve turns what was typed or chosen into a remote code.
func (mt *mappingTab) resolve(kind connectors.RecordType, text string) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", true
	}
	code, _, _ := strings.Cut(text, " — ")
	code = strings.TrimSpace(code)
	chart := mt.data.charts[kind]
	if len(chart) == 0 {
		return code, true // not fetched: trust the code typed
	}
	for _, c := range chart {
		if strings.EqualFold(c.code, code) || strings.EqualFold(c.option(), text) {
			return c.code, true
		}
	}
	return "", false
}

// typed follows the entry: a known code maps, anything else narrows the
// list.
func (r *mappingRow) typed(text string) {
	if r.setting {
		return
	}
	mt := r.mt
	code, ok := mt.resolve(r.kind, text)
	if ok {
		r.errL.Hide()
		mt.values[r.key] = code
		r.entry.SetOptions(mt.options(r.kind, ""))
	} else {
		mt.values[r.key] = ""
		r.errL.SetText(mt.w().T("grids.mapping.unknown", "Package", mt.cs.title, "Text", text))
		r.errL.Show()
		r.entry.SetOptions(mt.options(r.kind, text))
	}
	r.refresh()
	mt.cs.markDirty()
}

// choose sets the mapping by code (Apply Default Setup, tests).
func (r *mappingRow) choose(remote string) {
	r.mt.values[r.key] = remote
	r.setting = true
	r.entry.SetText(r.mt.display(r.kind, remote))
	r.setting = false
	r.errL.Hide()
	r.refresh()
}

// refresh highlights a used code with no mapping.
func (r *mappingRow) refresh() {
	n := r.mt.data.used[r.kind][r.code]
	w := r.mt.w()
	switch {
	case r.mt.needs(r.kind, r.code):
		r.bg.FillColor = withAlpha(theme.Color(theme.ColorNameWarning), 0x40)
		r.usage.Importance = widget.DangerImportance
		r.usage.SetText(w.N("grids.mapping.usage.unmapped", n))
	case n > 0:
		r.bg.FillColor = color.Transparent
		r.usage.Importance = widget.MediumImportance
		r.usage.SetText(w.N("grids.mapping.usage.used", n))
	default:
		r.bg.FillColor = color.Transparent
		r.usage.Importance = widget.LowImportance
		r.usage.SetText(w.T("grids.mapping.usage.unused"))
	}
	r.bg.Refresh()
	r.usage.Refresh()
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// Row returns the row of a local code (tests).
func (mt *mappingTab) Row(kind connectors.RecordType, code string) *mappingRow {
	return mt.rows[mappingPrefix(kind)+code]
}

// unmappedNotes say which used codes have no mapping, for the light.
func (mt *mappingTab) unmappedNotes() []string {
	if !mt.loaded {
		return nil
	}
	w := mt.w()
	var notes []string
	for _, kind := range mappingKinds {
		var codes []string
		docs := 0
		for code, n := range mt.data.used[kind] {
			if mt.needs(kind, code) {
				codes = append(codes, code)
				docs += n
			}
		}
		if len(codes) == 0 {
			continue
		}
		slices.Sort(codes)
		_, _, unmapped := mappingWords(kind)
		list := strings.Join(codes[:min(len(codes), 5)], ", ")
		if len(codes) > 5 {
			list = w.T("grids.mapping.and_more", "List", list, "More", w.Int(int64(len(codes)-5)))
		}
		notes = append(notes, w.N(unmapped, len(codes), "Codes", list, "Tab", w.T("window.tab.mapping")))
	}
	return notes
}

// changedSettings are the mappings that differ from saved ("" removes).
func (mt *mappingTab) changedSettings(saved map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range mt.values {
		if strings.TrimSpace(saved[k]) != v {
			out[k] = v
		}
	}
	return out
}

// fetchChart fetches the package's accounts, tax rates and bank accounts.
func (mt *mappingTab) fetchChart() {
	a := mt.cs.a
	w := a.w
	ctx := a.ctx
	module := mt.cs.module
	mt.fetch.Disable()
	mt.info.Importance = widget.MediumImportance
	mt.info.SetText(w.T("grids.mapping.fetching", "Package", mt.cs.title))
	svc := a.svc
	a.spawn(func() {
		rep, err := svc.Engine.Mirror(ctx, module, mappingKinds)
		if err == nil && len(rep.Errors) > 0 {
			err = fmt.Errorf("%s", strings.Join(rep.Errors, " "))
		}
		var data mappingData
		if err == nil {
			data, err = loadMappingData(ctx, w, svc, module)
		}
		a.do(func() {
			mt.fetch.Enable()
			if err != nil {
				mt.info.Importance = widget.DangerImportance
				mt.info.SetText(w.T("grids.mapping.fetch_failed", "Error", w.Error(err)))
				mt.info.Refresh()
				return
			}
			mt.data = data
			mt.loaded = true
			mt.rebuild()
			mt.cs.refreshLight()
			a.tracef("chart fetched module=%s", module) // words:verbatim: trace for scripts
		})
	})
}

// applyDefaults proposes the engine's default setup (sync.ProposeDefaults,
// the same rule `ledgerlink config --apply-default-setup` applies) in the
// editor; the person checks it and presses Update.
func (mt *mappingTab) applyDefaults() {
	w := mt.w()
	if len(mt.data.charts[connectors.NominalAccounts]) == 0 {
		mt.info.Importance = widget.WarningImportance
		mt.info.SetText(w.T("grids.mapping.default.fetch_first", "Package", mt.cs.title, "Fetch", w.T("grids.mapping.button.fetch")))
		mt.info.Refresh()
		return
	}
	unmapped := map[sync.MappingKind][]string{}
	var choices []sync.RemoteChoice
	for _, kind := range mappingKinds {
		mk := mappingKindOf(kind)
		for _, code := range mt.codes(kind) {
			if mt.values[mappingPrefix(kind)+code] == "" {
				unmapped[mk] = append(unmapped[mk], code)
			}
		}
		for _, c := range mt.data.charts[kind] {
			choices = append(choices, sync.RemoteChoice{Kind: mk, Code: c.code, Name: c.name, Class: c.class})
		}
	}
	var done []string
	for _, p := range sync.ProposeDefaults(unmapped, choices, sync.CodeUse{Sales: mt.data.sales, Purchase: mt.data.purchase}) {
		kind := recordTypeOf(p.Kind)
		key := mappingPrefix(kind) + p.Local
		mt.values[key] = p.Remote
		if r := mt.rows[key]; r != nil {
			r.choose(p.Remote)
		}
		done = append(done, w.T("grids.mapping.default.pair", "Local", p.Local, "Remote", mt.display(kind, p.Remote)))
	}
	mt.info.Importance = widget.MediumImportance
	if len(done) == 0 {
		mt.info.SetText(w.T("grids.mapping.default.nothing"))
	} else {
		mt.info.SetText(w.T("grids.mapping.default.done", "List", strings.Join(done, "; "), "Update", w.T("window.configure.update")))
		mt.cs.markDirty()
	}
	mt.info.Refresh()
	for _, r := range mt.rows {
		r.refresh()
	}
	mt.cs.refreshLight()
}

// mappingKindOf is the engine's mapping kind of a reference-data type.
func mappingKindOf(t connectors.RecordType) sync.MappingKind {
	switch t {
	case connectors.TaxRates:
		return sync.MapTax
	case connectors.BankAccounts:
		return sync.MapBank
	}
	return sync.MapNominal
}

// recordTypeOf is the reference-data type of an engine mapping kind.
func recordTypeOf(k sync.MappingKind) connectors.RecordType {
	switch k {
	case sync.MapTax:
		return connectors.TaxRates
	case sync.MapBank:
		return connectors.BankAccounts
	}
	return connectors.NominalAccounts
}
