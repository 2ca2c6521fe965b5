package storage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// A module's settings are one flat set of string keys in its "settings"
// sub-bucket. Two kinds of key live there side by side:
//
//   - schema keys, declared by the connector's Definition.Settings and
//     written with SetSettings, which checks each value against its Field;
//   - engine keys, which LedgerLink itself keeps for the module (the sync
//     matrix, timing, mappings, options, state). They carry one of the
//     prefixes below and are written with SetSetting / SetEngineSettings.
//
// Settings returns both kinds; SettingsWithPrefix returns the keys under one
// prefix. Secret fields are never stored here: they live in the keyring.
const (
	PrefixSync   = "sync."
	PrefixTiming = "timing."
	PrefixMap    = "map."
	PrefixOption = "opt."
	PrefixState  = "state."
)

// IsEngineKey reports whether key is one LedgerLink keeps for itself: it
// starts with one of the engine prefixes and has something after it.
func IsEngineKey(key string) bool {
	for _, p := range []string{PrefixSync, PrefixTiming, PrefixMap, PrefixOption, PrefixState} {
		if strings.HasPrefix(key, p) && len(key) > len(p) {
			return true
		}
	}
	return false
}

// Errors carried by *SettingError, to tell the kinds of refusal apart.
var (
	// ErrUnknownSetting means the key is neither in the connector's schema
	// nor an engine key.
	ErrUnknownSetting = errors.New("unknown setting") // words:log: a SettingError's Kind; its Err is the words
	// ErrSecretSetting means the key is a secret: it belongs in the keyring.
	ErrSecretSetting = errors.New("secret settings are kept in the system keyring, not in the database") // words:log: a SettingError's Kind; its Err is the words
	// ErrInvalidSetting means the value failed the field's check.
	ErrInvalidSetting = errors.New("invalid setting") // words:log: a SettingError's Kind; its Err is the words
)

// SettingError is one refused setting. Its message is plain words for the
// person filling in the form; Key says which field to highlight.
// errors.Is matches it against ErrUnknownSetting, ErrSecretSetting or
// ErrInvalidSetting.
type SettingError struct {
	Key string
	// Kind is ErrUnknownSetting, ErrSecretSetting or ErrInvalidSetting.
	Kind error
	// Err is the reason in plain words.
	Err error
}

func (e *SettingError) Error() string { return e.Err.Error() }

