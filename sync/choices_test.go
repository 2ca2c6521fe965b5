package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
)

// taggedConn is the reference ledger behind a module that takes only
// customers carrying a tag, offers its tags as choices, and can be
// flagged as needing an action the person clears with Refresh.
type taggedConn struct {
	*memory.Conn
	pkg *taggedPackage
}

// taggedPackage is the package's own state, shared by its connections.
type taggedPackage struct {
	mu        stdsync.Mutex
	tag       string
	flagged   string // the package's words while it needs an action
	refreshes int
	excluded  []string
}

type needsAction struct{ msg string }

func (e needsAction) Error() string { return e.msg }
func (e needsAction) Unwrap() error { return connectors.ErrNeedsAction }

func (c taggedConn) Check(ctx context.Context) (connectors.Identity, error) {
	c.pkg.mu.Lock()
	flagged := c.pkg.flagged
	c.pkg.mu.Unlock()
	id, err := c.Conn.Check(ctx)
	if err == nil && flagged != "" {
		return id, needsAction{flagged}
	}
	return id, err
}

func (c taggedConn) Explain(err error) (connectors.Explanation, bool) {
	var na needsAction
	if errors.As(err, &na) {
		return connectors.Explanation{Cause: "The link is flagged.", Fix: "Tryk på Opdater/Refresh."}, true
	}
	return c.Conn.Explain(err)
}

func (c taggedConn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if t != connectors.Customers {
		return c.Conn.Write(ctx, t, items)
	}
	var send []connectors.WriteItem
	var out []connectors.WriteResult
	for _, it := range items {
		if !slices.Contains(it.Record.Party.Tags, c.pkg.tag) {
			out = append(out, connectors.WriteResult{Key: it.Key, Err: fmt.Errorf("%w: %w", connectors.ErrNotSynced,
				&connectors.ItemError{Code: "NotTagged", Message: "NotTagged: customer " + it.Record.Party.Code + " has no tag"})})
			continue
		}
		send = append(send, it)
	}
	if len(send) > 0 {
		res, err := c.Conn.Write(ctx, t, send)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func (c taggedConn) Choices(_ context.Context, key string) ([]connectors.Choice, error) {
	if key == "opt.fields" {
		return []connectors.Choice{{Value: "LoyaltyTier"}, {Value: "Loyalty tier"}, {Value: "Roast"}}, nil
	}
	if key != "opt.tag" {
		return nil, connectors.ErrNotFound
	}
	return []connectors.Choice{{Value: "Shop"}, {Value: c.pkg.tag, Label: c.pkg.tag + " (customers)"}}, nil
}

func (c taggedConn) Refresh(context.Context) error {
	c.pkg.mu.Lock()
	defer c.pkg.mu.Unlock()
	c.pkg.flagged = ""
	c.pkg.refreshes++
	return nil
}

func (c taggedConn) Excluded(_ context.Context, t connectors.RecordType) ([]string, error) {
	if t != connectors.Customers {
		return nil, nil
	}
	c.pkg.mu.Lock()
	defer c.pkg.mu.Unlock()
	return slices.Clone(c.pkg.excluded), nil
}

// newTaggedFixture is the engine fixture over a module declaring a fetched
// tag setting and a refresh action, whose connections are taggedConns.
func newTaggedFixture(t *testing.T) (*engFixture, *taggedPackage) {
	f := newEngFixture(t)
	pkg := &taggedPackage{tag: "Uni"}
	def := f.def
	def.Settings = append(slices.Clone(def.Settings),
		connectors.Field{Key: "opt.tag", Label: "Customer tag", Kind: connectors.KindText, Tab: "Options", Fetched: true},
		connectors.Field{Key: "opt.plain", Label: "Plain", Kind: connectors.KindText, Tab: "Options"},
		connectors.Field{Key: "opt.fields", Label: "Custom fields", Kind: connectors.KindText, Tab: "Options", Fetched: true, Multiple: true, CustomFieldsOf: connectors.Customers})
	def.RefreshLabel = "Refresh the link"
	f.def = def
	f.reg = connectors.NewRegistry()
	if err := f.reg.Register(def); err != nil {
		t.Fatal(err)
	}
	f.wrap = func(c connectors.Connection) connectors.Connection {
		// Behind the module's pacer, as the app opens it.
		return NewPacers(nil).Wrap(f.def, false, taggedConn{Conn: c.(*memory.Conn), pkg: pkg})
	}
	f.newEngine()
	return f, pkg
}

func tagged(code string, tags ...string) connectors.Record {
	r := customer(code)
	r.Party.Tags = tags
	return r
}

func TestSettingChoicesComeFromThePackage(t *testing.T) {
	f, _ := newTaggedFixture(t)
	got, err := f.eng.SettingChoices(f.ctx, mod, "opt.tag")
	if err != nil || len(got) != 2 || got[1].Value != "Uni" || got[1].Label != "Uni (customers)" {
		t.Fatalf("SettingChoices = %+v, %v", got, err)
	}
	// Custom field names are marked where the business files have the
	// same name, exactly spelt.
	c := customer("C1")
	c.Party.CustomFields = map[string]string{"LoyaltyTier": "Gold"}
	d := customer("C2")
	d.Party.CustomFields = map[string]string{"roast": "Dark"}
	f.put(c, d)
	got, err = f.eng.SettingChoices(f.ctx, mod, "opt.fields")
	if err != nil {
		t.Fatal(err)
	}
	both := map[string]bool{}
	for _, ch := range got {
		both[ch.Value] = ch.InBusinessFiles
	}
	if !both["LoyaltyTier"] || both["Loyalty tier"] || both["Roast"] || len(both) != 3 {
		t.Fatalf("custom field choices %+v; want only LoyaltyTier marked as on both sides", got)
	}
	for _, key := range []string{"opt.plain", "opt.nothing"} {
		if _, err := f.eng.SettingChoices(f.ctx, mod, key); !errors.Is(err, ErrNoChoices) {
			t.Errorf("SettingChoices(%s) err = %v; want ErrNoChoices", key, err)
		}
	}
}

func TestUntaggedCustomersWaitWithoutFailing(t *testing.T) {
	f, pkg := newTaggedFixture(t)
	f.uploadAll(NewAndUpdated)
	f.mapDefaults()
	f.put(tagged("C1", "Uni"), tagged("C2"), salesInvoice("INV-1", "C2", 3), salesInvoice("INV-2", "C1", 3))
	f.refresh()
	rep := f.upload()
	if rep.FailedItems() != 0 || len(f.feedback()) != 0 {
		t.Fatalf("an untagged customer counted as failed: %+v, feedback %+v", rep.Counts, f.feedback())
	}
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C1"}) {
		t.Fatalf("the package holds customers %v; want only the tagged C1", got)
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-2"}) {
		t.Fatalf("the package holds invoices %v; want only the tagged customer's", got)
	}
	note := strings.Join(rep.Notes, "\n")
	for _, want := range []string{"1 customer C2", "1 sales invoice INV-1", "wait in Pending Export"} {
		if !strings.Contains(note, want) {
			t.Errorf("notes %q do not say %q", note, want)
		}
	}
	pending := f.pending()
	if !slices.Contains(pending, ref(connectors.Customers, "C2")) || !slices.Contains(pending, ref(connectors.SalesInvoices, "INV-1")) {
		t.Fatalf("pending %v; the untagged customer and its invoice must wait", pending)
	}

	// A second run with the tag still missing: still waiting, still no failure.
	if rep := f.upload(); rep.FailedItems() != 0 || f.ledger.Count(connectors.Customers) != 1 {
		t.Fatalf("second run: %+v", rep.Counts)
	}

	// The tag comes back: the next run sends the customer and its invoice.
	f.clock.Add(time.Minute)
	f.put(tagged("C2", "Uni"))
	f.refresh()
	rep = f.upload()
	if got := remoteCodes(f.ledger, connectors.Customers); !slices.Equal(got, []string{"C1", "C2"}) || rep.FailedItems() != 0 {
		t.Fatalf("after the tag returned: customers %v, counts %+v", got, rep.Counts)
	}
	if got := remoteCodes(f.ledger, connectors.SalesInvoices); !slices.Equal(got, []string{"INV-1", "INV-2"}) {
		t.Fatalf("after the tag returned: invoices %v", got)
	}
	if len(f.pending()) != 0 || slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "Not sent") }) {
		t.Fatalf("pending %v, notes %v", f.pending(), rep.Notes)
	}
	_ = pkg
}

