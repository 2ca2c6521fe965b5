package storage

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// The Import grid of a module: payments made in the accounting package,
// downloaded, created in the workspace and allocated to the invoices they
// pay.
//
//	modules/<m>/imports/rows/<type> 0 <remoteID> -> ImportRow (JSON)
//	modules/<m>/imports/open/<type> 0 <remoteID> -> "" (rows not settled yet)
//	modules/<m>/imports/cursor/<type>            -> RFC 3339 time of the last download
//
// The open index lets each run retry the rows that still need work without
// reading the whole grid.
const subImports = "imports"

var (
	bucketImportRows   = []byte("rows")
	bucketImportOpen   = []byte("open")
	bucketImportCursor = []byte("cursor")
)

// ImportKind says whether a payment was received from a customer or made to
// a supplier.
type ImportKind string

const (
	ImportSales    ImportKind = "sales"
	ImportPurchase ImportKind = "purchase"
)

// ImportKindOf is the kind of a payment record type.
func ImportKindOf(t connectors.RecordType) ImportKind {
	if t == connectors.PurchasePayments {
		return ImportPurchase
	}
	return ImportSales
}

// ImportOutcome is what became of one downloaded payment, for filters and
// for deciding what the next run tries again.
type ImportOutcome string

const (
	// ImportWaiting: downloaded and shown, not created yet.
	ImportWaiting ImportOutcome = "waiting"
	// ImportAllocated: created and allocated to the invoices it pays.
	ImportAllocated ImportOutcome = "allocated"
	// ImportCreated: created; the package allocated it to nothing.
	ImportCreated ImportOutcome = "created"
	// ImportAlreadyThere: LedgerLink already had this payment.
	ImportAlreadyThere ImportOutcome = "already_imported"
	// ImportCreditNote: created and allocated to its invoices; its
	// allocation to a credit note could not be brought over because the
	// package's interface does not allow it.
	ImportCreditNote ImportOutcome = "credit_note"
	// ImportDeleted: the package deleted the payment; LedgerLink undid it,
	// or never created it.
	ImportDeleted ImportOutcome = "deleted_in_package"
	// The reasons a payment was not created and allocated; each is tried
	// again at the next run.
	ImportUnknownInvoice   ImportOutcome = "unknown_invoice"
	ImportOverAllocation   ImportOutcome = "over_allocation"
	ImportCurrencyMismatch ImportOutcome = "currency_mismatch"
	ImportUnreadable       ImportOutcome = "unreadable"
)

// Settled reports whether nothing is left to do for the row.
func (o ImportOutcome) Settled() bool {
	switch o {
	case ImportAllocated, ImportCreated, ImportAlreadyThere, ImportCreditNote, ImportDeleted:
		return true
	}
	return false
}

// ImportRow is one row of the Import grid.
type ImportRow struct {
	// Type is InvoicePayments or PurchasePayments; Kind says the same in
	// the grid's words.
	Type connectors.RecordType `json:"type"`
	Kind ImportKind            `json:"kind"`
	// RemoteID is the package's ID of the payment: the row's key.
	RemoteID string `json:"remote_id"`
	// Code is the payment's code in LedgerLink.
	Code string `json:"code"`
	// Company is the customer's or supplier's name.
	Company     string          `json:"company"`
	PaymentDate connectors.Date `json:"payment_date,omitzero"`
	Reference   string          `json:"reference"`
	Amount      decimal.Decimal `json:"amount"`
	Currency    string          `json:"currency"`
	// AllocatedTo lists the codes of the documents the payment pays.
	AllocatedTo []string      `json:"allocated_to,omitempty"`
	Outcome     ImportOutcome `json:"outcome"`
	// Status is "Payment created and allocated", or why not, in plain words.
	Status string `json:"status"`
	// Fix says what to do when the payment was not created and allocated.
	Fix string `json:"fix,omitempty"`
	// FirstSeen is when the payment was first downloaded; UpdatedAt when
	// the row last changed.
	FirstSeen time.Time `json:"first_seen"`
	UpdatedAt time.Time `json:"updated_at"`
	// Attempts counts the runs that tried to create and allocate it.
	Attempts int `json:"attempts,omitempty"`
	// Remote is the payment as downloaded, kept so that a row can be tried
	// again without downloading it again.
	Remote connectors.Remote `json:"remote"`
}

func importKey(t connectors.RecordType, remoteID string) []byte { return refKey(t, remoteID) }

