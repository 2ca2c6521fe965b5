package storage

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// The Error Feedback log of a module:
//
//	modules/<m>/feedback/<when unix ns u64><n u64> -> FeedbackRow (JSON)
const subFeedback = "feedback"

// FeedbackRow is one row of Error Feedback: why one record did not go.
type FeedbackRow struct {
	ID   string                `json:"id"`
	When time.Time             `json:"when"`
	Type connectors.RecordType `json:"type"`
	Code string                `json:"code"`
	// Message is the accounting package's own words, or the pre-check's.
	Message string `json:"message"`
	Cause   string `json:"cause"`
	Fix     string `json:"fix"`
	// Key and Args are the connector's explanation behind Cause and Fix
	// (connectors.Explanation), so a face can say the row again in its
	// reader's language: connectors.Explanation{Key: r.Key, Args: r.Args}.In(w).
	// Empty on rows written before, and where no explanation applied.
	Key  string            `json:"key,omitempty"`
	Args map[string]string `json:"args,omitempty"`
}

// Ref is the row's record reference.
func (f FeedbackRow) Ref() Ref { return Ref{Type: f.Type, Code: f.Code} }

func addFeedbackIn(tx *bolt.Tx, module string, row FeedbackRow, now time.Time) error {
	b, err := moduleSub(tx, module, subFeedback)
	if err != nil {
		return err
	}
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	if row.When.IsZero() {
		row.When = now
	}
	row.When = row.When.UTC()
	key := exportedKey(row.When, n)
	row.ID = hex.EncodeToString(key)
	return putJSON(b, key, row)
}

// AddFeedback appends rows to the module's Error Feedback in one
// transaction; a row with no When is stamped now.
func (db *DB) AddFeedback(ctx context.Context, module string, rows ...FeedbackRow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		now := db.now().UTC()
		for _, r := range rows {
			if err := addFeedbackIn(tx, module, r, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record error feedback: %w", err)
	}
	return nil
}

// Feedback returns the module's Error Feedback rows with When in [from, to),
// oldest first. A zero from or to leaves that end open.
func (db *DB) Feedback(ctx context.Context, module string, from, to time.Time) ([]FeedbackRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []FeedbackRow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subFeedback)
		if err != nil || b == nil {
			return err
		}
		out, err = decodeByTime[FeedbackRow](b, from, to, "a feedback row")
		return err
	})
	return out, err
}
