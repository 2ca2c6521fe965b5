// Package quickbooks connects LedgerLink to QuickBooks Online through
// Intuit's Accounting API (v3, minorversion 75): customers and vendors,
// estimates (quotes), invoices, bills, credit memos and vendor credits,
// payments and bill payments with their links, journal entries for payroll
// journals, items (both ways), and the chart of accounts, tax codes, bank
// accounts and payment methods as reference data.
//
// Sign-in is OAuth 2.0 through the system browser with the client ID and
// secret of the person's own Intuit app; the company's realmId is kept with
// the sign-in and the rotating refresh token lives in the keyring. The
// package qbosim beside it simulates the same API for tests and the Sandbox.
package quickbooks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"ledgerlink/connectors"
)

// Setting keys of the QuickBooks module.
const (
	KeyClientID       = "client_id"
	KeyRealmID        = "realm_id"
	KeyCompany        = "company"
	KeyEnvironment    = "environment"
	KeyAPIURL         = "api_url"
	KeySandboxAPIURL  = "sandbox_api_url"
	KeyAuthURL        = "auth_url"
	KeyTokenURL       = "token_url"
	KeyRevokeURL      = "revoke_url"
	KeyRedirectURI    = "redirect_uri"
	KeyAppURL         = "app_url"
	KeySandboxAppURL  = "sandbox_app_url"
	KeyDefaultItem    = "opt.default_item"
	KeyCostCentre     = "opt.cost_centre"
	KeyAllowDuplicate = "opt.allow_duplicate_numbers"
)

// Keys of the secrets kept in the keyring (Config.Secrets).
const (
	SecretClientSecret = "client_secret"
	SecretRefreshToken = "refresh_token"
)

// Intuit's addresses.
const (
	DefaultAPIURL        = "https://quickbooks.api.intuit.com"
	DefaultSandboxAPIURL = "https://sandbox-quickbooks.api.intuit.com"
	DefaultAuthURL       = "https://appcenter.intuit.com/connect/oauth2"
	DefaultTokenURL      = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
	DefaultRevokeURL     = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
	DefaultAppURL        = "https://app.qbo.intuit.com"
	DefaultSandboxAppURL = "https://app.sandbox.qbo.intuit.com"
	// DefaultRedirectURI is the loopback address a development app
	// registers; production apps register an https address instead.
	DefaultRedirectURI = "http://localhost:8732/callback"
	// Scope is the one permission LedgerLink asks for.
	Scope = "com.intuit.quickbooks.accounting"
	// MinorVersion is sent on every call: the oldest QuickBooks serves.
	MinorVersion = "75"
)

// Environments.
const (
	Production  = "production"
	Development = "sandbox company"
)

// Cost-centre choices: what a line's cost centre is in QuickBooks.
const (
	CostCentreClass      = "Class"
	CostCentreDepartment = "Location (Department)"
)

// BatchSize is the most operations of one batch request (Intuit's limit).
const BatchSize = 30

