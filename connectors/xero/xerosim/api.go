package xerosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	apiRoot         = "/api.xro/2.0"
	defaultPageSize = 100
	maxPageSize     = 1000
	maxBodyBytes    = 10 << 20
	providerName    = "LedgerLink Xero simulator"
)

// answer is what a handler decided to send.
type answer struct {
	status int
	body   []byte
	// mutated says the state changed and must be saved.
	mutated bool
	// unkept answers (strict-mode refusals) are not remembered for
	// Idempotency-Key replay: they say nothing about Xero's behaviour.
	unkept bool
}

func jsonAnswer(status int, v any) answer {
	b, err := json.Marshal(v)
	if err != nil {
		return answer{status: http.StatusInternalServerError, body: []byte(`{"ErrorNumber":500,"Type":"UnknownErrorException","Message":"An error occurred"}`)}
	}
	return answer{status: status, body: b}
}

// envelope wraps a collection the way every Accounting API answer does.
func (s *Sim) envelope(key string, items any, extra map[string]any) map[string]any {
	out := map[string]any{
		"Id": newID(), "Status": "OK", "ProviderName": providerName, "DateTimeUTC": "/Date(" + strconv.FormatInt(s.now().UnixMilli(), 10) + ")/",
		key: items,
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func errorAnswer(status, number int, typ, msg string, elements []any) answer {
	body := map[string]any{"ErrorNumber": number, "Type": typ, "Message": msg}
	if elements != nil {
		body["Elements"] = elements
	}
	return jsonAnswer(status, body)
}

func badRequest(msg string) answer {
	return errorAnswer(http.StatusBadRequest, 14, "PostDataInvalidException", msg, nil)
}

func writeNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "The resource you're looking for cannot be found")
}

var notFound = answer{status: http.StatusNotFound, body: []byte("The resource you're looking for cannot be found")}

// scopes each collection needs to be read and written.
var readScopes = map[string][]string{
	"contacts":     {"accounting.contacts", "accounting.contacts.read"},
	"invoices":     {"accounting.invoices", "accounting.invoices.read", "accounting.transactions", "accounting.transactions.read"},
	"quotes":       {"accounting.invoices", "accounting.invoices.read", "accounting.transactions", "accounting.transactions.read"},
	"creditnotes":  {"accounting.invoices", "accounting.invoices.read", "accounting.transactions", "accounting.transactions.read"},
	"payments":     {"accounting.payments", "accounting.payments.read", "accounting.transactions", "accounting.transactions.read"},
	"items":        {"accounting.settings", "accounting.settings.read", "accounting.invoices", "accounting.invoices.read", "accounting.transactions", "accounting.transactions.read"},
	"accounts":     {"accounting.settings", "accounting.settings.read"},
	"taxrates":     {"accounting.settings", "accounting.settings.read"},
	"organisation": {"accounting.settings", "accounting.settings.read"},
	"currencies":   {"accounting.settings", "accounting.settings.read"},
	// Batch payments are payments: granular apps reach them with the
	// payments scopes, older apps with the broad transactions ones.
	"batchpayments":  {"accounting.payments", "accounting.payments.read", "accounting.transactions", "accounting.transactions.read"},
	"contactgroups":  {"accounting.contacts", "accounting.contacts.read"},
	"manualjournals": {"accounting.manualjournals", "accounting.manualjournals.read", "accounting.transactions", "accounting.transactions.read"},
}

var writeScopes = map[string][]string{
	"contacts":       {"accounting.contacts"},
	"invoices":       {"accounting.invoices", "accounting.transactions"},
	"quotes":         {"accounting.invoices", "accounting.transactions"},
	"creditnotes":    {"accounting.invoices", "accounting.transactions"},
	"payments":       {"accounting.payments", "accounting.transactions"},
	"manualjournals": {"accounting.manualjournals", "accounting.transactions"},
	// Items are written with the granular invoices scope (which covers
	// items), or with the broad settings or transactions ones.
	"items": {"accounting.invoices", "accounting.settings", "accounting.transactions"},
	// batch payments as for payments
	"batchpayments": {"accounting.payments", "accounting.transactions"},
	"contactgroups": {"accounting.contacts"},
}

// apiCall is one parsed Accounting API request.
type apiCall struct {
	r         *http.Request
	t         *tenant
	resource  string // lower case: "invoices"
	id        string // path element after the collection
	sub       string // "allocations"
	query     url.Values
	body      []byte
	raw       map[string]any
	unitdp    int
	summarize bool
	since     time.Time
}

