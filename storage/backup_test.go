package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// testRecords is a bucket the backup tests fill with raw bbolt puts.
var testRecords = []byte("test_records")

// putTestRecords writes records [from, to) into the test bucket in one
// transaction.
func putTestRecords(t testing.TB, db *DB, from, to int) {
	t.Helper()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(testRecords)
		if err != nil {
			return err
		}
		for i := from; i < to; i++ {
			if err := b.Put(u64(uint64(i)), testRecordValue(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testRecordValue(i int) []byte {
	return fmt.Appendf(nil, `{"type":"sales_invoice","code":"INV-%06d","customer":"C%04d","total":"%d.%02d","lines":[{"description":"Widget, blue","quantity":"3","unit_price":"12.50"}]}`,
		i, i%997, 100+i, i%100)
}

// missingTestRecords lists which of records [0, n) the database in dir lacks
// or holds with a wrong value.
func missingTestRecords(t testing.TB, dir string, n int) []int {
	t.Helper()
	db, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open restored database: %v", err)
	}
	defer db.Close()
	var missing []int
	err = db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(testRecords)
		for i := range n {
			if b == nil || !bytes.Equal(b.Get(u64(uint64(i))), testRecordValue(i)) {
				missing = append(missing, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return missing
}

// makeBackupFile returns the path of a backup of a small database with the
// fake module installed and a few records.
func makeBackupFile(t testing.TB) string {
	t.Helper()
	db := openFoundationDB(t)
	mustSucceed(t, db.Install(context.Background(), fakeBooksDefinition(), nil))
	putTestRecords(t, db, 0, 50)
	path := filepath.Join(t.TempDir(), "backup.db")
	mustSucceed(t, db.BackupToFile(context.Background(), path))
	return path
}

func TestBackupWhileWritingThenRestore(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	mustSucceed(t, db.Install(ctx, fakeBooksDefinition(), nil))
	putTestRecords(t, db, 0, 500)

	// A writer keeps committing one record per transaction; committed is
	// how many records are durably in the database.
	var committed atomic.Int64
	committed.Store(500)
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for i := 500; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			err := db.bolt.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(testRecords).Put(u64(uint64(i)), testRecordValue(i))
			})
			if err != nil {
				writerDone <- err
				return
			}
			committed.Store(int64(i + 1))
		}
	}()
	for committed.Load() < 700 {
		runtime.Gosched()
	}
	before := int(committed.Load())
	backup := filepath.Join(t.TempDir(), "backup.db")
	err := db.BackupToFile(ctx, backup)
	close(stop)
	if werr := <-writerDone; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatalf("BackupToFile: %v", err)
	}
	if after := int(committed.Load()); after <= before {
		t.Logf("no write landed during the backup (%d before, %d after)", before, after)
	}

	st, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v, want 0600", st.Mode().Perm())
	}
	info, err := VerifyBackup(backup)
	if err != nil {
		t.Fatalf("VerifyBackup: %v", err)
	}
	if info.SchemaVersion != SchemaVersion || !slices.Equal(info.Modules, []string{"fakebooks"}) || info.Size != st.Size() || info.CreatedAt.IsZero() {
		t.Errorf("info = %+v", info)
	}

	fresh := filepath.Join(t.TempDir(), "fresh")
	kept, err := Restore(ctx, fresh, backup)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if kept != "" {
		t.Errorf("nothing to keep aside in a new folder, got %q", kept)
	}
	if missing := missingTestRecords(t, fresh, before); len(missing) > 0 {
		t.Errorf("%d records committed before the backup are missing after restore, first %d", len(missing), missing[0])
	}
	live := filepath.Join(fresh, FileName)
	if st, err := os.Stat(live); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Errorf("restored file: %v, %v", st, err)
	}
	if _, err := VerifyBackup(live); err != nil {
		t.Errorf("the restored database does not verify: %v", err)
	}
}

