package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/sync/workspace"
	"ledgerlink/words"
)

// langEnv names the environment variable that picks the language of the
// verbs, as --lang does (the flag wins).
const langEnv = "LEDGERLINK_LANG"

// asked is the language the command line asks for, read before the verbs
// are built so their help is in it too.
type asked struct {
	// lang is the code from --lang or LEDGERLINK_LANG ("" when neither
	// says), handed to the workspace.
	lang string
	// from names where it came from ("--lang" or LEDGERLINK_LANG), for the
	// error about a value LedgerLink does not speak.
	from string
	// bad is a value that names no language LedgerLink speaks.
	bad string
}

// askedLanguage reads --lang (as "--lang xx" or "--lang=xx", anywhere before
// a lone "--") from args, then LEDGERLINK_LANG.
func askedLanguage(args []string, getenv func(string) string) asked {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return checkLanguage(v, "--lang")
		}
		if a == "--lang" && i+1 < len(args) {
			return checkLanguage(args[i+1], "--lang")
		}
	}
	if v := getenv(langEnv); v != "" {
		return checkLanguage(v, langEnv)
	}
	return asked{}
}

// checkLanguage accepts a language LedgerLink speaks, by its code or a
// locale name of it ("nl", "da-DK", "nl_NL.UTF-8").
func checkLanguage(v, from string) asked {
	base := strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexAny(base, "-_.@"); i >= 0 {
		base = base[:i]
	}
	if !slices.Contains(words.Languages(), base) {
		return asked{from: from, bad: v}
	}
	return asked{lang: base, from: from}
}

// chooseWords picks the words of the verbs: the language asked for, else
// the data folder's Language setting, else the system's locale. A value that
// names no language is left out here (the verb then stops with an error
// said in the language chosen without it).
func chooseWords(cat *words.Catalogue, a asked, dataDir string, getenv func(string) string) *words.Words {
	env := getenv
	if a.bad != "" {
		env = func(name string) string {
			if name == langEnv {
				return ""
			}
			return getenv(name)
		}
	}
	return cat.In(words.Choose(a.lang, workspace.SavedLanguage(dataDir), env))
}

// dataDirOf reads --data-dir from args, as --lang is read; the default data
// folder when it is not given.
func dataDirOf(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--data-dir="); ok {
			return v
		}
		if a == "--data-dir" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return defaultDataDir()
}

// catalogue loads LedgerLink's words with the connectors' of the registry;
// LedgerLink's alone when the registry does not build.
func catalogue(registry func(bool) (*connectors.Registry, error)) *words.Catalogue {
	if registry != nil {
		if reg, err := registry(false); err == nil {
			if cat, err := reg.Catalogue(assets.Lang()); err == nil {
				return cat
			}
		}
	}
	cat, err := words.Load(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat
}

// light says a status light in words.
func light(w *words.Words, l connectors.Light) string {
	switch l {
	case connectors.Green:
		return w.T("verbs.light.green")
	case connectors.Amber:
		return w.T("verbs.light.amber")
	case connectors.Red:
		return w.T("verbs.light.red")
	}
	return string(l)
}

// languageCommand shows or sets the Language setting of the data folder,
// as the window's Language choice does.
func languageCommand(e *env, g *globalFlags) *cobra.Command {
	t := e.words()
	c := &cobra.Command{
		Use:   "language [" + strings.Join(words.Languages(), "|") + "|system]",
		Short: t.T("verbs.language.short"),
		Long:  t.T("verbs.language.long", "Languages", strings.Join(words.Languages(), ", ")),
		Args:  cobra.MaximumNArgs(1),
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 && args[0] != "system" && !slices.Contains(words.Languages(), args[0]) {
			return codedError{exitSetup, words.Errorf(nil, "verbs.language.unknown", "Value", args[0],
				"Languages", strings.Join(words.Languages(), ", "))}
		}
		return e.withWorkspace(g, func(ctx context.Context, w *workspace.Workspace) error {
			if len(args) == 1 {
				lang := args[0]
				if lang == "system" {
					lang = ""
				}
				chosen, err := w.SetLanguage(lang)
				if err != nil {
					return codedError{exitSetup, err}
				}
				// Say the rest in the language now chosen.
				e.w = chosen
			}
			t := e.words()
			// The Sandbox's folder shares the setting of the data folder.
			saved := workspace.SavedLanguage(g.dataDir)
			setting := saved
			if setting == "" {
				setting = "system"
			}
			return e.printer(g).emit(map[string]any{"setting": setting, "speaking": t.Lang()}, func(o io.Writer) {
				name := t.T("verbs.language.system")
				if saved != "" {
					name = languageName(t, saved)
				}
				fmt.Fprintln(o, t.T("verbs.language.setting", "Setting", name))
				if e.lang != "" && e.lang != saved {
					fmt.Fprintln(o, t.T("verbs.language.overridden", "Language", languageName(t, t.Lang())))
				}
			})
		})(cmd, args)
	}
	return c
}

// languageName is a language's own name for itself.
func languageName(t *words.Words, lang string) string {
	switch lang {
	case "en":
		return t.T("verbs.language.english")
	case "nl":
		return t.T("verbs.language.dutch")
	case "da":
		return t.T("verbs.language.danish")
	}
	return lang
}
