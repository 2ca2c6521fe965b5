// Package unicontasim is a simulator of the Uniconta WebAPI
// (api.uniconta.com) for LedgerLink's tests and its Sandbox. It is read from
// Uniconta's published OpenAPI document and integrators' notes, not from
// LedgerLink's client: the same paths and verbs, JSON bodies with the
// ClientTools property names, bearer tokens from /login (one hour) and
// /refresh (seven days), Query/Get filters (ranges "a..b", lists "a;b",
// wildcards "*a*", Skip/Take), primary keys refused as KeyExists, business
// failures answered 200 with the ErrorCodes name as plain text (the detail
// from Company/GetLastError), posting of invoices and daily journals, the
// day's call counter, and modification-URL rows (TableChangeEventClient)
// that call registered addresses and tick HasError after failed deliveries.
package unicontasim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors/simkit"
)

// The Sandbox's sign-in, present in every simulator.
const (
	SandboxUser     = "ledgerlink-sandbox"
	SandboxPassword = "sandbox-password-not-for-real-use"
	// SandboxAPIKey is shown in the Sandbox's settings; the WebAPI itself
	// takes no API key.
	SandboxAPIKey = "00000000-0000-4000-8000-000000000001"
	// SandboxCompany is the sample company's Firma ID; SecondCompany is a
	// second, empty company the same login reaches.
	SandboxCompany = 123456
	SecondCompany  = 234567
	// InProcessURL is the base address used with Client(); never dialled.
	InProcessURL = "http://unicontasim.sandbox"
)

// Token lifetimes as the WebAPI's summaries state them.
const (
	AccessTokenLifetime  = time.Hour
	RefreshTokenLifetime = 7 * 24 * time.Hour
)

// FreeCallsPerDay is the day's allowance of a standard package; past it
// Uniconta slows every call by a second.
const FreeCallsPerDay = 5000

// FailuresBeforeHasError is how many failed deliveries in a row tick a
// modification URL's HasError (Uniconta's own number is not published).
const FailuresBeforeHasError = 3

// Option configures a simulator.
type Option func(*Sim)

// WithStateFile keeps the state in path (loaded by New, saved after every
// change). An unreadable file is moved aside.
func WithStateFile(path string) Option { return func(s *Sim) { s.stateFile = path } }

// WithClock sets the simulator's clock.
func WithClock(now func() time.Time) Option { return func(s *Sim) { s.now = now } }

// WithStrict checks every request against the documented rules (known
// properties only, no read-only properties, JSON bodies, a filter array
// for queries, a bearer token); a breach is answered 400 and kept for
// Violations.
func WithStrict() Option { return func(s *Sim) { s.strict = true } }

// WithLogger sets where the simulator logs.
func WithLogger(l *slog.Logger) Option { return func(s *Sim) { s.log = l } }

// WithNotifyClient sets the HTTP client modification-URL calls are made
// with (default: a client with a ten-second timeout).
func WithNotifyClient(c *http.Client) Option { return func(s *Sim) { s.notifyClient = c } }

// WithAutoDelivery makes the waiting modification-URL calls every
// interval, until Close (for a simulator served on an address, and the
// Sandbox).
func WithAutoDelivery(every time.Duration) Option { return func(s *Sim) { s.deliverEvery = every } }

// Sim is the simulator: an http.Handler, safe for concurrent use.
type Sim struct {
	deliverEvery time.Duration
	stopDelivery context.CancelFunc
	now          func() time.Time
	strict       bool
	stateFile    string
	log          *slog.Logger
	notifyClient *http.Client
	tables       map[string]*table

	mu         sync.Mutex
	st         *state
	faults     faults
	requests   []RequestRecord
	violations []string
	pending    []notification
}

// RequestRecord is one request the simulator answered.
type RequestRecord struct {
	Method string
	Path   string
	Status int
	User   string
	At     time.Time
}

type user struct {
	LoginID   string `json:"login_id"`
	Password  string `json:"password"`
	Companies []int  `json:"companies"`
}

type session struct {
	User    string    `json:"user"`
	Company int       `json:"company"`
	Expires time.Time `json:"expires"`
}

// state is everything the simulator remembers.
type state struct {
	Users     map[string]*user    `json:"users"`
	Companies map[int]*company    `json:"companies"`
	Access    map[string]*session `json:"access"`
	Refresh   map[string]*session `json:"refresh"`
	// Calls counts calls per login per UTC day ("2026-11-30/login").
	Calls map[string]int `json:"calls"`
	Seq   int            `json:"seq"`
}

type row = map[string]any

type company struct {
	ID       int               `json:"id"`
	Name     string            `json:"name"`
	Currency string            `json:"currency"`
	Tables   map[string][]row  `json:"tables"`
	Numbers  map[string]int    `json:"numbers"`
	LastErr  map[string]string `json:"last_errors"`
	// Failures counts failed deliveries in a row per change-URL row.
	Failures map[string]int `json:"failures"`
	// SamplePaid is set once the sample payment has been made.
	SamplePaid bool `json:"sample_paid"`
}

func (c *company) next(name string) int {
	c.Numbers[name]++
	return c.Numbers[name]
}