// serveAPI answers /api.xro/2.0/...
func (s *Sim) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return
	}
	tenantID := r.Header.Get("xero-tenant-id")

	s.mu.Lock()
	s.inFly[strings.ToLower(tenantID)]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFly[strings.ToLower(tenantID)]--
		s.mu.Unlock()
	}()

	s.mu.Lock()
	defer s.mu.Unlock()
	rec := RequestRecord{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		Tenant: tenantID, At: s.now(), BodyBytes: len(body)}
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		rec.Bearer = b
	}
	headers := http.Header{}
	send := func(a answer) {
		rec.Status = a.status
		s.requests = append(s.requests, rec)
		if a.mutated {
			if err := s.saveLocked(); err != nil {
				s.log.Error("xerosim: saving state", "err", err)
			}
		}
		if s.faults.dropAPI > 0 {
			s.faults.dropAPI--
			panic(http.ErrAbortHandler)
		}
		for k, v := range headers {
			w.Header()[k] = v
		}
		w.Header().Set("Xero-Correlation-Id", newID())
		if a.status == http.StatusNotFound && !bytes.HasPrefix(a.body, []byte("{")) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		} else if len(a.body) > 0 {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(a.status)
		w.Write(a.body)
	}
	problem := func(status int, title, detail string) {
		rec.Status = status
		s.requests = append(s.requests, rec)
		writeProblem(w, status, title, detail)
	}

	tok, _, authProblem := s.bearerLocked(r)
	if tok == nil {
		problem(http.StatusUnauthorized, "Unauthorized", authProblem)
		return
	}
	t := s.tenantLocked(tenantID)
	if tenantID == "" || t == nil || !s.connectedLocked(tok, t.Organisation.OrganisationID) {
		problem(http.StatusForbidden, "Forbidden", "AuthorizationUnsuccessful")
		return
	}
	if s.faults.failCount > 0 {
		s.faults.failCount--
		send(errorAnswer(s.faults.failStatus, s.faults.failStatus, "UnknownErrorException", "An error occurred in Xero. Please try again.", nil))
		return
	}
	if s.faults.rateCount > 0 {
		s.faults.rateCount--
		headers.Set("Retry-After", strconv.Itoa(int(math.Ceil(s.faults.rateWait.Seconds()))))
		headers.Set("X-Rate-Limit-Problem", s.faults.rateProblem)
		send(answer{status: http.StatusTooManyRequests})
		return
	}
	if limited := s.rateLimitLocked(t, headers); limited {
		send(answer{status: http.StatusTooManyRequests})
		return
	}

	c := &apiCall{r: r, t: t, body: body, query: r.URL.Query(), unitdp: 2, summarize: true}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, apiRoot), "/"), "/")
	c.resource = strings.ToLower(parts[0])
	if len(parts) > 1 {
		c.id = parts[1]
	}
	if len(parts) > 2 {
		c.sub = strings.ToLower(parts[2])
	}
	if len(parts) > 3 {
		send(notFound)
		return
	}
	if _, known := readScopes[c.resource]; !known {
		send(notFound)
		return
	}
	need := readScopes[c.resource]
	if r.Method != http.MethodGet {
		need = writeScopes[c.resource]
	}
	if !slices.ContainsFunc(tok.Scopes, func(sc string) bool { return slices.Contains(need, sc) }) {
		problem(http.StatusForbidden, "Forbidden", "AuthorizationUnsuccessful")
		return
	}

	if s.strict {
		var problems []string
		checkRequest(r, c.resource, &problems)
		if len(problems) > 0 {
			s.violations = append(s.violations, problems...)
			send(badRequest("Strict schema check failed: " + strings.Join(problems, "; ")))
			return
		}
	}
	if v := c.query.Get("unitdp"); v == "4" {
		c.unitdp = 4
	}
	if c.query.Get("summarizeErrors") == "false" {
		c.summarize = false
	}
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		ts, ok := parseTimestamp(v)
		if !ok {
			send(badRequest("The If-Modified-Since header could not be read"))
			return
		}
		c.since = ts
	}

	key := r.Header.Get("Idempotency-Key")
	write := r.Method == http.MethodPut || r.Method == http.MethodPost
	if write && key != "" {
		if len(key) > 128 {
			send(badRequest("The Idempotency-Key header is longer than 128 characters"))
			return
		}
		if prev, ok := t.Idem[key]; ok {
			rec.Replayed = true
			send(answer{status: prev.Status, body: prev.Body})
			return
		}
	}
	if write {
		if len(body) > maxBodyBytes {
			send(answer{status: http.StatusRequestEntityTooLarge, body: []byte(`{"ErrorNumber":413,"Type":"RequestTooLargeException","Message":"The request is too large"}`)})
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&c.raw); err != nil {
			send(badRequest("JSON for post data was invalid, " + err.Error()))
			return
		}
	}

	a := s.route(c)
	if write && key != "" && a.status < 500 && !a.unkept {
		t.Idem[key] = &idemEntry{Status: a.status, Body: a.body, At: s.now()}
		a.mutated = true
	}
	send(a)
}

