package words_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// moduleRoot is the repository's root, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above the words package: %v", err)
	}
	return root
}

// allGoFiles lists every non-test Go file of the repository.
func allGoFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sourceFiles lists the non-test Go files of the packages whose words people
// read: the faces, the engine, storage and the connectors (not their
// simulators, which stand in for the packages and speak for them).
func sourceFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			name := d.Name()
			if strings.HasPrefix(name, ".") && rel != "." || name == "testdata" || name == "scripts" || name == "docs" ||
				strings.HasSuffix(name, "sim") || rel == filepath.Join("connectors", "conformance") ||
				rel == filepath.Join("connectors", "memory") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sentence is text a person would read: words of letters separated by
// spaces, at least three of them or two with a capital.
var sentence = regexp.MustCompile(`^[^a-zA-Z]*[A-Za-z][a-z']+( [A-Za-z(][A-Za-z',.()?!:;-]*)+`)

// formatVerb is one verb of a fmt format ("%s", "%-8d").
var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// shownWord is a word in text put on screen as it is.
var shownWord = regexp.MustCompile(`[A-Za-z]{2,}`)

func looksLikeSentence(s string) bool {
	// A sentence may start with a value ("%s sent a payment…"): its words
	// are what count.
	if !sentence.MatchString(strings.TrimSpace(formatVerb.ReplaceAllString(s, ""))) || strings.ContainsAny(s, "{}<>=/\\|`$%#") && !strings.Contains(s, "%s") && !strings.Contains(s, "%d") && !strings.Contains(s, "%v") {
		return false
	}
	n := len(strings.Fields(s))
	first := []rune(strings.TrimLeft(s, " -•"))
	return n >= 3 || n == 2 && len(first) > 0 && first[0] >= 'A' && first[0] <= 'Z'
}

// exempt calls take text for developers and logs, or match a package's own
// words, not sentences for a person.
var exemptCalls = []string{
	"Errorf", "New", "Error", "Warn", "Info", "Debug", "Log", "Printf", "Println", "Fatalf", "Fatal", "Panicf",
	"MustCompile", "Compile", "Contains", "HasPrefix", "HasSuffix", "EqualFold", "Index", "Join", "WrapError",
	"ErrorContext", "tracef", "Tracef", "WarnContext", "InfoContext", "DebugContext", "LogAttrs", "Attr", "String", "Any", "Int", "Group",
}

// shownCalls put their text arguments on screen as they are: any word in
// them is a word a person reads, however short.
var shownCalls = []string{
	"NewLabel", "NewButton", "NewButtonWithIcon", "NewCheck", "NewTabItem", "NewTabItemWithIcon",
	"NewMenuItem", "NewMenu", "SetText", "SetPlaceHolder", "NewFormItem", "NewConfirm", "NewInformation",
	"ShowConfirm", "ShowInformation", "NewCustom", "NewCustomConfirm", "ShowCustom", "ShowCustomConfirm",
	"NewRichTextFromMarkdown", "NewHyperlink", "NewCard", "NewAccordionItem", "SetTitle", "NewWindow",
	"NewLabelWithStyle", "NewToolbarAction", "SendNotification", "NewNotification", "SetSubTitle",
}

// nameOf is the name an expression ends in: Name of pkg.Name or of Name.
func nameOf(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.SelectorExpr:
		return v.Sel.Name
	case *ast.Ident:
		return v.Name
	}
	return ""
}

// eachSource parses every file sourceFiles names and hands visit its syntax
// and its lines (for the markers a line may carry).
func eachSource(t *testing.T, root string, fset *token.FileSet, mode parser.Mode, visit func(f *ast.File, lines []string)) {
	t.Helper()
	for _, file := range sourceFiles(t, root) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, mode)
		if err != nil {
			t.Fatal(err)
		}
		visit(f, strings.Split(string(src), "\n"))
	}
}

