package xero

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
)

// errBadDate is wrapped by every date parsing failure.
var errBadDate = errors.New("not a Xero date") // words:log: matched with errors.Is; a record that cannot be read is logged and left out

// isoLayouts are the ISO 8601 shapes Xero uses in its *String fields, in
// If-Modified-Since and in examples, tried in order.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999", // no zone: UTC
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	time.DateOnly,
}

// ParseDate reads a date as Xero writes it: the Microsoft JSON form
// "/Date(1573755038314+0000)/" (milliseconds since the Unix epoch, with an
// optional offset saying which zone the value was recorded in), or an ISO
// 8601 date or date-time ("2019-11-14", "2019-11-14T18:10:38",
// "2019-11-14T18:10:38Z", "2020-02-06T12:17:43.202-08:00"). Values without a
// zone are UTC. A blank string is an error.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: the value is blank", errBadDate)
	}
	// JSON may escape the slashes ("\/Date(...)\/"); decoders normally
	// remove the backslashes, but raw header or log values may keep them.
	s = strings.ReplaceAll(s, `\/`, "/")
	if strings.HasPrefix(s, "/Date(") {
		return parseMSDate(s)
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", errBadDate, s)
}

// parseMSDate reads "/Date(ms)/", "/Date(ms+hhmm)/" or "/Date(ms-hhmm)/".
func parseMSDate(s string) (time.Time, error) {
	inner, ok := strings.CutPrefix(s, "/Date(")
	if ok {
		inner, ok = strings.CutSuffix(inner, ")/")
	}
	if !ok || inner == "" {
		return time.Time{}, fmt.Errorf("%w: %q", errBadDate, s)
	}
	// The milliseconds may themselves be negative; an offset sign can
	// only come after at least one digit.
	digitsEnd := len(inner)
	for i := 1; i < len(inner); i++ {
		if inner[i] == '+' || inner[i] == '-' {
			digitsEnd = i
			break
		}
	}
	ms, err := strconv.ParseInt(inner[:digitsEnd], 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", errBadDate, s)
	}
	// Keep to years 0001–9999 so the value formats and compares sanely.
	const minMS, maxMS = -62135596800000, 253402300799999
	if ms < minMS || ms > maxMS {
		return time.Time{}, fmt.Errorf("%w: %q is out of range", errBadDate, s)
	}
	t := time.UnixMilli(ms).UTC()
	if digitsEnd == len(inner) {
		return t, nil
	}
	off := inner[digitsEnd:]
	if len(off) != 5 {
		return time.Time{}, fmt.Errorf("%w: offset in %q must be +hhmm", errBadDate, s)
	}
	hh, errH := strconv.Atoi(off[1:3])
	mm, errM := strconv.Atoi(off[3:5])
	if errH != nil || errM != nil || hh > 23 || mm > 59 {
		return time.Time{}, fmt.Errorf("%w: offset in %q must be +hhmm", errBadDate, s)
	}
	secs := hh*3600 + mm*60
	if off[0] == '-' {
		secs = -secs
	}
	if secs == 0 {
		return t, nil
	}
	return t.In(time.FixedZone("", secs)), nil
}

// FormatDate writes t in Xero's Microsoft JSON form, "/Date(ms+0000)/".
func FormatDate(t time.Time) string {
	return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + "+0000)/"
}

// parseDay reads a document date into a calendar day.
func parseDay(s string) (connectors.Date, error) {
	if strings.TrimSpace(s) == "" {
		return connectors.Date{}, nil
	}
	t, err := ParseDate(s)
	if err != nil {
		return connectors.Date{}, err
	}
	return connectors.DateOf(t), nil
}

// dayOf prefers the ISO *String twin of a date field, which carries the
// organisation's calendar day, and falls back to the /Date()/ value.
func dayOf(isoString, msValue string) (connectors.Date, error) {
	if strings.TrimSpace(isoString) != "" {
		return parseDay(isoString)
	}
	return parseDay(msValue)
}

// ifModifiedSince renders since for Xero's If-Modified-Since header: an
// ISO date-time in UTC.
func ifModifiedSince(since time.Time) string {
	return since.UTC().Format("2006-01-02T15:04:05")
}
