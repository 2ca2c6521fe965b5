package feed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	stdsync "sync"
	"time"

	"ledgerlink/connectors"

	"ledgerlink/words"
)

// Inbox folder layout and timing defaults.
const (
	// InboxFolder is the inbox's name inside the data folder.
	InboxFolder = "inbox"
	// ProcessedFolder and FailedFolder sit inside the inbox.
	ProcessedFolder = "processed"
	FailedFolder    = "failed"
	// ErrorsSuffix is added to a failed file's name for the file listing
	// its problems ("sales_invoices.csv.errors.txt").
	ErrorsSuffix = ".errors.txt"
	// DefaultSettle is how long a file must stay unchanged before it is
	// read, so that a file still being written is not read half-way.
	DefaultSettle = 5 * time.Second
	// DefaultInterval is how often Watch looks in the folder.
	DefaultInterval = 10 * time.Second
)

// Stored counts what a Sink did with the records of one file.
type Stored struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Sink stores imported records in the workspace. Storing the same record
// again must change nothing (Unchanged), so that importing a file twice is
// harmless. origin names where the records came from ("inbox:file.csv").
type Sink interface {
	PutRecords(ctx context.Context, origin string, recs []connectors.Record) (Stored, error)
}

// Disposition is what became of one file.
type Disposition string

const (
	// Imported: every row was read and stored; the file is in processed/.
	Imported Disposition = "imported"
	// Failed: some or all of the file could not be read; the rows that could
	// were stored, and the file is in failed/ with its errors file beside it.
	Failed Disposition = "failed"
	// Retry: the file was left in the inbox to try again at the next look
	// (it could not be opened, or the records could not be stored).
	Retry Disposition = "retry"
)

// FileOutcome reports one file.
type FileOutcome struct {
	// Name is the file's name as it was dropped.
	Name string `json:"name"`
	// Path is where the file is now.
	Path string `json:"path"`
	// ErrorsPath is the file listing its problems, for failed files.
	ErrorsPath  string                `json:"errors_path,omitempty"`
	Disposition Disposition           `json:"disposition"`
	Type        connectors.RecordType `json:"type,omitempty"`
	Lines       int                   `json:"lines"`
	// Records is how many records read cleanly and went to the sink.
	Records  int       `json:"records"`
	Stored   Stored    `json:"stored"`
	Problems []Problem `json:"problems,omitempty"`
	// Error is a problem with the file as a whole, or with storing it.
	Error string `json:"error,omitempty"`
}

// Inbox watches a folder the business system drops files into. Files are
// read in an order that puts customers and suppliers before the documents
// that name them and documents before their payments. A file is left alone
// while it may still be being written: while its name ends in a temporary
// suffix (.tmp, .part, .crdownload, ~ …), starts with '.' or '~$', or it
// was modified less than Settle ago and has not stayed unchanged for Settle
// between two looks. Its methods may be called from several goroutines; the
// folder is looked at by one of them at a time. Set the fields before first
// use.
type Inbox struct {
	// Dir is the inbox folder; processed/ and failed/ are made inside it.
	Dir string
	// Options are passed to Read for every file.
	Options Options
	// Settle is how long a file must be left unchanged; 0 means DefaultSettle.
	Settle time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives one line per file; nil means slog.Default().
	Logger *slog.Logger
	// Notify, when set, is called by Watch with each file's outcome.
	Notify func(FileOutcome)

	mu   stdsync.Mutex
	seen map[string]sighting
}

// sighting is how a file looked when first seen in that state.
type sighting struct {
	size  int64
	mod   time.Time
	since time.Time
}

// DefaultInboxDir is the inbox inside a data folder.
func DefaultInboxDir(dataDir string) string { return filepath.Join(dataDir, InboxFolder) }

// NewInbox returns an inbox over dir with default timing.
func NewInbox(dir string, opts Options) *Inbox {
	return &Inbox{Dir: dir, Options: opts}
}

func (in *Inbox) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func (in *Inbox) logger() *slog.Logger {
	if in.Logger != nil {
		return in.Logger
	}
	return slog.Default()
}

func (in *Inbox) settle() time.Duration {
	if in.Settle > 0 {
		return in.Settle
	}
	return DefaultSettle
}

// readableExts are the file kinds the inbox reads.
var readableExts = []string{".csv", ".tsv", ".txt", ".json"}

// tempSuffixes mark files that are still being written or copied.
var tempSuffixes = []string{".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart", ".swp", ".lock", "~"}

