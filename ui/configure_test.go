package ui

import (
	"context"
	"errors"
	"strings"
	stdsync "sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// readySettings make the test module fully configured apart from what a
// test leaves out.
func readySettings() map[string]string {
	return map[string]string{
		"client_id": "abc",
		sync.SettingKey(connectors.Upload, connectors.Customers):     "new",
		sync.SettingKey(connectors.Upload, connectors.SalesInvoices): "new",
	}
}

func openConfigure(t *testing.T, h *harness) *ConfigureScreen {
	t.Helper()
	h.app.ShowConfigure("books")
	cs := h.app.configure
	if cs == nil {
		t.Fatalf("Configure did not open; trace:\n%s", h.trace)
	}
	h.waitTrace("mapping loaded module=books")
	return cs
}

func TestMatrixDisabledOrCappedButtonSaysWhy(t *testing.T) {
	cases := []struct {
		name     string
		settings map[string]string
		d        connectors.Direction
		typ      connectors.RecordType
		// wantLevel is the level after the press.
		wantLevel   sync.Level
		wantEnabled bool
		wantReason  []string
	}{
		{
			name: "quotes need customers", settings: map[string]string{},
			d: connectors.Upload, typ: connectors.Quotes, wantLevel: sync.Off, wantEnabled: false,
			wantReason: []string{"disabled", "Customers is OFF", "turn Customers on first"},
		},
		{
			name: "payments need sales invoices", settings: map[string]string{sync.SettingKey(connectors.Mirror, connectors.Customers): "new"},
			d: connectors.Mirror, typ: connectors.InvoicePayments, wantLevel: sync.Off, wantEnabled: false,
			wantReason: []string{"disabled", "Sales Invoices is OFF"},
		},
		{
			name: "the package cannot upload purchase payments", settings: map[string]string{
				sync.SettingKey(connectors.Upload, connectors.Suppliers):        "new+updated",
				sync.SettingKey(connectors.Upload, connectors.PurchaseInvoices): "new+updated",
			},
			d: connectors.Upload, typ: connectors.PurchasePayments, wantLevel: sync.Off, wantEnabled: false,
			wantReason: []string{"disabled", "Books Online cannot sync purchase payments this way"},
		},
		{
			name: "capped at NEW while customers are only NEW", settings: map[string]string{
				sync.SettingKey(connectors.Mirror, connectors.Customers): "new",
				sync.SettingKey(connectors.Mirror, connectors.Quotes):    "new",
			},
			d: connectors.Mirror, typ: connectors.Quotes, wantLevel: sync.Off, wantEnabled: true,
			wantReason: []string{"cannot be NEW + UPDATED while Customers is only NEW", "no higher than NEW"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, installed(tc.settings))
			cs := openConfigure(t, h)
			b := cs.matrix.Button(tc.d, tc.typ)
			if b.Enabled() != tc.wantEnabled {
				t.Fatalf("enabled = %v, want %v", b.Enabled(), tc.wantEnabled)
			}
			test.Tap(b)
			h.loop.pump()
			if got := b.Level(); got != tc.wantLevel {
				t.Errorf("level after the press = %s, want %s", got, tc.wantLevel)
			}
			for _, w := range tc.wantReason {
				if !strings.Contains(cs.matrix.reason.Text, w) {
					t.Errorf("reason %q does not say %q", cs.matrix.reason.Text, w)
				}
			}
		})
	}
}