// ImportTx is one write transaction over a module's Import grid and the
// workspace, so that a payment, the invoices it pays, their links and its
// row change together or not at all. It is only valid inside the function
// given to UpdateImports.
type ImportTx struct {
	tx     *bolt.Tx
	module string
	rows   *bolt.Bucket
	open   *bolt.Bucket
	cursor *bolt.Bucket
	w      *workspaceWriter
	now    time.Time
}

// UpdateImports runs fn in one write transaction over the module's Import
// grid and the workspace. An error from fn undoes everything it did.
func (db *DB) UpdateImports(ctx context.Context, module string, fn func(*ImportTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		imp, err := moduleSub(tx, module, subImports)
		if err != nil {
			return err
		}
		itx := &ImportTx{tx: tx, module: module, now: db.now().UTC()}
		for _, nb := range []struct {
			name []byte
			dst  **bolt.Bucket
		}{{bucketImportRows, &itx.rows}, {bucketImportOpen, &itx.open}, {bucketImportCursor, &itx.cursor}} {
			if *nb.dst, err = imp.CreateBucketIfNotExists(nb.name); err != nil {
				return err
			}
		}
		if itx.w, err = newWorkspaceWriter(tx, itx.now); err != nil {
			return err
		}
		if err := fn(itx); err != nil {
			return err
		}
		return itx.w.close()
	})
	if err != nil && !errors.Is(err, ErrNotInstalled) && ctx.Err() == nil {
		return fmt.Errorf("save imported payments: %w", err)
	}
	return err
}

// Now is the transaction's time.
func (t *ImportTx) Now() time.Time { return t.now }

// Row returns the row of the package's payment remoteID of type typ.
func (t *ImportTx) Row(typ connectors.RecordType, remoteID string) (ImportRow, bool, error) {
	var r ImportRow
	found, err := getJSON(t.rows, importKey(typ, remoteID), &r)
	return r, found, err
}

// OpenRows returns the rows of type typ that are not settled, oldest
// payment first.
func (t *ImportTx) OpenRows(typ connectors.RecordType) ([]ImportRow, error) {
	var out []ImportRow
	prefix := importKey(typ, "")
	c := t.open.Cursor()
	for k, _ := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, _ = c.Next() {
		var r ImportRow
		found, err := getJSON(t.rows, k, &r)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, r)
		}
	}
	sortImportRows(out)
	return out, nil
}

// PutRow stores r, stamping its times, keeps the open index in step and
// returns the row as stored.
func (t *ImportTx) PutRow(r ImportRow) (ImportRow, error) {
	if strings.TrimSpace(r.RemoteID) == "" {
		return ImportRow{}, sayErr(nil, "storage.import.payment_no_id")
	}
	if r.Kind == "" {
		r.Kind = ImportKindOf(r.Type)
	}
	if r.FirstSeen.IsZero() {
		r.FirstSeen = t.now
	}
	r.UpdatedAt = t.now
	key := importKey(r.Type, r.RemoteID)
	if err := putJSON(t.rows, key, r); err != nil {
		return ImportRow{}, err
	}
	var err error
	if r.Outcome.Settled() {
		err = t.open.Delete(key)
	} else {
		err = t.open.Put(key, []byte{})
	}
	return r, err
}

// Cursor returns when payments of type typ were last downloaded (the zero
// time when never).
func (t *ImportTx) Cursor(typ connectors.RecordType) (time.Time, error) {
	v := t.cursor.Get([]byte(typ))
	if v == nil {
		return time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, string(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("the import cursor of %s is damaged: %w", typ.Label(), err)
	}
	return at, nil
}

// SetCursor stores when payments of type typ were last downloaded.
func (t *ImportTx) SetCursor(typ connectors.RecordType, at time.Time) error {
	return t.cursor.Put([]byte(typ), []byte(at.UTC().Format(time.RFC3339Nano)))
}

// ImportCursor returns when payments of type typ were last downloaded for
// the module (the zero time when never), without writing anything.
func (db *DB) ImportCursor(ctx context.Context, module string, typ connectors.RecordType) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		imp, err := moduleSub(tx, module, subImports)
		if err != nil || imp == nil {
			return err
		}
		cur := imp.Bucket(bucketImportCursor)
		if cur == nil {
			return nil
		}
		at, err = (&ImportTx{cursor: cur}).Cursor(typ)
		return err
	})
	return at, err
}

// Get returns the workspace record r as this transaction sees it.
func (t *ImportTx) Get(r Ref) (StoredRecord, bool, error) { return getIn(t.tx, r) }

