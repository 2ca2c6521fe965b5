package qbosim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// obj is one entity or sub-object as the JSON carries it.
type obj = map[string]any

// qerr is one Error of a Fault.
type qerr struct {
	Message string `json:"Message"`
	Detail  string `json:"Detail"`
	Code    string `json:"code"`
	Element string `json:"element"`
}

// qfault is a Fault and the HTTP status it comes with.
type qfault struct {
	Status int
	Type   string
	Errors []qerr
}

func (f *qfault) body() obj { return obj{"Error": f.Errors, "type": f.Type} }

func newFault(status int, typ, code, msg, detail, element string) *qfault {
	return &qfault{Status: status, Type: typ, Errors: []qerr{{Message: msg, Detail: detail, Code: code, Element: element}}}
}

func validation(code, msg, detail, element string) *qfault {
	return newFault(http.StatusBadRequest, "ValidationFault", code, msg, detail, element)
}

// The faults QuickBooks answers most, word for word where Intuit's pages
// and integrators' threads quote them.
func invalidRef(element string) *qfault {
	return validation("2500", "Invalid Reference Id", "Invalid Reference Id : "+element, element)
}

func inactiveRef(element string) *qfault {
	return validation("2500", "Invalid Reference Id", "Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", element)
}

func notFound(entity, id string) *qfault {
	return validation("610", "Object Not Found", "Object Not Found : Something you're trying to use has been made inactive or deleted. Check the fields with accounts, customers, items, vendors or employees.", "")
}

func staleObject() *qfault {
	return validation("5010", "Stale Object Error", "Stale Object Error : You and QuickBooks Sandbox were working on this at the same time. QuickBooks Sandbox finished before you did, so your work was not saved.", "")
}

func businessValidation(detail string) *qfault {
	return validation("6000", "A business validation error has occurred while processing your request", "Business Validation Error: "+detail, "")
}

func requiredMissing(element string) *qfault {
	return validation("2020", "Required param missing, need to supply the required value for the API", "Required parameter "+element+" is missing in the request", element)
}

func unsupportedProperty(name string) *qfault {
	return validation("2010", "Request has invalid or unsupported property", "Property Name:"+name+" specified is unsupported or invalid", name)
}

// pacific is the time zone QuickBooks writes its timestamps in.
var pacific = time.FixedZone("PDT", -7*3600)

func stamp(t time.Time) string { return t.In(pacific).Format("2006-01-02T15:04:05.000-07:00") }

