// Command ledgerlink keeps a small business's records and its accounting
// package in step. With no verb it opens the window and sits in the tray;
// with a verb it works headless, for power users, cron and servers.
//
// main.go is the composition root only: it builds the connector registry
// from the build's list, the system keyring and the window, and hands them
// to the command line, which opens storage and the engine.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"ledgerlink/connectors"
	"ledgerlink/connectors/all"
	"ledgerlink/storage/secrets"
	"ledgerlink/ui"
	"ledgerlink/ui/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Registry: func(bool) (*connectors.Registry, error) { return all.Registry() },
		Keyring:  func() secrets.Store { return secrets.NewKeyring() },
		Window:   ui.RunDesktop,
	})
	stop()
	os.Exit(code)
}
