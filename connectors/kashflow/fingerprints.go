package kashflow

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ledgerlink/connectors"
)

// fingerprints remember, per record type and KashFlow ID, a hash of the
// record as LedgerLink maps it and when that hash last changed. KashFlow
// gives no change time for documents, payments or journals: a record's
// UpdatedAt is the time the connector first saw its present content, so
// only real changes (of what LedgerLink keeps) count as changes, and a
// record that was seen before and is now missing from a full read has
// been deleted in KashFlow.
type fingerprints struct {
	mu    sync.Mutex
	path  string
	Types map[connectors.RecordType]map[string]seen `json:"types"`
	dirty bool
}

// seen is one record's last fingerprint.
type seen struct {
	Hash  string    `json:"hash"`
	Since time.Time `json:"since"`
	Code  string    `json:"code"`
}

func loadFingerprints(path string) (*fingerprints, error) {
	f := &fingerprints{path: path, Types: map[connectors.RecordType]map[string]seen{}}
	if path == "" {
		return f, nil
	}
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("reading what LedgerLink last saw in KashFlow: %w", err)
	}
	if err := json.Unmarshal(raw, f); err != nil {
		// A damaged file costs one full comparison, nothing more.
		return &fingerprints{path: path, Types: map[connectors.RecordType]map[string]seen{}}, nil
	}
	if f.Types == nil {
		f.Types = map[connectors.RecordType]map[string]seen{}
	}
	return f, nil
}

func (f *fingerprints) save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.path == "" || !f.dirty {
		return nil
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return err
	}
	f.dirty = false
	return nil
}

// hash is the fingerprint of a mapped record.
func hash(r connectors.Record) string {
	raw, _ := json.Marshal(r)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// stamp gives each record its UpdatedAt: KashFlow's own where it has one
// (customers, suppliers), else when its fingerprint last changed. It
// records what it saw.
func (f *fingerprints) stamp(t connectors.RecordType, rs []connectors.Remote, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.of(t)
	for i := range rs {
		h := hash(rs[i].Record)
		old, ok := m[rs[i].RemoteID]
		if !ok || old.Hash != h {
			old = seen{Hash: h, Since: now, Code: rs[i].Record.Code()}
			m[rs[i].RemoteID] = old
			f.dirty = true
		}
		if rs[i].UpdatedAt.IsZero() {
			rs[i].UpdatedAt = old.Since
		}
	}
}

// missing lists the records seen before that a full read no longer has.
func (f *fingerprints) missing(t connectors.RecordType, present map[string]bool) map[string]seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]seen{}
	for id, s := range f.Types[t] {
		if !present[id] {
			out[id] = s
		}
	}
	return out
}

// forget drops records whose deletion has been handed over.
func (f *fingerprints) forget(t connectors.RecordType, ids []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.Types[t], id)
		f.dirty = true
	}
}

// written notes a record LedgerLink has just sent, so that a deletion in
// KashFlow is seen even before a full read has listed the record. Its
// fingerprint is taken at the first read.
func (f *fingerprints) written(t connectors.RecordType, id, code string, now time.Time) {
	if id == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.of(t)
	if _, ok := m[id]; !ok {
		m[id] = seen{Since: now, Code: code}
		f.dirty = true
	}
}

// of is the records seen of type t, made on first use; f.mu is held.
func (f *fingerprints) of(t connectors.RecordType) map[string]seen {
	m := f.Types[t]
	if m == nil {
		m = map[string]seen{}
		f.Types[t] = m
	}
	return m
}
