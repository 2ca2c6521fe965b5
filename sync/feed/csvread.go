package feed

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"ledgerlink/connectors"
)

// row is one data row of a CSV file and the line it starts on.
type row struct {
	line  int
	cells []string
}

// customCol is a "custom:Name" column of a party file.
type customCol struct {
	name string
	idx  int
}

// sheet is a CSV file whose heading has been understood.
type sheet struct {
	rd  reader
	typ connectors.RecordType
	// mark is the file's decimal mark for ambiguous numbers.
	mark byte
	// heads are the headings as written, by cell index.
	heads []string
	// pos maps a column key to its cell index.
	pos map[string]int
	// fieldKey maps "H:field" / "L:field" to the column key holding it.
	fieldKey map[string]string
	// headerKeys are the keys of present columns that repeat on every row
	// of a grouped record.
	headerKeys []string
	custom     []customCol
	// typeIdx is the cell index of the 'type' column, -1 when absent.
	typeIdx int
	// headed marks the cells that have a heading; values under a blank
	// heading or beyond the last one are reported once.
	headed []bool
}

// readCSV reads a CSV file: heading, rows, then records by type.
func (rd reader) readCSV(ctx context.Context, text []byte) (Result, error) {
	delim, body, offset := splitSepLine(text)
	if delim == 0 {
		delim = detectDelimiter(body)
	}
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = delim != '\t'

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Result{}, fileErrorf("%s is empty", rd.file)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Result{}, fileErrorf("%s: the heading on line %d cannot be read: %s", rd.file, pe.StartLine+offset, csvMessage(pe))
		}
		return Result{}, fmt.Errorf("%s could not be read: %w", rd.file, err)
	}
	headerLine, _ := cr.FieldPos(0)
	headerLine += offset
	if allBlank(header) {
		return Result{}, fileErrorf("%s has no heading: its first line must name the columns", rd.file)
	}

	var probs []anchored
	var rows []row
	lines := 0
	for {
		if lines%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
		}
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return Result{}, fmt.Errorf("%s could not be read: %w", rd.file, err)
			}
			lines++
			line := pe.StartLine + offset
			probs = append(probs, anchored{Problem{File: rd.file, Line: line, Message: csvMessage(pe)}, line})
			continue
		}
		if allBlank(cells) {
			continue
		}
		lines++
		line, _ := cr.FieldPos(0)
		rows = append(rows, row{line: line + offset, cells: cells})
	}

	s, headProbs, err := rd.newSheet(header, headerLine, rows, delim)
	if err != nil {
		return Result{}, err
	}
	probs = append(probs, headProbs...)
	rows, typeProbs := s.dropOtherTypes(rows)
	probs = append(probs, typeProbs...)
	probs = append(probs, s.unheadedValues(rows, headerLine)...)

	var recs []connectors.Record
	var buildProbs []anchored
	switch s.typ {
	case connectors.Customers, connectors.Suppliers, connectors.Items:
		recs, buildProbs, err = s.buildSingles(ctx, rows)
	default:
		recs, buildProbs, err = s.buildGroups(ctx, rows)
	}
	if err != nil {
		return Result{}, err
	}
	probs = append(probs, buildProbs...)
	return Result{Type: s.typ, Records: recs, Problems: sortProblems(probs), Lines: lines}, nil
}

// splitSepLine honours Excel's optional first line "sep=;" naming the
// delimiter. It returns the delimiter (0 when there is no such line), the
// text after it and how many lines were taken off.
func splitSepLine(text []byte) (rune, []byte, int) {
	first, rest, found := bytes.Cut(text, []byte("\n"))
	first = bytes.TrimRight(first, "\r")
	if !found || len(first) != 5 || !bytes.EqualFold(first[:4], []byte("sep=")) {
		return 0, text, 0
	}
	switch sep := rune(first[4]); sep {
	case ',', ';', '\t', '|':
		return sep, rest, 1
	}
	return 0, text, 0
}