func TestMatrixCascadeAndConfirmation(t *testing.T) {
	h := newHarness(t, installed(map[string]string{"client_id": "abc"}))
	cs := openConfigure(t, h)
	mt := cs.matrix
	btn := func(typ connectors.RecordType) *levelButton { return mt.Button(connectors.Upload, typ) }

	// Customers, Sales Invoices, Invoice Payments and Quotes to NEW.
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.SalesInvoices, connectors.InvoicePayments, connectors.Quotes} {
		test.Tap(btn(typ))
		if btn(typ).Level() != sync.NewOnly {
			t.Fatalf("%s is %s after one press, want NEW", typ, btn(typ).Level())
		}
	}

	// Raising an upload to NEW + UPDATED asks first; Escape declines.
	test.Tap(btn(connectors.Customers))
	m := h.topModal()
	if m == nil || !strings.Contains(m.title, "Change records in Books Online") {
		t.Fatalf("no confirmation before NEW + UPDATED (modal %+v)", m)
	}
	h.key(fyne.KeyEscape)
	if h.topModal() != nil || btn(connectors.Customers).Level() != sync.NewOnly {
		t.Fatalf("Escape should close the warning and leave Customers at NEW; level %s", btn(connectors.Customers).Level())
	}
	// Enter confirms.
	test.Tap(btn(connectors.Customers))
	h.key(fyne.KeyReturn)
	if got := btn(connectors.Customers).Level(); got != sync.NewAndUpdated {
		t.Fatalf("after confirming, Customers = %s, want NEW + UPDATED", got)
	}
	// The mirror direction never asks.
	test.Tap(mt.Button(connectors.Mirror, connectors.Customers))
	test.Tap(mt.Button(connectors.Mirror, connectors.Customers))
	if h.topModal() != nil || mt.Button(connectors.Mirror, connectors.Customers).Level() != sync.NewAndUpdated {
		t.Fatal("mirror NEW + UPDATED should not ask")
	}

	// Customers NEW + UPDATED → OFF lowers everything that needs it.
	test.Tap(btn(connectors.Customers))
	for _, typ := range []connectors.RecordType{connectors.Customers, connectors.Quotes, connectors.SalesInvoices, connectors.InvoicePayments} {
		if got := btn(typ).Level(); got != sync.Off {
			t.Errorf("%s = %s after Customers went OFF, want OFF", typ, got)
		}
	}
	for _, w := range []string{"Quotes", "Sales Invoices", "Invoice Payments", "because Customers is now OFF"} {
		if !strings.Contains(mt.changes.Text, w) {
			t.Errorf("cascade text %q does not mention %q", mt.changes.Text, w)
		}
	}
	if btn(connectors.Quotes).Enabled() {
		t.Error("Quotes should be disabled again")
	}
	// The mirror row is untouched.
	if mt.Button(connectors.Mirror, connectors.Customers).Level() != sync.NewAndUpdated {
		t.Error("a change in one direction moved the other")
	}

	// Update saves all fourteen levels.
	test.Tap(btn(connectors.Suppliers))
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	saved, _ := h.settings.Settings("books")
	want := map[string]string{
		sync.SettingKey(connectors.Upload, connectors.Customers): "off",
		sync.SettingKey(connectors.Upload, connectors.Suppliers): "new",
		sync.SettingKey(connectors.Mirror, connectors.Customers): "new+updated",
	}
	for k, v := range want {
		if saved[k] != v {
			t.Errorf("saved %s = %q, want %q", k, saved[k], v)
		}
	}
}

func TestMatrixKeyboard(t *testing.T) {
	h := newHarness(t, installed(map[string]string{"client_id": "abc"}))
	cs := openConfigure(t, h)
	cs.selectTabNamed(tabSync)
	b := cs.matrix.Button(connectors.Mirror, connectors.Customers)
	h.app.win.Canvas().Focus(b)
	if !strings.Contains(cs.matrix.reason.Text, "Customers") {
		t.Errorf("focusing a button should explain it, got %q", cs.matrix.reason.Text)
	}
	b.TypedRune(' ')
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if b.Level() != sync.NewAndUpdated {
		t.Errorf("Space then Enter should reach NEW + UPDATED, got %s", b.Level())
	}
}