func TestRestoreKeepsTheCurrentDatabaseAside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "alpha"}, nil))
	backup := filepath.Join(t.TempDir(), "alpha.db")
	mustSucceed(t, db.BackupToFile(ctx, backup))
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "beta"}, nil))
	mustSucceed(t, db.Close())
	live := filepath.Join(dir, FileName)
	beforeRestore := fileDigest(t, live)

	// Two restores in a row (within the same second) keep two copies.
	var kept []string
	for range 2 {
		k, err := Restore(ctx, dir, backup)
		if err != nil {
			t.Fatalf("Restore: %v", err)
		}
		if !strings.HasPrefix(filepath.Base(k), FileName+".before-restore-") || filepath.Dir(k) != dir {
			t.Errorf("kept aside as %q", k)
		}
		kept = append(kept, k)
	}
	if kept[0] == kept[1] {
		t.Fatalf("both restores kept aside under %q", kept[0])
	}
	if got := fileDigest(t, kept[0]); got != beforeRestore {
		t.Error("the first copy kept aside is not the database as it was before")
	}
	info, err := VerifyBackup(kept[0])
	if err != nil || !slices.Equal(info.Modules, []string{"alpha", "beta"}) {
		t.Errorf("kept copy: %+v, %v", info, err)
	}
	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mods, err := db.InstalledModules()
	if err != nil || len(mods) != 1 || mods[0].Name != "alpha" {
		t.Errorf("modules after restore = %v, %v; want alpha only", mods, err)
	}
	// The database works normally after a restore.
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "gamma"}, nil))
	if got := fileDigest(t, kept[0]); got != beforeRestore {
		t.Error("writing to the restored database changed the copy kept aside")
	}
}

// badBackups builds the files a restore must refuse, keyed by name, with
// the error each must give.
func badBackups(t *testing.T) []struct {
	name string
	path string
	want error
} {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile(makeBackupFile(t))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}

	// A bbolt file that LedgerLink did not make.
	foreign := filepath.Join(dir, "foreign.db")
	b, err := bolt.Open(foreign, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, b.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return bk.Put([]byte("a"), []byte("b"))
	}))
	mustSucceed(t, b.Close())

	// A backup from a newer LedgerLink.
	newer := write("newer.db", good)
	writeSchemaVersion(t, newer, SchemaVersion+1)

	return []struct {
		name string
		path string
		want error
	}{
		{"random bytes", write("random.db", random), ErrNotABackup},
		{"empty file", write("empty.db", nil), ErrNotABackup},
		{"a text file", write("notes.txt", []byte("Invoice INV-001, paid 12 March\n")), ErrNotABackup},
		{"truncated backup", write("truncated.db", good[:len(good)/2]), ErrNotABackup},
		{"only the first page of a backup", write("first-page.db", good[:4096]), ErrNotABackup},
		{"bbolt file without the meta bucket", foreign, ErrNotABackup},
		{"newer schema", newer, ErrNewerSchema},
		{"a folder", dir, ErrNotABackup},
	}
}

func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	for _, tt := range badBackups(t) {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := VerifyBackup(tt.path); !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("VerifyBackup = %v, want %v naming the file", err, tt.want)
			}

			dir := t.TempDir()
			db, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "xero"}, nil))
			mustSucceed(t, db.Close())
			live := filepath.Join(dir, FileName)
			before := fileDigest(t, live)

			kept, err := Restore(ctx, dir, tt.path)
			if !errors.Is(err, tt.want) {
				t.Errorf("Restore = %v, want %v", err, tt.want)
			}
			if kept != "" {
				t.Errorf("a refused restore kept something aside: %q", kept)
			}
			if after := fileDigest(t, live); after != before {
				t.Error("a refused restore changed the database")
			}
			assertOnlyDatabaseIn(t, dir)
		})
	}
}

// assertOnlyDatabaseIn fails when dir holds anything but the database.
func assertOnlyDatabaseIn(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != FileName {
			t.Errorf("left behind in the data folder: %s", e.Name())
		}
	}
}

func TestRestoreWhileLedgerLinkIsRunning(t *testing.T) {
	ctx := context.Background()
	backup := makeBackupFile(t)
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "cash"}, nil))
	live := filepath.Join(dir, FileName)
	before := fileDigest(t, live)

	start := time.Now()
	kept, err := Restore(ctx, dir, backup)
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("Restore over an open database = %v, want ErrAlreadyRunning", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the refusal took %s", took)
	}
	if kept != "" || fileDigest(t, live) != before {
		t.Errorf("a refused restore changed something (kept %q)", kept)
	}
	assertOnlyDatabaseIn(t, dir)
	if _, ok, err := db.Installed("cash"); !ok || err != nil {
		t.Errorf("the running database lost its module: %v, %v", ok, err)
	}
}

