// Package xerosim is a simulator of the Xero Accounting API and of Xero's
// identity service, for LedgerLink's tests and its Sandbox. It answers the
// same paths with the same JSON shapes, status codes, error bodies, paging,
// If-Modified-Since, Idempotency-Key replay and rate-limit headers as the
// public documentation describes, and applies Xero's main validation rules
// with Xero's own messages.
//
// Everything is served from one address: /api.xro/2.0/... (the Accounting
// API), /connections, /connect/token and /identity/connect/authorize.
package xerosim

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors/simkit"
)

// The Sandbox's own app registrations, present in every simulator.
const (
	// SandboxClientID and SandboxClientSecret are a custom connection
	// (client-credentials grant) to the sample organisation.
	SandboxClientID     = "LEDGERLINK-SANDBOX-CUSTOM"
	SandboxClientSecret = "sandbox-secret-not-for-real-use"
	// DesktopClientID is a public app (PKCE, no secret) that signs in
	// through the authorize page; any loopback redirect is accepted.
	DesktopClientID = "LEDGERLINK-SANDBOX-DESKTOP"
	// InProcessURL is the base address used with Client(); the address is
	// never dialled.
	InProcessURL = "http://xerosim.sandbox"
)

// Token lifetimes and Xero's grace window for a rotated refresh token.
const (
	AccessTokenLifetime  = 30 * time.Minute
	RefreshTokenLifetime = 60 * 24 * time.Hour
	RefreshGraceWindow   = 30 * time.Minute
	authCodeLifetime     = 5 * time.Minute
)

// RateLimits are the per-organisation and per-app limits the simulator
// enforces (Xero: 60 a minute, 5,000 a day, 5 at once, 10,000 a minute
// per app). Zero means no limit.
type RateLimits struct {
	PerMinute    int
	PerDay       int
	Concurrent   int
	AppPerMinute int
}

// XeroLimits are Xero's published limits.
func XeroLimits() RateLimits {
	return RateLimits{PerMinute: 60, PerDay: 5000, Concurrent: 5, AppPerMinute: 10000}
}

// App is an app registration known to the identity service.
type App struct {
	ClientID string `json:"client_id"`
	// ClientSecret is set for custom connections; public (PKCE) apps
	// have none.
	ClientSecret string `json:"client_secret,omitempty"`
	// RedirectURIs are the registered redirects; a loopback one accepts
	// any port (RFC 8252).
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// Granular apps (created from March 2026) may not ask for the broad
	// accounting.transactions and accounting.reports.read scopes.
	Granular bool `json:"granular"`
	// CustomTenant is the one organisation of a custom connection.
	CustomTenant string `json:"custom_tenant,omitempty"`
}

// Option configures a simulator.
type Option func(*Sim)

// WithStateFile keeps the state in path: loaded by New, saved after every
// change. A file that cannot be read is moved aside and the simulator
// starts from the sample organisation.
func WithStateFile(path string) Option { return func(s *Sim) { s.stateFile = path } }

// WithClock sets the simulator's clock.
func WithClock(now func() time.Time) Option { return func(s *Sim) { s.now = now } }

// WithRateLimits sets the limits enforced.
func WithRateLimits(l RateLimits) Option { return func(s *Sim) { s.limits = l } }

// WithStrict makes every request be checked against the documented schema
// rules (required fields, enums, formats, lengths, read-only fields,
// parameters); a request that breaks one is answered 400 with the rule in
// plain words, and the breach is kept for Violations.
func WithStrict() Option { return func(s *Sim) { s.strict = true } }

// WithApp registers an app.
func WithApp(a App) Option { return func(s *Sim) { s.extraApps = append(s.extraApps, a) } }

// WithLogger sets where the simulator logs.
func WithLogger(l *slog.Logger) Option { return func(s *Sim) { s.log = l } }

// WithoutSeed starts with no organisation at all (tests add their own with
// AddTenant).
func WithoutSeed() Option { return func(s *Sim) { s.noSeed = true } }

// Sim is the simulator. It is an http.Handler and safe for concurrent use.
type Sim struct {
	now       func() time.Time
	limits    RateLimits
	strict    bool
	stateFile string
	log       *slog.Logger
	extraApps []App
	noSeed    bool
	// sandboxPayments enters the Sandbox's customer payments.
	sandboxPayments bool

	mu    sync.Mutex
	st    *state
	inFly map[string]int // calls in progress per tenant
	rl    map[string]*window
	appRL *window

	faults     faults
	requests   []RequestRecord
	violations []string
}

