package kashflow

import (
	"encoding/xml"
	"testing"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

func TestPayNote(t *testing.T) {
	for _, c := range []struct {
		code, ref string
		parts     int
		note      string
	}{
		{"RCPT-0001", "Card payment", 1, "[RCPT-0001] Card payment"},
		{"RCPT-0003", "BACS NORTHFIELD NOV", 2, "[RCPT-0003] [2 parts] BACS NORTHFIELD NOV"},
		{"RCPT-0004", "", 3, "[RCPT-0004] [3 parts]"},
		{"", "Card at the till", 1, "Card at the till"},
	} {
		note := payNote(c.code, c.ref, c.parts)
		if note != c.note {
			t.Errorf("payNote(%q, %q, %d) = %q, want %q", c.code, c.ref, c.parts, note, c.note)
		}
		code, ref, parts := readPayNote(note)
		if code != c.code || ref != c.ref || parts != c.parts {
			t.Errorf("readPayNote(%q) = %q, %q, %d", note, code, ref, parts)
		}
	}
	for _, note := range []string{"[P] [x parts] r", "[P] [1 parts] r", "[P] [2 parts", "[P] [-2 parts] r"} {
		if _, _, parts := readPayNote(note); parts != 1 {
			t.Errorf("readPayNote(%q) reads %d parts, want 1", note, parts)
		}
	}
}

func FuzzReadPayNote(f *testing.F) {
	for _, s := range []string{"[RCPT-0003] [2 parts] BACS", "[A] [99999999999999999999 parts]", "[", "[] [2 parts]", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ref, parts := readPayNote(s)
		if parts < 1 {
			t.Fatalf("readPayNote(%q) reads %d parts", s, parts)
		}
		if parts > 1 && payNote(code, ref, parts) == "" {
			t.Fatalf("readPayNote(%q) lost the note", s)
		}
	})
}