// rateLimitLocked counts the call against the limits, sets the remaining
// allowance headers, and reports whether the call must be refused (the
// Retry-After and X-Rate-Limit-Problem headers are then set).
func (s *Sim) rateLimitLocked(t *tenant, h http.Header) bool {
	now := s.now()
	id := t.Organisation.OrganisationID
	win := s.rl[id]
	if win == nil {
		win = &window{start: now}
		win.day.start = now
		s.rl[id] = win
	}
	if s.appRL == nil {
		s.appRL = &window{start: now}
	}
	if now.Sub(win.start) >= time.Minute {
		win.start, win.count = now, 0
	}
	if now.Sub(win.day.start) >= 24*time.Hour {
		win.day.start, win.day.count = now, 0
	}
	if now.Sub(s.appRL.start) >= time.Minute {
		s.appRL.start, s.appRL.count = now, 0
	}
	refuse := func(problem string, until time.Time) bool {
		wait := max(1, int(math.Ceil(until.Sub(now).Seconds())))
		h.Set("Retry-After", strconv.Itoa(wait))
		h.Set("X-Rate-Limit-Problem", problem)
		return true
	}
	l := s.limits
	if l.Concurrent > 0 && s.inFly[strings.ToLower(id)] > l.Concurrent {
		return refuse("concurrent", now.Add(time.Second))
	}
	if l.PerDay > 0 && win.day.count >= l.PerDay {
		return refuse("day", win.day.start.Add(24*time.Hour))
	}
	if l.AppPerMinute > 0 && s.appRL.count >= l.AppPerMinute {
		return refuse("appminute", s.appRL.start.Add(time.Minute))
	}
	if l.PerMinute > 0 && win.count >= l.PerMinute {
		return refuse("minute", win.start.Add(time.Minute))
	}
	win.count++
	win.day.count++
	s.appRL.count++
	if l.PerMinute > 0 {
		h.Set("X-MinLimit-Remaining", strconv.Itoa(l.PerMinute-win.count))
	}
	if l.PerDay > 0 {
		h.Set("X-DayLimit-Remaining", strconv.Itoa(l.PerDay-win.day.count))
	}
	if l.AppPerMinute > 0 {
		h.Set("X-AppMinLimit-Remaining", strconv.Itoa(l.AppPerMinute-s.appRL.count))
	}
	return false
}

