package sync

import (
	"context"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/memory"
)

// TestSyncChangedReadsOnlyTheNamedRecords: the records a change call names
// are read one by one (never a full read of every type) and go through the
// mirror path with its levels.
func TestSyncChangedReadsOnlyTheNamedRecords(t *testing.T) {
	tests := []struct {
		name string
		// calls builds the change calls from the customer's remote ID.
		calls       func(id string) []ChangedRecord
		level       Level
		wantGets    int
		wantFinds   int
		wantLists   int
		wantEmail   string
		wantUpdated int
	}{
		{"a burst of calls for one customer is one Get", func(id string) []ChangedRecord {
			var out []ChangedRecord
			for range 5 {
				out = append(out, ChangedRecord{Type: connectors.Customers, Code: "R1", RemoteID: id})
			}
			return out
		}, NewAndUpdated, 1, 0, 0, "new@example.com", 1},
		{"a call with only the code reads by the link's ID", func(string) []ChangedRecord {
			return []ChangedRecord{{Type: connectors.Customers, Code: "R1"}}
		}, NewAndUpdated, 1, 0, 0, "new@example.com", 1},
		{"a code LedgerLink has no link for is found by code", func(string) []ChangedRecord {
			return []ChangedRecord{{Type: connectors.Customers, Code: "R1"}, {Type: connectors.Customers, Code: "R2"}}
		}, NewAndUpdated, 1, 1, 0, "new@example.com", 1},
		{"NEW only leaves the change alone", func(id string) []ChangedRecord {
			return []ChangedRecord{{Type: connectors.Customers, Code: "R1", RemoteID: id}}
		}, NewOnly, 1, 0, 0, "", 0},
		{"a type whose mirror is OFF is not read", func(id string) []ChangedRecord {
			return []ChangedRecord{{Type: connectors.Suppliers, Code: "S1", RemoteID: "x"}}
		}, NewAndUpdated, 0, 0, 0, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newEngFixture(t)
			f.levels(connectors.Mirror, connectors.Customers, tc.level)
			r, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R1")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.eng.Mirror(f.ctx, mod, nil); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Minute)
			edited := customer("R1")
			edited.Party.Email = "new@example.com"
			if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{RemoteID: r.RemoteID, Record: edited}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R2")}); err != nil {
				t.Fatal(err)
			}
			gets, finds, lists := f.ledger.Calls(memory.MethodGet), f.ledger.Calls(memory.MethodFindByCode), f.ledger.Calls(memory.MethodListChanged)
			rep, err := f.eng.SyncChanged(f.ctx, mod, tc.calls(r.RemoteID))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Trigger != TriggerChange {
				t.Errorf("trigger %q", rep.Trigger)
			}
			if got := f.ledger.Calls(memory.MethodGet) - gets; got != tc.wantGets {
				t.Errorf("%d Gets, want %d", got, tc.wantGets)
			}
			if got := f.ledger.Calls(memory.MethodFindByCode) - finds; got != tc.wantFinds {
				t.Errorf("%d FindByCodes, want %d", got, tc.wantFinds)
			}
			if got := f.ledger.Calls(memory.MethodListChanged) - lists; got != tc.wantLists {
				t.Errorf("%d list calls, want %d (no full read)", got, tc.wantLists)
			}
			sr, err := f.db.Get(f.ctx, connectors.Customers, "R1")
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantEmail != "" && sr.Record.Party.Email != tc.wantEmail {
				t.Errorf("email %q, want %q", sr.Record.Party.Email, tc.wantEmail)
			}
			if tc.wantEmail == "" && sr.Record.Party.Email == "new@example.com" {
				t.Errorf("the change was taken")
			}
			if _, updated, _ := mirrorTotal(rep); updated != tc.wantUpdated {
				t.Errorf("%d updated, want %d: %+v", updated, tc.wantUpdated, rep)
			}
		})
	}
}

// TestSyncChangedFallsBackToAPull: a connection that cannot read records
// one by one gets a normal pull of the changed type, and nothing else.
func TestSyncChangedFallsBackToAPull(t *testing.T) {
	f := newEngFixture(t)
	f.levels(connectors.Mirror, connectors.Customers, NewAndUpdated, connectors.Mirror, connectors.Suppliers, NewAndUpdated)
	f.wrap = func(c connectors.Connection) connectors.Connection { return listingLedger{c.(*memory.Conn)} }
	f.newEngine()
	if _, err := f.ledger.Put(connectors.Customers, connectors.Remote{Record: customer("R1")}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.SyncChanged(f.ctx, mod, []ChangedRecord{{Type: connectors.Customers, Code: "R1", RemoteID: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.ledger.Calls(memory.MethodGet) != 0 || f.ledger.Calls(memory.MethodListChanged) != 1 {
		t.Errorf("Gets %d, list calls %d; want 0 and one pull of customers", f.ledger.Calls(memory.MethodGet), f.ledger.Calls(memory.MethodListChanged))
	}
	if created, _, _ := mirrorTotal(rep); created != 1 {
		t.Errorf("report %+v", rep)
	}
}

// listingLedger is a connection that can list but not read by ID.
type listingLedger struct{ c *memory.Conn }

func (l listingLedger) Check(ctx context.Context) (connectors.Identity, error) { return l.c.Check(ctx) }
func (l listingLedger) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	return l.c.ListChanged(ctx, t, since, page)
}

// mirrorTotal is the records created, updated and failed coming in.
func mirrorTotal(rep Report) (created, updated, failed int) {
	for _, c := range rep.Counts {
		if c.Direction == connectors.Mirror {
			created, updated, failed = created+c.Created, updated+c.Updated, failed+c.Failed
		}
	}
	return created, updated, failed
}
