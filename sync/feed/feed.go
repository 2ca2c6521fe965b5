// Package feed reads the files the business system (shop, CRM, payroll)
// hands LedgerLink: one CSV or JSON file per record type, dropped in the
// inbox folder or named on the command line. It turns them into canonical
// records and says, in plain words and by line and column, what it could
// not read. Bad rows are reported and the good ones still import; a
// document, payment or journal with any bad line is held back whole.
//
// The file formats are documented in docs/business-files.md.
package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"ledgerlink/connectors"

	"ledgerlink/words"
)

// DefaultMaxBytes is the largest file Read accepts when Options.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// Options tune Read.
type Options struct {
	// Type forces the record type (the --type option). Empty means find it
	// from a 'type' column or the file name.
	Type connectors.RecordType
	// DecimalMark settles numbers such as "1,234" whose one separator is
	// followed by exactly three digits: '.' or ','. Zero means ',' for
	// files separated by ';' and '.' for the others.
	DecimalMark rune
	// DefaultCurrency fills the currency of documents and payments that
	// leave it blank (the business's home currency). Empty leaves it blank,
	// meaning the accounting package's base currency.
	DefaultCurrency string
	// MaxBytes refuses larger files; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Words are the language of the outcomes, the errors files and the
	// import messages; nil is English.
	Words *words.Words
}

// Problem is one thing Read could not accept, where it is in the file.
type Problem struct {
	File string `json:"file"`
	// Line is the line of the file the problem is on (1 is the heading of
	// a CSV file); 0 when it concerns the whole file.
	Line int `json:"line,omitempty"`
	// Column is the heading as written in the file, or for JSON files the
	// path inside the file ("records[3].lines[0].quantity"); empty when the
	// problem concerns a whole row or record.
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// String renders the problem for people in English:
// "line 14, column 'date': '31/02/2026' is not a real date".
func (p Problem) String() string { return p.Describe(english()) }

// Describe renders the problem in w's language (the message itself is in
// the language it was read in).
func (p Problem) Describe(w *words.Words) string {
	line := w.Int(int64(p.Line))
	switch {
	case p.Line > 0 && p.Column != "":
		return w.T("engine.feed.problem.line_column", "Line", line, "Column", p.Column, "Message", p.Message)
	case p.Line > 0:
		return w.T("engine.feed.problem.line", "Line", line, "Message", p.Message)
	case p.Column != "":
		return w.T("engine.feed.problem.column", "Column", p.Column, "Message", p.Message)
	}
	return p.Message
}

// Result is what Read made of one file.
type Result struct {
	Type connectors.RecordType `json:"type"`
	// Records are the records that read cleanly, in file order.
	Records []connectors.Record `json:"records"`
	// Problems are the rows and records that did not, in file order.
	Problems []Problem `json:"problems,omitempty"`
	// Lines is the number of data rows read (CSV, not counting the
	// heading) or records read (JSON).
	Lines int `json:"lines"`
}

// ErrFile marks a file Read cannot use at all (unreadable, no heading,
// unknown record type, a required column missing). Its message says what
// to do.
var ErrFile = errors.New("file cannot be imported") // words:log: a kind for errors.Is; people read the words it comes with

// asFileError makes a problem with a type name the whole file's problem:
// it then wraps ErrFile, keeping its words.
func asFileError(file string, err error) error {
	var se *sayError
	if errors.As(err, &se) {
		whole := *se
		whole.file = true
		return &whole
	}
	return &sayError{we: words.Errorf(err, "engine.feed.file.not_read", "File", file), file: true}
}

// Read reads one business file. name is the file's name (its base name
// names the type and appears in problems); r is its content. CSV and JSON
// are told apart by the extension (.json; .csv, .tsv, .txt) or, failing
// that, by the content. A whole-file problem returns an error wrapping
// ErrFile; problems with single rows are in Result.Problems.
func Read(ctx context.Context, name string, r io.Reader, opts Options) (Result, error) {
	file := filepath.Base(name)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	raw, err := readAll(r, maxBytes+1)
	if err != nil {
		return Result{}, fmt.Errorf("%s could not be read: %w", file, err)
	}
	if int64(len(raw)) > maxBytes {
		return Result{}, fileWords("engine.feed.file.too_large", "File", file, "MB", maxBytes>>20)
	}
	text, err := decodeText(file, raw)
	if err != nil {
		return Result{}, err
	}
	if opts.DefaultCurrency != "" {
		if _, err := parseCurrency(opts.DefaultCurrency); err != nil {
			return Result{}, fmt.Errorf("the default currency: %w", err)
		}
	}
	forced, err := forcedType(opts.Type)
	if err != nil {
		return Result{}, err
	}
	nameType, nameErr := typeFromFileName(file)
	rd := reader{file: file, opts: opts, forced: forced, nameType: nameType, nameErr: nameErr}
	if isJSON(file, text) {
		return rd.readJSON(ctx, text)
	}
	return rd.readCSV(ctx, text)
}

// forcedType checks the --type option.
func forcedType(t connectors.RecordType) (connectors.RecordType, error) {
	if t == "" {
		return "", nil
	}
	if isFeedType(t) {
		return t, nil
	}
	parsed, err := parseTypeName(string(t))
	if err != nil {
		return "", asFileError(string(t), err)
	}
	return parsed, nil
}

// reader carries what one Read call knows about its file.
type reader struct {
	file     string
	opts     Options
	forced   connectors.RecordType
	nameType connectors.RecordType
	nameErr  error
}

// resolveType settles the file's type from the --type option, the type the
// content names (a 'type' column or JSON "type"; "" when none) and the file
// name, in that order of precedence. A content type that contradicts the
// file name is refused: one of them is a mistake.
func (rd reader) resolveType(content connectors.RecordType, contentWhere string) (connectors.RecordType, error) {
	if rd.forced != "" {
		return rd.forced, nil
	}
	if content != "" {
		if rd.nameType != "" && rd.nameType != content {
			return "", fileWords("engine.feed.type.contradicts_name", "File", rd.file, "Named", rd.nameType.Text(), "Where", contentWhere, "Holds", content.Text())
		}
		return content, nil
	}
	if rd.nameErr != nil {
		return "", asFileError(rd.file, rd.nameErr)
	}
	if rd.nameType == "" {
		return "", fileWords("engine.feed.type.unknown_file", "File", rd.file, "Names", acceptedFileNames())
	}
	return rd.nameType, nil
}

func (rd reader) decimalMark(delim rune) byte {
	switch rd.opts.DecimalMark {
	case ',':
		return ','
	case '.':
		return '.'
	}
	if delim == ';' {
		return ','
	}
	return '.'
}

// isJSON tells a JSON file from a CSV file by extension, then by content.
func isJSON(file string, text []byte) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".json":
		return true
	case ".csv", ".tsv", ".txt":
		return false
	}
	t := bytes.TrimLeft(text, " \t\r\n")
	return bytes.HasPrefix(t, []byte("[")) || bytes.HasPrefix(t, []byte("{"))
}