func (s *Sim) route(c *apiCall) answer {
	m := c.r.Method
	switch c.resource {
	case "contacts":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listContacts(c)
		case m == http.MethodGet && c.sub == "":
			return s.getContact(c)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeContacts(c)
		}
	case "invoices":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listInvoices(c)
		case m == http.MethodGet && c.sub == "":
			return s.getInvoice(c)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeInvoices(c)
		}
	case "quotes":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listQuotes(c)
		case m == http.MethodGet && c.sub == "":
			return s.getQuote(c)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeQuotes(c)
		}
	case "creditnotes":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listCreditNotes(c)
		case m == http.MethodGet && c.sub == "":
			return s.getCreditNote(c)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeCreditNotes(c)
		case m == http.MethodPut && c.sub == "allocations":
			return s.allocateCreditNote(c)
		}
	case "payments":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listPayments(c)
		case m == http.MethodGet && c.sub == "":
			return s.getPayment(c)
		case m == http.MethodPut && c.id == "":
			return s.writePayments(c)
		}
	case "batchpayments":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listBatchPayments(c)
		case m == http.MethodGet && c.sub == "":
			return s.getBatchPayment(c)
		case m == http.MethodPut && c.id == "":
			return s.writeBatchPayments(c)
		}
	case "contactgroups":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listContactGroups(c)
		case m == http.MethodGet && c.sub == "":
			return s.getContactGroup(c)
		case m == http.MethodPut && c.id == "":
			return s.writeContactGroups(c)
		case m == http.MethodPut && c.sub == "contacts":
			return s.addToContactGroup(c)
		}
	case "manualjournals":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listManualJournals(c)
		case m == http.MethodGet && c.sub == "":
			return s.getManualJournal(c)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeManualJournals(c)
		}
	case "accounts":
		if m == http.MethodGet && c.id == "" {
			return s.listSimple(c, "Accounts", c.t.Accounts)
		}
	case "taxrates":
		if m == http.MethodGet && c.id == "" {
			rates := c.t.TaxRates
			if tt := c.query.Get("TaxType"); tt != "" {
				rates = slices.DeleteFunc(slices.Clone(rates), func(r *TaxRate) bool { return r.TaxType != tt })
			}
			return s.listSimple(c, "TaxRates", rates)
		}
	case "items":
		switch {
		case m == http.MethodGet && c.id == "":
			return s.listSimple(c, "Items", c.t.Items)
		case (m == http.MethodPut || m == http.MethodPost) && c.id == "":
			return s.writeItems(c)
		}
	case "organisation":
		if m == http.MethodGet && c.id == "" {
			return jsonAnswer(http.StatusOK, s.envelope("Organisations", []Organisation{c.t.Organisation}, nil))
		}
	case "currencies":
		if m == http.MethodGet && c.id == "" {
			cur := []map[string]string{{"Code": c.t.Organisation.BaseCurrency, "Description": c.t.Organisation.BaseCurrency}}
			for _, x := range c.t.Currencies {
				cur = append(cur, map[string]string{"Code": x, "Description": x})
			}
			return jsonAnswer(http.StatusOK, s.envelope("Currencies", cur, nil))
		}
	}
	if m == http.MethodGet {
		return notFound
	}
	return answer{status: http.StatusMethodNotAllowed, body: []byte(`{"ErrorNumber":405,"Type":"MethodNotAllowedException","Message":"The method is not allowed here"}`)}
}

// ---- listing ----

