// Package all is the one list of the connectors this build ships. A new
// connector adds its line here and touches nothing else outside its folder.
package all

import (
	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/xero"
)

// Definitions returns every connector this build ships, one line each.
func Definitions() []connectors.Definition {
	return []connectors.Definition{
		xero.Definition(),
		quickbooks.Definition(),
	}
}

// Registry returns a registry holding every connector this build ships.
func Registry() (*connectors.Registry, error) {
	reg := connectors.NewRegistry()
	for _, d := range Definitions() {
		if err := reg.Register(d); err != nil {
			return nil, err
		}
	}
	return reg, nil
}
