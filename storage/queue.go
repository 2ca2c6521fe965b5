package storage

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// The export queue (Pending Export) of a module, one item per record:
//
//	modules/<m>/queue/<type> 0 <code> -> QueueItem (JSON)
//
// An item's life: pending -> inflight (its idempotency key written in the
// same transaction, before the request leaves) -> gone (delivered: a link
// and an exported row are written in the transaction that removes it) or
// back to pending (refused by the package: key dropped, feedback written; or
// outcome unknown: key kept, so the next attempt looks the record up in the
// package first and resends under the same key).
const subQueue = "queue"

// Kind says whether an item creates or updates the package's record.
type Kind string

const (
	KindNew     Kind = "new"
	KindUpdated Kind = "updated"
)

// State is where an item stands in its upload.
type State string

const (
	StatePending  State = "pending"
	StateInflight State = "inflight"
)

// CheckStatus is the outcome of an item's pre-check.
type CheckStatus string

const (
	CheckNotRun   CheckStatus = ""
	CheckOK       CheckStatus = "ok"
	CheckProblems CheckStatus = "problems"
)

// Problem is one reason an item cannot be uploaded, in plain words.
type Problem struct {
	// Rule names the pre-check rule (for tests and filters).
	Rule  string `json:"rule"`
	Cause string `json:"cause"`
	Fix   string `json:"fix"`
	// Key and Args are the explanation behind Cause and Fix (a
	// connectors.Explanation's), so a face can say the problem again in its
	// reader's language; empty where none applied and on older rows.
	Key  string            `json:"key,omitempty"`
	Args map[string]string `json:"args,omitempty"`
}