// Definition registers the QuickBooks Online connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "quickbooks",
		Title:       "QuickBooks Online",
		Description: "QuickBooks Online: customers, vendors, estimates, invoices, bills, credit memos, payments, bill payments, journal entries and products.",
		Settings: []connectors.Field{
			{Key: KeyClientID, Label: "Client ID", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "The Client ID of your own Intuit app. To make one: 1. sign in at developer.intuit.com; 2. Dashboard → Create an app → QuickBooks Online and Payments, with the scope com.intuit.quickbooks.accounting; 3. under Keys & credentials add the Redirect URI shown below; 4. copy the Client ID here and the Client Secret below."},
			{Key: SecretClientSecret, Label: "Client secret", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "The Client Secret of the same Intuit app (needed to sign in; not in the Sandbox); kept in the system keyring (on the command line it is read from standard input)."},
			{Key: KeyRedirectURI, Label: "Redirect URI", Kind: connectors.KindURL, Default: DefaultRedirectURI, Tab: "Account",
				Validate: validateRedirect,
				Help:     "Register exactly this address in your Intuit app. Development keys accept http://localhost; production keys need an https address you own: after signing in, paste the address the browser landed on into LedgerLink."},
			{Key: KeyEnvironment, Label: "Company type", Kind: connectors.KindChoice, Default: Production, Choices: []string{Production, Development}, Tab: "Account",
				Help: "A real company, or one of Intuit's sandbox companies (for development keys)."},
			{Key: KeyRealmID, Label: "Company ID (realmId)", Kind: connectors.KindText, Tab: "Account",
				Help: "Filled in when you sign in: the QuickBooks company LedgerLink keeps in step."},
			{Key: KeyCompany, Label: "Company", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "The name of the QuickBooks company."},
			{Key: KeyAPIURL, Label: "Accounting API address", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeySandboxAPIURL, Label: "Sandbox company API address", Kind: connectors.KindURL, Default: DefaultSandboxAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Used when the company type is a sandbox company."},
			{Key: KeyAuthURL, Label: "Sign-in page address", Kind: connectors.KindURL, Default: DefaultAuthURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyTokenURL, Label: "Sign-in service address", Kind: connectors.KindURL, Default: DefaultTokenURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyRevokeURL, Label: "Disconnect service address", Kind: connectors.KindURL, Default: DefaultRevokeURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyAppURL, Label: "QuickBooks web address", Kind: connectors.KindURL, Default: DefaultAppURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Where links to records open."},
			{Key: KeySandboxAppURL, Label: "Sandbox company web address", Kind: connectors.KindURL, Default: DefaultSandboxAppURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Where links to records open for a sandbox company."},
			{Key: SecretRefreshToken, Label: "QuickBooks sign-in", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "Kept in the system keyring; filled in when you sign in, and renewed as QuickBooks rotates it."},
			{Key: KeyDefaultItem, Label: "Product for lines without one", Kind: connectors.KindText, Default: "Services", Tab: "Options",
				Help: "QuickBooks needs a product or service on every sales line: lines without a product code use this one (by name or SKU); their account is still the line's nominal."},
			{Key: KeyCostCentre, Label: "Cost centres are", Kind: connectors.KindChoice, Default: CostCentreClass, Choices: []string{CostCentreClass, CostCentreDepartment}, Tab: "Options",
				Help: "Whether a line's cost centre is a QuickBooks Class or a Location (department) on journal lines."},
			{Key: KeyAllowDuplicate, Label: "Allow duplicate document numbers", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Let QuickBooks take a document number it already holds (normally it refuses, which protects against double-posting)."},
		},
		Caps:       Capabilities(),
		Open:       func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) { return Open(ctx, cfg) },
		Login:      signIn,
		Disconnect: disconnect,
		// 500 requests a minute and 10 at once per company; the batch
		// endpoint's own 40 a minute is kept inside the connector.
		Limits:    connectors.Limits{PerMinute: 500, Concurrent: 10},
		Sandbox:   sandbox(),
		Simulator: simulator,
	}
}

// Capabilities says what the QuickBooks connector can do.
func Capabilities() connectors.Capabilities {
	both := connectors.Directions{Mirror: true, Upload: true}
	types := map[connectors.RecordType]connectors.Directions{
		connectors.CreditNotes: both, connectors.Journals: both,
	}
	for _, t := range connectors.MatrixTypes() {
		types[t] = both
	}
	for _, t := range connectors.AncillaryTypes() {
		types[t] = connectors.Directions{Mirror: true}
	}
	// Products are the business's items: QuickBooks creates and updates
	// them (Item, with a SyncToken like every other entity).
	types[connectors.Items] = both
	return connectors.Capabilities{
		Types: types, BatchSize: BatchSize, IncrementalPull: true, IdempotencyKeys: true,
		Deletions: true, CreditNoteAllocations: true,
	}
}

// ValidateEndpoint accepts an https address, or an http one only on this
// computer's loopback address (a local simulator).
func ValidateEndpoint(v string) error {
	return connectors.EndpointValidator("https://quickbooks.api.intuit.com")(v)
}

func validateRedirect(v string) error {
	if err := ValidateEndpoint(v); err != nil {
		return err
	}
	u, _ := url.Parse(strings.TrimSpace(v))
	if u.Scheme == "http" && u.Port() == "" {
		return errors.New("a loopback redirect must name its port, as registered in the Intuit app (for example http://localhost:8732/callback)")
	}
	return nil
}

// settings are a module's parsed settings.
type settings struct {
	clientID, realmID, redirect string
	api, auth, token, revoke    *url.URL
	app                         *url.URL
	defaultItem                 string
	costCentreDept              bool
	allowDuplicate              bool
}

func readSettings(cfg connectors.Config) (settings, error) {
	var s settings
	var err error
	parse := func(key, def string) *url.URL {
		v := cfg.Setting(key, def)
		if e := ValidateEndpoint(v); e != nil {
			if err == nil {
				err = fmt.Errorf("the QuickBooks setting %q %w", key, e)
			}
			return nil
		}
		u, _ := url.Parse(strings.TrimSuffix(strings.TrimSpace(v), "/"))
		return u
	}
	sandboxCompany := cfg.Setting(KeyEnvironment, Production) == Development
	if sandboxCompany {
		s.api, s.app = parse(KeySandboxAPIURL, DefaultSandboxAPIURL), parse(KeySandboxAppURL, DefaultSandboxAppURL)
	} else {
		s.api, s.app = parse(KeyAPIURL, DefaultAPIURL), parse(KeyAppURL, DefaultAppURL)
	}
	s.auth, s.token, s.revoke = parse(KeyAuthURL, DefaultAuthURL), parse(KeyTokenURL, DefaultTokenURL), parse(KeyRevokeURL, DefaultRevokeURL)
	if env := cfg.Setting(KeyEnvironment, Production); env != Production && env != Development {
		return settings{}, fmt.Errorf("the QuickBooks company type must be %q or %q, not %q", Production, Development, env)
	}
	s.redirect = strings.TrimSpace(cfg.Setting(KeyRedirectURI, DefaultRedirectURI))
	if e := validateRedirect(s.redirect); e != nil && err == nil {
		err = fmt.Errorf("the QuickBooks redirect URI %w", e)
	}
	if err != nil {
		return settings{}, err
	}
	s.clientID = strings.TrimSpace(cfg.Setting(KeyClientID, ""))
	s.realmID = strings.TrimSpace(cfg.Setting(KeyRealmID, ""))
	s.defaultItem = strings.TrimSpace(cfg.Setting(KeyDefaultItem, "Services"))
	switch cc := cfg.Setting(KeyCostCentre, CostCentreClass); cc {
	case CostCentreClass:
	case CostCentreDepartment:
		s.costCentreDept = true
	default:
		return settings{}, fmt.Errorf("the QuickBooks option %q must be %q or %q, not %q", KeyCostCentre, CostCentreClass, CostCentreDepartment, cc)
	}
	switch v := strings.ToLower(cfg.Setting(KeyAllowDuplicate, "false")); v {
	case "true", "false":
		s.allowDuplicate = v == "true"
	default:
		return settings{}, fmt.Errorf("the QuickBooks option %q must be true or false, not %q", KeyAllowDuplicate, v)
	}
	return s, nil
}
