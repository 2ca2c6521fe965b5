package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/storage/secrets"
	"ledgerlink/sync/feed"
	"ledgerlink/sync/workspace"
)

// outcome is what one command line did.
type outcome struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func (o outcome) String() string {
	return "ledgerlink " + strings.Join(o.args, " ") + "\n--- exit " + strconv.Itoa(o.code) +
		"\n--- stdout:\n" + o.stdout + "\n--- stderr:\n" + o.stderr
}

// lockedBuffer is an io.Writer several goroutines may write to, as the
// `run` verb does from its scheduler and inbox.
type lockedBuffer struct {
	mu  stdsync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// inProcess runs the real command functions in this process on one data
// folder, with an injected connector registry and an in-memory keyring.
type inProcess struct {
	t        *testing.T
	dataDir  string
	keyring  *secrets.Memory
	registry func(sandbox bool) (*connectors.Registry, error)
}

func (c *inProcess) run(args ...string) outcome {
	c.t.Helper()
	return c.runCtx(context.Background(), "", args...)
}

func (c *inProcess) runStdin(stdin string, args ...string) outcome {
	c.t.Helper()
	return c.runCtx(context.Background(), stdin, args...)
}

func (c *inProcess) runCtx(ctx context.Context, stdin string, args ...string) outcome {
	var out lockedBuffer
	return c.runWith(ctx, stdin, &out, args...)
}

// runCtxOut runs with standard output in out, to be read while it runs.
func (c *inProcess) runCtxOut(ctx context.Context, out *lockedBuffer, args ...string) outcome {
	return c.runWith(ctx, "", out, args...)
}

func (c *inProcess) runWith(ctx context.Context, stdin string, out *lockedBuffer, args ...string) outcome {
	var errOut lockedBuffer
	e := env{stdin: strings.NewReader(stdin), stdout: out, stderr: &errOut, deps: dependencies{
		registry: c.registry,
		keyring:  func() secrets.Store { return c.keyring },
		window: func(context.Context, *workspace.Workspace, globalFlags) error {
			return errors.New("no window in tests")
		},
	}}
	full := append(slices.Clone(args), "--data-dir", c.dataDir)
	code := run(ctx, full, e)
	return outcome{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
}

// subprocess runs the test binary as the real ledgerlink binary (see
// TestMain), in the environment of the test: the D-Bus session and its
// keyring included.
type subprocess struct {
	t       *testing.T
	dataDir string
}

func (s subprocess) run(stdin string, args ...string) outcome {
	s.t.Helper()
	full := append(slices.Clone(args), "--data-dir", s.dataDir)
	raw, err := json.Marshal(full)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEDGERLINK_TEST_RUN_MAIN=1", "LEDGERLINK_TEST_ARGS_JSON="+string(raw))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		s.t.Fatalf("ledgerlink %s could not be run: %v", strings.Join(args, " "), err)
	}
	return outcome{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
}

// wantExit fails the test unless o ended with code.
func wantExit(t *testing.T, o outcome, code int) {
	t.Helper()
	if o.code != code {
		t.Fatalf("want exit %d, got:\n%s", code, o)
	}
}

// decode parses a verb's --json output, failing the test when it is not
// JSON of the expected shape.
func decode[T any](t *testing.T, o outcome) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(o.stdout), &v); err != nil {
		t.Fatalf("--json output does not parse as %T: %v\n%s", v, err, o)
	}
	return v
}

// copySample writes the sample business files into a new folder and returns
// their paths, in name order.
func copySample(t *testing.T) []string {
	t.Helper()
	return copySampleReplacing(t, nil)
}

// copySampleReplacing is copySample with every old string of replace (old,
// new pairs) replaced in the files, as a business system that uses other
// product codes would write them.
func copySampleReplacing(t *testing.T, replace []string) []string {
	t.Helper()
	r := strings.NewReplacer(replace...)
	dir := t.TempDir()
	sample := assets.Sample()
	entries, err := fs.ReadDir(sample, ".")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		if e.IsDir() || e.Name() == "README.md" {
			continue
		}
		b, err := fs.ReadFile(sample, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, e.Name())
		if err := os.WriteFile(p, []byte(r.Replace(string(b))), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		t.Fatal("the sample business has no files")
	}
	return paths
}

