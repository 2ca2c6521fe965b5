// Package kashflow connects LedgerLink to KashFlow through KashFlow's SOAP
// API (the one integrations use in production): customers and suppliers,
// quotes, sales invoices and purchase invoices ("receipts", KashFlow's one
// Invoice type for all three), their payments, credit notes as negative
// invoices, payroll journals, and the nominal codes, VAT rates, products,
// bank accounts and payment methods as reference data.
//
// Every call carries the username and API password; KashFlow answers HTTP
// 200 with Status OK or NO and a StatusDetail, kept word for word. KashFlow
// reports changes for customers and suppliers only and deduplicates
// nothing, so the connector reads every other type in full, fingerprints
// each record to tell real changes, sees deletions by absence, and marks
// LedgerLink's own document numbers on the records so that an upload whose
// reply was lost is found again (see FindByCode). The package kashflowsim
// beside it simulates the same API for the tests and the Sandbox.
package kashflow

import (
	"context"
	"fmt"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow/kashflowsim"
)

// Setting keys of the KashFlow module.
const (
	KeyUsername         = "username"
	KeyPassword         = "password"
	KeyEndpoint         = "endpoint"
	KeyCompany          = "company"
	KeyInvoicePayMethod = "opt.invoice_pay_method"
	KeyReceiptPayMethod = "opt.receipt_pay_method"
	KeyHistoryFrom      = "opt.history_from"
)

// DefaultEndpoint is KashFlow's SOAP service.
const DefaultEndpoint = "https://securedwebapp.com/api/service.asmx"

// defaultHistoryFrom is the earliest document date read by default.
const defaultHistoryFrom = "2000-01-01"

// BatchSize is the most records one Write carries. KashFlow takes one
// record a call, so the batch is only the engine's unit of work.
const BatchSize = 25

// Definition registers the KashFlow connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "kashflow",
		Title:       "KashFlow",
		Description: "kashflow.description",
		Settings: []connectors.Field{
			{Key: KeyUsername, Label: "kashflow.setting.username.label", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "kashflow.setting.username.help"},
			{Key: KeyPassword, Label: "kashflow.setting.password.label", Kind: connectors.KindSecret, Secret: true, Required: true, Tab: "Account",
				Help: "kashflow.setting.password.help"},
			{Key: KeyCompany, Label: "kashflow.setting.company.label", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "kashflow.setting.company.help"},
			{Key: KeyEndpoint, Label: "kashflow.setting.endpoint.label", Kind: connectors.KindURL, Default: DefaultEndpoint, Tab: "Account",
				Validate: ValidateEndpoint, Help: "kashflow.setting.endpoint.help"},
			{Key: KeyInvoicePayMethod, Label: "kashflow.setting.invoice_pay_method.label", Kind: connectors.KindText, Tab: "Options",
				Help: "kashflow.setting.invoice_pay_method.help"},
			{Key: KeyReceiptPayMethod, Label: "kashflow.setting.receipt_pay_method.label", Kind: connectors.KindText, Tab: "Options",
				Help: "kashflow.setting.receipt_pay_method.help"},
			{Key: KeyHistoryFrom, Label: "kashflow.setting.history_from.label", Kind: connectors.KindText, Default: defaultHistoryFrom, Tab: "Options",
				Validate: validateDate, Help: "kashflow.setting.history_from.help"},
		},
		Caps: Capabilities(),
		Open: func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) {
			return Open(ctx, cfg)
		},
		Login: signIn,
		// KashFlow publishes no rate limit; one call at a time and two a
		// second is the pace community clients keep.
		Limits:    connectors.Limits{PerMinute: 120, Concurrent: 1},
		Sandbox:   sandbox(),
		Simulator: simulator,
		Words:     Words(),
	}
}

// Capabilities says what the KashFlow connector can do.
func Capabilities() connectors.Capabilities {
	both := connectors.Directions{Mirror: true, Upload: true}
	types := map[connectors.RecordType]connectors.Directions{connectors.CreditNotes: both, connectors.Journals: both}
	for _, t := range connectors.MatrixTypes() {
		types[t] = both
	}
	for _, t := range connectors.AncillaryTypes() {
		types[t] = connectors.Directions{Mirror: true}
	}
	// Products go to KashFlow as sub-products under their sales nominal code.
	types[connectors.Items] = both
	return connectors.Capabilities{
		Types:                 types,
		BatchSize:             BatchSize,
		IncrementalPull:       false,
		IdempotencyKeys:       false,
		Deletions:             true,
		CreditNoteAllocations: true,
	}
}

// ValidateEndpoint accepts an https address, or an http one only on this
// computer's loopback address (a local simulator).
func ValidateEndpoint(v string) error { return connectors.EndpointValidator(DefaultEndpoint)(v) }

func validateDate(v string) error {
	if _, err := connectors.ParseDate(v); err != nil {
		return own.Fail(nil, "kashflow.check.date")
	}
	return nil
}

// sandbox is how the Sandbox sets KashFlow up: the simulator's API user,
// and a generous pace since the simulator runs in this process.
func sandbox() *connectors.Sandbox {
	return &connectors.Sandbox{
		Settings: map[string]string{
			KeyUsername: kashflowsim.SandboxUser,
			// KashFlow names VAT rates by their percentage, so no sample
			// tax code matches one by name: the Sandbox maps them as a
			// bookkeeper would on the Mapping tab.
			"map.tax.OUTPUT2": "20", "map.tax.INPUT2": "20",
			"map.tax.ZERORATEDOUTPUT": "0", "map.tax.ZERORATEDINPUT": "0",
		},
		Limits: connectors.Limits{PerMinute: 6000, Concurrent: 4},
	}
}

// simulator serves KashFlow's simulator for `ledgerlink simulate kashflow`.
func simulator(opts connectors.SimulatorOptions) (connectors.Simulator, error) {
	var o []kashflowsim.Option
	if opts.StateFile != "" {
		o = append(o, kashflowsim.WithStateFile(opts.StateFile))
	}
	if opts.Logger != nil {
		o = append(o, kashflowsim.WithLogger(opts.Logger))
	}
	sim, err := kashflowsim.New(o...)
	if err != nil {
		return nil, fmt.Errorf("starting the KashFlow simulator: %w", err)
	}
	return sim, nil
}