func TestAccountFieldsValidateInlineAndSecretsGoToKeyring(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	fields := map[string]*fieldEditor{}
	for _, fe := range cs.account.fields {
		fields[fe.f.Key] = fe
	}

	cases := []struct {
		key, value, wantErr string
	}{
		{"api_url", "not an address", "must be a web address"},
		{"email", "nobody", "must be an email address"},
		{"client_id", "", ""},
	}
	for _, tc := range cases {
		fe := fields[tc.key]
		fe.entry.SetText(tc.value)
		if tc.wantErr == "" {
			if fe.errL.Visible() {
				t.Errorf("%s = %q shows %q, want no error while typing", tc.key, tc.value, fe.errL.Text)
			}
			continue
		}
		if !fe.errL.Visible() || !strings.Contains(fe.errL.Text, tc.wantErr) {
			t.Errorf("%s = %q: error %q (visible %v), want %q", tc.key, tc.value, fe.errL.Text, fe.errL.Visible(), tc.wantErr)
		}
	}
	if !strings.Contains(fields["client_id"].label().Text, "*") {
		t.Error("a required field should be marked with *")
	}

	// Update refuses while a value is wrong and says where.
	cs.update(nil)
	if cs.tabs.Selected().Text != tabAccount || !strings.Contains(cs.status.Text, "Nothing was saved") {
		t.Fatalf("update with bad values: tab %q, status %q", cs.tabs.Selected().Text, cs.status.Text)
	}
	if !strings.Contains(fields["client_id"].errL.Text, "required") {
		t.Errorf("blank required field should be flagged on Update, got %q", fields["client_id"].errL.Text)
	}
	if cs.Light() != connectors.Amber {
		t.Error("the live light should be AMBER while values are wrong")
	}

	fields["api_url"].entry.SetText("https://books.example.com")
	fields["email"].entry.SetText("owner@example.com")
	fields["client_id"].entry.SetText("client-1")
	fields["api_key"].entry.SetText("s3cret")
	fields["region"].sel.SetSelected("NZ")
	cs.update(nil)
	h.waitTrace("configure updated module=books")
	saved, _ := h.settings.Settings("books")
	if saved["api_url"] != "https://books.example.com" || saved["client_id"] != "client-1" || saved["region"] != "NZ" {
		t.Errorf("saved settings %v", saved)
	}
	if _, ok := saved["api_key"]; ok {
		t.Error("the secret reached the settings store")
	}
	if got := h.secrets.get("books", "api_key"); got != "s3cret" {
		t.Errorf("keyring api_key = %q", got)
	}
	if fields["api_key"].entry.Text != "" || !strings.Contains(fields["api_key"].state.Text, "saved") {
		t.Errorf("after saving, the secret entry should be cleared and say saved: %q / %q", fields["api_key"].entry.Text, fields["api_key"].state.Text)
	}
	if cs.Light() != connectors.Green {
		_, notes := cs.liveStatus()
		t.Errorf("light = %s, notes %v; want GREEN", cs.Light(), notes)
	}
}

func TestConnectAndTestConnection(t *testing.T) {
	var mu stdsync.Mutex
	var testErr error
	h := newHarness(t, installed(readySettings()), func(h *harness, svc *Services) {
		svc.Connect = func(ctx context.Context, module string, _ connectors.Prompt, _ ChooseOrganisation) (connectors.Organisation, error) {
			if err := h.settings.SetSettings(ctx, h.def, map[string]string{"organisation": "Demo Ltd"}); err != nil {
				return connectors.Organisation{}, err
			}
			return connectors.Organisation{Name: "Demo Ltd"}, nil
		}
		svc.TestConnection = func(context.Context, string) (connectors.Identity, error) {
			mu.Lock()
			defer mu.Unlock()
			return connectors.Identity{Organisation: "Demo Ltd", Currency: "GBP"}, testErr
		}
	})
	cs := openConfigure(t, h)
	var clientID, org *fieldEditor
	for _, fe := range cs.account.fields {
		switch fe.f.Key {
		case "client_id":
			clientID = fe
		case "organisation":
			org = fe
		}
	}
	clientID.entry.SetText("client-2")
	test.Tap(cs.account.connect)
	h.waitTrace("connect finished module=books ok=true")
	saved, _ := h.settings.Settings("books")
	if saved["client_id"] != "client-2" {
		t.Errorf("Connect should save the edits first; client_id = %q", saved["client_id"])
	}
	if !strings.Contains(cs.account.result.Text, "connected to Demo Ltd") || cs.account.result.Importance != widget.SuccessImportance {
		t.Errorf("connect result %q (%v)", cs.account.result.Text, cs.account.result.Importance)
	}
	if org.ro.Text != "Demo Ltd" {
		t.Errorf("the organisation shown is %q", org.ro.Text)
	}

	test.Tap(cs.account.test)
	h.waitTrace("test connection finished module=books ok=true")
	if !strings.Contains(cs.account.result.Text, "reached Demo Ltd (its currency is GBP)") {
		t.Errorf("test result %q", cs.account.result.Text)
	}
	mu.Lock()
	testErr = errors.New("Books Online refused the sign-in: sign in again")
	mu.Unlock()
	test.Tap(cs.account.test)
	h.waitTrace("test connection finished module=books ok=false")
	if !strings.Contains(cs.account.result.Text, "refused the sign-in") || cs.account.result.Importance != widget.DangerImportance {
		t.Errorf("failed test result %q (%v)", cs.account.result.Text, cs.account.result.Importance)
	}
}

