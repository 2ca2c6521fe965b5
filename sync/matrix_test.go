package sync

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

const (
	up = connectors.Upload
	mi = connectors.Mirror
)

// build returns a matrix with the given cells set in order, failing the test
// on any refusal.
func build(t *testing.T, cells ...any) Matrix {
	t.Helper()
	var m Matrix
	for i := 0; i+2 < len(cells); i += 3 {
		d := cells[i].(connectors.Direction)
		rt := cells[i+1].(connectors.RecordType)
		l := cells[i+2].(Level)
		var err error
		m, _, err = m.Set(d, rt, l)
		if err != nil {
			t.Fatalf("building matrix: Set(%s, %s, %s): %v", d, rt, l, err)
		}
	}
	return m
}

// full is every type at NEW + UPDATED both ways.
func full(t *testing.T) Matrix {
	t.Helper()
	var cells []any
	for _, d := range Directions() {
		for _, rt := range connectors.MatrixTypes() {
			cells = append(cells, d, rt, NewAndUpdated)
		}
	}
	return build(t, cells...)
}

func TestLevelNames(t *testing.T) {
	tests := []struct {
		l              Level
		str, col, text string
	}{
		{Off, "OFF", "red", "off"},
		{NewOnly, "NEW", "amber", "new"},
		{NewAndUpdated, "NEW + UPDATED", "green", "new+updated"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.str {
			t.Errorf("%d.String() = %q, want %q", tt.l, got, tt.str)
		}
		if got := tt.l.Colour(); got != tt.col {
			t.Errorf("%d.Colour() = %q, want %q", tt.l, got, tt.col)
		}
		b, err := tt.l.MarshalText()
		if err != nil || string(b) != tt.text {
			t.Errorf("%d.MarshalText() = %q, %v; want %q", tt.l, b, err, tt.text)
		}
		var back Level
		if err := back.UnmarshalText(b); err != nil || back != tt.l {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, tt.l)
		}
	}
	if _, err := Level(7).MarshalText(); err == nil {
		t.Error("MarshalText of level 7 succeeded")
	}
	if Level(-1).Valid() || Level(3).Valid() {
		t.Error("out-of-range levels reported valid")
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in   string
		want Level
		ok   bool
	}{
		{"off", Off, true},
		{" OFF ", Off, true},
		{"0", Off, true},
		{"red", Off, true},
		{"new", NewOnly, true},
		{"New", NewOnly, true},
		{"1", NewOnly, true},
		{"amber", NewOnly, true},
		{"new+updated", NewAndUpdated, true},
		{"NEW + UPDATED", NewAndUpdated, true},
		{"new  +   updated", NewAndUpdated, true},
		{"new and updated", NewAndUpdated, true},
		{"updated", NewAndUpdated, true},
		{"2", NewAndUpdated, true},
		{"green", NewAndUpdated, true},
		{"", Off, false},
		{"3", Off, false},
		{"-1", Off, false},
		{"on", Off, false},
		{"newish", Off, false},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseLevel(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), "off, new or new+updated") {
			t.Errorf("ParseLevel(%q) error %q does not say what to write", tt.in, err)
		}
	}
}

func TestPrerequisitesAndDependents(t *testing.T) {
	tests := []struct {
		t    connectors.RecordType
		pre  []connectors.RecordType
		deps []connectors.RecordType
	}{
		{connectors.Customers, nil, []connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.InvoicePayments}},
		{connectors.Quotes, []connectors.RecordType{connectors.Customers}, nil},
		{connectors.SalesInvoices, []connectors.RecordType{connectors.Customers}, []connectors.RecordType{connectors.InvoicePayments}},
		{connectors.InvoicePayments, []connectors.RecordType{connectors.SalesInvoices}, nil},
		{connectors.Suppliers, nil, []connectors.RecordType{connectors.PurchaseInvoices, connectors.PurchasePayments}},
		{connectors.PurchaseInvoices, []connectors.RecordType{connectors.Suppliers}, []connectors.RecordType{connectors.PurchasePayments}},
		{connectors.PurchasePayments, []connectors.RecordType{connectors.PurchaseInvoices}, nil},
	}
	for _, tt := range tests {
		if got := Prerequisites(tt.t); !slices.Equal(got, tt.pre) {
			t.Errorf("Prerequisites(%s) = %v, want %v", tt.t, got, tt.pre)
		}
		if got := Dependents(tt.t); !slices.Equal(got, tt.deps) {
			t.Errorf("Dependents(%s) = %v, want %v", tt.t, got, tt.deps)
		}
	}
	// Every prerequisite comes earlier on screen: clamp's single pass needs it.
	order := connectors.MatrixTypes()
	for i, rt := range order {
		for _, p := range prerequisites(rt) {
			if j := slices.Index(order, p); j < 0 || j >= i {
				t.Errorf("%s needs %s which is not listed before it", rt, p)
			}
		}
	}
}

