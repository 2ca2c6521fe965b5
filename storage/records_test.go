package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// wsClock is a settable clock for workspace tests.
type wsClock struct{ t time.Time }

func (c *wsClock) now() time.Time { return c.t }

// openWorkspace opens a fresh database with a settable clock and the module
// "acme" installed.
func openWorkspace(t testing.TB) (*DB, *wsClock) {
	t.Helper()
	clock := &wsClock{t: time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)}
	db, err := Open(t.TempDir(), Options{Now: clock.now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	def := connectors.Definition{Name: "acme", Title: "Acme Books"}
	if err := db.Install(context.Background(), def, nil); err != nil {
		t.Fatalf("Install: %v", err)
	}
	return db, clock
}

func wsCustomer(code, name string) connectors.Record {
	return connectors.Record{Type: connectors.Customers, Party: &connectors.Party{Code: code, Name: name}}
}

func wsInvoice(code, party string, day, lines int) connectors.Record {
	d := &connectors.Document{Code: code, PartyCode: party, Date: connectors.NewDate(2025, 5, day), Currency: "GBP"}
	for i := range lines {
		d.Lines = append(d.Lines, connectors.Line{
			ItemCode: "WIDGET", Description: fmt.Sprintf("Widget %d", i+1),
			Quantity: decimal.NewFromInt(int64(i + 1)), UnitPrice: decimal.RequireFromString("12.50"),
			NominalCode: "4000", TaxCode: "T1",
		})
	}
	return connectors.Record{Type: connectors.SalesInvoices, Document: d}
}

func TestPutRecordsAddsUpdatesAndLeavesUnchanged(t *testing.T) {
	ctx := context.Background()
	db, clock := openWorkspace(t)
	batch := []connectors.Record{wsCustomer("C1", "Ann"), wsCustomer("C2", "Bob"), wsInvoice("INV-1", "C1", 3, 5)}

	res, err := db.PutRecords(ctx, OriginLocal, batch)
	if err != nil {
		t.Fatal(err)
	}
	if res != (PutResult{Added: 3}) {
		t.Fatalf("first put = %+v, want 3 added", res)
	}
	seq, _ := db.LastSeq(ctx)
	before, err := db.Get(ctx, connectors.SalesInvoices, "INV-1")
	if err != nil {
		t.Fatal(err)
	}

	// The same file again changes nothing at all.
	clock.t = clock.t.Add(time.Hour)
	res, err = db.PutRecords(ctx, "file:again.csv", batch)
	if err != nil {
		t.Fatal(err)
	}
	if res != (PutResult{Unchanged: 3}) {
		t.Fatalf("second put = %+v, want 3 unchanged", res)
	}
	if s, _ := db.LastSeq(ctx); s != seq {
		t.Fatalf("seq moved from %d to %d on an unchanged put", seq, s)
	}
	same, _ := db.Get(ctx, connectors.SalesInvoices, "INV-1")
	if same.RecordHead != before.RecordHead {
		t.Fatalf("unchanged record head changed: %+v -> %+v", before.RecordHead, same.RecordHead)
	}

	// One changed record: updated, new seq, same LocalID, new fingerprint.
	changed := wsInvoice("INV-1", "C1", 3, 5)
	changed.Document.Reference = "PO 77"
	res, err = db.PutRecords(ctx, OriginLocal, []connectors.Record{changed, wsCustomer("C1", "Ann")})
	if err != nil {
		t.Fatal(err)
	}
	if res != (PutResult{Updated: 1, Unchanged: 1}) {
		t.Fatalf("third put = %+v", res)
	}
	after, _ := db.Get(ctx, connectors.SalesInvoices, "INV-1")
	if after.LocalID != before.LocalID {
		t.Errorf("LocalID changed %d -> %d", before.LocalID, after.LocalID)
	}
	if after.Seq != seq+1 || after.Fingerprint == before.Fingerprint {
		t.Errorf("after update seq=%d fp same=%v; want seq %d and a new fingerprint", after.Seq, after.Fingerprint == before.Fingerprint, seq+1)
	}
	if !after.UpdatedAt.Equal(clock.t) || after.Date != connectors.NewDate(2025, 5, 3) || after.Record.Document.Reference != "PO 77" {
		t.Errorf("stored record = %+v", after)
	}
	var changedRefs []Ref
	if err := db.ChangedSince(ctx, seq, func(h RecordHead) error {
		changedRefs = append(changedRefs, h.Ref())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []Ref{{connectors.SalesInvoices, "INV-1"}}; !slices.Equal(changedRefs, want) {
		t.Errorf("ChangedSince = %v, want %v", changedRefs, want)
	}
}

func TestPutRecordsRefusesBadBatchWhole(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		bad  connectors.Record
		want error
	}{
		{"no code", wsCustomer("", "Nameless"), connectors.ErrInvalidRecord},
		{"wrong payload", connectors.Record{Type: connectors.SalesInvoices, Party: &connectors.Party{Code: "X"}}, connectors.ErrInvalidRecord},
		{"reference data", connectors.Record{Type: connectors.TaxRates, TaxRate: &connectors.TaxRate{Code: "T1"}}, ErrReadOnlyType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openWorkspace(t)
			_, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", "Ann"), tc.bad})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n, _ := db.CountRecords(ctx, connectors.Customers); n != 0 {
				t.Fatalf("%d customers written from a refused batch", n)
			}
		})
	}
	db, _ := openWorkspace(t)
	if _, err := db.PutRecords(ctx, " ", []connectors.Record{wsCustomer("C1", "Ann")}); err == nil {
		t.Fatal("blank origin accepted")
	}
}

