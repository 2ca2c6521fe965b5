package ui

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/words"
)

// gridColumn is one column of a grid. Rows are addressed by their index in
// the owner's data.
type gridColumn struct {
	Title string
	Width float32
	Text  func(i int) string
	// SortKey orders the column; nil sorts by Text.
	SortKey func(i int) string
	// Compare orders the column by value (amounts, counts) when set; it
	// wins over SortKey, so the order never depends on how a language
	// writes the value.
	Compare func(a, b int) int
	// Importance colours a cell's text; nil means normal.
	Importance func(i int) widget.Importance
}

// grid is a virtualised, sortable, searchable table with multi-row
// selection: check boxes, click, Shift+click (range), Ctrl+click (toggle),
// Ctrl+A and Space. Only the visible cells exist as widgets, so it stays
// fast with hundreds of thousands of rows. It lives on the UI goroutine.
type grid struct {
	w      *words.Words
	cols   []gridColumn
	checks bool
	n      int
	key    func(i int) string

	view     []int // data indices shown, in order
	selected map[string]bool
	anchor   int // view position of the last click, -1 for none
	cursor   int // keyboard highlight (view position)
	sortCol  int // -1 for the data's own order
	sortDesc bool
	query    string
	hay      []string // lower-case text of each data row, built on first search

	table   *gridTable
	search  *widget.Entry
	count   *widget.Label
	empty   string
	emptyL  *widget.Label
	content fyne.CanvasObject

	// OnSelectionChanged is called after the selection changes.
	OnSelectionChanged func()
	// OnActivate is called with a data index on Enter.
	OnActivate func(i int)
}