func TestSetRefusals(t *testing.T) {
	tests := []struct {
		name   string
		start  Matrix
		d      connectors.Direction
		rt     connectors.RecordType
		l      Level
		reason string // exact plain-words reason
	}{
		{"quotes need customers on", Matrix{}, up, connectors.Quotes, NewOnly,
			"Quotes cannot be set while Customers is OFF (LedgerLink → accounting package): turn Customers on first."},
		{"sales invoices need customers on (mirror)", Matrix{}, mi, connectors.SalesInvoices, NewAndUpdated,
			"Sales Invoices cannot be set while Customers is OFF (Accounting package → LedgerLink): turn Customers on first."},
		{"invoice payments need sales invoices on", build(t, up, connectors.Customers, NewAndUpdated), up, connectors.InvoicePayments, NewOnly,
			"Invoice Payments cannot be set while Sales Invoices is OFF (LedgerLink → accounting package): turn Sales Invoices on first."},
		{"purchase invoices need suppliers on", Matrix{}, mi, connectors.PurchaseInvoices, NewOnly,
			"Purchase Invoices cannot be set while Suppliers is OFF (Accounting package → LedgerLink): turn Suppliers on first."},
		{"purchase payments need purchase invoices on", build(t, mi, connectors.Suppliers, NewOnly), mi, connectors.PurchasePayments, NewOnly,
			"Purchase Payments cannot be set while Purchase Invoices is OFF (Accounting package → LedgerLink): turn Purchase Invoices on first."},
		{"quotes capped by customers NEW", build(t, up, connectors.Customers, NewOnly), up, connectors.Quotes, NewAndUpdated,
			"Quotes cannot be NEW + UPDATED while Customers is only NEW (LedgerLink → accounting package): set Customers to NEW + UPDATED first."},
		{"invoice payments capped by sales invoices NEW",
			build(t, up, connectors.Customers, NewAndUpdated, up, connectors.SalesInvoices, NewOnly), up, connectors.InvoicePayments, NewAndUpdated,
			"Invoice Payments cannot be NEW + UPDATED while Sales Invoices is only NEW (LedgerLink → accounting package): set Sales Invoices to NEW + UPDATED first."},
		{"purchase payments capped by purchase invoices NEW",
			build(t, mi, connectors.Suppliers, NewAndUpdated, mi, connectors.PurchaseInvoices, NewOnly), mi, connectors.PurchasePayments, NewAndUpdated,
			"Purchase Payments cannot be NEW + UPDATED while Purchase Invoices is only NEW (Accounting package → LedgerLink): set Purchase Invoices to NEW + UPDATED first."},
		{"other direction does not count", build(t, mi, connectors.Customers, NewAndUpdated), up, connectors.Quotes, NewOnly,
			"Quotes cannot be set while Customers is OFF (LedgerLink → accounting package): turn Customers on first."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.start
			got, changes, err := tt.start.Set(tt.d, tt.rt, tt.l)
			if err == nil {
				t.Fatalf("Set succeeded, want refusal")
			}
			if err.Error() != tt.reason {
				t.Errorf("reason = %q\nwant     %q", err, tt.reason)
			}
			var re *RuleError
			if !errors.As(err, &re) || !errors.Is(err, ErrNotAllowed) {
				t.Errorf("error %T is not a *RuleError matching ErrNotAllowed", err)
			} else if re.Type != tt.rt || re.Direction != tt.d || re.Wanted != tt.l {
				t.Errorf("RuleError = %+v, want %s %s %s", re, tt.d, tt.rt, tt.l)
			}
			if got != before || tt.start != before || changes != nil {
				t.Errorf("refused Set changed something: got %v changes %v", got, changes)
			}
			max, reason := tt.start.Allowed(tt.d, tt.rt)
			if max >= tt.l || reason != tt.reason {
				t.Errorf("Allowed = %v, %q; want below %v with the same reason", max, reason, tt.l)
			}
		})
	}
}

