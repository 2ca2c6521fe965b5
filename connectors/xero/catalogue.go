package xero

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

//go:embed words/*.json
var wordFiles embed.FS

// own is the connector's words (xero.LANG.json), loaded once and read-only
// after: English for the logs and Explain, every language for the faces.
var own = connectors.NewOwnWords(wordFiles, "words")

// Words returns the connector's catalogue files, for Definition.Words.
func Words() fs.FS { return own.Files() }

// browserWords are the connector's words in the language the browser asks
// for (its Accept-Language), for a page shown after signing in.
func browserWords(r *http.Request) *words.Words {
	lang, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	lang, _, _ = strings.Cut(lang, ";")
	return own.In(lang)
}
