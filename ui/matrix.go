package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// levelColor is a sync level's button colour.
func levelColor(l sync.Level, enabled bool) color.Color {
	var c color.NRGBA
	switch l {
	case sync.NewAndUpdated:
		c = color.NRGBA{R: 0x2e, G: 0x8b, B: 0x3e, A: 0xff}
	case sync.NewOnly:
		c = color.NRGBA{R: 0xd9, G: 0x8e, B: 0x04, A: 0xff}
	default:
		c = color.NRGBA{R: 0xc6, G: 0x3b, B: 0x3b, A: 0xff}
	}
	if !enabled {
		// A disabled button is greyed, not hidden: tapping it says why.
		return color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff}
	}
	return c
}

// syncLevels is what the Synchronisation tab edits: the 2×7 matrix and,
// beside it, the upload levels of the types that have one of their own
// (products, payroll journals) and that the connector can take.
type syncLevels struct {
	sync.Matrix
	own []*ownLevel
}

// ownLevel is a type with an upload level of its own, beside the matrix.
type ownLevel struct {
	t      connectors.RecordType
	level  sync.Level
	button *levelButton
}

// ownTypes are the types with an upload level of their own, in the order
// shown.
var ownTypes = [...]connectors.RecordType{connectors.Items, connectors.Journals}

// Settings returns the matrix's fourteen levels and the levels of its own
// of each type beside it.
func (l syncLevels) Settings() map[string]string {
	out := l.Matrix.Settings()
	for _, o := range l.own {
		out[sync.UploadSettingKey(o.t)] = levelToken(o.level)
	}
	return out
}

// IsOff reports whether nothing moves at all.
func (l syncLevels) IsOff() bool {
	for _, o := range l.own {
		if o.level != sync.Off {
			return false
		}
	}
	return l.Matrix.IsOff()
}

// ownOf returns the level of its own of t, nil when the connector cannot
// take t.
func (l syncLevels) ownOf(t connectors.RecordType) *ownLevel {
	for _, o := range l.own {
		if o.t == t {
			return o
		}
	}
	return nil
}

func levelToken(l sync.Level) string {
	b, err := l.MarshalText()
	if err != nil {
		return "off"
	}
	return string(b)
}

// matrixTab is the Synchronisation tab: the 2×7 sync matrix of coloured
// three-state buttons, with the rules applied as they are pressed, and the
// Products button beside it.
type matrixTab struct {
	cs      *ConfigureScreen
	m       syncLevels
	buttons map[matrixCell]*levelButton
	reason  *widget.Label
	changes *widget.Label
	content fyne.CanvasObject
}

type matrixCell struct {
	d connectors.Direction
	t connectors.RecordType
}