// New makes a simulator holding the Sandbox login and its companies.
func New(opts ...Option) (*Sim, error) {
	s := &Sim{now: time.Now, log: slog.Default(), tables: schema()}
	for _, o := range opts {
		o(s)
	}
	if s.notifyClient == nil {
		s.notifyClient = &http.Client{Timeout: 10 * time.Second}
	}
	if s.stateFile != "" {
		st, err := loadState(s.stateFile)
		switch {
		case err == nil:
			s.st = st
		case errors.Is(err, os.ErrNotExist):
		default:
			aside := s.stateFile + ".unreadable-" + s.now().UTC().Format("20060102-150405")
			if rerr := os.Rename(s.stateFile, aside); rerr != nil {
				return nil, fmt.Errorf("the Sandbox's saved state %s cannot be read (%v) nor moved aside: %w", s.stateFile, err, rerr)
			}
			s.log.Warn("unicontasim: saved state could not be read; it was moved aside", "file", aside, "err", err)
		}
	}
	if s.st == nil {
		s.st = newState()
		s.seed()
	}
	if s.deliverEvery > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		s.stopDelivery = cancel
		go s.RunNotifier(ctx, s.deliverEvery)
	}
	return s, nil
}

func newState() *state {
	return &state{Users: map[string]*user{}, Companies: map[int]*company{}, Access: map[string]*session{},
		Refresh: map[string]*session{}, Calls: map[string]int{}}
}

func newCompany(id int, name, currency string) *company {
	return &company{ID: id, Name: name, Currency: currency, Tables: map[string][]row{}, Numbers: map[string]int{},
		LastErr: map[string]string{}, Failures: map[string]int{}}
}

func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st := newState()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(st); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(st.Users) == 0 || len(st.Companies) == 0 {
		return nil, fmt.Errorf("reading %s: no login or company", path)
	}
	for id, c := range st.Companies {
		if c == nil {
			return nil, fmt.Errorf("reading %s: company %d is empty", path, id)
		}
		fresh := newCompany(c.ID, c.Name, c.Currency)
		if c.Tables == nil {
			c.Tables = fresh.Tables
		}
		if c.Numbers == nil {
			c.Numbers = fresh.Numbers
		}
		if c.LastErr == nil {
			c.LastErr = fresh.LastErr
		}
		if c.Failures == nil {
			c.Failures = fresh.Failures
		}
	}
	for _, m := range []*map[string]*session{&st.Access, &st.Refresh} {
		if *m == nil {
			*m = map[string]*session{}
		}
	}
	if st.Calls == nil {
		st.Calls = map[string]int{}
	}
	return st, nil
}

// saveLocked writes the state file atomically; s.mu is held.
func (s *Sim) saveLocked() error { return simkit.SaveJSON(s.stateFile, s.st) }

// Close stops the deliveries and saves the state (when kept in a file).
func (s *Sim) Close() error {
	if s.stopDelivery != nil {
		s.stopDelivery()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}

// Describe says how to point a module at the simulator served at address.
func (s *Sim) Describe(address string) string {
	return fmt.Sprintf("Uniconta WebAPI simulator at %s\n  WebAPI address: %s\n  Username: %s   Password: %s\n  API key: %s   Firma ID: %d (sample company) or %d (empty)",
		address, address, SandboxUser, SandboxPassword, SandboxAPIKey, SandboxCompany, SecondCompany)
}

// Requests returns the requests answered so far.
func (s *Sim) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.requests...)
}

// ResetRequests forgets the requests answered so far.
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

// Violations returns the documented rules requests broke (strict mode).
func (s *Sim) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// CallsToday is how many calls login made on the simulator's current UTC day.
func (s *Sim) CallsToday(login string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Calls[s.dayKey(login)]
}

func (s *Sim) dayKey(login string) string {
	return s.now().UTC().Format(time.DateOnly) + "/" + strings.ToLower(login)
}

// Client returns an HTTP client reaching the simulator inside this
// process. Use it with InProcessURL.
func (s *Sim) Client() *http.Client { return &http.Client{Transport: simkit.InProcess(s)} }

// ---- faults ----

type faults struct {
	failStatus int
	failCount  int
	rateCount  int
	rateWait   time.Duration
	drop       int
	plainText  int
}

// FailNext makes the next n API requests fail with status (500, 503...).
func (s *Sim) FailNext(n, status int) {
	s.mu.Lock()
	s.faults.failCount, s.faults.failStatus = n, status
	s.mu.Unlock()
}

// RateLimitNext makes the next n requests answer 429 Too Many Requests
// with Retry-After wait, as a gateway in front of the WebAPI does.
func (s *Sim) RateLimitNext(n int, wait time.Duration) {
	s.mu.Lock()
	s.faults.rateCount, s.faults.rateWait = n, wait
	s.mu.Unlock()
}

// DropNextReplies makes the next n write requests take effect while their
// answers are lost (the connection is cut).
func (s *Sim) DropNextReplies(n int) {
	s.mu.Lock()
	s.faults.drop = n
	s.mu.Unlock()
}