// decodeText turns the file's bytes into UTF-8 text: a UTF-8 byte-order
// mark is dropped, UTF-16 with a byte-order mark (Excel's "Unicode text")
// is converted, and bytes that are not UTF-8 are read as Windows-1252 (what
// Excel on Windows writes for "CSV (comma delimited)").
func decodeText(file string, b []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return []byte(decodeUTF16(b[2:], false)), nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return []byte(decodeUTF16(b[2:], true)), nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return nil, fileWords("engine.feed.file.workbook", "File", file)
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil, fileWords("engine.feed.file.not_text", "File", file)
	}
	if utf8.Valid(b) {
		return b, nil
	}
	return []byte(decodeWindows1252(b)), nil
}

// readAll reads at most limit bytes, sizing its buffer up front when the
// reader can tell its length (files, in-memory readers).
func readAll(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	size := int64(0)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if info, err := v.Stat(); err == nil && info.Mode().IsRegular() {
			size = info.Size()
		}
	}
	if size > 0 {
		buf.Grow(int(min(size, limit)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

func decodeUTF16(b []byte, bigEndian bool) string {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return string(utf16.Decode(units))
}

// win1252 holds the characters Windows-1252 puts at 0x80–0x9F; the rest of
// its upper half matches Latin-1.
var win1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(win1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// sortProblems orders problems by the line their record starts on, keeping
// each record's problems together and in the order they were found.
func sortProblems(ps []anchored) []Problem {
	slices.SortStableFunc(ps, func(a, b anchored) int { return a.anchor - b.anchor })
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = p.Problem
	}
	return out
}

// anchored is a problem with the line of the record it belongs to.
type anchored struct {
	Problem
	anchor int
}
