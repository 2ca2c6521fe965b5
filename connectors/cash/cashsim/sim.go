package cashsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors/simkit"
)

// BasePath is where the REST API 4.0 is served, as on www.cashweb.nl.
const BasePath = "/api/4.0"

// InProcessURL is the base address Client reaches inside this process.
const InProcessURL = "http://cashsim.invalid"

// Option adjusts a simulator.
type Option func(*Sim)

// WithStrict makes every request be checked against the documented rules
// (raw-key Authorization, JSON content type, one line per R301 element,
// every field's type and length, known fields only, export parameters); a
// request that breaks one is answered 400 and the breach is kept for
// Violations.
func WithStrict() Option { return func(s *Sim) { s.strict = true } }

// WithStateFile keeps the simulator's state in path between runs.
func WithStateFile(path string) Option { return func(s *Sim) { s.file = path } }

// WithLogger sets where the simulator logs.
func WithLogger(l *slog.Logger) Option { return func(s *Sim) { s.log = l } }

// WithClock sets the simulator's clock.
func WithClock(now func() time.Time) Option { return func(s *Sim) { s.now = now } }

// WithKeyedLists makes lists come back as objects keyed "0", "1", … and
// the administrations' Dir as an array, the other shape clients have seen.
func WithKeyedLists() Option { return func(s *Sim) { s.keyed = true } }

// Sim is a Cash Web simulator. It is safe for concurrent use.
type Sim struct {
	strict bool
	keyed  bool
	file   string
	log    *slog.Logger
	now    func() time.Time

	mu         sync.Mutex
	st         *state
	offset     time.Duration
	violations []string
	faults     faults
	requests   []string
	dirty      bool // state changed since the file was written
}

type faults struct {
	rateLimit  int
	rateWait   time.Duration
	dropReply  int
	failStatus int
	failCount  int
}

// New starts a simulator with the seed (or its state file's) data.
func New(opts ...Option) (*Sim, error) {
	s := &Sim{log: slog.New(slog.DiscardHandler), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.st = seed()
	if s.file != "" {
		raw, err := os.ReadFile(s.file)
		switch {
		case err == nil:
			var st state
			if err := json.Unmarshal(raw, &st); err != nil {
				return nil, fmt.Errorf("the CASH simulator's state file %s is damaged: %w", s.file, err)
			}
			if st.Transactions == nil {
				st.Transactions = map[string]*transaction{}
			}
			s.st = &st
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("reading the CASH simulator's state: %w", err)
		}
	}
	return s, nil
}

// Close saves the state file, if there is one.
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked()
}

func (s *Sim) saveLocked() error {
	if s.file == "" {
		return nil
	}
	s.dirty = false
	return simkit.SaveJSON(s.file, s.st)
}

// Describe says how to point the CASH module at the simulator.
func (s *Sim) Describe(address string) string {
	return fmt.Sprintf("CASH (Cash Web) simulator at %s%s\n  API address: %s%s\n  API key: %s (administrations %s and %s, journal %s)\n  A key with no administration linked: %s",
		address, BasePath, address, BasePath, SandboxKey, SampleAdmin, NoRightsAdmin, SampleJournal, UnlinkedKey)
}

// Client reaches the simulator inside this process; use it with InProcessURL.
func (s *Sim) Client() *http.Client { return &http.Client{Transport: simkit.InProcess(s)} }

// Now is the simulator's time.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now().Add(s.offset)
}

// Advance moves the simulator's clock on by d.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// RateLimitNext answers the next n requests 429 with Retry-After wait.
func (s *Sim) RateLimitNext(n int, wait time.Duration) {
	s.mu.Lock()
	s.faults.rateLimit, s.faults.rateWait = n, wait
	s.mu.Unlock()
}

// DropNextReplies carries out the next n requests but cuts the connection
// before their answers leave.
func (s *Sim) DropNextReplies(n int) {
	s.mu.Lock()
	s.faults.dropReply = n
	s.mu.Unlock()
}

// FailNext answers the next n requests with status (a 5xx, say) and does
// nothing else.
func (s *Sim) FailNext(n, status int) {
	s.mu.Lock()
	s.faults.failCount, s.faults.failStatus = n, status
	s.mu.Unlock()
}

