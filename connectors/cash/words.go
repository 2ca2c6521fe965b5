package cash

import (
	"embed"
	"io/fs"

	"ledgerlink/connectors"
)

//go:embed words/*.json
var wordFiles embed.FS

// own is the connector's words (cash.LANG.json), loaded once and read-only
// after: English for the logs and Explain, every language for the faces.
var own = connectors.NewOwnWords(wordFiles, "words")

// Words returns the connector's catalogue files, for Definition.Words.
func Words() fs.FS { return own.Files() }
