package uniconta

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

func TestDecodeAnswer(t *testing.T) {
	cases := []struct {
		body     string
		wantCode string
		wantErr  bool
	}{
		{`[{"Account":"1"}]`, "", false},
		{`"KeyExists"`, "KeyExists", false},
		{`KeyExists`, "KeyExists", false},
		{"Succes", "", false},
		{`"Succes"`, "", false},
		{"", "", false},
		{"<html>Bad gateway</html>", "", true},
		{`{"Account":`, "", true},
	}
	for _, tc := range cases {
		var out []map[string]any
		code, err := decodeAnswer([]byte(tc.body), &out)
		if code != tc.wantCode || (err != nil) != tc.wantErr {
			t.Errorf("decodeAnswer(%q) = %q, %v; want %q, error %v", tc.body, code, err, tc.wantCode, tc.wantErr)
		}
	}
	var s string
	if code, err := decodeAnswer([]byte(`"Account 9 is missing"`), &s); code != "" || err != nil || s != "Account 9 is missing" {
		t.Errorf("a JSON string where one is wanted: %q %v %q", code, err, s)
	}
}

func TestPostingResultCode(t *testing.T) {
	for body, want := range map[string]string{`{"Err":0}`: "", `{"Err":"Succes"}`: "", `{"Err":"ErrorInJournal"}`: "ErrorInJournal", `{"Err":17}`: "ErrorCode17", `{}`: ""} {
		var p postingResult
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if got, err := p.code(); got != want || err != nil {
			t.Errorf("%s: %q, %v; want %q", body, got, err, want)
		}
	}
}

func TestTokenExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	enc := base64.RawURLEncoding
	tok := func(payload string) string { return "h." + enc.EncodeToString([]byte(payload)) + ".s" }
	if got := tokenExpiry(tok(fmt.Sprintf(`{"exp":%d}`, now.Add(time.Hour).Unix())), now); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("exp read as %v", got)
	}
	for _, bad := range []string{"opaque", tok(`{}`), tok(`{"exp":"soon"}`), tok(`{"exp":99999999999999}`), "a.!!!.b"} {
		if got := tokenExpiry(bad, now); !got.Equal(now.Add(55 * time.Minute)) {
			t.Errorf("%q: %v; want the documented hour less a margin", bad, got)
		}
	}
}

