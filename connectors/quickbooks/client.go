package quickbooks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"ledgerlink/connectors"
	"ledgerlink/connectors/quickbooks/qbosim"
	"ledgerlink/connectors/simkit"
)

// maxResponseBytes bounds how much of an answer is read.
const maxResponseBytes = 64 << 20

// MaxPage is the largest page QuickBooks answers a query with.
const MaxPage = 1000

// BatchPerMinute is the batch endpoint's own limit per company and app,
// below the 500 a minute of all calls; the connector spaces its batch
// calls to keep inside it (the engine's pacer knows only the overall
// limits).
const BatchPerMinute = 40

// sandboxStateFile is the Sandbox simulator's file in the module's folder.
const sandboxStateFile = "quickbooks-sandbox.json"

// Option adjusts a connection; the defaults suit the real QuickBooks.
type Option func(*Conn)

// WithClock sets the clock (token expiry, the 30-day CDC window, pacing).
func WithClock(now func() time.Time) Option { return func(c *Conn) { c.now = now } }

// WithSleep sets how the connection waits between batch calls.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Conn) { c.sleep = sleep }
}

// WithPageSize sets the page size of queries (at most 1,000).
func WithPageSize(n int) Option {
	return func(c *Conn) { c.pageSize = min(max(n, 1), MaxPage) }
}

// WithoutAnswersAsReadBack makes every Get ask QuickBooks, instead of
// taking a record just written from QuickBooks's answer to the write.
func WithoutAnswersAsReadBack() Option { return func(c *Conn) { c.noFresh = true } }

// WithBatchPerMinute sets the batch calls allowed a minute (0: no pacing).
func WithBatchPerMinute(n int) Option { return func(c *Conn) { c.batchPerMinute = n } }

