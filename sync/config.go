package sync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Option keys every module has, whatever its connector. A connector's own
// options (such as Rollup) are fields of its settings schema.
const (
	// SettingStockOnInvoicesOnly exports only the products (stock items)
	// that a line of a pending or exported document uses.
	SettingStockOnInvoicesOnly = storage.PrefixOption + "stock_on_invoices_only"
)

// ModuleOption is one of the Options tab's switches. Label and Help are
// catalogue keys, said by the faces with Words.Label.
type ModuleOption struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Help  string `json:"help"`
}

// ModuleOptions lists the Options tab's switches in the order shown.
func ModuleOptions() []ModuleOption {
	return []ModuleOption{
		{SettingMultiCurrency, "engine.option.multi_currency.label", "engine.option.multi_currency.help"},
		{SettingStockOnInvoicesOnly, "engine.option.stock_on_invoices_only.label", "engine.option.stock_on_invoices_only.help"},
		{SettingJournalsAutoSend, "engine.option.journals_auto_send.label", "engine.option.journals_auto_send.help"},
	}
}

// ErrNeedsConfirmation means a change alters the books and was not confirmed.
var ErrNeedsConfirmation = errors.New("this change needs confirmation") // words:log: a kind for errors.Is; a ConfirmationError carries the warning

// ConfirmationError carries the warning a person must accept.
type ConfirmationError struct{ Warning string }

func (e *ConfirmationError) Error() string { return e.Warning }

// Is matches ErrNeedsConfirmation.
func (e *ConfirmationError) Is(target error) bool { return target == ErrNeedsConfirmation }

