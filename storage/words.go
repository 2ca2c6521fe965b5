package storage

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// english are LedgerLink's own words in English: the language of the
// storage's errors in logs (their Error()), and of what a DB says before a
// face has given it the reader's words. Loaded once; read-only after.
var english = sync.OnceValue(func() *words.Words {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat.In("en")
})

// personError is a refusal or failure a person reads: a face says it in
// the reader's language (Words.Error finds its *words.Error), a log in
// English (Error). errors.Is and errors.As also see what it wraps: the
// cause the sentence is followed by, and, not said, the kind of refusal
// (ErrNotABackup, ErrAlreadyRunning…) and any cause the sentence already
// explains.
type personError struct {
	said *words.Error
	also []error
}

func (e *personError) Error() string   { return english().Error(e.said) }
func (e *personError) Unwrap() []error { return append([]error{e.said}, e.also...) }

// sayErr makes a personError for key, followed by cause (which may be nil)
// when said.
func sayErr(cause error, key string, pairs ...any) error {
	return &personError{said: words.Errorf(cause, key, pairs...)}
}

// sayKind makes a personError for a refusal of a kind errors.Is tells
// apart; hidden (which may be nil) is a cause the sentence already
// explains: matched, not said.
func sayKind(kind, hidden error, key string, pairs ...any) error {
	e := &personError{said: words.Errorf(nil, key, pairs...), also: []error{kind}}
	if hidden != nil {
		e.also = append(e.also, hidden)
	}
	return e
}

// dbWords holds the words a DB says its sentences in (MirrorConflict
// reasons, install steps): the reader's, once a face sets them.
type dbWords struct{ p atomic.Pointer[words.Words] }

func (d *dbWords) get() *words.Words {
	if w := d.p.Load(); w != nil {
		return w
	}
	return english()
}

// SetWords sets the language the database says its sentences in (the
// steps of Install, the reasons of a MirrorConflict); English until set.
func (db *DB) SetWords(w *words.Words) {
	if w != nil {
		db.words.p.Store(w)
	}
}

// Words are the words the database says its sentences in.
func (db *DB) Words() *words.Words { return db.words.get() }
