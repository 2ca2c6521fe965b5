package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

const books = "books"

func openImportsDB(t *testing.T) (*storage.DB, *time.Time) {
	t.Helper()
	now := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	db, err := storage.Open(t.TempDir(), storage.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	def := connectors.Definition{Name: books, Open: func(context.Context, connectors.Config) (connectors.Connection, error) { return nil, nil }}
	if err := db.Install(context.Background(), def, nil); err != nil {
		t.Fatal(err)
	}
	return db, &now
}

func importRow(id string, day int, outcome storage.ImportOutcome) storage.ImportRow {
	return storage.ImportRow{Type: connectors.InvoicePayments, RemoteID: id, Code: "PAY-" + id, Reference: "PAY-" + id,
		PaymentDate: connectors.NewDate(2026, 3, day), Amount: decimal.NewFromInt(10), Currency: "GBP", Outcome: outcome}
}

func TestImportRowsOpenIndexAndFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := openImportsDB(t)
	rows := []storage.ImportRow{
		importRow("1", 3, storage.ImportAllocated),
		importRow("2", 10, storage.ImportUnknownInvoice),
		importRow("3", 20, storage.ImportWaiting),
		importRow("4", 25, storage.ImportCreditNote),
	}
	err := db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		for _, r := range rows {
			stored, err := tx.PutRow(r)
			if err != nil {
				return err
			}
			if stored.Kind != storage.ImportSales || stored.FirstSeen.IsZero() || stored.UpdatedAt.IsZero() {
				t.Errorf("row %s stored as %+v", r.RemoteID, stored)
			}
		}
		return tx.SetCursor(connectors.InvoicePayments, time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC))
	})
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	err = db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		list, err := tx.OpenRows(connectors.InvoicePayments)
		for _, r := range list {
			open = append(open, r.RemoteID)
		}
		return err
	})
	if err != nil || len(open) != 2 || open[0] != "2" || open[1] != "3" {
		t.Fatalf("open rows %v %v, want [2 3]", open, err)
	}
	// Settling a row takes it off the open list.
	err = db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		_, err := tx.PutRow(importRow("2", 10, storage.ImportAllocated))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		list, _ := tx.OpenRows(connectors.InvoicePayments)
		if len(list) != 1 || list[0].RemoteID != "3" {
			t.Errorf("open rows after settling: %+v", list)
		}
		return nil
	})
	if at, err := db.ImportCursor(ctx, books, connectors.InvoicePayments); err != nil || at.Day() != 31 {
		t.Fatalf("cursor %v %v", at, err)
	}
	if at, err := db.ImportCursor(ctx, books, connectors.PurchasePayments); err != nil || !at.IsZero() {
		t.Fatalf("purchase cursor %v %v", at, err)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     []string
	}{
		{"all", time.Time{}, time.Time{}, []string{"1", "2", "3", "4"}},
		{"from the 10th", time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), time.Time{}, []string{"2", "3", "4"}},
		{"before the 20th", time.Time{}, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), []string{"1", "2"}},
		{"between", time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC), []string{"2", "3"}},
	}
	for _, tc := range tests {
		got, err := db.Imports(ctx, books, tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.RemoteID)
		}
		if len(ids) != len(tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, ids, tc.want)
		}
		for i := range ids {
			if ids[i] != tc.want[i] {
				t.Fatalf("%s: %v, want %v", tc.name, ids, tc.want)
			}
		}
	}
}

func TestImportRowNeedsRemoteIDAndNothingIsKeptOnError(t *testing.T) {
	ctx := context.Background()
	db, _ := openImportsDB(t)
	err := db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		if _, err := tx.PutRow(importRow("1", 1, storage.ImportAllocated)); err != nil {
			return err
		}
		_, err := tx.PutRow(importRow("", 1, storage.ImportAllocated))
		return err
	})
	if err == nil {
		t.Fatal("a row without the package's ID was stored")
	}
	if rows, _ := db.Imports(ctx, books, time.Time{}, time.Time{}); len(rows) != 0 {
		t.Fatalf("a failed transaction kept %d rows", len(rows))
	}
	if err := db.UpdateImports(ctx, "nobody", func(*storage.ImportTx) error { return nil }); !errors.Is(err, storage.ErrNotInstalled) {
		t.Fatalf("unknown module: %v", err)
	}
}

