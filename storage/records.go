package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// The workspace is shared by every module: one record per (type, code).
//
//	workspace/<type>/<code>   -> entry (binary head + canonical JSON)
//	workspace_seq/<seq u64>   -> <type> 0x00 <code>   (change index)
//	workspace_meta/seq, /local_id -> counters
//
// Every change of content takes a new sequence number and moves the record's
// entry in the change index, so "what changed since N" walks only the
// changes, not the book.
var (
	bucketWorkspace     = []byte("workspace")
	bucketWorkspaceSeq  = []byte("workspace_seq")
	bucketWorkspaceMeta = []byte("workspace_meta")
	keySeq              = []byte("seq")
	keyLocalID          = []byte("local_id")
)

// OriginLocal marks records fed by the business system.
const OriginLocal = "local"

// OriginModule is the origin of records mirrored from module m.
func OriginModule(m string) string { return "module:" + m }

// Fingerprint is the sha256 of a record's canonical JSON encoding: two
// records with the same content have the same fingerprint.
type Fingerprint [sha256.Size]byte

// IsZero reports whether the fingerprint is unset.
func (f Fingerprint) IsZero() bool { return f == Fingerprint{} }

// String is the fingerprint in hex ("" when unset).
func (f Fingerprint) String() string {
	if f.IsZero() {
		return ""
	}
	return hex.EncodeToString(f[:])
}

// MarshalText writes the fingerprint as hex ("" when unset).
func (f Fingerprint) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads a hex fingerprint; "" is the unset fingerprint.
func (f *Fingerprint) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*f = Fingerprint{}
		return nil
	}
	if hex.DecodedLen(len(b)) != len(f) {
		return fmt.Errorf("fingerprint %q has the wrong length", b) // words:log: detail of a decoding its caller names
	}
	_, err := hex.Decode(f[:], b)
	return err
}

// Canonical returns the canonical JSON encoding of rec and its fingerprint.
// encoding/json writes struct fields in declaration order and map keys
// sorted, and decimals in their shortest form, so equal content always gives
// equal bytes.
func Canonical(rec connectors.Record) ([]byte, Fingerprint, error) {
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, Fingerprint{}, fmt.Errorf("encode %s %s: %w", rec.Type.Label(), rec.Code(), err)
	}
	return raw, sha256.Sum256(raw), nil
}

// FingerprintOf returns rec's fingerprint.
func FingerprintOf(rec connectors.Record) (Fingerprint, error) {
	_, fp, err := Canonical(rec)
	return fp, err
}

// Ref names one record: its type and its business code.
type Ref struct {
	Type connectors.RecordType `json:"type"`
	Code string                `json:"code"`
}

// RefOf returns the record's Ref.
func RefOf(rec connectors.Record) Ref { return Ref{Type: rec.Type, Code: rec.Code()} }

// String renders the ref as "type:code", the form ParseRef reads.
func (r Ref) String() string { return string(r.Type) + ":" + r.Code }

// ParseRef reads "type:code" (the type by identifier or label, e.g.
// "sales_invoice:INV-001" or "Sales Invoices:INV-001").
func ParseRef(s string) (Ref, error) {
	typ, code, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(code) == "" {
		return Ref{}, sayErr(nil, "storage.ref.malformed", "Ref", strconv.Quote(s))
	}
	t, err := connectors.ParseRecordType(typ)
	if err != nil {
		return Ref{}, sayErr(err, "storage.ref.unknown_type", "Ref", strconv.Quote(s))
	}
	return Ref{Type: t, Code: strings.TrimSpace(code)}, nil
}

func (r Ref) key() []byte { return refKey(r.Type, r.Code) }

func refKey(t connectors.RecordType, code string) []byte {
	k := make([]byte, 0, len(t)+1+len(code))
	k = append(k, t...)
	k = append(k, 0)
	return append(k, code...)
}

func parseRefKey(k []byte) (Ref, bool) {
	t, code, ok := bytes.Cut(k, []byte{0})
	if !ok {
		return Ref{}, false
	}
	return Ref{Type: connectors.RecordType(t), Code: string(code)}, true
}

// RecordHead is what the workspace knows of a record without decoding it.
type RecordHead struct {
	Type connectors.RecordType `json:"type"`
	Code string                `json:"code"`
	// LocalID is assigned on the record's first put and never changes.
	LocalID     uint64      `json:"local_id"`
	Fingerprint Fingerprint `json:"fingerprint"`
	// Seq is the change sequence number of the record's last change.
	Seq       uint64    `json:"seq"`
	UpdatedAt time.Time `json:"updated_at"`
	// Origin is OriginLocal or OriginModule(m).
	Origin string `json:"origin"`
	// Date is the record's own date (documents, payments, journals).
	Date connectors.Date `json:"date,omitzero"`
}

