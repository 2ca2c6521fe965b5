package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks/qbosim"
	"ledgerlink/words"
)

// signIn is the registry's Login: the browser sign-in (none in the
// Sandbox), then the company it reached.
func signIn(ctx context.Context, cfg connectors.Config, prompt connectors.Prompt) ([]connectors.Organisation, error) {
	if cfg.Settings == nil {
		cfg.Settings = map[string]string{}
	}
	if !cfg.Sandbox {
		realm, err := Login(ctx, cfg, prompt)
		if err != nil {
			return nil, err
		}
		settings := make(map[string]string, len(cfg.Settings)+1)
		for k, v := range cfg.Settings {
			settings[k] = v
		}
		settings[KeyRealmID] = realm
		cfg.Settings = settings
	}
	conn, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	id, err := conn.Check(ctx)
	if err != nil {
		return nil, err
	}
	realm := conn.realmID()
	return []connectors.Organisation{{ID: realm, Name: id.Organisation, Settings: map[string]string{
		KeyRealmID: realm, KeyCompany: id.Organisation,
	}}}, nil
}

// disconnect revokes LedgerLink's access to the company and forgets the
// sign-in.
func disconnect(ctx context.Context, cfg connectors.Config) error {
	if cfg.Secrets == nil {
		return words.Errorf(nil, "quickbooks.disconnect.no_keyring")
	}
	s, err := readSettings(cfg)
	if err != nil {
		return err
	}
	refresh, err := readSecret(ctx, cfg.Secrets, SecretRefreshToken)
	if err != nil {
		return err
	}
	secret, err := readSecret(ctx, cfg.Secrets, SecretClientSecret)
	if err != nil {
		return err
	}
	if refresh == "" {
		return words.Errorf(nil, "quickbooks.disconnect.not_signed_in")
	}
	body, _ := json.Marshal(map[string]string{"token": refresh})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.revoke.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.clientID, secret)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient(cfg).Do(req)
	if err != nil {
		return temporary(err, "quickbooks.temporary.disconnect")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 {
		return words.Errorf(fmt.Errorf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)), "quickbooks.disconnect.refused")
	}
	if err := cfg.Secrets.Delete(ctx, SecretRefreshToken); err != nil && !errors.Is(err, connectors.ErrSecretNotFound) {
		return words.Errorf(err, "quickbooks.disconnect.keyring_delete")
	}
	return nil
}

// sandbox is how the Sandbox sets QuickBooks up: the simulator's own app,
// and ten times the minute limit because the simulator runs in-process.
func sandbox() *connectors.Sandbox {
	return &connectors.Sandbox{
		Settings: map[string]string{KeyClientID: qbosim.SandboxClientID, KeyEnvironment: Development},
		Limits:   connectors.Limits{PerMinute: 5000, Concurrent: 10},
	}
}

// simulator serves the simulator for `ledgerlink simulate quickbooks`.
func simulator(opts connectors.SimulatorOptions) (connectors.Simulator, error) {
	o := []qbosim.Option{qbosim.WithSamplePayments()}
	if opts.StateFile != "" {
		o = append(o, qbosim.WithStateFile(opts.StateFile))
	}
	if opts.Logger != nil {
		o = append(o, qbosim.WithLogger(opts.Logger))
	}
	sim, err := qbosim.New(o...)
	if err != nil {
		return nil, err
	}
	return servedSim{Sim: sim}, nil
}

type servedSim struct{ *qbosim.Sim }

func (servedSim) Describe(address string) string {
	return fmt.Sprintf(`Point the QuickBooks module at it with:
  ledgerlink config quickbooks environment="sandbox company" sandbox_api_url=%[1]s auth_url=%[1]s/connect/oauth2 token_url=%[1]s/oauth2/v1/tokens/bearer revoke_url=%[1]s/v2/oauth2/tokens/revoke client_id=%[2]s
and the client secret %[3]q; any http://127.0.0.1 redirect URI is accepted.`, address, qbosim.SandboxClientID, qbosim.SandboxClientSecret)
}

// memSecrets keeps the Sandbox's sign-in in memory: the Sandbox needs no
// keyring.
type memSecrets struct {
	mu   sync.Mutex
	vals map[string]string
}

func (m *memSecrets) Get(_ context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	if !ok {
		return "", connectors.ErrSecretNotFound
	}
	return v, nil
}

func (m *memSecrets) Set(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vals[key] = value
	return nil
}

func (m *memSecrets) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	return nil
}
