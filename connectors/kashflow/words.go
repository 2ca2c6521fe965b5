package kashflow

import (
	"embed"
	"io/fs"

	"ledgerlink/words"
)

//go:embed words/*.json
var wordFiles embed.FS

// englishFile is the English alone: the words of the logs and of
// Explain's Cause and Fix, loaded without the other languages.
//
//go:embed words/kashflow.en.json
var englishFile embed.FS

// Words returns the connector's catalogue files (kashflow.LANG.json), handed
// over as Definition.Words.
func Words() fs.FS {
	sub, err := fs.Sub(wordFiles, "words")
	if err != nil {
		return nil
	}
	return sub
}

// english returns the connector's own words in English: the language of
// the logs and of Explain's Cause and Fix. A connection loads them once
// (Conn.english); this loads them anew, for errors made without one. Nil
// only if the embedded file does not load, which the tests rule out.
func english() *words.Words {
	sub, err := fs.Sub(englishFile, "words")
	if err != nil {
		return nil
	}
	cat, err := words.Load(sub)
	if err != nil {
		return nil
	}
	return cat.In("en")
}

// english returns the connection's English words, loaded when it opened
// (or now, for a connection made without Open).
func (c *Conn) english() *words.Words {
	if c.en != nil {
		return c.en
	}
	return english()
}

// failure is an error for a person: it carries its words (a *words.Error,
// which the faces say in the reader's language, followed by what went
// wrong underneath), and may be of a kind the engine tells apart
// (connectors.ErrAuth) without that kind's words being said. Its Error()
// is the English, for the logs.
type failure struct {
	said *words.Error
	kind error
}

// fail makes a failure saying key with its name/value pairs, wrapping err
// (which may be nil) as its detail.
func fail(err error, key string, pairs ...any) error {
	return &failure{said: words.Errorf(err, key, pairs...)}
}

// failAs makes a failure of kind (errors.Is reports it) saying key.
func failAs(kind error, key string, pairs ...any) error {
	return &failure{said: words.Errorf(nil, key, pairs...), kind: kind}
}

func (f *failure) Error() string {
	if en := english(); en != nil {
		return en.Error(f.said)
	}
	return f.said.Error()
}

func (f *failure) Unwrap() []error {
	if f.kind == nil {
		return []error{f.said}
	}
	return []error{f.said, f.kind}
}