// Ref is the head's record reference.
func (h RecordHead) Ref() Ref { return Ref{Type: h.Type, Code: h.Code} }

// StoredRecord is a workspace record with its head.
type StoredRecord struct {
	RecordHead
	Record connectors.Record `json:"record"`
}

// PutResult counts what PutRecords did.
type PutResult struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ErrReadOnlyType refuses local changes to reference data, which belongs to
// the accounting package.
var ErrReadOnlyType = errors.New("this kind of record comes from the accounting package and cannot be changed in LedgerLink") // words:log: a kind for errors.Is; a person reads readOnly's words

// readOnly is ErrReadOnlyType for the record of type t with code.
func readOnly(t connectors.RecordType, code string) error {
	return sayKind(ErrReadOnlyType, nil, "storage.record.read_only", "Type", t.Text(), "Code", code)
}

// recordNotFound is ErrRecordNotFound for the record of type t with code.
func recordNotFound(t connectors.RecordType, code string) error {
	return sayKind(ErrRecordNotFound, nil, "storage.record.not_found", "Type", t.Text(), "Code", code)
}

// ErrRecordNotFound means the workspace has no record with that type and code.
var ErrRecordNotFound = errors.New("no such record in LedgerLink") // words:log: a kind for errors.Is; a person reads recordNotFound's words

// PutRecords stores recs in the workspace in one transaction. A record whose
// content is unchanged is left exactly as it was (no new sequence number), so
// feeding the same file twice changes nothing. Every record is checked first;
// one invalid record refuses the whole batch with an error naming it, and
// nothing is written.
func (db *DB) PutRecords(ctx context.Context, origin string, recs []connectors.Record) (PutResult, error) {
	if err := ctx.Err(); err != nil {
		return PutResult{}, err
	}
	if strings.TrimSpace(origin) == "" {
		return PutResult{}, errors.New("records need an origin") // words:log: the engine always gives one
	}
	for i, rec := range recs {
		if err := rec.Validate(); err != nil {
			return PutResult{}, fmt.Errorf("record %d: %w", i+1, err)
		}
		if rec.Type.IsReadOnly() {
			return PutResult{}, readOnly(rec.Type, rec.Code())
		}
	}
	var res PutResult
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		w, err := newWorkspaceWriter(tx, db.now())
		if err != nil {
			return err
		}
		for _, rec := range recs {
			outcome, err := w.put(origin, rec, nil)
			if err != nil {
				return err
			}
			res.count(outcome)
		}
		return w.close()
	})
	if err != nil {
		return PutResult{}, fmt.Errorf("save records: %w", err)
	}
	return res, nil
}

