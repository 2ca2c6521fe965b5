package words

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Text is a sentence not yet put in a language: a catalogue key and the
// name/value pairs for its placeholders. Code that cannot know the reader's
// language (a connector, a check deep in the engine) hands one on, and the
// face says it in the person's language.
type Text struct {
	Key   string `json:"key"`
	Pairs []any  `json:"pairs,omitempty"`
}

// Sentence makes a Text.
func Sentence(key string, pairs ...any) Text { return Text{Key: key, Pairs: pairs} }

// Say puts t in w's language.
func (w *Words) Say(t Text) string { return w.T(t.Key, t.Pairs...) }

// inner says a placeholder's value that is itself words: a Text (a record
// type's name, a setting's label) is said in w's language first. A Text
// whose key the catalogue lacks is its key as written: a label a connector
// gave as plain text. A value that says itself (In) and an error are said
// for w's reader, the way Error says an error. A time is written as the
// language writes a day and an hour.
func (w *Words) inner(v any) any {
	switch v := v.(type) {
	case time.Time:
		return w.DateTime(v)
	case interface{ In(*Words) string }:
		return v.In(w)
	case error:
		return w.Error(v)
	}
	t, ok := v.(Text)
	if !ok {
		return v
	}
	if !w.Has(t.Key) {
		return t.Key
	}
	return w.Say(t)
}

// String is the key and its values, for logs and tests.
func (t Text) String() string {
	if len(t.Pairs) == 0 {
		return t.Key
	}
	var b strings.Builder
	b.WriteString(t.Key)
	for i := 0; i+1 < len(t.Pairs); i += 2 {
		fmt.Fprintf(&b, " %v=%v", t.Pairs[i], t.Pairs[i+1])
	}
	return b.String()
}

// Error is an error that carries words for a person. Its Error() is the key
// and values (for logs); Words.Error says it in the reader's language.
type Error struct {
	Text
	// Err is what went wrong underneath, if anything: errors.Is and As
	// see it, and Words.Error adds it as detail.
	Err error
}

// Errorf makes an *Error for key with its pairs, wrapping err (which may be
// nil).
func Errorf(err error, key string, pairs ...any) *Error {
	return &Error{Text: Sentence(key, pairs...), Err: err}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Text.String() + ": " + e.Err.Error()
	}
	return e.Text.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Problems is several errors said together, each in the reader's
// language, one after another: the several things wrong with one setting.
type Problems []error

func (p Problems) Error() string {
	s := make([]string, 0, len(p))
	for _, e := range p {
		s = append(s, e.Error())
	}
	return strings.Join(s, "; ")
}

func (p Problems) Unwrap() []error { return p }

// Error says err for a person: an *Error anywhere in its chain is said in
// w's language, followed by what it wraps (the technical detail, and a
// package's own words, which stay as the package wrote them); Problems are
// each said so; any other error is its own text.
func (w *Words) Error(err error) string {
	if err == nil {
		return ""
	}
	if ps, ok := err.(Problems); ok {
		s := make([]string, 0, len(ps))
		for _, e := range ps {
			s = append(s, w.Error(e))
		}
		return strings.Join(s, "; ")
	}
	var we *Error
	if !errors.As(err, &we) {
		return err.Error()
	}
	s := w.Say(we.Text)
	if we.Err != nil {
		if detail := w.Error(we.Err); detail != "" {
			s += ": " + detail
		}
	}
	return s
}

// PairsOf turns a map of placeholders into name/value pairs, sorted by name.
func PairsOf(args map[string]string) []any {
	names := make([]string, 0, len(args))
	for k := range args {
		names = append(names, k)
	}
	sort.Strings(names)
	pairs := make([]any, 0, 2*len(names))
	for _, k := range names {
		pairs = append(pairs, k, args[k])
	}
	return pairs
}
