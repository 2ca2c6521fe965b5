package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// foundationClock is the fixed time the module tests install at.
var foundationClock = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// openFoundationDB opens a fresh database in a temporary folder with a
// fixed clock and closes it when the test ends.
func openFoundationDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.TempDir(), Options{Now: func() time.Time { return foundationClock }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// fakeBooksDefinition is a connector with one field of each kind the
// status light cares about.
func fakeBooksDefinition() connectors.Definition {
	return connectors.Definition{
		Name:  "fakebooks",
		Title: "FakeBooks",
		Settings: []connectors.Field{
			{Key: "organisation", Label: "Organisation", Kind: connectors.KindText, Required: true},
			// The default of a secret field must never be written to the database.
			{Key: "api_key", Label: "API key", Kind: connectors.KindSecret, Secret: true, Required: true, Default: "default-secret-never-stored"},
			{Key: "endpoint", Label: "Web address", Kind: connectors.KindURL, Default: "https://api.fakebooks.test"},
			{Key: "region", Label: "Region", Kind: connectors.KindChoice, Required: true, Choices: []string{"UK", "IE", "NL"}, Default: "UK"},
		},
	}
}

// fakeKeyring stands in for the keyring.
type fakeKeyring map[string]string

func (s fakeKeyring) has(key string) bool { return s[key] != "" }

func TestInstallWritesDefaultsAndReportsSteps(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()

	var steps []string
	if err := db.Install(ctx, def, func(s string) { steps = append(steps, s) }); err != nil {
		t.Fatalf("Install: %v", err)
	}
	wantSteps := []string{"Creating storage for FakeBooks", "Writing default settings", "Done"}
	if !slices.Equal(steps, wantSteps) {
		t.Errorf("steps = %q, want %q", steps, wantSteps)
	}
	info, ok, err := db.Installed(def.Name)
	if err != nil || !ok {
		t.Fatalf("Installed = %v, %v, %v; want installed", info, ok, err)
	}
	if !info.InstalledAt.Equal(foundationClock) || info.Name != def.Name {
		t.Errorf("info = %+v, want %s installed at %s", info, def.Name, foundationClock)
	}
	got, err := db.Settings(def.Name)
	if err != nil {
		t.Fatalf("Settings: %v", err)
	}
	want := map[string]string{"endpoint": "https://api.fakebooks.test", "region": "UK"}
	if len(got) != len(want) {
		t.Errorf("settings = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("settings[%q] = %q, want %q", k, got[k], v)
		}
	}
	if _, stored := got["api_key"]; stored {
		t.Errorf("the secret field's default reached the database: %v", got)
	}
}

func TestInstallTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	if err := db.Install(ctx, def, nil); err != nil {
		t.Fatalf("Install: %v", err)
	}
	if err := db.SetSettings(ctx, def, map[string]string{"organisation": "Acme Ltd", "region": "IE"}); err != nil {
		t.Fatalf("SetSettings: %v", err)
	}
	before, _ := db.Settings(def.Name)

	var steps []string
	err := db.Install(ctx, def, func(s string) { steps = append(steps, s) })
	if !errors.Is(err, ErrAlreadyInstalled) {
		t.Fatalf("second Install = %v, want ErrAlreadyInstalled", err)
	}
	if len(steps) != 0 {
		t.Errorf("a refused install reported steps %q", steps)
	}
	after, _ := db.Settings(def.Name)
	if len(after) != len(before) || after["organisation"] != "Acme Ltd" || after["region"] != "IE" {
		t.Errorf("settings after the refused install = %v, want %v", after, before)
	}
}

func TestInstallRefusals(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		def  connectors.Definition
		want error
	}{
		{"no name", context.Background(), connectors.Definition{Title: "Nameless"}, nil},
		{"cancelled", cancelled, fakeBooksDefinition(), context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openFoundationDB(t)
			err := db.Install(tt.ctx, tt.def, nil)
			if err == nil {
				t.Fatal("Install succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			mods, err := db.InstalledModules()
			if err != nil || len(mods) != 0 {
				t.Errorf("modules after a refused install = %v, %v", mods, err)
			}
		})
	}
}

