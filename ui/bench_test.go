package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// benchPending are n pending records of mixed types.
func benchPending(n int) []sync.PendingItem {
	types := []connectors.RecordType{connectors.Customers, connectors.SalesInvoices, connectors.InvoicePayments, connectors.PurchaseInvoices}
	items := make([]sync.PendingItem, n)
	for i := range items {
		items[i] = sync.PendingItem{Type: types[i%len(types)], Code: fmt.Sprintf("DOC-%06d", i), Kind: storage.KindNew,
			SourceDate: connectors.NewDate(2025, time.Month(1+i%12), 1+i%28)}
		if i%7 == 0 {
			items[i].Check = storage.Check{Status: storage.CheckProblems, Problems: []storage.Problem{{Cause: "Nominal code 4000 has no mapping.", Fix: "Map it."}}}
		}
	}
	return items
}

// visibleCells counts the grid's cells on screen, building them if needed.
func visibleCells(g *grid) int {
	n := 0
	for _, o := range rendered(g.table) {
		if c, ok := o.(*gridCell); ok && c.Visible() {
			n++
		}
	}
	return n
}

// BenchmarkPendingExportOpen100k opens the Export tab on 100,000 pending
// records: reading them from the engine, building the grid and showing the
// first screen of cells.
func BenchmarkPendingExportOpen100k(b *testing.B) {
	h := newHarness(b, installed(readySettings()), withPending(benchPending(100_000)))
	b.ReportAllocs()
	for b.Loop() {
		h.app.ShowModules()
		h.app.ShowModule("books", "export")
		ev := h.app.work.export
		h.waitFor("100k rows", func() bool { return len(ev.pending) == 100_000 })
		if visibleCells(ev.pendingGrid) == 0 {
			b.Fatal("no cells shown")
		}
	}
}

// BenchmarkPendingGridSetData100k is the window's own part of opening:
// giving 100,000 rows to the grid and drawing the visible cells.
func BenchmarkPendingGridSetData100k(b *testing.B) {
	h := newHarness(b, installed(readySettings()), withPending(benchPending(10)))
	ev := openExport(b, h)
	items := benchPending(100_000)
	b.ReportAllocs()
	for b.Loop() {
		ev.setPending(items)
		if visibleCells(ev.pendingGrid) == 0 {
			b.Fatal("no cells shown")
		}
	}
}

// BenchmarkPendingExportScroll100k scrolls the 100,000-row grid three rows
// at a time, as a mouse wheel does; each step updates the visible cells.
func BenchmarkPendingExportScroll100k(b *testing.B) {
	h := newHarness(b, installed(readySettings()), withPending(benchPending(100_000)))
	ev := openExport(b, h)
	g := ev.pendingGrid
	visibleCells(g)
	step := float32(3 * 37) // three rows of about 37 points
	y := float32(0)
	b.ReportAllocs()
	for b.Loop() {
		y += step
		if y > 3_000_000 {
			y = 0
		}
		g.table.ScrollToOffset(fyne.NewPos(0, y))
	}
	if visibleCells(g) == 0 {
		b.Fatal("no cells shown")
	}
}

// BenchmarkPendingSortAndSearch100k sorts by code and searches the grid.
func BenchmarkPendingSortAndSearch100k(b *testing.B) {
	h := newHarness(b, installed(readySettings()), withPending(benchPending(10)))
	ev := openExport(b, h)
	ev.setPending(benchPending(100_000))
	g := ev.pendingGrid
	b.ReportAllocs()
	for b.Loop() {
		g.SortBy(1)
		g.setQuery("DOC-0999")
		g.setQuery("")
	}
}
