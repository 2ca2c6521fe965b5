// Package kashflowsim is a simulator of KashFlow's SOAP API
// (https://securedwebapp.com/api/service.asmx), for LedgerLink's tests and
// its Sandbox. It answers SOAP 1.1 POSTs to /api/service.asmx with the
// operation names, the KashFlow namespace, the element names and order and
// the Status / StatusDetail answers of KashFlow's WSDL, checks the user
// name and password on every call, keeps an IP access list, and in strict
// mode records every request that breaks the WSDL (unknown, missing or
// misplaced elements, wrong types, a wrong SOAPAction or namespace).
//
// Its types are its own reading of the WSDL, kept apart from the
// connector's.
package kashflowsim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors/simkit"
)

// Path is where the service answers.
const Path = "/api/service.asmx"

// Namespace is the WSDL's target namespace, a bare string.
const Namespace = "KashFlow"

// InProcessURL is the base address used with Client(); it is never dialled.
const InProcessURL = "http://kashflowsim.sandbox"

// The Sandbox company's API user.
const (
	SandboxUser     = "sandbox@harbourlane.example"
	SandboxPassword = "sandbox-api-password"
)

// The StatusDetail texts the simulator answers with. The first two are
// KashFlow's own words as integrations report them; the rest are the
// simulator's reading (KashFlow's exact wording was not captured).
const (
	MsgBadLogin       = "Incorrect username or password"
	msgIPFormat       = "The IP address of %s is not in the access list"
	MsgAPIDisabled    = "API access is not enabled for this account"
	MsgTooMany        = "Too many requests. Please try again later"
	msgCodeInUse      = "The customer code %s is already in use"
	msgSupplierInUse  = "The supplier code %s is already in use"
	msgNoCustomer     = "Customer not found"
	msgNoSupplier     = "Supplier not found"
	msgNoInvoice      = "Invoice not found"
	msgNoQuote        = "Quote not found"
	msgNoReceipt      = "Receipt not found"
	msgNoJournal      = "Journal not found"
	msgNoPayment      = "Payment not found"
	msgNoName         = "Name cannot be blank"
	msgNoLines        = "Invoice must have at least one line"
	msgNominal        = "Invalid nominal code (ChargeType %d)"
	msgJournalNominal = "Invalid nominal code (NominalID %d)"
	msgVAT            = "VAT rate %s is not allowed"
	msgPayMethod      = "Invalid payment method"
	msgPayAccount     = "Invalid bank account"
	msgUnbalanced     = "Journal does not balance"
	msgNumberInUse    = "Invoice number %d already exists"
	msgLocked         = "The date %s is in a locked period (VAT return submitted)"
	msgCreditFit      = "Credit note cannot be applied to this invoice"
)

// Option adjusts a simulator.
type Option func(*Sim)

// WithStateFile keeps the simulator's records in path between runs.
func WithStateFile(path string) Option { return func(s *Sim) { s.stateFile = path } }

// WithClock sets the simulator's clock.
func WithClock(now func() time.Time) Option { return func(s *Sim) { s.now = now } }

// WithStrict makes the simulator record requests that break the WSDL (see
// Violations) and answer them with a SOAP fault.
func WithStrict() Option { return func(s *Sim) { s.strict = true } }

// WithLogger logs each call.
func WithLogger(l *slog.Logger) Option { return func(s *Sim) { s.log = l } }

// WithoutSeed starts with an empty company (no reference data, no
// pending payments).
func WithoutSeed() Option { return func(s *Sim) { s.noSeed = true } }

// Sim is the simulator; it is an http.Handler and safe for concurrent use.
type Sim struct {
	mu         sync.Mutex
	st         *state
	now        func() time.Time
	strict     bool
	noSeed     bool
	stateFile  string
	log        *slog.Logger
	violations []string
	calls      map[string]int

	rateNext  time.Duration
	failNext  int
	failCode  int
	loseNext  int
	loseAt    int    // the write whose reply is lost, counted from LoseReplyOfWrite
	ipSeen    string // overrides the caller's address (tests behind a proxy)
	apiOff    bool
	allowedIP []string
}

