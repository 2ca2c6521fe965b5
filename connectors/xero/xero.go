// Package xero connects LedgerLink to Xero through the Xero Accounting API:
// contacts as customers and suppliers, quotes, sales and purchase invoices,
// credit notes (with their allocations), payments, payroll journals (as
// manual journals), and the chart of
// accounts, tax rates and items as read-only reference data.
//
// Sign-in is OAuth 2.0 with PKCE through the system browser (see Login);
// the refresh token lives in the keyring. The package xerosim beside it is
// a simulator of the same API for the tests and the Sandbox.
package xero

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Setting keys of the Xero module.
const (
	KeyClientID     = "client_id"
	KeyTenantID     = "tenant_id"
	KeyOrganisation = "organisation"
	KeyAPIURL       = "api_url"
	KeyIdentityURL  = "identity_url"
	KeyLoginURL     = "login_url"
	KeyScopes       = "scopes"
	KeyAuthorised   = "opt.authorised"
	KeyRollup       = "opt.rollup"
	// KeyMultiCurrency is LedgerLink's own option (every module has it);
	// the Xero client reads it to send documents in their own currency.
	KeyMultiCurrency = "opt.multi_currency"
	// KeyTrackInventory creates stock items as tracked inventory.
	KeyTrackInventory = "opt.track_inventory"
)

// The real Xero endpoints.
const (
	DefaultAPIURL      = "https://api.xero.com/api.xro/2.0"
	DefaultIdentityURL = "https://identity.xero.com"
	DefaultLoginURL    = "https://login.xero.com"
)

// BatchSize is the most elements LedgerLink sends in one write; Xero
// recommends no more than 50 per request.
const BatchSize = 50

// Definition registers the Xero connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "xero",
		Title:       "Xero",
		Description: "xero.description",
		Settings: []connectors.Field{
			{Key: KeyClientID, Label: "xero.setting.client_id.label", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "xero.setting.client_id.help"},
			{Key: KeyTenantID, Label: "xero.setting.tenant_id.label", Kind: connectors.KindText, Tab: "Account",
				Help: "xero.setting.tenant_id.help"},
			{Key: KeyOrganisation, Label: "xero.setting.organisation.label", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "xero.setting.organisation.help"},
			{Key: KeyAPIURL, Label: "xero.setting.api_url.label", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "xero.setting.api_url.help"},
			{Key: KeyIdentityURL, Label: "xero.setting.identity_url.label", Kind: connectors.KindURL, Default: DefaultIdentityURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "xero.setting.identity_url.help"},
			{Key: KeyLoginURL, Label: "xero.setting.login_url.label", Kind: connectors.KindURL, Default: DefaultLoginURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "xero.setting.login_url.help"},
			{Key: KeyScopes, Label: "xero.setting.scopes.label", Kind: connectors.KindText, Default: DefaultScopes, Tab: "Account",
				Validate: validateScopes, Help: "xero.setting.scopes.help"},
			{Key: KeyAuthorised, Label: "xero.setting.authorised.label", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "xero.setting.authorised.help"},
			{Key: KeyRollup, Label: "xero.setting.rollup.label", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "xero.setting.rollup.help"},
			{Key: KeyTrackInventory, Label: "xero.setting.track_inventory.label", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "xero.setting.track_inventory.help"},
			{Key: SecretClientSecret, Label: "xero.setting.client_secret.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "xero.setting.client_secret.help"},
			{Key: SecretRefreshToken, Label: "xero.setting.refresh_token.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "xero.setting.refresh_token.help"},
		},
		Caps: Capabilities(),
		Open: func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) {
			return Open(ctx, cfg)
		},
		Login:      signIn,
		Disconnect: disconnect,
		Limits:     connectors.Limits{PerMinute: 60, Concurrent: 5, PerDay: 5000},
		Sandbox:    sandbox(),
		Simulator:  simulator,
		Words:      Words(),
	}
}

// Capabilities says what the Xero connector can do.
func Capabilities() connectors.Capabilities {
	both := connectors.Directions{Mirror: true, Upload: true}
	mirror := connectors.Directions{Mirror: true}
	types := map[connectors.RecordType]connectors.Directions{connectors.CreditNotes: both, connectors.Journals: both}
	for _, t := range connectors.MatrixTypes() {
		types[t] = both
	}
	for _, t := range []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.BankAccounts} {
		types[t] = mirror
	}
	// Products are the business's stock items: Xero's /Items takes them.
	types[connectors.Items] = both
	return connectors.Capabilities{
		Types:                 types,
		BatchSize:             BatchSize,
		IncrementalPull:       true,
		IdempotencyKeys:       true,
		CreditNoteAllocations: true,
		// Voided and deleted documents, deleted payments and archived
		// contacts come through ListChanged with Deleted set.
		Deletions: true,
	}
}

// ValidateEndpoint accepts an https address, or an http one only on this
// computer's loopback address (a local simulator).
func ValidateEndpoint(v string) error {
	return connectors.EndpointValidator("https://api.xero.com")(v)
}

func validateScopes(v string) error {
	fields := strings.Fields(v)
	for _, f := range fields {
		if f == "offline_access" {
			return nil
		}
	}
	return own.Fail(nil, "xero.setting.scopes.no_offline_access")
}

// settingLabel names a setting by its label, for a person: a setting of
// this connector, LedgerLink's own multi-currency option, or else the key
// as it is.
func settingLabel(key string) words.Text {
	if key == KeyMultiCurrency {
		return words.Sentence("engine.option.multi_currency.label")
	}
	return Definition().FieldLabel(key)
}

// settings are a module's parsed settings.
type settings struct {
	endpoints     endpoints
	clientID      string
	tenantID      string
	scopes        string
	authorised    bool
	rollup        bool
	multiCurrency bool
	// trackInventory sends stock items as tracked inventory where the
	// organisation's accounts allow it.
	trackInventory bool
}

func readSettings(cfg connectors.Config) (settings, error) {
	var s settings
	var err error
	parse := func(key, def string) *url.URL {
		v := cfg.Setting(key, def)
		if e := ValidateEndpoint(v); e != nil && err == nil {
			err = own.Fail(e, "engine.setting.check", "Package", Definition().Title, "Field", settingLabel(key))
			return nil
		}
		u, _ := url.Parse(strings.TrimSpace(v))
		return u
	}
	s.endpoints.api = parse(KeyAPIURL, DefaultAPIURL)
	s.endpoints.identity = parse(KeyIdentityURL, DefaultIdentityURL)
	s.endpoints.login = parse(KeyLoginURL, DefaultLoginURL)
	if err != nil {
		return settings{}, err
	}
	s.clientID = strings.TrimSpace(cfg.Setting(KeyClientID, ""))
	s.tenantID = strings.TrimSpace(cfg.Setting(KeyTenantID, ""))
	s.scopes = cfg.Setting(KeyScopes, DefaultScopes)
	if e := validateScopes(s.scopes); e != nil {
		return settings{}, own.Fail(e, "engine.setting.check", "Package", Definition().Title, "Field", settingLabel(KeyScopes))
	}
	for key, into := range map[string]*bool{KeyAuthorised: &s.authorised, KeyRollup: &s.rollup, KeyMultiCurrency: &s.multiCurrency, KeyTrackInventory: &s.trackInventory} {
		v := cfg.Setting(key, "false")
		b, e := strconv.ParseBool(strings.TrimSpace(v))
		if e != nil {
			return settings{}, own.Fail(nil, "engine.setting.not_bool", "Package", Definition().Title, "Field", settingLabel(key), "Value", v)
		}
		*into = b
	}
	return s, nil
}