func TestSetBadInput(t *testing.T) {
	var m Matrix
	tests := []struct {
		name string
		d    connectors.Direction
		rt   connectors.RecordType
		l    Level
		want string
	}{
		{"unknown direction", "sideways", connectors.Customers, NewOnly, "not a sync direction"},
		{"non-matrix type", up, connectors.Journals, NewOnly, "Payroll Journals has no sync level of its own"},
		{"ancillary type", mi, connectors.TaxRates, NewOnly, "Tax Rates has no sync level"},
		{"bad level", up, connectors.Customers, Level(5), "5 is not a sync level"},
		{"negative level", up, connectors.Customers, Level(-1), "-1 is not a sync level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := m.Set(tt.d, tt.rt, tt.l)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Set error = %v, want one containing %q", err, tt.want)
			}
			if got != m {
				t.Error("refused Set changed the matrix")
			}
			if max, reason := m.Allowed(tt.d, tt.rt); tt.l.Valid() && (max != Off || reason == "") {
				t.Errorf("Allowed = %v, %q; want OFF with a reason", max, reason)
			}
		})
	}
}

func TestSetCascade(t *testing.T) {
	type cell struct {
		d  connectors.Direction
		rt connectors.RecordType
		l  Level
	}
	tests := []struct {
		name    string
		start   Matrix
		set     cell
		changes []Change
		after   []cell // cells to check after
	}{
		{
			name:  "customers OFF turns the whole sales side off",
			start: full(t),
			set:   cell{up, connectors.Customers, Off},
			changes: []Change{
				{up, connectors.Quotes, NewAndUpdated, Off, connectors.Customers},
				{up, connectors.SalesInvoices, NewAndUpdated, Off, connectors.Customers},
				{up, connectors.InvoicePayments, NewAndUpdated, Off, connectors.SalesInvoices},
			},
			after: []cell{
				{up, connectors.Suppliers, NewAndUpdated},
				{up, connectors.PurchasePayments, NewAndUpdated},
				{mi, connectors.Quotes, NewAndUpdated},
				{mi, connectors.InvoicePayments, NewAndUpdated},
			},
		},
		{
			name:  "customers NEW caps the sales side at NEW",
			start: full(t),
			set:   cell{mi, connectors.Customers, NewOnly},
			changes: []Change{
				{mi, connectors.Quotes, NewAndUpdated, NewOnly, connectors.Customers},
				{mi, connectors.SalesInvoices, NewAndUpdated, NewOnly, connectors.Customers},
				{mi, connectors.InvoicePayments, NewAndUpdated, NewOnly, connectors.SalesInvoices},
			},
			after: []cell{{up, connectors.Quotes, NewAndUpdated}},
		},
		{
			name:  "sales invoices OFF leaves quotes alone",
			start: full(t),
			set:   cell{up, connectors.SalesInvoices, Off},
			changes: []Change{
				{up, connectors.InvoicePayments, NewAndUpdated, Off, connectors.SalesInvoices},
			},
			after: []cell{{up, connectors.Quotes, NewAndUpdated}, {up, connectors.Customers, NewAndUpdated}},
		},
		{
			name:  "suppliers OFF turns purchases off",
			start: full(t),
			set:   cell{mi, connectors.Suppliers, Off},
			changes: []Change{
				{mi, connectors.PurchaseInvoices, NewAndUpdated, Off, connectors.Suppliers},
				{mi, connectors.PurchasePayments, NewAndUpdated, Off, connectors.PurchaseInvoices},
			},
			after: []cell{{mi, connectors.Customers, NewAndUpdated}},
		},
		{
			name:  "purchase invoices NEW caps purchase payments",
			start: full(t),
			set:   cell{up, connectors.PurchaseInvoices, NewOnly},
			changes: []Change{
				{up, connectors.PurchasePayments, NewAndUpdated, NewOnly, connectors.PurchaseInvoices},
			},
		},
		{
			name: "lowering leaves dependents already within the cap",
			start: build(t, up, connectors.Customers, NewAndUpdated, up, connectors.Quotes, NewOnly,
				up, connectors.SalesInvoices, NewAndUpdated),
			set: cell{up, connectors.Customers, NewOnly},
			changes: []Change{
				{up, connectors.SalesInvoices, NewAndUpdated, NewOnly, connectors.Customers},
			},
			after: []cell{{up, connectors.Quotes, NewOnly}},
		},
		{
			name:  "raising cascades nothing",
			start: build(t, up, connectors.Customers, NewOnly, up, connectors.Quotes, NewOnly),
			set:   cell{up, connectors.Customers, NewAndUpdated},
			after: []cell{{up, connectors.Quotes, NewOnly}},
		},
		{
			name:  "setting the same level is a no-op",
			start: full(t),
			set:   cell{up, connectors.Customers, NewAndUpdated},
			after: []cell{{up, connectors.InvoicePayments, NewAndUpdated}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.start
			got, changes, err := tt.start.Set(tt.set.d, tt.set.rt, tt.set.l)
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if tt.start != before {
				t.Error("Set altered its receiver")
			}
			if !slices.Equal(changes, tt.changes) {
				t.Errorf("changes =\n%v\nwant\n%v", changes, tt.changes)
			}
			if l := got.Level(tt.set.d, tt.set.rt); l != tt.set.l {
				t.Errorf("%s %s = %v, want %v", tt.set.d, tt.set.rt, l, tt.set.l)
			}
			for _, c := range tt.changes {
				if l := got.Level(c.Direction, c.Type); l != c.To {
					t.Errorf("%s %s = %v after cascade, want %v", c.Direction, c.Type, l, c.To)
				}
			}
			for _, c := range tt.after {
				if l := got.Level(c.d, c.rt); l != c.l {
					t.Errorf("%s %s = %v, want untouched %v", c.d, c.rt, l, c.l)
				}
			}
			if err := got.Check(); err != nil {
				t.Errorf("result breaks the rules: %v", err)
			}
		})
	}
}

