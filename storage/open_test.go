package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ledgerlink/connectors"
)

// secondInstanceDirEnv, when set, makes TestSecondInstanceIsRefused act as
// the second LedgerLink: it opens that folder and prints the outcome.
const secondInstanceDirEnv = "LEDGERLINK_TEST_SECOND_INSTANCE_DIR"

const secondInstanceMarker = "SECOND-INSTANCE-RESULT: "

// fileDigest is the SHA-256 of the file at path.
func fileDigest(t testing.TB, path string) [32]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return sha256.Sum256(raw)
}

func TestSecondInstanceIsRefused(t *testing.T) {
	if dir := os.Getenv(secondInstanceDirEnv); dir != "" {
		// The child: a second LedgerLink starting on the same folder, with
		// the default lock timeout. It reports how long the refusal took.
		start := time.Now()
		db, err := Open(dir, Options{})
		took := time.Since(start)
		outcome := "opened"
		if err == nil {
			_ = db.Close()
		} else {
			outcome = err.Error()
		}
		fmt.Printf("%s%d|%s\n", secondInstanceMarker, took.Milliseconds(), outcome)
		return
	}

	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, db.Install(ctx, fakeBooksDefinition(), nil))
	mustSucceed(t, db.SetSettings(ctx, fakeBooksDefinition(), map[string]string{"organisation": "Acme Ltd"}))
	path := filepath.Join(dir, FileName)
	before := fileDigest(t, path)

	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondInstanceIsRefused$", "-test.count=1")
	cmd.Env = append(os.Environ(), secondInstanceDirEnv+"="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the second process: %v", err)
	}
	// Process start-up (a race-enabled binary) is not what is measured: the
	// child times its own Open.
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("second process failed: %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the second process did not finish:\n%s", out.String())
	}

	var result string
	for line := range strings.Lines(out.String()) {
		if rest, ok := strings.CutPrefix(line, secondInstanceMarker); ok {
			result = strings.TrimSpace(rest)
		}
	}
	millis, message, ok := strings.Cut(result, "|")
	if !ok {
		t.Fatalf("the second process gave no result:\n%s", out.String())
	}
	if !strings.HasPrefix(message, ErrAlreadyRunning.Error()) {
		t.Errorf("second process said %q, want %q", message, ErrAlreadyRunning.Error())
	}
	if ms, err := strconv.Atoi(millis); err != nil || ms >= 2000 {
		t.Errorf("the refusal took %sms, want under 2000ms", millis)
	}
	if after := fileDigest(t, path); after != before {
		t.Error("the database file changed while the second process tried to open it")
	}
	mustSucceed(t, db.Close())
	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("reopen after the refusal: %v", err)
	}
	defer db.Close()
	if got, err := db.Settings("fakebooks"); err != nil || got["organisation"] != "Acme Ltd" {
		t.Errorf("settings after the refusal = %v, %v", got, err)
	}
}

func TestSecondOpenTimesOutQuickly(t *testing.T) {
	// The same refusal measured in-process, where start-up time does not
	// blur it: bbolt's file lock is per open file, so a second Open in one
	// process waits for the first like another process would.
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	second, err := Open(dir, Options{LockTimeout: 300 * time.Millisecond})
	took := time.Since(start)
	if err == nil {
		_ = second.Close()
		t.Fatal("a second Open of the same folder succeeded")
	}
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("err = %v, want ErrAlreadyRunning", err)
	}
	if took > 2*time.Second {
		t.Errorf("the refusal took %s, want well under 2s", took)
	}
}

// writeSchemaVersion sets the schema version of the closed database in dir
// with raw bbolt.
func writeSchemaVersion(t testing.TB, path string, version uint64) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchema, u64(version))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, db.Install(ctx, connectors.Definition{Name: "xero", Title: "Xero"}, nil))
	mustSucceed(t, db.Close())
	path := filepath.Join(dir, FileName)
	writeSchemaVersion(t, path, SchemaVersion+1)
	before := fileDigest(t, path)

	for _, readOnly := range []bool{false, true} {
		db, err := Open(dir, Options{ReadOnly: readOnly})
		if err == nil {
			_ = db.Close()
			t.Fatalf("Open(readOnly=%v) of a newer database succeeded", readOnly)
		}
		if !errors.Is(err, ErrNewerSchema) {
			t.Errorf("Open(readOnly=%v) = %v, want ErrNewerSchema", readOnly, err)
		}
	}
	if after := fileDigest(t, path); after != before {
		t.Error("refusing the newer database changed its file")
	}
}