func TestRestorePutsTheOriginalBackOnFailure(t *testing.T) {
	ctx := context.Background()
	backup := makeBackupFile(t)
	breakIt := func(live string) error {
		// The file in place turns out unreadable.
		return os.WriteFile(live, []byte("not a database"), 0o600)
	}

	t.Run("with a database before", func(t *testing.T) {
		dir := t.TempDir()
		db, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "kashflow"}, nil))
		mustSucceed(t, db.Close())
		live := filepath.Join(dir, FileName)
		before := fileDigest(t, live)

		kept, err := restore(ctx, dir, backup, breakIt)
		if err == nil || !strings.Contains(err.Error(), "the previous one was put back") {
			t.Fatalf("restore = %v, want a failure saying the previous database was put back", err)
		}
		if fileDigest(t, live) != before {
			t.Error("the original database was not put back")
		}
		if kept == "" || fileDigest(t, kept) != before {
			t.Errorf("the copy kept aside (%q) is missing or differs", kept)
		}
		db, err = Open(dir, Options{})
		if err != nil {
			t.Fatalf("the database put back does not open: %v", err)
		}
		defer db.Close()
		if _, ok, _ := db.Installed("kashflow"); !ok {
			t.Error("the database put back lost its module")
		}
	})

	t.Run("into an empty folder", func(t *testing.T) {
		dir := t.TempDir()
		kept, err := restore(ctx, dir, backup, breakIt)
		if err == nil || kept != "" {
			t.Fatalf("restore = %q, %v; want a failure with nothing kept aside", kept, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("the folder is not empty again: %v", entries)
		}
	})
}

func TestBackupToFileRefusesTheLiveDatabase(t *testing.T) {
	db := openFoundationDB(t)
	live := filepath.Join(db.Dir(), FileName)
	before := fileDigest(t, live)
	if err := db.BackupToFile(context.Background(), live); err == nil {
		t.Fatal("BackupToFile over the live database succeeded")
	}
	if fileDigest(t, live) != before {
		t.Error("the live database changed")
	}
	assertOnlyDatabaseIn(t, db.Dir())
}

func TestBackupToFileReplacesAnOlderBackup(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	path := filepath.Join(t.TempDir(), "nightly.db")
	mustSucceed(t, db.BackupToFile(ctx, path))
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "xero"}, nil))
	mustSucceed(t, db.BackupToFile(ctx, path))
	info, err := VerifyBackup(path)
	if err != nil || !slices.Equal(info.Modules, []string{"xero"}) {
		t.Errorf("second backup: %+v, %v", info, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the backup: %v", entries)
	}
}

func TestBackupStopsWhenCancelled(t *testing.T) {
	db := openFoundationDB(t)
	putTestRecords(t, db, 0, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.Backup(ctx, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("Backup with a cancelled context = %v", err)
	}
	path := filepath.Join(t.TempDir(), "b.db")
	if err := db.BackupToFile(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("BackupToFile with a cancelled context = %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Errorf("a cancelled backup left %v", entries)
	}
}

func TestBackupHoldsNoSecrets(t *testing.T) {
	ctx := context.Background()
	db := openFoundationDB(t)
	def := fakeBooksDefinition()
	mustSucceed(t, db.Install(ctx, def, nil))
	keyring := fakeKeyring{}
	const secret = "sk_live_5f2c9e0b7d"
	// The Configure screen saves secrets in the keyring; a caller that
	// wrongly sends one to the database is refused.
	keyring["api_key"] = secret
	if err := db.SetSettings(ctx, def, map[string]string{"organisation": "Acme Ltd", "api_key": secret}); !errors.Is(err, ErrSecretSetting) {
		t.Fatalf("SetSettings with a secret = %v, want ErrSecretSetting", err)
	}
	mustSucceed(t, db.SetSettings(ctx, def, map[string]string{"organisation": "Acme Ltd"}))
	var buf bytes.Buffer
	if _, err := db.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("Acme Ltd")) {
		t.Fatal("the backup does not hold the ordinary settings; the check below would prove nothing")
	}
	for key, value := range keyring {
		if bytes.Contains(buf.Bytes(), []byte(value)) {
			t.Errorf("the backup holds the secret %s", key)
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("default-secret-never-stored")) {
		t.Error("the backup holds a secret field's default")
	}
}

// corruptPage rewrites, in a copy of the backup at src, the page holding
// the root of the test-records bucket.
func corruptPage(t *testing.T, src string, edit func(page []byte, id uint64)) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	pageSize := uint64(b.Info().PageSize)
	mustSucceed(t, b.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket(testRecords).Root())
		return nil
	}))
	mustSucceed(t, b.Close())
	if root == 0 {
		t.Fatal("the test bucket is inline; it needs more records")
	}
	edit(data[root*pageSize:(root+1)*pageSize], root)
	out := filepath.Join(t.TempDir(), "corrupt.db")
	mustSucceed(t, os.WriteFile(out, data, 0o600))
	return out
}