// newGrid builds a grid; checks adds a check-box column for selecting rows.
// empty is what it says when there are no rows; w are the words it speaks.
func newGrid(w *words.Words, cols []gridColumn, checks bool, empty string) *grid {
	g := &grid{w: w, cols: cols, checks: checks, selected: map[string]bool{}, anchor: -1, sortCol: -1, empty: empty}
	g.key = func(i int) string { return fmt.Sprint(i) }
	g.table = newGridTable(g)
	g.search = widget.NewEntry()
	g.search.SetPlaceHolder(w.T("grids.grid.search"))
	g.search.OnChanged = g.setQuery
	g.count = widget.NewLabel("")
	g.emptyL = widget.NewLabel(empty)
	g.emptyL.Alignment = fyne.TextAlignCenter
	g.emptyL.Wrapping = fyne.TextWrapWord
	g.emptyL.Hide()
	for i, c := range cols {
		g.table.SetColumnWidth(i+g.offset(), c.Width)
	}
	if checks {
		// Wide enough for the check box and the header's "All" in the
		// reader's language.
		all := widget.NewLabelWithStyle(w.T("grids.grid.all"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		g.table.SetColumnWidth(0, max(36, all.MinSize().Width+theme.Padding()))
	}
	return g
}

// offset is the number of columns before the data columns.
func (g *grid) offset() int {
	if g.checks {
		return 1
	}
	return 0
}

// Content is the grid with its search box and selection count above.
func (g *grid) Content(toolbar ...fyne.CanvasObject) fyne.CanvasObject {
	if g.content == nil {
		searchBox := container.NewGridWrap(fyne.NewSize(260, g.search.MinSize().Height), g.search)
		var left []fyne.CanvasObject
		left = append(left, searchBox)
		if g.checks {
			left = append(left,
				widget.NewButton(g.w.T("grids.grid.select_all"), g.SelectAll),
				widget.NewButton(g.w.T("grids.grid.clear_selection"), g.ClearSelection))
		}
		left = append(left, g.count)
		top := container.NewVBox(container.NewHBox(toolbar...), container.NewHBox(left...))
		g.content = container.NewBorder(top, nil, nil, nil, container.NewStack(g.table, container.NewCenter(g.emptyL)))
	}
	return g.content
}

// SetData shows n rows identified by key. The selection is kept for rows
// still there; sort and search are applied again.
func (g *grid) SetData(n int, key func(i int) string) {
	g.n = n
	if key != nil {
		g.key = key
	}
	g.hay = nil
	g.rebuild()
}

// rebuild recomputes the view from the data, search and sort.
func (g *grid) rebuild() {
	view := g.view[:0]
	if cap(view) < g.n {
		view = make([]int, 0, g.n)
	}
	q := strings.ToLower(strings.TrimSpace(g.query))
	if q != "" && g.hay == nil {
		g.hay = make([]string, g.n)
		var b strings.Builder
		for i := range g.n {
			b.Reset()
			for _, c := range g.cols {
				b.WriteString(c.Text(i))
				b.WriteByte('\t')
			}
			g.hay[i] = strings.ToLower(b.String())
		}
	}
	for i := range g.n {
		if q == "" || strings.Contains(g.hay[i], q) {
			view = append(view, i)
		}
	}
	g.view = view
	g.sortView()
	// What you see is what you act on: rows hidden by the search or gone
	// from the data leave the selection.
	if len(g.selected) > 0 {
		keep := make(map[string]bool, len(g.selected))
		for _, i := range g.view {
			if k := g.key(i); g.selected[k] {
				keep[k] = true
			}
		}
		g.selected = keep
	}
	if g.anchor >= len(g.view) {
		g.anchor = -1
	}
	g.cursor = min(g.cursor, max(len(g.view)-1, 0))
	g.emptyL.SetText(g.emptyText())
	g.emptyL.Hidden = len(g.view) > 0
	g.emptyL.Refresh()
	g.table.Refresh()
	g.updateCount()
}

func (g *grid) emptyText() string {
	if g.n > 0 && len(g.view) == 0 {
		return g.w.T("grids.grid.no_match")
	}
	return g.empty
}

func (g *grid) sortView() {
	if g.sortCol < 0 || g.sortCol >= len(g.cols) {
		return
	}
	c := g.cols[g.sortCol]
	if c.Compare != nil {
		slices.SortStableFunc(g.view, func(a, b int) int {
			r := c.Compare(a, b)
			if g.sortDesc {
				r = -r
			}
			return r
		})
		return
	}
	key := c.SortKey
	if key == nil {
		key = c.Text
	}
	keys := make([]string, g.n)
	for _, i := range g.view {
		keys[i] = key(i)
	}
	slices.SortStableFunc(g.view, func(a, b int) int {
		r := cmp.Compare(keys[a], keys[b])
		if g.sortDesc {
			r = -r
		}
		return r
	})
}

// SortBy sorts by data column col; sorting by the same column again
// reverses the order.
func (g *grid) SortBy(col int) {
	if g.sortCol == col {
		g.sortDesc = !g.sortDesc
	} else {
		g.sortCol, g.sortDesc = col, false
	}
	g.anchor = -1
	g.rebuild()
}

func (g *grid) setQuery(q string) {
	g.query = q
	g.anchor = -1
	g.rebuild()
}

// Rows returns the data indices shown, in order.
func (g *grid) Rows() []int { return slices.Clone(g.view) }

// Selected returns the selected data indices in the order shown.
func (g *grid) Selected() []int {
	if len(g.selected) == 0 {
		return nil
	}
	out := make([]int, 0, len(g.selected))
	for _, i := range g.view {
		if g.selected[g.key(i)] {
			out = append(out, i)
		}
	}
	return out
}

// SelectedCount is how many rows are selected.
func (g *grid) SelectedCount() int { return len(g.selected) }

func (g *grid) isSelected(i int) bool { return g.selected[g.key(i)] }

// SelectAll selects every row shown.
func (g *grid) SelectAll() {
	for _, i := range g.view {
		g.selected[g.key(i)] = true
	}
	g.changed()
}

// ClearSelection selects nothing.
func (g *grid) ClearSelection() {
	clear(g.selected)
	g.anchor = -1
	g.changed()
}

func (g *grid) toggle(pos int) {
	k := g.key(g.view[pos])
	if g.selected[k] {
		delete(g.selected, k)
	} else {
		g.selected[k] = true
	}
}

func (g *grid) selectRange(from, to int) {
	if from > to {
		from, to = to, from
	}
	for p := max(from, 0); p <= to && p < len(g.view); p++ {
		g.selected[g.key(g.view[p])] = true
	}
}

// click is a click on the row shown at pos: on the check box it toggles
// the row (Shift adds the range from the last click); otherwise a plain
// click selects only that row, Ctrl toggles it and Shift selects the range
// from the last click.
func (g *grid) click(pos int, onCheck bool, mods fyne.KeyModifier) {
	if pos < 0 || pos >= len(g.view) {
		return
	}
	shift := mods&fyne.KeyModifierShift != 0
	ctrl := mods&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	switch {
	case shift && g.anchor >= 0:
		if !onCheck && !ctrl {
			clear(g.selected)
		}
		g.selectRange(g.anchor, pos)
	case onCheck || ctrl:
		g.toggle(pos)
		g.anchor = pos
	default:
		clear(g.selected)
		g.toggle(pos)
		g.anchor = pos
	}
	g.cursor = pos
	g.changed()
}

func (g *grid) changed() {
	g.table.Refresh()
	g.updateCount()
	if g.OnSelectionChanged != nil {
		g.OnSelectionChanged()
	}
}

func (g *grid) updateCount() {
	total := len(g.view)
	switch {
	case g.n == 0:
		g.count.SetText("")
	case !g.checks:
		g.count.SetText(g.w.N("grids.grid.rows", total))
	default:
		g.count.SetText(g.w.T("grids.grid.selected", "Selected", g.w.Int(int64(len(g.selected))), "Total", g.w.Int(int64(total))))
	}
}

// activate acts on the row at the keyboard cursor.
func (g *grid) activate() {
	if g.OnActivate != nil && g.cursor >= 0 && g.cursor < len(g.view) {
		g.OnActivate(g.view[g.cursor])
	}
}

// gridTable is the grid's widget.Table with its keyboard: Space toggles
// the highlighted row, Enter activates it, Ctrl+A selects all.
type gridTable struct {
	widget.Table
	g *grid
}

func newGridTable(g *grid) *gridTable {
	t := &gridTable{g: g}
	t.Length = func() (int, int) { return len(g.view), len(g.cols) + g.offset() }
	t.CreateCell = func() fyne.CanvasObject { return newGridCell(g) }
	t.UpdateCell = g.updateCell
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newGridHeader(g) }
	t.UpdateHeader = g.updateHeader
	t.OnHighlighted = func(id widget.TableCellID) { g.cursor = id.Row }
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey handles Space and Enter, and passes the arrows to the table.
func (t *gridTable) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeySpace:
		if t.g.cursor >= 0 && t.g.cursor < len(t.g.view) {
			t.g.click(t.g.cursor, true, 0)
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		t.g.activate()
	default:
		t.Table.TypedKey(ev)
	}
}

// TypedShortcut selects all on Ctrl+A and hands other shortcuts to the
// window (Alt+U and friends).
func (t *gridTable) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutSelectAll); ok {
		t.g.SelectAll()
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(t); c != nil {
		if h, ok := c.(fyne.Shortcutable); ok {
			h.TypedShortcut(s)
		}
	}
}

