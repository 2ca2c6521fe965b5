// Package assets holds what LedgerLink ships inside its binary: icons and the
// sample business data the Sandbox starts from.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed icons/*.png
var icons embed.FS

//go:embed sample/*.csv sample/*.json
var sample embed.FS

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