// mappingHarness has one pending sales invoice using nominal 4000 and tax
// T20; the tax code is mapped, the nominal code is not.
func mappingHarness(t *testing.T) *harness {
	settings := readySettings()
	settings[sync.MapTaxPrefix+"T20"] = "OUTPUT2"
	h := newHarness(t, installed(settings))
	h.secrets.Set(t.Context(), "books", "api_key", "k")
	inv := connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
		Code: "INV-1", PartyCode: "C1", Currency: "GBP", Date: connectors.NewDate(2025, 3, 1),
		Lines: []connectors.Line{{Description: "Widgets", Quantity: decimal.NewFromInt(2), UnitPrice: decimal.NewFromInt(10), NominalCode: "4000", TaxCode: "T20"}},
	}}
	ref := sync.Ref{Type: connectors.SalesInvoices, Code: "INV-1"}
	h.eng.pending = []sync.PendingItem{{Type: connectors.SalesInvoices, Code: "INV-1", Kind: storage.KindNew}}
	h.eng.records[ref] = storage.StoredRecord{Record: inv}
	h.eng.chart[connectors.NominalAccounts] = []connectors.Record{
		{Type: connectors.NominalAccounts, Account: &connectors.NominalAccount{Code: "200", Name: "Sales", Class: connectors.ClassRevenue}},
		{Type: connectors.NominalAccounts, Account: &connectors.NominalAccount{Code: "400", Name: "Purchases", Class: connectors.ClassExpense}},
		{Type: connectors.NominalAccounts, Account: &connectors.NominalAccount{Code: "630", Name: "Inventory", Stock: true}},
	}
	h.eng.chart[connectors.TaxRates] = []connectors.Record{
		{Type: connectors.TaxRates, TaxRate: &connectors.TaxRate{Code: "OUTPUT2", Name: "20% VAT on income", Rate: decimal.NewFromInt(20)}},
	}
	return h
}