func TestInstalledModulesSorted(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	for _, name := range []string{"xero", "cash", "kashflow"} {
		if err := db.Install(ctx, connectors.Definition{Name: name}, nil); err != nil {
			t.Fatalf("Install %s: %v", name, err)
		}
	}
	mods, err := db.InstalledModules()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
		if !m.InstalledAt.Equal(foundationClock) {
			t.Errorf("%s installed at %s, want %s", m.Name, m.InstalledAt, foundationClock)
		}
	}
	if want := []string{"cash", "kashflow", "xero"}; !slices.Equal(names, want) {
		t.Errorf("modules = %q, want %q", names, want)
	}
	if _, ok, err := db.Installed("quickbooks"); ok || err != nil {
		t.Errorf("Installed(quickbooks) = %v, %v; want not installed, no error", ok, err)
	}
}

func TestUninstallRemovesAllModuleData(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	other := connectors.Definition{Name: "other", Title: "Other"}
	for _, d := range []connectors.Definition{def, other} {
		if err := db.Install(ctx, d, nil); err != nil {
			t.Fatalf("Install %s: %v", d.Name, err)
		}
	}
	if err := db.SetSettings(ctx, def, map[string]string{"organisation": "Acme Ltd"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, def.Name, "map.4000", "200"); err != nil {
		t.Fatal(err)
	}
	// Data other parts of LedgerLink keep for the module: sub-buckets,
	// nested ones too.
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, module := range []string{def.Name, other.Name} {
			links, err := moduleSub(tx, module, "links")
			if err != nil {
				return err
			}
			if err := links.Put([]byte("customer/C1"), []byte("remote-1")); err != nil {
				return err
			}
			nested, err := links.CreateBucketIfNotExists([]byte("by_remote"))
			if err != nil {
				return err
			}
			if err := nested.Put([]byte("remote-1"), []byte("customer/C1")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if err := db.Uninstall(ctx, def.Name); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketModules)
		if root.Bucket([]byte(def.Name)) != nil {
			t.Error("the module's bucket is still there")
		}
		if root.Get([]byte(def.Name)) != nil {
			t.Error("a key of the module's name is still there")
		}
		ob := root.Bucket([]byte(other.Name))
		if ob == nil || ob.Bucket([]byte("links")).Bucket([]byte("by_remote")).Get([]byte("remote-1")) == nil {
			t.Error("uninstalling one module touched another's data")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Settings(def.Name); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Settings after uninstall = %v, want ErrNotInstalled", err)
	}
	if err := db.Uninstall(ctx, def.Name); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second Uninstall = %v, want ErrNotInstalled", err)
	}
	// Installing again starts from the defaults.
	if err := db.Install(ctx, def, nil); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	got, _ := db.Settings(def.Name)
	if _, kept := got["organisation"]; kept || got["map.4000"] != "" || len(got) != 2 {
		t.Errorf("settings after reinstall = %v, want only the defaults", got)
	}
}

func TestStatusLightSteps(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	secrets := fakeKeyring{}

	steps := []struct {
		name      string
		change    func(t *testing.T)
		extra     []string
		wantLight connectors.Light
		wantNotes []string
	}{
		{
			name:      "not installed",
			wantLight: connectors.Red,
			wantNotes: []string{"Not installed. Press Install."},
		},
		{
			name:      "installed, nothing filled in",
			change:    func(t *testing.T) { mustSucceed(t, db.Install(ctx, def, nil)) },
			wantLight: connectors.Amber,
			wantNotes: []string{"Organisation is not set.", "API key is not set."},
		},
		{
			name: "organisation filled in",
			change: func(t *testing.T) {
				mustSucceed(t, db.SetSettings(ctx, def, map[string]string{"organisation": "  Acme Ltd "}))
			},
			wantLight: connectors.Amber,
			wantNotes: []string{"API key is not set."},
		},
		{
			name:      "secret saved in the keyring",
			change:    func(*testing.T) { secrets["api_key"] = "k-123" },
			wantLight: connectors.Green,
		},
		{
			name:      "caller's note",
			extra:     []string{"Reconnect to FakeBooks.", "  "},
			wantLight: connectors.Amber,
			wantNotes: []string{"Reconnect to FakeBooks."},
		},
		{
			name: "blank endpoint falls back to its default",
			change: func(t *testing.T) {
				mustSucceed(t, db.SetSettings(ctx, def, map[string]string{"endpoint": ""}))
			},
			wantLight: connectors.Green,
		},
		{
			name: "choice changed",
			change: func(t *testing.T) {
				mustSucceed(t, db.SetSettings(ctx, def, map[string]string{"region": "NL"}))
			},
			wantLight: connectors.Green,
		},
		{
			name:      "secret removed from the keyring",
			change:    func(*testing.T) { delete(secrets, "api_key") },
			wantLight: connectors.Amber,
			wantNotes: []string{"API key is not set."},
		},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change(t)
		}
		_, installed, err := db.Installed(def.Name)
		if err != nil {
			t.Fatal(err)
		}
		var settings map[string]string
		if installed {
			if settings, err = db.Settings(def.Name); err != nil {
				t.Fatal(err)
			}
		}
		light, notes := Status(def, installed, settings, secrets.has, st.extra...)
		if light != st.wantLight || !slices.Equal(notes, st.wantNotes) {
			t.Errorf("%s: Status = %s %q, want %s %q", st.name, light, notes, st.wantLight, st.wantNotes)
		}
	}
	got, _ := db.Settings(def.Name)
	if got["organisation"] != "Acme Ltd" || got["region"] != "NL" {
		t.Errorf("settings = %v; want the trimmed organisation and region NL", got)
	}
	if _, ok := got["endpoint"]; ok {
		t.Errorf("a blank value should remove the setting, got %v", got)
	}
}

func TestSetSettingsRefusesBadInputAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	def := fakeBooksDefinition()
	tests := []struct {
		name    string
		values  map[string]string
		wantKey string
		kind    error
		message string
	}{
		{"not a web address", map[string]string{"endpoint": "fakebooks dot com"}, "endpoint", ErrInvalidSetting,
			"Web address must be a web address such as https://example.com"},
		{"not one of the choices", map[string]string{"region": "FR"}, "region", ErrInvalidSetting,
			"Region must be one of: UK, IE, NL"},
		{"a secret", map[string]string{"api_key": "k-123"}, "api_key", ErrSecretSetting,
			"API key is a secret: it is saved in the system keyring, never in the database"},
		{"an unknown key", map[string]string{"colour": "blue"}, "colour", ErrUnknownSetting,
			`FakeBooks has no setting called "colour"`},
		{"an engine key", map[string]string{"sync.customer": "new"}, "sync.customer", ErrUnknownSetting,
			`FakeBooks has no setting called "sync.customer"`},
		{"one good value beside a bad one", map[string]string{"organisation": "Other Ltd", "region": "FR"}, "region", ErrInvalidSetting,
			"Region must be one of: UK, IE, NL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openFoundationDB(t)
			mustSucceed(t, db.Install(ctx, def, nil))
			mustSucceed(t, db.SetSettings(ctx, def, map[string]string{"organisation": "Acme Ltd"}))
			before, _ := db.Settings(def.Name)

			err := db.SetSettings(ctx, def, tt.values)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			var se *SettingError
			if !errors.As(err, &se) || se.Key != tt.wantKey || se.Error() != tt.message {
				t.Errorf("SettingError = %+v (%v), want key %q and message %q", se, err, tt.wantKey, tt.message)
			}
			after, _ := db.Settings(def.Name)
			if len(after) != len(before) {
				t.Errorf("settings changed from %v to %v", before, after)
			}
			for k, v := range before {
				if after[k] != v {
					t.Errorf("settings[%q] changed from %q to %q", k, v, after[k])
				}
			}
		})
	}
}

