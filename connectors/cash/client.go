package cash

import (
	"bytes"
	"cmp"
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
	"ledgerlink/connectors/cash/cashsim"
)

// maxResponseBytes bounds how much of an answer is read.
const maxResponseBytes = 32 << 20

// sandboxStateFile is the Sandbox simulator's file in the module's folder.
const sandboxStateFile = "cash-sandbox.json"

// Clock is the time a connection lives by: Now, and Sleep to wait between
// polls of a pending import. Tests inject one that never sleeps.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Option adjusts a connection.
type Option func(*Conn)

// WithClock sets the clock (for polling pending imports).
func WithClock(c Clock) Option { return func(conn *Conn) { conn.clock = c } }

// WithPollEvery sets how often a pending import is polled.
func WithPollEvery(d time.Duration) Option { return func(c *Conn) { c.pollEvery = d } }

// Conn is an open connection to Cash Web with one API key. It implements
// connectors.Connection, Writer, Reader, Lister (the chart of accounts),
// Explainer and Closer, and is safe for concurrent use.
type Conn struct {
	set       settings
	key       string
	hc        *http.Client
	log       *slog.Logger
	clock     Clock
	pollEvery time.Duration
	sim       *cashsim.Sim // the in-process Sandbox simulator, if any

	mu      sync.Mutex
	written []target // targets written to, for FindByCode
}

var (
	_ connectors.Connection = (*Conn)(nil)
	_ connectors.Writer     = (*Conn)(nil)
	_ connectors.Reader     = (*Conn)(nil)
	_ connectors.Lister     = (*Conn)(nil)
	_ connectors.Explainer  = (*Conn)(nil)
	_ connectors.Closer     = (*Conn)(nil)
)

// Open prepares a connection: it reads the API key from the keyring (in
// the Sandbox it starts the simulator instead) and does no network I/O.
func Open(ctx context.Context, cfg connectors.Config, opts ...Option) (*Conn, error) {
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{set: s, hc: cfg.HTTPClient, log: cfg.Logger, clock: realClock{}, pollEvery: pollEvery}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
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
		return c, nil
	}
	c.key, err = storedKey(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if c.key == "" {
		return nil, own.Fail(nil, "cash.signin.key_not_set")
	}
	return c, nil
}

func storedKey(ctx context.Context, cfg connectors.Config) (string, error) {
	if cfg.Secrets == nil {
		return "", own.Fail(nil, "cash.signin.keyring_unreachable")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := cfg.Secrets.Get(ctx, SecretAPIKey)
	switch {
	case errors.Is(err, connectors.ErrSecretNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading the CASH API key from the system keyring: %w", err)
	}
	return strings.TrimSpace(v), nil
}

// openSandbox points the connection at the simulator: one on this
// computer when the API address says so, otherwise one inside this process
// whose state is kept in the module's folder.
func (c *Conn) openSandbox(ctx context.Context, cfg connectors.Config) error {
	if api := strings.TrimSpace(cfg.Settings[KeyAPIURL]); api != "" && api != DefaultAPIURL {
		if err := own.CheckSandboxHost(Definition(), KeyAPIURL, c.set.api.Hostname()); err != nil {
			return err
		}
		key, _ := storedKey(ctx, cfg)
		c.key = cmp.Or(key, cashsim.SandboxKey)
		return nil
	}
	var opts []cashsim.Option
	if cfg.DataDir != "" {
		opts = append(opts, cashsim.WithStateFile(filepath.Join(cfg.DataDir, sandboxStateFile)))
	}
	sim, err := cashsim.New(opts...)
	if err != nil {
		return fmt.Errorf("starting the CASH Sandbox: %w", err)
	}
	c.sim = sim
	c.hc = sim.Client()
	c.set.api, _ = url.Parse(cashsim.InProcessURL + cashsim.BasePath)
	c.key = cashsim.SandboxKey
	if c.set.admin == "" {
		c.set.admin = cashsim.SampleAdmin
	}
	return nil
}

// Close releases the Sandbox simulator, saving its state.
func (c *Conn) Close() error {
	if c.sim != nil {
		return c.sim.Close()
	}
	return nil
}

// Sim is the in-process Sandbox simulator, or nil.
func (c *Conn) Sim() *cashsim.Sim { return c.sim }

// APIError is an answer of Cash Web that is not a success.
type APIError struct {
	Status int
	// Messages are CASH's own messages, word for word.
	Messages []string
}

func (e *APIError) Error() string {
	if len(e.Messages) == 0 {
		return "HTTP " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	}
	return strings.Join(e.Messages, "; ")
}

// ErrUnauthorizedAccess is CASH's 1002 answer: the API user has no
// administration linked (or not the one asked for).
var ErrUnauthorizedAccess = own.FailAs(connectors.ErrAuth, "cash.signin.unlinked")

// errUnknownKey is the plain-words refusal of an API key.
var errUnknownKey = own.FailAs(connectors.ErrAuth, "cash.signin.unknown_key")

// call sends one request and decodes a JSON answer into out (nil: ignore
// the body). It returns the HTTP status of a success.
func (c *Conn) call(ctx context.Context, method, path string, query url.Values, body, out any) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	u := *c.set.api
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return 0, err
	}
	// Cash Web takes the raw key, no "Bearer". The last two headers are
	// what its Swagger page sends; whether the server needs them is not
	// known, and they do no harm.
	req.Header.Set("Authorization", c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Sec-Fetch-Mode", "cors")
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("%w: reaching Cash Web: %v", connectors.ErrTemporary, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("%w: reading Cash Web's answer: %v", connectors.ErrTemporary, err)
	}
	if err := classify(resp, raw); err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("Cash Web's answer to %s %s is not the JSON expected (is the API address right?): %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// classify turns an answer that is not a success into the errors the
// engine knows.
func classify(resp *http.Response, raw []byte) error {
	st := resp.StatusCode
	if st >= 200 && st < 300 {
		// Some answers carry CASH's 1002 in a body sent as a success.
		if bytes.Contains(raw, []byte("1002")) && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			var top map[string]json.RawMessage
			if json.Unmarshal(raw, &top) == nil && strings.Contains(string(top["error"]), "1002") {
				return ErrUnauthorizedAccess
			}
		}
		return nil
	}
	msgs := parseErrorBody(raw)
	joined := strings.Join(msgs, " ")
	switch {
	case st == http.StatusTooManyRequests:
		wait := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return &connectors.RateLimitError{RetryAfter: cmp.Or(wait, 10*time.Second), Message: cmp.Or(joined, "Too Many Requests")} // words:verbatim (HTTP's own words)
	case strings.Contains(joined, "1002"):
		return ErrUnauthorizedAccess
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return errUnknownKey
	case st >= 500 || st == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %w", connectors.ErrTemporary, &APIError{Status: st, Messages: msgs})
	}
	return &APIError{Status: st, Messages: msgs}
}

// parseRetryAfter reads seconds or an HTTP date; zero when absent or odd.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 86400 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) && t.Sub(now) <= 24*time.Hour {
		return t.Sub(now)
	}
	return 0
}

