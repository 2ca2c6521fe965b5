package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage"
	"ledgerlink/storage/secrets"
)

func newConfigModules(t *testing.T) (*Modules, *storage.DB) {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	reg := connectors.NewRegistry()
	if err := reg.Register(memory.Definition()); err != nil {
		t.Fatal(err)
	}
	mods := NewModules(db, reg, secrets.NewMemory())
	if err := mods.Install(context.Background(), memory.Name, nil); err != nil {
		t.Fatal(err)
	}
	return mods, db
}

func TestApplyChecksEveryValueBeforeSaving(t *testing.T) {
	tests := []struct {
		name    string
		values  map[string]string
		wantErr string
	}{
		{"unknown key", map[string]string{"colour": "blue"}, `has no setting "colour"`},
		{"bad level", map[string]string{"sync.upload.customer": "sometimes"}, "Customers"},
		{"prerequisite off", map[string]string{"sync.upload.sales_invoice": "new"}, "Customers"},
		{"bad hour", map[string]string{"timing.hour": "25"}, "hour"},
		{"bad mode", map[string]string{"timing.mode": "hourly"}, "hourly"},
		{"bad mapping key", map[string]string{"map.colour.200": "4000"}, "not a mapping"},
		{"unknown option", map[string]string{"opt.turbo": "true"}, "not an option"},
		{"option not bool", map[string]string{"opt.rollup": "maybe"}, "true or false"},
		{"one bad among good", map[string]string{"timing.mode": "weekly", "opt.rollup": "maybe"}, "true or false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mods, db := newConfigModules(t)
			before, err := db.Settings(memory.Name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = mods.Apply(context.Background(), memory.Name, tc.values, true)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Apply(%v) error = %v, want one containing %q", tc.values, err, tc.wantErr)
			}
			after, err := db.Settings(memory.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("a refused change still saved something: %v → %v", before, after)
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("setting %s changed from %q to %q", k, v, after[k])
				}
			}
		})
	}
}

func TestApplyMatrixCascadeAndConfirmation(t *testing.T) {
	ctx := context.Background()
	mods, db := newConfigModules(t)
	changes, err := mods.Apply(ctx, memory.Name, map[string]string{
		"sync.upload.customer":      "new",
		"sync.upload.sales_invoice": "new",
	}, false)
	if err != nil {
		t.Fatalf("raising to NEW needs no confirmation: %v", err)
	}
	if len(changes) < 2 {
		t.Errorf("changes = %v", changes)
	}

	_, err = mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.customer": "new+updated"}, false)
	var ce *ConfirmationError
	if !errors.As(err, &ce) || !errors.Is(err, ErrNeedsConfirmation) || ce.Warning == "" {
		t.Fatalf("NEW + UPDATED upload without confirmation: err = %v, want a ConfirmationError", err)
	}
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.customer": "new+updated"}, true); err != nil {
		t.Fatalf("confirmed: %v", err)
	}

	// Lowering customers to OFF lowers sales invoices too.
	changes, err = mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.customer": "off"}, false)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := db.Settings(memory.Name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := MatrixFromSettings(settings)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Level(connectors.Upload, connectors.SalesInvoices); got != Off {
		t.Errorf("sales invoices upload = %s after customers went OFF, want OFF (changes %v)", got, changes)
	}
	if !strings.Contains(strings.Join(changes, "\n"), "Sales Invoices") {
		t.Errorf("the cascade is not reported: %v", changes)
	}
}

func TestApplyTimingMappingsOptionsAndConfig(t *testing.T) {
	ctx := context.Background()
	mods, _ := newConfigModules(t)
	_, err := mods.Apply(ctx, memory.Name, map[string]string{
		"timing.mode":       "weekly",
		"timing.hour":       "3",
		"map.nominal.200":   "4000",
		"opt.rollup":        "yes",
		"opt.authorised":    "true",
		"organisation":      "Acme Ltd",
		"map.company.Acme":  "ADM-1",
		"map.journalcode.X": "60",
	}, false)
	if err == nil {
		t.Fatal(`"yes" is not a boolean the options accept; Apply should refuse it`)
	}
	_, err = mods.Apply(ctx, memory.Name, map[string]string{
		"timing.mode":     "weekly",
		"timing.hour":     "3",
		"map.nominal.200": "4000",
		"opt.rollup":      "true",
		"organisation":    "Acme Ltd",
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mods.Config(ctx, memory.Name)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"organisation":    "Acme Ltd",
		TimingHourKey:     "3",
		"map.nominal.200": "4000",
		"opt.rollup":      "on",
		"opt.authorised":  "off",
	}
	got := map[string]string{}
	for _, s := range cfg {
		got[s.Key] = s.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("config %s = %q, want %q", k, got[k], v)
		}
	}
	if !strings.HasPrefix(got[TimingModeKey], "Weekly") {
		t.Errorf("timing shows %q, want weekly", got[TimingModeKey])
	}
}

func TestApplySetsMatrixInDependencyOrder(t *testing.T) {
	mods, db := newConfigModules(t)
	values := map[string]string{}
	for _, d := range Directions() {
		for _, typ := range connectors.MatrixTypes() {
			values[SettingKey(d, typ)] = "new+updated"
		}
	}
	if _, err := mods.Apply(context.Background(), memory.Name, values, true); err != nil {
		t.Fatalf("setting every level at once, in any key order: %v", err)
	}
	settings, err := db.Settings(memory.Name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := MatrixFromSettings(settings)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Directions() {
		for _, typ := range connectors.MatrixTypes() {
			if got := m.Level(d, typ); got != NewAndUpdated {
				t.Errorf("%s %s = %s, want NEW + UPDATED", d, typ, got)
			}
		}
	}
}

func TestApplyJournalAndCreditNoteLevels(t *testing.T) {
	ctx := context.Background()
	mods, db := newConfigModules(t)
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.journal": "new+updated"}, false); !errors.Is(err, ErrNeedsConfirmation) {
		t.Fatalf("journals NEW + UPDATED without confirmation: %v", err)
	}
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.journal": "new", "sync.upload.credit_note": "off"}, false); err != nil {
		t.Fatal(err)
	}
	settings, err := db.Settings(memory.Name)
	if err != nil {
		t.Fatal(err)
	}
	levels := uploadLevels(Matrix{}, settings, memory.Capabilities())
	if levels[connectors.Journals] != NewOnly || levels[connectors.CreditNotes] != Off {
		t.Errorf("journal level %s, credit note level %s; want NEW and OFF", levels[connectors.Journals], levels[connectors.CreditNotes])
	}
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.journal": "often"}, false); err == nil {
		t.Error("a bad journal level was accepted")
	}
}

func TestApplyRefusesBeforeAskingToConfirm(t *testing.T) {
	ctx := context.Background()
	mods, _ := newConfigModules(t)
	if _, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.customer": "new"}, false); err != nil {
		t.Fatal(err)
	}
	_, err := mods.Apply(ctx, memory.Name, map[string]string{"sync.upload.sales_invoice": "new+updated"}, false)
	if err == nil || errors.Is(err, ErrNeedsConfirmation) || !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("a level the rules forbid: err = %v, want the rule's refusal, not a request to confirm", err)
	}
}
