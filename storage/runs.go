package storage

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// Run history lives in each module's "runs" sub-bucket, one JSON RunRecord
// per run under its ID as an 8-byte big-endian number, so keys sort in the
// order runs were added. The start of the last automatic run is kept apart,
// under keyLastScheduled in the module's "schedule" sub-bucket: the
// scheduler needs it even after pruning has emptied the history, and a
// manual run must not move it.
const (
	subRuns     = "runs"
	subSchedule = "schedule"
)

var keyLastScheduled = []byte("last_scheduled")

// RunRetentionDays is how long run history is kept by default.
const RunRetentionDays = 400

// RunCount is how many records of one type moved one way in a run.
type RunCount struct {
	Direction connectors.Direction  `json:"direction"`
	Type      connectors.RecordType `json:"type"`
	Created   int                   `json:"created"`
	Updated   int                   `json:"updated"`
	Failed    int                   `json:"failed"`
}

// RunRecord is one run as the history keeps it: the run report's fields.
type RunRecord struct {
	// ID is given by AddRun; it grows with every run of the module.
	ID       uint64     `json:"id"`
	Module   string     `json:"module"`
	Trigger  string     `json:"trigger"`
	Started  time.Time  `json:"started"`
	Finished time.Time  `json:"finished"`
	Counts   []RunCount `json:"counts,omitempty"`
	Errors   []string   `json:"errors,omitempty"`
	// ErrorsSaid are Errors in every language (words.Said, encoded).
	ErrorsSaid []string  `json:"errors_said,omitempty"`
	ResumeAt   time.Time `json:"resume_at,omitzero"`
	// Cancelled is set when the run was stopped before it finished.
	Cancelled bool `json:"cancelled,omitempty"`
}

// AddRun stores a finished run of r.Module and returns its ID. In the same
// write it drops the module's oldest runs while they started more than
// RunRetentionDays ago, so the history never grows without bound; it looks
// only at the oldest entries, so adding stays cheap however long the
// history is (PruneRuns looks at them all).
func (db *DB) AddRun(ctx context.Context, r RunRecord) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.Module == "" {
		return 0, errors.New("cannot record a run without a module") // words:log: the engine always names the module
	}
	if r.Started.IsZero() {
		return 0, fmt.Errorf("cannot record a run of %s without its start time", r.Module) // words:log: the engine always gives the start
	}
	cutoff := db.now().AddDate(0, 0, -RunRetentionDays)
	var id uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, r.Module, subRuns)
		if err != nil {
			return err
		}
		if _, err := pruneRuns(b, cutoff, true); err != nil {
			return err
		}
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		r.ID = id
		return putJSON(b, u64(id), r)
	})
	if err != nil {
		return 0, fmt.Errorf("cannot record the sync run of %s: %w", r.Module, err)
	}
	return id, nil
}

// Runs returns module's runs that started at or after since (zero since
// means all), newest first. A run that cannot be read is skipped, not
// fatal: the rest of the history still shows; the error then lists them.
func (db *DB) Runs(module string, since time.Time) ([]RunRecord, error) {
	var out []RunRecord
	var bad []uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subRuns)
		if err != nil || b == nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var r RunRecord
			if _, err := getJSON(b, k, &r); err != nil {
				bad = append(bad, keyID(k))
				return nil
			}
			if since.IsZero() || !r.Started.Before(since) {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the sync history of %s: %w", module, err)
	}
	sortNewestFirst(out)
	if len(bad) > 0 {
		ids := make([]string, len(bad))
		for i, id := range bad {
			ids[i] = strconv.FormatUint(id, 10)
		}
		return out, sayErr(nil, "storage.runs.damaged_skipped", "Module", module, "IDs", strings.Join(ids, ", "))
	}
	return out, nil
}

// LastRun returns module's most recent run, by start time; found is false
// when there is none.
func (db *DB) LastRun(module string) (r RunRecord, found bool, err error) {
	runs, err := db.Runs(module, time.Time{})
	if len(runs) == 0 {
		return RunRecord{}, false, err
	}
	return runs[0], true, err
}

// PruneRuns deletes module's runs that started more than days days before
// now (days ≤ 0 means RunRetentionDays) and returns how many went.
func (db *DB) PruneRuns(ctx context.Context, module string, days int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if days <= 0 {
		days = RunRetentionDays
	}
	cutoff := db.now().AddDate(0, 0, -days)
	var n int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subRuns)
		if err != nil {
			return err
		}
		n, err = pruneRuns(b, cutoff, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot prune the sync history of %s: %w", module, err)
	}
	return n, nil
}

// pruneRuns deletes the runs in b that started before cutoff. With
// oldestOnly it walks from the first-added run and stops at the first one
// to keep, which finds every old run when runs were added in start order,
// as the scheduler adds them. A damaged entry is kept: it may still be
// worth looking at, and it is small.
func pruneRuns(b *bolt.Bucket, cutoff time.Time, oldestOnly bool) (int, error) {
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		var r RunRecord
		if _, err := getJSON(b, k, &r); err == nil && r.Started.Before(cutoff) {
			old = append(old, slices.Clone(k))
		} else if oldestOnly {
			break
		}
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// LastScheduled returns when module's last automatic run started (zero if
// none has), for the scheduler's catch-up.
func (db *DB) LastScheduled(module string) (time.Time, error) {
	var at time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subSchedule)
		if err != nil || b == nil {
			return err
		}
		raw := b.Get(keyLastScheduled)
		if raw == nil {
			return nil
		}
		return at.UnmarshalText(raw)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot read when %s last synced automatically: %w", module, err)
	}
	return at, nil
}

// SetLastScheduled records when module's last automatic run started.
func (db *DB) SetLastScheduled(ctx context.Context, module string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	raw, err := at.UTC().MarshalText()
	if err != nil {
		return fmt.Errorf("cannot record the time %v: %w", at, err)
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := moduleSub(tx, module, subSchedule)
		if err != nil {
			return err
		}
		return b.Put(keyLastScheduled, raw)
	})
	if err != nil {
		return fmt.Errorf("cannot record when %s last synced automatically: %w", module, err)
	}
	return nil
}

func keyID(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// sortNewestFirst orders runs by start, newest first; runs that started
// together keep the later-added one first.
func sortNewestFirst(runs []RunRecord) {
	slices.SortFunc(runs, func(a, b RunRecord) int {
		if c := b.Started.Compare(a.Started); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}
