// Package storage keeps LedgerLink's workspace in one bbolt file in the data
// folder: business records, ID links, module settings, the export queue,
// exported log, feedback, import queue and run history. Secrets never come
// here (see storage/secrets).
package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileName is the database's name inside the data folder.
const FileName = "ledgerlink.db"

// SchemaVersion is the layout this build writes. A database with a higher
// version was written by a newer LedgerLink and is refused.
const SchemaVersion = 1

// ErrAlreadyRunning means another LedgerLink holds the data folder.
var ErrAlreadyRunning = errors.New("LedgerLink is already running with this data folder") // words:log: a kind for errors.Is; a person reads sayKind's words

// ErrNewerSchema means the database was written by a newer LedgerLink.
var ErrNewerSchema = errors.New("this data folder was written by a newer version of LedgerLink; install that version or choose another data folder") // words:log: a kind for errors.Is; a person reads sayKind's words

var (
	bucketMeta = []byte("meta")
	keySchema  = []byte("schema_version")
	keyCreated = []byte("created_at")
)

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for another process to let go of
	// the data folder. Zero means one second.
	LockTimeout time.Duration
	// ReadOnly opens without writing (no schema upgrade).
	ReadOnly bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DB is an open LedgerLink database. Its methods are safe for concurrent use.
type DB struct {
	bolt  *bolt.DB
	dir   string
	now   func() time.Time
	words dbWords
}

// Open opens (creating when missing) the database in dir. The folder is
// created 0700 and the file 0600. A second process gets ErrAlreadyRunning.
func Open(dir string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, sayErr(err, "storage.db.no_folder", "Folder", dir)
	}
	path := filepath.Join(dir, FileName)
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, sayKind(ErrAlreadyRunning, err, "storage.db.already_running", "Folder", dir)
		}
		return nil, sayErr(err, "storage.db.cannot_open", "File", path)
	}
	db := &DB{bolt: b, dir: dir, now: opts.Now}
	if err := db.checkSchema(opts.ReadOnly); err != nil {
		_ = b.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) checkSchema(readOnly bool) error {
	check := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if readOnly {
				return sayErr(nil, "storage.db.empty")
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyCreated, []byte(db.now().UTC().Format(time.RFC3339))); err != nil {
				return err
			}
			return meta.Put(keySchema, u64(SchemaVersion))
		}
		raw := meta.Get(keySchema)
		if len(raw) != 8 {
			return sayErr(nil, "storage.db.no_layout")
		}
		if v := binary.BigEndian.Uint64(raw); v > SchemaVersion {
			return sayKind(ErrNewerSchema, nil, "storage.db.newer", "Layout", v, "Reads", SchemaVersion)
		}
		return nil
	}
	if readOnly {
		return db.bolt.View(check)
	}
	return db.bolt.Update(check)
}

// Close releases the data folder.
func (db *DB) Close() error { return db.bolt.Close() }

// Dir is the data folder.
func (db *DB) Dir() string { return db.dir }

// Now is the database's clock.
func (db *DB) Now() time.Time { return db.now() }

// u64 encodes n big-endian, so byte order is numeric order.
func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

// putJSON stores v as JSON under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, raw)
}

// getJSON decodes the JSON under key into v; found is false when absent.
func getJSON(b *bolt.Bucket, key []byte, v any) (found bool, err error) {
	if b == nil {
		return false, nil
	}
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// ErrNotInstalled means the module has not been installed in this data folder.
var ErrNotInstalled = errors.New("module is not installed") // words:log: a kind for errors.Is; a person reads notInstalled's words

// notInstalled is ErrNotInstalled for module, in words.
func notInstalled(module string) error {
	return sayKind(ErrNotInstalled, nil, "storage.not_installed", "Module", module)
}

// bucketModules holds one nested bucket per installed module; everything a
// module owns (settings, links, queue, logs) lives in sub-buckets of it, so
// uninstalling deletes exactly that module's data.
var bucketModules = []byte("modules")

// moduleBucket returns the installed module's bucket, or ErrNotInstalled.
func moduleBucket(tx *bolt.Tx, module string) (*bolt.Bucket, error) {
	if root := tx.Bucket(bucketModules); root != nil {
		if b := root.Bucket([]byte(module)); b != nil {
			return b, nil
		}
	}
	return nil, notInstalled(module)
}

// moduleSub returns (creating in a writable tx) the sub-bucket name of the
// installed module. In a read-only tx a missing sub-bucket is returned as nil
// with no error, so readers treat it as empty.
func moduleSub(tx *bolt.Tx, module, name string) (*bolt.Bucket, error) {
	mb, err := moduleBucket(tx, module)
	if err != nil {
		return nil, err
	}
	if !tx.Writable() {
		return mb.Bucket([]byte(name)), nil
	}
	return mb.CreateBucketIfNotExists([]byte(name))
}