// ignoredName reports whether the inbox leaves a file alone entirely.
func ignoredName(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasSuffix(lower, ErrorsSuffix) {
		return true
	}
	for _, s := range tempSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// ProcessOnce reads every settled file in the inbox, stores its good
// records through sink and moves it to processed/ or failed/. It returns an
// error only when the inbox folder itself cannot be used or ctx ends.
func (in *Inbox) ProcessOnce(ctx context.Context, sink Sink) ([]FileOutcome, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, d := range []string{in.Dir, filepath.Join(in.Dir, ProcessedFolder), filepath.Join(in.Dir, FailedFolder)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("the inbox folder %s cannot be made: %w", d, err)
		}
	}
	entries, err := os.ReadDir(in.Dir)
	if err != nil {
		return nil, fmt.Errorf("the inbox folder %s cannot be read: %w", in.Dir, err)
	}
	type candidate struct {
		name string
		rank int
		mod  time.Time
	}
	var ready []candidate
	now := in.now()
	present := map[string]bool{}
	if in.seen == nil {
		in.seen = map[string]sighting{}
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || ignoredName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		name := e.Name()
		present[name] = true
		if !in.settled(name, info, now) {
			continue
		}
		t, _ := typeFromFileName(name)
		ready = append(ready, candidate{name: name, rank: typeRank(t), mod: info.ModTime()})
	}
	for name := range in.seen {
		if !present[name] {
			delete(in.seen, name)
		}
	}
	slices.SortFunc(ready, func(a, b candidate) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := a.mod.Compare(b.mod); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	var outcomes []FileOutcome
	for _, c := range ready {
		if err := ctx.Err(); err != nil {
			return outcomes, err
		}
		out, err := in.processFile(ctx, c.name, sink)
		if err != nil {
			return outcomes, err
		}
		delete(in.seen, c.name)
		in.log(out)
		outcomes = append(outcomes, out)
	}
	return outcomes, nil
}

// settled reports whether a file has been left alone long enough: its
// modification time is Settle old, or it has looked the same for Settle
// by this clock (which copes with a writer whose clock is ahead).
func (in *Inbox) settled(name string, info fs.FileInfo, now time.Time) bool {
	settle := in.settle()
	prev, ok := in.seen[name]
	if !ok || prev.size != info.Size() || !prev.mod.Equal(info.ModTime()) {
		prev = sighting{size: info.Size(), mod: info.ModTime(), since: now}
		in.seen[name] = prev
	}
	age := now.Sub(info.ModTime())
	return age >= settle || now.Sub(prev.since) >= settle
}

func (in *Inbox) log(out FileOutcome) {
	attrs := []any{"file", out.Name, "type", out.Type, "records", out.Records,
		"added", out.Stored.Added, "updated", out.Stored.Updated, "unchanged", out.Stored.Unchanged,
		"problems", len(out.Problems)}
	switch out.Disposition {
	case Imported:
		in.logger().Info("business file imported", attrs...)
	case Failed:
		in.logger().Warn("business file had problems", append(attrs, "error", out.Error, "errors_file", out.ErrorsPath)...)
	default:
		in.logger().Warn("business file left in the inbox to try again", append(attrs, "error", out.Error)...)
	}
}

// processFile reads, stores and moves one file. It returns an error only
// when ctx ends.
func (in *Inbox) processFile(ctx context.Context, name string, sink Sink) (FileOutcome, error) {
	path := filepath.Join(in.Dir, name)
	out := FileOutcome{Name: name, Path: path}
	if !slices.Contains(readableExts, strings.ToLower(filepath.Ext(name))) {
		out.Error = fmt.Sprintf("LedgerLink reads .csv, .tsv, .txt and .json files, not %s; save the data as CSV (comma or semicolon separated) and drop that file in the inbox", name)
		return in.fail(out, nil), nil
	}
	out, err := importPath(ctx, path, "inbox:"+name, sink, in.Options)
	out.Name = name
	switch {
	case ctx.Err() != nil:
		return out, ctx.Err()
	case out.Disposition == Retry:
		return out, nil
	case err != nil || len(out.Problems) > 0:
		return in.fail(out, err), nil
	}
	dest, err := moveInto(path, filepath.Join(in.Dir, ProcessedFolder), in.now())
	if err != nil {
		out.Disposition = Retry
		out.Error = in.Options.lang().T("engine.feed.inbox.not_moved", "Folder", ProcessedFolder, "Error", err.Error())
		return out, nil
	}
	out.Path = dest
	return out, nil
}

// fail moves a file to failed/ and writes its errors file.
func (in *Inbox) fail(out FileOutcome, fileErr error) FileOutcome {
	now := in.now()
	out.Disposition = Failed
	if fileErr != nil && out.Error == "" {
		out.Error = in.Options.lang().Error(fileErr)
	}
	dest, err := moveInto(out.Path, filepath.Join(in.Dir, FailedFolder), now)
	if err != nil {
		out.Disposition = Retry
		out.Error = in.Options.lang().T("engine.feed.inbox.not_moved_failed", "Error", out.Error, "Folder", FailedFolder, "MoveError", err.Error())
		return out
	}
	out.Path = dest
	errPath := dest + ErrorsSuffix
	if err := os.WriteFile(errPath, []byte(errorsReport(in.Options.lang(), out, now)), 0o600); err != nil {
		in.logger().Error("the errors file could not be written", "file", errPath, "error", err)
		return out
	}
	out.ErrorsPath = errPath
	return out
}

// errorsReport is the text of a failed file's errors file.
func errorsReport(w *words.Words, out FileOutcome, now time.Time) string {
	var b strings.Builder
	b.WriteString(w.T("engine.feed.report.title", "File", out.Name, "Checked", now.Format("2006-01-02 15:04:05")) + "\n")
	if out.Error != "" {
		b.WriteString("\n" + out.Error + "\n\n" + w.T("engine.feed.report.nothing_imported") + "\n")
	} else {
		what := w.T("engine.feed.report.records")
		switch {
		case out.Type != "" && out.Records == 1:
			what = w.T(nounKey(out.Type))
		case out.Type != "":
			what = strings.ToLower(out.Type.LabelIn(w))
		}
		b.WriteString(w.T("engine.feed.report.counts", "Lines", w.Int(int64(out.Lines)), "Records", w.Int(int64(out.Records)), "What", what,
			"Added", w.Int(int64(out.Stored.Added)), "Updated", w.Int(int64(out.Stored.Updated)), "Unchanged", w.Int(int64(out.Stored.Unchanged))) + "\n")
		b.WriteString(w.T("engine.feed.report.not_imported") + "\n\n")
	}
	for _, p := range out.Problems {
		b.WriteString(p.Describe(w))
		b.WriteByte('\n')
	}
	return b.String()
}

// ImportFile reads the file at path and stores its good records through
// sink, leaving the file where it is (the `import FILE...` command). The
// error is the whole-file or storage problem also given in the outcome.
func ImportFile(ctx context.Context, path string, sink Sink, opts Options) (FileOutcome, error) {
	out, err := importPath(ctx, path, "import:"+filepath.Base(path), sink, opts)
	if err == nil && out.Disposition == Retry {
		err = errors.New(out.Error)
	}
	return out, err
}

// importPath reads and stores one file without moving it. The outcome's
// Disposition is Imported, Failed (with err set for whole-file problems)
// or Retry.
func importPath(ctx context.Context, path, origin string, sink Sink, opts Options) (FileOutcome, error) {
	out := FileOutcome{Name: filepath.Base(path), Path: path, Disposition: Imported}
	f, err := os.Open(path)
	if err != nil {
		out.Disposition = Retry
		out.Error = opts.lang().T("engine.feed.inbox.not_opened", "File", out.Name, "Error", err.Error())
		return out, nil
	}
	res, err := Read(ctx, path, f, opts)
	_ = f.Close() // read-only; nothing to lose
	if err != nil {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if !errors.Is(err, ErrFile) {
			out.Disposition = Retry
			out.Error = opts.lang().Error(err)
			return out, nil
		}
		out.Disposition = Failed
		out.Error = opts.lang().Error(err)
		return out, err
	}
	out.Type, out.Lines, out.Records, out.Problems = res.Type, res.Lines, len(res.Records), res.Problems
	if len(res.Records) > 0 {
		stored, err := sink.PutRecords(ctx, origin, res.Records)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			out.Disposition = Retry
			out.Error = opts.lang().T("engine.feed.inbox.not_stored", "File", out.Name, "Error", opts.lang().Error(err))
			return out, nil
		}
		out.Stored = stored
	}
	if len(out.Problems) > 0 {
		out.Disposition = Failed
	}
	return out, nil
}

// moveInto moves a file into dir, adding the time (and if need be a
// number) to its name when dir already holds one by that name.
func moveInto(path, dir string, now time.Time) (string, error) {
	name := filepath.Base(path)
	dest := filepath.Join(dir, name)
	if exists(dest) {
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		stamp := now.Format("20060102-150405")
		dest = filepath.Join(dir, stem+"-"+stamp+ext)
		for n := 2; exists(dest); n++ {
			dest = filepath.Join(dir, fmt.Sprintf("%s-%s-%d%s", stem, stamp, n, ext))
		}
	}
	if err := os.Rename(path, dest); err != nil {
		return "", err
	}
	return dest, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Watch looks in the inbox every interval (0 means DefaultInterval) until
// ctx ends, and returns ctx's error. Polling works the same on every
// system and on network folders, where change notifications are
// unreliable; a few seconds' delay does not matter for business files.
// Problems with the folder itself are logged and tried again.
func (in *Inbox) Watch(ctx context.Context, sink Sink, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		outcomes, err := in.ProcessOnce(ctx, sink)
		if in.Notify != nil {
			for _, o := range outcomes {
				in.Notify(o)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			in.logger().Error("inbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}
