package storage

import (
	"context"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// A module's links tie workspace records to the accounting package's own
// records:
//
//	modules/<m>/links/<type> 0 <code>          -> Link (JSON)
//	modules/<m>/remote_ids/<type> 0 <remoteID> -> code
//	modules/<m>/cursors/pull 0 <type>          -> RFC 3339 time
//	modules/<m>/cursors/gone 0 <type>          -> RFC 3339 time (deletions of types not mirrored)
//	modules/<m>/cursors/changes                -> workspace seq (u64) + levels signature
const (
	subLinks     = "links"
	subRemoteIDs = "remote_ids"
	subCursors   = "cursors"
)

var keyChangeCursor = []byte("changes")

// Link is what LedgerLink knows of a record's twin in one accounting package.
type Link struct {
	// RemoteID is the package's identifier; empty when the record was marked
	// as exported by hand and never looked up.
	RemoteID string `json:"remote_id,omitempty"`
	// UploadedFingerprint is the content the package last received (or the
	// content mirrored from it, which the package therefore holds).
	UploadedFingerprint Fingerprint `json:"uploaded_fp,omitzero"`
	// MirroredFingerprint is the content last read from the package.
	MirroredFingerprint Fingerprint `json:"mirrored_fp,omitzero"`
	RemoteUpdatedAt     time.Time   `json:"remote_updated_at,omitzero"`
	// URL opens the record in the accounting package.
	URL string `json:"url,omitempty"`
	// Manual is set when a person marked the record as exported.
	Manual bool `json:"manual,omitempty"`
	// Gone says the package deleted or voided its record (GoneDeleted,
	// GoneVoided); such a record is never sent again. GoneAt is when
	// LedgerLink learnt it.
	Gone   Gone      `json:"gone,omitempty"`
	GoneAt time.Time `json:"gone_at,omitzero"`
}

// Gone is what the accounting package did to a record it no longer holds
// as a live record.
type Gone string

const (
	// GoneDeleted: the package deleted the record.
	GoneDeleted Gone = "deleted"
	// GoneVoided: the package voided the record; it is kept there as void.
	GoneVoided Gone = "voided"
)

// Words is the state in plain words, in w's language: "deleted in the
// accounting package".
func (g Gone) Words(w *words.Words) string {
	switch g {
	case "":
		return ""
	case GoneDeleted:
		return w.T("storage.gone.deleted")
	case GoneVoided:
		return w.T("storage.gone.voided")
	}
	return string(g)
}

// Holds reports whether the package is known to hold content fp.
func (l Link) Holds(fp Fingerprint) bool {
	return !fp.IsZero() && (l.UploadedFingerprint == fp || l.MirroredFingerprint == fp)
}

func linkIn(tx *bolt.Tx, module string, r Ref) (Link, bool, error) {
	b, err := moduleSub(tx, module, subLinks)
	if err != nil || b == nil {
		return Link{}, false, err
	}
	v := b.Get(r.key())
	if v == nil {
		return Link{}, false, nil
	}
	l, err := decodeLink(v)
	if err != nil {
		return Link{}, true, linkUnreadable(r, err)
	}
	return l, true, nil
}

// linkUnreadable is the failure to read r's link with the package.
func linkUnreadable(r Ref, err error) error {
	return sayErr(err, "storage.link.unreadable", "Type", r.Type.Text(), "Code", r.Code)
}

// linkVersion is the layout links are written in; linkVersion1 links (no
// Gone fields) are still read.
const (
	linkVersion1 = 1
	linkVersion  = 2
)

func encodeLink(l Link) []byte {
	b := make([]byte, 0, 112+len(l.RemoteID)+len(l.URL))
	b = append(b, linkVersion)
	b = appendStr(b, l.RemoteID)
	b = append(b, l.UploadedFingerprint[:]...)
	b = append(b, l.MirroredFingerprint[:]...)
	b = appendTime(b, l.RemoteUpdatedAt)
	b = appendStr(b, l.URL)
	if l.Manual {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendStr(b, string(l.Gone))
	return appendTime(b, l.GoneAt)
}

func decodeLink(v []byte) (Link, error) {
	r := &binReader{b: v}
	version := r.byte()
	if version != linkVersion && version != linkVersion1 {
		return Link{}, errors.New("stored value has an unknown layout") // words:log: detail; the callers say which link in words
	}
	l := Link{
		RemoteID:            r.str(),
		UploadedFingerprint: r.fingerprint(),
		MirroredFingerprint: r.fingerprint(),
		RemoteUpdatedAt:     r.time(),
		URL:                 r.str(),
	}
	switch r.byte() {
	case 0:
	case 1:
		l.Manual = true
	default:
		r.fail()
	}
	if version == linkVersion {
		l.Gone = Gone(r.str())
		l.GoneAt = r.time()
	}
	if err := r.end(); err != nil {
		return Link{}, err
	}
	return l, nil
}

// setLinkIn stores l for r and keeps the reverse index in step.
func setLinkIn(tx *bolt.Tx, module string, r Ref, l Link) error {
	old, _, err := linkIn(tx, module, r)
	if err != nil {
		return err
	}
	return replaceLinkIn(tx, module, r, old, l)
}

// replaceLinkIn stores l for r in place of old (the zero Link when r had
// none), keeping the reverse index in step.
func replaceLinkIn(tx *bolt.Tx, module string, r Ref, old, l Link) error {
	links, err := moduleSub(tx, module, subLinks)
	if err != nil {
		return err
	}
	rev, err := moduleSub(tx, module, subRemoteIDs)
	if err != nil {
		return err
	}
	if old.RemoteID != "" && old.RemoteID != l.RemoteID {
		if err := rev.Delete(refKey(r.Type, old.RemoteID)); err != nil {
			return err
		}
	}
	if l.RemoteID != "" {
		if err := rev.Put(refKey(r.Type, l.RemoteID), []byte(r.Code)); err != nil {
			return err
		}
	}
	return links.Put(r.key(), encodeLink(l))
}

func deleteLinkIn(tx *bolt.Tx, module string, r Ref) error {
	links, err := moduleSub(tx, module, subLinks)
	if err != nil {
		return err
	}
	rev, err := moduleSub(tx, module, subRemoteIDs)
	if err != nil {
		return err
	}
	old, found, err := linkIn(tx, module, r)
	if err != nil || !found {
		return err
	}
	if old.RemoteID != "" {
		if err := rev.Delete(refKey(r.Type, old.RemoteID)); err != nil {
			return err
		}
	}
	return links.Delete(r.key())
}

func codeForRemoteIn(tx *bolt.Tx, module string, t connectors.RecordType, remoteID string) (string, bool, error) {
	rev, err := moduleSub(tx, module, subRemoteIDs)
	if err != nil || rev == nil {
		return "", false, err
	}
	v := rev.Get(refKey(t, remoteID))
	return string(v), v != nil, nil
}

// Link returns the module's link for r; found is false when there is none.
func (db *DB) Link(ctx context.Context, module string, r Ref) (Link, bool, error) {
	if err := ctx.Err(); err != nil {
		return Link{}, false, err
	}
	var l Link
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		l, found, err = linkIn(tx, module, r)
		return err
	})
	return l, found, err
}

