package kashflow

import (
	"fmt"
	"strings"
	"time"
)

// KashFlow's SOAP dates are xs:dateTime without a zone, as .NET writes
// them ("2026-11-02T00:00:00"); some answers carry fractions or an offset.
const wireDateTime = "2006-01-02T15:04:05"

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00"
	}
	return t.Format(wireDateTime)
}

// parseDateTime reads the forms KashFlow's dates take; the .NET zero date
// (0001-01-01) reads as the zero time.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{wireDateTime, "2006-01-02T15:04:05.9999999", time.RFC3339Nano,
		"2006-01-02T15:04:05.9999999Z07:00", "2006-01-02", "2006-01-02 15:04:05", "2006-01-02 15:04:05 -07:00"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if t.Year() <= 1 {
			return time.Time{}, nil
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("KashFlow date %q is not in a form LedgerLink knows", s) // words:log: detail under the words of an unreadable answer

}