func (r *PutResult) count(o putOutcome) {
	switch o {
	case putAdded:
		r.Added++
	case putUpdated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

type putOutcome int

const (
	putUnchanged putOutcome = iota
	putAdded
	putUpdated
)

// workspaceWriter puts records within one write transaction, keeping the
// counters in memory until close.
type workspaceWriter struct {
	ws, seqIdx, meta *bolt.Bucket
	types            map[connectors.RecordType]*bolt.Bucket
	seq, localID     uint64
	now              time.Time
}

func newWorkspaceWriter(tx *bolt.Tx, now time.Time) (*workspaceWriter, error) {
	ws, err := tx.CreateBucketIfNotExists(bucketWorkspace)
	if err != nil {
		return nil, err
	}
	seqIdx, err := tx.CreateBucketIfNotExists(bucketWorkspaceSeq)
	if err != nil {
		return nil, err
	}
	meta, err := tx.CreateBucketIfNotExists(bucketWorkspaceMeta)
	if err != nil {
		return nil, err
	}
	return &workspaceWriter{
		ws: ws, seqIdx: seqIdx, meta: meta,
		types:   map[connectors.RecordType]*bolt.Bucket{},
		seq:     readU64(meta.Get(keySeq)),
		localID: readU64(meta.Get(keyLocalID)),
		now:     now.UTC(),
	}, nil
}

func (w *workspaceWriter) typeBucket(t connectors.RecordType) (*bolt.Bucket, error) {
	if b, ok := w.types[t]; ok {
		return b, nil
	}
	b, err := w.ws.CreateBucketIfNotExists([]byte(t))
	if err != nil {
		return nil, err
	}
	w.types[t] = b
	return b, nil
}

// put stores rec from origin. When head is not nil it receives the record's
// head after the put.
func (w *workspaceWriter) put(origin string, rec connectors.Record, head *RecordHead) (putOutcome, error) {
	raw, fp, err := Canonical(rec)
	if err != nil {
		return 0, err
	}
	b, err := w.typeBucket(rec.Type)
	if err != nil {
		return 0, err
	}
	code := rec.Code()
	h := RecordHead{Type: rec.Type, Code: code, Fingerprint: fp, UpdatedAt: w.now, Origin: origin, Date: rec.Date()}
	outcome := putAdded
	if old := b.Get([]byte(code)); old != nil {
		prev, _, err := decodeEntry(rec.Type, code, old)
		if err != nil {
			return 0, err
		}
		if prev.Fingerprint == fp {
			if head != nil {
				*head = prev
			}
			return putUnchanged, nil
		}
		outcome = putUpdated
		h.LocalID = prev.LocalID
		if err := w.seqIdx.Delete(u64(prev.Seq)); err != nil {
			return 0, err
		}
	} else {
		w.localID++
		h.LocalID = w.localID
	}
	w.seq++
	h.Seq = w.seq
	// bbolt keeps the value until the transaction ends: one buffer each.
	entry := encodeEntry(make([]byte, 0, entryFixed+len(origin)+len(raw)), h, raw)
	if err := b.Put([]byte(code), entry); err != nil {
		return 0, err
	}
	if err := w.seqIdx.Put(u64(h.Seq), refKey(rec.Type, code)); err != nil {
		return 0, err
	}
	if head != nil {
		*head = h
	}
	return outcome, nil
}

func (w *workspaceWriter) close() error {
	if err := w.meta.Put(keySeq, u64(w.seq)); err != nil {
		return err
	}
	return w.meta.Put(keyLocalID, u64(w.localID))
}

// Entry layout: version(1) localID(8) seq(8) updatedAt unix ns(8)
// date days since epoch+1 (4, 0 = none) fingerprint(32) originLen(2) origin json
const (
	entryVersion = 1
	entryFixed   = 1 + 8 + 8 + 8 + 4 + sha256.Size + 2
)

func encodeEntry(dst []byte, h RecordHead, raw []byte) []byte {
	var fixed [entryFixed]byte
	fixed[0] = entryVersion
	binary.BigEndian.PutUint64(fixed[1:], h.LocalID)
	binary.BigEndian.PutUint64(fixed[9:], h.Seq)
	binary.BigEndian.PutUint64(fixed[17:], uint64(h.UpdatedAt.UnixNano()))
	var days uint32
	if !h.Date.IsZero() {
		days = uint32(h.Date.Unix()/86400 + 1<<20 + 1)
	}
	binary.BigEndian.PutUint32(fixed[25:], days)
	copy(fixed[29:], h.Fingerprint[:])
	binary.BigEndian.PutUint16(fixed[29+sha256.Size:], uint16(len(h.Origin)))
	dst = append(dst, fixed[:]...)
	dst = append(dst, h.Origin...)
	return append(dst, raw...)
}

// decodeEntry reads an entry's head and returns the JSON that follows it
// (aliasing v: valid only inside the transaction).
func decodeEntry(t connectors.RecordType, code string, v []byte) (RecordHead, []byte, error) {
	if len(v) < entryFixed || v[0] != entryVersion {
		return RecordHead{}, nil, recordDamaged(t, code, nil)
	}
	h := RecordHead{Type: t, Code: code}
	h.LocalID = binary.BigEndian.Uint64(v[1:])
	h.Seq = binary.BigEndian.Uint64(v[9:])
	h.UpdatedAt = time.Unix(0, int64(binary.BigEndian.Uint64(v[17:]))).UTC()
	if days := binary.BigEndian.Uint32(v[25:]); days != 0 {
		secs := (int64(days) - 1 - 1<<20) * 86400
		h.Date = connectors.Date{Time: time.Unix(secs, 0).UTC()}
	}
	copy(h.Fingerprint[:], v[29:])
	n := int(binary.BigEndian.Uint16(v[29+sha256.Size:]))
	if len(v) < entryFixed+n {
		return RecordHead{}, nil, recordDamaged(t, code, nil)
	}
	h.Origin = string(v[entryFixed : entryFixed+n])
	return h, v[entryFixed+n:], nil
}

// recordDamaged is the failure to read the stored record t/code; cause
// (which may be nil) is the detail.
func recordDamaged(t connectors.RecordType, code string, cause error) error {
	return sayErr(cause, "storage.record.damaged", "Type", t.Text(), "Code", code)
}

func decodeStored(t connectors.RecordType, code string, v []byte) (StoredRecord, error) {
	h, raw, err := decodeEntry(t, code, v)
	if err != nil {
		return StoredRecord{}, err
	}
	sr := StoredRecord{RecordHead: h}
	if err := json.Unmarshal(raw, &sr.Record); err != nil {
		return StoredRecord{}, recordDamaged(t, code, err)
	}
	return sr, nil
}

func readU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func workspaceType(tx *bolt.Tx, t connectors.RecordType) *bolt.Bucket {
	ws := tx.Bucket(bucketWorkspace)
	if ws == nil {
		return nil
	}
	return ws.Bucket([]byte(t))
}

// headIn reads a record's head inside tx; found is false when absent.
func headIn(tx *bolt.Tx, r Ref) (RecordHead, bool, error) {
	b := workspaceType(tx, r.Type)
	if b == nil {
		return RecordHead{}, false, nil
	}
	v := b.Get([]byte(r.Code))
	if v == nil {
		return RecordHead{}, false, nil
	}
	h, _, err := decodeEntry(r.Type, r.Code, v)
	return h, err == nil, err
}

func getIn(tx *bolt.Tx, r Ref) (StoredRecord, bool, error) {
	b := workspaceType(tx, r.Type)
	if b == nil {
		return StoredRecord{}, false, nil
	}
	v := b.Get([]byte(r.Code))
	if v == nil {
		return StoredRecord{}, false, nil
	}
	sr, err := decodeStored(r.Type, r.Code, v)
	return sr, err == nil, err
}

// Get returns the workspace record t/code, or ErrRecordNotFound.
func (db *DB) Get(ctx context.Context, t connectors.RecordType, code string) (StoredRecord, error) {
	if err := ctx.Err(); err != nil {
		return StoredRecord{}, err
	}
	var sr StoredRecord
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		sr, found, err = getIn(tx, Ref{Type: t, Code: code})
		return err
	})
	if err != nil {
		return StoredRecord{}, err
	}
	if !found {
		return StoredRecord{}, recordNotFound(t, code)
	}
	return sr, nil
}