// SetPendingPolls sets how the administration's imports are processed (see
// Administration.PendingPolls).
func (s *Sim) SetPendingPolls(admin string, polls int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.admin(admin)
	if a == nil {
		return fmt.Errorf("no administration %q", admin)
	}
	a.PendingPolls = polls
	s.dirty = true
	return nil
}

// GrantRights makes the API user a user of the administration: its imports
// are processed at once from now on, and those left pending are processed
// now.
func (s *Sim) GrantRights(admin string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.admin(admin)
	if a == nil {
		return fmt.Errorf("no administration %q", admin)
	}
	a.PendingPolls = 0
	for _, id := range slices.Sorted(mapKeys(s.st.Transactions)) {
		tx := s.st.Transactions[id]
		if tx.Admin == admin && tx.Status == statusPending {
			s.processLocked(tx)
		}
	}
	return s.saveLocked()
}

// settleLocked processes the administration's pending imports that are
// not stuck for want of rights.
func (s *Sim) settleLocked(admin string) {
	for _, id := range slices.Sorted(mapKeys(s.st.Transactions)) {
		tx := s.st.Transactions[id]
		if tx.Admin == admin && tx.Status == statusPending && tx.PollsLeft > 0 {
			tx.PollsLeft = 0
			s.processLocked(tx)
		}
	}
}

// ClosePeriod closes a booking period (JJPP) of the administration.
func (s *Sim) ClosePeriod(admin, period string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.admin(admin)
	if a == nil {
		return fmt.Errorf("no administration %q", admin)
	}
	a.ClosedPeriods = append(a.ClosedPeriods, period)
	s.dirty = true
	return nil
}

// Lines returns a copy of the lines booked in the administration's journal.
func (s *Sim) Lines(admin, journal string) []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.admin(admin)
	if a == nil {
		return nil
	}
	var out []Line
	for _, l := range a.Lines {
		if l["F0901"] == journal {
			c := Line{}
			for k, v := range l {
				c[k] = v
			}
			out = append(out, c)
		}
	}
	return out
}

// Violations are the documented rules requests broke in strict mode.
func (s *Sim) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Requests are "METHOD path" of every request answered, in order.
func (s *Sim) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ServeHTTP answers the REST API 4.0.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	if f := &s.faults; f.rateLimit > 0 {
		f.rateLimit--
		w.Header().Set("Retry-After", strconv.Itoa(int(max(f.rateWait, time.Second)/time.Second)))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too Many Requests"})
		return
	}
	if f := &s.faults; f.failCount > 0 {
		f.failCount--
		writeJSON(w, f.failStatus, map[string]string{"error": http.StatusText(f.failStatus)})
		return
	}
	drop := false
	if s.faults.dropReply > 0 {
		s.faults.dropReply--
		drop = true
	}
	out := w
	if drop {
		out = httptest.NewRecorder()
	}
	s.route(out, r)
	if s.dirty {
		if err := s.saveLocked(); err != nil {
			s.log.Warn("cashsim: saving state", "err", err)
		}
	}
	if drop {
		// The request took effect; its answer is lost with the connection.
		panic(http.ErrAbortHandler)
	}
}

func (s *Sim) violate(w http.ResponseWriter, format string, args ...any) bool {
	if !s.strict {
		return false
	}
	msg := fmt.Sprintf(format, args...)
	s.violations = append(s.violations, msg)
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "strict: " + msg})
	return true
}

