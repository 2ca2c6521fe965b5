package xero

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"ledgerlink/connectors"
	"ledgerlink/connectors/oauthkit"
	"ledgerlink/connectors/simkit"
	"ledgerlink/connectors/xero/xerosim"
	"ledgerlink/words"
)

// maxRequestBytes keeps each write well under Xero's request-size limit;
// a batch whose JSON is larger is split.
const maxRequestBytes = 3 << 20

// maxResponseBytes bounds how much of an answer is read.
const maxResponseBytes = 64 << 20

// sandboxStateFile is the Sandbox simulator's file in the module's folder.
const sandboxStateFile = "xero-sandbox.json"

// Option adjusts a connection; the defaults suit the real Xero.
type Option func(*Conn)

// WithClock sets the clock used for token expiry and rate-limit answers.
func WithClock(now func() time.Time) Option { return func(c *Conn) { c.now = now } }

// WithMaxRequestBytes sets the size above which a batch is split.
func WithMaxRequestBytes(n int) Option { return func(c *Conn) { c.maxRequest = n } }

// WithPageSize sets the page size asked for in listings that take one
// (Xero allows up to 1,000).
func WithPageSize(n int) Option { return func(c *Conn) { c.pageSize = n } }

// Conn is an open connection to one Xero organisation. It implements
// connectors.Connection, Lister, Writer, Reader, Linker, Explainer and
// Closer, and is safe for concurrent use.
type Conn struct {
	settings   settings
	hc         *http.Client
	tokens     tokenProvider
	log        *slog.Logger
	now        func() time.Time
	usage      *usageMeter
	maxRequest int
	pageSize   int
	sim        *xerosim.Sim // the in-process Sandbox simulator, if any

	mu       sync.Mutex
	tenantID string
	org      *organisation
	// groups are the IDs of LedgerLink's role contact groups by name.
	groups map[string]string
	// roleQueue holds saved contacts still to join their role's group.
	roleQueue map[connectors.RecordType][]string
}

var (
	_ connectors.Connection = (*Conn)(nil)
	_ connectors.Lister     = (*Conn)(nil)
	_ connectors.Writer     = (*Conn)(nil)
	_ connectors.Reader     = (*Conn)(nil)
	_ connectors.Linker     = (*Conn)(nil)
	_ connectors.Explainer  = (*Conn)(nil)
	_ connectors.Closer     = (*Conn)(nil)
)