// SetLink stores the module's link for r.
func (db *DB) SetLink(ctx context.Context, module string, r Ref, l Link) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return setLinkIn(tx, module, r, l) })
}

// CodeForRemoteID returns the business code of the record linked to the
// package's remoteID; found is false when none is.
func (db *DB) CodeForRemoteID(ctx context.Context, module string, t connectors.RecordType, remoteID string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	var code string
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		code, found, err = codeForRemoteIn(tx, module, t, remoteID)
		return err
	})
	return code, found, err
}

// Links calls fn for each of the module's links of type t.
func (db *DB) Links(ctx context.Context, module string, t connectors.RecordType, fn func(code string, l Link) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subLinks)
		if err != nil || b == nil {
			return err
		}
		prefix := refKey(t, "")
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			l, err := decodeLink(v)
			if err != nil {
				return linkUnreadable(Ref{Type: t, Code: string(k[len(prefix):])}, err)
			}
			if err := fn(string(k[len(prefix):]), l); err != nil {
				return err
			}
		}
		return nil
	})
}

func pullCursorKey(t connectors.RecordType) []byte { return refKey("pull", string(t)) }

// goneCursorKey is the cursor of the look for deleted records of a type
// the module does not mirror.
func goneCursorKey(t connectors.RecordType) []byte { return refKey("gone", string(t)) }