func (s *Sim) route(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
		return
	}
	if s.strict && r.Header.Get("Accept") == "" {
		s.violate(w, "%s %s: no Accept header", r.Method, r.URL.Path)
		return
	}
	key := r.Header.Get("Authorization")
	if strings.HasPrefix(strings.ToLower(key), "bearer ") && s.violate(w, "Authorization must be the raw API key, not %q", "Bearer …") {
		return
	}
	u := s.st.user(strings.TrimSpace(key))
	if u == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Unauthorized"})
		return
	}
	if len(u.Admins) == 0 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": unauthorizedAccess})
		return
	}
	switch {
	case r.Method == http.MethodGet && p == "/administrations":
		s.serveAdministrations(w, u)
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/get/index/"):
		s.serveExport(w, r, u, strings.TrimPrefix(p, "/get/index/"))
	case r.Method == http.MethodPost && p == "/import":
		s.serveImport(w, r, u)
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/transaction/"):
		s.serveTransaction(w, u, strings.TrimPrefix(p, "/transaction/"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
	}
}

// unauthorizedAccess is CASH's answer to a key with no administration.
const unauthorizedAccess = "1002 Unauthorized Access"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// list renders rows as a JSON array, or keyed "0", "1", … in keyed mode.
func (s *Sim) list(rows []map[string]any) any {
	if !s.keyed {
		if rows == nil {
			return []map[string]any{}
		}
		return rows
	}
	out := map[string]any{}
	for i, r := range rows {
		out[strconv.Itoa(i)] = r
	}
	return out
}

func (s *Sim) serveAdministrations(w http.ResponseWriter, u *User) {
	var adms []map[string]any
	for _, code := range u.Admins {
		if a := s.st.admin(code); a != nil {
			adms = append(adms, map[string]any{"Code": a.Code, "Name": a.Name, "ReadOnly": a.ReadOnly})
		}
	}
	dir := map[string]any{"Name": s.st.Relation, "Adms": map[string]any{"Adm": s.list(adms)}}
	if s.keyed {
		writeJSON(w, http.StatusOK, map[string]any{"Dir": []any{dir}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Dir": dir})
}

// linkedAdmin is the administration named by admin= when the user may use it.
func (s *Sim) linkedAdmin(w http.ResponseWriter, u *User, code string) *Administration {
	if strings.TrimSpace(code) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Geen administratie opgegeven"})
		return nil
	}
	a := s.st.admin(code)
	if a == nil || !slices.Contains(u.Admins, code) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": unauthorizedAccess})
		return nil
	}
	return a
}

func (s *Sim) serveExport(w http.ResponseWriter, r *http.Request, u *User, record string) {
	q := r.URL.Query()
	a := s.linkedAdmin(w, u, q.Get("admin"))
	if a == nil {
		return
	}
	// By the time anyone reads the books back, the administration has
	// worked through the imports it was going to process anyway.
	s.settleLocked(a.Code)
	var rows []map[string]any
	var key string
	switch record {
	case "0901", "0901T":
		key = "R0901"
		for _, j := range a.Journals {
			rows = append(rows, map[string]any{"F0901": j.Code, "F0902": j.Name, "F0903": j.Kind})
		}
	case "0201", "0201T":
		key = "R0201"
		for _, ac := range a.Accounts {
			rows = append(rows, map[string]any{"F0201": ac.Number, "F0202": strings.ToUpper(ac.Name), "F0203": ac.Name, "F0204": ac.Kind})
		}
	case "0911T":
		key = "R0911"
		for _, c := range a.CostCentres {
			blocked := "N"
			if c.Blocked {
				blocked = "J"
			}
			rows = append(rows, map[string]any{"F0911": c.Code, "F0912": c.Name, "F0208": blocked})
		}
	case "301T":
		key = "R0301"
		from, to, ok := strings.Cut(q.Get("params"), "|")
		if !ok || !isPeriod(from) || !isPeriod(to) {
			if s.violate(w, "export 301T needs params=<JJPP>|<JJPP>, got %q", q.Get("params")) {
				return
			}
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Ongeldige parameters"})
			return
		}
		for _, l := range a.Lines {
			if p := l["F0301"]; p >= from && p <= to {
				row := map[string]any{}
				for k, v := range l {
					row[k] = v
				}
				rows = append(rows, row)
			}
		}
	default:
		if s.violate(w, "export of unknown record %q", record) {
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Onbekend record " + record})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{key: s.list(rows)})
}

func (s *Sim) serveTransaction(w http.ResponseWriter, u *User, id string) {
	tx, ok := s.st.Transactions[id]
	if !ok || !slices.Contains(u.Admins, tx.Admin) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Transaction does not exist"})
		return
	}
	if tx.Status == statusPending && tx.PollsLeft > 0 {
		tx.PollsLeft--
		if tx.PollsLeft == 0 {
			s.processLocked(tx)
		}
	}
	switch tx.Status {
	case statusError:
		writeJSON(w, http.StatusOK, map[string]any{"status": statusError, "error": "Error import", "message": errorList(tx.Errors)})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": tx.Status, "transaction": tx.ID})
	}
}

func errorList(msgs []string) map[string]any {
	list := make([]map[string]string, len(msgs))
	for i, m := range msgs {
		list[i] = map[string]string{"message": m}
	}
	return map[string]any{"errors": map[string]any{"error": list}}
}

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, 8<<20))
}
