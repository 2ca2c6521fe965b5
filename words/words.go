// Package words is LedgerLink's catalogue: every sentence a person reads, in
// English, Dutch and Danish, and the formats of dates and amounts in each.
//
// The words live in JSON files in the go-i18n format (the one Fyne's lang
// package reads), named PREFIX.LANG.json: the engine's, the window's and the
// verbs' in assets/lang, each connector's in its own folder. One Catalogue
// loads them all; Words speaks one language from it. A key missing in a
// language falls back to English, never to the key.
//
// Keys are written out in full in the code that uses them, so a check over
// the source can tell an unused entry. A family of messages that share a
// base key ("acme.validation" for "acme.validation.cause" and
// "acme.validation.fix", a setting's key for its ".label" and ".help") counts
// as used when the base appears.
package words

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages LedgerLink speaks, English first: it is the fallback.
var supported = []language.Tag{language.English, language.Dutch, language.Danish}

// Languages returns the codes of the languages LedgerLink speaks, English
// first.
func Languages() []string { return []string{"en", "nl", "da"} }

// Catalogue holds every language's words from every source. It is read-only
// once loaded and safe for concurrent use.
type Catalogue struct {
	bundle *i18n.Bundle
	keys   map[string]map[string]string // language → key → text as written
	files  map[string][]string          // language → files read
}

