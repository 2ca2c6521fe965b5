package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// pendingInvoices are n pending sales invoices INV-01… dated 1 March on.
func pendingInvoices(n int) []sync.PendingItem {
	items := make([]sync.PendingItem, n)
	for i := range items {
		items[i] = sync.PendingItem{Type: connectors.SalesInvoices, Code: fmt.Sprintf("INV-%02d", i+1), Kind: storage.KindNew,
			SourceDate: connectors.NewDate(2025, time.March, 1+i%28)}
	}
	return items
}

// withPending fills Pending Export.
func withPending(items []sync.PendingItem) harnessOption {
	return func(h *harness, _ *Services) { h.eng.pending = items }
}

func openExport(t testing.TB, h *harness) *exportView {
	t.Helper()
	h.app.ShowModule("books", "export")
	if h.app.work == nil {
		t.Fatalf("the module screen did not open; trace:\n%s", h.trace)
	}
	h.waitTrace("export loaded module=books")
	return h.app.work.export
}

// rendered lists o and everything its renderers show, creating renderers
// through Fyne's cache (test.LaidOutObjects would build new ones and
// disconnect a Table from its cells).
func rendered(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch c := o.(type) {
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			out = append(out, rendered(ch)...)
		}
	case *fyne.Container:
		for _, ch := range c.Objects {
			out = append(out, rendered(ch)...)
		}
	}
	return out
}

// cellAt finds the visible cell of the row shown at pos; check picks the
// check-box column.
func cellAt(t *testing.T, g *grid, pos int, check bool) *gridCell {
	t.Helper()
	for _, o := range rendered(g.table) {
		if c, ok := o.(*gridCell); ok && c.Visible() && c.pos == pos && c.check == check {
			return c
		}
	}
	t.Fatalf("no visible cell for row %d (check %v)", pos, check)
	return nil
}

// click taps a cell holding the modifier keys, as the desktop driver
// delivers it: MouseDown, then Tapped.
func click(c *gridCell, mods fyne.KeyModifier) {
	c.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, Modifier: mods})
	test.Tap(c)
}

func headerCell(t *testing.T, g *grid, title string) *gridHeader {
	t.Helper()
	for _, o := range rendered(g.table) {
		if hc, ok := o.(*gridHeader); ok && strings.HasPrefix(hc.label.Text, title) {
			return hc
		}
	}
	t.Fatalf("no header %q", title)
	return nil
}

func refsOf(items []sync.PendingItem, pos ...int) []sync.Ref {
	var out []sync.Ref
	for _, p := range pos {
		out = append(out, items[p].Ref())
	}
	return out
}

func TestUploadDataSendsExactlyTheSelectedRows(t *testing.T) {
	items := pendingInvoices(10)
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	g := ev.pendingGrid
	if got := len(g.Rows()); got != 10 {
		t.Fatalf("%d rows shown, want 10", got)
	}

	// Tick row 2, then Shift-click the tick of row 4: rows 2 to 4.
	click(cellAt(t, g, 2, true), 0)
	click(cellAt(t, g, 4, true), fyne.KeyModifierShift)
	if got := g.SelectedCount(); got != 3 {
		t.Fatalf("%d rows selected, want 3", got)
	}
	if ev.uploadBtn.Text != "Upload Data (3)" || !strings.Contains(g.count.Text, "3 of 10 selected") {
		t.Errorf("button %q, count %q", ev.uploadBtn.Text, g.count.Text)
	}
	test.Tap(ev.uploadBtn)
	h.waitTrace("upload finished module=books moved=3 failed=0")
	calls := h.eng.uploadCalls()
	if len(calls) != 1 || !slices.Equal(calls[0], refsOf(items, 2, 3, 4)) {
		t.Fatalf("the engine received %v, want %v", calls, refsOf(items, 2, 3, 4))
	}
	if !strings.Contains(ev.message.Text, "Sent 3 records") {
		t.Errorf("message %q", ev.message.Text)
	}
	h.waitFor("the grids to reload", func() bool { return len(ev.pending) == 7 && len(ev.exported) == 3 })
	if g.SelectedCount() != 0 {
		t.Error("the selection should be cleared after an upload")
	}
}

