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
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"ledgerlink/connectors"
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
		Description: "Xero online accounting: customers, suppliers, quotes, invoices, bills, credit notes, payments and payroll journals.",
		Settings: []connectors.Field{
			{Key: KeyClientID, Label: "Client ID", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "The client ID of the Xero app LedgerLink signs in with (not needed in the Sandbox)."},
			{Key: KeyTenantID, Label: "Organisation ID", Kind: connectors.KindText, Tab: "Account",
				Help: "The Xero organisation to keep in step; chosen when you sign in."},
			{Key: KeyOrganisation, Label: "Organisation", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "The name of the chosen Xero organisation."},
			{Key: KeyAPIURL, Label: "Accounting API address", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyIdentityURL, Label: "Sign-in service address", Kind: connectors.KindURL, Default: DefaultIdentityURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyLoginURL, Label: "Sign-in page address", Kind: connectors.KindURL, Default: DefaultLoginURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyScopes, Label: "Permissions asked for", Kind: connectors.KindText, Default: DefaultScopes, Tab: "Account",
				Validate: validateScopes, Help: "The Xero scopes LedgerLink asks for when you sign in."},
			{Key: KeyAuthorised, Label: "Create authorised invoices", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Send invoices, bills and credit notes as approved instead of drafts, and payroll journals as posted."},
			{Key: KeyRollup, Label: "Rollup", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Send one line per account and tax rate instead of one per product."},
			{Key: KeyTrackInventory, Label: "Track stock items as inventory", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Create stock items as tracked inventory in Xero, which needs an Inventory account in Xero and a cost-of-goods account as the product's purchase account. Leave it off unless Xero counts your stock: Xero then keeps quantities on hand for those items."},
			{Key: SecretClientSecret, Label: "Client secret", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "Only for a Xero custom connection; leave blank to sign in through the browser."},
			{Key: SecretRefreshToken, Label: "Xero sign-in", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "Kept in the system keyring; filled in when you sign in."},
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
	return errors.New("must include offline_access, or Xero gives LedgerLink no lasting sign-in")
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
			err = fmt.Errorf("the Xero setting %q %w", key, e)
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
		return settings{}, fmt.Errorf("the Xero permissions setting %w", e)
	}
	for key, into := range map[string]*bool{KeyAuthorised: &s.authorised, KeyRollup: &s.rollup, KeyMultiCurrency: &s.multiCurrency, KeyTrackInventory: &s.trackInventory} {
		v := cfg.Setting(key, "false")
		b, e := strconv.ParseBool(strings.TrimSpace(v))
		if e != nil {
			return settings{}, fmt.Errorf("the Xero option %q must be true or false, not %q", key, v)
		}
		*into = b
	}
	return s, nil
}