// Apply changes a module's settings by key: connector settings from its
// schema, the sync matrix ("sync.<direction>.<type>" = off | new |
// new+updated), timing ("timing.mode", "timing.hour", "timing.anchor"),
// mappings ("map.nominal.<code>", "map.tax.<code>", "map.bank.<code>",
// "map.company.<company>", "map.journalcode.<company>") and options
// ("opt.…" = true | false). Every value is checked before anything is
// saved: one bad value refuses the lot with the reason. Raising
// LedgerLink → accounting package to NEW + UPDATED changes the books and
// needs confirmed set, otherwise a *ConfirmationError with the warning.
// It returns, in words, what changed (cascades included).
func (m *Modules) Apply(ctx context.Context, module string, values map[string]string, confirmed bool) ([]string, error) {
	def, err := m.Definition(module)
	if err != nil {
		return nil, err
	}
	current, err := m.db.Settings(def.Name)
	if err != nil {
		return nil, err
	}
	schema := map[string]string{}
	engine := map[string]string{}
	var changes []string
	w := m.lang()

	matrix, _ := MatrixFromSettings(current)
	matrixTouched := false
	timingValues := maps.Clone(current)
	timingTouched := false

	for _, key := range applyOrder(values) {
		value := strings.TrimSpace(values[key])
		if f, ok := def.Field(key); ok {
			if f.Secret {
				return nil, sayErr(w, nil, "engine.config.secret_in_keyring", "Field", words.Sentence(f.Label), "Module", def.Name, "Key", key)
			}
			schema[key] = value
			continue
		}
		switch {
		case isExtraUploadKey(key):
			// Outside the matrix: products and payroll journals (OFF unless
			// set) and credit notes (following their invoices unless set).
			t := extraUploadType(key)
			if !def.Caps.Supports(t, connectors.Upload) {
				return nil, sayErr(w, nil, "engine.config.cannot_receive", "Package", def.Title, "Records", lowerLabel(w, t))
			}
			level, err := ParseLevel(value)
			if err != nil {
				return nil, sayErr(w, err, "engine.config.level_of", "Setting", t.LabelIn(w))
			}
			if level == NewAndUpdated && !confirmed {
				return nil, &ConfirmationError{Warning: m.lang().T("engine.config.confirm_updates", "Type", lowerLabel(m.lang(), t), "Package", def.Title)}
			}
			engine[key] = level.token()
			changes = append(changes, w.T("engine.config.level_now", "Setting", w.T("engine.config.level_label", "Type", t.LabelIn(w), "Direction", connectors.Upload.LabelIn(w)), "Level", level.String()))
		case strings.HasPrefix(key, SettingPrefix):
			d, t, ok, err := parseSettingKey(key)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, sayErr(w, nil, "engine.config.not_sync_key", "Key", strconv.Quote(key))
			}
			level, err := ParseLevel(value)
			if err != nil {
				return nil, sayErr(w, err, "engine.config.level_of", "Setting", w.T("engine.config.level_label", "Type", t.LabelIn(w), "Direction", d.LabelIn(w)))
			}
			// The rules come first: a level that is not allowed is refused
			// before anyone is asked to confirm it.
			next, cascade, err := matrix.Set(d, t, level)
			if err != nil {
				return nil, err
			}
			if need, warning := matrix.NeedsConfirmation(d, t, level); need && !confirmed {
				return nil, &ConfirmationError{Warning: warning}
			}
			matrix, matrixTouched = next, true
			changes = append(changes, w.T("engine.config.level_now", "Setting", w.T("engine.config.level_label", "Type", t.LabelIn(w), "Direction", d.LabelIn(w)), "Level", level.String()))
			for _, c := range cascade {
				changes = append(changes, c.In(w, c.Direction.LabelIn(w)))
			}
		case strings.HasPrefix(key, storage.PrefixTiming):
			timingValues[key] = value
			timingTouched = true
			engine[key] = value
		case strings.HasPrefix(key, storage.PrefixMap):
			if err := checkMappingKey(key); err != nil {
				return nil, err
			}
			engine[key] = value
			if value == "" {
				changes = append(changes, w.T("engine.config.mapping_removed", "Code", strings.TrimPrefix(key, storage.PrefixMap)))
			} else {
				changes = append(changes, w.T("engine.config.mapped", "Code", strings.TrimPrefix(key, storage.PrefixMap), "Account", value))
			}
		case strings.HasPrefix(key, storage.PrefixOption):
			if !slices.ContainsFunc(ModuleOptions(), func(o ModuleOption) bool { return o.Key == key }) {
				return nil, sayErr(w, nil, "engine.config.not_option", "Key", strconv.Quote(key), "Options", optionKeys())
			}
			b, err := strconv.ParseBool(value)
			if err != nil {
				return nil, sayErr(w, nil, "engine.config.not_bool", "Key", key, "Value", strconv.Quote(value))
			}
			engine[key] = strconv.FormatBool(b)
			changes = append(changes, w.T(onOffKey(b), "Key", key))
		default:
			return nil, sayErr(w, nil, "engine.config.no_such_setting", "Package", def.Title, "Key", strconv.Quote(key), "Module", def.Name)
		}
	}
	if matrixTouched {
		if err := matrix.Validate(def.Caps); err != nil {
			return nil, err
		}
		maps.Copy(engine, matrix.Settings())
	}
	if timingTouched {
		t, err := TimingFromSettings(timingValues)
		if err != nil {
			return nil, err
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		changes = append(changes, m.lang().T("engine.config.timing_changed", "Timing", t.Describe(m.lang())))
	}
	if len(schema) > 0 {
		if err := m.db.SetSettings(ctx, def, schema); err != nil {
			return nil, err
		}
		for _, k := range slices.Sorted(maps.Keys(schema)) {
			f, _ := def.Field(k)
			changes = append(changes, fmt.Sprintf("%s set", f.Label))
		}
	}
	if len(engine) > 0 {
		if err := m.db.SetEngineSettings(ctx, def.Name, engine); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// applyOrder sorts keys so that sync levels are applied prerequisites
// first (Customers before Sales Invoices before Invoice Payments), whatever
// order they were given in; other keys follow in name order.
func applyOrder(values map[string]string) []string {
	rank := func(key string) int {
		d, t, ok, err := parseSettingKey(key)
		if !ok || err != nil {
			return 1000
		}
		di, _ := dirIndex(d)
		ti, _ := typeIndex(t)
		return di*len(connectors.MatrixTypes()) + ti
	}
	keys := slices.Sorted(maps.Keys(values))
	slices.SortStableFunc(keys, func(a, b string) int { return rank(a) - rank(b) })
	return keys
}

func checkMappingKey(key string) error {
	for _, p := range []string{MapNominalPrefix, MapTaxPrefix, MapBankPrefix, MapCompanyPrefix, MapJournalCodePrefix} {
		if rest, ok := strings.CutPrefix(key, p); ok && strings.TrimSpace(rest) != "" {
			return nil
		}
	}
	return refusal(nil, "engine.config.not_mapping", "Key", strconv.Quote(key))
}

func optionKeys() string {
	keys := make([]string, 0, len(ModuleOptions()))
	for _, o := range ModuleOptions() {
		keys = append(keys, o.Key)
	}
	return strings.Join(keys, ", ")
}

// onOff is a switch's value as settings and the command line write it.
func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// onOffKey is the words for an option turned on or off.
func onOffKey(b bool) string {
	if b {
		return "engine.config.option_on"
	}
	return "engine.config.option_off"
}

// Setting is one line of a module's configuration as shown to people.
type Setting struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
	// Secret settings show only whether they are set.
	Secret bool `json:"secret,omitempty"`
	Set    bool `json:"set"`
}

// Config lists every setting of a module: its connector settings (secrets
// as set / not set), the sync matrix, timing, mappings and options.
func (m *Modules) Config(ctx context.Context, module string) ([]Setting, error) {
	def, err := m.Definition(module)
	if err != nil {
		return nil, err
	}
	current, err := m.db.Settings(def.Name)
	if err != nil {
		return nil, err
	}
	var out []Setting
	// Without a keyring the other settings still show; the secrets say
	// they cannot be read and the error says why.
	var keyringErr error
	for _, f := range def.Settings {
		if f.Secret {
			var ok bool
			if keyringErr == nil && m.secrets != nil {
				ok, keyringErr = m.secrets.Has(ctx, def.Name, f.Key)
			}
			w := m.lang()
			val := w.T("engine.config.secret.not_set")
			switch {
			case keyringErr != nil || m.secrets == nil:
				val, ok = w.T("engine.config.secret.unknown"), false
			case ok:
				val = w.T("engine.config.secret.set")
			}
			out = append(out, Setting{Key: f.Key, Label: w.Label(f.Label), Value: val, Secret: true, Set: ok})
			continue
		}
		v := current[f.Key]
		if v == "" {
			v = f.Default
		}
		if b, err := strconv.ParseBool(v); f.Kind == connectors.KindBool && err == nil {
			// Switches read the same whether the engine or the connector
			// owns them.
			v = onOff(b)
		}
		out = append(out, Setting{Key: f.Key, Label: m.lang().Label(f.Label), Value: v, Set: v != ""})
	}
	matrix, matrixErr := MatrixFromSettings(current)
	for _, d := range Directions() {
		for _, t := range connectors.MatrixTypes() {
			l := matrix.Level(d, t)
			out = append(out, Setting{Key: SettingKey(d, t), Label: m.lang().T("engine.config.level_label", "Type", t.LabelIn(m.lang()), "Direction", d.LabelIn(m.lang())), Value: l.String(), Set: true})
		}
	}
	if def.Caps.Supports(connectors.Items, connectors.Upload) {
		out = append(out, Setting{Key: ProductsSettingKey, Label: m.lang().T("engine.config.level_label", "Type", connectors.Items.LabelIn(m.lang()), "Direction", connectors.Upload.LabelIn(m.lang())), Value: ProductsLevel(current).String(), Set: true})
	}
	timing, timingErr := TimingFromSettings(current)
	out = append(out,
		Setting{Key: TimingModeKey, Label: m.lang().T("engine.config.timing"), Value: timing.Describe(m.lang()), Set: true},
		Setting{Key: TimingHourKey, Label: m.lang().T("engine.config.hour"), Value: strconv.Itoa(timing.Hour), Set: true})
	for _, o := range ModuleOptions() {
		b, _ := strconv.ParseBool(current[o.Key])
		out = append(out, Setting{Key: o.Key, Label: m.lang().Label(o.Label), Value: onOff(b), Set: true})
	}
	for _, k := range slices.Sorted(maps.Keys(current)) {
		if strings.HasPrefix(k, storage.PrefixMap) {
			out = append(out, Setting{Key: k, Label: m.lang().T("engine.config.mapping", "Code", strings.TrimPrefix(k, storage.PrefixMap)), Value: current[k], Set: current[k] != ""})
		}
	}
	if keyringErr != nil {
		keyringErr = sayErr(m.lang(), keyringErr, "engine.config.keyring_unreadable")
	}
	return out, errors.Join(keyringErr, matrixErr, timingErr)
}

// extraUploadTypes have an upload level outside the matrix, under
// UploadSettingKey.
var extraUploadTypes = []connectors.RecordType{connectors.Items, connectors.CreditNotes, connectors.Journals}

func isExtraUploadKey(key string) bool { return extraUploadType(key) != "" }

// extraUploadType is the type whose upload level key holds ("" for none).
func extraUploadType(key string) connectors.RecordType {
	for _, t := range extraUploadTypes {
		if key == UploadSettingKey(t) {
			return t
		}
	}
	return ""
}
