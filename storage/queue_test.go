package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// queueAll is a Decide that queues every changed record as new or updated,
// by link.
func queueAll(h RecordHead, link *Link, _ *QueueItem) *QueueItem {
	if link != nil && link.Holds(h.Fingerprint) {
		return nil
	}
	kind := KindNew
	if link != nil {
		kind = KindUpdated
	}
	return &QueueItem{Kind: kind, SourceDate: h.Date, Fingerprint: h.Fingerprint}
}

var queueTypes = []connectors.RecordType{connectors.Customers, connectors.SalesInvoices}

func refreshAll(t *testing.T, db *DB, levels string) RefreshStats {
	t.Helper()
	st, err := db.RefreshQueue(context.Background(), "acme", levels, queueTypes, queueAll)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func queueRefs(t *testing.T, db *DB) []Ref {
	t.Helper()
	items, err := db.Queue(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	var out []Ref
	for _, q := range items {
		out = append(out, q.Ref())
	}
	return out
}

func TestRefreshQueueLooksOnlyAtChanges(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	var recs []connectors.Record
	for i := range 50 {
		recs = append(recs, wsCustomer("C"+string(rune('A'+i%26))+string(rune('a'+i/26)), "x"))
	}
	if _, err := db.PutRecords(ctx, OriginLocal, recs); err != nil {
		t.Fatal(err)
	}
	if st := refreshAll(t, db, "v1"); !st.Full || st.Scanned != 50 || st.Queued != 50 {
		t.Fatalf("first refresh = %+v", st)
	}
	if st := refreshAll(t, db, "v1"); st.Full || st.Scanned != 0 {
		t.Fatalf("refresh with no changes = %+v", st)
	}
	last, _ := db.LastSeq(ctx)
	if cur, err := db.GetChangeCursor(ctx, "acme"); err != nil || cur != (ChangeCursor{Seq: last, Levels: "v1"}) {
		t.Fatalf("change cursor = %+v, %v; want seq %d", cur, err, last)
	}
	if _, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("CAa", "changed"), wsCustomer("CBa", "changed")}); err != nil {
		t.Fatal(err)
	}
	if st := refreshAll(t, db, "v1"); st.Full || st.Scanned != 2 || st.Queued != 0 {
		t.Fatalf("refresh after two changes = %+v", st)
	}
	if st := refreshAll(t, db, "v2"); !st.Full || st.Scanned != 50 {
		t.Fatalf("refresh after new levels = %+v", st)
	}
	// Levels that want nothing empty the queue.
	st, err := db.RefreshQueue(ctx, "acme", "off", queueTypes, func(RecordHead, *Link, *QueueItem) *QueueItem { return nil })
	if err != nil || st.Removed != 50 || len(queueRefs(t, db)) != 0 {
		t.Fatalf("refresh to off = %+v, %v, %d left", st, err, len(queueRefs(t, db)))
	}
}

