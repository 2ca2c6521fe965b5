package xerosim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The where filter: a small expression language over a record's fields,
// as the Accounting API takes it, for example
//
//	Type=="ACCREC" AND (Status=="AUTHORISED" OR Status=="PAID")
//	ContactNumber=="C-001" OR ContactNumber=="C-002"
//	CreditNoteID==Guid("…")   Name.Contains("Ltd")   AmountDue>=10.5
//	Date>=DateTime(2026, 01, 31)   Contact.ContactID==Guid("…")
//
// Field names and string comparisons are case-sensitive for ==, as in
// Xero; booleans compare as true/false.

type whereNode interface {
	eval(rec map[string]any) (bool, error)
}

type orNode struct{ a, b whereNode }
type andNode struct{ a, b whereNode }
type notNode struct{ a whereNode }

type cmpNode struct {
	path  []string
	op    string // == != > < >= <= Contains StartsWith EndsWith
	value any    // string, float64, bool, nil, time.Time
}

func (n orNode) eval(r map[string]any) (bool, error) {
	a, err := n.a.eval(r)
	if err != nil || a {
		return a, err
	}
	return n.b.eval(r)
}

func (n andNode) eval(r map[string]any) (bool, error) {
	a, err := n.a.eval(r)
	if err != nil || !a {
		return false, err
	}
	return n.b.eval(r)
}

func (n notNode) eval(r map[string]any) (bool, error) {
	a, err := n.a.eval(r)
	return !a, err
}

func (n cmpNode) eval(r map[string]any) (bool, error) {
	var cur any = r
	for _, p := range n.path {
		m, ok := cur.(map[string]any)
		if !ok {
			cur = nil
			break
		}
		cur = m[p]
	}
	switch want := n.value.(type) {
	case nil:
		isNull := cur == nil || cur == ""
		if n.op == "!=" {
			return !isNull, nil
		}
		return isNull, nil
	case bool:
		got, _ := cur.(bool)
		switch n.op {
		case "==":
			return got == want, nil
		case "!=":
			return got != want, nil
		}
	case string:
		got := fmt.Sprint(orEmpty(cur))
		switch n.op {
		case "==":
			return strings.EqualFold(got, want) && (got == want || isUUID(want)), nil
		case "!=":
			return got != want, nil
		case "Contains":
			return strings.Contains(strings.ToLower(got), strings.ToLower(want)), nil
		case "StartsWith":
			return strings.HasPrefix(strings.ToLower(got), strings.ToLower(want)), nil
		case "EndsWith":
			return strings.HasSuffix(strings.ToLower(got), strings.ToLower(want)), nil
		}
	case float64:
		var got float64
		switch v := cur.(type) {
		case json.Number:
			got, _ = v.Float64()
		case float64:
			got = v
		default:
			return false, nil
		}
		return compareOrdered(got, want, n.op), nil
	case time.Time:
		s, _ := cur.(string)
		got, ok := parseDay(s)
		if !ok {
			return false, nil
		}
		return compareOrdered(float64(got.Unix()), float64(want.Unix()), n.op), nil
	}
	return false, fmt.Errorf("the operator %s cannot compare %v", n.op, n.value)
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func compareOrdered(a, b float64, op string) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case ">":
		return a > b
	case "<":
		return a < b
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	}
	return false
}

// parseWhere parses a where filter.
func parseWhere(s string) (whereNode, error) {
	p := &whereParser{src: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.src[p.pos:], p.pos)
	}
	return n, nil
}

type whereParser struct {
	src string
	pos int
}

func (p *whereParser) space() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *whereParser) keyword(words ...string) bool {
	p.space()
	for _, w := range words {
		end := p.pos + len(w)
		if end <= len(p.src) && strings.EqualFold(p.src[p.pos:end], w) &&
			(end == len(p.src) || !isIdent(rune(p.src[end]))) {
			p.pos = end
			return true
		}
	}
	return false
}

