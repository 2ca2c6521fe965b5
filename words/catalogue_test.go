package words_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/assets"
	"ledgerlink/connectors/all"
	"ledgerlink/words"
)

// shipped is the catalogue this build ships: LedgerLink's own words and
// every connector's.
func shipped(t *testing.T) *words.Catalogue {
	t.Helper()
	reg, err := all.Registry()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := reg.Catalogue(assets.Lang())
	if err != nil {
		t.Fatalf("the shipped catalogue does not load: %v", err)
	}
	return cat
}

func TestCatalogueHasEveryKeyInEveryLanguage(t *testing.T) {
	cat := shipped(t)
	en := cat.Keys("en")
	for _, lang := range words.Languages()[1:] {
		other := cat.Keys(lang)
		for _, k := range en {
			if !slices.Contains(other, k) {
				t.Errorf("%s is in English but not in %s", k, lang)
			}
		}
		for _, k := range other {
			if !slices.Contains(en, k) {
				t.Errorf("%s is in %s but not in English", k, lang)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func placeholders(s string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

func TestCatalogueEntriesAreWrittenAndFillTheSamePlaceholders(t *testing.T) {
	cat := shipped(t)
	for _, k := range cat.Keys("en") {
		want := placeholders(cat.Text("en", k))
		for _, lang := range words.Languages() {
			text := cat.Text(lang, k)
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s is blank in %s", k, lang)
				continue
			}
			if got := placeholders(text); lang != "en" && !slices.Equal(got, want) {
				t.Errorf("%s fills %v in %s but %v in English", k, got, lang, want)
			}
		}
	}
}

// literals returns every string literal in the non-test Go files of the
// repository.
func literals(t *testing.T) map[string]bool {
	t.Helper()
	root := moduleRoot(t)
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range allGoFiles(t, root) {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					seen[s] = true
				}
			}
			return true
		})
	}
	return seen
}

// TestCatalogueEveryEntryIsUsed fails for an entry no code names: its key
// is written out in full, or its family's base key is (the key up to its
// last dot: "xero.validation" for "xero.validation.cause").
func TestCatalogueEveryEntryIsUsed(t *testing.T) {
	cat := shipped(t)
	used := literals(t)
	for _, k := range cat.Keys("en") {
		base := k
		if i := strings.LastIndex(k, "."); i > 0 {
			base = k[:i]
		}
		if !used[k] && !used[base] {
			t.Errorf("%s is in the catalogue but no code uses it", k)
		}
	}
}

func TestMissingWordsFallBackToEnglishNeverToTheKey(t *testing.T) {
	src := fstest.MapFS{
		"t.en.json": {Data: []byte(`{"t.hello": "Hello {{.Name}}", "t.only_en": "Only in English", "t.files": {"one": "{{.Count}} file", "other": "{{.Count}} files"}}`)},
		"t.nl.json": {Data: []byte(`{"t.hello": "Hallo {{.Name}}", "t.files": {"one": "{{.Count}} bestand", "other": "{{.Count}} bestanden"}}`)},
		"t.da.json": {Data: []byte(`{"t.hello": "Hej {{.Name}}"}`)},
	}
	cat, err := words.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, key string
		count     int
		want      string
	}{
		{"nl_NL.UTF-8", "t.hello", -1, "Hallo Anna"},
		{"da-DK", "t.hello", -1, "Hej Anna"},
		{"fr_FR", "t.hello", -1, "Hello Anna"},
		{"nl", "t.only_en", -1, "Only in English"},
		{"nl", "t.files", 1, "1 bestand"},
		{"nl", "t.files", 1200, "1.200 bestanden"},
		{"da", "t.files", 2, "2 files"},
		{"en", "t.nowhere", -1, "[t.nowhere]"},
	}
	for _, tc := range tests {
		w := cat.In(tc.lang)
		var got string
		if tc.count >= 0 {
			got = w.N(tc.key, tc.count)
		} else {
			got = w.T(tc.key, "Name", "Anna")
		}
		if got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"unknown language": {"a.fr.json": {Data: []byte(`{"a.x": "Bonjour"}`)}},
		"broken JSON":      {"a.en.json": {Data: []byte(`{"a.x": `)}},
		"key twice":        {"a.en.json": {Data: []byte(`{"a.x": "One"}`)}, "b.en.json": {Data: []byte(`{"a.x": "Two"}`)}},
		"not text":         {"a.en.json": {Data: []byte(`{"a.x": 3}`)}},
	}
	for name, src := range tests {
		if _, err := words.Load(src); err == nil {
			t.Errorf("%s: loaded without an error", name)
		}
	}
}

func TestChooseFollowsFlagThenEnvironment(t *testing.T) {
	tests := []struct {
		flag, saved string
		env         map[string]string
		want        string
	}{
		{"", "", nil, "en"},
		{"", "da", map[string]string{"LANG": "nl_NL.UTF-8"}, "da"},
		{"", "da", map[string]string{"LEDGERLINK_LANG": "nl"}, "nl"},
		{"en", "da", nil, "en"},
		{"da", "", map[string]string{"LEDGERLINK_LANG": "nl"}, "da"},
		{"", "", map[string]string{"LEDGERLINK_LANG": "nl", "LANG": "da_DK.UTF-8"}, "nl"},
		{"", "", map[string]string{"LC_ALL": "da_DK.UTF-8", "LANG": "nl_NL.UTF-8"}, "da"},
		{"", "", map[string]string{"LC_MESSAGES": "nl_BE.UTF-8", "LANG": "en_GB.UTF-8"}, "nl"},
		{"", "", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"", "", map[string]string{"LANG": "de_DE.UTF-8"}, "en"},
		{"nonsense!", "", nil, "en"},
	}
	for _, tc := range tests {
		got := words.Choose(tc.flag, tc.saved, func(k string) string { return tc.env[k] })
		if got != tc.want {
			t.Errorf("flag %q saved %q env %v: got %s, want %s", tc.flag, tc.saved, tc.env, got, tc.want)
		}
	}
}