// sampleRecords reads the sample business as LedgerLink reads it.
func sampleRecords(t *testing.T) []connectors.Record {
	t.Helper()
	sample := assets.Sample()
	entries, err := fs.ReadDir(sample, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []connectors.Record
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		f, err := sample.Open(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		res, err := feed.Read(context.Background(), e.Name(), f, feed.Options{})
		_ = f.Close()
		if err != nil {
			t.Fatalf("sample file %s: %v", e.Name(), err)
		}
		if len(res.Problems) > 0 {
			t.Fatalf("sample file %s has problems: %v", e.Name(), res.Problems)
		}
		out = append(out, res.Records...)
	}
	return out
}

// sampleCodes returns each type's business codes in the sample, sorted:
// what an accounting package must end up holding, once each.
func sampleCodes(t *testing.T) map[connectors.RecordType][]string {
	t.Helper()
	out := map[connectors.RecordType][]string{}
	for _, r := range sampleRecords(t) {
		out[r.Type] = append(out[r.Type], r.Code())
	}
	for typ := range out {
		slices.Sort(out[typ])
		out[typ] = slices.Compact(out[typ])
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// JSON shapes of the verbs' output, as a script would read them.
type (
	jsonModule struct {
		Name      string   `json:"name"`
		Title     string   `json:"title"`
		Installed bool     `json:"installed"`
		Light     string   `json:"light"`
		Notes     []string `json:"notes"`
	}
	jsonSetting struct {
		Key    string `json:"key"`
		Label  string `json:"label"`
		Value  string `json:"value"`
		Secret bool   `json:"secret"`
		Set    bool   `json:"set"`
	}
	jsonConfigChange struct {
		Changes []string   `json:"changes"`
		Module  jsonModule `json:"module"`
	}
	jsonProblem struct {
		Rule  string `json:"rule"`
		Cause string `json:"cause"`
		Fix   string `json:"fix"`
	}
	jsonPending struct {
		Type  string `json:"type"`
		Code  string `json:"code"`
		Kind  string `json:"kind"`
		State string `json:"state"`
		Check struct {
			Status   string        `json:"status"`
			Problems []jsonProblem `json:"problems"`
		} `json:"check"`
	}
	jsonCount struct {
		Direction string `json:"direction"`
		Type      string `json:"type"`
		Created   int    `json:"created"`
		Updated   int    `json:"updated"`
		Failed    int    `json:"failed"`
	}
	jsonReport struct {
		Module string      `json:"module"`
		Counts []jsonCount `json:"counts"`
		Errors []string    `json:"errors"`
	}
	jsonExported struct {
		Type     string `json:"type"`
		Code     string `json:"code"`
		RemoteID string `json:"remote_id"`
		Verified bool   `json:"verified"`
		Manual   bool   `json:"manual"`
		URL      string `json:"url"`
	}
	jsonFeedback struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
		Cause   string `json:"cause"`
		Fix     string `json:"fix"`
	}
	jsonImportRow struct {
		Type        string   `json:"type"`
		RemoteID    string   `json:"remote_id"`
		Code        string   `json:"code"`
		Reference   string   `json:"reference"`
		Amount      string   `json:"amount"`
		AllocatedTo []string `json:"allocated_to"`
		Outcome     string   `json:"outcome"`
		Status      string   `json:"status"`
		Fix         string   `json:"fix"`
	}
	jsonMarked struct {
		Marked  int `json:"marked"`
		Refused []struct {
			Ref struct {
				Type string `json:"type"`
				Code string `json:"code"`
			} `json:"ref"`
			Reason string `json:"reason"`
		} `json:"refused"`
	}
)

// total adds up a report's counts of one direction.
func (r jsonReport) total(direction string) (created, updated, failed int) {
	for _, c := range r.Counts {
		if c.Direction == direction {
			created += c.Created
			updated += c.Updated
			failed += c.Failed
		}
	}
	return
}

// pendingRefs lists pending rows as "type:code".
func pendingRefs(rows []jsonPending) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Type+":"+r.Code)
	}
	slices.Sort(out)
	return out
}

// settingValue finds one setting of `config --json`.
func settingValue(t *testing.T, list []jsonSetting, key string) jsonSetting {
	t.Helper()
	for _, s := range list {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("config lists no setting %q", key)
	return jsonSetting{}
}

// commandLine runs one command line of ledgerlink and says what it did:
// in this process (inProcess) or as the real binary (realBinary).
type commandLine interface {
	run(args ...string) outcome
}

// realBinary runs each command line as the real ledgerlink binary, in the
// test's D-Bus session and keyring (see subprocess).
type realBinary struct{ subprocess }

func (b realBinary) run(args ...string) outcome {
	b.t.Helper()
	return b.subprocess.run("", args...)
}
