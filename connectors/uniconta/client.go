package uniconta

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta/unicontasim"
	"ledgerlink/words"
)

// maxResponseBytes bounds how much of an answer is read.
const maxResponseBytes = 64 << 20

// sandboxStateFile is the Sandbox simulator's file in the module's folder.
const sandboxStateFile = "uniconta-sandbox.json"

// listPage is how many rows one Query/Get asks for.
const listPage = 500

// Option adjusts a connection; the defaults suit the real Uniconta.
type Option func(*Conn)

// WithClock sets the clock for token expiry and the day's call count.
func WithClock(now func() time.Time) Option { return func(c *Conn) { c.now = now } }

// WithPageSize sets how many rows one query asks for.
func WithPageSize(n int) Option { return func(c *Conn) { c.pageSize = n } }

// Conn is an open connection to one Uniconta company. It implements
// connectors.Connection, Lister, Writer, Reader, Explainer and Closer and
// is safe for concurrent use.
type Conn struct {
	settings settings
	password string
	hc       *http.Client
	log      *slog.Logger
	now      func() time.Time
	pageSize int
	sim      *unicontasim.Sim

	tokMu  sync.Mutex
	tok    tokens
	loginN int

	mu       sync.Mutex
	company  *companyInfo
	custom   map[string]string // custom debtor field name → Uniconta type
	groups   map[string]string // default debtor/creditor group by entity
	usage    Usage
	lastItem time.Time
}

var (
	_ connectors.Connection = (*Conn)(nil)
	_ connectors.Lister     = (*Conn)(nil)
	_ connectors.Writer     = (*Conn)(nil)
	_ connectors.Reader     = (*Conn)(nil)
	_ connectors.Explainer  = (*Conn)(nil)
	_ connectors.Closer     = (*Conn)(nil)
)

// Usage is the day's use of Uniconta's call allowance, as LedgerLink
// counts it (Uniconta shows no counter through the WebAPI).
type Usage struct {
	Day   string // YYYY-MM-DD, UTC
	Calls int
	// Allowance is the free calls a day of a standard package.
	Allowance int
}

type tokens struct {
	access  string
	refresh string
	expires time.Time
}

type companyInfo struct {
	ID       int    `json:"Id"`
	Name     string `json:"CompanyName"`
	Currency string `json:"Currency"`
}

// Open prepares a connection; it does no I/O until first used (except, in
// the Sandbox, loading the simulator's saved state).
func Open(ctx context.Context, cfg connectors.Config, opts ...Option) (*Conn, error) {
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{settings: s, hc: cfg.HTTPClient, log: cfg.Logger, now: time.Now, pageSize: listPage, groups: map[string]string{}}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 2 * time.Minute}
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, o := range opts {
		o(c)
	}
	if cfg.Sandbox {
		return c, c.openSandbox(cfg)
	}
	if s.username == "" {
		return nil, own.Fail(nil, "uniconta.signin.enter_username")
	}
	if s.companyID == 0 {
		return nil, own.Fail(nil, "uniconta.signin.enter_company")
	}
	c.password, err = readSecret(ctx, cfg, SecretPassword)
	if err != nil {
		return nil, err
	}
	if c.password == "" {
		return nil, own.Fail(nil, "uniconta.signin.enter_password")
	}
	return c, nil
}

func readSecret(ctx context.Context, cfg connectors.Config, key string) (string, error) {
	if cfg.Secrets == nil {
		return "", own.Fail(nil, "uniconta.signin.keyring_unreadable")
	}
	v, err := cfg.Secrets.Get(ctx, key)
	switch {
	case err == nil:
		return strings.TrimSpace(v), nil
	case errors.Is(err, connectors.ErrSecretNotFound):
		return "", nil
	}
	return "", fmt.Errorf("reading the Uniconta %s from the system keyring: %w", key, err)
}

// openSandbox points the connection at the simulator: one on this
// computer when the address says so, otherwise one inside this process
// whose state is kept in the module's folder.
func (c *Conn) openSandbox(cfg connectors.Config) error {
	if api := strings.TrimSpace(cfg.Settings[KeyAPIURL]); api == "" || api == DefaultAPIURL {
		// The Sandbox delivers change notices to a modification URL a
		// person registers in it, as Uniconta does.
		opts := []unicontasim.Option{unicontasim.WithAutoDelivery(2 * time.Second)}
		if cfg.DataDir != "" {
			opts = append(opts, unicontasim.WithStateFile(filepath.Join(cfg.DataDir, sandboxStateFile)))
		}
		sim, err := unicontasim.New(opts...)
		if err != nil {
			return fmt.Errorf("starting the Uniconta Sandbox: %w", err)
		}
		c.sim = sim
		c.hc = sim.Client()
		c.settings.api, _ = url.Parse(unicontasim.InProcessURL)
	} else if err := own.CheckSandboxHost(Definition(), KeyAPIURL, c.settings.api.Hostname()); err != nil {
		return err
	}
	if c.settings.username == "" {
		c.settings.username = unicontasim.SandboxUser
	}
	if c.settings.companyID == 0 {
		c.settings.companyID = unicontasim.SandboxCompany
	}
	c.password = unicontasim.SandboxPassword
	return nil
}

