// Package qbosim simulates the QuickBooks Online Accounting API (v3) for
// LedgerLink's tests, its Sandbox and `ledgerlink simulate quickbooks`: the
// same paths under /v3/company/{realmId}, the same JSON envelopes, Fault
// bodies, gateway 401 body and throttle answers (XML, as QuickBooks sends
// them even to JSON requests), query paging, change data capture with
// deletions, batch, requestid replay and SyncToken checks, and Intuit's
// OAuth 2.0 authorise page and token endpoint with rotating refresh tokens.
//
// It is written from Intuit's documentation and schema files, not from
// LedgerLink's client: its types are its own. In strict mode it also
// refuses (and records) requests that break the documented rules: fields
// the schema does not define, values of the wrong kind, a missing or old
// minorversion, over-long requestids.
package qbosim

import (
	"bytes"
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

// Credentials and addresses the Sandbox and tests use.
const (
	// SandboxClientID and SandboxClientSecret are the simulator's own app.
	SandboxClientID     = "ABsandboxLedgerLinkClientID0000000000000000000000"
	SandboxClientSecret = "sandbox-secret-ledgerlink"
	// SandboxRealmID is the seeded company's realmId.
	SandboxRealmID = "9130357766900001"
	// InProcessURL is the base address used with Client().
	InProcessURL = "http://qbosim.sandbox"
	// MinMinorVersion is the oldest minorversion QuickBooks still serves.
	MinMinorVersion = 75
	// MaxBatchItems is the most operations one batch request may carry.
	MaxBatchItems = 30
	// MaxResults is the largest page a query may ask for.
	MaxResults = 1000
	// CDCMaxObjects is the most objects one CDC answer carries.
	CDCMaxObjects = 1000
	// CDCMaxAge is how far back changedSince may go.
	CDCMaxAge = 30 * 24 * time.Hour
)

// Limits are the throttles the simulator enforces per company.
type Limits struct {
	PerMinute       int // all requests (QuickBooks: 500)
	Concurrent      int // in flight at once (QuickBooks: 10)
	BatchPerMinute  int // batch requests (QuickBooks: 40 per realm and app)
	RefreshGraceFor time.Duration
}

// DefaultLimits are QuickBooks Online's published limits.
func DefaultLimits() Limits {
	return Limits{PerMinute: 500, Concurrent: 10, BatchPerMinute: 40, RefreshGraceFor: 24 * time.Hour}
}

// Option adjusts a simulator.
type Option func(*Sim)

// WithStateFile keeps the simulator's companies in path between runs.
func WithStateFile(path string) Option { return func(s *Sim) { s.stateFile = path } }

// WithClock sets the simulator's clock.
func WithClock(now func() time.Time) Option { return func(s *Sim) { s.now = now } }

// WithLimits sets the throttles.
func WithLimits(l Limits) Option { return func(s *Sim) { s.limits = l } }

// WithStrict refuses and records requests that break the documented rules.
func WithStrict() Option { return func(s *Sim) { s.strict = true } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Sim) { s.log = l } }

// WithRedirect registers an extra redirect address for the sandbox app
// (loopback addresses are always accepted).
func WithRedirect(uri string) Option {
	return func(s *Sim) { s.redirects = append(s.redirects, uri) }
}

// WithSamplePayments makes the simulator enter, "in QuickBooks", the
// payments the sample business's shop took that its files do not hold:
// once the invoices they pay are uploaded, as a bookkeeper would.
func WithSamplePayments() Option { return func(s *Sim) { s.samplePayments = true } }

// Sim is a QuickBooks Online simulator; it is an http.Handler and safe for
// concurrent use.
type Sim struct {
	now       func() time.Time
	limits    Limits
	strict    bool
	log       *slog.Logger
	stateFile string
	redirects []string
	// samplePayments enters the sample business's till payments.
	samplePayments bool

	mu         sync.Mutex
	st         *state
	violations []string
	faults     faults
	calls      map[string][]time.Time // realm → recent request times
	batchCalls map[string][]time.Time
	inFlight   map[string]int
	requests   int64
}

type faults struct {
	throttle     int
	throttleJSON bool
	dropReplies  int
	staleNext    int
	serverErrors int
	tokenDown    int
}

// state is what the state file keeps.
type state struct {
	Companies []*company `json:"companies"`
	// Codes are authorisation codes not yet exchanged.
	Codes map[string]*grant `json:"codes"`
	// Refresh are the refresh tokens issued, valid or replaced.
	Refresh map[string]*grant `json:"refresh"`
	// Access are the access tokens issued.
	Access map[string]*grant `json:"access"`
	Seq    int               `json:"seq"`
}