// GetRecords returns the workspace records named by refs, read in one
// transaction; refs not in the workspace are left out.
func (db *DB) GetRecords(ctx context.Context, refs []Ref) (map[Ref]StoredRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[Ref]StoredRecord, len(refs))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, r := range refs {
			sr, found, err := getIn(tx, r)
			if err != nil {
				return err
			}
			if found {
				out[r] = sr
			}
		}
		return nil
	})
	return out, err
}

// Head returns the head of workspace record t/code without decoding it; found
// is false when absent.
func (db *DB) Head(ctx context.Context, t connectors.RecordType, code string) (RecordHead, bool, error) {
	if err := ctx.Err(); err != nil {
		return RecordHead{}, false, err
	}
	var h RecordHead
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		h, found, err = headIn(tx, Ref{Type: t, Code: code})
		return err
	})
	return h, found, err
}

// ListRecords calls fn for every workspace record of type t in code order,
// streaming: nothing is collected. fn returning an error stops the walk and
// ListRecords returns that error.
func (db *DB) ListRecords(ctx context.Context, t connectors.RecordType, fn func(StoredRecord) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		b := workspaceType(tx, t)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		n := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			sr, err := decodeStored(t, string(k), v)
			if err != nil {
				return err
			}
			if err := fn(sr); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountRecords returns how many records of type t the workspace holds.
func (db *DB) CountRecords(ctx context.Context, t connectors.RecordType) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := workspaceType(tx, t); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// LastSeq is the workspace's latest change sequence number.
func (db *DB) LastSeq(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var seq uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if m := tx.Bucket(bucketWorkspaceMeta); m != nil {
			seq = readU64(m.Get(keySeq))
		}
		return nil
	})
	return seq, err
}

// ChangedSince calls fn, in change order, with the head of every record
// whose latest change is after seq. It walks only the changes.
func (db *DB) ChangedSince(ctx context.Context, seq uint64, fn func(RecordHead) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		return changedSinceIn(ctx, tx, seq, fn)
	})
}