// parseErrorBody collects CASH's messages from an error answer: the nested
// import shape {"error":"Error import","message":{"errors":{"error":[{
// "message":…}]}}}, a plain {"error":…} or {"message":…}, or text. The
// innermost messages win over the generic "Error import".
func parseErrorBody(raw []byte) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		text := strings.TrimSpace(string(raw))
		if len(text) > 300 || strings.HasPrefix(text, "<") {
			return nil
		}
		return []string{text}
	}
	var nested []string
	collectMessages(v, false, &nested, 0)
	if len(nested) > 0 {
		return nested
	}
	obj, _ := v.(map[string]any)
	var out []string
	for _, k := range []string{"error", "message", "Message", "Error"} {
		if s, ok := obj[k].(string); ok && strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// collectMessages gathers "message" strings found inside an "errors" member.
func collectMessages(v any, inErrors bool, out *[]string, depth int) {
	if depth > 20 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(keysOf(t)) {
			child := t[k]
			if s, ok := child.(string); ok && inErrors && strings.EqualFold(k, "message") && strings.TrimSpace(s) != "" {
				*out = append(*out, strings.TrimSpace(s))
				continue
			}
			collectMessages(child, inErrors || strings.EqualFold(k, "errors"), out, depth+1)
		}
	case []any:
		for _, e := range t {
			collectMessages(e, inErrors, out, depth+1)
		}
	}
}

func keysOf[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// rows reads a list CASH sends as a JSON array, as an object keyed "0",
// "1", … (in that order), or as a single object; null is no rows.
func rows(raw json.RawMessage) ([]map[string]json.RawMessage, error) {
	raw = json.RawMessage(bytes.TrimSpace(raw))
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil, nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("a list in Cash Web's answer is neither an array nor an object: %w", err)
	}
	indexed := true
	for k := range obj {
		if _, err := strconv.Atoi(k); err != nil {
			indexed = false
			break
		}
	}
	if !indexed {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		return []map[string]json.RawMessage{one}, nil
	}
	ks := slices.Collect(keysOf(obj))
	slices.SortFunc(ks, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	out := make([]map[string]json.RawMessage, 0, len(ks))
	for _, k := range ks {
		var row map[string]json.RawMessage
		if err := json.Unmarshal(obj[k], &row); err != nil {
			return nil, fmt.Errorf("row %s of a list in Cash Web's answer: %w", k, err)
		}
		out = append(out, row)
	}
	return out, nil
}

// field reads a field CASH sends as a string, a number or a boolean.
func field(row map[string]json.RawMessage, name string) string {
	raw, ok := row[name]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String()
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return strconv.FormatBool(b)
	}
	return ""
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "j", "ja", "y", "yes":
		return true
	}
	return false
}

