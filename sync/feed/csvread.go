package feed

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/words"
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
		return Result{}, fileWords("engine.feed.file.empty", "File", rd.file)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return Result{}, fileWords("engine.feed.csv.heading_unreadable", "File", rd.file, "Line", pe.StartLine+offset, "Problem", csvMessage(pe))
		}
		return Result{}, wrapWords(err, "engine.feed.file.not_read", "File", rd.file)
	}
	headerLine, _ := cr.FieldPos(0)
	headerLine += offset
	if allBlank(header) {
		return Result{}, fileWords("engine.feed.csv.no_heading", "File", rd.file)
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
				return Result{}, wrapWords(err, "engine.feed.file.not_read", "File", rd.file)
			}
			lines++
			line := pe.StartLine + offset
			probs = append(probs, anchored{Problem{File: rd.file, Line: line, Message: rd.opts.lang().Say(csvMessage(pe))}, line})
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

// csvMessage words a CSV syntax error for people (the reader's own words
// for an unforeseen one stay as it wrote them).
func csvMessage(pe *csv.ParseError) words.Text {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return words.Sentence("engine.feed.csv.bare_quote")
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return words.Sentence("engine.feed.csv.quote_not_closed_by", "Line", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return words.Sentence("engine.feed.csv.quote_not_closed")
	}
	return words.Sentence("engine.feed.csv.row_unreadable", "Error", pe.Err.Error())
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
					return nil, nil, fileWords("engine.feed.file.at_line_column", "File", rd.file, "Line", r.line,
						"Column", strings.TrimSpace(header[typeIdx]), "Error", rd.opts.lang().Error(err))
				}
				break
			}
			content = t
			break
		}
	}
	typ, err := rd.resolveType(content, rd.opts.lang().T("engine.feed.csv.type_column"))
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
	w := rd.opts.lang()
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
				problem(h, w.T("engine.feed.csv.custom_not_party"))
			case name == "":
				problem(h, w.T("engine.feed.csv.custom_unnamed"))
			case customSeen[strings.ToLower(name)] != "":
				return nil, nil, fileWords("engine.feed.csv.custom_twice", "File", rd.file, "First", customSeen[strings.ToLower(name)], "Second", h)
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
				hint = w.T("engine.feed.csv.custom_hint")
			}
			problem(h, w.T("engine.feed.csv.unknown_column", "AWhat", aWhat(w, typ), "Known", knownKeys(cols), "Hint", hint))
			continue
		}
		c := cols[ci]
		if prev, dup := s.pos[c.key]; dup {
			return nil, nil, fileWords("engine.feed.csv.same_column", "File", rd.file, "First", s.heads[prev], "Second", h, "Key", c.key)
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
			var also any = ""
			if len(c.aliases) > 0 {
				also = words.Sentence("engine.feed.csv.also_understood", "Headings", "'"+strings.Join(c.aliases, "', '")+"'")
			}
			return nil, nil, fileWords("engine.feed.csv.no_column", "File", rd.file, "Key", c.key, "Also", also)
		}
	}
	if typ == connectors.Journals {
		_, dr := s.pos["debit"]
		_, cr := s.pos["credit"]
		if !dr && !cr {
			return nil, nil, fileWords("engine.feed.csv.no_debit_credit", "File", rd.file)
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
	w := s.w()
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
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: r.line, Column: s.heads[s.typeIdx], Message: w.Error(err)}, r.line})
		case t != s.typ:
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: r.line, Column: s.heads[s.typeIdx],
				Message: w.T("engine.feed.csv.other_type", "AWhat", aWhat(w, t), "Holds", strings.ToLower(w.T(s.typ.Key())))}, r.line})
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
			w := s.w()
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: headerLine,
				Message: w.T("engine.feed.csv.unheaded_values", "Column", i+1, "Value", strings.TrimSpace(c), "Line", r.line)}, 0})
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