// RequestRecord is one request the simulator answered.
type RequestRecord struct {
	Method         string
	Path           string
	Query          string
	Status         int
	IdempotencyKey string
	Replayed       bool
	Tenant         string
	// Bearer is the access token the request carried.
	Bearer string
	// BodyBytes is the size of the request body.
	BodyBytes int
	At        time.Time
}

// New makes a simulator with the sample organisation (unless WithoutSeed)
// and the Sandbox apps.
func New(opts ...Option) (*Sim, error) {
	s := &Sim{
		now:    time.Now,
		limits: XeroLimits(),
		log:    slog.Default(),
		inFly:  map[string]int{},
		rl:     map[string]*window{},
	}
	for _, o := range opts {
		o(s)
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
			s.log.Warn("xerosim: saved state could not be read; it was moved aside and the sample organisation restored", "file", aside, "err", err)
		}
	}
	if s.st == nil {
		s.st = newState()
		if !s.noSeed {
			seedSample(s.st, s.now())
		}
	}
	for _, a := range sandboxApps(s.st) {
		if _, ok := s.st.Apps[a.ClientID]; !ok {
			s.st.Apps[a.ClientID] = a
		}
	}
	for _, a := range s.extraApps {
		s.st.Apps[a.ClientID] = a
	}
	return s, nil
}

func sandboxApps(st *state) []App {
	tenant := ""
	if len(st.Tenants) > 0 {
		tenant = st.Tenants[0].Organisation.OrganisationID
	}
	return []App{
		{ClientID: SandboxClientID, ClientSecret: SandboxClientSecret, CustomTenant: tenant, Granular: true},
		{ClientID: DesktopClientID, RedirectURIs: []string{"http://127.0.0.1/callback", "http://localhost/callback"}, Granular: true},
	}
}

// DefaultTenantID is the first organisation's tenant ID.
func (s *Sim) DefaultTenantID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.Tenants) == 0 {
		return ""
	}
	return s.st.Tenants[0].Organisation.OrganisationID
}

// TenantIDs lists the organisations' tenant IDs.
func (s *Sim) TenantIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.st.Tenants))
	for i, t := range s.st.Tenants {
		out[i] = t.Organisation.OrganisationID
	}
	return out
}

// AddTenant adds an organisation with the sample chart of accounts, tax
// rates and items, and returns its tenant ID.
func (s *Sim) AddTenant(name, baseCurrency string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := seedTenant(name, baseCurrency, s.now())
	s.st.Tenants = append(s.st.Tenants, t)
	s.saveLocked()
	return t.Organisation.OrganisationID
}

// Close saves the state (when kept in a file).
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
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

// Violations returns the schema rules requests broke (strict mode).
func (s *Sim) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Client returns an HTTP client that reaches the simulator inside this
// process, without a network. Use it with InProcessURL.
func (s *Sim) Client() *http.Client {
	return &http.Client{Transport: simkit.InProcess(s)}
}

// ServeHTTP routes a request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/connect/token":
		s.serveToken(w, r)
	case p == "/identity/connect/authorize":
		s.serveAuthorize(w, r)
	case strings.EqualFold(p, "/connections") || strings.HasPrefix(strings.ToLower(p), "/connections/"):
		s.serveConnections(w, r)
	case strings.HasPrefix(p, apiRoot+"/"):
		s.serveAPI(w, r)
	default:
		writeNotFound(w)
	}
}

// ---- state and its file ----

// state is everything the simulator remembers.
type state struct {
	Tenants []*tenant         `json:"tenants"`
	Apps    map[string]App    `json:"apps"`
	Grants  map[string]*grant `json:"grants"`
	// Connections per client ID.
	Connections map[string][]*connection `json:"connections"`
	Codes       map[string]*authCode     `json:"codes"`
	Access      map[string]*accessToken  `json:"access"`
}

func newState() *state {
	return &state{
		Apps: map[string]App{}, Grants: map[string]*grant{}, Connections: map[string][]*connection{},
		Codes: map[string]*authCode{}, Access: map[string]*accessToken{},
	}
}

