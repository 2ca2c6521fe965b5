package connectors

import (
	"errors"
	"io/fs"
	"log/slog"
	"sync"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// OwnWords is a connector's own catalogue files (NAME.LANG.json, embedded
// in its folder), loaded once with LedgerLink's own words beside them: the
// connector says its sign-in pages in the browser's language, and its
// failures and explanations in English for the logs, from one place.
// It is read-only once made and safe for concurrent use.
type OwnWords struct {
	files fs.FS
	cat   func() *words.Catalogue
}

// NewOwnWords reads the catalogue files in dir of a connector's embedded
// files. The files load when first needed; the connector's tests check that
// they do, and should one not, the words said are the keys, never a panic.
func NewOwnWords(embedded fs.FS, dir string) OwnWords {
	files, err := fs.Sub(embedded, dir)
	if err != nil {
		files = nil
	}
	return OwnWords{files: files, cat: sync.OnceValue(func() *words.Catalogue {
		cat, err := words.Load(assets.Lang(), files)
		if err != nil {
			slog.Error("a connector's words do not load", "dir", dir, "err", err)
			cat, _ = words.Load()
		}
		return cat
	})}
}

// Files are the connector's catalogue files, for Definition.Words.
func (o OwnWords) Files() fs.FS { return o.files }

// In is the connector's words in the language closest to lang.
func (o OwnWords) In(lang string) *words.Words { return o.cat().In(lang) }

// English is the connector's words in English: the language of the logs
// and of an Explanation's Cause and Fix before a face says them again.
func (o OwnWords) English() *words.Words { return o.In("en") }

// Fail is an error for a person saying key with its name/value pairs,
// wrapping err (which may be nil) as its detail: English in Error(), its
// words for the faces to say in the reader's language.
func (o OwnWords) Fail(err error, key string, pairs ...any) error {
	return Said(o.English(), words.Errorf(err, key, pairs...))
}

// CheckSandboxHost refuses, for a module of d in the Sandbox, an address
// setting key whose host is not this computer: the Sandbox never reaches a
// real package, only a simulator here.
func (o OwnWords) CheckSandboxHost(d Definition, key, host string) error {
	if IsLoopbackHost(host) {
		return nil
	}
	return o.Fail(nil, "engine.sandbox.api_not_local", "Package", d.Title, "Field", d.FieldLabel(key))
}

// ItemFail is an item's refusal in the connector's own words (not the
// package's): code and field as an ItemError has them, Message in English
// and Words for Error Feedback to say in the reader's language.
func (o OwnWords) ItemFail(code, field, key string, pairs ...any) *ItemError {
	we := words.Errorf(nil, key, pairs...)
	return &ItemError{Code: code, Field: field, Message: o.English().Error(we), Words: we}
}

// ItemErrorOf is an item's refusal made from err, a refusal of the
// connector's own (from Fail, or words.Errorf): Message is err in English,
// and its words, when it has them, go with it for Error Feedback to say in
// the reader's language.
func ItemErrorOf(code, field string, err error) *ItemError {
	ie := &ItemError{Code: code, Field: field, Message: err.Error()}
	var we *words.Error
	if errors.As(err, &we) {
		ie.Words = we
	}
	return ie
}

// FailAs is Fail of a kind the engine tells apart (ErrAuth, ErrNeedsAction):
// errors.Is reports kind, and the person reads key's words rather than the
// kind's.
func (o OwnWords) FailAs(kind error, key string, pairs ...any) error {
	return SaidAs(o.English(), kind, words.Errorf(nil, key, pairs...))
}
