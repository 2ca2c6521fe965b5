// Package assets holds what LedgerLink ships inside its binary: icons, the
// sample business data the Sandbox starts from, the catalogue of
// LedgerLink's own words in each language (lang/PREFIX.LANG.json; each
// connector keeps its words in its own folder), and Fyne's own words in the
// languages Fyne lacks (fynelang/LANG.json).
package assets

import (
	"embed"
	"io/fs"
)

//go:embed icons/*.png
var icons embed.FS

//go:embed sample/*.csv sample/*.json
var sample embed.FS

//go:embed lang/*.json
var lang embed.FS

//go:embed fynelang/*.json
var fyneLang embed.FS

// Icon returns the named PNG icon ("app", "tray-idle", "tray-syncing",
// "tray-attention").
func Icon(name string) ([]byte, error) {
	return fs.ReadFile(icons, "icons/"+name+".png")
}

// Sample returns the sample business files (customers.csv, sales_invoices.csv,
// …) the Sandbox imports.
func Sample() fs.FS {
	sub, err := fs.Sub(sample, "sample")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "sample" is valid.
		return sample
	}
	return sub
}

// FyneLang returns the translations of Fyne's own words (dialog buttons,
// the file dialog) for the languages Fyne does not ship: LANG.json in
// Fyne's format, with the keys of its lang/translations/base.en.json.
func FyneLang() fs.FS {
	sub, err := fs.Sub(fyneLang, "fynelang")
	if err != nil {
		return fyneLang
	}
	return sub
}

// Lang returns LedgerLink's own catalogue files: the engine's, the window's
// and the verbs' words (see package words).
func Lang() fs.FS {
	sub, err := fs.Sub(lang, "lang")
	if err != nil {
		return lang
	}
	return sub
}