func TestChangeString(t *testing.T) {
	c := Change{up, connectors.InvoicePayments, NewAndUpdated, NewOnly, connectors.SalesInvoices}
	want := "Invoice Payments (LedgerLink → accounting package) went from NEW + UPDATED to NEW because Sales Invoices is now NEW."
	if c.String() != want {
		t.Errorf("String() = %q\nwant        %q", c, want)
	}
	c = Change{mi, connectors.Quotes, NewOnly, Off, connectors.Quotes}
	if !strings.Contains(c.String(), "cannot sync it that way") {
		t.Errorf("capability change reads %q", c)
	}
}

func TestAllowedAndNext(t *testing.T) {
	tests := []struct {
		name   string
		m      Matrix
		d      connectors.Direction
		rt     connectors.RecordType
		max    Level
		next   Level
		reason bool
	}{
		{"root from OFF", Matrix{}, up, connectors.Customers, NewAndUpdated, NewOnly, false},
		{"root from NEW", build(t, up, connectors.Customers, NewOnly), up, connectors.Customers, NewAndUpdated, NewAndUpdated, false},
		{"root wraps to OFF", build(t, up, connectors.Customers, NewAndUpdated), up, connectors.Customers, NewAndUpdated, Off, false},
		{"disabled stays OFF", Matrix{}, up, connectors.Quotes, Off, Off, true},
		{"capped at NEW from OFF", build(t, mi, connectors.Suppliers, NewOnly), mi, connectors.PurchaseInvoices, NewOnly, NewOnly, true},
		{"capped at NEW wraps from NEW", build(t, mi, connectors.Suppliers, NewOnly, mi, connectors.PurchaseInvoices, NewOnly),
			mi, connectors.PurchaseInvoices, NewOnly, Off, true},
		{"chain end allowed", full(t), up, connectors.PurchasePayments, NewAndUpdated, Off, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max, reason := tt.m.Allowed(tt.d, tt.rt)
			if max != tt.max || (reason != "") != tt.reason {
				t.Errorf("Allowed = %v, %q; want %v (reason given: %v)", max, reason, tt.max, tt.reason)
			}
			next := tt.m.Next(tt.d, tt.rt)
			if next != tt.next {
				t.Errorf("Next = %v, want %v", next, tt.next)
			}
			if _, _, err := tt.m.Set(tt.d, tt.rt, next); err != nil {
				t.Errorf("Set(Next) refused: %v", err)
			}
		})
	}
}