func TestGridClickShiftCtrlAndSelectAll(t *testing.T) {
	items := pendingInvoices(10)
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	g := ev.pendingGrid
	sel := func() []sync.Ref {
		var out []sync.Ref
		for _, i := range g.Selected() {
			out = append(out, ev.pending[i].Ref())
		}
		return out
	}
	steps := []struct {
		name  string
		pos   int
		check bool
		mods  fyne.KeyModifier
		want  []int
	}{
		{"plain click selects one row", 1, false, 0, []int{1}},
		{"plain click moves the selection", 5, false, 0, []int{5}},
		{"ctrl-click adds a row", 7, false, fyne.KeyModifierControl, []int{5, 7}},
		{"shift-click selects the range from the last click", 3, false, fyne.KeyModifierShift, []int{3, 4, 5, 6, 7}},
		{"ticking a box toggles it", 4, true, 0, []int{3, 5, 6, 7}},
		{"ctrl-click removes a row", 6, false, fyne.KeyModifierControl, []int{3, 5, 7}},
	}
	for _, s := range steps {
		click(cellAt(t, g, s.pos, s.check), s.mods)
		if got := sel(); !slices.Equal(got, refsOf(items, s.want...)) {
			t.Fatalf("%s: selected %v, want %v", s.name, got, refsOf(items, s.want...))
		}
	}

	// Ctrl+A with the grid focused, and from the window.
	g.table.TypedShortcut(&fyne.ShortcutSelectAll{})
	if g.SelectedCount() != 10 {
		t.Errorf("Ctrl+A in the grid selected %d", g.SelectedCount())
	}
	test.Tap(ev.pendingGrid.table) // no-op tap outside cells keeps focus logic honest
	g.ClearSelection()
	h.shortcut(&fyne.ShortcutSelectAll{})
	if g.SelectedCount() != 10 {
		t.Errorf("Ctrl+A in the window selected %d", g.SelectedCount())
	}
	// Space toggles the highlighted row.
	g.ClearSelection()
	g.cursor = 8
	g.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if got := sel(); !slices.Equal(got, refsOf(items, 8)) {
		t.Errorf("Space selected %v", got)
	}
}

func TestGridSortAndSearch(t *testing.T) {
	items := pendingInvoices(10)
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	g := ev.pendingGrid

	test.Tap(headerCell(t, g, "Source Code"))
	test.Tap(headerCell(t, g, "Source Code")) // second tap: descending
	if first := ev.pending[g.Rows()[0]].Code; first != "INV-10" {
		t.Errorf("first row after sorting down = %s, want INV-10", first)
	}
	if !strings.HasSuffix(headerCell(t, g, "Source Code").label.Text, "▼") {
		t.Error("the sorted column should show its direction")
	}

	click(cellAt(t, g, 0, true), 0) // INV-10
	click(cellAt(t, g, 3, true), 0) // INV-07
	test.Type(g.search, "inv-07")
	if rows := g.Rows(); len(rows) != 1 || ev.pending[rows[0]].Code != "INV-07" {
		t.Fatalf("search shows %v", rows)
	}
	if g.SelectedCount() != 1 {
		t.Errorf("rows hidden by the search should leave the selection; %d selected", g.SelectedCount())
	}
	g.search.SetText("nothing like this")
	if len(g.Rows()) != 0 || g.emptyL.Hidden || g.emptyL.Text != "No row matches the search." {
		t.Errorf("no match: rows %v, empty %q", g.Rows(), g.emptyL.Text)
	}
}

func TestUploadAllAsksFirst(t *testing.T) {
	items := pendingInvoices(4)
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	test.Tap(ev.uploadBtn)
	m := h.topModal()
	if m == nil || m.title != "Upload everything?" {
		t.Fatalf("uploading with no selection should ask, modal %+v", m)
	}
	h.key(fyne.KeyEscape)
	if len(h.eng.uploadCalls()) != 0 {
		t.Fatal("Escape should not upload")
	}
	test.Tap(ev.uploadBtn)
	h.key(fyne.KeyReturn)
	h.waitTrace("upload finished module=books moved=4")
	if calls := h.eng.uploadCalls(); len(calls) != 1 || calls[0] != nil {
		t.Errorf("upload all should pass no refs, got %v", calls)
	}
}

func TestUploadProgressAndCancel(t *testing.T) {
	items := pendingInvoices(5)
	started := make(chan struct{})
	h := newHarness(t, installed(readySettings()), withPending(items), func(h *harness, _ *Services) {
		h.eng.upload = func(ctx context.Context, refs []sync.Ref, progress func(done, total int)) (sync.Report, error) {
			rep := sync.Report{Module: "books", Started: time.Now()}
			rep.Add(connectors.Upload, connectors.SalesInvoices, 1, 0, 0)
			progress(1, 5)
			close(started)
			<-ctx.Done()
			rep.Cancelled = true
			rep.Finished = time.Now()
			return rep, ctx.Err()
		}
	})
	ev := openExport(t, h)
	ev.pendingGrid.SelectAll()
	test.Tap(ev.uploadBtn)
	<-started
	h.waitFor("the progress bar", func() bool { return ev.bar.Value == 0.2 })
	if !ev.progressBox.Visible() || ev.barText.Text != "1 of 5" || !ev.uploadBtn.Disabled() {
		t.Errorf("during upload: visible %v, text %q, upload disabled %v", ev.progressBox.Visible(), ev.barText.Text, ev.uploadBtn.Disabled())
	}
	test.Tap(ev.cancelBtn)
	h.waitTrace("upload finished module=books moved=1 failed=0 err=true")
	if ev.progressBox.Visible() || ev.uploadBtn.Disabled() {
		t.Error("after cancelling, the progress should go and the buttons come back")
	}
	if !strings.Contains(ev.message.Text, "Upload stopped. 1 record was sent") {
		t.Errorf("message %q", ev.message.Text)
	}
}