// Administration is one administration an API key reaches (its Journals
// are filled in by Conn.Administrations only).
type Administration = connectors.Administration

// directory is GET /administrations: the relation's name and its
// administrations.
type directory struct {
	Relation string
	Admins   []Administration
}

// parseAdministrations reads GET /administrations, whose Dir has been seen
// both as an object and as an array, and whose Adm list both as an array
// and as a keyed object.
func parseAdministrations(raw []byte) (directory, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return directory{}, fmt.Errorf("Cash Web's list of administrations is not the JSON expected: %w", err)
	}
	dirs, err := rows(top["Dir"])
	if err != nil {
		return directory{}, fmt.Errorf("Cash Web's list of administrations: %w", err)
	}
	var d directory
	for _, dir := range dirs {
		if d.Relation == "" {
			d.Relation = field(dir, "Name")
		}
		var adms map[string]json.RawMessage
		if raw, ok := dir["Adms"]; ok && string(bytes.TrimSpace(raw)) != "null" {
			if err := json.Unmarshal(raw, &adms); err != nil {
				// Adms may itself be the list.
				list, err2 := rows(raw)
				if err2 != nil {
					return directory{}, fmt.Errorf("Cash Web's list of administrations: %w", err)
				}
				adms = map[string]json.RawMessage{}
				b, _ := json.Marshal(list)
				adms["Adm"] = b
			}
		}
		list, err := rows(adms["Adm"])
		if err != nil {
			return directory{}, fmt.Errorf("Cash Web's list of administrations: %w", err)
		}
		for _, a := range list {
			code := field(a, "Code")
			if code == "" {
				continue
			}
			d.Admins = append(d.Admins, Administration{Code: code, Name: cmp.Or(field(a, "Name"), code), ReadOnly: truthy(field(a, "ReadOnly"))})
		}
	}
	return d, nil
}

func (c *Conn) administrations(ctx context.Context) (directory, error) {
	var raw json.RawMessage
	if _, err := c.call(ctx, http.MethodGet, "/administrations", nil, nil, &raw); err != nil {
		return directory{}, err
	}
	d, err := parseAdministrations(raw)
	if err != nil {
		return directory{}, err
	}
	if len(d.Admins) == 0 {
		return directory{}, ErrUnauthorizedAccess
	}
	return d, nil
}

// Check lists the administrations the key reaches and finds the module's.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	d, err := c.administrations(ctx)
	if err != nil {
		return connectors.Identity{}, err
	}
	if c.set.admin == "" {
		return connectors.Identity{Organisation: d.Relation, Currency: "EUR"}, nil
	}
	for _, a := range d.Admins {
		if strings.EqualFold(a.Code, c.set.admin) {
			return connectors.Identity{Organisation: a.Name, Currency: "EUR"}, nil
		}
	}
	return connectors.Identity{}, own.Fail(nil, "cash.signin.administration_not_reached", "Administration", c.set.admin, "Known", adminCodes(d.Admins))

}

func adminCodes(as []Administration) string {
	codes := make([]string, len(as))
	for i, a := range as {
		codes[i] = a.Code
	}
	return strings.Join(codes, ", ")
}

// export reads GET /get/index/<record>?admin=…[&params=…] and returns the
// rows under "R<record>".
func (c *Conn) export(ctx context.Context, admin, record, params string) ([]map[string]json.RawMessage, error) {
	q := url.Values{"admin": {admin}}
	if params != "" {
		q.Set("params", params)
	}
	var raw json.RawMessage
	if _, err := c.call(ctx, http.MethodGet, "/get/index/"+record, q, nil, &raw); err != nil {
		return nil, err
	}
	return parseExport(raw, record)
}

// parseExport finds the rows of an export answer: {"R0301": [...]}, keyed
// with or without the leading zero of the record number.
func parseExport(raw []byte, record string) ([]map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("Cash Web's export of record %s is not the JSON expected: %w", record, err)
	}
	num := strings.TrimRight(record, "TNR")
	for _, k := range []string{"R" + num, "R" + leftPad(num, 4), "R" + strings.TrimLeft(num, "0")} {
		if v, ok := top[k]; ok {
			return rows(v)
		}
	}
	return nil, nil
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func sortStrings(s []string) { slices.Sort(s) }

func defaultHTTPClient() *http.Client { return &http.Client{Timeout: 60 * time.Second} }
