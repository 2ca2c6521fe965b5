package feed

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// sayError is a problem with a value or a file in words for a person. Its
// Error() says it in English (what logs and English callers read);
// Words.Error says it in the reader's language. A file's problem also
// wraps ErrFile.
type sayError struct {
	we   *words.Error
	file bool
}

func (e *sayError) Error() string { return english().Error(e.we) }

func (e *sayError) Unwrap() []error {
	if e.file {
		return []error{e.we, ErrFile}
	}
	return []error{e.we}
}

// wordsError is a value's problem said by the catalogue entry key.
func wordsError(key string, pairs ...any) error {
	return &sayError{we: words.Errorf(nil, key, pairs...)}
}

// fileWords is a whole file's problem (it wraps ErrFile) said by key.
func fileWords(key string, pairs ...any) error {
	return &sayError{we: words.Errorf(nil, key, pairs...), file: true}
}

// wrapWords is err (a read failure, said as its package wrote it) after
// the catalogue entry key.
func wrapWords(err error, key string, pairs ...any) error {
	return &sayError{we: words.Errorf(err, key, pairs...)}
}

// maxNumberLen bounds the digits of one number: no real amount needs more,
// and it keeps a hostile file from making decimal arithmetic slow.
const maxNumberLen = 40

// Year bounds for dates: outside them a date is a typing mistake, not a
// document of this business.
const (
	minYear = 1900
	maxYear = 2199
)

