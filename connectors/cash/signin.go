package cash

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/cash/cashsim"
)

// signIn checks the API key by listing the administrations it reaches and
// returns them; a key typed in at the prompt is kept in the keyring once
// Cash Web has accepted it.
func signIn(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) ([]connectors.Organisation, error) {
	if err := validateEdition(cfg.Setting(KeyEdition, EditionWeb)); err != nil {
		return nil, err
	}
	if cfg.Sandbox {
		c, err := Open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return organisations(ctx, c)
	}
	if cfg.Secrets == nil {
		return nil, own.Fail(nil, "cash.signin.no_keyring")
	}
	key, err := storedKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	typed := false
	if key == "" {
		if prompt == nil {
			return nil, connectors.ErrNoPrompt
		}
		answer, err := prompt.Ask(ctx, "cash.signin.ask_key")
		if err != nil {
			return nil, err
		}
		key, typed = strings.TrimSpace(answer), true
		if key == "" {
			return nil, own.Fail(nil, "cash.signin.no_key_given")
		}
	}
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	s.admin = "" // list every administration, whichever is chosen now
	c := &Conn{set: s, key: key, hc: cfg.HTTPClient, log: cfg.Logger, clock: realClock{}, pollEvery: pollEvery}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	orgs, err := organisations(ctx, c)
	if err != nil {
		return nil, err
	}
	if typed {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := cfg.Secrets.Set(sctx, SecretAPIKey, key); err != nil {
			return nil, fmt.Errorf("keeping the CASH API key in the system keyring: %w", err)
		}
	}
	return orgs, nil
}

func organisations(ctx context.Context, c *Conn) ([]connectors.Organisation, error) {
	d, err := c.administrations(ctx)
	if err != nil {
		return nil, err
	}
	orgs := make([]connectors.Organisation, 0, len(d.Admins))
	for _, a := range d.Admins {
		name := a.Name
		if a.ReadOnly {
			name = own.English().T("cash.signin.read_only", "Name", a.Name)
		}
		orgs = append(orgs, connectors.Organisation{ID: a.Code, Name: name,
			Settings: map[string]string{KeyAdministration: a.Code, KeyAdministrationName: a.Name}})
	}
	return orgs, nil
}

// disconnect forgets the API key (Cash Web keeps it valid until the API
// user's key is generated anew there).
func disconnect(ctx context.Context, cfg connectors.Config) error {
	if cfg.Secrets == nil {
		return own.Fail(nil, "cash.signin.keyring_unreachable")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := cfg.Secrets.Delete(ctx, SecretAPIKey); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
		return fmt.Errorf("forgetting the CASH API key: %w", err)
	}
	return nil
}

// sandbox sets the module up for the sample payroll (company HLCR, whose
// correction for October is split off by period) booked in administration
// HLCR, journal LON, with the sample's long cost centre and cost type codes
// given CASH codes. The sample's payable lines carry no cost centre, so
// the journal balances per period but not per cost centre: the Sandbox
// leaves the split by cost centre and cost type off, and each line keeps
// its own cost centre and cost type in CASH.
func sandbox() *connectors.Sandbox {
	return &connectors.Sandbox{
		Settings: map[string]string{
			KeyAdministration:             cashsim.SampleAdmin,
			KeyAdministrationName:         "Harbour Lane Coffee Roasters BV", // words:verbatim (the sample company's name)
			KeyJournalCode:                cashsim.SampleJournal,
			KeyCostCentres:                "SHOP=SHP, ROAST=RST, WHOLESALE=WHS, TRAINING=TRN",
			KeyCostTypes:                  "EMPLOYER-NI=EMPNI",
			mapCompanyPrefix + "HLCR":     cashsim.SampleAdmin,
			mapJournalCodePrefix + "HLCR": cashsim.SampleJournal,
			// The sample's payroll journal is what CASH takes.
			"sync.upload.journal": "new",
		},
		Limits: connectors.Limits{PerMinute: 6000, Concurrent: 1},
	}
}

func simulator(opts connectors.SimulatorOptions) (connectors.Simulator, error) {
	var o []cashsim.Option
	if opts.StateFile != "" {
		o = append(o, cashsim.WithStateFile(opts.StateFile))
	}
	if opts.Logger != nil {
		o = append(o, cashsim.WithLogger(opts.Logger))
	}
	return cashsim.New(o...)
}
