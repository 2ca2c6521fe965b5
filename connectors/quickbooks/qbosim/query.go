package qbosim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

// A query in QuickBooks's SQL subset:
//
//	SELECT * | count(*) FROM Entity [WHERE cond [AND cond]...]
//	[ORDERBY field [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]
type query struct {
	count      bool
	entity     string
	conds      []cond
	orderBy    string
	desc       bool
	start, max int
}

type cond struct {
	field, op string
	values    []string
}

func queryError(detail string) *qfault {
	return validation("4000", "Error parsing query", "QueryParserError: "+detail, "")
}

// tokens splits a query into words, quoted strings (kept with their
// quotes), and punctuation.
func tokens(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		r := rune(s[i])
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '\'':
			var b strings.Builder
			b.WriteByte('\'')
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' && j+1 < len(s) {
					b.WriteByte(s[j+1])
					j++
					continue
				}
				if s[j] == '\'' {
					break
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("a quoted value is not closed")
			}
			out = append(out, b.String())
			i = j + 1
		case strings.ContainsRune("(),*", r):
			out = append(out, string(r))
			i++
		case strings.ContainsRune("<>=!", r):
			j := i + 1
			for j < len(s) && strings.ContainsRune("<>=", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("(),<>='!", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out, nil
}

func parseQuery(text string) (query, *qfault) {
	toks, err := tokens(text)
	if err != nil {
		return query{}, queryError(err.Error())
	}
	q := query{start: 1, max: 100}
	pos := 0
	peek := func() string {
		if pos < len(toks) {
			return toks[pos]
		}
		return ""
	}
	next := func() string { t := peek(); pos++; return t }
	expect := func(word string) bool { return strings.EqualFold(next(), word) }
	if !expect("select") {
		return q, queryError("Encountered \"" + peek() + "\"; the query must start with SELECT")
	}
	switch t := next(); {
	case t == "*":
	case strings.EqualFold(t, "count"):
		if !(expect("(") && expect("*") && expect(")")) {
			return q, queryError("count must be written count(*)")
		}
		q.count = true
	default:
		// A list of fields: accepted, answered in full.
		for peek() != "" && !strings.EqualFold(peek(), "from") {
			next()
		}
	}
	if !expect("from") {
		return q, queryError("FROM is missing")
	}
	q.entity = next()
	if _, ok := xsdTypes[q.entity]; !ok && q.entity != "CompanyInfo" && q.entity != "Preferences" {
		return q, queryError("Entity " + q.entity + " is not known")
	}
	for peek() != "" {
		switch kw := strings.ToLower(next()); kw {
		case "where", "and":
			var c cond
			c.field = next()
			c.op = strings.ToUpper(next())
			switch c.op {
			case "=", "<", ">", "<=", ">=", "LIKE":
				c.values = []string{next()}
			case "IN":
				if next() != "(" {
					return q, queryError("IN must be followed by (")
				}
				for {
					v := next()
					if v == "" {
						return q, queryError("IN list is not closed")
					}
					if v == ")" {
						break
					}
					if v != "," {
						c.values = append(c.values, v)
					}
				}
			default:
				return q, queryError("operator " + c.op + " is not supported")
			}
			if c.field == "" || len(c.values) == 0 || c.values[0] == "" {
				return q, queryError("a WHERE condition is incomplete")
			}
			q.conds = append(q.conds, c)
		case "orderby", "order":
			if kw == "order" && !expect("by") {
				return q, queryError("ORDER must be followed by BY")
			}
			q.orderBy = next()
			switch strings.ToUpper(peek()) {
			case "DESC":
				q.desc = true
				next()
			case "ASC":
				next()
			}
		case "startposition", "maxresults":
			raw := next()
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 {
				return q, queryError(kw + " must be a positive number, not " + raw)
			}
			if kw == "startposition" {
				q.start = n
			} else {
				if n > MaxResults {
					return q, validation("4001", "Invalid query", fmt.Sprintf("QueryValidationError: value %d is too large. Max allowed value is %d", n, MaxResults), "")
				}
				q.max = n
			}
		case "or":
			return q, queryError("OR is not supported")
		default:
			return q, queryError("Encountered \"" + kw + "\"")
		}
	}
	return q, nil
}

// field reads a dotted path from o, case-insensitively (Metadata and
// MetaData are the same).
func lookupPath(o obj, path string) (any, bool) {
	var cur any = o
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(obj)
		if !ok {
			return nil, false
		}
		found := false
		for k, v := range m {
			if strings.EqualFold(k, part) {
				cur, found = v, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	if m, ok := cur.(obj); ok {
		if v, ok := m["value"]; ok {
			return v, true
		}
	}
	return cur, true
}

func literal(tok string) string { return strings.TrimPrefix(tok, "'") }

// compare orders a stored value against a literal: as times, numbers,
// booleans or text, whichever both are.
func compare(v any, lit string) (int, bool) {
	s := fmt.Sprint(v)
	if t1, err := time.Parse(time.RFC3339, s); err == nil {
		if t2, err := time.Parse(time.RFC3339, lit); err == nil {
			return t1.Compare(t2), true
		}
	}
	if d1, err := decimal.NewFromString(s); err == nil {
		if d2, err := decimal.NewFromString(lit); err == nil {
			return d1.Cmp(d2), true
		}
	}
	if b, ok := v.(bool); ok {
		want, err := strconv.ParseBool(lit)
		if err != nil {
			return 0, false
		}
		if b == want {
			return 0, true
		}
		return 1, true
	}
	return strings.Compare(s, lit), true
}

func (c cond) match(o obj) bool {
	v, ok := lookupPath(o, c.field)
	if !ok {
		if strings.EqualFold(c.field, "Active") {
			v = true
		} else {
			return false
		}
	}
	switch c.op {
	case "IN":
		for _, raw := range c.values {
			if n, ok := compare(v, literal(raw)); ok && n == 0 {
				return true
			}
		}
		return false
	case "LIKE":
		pat := strings.ToLower(literal(c.values[0]))
		s := strings.ToLower(fmt.Sprint(v))
		parts := strings.Split(pat, "%")
		if !strings.HasPrefix(s, parts[0]) {
			return false
		}
		s = s[len(parts[0]):]
		for i, p := range parts[1:] {
			if i == len(parts)-2 {
				return strings.HasSuffix(s, p)
			}
			idx := strings.Index(s, p)
			if idx < 0 {
				return false
			}
			s = s[idx+len(p):]
		}
		return s == ""
	}
	n, ok := compare(v, literal(c.values[0]))
	if !ok {
		return false
	}
	switch c.op {
	case "=":
		return n == 0
	case "<":
		return n < 0
	case ">":
		return n > 0
	case "<=":
		return n <= 0
	case ">=":
		return n >= 0
	}
	return false
}

// query answers a query's QueryResponse object.
func (c *company) query(text string) (obj, *qfault) {
	q, f := parseQuery(text)
	if f != nil {
		return nil, f
	}
	switch q.entity {
	case "CompanyInfo":
		return obj{"CompanyInfo": []any{c.companyInfo()}, "startPosition": 1, "maxResults": 1}, nil
	case "Preferences":
		return obj{"Preferences": []any{c.preferences()}, "startPosition": 1, "maxResults": 1}, nil
	}
	mentionsActive := slices.ContainsFunc(q.conds, func(cd cond) bool { return strings.EqualFold(cd.field, "Active") })
	var rows []obj
	for _, o := range c.all(q.entity) {
		if nameLists[q.entity] && !mentionsActive && !boolOf(o, "Active", true) {
			continue
		}
		ok := true
		for _, cd := range q.conds {
			if !cd.match(o) {
				ok = false
				break
			}
		}
		if ok {
			rows = append(rows, o)
		}
	}
	if q.count {
		return obj{"totalCount": len(rows)}, nil
	}
	if q.orderBy != "" {
		slices.SortStableFunc(rows, func(a, b obj) int {
			va, _ := lookupPath(a, q.orderBy)
			vb, _ := lookupPath(b, q.orderBy)
			n, _ := compare(va, fmt.Sprint(vb))
			if strings.EqualFold(q.orderBy, "Id") {
				n = idNum(fmt.Sprint(va)) - idNum(fmt.Sprint(vb))
			}
			if q.desc {
				return -n
			}
			return n
		})
	}
	from := q.start - 1
	if from >= len(rows) {
		return obj{}, nil
	}
	page := rows[from:min(from+q.max, len(rows))]
	out := make([]any, len(page))
	for i, o := range page {
		out[i] = deepCopy(o)
	}
	return obj{q.entity: out, "startPosition": q.start, "maxResults": len(page)}, nil
}
