package words

import (
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

func TestSaidIsKeptInEveryLanguageAndReadInTheReaders(t *testing.T) {
	cat, err := Load(fstest.MapFS{
		"n.en.json": {Data: []byte(`{"n.reconnect": "Reconnect to {{.Package}}."}`)},
		"n.nl.json": {Data: []byte(`{"n.reconnect": "Maak opnieuw verbinding met {{.Package}}."}`)},
		"n.da.json": {Data: []byte(`{"n.reconnect": "Forbind til {{.Package}} igen."}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	kept := SayEvery(cat, func(w *Words) string { return w.T("n.reconnect", "Package", "Xero") }).Encode()
	tests := []struct {
		name, kept, lang, want string
	}{
		{"English", kept, "en", "Reconnect to Xero."},
		{"Dutch", kept, "nl", "Maak opnieuw verbinding met Xero."},
		{"Danish", kept, "da", "Forbind til Xero igen."},
		{"a note kept as plain text reads the same in every language", "Reconnect to Xero.", "da", "Reconnect to Xero."},
		{"a language missing falls back to English", `{"en":"Reconnect.","nl":"Opnieuw."}`, "da", "Reconnect."},
		{"text that only looks like JSON is kept as written", `{not json`, "nl", `{not json`},
		{"JSON without English is kept as written", `{"fr":"Bonjour"}`, "en", `{"fr":"Bonjour"}`},
		{"nothing kept is nothing said", "", "nl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadSaid(tt.kept).In(cat.In(tt.lang)); got != tt.want {
				t.Errorf("ReadSaid(%q).In(%s) = %q; want %q", tt.kept, tt.lang, got, tt.want)
			}
		})
	}
	if got := Said(nil).Encode(); got != "" {
		t.Errorf("an empty Said encodes as %q; want the empty setting", got)
	}
}

func FuzzReadSaid(f *testing.F) {
	for _, s := range []string{"", "Reconnect.", `{"en":"a","da":"b"}`, `{"en":1}`, "{"} {
		f.Add(s)
	}
	cat, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s := ReadSaid(v)
		// Whatever was kept, a reader gets text back unless nothing was kept,
		// and reading again what was encoded gives the same.
		if got := s.In(cat.In("nl")); (got == "") != (len(s) == 0 || s["en"] == "") {
			t.Fatalf("ReadSaid(%q) says %q", v, got)
		}
		// (Bytes that are not UTF-8 come back as U+FFFD, as JSON writes them.)
		if len(s) > 0 && utf8.ValidString(v) && ReadSaid(s.Encode()).In(cat.In("da")) != s.In(cat.In("da")) {
			t.Fatalf("ReadSaid(%q) does not survive Encode", v)
		}
	})
}