func TestMappingChangeTurnsLightGreen(t *testing.T) {
	h := mappingHarness(t)
	cs := openConfigure(t, h)
	h.waitFor("the keyring answer", func() bool { return cs.secretsSet["api_key"] })

	if cs.Light() != connectors.Amber {
		t.Fatalf("light = %s before mapping, want AMBER", cs.Light())
	}
	if !strings.Contains(cs.notes.Text, "nominal code 4000 is not mapped") {
		t.Errorf("notes %q should name the unmapped code", cs.notes.Text)
	}
	row := cs.mapping.Row(connectors.NominalAccounts, "4000")
	if row == nil {
		t.Fatal("no row for nominal code 4000")
	}
	if !strings.Contains(row.usage.Text, "Not mapped: 1 document") {
		t.Errorf("the unmapped row should be highlighted with its use, got %q", row.usage.Text)
	}
	if got := cs.mapping.options(connectors.NominalAccounts, ""); strings.Contains(strings.Join(got, "|"), "630") {
		t.Errorf("stock accounts must not be offered: %v", got)
	}

	// Typing narrows the list; an unknown code is refused inline.
	row.entry.SetText("purch")
	if !row.errL.Visible() {
		t.Error("text matching no account should say so")
	}
	if got := cs.mapping.options(connectors.NominalAccounts, "purch"); len(got) != 1 || !strings.HasPrefix(got[0], "400") {
		t.Errorf("search options = %v", got)
	}
	if cs.Light() != connectors.Amber {
		t.Error("still unmapped: light should stay AMBER")
	}

	row.entry.SetText("200 — Sales")
	if cs.Light() != connectors.Green {
		_, notes := cs.liveStatus()
		t.Fatalf("light = %s after mapping, notes %v; want GREEN", cs.Light(), notes)
	}
	if strings.Contains(row.usage.Text, "Not mapped") {
		t.Errorf("the row is still highlighted: %q", row.usage.Text)
	}
	if cs.word.Text != string(connectors.Green) {
		t.Errorf("the light shown says %q", cs.word.Text)
	}

	cs.update(nil)
	h.waitTrace("configure updated module=books light=GREEN")
	saved, _ := h.settings.Settings("books")
	if saved[sync.MapNominalPrefix+"4000"] != "200" {
		t.Errorf("mapping saved as %q", saved[sync.MapNominalPrefix+"4000"])
	}
}

func TestMappingFetchAndDefaultSetup(t *testing.T) {
	h := mappingHarness(t)
	chart := h.eng.chart
	h.eng.chart = map[connectors.RecordType][]connectors.Record{}
	h.eng.chartAfterMirror = chart
	cs := openConfigure(t, h)
	mt := cs.mapping
	if !strings.Contains(mt.info.Text, "have not been fetched") {
		t.Errorf("info %q should ask to fetch", mt.info.Text)
	}
	test.Tap(mt.apply)
	if !strings.Contains(mt.info.Text, "Get Nominal & Tax Accounts first") {
		t.Errorf("Apply Default Setup without the lists: %q", mt.info.Text)
	}
	test.Tap(mt.fetch)
	h.waitTrace("chart fetched module=books")
	if len(h.eng.mirrors) != 1 || len(h.eng.mirrors[0]) != 3 {
		t.Errorf("Mirror calls %v, want one for the three lists", h.eng.mirrors)
	}
	test.Tap(mt.apply)
	if got := mt.values[sync.MapNominalPrefix+"4000"]; got != "200" {
		t.Errorf("default setup mapped 4000 to %q, want the sales account 200", got)
	}
	if cs.Light() != connectors.Green {
		_, notes := cs.liveStatus()
		t.Errorf("light %s, notes %v", cs.Light(), notes)
	}
}

func TestTimingShowsNextRunLive(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	tt := cs.timing
	// 12 March 2025 10:30; the default is daily at 02:00.
	if !strings.Contains(tt.next.Text, "Thursday 13/03/2025 at 02:00") {
		t.Errorf("next run %q", tt.next.Text)
	}
	tt.hour.SetSelected("23:00")
	if !strings.Contains(tt.next.Text, "Wednesday 12/03/2025 at 23:00") || !strings.Contains(tt.next.Text, "in 12 hours") {
		t.Errorf("next run after choosing 23:00: %q", tt.next.Text)
	}
	tt.modes.SetSelected(sync.ModeMonthly.LabelIn(h.app.w))
	tt.day.SetSelected("day 20")
	if !strings.Contains(tt.next.Text, "Thursday 20/03/2025 at 23:00") {
		t.Errorf("monthly on the 20th: %q", tt.next.Text)
	}
	tt.modes.SetSelected(sync.ModeDisabled.LabelIn(h.app.w))
	if !strings.Contains(tt.next.Text, "No automatic runs") {
		t.Errorf("disabled: %q", tt.next.Text)
	}
	tt.modes.SetSelected(sync.ModeWeekly.LabelIn(h.app.w))
	cs.update(nil)
	h.waitTrace("configure updated")
	saved, _ := h.settings.Settings("books")
	if saved[sync.TimingModeKey] != "weekly" || saved[sync.TimingHourKey] != "23" {
		t.Errorf("timing saved as %v", saved)
	}
	if h.sched.resched == 0 {
		t.Error("the scheduler was not told the timing changed")
	}
}

