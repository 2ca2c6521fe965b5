// Package cash connects LedgerLink to CASH (Cash Software bv) through Cash
// Web's REST API 4.0: payroll journal entries go to CASH as record 301
// postings (grootboekmutaties), one posting per part the engine splits a
// journal into (period, cost centre, cost type), and the chart of accounts
// comes back as reference data. Only Cash Web has this API; Cash Win, the
// desktop program, is not supported.
//
// Sign-in is the API key of a Cash Web API user, kept in the keyring and
// checked by listing the administrations it reaches. The package cashsim
// beside it simulates the same API for the tests and the Sandbox.
package cash

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
)

// Setting keys of the CASH module.
const (
	KeyAPIURL             = "api_url"
	KeyEdition            = "edition"
	KeyAdministration     = "administration"
	KeyAdministrationName = "administration_name"
	KeyJournalCode        = "journal_code"
	KeyCostCentres        = "opt.cost_centres"
	KeyCostTypes          = "opt.cost_types"
	KeyPendingWait        = "opt.pending_wait_seconds"
	// SecretAPIKey is the API key in the keyring.
	SecretAPIKey = "api_key"
)

// The editions of CASH; only Cash Web has an API.
const (
	EditionWeb = "Cash Web" // words:verbatim
	EditionWin = "Cash Win" // words:verbatim
)

// DefaultAPIURL is Cash Web's REST API 4.0.
const DefaultAPIURL = "https://www.cashweb.nl/api/4.0"

// BatchSize is the most journal parts one Write takes. Each part is its
// own import (one stuk per POST /import), so this bounds a Write's time,
// not a request's size.
const BatchSize = 25

// Pending imports are polled every pollEvery until defaultPendingWait has
// passed (the open REST client polled five times three seconds apart; we
// wait longer, as a payroll run is worth it).
const (
	pollEvery          = 3 * time.Second
	defaultPendingWait = 120
)

// Definition registers the CASH connector.
func Definition() connectors.Definition {
	return connectors.Definition{
		Name:        "cash",
		Title:       "CASH (Cash Web)",
		Description: "cash.description",
		Settings: []connectors.Field{
			{Key: KeyEdition, Label: "cash.setting.edition.label", Kind: connectors.KindChoice, Choices: []string{EditionWeb, EditionWin}, Default: EditionWeb, Tab: "Account",
				Validate: validateEdition, Help: "cash.setting.edition.help"},
			{Key: SecretAPIKey, Label: "cash.setting.api_key.label", Kind: connectors.KindSecret, Secret: true, Required: true, Tab: "Account",
				Help: "cash.setting.api_key.help"},
			{Key: KeyAdministration, Label: "cash.setting.administration.label", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "cash.setting.administration.help"},
			{Key: KeyAdministrationName, Label: "cash.setting.administration_name.label", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "cash.setting.administration_name.help"},
			{Key: KeyJournalCode, Label: "cash.setting.journal_code.label", Kind: connectors.KindText, Tab: "Account", Validate: validateJournalCode,
				Help: "cash.setting.journal_code.help"},
			{Key: KeyAPIURL, Label: "cash.setting.api_url.label", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "cash.setting.api_url.help"},
			{Key: KeyCostCentres, Label: "cash.setting.cost_centres.label", Kind: connectors.KindText, Tab: "Options", Validate: validateCodeTable(maxCostCentre),
				Help: "cash.setting.cost_centres.help"},
			{Key: KeyCostTypes, Label: "cash.setting.cost_types.label", Kind: connectors.KindText, Tab: "Options", Validate: validateCodeTable(maxCostType),
				Help: "cash.setting.cost_types.help"},
			{Key: KeyPendingWait, Label: "cash.setting.pending_wait.label", Kind: connectors.KindNumber, Default: strconv.Itoa(defaultPendingWait), Tab: "Options",
				Validate: validatePendingWait, Help: "cash.setting.pending_wait.help"},
		},
		Caps: Capabilities(),
		Open: func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) {
			return Open(ctx, cfg)
		},
		Login:      signIn,
		Disconnect: disconnect,
		// CASH publishes no rate limit; LedgerLink keeps to one call at a
		// time and one a second.
		Limits:    connectors.Limits{PerMinute: 60, Concurrent: 1},
		Sandbox:   sandbox(),
		Simulator: simulator,
		Words:     Words(),
	}
}

// Capabilities says what the CASH connector can do: send payroll journals,
// and read the chart of accounts.
func Capabilities() connectors.Capabilities {
	return connectors.Capabilities{
		Types: map[connectors.RecordType]connectors.Directions{
			connectors.Journals:        {Upload: true},
			connectors.NominalAccounts: {Mirror: true},
		},
		BatchSize: BatchSize,
	}
}