func TestCanonicalFingerprint(t *testing.T) {
	a := wsInvoice("INV-1", "C1", 3, 1)
	b := wsInvoice("INV-1", "C1", 3, 1)
	b.Document.Lines[0].UnitPrice = decimal.RequireFromString("12.5000")
	c := wsInvoice("INV-1", "C1", 3, 1)
	c.Document.Lines[0].UnitPrice = decimal.RequireFromString("12.51")
	fa, _ := FingerprintOf(a)
	fb, _ := FingerprintOf(b)
	fc, _ := FingerprintOf(c)
	if fa != fb {
		t.Error("12.50 and 12.5000 give different fingerprints")
	}
	if fa == fc {
		t.Error("12.50 and 12.51 give the same fingerprint")
	}
	var back Fingerprint
	text, _ := fa.MarshalText()
	if err := back.UnmarshalText(text); err != nil || back != fa {
		t.Errorf("fingerprint text round trip: %v %v", back, err)
	}
	if err := back.UnmarshalText([]byte("abc")); err == nil {
		t.Error("short fingerprint accepted")
	}
}

func TestChangedSinceListsEachRecordOnceAtItsLastChange(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	for i := range 5 {
		if _, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer(fmt.Sprintf("C%d", i), "x")}); err != nil {
			t.Fatal(err)
		}
	}
	mark, _ := db.LastSeq(ctx)
	for _, name := range []string{"y", "z"} {
		if _, err := db.PutRecords(ctx, OriginLocal, []connectors.Record{wsCustomer("C1", name), wsCustomer("C3", name)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var seqs []uint64
	_ = db.ChangedSince(ctx, mark, func(h RecordHead) error {
		got = append(got, h.Code)
		seqs = append(seqs, h.Seq)
		return nil
	})
	if !slices.Equal(got, []string{"C1", "C3"}) || !slices.IsSorted(seqs) {
		t.Fatalf("changed since %d = %v (seqs %v)", mark, got, seqs)
	}
	var all int
	_ = db.ChangedSince(ctx, 0, func(RecordHead) error { all++; return nil })
	if all != 5 {
		t.Fatalf("changed since 0 = %d records, want 5", all)
	}
	stop := errors.New("stop")
	n := 0
	if err := db.ListRecords(ctx, connectors.Customers, func(StoredRecord) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("ListRecords did not stop on the callback's error: %v after %d", err, n)
	}
	if _, err := db.Get(ctx, connectors.Customers, "nope"); !errors.Is(err, ErrRecordNotFound) {
		t.Fatalf("Get missing = %v", err)
	}
}

func TestEntryRoundTrip(t *testing.T) {
	dates := []connectors.Date{{}, connectors.NewDate(1969, 7, 20), connectors.NewDate(2025, 12, 31), connectors.NewDate(2100, 1, 1)}
	for _, d := range dates {
		h := RecordHead{Type: connectors.SalesInvoices, Code: "X", LocalID: 7, Seq: 9,
			UpdatedAt: time.Unix(1700000000, 5).UTC(), Origin: "module:acme", Date: d, Fingerprint: Fingerprint{1, 2, 3}}
		v := encodeEntry(nil, h, []byte(`{"a":1}`))
		got, raw, err := decodeEntry(h.Type, h.Code, v)
		if err != nil || got != h || string(raw) != `{"a":1}` {
			t.Errorf("round trip of %v: %+v %q %v", d, got, raw, err)
		}
	}
	if _, _, err := decodeEntry(connectors.Customers, "C", []byte{1, 2}); err == nil {
		t.Error("a damaged entry was read")
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in      string
		want    Ref
		wantErr bool
	}{
		{"sales_invoice:INV-1", Ref{connectors.SalesInvoices, "INV-1"}, false},
		{"Sales Invoices:INV:2", Ref{connectors.SalesInvoices, "INV:2"}, false},
		{"customer: C1 ", Ref{connectors.Customers, "C1"}, false},
		{"INV-1", Ref{}, true},
		{"sales_invoice:", Ref{}, true},
		{"widgets:W1", Ref{}, true},
	}
	for _, tc := range tests {
		got, err := ParseRef(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseRef(%q) = %v, %v", tc.in, got, err)
		}
		if err == nil {
			if again, err := ParseRef(got.String()); err != nil || again != got {
				t.Errorf("ParseRef(String()) of %v = %v, %v", got, again, err)
			}
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"sales_invoice:INV-1", "Customers:C1", ":", "x:y", "customer:\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		if r.Code == "" || r.Type == "" {
			t.Fatalf("ParseRef(%q) = %v with no error", s, r)
		}
		if again, err := ParseRef(r.String()); err != nil || again != r {
			t.Fatalf("round trip of %v: %v %v", r, again, err)
		}
	})
}

func TestAncillaryReplacedInFull(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	acct := func(code string, stock bool) connectors.Record {
		return connectors.Record{Type: connectors.NominalAccounts, Account: &connectors.NominalAccount{Code: code, Name: code, Stock: stock}}
	}
	if _, fetched, _ := db.AncillaryCodes(ctx, "acme", connectors.NominalAccounts); fetched {
		t.Fatal("never-fetched reference data reported as fetched")
	}
	if err := db.ReplaceAncillary(ctx, "acme", connectors.NominalAccounts, []connectors.Record{acct("4000", false), acct("1001", true)}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceAncillary(ctx, "acme", connectors.NominalAccounts, []connectors.Record{acct("4000", false), acct("4010", false)}); err != nil {
		t.Fatal(err)
	}
	codes, fetched, err := db.AncillaryCodes(ctx, "acme", connectors.NominalAccounts)
	if err != nil || !fetched || len(codes) != 2 || !codes["4010"] || codes["1001"] {
		t.Fatalf("codes = %v fetched=%v err=%v", codes, fetched, err)
	}
	if err := db.ReplaceAncillary(ctx, "acme", connectors.Customers, nil); err == nil {
		t.Error("customers accepted as reference data")
	}
	if err := db.ReplaceAncillary(ctx, "acme", connectors.TaxRates, []connectors.Record{acct("4000", false)}); err == nil {
		t.Error("an account accepted as a tax rate")
	}
	if err := db.ReplaceAncillary(ctx, "nobody", connectors.TaxRates, nil); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("not installed module: %v", err)
	}
}

func TestMirrorRecordsLinksAndSkips(t *testing.T) {
	ctx := context.Background()
	db, _ := openWorkspace(t)
	c1 := wsCustomer("C1", "Ann")
	res, err := db.MirrorRecords(ctx, "acme", false, []MirrorItem{{Record: c1, RemoteID: "r1", URL: "https://x/r1"}})
	if err != nil || res.Added != 1 {
		t.Fatalf("first mirror = %+v, %v", res, err)
	}
	sr, _ := db.Get(ctx, connectors.Customers, "C1")
	l, linked, _ := db.Link(ctx, "acme", sr.Ref())
	if sr.Origin != "module:acme" || !linked || l.RemoteID != "r1" || !l.Holds(sr.Fingerprint) || l.MirroredFingerprint != sr.Fingerprint {
		t.Fatalf("mirrored record %+v link %+v", sr.RecordHead, l)
	}
	if code, ok, _ := db.CodeForRemoteID(ctx, "acme", connectors.Customers, "r1"); !ok || code != "C1" {
		t.Fatalf("reverse link = %q %v", code, ok)
	}

	tests := []struct {
		name    string
		onlyNew bool
		item    MirrorItem
		want    MirrorResult
	}{
		{"same content", false, MirrorItem{Record: c1, RemoteID: "r1"}, MirrorResult{PutResult: PutResult{Unchanged: 1}}},
		{"new only skips linked", true, MirrorItem{Record: wsCustomer("C1", "Ann Changed"), RemoteID: "r1"}, MirrorResult{Skipped: 1}},
		{"changed", false, MirrorItem{Record: wsCustomer("C1", "Ann Changed"), RemoteID: "r1"}, MirrorResult{PutResult: PutResult{Updated: 1}}},
		{"second record, same code", false, MirrorItem{Record: wsCustomer("C1", "Impostor"), RemoteID: "r2"}, MirrorResult{}},
		{"code changed remotely", false, MirrorItem{Record: wsCustomer("C9", "Ann"), RemoteID: "r1"}, MirrorResult{}},
	}
	for _, tc := range tests {
		got, err := db.MirrorRecords(ctx, "acme", tc.onlyNew, []MirrorItem{tc.item})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		conflicts := len(got.Conflicts)
		got.Conflicts = nil
		wantConflict := tc.want.PutResult == PutResult{} && tc.want.Skipped == 0
		if got.PutResult != tc.want.PutResult || got.Skipped != tc.want.Skipped || (conflicts == 1) != wantConflict {
			t.Errorf("%s: got %+v with %d conflicts", tc.name, got, conflicts)
		}
	}
	if sr, _ := db.Get(ctx, connectors.Customers, "C1"); sr.Record.Party.Name != "Ann Changed" {
		t.Errorf("after conflicts C1 is %q", sr.Record.Party.Name)
	}
	if _, err := db.MirrorRecords(ctx, "acme", false, []MirrorItem{{Record: c1}}); err == nil {
		t.Error("a record with no remote ID was accepted")
	}
}
