package storage

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// The Successfully Exported log of a module:
//
//	modules/<m>/exported/<at unix ns u64><n u64> -> exportedEntry (JSON)
//	modules/<m>/exported_by_ref/<type> 0 <code>  -> key of the latest row
//	modules/<m>/unverified/<row key>             -> ref key (rows not yet read back)
//
// Rows are keyed by time, so a date filter seeks straight to its first row.
const (
	subExported      = "exported"
	subExportedByRef = "exported_by_ref"
	subUnverified    = "unverified"
)

// ExportedRow is one row of Successfully Exported.
type ExportedRow struct {
	// ID identifies the row (for verification).
	ID         string                `json:"id"`
	Type       connectors.RecordType `json:"type"`
	Code       string                `json:"code"`
	Kind       Kind                  `json:"kind"`
	ExportedAt time.Time             `json:"exported_at"`
	RemoteID   string                `json:"remote_id,omitempty"`
	// Verified is ticked once the package was read back and shows the record.
	Verified bool `json:"verified"`
	// Manual rows were marked as exported by hand.
	Manual bool   `json:"manual,omitempty"`
	URL    string `json:"url,omitempty"`
	// Gone says the package later deleted or voided the record, and GoneAt
	// when LedgerLink learnt it.
	Gone   Gone      `json:"gone,omitempty"`
	GoneAt time.Time `json:"gone_at,omitzero"`
}

// Ref is the row's record reference.
func (e ExportedRow) Ref() Ref { return Ref{Type: e.Type, Code: e.Code} }

// exportedEntry is a stored row with what undoing a manual mark needs.
type exportedEntry struct {
	ExportedRow
	// PrevLink is the link before a manual mark (nil when there was none).
	PrevLink *Link `json:"prev_link,omitempty"`
}

func exportedKey(at time.Time, n uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], n)
	return k
}

func addExportedIn(tx *bolt.Tx, module string, e exportedEntry) ([]byte, error) {
	b, err := moduleSub(tx, module, subExported)
	if err != nil {
		return nil, err
	}
	byRef, err := moduleSub(tx, module, subExportedByRef)
	if err != nil {
		return nil, err
	}
	n, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	key := exportedKey(e.ExportedAt, n)
	e.ID = hex.EncodeToString(key)
	if err := putJSON(b, key, e); err != nil {
		return nil, err
	}
	ref := e.Ref().key()
	if err := byRef.Put(ref, key); err != nil {
		return nil, err
	}
	if !e.Verified && !e.Manual {
		unv, err := moduleSub(tx, module, subUnverified)
		if err != nil {
			return nil, err
		}
		if err := unv.Put(key, ref); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func latestExportedIn(tx *bolt.Tx, module string, r Ref) ([]byte, exportedEntry, bool, error) {
	byRef, err := moduleSub(tx, module, subExportedByRef)
	if err != nil || byRef == nil {
		return nil, exportedEntry{}, false, err
	}
	key := byRef.Get(r.key())
	if key == nil {
		return nil, exportedEntry{}, false, nil
	}
	key = append([]byte(nil), key...)
	b, err := moduleSub(tx, module, subExported)
	if err != nil {
		return nil, exportedEntry{}, false, err
	}
	var e exportedEntry
	found, err := getJSON(b, key, &e)
	return key, e, found, err
}

// deleteExportedIn removes row key of r; r's latest-row index then points at
// r's previous row, if any.
func deleteExportedIn(tx *bolt.Tx, module string, key []byte, r Ref) error {
	b, err := moduleSub(tx, module, subExported)
	if err != nil {
		return err
	}
	byRef, err := moduleSub(tx, module, subExportedByRef)
	if err != nil {
		return err
	}
	unv, err := moduleSub(tx, module, subUnverified)
	if err != nil {
		return err
	}
	if err := b.Delete(key); err != nil {
		return err
	}
	if err := unv.Delete(key); err != nil {
		return err
	}
	// Find r's previous row, walking back in time. Rows of one record are
	// few; a record exported often is still a short walk from its last row.
	c := b.Cursor()
	c.Seek(key)
	for k, v := c.Prev(); k != nil; k, v = c.Prev() {
		var e ExportedRow
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("an exported row cannot be read: %w", err)
		}
		if e.Ref() == r {
			return byRef.Put(r.key(), k)
		}
	}
	return byRef.Delete(r.key())
}

// Exported returns the module's Successfully Exported rows with ExportedAt
// in [from, to), oldest first. A zero from or to leaves that end open.
func (db *DB) Exported(ctx context.Context, module string, from, to time.Time) ([]ExportedRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []ExportedRow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subExported)
		if err != nil || b == nil {
			return err
		}
		out, err = decodeByTime[ExportedRow](b, from, to, subExported)
		return err
	})
	return out, err
}