func TestCustomersLeftOutInThePackageAreNoted(t *testing.T) {
	f, pkg := newTaggedFixture(t)
	f.uploadAll(NewAndUpdated)
	f.put(tagged("C1", "Uni"), tagged("C3", "Uni"))
	f.refresh()
	f.upload()
	// In the package C1 lost the tag; D9 never had it and never synced.
	pkg.excluded = []string{"D9", "C1"}
	rep, err := f.eng.Sync(f.ctx, mod, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Join(rep.Notes, "\n")
	if !strings.Contains(note, "1 customer") || !strings.Contains(note, "C1") || strings.Contains(note, "D9") || !strings.Contains(note, "nothing was deleted") {
		t.Fatalf("notes %q; want C1 named as left out, D9 not", note)
	}
	if f.ledger.Count(connectors.Customers) != 2 {
		t.Fatal("a customer left out must not be deleted")
	}
}

func TestNeedsActionTurnsAmberUntilRefresh(t *testing.T) {
	f, pkg := newTaggedFixture(t)
	f.uploadAll(NewOnly)
	f.put(tagged("C1", "Uni"))
	f.refresh()
	pkg.flagged = `Uniconta marked the modification URL as Has errors: 404 Not Found`
	mods := NewModules(f.db, f.reg, nil, InSandbox())
	if _, err := f.eng.Upload(f.ctx, mod, nil, nil); !errors.Is(err, connectors.ErrNeedsAction) {
		t.Fatalf("Upload err = %v; want the package's flag", err)
	}
	st, err := mods.Status(f.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(st.Notes, "\n")
	if st.Light != connectors.Amber || st.CanSync || !strings.Contains(notes, "Has errors: 404 Not Found") || !strings.Contains(notes, "Tryk på Opdater/Refresh.") {
		t.Fatalf("status %s %q (can sync %v); want AMBER with the package's words and the fix", st.Light, notes, st.CanSync)
	}
	if f.ledger.Count(connectors.Customers) != 0 {
		t.Fatal("nothing may go while the package is flagged")
	}
	if err := f.eng.RefreshAction(f.ctx, mod); err != nil || pkg.refreshes != 1 {
		t.Fatalf("RefreshAction = %v (refreshes %d)", err, pkg.refreshes)
	}
	if st, _ := mods.Status(f.ctx, mod); slices.ContainsFunc(st.Notes, func(n string) bool { return strings.Contains(n, "Has errors") }) {
		t.Fatalf("after Refresh the note stays: %q", st.Notes)
	}
	if rep := f.upload(); f.ledger.Count(connectors.Customers) != 1 || !rep.OK() {
		t.Fatalf("after Refresh: %+v", rep)
	}
}

func TestRefreshActionNeedsOne(t *testing.T) {
	f := newEngFixture(t)
	if err := f.eng.RefreshAction(f.ctx, mod); !errors.Is(err, ErrNoRefresh) {
		t.Fatalf("err = %v; want ErrNoRefresh", err)
	}
}