// Link returns the module's link of r.
func (t *ImportTx) Link(r Ref) (Link, bool, error) { return linkIn(t.tx, t.module, r) }

// CodeForRemoteID returns the code of the record of type typ linked to the
// package's remoteID.
func (t *ImportTx) CodeForRemoteID(typ connectors.RecordType, remoteID string) (string, bool, error) {
	return codeForRemoteIn(t.tx, t.module, typ, remoteID)
}

// PutFromPackage stores rec, a record the accounting package holds, with
// origin OriginModule(module) and links it to remoteID: the package holds
// its content (so it is never sent back) and mirrored is the fingerprint
// of the package's own version as mirroring would see it, so an unchanged
// package record does not overwrite it. It returns rec's head.
func (t *ImportTx) PutFromPackage(rec connectors.Record, remoteID string, mirrored Fingerprint, remoteUpdatedAt time.Time, url string) (RecordHead, error) {
	if err := rec.Validate(); err != nil {
		return RecordHead{}, err
	}
	if rec.Type.IsAncillary() {
		return RecordHead{}, readOnly(rec.Type, rec.Code())
	}
	if strings.TrimSpace(remoteID) == "" {
		return RecordHead{}, sayErr(nil, "storage.import.record_no_id", "Type", rec.Type.Text(), "Code", rec.Code())
	}
	var h RecordHead
	if _, err := t.w.put(OriginModule(t.module), rec, &h); err != nil {
		return RecordHead{}, err
	}
	ref := RefOf(rec)
	old, _, err := linkIn(t.tx, t.module, ref)
	if err != nil {
		return RecordHead{}, err
	}
	l := Link{RemoteID: remoteID, UploadedFingerprint: h.Fingerprint, MirroredFingerprint: mirrored,
		RemoteUpdatedAt: remoteUpdatedAt.UTC(), URL: url}
	if l.URL == "" && old.RemoteID == remoteID {
		l.URL = old.URL
	}
	return h, setLinkIn(t.tx, t.module, ref, l)
}

// PutPackageFigures stores rec, which differs from the stored record only
// in figures the accounting package works out itself (a document's total,
// amount due and status). The record keeps its origin and LocalID. Where
// the package was known to hold the stored content, it counts as holding
// the new content too, so the change is not sent as an update; where the
// record has changes still waiting to go, they still go.
func (t *ImportTx) PutPackageFigures(rec connectors.Record) (RecordHead, error) {
	if err := rec.Validate(); err != nil {
		return RecordHead{}, err
	}
	ref := RefOf(rec)
	prev, found, err := headIn(t.tx, ref)
	if err != nil {
		return RecordHead{}, err
	}
	if !found {
		return RecordHead{}, recordNotFound(ref.Type, ref.Code)
	}
	var h RecordHead
	if _, err := t.w.put(prev.Origin, rec, &h); err != nil {
		return RecordHead{}, err
	}
	l, linked, err := linkIn(t.tx, t.module, ref)
	if err != nil || !linked || !l.Holds(prev.Fingerprint) || h.Fingerprint == prev.Fingerprint {
		return h, err
	}
	l.UploadedFingerprint = h.Fingerprint
	return h, setLinkIn(t.tx, t.module, ref, l)
}

// Imports returns the module's Import grid rows whose payment date falls
// in [from, to), by payment date then reference. A zero from or to leaves
// that end open; rows without a date are shown whatever the filter.
func (db *DB) Imports(ctx context.Context, module string, from, to time.Time) ([]ImportRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []ImportRow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		imp, err := moduleSub(tx, module, subImports)
		if err != nil || imp == nil {
			return err
		}
		rows := imp.Bucket(bucketImportRows)
		if rows == nil {
			return nil
		}
		n := 0
		return rows.ForEach(func(k, v []byte) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var r ImportRow
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("an imported payment row cannot be read: %w", err)
			}
			if d := r.PaymentDate; !d.IsZero() {
				if !from.IsZero() && d.Before(from) || !to.IsZero() && !d.Before(to) {
					return nil
				}
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sortImportRows(out)
	return out, nil
}

func sortImportRows(rows []ImportRow) {
	slices.SortStableFunc(rows, func(a, b ImportRow) int {
		return cmp.Or(a.PaymentDate.Compare(b.PaymentDate.Time), strings.Compare(a.Reference, b.Reference),
			strings.Compare(string(a.Type), string(b.Type)), strings.Compare(a.RemoteID, b.RemoteID))
	})
}