func changedSinceIn(ctx context.Context, tx *bolt.Tx, seq uint64, fn func(RecordHead) error) error {
	idx := tx.Bucket(bucketWorkspaceSeq)
	if idx == nil {
		return nil
	}
	c := idx.Cursor()
	n := 0
	for k, v := c.Seek(u64(seq + 1)); k != nil; k, v = c.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ref, ok := parseRefKey(v)
		if !ok {
			return sayErr(nil, "storage.record.changes_damaged", "Seq", readU64(k))
		}
		h, found, err := headIn(tx, ref)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// allHeadsIn calls fn with the head of every workspace record of the given
// types, type by type.
func allHeadsIn(ctx context.Context, tx *bolt.Tx, types []connectors.RecordType, fn func(RecordHead) error) error {
	for _, t := range types {
		b := workspaceType(tx, t)
		if b == nil {
			continue
		}
		c := b.Cursor()
		n := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			h, _, err := decodeEntry(t, string(k), v)
			if err != nil {
				return err
			}
			if err := fn(h); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reference data (nominal accounts, tax rates, items, bank accounts, payment
// methods) belongs to one module's accounting package and is replaced in
// full on every run:
//
//	modules/<m>/ancillary/<type>/<code> -> canonical JSON
const subAncillary = "ancillary"

// ReplaceAncillary replaces the module's reference data of type t with recs
// in one transaction.
func (db *DB) ReplaceAncillary(ctx context.Context, module string, t connectors.RecordType, recs []connectors.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !t.IsAncillary() {
		return fmt.Errorf("%s are not reference data", t.Label()) // words:log: the engine only replaces reference data
	}
	for i, rec := range recs {
		if err := rec.Validate(); err != nil {
			return sayErr(err, "storage.reference.unusable", "Type", t.Text(), "Number", i+1)
		}
		if rec.Type != t {
			return sayErr(nil, "storage.reference.wrong_type", "Type", t.Text(), "Number", i+1, "Other", rec.Type.Text())
		}
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		anc, err := moduleSub(tx, module, subAncillary)
		if err != nil {
			return err
		}
		if anc.Bucket([]byte(t)) != nil {
			if err := anc.DeleteBucket([]byte(t)); err != nil {
				return err
			}
		}
		b, err := anc.CreateBucket([]byte(t))
		if err != nil {
			return err
		}
		for _, rec := range recs {
			raw, _, err := Canonical(rec)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(rec.Code()), raw); err != nil {
				return err
			}
		}
		return nil
	})
}

// Ancillary calls fn for each of the module's reference records of type t,
// in code order.
func (db *DB) Ancillary(ctx context.Context, module string, t connectors.RecordType, fn func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		anc, err := moduleSub(tx, module, subAncillary)
		if err != nil || anc == nil {
			return err
		}
		b := anc.Bucket([]byte(t))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec connectors.Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return recordDamaged(t, string(k), err)
			}
			return fn(rec)
		})
	})
}

// AncillaryCodes returns the set of codes of the module's reference records
// of type t, and whether that type was ever fetched.
func (db *DB) AncillaryCodes(ctx context.Context, module string, t connectors.RecordType) (codes map[string]bool, fetched bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	codes = map[string]bool{}
	err = db.bolt.View(func(tx *bolt.Tx) error {
		anc, err := moduleSub(tx, module, subAncillary)
		if err != nil || anc == nil {
			return err
		}
		b := anc.Bucket([]byte(t))
		if b == nil {
			return nil
		}
		fetched = true
		return b.ForEach(func(k, _ []byte) error {
			codes[string(k)] = true
			return nil
		})
	})
	return codes, fetched, err
}

// MirrorItem is one record read from a module's accounting package.
type MirrorItem struct {
	// Record is the package's record in LedgerLink's terms (local codes).
	Record          connectors.Record
	RemoteID        string
	RemoteUpdatedAt time.Time
	URL             string
}

// MirrorConflict is a package record LedgerLink did not take, and why.
type MirrorConflict struct {
	Ref      Ref    `json:"ref"`
	RemoteID string `json:"remote_id"`
	Reason   string `json:"reason"`
}

// MirrorResult counts what MirrorRecords did.
type MirrorResult struct {
	PutResult
	// Skipped counts records already linked that NEW-only mirroring leaves
	// alone.
	Skipped   int              `json:"skipped"`
	Conflicts []MirrorConflict `json:"conflicts,omitempty"`
}

