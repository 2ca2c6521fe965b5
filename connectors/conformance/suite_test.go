package conformance_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/memory"
)

// brokenEnv names the fault TestBrokenConnector builds into the reference
// connector when it runs in a child process.
const brokenEnv = "LEDGERLINK_CONFORMANCE_BROKEN"

// broken wraps the reference connection and breaks one promise, chosen by
// mode; mode "" breaks nothing.
type broken struct {
	*memory.Conn
	mode string
}

func (b broken) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	switch b.mode {
	case "forgets-keys":
		// Sends a fresh key every time, as if keys were not stored first.
		sent := make([]connectors.WriteItem, len(items))
		copy(sent, items)
		for i := range sent {
			sent[i].Key += "#" + time.Now().Format(time.RFC3339Nano)
		}
		res, err := b.Conn.Write(ctx, t, sent)
		for i := range res {
			res[i].Key = items[i].Key
		}
		return res, err
	case "fails-neighbours":
		res, err := b.Conn.Write(ctx, t, items)
		for _, r := range res {
			if r.Err != nil {
				for i := range res {
					res[i].Err, res[i].RemoteID = r.Err, ""
				}
				break
			}
		}
		return res, err
	case "splits-big-batches":
		var out []connectors.WriteResult
		for len(items) > 0 {
			n := min(len(items), memory.BatchSize)
			res, err := b.Conn.Write(ctx, t, items[:n])
			if err != nil {
				return nil, err
			}
			out, items = append(out, res...), items[n:]
		}
		return out, nil
	case "ignores-context":
		return b.Conn.Write(context.WithoutCancel(ctx), t, items)
	case "hides-rate-limits":
		res, err := b.Conn.Write(ctx, t, items)
		if _, ok := errors.AsType[*connectors.RateLimitError](err); ok {
			return b.Conn.Write(ctx, t, items)
		}
		return res, err
	}
	return b.Conn.Write(ctx, t, items)
}

func (b broken) Check(ctx context.Context) (connectors.Identity, error) {
	id, err := b.Conn.Check(ctx)
	if b.mode == "hides-rate-limits" {
		if _, ok := errors.AsType[*connectors.RateLimitError](err); ok {
			return b.Conn.Check(ctx)
		}
	}
	return id, err
}

func (b broken) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	switch b.mode {
	case "ignores-since":
		since = time.Time{}
	case "one-big-page":
		var all []connectors.Remote
		if err := b.Conn.ListChanged(ctx, t, since, func(p []connectors.Remote) error { all = append(all, p...); return nil }); err != nil {
			return err
		}
		return page(all)
	case "hides-deletions":
		return b.Conn.ListChanged(ctx, t, since, func(p []connectors.Remote) error {
			live := make([]connectors.Remote, 0, len(p))
			for _, r := range p {
				if !r.Deleted {
					live = append(live, r)
				}
			}
			return page(live)
		})
	case "loses-item-prices":
		return b.Conn.ListChanged(ctx, t, since, func(p []connectors.Remote) error {
			for i := range p {
				if p[i].Record.Item != nil {
					p[i].Record.Item.SalesPrice = decimal.Zero
				}
			}
			return page(p)
		})
	}
	return b.Conn.ListChanged(ctx, t, since, page)
}

func (b broken) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	got, err := b.Conn.Get(ctx, t, ids)
	if b.mode == "drops-email" {
		for i := range got {
			if got[i].Record.Party != nil {
				got[i].Record.Party.Email = ""
			}
		}
	}
	return got, err
}

func harness(mode string) conformance.Harness {
	return conformance.Harness{
		Name: "reference ledger (" + mode + ")",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			l := memory.NewLedger(memory.WithClock(func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) }), memory.WithPageSize(5))
			return broken{Conn: l.Connection(), mode: mode}, l
		},
		Caps: memory.Capabilities(),
		Sample: conformance.NewSamples(conformance.Codes{
			SalesAccount: "4000", PurchaseAccount: "5100", TaxCode: "T1", BankAccount: "1200",
			JournalDebit: "7000", JournalCredit: "2220",
		}),
		PageSize: 5,
	}
}

// TestBrokenConnector runs the suite on the reference connector, broken
// the way the environment says. Run directly, nothing is broken and the
// suite must pass.
func TestBrokenConnector(t *testing.T) {
	conformance.Run(t, harness(os.Getenv(brokenEnv)))
}

// TestSuiteCatchesBrokenConnectors proves each check can fail: the suite
// runs in a child process against a connector that breaks one promise, and
// must fail in the subtest that guards it.
func TestSuiteCatchesBrokenConnectors(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		return // inside a child process
	}
	tests := []struct {
		mode    string
		failing string
	}{
		{"forgets-keys", "idempotent_retry"},
		{"forgets-keys", "lost_reply"},
		{"fails-neighbours", "per-item_validation"},
		{"splits-big-batches", "batch_too_large"},
		{"ignores-context", "context_cancelled"},
		{"hides-rate-limits", "rate_limit"},
		{"ignores-since", "changed_since"},
		{"one-big-page", "paging"},
		{"drops-email", "create_and_read_back/customer"},
		{"hides-deletions", "deletions/sales_invoice"},
		{"loses-item-prices", "create_and_read_back/item"},
	}
	for _, tc := range tests {
		t.Run(tc.mode+" fails "+tc.failing, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestBrokenConnector$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+tc.mode)
			out, err := cmd.CombinedOutput()
			if _, ok := errors.AsType[*exec.ExitError](err); !ok {
				t.Fatalf("the suite passed a connector that %s (err %v):\n%s", tc.mode, err, out)
			}
			if want := "--- FAIL: TestBrokenConnector/" + tc.failing; !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		})
	}
}
