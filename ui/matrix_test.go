package ui

import (
	"maps"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// withProducts makes the test package able to take products.
func withProducts() harnessOption {
	return func(h *harness, _ *Services) {
		d := h.def
		types := maps.Clone(d.Caps.Types)
		types[connectors.Items] = connectors.Directions{Mirror: true, Upload: true}
		d.Caps.Types = types
		h.def = d
		h.mods.defs[d.Name] = d
	}
}

func TestProductsButtonCyclesAndIsSaved(t *testing.T) {
	h := newHarness(t, withProducts(), installed(map[string]string{"client_id": "abc", sync.ProductsSettingKey: "new"}))
	cs := openConfigure(t, h)
	b := cs.matrix.ProductsButton()
	if b == nil {
		t.Fatal("the Synchronisation tab has no Products button for a package that takes products")
	}
	if b.Level() != sync.NewOnly || !b.Enabled() {
		t.Fatalf("Products shows %s (enabled %v); want the saved NEW", b.Level(), b.Enabled())
	}
	// NEW → NEW + UPDATED asks first; Escape declines.
	test.Tap(b)
	if m := h.topModal(); m == nil || !strings.Contains(m.title, "Change records in Books Online") {
		t.Fatalf("no confirmation before Products NEW + UPDATED (modal %+v)", m)
	}
	h.key(fyne.KeyEscape)
	if b.Level() != sync.NewOnly {
		t.Fatalf("after Escape Products is %s, want NEW", b.Level())
	}
	test.Tap(b)
	h.key(fyne.KeyReturn)
	if b.Level() != sync.NewAndUpdated {
		t.Fatalf("after confirming Products is %s, want NEW + UPDATED", b.Level())
	}
	if !strings.Contains(cs.matrix.reason.Text, "changes to them are sent too") {
		t.Errorf("reason %q does not say what NEW + UPDATED does", cs.matrix.reason.Text)
	}
	// NEW + UPDATED → OFF, then OFF → NEW, without asking.
	test.Tap(b)
	if b.Level() != sync.Off || h.topModal() != nil {
		t.Fatalf("Products is %s after the third press (modal %v), want OFF", b.Level(), h.topModal())
	}
	if !strings.Contains(cs.matrix.reason.Text, "no products are sent") {
		t.Errorf("reason %q does not say OFF sends no products", cs.matrix.reason.Text)
	}
	test.Tap(b)
	test.Tap(b) // would ask: leave it at NEW + UPDATED unconfirmed
	h.key(fyne.KeyEscape)
	if b.Level() != sync.NewOnly {
		t.Fatalf("Products is %s, want NEW", b.Level())
	}
	// Products alone count as something to sync.
	if cs.matrix.m.IsOff() {
		t.Error("with Products at NEW the tab counts as all OFF")
	}
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	saved, _ := h.settings.Settings("books")
	if saved[sync.ProductsSettingKey] != "new" {
		t.Errorf("saved %s = %q, want new", sync.ProductsSettingKey, saved[sync.ProductsSettingKey])
	}
}

func TestProductsButtonOnlyWherePackageTakesProducts(t *testing.T) {
	h := newHarness(t, installed(map[string]string{"client_id": "abc"}))
	cs := openConfigure(t, h)
	if cs.matrix.ProductsButton() != nil {
		t.Error("a Products button is shown for a package that cannot take products")
	}
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	if saved, _ := h.settings.Settings("books"); saved[sync.ProductsSettingKey] != "" {
		t.Errorf("a products level %q was saved for a package that cannot take products", saved[sync.ProductsSettingKey])
	}
}

// TestPayrollJournalsButtonForAJournalsOnlyPackage: a package that takes
// payroll journals and nothing of the matrix (as CASH) shows every matrix
// button disabled with the reason, and a Payroll Journals button whose
// level is saved and counts as something to sync.
func TestPayrollJournalsButtonForAJournalsOnlyPackage(t *testing.T) {
	journalsOnly := func(h *harness, _ *Services) {
		d := h.def
		d.Caps.Types = map[connectors.RecordType]connectors.Directions{connectors.Journals: {Upload: true}}
		h.def = d
		h.mods.defs[d.Name] = d
	}
	h := newHarness(t, journalsOnly, installed(map[string]string{"client_id": "abc"}))
	cs := openConfigure(t, h)
	if cs.matrix.ProductsButton() != nil {
		t.Error("a Products button for a package that takes no products")
	}
	for _, d := range sync.Directions() {
		for _, typ := range connectors.MatrixTypes() {
			b := cs.matrix.Button(d, typ)
			if b.Enabled() {
				t.Errorf("%s %s can be pressed for a journals-only package", typ, d)
			}
		}
	}
	cs.matrix.explain(matrixCell{connectors.Upload, connectors.Customers}, true)
	if !strings.Contains(cs.matrix.reason.Text, "cannot sync customers") {
		t.Errorf("a disabled button says %q", cs.matrix.reason.Text)
	}
	b := cs.matrix.ownButton(connectors.Journals)
	if b == nil {
		t.Fatal("no Payroll Journals button for a package that takes them")
	}
	if !cs.matrix.m.IsOff() {
		t.Error("with everything OFF the tab does not count as all OFF")
	}
	test.Tap(b)
	if b.Level() != sync.NewOnly || !strings.Contains(cs.matrix.reason.Text, "booked in Books Online once") {
		t.Fatalf("after one press: %s, reason %q", b.Level(), cs.matrix.reason.Text)
	}
	if cs.matrix.m.IsOff() {
		t.Error("payroll journals at NEW count as nothing to sync")
	}
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	saved, _ := h.settings.Settings("books")
	if key := sync.UploadSettingKey(connectors.Journals); saved[key] != "new" {
		t.Errorf("saved %s = %q, want new", key, saved[key])
	}
}