var monthNames = map[string]time.Month{
	"jan": time.January, "january": time.January,
	"feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"may": time.May,
	"jun": time.June, "june": time.June,
	"jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

// parseDate reads a calendar day written year first (2026-11-23,
// 2026/11/23), day first (23/11/2026, 23-11-2026, 23.11.2026) or with a
// month name (23 Nov 2026, 23-Nov-2026). A time of day after the date
// ("2026-11-23 00:00:00", "2026-11-23T10:00:00Z") is ignored. Month-first
// dates are never guessed: 11/23/2026 is refused because there is no
// month 23.
func parseDate(s string) (connectors.Date, error) {
	s = strings.TrimSpace(s)
	notReal := func() error { return wordsError("engine.feed.value.date_not_real", "Value", s) }
	unreadable := func() error { return wordsError("engine.feed.value.date_unreadable", "Value", s) }
	if s == "" {
		return connectors.Date{}, wordsError("engine.feed.value.date_missing")
	}
	datePart := s
	if strings.IndexByte(s, 'T') == 10 {
		datePart = s[:10]
	} else if f := strings.Fields(s); len(f) > 1 && strings.Contains(f[len(f)-1], ":") {
		datePart = strings.Join(f[:len(f)-1], " ")
	}
	parts, ok := splitDate(datePart)
	if !ok {
		return connectors.Date{}, unreadable()
	}
	var yearStr, monthStr, dayStr string
	dayFirst := false
	switch {
	case len(parts[0]) == 4 && isDigits(parts[0]):
		yearStr, monthStr, dayStr = parts[0], parts[1], parts[2]
	case len(parts[2]) == 4 && isDigits(parts[2]):
		dayStr, monthStr, yearStr = parts[0], parts[1], parts[2]
		dayFirst = true
	case len(parts[2]) == 2 && isDigits(parts[2]):
		return connectors.Date{}, wordsError("engine.feed.value.date_two_digit_year", "Value", s)
	default:
		return connectors.Date{}, unreadable()
	}
	if !isDigits(dayStr) || len(dayStr) > 2 {
		return connectors.Date{}, unreadable()
	}
	year, _ := strconv.Atoi(yearStr)
	day, _ := strconv.Atoi(dayStr)
	var month int
	if isDigits(monthStr) {
		if len(monthStr) > 2 {
			return connectors.Date{}, unreadable()
		}
		month, _ = strconv.Atoi(monthStr)
	} else if m, ok := monthNames[strings.ToLower(monthStr)]; ok {
		month = int(m)
	} else {
		return connectors.Date{}, unreadable()
	}
	if month < 1 || month > 12 {
		if dayFirst && day >= 1 && day <= 12 && month <= 31 {
			return connectors.Date{}, wordsError("engine.feed.value.date_day_first", "Value", s, "Month", month)
		}
		return connectors.Date{}, notReal()
	}
	if year < minYear || year > maxYear {
		return connectors.Date{}, wordsError("engine.feed.value.year_typo", "Value", s, "Year", year)
	}
	d := connectors.NewDate(year, time.Month(month), day)
	if day < 1 || d.Day() != day {
		return connectors.Date{}, notReal()
	}
	return d, nil
}

// splitDate cuts a date into three parts at one kind of separator.
func splitDate(s string) ([]string, bool) {
	for _, sep := range []string{"-", "/", ".", " "} {
		if !strings.Contains(s, sep) {
			continue
		}
		var parts []string
		if sep == " " {
			parts = strings.Fields(s)
		} else {
			parts = strings.Split(s, sep)
		}
		if len(parts) != 3 {
			return nil, false
		}
		for _, p := range parts {
			if p == "" || strings.ContainsAny(p, "-/. ") {
				return nil, false
			}
		}
		return parts, true
	}
	return nil, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseNumber reads an amount or quantity as a bookkeeper writes it.
//
// The rule for the decimal mark, in order:
//  1. Both '.' and ',' appear: the one furthest right is the decimal mark,
//     the other groups thousands ("1.234,56" and "1,234.56" are both 1234.56).
//  2. One of them appears more than once: it groups thousands ("1.234.567").
//  3. It appears once, not followed by exactly three digits, or after a
//     leading "0" or more than three digits: it is the decimal mark
//     ("12,50", "0,125", "1234,567").
//  4. It appears once before exactly three digits ("1,234", "1.234"): the
//     file's decimal mark decides; the other mark groups thousands.
//
// Spaces (also non-breaking and thin spaces), apostrophes used as thousands
// separators, a currency symbol or a three-letter currency code before or
// after the number are ignored. A minus sign in front or behind, or
// parentheses around the number, make it negative.
func parseNumber(s string, decimalMark byte) (decimal.Decimal, error) {
	orig := strings.TrimSpace(s)
	bad := func() error { return wordsError("engine.feed.value.number_unreadable", "Value", orig) }
	if orig == "" {
		return decimal.Zero, wordsError("engine.feed.value.number_missing")
	}
	if len(orig) > 3*maxNumberLen {
		return decimal.Zero, wordsError("engine.feed.value.number_too_long", "Value", fmt.Sprintf("%.20s…", orig))
	}
	t := orig
	if !plainNumber(t) {
		var b strings.Builder
		for _, r := range orig {
			switch {
			case unicode.IsSpace(r) || r == '\'' || r == '’' || r == '\u202f':
				// grouping spaces and Swiss apostrophes
			case r == '\u2212':
				b.WriteByte('-')
			default:
				b.WriteRune(r)
			}
		}
		t = b.String()
	}
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, t[1:len(t)-1]
	}
	t = trimCurrency(t)
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = !neg, t[1:]
	case strings.HasSuffix(t, "-"):
		neg, t = !neg, t[:len(t)-1]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	t = trimCurrency(t)
	if t == "" {
		return decimal.Zero, bad()
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c < '0' || c > '9') && c != '.' && c != ',' {
			return decimal.Zero, bad()
		}
	}
	if len(t) > maxNumberLen {
		return decimal.Zero, wordsError("engine.feed.value.number_too_long", "Value", orig)
	}
	if simpleDecimal(t) && !(decimalMark == ',' && looksGroupedDot(t)) {
		// The common case: digits with at most a decimal point.
		d, err := decimal.NewFromString(t)
		if err != nil {
			return decimal.Zero, bad()
		}
		if neg {
			d = d.Neg()
		}
		return d, nil
	}
	intPart, frac, ok := splitDecimal(t, decimalMark)
	if !ok {
		return decimal.Zero, bad()
	}
	canon := intPart
	if canon == "" {
		canon = "0"
	}
	if frac != "" {
		canon += "." + frac
	}
	if neg {
		canon = "-" + canon
	}
	d, err := decimal.NewFromString(canon)
	if err != nil {
		return decimal.Zero, bad()
	}
	return d, nil
}