// New starts a simulator.
func New(opts ...Option) (*Sim, error) {
	s := &Sim{now: time.Now, calls: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.stateFile != "" {
		st, err := loadState(s.stateFile)
		switch {
		case err == nil:
			s.st = st
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, err
		}
	}
	if s.st == nil {
		s.st = newState()
		if !s.noSeed {
			seed(s.st, s.now())
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

// Describe says how to point the KashFlow module at the simulator.
func (s *Sim) Describe(address string) string {
	return fmt.Sprintf(`Point the KashFlow module at it with:
  ledgerlink config kashflow endpoint=%s%s username=%s
and the API password %q.`, address, Path, SandboxUser, SandboxPassword)
}

// Client returns an HTTP client that reaches the simulator inside this
// process, without a network. Use it with InProcessURL.
func (s *Sim) Client() *http.Client { return &http.Client{Transport: simkit.InProcess(s)} }

// ---- fault hooks and settings ----

// RateLimitNext makes the next request answer HTTP 429 with Retry-After.
func (s *Sim) RateLimitNext(wait time.Duration) {
	s.mu.Lock()
	s.rateNext = wait
	s.mu.Unlock()
}

// FailNext makes the next n requests fail with an HTTP status (500, 503...)
// and a SOAP fault, before doing anything.
func (s *Sim) FailNext(n, status int) {
	s.mu.Lock()
	s.failNext, s.failCode = n, status
	s.mu.Unlock()
}

// LoseNextReply makes the next request take effect while its answer is
// lost (the connection is cut).
func (s *Sim) LoseNextReply() {
	s.mu.Lock()
	s.loseNext++
	s.mu.Unlock()
}

// LoseReplyOfWrite makes the n-th write from now (1 is the next) take
// effect while its answer is lost: a crash or cut line at that step.
func (s *Sim) LoseReplyOfWrite(n int) {
	s.mu.Lock()
	s.loseAt = n
	s.mu.Unlock()
}

// SetAPIEnabled switches the company's API access on or off.
func (s *Sim) SetAPIEnabled(on bool) {
	s.mu.Lock()
	s.apiOff = !on
	s.mu.Unlock()
}

// SetAccessList restricts the API to these IP addresses; none lifts the
// restriction.
func (s *Sim) SetAccessList(ips ...string) {
	s.mu.Lock()
	s.allowedIP = append([]string(nil), ips...)
	s.mu.Unlock()
}

// SetPassword changes the API password.
func (s *Sim) SetPassword(p string) {
	s.mu.Lock()
	s.st.Password = p
	s.mu.Unlock()
}

// SetLockDate locks every document dated on or before d (a submitted VAT return).
func (s *Sim) SetLockDate(d time.Time) {
	s.mu.Lock()
	s.st.LockedUntil = d
	s.mu.Unlock()
}

// Violations are the strict-mode findings so far.
func (s *Sim) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Calls returns how many calls of each operation were answered.
func (s *Sim) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls forgets the call counts.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.mu.Unlock()
}

// ---- serving ----

type envelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Inner []byte `xml:",innerxml"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// ServeHTTP answers one SOAP call.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.URL.Path, Path) {
		http.Error(w, "The resource cannot be found.", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "Request format is unrecognized.", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	if s.rateNext > 0 {
		wait := s.rateNext
		s.rateNext = 0
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)))
		http.Error(w, MsgTooMany, http.StatusTooManyRequests)
		return
	}
	if s.failNext > 0 {
		s.failNext--
		code := s.failCode
		s.mu.Unlock()
		writeFault(w, code, "soap:Server", "Server was unable to process request. ---> The service is temporarily unavailable.")
		return
	}
	s.mu.Unlock()

	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		writeFault(w, http.StatusInternalServerError, "soap:Client", "Server was unable to read request.")
		return
	}
	op, inner, err := splitEnvelope(body)
	if err != nil {
		s.violate("malformed envelope: %v", err)
		writeFault(w, http.StatusInternalServerError, "soap:Client", "Server was unable to read request. ---> There is an error in XML document.")
		return
	}
	action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "text/xml") {
		s.violate("%s: Content-Type %q, want text/xml; charset=utf-8", op.Local, ct)
	}
	if action != Namespace+"/"+op.Local {
		s.violate("%s: SOAPAction %q, want %q", op.Local, action, Namespace+"/"+op.Local)
		writeFault(w, http.StatusInternalServerError, "soap:Client", fmt.Sprintf("Server did not recognize the value of HTTP Header SOAPAction: %s.", action))
		return
	}
	if op.Space != Namespace {
		s.violate("%s: namespace %q, want %q", op.Local, op.Space, Namespace)
		writeFault(w, http.StatusInternalServerError, "soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: "+action+".")
		return
	}
	def, ok := operations[op.Local]
	if !ok {
		s.violate("unknown operation %s", op.Local)
		writeFault(w, http.StatusInternalServerError, "soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: "+action+".")
		return
	}
	req := def.newReq()
	if problems := validate(inner, req); len(problems) > 0 {
		for _, p := range problems {
			s.violate("%s: %s", op.Local, p)
		}
		if s.strict {
			writeFault(w, http.StatusInternalServerError, "soap:Client", "Server was unable to read request. ---> There is an error in XML document: "+problems[0])
			return
		}
	}
	if err := xml.Unmarshal(inner, req); err != nil {
		writeFault(w, http.StatusInternalServerError, "soap:Client", "Server was unable to read request. ---> There is an error in XML document.")
		return
	}

	s.mu.Lock()
	s.calls[op.Local]++
	result, detail := s.authorise(r, req.(authed))
	if detail == "" {
		var no *statusNo
		result, err = def.run(s, req)
		switch {
		case errors.As(err, &no):
			detail = no.detail
		case err != nil:
			s.mu.Unlock()
			writeFault(w, http.StatusInternalServerError, "soap:Server", "Server was unable to process request. ---> "+err.Error())
			return
		}
		if def.writes && detail == "" {
			if err := s.saveLocked(); err != nil {
				s.log.Error("saving the KashFlow simulator's state", "err", err)
			}
		}
	}
	lose := false
	if s.loseNext > 0 && def.writes {
		s.loseNext--
		lose = true
	}
	if s.loseAt > 0 && def.writes {
		s.loseAt--
		lose = lose || s.loseAt == 0
	}
	s.mu.Unlock()
	s.log.Debug("kashflowsim", "op", op.Local, "status", detail)
	if lose {
		panic(http.ErrAbortHandler)
	}
	writeAnswer(w, op.Local, def.resultName(op.Local), result, detail)
}

type authed interface{ creds() (string, string) }

// Auth is the UserName and Password every request starts with.
type Auth struct {
	UserName string
	Password string
}

func (a *Auth) creds() (string, string) { return a.UserName, a.Password }

// authorise checks the API switch, the access list and the password, in
// that order; it answers a StatusDetail when the call is refused.
func (s *Sim) authorise(r *http.Request, a authed) (any, string) {
	if s.apiOff {
		return nil, MsgAPIDisabled
	}
	if len(s.allowedIP) > 0 {
		ip := s.ipSeen
		if ip == "" {
			ip, _, _ = net.SplitHostPort(r.RemoteAddr)
		}
		allowed := false
		for _, a := range s.allowedIP {
			if a == ip {
				allowed = true
			}
		}
		if !allowed {
			return nil, fmt.Sprintf(msgIPFormat, ip)
		}
	}
	u, p := a.creds()
	if !strings.EqualFold(strings.TrimSpace(u), s.st.User) || p != s.st.Password {
		return nil, MsgBadLogin
	}
	return nil, ""
}

func (s *Sim) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

type statusNo struct{ detail string }

func (e *statusNo) Error() string { return e.detail }

func no(format string, args ...any) error { return &statusNo{fmt.Sprintf(format, args...)} }

// splitEnvelope finds the operation element in a SOAP 1.1 envelope.
func splitEnvelope(body []byte) (xml.Name, []byte, error) {
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return xml.Name{}, nil, err
	}
	dec := xml.NewDecoder(bytes.NewReader(env.Body.Inner))
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.Name{}, nil, fmt.Errorf("no operation in the body: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			// Re-read the element alone so it can be decoded on its own.
			start := dec.InputOffset()
			_ = start
			var raw struct {
				Inner []byte `xml:",innerxml"`
			}
			if err := dec.DecodeElement(&raw, &se); err != nil {
				return xml.Name{}, nil, err
			}
			var buf bytes.Buffer
			buf.WriteString(`<` + se.Name.Local + ` xmlns="` + se.Name.Space + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
			buf.Write(raw.Inner)
			buf.WriteString(`</` + se.Name.Local + `>`)
			return se.Name, buf.Bytes(), nil
		}
	}
}