func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st := newState()
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if st.Apps == nil || st.Grants == nil || st.Connections == nil || st.Codes == nil || st.Access == nil {
		fresh := newState()
		if st.Apps == nil {
			st.Apps = fresh.Apps
		}
		if st.Grants == nil {
			st.Grants = fresh.Grants
		}
		if st.Connections == nil {
			st.Connections = fresh.Connections
		}
		if st.Codes == nil {
			st.Codes = fresh.Codes
		}
		if st.Access == nil {
			st.Access = fresh.Access
		}
	}
	for _, t := range st.Tenants {
		if t == nil || t.Organisation.OrganisationID == "" {
			return nil, fmt.Errorf("reading %s: an organisation has no ID", path)
		}
		t.init()
	}
	return st, nil
}

// saveLocked writes the state file atomically; s.mu is held.
func (s *Sim) saveLocked() error { return simkit.SaveJSON(s.stateFile, s.st) }

// ---- faults ----

// faults are failures injected into the next requests.
type faults struct {
	failStatus   int
	failCount    int
	rateProblem  string
	rateCount    int
	rateWait     time.Duration
	dropAPI      int
	dropToken    int
	tokenFailure int
}

// FailNext makes the next n Accounting API requests fail with status
// (500, 502, 503, ...) before doing anything.
func (s *Sim) FailNext(n, status int) {
	s.mu.Lock()
	s.faults.failCount, s.faults.failStatus = n, status
	s.mu.Unlock()
}

// RateLimitNext makes the next n Accounting API requests answer 429 for
// the given problem ("minute", "day", "concurrent", "appminute") with
// Retry-After wait.
func (s *Sim) RateLimitNext(n int, problem string, wait time.Duration) {
	s.mu.Lock()
	s.faults.rateCount, s.faults.rateProblem, s.faults.rateWait = n, problem, wait
	s.mu.Unlock()
}

// DropNextReplies makes the next n Accounting API requests be carried out
// (and remembered for Idempotency-Key replay) but their answers lost: the
// connection is cut.
func (s *Sim) DropNextReplies(n int) {
	s.mu.Lock()
	s.faults.dropAPI = n
	s.mu.Unlock()
}

// DropNextTokenReplies makes the next n token requests be carried out
// (a refresh token is rotated) but their answers lost.
func (s *Sim) DropNextTokenReplies(n int) {
	s.mu.Lock()
	s.faults.dropToken = n
	s.mu.Unlock()
}

// RevokeAll revokes every refresh and access token, as when someone
// disconnects the app in Xero.
func (s *Sim) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.st.Grants {
		g.Revoked = true
	}
	s.st.Access = map[string]*accessToken{}
	s.saveLocked()
}

// ExpireAccessTokens makes every access token expired.
func (s *Sim) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.st.Access {
		a.Expires = s.now().Add(-time.Second)
	}
}

// ---- rate limit windows ----

// window counts calls in a fixed window.
type window struct {
	start time.Time
	count int
	day   struct {
		start time.Time
		count int
	}
}

// SetLockDates sets an organisation's period and end-of-year lock dates
// (YYYY-MM-DD; blank clears).
func (s *Sim) SetLockDates(tenantID, period, endOfYear string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantLocked(tenantID)
	if t == nil {
		return fmt.Errorf("no organisation %s", tenantID)
	}
	set := func(v string, into *string) error {
		if v == "" {
			*into = ""
			return nil
		}
		d, ok := parseDay(v)
		if !ok {
			return fmt.Errorf("%q is not a date", v)
		}
		*into = msDate(d)
		return nil
	}
	if err := set(period, &t.Organisation.PeriodLockDate); err != nil {
		return err
	}
	if err := set(endOfYear, &t.Organisation.EndOfYearLockDate); err != nil {
		return err
	}
	return s.saveLocked()
}

// EnableCurrency turns a currency on in an organisation.
func (s *Sim) EnableCurrency(tenantID, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantLocked(tenantID)
	if t == nil {
		return fmt.Errorf("no organisation %s", tenantID)
	}
	if !t.currencyEnabled(code) {
		t.Currencies = append(t.Currencies, strings.ToUpper(code))
	}
	return s.saveLocked()
}