// plainNumber reports whether s has nothing parseNumber must clean away
// first: the common case, kept fast.
func plainNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != ',' && c != '-' && c != '+' {
			return false
		}
	}
	return true
}

// trimCurrency removes one currency symbol or three-letter code at either end.
func trimCurrency(t string) string {
	if r, size := utf8.DecodeRuneInString(t); size > 0 && unicode.Is(unicode.Sc, r) {
		t = t[size:]
	} else if len(t) > 3 && isUpperLetters(t[:3]) {
		t = t[3:]
	}
	if r, size := utf8.DecodeLastRuneInString(t); size > 0 && unicode.Is(unicode.Sc, r) {
		t = t[:len(t)-size]
	} else if len(t) > 3 && isUpperLetters(t[len(t)-3:]) {
		t = t[:len(t)-3]
	}
	return t
}

func isUpperLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// splitDecimal applies parseNumber's rule to digits with '.' and ','. It
// returns the integer digits and the fraction digits without separators.
func splitDecimal(t string, fileMark byte) (intPart, frac string, ok bool) {
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	switch {
	case dots == 0 && commas == 0:
		return t, "", true
	case dots > 0 && commas > 0:
		last := strings.LastIndexAny(t, ".,")
		mark := t[last]
		if strings.Count(t, string(mark)) != 1 {
			return "", "", false
		}
		whole, fraction := t[:last], t[last+1:]
		if fraction == "" {
			return "", "", false
		}
		group := byte(',')
		if mark == ',' {
			group = '.'
		}
		digits, ok := ungroup(whole, group)
		return digits, fraction, ok
	}
	mark := byte('.')
	count := dots
	if commas > 0 {
		mark, count = ',', commas
	}
	if count > 1 {
		digits, ok := ungroup(t, mark)
		return digits, "", ok
	}
	i := strings.IndexByte(t, mark)
	whole, fraction := t[:i], t[i+1:]
	if fraction == "" {
		return "", "", false
	}
	looksGrouped := len(fraction) == 3 && len(whole) >= 1 && len(whole) <= 3 && whole[0] != '0'
	if looksGrouped && mark != fileMark {
		return whole + fraction, "", true
	}
	return whole, fraction, true
}

// simpleDecimal reports whether t is digits with at most one decimal point
// that has digits after it.
func simpleDecimal(t string) bool {
	point := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '.' && !point && i < len(t)-1:
			point = true
		case c < '0' || c > '9':
			return false
		}
	}
	return t != ""
}

// looksGroupedDot reports whether t is "1.234"-shaped: one point before
// exactly three digits, after one to three digits not starting with 0.
func looksGroupedDot(t string) bool {
	i := strings.IndexByte(t, '.')
	if i < 0 {
		return false
	}
	whole, fraction := t[:i], t[i+1:]
	return len(fraction) == 3 && len(whole) >= 1 && len(whole) <= 3 && whole[0] != '0'
}

// ungroup checks that s is digits in groups of three separated by sep (the
// first group one to three digits) and returns the digits alone.
func ungroup(s string, sep byte) (string, bool) {
	if s == "" {
		return "", true
	}
	groups := strings.Split(s, string(sep))
	if len(groups[0]) < 1 || len(groups[0]) > 3 || !isDigits(groups[0]) {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !isDigits(g) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// parsePercent reads a discount such as "10", "10%" or "12,5 %".
func parsePercent(s string, decimalMark byte) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	d, err := parseNumber(t, decimalMark)
	if err != nil {
		return decimal.Zero, wordsError("engine.feed.value.percent_unreadable", "Value", strings.TrimSpace(s))
	}
	return d, nil
}

// parseBool reads yes/no answers. "inclusive" and "exclusive" are accepted
// because that is how packages word the tax-inclusive setting.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "n", "false", "0", "exclusive", "tax exclusive", "no tax", "notax":
		return false, nil
	case "yes", "y", "true", "1", "x", "inclusive", "tax inclusive":
		return true, nil
	}
	return false, wordsError("engine.feed.value.not_yes_no", "Value", strings.TrimSpace(s))
}

