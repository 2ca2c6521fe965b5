// Package assets holds what LedgerLink ships inside its binary: icons and the
// sample business data the Sandbox starts from.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed icons/*.png
var icons embed.FS

// Icon returns the named PNG icon ("app", "tray-idle", "tray-syncing",
// "tray-attention").
func Icon(name string) ([]byte, error) {
	return fs.ReadFile(icons, "icons/"+name+".png")
}