func TestUploadLifecycleKeepsKeyUntilSettled(t *testing.T) {
	ctx := context.Background()
	db, clock := openWorkspace(t)
	if _, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", "Ann"), wsCustomer("C2", "Bob")}); err != nil {
		t.Fatal(err)
	}
	refreshAll(t, db, "v1")
	c1 := Ref{connectors.Customers, "C1"}
	c2 := Ref{connectors.Customers, "C2"}
	h1, _, _ := db.Head(ctx, c1.Type, c1.Code)
	h2, _, _ := db.Head(ctx, c2.Type, c2.Code)

	marked, err := db.MarkInflight(ctx, "acme", []SendItem{{Ref: c1, Fingerprint: h1.Fingerprint}, {Ref: c2, Fingerprint: h2.Fingerprint}})
	if err != nil || len(marked) != 2 {
		t.Fatalf("MarkInflight = %v, %v", marked, err)
	}
	key1 := marked[0].Key
	if key1 == "" || marked[0].State != StateInflight || marked[0].Attempts != 1 || marked[0].Key == marked[1].Key {
		t.Fatalf("marked = %+v", marked)
	}
	stored, _, _ := db.QueueItem(ctx, "acme", c1)
	if stored.Key != key1 || !stored.Uncertain() {
		t.Fatalf("the key is not saved before sending: %+v", stored)
	}
	if open, _ := db.UncertainItems(ctx, "acme"); len(open) != 2 {
		t.Fatalf("uncertain items = %+v", open)
	}

	// Whole batch lost: back to pending, same key, still uncertain.
	if err := db.Complete(ctx, "acme", []Outcome{{Ref: c1, Key: key1, Verdict: Unknown}, {Ref: c2, Key: marked[1].Key, Verdict: Unknown}}); err != nil {
		t.Fatal(err)
	}
	again, _ := db.MarkInflight(ctx, "acme", []SendItem{{Ref: c1, Fingerprint: h1.Fingerprint}, {Ref: c2, Fingerprint: h2.Fingerprint}})
	if again[0].Key != key1 || again[0].Attempts != 2 {
		t.Fatalf("retry changed the key or did not count: %+v", again[0])
	}

	// A refresh while uncertain keeps the item, whatever decide says.
	if _, err := db.RefreshQueue(ctx, "acme", "v9", queueTypes, func(RecordHead, *Link, *QueueItem) *QueueItem { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := queueRefs(t, db); len(got) != 2 {
		t.Fatalf("uncertain items dropped by refresh: %v", got)
	}

	clock.t = clock.t.Add(time.Minute)
	err = db.Complete(ctx, "acme", []Outcome{
		{Ref: c1, Key: key1, Verdict: Delivered, Fingerprint: h1.Fingerprint, RemoteID: "R1", URL: "https://x/R1"},
		{Ref: c2, Key: again[1].Key, Verdict: Rejected, Feedback: &FeedbackRow{Type: c2.Type, Code: c2.Code, Message: "Name is taken", Cause: "c", Fix: "f"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := queueRefs(t, db); !slices.Equal(got, []Ref{c2}) {
		t.Fatalf("queue after outcomes = %v, want only C2", got)
	}
	if open, _ := db.UncertainItems(ctx, "acme"); len(open) != 0 {
		t.Fatalf("settled items still uncertain: %+v", open)
	}
	q2, _, _ := db.QueueItem(ctx, "acme", c2)
	if q2.Key != "" || q2.State != StatePending || q2.Uncertain() {
		t.Fatalf("rejected item = %+v, want pending with no key", q2)
	}
	l, linked, _ := db.Link(ctx, "acme", c1)
	if !linked || l.RemoteID != "R1" || l.UploadedFingerprint != h1.Fingerprint || l.Manual {
		t.Fatalf("link = %+v", l)
	}
	rows, _ := db.Exported(ctx, "acme", time.Time{}, time.Time{})
	if len(rows) != 1 || rows[0].Ref() != c1 || rows[0].Verified || rows[0].Manual || rows[0].RemoteID != "R1" || !rows[0].ExportedAt.Equal(clock.t) {
		t.Fatalf("exported = %+v", rows)
	}
	fb, _ := db.Feedback(ctx, "acme", time.Time{}, time.Time{})
	if len(fb) != 1 || fb[0].Ref() != c2 || fb[0].Message != "Name is taken" {
		t.Fatalf("feedback = %+v", fb)
	}
	unv, _ := db.Unverified(ctx, "acme", 0)
	if len(unv) != 1 {
		t.Fatalf("unverified = %+v", unv)
	}
	if err := db.MarkVerified(ctx, "acme", []Verification{{ID: unv[0].ID, Mirrored: Fingerprint{9}}}); err != nil {
		t.Fatal(err)
	}
	rows, _ = db.Exported(ctx, "acme", time.Time{}, time.Time{})
	l, _, _ = db.Link(ctx, "acme", c1)
	if !rows[0].Verified || l.MirroredFingerprint != (Fingerprint{9}) {
		t.Fatalf("after verify row=%+v link=%+v", rows[0], l)
	}
	if unv, _ := db.Unverified(ctx, "acme", 0); len(unv) != 0 {
		t.Fatalf("still unverified: %+v", unv)
	}
	if err := db.MarkVerified(ctx, "acme", []Verification{{ID: "zz"}}); err == nil {
		t.Fatal("a bad row ID was accepted")
	}
}

func TestDeliveredItemChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []bool{false, true} {
		db, _ := openWorkspace(t)
		ref := Ref{connectors.Customers, "C1"}
		_, _ = db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", "Ann")})
		refreshAll(t, db, "v1")
		h, _, _ := db.Head(ctx, ref.Type, ref.Code)
		marked, _ := db.MarkInflight(ctx, "acme", []SendItem{{Ref: ref, Fingerprint: h.Fingerprint}})
		// The record changes while its upload is under way.
		_, _ = db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", "Ann Smith")})
		refreshAll(t, db, "v1")
		if err := db.Complete(ctx, "acme", []Outcome{{Ref: ref, Key: marked[0].Key, Verdict: Delivered, Fingerprint: h.Fingerprint, RemoteID: "R1", KeepChanges: keep}}); err != nil {
			t.Fatal(err)
		}
		q, found, _ := db.QueueItem(ctx, "acme", ref)
		if found != keep {
			t.Fatalf("keep=%v: still queued = %v", keep, found)
		}
		if keep && (q.Kind != KindUpdated || q.Key != "" || q.State != StatePending) {
			t.Fatalf("changed item = %+v, want a pending update", q)
		}
	}
}

func TestMarkExportedAndNotExported(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	_, _ = db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", "Ann"), wsCustomer("C2", "Bob"), wsCustomer("C3", "Cy")})
	refreshAll(t, db, "v1")
	c1, c2, c3 := Ref{connectors.Customers, "C1"}, Ref{connectors.Customers, "C2"}, Ref{connectors.Customers, "C3"}
	ghost := Ref{connectors.Customers, "C9"}

	// C2 is uploaded for real.
	h2, _, _ := db.Head(ctx, c2.Type, c2.Code)
	m, _ := db.MarkInflight(ctx, "acme", []SendItem{{Ref: c2, Fingerprint: h2.Fingerprint}})
	_ = db.Complete(ctx, "acme", []Outcome{{Ref: c2, Key: m[0].Key, Verdict: Delivered, Fingerprint: h2.Fingerprint, RemoteID: "R2"}})

	refused, err := db.MarkExported(ctx, "acme", []Ref{c1, c2, ghost})
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 2 || refused[0].Ref != c2 || refused[1].Ref != ghost || !strings.Contains(refused[0].Reason, "not in Pending Export") {
		t.Fatalf("refused = %+v", refused)
	}
	if got := queueRefs(t, db); !slices.Equal(got, []Ref{c3}) {
		t.Fatalf("queue = %v", got)
	}
	l1, _, _ := db.Link(ctx, "acme", c1)
	if !l1.Manual || l1.RemoteID != "" {
		t.Fatalf("manual link = %+v", l1)
	}
	rows, _ := db.Exported(ctx, "acme", time.Time{}, time.Time{})
	var manual ExportedRow
	for _, r := range rows {
		if r.Ref() == c1 {
			manual = r
		}
	}
	if !manual.Manual || manual.Verified {
		t.Fatalf("manual row = %+v", manual)
	}
	if unv, _ := db.Unverified(ctx, "acme", 0); len(unv) != 1 || unv[0].Ref() != c2 {
		t.Fatalf("unverified = %+v (manual rows are never read back)", unv)
	}

	refused, err = db.MarkNotExported(ctx, "acme", []Ref{c1, c2, c3})
	if err != nil {
		t.Fatal(err)
	}
	if len(refused) != 2 || refused[0].Ref != c2 || !strings.Contains(refused[0].Reason, "only rows marked as exported by hand") ||
		refused[1].Ref != c3 || !strings.Contains(refused[1].Reason, "not in Successfully Exported") {
		t.Fatalf("refused = %+v", refused)
	}
	if got := queueRefs(t, db); !slices.Equal(got, []Ref{c1, c3}) {
		t.Fatalf("queue after unmark = %v", got)
	}
	if _, linked, _ := db.Link(ctx, "acme", c1); linked {
		t.Fatal("link kept after mark not exported")
	}
	rows, _ = db.Exported(ctx, "acme", time.Time{}, time.Time{})
	if len(rows) != 1 || rows[0].Ref() != c2 {
		t.Fatalf("exported after unmark = %+v", rows)
	}
}

func TestLogsFilterByDate(t *testing.T) {
	ctx := context.Background()
	db, clock := openWorkspace(t)
	start := clock.t
	for day := range 5 {
		clock.t = start.AddDate(0, 0, day)
		if err := db.AddFeedback(ctx, "acme", FeedbackRow{Type: connectors.Customers, Code: "C", Message: "day " + string(rune('0'+day))}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from, to time.Time
		want     []string
	}{
		{time.Time{}, time.Time{}, []string{"day 0", "day 1", "day 2", "day 3", "day 4"}},
		{start.AddDate(0, 0, 1), start.AddDate(0, 0, 3), []string{"day 1", "day 2"}},
		{start.AddDate(0, 0, 4), time.Time{}, []string{"day 4"}},
		{time.Time{}, start, nil},
	}
	for _, tc := range tests {
		rows, err := db.Feedback(ctx, "acme", tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Message)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("feedback [%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestQueueItemAndLinkEncoding(t *testing.T) {
	items := []QueueItem{
		{},
		{SourceDate: connectors.NewDate(1969, 12, 31)},
		{Type: connectors.SalesInvoices, Code: "INV-1", Kind: KindUpdated, SourceDate: connectors.NewDate(1970, 1, 1),
			Fingerprint: Fingerprint{1}, State: StateInflight, Key: "k-1", SentFingerprint: Fingerprint{2}, Attempts: 3,
			QueuedAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
			Check: Check{Status: CheckProblems, CheckedAt: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
				Problems: []Problem{{Rule: "r", Cause: "ç", Fix: ""}, {Rule: "s", Cause: "c2", Fix: "f2"}}}},
	}
	for _, q := range items {
		got, err := decodeQueueItem(encodeQueueItem(q))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(q) {
			t.Errorf("queue item round trip:\n got %+v %v\nwant %+v", got, err, q)
		}
	}
	links := []Link{{}, {RemoteID: "R1", UploadedFingerprint: Fingerprint{3}, MirroredFingerprint: Fingerprint{4},
		RemoteUpdatedAt: time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC), URL: "https://x/R1", Manual: true}}
	for _, l := range links {
		got, err := decodeLink(encodeLink(l))
		if err != nil || got != l {
			t.Errorf("link round trip: %+v %v, want %+v", got, err, l)
		}
	}
	enc := encodeQueueItem(items[2])
	for _, bad := range [][]byte{nil, {9}, enc[:len(enc)-1], append(slices.Clone(enc), 0)} {
		if _, err := decodeQueueItem(bad); err == nil {
			t.Errorf("damaged queue item %x was read", bad)
		}
	}
}

func FuzzDecodeStoredValues(f *testing.F) {
	f.Add(encodeQueueItem(QueueItem{Type: connectors.Customers, Code: "C1", Check: Check{Problems: []Problem{{Rule: "x"}}}}))
	f.Add(encodeLink(Link{RemoteID: "R", URL: "u"}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		if q, err := decodeQueueItem(b); err == nil {
			if again, err := decodeQueueItem(encodeQueueItem(q)); err != nil || fmt.Sprint(again) != fmt.Sprint(q) {
				t.Fatalf("queue item %+v does not round trip: %v", q, err)
			}
		}
		if l, err := decodeLink(b); err == nil {
			if again, err := decodeLink(encodeLink(l)); err != nil || again != l {
				t.Fatalf("link %+v does not round trip: %v", l, err)
			}
		}
	})
}
