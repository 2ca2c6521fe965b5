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
	CostCentreDepartment = "Location (Department)" // words:verbatim: a setting's value, in QuickBooks's terms
)

// BatchSize is the most operations of one batch request (Intuit's limit).
const BatchSize = 30

// Definition registers the QuickBooks Online connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "quickbooks",
		Title:       "QuickBooks Online",
		Description: "quickbooks.description",
		Settings: []connectors.Field{
			{Key: KeyClientID, Label: "quickbooks.setting.client_id.label", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "quickbooks.setting.client_id.help"},
			{Key: SecretClientSecret, Label: "quickbooks.setting.client_secret.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "quickbooks.setting.client_secret.help"},
			{Key: KeyRedirectURI, Label: "quickbooks.setting.redirect_uri.label", Kind: connectors.KindURL, Default: DefaultRedirectURI, Tab: "Account",
				Validate: validateRedirect,
				Help:     "quickbooks.setting.redirect_uri.help"},
			{Key: KeyEnvironment, Label: "quickbooks.setting.environment.label", Kind: connectors.KindChoice, Default: Production, Choices: []string{Production, Development}, Tab: "Account",
				Help: "quickbooks.setting.environment.help"},
			{Key: KeyRealmID, Label: "quickbooks.setting.realm_id.label", Kind: connectors.KindText, Tab: "Account",
				Help: "quickbooks.setting.realm_id.help"},
			{Key: KeyCompany, Label: "quickbooks.setting.company.label", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "quickbooks.setting.company.help"},
			{Key: KeyAPIURL, Label: "quickbooks.setting.api_url.label", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.api_url.help"},
			{Key: KeySandboxAPIURL, Label: "quickbooks.setting.sandbox_api_url.label", Kind: connectors.KindURL, Default: DefaultSandboxAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.sandbox_api_url.help"},
			{Key: KeyAuthURL, Label: "quickbooks.setting.auth_url.label", Kind: connectors.KindURL, Default: DefaultAuthURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.auth_url.help"},
			{Key: KeyTokenURL, Label: "quickbooks.setting.token_url.label", Kind: connectors.KindURL, Default: DefaultTokenURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.token_url.help"},
			{Key: KeyRevokeURL, Label: "quickbooks.setting.revoke_url.label", Kind: connectors.KindURL, Default: DefaultRevokeURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.revoke_url.help"},
			{Key: KeyAppURL, Label: "quickbooks.setting.app_url.label", Kind: connectors.KindURL, Default: DefaultAppURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.app_url.help"},
			{Key: KeySandboxAppURL, Label: "quickbooks.setting.sandbox_app_url.label", Kind: connectors.KindURL, Default: DefaultSandboxAppURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "quickbooks.setting.sandbox_app_url.help"},
			{Key: SecretRefreshToken, Label: "quickbooks.setting.refresh_token.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "quickbooks.setting.refresh_token.help"},
			{Key: KeyDefaultItem, Label: "quickbooks.setting.default_item.label", Kind: connectors.KindText, Default: "Services", Tab: "Options",
				Help: "quickbooks.setting.default_item.help"},
			{Key: KeyCostCentre, Label: "quickbooks.setting.cost_centre.label", Kind: connectors.KindChoice, Default: CostCentreClass, Choices: []string{CostCentreClass, CostCentreDepartment}, Tab: "Options",
				Help: "quickbooks.setting.cost_centre.help"},
			{Key: KeyAllowDuplicate, Label: "quickbooks.setting.allow_duplicate.label", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "quickbooks.setting.allow_duplicate.help"},
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
		Words:     Words(),
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
		return own.Fail(nil, "quickbooks.setting.redirect_uri.no_port")
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
				err = own.Fail(e, "engine.setting.check", "Package", Definition().Title, "Field", Definition().FieldLabel(key))
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
		return settings{}, own.Fail(nil, "quickbooks.setting.not_either", "Field", Definition().FieldLabel(KeyEnvironment), "First", Production, "Second", Development, "Value", env)
	}
	s.redirect = strings.TrimSpace(cfg.Setting(KeyRedirectURI, DefaultRedirectURI))
	if e := validateRedirect(s.redirect); e != nil && err == nil {
		err = own.Fail(e, "engine.setting.check", "Package", Definition().Title, "Field", Definition().FieldLabel(KeyRedirectURI))
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
		return settings{}, own.Fail(nil, "quickbooks.setting.not_either", "Field", Definition().FieldLabel(KeyCostCentre), "First", CostCentreClass, "Second", CostCentreDepartment, "Value", cc)
	}
	switch v := strings.ToLower(cfg.Setting(KeyAllowDuplicate, "false")); v {
	case "true", "false":
		s.allowDuplicate = v == "true"
	default:
		return settings{}, own.Fail(nil, "engine.setting.not_bool", "Package", Definition().Title, "Field", Definition().FieldLabel(KeyAllowDuplicate), "Value", v)
	}
	return s, nil
}
