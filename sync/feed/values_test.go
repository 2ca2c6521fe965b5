package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    connectors.Date
		wantErr string
	}{
		{in: "2026-11-23", want: connectors.NewDate(2026, time.November, 23)},
		{in: "2026/11/23", want: connectors.NewDate(2026, time.November, 23)},
		{in: " 2026-1-5 ", want: connectors.NewDate(2026, time.January, 5)},
		{in: "23/11/2026", want: connectors.NewDate(2026, time.November, 23)},
		{in: "23-11-2026", want: connectors.NewDate(2026, time.November, 23)},
		{in: "23.11.2026", want: connectors.NewDate(2026, time.November, 23)},
		{in: "3/4/2026", want: connectors.NewDate(2026, time.April, 3)}, // day first, never month first
		{in: "23 Nov 2026", want: connectors.NewDate(2026, time.November, 23)},
		{in: "23-November-2026", want: connectors.NewDate(2026, time.November, 23)},
		{in: "2026-11-23 00:00:00", want: connectors.NewDate(2026, time.November, 23)},
		{in: "2026-11-23T14:30:00Z", want: connectors.NewDate(2026, time.November, 23)},
		{in: "23/11/2026 14:30", want: connectors.NewDate(2026, time.November, 23)},
		{in: "29/02/2028", want: connectors.NewDate(2028, time.February, 29)},
		{in: "31/02/2026", wantErr: "'31/02/2026' is not a real date"},
		{in: "29/02/2026", wantErr: "is not a real date"},
		{in: "2026-02-30", wantErr: "is not a real date"},
		{in: "0/11/2026", wantErr: "is not a real date"},
		{in: "11/23/2026", wantErr: "dates are read day first"},
		{in: "2026-13-01", wantErr: "is not a real date"},
		{in: "23/11/26", wantErr: "two-digit year"},
		{in: "23/11-2026", wantErr: "not a date I can read"},
		{in: "46349", wantErr: "not a date I can read"},
		{in: "next tuesday", wantErr: "not a date I can read"},
		{in: "23 Foo 2026", wantErr: "not a date I can read"},
		{in: "23/11/0026", wantErr: "looks like a typing mistake"},
		{in: "123/11/2026", wantErr: "not a date I can read"},
		{in: "", wantErr: "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDate(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseDate(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tt.want.Time) {
				t.Fatalf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		mark    byte
		want    string
		wantErr bool
	}{
		{in: "1234.56", mark: '.', want: "1234.56"},
		{in: "1234,56", mark: '.', want: "1234.56"},
		{in: "1.234,56", mark: '.', want: "1234.56"},
		{in: "1,234.56", mark: ',', want: "1234.56"},
		{in: "1.234.567", mark: '.', want: "1234567"},
		{in: "1,234,567.5", mark: '.', want: "1234567.5"},
		{in: "12,5", mark: '.', want: "12.5"},
		{in: "0,125", mark: '.', want: "0.125"},
		{in: "1234,567", mark: '.', want: "1234.567"},
		// The ambiguous case: one separator before exactly three digits.
		{in: "1,234", mark: '.', want: "1234"},
		{in: "1,234", mark: ',', want: "1.234"},
		{in: "1.234", mark: '.', want: "1.234"},
		{in: "1.234", mark: ',', want: "1234"},
		{in: "£1,234.50", mark: '.', want: "1234.5"},
		{in: "€ 1.234,50", mark: ',', want: "1234.5"},
		{in: "1 234,50 €", mark: ',', want: "1234.5"},
		{in: "1\u00a0234,50", mark: ',', want: "1234.5"},
		{in: "1'234.50", mark: '.', want: "1234.5"},
		{in: "EUR 12.00", mark: '.', want: "12"},
		{in: "12.00 GBP", mark: '.', want: "12"},
		{in: "-12.50", mark: '.', want: "-12.5"},
		{in: "12.50-", mark: '.', want: "-12.5"},
		{in: "(12.50)", mark: '.', want: "-12.5"},
		{in: "-£12.50", mark: '.', want: "-12.5"},
		{in: "£-12.50", mark: '.', want: "-12.5"},
		{in: "+7", mark: '.', want: "7"},
		{in: ".5", mark: '.', want: "0.5"},
		{in: "0.1", mark: '.', want: "0.1"},
		{in: "12.", mark: '.', wantErr: true},
		{in: "1.2.3,4", mark: '.', wantErr: true},
		{in: "12.34.56", mark: '.', wantErr: true},
		{in: "1,23,456.00", mark: '.', wantErr: true},
		{in: "1.234,5,6", mark: '.', wantErr: true},
		{in: "abc", mark: '.', wantErr: true},
		{in: "1e5", mark: '.', wantErr: true},
		{in: "--5", mark: '.', wantErr: true},
		{in: "£", mark: '.', wantErr: true},
		{in: strings.Repeat("9", 60), mark: '.', wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+string(tt.mark), func(t *testing.T) {
			got, err := parseNumber(tt.in, tt.mark)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseNumber(%q) = %s; want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "'") {
					t.Fatalf("error %q does not quote the value", err)
				}
				return
			}
			if err != nil || !got.Equal(decimal.RequireFromString(tt.want)) {
				t.Fatalf("parseNumber(%q, %q) = %s, %v; want %s", tt.in, tt.mark, got, err, tt.want)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]string{"10": "10", "10%": "10", "12,5 %": "12.5", "0": "0"} {
		got, err := parsePercent(in, '.')
		if err != nil || !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("parsePercent(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := parsePercent("ten %", '.'); err == nil || !strings.Contains(err.Error(), "percentage") {
		t.Errorf("parsePercent(ten %%) error = %v", err)
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{in: "2026-11", want: "2026-11"},
		{in: "2026/3", want: "2026-03"},
		{in: "11-2026", want: "2026-11"},
		{in: "03/2026", want: "2026-03"},
		{in: "202611", want: "2026-11"},
		{in: "2026-13", wantErr: "no month 13"},
		{in: "2026-00", wantErr: "no month 0"},
		{in: "Nov 2026", wantErr: "not a period"},
		{in: "26-11", wantErr: "not a period"},
		{in: "", wantErr: "not a period"},
	}
	for _, tt := range tests {
		got, err := parsePeriod(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parsePeriod(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parsePeriod(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseBoolCurrencyStatus(t *testing.T) {
	bools := map[string]bool{"yes": true, "Y": true, "TRUE": true, "1": true, "x": true, "Inclusive": true,
		"no": false, "": false, "0": false, "Exclusive": false, "No Tax": false}
	for in, want := range bools {
		got, err := parseBool(in)
		if err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseBool("maybe"); err == nil || !strings.Contains(err.Error(), "yes or no") {
		t.Errorf("parseBool(maybe) error = %v", err)
	}
	if got, err := parseCurrency(" eur "); err != nil || got != "EUR" {
		t.Errorf("parseCurrency(eur) = %q, %v", got, err)
	}
	for _, bad := range []string{"euro", "€", "E1R", "EU"} {
		if _, err := parseCurrency(bad); err == nil {
			t.Errorf("parseCurrency(%q) accepted", bad)
		}
	}
	statuses := map[string]connectors.DocumentStatus{"Approved": connectors.StatusAuthorised, "authorized": connectors.StatusAuthorised,
		"Awaiting  Payment": connectors.StatusAuthorised, "void": connectors.StatusVoided, "": ""}
	for in, want := range statuses {
		got, err := parseStatus(in)
		if err != nil || got != want {
			t.Errorf("parseStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseStatus("sent to mars"); err == nil {
		t.Error("parseStatus accepted nonsense")
	}
}

func TestSplitTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"vip; wholesale | north", []string{"vip", "wholesale", "north"}},
		{"VIP;vip;;  ", []string{"VIP"}},
		{"", nil},
		{"single", []string{"single"}},
	}
	for _, tt := range tests {
		got := splitTags(tt.in)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || len(got) != len(tt.want) {
			t.Errorf("splitTags(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