func TestSetSettingsListsEveryProblem(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	mustSucceed(t, db.Install(ctx, def, nil))
	err := db.SetSettings(ctx, def, map[string]string{"region": "FR", "endpoint": "nope", "api_key": "x"})
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %v, want a list of problems", err)
	}
	var keys []string
	for _, e := range joined.Unwrap() {
		var se *SettingError
		if errors.As(e, &se) {
			keys = append(keys, se.Key)
		}
	}
	if want := []string{"api_key", "endpoint", "region"}; !slices.Equal(keys, want) {
		t.Errorf("problem keys = %q, want %q", keys, want)
	}
}

func TestSetSettingsOnModuleNotInstalled(t *testing.T) {
	db := openFoundationDB(t)
	err := db.SetSettings(context.Background(), fakeBooksDefinition(), map[string]string{"organisation": "Acme"})
	if !errors.Is(err, ErrNotInstalled) {
		t.Errorf("err = %v, want ErrNotInstalled", err)
	}
}

func TestEngineSettings(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	mustSucceed(t, db.Install(ctx, def, nil))

	tests := []struct {
		key, value string
		kind       error // nil when accepted
	}{
		{"sync.customer.upload", "new", nil},
		{"timing.mode", "daily", nil},
		{"map.4000", "200", nil},
		{"map.4010", "210", nil},
		{"opt.rollup", "true", nil},
		{"state.reconnect", "Reconnect to FakeBooks.", nil},
		{"organisation", "Sneaky Ltd", ErrUnknownSetting},
		{"sync.", "x", ErrUnknownSetting},
		{"mapping.4000", "200", ErrUnknownSetting},
		{"", "x", ErrUnknownSetting},
	}
	for _, tt := range tests {
		err := db.SetSetting(ctx, def.Name, tt.key, tt.value)
		if tt.kind == nil && err != nil {
			t.Errorf("SetSetting(%q) = %v", tt.key, err)
		}
		if tt.kind != nil && !errors.Is(err, tt.kind) {
			t.Errorf("SetSetting(%q) = %v, want %v", tt.key, err, tt.kind)
		}
	}
	all, err := db.Settings(def.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if _, stored := all[tt.key]; stored != (tt.kind == nil) && tt.key != "organisation" {
			t.Errorf("key %q stored = %v, want %v", tt.key, stored, tt.kind == nil)
		}
	}
	if _, stored := all["organisation"]; stored {
		t.Error("SetSetting wrote a schema key without checking it")
	}
	maps, err := db.SettingsWithPrefix(def.Name, PrefixMap)
	if err != nil {
		t.Fatal(err)
	}
	if len(maps) != 2 || maps["map.4000"] != "200" || maps["map.4010"] != "210" {
		t.Errorf("SettingsWithPrefix(map.) = %v", maps)
	}

	// Several keys in one go, all-or-nothing.
	err = db.SetEngineSettings(ctx, def.Name, map[string]string{"sync.quote.upload": "off", "bogus": "1"})
	if !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("SetEngineSettings with a bad key = %v", err)
	}
	if got, _ := db.SettingsWithPrefix(def.Name, "sync.quote"); len(got) != 0 {
		t.Errorf("a refused batch wrote %v", got)
	}
	mustSucceed(t, db.SetEngineSettings(ctx, def.Name, map[string]string{"sync.quote.upload": "off", "map.4000": ""}))
	all, _ = db.Settings(def.Name)
	if all["sync.quote.upload"] != "off" {
		t.Errorf("sync.quote.upload = %q", all["sync.quote.upload"])
	}
	if _, ok := all["map.4000"]; ok {
		t.Error("a blank value did not remove map.4000")
	}
	if err := db.SetSetting(ctx, "nothere", "sync.customer.upload", "new"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("SetSetting on a module not installed = %v, want ErrNotInstalled", err)
	}
}

func TestIsEngineKey(t *testing.T) {
	tests := map[string]bool{
		"sync.customer.mirror": true, "timing.hour": true, "map.tax.20": true, "opt.rollup": true, "state.last_import": true,
		"sync.": false, "sync": false, "organisation": false, "Sync.customer": false, "": false, "options.x": false,
	}
	for key, want := range tests {
		if got := IsEngineKey(key); got != want {
			t.Errorf("IsEngineKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func mustSucceed(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
