package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// GoneItem is a record the accounting package deleted or voided.
type GoneItem struct {
	Ref  Ref
	Gone Gone
	// Record, when set, replaces the workspace record with what the
	// package now says of it (a document's status voided, a payment with
	// its allocations taken off). The record keeps its origin, and the
	// package counts as holding this content.
	Record *connectors.Record
}

// MarkGone records, in one transaction, that the package deleted or voided
// items: each link is marked (so change detection never queues the record
// again), a row still waiting in Pending Export is taken out (one whose
// upload is uncertain is kept for reconciliation), and the latest
// Successfully Exported row says so. A record with no link is left alone:
// LedgerLink never had it from, or sent it to, this package.
func (db *DB) MarkGone(ctx context.Context, module string, items []GoneItem) (marked int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for _, it := range items {
		if it.Record != nil {
			if err := it.Record.Validate(); err != nil {
				return 0, err
			}
		}
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		marked = 0
		if _, err := moduleBucket(tx, module); err != nil {
			return err
		}
		w, err := newWorkspaceWriter(tx, db.now())
		if err != nil {
			return err
		}
		for _, it := range items {
			ok, err := markGoneIn(tx, module, w, it, db.now().UTC())
			if err != nil {
				return err
			}
			if ok {
				marked++
			}
		}
		return w.close()
	})
	if err != nil {
		return 0, fmt.Errorf("record what the accounting package deleted: %w", err)
	}
	return marked, nil
}

// MarkGone is DB.MarkGone for one item inside an import transaction.
func (t *ImportTx) MarkGone(it GoneItem) (bool, error) {
	if it.Record != nil {
		if err := it.Record.Validate(); err != nil {
			return false, err
		}
	}
	return markGoneIn(t.tx, t.module, t.w, it, t.now)
}

func markGoneIn(tx *bolt.Tx, module string, w *workspaceWriter, it GoneItem, now time.Time) (bool, error) {
	l, linked, err := linkIn(tx, module, it.Ref)
	if err != nil || !linked {
		return false, err
	}
	if it.Record != nil {
		prev, found, err := headIn(tx, it.Ref)
		if err != nil {
			return false, err
		}
		origin := OriginModule(module)
		if found {
			origin = prev.Origin
		}
		var h RecordHead
		if _, err := w.put(origin, *it.Record, &h); err != nil {
			return false, err
		}
		l.UploadedFingerprint, l.MirroredFingerprint = h.Fingerprint, h.Fingerprint
	}
	if l.Gone == "" || l.Gone != it.Gone {
		l.Gone, l.GoneAt = it.Gone, now
	}
	if err := setLinkIn(tx, module, it.Ref, l); err != nil {
		return false, err
	}
	queue, err := writeQueue(tx, module)
	if err != nil {
		return false, err
	}
	if q, queued, err := queue.get(it.Ref); err != nil {
		return false, err
	} else if queued && !q.Uncertain() {
		if err := queue.delete(it.Ref); err != nil {
			return false, err
		}
	}
	key, e, found, err := latestExportedIn(tx, module, it.Ref)
	if err != nil || !found {
		return true, err
	}
	e.Gone, e.GoneAt = l.Gone, l.GoneAt
	b, err := moduleSub(tx, module, subExported)
	if err != nil {
		return false, err
	}
	return true, putJSON(b, key, e)
}

// AddFeedback adds Error Feedback rows inside the import transaction.
func (t *ImportTx) AddFeedback(rows ...FeedbackRow) error {
	for _, r := range rows {
		if err := addFeedbackIn(t.tx, t.module, r, t.now); err != nil {
			return err
		}
	}
	return nil
}
