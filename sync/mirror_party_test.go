package sync

import (
	"context"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
	"ledgerlink/storage/secrets"
)

// bothRolesConn lists every contact as a customer and as a supplier.
type bothRolesConn struct{ *memory.Conn }

func (c bothRolesConn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if t != connectors.Customers && t != connectors.Suppliers {
		return c.Conn.ListChanged(ctx, t, since, page)
	}
	var all []connectors.Remote
	for _, pt := range []connectors.RecordType{connectors.Customers, connectors.Suppliers} {
		err := c.Conn.ListChanged(ctx, pt, since, func(p []connectors.Remote) error {
			for _, r := range p {
				r.Record.Type = t
				all = append(all, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return page(all)
}

// A package that lists a newly made contact both as a customer and as a
// supplier must not turn a LedgerLink customer into a second, supplier
// record (and the other way round).
func TestMirrorKeepsOneContactOneParty(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Upload, connectors.Customers, NewOnly,
		connectors.Upload, connectors.Suppliers, NewOnly,
		connectors.Mirror, connectors.Customers, NewAndUpdated,
		connectors.Mirror, connectors.Suppliers, NewAndUpdated)
	f.put(customer("C1"), supplier("S1"))
	f.refresh()
	if rep := f.upload(); rep.FailedItems() != 0 {
		t.Fatalf("upload failed: %+v", rep)
	}
	cust := f.ledger.Records(connectors.Customers)
	supp := f.ledger.Records(connectors.Suppliers)
	if len(cust) != 1 || len(supp) != 1 {
		t.Fatalf("ledger holds %d customers and %d suppliers, want 1 and 1", len(cust), len(supp))
	}
	// The package now also lists C1 as a supplier and S1 as a customer,
	// under the same contact IDs.
	f.wrap = func(c connectors.Connection) connectors.Connection {
		return bothRolesConn{Conn: c.(*memory.Conn)}
	}
	f.newEngine()
	if _, err := f.eng.Mirror(f.ctx, mod, []connectors.RecordType{connectors.Customers, connectors.Suppliers}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    connectors.RecordType
		code string
	}{{connectors.Suppliers, "C1"}, {connectors.Customers, "S1"}} {
		if _, err := f.db.Get(f.ctx, tc.t, tc.code); err == nil {
			t.Errorf("the mirror made %s a %s too", tc.code, tc.t)
		}
	}
	for _, tc := range []struct {
		t    connectors.RecordType
		code string
	}{{connectors.Customers, "C1"}, {connectors.Suppliers, "S1"}} {
		if _, err := f.db.Get(f.ctx, tc.t, tc.code); err != nil {
			t.Errorf("%s %s is gone: %v", tc.t, tc.code, err)
		}
	}
}

// Codes that waiting documents use without a mapping show in the module's
// notes and turn it AMBER, but the module can still sync: those documents
// wait and everything else goes.
func TestModuleNotesNameUnmappedCodes(t *testing.T) {
	f := newEngFixture(t)
	f.uploadAll(NewOnly)
	f.put(customer("C1"), salesInvoice("INV-1", "C1", 3))
	f.refresh()
	mods := NewModules(f.db, f.reg, secrets.NewMemory())
	st, err := mods.Status(f.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(st.Notes, " ")
	if st.Light != connectors.Amber || !st.CanSync || !strings.Contains(joined, "not mapped") {
		t.Fatalf("with unmapped codes: light %s, can sync %v, notes %q", st.Light, st.CanSync, joined)
	}
	f.mapDefaults()
	st, err = mods.Status(f.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if st.Light != connectors.Green || !st.CanSync || len(st.Notes) != 0 {
		t.Fatalf("after mapping: light %s, can sync %v, notes %q", st.Light, st.CanSync, st.Notes)
	}
}

// A module with nothing set to sync is AMBER and cannot sync.
func TestModuleWithNothingToSyncIsAmber(t *testing.T) {
	f := newEngFixture(t)
	st, err := NewModules(f.db, f.reg, secrets.NewMemory()).Status(f.ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	if st.Light != connectors.Amber || st.CanSync || !strings.Contains(strings.Join(st.Notes, " "), "Nothing is set to sync") {
		t.Fatalf("light %s, can sync %v, notes %q", st.Light, st.CanSync, st.Notes)
	}
}
