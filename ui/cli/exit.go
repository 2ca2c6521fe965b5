package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
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
}

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, e env) int {
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
	fmt.Fprintln(e.stderr, "Error:", err)
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
