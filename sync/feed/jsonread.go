package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// jsonElem is one record of a JSON file: its bytes and where they start.
type jsonElem struct {
	raw    []byte
	offset int
}

// lineIndex turns byte offsets into line numbers.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// line is the 1-based line holding byte offset off.
func (li lineIndex) line(off int) int { return sort.SearchInts(li, off) + 1 }

// readJSON reads a JSON file: an array of records shaped like
// connectors.Record ({"type": ..., "document": {...}}), or an object
// {"type": "...", "records": [...]} whose records are the payloads alone.
func (rd reader) readJSON(ctx context.Context, data []byte) (Result, error) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	syntax := func(err error) error {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return fileWords("engine.feed.json.invalid_at", "File", rd.file, "Line", lines.line(int(se.Offset)), "Error", se.Error())
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return fileWords("engine.feed.json.ends_early", "File", rd.file)
		}
		return fileWords("engine.feed.json.invalid", "File", rd.file, "Error", err.Error())
	}
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return Result{}, fileWords("engine.feed.file.empty", "File", rd.file)
	}
	if err != nil {
		return Result{}, syntax(err)
	}
	readArray := func() ([]jsonElem, error) {
		var elems []jsonElem
		for dec.More() {
			if len(elems)%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			start := skipSpace(data, int(dec.InputOffset()))
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, syntax(err)
			}
			elems = append(elems, jsonElem{raw: raw, offset: start})
		}
		if _, err := dec.Token(); err != nil {
			return nil, syntax(err)
		}
		return elems, nil
	}
	envelope := false
	envType := ""
	var elems []jsonElem
	switch tok {
	case json.Delim('['):
		if elems, err = readArray(); err != nil {
			return Result{}, err
		}
	case json.Delim('{'):
		envelope = true
		sawRecords := false
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return Result{}, syntax(err)
			}
			key, _ := keyTok.(string)
			switch key {
			case "type":
				var v any
				if err := dec.Decode(&v); err != nil {
					return Result{}, syntax(err)
				}
				s, ok := v.(string)
				if !ok {
					return Result{}, fileWords("engine.feed.json.type_not_text", "File", rd.file)
				}
				envType = s
			case "records":
				t, err := dec.Token()
				if err != nil {
					return Result{}, syntax(err)
				}
				if t != json.Delim('[') {
					return Result{}, fileWords("engine.feed.json.records_not_list", "File", rd.file)
				}
				if elems, err = readArray(); err != nil {
					return Result{}, err
				}
				sawRecords = true
			default:
				return Result{}, fileWords("engine.feed.json.unknown_top_field", "File", rd.file, "Field", key)
			}
		}
		if _, err := dec.Token(); err != nil {
			return Result{}, syntax(err)
		}
		if !sawRecords {
			return Result{}, fileWords("engine.feed.json.no_records", "File", rd.file)
		}
	default:
		return Result{}, fileWords("engine.feed.json.not_list_or_object", "File", rd.file)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Result{}, fileWords("engine.feed.json.more_after", "File", rd.file)
	}

	content, where := connectors.RecordType(""), `"type"` // words:verbatim
	if envelope && strings.TrimSpace(envType) != "" {
		t, err := parseTypeName(envType)
		if err != nil {
			return Result{}, fileWords("engine.feed.file.problem", "File", rd.file, "Error", rd.opts.lang().Error(err))
		}
		content = t
	}
	if !envelope && len(elems) > 0 {
		where = rd.opts.lang().T("engine.feed.json.first_record_type")
		var head struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(elems[0].raw, &head) == nil && strings.TrimSpace(head.Type) != "" {
			t, err := parseTypeName(head.Type)
			if err != nil && rd.forced == "" && rd.nameType == "" {
				return Result{}, fileWords("engine.feed.file.at_line", "File", rd.file, "Line", lines.line(elems[0].offset), "Error", rd.opts.lang().Error(err))
			}
			content = t
		}
	}
	typ, err := rd.resolveType(content, where)
	if err != nil {
		return Result{}, err
	}

	res := Result{Type: typ, Lines: len(elems)}
	var probs []anchored
	for i, el := range elems {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
		}
		var rec connectors.Record
		var ps []Problem
		if envelope {
			rec, ps = rd.jsonPayload(typ, el, fmt.Sprintf("records[%d]", i), lines)
		} else {
			rec, ps = rd.jsonRecord(typ, el, fmt.Sprintf("[%d]", i), lines)
		}
		anchor := lines.line(el.offset)
		for _, p := range ps {
			probs = append(probs, anchored{p, anchor})
		}
		if len(ps) == 0 {
			res.Records = append(res.Records, rec)
		}
	}
	res.Problems = sortProblems(probs)
	return res, nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && strings.IndexByte(" \t\r\n,", data[i]) >= 0 {
		i++
	}
	return i
}

