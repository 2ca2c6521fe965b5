package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

// storageURI returns a listable folder URI for a file dialog's start.
func storageURI(dir string) (fyne.ListableURI, error) {
	return storage.ListerForURI(storage.NewFileURI(dir))
}