// Close releases the Sandbox simulator, saving its state.
func (c *Conn) Close() error {
	if c.sim != nil {
		return c.sim.Close()
	}
	return nil
}

// Usage reports the calls made today (UTC, when Uniconta's counter resets).
func (c *Conn) Usage() Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.usage
	if u.Day != c.now().UTC().Format(time.DateOnly) {
		u = Usage{Day: c.now().UTC().Format(time.DateOnly)}
	}
	u.Allowance = unicontasim.FreeCallsPerDay
	return u
}

func (c *Conn) countCall() {
	c.mu.Lock()
	defer c.mu.Unlock()
	day := c.now().UTC().Format(time.DateOnly)
	if c.usage.Day != day {
		c.usage = Usage{Day: day}
	}
	c.usage.Calls++
}

// Check signs in and opens the company; it proves the four credentials
// work together. When a modification URL is set it also reads its row and
// reports a ticked "Has errors" as a *ChangeLinkError.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	co, err := c.changeCompany(ctx)
	if err != nil {
		return connectors.Identity{}, err
	}
	id := connectors.Identity{Organisation: co.Name, Currency: co.Currency}
	if c.settings.tag != "" {
		tags, err := c.CustomerTags(ctx)
		if err != nil {
			return id, err
		}
		if !slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, c.settings.tag) }) {
			return id, &TagError{Tag: c.settings.tag, Known: tags}
		}
	}
	if c.settings.notifyURL != "" {
		link, err := c.ChangeLink(ctx)
		if err != nil {
			return id, err
		}
		if link.HasError {
			return id, &ChangeLinkError{Message: link.ErrorMessage, URL: link.URL}
		}
	}
	return id, nil
}

func (c *Conn) changeCompany(ctx context.Context) (companyInfo, error) {
	var co companyInfo
	if err := c.call(ctx, http.MethodGet, "/Company/ChangeCompany/"+strconv.Itoa(c.settings.companyID), nil, &co); err != nil {
		var ue *Error
		if errors.As(err, &ue) && ue.Code == "NoCompanyId" {
			return co, fmt.Errorf("%w: %w", connectors.ErrAuth, companyError(c.settings.companyID))
		}
		return co, err
	}
	if co.Name == "" {
		co.Name = own.English().T("uniconta.signin.company_named", "ID", strconv.Itoa(c.settings.companyID))
	}
	c.mu.Lock()
	c.company = &co
	c.mu.Unlock()
	return co, nil
}

// ---- tokens ----

type loginAnswer struct {
	Token              string `json:"token"`
	RefreshToken       string `json:"refreshToken"`
	RefreshTokenExpiry string `json:"refreshTokenExpiry"`
}

// loginUsername is the WebAPI's username with the company in front
// ("00<Firma ID>/<login id>"), so that a wrong Firma ID is told apart.
func loginUsername(user string, company int) string {
	if company == 0 {
		return user
	}
	return "00" + strconv.Itoa(company) + "/" + user
}

// login signs in with the login id and password.
func (c *Conn) login(ctx context.Context, company int) (tokens, error) {
	body, _ := json.Marshal(map[string]string{"Username": loginUsername(c.settings.username, company), "Password": c.password})
	status, data, err := c.send(ctx, http.MethodPost, "/login", body, "")
	if err != nil {
		return tokens{}, err
	}
	c.mu.Lock()
	c.loginN++
	c.mu.Unlock()
	return c.readTokens(status, data, company)
}

func (c *Conn) readTokens(status int, data []byte, company int) (tokens, error) {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return tokens{}, fmt.Errorf("%w: %w", connectors.ErrAuth, ErrUserOrPassword)
	case status == http.StatusTooManyRequests:
		return tokens{}, rateLimit(data, c.now)
	case status >= 500:
		return tokens{}, fmt.Errorf("%w: Uniconta's sign-in answered %d %s", connectors.ErrTemporary, status, http.StatusText(status))
	case status != http.StatusOK:
		return tokens{}, own.Fail(nil, "uniconta.signin.answered", "Status", status, "Answer", snippet(data))
	}
	ans, code, err := parseLoginAnswer(data)
	if err != nil {
		return tokens{}, err
	}
	if code != "" {
		if code == "NoCompanyId" {
			return tokens{}, fmt.Errorf("%w: %w", connectors.ErrAuth, companyError(company))
		}
		return tokens{}, fmt.Errorf("%w: %w", connectors.ErrAuth, &Error{Code: code})
	}
	return tokens{access: ans.Token, refresh: ans.RefreshToken, expires: tokenExpiry(ans.Token, c.now())}, nil
}