// Check is an item's latest pre-check.
type Check struct {
	Status   CheckStatus `json:"status,omitempty"`
	Problems []Problem   `json:"problems,omitempty"`
	// Notes say, in plain words, what will happen besides the upload
	// itself (a product that will be created first); they do not stop it.
	Notes     []string  `json:"notes,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// QueueItem is one row of Pending Export.
type QueueItem struct {
	Type       connectors.RecordType `json:"type"`
	Code       string                `json:"code"`
	Kind       Kind                  `json:"kind"`
	SourceDate connectors.Date       `json:"source_date,omitzero"`
	// Fingerprint is the workspace content waiting to go.
	Fingerprint Fingerprint `json:"fingerprint"`
	Check       Check       `json:"check,omitzero"`
	State       State       `json:"state"`
	// Key is the idempotency key of the attempt in progress or whose outcome
	// is unknown; empty when no attempt is open.
	Key string `json:"key,omitempty"`
	// SentFingerprint is the content sent under Key.
	SentFingerprint Fingerprint `json:"sent_fingerprint,omitzero"`
	Attempts        int         `json:"attempts,omitempty"`
	QueuedAt        time.Time   `json:"queued_at"`
}

// Ref is the item's record reference.
func (q QueueItem) Ref() Ref { return Ref{Type: q.Type, Code: q.Code} }

// Uncertain reports whether an attempt may have reached the package without
// LedgerLink learning the outcome: such an item must be looked up in the
// package before it is sent again.
func (q QueueItem) Uncertain() bool { return q.State == StateInflight || q.Key != "" }

func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make an idempotency key: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // UUID version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

func queueItemIn(b *bolt.Bucket, r Ref) (QueueItem, bool, error) {
	if b == nil {
		return QueueItem{}, false, nil
	}
	v := b.Get(r.key())
	if v == nil {
		return QueueItem{}, false, nil
	}
	q, err := decodeQueueItem(v)
	if err != nil {
		return QueueItem{}, true, pendingUnreadable(r, err)
	}
	return q, true, nil
}

// pendingUnreadable is the failure to read r's row in Pending Export.
func pendingUnreadable(r Ref, err error) error {
	return sayErr(err, "storage.pending.unreadable", "Type", r.Type.Text(), "Code", r.Code)
}

// refOfKey is the record a key of Pending Export names; a key that names
// none is taken as a code.
func refOfKey(k []byte) Ref {
	if r, ok := parseRefKey(k); ok {
		return r
	}
	return Ref{Code: string(k)}
}

// queueItemVersion is the layout queue items are written in;
// queueItemVersion1 items (no pre-check notes) and queueItemVersion2 items
// (no explanation keys on their problems) are still read.
const (
	queueItemVersion1 = 1
	queueItemVersion2 = 2
	queueItemVersion  = 3
)

func encodeQueueItem(q QueueItem) []byte {
	b := make([]byte, 0, 160+len(q.Code)+len(q.Key))
	b = append(b, queueItemVersion)
	b = appendStr(b, string(q.Type))
	b = appendStr(b, q.Code)
	b = appendStr(b, string(q.Kind))
	b = appendTime(b, q.SourceDate.Time)
	b = append(b, q.Fingerprint[:]...)
	b = appendStr(b, string(q.Check.Status))
	b = binary.AppendUvarint(b, uint64(len(q.Check.Problems)))
	for _, p := range q.Check.Problems {
		b = appendStr(b, p.Rule)
		b = appendStr(b, p.Cause)
		b = appendStr(b, p.Fix)
	}
	b = appendTime(b, q.Check.CheckedAt)
	b = appendStr(b, string(q.State))
	b = appendStr(b, q.Key)
	b = append(b, q.SentFingerprint[:]...)
	b = binary.AppendUvarint(b, uint64(q.Attempts))
	b = appendTime(b, q.QueuedAt)
	b = binary.AppendUvarint(b, uint64(len(q.Check.Notes)))
	for _, n := range q.Check.Notes {
		b = appendStr(b, n)
	}
	for _, p := range q.Check.Problems {
		b = appendStr(b, p.Key)
		b = binary.AppendUvarint(b, uint64(len(p.Args)))
		for _, k := range slices.Sorted(maps.Keys(p.Args)) {
			b = appendStr(b, k)
			b = appendStr(b, p.Args[k])
		}
	}
	return b
}

func decodeQueueItem(v []byte) (QueueItem, error) {
	r := &binReader{b: v}
	version := r.byte()
	if version != queueItemVersion && version != queueItemVersion2 && version != queueItemVersion1 {
		return QueueItem{}, errors.New("stored value has an unknown layout") // words:log: detail; the callers say which row in words
	}
	var q QueueItem
	q.Type = connectors.RecordType(r.str())
	q.Code = r.str()
	q.Kind = Kind(r.str())
	if t := r.time(); !t.IsZero() {
		q.SourceDate = connectors.Date{Time: t}
	}
	q.Fingerprint = r.fingerprint()
	q.Check.Status = CheckStatus(r.str())
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		q.Check.Problems = append(q.Check.Problems, Problem{Rule: r.str(), Cause: r.str(), Fix: r.str()})
	}
	q.Check.CheckedAt = r.time()
	q.State = State(r.str())
	q.Key = r.str()
	q.SentFingerprint = r.fingerprint()
	q.Attempts = int(r.uvarint())
	q.QueuedAt = r.time()
	if version >= queueItemVersion2 {
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			q.Check.Notes = append(q.Check.Notes, r.str())
		}
	}
	if version >= queueItemVersion {
		for i := range q.Check.Problems {
			if r.err != nil {
				break
			}
			p := &q.Check.Problems[i]
			p.Key = r.str()
			n := r.uvarint()
			if n > uint64(len(r.b)) {
				r.fail()
			}
			for j := uint64(0); j < n && r.err == nil; j++ {
				if p.Args == nil {
					p.Args = map[string]string{}
				}
				k := r.str()
				p.Args[k] = r.str()
			}
		}
	}
	if err := r.end(); err != nil {
		return QueueItem{}, err
	}
	return q, nil
}

// subQueueOpen indexes the queue items whose upload is open or uncertain,
// so reconciling before an upload costs what is uncertain, not the queue.
const subQueueOpen = "queue_open"

// queueTx is a module's queue inside a write transaction; it keeps the
// index of open items in step.
type queueTx struct{ items, open *bolt.Bucket }

func writeQueue(tx *bolt.Tx, module string) (queueTx, error) {
	items, err := moduleSub(tx, module, subQueue)
	if err != nil {
		return queueTx{}, err
	}
	open, err := moduleSub(tx, module, subQueueOpen)
	if err != nil {
		return queueTx{}, err
	}
	return queueTx{items: items, open: open}, nil
}

func (q queueTx) get(r Ref) (QueueItem, bool, error) { return queueItemIn(q.items, r) }

func (q queueTx) put(it QueueItem) error {
	k := it.Ref().key()
	if err := q.items.Put(k, encodeQueueItem(it)); err != nil {
		return err
	}
	if it.Uncertain() {
		return q.open.Put(k, []byte{})
	}
	return q.open.Delete(k)
}

func (q queueTx) delete(r Ref) error {
	if err := q.items.Delete(r.key()); err != nil {
		return err
	}
	return q.open.Delete(r.key())
}

// RefreshStats says what a queue refresh did.
type RefreshStats struct {
	// Full is set when every record was looked at (first refresh, or the
	// sync levels changed), not only the changes.
	Full    bool `json:"full"`
	Scanned int  `json:"scanned"`
	Queued  int  `json:"queued"`
	Removed int  `json:"removed"`
}

// Decide is change detection's verdict on one changed record: the queue item
// it should have, or nil for none. It runs inside a write transaction and
// must do no I/O. link and item are nil when absent.
type Decide func(h RecordHead, link *Link, item *QueueItem) *QueueItem

// RefreshQueue brings the module's queue up to date with the workspace in one
// transaction: decide is called for every record changed since the module's
// change cursor (or for every record of types when levels differs from the
// cursor's), and the cursor moves to the latest change. An item whose upload
// is open or uncertain keeps its state, key and attempts whatever decide
// says, so exactly-once delivery survives any change of content or levels.
func (db *DB) RefreshQueue(ctx context.Context, module, levels string, types []connectors.RecordType, decide Decide) (RefreshStats, error) {
	if err := ctx.Err(); err != nil {
		return RefreshStats{}, err
	}
	var st RefreshStats
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		st = RefreshStats{}
		cur, err := changeCursorIn(tx, module)
		if err != nil {
			return err
		}
		queue, err := writeQueue(tx, module)
		if err != nil {
			return err
		}
		links, err := moduleSub(tx, module, subLinks)
		if err != nil {
			return err
		}
		wanted := map[connectors.RecordType]bool{}
		for _, t := range types {
			wanted[t] = true
		}
		now := db.now().UTC()
		visit := func(h RecordHead) error {
			if !wanted[h.Type] {
				return nil
			}
			st.Scanned++
			var link *Link
			if v := links.Get(h.Ref().key()); v != nil {
				l, err := decodeLink(v)
				if err != nil {
					return linkUnreadable(h.Ref(), err)
				}
				link = &l
			}
			old, hadOld, err := queue.get(h.Ref())
			if err != nil {
				return err
			}
			var item *QueueItem
			if hadOld {
				cp := old
				item = &cp
			}
			next := decide(h, link, item)
			switch {
			case next == nil && hadOld && old.Uncertain():
				// The package may already hold it: keep it for reconciliation.
				return nil
			case next == nil && hadOld:
				st.Removed++
				return queue.delete(h.Ref())
			case next == nil:
				return nil
			}
			n := *next
			n.Type, n.Code = h.Type, h.Code
			if hadOld {
				n.State, n.Key, n.SentFingerprint, n.Attempts = old.State, old.Key, old.SentFingerprint, old.Attempts
				if n.QueuedAt.IsZero() {
					n.QueuedAt = old.QueuedAt
				}
				if old.Fingerprint == n.Fingerprint && n.Check.Status == CheckNotRun {
					n.Check = old.Check
				}
			} else {
				n.State, n.Key, n.SentFingerprint, n.Attempts = StatePending, "", Fingerprint{}, 0
			}
			if n.QueuedAt.IsZero() {
				n.QueuedAt = now
			}
			if !hadOld {
				st.Queued++
			}
			return queue.put(n)
		}
		last := readU64(nil)
		if m := tx.Bucket(bucketWorkspaceMeta); m != nil {
			last = readU64(m.Get(keySeq))
		}
		if cur.Levels != levels || cur.Seq == 0 {
			st.Full = true
			err = allHeadsIn(ctx, tx, types, visit)
		} else {
			err = changedSinceIn(ctx, tx, cur.Seq, visit)
		}
		if err != nil {
			return err
		}
		return setChangeCursorIn(tx, module, ChangeCursor{Seq: last, Levels: levels})
	})
	if err != nil {
		return RefreshStats{}, fmt.Errorf("refresh Pending Export: %w", err)
	}
	return st, nil
}

// Queue returns every item of the module's Pending Export, in key order.
func (db *DB) Queue(ctx context.Context, module string) ([]QueueItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []QueueItem
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subQueue)
		if err != nil || b == nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			q, err := decodeQueueItem(v)
			if err != nil {
				return pendingUnreadable(refOfKey(k), err)
			}
			out = append(out, q)
			return nil
		})
	})
	return out, err
}

// QueueItem returns the module's pending item for r; found is false when r
// is not pending.
func (db *DB) QueueItem(ctx context.Context, module string, r Ref) (QueueItem, bool, error) {
	if err := ctx.Err(); err != nil {
		return QueueItem{}, false, err
	}
	var q QueueItem
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subQueue)
		if err != nil || b == nil {
			return err
		}
		q, found, err = queueItemIn(b, r)
		return err
	})
	return q, found, err
}

// SetChecks stores pre-check outcomes on the items still pending with the
// fingerprint that was checked.
func (db *DB) SetChecks(ctx context.Context, module string, checks map[Ref]CheckedContent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subQueue)
		if err != nil {
			return err
		}
		for r, c := range checks {
			q, found, err := queueItemIn(b, r)
			if err != nil {
				return err
			}
			if !found || q.Fingerprint != c.Fingerprint {
				continue
			}
			q.Check = c.Check
			if err := b.Put(r.key(), encodeQueueItem(q)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CheckedContent is a pre-check outcome for one content of a record.
type CheckedContent struct {
	Fingerprint Fingerprint
	Check       Check
}

// SendItem is an item about to be sent with content Fingerprint.
type SendItem struct {
	Ref         Ref
	Fingerprint Fingerprint
	// Check, when set, is stored as the item's pre-check outcome.
	Check *Check
}

// MarkInflight marks items inflight in one transaction, before anything is
// sent: each keeps the idempotency key of an earlier uncertain attempt or
// gets a new one. It returns the marked items with their keys; items no
// longer pending are left out.
func (db *DB) MarkInflight(ctx context.Context, module string, items []SendItem) ([]QueueItem, error) {
	return db.CompleteAndMark(ctx, module, nil, items)
}

// CompleteAndMark applies the outcomes of one batch (as Complete) and marks
// the next batch inflight (as MarkInflight) in a single transaction.
func (db *DB) CompleteAndMark(ctx context.Context, module string, outcomes []Outcome, next []SendItem) ([]QueueItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []QueueItem
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out = out[:0]
		queue, err := writeQueue(tx, module)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		if err := completeIn(tx, module, queue, outcomes, now); err != nil {
			return fmt.Errorf("record upload results: %w", err)
		}
		for _, s := range next {
			q, found, err := queue.get(s.Ref)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			if q.Key == "" {
				if q.Key, err = newKey(); err != nil {
					return err
				}
			}
			q.State = StateInflight
			q.SentFingerprint = s.Fingerprint
			q.Attempts++
			if s.Check != nil {
				q.Check = *s.Check
			}
			if err := queue.put(q); err != nil {
				return fmt.Errorf("record the upload about to start: %w", err)
			}
			out = append(out, q)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UncertainItems returns the module's items whose upload is open or whose
// outcome is unknown: they must be looked up in the package before anything
// is sent.
func (db *DB) UncertainItems(ctx context.Context, module string) ([]QueueItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []QueueItem
	err := db.bolt.View(func(tx *bolt.Tx) error {
		open, err := moduleSub(tx, module, subQueueOpen)
		if err != nil || open == nil {
			return err
		}
		items, err := moduleSub(tx, module, subQueue)
		if err != nil || items == nil {
			return err
		}
		return open.ForEach(func(k, _ []byte) error {
			v := items.Get(k)
			if v == nil {
				return nil
			}
			q, err := decodeQueueItem(v)
			if err != nil {
				return pendingUnreadable(refOfKey(k), err)
			}
			if q.Uncertain() {
				out = append(out, q)
			}
			return nil
		})
	})
	return out, err
}

// Verdict is what became of one sent item.
type Verdict int

const (
	// Delivered: the package holds the record (its answer said so, or a
	// lookup after an unknown outcome found it).
	Delivered Verdict = iota + 1
	// Rejected: the package refused the record; it was not created.
	Rejected
	// Unknown: no verdict (lost reply, whole-batch failure); the key is kept.
	Unknown
	// Withdrawn: marked inflight but never sent (the run stopped first);
	// back to pending without its key.
	Withdrawn
)

// Outcome is the result of sending one item.
type Outcome struct {
	Ref     Ref
	Key     string
	Verdict Verdict
	// Kind is the item's kind (new or updated).
	Kind Kind
	// Fingerprint is the content the package received (Delivered).
	Fingerprint     Fingerprint
	RemoteID        string
	URL             string
	RemoteUpdatedAt time.Time
	// Verified is set when the package was read and shows the record.
	Verified bool
	// Mirrored is the fingerprint of the record as read back, if it was.
	Mirrored Fingerprint
	// KeepChanges keeps the item pending as an update when the record
	// changed after it was sent (the sync level allows updates).
	KeepChanges bool
	// Feedback is written for a Rejected item.
	Feedback *FeedbackRow
}

// Complete applies outcomes in one transaction: a delivered item gets its
// link and an exported row and leaves the queue (or stays as an update if it
// changed meanwhile); a rejected one drops its key and gets its feedback row;
// an unknown one goes back to pending with its key.
func (db *DB) Complete(ctx context.Context, module string, outcomes []Outcome) error {
	_, err := db.CompleteAndMark(ctx, module, outcomes, nil)
	return err
}

func completeIn(tx *bolt.Tx, module string, queue queueTx, outcomes []Outcome, now time.Time) error {
	for _, o := range outcomes {
		q, found, err := queue.get(o.Ref)
		if err != nil {
			return err
		}
		current := found && q.Key == o.Key
		switch o.Verdict {
		case Delivered:
			if err := deliverIn(tx, module, o, q, found, now); err != nil {
				return err
			}
			if !current {
				continue
			}
			if q.Fingerprint == o.Fingerprint || !o.KeepChanges {
				if err := queue.delete(o.Ref); err != nil {
					return err
				}
				continue
			}
			q.Kind, q.State, q.Key, q.SentFingerprint, q.Check = KindUpdated, StatePending, "", Fingerprint{}, Check{}
		case Rejected:
			if o.Feedback != nil {
				if err := addFeedbackIn(tx, module, *o.Feedback, now); err != nil {
					return err
				}
			}
			if !current {
				continue
			}
			q.State, q.Key, q.SentFingerprint = StatePending, "", Fingerprint{}
		case Unknown:
			if !current {
				continue
			}
			q.State = StatePending
		case Withdrawn:
			if !current {
				continue
			}
			q.State, q.Key, q.SentFingerprint = StatePending, "", Fingerprint{}
		default:
			return fmt.Errorf("outcome of %s has no verdict", o.Ref) // words:log: the engine always gives a verdict
		}
		if err := queue.put(q); err != nil {
			return err
		}
	}
	return nil
}

func deliverIn(tx *bolt.Tx, module string, o Outcome, q QueueItem, queued bool, now time.Time) error {
	old, hadLink, err := linkIn(tx, module, o.Ref)
	if err != nil {
		return err
	}
	l := Link{
		RemoteID:            o.RemoteID,
		UploadedFingerprint: o.Fingerprint,
		MirroredFingerprint: old.MirroredFingerprint,
		RemoteUpdatedAt:     old.RemoteUpdatedAt,
		URL:                 o.URL,
	}
	if l.RemoteID == "" {
		l.RemoteID = old.RemoteID
	}
	if l.URL == "" {
		l.URL = old.URL
	}
	if !o.Mirrored.IsZero() {
		l.MirroredFingerprint = o.Mirrored
	}
	if !o.RemoteUpdatedAt.IsZero() {
		l.RemoteUpdatedAt = o.RemoteUpdatedAt
	}
	if err := replaceLinkIn(tx, module, o.Ref, old, l); err != nil {
		return err
	}
	kind := o.Kind
	switch {
	case queued && q.Kind != "":
		kind = q.Kind
	case kind == "" && hadLink:
		kind = KindUpdated
	case kind == "":
		kind = KindNew
	}
	_, err = addExportedIn(tx, module, exportedEntry{ExportedRow: ExportedRow{
		Type: o.Ref.Type, Code: o.Ref.Code, Kind: kind, ExportedAt: now,
		RemoteID: l.RemoteID, Verified: o.Verified, URL: l.URL,
	}})
	return err
}

// Refusal says why one record was not marked.
type Refusal struct {
	Ref    Ref    `json:"ref"`
	Reason string `json:"reason"`
}

// MarkExported moves pending items to Successfully Exported by hand, in one
// transaction: the package is taken to hold the record's current content,
// the row is not Verified, and it can be undone with MarkNotExported. Refs
// that are not pending are refused with the reason.
func (db *DB) MarkExported(ctx context.Context, module string, refs []Ref) ([]Refusal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var refused []Refusal
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		refused = refused[:0]
		queue, err := writeQueue(tx, module)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		for _, r := range refs {
			q, found, err := queue.get(r)
			if err != nil {
				return err
			}
			if !found {
				refused = append(refused, Refusal{Ref: r, Reason: db.Words().T("storage.mark.not_pending")})
				continue
			}
			h, inWorkspace, err := headIn(tx, r)
			if err != nil {
				return err
			}
			fp := q.Fingerprint
			if inWorkspace {
				fp = h.Fingerprint
			}
			old, hadLink, err := linkIn(tx, module, r)
			if err != nil {
				return err
			}
			l := old
			l.UploadedFingerprint, l.Manual = fp, true
			if err := setLinkIn(tx, module, r, l); err != nil {
				return err
			}
			e := exportedEntry{ExportedRow: ExportedRow{
				Type: r.Type, Code: r.Code, Kind: q.Kind, ExportedAt: now,
				RemoteID: l.RemoteID, URL: l.URL, Manual: true,
			}}
			if hadLink {
				e.PrevLink = &old
			}
			if _, err := addExportedIn(tx, module, e); err != nil {
				return err
			}
			if err := queue.delete(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark as exported: %w", err)
	}
	return refused, nil
}

// MarkNotExported undoes MarkExported for rows marked by hand, in one
// transaction: the link is put back as it was and the record returns to
// Pending Export. Rows the package really received are refused with the
// reason.
func (db *DB) MarkNotExported(ctx context.Context, module string, refs []Ref) ([]Refusal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var refused []Refusal
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		refused = refused[:0]
		queue, err := writeQueue(tx, module)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		for _, r := range refs {
			key, e, found, err := latestExportedIn(tx, module, r)
			if err != nil {
				return err
			}
			if !found {
				refused = append(refused, Refusal{Ref: r, Reason: db.Words().T("storage.mark.not_exported")})
				continue
			}
			if !e.Manual {
				refused = append(refused, Refusal{Ref: r, Reason: db.Words().T("storage.mark.uploaded")})
				continue
			}
			if e.PrevLink != nil {
				err = setLinkIn(tx, module, r, *e.PrevLink)
			} else {
				err = deleteLinkIn(tx, module, r)
			}
			if err != nil {
				return err
			}
			if err := deleteExportedIn(tx, module, key, r); err != nil {
				return err
			}
			h, inWorkspace, err := headIn(tx, r)
			if err != nil {
				return err
			}
			if !inWorkspace {
				continue
			}
			kind := KindNew
			if e.PrevLink != nil {
				kind = KindUpdated
			}
			if err := queue.put(QueueItem{
				Type: r.Type, Code: r.Code, Kind: kind, SourceDate: h.Date,
				Fingerprint: h.Fingerprint, State: StatePending, QueuedAt: now,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark as not exported: %w", err)
	}
	return refused, nil
}
