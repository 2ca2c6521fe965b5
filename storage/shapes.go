package storage

import (
	"context"
	"encoding/hex"
	"time"

	bolt "go.etcd.io/bbolt"
)

// What a module last saw of its customers' shapes (a person, or a company
// with a contact person), so that a change of shape can be noticed and
// explained:
//
//	modules/<m>/shapes/seen/<code>     -> shape ("person" / "company")
//	modules/<m>/shapes/cursor          -> workspace seq (u64) read up to
//	modules/<m>/shapes/notes/<when><n> -> CustomerNote (JSON)
const subShapes = "shapes"

var (
	bucketShapesSeen  = []byte("seen")
	bucketShapesNotes = []byte("notes")
	keyShapesCursor   = []byte("cursor")
)

// CustomerNote tells a person, in plain words, what LedgerLink noticed about
// a customer (for example that it became a company).
type CustomerNote struct {
	ID   string    `json:"id"`
	When time.Time `json:"when"`
	Code string    `json:"code"`
	Text string    `json:"text"`
}

// ShapeState is what the module last saw of its customers' shapes.
type ShapeState struct {
	// Seq is the workspace change sequence number read up to.
	Seq uint64
	// Shapes holds the shape last seen of each customer asked for.
	Shapes map[string]string
}

// CustomerShapes returns the shape cursor and the shapes last seen of codes.
func (db *DB) CustomerShapes(ctx context.Context, module string, codes []string) (ShapeState, error) {
	if err := ctx.Err(); err != nil {
		return ShapeState{}, err
	}
	st := ShapeState{Shapes: map[string]string{}}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subShapes)
		if err != nil || b == nil {
			return err
		}
		st.Seq = readU64(b.Get(keyShapesCursor))
		seen := b.Bucket(bucketShapesSeen)
		if seen == nil {
			return nil
		}
		for _, c := range codes {
			if v := seen.Get([]byte(c)); v != nil {
				st.Shapes[c] = string(v)
			}
		}
		return nil
	})
	return st, err
}

// SaveCustomerShapes stores, in one transaction, the shapes now seen, the
// notes about changes and the new cursor.
func (db *DB) SaveCustomerShapes(ctx context.Context, module string, seq uint64, shapes map[string]string, notes []CustomerNote) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subShapes)
		if err != nil {
			return err
		}
		seen, err := b.CreateBucketIfNotExists(bucketShapesSeen)
		if err != nil {
			return err
		}
		for code, shape := range shapes {
			if err := seen.Put([]byte(code), []byte(shape)); err != nil {
				return err
			}
		}
		nb, err := b.CreateBucketIfNotExists(bucketShapesNotes)
		if err != nil {
			return err
		}
		now := db.now().UTC()
		for _, n := range notes {
			seqN, err := nb.NextSequence()
			if err != nil {
				return err
			}
			if n.When.IsZero() {
				n.When = now
			}
			n.When = n.When.UTC()
			key := exportedKey(n.When, seqN)
			n.ID = hex.EncodeToString(key)
			if err := putJSON(nb, key, n); err != nil {
				return err
			}
		}
		return b.Put(keyShapesCursor, u64(seq))
	})
}

// CustomerNotes returns the module's notes about customers with When in
// [from, to), oldest first. A zero from or to leaves that end open.
func (db *DB) CustomerNotes(ctx context.Context, module string, from, to time.Time) ([]CustomerNote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []CustomerNote
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subShapes)
		if err != nil || b == nil {
			return err
		}
		nb := b.Bucket(bucketShapesNotes)
		if nb == nil {
			return nil
		}
		out, err = decodeByTime[CustomerNote](nb, from, to, "a note about a customer")
		return err
	})
	return out, err
}