func stampSeconds(t time.Time) string { return t.In(pacific).Format("2006-01-02T15:04:05-07:00") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeFault(w http.ResponseWriter, f *qfault, now time.Time) {
	writeJSON(w, f.Status, obj{"Fault": f.body(), "time": stamp(now)})
}

// throttleXML is the throttle answer as QuickBooks sends it, in XML even
// to a JSON request (two spaces before "Try" included).
func throttleXML(now time.Time) []byte {
	type xe struct {
		Code    string `xml:"code,attr"`
		Message string `xml:"Message"`
		Detail  string `xml:"Detail"`
	}
	type xf struct {
		Type  string `xml:"type,attr"`
		Error xe     `xml:"Error"`
	}
	type xr struct {
		XMLName xml.Name `xml:"http://schema.intuit.com/finance/v3 IntuitResponse"`
		Time    string   `xml:"time,attr"`
		Fault   xf       `xml:"Fault"`
	}
	raw, _ := xml.Marshal(xr{Time: stamp(now), Fault: xf{Type: "SERVICE", Error: xe{Code: "3001",
		Message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
		Detail:  "The request limit was reached.  Try again later"}}})
	return append([]byte(xml.Header), raw...)
}

func (s *Sim) throttled(w http.ResponseWriter, asJSON bool) {
	if asJSON {
		writeFault(w, newFault(http.StatusTooManyRequests, "SERVICE", "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429",
			"The request limit was reached.  Try again later", ""), s.now())
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(throttleXML(s.now()))
}

// overLimitLocked counts the request and reports whether it breaks the
// minute or batch limit.
func (s *Sim) overLimitLocked(realm string, batch bool) bool {
	now := s.now()
	keep := func(ts []time.Time) []time.Time {
		cut := now.Add(-time.Minute)
		i := 0
		for i < len(ts) && !ts[i].After(cut) {
			i++
		}
		return ts[i:]
	}
	s.calls[realm] = append(keep(s.calls[realm]), now)
	over := s.limits.PerMinute > 0 && len(s.calls[realm]) > s.limits.PerMinute
	if batch {
		s.batchCalls[realm] = append(keep(s.batchCalls[realm]), now)
		over = over || (s.limits.BatchPerMinute > 0 && len(s.batchCalls[realm]) > s.limits.BatchPerMinute)
	}
	return over
}

// api serves /v3/company/{realmId}/...
func (s *Sim) api(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v3/company/")
	realm, resource, _ := strings.Cut(rest, "/")
	resource = strings.Trim(resource, "/")
	head, tail, _ := strings.Cut(resource, "/")
	head = strings.ToLower(head)

	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "request body could not be read", http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	isWrite := r.Method == http.MethodPost && head != "query"
	if head == "batch" {
		isWrite = batchWrites(body)
	}

	s.mu.Lock()
	s.requests++
	if !s.bearerLocked(w, r, realm) {
		s.mu.Unlock()
		return
	}
	c := s.company(realm)
	if c == nil {
		s.mu.Unlock()
		writeFault(w, newFault(http.StatusForbidden, "AuthorizationFault", "3100", "ApplicationAuthorizationFailed",
			"message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", ""), s.now())
		return
	}
	if s.faults.throttle > 0 {
		s.faults.throttle--
		asJSON := s.faults.throttleJSON
		s.mu.Unlock()
		s.throttled(w, asJSON)
		return
	}
	s.inFlight[realm]++
	tooMany := s.limits.Concurrent > 0 && s.inFlight[realm] > s.limits.Concurrent
	over := s.overLimitLocked(realm, head == "batch")
	if s.faults.serverErrors > 0 {
		s.faults.serverErrors--
		s.inFlight[realm]--
		s.mu.Unlock()
		writeFault(w, newFault(http.StatusServiceUnavailable, "SystemFault", "10000", "An application error has occurred while processing your request",
			"System Failure Error: Service is temporarily unavailable", ""), s.now())
		return
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight[realm]--
		s.mu.Unlock()
	}()
	if tooMany || over {
		s.throttled(w, false)
		return
	}
	if f := s.checkRequest(r, head, body, isWrite); f != nil {
		writeFault(w, f, s.now())
		return
	}

	// requestid replay: the same id answers the first answer again.
	rid := q.Get("requestid")
	if isWrite && rid != "" {
		s.mu.Lock()
		rp, seen := c.Replays[rid]
		s.mu.Unlock()
		if seen {
			s.finishWrite(w, rp.Status, rp.Body)
			return
		}
	}
	rec := &bufferedReply{header: http.Header{}}
	s.route(rec, r, c, head, tail, body)
	if isWrite && rid != "" && rec.status < 500 && rec.status != http.StatusTooManyRequests {
		s.mu.Lock()
		c.Replays[rid] = &replay{Status: rec.status, Body: rec.body.Bytes(), At: s.now()}
		s.mu.Unlock()
	}
	if isWrite {
		s.finishWrite(w, rec.status, rec.body.Bytes())
		return
	}
	w.Header().Set("Content-Type", rec.header.Get("Content-Type"))
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// finishWrite sends a write's answer, unless the fault hooks lose it.
func (s *Sim) finishWrite(w http.ResponseWriter, status int, body []byte) {
	s.mu.Lock()
	drop := s.faults.dropReplies > 0
	if drop {
		s.faults.dropReplies--
	}
	s.mu.Unlock()
	if drop {
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

type replay struct {
	Status int       `json:"status"`
	Body   []byte    `json:"body"`
	At     time.Time `json:"at"`
}

// bufferedReply collects an answer so it can be remembered for replay.
type bufferedReply struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedReply) Header() http.Header { return b.header }
func (b *bufferedReply) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedReply) WriteHeader(code int) { b.status = code }

// checkRequest applies the rules every request must keep (strict mode).
func (s *Sim) checkRequest(r *http.Request, head string, body []byte, isWrite bool) *qfault {
	q := r.URL.Query()
	mv := q.Get("minorversion")
	if n, err := strconv.Atoi(mv); err != nil || n < MinMinorVersion {
		if s.violate("%s %s: minorversion %q; QuickBooks serves %d or later", r.Method, r.URL.Path, mv, MinMinorVersion) {
			return validation("2010", "Request has invalid or unsupported property", fmt.Sprintf("minorversion %q is not supported; use %d or later", mv, MinMinorVersion), "minorversion")
		}
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		if s.violate("%s %s: Accept is %q, not application/json", r.Method, r.URL.Path, r.Header.Get("Accept")) {
			return validation("2010", "Request has invalid or unsupported property", "Accept must be application/json", "Accept")
		}
	}
	if isWrite {
		rid := q.Get("requestid")
		limit := 50
		if head == "batch" {
			limit = 36
		}
		switch {
		case rid == "":
			if s.violate("%s %s: a write without requestid", r.Method, r.URL.Path) {
				return requiredMissing("requestid")
			}
		case len(rid) > limit:
			if s.violate("%s %s: requestid of %d characters (at most %d)", r.Method, r.URL.Path, len(rid), limit) {
				return validation("2010", "Request has invalid or unsupported property", fmt.Sprintf("requestid may be at most %d characters", limit), "requestid")
			}
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			if s.violate("%s %s: Content-Type %q, not application/json", r.Method, r.URL.Path, ct) {
				return validation("2010", "Request has invalid or unsupported property", "Content-Type must be application/json", "Content-Type")
			}
		}
	}
	return nil
}

// resources maps the lower-case resource of a path to its entity.
var resources = map[string]string{
	"customer": "Customer", "vendor": "Vendor", "invoice": "Invoice", "estimate": "Estimate",
	"creditmemo": "CreditMemo", "vendorcredit": "VendorCredit", "bill": "Bill", "payment": "Payment",
	"billpayment": "BillPayment", "journalentry": "JournalEntry", "item": "Item", "account": "Account",
	"taxcode": "TaxCode", "taxrate": "TaxRate", "paymentmethod": "PaymentMethod", "class": "Class",
	"department": "Department",
}

func (s *Sim) route(w http.ResponseWriter, r *http.Request, c *company, head, tail string, body []byte) {
	now := s.now()
	switch {
	case head == "companyinfo" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, obj{"CompanyInfo": c.companyInfo(), "time": stamp(now)})
	case head == "preferences" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, obj{"Preferences": c.preferences(), "time": stamp(now)})
	case head == "query":
		text := r.URL.Query().Get("query")
		if r.Method == http.MethodPost {
			text = string(body)
		}
		s.mu.Lock()
		resp, f := c.query(text)
		s.mu.Unlock()
		if f != nil {
			writeFault(w, f, now)
			return
		}
		writeJSON(w, http.StatusOK, obj{"QueryResponse": resp, "time": stamp(now)})
	case head == "cdc" && r.Method == http.MethodGet:
		s.cdc(w, r, c)
	case head == "batch" && r.Method == http.MethodPost:
		s.batch(w, c, body, r.URL.Query().Get("include"))
	case resources[head] != "" && r.Method == http.MethodGet && tail != "":
		entity := resources[head]
		s.mu.Lock()
		o := c.get(entity, tail)
		s.mu.Unlock()
		if o == nil {
			writeFault(w, notFound(entity, tail), now)
			return
		}
		writeJSON(w, http.StatusOK, obj{entity: o, "time": stamp(now)})
	case resources[head] != "" && r.Method == http.MethodPost && tail == "":
		entity := resources[head]
		in, f := decodeObj(body)
		if f == nil {
			f = s.checkEntity(entity, in)
		}
		var out obj
		if f == nil {
			op := "save"
			switch r.URL.Query().Get("operation") {
			case "delete":
				op = "delete"
			case "void":
				op = "void"
			}
			out, f = s.write(c, entity, op, in, r.URL.Query().Get("include"))
		}
		if f != nil {
			writeFault(w, f, now)
			return
		}
		writeJSON(w, http.StatusOK, obj{entity: out, "time": stamp(now)})
	default:
		writeFault(w, validation("4000", "Unsupported Operation", "Operation "+r.Method+" "+head+" is not supported.", ""), now)
	}
}

func decodeObj(body []byte) (obj, *qfault) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var in obj
	if err := dec.Decode(&in); err != nil || in == nil {
		return nil, validation("2010", "Request has invalid or unsupported property", "Request body could not be parsed: the JSON is not well formed", "")
	}
	return in, nil
}

