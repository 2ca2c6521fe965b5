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
	"errors"
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
	EditionWeb = "Cash Web"
	EditionWin = "Cash Win"
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
		Description: "CASH online accounting (Cash Web): payroll journal entries, split per period, cost centre and cost type, booked in each company's administration and journal. Not for Cash Win.",
		Settings: []connectors.Field{
			{Key: KeyEdition, Label: "CASH edition", Kind: connectors.KindChoice, Choices: []string{EditionWeb, EditionWin}, Default: EditionWeb, Tab: "Account",
				Validate: validateEdition, Help: "LedgerLink works with Cash Web only; Cash Win (the desktop program) has no API."},
			{Key: SecretAPIKey, Label: "API key", Kind: connectors.KindSecret, Secret: true, Required: true, Tab: "Account",
				Help: "In Cash Web: Gebruikersoverzicht → the API user → tab Api → copy. Kept in the system keyring. Pressing Genereer there makes a new key and the old one stops working."},
			{Key: KeyAdministration, Label: "Administration", Kind: connectors.KindText, Required: true, Tab: "Account",
				Help: "The code of the CASH administration whose chart of accounts LedgerLink reads, and where journals go that no company mapping sends elsewhere; chosen when you sign in."},
			{Key: KeyAdministrationName, Label: "Administration name", Kind: connectors.KindText, Tab: "Account", ReadOnly: true,
				Help: "The name of the chosen administration."},
			{Key: KeyJournalCode, Label: "Journal code (dagboek)", Kind: connectors.KindText, Tab: "Account", Validate: validateJournalCode,
				Help: "The journal (dagboek) payroll entries go to when a company's mapping gives none, for example MEM."},
			{Key: KeyAPIURL, Label: "API address", Kind: connectors.KindURL, Default: DefaultAPIURL, Tab: "Account",
				Validate: ValidateEndpoint, Help: "Leave as it is unless told otherwise."},
			{Key: KeyCostCentres, Label: "Cost centre codes in CASH", Kind: connectors.KindText, Tab: "Options", Validate: validateCodeTable(maxCostCentre),
				Help: "CASH's cost centre (kostenplaats) codes are at most 3 characters. For longer payroll cost centres give the CASH code, for example SHOP=SHP, ROAST=RST."},
			{Key: KeyCostTypes, Label: "Cost type codes in CASH", Kind: connectors.KindText, Tab: "Options", Validate: validateCodeTable(maxCostType),
				Help: "CASH has no cost type (kostensoort) field; LedgerLink keeps the cost type in each line's reference, which has room for 7 characters. For longer cost types give a short code, for example EMPLOYER-NI=EMPNI."},
			{Key: KeyPendingWait, Label: "Wait for CASH to process an import (seconds)", Kind: connectors.KindNumber, Default: strconv.Itoa(defaultPendingWait), Tab: "Options",
				Validate: validatePendingWait, Help: "How long LedgerLink waits for CASH to process a journal entry before it reports it as still pending."},
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
var errCashWin = errors.New("LedgerLink works with Cash Web only, the online CASH at www.cashweb.nl. Cash Win, the desktop program, has no API that LedgerLink can reach, so it cannot receive payroll journals from LedgerLink. Use Cash Web for this administration, or book the journals in Cash Win by hand")

func validateEdition(v string) error {
	if strings.EqualFold(strings.TrimSpace(v), EditionWin) {
		return errCashWin
	}
	return nil
}

func validateJournalCode(v string) error {
	v = strings.TrimSpace(v)
	if len(v) > maxJournal {
		return fmt.Errorf("a CASH journal code has at most %d characters", maxJournal)
	}
	return nil
}

func validatePendingWait(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 3600 {
		return errors.New("must be a whole number of seconds from 1 to 3600")
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
			return nil, fmt.Errorf("%q is not written CODE=CASHCODE", strings.TrimSpace(pair))
		}
		if len([]rune(remote)) > maxLen {
			return nil, fmt.Errorf("the CASH code %q is longer than %d characters", remote, maxLen)
		}
		if _, dup := out[local]; dup {
			return nil, fmt.Errorf("%s is given twice", local)
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