// Open prepares a connection; it does no I/O until first used (except, in
// the Sandbox, loading the simulator's saved state).
func Open(ctx context.Context, cfg connectors.Config, opts ...Option) (*Conn, error) {
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{
		settings:   s,
		hc:         httpClient(cfg),
		log:        cfg.Logger,
		now:        time.Now,
		usage:      newUsageMeter(),
		maxRequest: maxRequestBytes,
		pageSize:   listPageSize,
		tenantID:   s.tenantID,
		groups:     map[string]string{},
		roleQueue:  map[connectors.RecordType][]string{},
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, o := range opts {
		o(c)
	}

	switch {
	case cfg.Sandbox:
		if err := c.openSandbox(cfg); err != nil {
			return nil, err
		}
	default:
		secret := ""
		if cfg.Secrets != nil {
			v, err := cfg.Secrets.Get(ctx, SecretClientSecret)
			switch {
			case err == nil:
				secret = strings.TrimSpace(v)
			case !errors.Is(err, connectors.ErrSecretNotFound):
				return nil, fmt.Errorf("reading the Xero client secret from the system keyring: %w", err)
			}
		}
		if s.clientID == "" {
			return nil, own.Fail(nil, "xero.account.no_client_id")
		}
		if secret != "" {
			c.tokens = c.customConnection(s.clientID, secret)
		} else {
			c.tokens = &rotatingTokens{
				conf:    oauthConfig(s.endpoints, s.clientID, s.scopes, ""),
				secrets: cfg.Secrets, hc: c.hc, now: c.now, log: c.log,
				kept: oauthkit.Kept{Lifetime: tokenLifetime},
			}
		}
	}
	return c, nil
}

// openSandbox points the connection at the simulator: a loopback one when
// the API address says so, otherwise one inside this process whose state
// is kept in the module's folder.
func (c *Conn) openSandbox(cfg connectors.Config) error {
	// The Sandbox uses its in-process simulator unless pointed at another
	// one on this computer; the default (real Xero) address means "not set".
	if api := strings.TrimSpace(cfg.Settings[KeyAPIURL]); api == "" || api == DefaultAPIURL {
		// The in-process Sandbox allows ten times Xero's calls a minute so
		// that trying LedgerLink is quick (the engine paces it by
		// Sandbox.Limits); every simulator reached over the network keeps
		// Xero's own.
		sandboxLimits := sandbox().Limits
		opts := []xerosim.Option{xerosim.WithSandboxPayments(), xerosim.WithRateLimits(xerosim.RateLimits{
			PerMinute: sandboxLimits.PerMinute, PerDay: sandboxLimits.PerDay,
			Concurrent: sandboxLimits.Concurrent, AppPerMinute: 10000,
		})}
		if cfg.DataDir != "" {
			opts = append(opts, xerosim.WithStateFile(filepath.Join(cfg.DataDir, sandboxStateFile)))
		}
		sim, err := xerosim.New(opts...)
		if err != nil {
			return fmt.Errorf("starting the Xero Sandbox: %w", err)
		}
		c.sim = sim
		c.hc = simkit.Client(cfg.HTTPClient, sim)
		// The sample business has customers paying in euros.
		if err := sim.EnableCurrency(sim.DefaultTenantID(), "EUR"); err != nil {
			return fmt.Errorf("starting the Xero Sandbox: %w", err)
		}
		base, _ := url.Parse(xerosim.InProcessURL)
		api, _ := url.Parse(xerosim.InProcessURL + "/api.xro/2.0")
		c.settings.endpoints = endpoints{api: api, identity: base, login: base}
		if c.tenantID == "" {
			c.tenantID = sim.DefaultTenantID()
		}
	} else if err := own.CheckSandboxHost(Definition(), KeyAPIURL, c.settings.endpoints.api.Hostname()); err != nil {
		return err
	}
	c.tokens = c.customConnection(xerosim.SandboxClientID, xerosim.SandboxClientSecret)
	return nil
}

func (c *Conn) customConnection(id, secret string) tokenProvider {
	return &clientCredentialTokens{
		conf: &clientcredentials.Config{
			ClientID: id, ClientSecret: secret,
			TokenURL:  c.settings.endpoints.tokenURL(),
			AuthStyle: oauth2.AuthStyleInHeader,
			// A custom connection is granted its scopes in the Xero
			// developer portal; asking for them again is allowed.
			Scopes: strings.Fields(strings.ReplaceAll(c.settings.scopes, "offline_access", "")),
		},
		hc: c.hc, now: c.now, kept: oauthkit.Kept{Lifetime: tokenLifetime},
	}
}

func httpClient(cfg connectors.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// closeTimeout bounds the calls Close still makes.
const closeTimeout = 30 * time.Second

// Close records the roles of contacts still gathered, then releases the
// Sandbox simulator, saving its state.
func (c *Conn) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	c.flushRoles(ctx)
	cancel()
	c.mu.Lock()
	left := len(c.roleQueue[connectors.Customers]) + len(c.roleQueue[connectors.Suppliers])
	c.roleQueue = map[connectors.RecordType][]string{}
	c.mu.Unlock()
	if left > 0 {
		c.log.Warn("xero: the contacts were saved but their role could not be recorded in their contact group; it is recorded at their next update", "contacts", left)
	}
	if c.sim != nil {
		return c.sim.Close()
	}
	return nil
}

// Usage reports the calls made and the allowance Xero last reported.
func (c *Conn) Usage() Usage { return c.usage.snapshot() }

// Check reads the organisation; it proves the sign-in and the chosen
// organisation both work.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	org, err := c.fetchOrganisation(ctx)
	if err != nil {
		return connectors.Identity{}, err
	}
	return connectors.Identity{Organisation: org.Name, Currency: org.BaseCurrency}, nil
}

// organisation returns the organisation, read once per connection.
func (c *Conn) organisation(ctx context.Context) (organisation, error) {
	c.mu.Lock()
	org := c.org
	c.mu.Unlock()
	if org != nil {
		return *org, nil
	}
	return c.fetchOrganisation(ctx)
}

func (c *Conn) fetchOrganisation(ctx context.Context) (organisation, error) {
	var env envelope
	if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/Organisation"}, &env); err != nil {
		return organisation{}, err
	}
	if len(env.Organisations) == 0 {
		return organisation{}, own.Fail(nil, "xero.check.no_organisation")
	}
	org := env.Organisations[0]
	c.mu.Lock()
	c.org = &org
	c.mu.Unlock()
	return org, nil
}

// Connections lists the organisations the sign-in reaches.
func (c *Conn) Connections(ctx context.Context) ([]Tenant, error) {
	tok, err := c.tokens.accessToken(ctx)
	if err != nil {
		return nil, err
	}
	return listConnections(ctx, c.hc, c.settings.endpoints, tok)
}