func newMatrixTab(cs *ConfigureScreen) *matrixTab {
	mt := &matrixTab{cs: cs, buttons: map[matrixCell]*levelButton{}}
	m, err := sync.MatrixFromSettings(cs.saved)
	mt.m = syncLevels{Matrix: m}
	for _, t := range ownTypes {
		if cs.def.Caps.Supports(t, connectors.Upload) {
			l, err := sync.ParseLevel(cs.saved[sync.UploadSettingKey(t)])
			if err != nil {
				l = sync.Off
			}
			mt.m.own = append(mt.m.own, &ownLevel{t: t, level: l})
		}
	}
	w := cs.a.w
	mt.reason = widget.NewLabel(w.T("grids.matrix.how"))
	mt.reason.Wrapping = fyne.TextWrapWord
	mt.changes = widget.NewLabel("")
	mt.changes.Wrapping = fyne.TextWrapWord
	mt.changes.Importance = widget.WarningImportance
	if err != nil {
		mt.changes.SetText(tidy(err.Error()))
	}

	types := connectors.MatrixTypes()
	grid := container.NewGridWithColumns(len(types) + 1)
	grid.Add(widget.NewLabel(""))
	var headers []*widget.Label
	for _, t := range types {
		h := widget.NewLabelWithStyle(t.LabelIn(w), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		h.Wrapping = fyne.TextWrapWord
		headers = append(headers, h)
		grid.Add(h)
	}
	var cellWidth float32
	for _, d := range sync.Directions() {
		rowLabel := widget.NewLabelWithStyle(mt.directionLabel(d), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		rowLabel.Wrapping = fyne.TextWrapWord
		grid.Add(rowLabel)
		for _, t := range types {
			cell := matrixCell{d, t}
			b := newLevelButton(w, func() { mt.press(cell) }, func() { mt.explain(cell, false) })
			mt.buttons[cell] = b
			cellWidth = max(cellWidth, b.MinSize().Width)
			grid.Add(b)
		}
	}
	fitHeaders(headers, cellWidth)
	legend := container.NewHBox(
		legendItem(sync.Off, w.T("grids.matrix.legend.off")),
		legendItem(sync.NewOnly, w.T("grids.matrix.legend.new")),
		legendItem(sync.NewAndUpdated, w.T("grids.matrix.legend.updated")),
	)
	intro := widget.NewLabel(w.T("grids.matrix.intro", "Package", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	info := widget.NewCard("", "", container.NewVBox(mt.reason, mt.changes))
	body := container.NewVBox(intro, grid)
	for _, o := range mt.m.own {
		body.Add(mt.ownRow(o))
	}
	body.Add(legend)
	body.Add(info)
	body.Add(layout.NewSpacer())
	mt.content = container.NewVScroll(body)
	mt.refresh()
	return mt
}

func (mt *matrixTab) directionLabel(d connectors.Direction) string {
	if d == connectors.Upload {
		return "LedgerLink ➜ " + mt.cs.title
	}
	return mt.cs.title + " ➜ LedgerLink"
}

func legendItem(l sync.Level, text string) fyne.CanvasObject {
	r := canvas.NewRectangle(levelColor(l, true))
	r.CornerRadius = 3
	return container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(16, 16), r)), widget.NewLabel(text))
}

// supports says whether the connector can move t in d.
func (mt *matrixTab) supports(c matrixCell) bool {
	caps := mt.cs.def.Caps
	return caps.Types == nil || caps.Supports(c.t, c.d)
}

// limit is the highest level a button may take now and, below NEW +
// UPDATED, why.
func (mt *matrixTab) limit(c matrixCell) (sync.Level, string) {
	w := mt.cs.a.w
	if !mt.supports(c) {
		return sync.Off, w.T("grids.matrix.unsupported", "Package", mt.cs.title, "Records", noun(w, c.t), "Direction", mt.directionLabel(c.d))
	}
	// The same rule as sync.Matrix.Allowed, said in the reader's words: the
	// lowest prerequisite caps the button.
	max := sync.NewAndUpdated
	var limiting connectors.RecordType
	for _, p := range sync.Prerequisites(c.t) {
		if pl := mt.m.Level(c.d, p); pl < max {
			max, limiting = pl, p
		}
	}
	if allowed, _ := mt.m.Allowed(c.d, c.t); allowed < max {
		max = allowed
	}
	pairs := []any{"Type", c.t.LabelIn(w), "Needs", limiting.LabelIn(w), "Direction", mt.directionLabel(c.d)}
	switch {
	case max == sync.Off && limiting != "":
		return max, w.T("grids.matrix.needs_on", pairs...)
	case max == sync.NewOnly && limiting != "":
		return max, w.T("grids.matrix.needs_updates", pairs...)
	}
	return max, ""
}

// noun is a type's name inside a sentence: "sales invoices", "verkoopfacturen".
func noun(w *words.Words, t connectors.RecordType) string { return strings.ToLower(t.LabelIn(w)) }

// refresh shows every button's level and whether it can be pressed.
func (mt *matrixTab) refresh() {
	for c, b := range mt.buttons {
		max, _ := mt.limit(c)
		b.set(mt.m.Level(c.d, c.t), max > sync.Off, max < sync.NewAndUpdated)
	}
	for _, o := range mt.m.own {
		o.button.set(o.level, true, false)
	}
}

// ownRow is the button of a type with a level of its own, beside the
// matrix: products (created in the package before the documents that use
// them) and payroll journals.
func (mt *matrixTab) ownRow(o *ownLevel) fyne.CanvasObject {
	w := mt.cs.a.w
	o.button = newLevelButton(w, func() { mt.pressOwn(o) }, func() { mt.explainOwn(o) })
	label := widget.NewLabelWithStyle(o.t.LabelIn(w)+" ("+mt.directionLabel(connectors.Upload)+")", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var help *widget.Label
	switch o.t {
	case connectors.Items:
		help = widget.NewLabel(w.T("grids.matrix.items_help", "Package", mt.cs.title, "Option", w.T("engine.option.stock_on_invoices_only.label")))
	default:
		help = widget.NewLabel(w.T("grids.matrix.journals_help", "Package", mt.cs.title, "Option", w.T("engine.option.journals_auto_send.label")))
	}
	help.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, label, nil, container.NewBorder(nil, nil, container.NewGridWrap(o.button.MinSize(), o.button), nil, help))
}

// ProductsButton returns the Products button (tests); nil when the package
// cannot take products.
func (mt *matrixTab) ProductsButton() *levelButton { return mt.ownButton(connectors.Items) }

// ownButton returns the button of t's own level (tests); nil when the
// package cannot take t.
func (mt *matrixTab) ownButton(t connectors.RecordType) *levelButton {
	if o := mt.m.ownOf(t); o != nil {
		return o.button
	}
	return nil
}

func (mt *matrixTab) explainOwn(o *ownLevel) {
	mt.reason.Importance = widget.MediumImportance
	w := mt.cs.a.w
	pairs := []any{"Package", mt.cs.title, "Records", noun(w, o.t), "Record", strings.ToLower(singular(w, o.t))}
	var meaning string
	switch {
	case o.level == sync.NewOnly && o.t == connectors.Items:
		meaning = w.T("grids.matrix.own.items_new", pairs...)
	case o.level == sync.NewOnly:
		meaning = w.T("grids.matrix.own.journals_new", pairs...)
	case o.level == sync.NewAndUpdated:
		meaning = w.T("grids.matrix.own.updated", pairs...)
	case o.t == connectors.Items:
		meaning = w.T("grids.matrix.own.items_off", pairs...)
	default:
		meaning = w.T("grids.matrix.own.off", pairs...)
	}
	text := w.T("grids.matrix.is", "Type", o.t.LabelIn(w), "Direction", mt.directionLabel(connectors.Upload), "Level", o.level.String()) + ": " + meaning
	mt.reason.SetText(tidy(text))
	mt.reason.Refresh()
}

// pressOwn moves a level of its own on: OFF → NEW → NEW + UPDATED (after a
// warning) → OFF.
func (mt *matrixTab) pressOwn(o *ownLevel) {
	next := (o.level + 1) % (sync.NewAndUpdated + 1)
	set := func() {
		o.level = next
		mt.refresh()
		mt.explainOwn(o)
		mt.changes.SetText("")
		mt.cs.a.tracef("matrix %s=%s", o.t, next) // words:verbatim: trace for scripts
		mt.cs.markDirty()
	}
	if next == sync.NewAndUpdated {
		w := mt.cs.a.w
		mt.cs.a.confirm(w.T("grids.matrix.confirm.title", "Package", mt.cs.title),
			w.T("grids.matrix.confirm.own", "Type", o.t.LabelIn(w), "Records", noun(w, o.t), "Package", mt.cs.title),
			w.T("grids.matrix.confirm.yes"), set)
		return
	}
	set()
}

// Button returns the button of t in d (tests).
func (mt *matrixTab) Button(d connectors.Direction, t connectors.RecordType) *levelButton {
	return mt.buttons[matrixCell{d, t}]
}

// explain shows what a button does or why it cannot be pressed.
func (mt *matrixTab) explain(c matrixCell, pressed bool) {
	w := mt.cs.a.w
	level := mt.m.Level(c.d, c.t)
	max, reason := mt.limit(c)
	what := w.T("grids.matrix.is", "Type", c.t.LabelIn(w), "Direction", mt.directionLabel(c.d), "Level", level.String())
	switch {
	case max == sync.Off:
		mt.reason.Importance = widget.WarningImportance
		mt.reason.SetText(tidy(w.T("grids.matrix.disabled", "Reason", reason)))
	case reason != "" && (pressed || max < sync.NewAndUpdated):
		mt.reason.Importance = widget.WarningImportance
		mt.reason.SetText(tidy(w.T("grids.matrix.capped", "What", what, "Level", max.String(), "Reason", reason)))
	default:
		mt.reason.Importance = widget.MediumImportance
		mt.reason.SetText(tidy(what + ": " + levelMeaning(w, level, c.t) + "."))
	}
	mt.reason.Refresh()
}

func levelMeaning(w *words.Words, l sync.Level, t connectors.RecordType) string {
	switch l {
	case sync.NewOnly:
		return w.T("grids.matrix.meaning.new", "Records", noun(w, t))
	case sync.NewAndUpdated:
		return w.T("grids.matrix.meaning.updated", "Records", noun(w, t))
	}
	return w.T("grids.matrix.meaning.off", "Records", noun(w, t))
}

// press moves a button to its next level, asking first when that changes
// the books, and shows what else had to change.
func (mt *matrixTab) press(c matrixCell) {
	max, _ := mt.limit(c)
	if max == sync.Off {
		mt.explain(c, true)
		return
	}
	cur := mt.m.Level(c.d, c.t)
	next := mt.m.Next(c.d, c.t)
	if next == sync.Off && cur < sync.NewAndUpdated && cur+1 > max {
		// Capped: the press wraps to OFF instead of going higher.
		defer mt.explain(c, true)
	}
	w := mt.cs.a.w
	if need, warning := mt.m.NeedsConfirmationIn(w, c.d, c.t, next); need {
		mt.cs.a.confirm(w.T("grids.matrix.confirm.title", "Package", mt.cs.title), warning, w.T("grids.matrix.confirm.yes"), func() { mt.apply(c, next) })
		return
	}
	mt.apply(c, next)
}

func (mt *matrixTab) apply(c matrixCell, l sync.Level) {
	w := mt.cs.a.w
	nm, changes, err := mt.m.Set(c.d, c.t, l)
	if err != nil {
		mt.reason.Importance = widget.WarningImportance
		if _, reason := mt.limit(c); reason != "" {
			mt.reason.SetText(tidy(reason))
		} else {
			mt.reason.SetText(tidy(w.Error(err)))
		}
		mt.reason.Refresh()
		return
	}
	mt.m.Matrix = nm
	mt.refresh()
	mt.explain(c, false)
	if len(changes) == 0 {
		mt.changes.SetText("")
	} else {
		lines := make([]string, len(changes))
		for i, ch := range changes {
			lines[i] = w.T("grids.matrix.also_changed", "Change", ch.In(w, mt.directionLabel(ch.Direction)))
			mt.buttons[matrixCell{ch.Direction, ch.Type}].flash()
		}
		mt.changes.SetText(tidy(strings.Join(lines, "\n")))
	}
	mt.cs.a.tracef("matrix %s %s=%s changes=%d", c.d, c.t, l, len(changes)) // words:verbatim: trace for scripts
	mt.cs.markDirty()
}

// fitHeaders writes the column headers smaller when one of their words is
// wider than a column: Dutch and Danish compounds ("Verkoopfacturen") are
// single words that would otherwise break between letters.
func fitHeaders(headers []*widget.Label, cellWidth float32) {
	room := cellWidth - 2*theme.InnerPadding()
	for _, h := range headers {
		for _, word := range strings.Fields(h.Text) {
			if fyne.MeasureText(word, theme.TextSize(), h.TextStyle).Width > room {
				for _, h := range headers {
					h.SizeName = theme.SizeNameCaptionText
				}
				return
			}
		}
	}
}

// levelButton is one coloured three-state button of the sync matrix. It
// can be focused (Tab) and pressed with Space or Enter; pointing at it or
// pressing it explains it under the grid.
type levelButton struct {
	widget.BaseWidget
	w       *words.Words
	level   sync.Level
	enabled bool
	capped  bool
	focused bool
	hovered bool
	changed bool
	onTap   func()
	onHover func()
	bg      *canvas.Rectangle
	outline *canvas.Rectangle
	text    *canvas.Text
}

func newLevelButton(w *words.Words, onTap, onHover func()) *levelButton {
	b := &levelButton{w: w, onTap: onTap, onHover: onHover, enabled: true}
	b.bg = canvas.NewRectangle(levelColor(sync.Off, true))
	b.bg.CornerRadius = 4
	b.outline = canvas.NewRectangle(color.Transparent)
	b.outline.CornerRadius = 4
	b.outline.StrokeWidth = 2
	b.text = canvas.NewText("OFF", color.White)
	b.text.TextStyle = fyne.TextStyle{Bold: true}
	b.text.Alignment = fyne.TextAlignCenter
	b.ExtendBaseWidget(b)
	return b
}

// Level is the level shown.
func (b *levelButton) Level() sync.Level { return b.level }

// Enabled says whether the button can be pressed.
func (b *levelButton) Enabled() bool { return b.enabled }

func (b *levelButton) set(l sync.Level, enabled, capped bool) {
	b.level, b.enabled, b.capped = l, enabled, capped
	b.Refresh()
}

// flash marks a button the matrix changed by itself.
func (b *levelButton) flash() {
	b.changed = true
	b.Refresh()
}

func (b *levelButton) CreateRenderer() fyne.WidgetRenderer {
	return &levelButtonRenderer{b: b, objs: []fyne.CanvasObject{b.bg, b.outline, b.text}}
}

func (b *levelButton) Tapped(*fyne.PointEvent) {
	b.changed = false
	if b.onTap != nil {
		b.onTap()
	}
}

func (b *levelButton) MouseIn(*desktop.MouseEvent) {
	b.hovered = true
	b.Refresh()
	if b.onHover != nil {
		b.onHover()
	}
}

func (b *levelButton) MouseMoved(*desktop.MouseEvent) {}

func (b *levelButton) MouseOut() {
	b.hovered = false
	b.Refresh()
}

func (b *levelButton) FocusGained() {
	b.focused = true
	b.Refresh()
	if b.onHover != nil {
		b.onHover()
	}
}

func (b *levelButton) FocusLost() {
	b.focused = false
	b.Refresh()
}

func (b *levelButton) TypedRune(r rune) {
	if r == ' ' {
		b.Tapped(nil)
	}
}

func (b *levelButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		b.Tapped(nil)
	}
}

