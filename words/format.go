package words

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Each language's conventions, as its bookkeepers write them.
type conventions struct {
	decimal, thousands string
	date, dateTime     string
	// symbolAfter puts the currency after the amount ("1.234,50 kr.").
	symbolAfter bool
	symbolSpace bool
}

var byLang = map[string]conventions{
	"en": {decimal: ".", thousands: ",", date: "02/01/2006", dateTime: "02/01/2006 15:04"},
	"nl": {decimal: ",", thousands: ".", date: "02-01-2006", dateTime: "02-01-2006 15:04", symbolSpace: true},
	"da": {decimal: ",", thousands: ".", date: "02.01.2006", dateTime: "02.01.2006 15:04", symbolAfter: true, symbolSpace: true},
}

func (w *Words) conv() conventions { return byLang[w.lang] }

// Date writes a day the way the language does: 03/12/2026, 03-12-2026,
// 03.12.2026. The zero time is "".
func (w *Words) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(w.conv().date)
}

// DateTime is Date with the hour and minute.
func (w *Words) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(w.conv().dateTime)
}

// Weekday is the day's name as the language writes it in a sentence
// ("Monday", "maandag", "mandag"). The names are in the catalogue, keyed by
// the day's English name, as the other words are.
func (w *Words) Weekday(d time.Weekday) string {
	return w.T("format.weekday" + "." + strings.ToLower(d.String()))
}

// WeekdayShort is the day's name shortened as the language shortens it
// beside a date ("Mon", "ma", "man.").
func (w *Words) WeekdayShort(d time.Weekday) string {
	return w.T("format.weekday_short" + "." + strings.ToLower(d.String()))
}

// Clock is the time of day, 15:04:05, as all three languages write it on
// screen.
func (w *Words) Clock(t time.Time) string { return t.Format("15:04:05") }

// Int writes a whole number with thousands separators: 1,234 / 1.234.
func (w *Words) Int(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := group(uintString(uint64(n)), w.conv().thousands)
	if neg {
		return "-" + s
	}
	return s
}

// Decimal writes d with places decimals and the language's separators:
// 1,234.50 / 1.234,50.
func (w *Words) Decimal(d decimal.Decimal, places int32) string {
	s := d.StringFixed(places)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := group(whole, w.conv().thousands)
	if frac != "" {
		out += w.conv().decimal + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// Amount writes money in currency (an ISO code such as "GBP"; "" writes the
// number alone) with two decimals: £1,234.50, € 1.234,50, 1.234,50 kr.
func (w *Words) Amount(d decimal.Decimal, currency string) string {
	n := w.Decimal(d, 2)
	if currency == "" {
		return n
	}
	c := w.conv()
	sym := symbol(currency, w.lang)
	sep := ""
	if c.symbolSpace || isCode(sym) {
		sep = " "
	}
	if c.symbolAfter {
		return n + sep + sym
	}
	return sym + sep + n
}

func symbol(currency, lang string) string {
	switch strings.ToUpper(currency) {
	case "GBP":
		return "£"
	case "EUR":
		return "€"
	case "USD":
		return "$"
	case "DKK", "NOK", "SEK":
		if lang == "da" {
			return "kr."
		}
		return strings.ToUpper(currency)
	}
	return strings.ToUpper(currency)
}

func uintString(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func group(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// isCode says sym is an ISO code (DKK) rather than a sign (£): codes stand
// apart from the number.
func isCode(sym string) bool {
	if len(sym) != 3 {
		return false
	}
	for _, r := range sym {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