func TestErrorFeedbackShowsCauseAndFix(t *testing.T) {
	h := newHarness(t, installed(readySettings()), func(h *harness, _ *Services) {
		h.eng.feedback = []sync.FeedbackRow{
			{ID: "1", When: h.now.Add(-time.Hour), Type: connectors.SalesInvoices, Code: "INV-9",
				Message: "A validation exception occurred: Account code or ID must be specified",
				Cause:   "Nominal code 4000 on the invoice has no mapping.",
				Fix:     "Map nominal code 4000 on the Mapping tab, then upload again."},
			{ID: "2", When: h.now.AddDate(0, -3, 0), Type: connectors.Customers, Code: "C-OLD", Message: "old", Cause: "old cause", Fix: "old fix"},
		}
	})
	ev := openExport(t, h)
	ev.tabs.SelectIndex(subFeedback)
	g := ev.feedbackGrid
	if len(ev.feedback) != 1 || ev.feedback[0].Code != "INV-9" {
		t.Fatalf("the last 30 days show %v", ev.feedback)
	}
	if ev.tabs.Items[subFeedback].Text != "Error Feedback (1)" {
		t.Errorf("tab title %q", ev.tabs.Items[subFeedback].Text)
	}
	texts := map[string]string{}
	for _, o := range rendered(g.table) {
		if c, ok := o.(*gridCell); ok && c.Visible() && c.label.Visible() {
			texts[c.label.Text] = c.label.Text
		}
	}
	for _, want := range []string{"Nominal code 4000 on the invoice has no mapping.", "Map nominal code 4000 on the Mapping tab, then upload again."} {
		if _, ok := texts[want]; !ok {
			t.Errorf("the grid does not show %q", want)
		}
	}
	click(cellAt(t, g, 0, false), 0)
	for _, want := range []string{"Message: A validation exception occurred", "Cause: Nominal code 4000", "Fix: Map nominal code 4000"} {
		if !strings.Contains(ev.details.Text, want) {
			t.Errorf("details %q do not show %q", ev.details.Text, want)
		}
	}
	ev.feedbackWhen.sel.SetSelected("All time")
	h.waitFor("all errors", func() bool { return len(ev.feedback) == 2 })
}

func TestSuccessfullyExportedActions(t *testing.T) {
	h := newHarness(t, installed(readySettings()), func(h *harness, _ *Services) {
		h.eng.exported = []sync.ExportedRow{
			{ID: "a", Type: connectors.SalesInvoices, Code: "INV-1", ExportedAt: h.now, RemoteID: "r1", Verified: true, URL: "https://books.example.com/invoice/r1"},
			{ID: "b", Type: connectors.SalesInvoices, Code: "INV-2", ExportedAt: h.now, Manual: true},
		}
	})
	ev := openExport(t, h)
	ev.tabs.SelectIndex(subExported)
	g := ev.exportedGrid
	if verifiedText(h.app.w, ev.exported[0]) != "✓ Verified" || verifiedText(h.app.w, ev.exported[1]) != "Marked by hand" {
		t.Errorf("Verified column: %q, %q", verifiedText(h.app.w, ev.exported[0]), verifiedText(h.app.w, ev.exported[1]))
	}

	click(cellAt(t, g, 0, false), 0)
	if ev.openBtn.Disabled() || !ev.unmarkBtn.Disabled() || !strings.Contains(ev.exportedHint.Text, "only for rows marked by hand") {
		t.Errorf("a sent row: open disabled %v, unmark disabled %v, hint %q", ev.openBtn.Disabled(), ev.unmarkBtn.Disabled(), ev.exportedHint.Text)
	}
	test.Tap(ev.openBtn)
	if got := h.fa.opened; len(got) != 1 || got[0] != "https://books.example.com/invoice/r1" {
		t.Errorf("opened %v", got)
	}

	click(cellAt(t, g, 1, false), 0)
	if ev.unmarkBtn.Disabled() {
		t.Fatal("a row marked by hand can be marked as not exported")
	}
	test.Tap(ev.unmarkBtn)
	h.key(fyne.KeyReturn)
	h.waitTrace("marked-as-not-exported module=books count=1 refused=0")
	if got := h.eng.unmarked; len(got) != 1 || !slices.Equal(got[0], []sync.Ref{{Type: connectors.SalesInvoices, Code: "INV-2"}}) {
		t.Errorf("MarkNotExported got %v", got)
	}
}