// ExpireAccessTokens makes every access token expired.
func (s *Sim) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.st.Access {
		a.Expires = s.now().Add(-time.Second)
	}
}

// AddLogin adds a login reaching the given companies (which must exist).
func (s *Sim) AddLogin(loginID, password string, companies ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Users[strings.ToLower(loginID)] = &user{LoginID: loginID, Password: password, Companies: companies}
	s.saveLocked()
}

// ---- routing ----

// ServeHTTP answers one WebAPI request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		http.Error(w, "could not read the request", http.StatusBadRequest)
		return
	}
	rw := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.serve(rw, r, body)
	s.mu.Lock()
	s.requests = append(s.requests, RequestRecord{Method: r.Method, Path: r.URL.Path, Status: rw.status, User: rw.user, At: s.now()})
	s.mu.Unlock()
}

type recorder struct {
	http.ResponseWriter
	status int
	user   string
}

func (r *recorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (s *Sim) serve(w *recorder, r *http.Request, body []byte) {
	p := r.URL.Path
	lower := strings.ToLower(p)
	s.mu.Lock()
	if s.faults.rateCount > 0 {
		s.faults.rateCount--
		wait := s.faults.rateWait
		s.mu.Unlock()
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Round(time.Second)/time.Second)))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	if s.faults.failCount > 0 {
		s.faults.failCount--
		st := s.faults.failStatus
		s.mu.Unlock()
		http.Error(w, http.StatusText(st), st)
		return
	}
	s.mu.Unlock()

	if s.strict && len(bytes.TrimSpace(body)) > 0 && !jsonContentType(r.Header.Get("Content-Type")) {
		s.violation(w, "%s %s: a body must be sent as application/json, not %q", r.Method, p, r.Header.Get("Content-Type"))
		return
	}
	switch {
	case lower == "/login" && r.Method == http.MethodPost:
		s.serveLogin(w, body)
		return
	case lower == "/refresh" && r.Method == http.MethodPost:
		s.serveRefresh(w, body)
		return
	case lower == "/logout" && r.Method == http.MethodPost:
		s.serveLogout(w, r)
		return
	}
	sess, login, ok := s.authorise(w, r)
	if !ok {
		return
	}
	w.user = login
	segs := strings.Split(strings.Trim(p, "/"), "/")
	route := strings.ToLower(strings.Join(segs[:min(2, len(segs))], "/"))
	arg := func(i int) string {
		if i < len(segs) {
			return segs[i]
		}
		return ""
	}
	switch {
	case route == "company/changecompany" && r.Method == http.MethodGet:
		s.serveChangeCompany(w, sess, arg(2))
	case route == "company/getlasterror" && r.Method == http.MethodGet:
		s.serveLastError(w, sess, arg(2))
	case route == "query/get" && r.Method == http.MethodPost:
		s.serveQuery(w, sess, arg(2), body)
	case route == "crud/insert" && r.Method == http.MethodPost:
		s.serveInsert(w, sess, arg(2), body, false)
	case route == "crud/insertlist" && r.Method == http.MethodPost:
		s.serveInsert(w, sess, arg(2), body, true)
	case route == "crud/insertmasteranddetails" && r.Method == http.MethodPost:
		s.serveMasterDetails(w, sess, arg(2), arg(3), body)
	case route == "crud/update" && r.Method == http.MethodPut:
		s.serveUpdate(w, sess, arg(2), body, false)
	case route == "crud/updatelist" && r.Method == http.MethodPut:
		s.serveUpdate(w, sess, arg(2), body, true)
	case route == "crud/deletelist" && r.Method == http.MethodDelete:
		s.serveDelete(w, sess, arg(2), body)
	case route == "invoice/generatedebtorinvoice" && r.Method == http.MethodPost:
		s.serveGenerateInvoice(w, sess, body, false)
	case route == "invoice/generatecreditorinvoice" && r.Method == http.MethodPost:
		s.serveGenerateInvoice(w, sess, body, true)
	case route == "gljournal/checkjournal" && r.Method == http.MethodPost:
		s.serveCheckJournal(w, sess, body)
	case route == "gljournal/postdailyjournal" && r.Method == http.MethodPost:
		s.servePostDailyJournal(w, sess, body)
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
	}
}

func jsonContentType(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return ct == "application/json" || ct == "text/json" || ct == "application/json-patch+json" ||
		(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json"))
}

// violation answers 400 for a breach of a documented rule and keeps it.
func (s *Sim) violation(w http.ResponseWriter, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.violations = append(s.violations, msg)
	s.mu.Unlock()
	http.Error(w, msg, http.StatusBadRequest)
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(b)
}

// writeCode answers a business failure the way the WebAPI does: status
// 200 and the ErrorCodes name as plain text.
func writeCode(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(code))
}

// dropLocked reports whether this write's answer is to be lost; s.mu held.
func (s *Sim) dropLocked() bool {
	if s.faults.drop > 0 {
		s.faults.drop--
		return true
	}
	return false
}

// lostReply cuts the connection instead of answering.
func lostReply() { panic(http.ErrAbortHandler) }

func decodeJSON(b []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(into)
}