// TestNextCycle presses every button repeatedly from every reachable state
// and checks Next never proposes a level Set refuses.
func TestNextCycle(t *testing.T) {
	m := Matrix{}
	seen := map[Matrix]bool{}
	for press := 0; press < 500; press++ {
		d := Directions()[press%2]
		rt := connectors.MatrixTypes()[(press*5)%7]
		next := m.Next(d, rt)
		got, _, err := m.Set(d, rt, next)
		if err != nil {
			t.Fatalf("press %d on %s %s: Next %v refused: %v", press, d, rt, next, err)
		}
		if err := got.Check(); err != nil {
			t.Fatalf("press %d: %v", press, err)
		}
		m = got
		seen[m] = true
	}
	if len(seen) < 20 {
		t.Errorf("only %d distinct matrices reached; the walk is not exercising the rules", len(seen))
	}
}

func TestNeedsConfirmation(t *testing.T) {
	tests := []struct {
		name string
		m    Matrix
		d    connectors.Direction
		rt   connectors.RecordType
		l    Level
		want bool
	}{
		{"upload to NEW + UPDATED", build(t, up, connectors.Customers, NewOnly), up, connectors.Customers, NewAndUpdated, true},
		{"upload from OFF straight to NEW + UPDATED", Matrix{}, up, connectors.Suppliers, NewAndUpdated, true},
		{"upload already NEW + UPDATED", full(t), up, connectors.Customers, NewAndUpdated, false},
		{"upload to NEW", Matrix{}, up, connectors.Customers, NewOnly, false},
		{"upload to OFF", full(t), up, connectors.Customers, Off, false},
		{"mirror to NEW + UPDATED", Matrix{}, mi, connectors.Customers, NewAndUpdated, false},
		{"non-matrix type", Matrix{}, up, connectors.Journals, NewAndUpdated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := tt.m.NeedsConfirmation(tt.d, tt.rt, tt.l)
			if got != tt.want {
				t.Fatalf("NeedsConfirmation = %v, want %v", got, tt.want)
			}
			if got != (msg != "") {
				t.Errorf("message %q does not match answer %v", msg, got)
			}
			if got && (!strings.Contains(msg, "changes your books") || !strings.Contains(msg, tt.rt.Label())) {
				t.Errorf("warning %q does not name the type and the books", msg)
			}
		})
	}
}

