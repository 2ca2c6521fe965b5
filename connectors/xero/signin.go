package xero

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/words"
)

// signIn is the registry's Login for Xero. A custom connection (a client
// secret is kept in the keyring) signs in with its client ID and secret
// alone: there is no browser page to go through, and the browser sign-in
// would not accept it.
func signIn(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) ([]connectors.Organisation, error) {
	// The Sandbox signs in with the simulator's own credentials: it needs
	// no keyring, so it works on a machine without one.
	custom := false
	if !cfg.Sandbox {
		var err error
		if custom, err = hasClientSecret(ctx, cfg); err != nil {
			return nil, err
		}
	}
	var tenants []Tenant
	if custom {
		conn, err := Open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if tenants, err = conn.Connections(ctx); err != nil {
			return nil, err
		}
	} else {
		var open func(string) error
		if prompt != nil {
			open = prompt.OpenBrowser
		}
		tokens, err := Login(ctx, cfg, open)
		if err != nil {
			return nil, err
		}
		tenants = tokens.Tenants
	}
	orgs := make([]connectors.Organisation, 0, len(tenants))
	for _, t := range tenants {
		orgs = append(orgs, connectors.Organisation{ID: t.TenantID, Name: t.Name, Settings: map[string]string{
			KeyTenantID:     t.TenantID,
			KeyOrganisation: t.Name,
		}})
	}
	return orgs, nil
}

// hasClientSecret reports whether a Xero custom connection's client secret
// is kept in the keyring.
func hasClientSecret(ctx context.Context, cfg connectors.Config) (bool, error) {
	if cfg.Secrets == nil {
		return false, nil
	}
	v, err := cfg.Secrets.Get(ctx, SecretClientSecret)
	switch {
	case errors.Is(err, connectors.ErrSecretNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading the Xero client secret from the system keyring: %w", err)
	}
	return strings.TrimSpace(v) != "", nil
}

// disconnect removes LedgerLink's connection to the module's organisation
// in Xero and forgets the sign-in.
func disconnect(ctx context.Context, cfg connectors.Config) error {
	if cfg.Secrets == nil {
		return words.Errorf(nil, "xero.disconnect.no_keyring")
	}
	conn, err := Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	tenants, err := conn.Connections(ctx)
	if err != nil {
		return err
	}
	tenantID := cfg.Settings[KeyTenantID]
	for _, t := range tenants {
		if t.TenantID == tenantID || (tenantID == "" && len(tenants) == 1) {
			if err := conn.Disconnect(ctx, t.ConnectionID); err != nil {
				return err
			}
			break
		}
	}
	if err := cfg.Secrets.Delete(ctx, SecretRefreshToken); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
		return words.Errorf(err, "xero.disconnect.keyring_delete")
	}
	return nil
}

// sandbox is how the Sandbox sets Xero up: the simulator's custom
// connection, approved invoices so the sample payments have something to
// pay, and ten times Xero's minute limit because the simulator runs in
// this process and need not be spared.
func sandbox() *connectors.Sandbox {
	return &connectors.Sandbox{
		Settings: map[string]string{
			KeyClientID:      xerosim.SandboxClientID,
			KeyAuthorised:    "true",
			KeyMultiCurrency: "true",
		},
		Limits: connectors.Limits{PerMinute: 600, Concurrent: 5, PerDay: 50000},
	}
}

// simulator serves Xero's simulator for `ledgerlink simulate xero`.
func simulator(opts connectors.SimulatorOptions) (connectors.Simulator, error) {
	var o []xerosim.Option
	if opts.StateFile != "" {
		o = append(o, xerosim.WithStateFile(opts.StateFile))
	}
	if opts.Logger != nil {
		o = append(o, xerosim.WithLogger(opts.Logger))
	}
	sim, err := xerosim.New(o...)
	if err != nil {
		return nil, err
	}
	return servedSim{sim}, nil
}

type servedSim struct{ *xerosim.Sim }

func (servedSim) Describe(address string) string {
	return fmt.Sprintf(`Point the Xero module at it with:
  ledgerlink config xero api_url=%[1]s/api.xro/2.0 identity_url=%[1]s login_url=%[1]s`, address)
}
