package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"ledgerlink/words"
)

// Exit codes of the verbs.
const (
	exitOK = 0
	// exitItems means the verb finished but some items failed.
	exitItems = 1
	// exitSetup means a usage, configuration or environment error.
	exitSetup = 2
)

// env is everything a verb touches outside itself, so tests can run the real
// command functions with their own registry, keyring and streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	deps           dependencies
	// w are the words the verbs speak, chosen before the verbs are built;
	// lang is the language asked for by --lang or LEDGERLINK_LANG ("" when
	// neither says), handed to the workspace.
	w    *words.Words
	lang string
}

// words are the words the verbs speak: English until run has chosen.
func (e *env) words() *words.Words {
	if e.w == nil {
		e.w = catalogue(e.deps.registry).In("en")
	}
	return e.w
}

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, e env) int {
	a := askedLanguage(args, os.Getenv)
	e.lang = a.lang
	e.w = chooseWords(catalogue(e.deps.registry), a, dataDirOf(args), os.Getenv)
	if a.bad != "" {
		fmt.Fprintln(e.stderr, e.w.T("verbs.error", "Error", e.w.T("verbs.lang.unknown",
			"Value", a.bad, "From", a.from, "Languages", strings.Join(words.Languages(), ", "))))
		return exitSetup
	}
	root := newRootCommand(&e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ie itemsError
	if errors.As(err, &ie) {
		// The verb has already reported each item.
		return exitItems
	}
	fmt.Fprintln(e.stderr, e.w.T("verbs.error", "Error", e.w.Error(err)))
	var ce codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitSetup
}

// codedError carries an exit code with a message.
type codedError struct {
	code int
	err  error
}

func (e codedError) Error() string { return e.err.Error() }
func (e codedError) Unwrap() error { return e.err }

// itemsError says the verb finished with n failed items.
type itemsError struct{ n int }

func (e itemsError) Error() string { return fmt.Sprintf("%d item(s) failed", e.n) }