// Unwrap exposes both the kind and the reason to errors.Is and errors.As.
func (e *SettingError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Settings returns every stored setting of the module: its schema keys and
// its engine keys. Schema keys that were never set are absent (their
// Field.Default applies). It returns ErrNotInstalled when the module is not
// installed.
func (db *DB) Settings(module string) (map[string]string, error) {
	return db.settings(module, "")
}

// SettingsWithPrefix returns the module's stored settings whose key starts
// with prefix (for example PrefixMap for all mappings), keys unchanged.
func (db *DB) SettingsWithPrefix(module, prefix string) (map[string]string, error) {
	return db.settings(module, prefix)
}

func (db *DB) settings(module, prefix string) (map[string]string, error) {
	out := map[string]string{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subSettings)
		if err != nil || b == nil {
			return err
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			if v != nil { // nil is a nested bucket, not a setting
				out[string(k)] = string(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetSettings checks and stores values for the connector's schema fields,
// merging them into what is stored. It is all-or-nothing: when any key is
// unknown, secret or has a value its Field.Check refuses, nothing is
// written and the error lists every problem (each a *SettingError).
// Values are trimmed; a blank value removes the setting so its default
// applies again.
//
// Secret fields are refused: secrets never reach the database. Save them
// with the keyring (storage/secrets) instead.
func (db *DB) SetSettings(ctx context.Context, def connectors.Definition, values map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	title := moduleTitle(def)
	var problems []error
	clean := make(map[string]string, len(values))
	for _, key := range slices.Sorted(maps.Keys(values)) {
		value := strings.TrimSpace(values[key])
		f, ok := def.Field(key)
		switch {
		case !ok:
			problems = append(problems, &SettingError{Key: key, Kind: ErrUnknownSetting,
				Err: sayErr(nil, "storage.settings.unknown", "Module", title, "Key", strconv.Quote(key))})
		case isSecretField(f):
			problems = append(problems, &SettingError{Key: key, Kind: ErrSecretSetting,
				Err: sayErr(nil, "storage.settings.secret", "Setting", english().Label(f.Label))})
		default:
			if err := f.Check(value); err != nil {
				problems = append(problems, &SettingError{Key: key, Kind: ErrInvalidSetting, Err: err})
				continue
			}
			clean[key] = value
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	return db.writeSettings(ctx, def.Name, clean)
}

// SetSetting stores one engine key (see IsEngineKey) for the module; any
// other key is refused with a *SettingError. A blank value removes the key.
func (db *DB) SetSetting(ctx context.Context, module, key, value string) error {
	return db.SetEngineSettings(ctx, module, map[string]string{key: value})
}

// SetEngineSettings stores several engine keys in one transaction, so a
// change that touches many (lowering a sync level lowers what depends on
// it) is all-or-nothing. Values are stored as given; a blank value removes
// the key. Keys that are not engine keys are refused and nothing is written.
func (db *DB) SetEngineSettings(ctx context.Context, module string, values map[string]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var problems []error
	for _, key := range slices.Sorted(maps.Keys(values)) {
		if !IsEngineKey(key) {
			problems = append(problems, &SettingError{Key: key, Kind: ErrUnknownSetting,
				Err: sayErr(nil, "storage.settings.not_engine", "Key", strconv.Quote(key),
					"Prefixes", strings.Join([]string{PrefixSync, PrefixTiming, PrefixMap, PrefixOption}, ", "), "Last", PrefixState)})
		}
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	return db.writeSettings(ctx, module, values)
}

// writeSettings merges values into the module's settings in one
// transaction; a blank value deletes its key.
func (db *DB) writeSettings(ctx context.Context, module string, values map[string]string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subSettings)
		if err != nil {
			return err
		}
		for k, v := range values {
			if v == "" {
				err = b.Delete([]byte(k))
			} else {
				err = b.Put([]byte(k), []byte(v))
			}
			if err != nil {
				return fmt.Errorf("setting %q: %w", k, err)
			}
		}
		return ctx.Err()
	})
	if err != nil && !errors.Is(err, ErrNotInstalled) && ctx.Err() == nil {
		return sayErr(err, "storage.settings.not_saved", "Module", module)
	}
	return err
}

// Status works out a module's status light and the notes that explain it:
//
//   - RED, "Not installed. Press Install.", when the module is not installed;
//   - AMBER when the connector's Definition.Notes find something missing or
//     wrong, or when the caller passes extra notes (for example
//     "Reconnect to FakeBooks." after the package refused the stored sign-in);
//     the notes are the definition's first, then the extra ones;
//   - GREEN, with no notes, otherwise.
//
// hasSecret reports whether a secret field is stored in the keyring. Blank
// extra notes are ignored.
//
// The notes are in English; StatusIn says them in another language.
func Status(def connectors.Definition, installed bool, settings map[string]string, hasSecret func(key string) bool, extra ...string) (connectors.Light, []string) {
	return StatusIn(english(), def, installed, settings, hasSecret, extra...)
}

// StatusIn is Status with LedgerLink's own note in w's language (the
// definition's notes and the extra ones are as given).
func StatusIn(w *words.Words, def connectors.Definition, installed bool, settings map[string]string, hasSecret func(key string) bool, extra ...string) (connectors.Light, []string) {
	if !installed {
		return connectors.Red, []string{w.T("storage.status.not_installed")}
	}
	notes := def.Notes(settings, hasSecret)
	for _, n := range extra {
		if strings.TrimSpace(n) != "" {
			notes = append(notes, n)
		}
	}
	if len(notes) > 0 {
		return connectors.Amber, notes
	}
	return connectors.Green, nil
}