func TestFormatsFollowTheLanguage(t *testing.T) {
	cat, err := words.Load()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 12, 3, 14, 5, 0, 0, time.UTC)
	amount := decimal.RequireFromString("-1234567.5")
	tests := []struct {
		lang, date, dateTime, gbp, eur, dkk, count string
	}{
		{"en", "03/12/2026", "03/12/2026 14:05", "£-1,234,567.50", "€-1,234,567.50", "DKK -1,234,567.50", "12,000"},
		{"nl", "03-12-2026", "03-12-2026 14:05", "£ -1.234.567,50", "€ -1.234.567,50", "DKK -1.234.567,50", "12.000"},
		{"da", "03.12.2026", "03.12.2026 14:05", "-1.234.567,50 £", "-1.234.567,50 €", "-1.234.567,50 kr.", "12.000"},
	}
	for _, tc := range tests {
		w := cat.In(tc.lang)
		got := []string{w.Date(day), w.DateTime(day), w.Amount(amount, "GBP"), w.Amount(amount, "EUR"), w.Amount(amount, "DKK"), w.Int(12000)}
		want := []string{tc.date, tc.dateTime, tc.gbp, tc.eur, tc.dkk, tc.count}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", tc.lang, got, want)
		}
	}
	if got := cat.In("en").Decimal(decimal.RequireFromString("0.5"), 2); got != "0.50" {
		t.Errorf("0.5 is %q", got)
	}
}

// TestWeekdaysFollowTheLanguage: the days' names come from the shipped
// catalogue, written as each language writes them in a sentence and beside
// a date, for every day of the week.
func TestWeekdaysFollowTheLanguage(t *testing.T) {
	cat := shipped(t)
	tests := []struct {
		lang        string
		day         time.Weekday
		full, short string
	}{
		{"en", time.Sunday, "Sunday", "Sun"},
		{"en", time.Thursday, "Thursday", "Thu"},
		{"nl", time.Monday, "maandag", "ma"},
		{"nl", time.Saturday, "zaterdag", "za"},
		{"da", time.Wednesday, "onsdag", "ons."},
		{"da", time.Sunday, "søndag", "søn."},
	}
	for _, tc := range tests {
		w := cat.In(tc.lang)
		if got := w.Weekday(tc.day); got != tc.full {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.day, got, tc.full)
		}
		if got := w.WeekdayShort(tc.day); got != tc.short {
			t.Errorf("%s %v short: %q, want %q", tc.lang, tc.day, got, tc.short)
		}
	}
	for _, lang := range words.Languages() {
		seen := map[string]bool{}
		for d := time.Sunday; d <= time.Saturday; d++ {
			name := cat.In(lang).Weekday(d)
			if seen[name] || strings.Contains(name, "weekday") {
				t.Errorf("%s: %v is %q", lang, d, name)
			}
			seen[name] = true
		}
	}
}

func TestErrorsAreSaidInTheReadersLanguage(t *testing.T) {
	src := fstest.MapFS{
		"t.en.json": {Data: []byte(`{"t.bad_code": "The code {{.Code}} is not in the package"}`)},
		"t.nl.json": {Data: []byte(`{"t.bad_code": "De code {{.Code}} staat niet in het pakket"}`)},
		"t.da.json": {Data: []byte(`{"t.bad_code": "Koden {{.Code}} findes ikke i pakken"}`)},
	}
	cat, err := words.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	under := os.ErrNotExist
	err = words.Errorf(under, "t.bad_code", "Code", "4000")
	if got := cat.In("da").Error(err); got != "Koden 4000 findes ikke i pakken: file does not exist" {
		t.Errorf("da: %q", got)
	}
	if got := err.Error(); got != "t.bad_code Code=4000: file does not exist" {
		t.Errorf("log form: %q", got)
	}
	if got := cat.In("nl").Error(os.ErrPermission); got != "permission denied" {
		t.Errorf("a plain error: %q", got)
	}
}

// TestPlaceholdersHoldingErrorsAreSaidInTheReadersLanguage: a placeholder
// whose value is an error (or says itself) is said the way Error says it,
// so a reason made of LedgerLink's words reads in the reader's language and
// a package's own words stay as they are.
func TestPlaceholdersHoldingErrorsAreSaidInTheReadersLanguage(t *testing.T) {
	src := fstest.MapFS{
		"t.en.json": {Data: []byte(`{"t.failed": "Not sent: {{.Reason}}", "t.gone": "it is gone"}`)},
		"t.nl.json": {Data: []byte(`{"t.failed": "Niet verzonden: {{.Reason}}", "t.gone": "het is weg"}`)},
		"t.da.json": {Data: []byte(`{"t.failed": "Ikke sendt: {{.Reason}}", "t.gone": "den er væk"}`)},
	}
	cat, err := words.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	ours := words.Errorf(nil, "t.gone")
	tests := []struct {
		name   string
		reason any
		want   string
	}{
		{"our words", ours, "Niet verzonden: het is weg"},
		{"our words under a wrapper", fmt.Errorf("step: %w", ours), "Niet verzonden: het is weg"},
		{"a package's own words", errors.New("Object Not Found"), "Niet verzonden: Object Not Found"},
		{"several at once", words.Problems{ours, errors.New("Stale")}, "Niet verzonden: het is weg; Stale"},
	}
	for _, tt := range tests {
		if got := cat.In("nl").T("t.failed", "Reason", tt.reason); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