// parsePeriod reads a pay period as 2026-11, 2026/11, 11-2026, 11/2026 or
// 202611 and returns it as YYYY-MM.
func parsePeriod(s string) (string, error) {
	t := strings.TrimSpace(s)
	if validPeriodFast(t) {
		return t, nil
	}
	bad := wordsError("engine.feed.value.period_unreadable", "Value", t)
	var yearStr, monthStr string
	if i := strings.IndexAny(t, "-/."); i >= 0 {
		a, b := t[:i], t[i+1:]
		switch {
		case len(a) == 4:
			yearStr, monthStr = a, b
		case len(b) == 4:
			yearStr, monthStr = b, a
		default:
			return "", bad
		}
	} else if len(t) == 6 {
		yearStr, monthStr = t[:4], t[4:]
	} else {
		return "", bad
	}
	if !isDigits(yearStr) || !isDigits(monthStr) || len(monthStr) > 2 {
		return "", bad
	}
	year, _ := strconv.Atoi(yearStr)
	month, _ := strconv.Atoi(monthStr)
	if month < 1 || month > 12 {
		return "", wordsError("engine.feed.value.period_not_real", "Value", t, "Month", month)
	}
	if year < minYear || year > maxYear {
		return "", wordsError("engine.feed.value.year_typo", "Value", t, "Year", year)
	}
	return fmt.Sprintf("%04d-%02d", year, month), nil
}

// validPeriodFast recognises the canonical YYYY-MM form without allocating.
func validPeriodFast(t string) bool {
	if len(t) != 7 || t[4] != '-' || !isDigits(t[:4]) || !isDigits(t[5:]) {
		return false
	}
	month := int(t[5]-'0')*10 + int(t[6]-'0')
	year := int(t[0]-'0')*1000 + int(t[1]-'0')*100 + int(t[2]-'0')*10 + int(t[3]-'0')
	return month >= 1 && month <= 12 && year >= minYear && year <= maxYear
}

// validPeriod reports whether p is already in the YYYY-MM form.
func validPeriod(p string) bool {
	norm, err := parsePeriod(p)
	return err == nil && norm == p
}

// parseCurrency reads a three-letter currency code in any case.
func parseCurrency(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) != 3 || !isUpperLetters(strings.ToUpper(t)) {
		return "", wordsError("engine.feed.value.not_currency", "Value", t)
	}
	return strings.ToUpper(t), nil
}

// splitTags splits "vip; wholesale | north" into its tags, dropping blanks
// and repeats (compared without case).
func splitTags(s string) []string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' })
	var tags []string
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		key := strings.ToLower(f)
		if f == "" || seen[key] {
			continue
		}
		seen[key] = true
		tags = append(tags, f)
	}
	return tags
}

var statusWords = map[string]connectors.DocumentStatus{
	"draft":             connectors.StatusDraft,
	"submitted":         connectors.StatusSubmitted,
	"awaiting approval": connectors.StatusSubmitted,
	"authorised":        connectors.StatusAuthorised,
	"authorized":        connectors.StatusAuthorised,
	"approved":          connectors.StatusAuthorised,
	"awaiting payment":  connectors.StatusAuthorised,
	"paid":              connectors.StatusPaid,
	"voided":            connectors.StatusVoided,
	"void":              connectors.StatusVoided,
	"cancelled":         connectors.StatusVoided,
	"canceled":          connectors.StatusVoided,
	"deleted":           connectors.StatusDeleted,
}

// parseStatus reads a document status; blank leaves it unset.
func parseStatus(s string) (connectors.DocumentStatus, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if t == "" {
		return "", nil
	}
	if st, ok := statusWords[t]; ok {
		return st, nil
	}
	return "", wordsError("engine.feed.value.not_status", "Value", strings.TrimSpace(s))
}

// validStatus reports whether st is one of the model's statuses (or unset).
func validStatus(st connectors.DocumentStatus) bool {
	switch st {
	case "", connectors.StatusDraft, connectors.StatusSubmitted, connectors.StatusAuthorised,
		connectors.StatusPaid, connectors.StatusVoided, connectors.StatusDeleted:
		return true
	}
	return false
}
