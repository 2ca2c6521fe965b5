package all

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"ledgerlink/connectors"
)

// TestEveryShippedConnectorRegisters checks the build's list: every
// definition registers, in the order listed, with a unique name.
func TestEveryShippedConnectorRegisters(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	defs := Definitions()
	got := reg.InOrder()
	if len(got) != len(defs) || len(defs) == 0 {
		t.Fatalf("registered %d connectors from a list of %d", len(got), len(defs))
	}
	for i, d := range defs {
		if got[i].Name != d.Name {
			t.Errorf("connector %d is %q in the registry but %q in the list", i, got[i].Name, d.Name)
		}
	}
}

// repoRoot is the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot tell where this test's source is")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("go.mod not found at %s: %v", root, err)
	}
	return root
}

// ordinaryWords are connector names that are also everyday words of
// bookkeeping, so they are matched only where they name the connector.
var ordinaryWords = map[string]bool{"cash": true}

// TestNoConnectorNamedOutsideItsFolder keeps a connector one folder and one
// line: no Go source outside connectors/<name>/ and this list names a
// shipped connector, in code, strings or comments. Tests, documentation
// and sample data may.
func TestNoConnectorNamedOutsideItsFolder(t *testing.T) {
	root := repoRoot(t)
	var names []connectors.Definition
	names = append(names, Definitions()...)
	type pattern struct {
		def connectors.Definition
		re  *regexp.Regexp
	}
	var patterns []pattern
	for _, d := range names {
		var re *regexp.Regexp
		if ordinaryWords[d.Name] {
			// A name that is also an everyday bookkeeping word ("cash") is
			// caught where it names the connector: its import path, its
			// title, or the module's name as a string.
			re = regexp.MustCompile(`ledgerlink/connectors/` + regexp.QuoteMeta(d.Name) + `\b|` +
				regexp.QuoteMeta(d.Title) + `|"` + regexp.QuoteMeta(d.Name) + `"`)
		} else {
			words := []string{regexp.QuoteMeta(d.Name)}
			if !strings.EqualFold(d.Title, d.Name) {
				words = append(words, regexp.QuoteMeta(d.Title))
			}
			re = regexp.MustCompile(`(?i)\b(` + strings.Join(words, "|") + `)\b`)
		}
		patterns = append(patterns, pattern{d, re})
	}
	found := 0
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if e.IsDir() {
			if strings.HasPrefix(e.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || rel == "connectors/all/all.go" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range patterns {
			if strings.HasPrefix(rel, "connectors/"+p.def.Name+"/") {
				continue
			}
			for i, line := range strings.Split(string(data), "\n") {
				if m := p.re.FindString(line); m != "" {
					found++
					t.Errorf("%s:%d names the %s connector (%q); keep it in connectors/%s/ or the list in connectors/all", rel, i+1, p.def.Title, m, p.def.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked for %d connectors; %d places name one", len(patterns), found)
}