// payloadKey is the Record field that carries a payload of type t.
func payloadKey(t connectors.RecordType) (key string, typ reflect.Type) {
	switch t {
	case connectors.Customers, connectors.Suppliers:
		return "party", reflect.TypeFor[connectors.Party]()
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return "payment", reflect.TypeFor[connectors.Payment]()
	case connectors.Journals:
		return "journal", reflect.TypeFor[connectors.JournalEntry]()
	case connectors.Items:
		return "item", reflect.TypeFor[connectors.Item]()
	}
	return "document", reflect.TypeFor[connectors.Document]()
}

// jsonRecord reads one element of the array form.
func (rd reader) jsonRecord(typ connectors.RecordType, el jsonElem, path string, lines lineIndex) (connectors.Record, []Problem) {
	lang := rd.opts.lang()
	w := newWalker(lang, rd.file, el, lines)
	w.walk(reflect.TypeFor[connectors.Record](), path)
	if len(w.probs) > 0 {
		return connectors.Record{}, w.probs
	}
	var rec connectors.Record
	if err := strictUnmarshal(el.raw, &rec); err != nil {
		return connectors.Record{}, []Problem{w.problem(path, el.offset, err.Error())}
	}
	at := lines.line(el.offset)
	if strings.TrimSpace(string(rec.Type)) == "" {
		rec.Type = typ
	} else {
		t, err := parseTypeName(string(rec.Type))
		switch {
		case err != nil:
			return rec, []Problem{{File: rd.file, Line: at, Column: path + ".type", Message: lang.Error(err)}}
		case t != typ:
			return rec, []Problem{{File: rd.file, Line: at, Column: path + ".type",
				Message: lang.T("engine.feed.json.other_type", "AWhat", aWhat(lang, t), "Holds", strings.ToLower(lang.T(typ.Key())))}}
		}
		rec.Type = t
	}
	key, _ := payloadKey(typ)
	if !hasOnlyPayload(rec, key) {
		return rec, []Problem{{File: rd.file, Line: at, Column: path,
			Message: lang.T("engine.feed.json.only_payload", "AWhat", aWhat(lang, typ), "Key", key)}}
	}
	return rec, rd.finishJSON(&rec, path+"."+key, w)
}

// jsonPayload reads one element of the {"type", "records"} form.
func (rd reader) jsonPayload(typ connectors.RecordType, el jsonElem, path string, lines lineIndex) (connectors.Record, []Problem) {
	w := newWalker(rd.opts.lang(), rd.file, el, lines)
	_, payloadType := payloadKey(typ)
	w.walk(payloadType, path)
	if len(w.probs) > 0 {
		return connectors.Record{}, w.probs
	}
	rec := connectors.Record{Type: typ}
	var err error
	switch typ {
	case connectors.Customers, connectors.Suppliers:
		rec.Party = &connectors.Party{}
		err = strictUnmarshal(el.raw, rec.Party)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		rec.Payment = &connectors.Payment{}
		err = strictUnmarshal(el.raw, rec.Payment)
	case connectors.Journals:
		rec.Journal = &connectors.JournalEntry{}
		err = strictUnmarshal(el.raw, rec.Journal)
	case connectors.Items:
		rec.Item = &connectors.Item{}
		err = strictUnmarshal(el.raw, rec.Item)
	default:
		rec.Document = &connectors.Document{}
		err = strictUnmarshal(el.raw, rec.Document)
	}
	if err == nil && bytes.Equal(bytes.TrimSpace(el.raw), []byte("null")) {
		err = wordsError("engine.feed.json.null_record")
	}
	if err != nil {
		return connectors.Record{}, []Problem{w.problem(path, el.offset, w.lang.Error(err))}
	}
	return rec, rd.finishJSON(&rec, path, w)
}