func TestValidateAndRestrict(t *testing.T) {
	caps := connectors.Capabilities{Types: map[connectors.RecordType]connectors.Directions{
		connectors.Customers:        {Mirror: true, Upload: true},
		connectors.Quotes:           {Mirror: true},
		connectors.SalesInvoices:    {Mirror: true, Upload: true},
		connectors.InvoicePayments:  {Mirror: true, Upload: true},
		connectors.Suppliers:        {Mirror: true, Upload: true},
		connectors.PurchaseInvoices: {Mirror: true, Upload: true},
		// PurchasePayments: not at all.
	}}
	tests := []struct {
		name    string
		m       Matrix
		wantErr []string
		changes []Change
	}{
		{"all off is valid", Matrix{}, nil, nil},
		{"supported types only", build(t, up, connectors.Customers, NewAndUpdated, up, connectors.SalesInvoices, NewOnly,
			mi, connectors.Customers, NewOnly, mi, connectors.Quotes, NewOnly), nil, nil},
		{"quotes upload unsupported", build(t, up, connectors.Customers, NewOnly, up, connectors.Quotes, NewOnly),
			[]string{"Quotes (LedgerLink → accounting package)", "set each to OFF"},
			[]Change{{up, connectors.Quotes, NewOnly, Off, connectors.Quotes}}},
		{"everything on", full(t),
			[]string{"Purchase Payments (Accounting package → LedgerLink)", "Quotes (LedgerLink → accounting package)",
				"Purchase Payments (LedgerLink → accounting package)", "set each to OFF"},
			[]Change{
				{mi, connectors.PurchasePayments, NewAndUpdated, Off, connectors.PurchasePayments},
				{up, connectors.Quotes, NewAndUpdated, Off, connectors.Quotes},
				{up, connectors.PurchasePayments, NewAndUpdated, Off, connectors.PurchasePayments},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate(caps)
			if (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("Validate = %v, want error %v", err, tt.wantErr != nil)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate error %q lacks %q", err, w)
				}
			}
			if err != nil && !errors.Is(err, ErrNotAllowed) {
				t.Errorf("Validate error does not match ErrNotAllowed")
			}
			got, changes := tt.m.Restrict(caps)
			if !slices.Equal(changes, tt.changes) {
				t.Errorf("Restrict changes = %v, want %v", changes, tt.changes)
			}
			if err := got.Validate(caps); err != nil {
				t.Errorf("restricted matrix still invalid: %v", err)
			}
			if err := got.Check(); err != nil {
				t.Errorf("restricted matrix breaks the rules: %v", err)
			}
		})
	}
	// Restrict cascades: a connector without Customers upload takes the
	// whole upload sales side down with it.
	noCustUpload := connectors.Capabilities{Types: map[connectors.RecordType]connectors.Directions{}}
	for _, rt := range connectors.MatrixTypes() {
		noCustUpload.Types[rt] = connectors.Directions{Mirror: true, Upload: rt != connectors.Customers}
	}
	got, changes := full(t).Restrict(noCustUpload)
	want := []Change{
		{up, connectors.Customers, NewAndUpdated, Off, connectors.Customers},
		{up, connectors.Quotes, NewAndUpdated, Off, connectors.Customers},
		{up, connectors.SalesInvoices, NewAndUpdated, Off, connectors.Customers},
		{up, connectors.InvoicePayments, NewAndUpdated, Off, connectors.SalesInvoices},
	}
	if !slices.Equal(changes, want) {
		t.Errorf("cascading Restrict changes = %v, want %v", changes, want)
	}
	if got.Level(up, connectors.Suppliers) != NewAndUpdated {
		t.Error("Restrict touched an unrelated type")
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	m := build(t, up, connectors.Customers, NewAndUpdated, up, connectors.SalesInvoices, NewOnly,
		mi, connectors.Suppliers, NewOnly, mi, connectors.PurchaseInvoices, NewOnly)
	s := m.Settings()
	if len(s) != 14 {
		t.Errorf("Settings has %d keys, want 14", len(s))
	}
	wantSome := map[string]string{
		"sync.upload.customer":         "new+updated",
		"sync.upload.sales_invoice":    "new",
		"sync.upload.quote":            "off",
		"sync.mirror.supplier":         "new",
		"sync.mirror.purchase_invoice": "new",
		"sync.mirror.customer":         "off",
	}
	for k, v := range wantSome {
		if s[k] != v {
			t.Errorf("Settings()[%q] = %q, want %q", k, s[k], v)
		}
	}
	back, err := MatrixFromSettings(s)
	if err != nil {
		t.Fatalf("MatrixFromSettings: %v", err)
	}
	if back != m {
		t.Errorf("round trip changed the matrix: %v != %v", back.Settings(), s)
	}
}