type grant struct {
	ClientID    string    `json:"client_id"`
	RealmID     string    `json:"realm_id"`
	RedirectURI string    `json:"redirect_uri,omitempty"`
	Expires     time.Time `json:"expires"`
	// Replaced is when a newer refresh token was issued from this one.
	Replaced time.Time `json:"replaced,omitzero"`
	Revoked  bool      `json:"revoked,omitempty"`
}

// New starts a simulator holding the sample company (unless a state file
// already holds companies).
func New(opts ...Option) (*Sim, error) {
	s := &Sim{
		now: time.Now, limits: DefaultLimits(), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		calls: map[string][]time.Time{}, batchCalls: map[string][]time.Time{}, inFlight: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.st = &state{}
	if s.stateFile != "" {
		raw, err := os.ReadFile(s.stateFile)
		switch {
		case err == nil:
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(s.st); err != nil {
				return nil, fmt.Errorf("the QuickBooks simulator's saved state in %s cannot be read (%v); move the file away to start afresh", s.stateFile, err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("reading the QuickBooks simulator's saved state: %w", err)
		}
	}
	s.st.init()
	if len(s.st.Companies) == 0 {
		s.st.Companies = append(s.st.Companies, seedCompany(SandboxRealmID, "Harbour Lane Coffee Roasters (Sandbox)", s.now()))
	}
	return s, nil
}

func (st *state) init() {
	if st.Codes == nil {
		st.Codes = map[string]*grant{}
	}
	if st.Refresh == nil {
		st.Refresh = map[string]*grant{}
	}
	if st.Access == nil {
		st.Access = map[string]*grant{}
	}
	for _, c := range st.Companies {
		c.init()
	}
}

// Close saves the state file, if there is one.
func (s *Sim) Close() error {
	if s.stateFile == "" {
		return nil
	}
	s.mu.Lock()
	raw, err := json.Marshal(s.st)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return simkit.SaveJSON(s.stateFile, json.RawMessage(raw))
}

// Violations returns the documented rules requests broke (strict mode).
func (s *Sim) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Requests counts the API requests served (sign-in requests excluded).
func (s *Sim) Requests() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ThrottleNext makes the next n API requests answer 429 with the XML
// ThrottleExceeded fault (or its JSON form when asJSON).
func (s *Sim) ThrottleNext(n int, asJSON bool) {
	s.mu.Lock()
	s.faults.throttle, s.faults.throttleJSON = n, asJSON
	s.mu.Unlock()
}

// DropNextReplies makes the next n write requests take effect (and be
// remembered for requestid replay) while their answers are lost.
func (s *Sim) DropNextReplies(n int) {
	s.mu.Lock()
	s.faults.dropReplies = n
	s.mu.Unlock()
}

// StaleNext makes the next n updates find the record changed by someone
// else in QuickBooks first (its SyncToken moves on), so they meet 5010.
func (s *Sim) StaleNext(n int) {
	s.mu.Lock()
	s.faults.staleNext = n
	s.mu.Unlock()
}

// FailNext makes the next n API requests answer 503.
func (s *Sim) FailNext(n int) {
	s.mu.Lock()
	s.faults.serverErrors = n
	s.mu.Unlock()
}

// Client returns an HTTP client that reaches the simulator inside this
// process, without a network. Use it with InProcessURL.
func (s *Sim) Client() *http.Client { return &http.Client{Transport: simkit.InProcess(s)} }

// ServeHTTP routes a request.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("intuit_tid", s.tid())
	p := r.URL.Path
	switch {
	case p == "/connect/oauth2":
		s.authorize(w, r)
	case p == "/oauth2/v1/tokens/bearer":
		s.token(w, r)
	case p == "/v2/oauth2/tokens/revoke":
		s.revoke(w, r)
	case strings.HasPrefix(p, "/v3/company/"):
		s.api(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Sim) tid() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Seq++
	return fmt.Sprintf("1-%x-%08d", s.now().Unix(), s.st.Seq)
}

// violate records a broken rule in strict mode and reports whether the
// request is to be refused.
func (s *Sim) violate(format string, args ...any) bool {
	if !s.strict {
		return false
	}
	msg := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.violations = append(s.violations, msg)
	s.mu.Unlock()
	s.log.Warn("qbosim: strict rule broken", "rule", msg)
	return true
}

func (s *Sim) company(realm string) *company {
	for _, c := range s.st.Companies {
		if c.RealmID == realm {
			return c
		}
	}
	return nil
}

// Company returns the name of the company with realmId realm.
func (s *Sim) Company(realm string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.company(realm); c != nil {
		return c.Name, true
	}
	return "", false
}

// SetBookCloseDate closes the books of realm up to and including day.
func (s *Sim) SetBookCloseDate(realm, day string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.company(realm); c != nil {
		c.BookCloseDate = day
	}
}