func (g *grid) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*gridCell)
	c.pos = id.Row
	c.check = g.checks && id.Col == 0
	if id.Row >= len(g.view) {
		return
	}
	i := g.view[id.Row]
	sel := g.isSelected(i)
	var bg color.Color = color.Transparent
	if sel {
		bg = theme.Color(theme.ColorNameSelection)
	}
	if c.bg.FillColor != bg {
		c.bg.FillColor = bg
		c.bg.Refresh()
	}
	if c.check {
		c.label.Hide()
		res := theme.CheckButtonIcon()
		if sel {
			res = theme.CheckButtonCheckedIcon()
		}
		c.icon.SetResource(res)
		c.icon.Show()
		return
	}
	c.icon.Hide()
	col := g.cols[id.Col-g.offset()]
	imp := widget.MediumImportance
	if col.Importance != nil {
		imp = col.Importance(i)
	}
	text := tidy(col.Text(i))
	if c.label.Text != text || c.label.Importance != imp || !c.label.Visible() {
		c.label.Text = text
		c.label.Importance = imp
		c.label.Show()
		c.label.Refresh()
	}
}

func (g *grid) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*gridHeader)
	h.col = headerNone
	if id.Row >= 0 || id.Col < 0 {
		h.label.SetText("")
		return
	}
	if g.checks && id.Col == 0 {
		h.label.SetText(g.w.T("grids.grid.all"))
		h.col = headerChecks
		return
	}
	dc := id.Col - g.offset()
	h.col = dc
	text := g.cols[dc].Title
	if g.sortCol == dc {
		if g.sortDesc {
			text += " ▼"
		} else {
			text += " ▲"
		}
	}
	h.label.SetText(text)
}

// gridCell is one visible cell, recycled as the grid scrolls.
type gridCell struct {
	widget.BaseWidget
	g     *grid
	pos   int
	check bool
	mods  fyne.KeyModifier
	bg    *canvas.Rectangle
	label *widget.Label
	icon  *widget.Icon
}

func newGridCell(g *grid) *gridCell {
	c := &gridCell{g: g, bg: canvas.NewRectangle(color.Transparent), label: widget.NewLabel(""), icon: widget.NewIcon(nil)}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.icon.Hide()
	c.ExtendBaseWidget(c)
	return c
}

func (c *gridCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.bg, c.label, container.NewCenter(c.icon)))
}

// MouseDown remembers the modifier keys held for the tap that follows.
func (c *gridCell) MouseDown(ev *desktop.MouseEvent) { c.mods = ev.Modifier }

// MouseUp is part of desktop.Mouseable.
func (c *gridCell) MouseUp(*desktop.MouseEvent) {}

// Tapped selects as described on grid.click.
func (c *gridCell) Tapped(*fyne.PointEvent) {
	mods := c.mods
	c.mods = 0
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c.g.table); cv != nil {
		cv.Focus(c.g.table)
	}
	c.g.click(c.pos, c.check, mods)
}

// Header cells that are not a data column.
const (
	headerChecks = -1
	headerNone   = -2
)

// gridHeader is a column title; tapping it sorts by the column.
type gridHeader struct {
	widget.BaseWidget
	g     *grid
	col   int
	label *widget.Label
}

func newGridHeader(g *grid) *gridHeader {
	h := &gridHeader{g: g, label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

func (h *gridHeader) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.label) }

// Tapped sorts by the column, or on the check-box column selects all
// (or nothing when all are selected).
func (h *gridHeader) Tapped(*fyne.PointEvent) {
	g := h.g
	switch {
	case h.col == headerChecks:
		if len(g.selected) == len(g.view) && len(g.view) > 0 {
			g.ClearSelection()
		} else {
			g.SelectAll()
		}
	case h.col >= 0:
		g.SortBy(h.col)
	}
}
