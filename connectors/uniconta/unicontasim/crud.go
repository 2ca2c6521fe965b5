package unicontasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// resolve finds the table of an entity name, and whether it is the
// ...ClientUser variant carrying custom fields.
func (s *Sim) resolve(entity string) (string, *table, bool) {
	base, user := userVariant(entity)
	t := s.tables[base]
	if t == nil {
		return "", nil, false
	}
	return base, t, user
}

// customFields are the names of the custom fields of a table in c.
func customFields(c *company, t *table) map[string]string {
	out := map[string]string{}
	if t.TableID == 0 {
		return out
	}
	for _, f := range c.Tables["TableFieldsClient"] {
		if toInt(f["TableNo"]) == t.TableID {
			name, _ := f["Name"].(string)
			typ, _ := f["Type"].(string)
			out[name] = typ
		}
	}
	return out
}

func toInt(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case int:
		return n
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

func toDec(v any) decimal.Decimal {
	switch n := v.(type) {
	case json.Number:
		d, _ := decimal.NewFromString(n.String())
		return d
	case decimal.Decimal:
		return n
	case int:
		return decimal.NewFromInt(int64(n))
	}
	return decimal.Zero
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(d decimal.Decimal) json.Number { return json.Number(d.String()) }

func intNum(i int) json.Number { return json.Number(strconv.Itoa(i)) }

// check validates a row's shape in strict mode: every property known (or a
// custom field of a ...ClientUser entity), of its declared JSON type, and
// no read-only property set. It returns the breach in plain words.
func (s *Sim) check(c *company, entity string, t *table, user bool, r row) string {
	custom := map[string]string{}
	if user {
		custom = customFields(c, t)
	}
	for k, v := range r {
		if typ, ok := custom[k]; ok {
			if !customFits(v, typ) {
				return fmt.Sprintf("%s: the custom field %q is of type %s, not %v", entity, k, typ, v)
			}
			continue
		}
		kd, ok := t.Fields[k]
		if !ok {
			return fmt.Sprintf("%s has no property %q", entity, k)
		}
		if !checkKind(v, kd) {
			return fmt.Sprintf("%s: property %q has the wrong JSON type (%T)", entity, k, v)
		}
		if t.ReadOnly[k] && !zero(v) {
			return fmt.Sprintf("%s: property %q is read-only", entity, k)
		}
	}
	return ""
}

func customFits(v any, typ string) bool {
	switch strings.ToLower(typ) {
	case "double", "integer", "int", "long":
		return checkKind(v, kNumber)
	case "boolean", "bool":
		return checkKind(v, kBool)
	}
	return checkKind(v, kString)
}

func zero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		return toDec(x).IsZero()
	}
	return false
}

// validate applies the business rules Uniconta answers with ErrorCodes:
// mandatory fields, references to other tables and unique keys. It
// returns the code and its detail, or "".
func (s *Sim) validate(c *company, entity string, t *table, r row, self row) (string, string) {
	for _, f := range t.Required {
		if zero(r[f]) {
			return "FieldCannotBeBlank", fmt.Sprintf("%s: %s cannot be blank", entity, f)
		}
	}
	for f, ref := range t.Refs {
		v := str(r[f])
		if v == "" {
			continue
		}
		rt := s.tables[ref]
		if findRow(c.Tables[ref], rt.Key, v) == nil {
			return "CouldNotFind", fmt.Sprintf("%s: %s %q could not be found in %s", entity, f, v, ref)
		}
	}
	if t.Key != "" && t.Auto == "" {
		if other := findRow(c.Tables[entity], t.Key, fmt.Sprint(r[t.Key])); other != nil && (self == nil || toInt(other["RowId"]) != toInt(self["RowId"])) {
			return "KeyExists", fmt.Sprintf("%s: %s %v already exists", entity, t.Key, r[t.Key])
		}
	}
	return "", ""
}

func findRow(rows []row, key, value string) row {
	if key == "" {
		return nil
	}
	for _, r := range rows {
		if strings.EqualFold(fmt.Sprint(r[key]), value) {
			return r
		}
	}
	return nil
}

func findByRowID(rows []row, id int) (int, row) {
	for i, r := range rows {
		if toInt(r["RowId"]) == id {
			return i, r
		}
	}
	return -1, nil
}

// output is a row as an entity shows it: custom fields only for the
// ...ClientUser variant.
func output(c *company, t *table, user bool, r row) row {
	out := row{}
	custom := map[string]string{}
	if user {
		custom = customFields(c, t)
	}
	for k, v := range r {
		if _, known := t.Fields[k]; known {
			out[k] = v
		} else if _, ok := custom[k]; ok {
			out[k] = v
		}
	}
	return out
}

