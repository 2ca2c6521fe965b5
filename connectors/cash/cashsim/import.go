package cashsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Transaction statuses of GET /transaction/{id}.
const (
	statusPending = "Pending"
	statusSuccess = "Success"
	statusError   = "Error"
)

// fieldRule is a record 301 field's format from the record layout: S
// string, L text, N numeric, I12,2 amount, D date (JJMMDD), Y4 period.
type fieldRule struct {
	format   string
	length   int
	required bool
}

var rules301 = map[string]fieldRule{
	"F0901": {"S", 6, true},
	"F0301": {"Y4", 4, false},
	"F0310": {"Y4", 4, false},
	"F0302": {"D", 6, false},
	"F0303": {"N", 6, true},
	"F0201": {"S", 6, true},
	"F0911": {"S", 3, false},
	"F0101": {"N", 6, false},
	"F0309": {"N", 6, false},
	"F0305": {"I", 12, false},
	"F0306": {"L", 25, false},
	"F0307": {"I", 12, true},
	"F0711": {"S", 13, false},
}

var amountRe = regexp.MustCompile(`^-?[0-9]{1,10}(,[0-9]{1,2})?$`)

func isPeriod(p string) bool {
	if len(p) != 4 {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n%100 >= 1 && n%100 <= 13
}

// checkField returns the CASH message for a value its field refuses, and
// whether the breach is one only strict mode reports (non-strict CASH cuts
// an over-long text).
func checkField(field, value string) (msg string, cut bool) {
	r, ok := rules301[field]
	if !ok {
		return "", false
	}
	bad := fmt.Sprintf("Ongeldige waarde %s=%s", strings.TrimPrefix(field, "F"), value)
	if value == "" {
		if r.required {
			return bad, false
		}
		return "", false
	}
	switch r.format {
	case "S", "L":
		if utf8.RuneCountInString(value) > r.length {
			return bad, r.format == "L"
		}
		if field == "F0901" && value != strings.ToUpper(value) {
			return bad, false
		}
	case "N":
		if len(value) > r.length || strings.Trim(value, "0123456789") != "" {
			return bad, false
		}
	case "I":
		if !amountRe.MatchString(value) {
			return bad, false
		}
	case "D":
		if _, err := time.Parse("060102", value); err != nil {
			return bad, false
		}
	case "Y4":
		if !isPeriod(value) {
			return bad, false
		}
	}
	return "", false
}

// importBody is POST /import's body as the record layout and the open
// clients describe it.
type importBody struct {
	Admin   string `json:"admin"`
	Format  *int   `json:"format"`
	Content struct {
		Cash []map[string]json.RawMessage `json:"cash"`
	} `json:"content"`
}

func (s *Sim) importError(w http.ResponseWriter, msgs ...string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": "Error import", "message": errorList(msgs)})
}

func (s *Sim) serveImport(w http.ResponseWriter, r *http.Request, u *User) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") &&
		s.violate(w, "POST /import must be sent as application/json, not %q", ct) {
		return
	}
	raw, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Ongeldig verzoek"})
		return
	}
	var body importBody
	if err := json.Unmarshal(raw, &body); err != nil {
		if s.violate(w, "POST /import body is not the documented JSON: %v", err) {
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Ongeldig verzoek"})
		return
	}
	if body.Format == nil || *body.Format != 0 {
		if s.violate(w, "POST /import needs \"format\": 0") {
			return
		}
	}
	a := s.linkedAdmin(w, u, body.Admin)
	if a == nil {
		return
	}
	if a.ReadOnly {
		s.importError(w, fmt.Sprintf("Administratie %s is alleen-lezen", a.Code))
		return
	}
	var lines []Line
	var errs []string
	for i, el := range body.Content.Cash {
		for rec, v := range el {
			if rec != "R301" && rec != "R0301" {
				if s.violate(w, "content.cash[%d]: only record 301 is imported here, got %q", i, rec) {
					return
				}
				continue
			}
			var list []map[string]any
			if err := json.Unmarshal(v, &list); err != nil {
				var one map[string]any
				if err2 := json.Unmarshal(v, &one); err2 != nil {
					if s.violate(w, "content.cash[%d].%s is neither a line nor a list of lines", i, rec) {
						return
					}
					errs = append(errs, "Ongeldig record "+rec)
					continue
				}
				list = []map[string]any{one}
			}
			if len(list) > 1 {
				if s.violate(w, "content.cash[%d].%s carries %d lines; CASH keeps only the last, so each line goes in its own element", i, rec, len(list)) {
					return
				}
				list = list[len(list)-1:]
			}
			for _, fields := range list {
				line := Line{}
				for k, fv := range fields {
					str, ok := fv.(string)
					if !ok {
						if s.violate(w, "content.cash[%d].%s.%s must be a string, got %T", i, rec, k, fv) {
							return
						}
						str = fmt.Sprint(fv)
					}
					if _, known := rules301[k]; !known {
						if s.violate(w, "content.cash[%d].%s: unknown field %q", i, rec, k) {
							return
						}
						continue
					}
					if msg, cut := checkField(k, str); msg != "" {
						if cut && !s.strict {
							str = string([]rune(str)[:rules301[k].length])
						} else {
							if s.violate(w, "content.cash[%d].%s: %s", i, rec, msg) {
								return
							}
							errs = append(errs, msg)
							continue
						}
					}
					line[k] = str
				}
				for f, rule := range rules301 {
					if rule.required && line[f] == "" {
						if msg, _ := checkField(f, ""); msg != "" && !slices.Contains(errs, msg) {
							errs = append(errs, msg)
						}
					}
				}
				lines = append(lines, line)
			}
		}
	}
	if len(lines) == 0 && len(errs) == 0 {
		errs = append(errs, "Geen records om in te lezen")
	}
	if len(errs) > 0 {
		s.importError(w, errs...)
		return
	}
	s.st.Seq++
	s.dirty = true
	tx := &transaction{ID: fmt.Sprintf("T%08d", s.st.Seq), Admin: a.Code, Lines: lines, Status: statusPending, PollsLeft: a.PendingPolls}
	if a.PendingPolls == 0 {
		s.processLocked(tx)
		if tx.Status == statusError {
			s.importError(w, tx.Errors...)
			return
		}
		w.WriteHeader(http.StatusCreated)
		return
	}
	s.st.Transactions[tx.ID] = tx
	writeJSON(w, http.StatusAccepted, map[string]string{"status": statusPending, "transaction": tx.ID})
}