// AddContact adds a contact the way a person typing it into Xero would:
// active, with no documents, so neither a customer nor a supplier yet, and
// in no contact group. It returns the contact's ID.
func (s *Sim) AddContact(tenantID, number, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantLocked(tenantID)
	if t == nil {
		return "", fmt.Errorf("no organisation %s", tenantID)
	}
	c := &Contact{ContactID: newID(), ContactNumber: number, Name: name, ContactStatus: "ACTIVE", UpdatedDateUTC: msDate(s.now())}
	if errs := t.validateContact(c, nil); len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	t.Contacts = append(t.Contacts, c)
	return c.ContactID, s.saveLocked()
}

// Organisation returns an organisation's details as GET /Organisation
// shows them (the zero value for an unknown one).
func (s *Sim) Organisation(tenantID string) Organisation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tenantLocked(tenantID); t != nil {
		return t.Organisation
	}
	return Organisation{}
}

// VoidInvoice voids an invoice the way a person would in Xero: its status
// becomes VOIDED (it keeps its number). An invoice with payments applied
// cannot be voided until they are deleted.
func (s *Sim) VoidInvoice(tenantID, invoiceID string) error {
	return s.setInvoiceStatus(tenantID, invoiceID, "VOIDED")
}

// DeleteInvoice deletes a draft or submitted invoice the way a person would
// in Xero: its status becomes DELETED.
func (s *Sim) DeleteInvoice(tenantID, invoiceID string) error {
	return s.setInvoiceStatus(tenantID, invoiceID, "DELETED")
}

// change runs fn on an organisation under the lock and saves the state.
func (s *Sim) change(tenantID string, fn func(t *tenant, now string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tenantLocked(tenantID)
	if t == nil {
		return fmt.Errorf("no organisation %s", tenantID)
	}
	if err := fn(t, msDate(s.now())); err != nil {
		return err
	}
	return s.saveLocked()
}

func (s *Sim) setInvoiceStatus(tenantID, invoiceID, status string) error {
	return s.change(tenantID, func(t *tenant, now string) error {
		inv := t.invoiceByID(invoiceID)
		switch {
		case inv == nil:
			return fmt.Errorf("no invoice %s", invoiceID)
		case inv.AmountPaid.IsPositive():
			return fmt.Errorf("invoice %s has payments applied; delete them first", inv.InvoiceNumber)
		case status == "DELETED" && inv.Status != "DRAFT" && inv.Status != "SUBMITTED":
			return fmt.Errorf("invoice %s is %s; only drafts and submitted invoices can be deleted", inv.InvoiceNumber, inv.Status)
		case status == "VOIDED" && inv.Status != "AUTHORISED":
			return fmt.Errorf("invoice %s is %s; only approved invoices can be voided", inv.InvoiceNumber, inv.Status)
		}
		inv.Status, inv.UpdatedDateUTC = status, now
		return nil
	})
}

// DeletePayment deletes a payment the way a person would in Xero: its
// status becomes DELETED and the invoice it paid has its amount due back.
func (s *Sim) DeletePayment(tenantID, paymentID string) error {
	return s.change(tenantID, func(t *tenant, now string) error {
		p := t.paymentByID(paymentID)
		if p == nil || p.Status == "DELETED" {
			return fmt.Errorf("no payment %s to delete", paymentID)
		}
		if p.Invoice != nil {
			if inv := t.invoiceByID(p.Invoice.InvoiceID); inv != nil {
				inv.AmountPaid = amt(inv.AmountPaid.Sub(p.Amount.Decimal))
				inv.AmountDue = amt(inv.AmountDue.Add(p.Amount.Decimal))
				if inv.Status == "PAID" {
					inv.Status, inv.FullyPaidOnDate = "AUTHORISED", ""
				}
				inv.UpdatedDateUTC = now
			}
		}
		p.Status, p.UpdatedDateUTC = "DELETED", now
		return nil
	})
}

// ArchiveContact archives a contact the way a person would in Xero.
func (s *Sim) ArchiveContact(tenantID, contactID string) error {
	return s.change(tenantID, func(t *tenant, now string) error {
		c := t.contactByID(contactID)
		if c == nil {
			return fmt.Errorf("no contact %s", contactID)
		}
		c.ContactStatus, c.UpdatedDateUTC = "ARCHIVED", now
		return nil
	})
}