// write applies one create, update, delete or void under the lock.
func (s *Sim) write(c *company, entity, op string, in obj, include string) (obj, *qfault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op == "save" {
		if id, _ := in["Id"].(string); id != "" && s.faults.staleNext > 0 {
			s.faults.staleNext--
			c.touchByOther(entity, id, s.now())
		}
	}
	allowDup := slices.Contains(strings.Split(include, ","), "allowduplicatedocnum")
	out, f := c.write(entity, op, in, allowDup, s.now())
	if f == nil && entity == "Invoice" {
		s.enterSamplePaymentsLocked(c)
	}
	return out, f
}

// batch runs up to 30 operations, each on its own.
func (s *Sim) batch(w http.ResponseWriter, c *company, body []byte, include string) {
	now := s.now()
	in, f := decodeObj(body)
	if f != nil {
		writeFault(w, f, now)
		return
	}
	items, _ := in["BatchItemRequest"].([]any)
	for k := range in {
		if k != "BatchItemRequest" && s.violate("batch: unknown top-level field %q", k) {
			writeFault(w, unsupportedProperty(k), now)
			return
		}
	}
	switch {
	case len(items) == 0:
		writeFault(w, validation("1000", "Batch Request is Empty", "Batch Request is Empty", ""), now)
		return
	case len(items) > MaxBatchItems:
		writeFault(w, validation("1040", "Batch Request has too many items", fmt.Sprintf("Number of Items in Batch Request exceeded the permissible limit of %d items.", MaxBatchItems), ""), now)
		return
	}
	seen := map[string]bool{}
	out := make([]obj, 0, len(items))
	for _, raw := range items {
		item, _ := raw.(obj)
		bid, _ := item["bId"].(string)
		resp := obj{"bId": bid}
		out = append(out, resp)
		switch {
		case bid == "" || len(bid) > 10:
			s.violate("batch: bId %q must be 1 to 10 characters", bid)
			resp["Fault"] = validation("2010", "Request has invalid or unsupported property", "bId must be 1 to 10 characters", "bId").body()
			continue
		case seen[bid]:
			resp["Fault"] = validation("2010", "Request has invalid or unsupported property", "bId "+bid+" is repeated in the batch", "bId").body()
			continue
		}
		seen[bid] = true
		if text, ok := item["Query"].(string); ok {
			s.mu.Lock()
			qr, f := c.query(text)
			s.mu.Unlock()
			if f != nil {
				resp["Fault"] = f.body()
			} else {
				resp["QueryResponse"] = qr
			}
			continue
		}
		entity := ""
		for k := range item {
			switch k {
			case "bId", "operation", "optionsData":
			default:
				if _, known := xsdTypes[k]; known && entity == "" {
					entity = k
				} else if s.violate("batch item %s: unknown field %q", bid, k) {
					resp["Fault"] = unsupportedProperty(k).body()
				}
			}
		}
		if resp["Fault"] != nil {
			continue
		}
		body, _ := item[entity].(obj)
		if entity == "" || body == nil {
			resp["Fault"] = validation("2010", "Request has invalid or unsupported property", "The batch item carries no entity", "").body()
			continue
		}
		op := "save"
		switch item["operation"] {
		case "create":
			if _, has := body["Id"]; has && s.violate("batch item %s: create with an Id", bid) {
				resp["Fault"] = unsupportedProperty("Id").body()
				continue
			}
		case "update":
			if _, has := body["Id"]; !has {
				resp["Fault"] = requiredMissing("Id").body()
				continue
			}
		case "delete":
			op = "delete"
		default:
			s.violate("batch item %s: operation %v", bid, item["operation"])
			resp["Fault"] = validation("2010", "Request has invalid or unsupported property", fmt.Sprintf("operation %v is not supported", item["operation"]), "operation").body()
			continue
		}
		if item["optionsData"] == "void" {
			op = "void"
		}
		if f := s.checkEntity(entity, body); f != nil {
			resp["Fault"] = f.body()
			continue
		}
		res, f := s.write(c, entity, op, body, include)
		if f != nil {
			resp["Fault"] = f.body()
			continue
		}
		resp[entity] = res
	}
	writeJSON(w, http.StatusOK, obj{"BatchItemResponse": out, "time": stamp(now)})
}

