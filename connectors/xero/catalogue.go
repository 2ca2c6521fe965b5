package xero

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"ledgerlink/words"
)

//go:embed words/*.json
var wordFiles embed.FS

// Words returns the connector's catalogue files (xero.LANG.json), for
// Definition.Words.
func Words() fs.FS {
	sub, err := fs.Sub(wordFiles, "words")
	if err != nil {
		return nil
	}
	return sub
}

// ownWords is the connector's own catalogue, loaded once and read-only:
// it says the sign-in pages in the browser's language.
var ownWords = sync.OnceValue(func() *words.Catalogue {
	cat, err := words.Load(Words())
	if err != nil {
		// The embedded files are checked by the tests; an empty
		// catalogue says keys, never fails.
		cat, _ = words.Load()
	}
	return cat
})

// english is the connector's own words in English: the English Cause and
// Fix of an Explanation, and the words of LedgerLink's own verdicts on a
// record, which stand beside the package's in English.
func english() *words.Words { return ownWords().In("en") }

// browserWords are the connector's words in the language the browser asks
// for (its Accept-Language), for a page shown after signing in.
func browserWords(r *http.Request) *words.Words {
	lang, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	lang, _, _ = strings.Cut(lang, ";")
	return ownWords().In(lang)
}