// scanByTime calls fn for each value of a time-keyed bucket in [from, to).
// decodeByTime decodes the JSON rows of b whose time-ordered keys fall in
// [from, to); what names a row in the error for one that cannot be read.
func decodeByTime[T any](b *bolt.Bucket, from, to time.Time, what string) ([]T, error) {
	var out []T
	err := scanByTime(b, from, to, func(v []byte) error {
		var row T
		if err := json.Unmarshal(v, &row); err != nil {
			return fmt.Errorf("%s cannot be read: %w", what, err)
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

func scanByTime(b *bolt.Bucket, from, to time.Time, fn func(v []byte) error) error {
	c := b.Cursor()
	var k, v []byte
	if from.IsZero() {
		k, v = c.First()
	} else {
		k, v = c.Seek(exportedKey(from, 0))
	}
	var end []byte
	if !to.IsZero() {
		end = exportedKey(to, 0)
	}
	for ; k != nil; k, v = c.Next() {
		if end != nil && string(k) >= string(end) {
			return nil
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// Unverified returns up to limit of the module's uploaded rows that were not
// yet read back, oldest first (limit <= 0: all).
func (db *DB) Unverified(ctx context.Context, module string, limit int) ([]ExportedRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []ExportedRow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		unv, err := moduleSub(tx, module, subUnverified)
		if err != nil || unv == nil {
			return err
		}
		b, err := moduleSub(tx, module, subExported)
		if err != nil || b == nil {
			return err
		}
		c := unv.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if limit > 0 && len(out) >= limit {
				return nil
			}
			var e ExportedRow
			found, err := getJSON(b, k, &e)
			if err != nil {
				return err
			}
			if found {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Verification is the read-back of one exported row.
type Verification struct {
	// ID is the exported row's ID.
	ID string
	// Mirrored is the fingerprint of the record as read back (optional).
	Mirrored        Fingerprint
	RemoteUpdatedAt time.Time
}

// MarkVerified ticks Verified on exported rows, in one transaction, and
// records on the links what the package showed.
func (db *DB) MarkVerified(ctx context.Context, module string, vs []Verification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subExported)
		if err != nil {
			return err
		}
		unv, err := moduleSub(tx, module, subUnverified)
		if err != nil {
			return err
		}
		for _, v := range vs {
			key, err := hex.DecodeString(v.ID)
			if err != nil || len(key) != 16 {
				return sayErr(nil, "storage.exported.not_a_row", "ID", strconv.Quote(v.ID))
			}
			var e exportedEntry
			found, err := getJSON(b, key, &e)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			e.Verified = true
			if err := putJSON(b, key, e); err != nil {
				return err
			}
			if err := unv.Delete(key); err != nil {
				return err
			}
			if v.Mirrored.IsZero() && v.RemoteUpdatedAt.IsZero() {
				continue
			}
			l, linked, err := linkIn(tx, module, e.Ref())
			if err != nil {
				return err
			}
			if !linked || l.RemoteID != e.RemoteID {
				continue
			}
			if !v.Mirrored.IsZero() {
				l.MirroredFingerprint = v.Mirrored
			}
			if !v.RemoteUpdatedAt.IsZero() {
				l.RemoteUpdatedAt = v.RemoteUpdatedAt
			}
			if err := setLinkIn(tx, module, e.Ref(), l); err != nil {
				return err
			}
		}
		return nil
	})
}