func TestConfigureCloseAsksWhenUnsaved(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	test.Tap(cs.matrix.Button(connectors.Mirror, connectors.Suppliers))
	h.key(fyne.KeyEscape) // Escape on the screen means Close
	m := h.topModal()
	if m == nil || m.title != "Save changes?" {
		t.Fatalf("closing with changes should ask, modal %+v", m)
	}
	h.key(fyne.KeyReturn) // Update and close
	h.waitFor("the module list", func() bool { return h.app.shown == screenModules })
	saved, _ := h.settings.Settings("books")
	if saved[sync.SettingKey(connectors.Mirror, connectors.Suppliers)] != "new" {
		t.Errorf("Update and close did not save: %v", saved)
	}
}

func TestOptionsSaveToTheRightStore(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	ot := cs.options
	// opt.rollup is in the connector's schema; multi-currency is LedgerLink's.
	ot.Check("opt.rollup").SetChecked(true)
	ot.Check(OptionMultiCurrency).SetChecked(true)
	ot.Check(OptionStockOnInvoices).SetChecked(true)
	cs.update(nil)
	h.waitTrace("configure updated")
	saved, _ := h.settings.Settings("books")
	for _, k := range []string{"opt.rollup", OptionMultiCurrency, OptionStockOnInvoices} {
		if saved[k] != "true" {
			t.Errorf("%s saved as %q", k, saved[k])
		}
	}
}

func TestAccountTabOrder(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	c := h.app.win.Canvas()
	var order []fyne.Focusable
	for range 6 {
		test.FocusNext(c)
		order = append(order, c.Focused())
	}
	var want []fyne.Focusable
	var names []string
	for _, fe := range cs.account.fields {
		switch {
		case fe.entry != nil:
			want = append(want, fe.entry)
		case fe.sel != nil:
			want = append(want, fe.sel)
		default:
			continue
		}
		names = append(names, fe.f.Label)
	}
	// client_id, api_url, email, region, api_key, then the buttons.
	if len(want) != 5 {
		t.Fatalf("%d focusable fields", len(want))
	}
	for i, w := range want {
		if order[i] != w {
			t.Errorf("Tab stop %d is %T, want the %s field", i+1, order[i], names[i])
		}
	}
}

func TestDisconnectAsksThenEndsTheSignIn(t *testing.T) {
	var mu stdsync.Mutex
	calls := 0
	h := newHarness(t, installed(readySettings()), func(h *harness, svc *Services) {
		svc.Connect = func(context.Context, string, connectors.Prompt, ChooseOrganisation) (connectors.Organisation, error) {
			return connectors.Organisation{Name: "Demo Ltd"}, nil
		}
		svc.Disconnect = func(ctx context.Context, module string) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return nil
		}
	})
	cs := openConfigure(t, h)
	if cs.account.disconnect == nil {
		t.Fatal("the Account tab has no Disconnect button")
	}
	test.Tap(cs.account.disconnect)
	m := h.topModal()
	if m == nil || !strings.Contains(m.title, "Disconnect") {
		t.Fatalf("Disconnect did not ask first; top dialog %+v", m)
	}
	m.dismiss()
	h.loop.pump()
	mu.Lock()
	if calls != 0 {
		t.Errorf("cancelling the question still disconnected")
	}
	mu.Unlock()

	test.Tap(cs.account.disconnect)
	h.topModal().confirm()
	h.waitTrace("disconnect finished module=books ok=true")
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("Disconnect called %d times, want 1", calls)
	}
	if !strings.Contains(cs.account.result.Text, "Disconnected from") {
		t.Errorf("result says %q", cs.account.result.Text)
	}
}