// detectDelimiter picks ',', ';' or tab: whichever appears most often,
// outside quotes, on the heading line. A tie or none means ','.
func detectDelimiter(text []byte) rune {
	counts := map[byte]int{}
	inQuotes := false
	for _, c := range text {
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvMessage words a CSV syntax error for people.
func csvMessage(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote mark (") is in the middle of a value; put the whole value in quotes and double the quote mark ("12"" screen")`
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return fmt.Sprintf("a value in quotes starting on this line is not closed by line %d; the rows it swallowed were not read", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a value in quotes is not closed properly; a quote mark inside a quoted value must be doubled ("")`
	}
	return "this row cannot be read: " + pe.Err.Error()
}

// newSheet settles the file's type and maps its heading to columns.
func (rd reader) newSheet(header []string, headerLine int, rows []row, delim rune) (*sheet, []anchored, error) {
	typeIdx := -1
	for i, h := range header {
		if k := headingKey(h); k == headingKey(typeColumn.key) || k == headingKey(typeColumn.aliases[0]) {
			typeIdx = i
			break
		}
	}
	var content connectors.RecordType
	if typeIdx >= 0 {
		for _, r := range rows {
			if typeIdx >= len(r.cells) || strings.TrimSpace(r.cells[typeIdx]) == "" {
				continue
			}
			t, err := parseTypeName(r.cells[typeIdx])
			if err != nil {
				if rd.forced == "" && rd.nameType == "" {
					return nil, nil, fileErrorf("%s, line %d, column '%s': %v", rd.file, r.line, strings.TrimSpace(header[typeIdx]), err)
				}
				break
			}
			content = t
			break
		}
	}
	typ, err := rd.resolveType(content, "'type' column")
	if err != nil {
		return nil, nil, err
	}

	s := &sheet{
		rd: rd, typ: typ, mark: rd.decimalMark(delim),
		heads: make([]string, len(header)), pos: map[string]int{}, fieldKey: map[string]string{},
		typeIdx: typeIdx, headed: make([]bool, len(header)),
	}
	cols := columnsFor(typ)
	index := headingIndex(cols)
	var probs []anchored
	problem := func(col, msg string) {
		probs = append(probs, anchored{Problem{File: rd.file, Line: headerLine, Column: col, Message: msg}, 0})
	}
	customSeen := map[string]string{}
	for i, raw := range header {
		h := strings.TrimSpace(raw)
		s.heads[i] = h
		if h == "" {
			continue
		}
		s.headed[i] = true
		if len(h) >= len(customPrefix) && strings.EqualFold(h[:len(customPrefix)], customPrefix) {
			name := strings.TrimSpace(h[len(customPrefix):])
			switch {
			case typ != connectors.Customers && typ != connectors.Suppliers:
				problem(h, "custom fields are read only from customer and supplier files; this column was not read")
			case name == "":
				problem(h, "the custom field has no name after 'custom:'; this column was not read")
			case customSeen[strings.ToLower(name)] != "":
				return nil, nil, fileErrorf("%s: the columns '%s' and '%s' are the same custom field; keep one", rd.file, customSeen[strings.ToLower(name)], h)
			default:
				customSeen[strings.ToLower(name)] = h
				s.custom = append(s.custom, customCol{name: name, idx: i})
			}
			continue
		}
		ci, ok := index[headingKey(h)]
		if !ok {
			hint := ""
			if typ == connectors.Customers || typ == connectors.Suppliers {
				hint = ", or start it with 'custom:' to keep it as a custom field"
			}
			problem(h, fmt.Sprintf("LedgerLink does not know this column in %s file and did not read it; rename it to one of %s%s, or remove it",
				aNoun(noun(typ)), knownKeys(cols), hint))
			continue
		}
		c := cols[ci]
		if prev, dup := s.pos[c.key]; dup {
			return nil, nil, fileErrorf("%s: the columns '%s' and '%s' both mean '%s'; keep one of them", rd.file, s.heads[prev], h, c.key)
		}
		s.pos[c.key] = i
		if c.field != "" {
			s.fieldKey[fieldSlot(c.line, c.field)] = c.key
		}
		if !c.line && !c.ignored && c.key != typeColumn.key && c.key != "code" {
			s.headerKeys = append(s.headerKeys, c.key)
		}
	}
	for _, c := range cols {
		if _, ok := s.pos[c.key]; c.required && !ok {
			also := ""
			if len(c.aliases) > 0 {
				also = fmt.Sprintf(" (headings '%s' are also understood)", strings.Join(c.aliases, "', '"))
			}
			return nil, nil, fileErrorf("%s has no '%s' column%s; add it to the heading line", rd.file, c.key, also)
		}
	}
	if typ == connectors.Journals {
		_, dr := s.pos["debit"]
		_, cr := s.pos["credit"]
		if !dr && !cr {
			return nil, nil, fileErrorf("%s has neither a 'debit' nor a 'credit' column; add them to the heading line", rd.file)
		}
	}
	return s, probs, nil
}

func knownKeys(cols []column) string {
	var keys []string
	for _, c := range cols {
		keys = append(keys, "'"+c.key+"'")
	}
	return strings.Join(keys, ", ")
}

func fieldSlot(line bool, field string) string {
	if line {
		return "L:" + field
	}
	return "H:" + field
}

// dropOtherTypes removes rows whose 'type' column names another type.
func (s *sheet) dropOtherTypes(rows []row) ([]row, []anchored) {
	if s.typeIdx < 0 {
		return rows, nil
	}
	var probs []anchored
	kept := rows[:0:0]
	for _, r := range rows {
		v := ""
		if s.typeIdx < len(r.cells) {
			v = strings.TrimSpace(r.cells[s.typeIdx])
		}
		if v == "" {
			kept = append(kept, r)
			continue
		}
		t, err := parseTypeName(v)
		switch {
		case err != nil:
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: r.line, Column: s.heads[s.typeIdx], Message: err.Error()}, r.line})
		case t != s.typ:
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: r.line, Column: s.heads[s.typeIdx],
				Message: fmt.Sprintf("this row is %s but the file holds %s; put each type in its own file", aNoun(noun(t)), strings.ToLower(s.typ.Label()))}, r.line})
		default:
			kept = append(kept, r)
		}
	}
	return kept, probs
}

// unheadedValues reports, once per column, values standing under a blank
// heading or beyond the last heading: they were not read.
func (s *sheet) unheadedValues(rows []row, headerLine int) []anchored {
	var probs []anchored
	reported := map[int]bool{}
	for _, r := range rows {
		for i, c := range r.cells {
			if (i < len(s.headed) && s.headed[i]) || reported[i] || strings.TrimSpace(c) == "" {
				continue
			}
			reported[i] = true
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: headerLine,
				Message: fmt.Sprintf("column %d has no heading but holds values (first '%s' on line %d); they were not read: give the column a heading or remove the values", i+1, strings.TrimSpace(c), r.line)}, 0})
		}
	}
	return probs
}

// cell returns the trimmed value of column key in r, "" when absent.
func (s *sheet) cell(r row, key string) string {
	i, ok := s.pos[key]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// heading is how the file names column key, or the key when it has none.
func (s *sheet) heading(key string) string {
	if i, ok := s.pos[key]; ok {
		return s.heads[i]
	}
	return key
}

// headingOfField names the column holding a model field for a problem.
func (s *sheet) headingOfField(line bool, field string) (key, heading string) {
	if field == "" {
		return "", ""
	}
	if k, ok := s.fieldKey[fieldSlot(line, field)]; ok {
		return k, s.heading(k)
	}
	for _, c := range columnsFor(s.typ) {
		if c.field == field && c.line == line {
			return c.key, c.key
		}
	}
	return field, field
}