func (s *Sim) decodeRows(w http.ResponseWriter, entity string, body []byte, list bool) ([]row, bool) {
	if list {
		var rows []row
		if err := decodeJSON(body, &rows); err != nil {
			s.strictOr400(w, "%s: the body must be a JSON array of %s objects", entity, entity)
			return nil, false
		}
		return rows, true
	}
	var r row
	if err := decodeJSON(body, &r); err != nil || r == nil {
		s.strictOr400(w, "%s: the body must be a JSON %s object", entity, entity)
		return nil, false
	}
	return []row{r}, true
}

func (s *Sim) strictOr400(w http.ResponseWriter, format string, args ...any) {
	if s.strict {
		s.violation(w, format, args...)
		return
	}
	http.Error(w, fmt.Sprintf(format, args...), http.StatusBadRequest)
}

// prepare checks and validates rows for insertion into entity; on failure
// it answers and returns false. s.mu is held.
func (s *Sim) prepareInsert(w http.ResponseWriter, c *company, entity string, rows []row) (string, *table, bool, bool) {
	base, t, user := s.resolve(entity)
	if t == nil {
		http.Error(w, "Unknown entity "+entity, http.StatusNotFound)
		return "", nil, false, false
	}
	if t.Posted {
		s.failLocked(w, c, "NoRights", "%s cannot be inserted through Crud; it is made by posting", entity)
		return "", nil, false, false
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if s.strict {
			if msg := s.check(c, entity, t, user, r); msg != "" {
				s.mu.Unlock()
				s.violation(w, "POST /Crud/Insert/%s: %s", entity, msg)
				s.mu.Lock()
				return "", nil, false, false
			}
		}
		if t.Auto == "" || toInt(r[t.Auto]) != 0 {
			if code, detail := s.validate(c, base, t, r, nil); code != "" {
				s.failLocked(w, c, code, "%s", detail)
				return "", nil, false, false
			}
		} else {
			tmp := maps(r)
			tmp[t.Auto] = intNum(1)
			if code, detail := s.validate(c, base, t, tmp, nil); code != "" {
				s.failLocked(w, c, code, "%s", detail)
				return "", nil, false, false
			}
		}
		if t.Key != "" && t.Auto == "" {
			k := strings.ToLower(fmt.Sprint(r[t.Key]))
			if seen[k] {
				s.failLocked(w, c, "KeyExists", "%s: %s %v is twice in the list", entity, t.Key, r[t.Key])
				return "", nil, false, false
			}
			seen[k] = true
		}
	}
	return base, t, user, true
}