// Conn is an open connection to one QuickBooks company. It implements
// connectors.Connection, Lister, Writer, Reader, Linker, Explainer and
// Closer, and is safe for concurrent use.
type Conn struct {
	s              settings
	hc             *http.Client
	tokens         tokenSource
	log            *slog.Logger
	now            func() time.Time
	sleep          func(ctx context.Context, d time.Duration) error
	pageSize       int
	batchPerMinute int
	batchPace      *rate.Limiter
	pace           sync.Mutex
	realmMu        sync.Mutex
	realm          string // the company's realmId; use realmID()
	noFresh        bool
	sim            *qbosim.Sim
	calls          atomic.Int64

	refs *refCache
	// fresh keeps, for one Get, what QuickBooks answered to this
	// connection's own writes: the saved entity as the package holds it.
	freshMu sync.Mutex
	fresh   map[string]freshEntry
	// answered remembers the outcome of each write key this connection
	// sent, so a repeated key is answered without a second write.
	answered map[string]connectors.WriteResult
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
		s: s, hc: httpClient(cfg), log: cfg.Logger, now: time.Now, sleep: sleepCtx,
		pageSize: MaxPage, batchPerMinute: BatchPerMinute, realm: s.realmID,
		fresh: map[string]freshEntry{}, answered: map[string]connectors.WriteResult{},
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, o := range opts {
		o(c)
	}
	if cfg.Sandbox {
		if err := c.openSandbox(ctx, cfg); err != nil {
			return nil, err
		}
	} else {
		if s.clientID == "" {
			return nil, own.Fail(nil, "quickbooks.account.no_client_id")
		}
		secret, err := readSecret(ctx, cfg.Secrets, SecretClientSecret)
		if err != nil {
			return nil, err
		}
		if secret == "" {
			return nil, own.Fail(nil, "quickbooks.account.no_client_secret")
		}
		c.tokens = &rotatingTokens{conf: oauthConfig(s, secret), secrets: cfg.Secrets, hc: c.hc, now: c.now, log: c.log}
	}
	if c.batchPerMinute > 0 {
		// A bucket of b calls refilled at r a second lets b + 60r through
		// in any minute: a quarter as burst, the rest spread out.
		burst := max(c.batchPerMinute/4, 1)
		c.batchPace = rate.NewLimiter(rate.Limit(float64(c.batchPerMinute-burst)/60), burst)
	}
	c.refs = newRefCache(c)
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// openSandbox points the connection at the simulator: inside this process
// (its state kept in the module's folder) unless the sandbox API address
// is a simulator on this computer.
func (c *Conn) openSandbox(ctx context.Context, cfg connectors.Config) error {
	api := strings.TrimSpace(cfg.Settings[KeySandboxAPIURL])
	if api == "" || api == DefaultSandboxAPIURL {
		opts := []qbosim.Option{qbosim.WithSamplePayments(), qbosim.WithLimits(qbosim.Limits{PerMinute: 5000, Concurrent: 10, BatchPerMinute: 1000, RefreshGraceFor: 24 * time.Hour})}
		if cfg.DataDir != "" {
			opts = append(opts, qbosim.WithStateFile(filepath.Join(cfg.DataDir, sandboxStateFile)))
		}
		sim, err := qbosim.New(opts...)
		if err != nil {
			return fmt.Errorf("starting the QuickBooks Sandbox: %w", err)
		}
		c.sim, c.hc, c.batchPerMinute = sim, simkit.Client(cfg.HTTPClient, sim), 0
		base, _ := url.Parse(qbosim.InProcessURL)
		c.s.api = base
		c.s.token = base.JoinPath("/oauth2/v1/tokens/bearer")
		c.s.auth = base.JoinPath("/connect/oauth2")
		c.s.revoke = base.JoinPath("/v2/oauth2/tokens/revoke")
		c.s.clientID = qbosim.SandboxClientID
		if c.realm == "" {
			c.realm = qbosim.SandboxRealmID
		}
		store := &memSecrets{vals: map[string]string{SecretRefreshToken: sim.IssueTokens(c.realm)}}
		c.tokens = &rotatingTokens{conf: oauthConfig(c.s, qbosim.SandboxClientSecret), secrets: store, hc: c.hc, now: c.now, log: c.log}
		return nil
	}
	if err := own.CheckSandboxHost(Definition(), KeySandboxAPIURL, c.s.api.Hostname()); err != nil {
		return err
	}
	c.s.clientID = qbosim.SandboxClientID
	c.s.redirect = "http://127.0.0.1:9/callback"
	c.tokens = &sandboxSignIn{c: c, store: &memSecrets{vals: map[string]string{}}}
	return nil
}

// sandboxSignIn signs in to a simulator on this computer with no person:
// its authorise page redirects at once, and the code is taken from there.
type sandboxSignIn struct {
	c     *Conn
	store *memSecrets
	once  sync.Mutex
	inner tokenSource
}

func (t *sandboxSignIn) invalidate() {
	t.once.Lock()
	defer t.once.Unlock()
	if t.inner != nil {
		t.inner.invalidate()
	}
}

func (t *sandboxSignIn) accessToken(ctx context.Context) (string, error) {
	t.once.Lock()
	if t.inner == nil {
		conf := oauthConfig(t.c.s, qbosim.SandboxClientSecret)
		state, _ := randomState()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, conf.AuthCodeURL(state), nil)
		if err != nil {
			t.once.Unlock()
			return "", err
		}
		hc := *t.c.hc
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := hc.Do(req)
		if err != nil {
			t.once.Unlock()
			return "", temporary(err, "quickbooks.temporary.simulator")
		}
		resp.Body.Close()
		l, err := parseLanding(resp.Header.Get("Location"))
		if err == nil {
			err = l.check(state)
		}
		if err != nil {
			t.once.Unlock()
			return "", fmt.Errorf("signing in to the QuickBooks simulator: %w", err)
		}
		t.c.realmMu.Lock()
		t.c.realm = l.realmID
		t.c.realmMu.Unlock()
		inner := &rotatingTokens{conf: conf, secrets: t.store, hc: t.c.hc, now: t.c.now, log: t.c.log}
		tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, t.c.hc), l.code)
		if err != nil {
			t.once.Unlock()
			return "", tokenError(ctx, err)
		}
		_ = t.store.Set(ctx, SecretRefreshToken, tok.RefreshToken)
		t.inner = inner
	}
	inner := t.inner
	t.once.Unlock()
	return inner.accessToken(ctx)
}

