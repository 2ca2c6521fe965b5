// Package uniconta connects LedgerLink to Uniconta through the Uniconta
// WebAPI (api.uniconta.com): debtors and creditors as customers and
// suppliers, offers as quotes, sales and purchase orders and posted
// invoices (credit notes are invoices with negative quantities), payments
// and payroll journals posted through a daily journal, and the chart of
// accounts, VAT codes, items, bank accounts and payment formats as
// reference data.
//
// Sign-in is the Uniconta login id and password (the WebAPI gives a bearer
// token for an hour and a refresh token for seven days); the company is
// chosen by its Firma ID. The package unicontasim beside it is a simulator
// of the same WebAPI for the tests and the Sandbox.
package uniconta

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"ledgerlink/connectors"
)

// Setting keys of the Uniconta module.
const (
	KeyUsername     = "username"
	KeyCompanyID    = "company_id"
	KeyCompanyName  = "company_name"
	KeyAPIURL       = "api_url"
	SecretPassword  = "password"
	SecretAPIKey    = "api_key"
	KeyCustomerTag  = "opt.customer_tag"
	KeyCustomFields = "opt.custom_fields"
	KeyDebtorGroup  = "opt.debtor_group"
	KeyCredGroup    = "opt.creditor_group"
	KeyBankAccount  = "opt.bank_account"
	KeyJournal      = "opt.journal"
	KeyCostCentre   = "opt.cost_centre_dimension"
	KeyCostType     = "opt.cost_type_dimension"
	KeyNotifyURL    = "opt.notify_url"
)

// DefaultAPIURL is the real Uniconta WebAPI.
const DefaultAPIURL = "https://api.uniconta.com"

// BatchSize is the most records one Write carries; a list of that many
// goes to Crud/InsertList in one call.
const BatchSize = 100

// Definition registers the Uniconta connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "uniconta",
		Title:       "Uniconta",
		Description: "uniconta.description",
		Settings: []connectors.Field{
			{Key: KeyUsername, Label: "uniconta.setting.username.label", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "uniconta.setting.username.help"},
			// Not Required: the Sandbox keeps no password, and Notes cannot
			// tell the Sandbox apart; Test connection says when it is missing.
			{Key: SecretPassword, Label: "uniconta.setting.password.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "uniconta.setting.password.help"},
			{Key: SecretAPIKey, Label: "uniconta.setting.api_key.label", Kind: connectors.KindSecret, Secret: true, Tab: "Account",
				Help: "uniconta.setting.api_key.help"},
			{Key: KeyCompanyID, Label: "uniconta.setting.company_id.label", Kind: connectors.KindText, Required: true, Tab: "Account", Validate: validateCompanyID,
				Help: "uniconta.setting.company_id.help"},
			{Key: KeyCompanyName, Label: "uniconta.setting.company_name.label", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "uniconta.setting.company_name.help"},
			{Key: KeyAPIURL, Label: "uniconta.setting.api_url.label", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "uniconta.setting.api_url.help"},
			{Key: KeyCustomerTag, Label: "uniconta.setting.customer_tag.label", Kind: connectors.KindText, Tab: "Options", Fetched: true,
				Help: "uniconta.setting.customer_tag.help"},
			{Key: KeyCustomFields, Label: "uniconta.setting.custom_fields.label", Kind: connectors.KindText, Tab: "Options", Validate: validateFieldList, Fetched: true, Multiple: true, CustomFieldsOf: connectors.Customers,
				Help: "uniconta.setting.custom_fields.help"},
			{Key: KeyDebtorGroup, Label: "uniconta.setting.debtor_group.label", Kind: connectors.KindText, Tab: "Options",
				Help: "uniconta.setting.debtor_group.help"},
			{Key: KeyCredGroup, Label: "uniconta.setting.creditor_group.label", Kind: connectors.KindText, Tab: "Options",
				Help: "uniconta.setting.creditor_group.help"},
			{Key: KeyBankAccount, Label: "uniconta.setting.bank_account.label", Kind: connectors.KindText, Tab: "Options",
				Help: "uniconta.setting.bank_account.help"},
			{Key: KeyJournal, Label: "uniconta.setting.journal.label", Kind: connectors.KindText, Default: "LEDGERLINK", Tab: "Options",
				Help: "uniconta.setting.journal.help"},
			{Key: KeyCostCentre, Label: "uniconta.setting.cost_centre_dimension.label", Kind: connectors.KindChoice, Default: "1", Choices: []string{"1", "2", "3", "4", "5"}, Tab: "Options",
				Help: "uniconta.setting.cost_centre_dimension.help"},
			{Key: KeyCostType, Label: "uniconta.setting.cost_type_dimension.label", Kind: connectors.KindChoice, Default: "2", Choices: []string{"1", "2", "3", "4", "5"}, Tab: "Options",
				Help: "uniconta.setting.cost_type_dimension.help"},
			{Key: KeyNotifyURL, Label: "uniconta.setting.notify_url.label", Kind: connectors.KindURL, Tab: "Options", Validate: validateNotifyURL,
				Help: "uniconta.setting.notify_url.help"},
		},
		Caps: Capabilities(),
		Open: func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) {
			return Open(ctx, cfg)
		},
		Login:        signIn,
		Disconnect:   disconnect,
		Limits:       connectors.Limits{PerDay: 5000, Concurrent: 2},
		Sandbox:      sandbox(),
		Simulator:    simulator,
		RefreshLabel: "uniconta.refresh.label",
		Receiver:     newChangeReceiver,
		RefreshHelp:  "uniconta.refresh.help",
		Words:        Words(),
	}
}

