package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// languageFile holds the Language setting of a data folder: a language
// code, or nothing for the system's language. It is a file rather than a
// database setting so the words are known before the database opens (and
// when it will not).
const languageFile = "language"

// preferencesDir is the person's data folder: the Sandbox's folder shares
// the setting of the folder it sits in.
func (w *Workspace) preferencesDir() string {
	if w.Sandbox {
		return filepath.Dir(w.DataDir)
	}
	return w.DataDir
}

// SavedLanguage returns the Language setting of the data folder ("" for the
// system's language).
func SavedLanguage(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, languageFile))
	if err != nil {
		return ""
	}
	lang := strings.TrimSpace(string(b))
	if !slices.Contains(words.Languages(), lang) {
		return ""
	}
	return lang
}

// chooseWords loads the catalogue and picks the language: the --lang flag
// or LEDGERLINK_LANG (Options.Lang), then the saved setting, then the
// system's locale.
func (w *Workspace) chooseWords() (*words.Words, error) {
	cat, err := w.Reg.Catalogue(assets.Lang())
	if err != nil {
		return nil, err
	}
	w.catalogue = cat
	lang := words.Choose(w.opts.Lang, SavedLanguage(w.preferencesDir()), os.Getenv)
	return cat.In(lang), nil
}

// Words are the language LedgerLink speaks to the person.
func (w *Workspace) Words() *words.Words { return w.Engine.Words() }

// SetLanguage saves the Language setting ("" for the system's language,
// else one of words.Languages) and returns the words LedgerLink now
// speaks from now on. At the next start a --lang flag or LEDGERLINK_LANG
// wins over the saved setting.
func (w *Workspace) SetLanguage(lang string) (*words.Words, error) {
	if lang != "" && !slices.Contains(words.Languages(), lang) {
		return nil, words.Errorf(nil, "storage.language.unknown", "Value", strconv.Quote(lang), "Languages", strings.Join(words.Languages(), ", "))
	}
	path := filepath.Join(w.preferencesDir(), languageFile)
	if lang == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	} else if err := os.WriteFile(path, []byte(lang+"\n"), 0o600); err != nil {
		return nil, err
	}
	// The person's choice just made wins over --lang and LEDGERLINK_LANG
	// for the rest of this run; at the next start they win again.
	chosen := w.catalogue.In(lang)
	if lang == "" {
		chosen = w.catalogue.In(words.Choose(w.opts.Lang, "", os.Getenv))
	}
	w.Engine.SetWords(chosen)
	w.DB.SetWords(chosen)
	return chosen, nil
}