func hasOnlyPayload(rec connectors.Record, key string) bool {
	present := map[string]bool{
		"party": rec.Party != nil, "document": rec.Document != nil, "payment": rec.Payment != nil,
		"journal": rec.Journal != nil, "account": rec.Account != nil, "tax_rate": rec.TaxRate != nil,
		"item": rec.Item != nil, "bank_account": rec.BankAccount != nil, "payment_method": rec.PaymentMethod != nil,
	}
	for k, set := range present {
		if set != (k == key) {
			return false
		}
	}
	return true
}

// finishJSON applies defaults and the shared checks, reporting each issue
// at its JSON path.
func (rd reader) finishJSON(rec *connectors.Record, payloadPath string, w *walker) []Problem {
	finish(rec, rd.opts)
	var probs []Problem
	for _, is := range checkRecord(rd.opts.lang(), *rec) {
		p := payloadPath
		if is.index >= 0 {
			list := "lines"
			if rec.Payment != nil {
				list = "allocations"
			}
			p += fmt.Sprintf(".%s[%d]", list, is.index)
		}
		if is.field != "" {
			p += "." + is.field
		}
		probs = append(probs, w.problem(p, w.offsetOf(p), is.msg))
	}
	if len(probs) == 0 {
		if err := rec.Validate(); err != nil {
			probs = append(probs, w.problem(payloadPath, w.el.offset, w.lang.Error(err)))
		}
	}
	return probs
}

func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// walker checks one JSON record against the Go type it decodes into and
// reports, at their exact path and line, every unknown field and every
// value of the wrong kind, which encoding/json would report one at a time
// and without a path.
type walker struct {
	// lang are the words the problems are written in.
	lang    *words.Words
	file    string
	el      jsonElem
	lines   lineIndex
	dec     *json.Decoder
	probs   []Problem
	offsets map[string]int
}

func newWalker(lang *words.Words, file string, el jsonElem, lines lineIndex) *walker {
	dec := json.NewDecoder(bytes.NewReader(el.raw))
	dec.UseNumber()
	return &walker{lang: lang, file: file, el: el, lines: lines, dec: dec, offsets: map[string]int{}}
}

func (w *walker) problem(path string, fileOffset int, msg string) Problem {
	return Problem{File: w.file, Line: w.lines.line(fileOffset), Column: path, Message: msg}
}

// offsetOf is where path (or its nearest recorded parent) starts in the file.
func (w *walker) offsetOf(path string) int {
	for p := path; p != ""; {
		if off, ok := w.offsets[p]; ok {
			return off
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			break
		}
		p = p[:i]
	}
	return w.el.offset
}

func (w *walker) walk(t reflect.Type, path string) {
	if err := w.value(t, path); err != nil && len(w.probs) == 0 {
		w.probs = append(w.probs, w.problem(path, w.el.offset, w.lang.T("engine.feed.json.record_unreadable", "Error", err.Error())))
	}
}

// here is the file offset of the next value.
func (w *walker) here() int {
	i := int(w.dec.InputOffset())
	for i < len(w.el.raw) && strings.IndexByte(" \t\r\n,:", w.el.raw[i]) >= 0 {
		i++
	}
	return w.el.offset + i
}

func (w *walker) add(path string, off int, msg string) {
	w.probs = append(w.probs, w.problem(path, off, msg))
}