// Capabilities says what the Uniconta connector can do.
func Capabilities() connectors.Capabilities {
	both := connectors.Directions{Mirror: true, Upload: true}
	mirror := connectors.Directions{Mirror: true}
	types := map[connectors.RecordType]connectors.Directions{connectors.CreditNotes: both, connectors.Journals: both}
	for _, t := range connectors.MatrixTypes() {
		types[t] = both
	}
	for _, t := range connectors.AncillaryTypes() {
		types[t] = mirror
	}
	return connectors.Capabilities{
		Types:     types,
		BatchSize: BatchSize,
		// Debtors and creditors carry no change stamp, so every pull is a
		// full read (which also brings back a customer whose tag returned).
		IncrementalPull:       false,
		CreditNoteAllocations: true,
	}
}

// ValidateEndpoint accepts an https address, or http only on this
// computer's loopback address (a local simulator).
func ValidateEndpoint(v string) error {
	return connectors.EndpointValidator("https://api.uniconta.com")(v)
}

// validateNotifyURL accepts any http(s) address: it is LedgerLink's own
// receiving address as Uniconta calls it.
func validateNotifyURL(v string) error {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return own.Fail(nil, "uniconta.check.notify_url")
	}
	return nil
}

func validateCompanyID(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return own.Fail(nil, "uniconta.check.company_id")
	}
	return nil
}

var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validateFieldList(v string) error {
	for _, n := range splitList(v) {
		if !fieldName.MatchString(n) {
			return own.Fail(nil, "uniconta.check.field_name", "Name", n)
		}
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var apiKeyPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// settings are a module's parsed settings.
type settings struct {
	api          *url.URL
	username     string
	companyID    int
	tag          string
	customFields []string
	debtorGroup  string
	credGroup    string
	bank         string
	journal      string
	costCentre   int
	costType     int
	notifyURL    string
}

func readSettings(cfg connectors.Config) (settings, error) {
	var s settings
	api := cfg.Setting(KeyAPIURL, DefaultAPIURL)
	if err := ValidateEndpoint(api); err != nil {
		return s, fmt.Errorf("the Uniconta WebAPI address %w", err)
	}
	s.api, _ = url.Parse(strings.TrimRight(strings.TrimSpace(api), "/"))
	s.username = strings.TrimSpace(cfg.Setting(KeyUsername, ""))
	if id := strings.TrimSpace(cfg.Setting(KeyCompanyID, "")); id != "" {
		if err := validateCompanyID(id); err != nil {
			return s, fmt.Errorf("the Firma ID %q %w", id, err)
		}
		s.companyID, _ = strconv.Atoi(id)
	}
	s.tag = strings.TrimSpace(cfg.Setting(KeyCustomerTag, ""))
	fl := cfg.Setting(KeyCustomFields, "")
	if err := validateFieldList(fl); err != nil {
		return s, fmt.Errorf("the custom fields option: %w", err)
	}
	s.customFields = splitList(fl)
	s.debtorGroup = strings.TrimSpace(cfg.Setting(KeyDebtorGroup, ""))
	s.credGroup = strings.TrimSpace(cfg.Setting(KeyCredGroup, ""))
	s.bank = strings.TrimSpace(cfg.Setting(KeyBankAccount, ""))
	s.journal = strings.TrimSpace(cfg.Setting(KeyJournal, "LEDGERLINK"))
	for key, into := range map[string]*int{KeyCostCentre: &s.costCentre, KeyCostType: &s.costType} {
		def := "1"
		if key == KeyCostType {
			def = "2"
		}
		n, err := strconv.Atoi(strings.TrimSpace(cfg.Setting(key, def)))
		if err != nil || n < 1 || n > 5 {
			return s, own.Fail(nil, "uniconta.check.dimension_number")
		}
		*into = n
	}
	if s.costCentre == s.costType {
		return s, own.Fail(nil, "uniconta.check.same_dimension")
	}
	s.notifyURL = strings.TrimSpace(cfg.Setting(KeyNotifyURL, ""))
	return s, nil
}