// TestNoEnglishSentencesOutsideTheCatalogue fails for a sentence written as
// an English literal in code people read the output of. Errors wrapped for
// the logs, log lines, and a package's own words (marked "words:verbatim" on
// the line) are exempt: the package's words are evidence and stay as it
// wrote them.
func TestNoEnglishSentencesOutsideTheCatalogue(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var found []string
	eachSource(t, root, fset, parser.ParseComments, func(f *ast.File, lines []string) {
		exempt := map[ast.Node]bool{}
		shown := map[ast.Node]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				exempt[n.Path] = true
			case *ast.Field:
				if n.Tag != nil {
					exempt[n.Tag] = true
				}
			case *ast.CallExpr:
				name := nameOf(n.Fun)
				if slices.Contains(shownCalls, name) {
					for _, a := range n.Args {
						if bl, ok := a.(*ast.BasicLit); ok && bl.Kind == token.STRING {
							if v, err := strconv.Unquote(bl.Value); err == nil && shownWord.MatchString(v) {
								shown[bl] = true
							}
						}
					}
				}
				if slices.Contains(exemptCalls, name) {
					for _, a := range n.Args {
						ast.Inspect(a, func(m ast.Node) bool {
							if bl, ok := m.(*ast.BasicLit); ok {
								exempt[bl] = true
							}
							return true
						})
					}
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING || exempt[n] {
					return true
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil || !shown[n] && !looksLikeSentence(s) {
					return true
				}
				pos := fset.Position(n.Pos())
				if strings.Contains(lines[pos.Line-1], "words:verbatim") {
					return true
				}
				rel, _ := filepath.Rel(root, pos.Filename)
				found = append(found, rel+":"+strconv.Itoa(pos.Line)+": "+s)
			}
			return true
		})
	})
	for _, f := range found {
		t.Error(f)
	}
	if len(found) > 0 {
		t.Logf("%d sentences are English literals: put them in the catalogue (assets/lang or the connector's words/) and use words.T", len(found))
	}
}

// TestNoEnglishRefusalsOutsideTheCatalogue fails for an error made from an
// English sentence (errors.New, or fmt.Errorf wrapping nothing) in code
// people read the output of: such an error is the whole of what a person
// reads, in English whatever the language. A refusal a person reads is a
// words.Errorf (or wraps one). An error that never reaches a person as it
// is (a sentinel only matched with errors.Is, a failure wrapped in words
// before it is shown) is marked "words:log" on its line, with the reason.
func TestNoEnglishRefusalsOutsideTheCatalogue(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var found []string
	eachSource(t, root, fset, 0, func(f *ast.File, lines []string) {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || !(pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && sel.Sel.Name == "Errorf") {
				return true
			}
			bl, ok := call.Args[0].(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(bl.Value)
			if err != nil || strings.Contains(s, "%w") {
				return true
			}
			// A format of verbs only ("%s") says what its values say.
			if !shownWord.MatchString(formatVerb.ReplaceAllString(s, "")) {
				return true
			}
			pos := fset.Position(bl.Pos())
			line := lines[pos.Line-1]
			if strings.Contains(line, "words:verbatim") || strings.Contains(line, "words:log") {
				return true
			}
			rel, _ := filepath.Rel(root, pos.Filename)
			found = append(found, filepath.ToSlash(rel)+":"+strconv.Itoa(pos.Line)+": "+s)
			return true
		})
	})
	for _, f := range found {
		t.Error(f)
	}
}

// TestItemRefusalsOfOurOwnCarryWords fails for an ItemError whose Message
// LedgerLink writes itself in English (a literal, a Sprintf, a sum of
// strings, or a connector's catalogue said in English): Error Feedback shows
// it as it is, whatever the reader's language. Such a refusal is made with
// OwnWords.ItemFail or connectors.ItemErrorOf, which carry its words. A
// Message that is the package's own answer is not a literal and passes; a
// fault no engine record can cause is marked "words:log".
func TestItemRefusalsOfOurOwnCarryWords(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	english := func(e ast.Expr) bool {
		switch v := e.(type) {
		case *ast.BasicLit:
			return v.Kind == token.STRING
		case *ast.BinaryExpr:
			_, l := v.X.(*ast.BasicLit)
			_, r := v.Y.(*ast.BasicLit)
			return l || r
		case *ast.CallExpr:
			sel, ok := v.Fun.(*ast.SelectorExpr)
			if !ok {
				return false
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "fmt" && sel.Sel.Name == "Sprintf" {
				return true
			}
			// own.English().T(...), own.English().N(...)
			if inner, ok := sel.X.(*ast.CallExpr); ok && (sel.Sel.Name == "T" || sel.Sel.Name == "N") {
				if is, ok := inner.Fun.(*ast.SelectorExpr); ok && is.Sel.Name == "English" {
					return true
				}
			}
		}
		return false
	}
	var found []string
	eachSource(t, root, fset, 0, func(f *ast.File, lines []string) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if nameOf(lit.Type) != "ItemError" {
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); !ok || k.Name != "Message" || !english(kv.Value) {
					continue
				}
				pos := fset.Position(kv.Value.Pos())
				end := fset.Position(kv.Value.End())
				marked := false
				for l := pos.Line; l <= end.Line && l <= len(lines); l++ {
					if strings.Contains(lines[l-1], "words:log") || strings.Contains(lines[l-1], "words:verbatim") {
						marked = true
					}
				}
				if !marked {
					rel, _ := filepath.Rel(root, pos.Filename)
					found = append(found, filepath.ToSlash(rel)+":"+strconv.Itoa(pos.Line))
				}
			}
			return true
		})
	})
	for _, f := range found {
		t.Errorf("%s: an item refusal of LedgerLink's own in English: make it with ItemFail or ItemErrorOf", f)
	}
}