// accessToken returns a valid access token, refreshing or signing in again.
func (c *Conn) accessToken(ctx context.Context) (string, error) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.tok.access != "" && c.now().Add(2*time.Minute).Before(c.tok.expires) {
		return c.tok.access, nil
	}
	if c.tok.refresh != "" {
		body, _ := json.Marshal(c.tok.refresh)
		status, data, err := c.send(ctx, http.MethodPost, "/refresh", body, "")
		if err != nil {
			return "", err
		}
		if t, err := c.readTokens(status, data, c.settings.companyID); err == nil {
			c.tok = t
			return t.access, nil
		}
	}
	t, err := c.login(ctx, c.settings.companyID)
	if err != nil {
		return "", err
	}
	c.tok = t
	return t.access, nil
}

func (c *Conn) dropToken() {
	c.tokMu.Lock()
	c.tok.access = ""
	c.tokMu.Unlock()
}

// ---- calls ----

// call sends one WebAPI request and decodes a success into out. Business
// failures come back as *Error (with Uniconta's detail where it gives
// one); 401 once renews the token.
func (c *Conn) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		status, data, err := c.send(ctx, method, path, body, tok)
		if err != nil {
			return err
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			c.dropToken()
			continue
		}
		if err := c.statusError(status, data, method, path); err != nil {
			return err
		}
		code, err := decodeAnswer(data, out)
		if err != nil {
			return own.Fail(err, "uniconta.answer.unreadable", "Call", method+" "+path)

		}
		if code != "" {
			return c.withDetail(ctx, &Error{Code: code})
		}
		return nil
	}
}

func (c *Conn) statusError(status int, data []byte, method, path string) error {
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: Uniconta no longer accepts LedgerLink's sign-in", connectors.ErrAuth)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: Uniconta says this user may not do %s %s", connectors.ErrAuth, method, path)
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: %s %s", connectors.ErrNotFound, method, path)
	case status == http.StatusTooManyRequests:
		return rateLimit(data, c.now)
	case status >= 500:
		return fmt.Errorf("%w: Uniconta answered %d %s to %s %s", connectors.ErrTemporary, status, http.StatusText(status), method, path)
	}
	return &Error{Code: strconv.Itoa(status), Detail: snippet(data)}
}

// withDetail asks Uniconta for the words behind an error code
// (Company/GetLastError); without them the code alone is kept.
func (c *Conn) withDetail(ctx context.Context, e *Error) error {
	var detail string
	path := "/Company/GetLastError/" + strconv.Itoa(c.settings.companyID) + "&" + url.PathEscape(e.Code)
	tok, err := c.accessToken(ctx)
	if err != nil {
		return e
	}
	status, data, err := c.send(ctx, http.MethodGet, path, nil, tok)
	if err == nil && status == http.StatusOK && json.Unmarshal(data, &detail) == nil {
		e.Detail = strings.TrimSpace(detail)
	}
	return e
}

// send makes one HTTP exchange and counts it.
func (c *Conn) send(ctx context.Context, method, path string, body []byte, tok string) (int, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.settings.api.String()+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	c.countCall()
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		return 0, nil, fmt.Errorf("%w: no answer from Uniconta to %s %s: %v", connectors.ErrTemporary, method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: Uniconta's answer to %s %s was cut off: %v", connectors.ErrTemporary, method, path, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			data = []byte("Retry-After: " + ra)
		}
	}
	return resp.StatusCode, data, nil
}

func rateLimit(data []byte, now func() time.Time) error {
	wait := time.Minute
	if ra, ok := strings.CutPrefix(string(data), "Retry-After: "); ok {
		if d, ok := parseRetryAfter(ra, now()); ok {
			wait = d
		}
	}
	return &connectors.RateLimitError{RetryAfter: wait, Message: http.StatusText(http.StatusTooManyRequests)}
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// CustomerTags lists the tags Uniconta holds: its CRM groups, which carry
// the customer tag on debtors.
func (c *Conn) CustomerTags(ctx context.Context) ([]string, error) {
	var rows []struct{ Group string }
	if err := c.query(ctx, "CrmGroupClient", nil, &rows); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Group)
	}
	return out, nil
}

// TagError says the chosen customer tag is not a CRM group in Uniconta.
type TagError struct {
	Tag   string
	Known []string
}

func (e *TagError) Error() string {
	if en := own.English(); en != nil {
		return en.Error(e.said())
	}
	return e.said().Error()
}

// Unwrap gives the refusal's words, for the faces to say.
func (e *TagError) Unwrap() error { return e.said() }

func (e *TagError) said() *words.Error {
	return words.Errorf(nil, "uniconta.tag_not_group", "Tag", e.Tag, "Known", strings.Join(e.Known, ", "))
}
