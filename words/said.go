package words

import (
	"encoding/json"
	"strings"
)

// Said is one sentence written in every language LedgerLink speaks, keyed
// by language code. A note kept on disk (a module's "Reconnect" or "needs
// your attention" note) is made once, when the engine learns of it, and read
// later by a person who may have chosen another language since: keeping it
// said in each language lets every reader see it in theirs, including the
// parts that were only at hand when it was made (the package's reply, the
// connector's explanation).
type Said map[string]string

// SayEvery says a sentence in each language of c: say is called once per
// language with that language's words.
func SayEvery(c *Catalogue, say func(w *Words) string) Said {
	s := Said{}
	for _, lang := range Languages() {
		s[lang] = say(c.In(lang))
	}
	return s
}

// Encode is the form kept in a setting: a JSON object of language → text.
// An empty Said is "", the empty setting.
func (s Said) Encode() string {
	if len(s) == 0 {
		return ""
	}
	b, err := json.Marshal(map[string]string(s))
	if err != nil { // a map of strings always encodes
		return s["en"]
	}
	return string(b)
}

// ReadSaid reads a setting kept by Encode. A note kept as plain text (by a
// version that wrote notes in one language, or by hand) is that text in
// every language, so nothing a person was told is lost.
func ReadSaid(v string) Said {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if strings.HasPrefix(v, "{") {
		var s map[string]string
		if err := json.Unmarshal([]byte(v), &s); err == nil && s["en"] != "" {
			return s
		}
	}
	return Said{"en": v}
}

// In is the sentence in w's language, or in English where it was not said in
// that language.
func (s Said) In(w *Words) string {
	if t, ok := s[w.Lang()]; ok && t != "" {
		return t
	}
	return s["en"]
}