func TestMatrixFromSettings(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     map[string]Level // SettingKey → level; unlisted are OFF
		errParts []string
	}{
		{"empty is all off", nil, nil, nil},
		{"other settings ignored", map[string]string{
			"timing.mode": "daily", "map.4000": "200", "opt.rollup": "true",
			"sync.upload.journal": "new", "sync.last": "x", "sync.sideways.customer": "new",
		}, nil, nil},
		{"numbers, labels and case", map[string]string{
			"sync.upload.customer": "2", "sync.upload.Sales Invoices": "NEW", "sync.MIRROR.suppliers": "amber",
		}, map[string]Level{
			"sync.upload.customer": NewAndUpdated, "sync.upload.sales_invoice": NewOnly, "sync.mirror.supplier": NewOnly,
		}, nil},
		{"bad level is OFF with a message", map[string]string{
			"sync.upload.customer": "sometimes", "sync.mirror.customer": "new",
		}, map[string]Level{"sync.mirror.customer": NewOnly},
			[]string{`Customers (LedgerLink → accounting package): "sometimes" is not a sync level`, "press Update"}},
		{"unknown type in a sync key", map[string]string{"sync.upload.invioce": "new"}, nil,
			[]string{`setting "sync.upload.invioce" names no record type`}},
		{"rule breach is lowered", map[string]string{
			"sync.upload.customer": "new", "sync.upload.quote": "new+updated",
			"sync.upload.sales_invoice": "new", "sync.upload.invoice_payment": "new+updated",
			"sync.mirror.purchase_payment": "new",
		}, map[string]Level{
			"sync.upload.customer": NewOnly, "sync.upload.quote": NewOnly,
			"sync.upload.sales_invoice": NewOnly, "sync.upload.invoice_payment": NewOnly,
		}, []string{
			"Quotes (LedgerLink → accounting package) was NEW + UPDATED but Customers is NEW, so it counts as NEW",
			"Invoice Payments (LedgerLink → accounting package) was NEW + UPDATED but Sales Invoices is NEW",
			"Purchase Payments (Accounting package → LedgerLink) was NEW but Purchase Invoices is OFF, so it counts as OFF",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := MatrixFromSettings(tt.settings)
			if (err != nil) != (tt.errParts != nil) {
				t.Fatalf("error = %v, want error: %v", err, tt.errParts != nil)
			}
			for _, p := range tt.errParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q\nlacks %q", err, p)
				}
			}
			for _, d := range Directions() {
				for _, rt := range connectors.MatrixTypes() {
					k := SettingKey(d, rt)
					if got := m.Level(d, rt); got != tt.want[k] {
						t.Errorf("%s = %v, want %v", k, got, tt.want[k])
					}
				}
			}
			if err := m.Check(); err != nil {
				t.Errorf("returned matrix breaks the rules: %v", err)
			}
		})
	}
}

func TestMatrixLevelOutside(t *testing.T) {
	m := full(t)
	if m.Level(up, connectors.Journals) != Off || m.Level("x", connectors.Customers) != Off {
		t.Error("Level outside the matrix is not OFF")
	}
	if m.IsOff() || !(Matrix{}).IsOff() {
		t.Error("IsOff wrong")
	}
	if !m.Enabled(mi, connectors.Quotes) || (Matrix{}).Enabled(mi, connectors.Customers) {
		t.Error("Enabled wrong")
	}
}

func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"off", "new", "new+updated", "NEW + UPDATED", "0", "1", "2", "updated", "", "3", "green", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLevel(s)
		if err != nil {
			if l != Off {
				t.Errorf("ParseLevel(%q) failed but returned %v", s, l)
			}
			return
		}
		if !l.Valid() {
			t.Fatalf("ParseLevel(%q) = invalid %d", s, l)
		}
		for _, form := range []string{l.String(), l.token(), fmt.Sprint(int(l)), l.Colour()} {
			back, err := ParseLevel(form)
			if err != nil || back != l {
				t.Errorf("ParseLevel(%q) = %v, %v; want %v", form, back, err, l)
			}
		}
	})
}

func FuzzMatrixFromSettings(f *testing.F) {
	f.Add("sync.upload.customer", "new", "sync.upload.quote", "new+updated")
	f.Add("sync.mirror.supplier", "2", "sync.mirror.purchase_invoice", "1")
	f.Add("sync.upload.invoice_payment", "new", "sync.upload.sales_invoice", "off")
	f.Add("sync.x", "y", "timing.mode", "daily")
	f.Add("sync.upload.", "", "sync..customer", "new")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m, err := MatrixFromSettings(map[string]string{k1: v1, k2: v2})
		if cerr := m.Check(); cerr != nil {
			t.Fatalf("returned matrix breaks the rules (load error %v): %v", err, cerr)
		}
		if err != nil && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("load error does not match ErrNotAllowed: %v", err)
		}
		back, err := MatrixFromSettings(m.Settings())
		if err != nil || back != m {
			t.Errorf("re-reading its own settings: %v, equal=%v", err, back == m)
		}
	})
}