// PullCursor returns when the module last pulled records of type t (the zero
// time when it never did).
func (db *DB) PullCursor(ctx context.Context, module string, t connectors.RecordType) (time.Time, error) {
	return db.cursorTime(ctx, module, pullCursorKey(t), "storage.cursor.pull_damaged", t)
}

// SetPullCursor stores when the module last pulled records of type t.
func (db *DB) SetPullCursor(ctx context.Context, module string, t connectors.RecordType, at time.Time) error {
	return db.setCursorTime(ctx, module, pullCursorKey(t), at)
}

// GoneCursor returns when the module last asked the package which records
// of type t it deleted or voided (the zero time when it never did).
func (db *DB) GoneCursor(ctx context.Context, module string, t connectors.RecordType) (time.Time, error) {
	return db.cursorTime(ctx, module, goneCursorKey(t), "storage.cursor.gone_damaged", t)
}

// SetGoneCursor stores when the module last asked for deletions of type t.
func (db *DB) SetGoneCursor(ctx context.Context, module string, t connectors.RecordType, at time.Time) error {
	return db.setCursorTime(ctx, module, goneCursorKey(t), at)
}

// cursorTime reads a cursor; damaged is the key of the sentence for one
// that cannot be read.
func (db *DB) cursorTime(ctx context.Context, module string, key []byte, damaged string, t connectors.RecordType) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subCursors)
		if err != nil || b == nil {
			return err
		}
		v := b.Get(key)
		if v == nil {
			return nil
		}
		at, err = time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			return sayErr(err, damaged, "Type", t.Text())
		}
		return nil
	})
	return at, err
}

func (db *DB) setCursorTime(ctx context.Context, module string, key []byte, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subCursors)
		if err != nil {
			return err
		}
		return b.Put(key, []byte(at.UTC().Format(time.RFC3339Nano)))
	})
}

// ChangeCursor is how far the module's change detection has read the
// workspace, and under which sync levels.
type ChangeCursor struct {
	Seq uint64
	// Levels is the signature of the sync levels in force when Seq was
	// reached; other levels mean every record must be looked at again.
	Levels string
}

func changeCursorIn(tx *bolt.Tx, module string) (ChangeCursor, error) {
	b, err := moduleSub(tx, module, subCursors)
	if err != nil || b == nil {
		return ChangeCursor{}, err
	}
	v := b.Get(keyChangeCursor)
	if v == nil {
		return ChangeCursor{}, nil
	}
	if len(v) < 8 {
		return ChangeCursor{}, sayErr(nil, "storage.cursor.change_damaged")
	}
	return ChangeCursor{Seq: readU64(v[:8]), Levels: string(v[8:])}, nil
}

func setChangeCursorIn(tx *bolt.Tx, module string, c ChangeCursor) error {
	b, err := moduleSub(tx, module, subCursors)
	if err != nil {
		return err
	}
	return b.Put(keyChangeCursor, append(u64(c.Seq), c.Levels...))
}

// GetChangeCursor returns the module's change cursor.
func (db *DB) GetChangeCursor(ctx context.Context, module string) (ChangeCursor, error) {
	if err := ctx.Err(); err != nil {
		return ChangeCursor{}, err
	}
	var c ChangeCursor
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		c, err = changeCursorIn(tx, module)
		return err
	})
	return c, err
}