func TestVerifyBackupRefusesDamagedPages(t *testing.T) {
	db := openFoundationDB(t)
	putTestRecords(t, db, 0, 3000) // enough for a branch page at the root
	src := filepath.Join(t.TempDir(), "good.db")
	mustSucceed(t, db.BackupToFile(context.Background(), src))
	ne := binary.NativeEndian

	tests := []struct {
		name string
		edit func(page []byte, id uint64)
	}{
		{"a branch that points to itself", func(p []byte, id uint64) {
			if ne.Uint16(p[8:]) != flagBranch {
				t.Fatal("the root is not a branch page")
			}
			ne.PutUint64(p[boltPageHeaderSize+8:], id)
		}},
		{"a page that calls itself another page", func(p []byte, id uint64) { ne.PutUint64(p, id+1) }},
		{"a page of no known type", func(p []byte, _ uint64) { ne.PutUint16(p[8:], 0x40) }},
		{"a page pointing past the end of the file", func(p []byte, _ uint64) {
			ne.PutUint64(p[boltPageHeaderSize+8:], 1<<40)
		}},
		{"an entry pointing outside its page", func(p []byte, _ uint64) {
			ne.PutUint32(p[boltPageHeaderSize:], 1<<20)
		}},
		{"more entries than the page holds", func(p []byte, _ uint64) { ne.PutUint16(p[10:], 0xFFFE) }},
		{"overflow past the end of the file", func(p []byte, _ uint64) { ne.PutUint32(p[12:], 1<<30) }},
		{"children out of order", func(p []byte, _ uint64) {
			// Swap the first two children: every page is still reached once,
			// only bbolt's own consistency check sees the keys disagree.
			a := ne.Uint64(p[boltPageHeaderSize+8:])
			b := ne.Uint64(p[boltPageHeaderSize+boltElementSize+8:])
			ne.PutUint64(p[boltPageHeaderSize+8:], b)
			ne.PutUint64(p[boltPageHeaderSize+boltElementSize+8:], a)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := corruptPage(t, src, tt.edit)
			_, err := VerifyBackup(path)
			if !errors.Is(err, ErrNotABackup) || !errors.Is(err, errStructure) || !strings.Contains(err.Error(), "it is damaged") {
				t.Errorf("VerifyBackup = %v, want ErrNotABackup saying it is damaged", err)
			}
		})
	}
	if _, err := VerifyBackup(src); err != nil {
		t.Errorf("the undamaged backup does not verify: %v", err)
	}
}

func TestVerifyBackupMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := VerifyBackup(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("VerifyBackup of a missing file = %v", err)
	}
}

func FuzzVerifyBackup(f *testing.F) {
	good, err := os.ReadFile(makeBackupFile(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:8192])
	f.Add([]byte{})
	f.Add([]byte("LedgerLink backup"))
	f.Add(bytes.Repeat([]byte{0xED, 0xDA, 0x0C, 0xED}, 2048))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, fmt.Sprintf("fuzz-%d.db", rand.Uint64()))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		info, err := VerifyBackup(path)
		if err != nil {
			if !errors.Is(err, ErrNotABackup) && !errors.Is(err, ErrNewerSchema) {
				t.Fatalf("VerifyBackup gave an unexpected kind of error: %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("the message does not name the file: %v", err)
			}
			return
		}
		if info.SchemaVersion < 1 || info.SchemaVersion > SchemaVersion || info.Size != int64(len(data)) {
			t.Fatalf("accepted with odd info %+v for %d bytes", info, len(data))
		}
	})
}

func BenchmarkBackup(b *testing.B) {
	db := openFoundationDB(b)
	for from := 0; from < 10_000; from += 1000 {
		putTestRecords(b, db, from, from+1000)
	}
	ctx := context.Background()
	size, err := db.Backup(ctx, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Backup(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBackup(b *testing.B) {
	db := openFoundationDB(b)
	for from := 0; from < 10_000; from += 1000 {
		putTestRecords(b, db, from, from+1000)
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	if err := db.BackupToFile(context.Background(), path); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyBackup(path); err != nil {
			b.Fatal(err)
		}
	}
}
