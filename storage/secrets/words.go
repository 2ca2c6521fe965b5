package secrets

import (
	"log/slog"
	"sync"

	"ledgerlink/assets"
	"ledgerlink/words"
)

// english are LedgerLink's own words in English: the language of this
// package's errors in logs (their Error()). A face says them in the
// reader's language: errors.As finds a *words.Error in each.
var english = sync.OnceValue(func() *words.Words {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat.In("en")
})

// asWords sets target, when it is a **words.Error, to said.
func asWords(target any, said *words.Error) bool {
	p, ok := target.(**words.Error)
	if ok {
		*p = said
	}
	return ok
}

// kindError is a kind of refusal that errors.Is tells apart and that a
// person may read as it is: in English in logs (Error), in the reader's
// language in a face (errors.As finds its *words.Error).
type kindError struct{ key string }

func (e *kindError) Error() string      { return english().T(e.key) }
func (e *kindError) As(target any) bool { return asWords(target, words.Errorf(nil, e.key)) }