func maps(r row) row {
	out := make(row, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// insertLocked stores a validated row and returns it as stored.
func (s *Sim) insertLocked(c *company, base string, t *table, r row) row {
	r = maps(r)
	s.st.Seq++
	r["RowId"] = intNum(s.st.Seq)
	if t.Auto != "" && toInt(r[t.Auto]) == 0 {
		r[t.Auto] = intNum(c.next(base + "." + t.Auto))
	}
	if _, ok := t.Fields["UpdatedAt"]; ok {
		r["UpdatedAt"] = stamp(s.now())
	}
	if _, ok := t.Fields["Created"]; ok {
		r["Created"] = stamp(s.now())
	}
	c.Tables[base] = append(c.Tables[base], r)
	s.noteChangeLocked(c, t, r, "Insert")
	return r
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

func (s *Sim) serveInsert(w http.ResponseWriter, sess *session, entity string, body []byte, list bool) {
	rows, ok := s.decodeRows(w, entity, body, list)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	base, t, user, ok := s.prepareInsert(w, c, entity, rows)
	if !ok {
		return
	}
	out := make([]row, 0, len(rows))
	for _, r := range rows {
		out = append(out, output(c, t, user, s.insertLocked(c, base, t, r)))
	}
	s.saveLocked()
	if s.dropLocked() {
		s.mu.Unlock()
		defer s.mu.Lock()
		lostReply()
	}
	if list {
		writeJSON(w, out)
		return
	}
	writeJSON(w, out[0])
}

// serveMasterDetails answers Crud/InsertMasterAndDetails/{master}/{child}
// with body {Master, Details}: the master is inserted, then each detail
// with the master's number.
func (s *Sim) serveMasterDetails(w http.ResponseWriter, sess *session, master, child string, body []byte) {
	var req struct {
		Master  row   `json:"Master"`
		Details []row `json:"Details"`
	}
	if err := decodeJSON(body, &req); err != nil || req.Master == nil {
		s.strictOr400(w, "InsertMasterAndDetails: the body must be {Master, Details}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	mbase, mt, muser, ok := s.prepareInsert(w, c, master, []row{req.Master})
	if !ok {
		return
	}
	_, ct, _ := s.resolve(child)
	if ct == nil || ct.Master != mbase {
		http.Error(w, child+" is not a child of "+master, http.StatusBadRequest)
		return
	}
	for i := range req.Details {
		req.Details[i] = maps(req.Details[i])
		req.Details[i]["OrderNumber"] = intNum(1) // checked with the number the master gets
	}
	cbase, ct, cuser, ok := s.prepareInsert(w, c, child, req.Details)
	if !ok {
		return
	}
	m := s.insertLocked(c, mbase, mt, req.Master)
	details := make([]row, 0, len(req.Details))
	for _, d := range req.Details {
		d["OrderNumber"] = m[mt.Auto]
		details = append(details, output(c, ct, cuser, s.insertLocked(c, cbase, ct, d)))
	}
	s.saveLocked()
	if s.dropLocked() {
		s.mu.Unlock()
		defer s.mu.Lock()
		lostReply()
	}
	writeJSON(w, map[string]any{"Master": output(c, mt, muser, m), "Details": details})
}

func (s *Sim) serveUpdate(w http.ResponseWriter, sess *session, entity string, body []byte, list bool) {
	rows, ok := s.decodeRows(w, entity, body, list)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, base, t, user, ok := s.changeable(w, sess, entity, "NoRights", "%s cannot be changed; it is posted")
	if !ok {
		return
	}
	type change struct {
		at     int
		merged row
	}
	var changes []change
	for _, r := range rows {
		if s.strict {
			if msg := s.check(c, entity, t, user, r); msg != "" {
				s.mu.Unlock()
				s.violation(w, "PUT /Crud/Update/%s: %s", entity, msg)
				s.mu.Lock()
				return
			}
		}
		at, old := findByRowID(c.Tables[base], toInt(r["RowId"]))
		if old == nil {
			s.failLocked(w, c, "CouldNotFind", "%s: no record with RowId %v", entity, r["RowId"])
			return
		}
		merged := maps(old)
		for k, v := range r {
			if t.ReadOnly[k] {
				continue
			}
			merged[k] = v
		}
		if code, detail := s.validate(c, base, t, merged, old); code != "" {
			s.failLocked(w, c, code, "%s", detail)
			return
		}
		changes = append(changes, change{at, merged})
	}
	for _, ch := range changes {
		if _, ok := t.Fields["UpdatedAt"]; ok {
			ch.merged["UpdatedAt"] = stamp(s.now())
		}
		c.Tables[base][ch.at] = ch.merged
		if base == "TableChangeEventClient" && ch.merged["HasError"] != true {
			// Refresh: the failures start counting afresh.
			c.Failures[strconv.Itoa(toInt(ch.merged["RowId"]))] = 0
		}
		s.noteChangeLocked(c, t, ch.merged, "Update")
	}
	s.saveLocked()
	if s.dropLocked() {
		s.mu.Unlock()
		defer s.mu.Lock()
		lostReply()
	}
	writeCode(w, "Succes")
}

func (s *Sim) serveDelete(w http.ResponseWriter, sess *session, entity string, body []byte) {
	rows, ok := s.decodeRows(w, entity, body, true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, base, t, _, ok := s.changeable(w, sess, entity, "CannotDeleteRecord", "%s is posted and cannot be deleted")
	if !ok {
		return
	}
	for _, r := range rows {
		at, old := findByRowID(c.Tables[base], toInt(r["RowId"]))
		if old == nil {
			continue
		}
		c.Tables[base] = slices.Delete(c.Tables[base], at, at+1)
		s.noteChangeLocked(c, t, old, "Delete")
	}
	s.saveLocked()
	writeCode(w, "Succes")
}

// changeable finds the table of an update or delete and refuses posted
// tables with code; s.mu is held.
func (s *Sim) changeable(w http.ResponseWriter, sess *session, entity, code, detail string) (*company, string, *table, bool, bool) {
	c := s.companyLocked(sess)
	base, t, user := s.resolve(entity)
	if t == nil {
		http.Error(w, "Unknown entity "+entity, http.StatusNotFound)
		return nil, "", nil, false, false
	}
	if t.Posted {
		s.failLocked(w, c, code, detail, entity)
		return nil, "", nil, false, false
	}
	return c, base, t, user, true
}

// ---- queries ----

type queryFilter struct {
	PropertyName      string `json:"PropertyName"`
	FilterValue       string `json:"FilterValue"`
	Skip              int    `json:"Skip"`
	Take              int    `json:"Take"`
	OrderBy           bool   `json:"OrderBy"`
	OrderByDescending bool   `json:"OrderByDescending"`
}

func (s *Sim) serveQuery(w http.ResponseWriter, sess *session, entity string, body []byte) {
	var filters []queryFilter
	if err := decodeJSON(body, &filters); err != nil {
		s.strictOr400(w, "POST /Query/Get/%s: the body must be a JSON array of QueryFilter", entity)
		return
	}
	if s.strict && len(filters) == 0 {
		s.violation(w, "POST /Query/Get/%s: send at least one QueryFilter (an empty {} will do)", entity)
		return
	}
	if entity == "GLTransClient" || entity == "DebtorInvoiceClient" {
		s.makeSamplePayment(sess)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	var rows []row
	var t *table
	var user bool
	if entity == "CompanyClient" {
		t = s.tables["CompanyClient"]
		u := s.st.Users[strings.ToLower(sess.User)]
		if u == nil {
			writeJSON(w, []row{})
			return
		}
		for _, id := range u.Companies {
			if co := s.st.Companies[id]; co != nil {
				rows = append(rows, row{"Id": intNum(co.ID), "CompanyName": co.Name, "Currency": co.Currency, "RowId": intNum(co.ID)})
			}
		}
	} else {
		var base string
		base, t, user = s.resolve(entity)
		if t == nil {
			http.Error(w, "Unknown entity "+entity, http.StatusNotFound)
			return
		}
		switch base {
		case "DebtorTransOpenClient", "CreditorTransOpenClient":
			rows = openItems(c, base == "CreditorTransOpenClient")
		default:
			rows = c.Tables[base]
		}
	}
	custom := customFields(c, t)
	skip, take := 0, 0
	var sortBy string
	desc := false
	matched := rows
	for _, f := range filters {
		if f.Skip > skip {
			skip = f.Skip
		}
		if f.Take > take {
			take = f.Take
		}
		if f.PropertyName == "" {
			continue
		}
		_, known := t.Fields[f.PropertyName]
		_, isCustom := custom[f.PropertyName]
		if !known && !(user && isCustom) {
			if s.strict {
				s.mu.Unlock()
				s.violation(w, "POST /Query/Get/%s: %s has no property %q to filter on", entity, entity, f.PropertyName)
				s.mu.Lock()
				return
			}
			continue
		}
		if f.OrderBy || f.OrderByDescending {
			sortBy, desc = f.PropertyName, f.OrderByDescending
		}
		if f.FilterValue == "" {
			continue
		}
		var next []row
		for _, r := range matched {
			if matches(r[f.PropertyName], f.FilterValue, t.Fields[f.PropertyName]) {
				next = append(next, r)
			}
		}
		matched = next
	}
	matched = slices.Clone(matched)
	if sortBy != "" {
		k := t.Fields[sortBy]
		slices.SortStableFunc(matched, func(a, b row) int {
			c := compare(a[sortBy], b[sortBy], k)
			if desc {
				return -c
			}
			return c
		})
	}
	if skip >= len(matched) {
		matched = nil
	} else {
		matched = matched[skip:]
	}
	if take > 0 && take < len(matched) {
		matched = matched[:take]
	}
	out := make([]row, 0, len(matched))
	for _, r := range matched {
		out = append(out, output(c, t, user, r))
	}
	writeJSON(w, out)
}

// matches applies Uniconta's filter syntax: "a;b" a list, "a..b" a range
// (either end may be blank), "*" a wildcard, else equality (case-blind).
func matches(v any, filter string, k kind) bool {
	for _, alt := range strings.Split(filter, ";") {
		alt = strings.TrimSpace(alt)
		if lo, hi, ok := strings.Cut(alt, ".."); ok {
			if (lo == "" || compare(v, lo, k) >= 0) && (hi == "" || compare(v, hi, k) <= 0) {
				return true
			}
			continue
		}
		if strings.Contains(alt, "*") {
			if wildcard(strings.ToLower(fmt.Sprint(text(v))), strings.ToLower(alt)) {
				return true
			}
			continue
		}
		if compare(v, alt, k) == 0 {
			return true
		}
	}
	return false
}

func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func wildcard(s, pattern string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(s, p)
		}
		at := strings.Index(s, p)
		if at < 0 {
			return false
		}
		s = s[at+len(p):]
	}
	return true
}

// compare orders a stored value against another value (stored or filter
// text) by the property's kind.
func compare(a, b any, k kind) int {
	switch k {
	case kInt, kNumber:
		da, _ := decimal.NewFromString(text(a))
		db, _ := decimal.NewFromString(text(b))
		return da.Cmp(db)
	case kBool:
		return strings.Compare(strings.ToLower(text(a)), strings.ToLower(text(b)))
	case kDate:
		ta, _ := parseDate(text(a))
		tb, _ := parseDate(text(b))
		return ta.Compare(tb)
	}
	return strings.Compare(strings.ToLower(text(a)), strings.ToLower(text(b)))
}

// parseDate reads the WebAPI's dates ("2026-11-02T00:00:00", with or
// without a zone) and the filter syntax's day-first dates ("02-11-2026").
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02T15:04:05.9999999", time.DateOnly, "02-01-2006", "2-1-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}