func httpClient(cfg connectors.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// realmID is the company's realmId.
func (c *Conn) realmID() string {
	c.realmMu.Lock()
	defer c.realmMu.Unlock()
	return c.realm
}

// Close releases the Sandbox simulator, saving its state.
func (c *Conn) Close() error {
	if c.sim != nil {
		return c.sim.Close()
	}
	return nil
}

// Calls counts the Accounting API requests this connection sent (sign-in
// requests excluded).
func (c *Conn) Calls() int64 { return c.calls.Load() }

// Check reads the company's details: it proves the sign-in and the company
// both work.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	if err := ctx.Err(); err != nil {
		return connectors.Identity{}, err
	}
	// The company and its preferences (for the home currency) in one call.
	res, err := c.batch(ctx, []batchItemRequest{{BID: "c", Query: "SELECT * FROM CompanyInfo"}, {BID: "p", Query: "SELECT * FROM Preferences"}}, "")
	if err != nil {
		return connectors.Identity{}, err
	}
	var infos []companyInfo
	var prefs []preferences
	for bid, into := range map[string]any{"c": &infos, "p": &prefs} {
		br := res[bid]
		if br.Fault != nil {
			return connectors.Identity{}, &APIError{Status: 400, Type: br.Fault.Type, Errors: br.Fault.Error}
		}
		if br.QueryResponse == nil {
			continue
		}
		entity := map[string]string{"c": "CompanyInfo", "p": "Preferences"}[bid]
		rows, err := rowsOf(br.QueryResponse, entity)
		if err != nil {
			return connectors.Identity{}, err
		}
		if err := decodeRows(rows, into); err != nil {
			return connectors.Identity{}, fmt.Errorf("QuickBooks's %s could not be read: %w", entity, err)
		}
	}
	if len(infos) == 0 || strings.TrimSpace(infos[0].CompanyName) == "" {
		return connectors.Identity{}, own.Fail(nil, "quickbooks.check.no_company_name")
	}
	home := ""
	if len(prefs) > 0 {
		home = prefs[0].CurrencyPrefs.HomeCurrency.id()
	}
	return connectors.Identity{Organisation: infos[0].CompanyName, Currency: home}, nil
}

// request is one call to the Accounting API, below /v3/company/{realmId}.
type request struct {
	method, path string
	query        url.Values
	body         []byte
	contentType  string
}

// send makes the call and returns a 2xx answer's body; other answers are
// the contract's errors.
func (c *Conn) send(ctx context.Context, r request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		realm := c.realmID()
		if realm == "" {
			return nil, own.Fail(nil, "quickbooks.account.no_company")
		}
		u := c.s.api.JoinPath("/v3/company/", realm, r.path)
		q := url.Values{}
		for k, v := range r.query {
			q[k] = v
		}
		q.Set("minorversion", MinorVersion)
		u.RawQuery = q.Encode()
		var body io.Reader
		if r.body != nil {
			body = bytes.NewReader(r.body)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if r.body != nil {
			ct := r.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
		}
		c.calls.Add(1)
		resp, err := c.hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, temporary(fmt.Errorf("%s %s: %w", r.method, r.path, err), "quickbooks.temporary.no_answer")
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, temporary(fmt.Errorf("%s %s: %w", r.method, r.path, err), "quickbooks.temporary.cut_off")
		}
		if tid := resp.Header.Get("intuit_tid"); tid != "" && resp.StatusCode >= 400 {
			c.log.Info("quickbooks: refused", "status", resp.StatusCode, "path", r.path, "intuit_tid", tid)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if f, ok := parseFault(data); ok {
				if isThrottle(f) {
					return nil, answerError(http.StatusTooManyRequests, resp.Header, data, c.now())
				}
				return nil, &APIError{Status: resp.StatusCode, Type: f.Type, Errors: f.Error}
			}
			return data, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			// The access token may have expired early: renew it once.
			c.tokens.invalidate()
			continue
		}
		return nil, answerError(resp.StatusCode, resp.Header, data, c.now())
	}
}

func (c *Conn) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	data, err := c.send(ctx, request{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("QuickBooks's answer to %s could not be read: %w", path, err)
	}
	return nil
}

// query runs one query and returns its QueryResponse.
func (c *Conn) query(ctx context.Context, text string) (*queryResponse, error) {
	var env struct {
		QueryResponse *queryResponse `json:"QueryResponse"`
	}
	if err := c.getJSON(ctx, "/query", url.Values{"query": {text}}, &env); err != nil {
		return nil, err
	}
	if env.QueryResponse == nil {
		return &queryResponse{lists: map[string]json.RawMessage{}}, nil
	}
	return env.QueryResponse, nil
}