func (w *walker) value(t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	start := w.here()
	w.offsets[path] = start
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		raw, err := w.skipValue()
		if err != nil {
			return err
		}
		w.checkScalar(t, raw, path, start)
		return nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			w.add(path, start, w.lang.T("engine.feed.json.not_object"))
			return w.skipRest(tok)
		}
		fields := jsonFields(t)
		for w.dec.More() {
			keyOff := w.here()
			keyTok, err := w.dec.Token()
			if err != nil {
				return err
			}
			key, _ := keyTok.(string)
			ft, ok := lookupField(fields, key)
			if !ok {
				w.add(path+"."+key, keyOff, w.lang.T("engine.feed.json.unknown_field", "Field", key))
				if _, err := w.skipValue(); err != nil {
					return err
				}
				continue
			}
			if err := w.value(ft, path+"."+key); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	case reflect.Slice:
		if tok != json.Delim('[') {
			w.add(path, start, w.lang.T("engine.feed.json.not_list"))
			return w.skipRest(tok)
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	case reflect.Map:
		if tok != json.Delim('{') {
			w.add(path, start, w.lang.T("engine.feed.json.not_object"))
			return w.skipRest(tok)
		}
		for w.dec.More() {
			keyTok, err := w.dec.Token()
			if err != nil {
				return err
			}
			key, _ := keyTok.(string)
			if err := w.value(t.Elem(), path+"."+key); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			w.add(path, start, w.lang.T("engine.feed.json.not_text"))
			return w.skipRest(tok)
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			w.add(path, start, w.lang.T("engine.feed.json.not_bool"))
			return w.skipRest(tok)
		}
	default:
		if _, ok := tok.(json.Number); !ok {
			w.add(path, start, w.lang.T("engine.feed.json.not_number"))
			return w.skipRest(tok)
		}
	}
	return nil
}

// checkScalar decodes a value of a type with its own JSON reading (money,
// dates) and words its failure.
func (w *walker) checkScalar(t reflect.Type, raw []byte, path string, off int) {
	text := strings.Trim(string(raw), `"`)
	if t == reflect.TypeFor[decimal.Decimal]() {
		if string(raw) == "null" {
			return
		}
		if len(raw) > maxNumberLen+2 || bytes.ContainsAny(raw, "{[") {
			w.add(path, off, w.lang.T("engine.feed.json.amount_unreadable", "Value", fmt.Sprintf("%.40s", text)))
			return
		}
		var d decimal.Decimal
		if err := d.UnmarshalJSON(raw); err != nil || (raw[0] == '"' && len(raw) == 2) {
			w.add(path, off, w.lang.T("engine.feed.json.amount_decimal_point", "Value", text))
		}
		return
	}
	v := reflect.New(t).Interface().(json.Unmarshaler)
	if err := v.UnmarshalJSON(raw); err != nil {
		msg := w.lang.Error(err)
		if t == reflect.TypeFor[connectors.Date]() {
			msg = w.lang.T("engine.feed.json.date_iso", "Value", fmt.Sprintf("%.40s", text))
			if _, perr := parseDate(text); notRealDate(perr) {
				msg = w.lang.T("engine.feed.value.date_not_real", "Value", text)
			}
		}
		w.add(path, off, msg)
	}
}

// notRealDate reports whether err says a date names a day that does not
// exist (31 February, month 13) rather than being unreadable.
func notRealDate(err error) bool {
	var we *words.Error
	if !errors.As(err, &we) {
		return false
	}
	return we.Text.Key == "engine.feed.value.date_not_real" || we.Text.Key == "engine.feed.value.date_day_first"
}

// skipValue consumes the next value and returns its bytes.
func (w *walker) skipValue() ([]byte, error) {
	start := int(w.dec.InputOffset())
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	if err := w.skipRest(tok); err != nil {
		return nil, err
	}
	raw := w.el.raw[start:int(w.dec.InputOffset())]
	return bytes.TrimLeft(raw, " \t\r\n,:"), nil
}

// skipRest consumes the rest of a value whose first token was tok.
func (w *walker) skipRest(tok json.Token) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// jsonFields maps a struct's JSON names to field types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// lookupField matches a key as encoding/json does: exactly, else ignoring case.
func lookupField(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t, true
		}
	}
	return nil, false
}