// processLocked books a transaction's lines when its administration takes
// them all, or records why not; nothing is booked in part.
func (s *Sim) processLocked(tx *transaction) {
	s.dirty = true
	a := s.st.admin(tx.Admin)
	errs := s.businessErrors(a, tx.Lines)
	if len(errs) > 0 {
		tx.Status, tx.Errors = statusError, errs
		return
	}
	for _, l := range tx.Lines {
		if l["F0310"] == "" {
			l["F0310"] = l["F0301"]
		}
		a.Lines = append(a.Lines, l)
	}
	tx.Status = statusSuccess
}

func (s *Sim) businessErrors(a *Administration, lines []Line) []string {
	var errs []string
	add := func(m string) {
		if !slices.Contains(errs, m) {
			errs = append(errs, m)
		}
	}
	type stuk struct{ journal, number string }
	sums := map[stuk]int64{}
	var order []stuk
	for _, l := range lines {
		if !slices.ContainsFunc(a.Journals, func(j Journal) bool { return j.Code == l["F0901"] }) {
			add("Ongeldige waarde 0901=" + l["F0901"])
		}
		if !slices.ContainsFunc(a.Accounts, func(ac Account) bool { return ac.Number == l["F0201"] }) {
			add("Ongeldige waarde 0201=" + l["F0201"])
		}
		if cc := l["F0911"]; cc != "" && !slices.ContainsFunc(a.CostCentres, func(c CostCentre) bool { return c.Code == cc && !c.Blocked }) {
			add("Ongeldige waarde 0911=" + cc)
		}
		if p := l["F0301"]; p != "" && slices.Contains(a.ClosedPeriods, p) {
			add(fmt.Sprintf("Periode %s is afgesloten", p))
		}
		k := stuk{l["F0901"], l["F0303"]}
		if _, seen := sums[k]; !seen {
			order = append(order, k)
		}
		sums[k] += cents(l["F0307"])
	}
	for _, k := range order {
		if sums[k] != 0 {
			add(fmt.Sprintf("Boeking %s in dagboek %s is niet in evenwicht", k.number, k.journal))
		}
		for _, booked := range a.Lines {
			if booked["F0901"] == k.journal && sameNumber(booked["F0303"], k.number) {
				add(fmt.Sprintf("Stuknummer %s bestaat al in dagboek %s", k.number, k.journal))
				break
			}
		}
	}
	return errs
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil && x == y
}

// cents reads a checked "1264,50" amount.
func cents(v string) int64 {
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	whole, frac, _ := strings.Cut(v, ",")
	for len(frac) < 2 {
		frac += "0"
	}
	n, _ := strconv.ParseInt(whole+frac, 10, 64)
	if neg {
		return -n
	}
	return n
}