// cdc answers change data capture: every object of the entities asked
// changed since changedSince (at most 30 days back), deletions as stubs.
func (s *Sim) cdc(w http.ResponseWriter, r *http.Request, c *company) {
	now := s.now()
	q := r.URL.Query()
	since, err := time.Parse(time.RFC3339, q.Get("changedSince"))
	if err != nil {
		writeFault(w, validation("2030", "Invalid Date", "changedSince "+q.Get("changedSince")+" is not a date and time such as 2026-05-01T00:00:00-07:00", "changedSince"), now)
		return
	}
	if since.Before(now.Add(-CDCMaxAge)) {
		writeFault(w, validation("2030", "Invalid Date", "changedSince can not be more than 30 days in the past", "changedSince"), now)
		return
	}
	var names []string
	for _, e := range strings.Split(q.Get("entities"), ",") {
		e = strings.TrimSpace(e)
		if res, ok := resources[strings.ToLower(e)]; ok && res != "TaxCode" && res != "TaxRate" {
			names = append(names, res)
		} else if e != "" {
			writeFault(w, validation("2010", "Request has invalid or unsupported property", "CDC does not support the entity "+e, "entities"), now)
			return
		}
	}
	if len(names) == 0 {
		writeFault(w, requiredMissing("entities"), now)
		return
	}
	s.mu.Lock()
	lists := make([]any, 0, len(names))
	budget := CDCMaxObjects
	for _, name := range names {
		objs := c.changedSince(name, since)
		if len(objs) > budget {
			objs = objs[:budget]
		}
		budget -= len(objs)
		entry := obj{"startPosition": 1, "maxResults": len(objs)}
		if len(objs) > 0 {
			entry[name] = objs
		}
		lists = append(lists, entry)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, obj{"CDCResponse": []any{obj{"QueryResponse": lists}}, "time": stamp(now)})
}

// batchWrites reports whether a batch carries any write (a batch of
// queries alone is a read: it needs no requestid and is never replayed).
func batchWrites(body []byte) bool {
	var in struct {
		BatchItemRequest []map[string]json.RawMessage `json:"BatchItemRequest"`
	}
	if json.Unmarshal(body, &in) != nil {
		return true
	}
	for _, it := range in.BatchItemRequest {
		if _, ok := it["operation"]; ok {
			return true
		}
	}
	return false
}
