package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
)

// productRegistry registers the accounting packages this build ships.
// The Sandbox needs nothing different here: each connector reads
// Config.Sandbox when it is opened.
func productRegistry(bool) (*connectors.Registry, error) {
	reg := connectors.NewRegistry()
	def := xero.Definition()
	def.Login = xeroLogin
	def.Disconnect = xeroDisconnect
	if err := reg.Register(def); err != nil {
		return nil, err
	}
	return reg, nil
}

// xeroLogin adapts Xero's sign-in to the registry's Login. A custom
// connection (a client secret is kept in the keyring) signs in with its
// client ID and secret alone: there is no browser page to go through, and
// the browser sign-in would not accept it.
func xeroLogin(ctx context.Context, cfg connectors.Config, openBrowser func(string) error) ([]connectors.Organisation, error) {
	// The Sandbox signs in with the simulator's own credentials: it needs
	// no keyring, so it works on a machine without one.
	custom := false
	if !cfg.Sandbox {
		var err error
		if custom, err = hasClientSecret(ctx, cfg); err != nil {
			return nil, err
		}
	}
	var tenants []xero.Tenant
	if custom {
		conn, err := xero.Open(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if tenants, err = conn.Connections(ctx); err != nil {
			return nil, err
		}
	} else {
		tokens, err := xero.Login(ctx, cfg, openBrowser)
		if err != nil {
			return nil, err
		}
		tenants = tokens.Tenants
	}
	orgs := make([]connectors.Organisation, 0, len(tenants))
	for _, t := range tenants {
		orgs = append(orgs, connectors.Organisation{ID: t.TenantID, Name: t.Name, Settings: map[string]string{
			xero.KeyTenantID:     t.TenantID,
			xero.KeyOrganisation: t.Name,
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
	v, err := cfg.Secrets.Get(ctx, xero.SecretClientSecret)
	switch {
	case errors.Is(err, connectors.ErrSecretNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("reading the Xero client secret from the system keyring: %w", err)
	}
	return strings.TrimSpace(v) != "", nil
}

// xeroDisconnect removes LedgerLink's connection to the module's
// organisation in Xero and forgets the sign-in.
func xeroDisconnect(ctx context.Context, cfg connectors.Config) error {
	conn, err := xero.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	tenants, err := conn.Connections(ctx)
	if err != nil {
		return err
	}
	tenantID := cfg.Settings[xero.KeyTenantID]
	for _, t := range tenants {
		if t.TenantID == tenantID || (tenantID == "" && len(tenants) == 1) {
			if err := conn.Disconnect(ctx, t.ConnectionID); err != nil {
				return err
			}
			break
		}
	}
	if err := cfg.Secrets.Delete(ctx, xero.SecretRefreshToken); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
		return fmt.Errorf("disconnected in Xero, but the saved sign-in could not be removed from the keyring: %w", err)
	}
	return nil
}

// sandboxModule is the module the Sandbox sets up.
const sandboxModule = "xero"

// setUpSandbox installs and configures the Sandbox's Xero module against
// the simulator and imports the sample business, once. The sync matrix lets
// the sample records go both ways.
func (w *workspace) setUpSandbox(ctx context.Context, progress func(string)) error {
	if !w.sandbox {
		return fmt.Errorf("the Sandbox is not on")
	}
	if progress == nil {
		progress = func(string) {}
	}
	if _, installed, err := w.db.Installed(sandboxModule); err != nil || installed {
		return err
	}
	if err := w.modules.Install(ctx, sandboxModule, progress); err != nil {
		return err
	}
	if err := w.configureSandbox(ctx, progress); err != nil {
		// Leave no half-made Sandbox behind: the next start tries afresh.
		if uerr := w.modules.Uninstall(context.WithoutCancel(ctx), sandboxModule); uerr != nil {
			w.log.Error("could not remove the half-made Sandbox", "err", uerr)
		}
		return err
	}
	return nil
}

func (w *workspace) configureSandbox(ctx context.Context, progress func(string)) error {
	progress("Connecting to the sample organisation")
	def, _ := w.reg.Lookup(sandboxModule)
	orgs, err := def.Login(ctx, w.connectorConfig(sandboxModule, nil), nil)
	if err != nil {
		return fmt.Errorf("the Sandbox could not reach its simulated accounting package: %w", err)
	}
	values := map[string]string{xero.KeyClientID: xerosim.SandboxClientID}
	if len(orgs) > 0 {
		for k, v := range orgs[0].Settings {
			values[k] = v
		}
	}
	for _, t := range connectors.MatrixTypes() {
		values[sync.SettingKey(connectors.Upload, t)] = "new+updated"
		values[sync.SettingKey(connectors.Mirror, t)] = "new+updated"
	}
	values[sync.TimingModeKey] = string(sync.ModeDisabled)
	values[sync.SettingMultiCurrency] = "true"
	// The sample payments need invoices Xero has approved.
	values[xero.KeyAuthorised] = "true"
	if _, err := w.modules.Apply(ctx, sandboxModule, values, true); err != nil {
		return fmt.Errorf("the Sandbox could not be configured: %w", err)
	}
	progress("Importing the sample business")
	if err := importSample(ctx, w); err != nil {
		return err
	}
	progress("Reading the sample organisation's accounts and mapping the sample's codes")
	if _, err := w.engine.FetchChart(ctx, sandboxModule); err != nil {
		return err
	}
	if _, err := w.engine.ApplyDefaultSetup(ctx, w.modules, sandboxModule); err != nil {
		return err
	}
	progress("The Sandbox is ready")
	return nil
}

// importSample reads the sample business files into the workspace.
func importSample(ctx context.Context, w *workspace) error {
	sample := assets.Sample()
	entries, err := fs.ReadDir(sample, ".")
	if err != nil {
		return err
	}
	var problems []string
	for _, e := range entries {
		f, err := sample.Open(e.Name())
		if err != nil {
			return err
		}
		res, err := feed.Read(ctx, e.Name(), f, feed.Options{})
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("sample file %s: %w", e.Name(), err)
		}
		for _, p := range res.Problems {
			problems = append(problems, p.String())
		}
		if _, err := w.db.PutRecords(ctx, "sample:"+e.Name(), res.Records); err != nil {
			return fmt.Errorf("sample file %s: %w", e.Name(), err)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the sample business has problems: %s", strings.Join(problems, "; "))
	}
	return nil
}