// filterSet applies If-Modified-Since and the where filter to records.
func filterRecords[T any](c *apiCall, recs []*T, updated func(*T) string) ([]*T, *answer) {
	var where whereNode
	if w := c.query.Get("where"); w != "" {
		n, err := parseWhere(w)
		if err != nil {
			a := badRequest("The where filter could not be read: " + err.Error())
			return nil, &a
		}
		where = n
	}
	out := make([]*T, 0, len(recs))
	for _, r := range recs {
		if !c.since.IsZero() {
			ts, ok := parseMSDate(updated(r))
			if !ok || ts.Before(c.since) {
				continue
			}
		}
		if where != nil {
			m, err := asMap(r)
			if err != nil {
				continue
			}
			ok, err := where.eval(m)
			if err != nil {
				a := badRequest("The where filter could not be applied: " + err.Error())
				return nil, &a
			}
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func asMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	err = dec.Decode(&m)
	return m, err
}

// page cuts one page when page= is given; pageSized says the collection
// takes pageSize (otherwise pages are 100). It returns the page, the
// pagination object (nil when not paged or not offered), and whether
// paging was asked for.
func page[T any](c *apiCall, recs []*T, pageSized bool) ([]*T, map[string]any, bool, *answer) {
	pv := c.query.Get("page")
	if pv == "" {
		return recs, nil, false, nil
	}
	n, err := strconv.Atoi(pv)
	if err != nil || n < 1 {
		a := badRequest("page must be a whole number from 1")
		return nil, nil, false, &a
	}
	size := defaultPageSize
	if pageSized {
		if v := c.query.Get("pageSize"); v != "" {
			ps, err := strconv.Atoi(v)
			if err != nil || ps < 1 {
				a := badRequest("pageSize must be a whole number from 1")
				return nil, nil, false, &a
			}
			size = min(ps, maxPageSize)
		}
	}
	total := len(recs)
	start := min((n-1)*size, total)
	end := min(start+size, total)
	var pg map[string]any
	if pageSized {
		pg = map[string]any{"page": n, "pageSize": size, "pageCount": (total + size - 1) / size, "itemCount": total}
	}
	return recs[start:end], pg, true, nil
}

func (s *Sim) listSimple(c *apiCall, key string, recs any) answer {
	switch v := recs.(type) {
	case []*Account:
		out, bad := filterRecords(c, v, func(a *Account) string { return a.UpdatedDateUTC })
		if bad != nil {
			return *bad
		}
		return jsonAnswer(http.StatusOK, s.envelope(key, out, nil))
	case []*TaxRate:
		// Tax rates carry no change date: If-Modified-Since does not apply.
		c.since = time.Time{}
		out, bad := filterRecords(c, v, func(*TaxRate) string { return "" })
		if bad != nil {
			return *bad
		}
		return jsonAnswer(http.StatusOK, s.envelope(key, out, nil))
	case []*Item:
		out, bad := filterRecords(c, v, func(i *Item) string { return i.UpdatedDateUTC })
		if bad != nil {
			return *bad
		}
		return jsonAnswer(http.StatusOK, s.envelope(key, out, nil))
	}
	return answer{status: http.StatusInternalServerError}
}

// idsParam reads a comma-separated list parameter.
func idsParam(q url.Values, name string) []string {
	v := q.Get(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}

// ---- writes ----

// elements returns the array of a write's body, under key.
func (c *apiCall) elements(key string) ([]map[string]any, *answer) {
	arr, ok := c.raw[key]
	if !ok {
		// A single object may be sent on its own, without the array.
		if len(c.raw) > 0 {
			return []map[string]any{c.raw}, nil
		}
		a := badRequest(fmt.Sprintf("The request has no %s", key))
		return nil, &a
	}
	list, ok := arr.([]any)
	if !ok {
		a := badRequest(fmt.Sprintf("%s must be an array", key))
		return nil, &a
	}
	out := make([]map[string]any, 0, len(list))
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			a := badRequest(fmt.Sprintf("every element of %s must be an object", key))
			return nil, &a
		}
		out = append(out, m)
	}
	return out, nil
}

// strictElements checks elements against the schema in strict mode.
func (s *Sim) strictElements(o *object, key string, els []map[string]any, create bool) *answer {
	if !s.strict {
		return nil
	}
	var problems []string
	for i, el := range els {
		checkObject(o, el, fmt.Sprintf("%s[%d]", key, i), create, &problems)
	}
	if len(problems) == 0 {
		return nil
	}
	s.violations = append(s.violations, problems...)
	a := badRequest("Strict schema check failed: " + strings.Join(problems, "; "))
	a.unkept = true
	return &a
}

// decodeInto turns a raw element into a typed record.
func decodeInto(raw map[string]any, v any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// mergeOver is the record an element describes: in itself for a new
// record, or raw laid over stored for an update.
func mergeOver[T any](in, stored *T, raw map[string]any) (*T, error) {
	if stored == nil {
		return in, nil
	}
	merged, err := overlay(stored, raw)
	if err != nil {
		return nil, fmt.Errorf("JSON for post data was invalid, %w", err)
	}
	return merged, nil
}

// overlay applies the fields present in raw over the stored record, as a
// POST updates only what it names.
func overlay[T any](stored *T, raw map[string]any) (*T, error) {
	m, err := asMap(stored)
	if err != nil {
		return nil, err
	}
	for k, v := range raw {
		m[k] = v
	}
	var out T
	if err := decodeInto(m, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// writeOutcome gathers the verdicts on a write's elements.
type writeOutcome struct {
	key      string
	results  []any
	failed   []any
	anyError bool
}

func (o *writeOutcome) add(rec any, failed bool) {
	o.results = append(o.results, rec)
	if failed {
		o.anyError = true
		o.failed = append(o.failed, rec)
	}
}

// finish answers a write: with summarizeErrors=false, 200 and every
// element with its own verdict; otherwise (Xero's default) a 400
// ValidationException with the failing elements when any failed, after
// the changes were rolled back.
func (s *Sim) finish(c *apiCall, o *writeOutcome, rollback func()) answer {
	if o.anyError && c.summarize {
		rollback()
		return errorAnswer(http.StatusBadRequest, 10, "ValidationException", "A validation exception occurred", o.failed)
	}
	a := jsonAnswer(http.StatusOK, s.envelope(o.key, o.results, nil))
	a.mutated = true
	return a
}

// snapshot returns a function restoring the tenant's records.
func snapshot(t *tenant) func() {
	b, err := json.Marshal(t)
	if err != nil {
		return func() {}
	}
	return func() {
		var back tenant
		if json.Unmarshal(b, &back) == nil {
			back.init()
			*t = back
		}
	}
}

func messages(msgs []string) []ValidationError {
	out := make([]ValidationError, len(msgs))
	for i, m := range msgs {
		out[i] = ValidationError{Message: m}
	}
	return out
}