type levelButtonRenderer struct {
	b    *levelButton
	objs []fyne.CanvasObject
}

func (r *levelButtonRenderer) Layout(s fyne.Size) {
	for _, o := range r.objs {
		o.Resize(s)
		o.Move(fyne.NewPos(0, 0))
	}
	th := r.b.text.MinSize()
	r.b.text.Move(fyne.NewPos(0, (s.Height-th.Height)/2))
	r.b.text.Resize(fyne.NewSize(s.Width, th.Height))
}

func (r *levelButtonRenderer) MinSize() fyne.Size {
	// Wide enough for the longest caption in the reader's language.
	var ms fyne.Size
	for _, s := range []string{sync.NewAndUpdated.String(), r.b.w.T("grids.matrix.button.disabled")} {
		t := canvas.NewText(s, color.White)
		t.TextStyle = fyne.TextStyle{Bold: true}
		ms = ms.Max(t.MinSize())
	}
	return fyne.NewSize(ms.Width+theme.Padding()*2, ms.Height+theme.Padding()*4)
}

func (r *levelButtonRenderer) Refresh() {
	b := r.b
	b.bg.FillColor = levelColor(b.level, b.enabled)
	b.text.Text = b.level.String()
	if !b.enabled {
		b.text.Text = b.w.T("grids.matrix.button.disabled")
		b.text.Color = color.NRGBA{R: 0xf0, G: 0xf0, B: 0xf0, A: 0xff}
	} else {
		b.text.Color = color.White
	}
	switch {
	case b.focused:
		b.outline.StrokeColor = theme.Color(theme.ColorNameFocus)
	case b.changed:
		b.outline.StrokeColor = theme.Color(theme.ColorNameWarning)
	case b.hovered:
		b.outline.StrokeColor = theme.Color(theme.ColorNameForeground)
	default:
		b.outline.StrokeColor = color.Transparent
	}
	b.bg.Refresh()
	b.outline.Refresh()
	b.text.Refresh()
}

func (r *levelButtonRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *levelButtonRenderer) Destroy()                     {}