// MirrorRecords writes records read from the module's package into the
// workspace with origin OriginModule(module) and links them, in one
// transaction, so a crash can never leave a mirrored record unlinked (it
// would then look new and be sent back). The link records the content as
// both uploaded and mirrored: the package holds it, so change detection
// does not queue it for upload. With onlyNew, records already linked are
// left alone. A record whose content is unchanged since the last mirror
// changes nothing.
func (db *DB) MirrorRecords(ctx context.Context, module string, onlyNew bool, items []MirrorItem) (MirrorResult, error) {
	if err := ctx.Err(); err != nil {
		return MirrorResult{}, err
	}
	for i, it := range items {
		if err := it.Record.Validate(); err != nil {
			return MirrorResult{}, sayErr(err, "storage.mirror.unusable", "Number", i+1)
		}
		if it.Record.Type.IsAncillary() {
			return MirrorResult{}, sayErr(nil, "storage.mirror.reference_data", "Number", i+1, "Type", it.Record.Type.Text())
		}
		if strings.TrimSpace(it.RemoteID) == "" {
			return MirrorResult{}, sayErr(nil, "storage.mirror.no_id", "Number", i+1, "Type", it.Record.Type.Text(), "Code", it.Record.Code())
		}
	}
	origin := OriginModule(module)
	var res MirrorResult
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		res = MirrorResult{}
		if _, err := moduleBucket(tx, module); err != nil {
			return err
		}
		w, err := newWorkspaceWriter(tx, db.now())
		if err != nil {
			return err
		}
		for _, it := range items {
			ref := RefOf(it.Record)
			linkedCode, byID, err := codeForRemoteIn(tx, module, ref.Type, it.RemoteID)
			if err != nil {
				return err
			}
			if byID && linkedCode != ref.Code {
				res.Conflicts = append(res.Conflicts, MirrorConflict{Ref: ref, RemoteID: it.RemoteID,
					Reason: db.Words().T("storage.mirror.code_changed", "Type", ref.Type.Text(), "Kept", linkedCode, "Code", ref.Code)})
				continue
			}
			l, linked, err := linkIn(tx, module, ref)
			if err != nil {
				return err
			}
			if linked && l.RemoteID != "" && l.RemoteID != it.RemoteID {
				res.Conflicts = append(res.Conflicts, MirrorConflict{Ref: ref, RemoteID: it.RemoteID,
					Reason: db.Words().T("storage.mirror.two_with_code", "Type", ref.Type.Text(), "Code", ref.Code)})
				continue
			}
			if onlyNew && linked && l.RemoteID != "" {
				res.Skipped++
				continue
			}
			_, fp, err := Canonical(it.Record)
			if err != nil {
				return err
			}
			if linked && l.RemoteID == it.RemoteID && l.MirroredFingerprint == fp {
				res.Unchanged++
				continue
			}
			outcome, err := w.put(origin, it.Record, nil)
			if err != nil {
				return err
			}
			res.count(outcome)
			nl := Link{RemoteID: it.RemoteID, UploadedFingerprint: fp, MirroredFingerprint: fp,
				RemoteUpdatedAt: it.RemoteUpdatedAt.UTC(), URL: it.URL}
			if nl.URL == "" {
				nl.URL = l.URL
			}
			if err := setLinkIn(tx, module, ref, nl); err != nil {
				return err
			}
		}
		return w.close()
	})
	if err != nil {
		return MirrorResult{}, fmt.Errorf("save records from the accounting package: %w", err)
	}
	return res, nil
}

// Compact binary encoding for the values the upload path reads and writes
// for every item (queue items, links): several times cheaper than JSON.
// Each value starts with a version byte.

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime writes 0 for the zero time, else 1 and Unix nanoseconds.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.UnixNano())
}

// binReader reads what the append functions wrote; the first problem sticks
// in err and every later read returns zero values.
type binReader struct {
	b   []byte
	err error
}

func (r *binReader) fail() {
	if r.err == nil {
		r.err = errors.New("stored value is damaged") // words:log: detail; the callers say which value in words
	}
	r.b = nil
}

func (r *binReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *binReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *binReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *binReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *binReader) fingerprint() Fingerprint {
	var f Fingerprint
	if len(r.b) < len(f) {
		r.fail()
		return f
	}
	copy(f[:], r.b)
	r.b = r.b[len(f):]
	return f
}

func (r *binReader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(0, r.varint()).UTC()
	}
	r.fail()
	return time.Time{}
}

// end reports the reader's error, or one when bytes are left over.
func (r *binReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}