// queryAll pages through a query (STARTPOSITION/MAXRESULTS) and hands each
// page's raw rows of entity to fn. A page shorter than asked is the last;
// QuickBooks may answer more rows than asked, so the count, not the page
// size, moves the start on.
func (c *Conn) queryAll(ctx context.Context, entity, where string, fn func([]json.RawMessage) error) error {
	start := 1
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		text := "SELECT * FROM " + entity
		if where != "" {
			text += " WHERE " + where
		}
		text += fmt.Sprintf(" ORDERBY Id STARTPOSITION %d MAXRESULTS %d", start, c.pageSize)
		qr, err := c.query(ctx, text)
		if err != nil {
			return err
		}
		rows, err := rowsOf(qr, entity)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		if len(rows) < c.pageSize {
			return nil
		}
		start += len(rows)
	}
}

func rowsOf(qr *queryResponse, entity string) ([]json.RawMessage, error) {
	raw, ok := qr.lists[entity]
	if !ok {
		return nil, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("QuickBooks's list of %s could not be read: %w", entity, err)
	}
	return rows, nil
}

// batch sends up to 30 operations in one call, spaced to keep inside the
// batch endpoint's own limit. requestID makes a repeat of the same batch
// answer the first answer again instead of writing twice.
func (c *Conn) batch(ctx context.Context, items []batchItemRequest, requestID string) (map[string]batchItemResponse, error) {
	if len(items) == 0 {
		return map[string]batchItemResponse{}, nil
	}
	if len(items) > BatchSize {
		return nil, fmt.Errorf("a QuickBooks batch carries at most %d operations, not %d", BatchSize, len(items)) // words:log: callers split batches first; a programming error
	}
	if err := c.paceBatch(ctx); err != nil {
		return nil, err
	}
	body, err := json.Marshal(map[string]any{"BatchItemRequest": items})
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if requestID != "" {
		q.Set("requestid", requestID)
	}
	data, err := c.send(ctx, request{method: http.MethodPost, path: "/batch", query: q, body: body})
	if err != nil {
		return nil, err
	}
	var env struct {
		BatchItemResponse []batchItemResponse `json:"BatchItemResponse"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, temporary(err, "quickbooks.temporary.batch_unreadable")
	}
	out := make(map[string]batchItemResponse, len(env.BatchItemResponse))
	for _, r := range env.BatchItemResponse {
		out[r.BID] = r
	}
	return out, nil
}

func (c *Conn) paceBatch(ctx context.Context) error {
	if c.batchPace == nil || c.batchPerMinute <= 0 {
		return nil
	}
	c.pace.Lock()
	now := c.now()
	d := c.batchPace.ReserveN(now, 1).DelayFrom(now)
	c.pace.Unlock()
	if d <= 0 {
		return nil
	}
	return c.sleep(ctx, d)
}

// requestID derives a batch's requestid (at most 36 characters) from its
// contents' keys, so the same batch sent again is recognised.
func requestID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// RecordURL is the address of a record in the QuickBooks web app.
func (c *Conn) RecordURL(t connectors.RecordType, remoteID string) string {
	page, param := "", "txnId"
	id := remoteID
	switch t {
	case connectors.Customers:
		page, param = "customerdetail", "nameId"
	case connectors.Suppliers:
		page, param = "vendordetail", "nameId"
	case connectors.Quotes:
		page = "estimate"
	case connectors.SalesInvoices:
		page = "invoice"
	case connectors.CreditNotes:
		page = "creditmemo"
		if v, ok := strings.CutPrefix(remoteID, vendorCreditPrefix); ok {
			page, id = "vendorcredit", v
		}
	case connectors.InvoicePayments:
		page = "recvpayment"
	case connectors.PurchaseInvoices:
		page = "bill"
	case connectors.PurchasePayments:
		page = "billpayment"
	case connectors.Journals:
		page = "journal"
	case connectors.NominalAccounts, connectors.BankAccounts:
		page, param = "register", "accountId"
	case connectors.Items:
		page, param = "items", "itemId"
	default:
		page, param = "homepage", "id"
	}
	u := c.s.app.JoinPath("/app/", page)
	q := url.Values{param: {id}}
	if realm := c.realmID(); realm != "" {
		q.Set("companyId", realm)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
