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
	for _, d := range reg.InOrder() {
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
