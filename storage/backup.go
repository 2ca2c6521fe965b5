package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	stdsync "sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backups are plain copies of the bbolt file. They hold no secrets because
// secrets never reach the database (they live in the OS keyring), so a backup
// can be restored on another computer and the person signs in again there;
// restoring never needs, carries or touches a secret.

// ErrNotABackup means a file offered as a backup is not a LedgerLink
// database, or is damaged or cut short.
var ErrNotABackup = errors.New("the file is not a usable LedgerLink backup") // words:log: a kind for errors.Is; a person reads notABackup's words

// verifyTimeout bounds how long checking one backup file may take.
const verifyTimeout = 2 * time.Minute

// restoreLockTimeout is how long Restore waits for another LedgerLink to let
// go of the data folder, the same as Open's default.
const restoreLockTimeout = time.Second

// BackupInfo describes a verified backup.
type BackupInfo struct {
	// SchemaVersion is the database layout of the backup.
	SchemaVersion int `json:"schema_version"`
	// CreatedAt is when the backed-up database was first created (zero when
	// it does not say).
	CreatedAt time.Time `json:"created_at,omitzero"`
	// SavedAt is when the backup file was last written.
	SavedAt time.Time `json:"saved_at"`
	// Modules are the modules installed in the backup, sorted.
	Modules []string `json:"modules"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
}

// A refusal of a file offered as a backup is a personError naming the
// file, matched by errors.Is against its kind (ErrNotABackup or
// ErrNewerSchema) and the underlying cause. reason is the key of the
// sentence, one of the "storage.backup.refused." family.
func notABackup(path, reason string, cause error) error {
	return sayKind(ErrNotABackup, cause, reason, "File", path)
}

func newerBackup(path string, version uint64) error {
	return sayKind(ErrNewerSchema, nil, "storage.backup.newer", "File", path, "Layout", version, "Reads", SchemaVersion)
}

// Backup writes a consistent copy of the whole database to w and returns
// the number of bytes written. It reads inside one read transaction, so the
// copy is the database as of the moment Backup started while other
// goroutines go on writing. (A write that needs to grow the file waits until
// the copy ends.)
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx: ctx, w: w})
		return err
	})
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return n, ctxErr
		}
		return n, sayErr(err, "storage.backup.cannot_make")
	}
	return n, nil
}

// BackupToFile saves a backup at path, readable by the owner only (0600).
// It writes a temporary file beside path and renames it into place, so path
// is either the previous file or the complete new backup, never half of one.
// An existing file at path is replaced; the live database itself is refused.
func (db *DB) BackupToFile(ctx context.Context, path string) (err error) {
	target, err := filepath.Abs(path)
	if err != nil {
		return sayErr(err, "storage.backup.cannot_use", "File", path)
	}
	if sameFile(target, filepath.Join(db.dir, FileName)) {
		return sayErr(nil, "storage.backup.is_live", "File", path)
	}
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return sayErr(err, "storage.backup.cannot_save_in", "Folder", dir)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return sayErr(err, "storage.backup.cannot_make_private")
	}
	if _, err = db.Backup(ctx, tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return sayErr(err, "storage.backup.cannot_finish", "File", path)
	}
	if err = tmp.Close(); err != nil {
		return sayErr(err, "storage.backup.cannot_finish", "File", path)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return sayErr(err, "storage.backup.cannot_save_as", "File", path)
	}
	syncDir(dir)
	return nil
}

// VerifyBackup checks that path is a complete LedgerLink backup this version
// can restore, and describes it. The file is never opened in place: a
// private copy is checked, read-only, within a time limit, so a file in use
// or a hostile file cannot block or harm anything. A file that is not a
// LedgerLink database, or is damaged or cut short, gives ErrNotABackup; one
// from a newer LedgerLink gives ErrNewerSchema. Both messages name the file.
func VerifyBackup(path string) (BackupInfo, error) {
	return verifyBackup(context.Background(), path)
}

func verifyBackup(ctx context.Context, path string) (BackupInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	st, err := os.Stat(path)
	if err != nil {
		return BackupInfo{}, sayErr(err, "storage.backup.unreadable", "File", path)
	}
	if st.IsDir() {
		return BackupInfo{}, notABackup(path, "storage.backup.refused.folder", nil)
	}
	if st.Size() == 0 {
		return BackupInfo{}, notABackup(path, "storage.backup.refused.empty", nil)
	}
	tmpDir, err := os.MkdirTemp("", "ledgerlink-verify-*")
	if err != nil {
		return BackupInfo{}, sayErr(err, "storage.backup.no_room")
	}
	cleanup := func() { _ = os.RemoveAll(tmpDir) }
	private := filepath.Join(tmpDir, FileName)
	if err := copyScratch(ctx, path, private); err != nil {
		cleanup()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return BackupInfo{}, sayErr(ctxErr, "storage.backup.check_stopped", "File", path)
		}
		return BackupInfo{}, sayErr(err, "storage.backup.unreadable", "File", path)
	}
	info, err := inspectFile(ctx, private, path, cleanup)
	if err != nil {
		return BackupInfo{}, err
	}
	info.SavedAt = st.ModTime()
	return info, nil
}

// inspectFile checks the bbolt file at file (a private copy) and reads what
// BackupInfo needs; shown is the name used in messages. The work runs in
// its own goroutine where a memory fault becomes a recoverable panic, and
// the wait ends with ctx; cleanup runs when the work is over, even after
// the wait has ended.
func inspectFile(ctx context.Context, file, shown string, cleanup func()) (BackupInfo, error) {
	type result struct {
		info BackupInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		var res result
		defer func() {
			if r := recover(); r != nil {
				res = result{err: notABackup(shown, "storage.backup.refused.damaged", fmt.Errorf("%w: %v", errStructure, r))}
			}
			cleanup()
			done <- res
		}()
		res.info, res.err = inspectBolt(file, shown)
	}()
	select {
	case res := <-done:
		return res.info, res.err
	case <-ctx.Done():
		return BackupInfo{}, sayErr(ctx.Err(), "storage.backup.check_too_long", "File", shown)
	}
}

func inspectBolt(file, shown string) (BackupInfo, error) {
	f, err := os.Open(file)
	if err != nil {
		return BackupInfo{}, sayErr(err, "storage.backup.unreadable", "File", shown)
	}
	st, err := f.Stat()
	if err == nil {
		err = checkBoltFile(f, st.Size())
	}
	_ = f.Close()
	switch {
	case err == nil:
	case errors.Is(err, errNotBolt):
		return BackupInfo{}, notABackup(shown, "storage.backup.refused.not_a_database", err)
	case errors.Is(err, errTooShort):
		return BackupInfo{}, notABackup(shown, "storage.backup.refused.cut_short", err)
	default:
		return BackupInfo{}, notABackup(shown, "storage.backup.refused.damaged", err)
	}
	info := BackupInfo{Size: st.Size()}
	b, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return BackupInfo{}, notABackup(shown, "storage.backup.refused.cannot_open", err)
	}
	defer func() { _ = b.Close() }()
	err = b.View(func(tx *bolt.Tx) error {
		var damage error
		for e := range tx.Check() {
			if damage == nil {
				damage = e
			}
		}
		if damage != nil {
			return notABackup(shown, "storage.backup.refused.damaged", fmt.Errorf("%w: %v", errStructure, damage))
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return notABackup(shown, "storage.backup.refused.not_ledgerlink", nil)
		}
		raw := meta.Get(keySchema)
		if len(raw) != 8 || binary.BigEndian.Uint64(raw) == 0 {
			return notABackup(shown, "storage.backup.refused.no_layout", nil)
		}
		version := binary.BigEndian.Uint64(raw)
		if version > SchemaVersion {
			return newerBackup(shown, version)
		}
		info.SchemaVersion = int(version)
		if at, err := time.Parse(time.RFC3339, string(meta.Get(keyCreated))); err == nil {
			info.CreatedAt = at
		}
		info.Modules = []string{}
		if root := tx.Bucket(bucketModules); root != nil {
			return root.ForEachBucket(func(name []byte) error {
				info.Modules = append(info.Modules, string(name))
				return nil
			})
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrNotABackup) || errors.Is(err, ErrNewerSchema) {
			return BackupInfo{}, err
		}
		return BackupInfo{}, notABackup(shown, "storage.backup.refused.unreadable", err)
	}
	return info, nil
}

// Restore replaces the database in dir with the backup at backupPath. The
// database must be closed: the caller closes its DB first, and when another
// LedgerLink holds the folder Restore fails with ErrAlreadyRunning within a
// second and changes nothing.
//
// The steps: the backup is verified (a bad one changes nothing); it is
// copied into the folder (0600, flushed to disk) and checked again; the
// current ledgerlink.db is kept aside as ledgerlink.db.before-restore-<time>
// (never deleted: keptAside names it, also when a later step fails); the copy
// replaces ledgerlink.db in one rename; the result must open. If it does
// not, the previous database is put back.
//
// Secrets are not part of a restore: they are in the keyring, not in the
// database, and are left as they are.
func Restore(ctx context.Context, dir, backupPath string) (keptAside string, err error) {
	return restore(ctx, dir, backupPath, nil)
}

// restore is Restore with a hook run after the backup is in place and
// before the result is opened, so tests can make that last step fail.
func restore(ctx context.Context, dir, backupPath string, afterPlace func(live string) error) (keptAside string, err error) {
	if _, err := verifyBackup(ctx, backupPath); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", sayErr(err, "storage.db.no_folder", "Folder", dir)
	}
	live := filepath.Join(dir, FileName)
	unlock, existed, err := lockForRestore(live, dir)
	if err != nil {
		return "", err
	}
	defer unlock()

	tmp, err := copyIntoDir(ctx, backupPath, dir)
	if err != nil {
		return "", sayErr(err, "storage.restore.cannot_copy", "Folder", dir)
	}
	placed := false
	defer func() {
		if !placed {
			_ = os.Remove(tmp)
		}
	}()
	// Check the copy itself: the backup may have changed since it was
	// verified, or the copy may have gone wrong.
	if _, err := inspectFile(ctx, tmp, backupPath, func() {}); err != nil {
		return "", err
	}
	if existed {
		if keptAside, err = keepAside(ctx, live); err != nil {
			return "", sayErr(err, "storage.restore.cannot_keep_aside")
		}
	}
	if err := ctx.Err(); err != nil {
		return keptAside, sayErr(err, "storage.restore.stopped")
	}
	// Let go of the old file before replacing it: Windows cannot replace a
	// file that is open.
	unlock()
	if err := os.Rename(tmp, live); err != nil {
		return keptAside, sayErr(err, "storage.restore.cannot_place")
	}
	placed = true
	syncDir(dir)

	opened := func() error {
		if afterPlace != nil {
			if err := afterPlace(live); err != nil {
				return err
			}
		}
		db, err := Open(dir, Options{LockTimeout: restoreLockTimeout})
		if err != nil {
			return err
		}
		return db.Close()
	}
	if openErr := opened(); openErr != nil {
		// Put the previous database back even when ctx is over: leaving the
		// folder with a database that does not open is worse.
		if backErr := putBack(keptAside, live, dir); backErr != nil {
			return keptAside, sayErr(backErr, "storage.restore.not_put_back", "Problem", openErr.Error(), "File", keptAside)
		}
		return keptAside, sayErr(openErr, "storage.restore.put_back")
	}
	return keptAside, nil
}

// lockForRestore makes sure no LedgerLink has the database at live open
// and keeps it that way until unlock. existed reports whether there is a
// database file. A file bbolt cannot open at all cannot be in use by
// LedgerLink either, so it is not an obstacle (restoring is the cure).
func lockForRestore(live, dir string) (unlock func(), existed bool, err error) {
	if _, err := os.Stat(live); errors.Is(err, fs.ErrNotExist) {
		return func() {}, false, nil
	} else if err != nil {
		return nil, false, sayErr(err, "storage.restore.unreadable", "File", live)
	}
	b, err := openForLock(live)
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, true, sayKind(ErrAlreadyRunning, err, "storage.restore.running", "Folder", dir)
	}
	if err != nil {
		return func() {}, true, nil
	}
	var once stdsync.Once
	return func() { once.Do(func() { _ = b.Close() }) }, true, nil
}

// openForLock opens the database read-only, which takes bbolt's shared file
// lock: it waits for, and keeps out, any LedgerLink that has it open.
func openForLock(live string) (b *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%w: %v", errStructure, r)
		}
	}()
	return bolt.Open(live, 0o600, &bolt.Options{ReadOnly: true, Timeout: restoreLockTimeout})
}

// keepAside preserves the current database under a new name beside it: a
// hard link when the file system allows (instant, no space), a copy
// otherwise.
func keepAside(ctx context.Context, live string) (string, error) {
	base := live + ".before-restore-" + time.Now().Format("20060102-150405")
	for i := 1; i <= 100; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		err := os.Link(live, name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			err = copyFileExclusive(ctx, live, name)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
		}
		if err != nil {
			return "", err
		}
		syncDir(filepath.Dir(live))
		return name, nil
	}
	return "", sayErr(nil, "storage.restore.too_many_copies", "Name", base)
}

// putBack restores the kept-aside database over live by copying it (the
// aside file stays as it is). With nothing kept aside there was no database
// before, so live is removed.
func putBack(aside, live, dir string) error {
	if aside == "" {
		return os.Remove(live)
	}
	tmp, err := copyIntoDir(context.Background(), aside, dir)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, live); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// copyIntoDir copies src to a new private file in dir, flushed to disk,
// and returns its name.
func copyIntoDir(ctx context.Context, src, dir string) (string, error) {
	tmp, err := os.CreateTemp(dir, FileName+".restoring-*")
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	_ = tmp.Close()
	if err := writeCopy(ctx, src, name, os.O_WRONLY|os.O_TRUNC, true); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// copyScratch copies src to a new or truncated private file dst that is
// only read back, so it is not flushed to disk.
func copyScratch(ctx context.Context, src, dst string) error {
	return writeCopy(ctx, src, dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, false)
}

// copyFileExclusive copies src to dst, which must not exist yet.
func copyFileExclusive(ctx context.Context, src, dst string) error {
	err := writeCopy(ctx, src, dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, true)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		_ = os.Remove(dst)
	}
	return err
}

// writeCopy copies src to dst opened with flag, private to the owner;
// durable flushes it to disk before returning.
func writeCopy(ctx context.Context, src, dst string, flag int, durable bool) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, flag, 0o600)
	if err != nil {
		return err
	}
	if err := out.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		_ = out.Close()
		return err
	}
	if _, err := io.Copy(ctxWriter{ctx: ctx, w: out}, in); err != nil {
		_ = out.Close()
		return err
	}
	if durable {
		if err := out.Sync(); err != nil {
			_ = out.Close()
			return err
		}
	}
	return out.Close()
}

// syncDir flushes a folder's entries (a rename) to disk where the system
// allows it; it is best effort, as some systems cannot sync a folder.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// sameFile reports whether a and b name the same file.
func sameFile(a, b string) bool {
	if absA, err := filepath.Abs(a); err == nil {
		if absB, err := filepath.Abs(b); err == nil && filepath.Clean(absA) == filepath.Clean(absB) {
			return true
		}
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// ctxWriter stops a long copy once ctx is over.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