// ValidateEndpoint accepts an https address, or an http one only on this
// computer's loopback address (a local simulator).
func ValidateEndpoint(v string) error { return connectors.EndpointValidator(DefaultAPIURL)(v) }

// errCashWin is the plain-words refusal of Cash Win.
var errCashWin = own.Fail(nil, "cash.signin.cash_win")

func validateEdition(v string) error {
	if strings.EqualFold(strings.TrimSpace(v), EditionWin) {
		return errCashWin
	}
	return nil
}

func validateJournalCode(v string) error {
	v = strings.TrimSpace(v)
	if len(v) > maxJournal {
		return own.Fail(nil, "cash.check.journal_code", "Max", maxJournal)
	}
	return nil
}

func validatePendingWait(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 3600 {
		return own.Fail(nil, "cash.check.pending_wait")
	}
	return nil
}

// parseCodeTable reads "LOCAL=CASH, LOCAL2=CASH2".
func parseCodeTable(v string, maxLen int) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		local, remote, ok := strings.Cut(pair, "=")
		local, remote = strings.TrimSpace(local), strings.TrimSpace(remote)
		if strings.TrimSpace(pair) == "" {
			continue
		}
		if !ok || local == "" || remote == "" {
			return nil, own.Fail(nil, "cash.check.code_pair", "Pair", strings.TrimSpace(pair))
		}
		if len([]rune(remote)) > maxLen {
			return nil, own.Fail(nil, "cash.check.code_length", "Code", remote, "Max", maxLen)
		}
		if _, dup := out[local]; dup {
			return nil, own.Fail(nil, "cash.check.code_twice", "Code", local)
		}
		out[local] = remote
	}
	return out, nil
}

func validateCodeTable(maxLen int) func(string) error {
	return func(v string) error { _, err := parseCodeTable(v, maxLen); return err }
}

// settings are a module's parsed settings.
type settings struct {
	api         *url.URL
	admin       string
	journal     string
	costCentres map[string]string
	costTypes   map[string]string
	pendingWait time.Duration
	// targets are the administration and journal pairs the company
	// mapping sends journals to, where FindByCode looks.
	targets []target
}

// target is where a posting is booked.
type target struct{ admin, journal string }

// Keys of the engine's company mapping (see the engine's payroll journal
// settings): "map.company.<company>" and "map.journalcode.<company>".
const (
	mapCompanyPrefix     = "map.company."
	mapJournalCodePrefix = "map.journalcode."
)

func readSettings(cfg connectors.Config) (settings, error) {
	var s settings
	if err := validateEdition(cfg.Setting(KeyEdition, EditionWeb)); err != nil {
		return s, err
	}
	api := cfg.Setting(KeyAPIURL, DefaultAPIURL)
	if err := ValidateEndpoint(api); err != nil {
		return s, fmt.Errorf("the CASH API address %w", err)
	}
	s.api, _ = url.Parse(strings.TrimRight(strings.TrimSpace(api), "/"))
	s.admin = strings.TrimSpace(cfg.Setting(KeyAdministration, ""))
	s.journal = strings.ToUpper(strings.TrimSpace(cfg.Setting(KeyJournalCode, "")))
	var err error
	if s.costCentres, err = parseCodeTable(cfg.Setting(KeyCostCentres, ""), maxCostCentre); err != nil {
		return s, fmt.Errorf("the CASH option %q: %w", KeyCostCentres, err)
	}
	if s.costTypes, err = parseCodeTable(cfg.Setting(KeyCostTypes, ""), maxCostType); err != nil {
		return s, fmt.Errorf("the CASH option %q: %w", KeyCostTypes, err)
	}
	wait := cfg.Setting(KeyPendingWait, strconv.Itoa(defaultPendingWait))
	if err := validatePendingWait(wait); err != nil {
		return s, fmt.Errorf("the CASH option %q %w", KeyPendingWait, err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(wait))
	s.pendingWait = time.Duration(n) * time.Second
	s.targets = targetsOf(cfg.Settings, s.admin, s.journal)
	return s, nil
}

// targetsOf lists the default target and every mapped company's, once each.
func targetsOf(all map[string]string, admin, journal string) []target {
	var out []target
	add := func(t target) {
		if t.admin == "" || t.journal == "" {
			return
		}
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	add(target{admin, journal})
	var companies []string
	for k := range all {
		if c, ok := strings.CutPrefix(k, mapCompanyPrefix); ok {
			companies = append(companies, c)
		}
	}
	sortStrings(companies)
	for _, c := range companies {
		add(target{strings.TrimSpace(all[mapCompanyPrefix+c]), strings.ToUpper(strings.TrimSpace(all[mapJournalCodePrefix+c]))})
	}
	return out
}