func TestUCDates(t *testing.T) {
	for in, want := range map[string]string{
		`"2026-11-02T00:00:00"`: "2026-11-02", `"2026-11-02T23:30:00+01:00"`: "2026-11-02", `"2026-11-02"`: "2026-11-02",
		`"2026-11-02T10:00:00.1234567"`: "2026-11-02", `"0001-01-01T00:00:00"`: "", `null`: "",
	} {
		var d ucDate
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := toDate(d).String(); got != want {
			t.Errorf("%s read as %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{`"02/11/2026"`, `20261102`, `"yesterday"`} {
		var d ucDate
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s was accepted as a date", bad)
		}
	}
}

func TestExplainCatalogue(t *testing.T) {
	cases := map[string]string{
		"NoRights":                 "may not",
		"KeyExists: x":             "already holds",
		"RecordExists":             "already holds",
		"CouldNotFind: Vat":        "does not have",
		"FieldCannotBeBlank: Name": "empty",
		"AccountIsMissing":         "empty",
		"ErrorInJournal: line 1":   "nothing was booked",
		"ItemIsOnHold":             "on hold",
		"CreditLimitExceeded":      "credit limit",
		"NoLinesFound":             "no lines",
		"NoSubscription":           "subscription",
		"SQLException":             "fault on its side",
		"Uniconta answered NoCompanyId: the Firma ID 9 is wrong": "Firma ID",
		"NotTagged: customer":     "tag",
		"PostedCannotChange: x":   "booked",
		"InvoiceNotInUniconta: x": "invoice",
	}
	for msg, want := range cases {
		why, ok := explain(&connectors.ItemError{Message: msg})
		if !ok || !strings.Contains(why.Cause, want) || why.Fix == "" {
			t.Errorf("Explain(%q) = %+v, %v; want a cause mentioning %q", msg, why, ok, want)
		}
	}
	if _, ok := explain(errors.New("something nobody catalogued")); ok {
		t.Errorf("an unknown message was explained")
	}
	if _, ok := explain(nil); ok {
		t.Errorf("nil was explained")
	}
	// The code of a refusal is matched even when the words are Uniconta's
	// detail alone.
	if why, ok := explain(&connectors.ItemError{Code: "KeyExists", Message: "Account 1 exists"}); !ok || !strings.Contains(why.Cause, "already") {
		t.Errorf("by code: %+v", why)
	}
}

func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{`[{"Account":"1","RowId":2}]`, `"KeyExists"`, "ErrorInJournal", "Succes", "", `{"Err":0}`, "\x00\xff", `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var rows []wireParty
		code, err := decodeAnswer(b, &rows)
		if code != "" && err != nil {
			t.Fatalf("both a code and an error for %q", b)
		}
		if code != "" && (len(code) > 64 || strings.ContainsAny(code, " \n\"")) {
			t.Fatalf("code %q is not an ErrorCodes name", code)
		}
	})
}

func FuzzParseLoginAnswer(f *testing.F) {
	for _, s := range []string{`{"token":"a.b.c","refreshToken":"r","refreshTokenExpiry":"2026-12-07T10:00:00Z"}`, `"NoCompanyId"`, `{}`, `nonsense`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ans, code, err := parseLoginAnswer(b)
		if err == nil && code == "" && ans.Token == "" {
			t.Fatalf("accepted an answer with no token: %q", b)
		}
		now := time.Unix(1_800_000_000, 0)
		if exp := tokenExpiry(ans.Token, now); exp.After(now.Add(25*time.Hour)) || exp.Before(time.Unix(0, 0)) {
			t.Fatalf("expiry %v out of range", exp)
		}
	})
}

func FuzzPostingResult(f *testing.F) {
	for _, s := range []string{`{"Err":0,"JournalPostedlId":5}`, `{"Err":"ErrorInJournal"}`, `{"Err":1e999}`, `{"Err":[1]}`, `{"Header":{"RowId":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p postingResult
		if json.Unmarshal(b, &p) != nil {
			return
		}
		code, err := p.code()
		if code != "" && err != nil {
			t.Fatalf("both a code and an error")
		}
	})
}

func FuzzUCDate(f *testing.F) {
	for _, s := range []string{`"2026-11-02T00:00:00"`, `"0001-01-01T00:00:00"`, `null`, `"2026-02-30"`, `""`, `"2026-11-02T10:00:00.1234567+02:00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d ucDate
		if json.Unmarshal(b, &d) != nil {
			return
		}
		out, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back ucDate
		if err := json.Unmarshal(out, &back); err != nil || !toDate(back).Equal(toDate(d).Time) {
			t.Fatalf("%s → %s does not read back: %v", b, out, err)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"3", "0", "-1", "Wed, 02 Dec 2026 10:00:00 GMT", "soon", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		if d, ok := parseRetryAfter(s, now); ok && d <= 0 {
			t.Fatalf("wait %v for %q", d, s)
		}
	})
}

// BenchmarkMapping maps 1,000 invoices of three lines to the WebAPI's
// shapes and back, as one listing or upload of them does.
func BenchmarkMapping(b *testing.B) {
	dm := dimMap{costCentre: 1, costType: 2}
	docs := make([]connectors.Document, 1000)
	for i := range docs {
		docs[i] = connectors.Document{Code: fmt.Sprintf("INV-%d", i), PartyCode: "C001", Date: connectors.NewDate(2026, 11, 2), Currency: "DKK",
			Lines: []connectors.Line{
				{ItemCode: "BEAN", Description: "Beans", Quantity: decimal.NewFromInt(3), UnitPrice: decimal.RequireFromString("18.50"), NominalCode: "200", TaxCode: "U25", CostCentre: "SHOP"},
				{ItemCode: "DELIVERY", Description: "Delivery", Quantity: decimal.NewFromInt(1), UnitPrice: decimal.RequireFromString("6.50"), NominalCode: "200", TaxCode: "U25"},
				{Description: "Course", Quantity: decimal.NewFromInt(2), UnitPrice: decimal.RequireFromString("145"), DiscountPercent: decimal.NewFromInt(10), NominalCode: "260", TaxCode: "U25", CostCentre: "TRAINING", CostType: "COURSE"},
			}}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			o, ls := docToWire(d, salesKind, false, dm)
			body, err := json.Marshal(masterDetails{Master: o, Details: []any{ls}})
			if err != nil || len(body) == 0 {
				b.Fatal(err)
			}
			if back := linesFromWire(ls, false, dm); len(back) != 3 {
				b.Fatal("lines lost")
			}
		}
	}
}

// TestCustomFieldRefusalsInEveryLanguage: a custom field value that does
// not fit the field's Uniconta type is refused naming the field and the
// value, in the reader's language.
func TestCustomFieldRefusalsInEveryLanguage(t *testing.T) {
	cases := []struct {
		typ, value string
		en, nl, da string
	}{
		{"Double", "many", `The custom field LoyaltyTier holds numbers in Uniconta, and "many"`, `Het vrije veld LoyaltyTier bevat getallen`, `Kundedatafeltet LoyaltyTier indeholder tal`},
		{"Boolean", "perhaps", `The custom field LoyaltyTier is a tick box in Uniconta, and "perhaps"`, `Het vrije veld LoyaltyTier is een vinkje`, `Kundedatafeltet LoyaltyTier er et afkrydsningsfelt`},
	}
	for _, tc := range cases {
		_, err := withCustomFields(map[string]any{"Account": "C1"}, map[string]string{"LoyaltyTier": tc.value}, []string{"LoyaltyTier"}, map[string]string{"LoyaltyTier": tc.typ})
		if err == nil {
			t.Fatalf("%s %q was accepted", tc.typ, tc.value)
		}
		for lang, want := range map[string]string{"en": tc.en, "nl": tc.nl, "da": tc.da} {
			if got := own.In(lang).Error(err); !strings.Contains(got, want) {
				t.Errorf("in %s the refusal reads %q; want it to hold %q", lang, got, want)
			}
		}
	}
}
