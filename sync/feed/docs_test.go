package feed

import (
	"os"
	"strings"
	"testing"
)

// TestColumnsAreDocumented keeps docs/business-files.md in step with the
// columns Read understands: every column name and every accepted heading
// must appear in it.
func TestColumnsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/business-files.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ToLower(string(doc))
	for _, typ := range FeedTypes() {
		for _, c := range columnsFor(typ) {
			if !strings.Contains(text, "`"+c.key+"`") {
				t.Errorf("%s: column `%s` is not documented", typ, c.key)
			}
			for _, a := range c.aliases {
				if !strings.Contains(text, strings.ToLower(a)) {
					t.Errorf("%s: heading %q (for %s) is not documented", typ, a, c.key)
				}
			}
		}
	}
	for _, tn := range typeNames {
		for _, n := range tn.names {
			if !strings.Contains(text, n) {
				t.Errorf("file name %q is not documented", n)
			}
		}
	}
}
