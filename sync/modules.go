package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// SecretKeeper is what module management needs of the keyring.
type SecretKeeper interface {
	Has(ctx context.Context, module, key string) (bool, error)
	Set(ctx context.Context, module, key, value string) error
	Delete(ctx context.Context, module, key string) error
}

// ModuleStatus is one row of the module list.
type ModuleStatus struct {
	Name        string           `json:"name"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Installed   bool             `json:"installed"`
	InstalledAt time.Time        `json:"installed_at,omitzero"`
	Light       connectors.Light `json:"light"`
	// Notes say, in plain words, what keeps the module from GREEN.
	Notes []string `json:"notes"`
	// Organisation is the accounting package's organisation, once known.
	Organisation string `json:"organisation,omitempty"`
	// CanSync says the module can run: it is GREEN, or AMBER only because
	// codes that waiting documents use are not mapped yet (those documents
	// wait; everything else still goes).
	CanSync bool `json:"can_sync"`
}

// Modules manages the modules of one data folder: which are installed,
// their settings and their status lights.
type Modules struct {
	db      *storage.DB
	reg     *connectors.Registry
	secrets SecretKeeper
	// sandbox says the modules are the Sandbox's.
	sandbox bool
	// words are the person's language, asked each time: the notes and
	// what Apply says are written in it.
	words func() *words.Words
}

// ModulesWords has the modules speak the language words returns at the
// time (the engine's Words, say); the default is English.
func ModulesWords(words func() *words.Words) ModulesOption {
	return func(m *Modules) {
		if words != nil {
			m.words = words
		}
	}
}

// lang are the words the modules speak now.
func (m *Modules) lang() *words.Words { return m.words() }

// ModulesOption tunes NewModules.
type ModulesOption func(*Modules)

// InSandbox says the modules are the Sandbox's, signed in to simulators
// that need none of the person's secrets.
func InSandbox() ModulesOption { return func(m *Modules) { m.sandbox = true } }

// NewModules returns module management over db, the registered connectors
// and the keyring.
func NewModules(db *storage.DB, reg *connectors.Registry, secrets SecretKeeper, opts ...ModulesOption) *Modules {
	m := &Modules{db: db, reg: reg, secrets: secrets}
	for _, o := range opts {
		o(m)
	}
	if m.words == nil {
		en := English(reg)
		m.words = func() *words.Words { return en }
	}
	return m
}

// SettingsStatus is the light and the notes an installed module's settings
// give: the connector's required and checked settings, nothing set to sync,
// a sign-in the package refused. The module list and the Configure screen
// (with the edits not yet saved) both show it; the list adds the keyring's
// state and the codes waiting documents need mapped. In the Sandbox no
// secret is needed: it signs in to its simulators with their own. The notes
// are in English; SettingsStatusIn says them in another language.
func SettingsStatus(def connectors.Definition, settings map[string]string, hasSecret func(key string) bool, sandbox bool) (connectors.Light, []string) {
	return SettingsStatusIn(English(nil), def, settings, hasSecret, sandbox)
}

// SettingsStatusIn is SettingsStatus with the notes in w's language (w
// from the catalogue with the connectors' words, so their settings'
// labels are said too).
func SettingsStatusIn(w *words.Words, def connectors.Definition, settings map[string]string, hasSecret func(key string) bool, sandbox bool) (connectors.Light, []string) {
	if sandbox {
		hasSecret = func(string) bool { return true }
	}
	light := connectors.Green
	var notes []string
	for _, n := range def.Problems(settings, hasSecret) {
		notes = append(notes, w.Say(n))
	}
	if len(notes) > 0 {
		light = connectors.Amber
	}
	if light == connectors.Green {
		if mx, err := MatrixFromSettings(settings); err == nil && nothingToSync(mx, settings, def.Caps) {
			light = connectors.Amber
			notes = append(notes, w.T("engine.modules.nothing_to_sync"))
		}
	}
	// A sign-in the package refused, or a condition to clear in the
	// package (such as a change link it flagged), holds the module.
	for _, k := range []string{ReconnectSetting, AttentionSetting} {
		if note := words.ReadSaid(settings[k]).In(w); note != "" {
			light = connectors.Amber
			notes = append(notes, note)
		}
	}
	return light, notes
}

// nothingToSync says no record goes either way: the matrix is all OFF and
// so is every type with an upload level of its own (products, payroll
// journals) that the connector can take.
func nothingToSync(m Matrix, settings map[string]string, caps connectors.Capabilities) bool {
	if !m.IsOff() {
		return false
	}
	for t, l := range uploadLevels(m, settings, caps) {
		if l != Off && t != connectors.CreditNotes {
			return false
		}
	}
	return true
}

// ErrUnknownModule means no connector of that name is registered.
var ErrUnknownModule = errors.New("unknown module") // words:log: a kind for errors.Is; people read sayKind's words

// Definition returns the registered connector of the module.
func (m *Modules) Definition(name string) (connectors.Definition, error) {
	def, ok := m.reg.Lookup(name)
	if !ok {
		names := make([]string, 0)
		for _, d := range m.reg.All() {
			names = append(names, d.Name)
		}
		return connectors.Definition{}, sayKind(m.lang(), ErrUnknownModule, nil, "engine.module.unknown", "Module", name, "Modules", strings.Join(names, ", "))
	}
	return def, nil
}

// List returns every registered module with its light and notes.
func (m *Modules) List(ctx context.Context) ([]ModuleStatus, error) {
	// The build's list says the order people see them in.
	defs := m.reg.InOrder()
	out := make([]ModuleStatus, 0, len(defs))
	for _, def := range defs {
		st, err := m.status(ctx, def)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Status returns one module's row.
func (m *Modules) Status(ctx context.Context, name string) (ModuleStatus, error) {
	def, err := m.Definition(name)
	if err != nil {
		return ModuleStatus{}, err
	}
	return m.status(ctx, def)
}

func (m *Modules) status(ctx context.Context, def connectors.Definition) (ModuleStatus, error) {
	st := ModuleStatus{Name: def.Name, Title: def.Title, Description: def.Description}
	info, installed, err := m.db.Installed(def.Name)
	if err != nil {
		return st, err
	}
	st.Installed = installed
	var settings map[string]string
	if installed {
		st.InstalledAt = info.InstalledAt
		if settings, err = m.db.Settings(def.Name); err != nil {
			return st, err
		}
		st.Organisation = settings["organisation"]
	}
	var keyringErr error
	hasSecret := func(key string) bool {
		ok, err := m.secrets.Has(ctx, def.Name, key)
		if err != nil && keyringErr == nil {
			keyringErr = err
		}
		return ok
	}
	if !installed {
		st.Light, st.Notes = storage.StatusIn(m.lang(), def, false, nil, nil)
	} else {
		st.Light, st.Notes = SettingsStatusIn(m.lang(), def, settings, hasSecret, m.sandbox)
	}
	if keyringErr != nil {
		st.Light = connectors.Amber
		st.Notes = append(st.Notes, m.lang().Error(keyringErr))
	}
	st.CanSync = installed && st.Light == connectors.Green
	if installed {
		notes, err := unmappedNotes(ctx, m.lang(), m.db, def.Name, settings)
		if err != nil {
			return st, err
		}
		companies, err := unmappedCompanyNotes(ctx, m.lang(), m.db, def, settings)
		if err != nil {
			return st, err
		}
		notes = append(notes, companies...)
		if len(notes) > 0 {
			st.Light = connectors.Amber
			st.Notes = append(st.Notes, notes...)
		}
	}
	return st, nil
}

// ReconnectSetting holds a "Reconnect to …" note set when the accounting
// package refused the stored sign-in; a successful sign-in clears it.
const ReconnectSetting = "state.reconnect"

// Install installs the module, reporting each step.
func (m *Modules) Install(ctx context.Context, name string, progress func(step string)) error {
	def, err := m.Definition(name)
	if err != nil {
		return err
	}
	return m.db.Install(ctx, def, progress)
}

// Uninstall removes the module's data and its secrets.
func (m *Modules) Uninstall(ctx context.Context, name string) error {
	def, err := m.Definition(name)
	if err != nil {
		return err
	}
	if err := m.db.Uninstall(ctx, def.Name); err != nil {
		return err
	}
	var errs []error
	for _, f := range def.Settings {
		if !f.Secret {
			continue
		}
		if err := m.secrets.Delete(ctx, def.Name, f.Key); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 && m.sandbox {
		// The Sandbox keeps no secret of the person's and needs no
		// keyring: one it cannot reach holds nothing of its own to remove.
		return nil
	}
	if len(errs) > 0 {
		return fmt.Errorf("the module was removed, but its saved sign-in could not be deleted from the keyring: %w", errors.Join(errs...))
	}
	return nil
}

// SecretKeys lists the module's secret setting keys.
func (m *Modules) SecretKeys(name string) ([]string, error) {
	def, err := m.Definition(name)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, f := range def.Settings {
		if f.Secret {
			keys = append(keys, f.Key)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// SetSecret checks value against the module's settings schema and keeps it
// in the keyring: the one way the window and the command line save a
// secret setting.
func (m *Modules) SetSecret(ctx context.Context, module, key, value string) error {
	def, err := m.Definition(module)
	if err != nil {
		return err
	}
	f, ok := def.Field(key)
	if !ok || !f.Secret {
		return sayErr(m.lang(), nil, "engine.secret.no_such_setting", "Package", def.Title, "Key", key)
	}
	if strings.TrimSpace(value) == "" {
		return sayErr(m.lang(), nil, "engine.secret.blank", "Field", words.Sentence(f.Label))
	}
	if err := f.Check(value); err != nil {
		return err
	}
	if m.secrets == nil {
		return sayErr(m.lang(), nil, "engine.secret.no_keyring")
	}
	if err := m.secrets.Set(ctx, def.Name, key, value); err != nil {
		return sayErr(m.lang(), err, "engine.secret.not_saved", "Field", words.Sentence(f.Label))
	}
	return nil
}