func (p *whereParser) symbol(sym string) bool {
	p.space()
	if strings.HasPrefix(p.src[p.pos:], sym) {
		p.pos += len(sym)
		return true
	}
	return false
}

func isIdent(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func (p *whereParser) or() (whereNode, error) {
	a, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") || p.symbol("||") {
		b, err := p.and()
		if err != nil {
			return nil, err
		}
		a = orNode{a, b}
	}
	return a, nil
}

func (p *whereParser) and() (whereNode, error) {
	a, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("AND") || p.symbol("&&") {
		b, err := p.unary()
		if err != nil {
			return nil, err
		}
		a = andNode{a, b}
	}
	return a, nil
}

func (p *whereParser) unary() (whereNode, error) {
	if p.keyword("NOT") || p.symbol("!") && !strings.HasPrefix(p.src[p.pos:], "=") {
		a, err := p.unary()
		return notNode{a}, err
	}
	if p.symbol("(") {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.symbol(")") {
			return nil, fmt.Errorf("a ( is not closed")
		}
		return n, nil
	}
	return p.comparison()
}

func (p *whereParser) ident() (string, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.src) && isIdent(rune(p.src[p.pos])) {
		p.pos++
	}
	if start == p.pos {
		return "", fmt.Errorf("a field name was expected at position %d", start)
	}
	return p.src[start:p.pos], nil
}

var methods = []string{"Contains", "StartsWith", "EndsWith"}

func (p *whereParser) comparison() (whereNode, error) {
	var path []string
	for {
		id, err := p.ident()
		if err != nil {
			return nil, err
		}
		path = append(path, id)
		if !p.symbol(".") {
			break
		}
		for _, m := range methods {
			if p.keyword(m) {
				if !p.symbol("(") {
					return nil, fmt.Errorf("%s needs (", m)
				}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				if !p.symbol(")") {
					return nil, fmt.Errorf("%s( is not closed", m)
				}
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("%s takes a string", m)
				}
				return cmpNode{path: path, op: m, value: s}, nil
			}
		}
	}
	var op string
	for _, o := range []string{"==", "!=", ">=", "<=", ">", "<"} {
		if p.symbol(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, fmt.Errorf("a comparison (==, !=, >, <) was expected after %s", strings.Join(path, "."))
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	return cmpNode{path: path, op: op, value: v}, nil
}

func (p *whereParser) value() (any, error) {
	p.space()
	if p.pos >= len(p.src) {
		return nil, fmt.Errorf("a value was expected at the end")
	}
	switch c := p.src[p.pos]; {
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] == '.' || (p.src[p.pos] >= '0' && p.src[p.pos] <= '9')) {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p.src[start:p.pos])
		}
		return f, nil
	}
	switch {
	case p.keyword("true"):
		return true, nil
	case p.keyword("false"):
		return false, nil
	case p.keyword("null"):
		return nil, nil
	case p.keyword("Guid"):
		if !p.symbol("(") {
			return nil, fmt.Errorf("Guid needs (")
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.symbol(")") {
			return nil, fmt.Errorf("Guid( is not closed")
		}
		if !isUUID(s) {
			return nil, fmt.Errorf("%q is not a GUID", s)
		}
		return s, nil
	case p.keyword("DateTime"):
		if !p.symbol("(") {
			return nil, fmt.Errorf("DateTime needs (")
		}
		var parts [3]int
		for i := range parts {
			if i > 0 && !p.symbol(",") {
				return nil, fmt.Errorf("DateTime takes year, month, day")
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			f, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("DateTime takes numbers")
			}
			parts[i] = int(f)
		}
		if !p.symbol(")") {
			return nil, fmt.Errorf("DateTime( is not closed")
		}
		return time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC), nil
	}
	return nil, fmt.Errorf("a value was expected at position %d", p.pos)
}

func (p *whereParser) str() (string, error) {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		return "", fmt.Errorf("a quoted string was expected at position %d", p.pos)
	}
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		case c == '"':
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", fmt.Errorf("a string is not closed")
}
