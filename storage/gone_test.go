package storage

import (
	"context"
	"slices"
	"testing"
	"time"

	"ledgerlink/connectors"
)

func TestMarkGone(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	if _, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsInvoice("INV-1", "C1", 3, 1), wsInvoice("INV-2", "C1", 4, 1), wsInvoice("INV-3", "C1", 5, 1)}); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"INV-1", "INV-2"} {
		if err := db.SetLink(ctx, "acme", Ref{Type: connectors.SalesInvoices, Code: code}, Link{RemoteID: "R-" + code}); err != nil {
			t.Fatal(err)
		}
	}
	refreshAll(t, db, "v1") // INV-1 and INV-2 as updates, INV-3 as new
	voided := wsInvoice("INV-1", "C1", 3, 1)
	voided.Document.Status = connectors.StatusVoided
	n, err := db.MarkGone(ctx, "acme", []GoneItem{
		{Ref: Ref{Type: connectors.SalesInvoices, Code: "INV-1"}, Gone: GoneVoided, Record: &voided},
		{Ref: Ref{Type: connectors.SalesInvoices, Code: "INV-2"}, Gone: GoneDeleted},
		// Never linked: left alone.
		{Ref: Ref{Type: connectors.SalesInvoices, Code: "INV-3"}, Gone: GoneDeleted},
	})
	if err != nil || n != 2 {
		t.Fatalf("MarkGone = %d, %v; want the 2 linked invoices marked", n, err)
	}
	if got := queueRefs(t, db); !slices.Equal(got, []Ref{{Type: connectors.SalesInvoices, Code: "INV-3"}}) {
		t.Errorf("Pending Export %v; want only INV-3", got)
	}
	l, _, _ := db.Link(ctx, "acme", Ref{Type: connectors.SalesInvoices, Code: "INV-1"})
	sr, _ := db.Get(ctx, connectors.SalesInvoices, "INV-1")
	if l.Gone != GoneVoided || l.GoneAt.IsZero() || !l.Holds(sr.Fingerprint) {
		t.Errorf("link of INV-1 %+v; want voided, holding the voided content", l)
	}
	if sr.Record.Document.Status != connectors.StatusVoided || sr.Origin != OriginLocal {
		t.Errorf("INV-1 stored as %s from %s; want voided, still the business's record", sr.Record.Document.Status, sr.Origin)
	}
	if l3, linked, _ := db.Link(ctx, "acme", Ref{Type: connectors.SalesInvoices, Code: "INV-3"}); linked || l3.Gone != "" {
		t.Errorf("INV-3 was linked or marked: %+v", l3)
	}
	if _, err := db.MarkGone(ctx, "acme", []GoneItem{{Ref: Ref{Type: connectors.SalesInvoices, Code: "INV-1"}, Record: &connectors.Record{Type: connectors.SalesInvoices}}}); err == nil {
		t.Error("an invalid replacement record was accepted")
	}
}

func TestEarlierLayoutsStillRead(t *testing.T) {
	l := Link{RemoteID: "R1", URL: "https://x/R1", Manual: true}
	v2 := encodeLink(l)
	v1 := slices.Clone(v2[:len(v2)-2]) // no Gone, no GoneAt
	v1[0] = linkVersion1
	if got, err := decodeLink(v1); err != nil || got != l {
		t.Errorf("a link in the first layout read as %+v, %v", got, err)
	}
	gone := Link{RemoteID: "R2", Gone: GoneDeleted, GoneAt: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	if got, err := decodeLink(encodeLink(gone)); err != nil || got != gone {
		t.Errorf("a gone link round-trips as %+v, %v", got, err)
	}
	q := QueueItem{Type: connectors.Items, Code: "MUG", Check: Check{Status: CheckOK, Notes: []string{"Product MUG will be created."}}}
	if got, err := decodeQueueItem(encodeQueueItem(q)); err != nil || !slices.Equal(got.Check.Notes, q.Check.Notes) {
		t.Errorf("queue item notes read back as %q, %v", got.Check.Notes, err)
	}
	q.Check.Notes = nil
	enc := encodeQueueItem(q)
	old := slices.Clone(enc[:len(enc)-1]) // no notes count
	old[0] = queueItemVersion1
	if got, err := decodeQueueItem(old); err != nil || got.Code != "MUG" {
		t.Errorf("a queue item in the first layout read as %+v, %v", got, err)
	}
}