func TestMarkAsExportedAndPrecheck(t *testing.T) {
	items := pendingInvoices(3)
	items[1].Code = "INV-02-BAD"
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	g := ev.pendingGrid
	test.Tap(ev.precheckBtn)
	h.waitTrace("precheck finished module=books ok=2 problems=1")
	if got := precheckText(h.app.w, ev.pending[1]); !strings.HasPrefix(got, "✗ Nominal code 4000") {
		t.Errorf("pre-check column %q", got)
	}
	if precheckImportance(ev.pending[1]) != widget.DangerImportance || precheckText(h.app.w, ev.pending[0]) != "✓ OK" {
		t.Error("pre-check column colours")
	}

	click(cellAt(t, g, 0, true), 0)
	test.Tap(ev.markBtn)
	if m := h.topModal(); m == nil || m.title != "Mark as Exported" {
		t.Fatalf("Mark as Exported should ask, modal %+v", m)
	}
	h.key(fyne.KeyReturn)
	h.waitTrace("marked-as-exported module=books count=1 refused=0")
	if got := h.eng.marked; len(got) != 1 || !slices.Equal(got[0], refsOf(items, 0)) {
		t.Errorf("MarkExported got %v", got)
	}
}

func TestShowSourceRecord(t *testing.T) {
	items := pendingInvoices(2)
	h := newHarness(t, installed(readySettings()), withPending(items), func(h *harness, _ *Services) {
		h.eng.records[items[0].Ref()] = storage.StoredRecord{Record: connectors.Record{Type: connectors.SalesInvoices,
			Document: &connectors.Document{Code: "INV-01", PartyCode: "ACME", Currency: "GBP", Date: connectors.NewDate(2025, 3, 1),
				Lines: []connectors.Line{{Description: "Consulting", NominalCode: "4000", TaxCode: "T20"}}}}}
	})
	ev := openExport(t, h)
	click(cellAt(t, ev.pendingGrid, 0, false), 0)
	test.Tap(ev.showBtn)
	h.waitFor("the record", func() bool { return h.topModal() != nil })
	if m := h.topModal(); m.title != "Sales Invoice INV-01" {
		t.Errorf("dialog %q", m.title)
	}
	h.key(fyne.KeyEscape)
	if h.topModal() != nil {
		t.Error("Escape should close the record")
	}
	if got := formatRecord(h.app.w, h.eng.records[items[0].Ref()].Record); !strings.Contains(got, "Customer or supplier: ACME") || !strings.Contains(got, "nominal 4000, tax T20") {
		t.Errorf("record text:\n%s", got)
	}
}

func TestGridsFollowABackgroundRun(t *testing.T) {
	items := pendingInvoices(6)
	h := newHarness(t, installed(readySettings()), withPending(items))
	ev := openExport(t, h)
	h.app.work.reloadDelay = 0
	if h.eng.refreshes == 0 {
		t.Error("opening Export should bring Pending Export up to date first")
	}
	click(cellAt(t, ev.pendingGrid, 5, true), 0)

	// A scheduled run sends the first three while the screen is open.
	h.eng.mu.Lock()
	h.eng.pending = items[3:]
	h.eng.mu.Unlock()
	h.hub.Progress("books", 3, 6)
	h.waitFor("the live reload", func() bool { return len(ev.pending) == 3 })
	if !strings.Contains(h.app.work.runInfo.Text, "3 of 6") {
		t.Errorf("run info %q", h.app.work.runInfo.Text)
	}
	if got := ev.pendingGrid.Selected(); len(got) != 1 || ev.pending[got[0]].Code != "INV-06" {
		t.Errorf("the selection should survive a reload, got %v", got)
	}
	if ev.tabs.Items[subPending].Text != "Pending Export (3)" {
		t.Errorf("tab title %q", ev.tabs.Items[subPending].Text)
	}
	// Another module's events leave this screen alone.
	h.eng.mu.Lock()
	h.eng.pending = nil
	h.eng.mu.Unlock()
	h.hub.Changed("other")
	h.loop.pump()
	if len(ev.pending) != 3 {
		t.Error("an event of another module reloaded this one")
	}
}