func writeAnswer(w http.ResponseWriter, op, resultName string, result any, detail string) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` +
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
		`<soap:Body><` + op + `Response xmlns="KashFlow">`)
	if result != nil && resultName != "" {
		enc := xml.NewEncoder(&buf)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: resultName}}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = enc.Flush()
	}
	if detail == "" {
		buf.WriteString(`<Status>OK</Status><StatusDetail />`)
	} else {
		buf.WriteString(`<Status>NO</Status><StatusDetail>`)
		_ = xml.EscapeText(&buf, []byte(detail))
		buf.WriteString(`</StatusDetail>`)
	}
	buf.WriteString(`</` + op + `Response></soap:Body></soap:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func writeFault(w http.ResponseWriter, status int, code, text string) {
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(text))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring><detail /></soap:Fault></soap:Body></soap:Envelope>`, code, msg.String())
}

// ---- state ----

type state struct {
	User        string `json:"user"`
	Password    string `json:"password"`
	Company     CompanyDetails
	LockedUntil time.Time `json:"locked_until,omitzero"`
	NextID      int       `json:"next_id"`
	NextNumber  map[string]int

	Customers     []*Customer
	Suppliers     []*Supplier
	Documents     []*document
	Payments      []*payment
	Journals      []*JournalEntry
	Nominals      []NominalCode
	VATRates      []BasicDataset
	Banks         []BankAccount
	InvMethods    []PaymentMethod
	RecMethods    []PaymentMethod
	Products      []Product
	SubProducts   []*SubProduct
	Pending       []pendingPayment
	CreditApplied []creditApplied
}

// document is an Invoice of one of the three kinds.
type document struct {
	Kind string // "invoice", "quote" or "receipt"
	Invoice
}

// payment is a Payment on an invoice or a receipt.
type payment struct {
	Kind string // "invoice" or "receipt"
	Payment
}

// pendingPayment is a payment "made in KashFlow" once the document whose
// reference names it exists (the Sandbox's bank feed).
type pendingPayment struct {
	Reference string
	Date      time.Time
	Note      string
	Method    int
	Account   int
	Applied   bool
}

type creditApplied struct{ InvoiceDBID, CreditDBID int }

func newState() *state {
	return &state{User: SandboxUser, Password: SandboxPassword, NextID: 1000, NextNumber: map[string]int{"invoice": 1, "quote": 1, "receipt": 1, "journal": 1}}
}

func (st *state) id() int { st.NextID++; return st.NextID }

func loadState(path string) (*state, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	st := newState()
	if err := json.Unmarshal(raw, st); err != nil {
		return nil, fmt.Errorf("the KashFlow simulator's file %s is damaged: %w", path, err)
	}
	return st, nil
}

func (s *Sim) saveLocked() error { return simkit.SaveJSON(s.stateFile, s.st) }