// Disconnect removes a connection (DELETE /connections/{id}): LedgerLink
// can no longer reach that organisation until someone signs in again.
func (c *Conn) Disconnect(ctx context.Context, connectionID string) error {
	if strings.TrimSpace(connectionID) == "" {
		return own.Fail(nil, "xero.disconnect.none_chosen")
	}
	tok, err := c.tokens.accessToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.settings.endpoints.connectionsURL()+"/"+url.PathEscape(connectionID), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.hc.Do(req)
	if err != nil {
		return temporary(err, "xero.temporary.disconnect")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return statusError(resp, body)
}

// tenant returns the organisation's tenant ID, asking Xero when the
// setting is blank and the sign-in reaches exactly one organisation.
func (c *Conn) tenant(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.tenantID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	tenants, err := c.Connections(ctx)
	if err != nil {
		return "", err
	}
	var orgs []Tenant
	for _, t := range tenants {
		if t.Type == "" || strings.EqualFold(t.Type, "ORGANISATION") {
			orgs = append(orgs, t)
		}
	}
	switch len(orgs) {
	case 0:
		return "", authError("xero.auth.no_organisation")
	case 1:
		c.mu.Lock()
		c.tenantID = orgs[0].TenantID
		c.mu.Unlock()
		return orgs[0].TenantID, nil
	}
	return "", words.Errorf(nil, "xero.tenant.several")
}

// apiRequest is one call to the Accounting API.
type apiRequest struct {
	method string
	// path is below the API root, for example "/Invoices".
	path            string
	query           url.Values
	body            []byte
	idempotencyKey  string
	ifModifiedSince time.Time
}

// do sends r and decodes a 2xx answer into out. A 304 leaves out
// untouched. Errors: *APIError for a refused request, *RateLimitError,
// ErrAuth, ErrNotFound, ErrTemporary.
func (c *Conn) do(ctx context.Context, r apiRequest, out any) error {
	tenant, err := c.tenant(ctx)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		status, hdr, body, err := c.send(ctx, tenant, r)
		if err != nil {
			return err
		}
		switch {
		case status == http.StatusNotModified:
			return nil
		case status >= 200 && status < 300:
			if out == nil || len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("Xero's answer to %s %s could not be read: %w", r.method, r.path, err)
			}
			return nil
		case status == http.StatusUnauthorized && attempt == 0:
			// The access token may have expired early: renew it once.
			c.tokens.invalidate()
			continue
		case status == http.StatusUnauthorized:
			return authError("xero.auth.refused")
		case status == http.StatusForbidden:
			return authError("xero.auth.forbidden")
		case status == http.StatusNotFound:
			return fmt.Errorf("%w: %s %s", connectors.ErrNotFound, r.method, r.path)
		case status == http.StatusTooManyRequests:
			// Not retried here: the engine's pacer waits as Xero asked.
			return rateLimitFromResponse(hdr, c.now())
		case status >= 500:
			return temporary(fmt.Errorf("%d %s to %s %s", status, http.StatusText(status), r.method, r.path), "xero.temporary.server", "Status", status) // words:log: detail under the words
		default:
			return decodeAPIError(status, body)
		}
	}
}

// send makes one HTTP exchange. The HTTP client given in the Config paces
// it (the engine's pacer); a pacer's refusal (a daily limit) comes back
// as the *connectors.RateLimitError it is.
func (c *Conn) send(ctx context.Context, tenant string, r apiRequest) (int, http.Header, []byte, error) {
	tok, err := c.tokens.accessToken(ctx)
	if err != nil {
		return 0, nil, nil, err
	}
	u := c.settings.endpoints.api.JoinPath(r.path)
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("xero-tenant-id", tenant)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", r.idempotencyKey)
	}
	if !r.ifModifiedSince.IsZero() {
		req.Header.Set("If-Modified-Since", ifModifiedSince(r.ifModifiedSince))
	}
	resp, err := c.hc.Do(req)
	var rl *connectors.RateLimitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return 0, nil, nil, ctx.Err()
	case errors.As(err, &rl):
		return 0, nil, nil, rl
	default:
		c.usage.sent()
		return 0, nil, nil, temporary(fmt.Errorf("%s %s: %w", r.method, r.path, err), "xero.temporary.no_answer")
	}
	c.usage.sent()
	defer resp.Body.Close()
	c.usage.observe(resp.Header)
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return 0, nil, nil, temporary(fmt.Errorf("%s %s: %w", r.method, r.path, err), "xero.temporary.cut_off")
	}
	return resp.StatusCode, resp.Header, data, nil
}
