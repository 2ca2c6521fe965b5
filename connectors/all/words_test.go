package all_test

import (
	"testing"

	"ledgerlink/assets"
	"ledgerlink/connectors/all"
)

// TestShippedConnectorsSpeakFromTheCatalogue fails for a description,
// setting label or help, or refresh action of a shipped connector that is
// not a catalogue key: the window would show it in English to everyone.
func TestShippedConnectorsSpeakFromTheCatalogue(t *testing.T) {
	reg, err := all.Registry()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := reg.Catalogue(assets.Lang())
	if err != nil {
		t.Fatal(err)
	}
	// stillEnglish are the connectors whose words are not yet in their
	// catalogue; the test fails once one ships words, so the list shrinks.
	stillEnglish := map[string]bool{}
	for _, d := range reg.InOrder() {
		if stillEnglish[d.Name] {
			if d.Words != nil {
				t.Errorf("%s ships words now: take it off stillEnglish", d.Name)
			}
			continue
		}
		if d.Words == nil {
			t.Errorf("%s ships no words (Definition.Words)", d.Name)
		}
		texts := map[string]string{"Description": d.Description, "RefreshLabel": d.RefreshLabel, "RefreshHelp": d.RefreshHelp}
		for _, f := range d.Settings {
			texts[f.Key+" label"] = f.Label
			texts[f.Key+" help"] = f.Help
		}
		for what, key := range texts {
			if key != "" && !cat.Has(key) {
				t.Errorf("%s: %s %q is not a catalogue key", d.Name, what, key)
			}
		}
	}
}
