package sync_test

import (
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

func TestCustomerShape(t *testing.T) {
	tests := []struct {
		contact string
		want    sync.Shape
	}{
		{"", sync.ShapePerson},
		{"   ", sync.ShapePerson},
		{"Jo Bloggs", sync.ShapeCompany},
		{" J ", sync.ShapeCompany},
	}
	for _, tc := range tests {
		if got := sync.CustomerShape(connectors.Party{Code: "C1", Name: "N", ContactPerson: tc.contact}); got != tc.want {
			t.Errorf("contact %q: shape %s, want %s", tc.contact, got, tc.want)
		}
	}
}

// TestCustomerChangesShapeKeepingItsDocuments follows one customer made in
// LedgerLink, with two invoices and a payment, through the accounting
// package filling in and then emptying its contact person.
func TestCustomerChangesShapeKeepingItsDocuments(t *testing.T) {
	w := newWorld(t, withSteps(sync.CustomersStep()))
	w.mirrorAll()
	w.settings(map[string]string{sync.MapNominalPrefix + "4000": "4000", sync.MapTaxPrefix + "T1": "T1"})
	const code = "C-0042"
	w.putLocal(
		party(connectors.Customers, code, "Jo's Flowers"),
		invoice(sales, "INV-1", code, "25"),
		invoice(sales, "INV-2", code, "50"),
		payment(salesPay, "PAY-1", code, "30", sales, "INV-1", "30"),
	)
	if rep, err := w.eng.Upload(w.ctx, mod, nil, nil); err != nil || !rep.OK() {
		t.Fatalf("upload: %v %+v", err, rep)
	}
	refs := []storage.Ref{{Type: connectors.Customers, Code: code}, {Type: sales, Code: "INV-1"}, {Type: sales, Code: "INV-2"}, {Type: salesPay, Code: "PAY-1"}}
	linksBefore := map[storage.Ref]string{}
	for _, r := range refs {
		l, ok := w.link(r.Type, r.Code)
		if !ok || l.RemoteID == "" {
			t.Fatalf("%s not linked after upload", r)
		}
		linksBefore[r] = l.RemoteID
	}
	before := w.local(connectors.Customers, code)
	if sync.CustomerShape(*before.Record.Party) != sync.ShapePerson {
		t.Fatal("a customer without a contact person is not a person")
	}
	// The first look only learns the shapes.
	if changes, err := w.eng.ReshapeCustomers(w.ctx, mod); err != nil || len(changes) != 0 {
		t.Fatalf("first look: %v %+v", err, changes)
	}

	steps := []struct {
		name    string
		contact string
		// viaSync runs the whole sync (mirror, then the customers step)
		// instead of mirroring and looking by hand.
		viaSync bool
		want    sync.Shape
		note    string
	}{
		{"contact person filled in", "Jo Bloggs", true, sync.ShapeCompany,
			"Customer C-0042 is now a company (contact person Jo Bloggs added in Reference ledger (in memory)); its 2 invoices and 1 payment stay with it."},
		{"contact person emptied", "", false, sync.ShapePerson,
			"Customer C-0042 is now a person, not a company (contact person removed in Reference ledger (in memory)); its 2 invoices and 1 payment stay with it."},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			changed := party(connectors.Customers, code, "Jo's Flowers")
			changed.Party.ContactPerson = st.contact
			w.clock.Add(time.Second)
			if _, err := w.ledger.Put(connectors.Customers, connectors.Remote{RemoteID: linksBefore[refs[0]], Record: changed}); err != nil {
				t.Fatal(err)
			}
			w.clock.Add(time.Second)
			if st.viaSync {
				if rep, err := w.eng.Sync(w.ctx, mod, sync.TriggerManual); err != nil || len(rep.Errors) != 0 {
					t.Fatalf("sync: %v %+v", err, rep)
				}
			} else {
				w.mirror(connectors.Customers)
				changes, err := w.eng.ReshapeCustomers(w.ctx, mod)
				if err != nil || len(changes) != 1 || changes[0].To != st.want || changes[0].Invoices != 2 || changes[0].Payments != 1 {
					t.Fatalf("changes %v %+v", err, changes)
				}
			}
			after := w.local(connectors.Customers, code)
			if got := sync.CustomerShape(*after.Record.Party); got != st.want {
				t.Fatalf("shape %s, want %s", got, st.want)
			}
			if after.LocalID != before.LocalID || after.Code != code {
				t.Fatalf("customer became another record: %+v, was %+v", after.RecordHead, before.RecordHead)
			}
			for _, c := range []string{"INV-1", "INV-2"} {
				if p := w.local(sales, c).Record.Document.PartyCode; p != code {
					t.Fatalf("%s now belongs to %q", c, p)
				}
			}
			if p := w.local(salesPay, "PAY-1").Record.Payment.PartyCode; p != code {
				t.Fatalf("PAY-1 now belongs to %q", p)
			}
			for _, r := range refs {
				if l, ok := w.link(r.Type, r.Code); !ok || l.RemoteID != linksBefore[r] {
					t.Fatalf("link of %s changed: %+v (was %s)", r, l, linksBefore[r])
				}
			}
			if err := w.eng.Refresh(w.ctx, mod); err != nil {
				t.Fatal(err)
			}
			if pending, _ := w.eng.Pending(w.ctx, mod); len(pending) != 0 {
				t.Fatalf("the change of shape is sent back to the package: %+v", pending)
			}
			notes, err := w.eng.CustomerNotes(w.ctx, mod, time.Time{}, time.Time{})
			if err != nil || len(notes) != i+1 {
				t.Fatalf("notes %v %+v", err, notes)
			}
			if got := notes[i]; got.Code != code || got.Text != st.note {
				t.Fatalf("note %q\nwant %q", got.Text, st.note)
			}
		})
	}
	// Nothing changed since: nothing more to say.
	if changes, err := w.eng.ReshapeCustomers(w.ctx, mod); err != nil || len(changes) != 0 {
		t.Fatalf("quiet look: %v %+v", err, changes)
	}
}

func TestShapeNoteWording(t *testing.T) {
	w := newWorld(t)
	w.mirrorAll()
	w.remote(party(connectors.Customers, "C1", "Solo"))
	w.remote(party(connectors.Customers, "C2", "Quoted"))
	w.remote(connectors.Record{Type: connectors.Quotes, Document: invoice(sales, "Q-1", "C2", "10").Document})
	w.mirror()
	if _, err := w.eng.ReshapeCustomers(w.ctx, mod); err != nil {
		t.Fatal(err)
	}
	// Both become companies in LedgerLink's business system this time.
	c1 := w.local(connectors.Customers, "C1").Record
	c1.Party.ContactPerson = "Ann"
	c2 := w.local(connectors.Customers, "C2").Record
	c2.Party.ContactPerson = "Bob"
	w.putLocal(c1, c2)
	changes, err := w.eng.ReshapeCustomers(w.ctx, mod)
	if err != nil || len(changes) != 2 {
		t.Fatalf("%v %+v", err, changes)
	}
	want := map[string]string{
		"C1": "Customer C1 is now a company (contact person Ann added in your business system); it has no documents or payments yet.",
		"C2": "Customer C2 is now a company (contact person Bob added in your business system); its 1 quote stays with it.",
	}
	for _, c := range changes {
		if c.Note != want[c.Code] {
			t.Errorf("note %q\nwant %q", c.Note, want[c.Code])
		}
	}
}