func TestPutPackageFiguresKeepsLinksHonest(t *testing.T) {
	inv := func(due string, desc string) connectors.Record {
		return connectors.Record{Type: connectors.SalesInvoices, Document: &connectors.Document{
			Code: "INV-1", PartyCode: "C1", Date: connectors.NewDate(2026, 3, 1), Currency: "GBP",
			Total: decimal.RequireFromString("30"), AmountDue: decimal.RequireFromString(due),
			Lines: []connectors.Line{{Description: desc, Quantity: decimal.NewFromInt(1), UnitPrice: decimal.NewFromInt(25)}}}}
	}
	tests := []struct {
		name string
		// pendingEdit changes the invoice locally after the package got it.
		pendingEdit  bool
		wantHoldsNew bool
	}{
		{"package held the old content", false, true},
		{"local changes still waiting", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, _ := openImportsDB(t)
			ref := storage.Ref{Type: connectors.SalesInvoices, Code: "INV-1"}
			if _, err := db.PutRecords(ctx, storage.OriginLocal, []connectors.Record{inv("30", "Work")}); err != nil {
				t.Fatal(err)
			}
			h, _, _ := db.Head(ctx, ref.Type, ref.Code)
			if err := db.SetLink(ctx, books, ref, storage.Link{RemoteID: "R1", UploadedFingerprint: h.Fingerprint}); err != nil {
				t.Fatal(err)
			}
			desc := "Work"
			if tc.pendingEdit {
				desc = "Work, revised"
				if _, err := db.PutRecords(ctx, storage.OriginLocal, []connectors.Record{inv("30", desc)}); err != nil {
					t.Fatal(err)
				}
			}
			var newHead storage.RecordHead
			err := db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
				var err error
				newHead, err = tx.PutPackageFigures(inv("10", desc))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if newHead.LocalID != h.LocalID || newHead.Origin != storage.OriginLocal {
				t.Fatalf("record lost its identity: %+v (was %+v)", newHead, h)
			}
			l, _, _ := db.Link(ctx, books, ref)
			if got := l.Holds(newHead.Fingerprint); got != tc.wantHoldsNew || l.RemoteID != "R1" {
				t.Fatalf("link holds the new content = %v, want %v (%+v)", got, tc.wantHoldsNew, l)
			}
		})
	}
}

func TestPutFromPackageLinks(t *testing.T) {
	ctx := context.Background()
	db, _ := openImportsDB(t)
	pay := connectors.Record{Type: connectors.InvoicePayments, Payment: &connectors.Payment{Code: "PAY-1", Date: connectors.NewDate(2026, 3, 2),
		Amount: decimal.NewFromInt(5), Currency: "GBP"}}
	mirrored := storage.Fingerprint{1}
	err := db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		_, err := tx.PutFromPackage(pay, "R9", mirrored, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), "https://x/R9")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := db.Get(ctx, connectors.InvoicePayments, "PAY-1")
	if err != nil || sr.Origin != storage.OriginModule(books) {
		t.Fatalf("payment %+v %v", sr.RecordHead, err)
	}
	l, _, _ := db.Link(ctx, books, storage.RefOf(pay))
	if l.RemoteID != "R9" || !l.Holds(sr.Fingerprint) || l.MirroredFingerprint != mirrored || l.URL != "https://x/R9" {
		t.Fatalf("link %+v", l)
	}
	if code, found, _ := db.CodeForRemoteID(ctx, books, connectors.InvoicePayments, "R9"); !found || code != "PAY-1" {
		t.Fatalf("reverse link %q %v", code, found)
	}
	err = db.UpdateImports(ctx, books, func(tx *storage.ImportTx) error {
		_, err := tx.PutFromPackage(pay, " ", mirrored, time.Time{}, "")
		return err
	})
	if err == nil {
		t.Fatal("a record without the package's ID was linked")
	}
}

func TestCustomerShapesAndNotes(t *testing.T) {
	ctx := context.Background()
	db, now := openImportsDB(t)
	st, err := db.CustomerShapes(ctx, books, []string{"C1"})
	if err != nil || st.Seq != 0 || len(st.Shapes) != 0 {
		t.Fatalf("fresh state %+v %v", st, err)
	}
	notes := []storage.CustomerNote{{Code: "C1", Text: "first", When: *now}, {Code: "C2", Text: "second", When: now.Add(time.Hour)}}
	if err := db.SaveCustomerShapes(ctx, books, 7, map[string]string{"C1": "company", "C2": "person"}, notes); err != nil {
		t.Fatal(err)
	}
	st, err = db.CustomerShapes(ctx, books, []string{"C1", "C3"})
	if err != nil || st.Seq != 7 || st.Shapes["C1"] != "company" || len(st.Shapes) != 1 {
		t.Fatalf("state %+v %v", st, err)
	}
	got, err := db.CustomerNotes(ctx, books, now.Add(time.Minute), time.Time{})
	if err != nil || len(got) != 1 || got[0].Text != "second" || got[0].ID == "" {
		t.Fatalf("notes %+v %v", got, err)
	}
}