// Load reads the catalogue files at the root of each source. A file is named
// PREFIX.LANG.json (for example "engine.nl.json"); every language must be
// one LedgerLink speaks.
func Load(sources ...fs.FS) (*Catalogue, error) {
	c := &Catalogue{
		bundle: i18n.NewBundle(language.English),
		keys:   map[string]map[string]string{},
		files:  map[string][]string{},
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, src := range sources {
		if src == nil {
			continue
		}
		names, err := fs.Glob(src, "*.json")
		if err != nil {
			return nil, fmt.Errorf("words: %w", err)
		}
		for _, name := range names {
			if err := c.add(src, name); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func (c *Catalogue) add(src fs.FS, name string) error {
	data, err := fs.ReadFile(src, name)
	if err != nil {
		return fmt.Errorf("words: %s: %w", name, err)
	}
	parts := strings.Split(strings.TrimSuffix(path.Base(name), ".json"), ".")
	lang := parts[len(parts)-1]
	if !slices.Contains(Languages(), lang) {
		return fmt.Errorf("words: %s: %q is not a language LedgerLink speaks (%s)", name, lang, strings.Join(Languages(), ", ")) // words:log: a broken catalogue file is a fault of the build
	}
	flat := map[string]any{}
	if err := json.Unmarshal(data, &flat); err != nil {
		return fmt.Errorf("words: %s: %w", name, err)
	}
	if c.keys[lang] == nil {
		c.keys[lang] = map[string]string{}
	}
	for k, v := range flat {
		if _, dup := c.keys[lang][k]; dup {
			return fmt.Errorf("words: %s: key %q is in the %s catalogue twice", name, k, lang) // words:log: a broken catalogue file is a fault of the build
		}
		switch v := v.(type) {
		case string:
			c.keys[lang][k] = v
		case map[string]any:
			b, _ := json.Marshal(v)
			c.keys[lang][k] = string(b)
		default:
			return fmt.Errorf("words: %s: key %q holds %T, not text or plural forms", name, k, v) // words:log: a broken catalogue file is a fault of the build
		}
	}
	if _, err := c.bundle.ParseMessageFileBytes(data, name); err != nil {
		return fmt.Errorf("words: %s: %w", name, err)
	}
	c.files[lang] = append(c.files[lang], name)
	return nil
}

// Keys returns the keys of one language, sorted.
func (c *Catalogue) Keys(lang string) []string {
	keys := make([]string, 0, len(c.keys[lang]))
	for k := range c.keys[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Text returns the entry as written in one language's files ("" when
// absent): plural forms come back as their JSON.
func (c *Catalogue) Text(lang, key string) string { return c.keys[lang][key] }

// Has says whether the English catalogue holds key.
func (c *Catalogue) Has(key string) bool {
	_, ok := c.keys["en"][key]
	return ok
}

// In returns the words of the language closest to lang ("nl", "nl_NL.UTF-8",
// "da-DK"); anything else is English.
func (c *Catalogue) In(lang string) *Words {
	tag := Match(lang)
	return &Words{
		cat:  c,
		lang: tag,
		loc:  i18n.NewLocalizer(c.bundle, tag, "en"),
	}
}

// Match returns the code of the language LedgerLink speaks closest to a
// locale name such as "nl_NL.UTF-8", "da-DK" or "C"; English when none is.
func Match(locale string) string {
	l := strings.TrimSpace(locale)
	if i := strings.IndexAny(l, ".@"); i >= 0 {
		l = l[:i]
	}
	l = strings.ReplaceAll(l, "_", "-")
	if l == "" || l == "C" || l == "POSIX" {
		return "en"
	}
	tag, err := language.Parse(l)
	if err != nil {
		return "en"
	}
	_, i, conf := language.NewMatcher(supported).Match(tag)
	if conf == language.No {
		return "en"
	}
	return Languages()[i]
}

// Choose picks the language from, in order: the --lang flag,
// LEDGERLINK_LANG, the Language setting saved in the window, then the
// system's LC_ALL, LC_MESSAGES, LANG (the first one set wins, as on Linux).
// getenv is os.Getenv outside tests.
func Choose(flag, saved string, getenv func(string) string) string {
	if flag != "" {
		return Match(flag)
	}
	if v := getenv("LEDGERLINK_LANG"); v != "" {
		return Match(v)
	}
	if saved != "" {
		return Match(saved)
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			return Match(v)
		}
	}
	return "en"
}

// Words speaks one language. The zero value and a nil *Words are not
// usable; get one from Catalogue.In.
type Words struct {
	cat  *Catalogue
	lang string
	loc  *i18n.Localizer
}

// Lang is the language's code ("en", "nl", "da").
func (w *Words) Lang() string { return w.lang }

// Catalogue is the catalogue these words come from.
func (w *Words) Catalogue() *Catalogue { return w.cat }

// T returns the sentence for key, with its placeholders ({{.Name}}) filled
// from name/value pairs: T("upload.sent", "Count", 3). A key missing in this
// language falls back to English; one missing everywhere comes back as the
// key in brackets, which the catalogue tests forbid.
func (w *Words) T(key string, pairs ...any) string {
	return w.localize(key, nil, pairs)
}

// N is T for a sentence with plural forms chosen by count; count is also
// {{.Count}} in the text.
func (w *Words) N(key string, count int, pairs ...any) string {
	return w.localize(key, &count, append([]any{"Count", w.Int(int64(count))}, pairs...))
}

func (w *Words) localize(key string, count *int, pairs []any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		data[name] = w.inner(pairs[i+1])
	}
	cfg := &i18n.LocalizeConfig{MessageID: key, TemplateData: data}
	if count != nil {
		cfg.PluralCount = *count
	}
	s, err := w.loc.Localize(cfg)
	if err != nil && s == "" {
		return "[" + key + "]"
	}
	return s
}

// Has says whether the catalogue holds key (in English, so in every
// language: the catalogue tests keep them equal).
func (w *Words) Has(key string) bool { return w.cat.Has(key) }

// Label says a connector's label or help: a catalogue key in the person's
// language, or, for a connector that ships no words (one built outside this
// tree, a test's), the text as it gave it. The shipped connectors' labels
// are all keys (checked in connectors/all).
func (w *Words) Label(keyOrText string) string {
	if keyOrText == "" || !w.Has(keyOrText) {
		return keyOrText
	}
	return w.T(keyOrText)
}
