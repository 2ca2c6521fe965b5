package feed

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// kind is how a column's text is read.
type kind int

const (
	kindText kind = iota
	kindDate
	kindNumber
	kindPercent
	kindBool
	kindCurrency
	kindStatus
	kindPeriod
)

var columnKinds = map[string]kind{
	"date": kindDate, "due_date": kindDate,
	"total": kindNumber, "amount": kindNumber, "quantity": kindNumber, "unit_price": kindNumber,
	"tax_amount": kindNumber, "debit": kindNumber, "credit": kindNumber, "allocated_amount": kindNumber,
	"discount_percent": kindPercent,
	"sales_price":      kindNumber, "purchase_price": kindNumber,
	"tax_inclusive": kindBool, "purchase": kindBool, "archived": kindBool, "stock": kindBool,
	"currency": kindCurrency,
	"status":   kindStatus,
	"period":   kindPeriod, "line_period": kindPeriod,
}

// readValue reads raw as a column of kind k and returns it in one
// canonical spelling, so that two rows can be compared ("23/11/2026" and
// "2026-11-23" are the same date).
func readValue(k kind, raw string, mark byte) (string, error) {
	switch k {
	case kindDate:
		d, err := parseDate(raw)
		return d.String(), err
	case kindNumber:
		n, err := parseNumber(raw, mark)
		return n.String(), err
	case kindPercent:
		n, err := parsePercent(raw, mark)
		return n.String(), err
	case kindBool:
		b, err := parseBool(raw)
		return strconv.FormatBool(b), err
	case kindCurrency:
		return parseCurrency(raw)
	case kindStatus:
		st, err := parseStatus(raw)
		return string(st), err
	case kindPeriod:
		return parsePeriod(raw)
	}
	return raw, nil
}

// rowCtx reads the cells of one row, noting each problem against its
// column and remembering which columns failed.
type rowCtx struct {
	s     *sheet
	r     row
	probs []Problem
	bad   []string
	// hasAllocation marks a payment row that allocates to a document.
	hasAllocation bool
}

func (c *rowCtx) fail(key, msg string) {
	c.probs = append(c.probs, Problem{File: c.s.rd.file, Line: c.r.line, Column: c.s.heading(key), Message: msg})
	c.bad = append(c.bad, key)
}

// failErr notes err, said in the reader's language, against key.
func (c *rowCtx) failErr(key string, err error) { c.fail(key, c.s.w().Error(err)) }

func (c *rowCtx) failed(key string) bool { return slices.Contains(c.bad, key) }

func (c *rowCtx) text(key string) string { return c.s.cell(c.r, key) }

// value reads key by its kind; blank gives "" with no problem (required
// values are checked on the built record).
func (c *rowCtx) value(key string) string {
	raw := c.s.cell(c.r, key)
	if raw == "" {
		return ""
	}
	v, err := readValue(columnKinds[key], raw, c.s.mark)
	if err != nil {
		c.failErr(key, err)
		return ""
	}
	return v
}

func (c *rowCtx) date(key string) connectors.Date {
	raw := c.s.cell(c.r, key)
	if raw == "" {
		return connectors.Date{}
	}
	d, err := parseDate(raw)
	if err != nil {
		c.failErr(key, err)
	}
	return d
}

// number reads an amount, quantity or (for a percent column) percentage.
func (c *rowCtx) number(key string) decimal.Decimal {
	raw := c.s.cell(c.r, key)
	if raw == "" {
		return decimal.Zero
	}
	parse := parseNumber
	if columnKinds[key] == kindPercent {
		parse = parsePercent
	}
	n, err := parse(raw, c.s.mark)
	if err != nil {
		c.failErr(key, err)
		return decimal.Zero
	}
	return n
}

func (c *rowCtx) flag(key string) bool { return c.value(key) == "true" }

// buildSingles makes one record per row (customers, suppliers, products).
// A code on more than one row is refused on every such row: LedgerLink
// cannot tell which is right.
func (s *sheet) buildSingles(ctx context.Context, rows []row) ([]connectors.Record, []anchored, error) {
	type built struct {
		rec  connectors.Record
		line int
	}
	var good []built
	var probs []anchored
	linesByCode := map[string][]int{}
	for i, r := range rows {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		c := &rowCtx{s: s, r: r}
		rec := connectors.Record{Type: s.typ}
		if s.typ == connectors.Items {
			rec.Item = s.buildItem(c)
		} else {
			rec.Party = s.buildParty(c)
		}
		finish(&rec, s.rd.opts)
		s.addIssues(c, []*rowCtx{c}, rec)
		for _, pr := range c.probs {
			probs = append(probs, anchored{pr, r.line})
		}
		if len(c.probs) > 0 {
			continue
		}
		linesByCode[rec.Code()] = append(linesByCode[rec.Code()], r.line)
		good = append(good, built{rec, r.line})
	}
	var recs []connectors.Record
	w := s.w()
	for _, b := range good {
		lines := linesByCode[b.rec.Code()]
		if len(lines) > 1 {
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: b.line, Column: s.heading("code"),
				Message: w.T("engine.feed.row.code_on_several_lines", "What", w.T(nounKey(s.typ)), "Code", b.rec.Code(), "Lines", lineList(lines))}, b.line})
			continue
		}
		recs = append(recs, b.rec)
	}
	return recs, probs, nil
}

// buildParty reads a customer or supplier from one row.
func (s *sheet) buildParty(c *rowCtx) *connectors.Party {
	r := c.r
	p := &connectors.Party{
		Code:          c.text("code"),
		Name:          c.text("name"),
		ContactPerson: c.text("contact_person"),
		Email:         c.text("email"),
		Phone:         c.text("phone"),
		TaxNumber:     c.text("tax_number"),
		Currency:      c.value("currency"),
		BillingAddress: connectors.Address{
			Line1: c.text("billing_line1"), Line2: c.text("billing_line2"), City: c.text("billing_city"),
			Region: c.text("billing_region"), PostalCode: c.text("billing_postal_code"), Country: c.text("billing_country"),
		},
		DeliveryAddress: connectors.Address{
			Line1: c.text("delivery_line1"), Line2: c.text("delivery_line2"), City: c.text("delivery_city"),
			Region: c.text("delivery_region"), PostalCode: c.text("delivery_postal_code"), Country: c.text("delivery_country"),
		},
		Tags:     splitTags(c.text("tags")),
		Archived: c.flag("archived"),
	}
	for _, cc := range s.custom {
		if cc.idx >= len(r.cells) {
			continue
		}
		if v := strings.TrimSpace(r.cells[cc.idx]); v != "" {
			if p.CustomFields == nil {
				p.CustomFields = map[string]string{}
			}
			p.CustomFields[cc.name] = v
		}
	}
	return p
}

// buildItem reads a product from one row.
func (s *sheet) buildItem(c *rowCtx) *connectors.Item {
	return &connectors.Item{
		Code:            c.text("code"),
		Name:            c.text("name"),
		Description:     c.text("description"),
		SalesPrice:      c.number("sales_price"),
		PurchasePrice:   c.number("purchase_price"),
		SalesAccount:    c.text("sales_account"),
		PurchaseAccount: c.text("purchase_account"),
		Stock:           c.flag("stock"),
	}
}

// group is the rows of one document, payment or journal, in file order.
type group struct {
	code string
	rows []row
}

// buildGroups gathers rows by their code (rows of one record need not be
// next to each other) and builds one record per group. A group with any
// problem is refused whole, with every problem listed.
func (s *sheet) buildGroups(ctx context.Context, rows []row) ([]connectors.Record, []anchored, error) {
	var probs []anchored
	var groups []*group
	byCode := map[string]*group{}
	w := s.w()
	for _, r := range rows {
		code := s.cell(r, "code")
		if code == "" {
			missingKey := "engine.feed.check.the_code"
			if codeWord(s.typ) == "number" {
				missingKey = "engine.feed.check.the_number"
			}
			probs = append(probs, anchored{Problem{File: s.rd.file, Line: r.line, Column: s.heading("code"),
				Message: w.T("engine.feed.row.code_missing", "Missing", w.T(missingKey, "What", w.T(nounKey(s.typ))), "AWhat", aWhat(w, s.typ))}, r.line})
			continue
		}
		g, ok := byCode[code]
		if !ok {
			g = &group{code: code}
			byCode[code] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	var recs []connectors.Record
	for i, g := range groups {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		rec, gp := s.buildGroup(g)
		if len(gp) == 0 {
			recs = append(recs, rec)
			continue
		}
		anchor := g.rows[0].line
		for _, p := range gp {
			probs = append(probs, anchored{p, anchor})
		}
		lines := make([]int, len(g.rows))
		for i, r := range g.rows {
			lines[i] = r.line
		}
		probs = append(probs, anchored{Problem{File: s.rd.file, Line: anchor,
			Message: w.N("engine.feed.row.group_not_imported", len(lines), "What", w.T(nounKey(s.typ)), "Code", g.code, "Lines", lineList(lines))}, anchor})
	}
	return recs, probs, nil
}

// buildGroup builds one record from its rows and returns every problem.
func (s *sheet) buildGroup(g *group) (connectors.Record, []Problem) {
	backing := make([]rowCtx, len(g.rows))
	ctxs := make([]*rowCtx, len(g.rows))
	for i, r := range g.rows {
		backing[i] = rowCtx{s: s, r: r}
		ctxs[i] = &backing[i]
	}
	first := ctxs[0]
	rec := connectors.Record{Type: s.typ}
	switch s.typ {
	case connectors.InvoicePayments, connectors.PurchasePayments:
		rec.Payment = s.buildPayment(g, ctxs)
	case connectors.Journals:
		rec.Journal = s.buildJournal(g, ctxs)
	default:
		rec.Document = s.buildDocument(g, ctxs)
	}
	s.checkConsistent(ctxs)
	finish(&rec, s.rd.opts)
	s.addIssues(first, ctxs, rec)
	var probs []Problem
	for _, c := range ctxs {
		probs = append(probs, c.probs...)
	}
	return rec, probs
}

// checkConsistent makes every row of a group agree with the first on the
// columns that describe the whole record. A blank cell on a later row
// means "as above".
func (s *sheet) checkConsistent(ctxs []*rowCtx) {
	first := ctxs[0]
	w := s.w()
	for _, key := range s.headerKeys {
		firstRaw := s.cell(first.r, key)
		same := true
		for _, c := range ctxs[1:] {
			if raw := s.cell(c.r, key); raw != "" && raw != firstRaw {
				same = false
				break
			}
		}
		if same {
			continue // the usual case: repeated exactly, or left empty
		}
		want := ""
		if raw := firstRaw; raw != "" {
			v, err := readValue(columnKinds[key], raw, s.mark)
			if err != nil {
				continue // already reported on the first row
			}
			want = v
		}
		for _, c := range ctxs[1:] {
			raw := s.cell(c.r, key)
			if raw == "" {
				continue
			}
			got, err := readValue(columnKinds[key], raw, s.mark)
			if err != nil {
				c.failErr(key, err)
				continue
			}
			if got == want {
				continue
			}
			firstSays := "'" + s.cell(first.r, key) + "'"
			if want == "" {
				firstSays = w.T("engine.feed.row.nothing")
			}
			hint := ""
			if key == "description" && s.typ == connectors.Journals {
				hint = w.T("engine.feed.row.line_description_hint")
			}
			c.fail(key, w.T("engine.feed.row.differs", "Value", raw, "Line", first.r.line, "What", w.T(nounKey(s.typ)),
				"First", firstSays, "Column", s.heading(key), "AWhat", aWhat(w, s.typ), "Hint", hint))
		}
	}
}

func (s *sheet) buildDocument(g *group, ctxs []*rowCtx) *connectors.Document {
	first := ctxs[0]
	d := &connectors.Document{
		Code:         g.code,
		PartyCode:    first.text("party_code"),
		Date:         first.date("date"),
		DueDate:      first.date("due_date"),
		Reference:    first.text("reference"),
		Currency:     first.value("currency"),
		TaxInclusive: first.flag("tax_inclusive"),
		Status:       connectors.DocumentStatus(first.value("status")),
		Purchase:     first.flag("purchase"),
		Total:        first.number("total"),
		Lines:        make([]connectors.Line, 0, len(ctxs)),
	}
	for _, c := range ctxs {
		l := connectors.Line{
			ItemCode:        c.text("item_code"),
			Description:     c.text("description"),
			Quantity:        decimal.NewFromInt(1),
			DiscountPercent: c.number("discount_percent"),
			NominalCode:     c.text("nominal_code"),
			TaxCode:         c.text("tax_code"),
			TaxAmount:       c.number("tax_amount"),
			CostCentre:      c.text("cost_centre"),
			CostType:        c.text("cost_type"),
		}
		if s.cell(c.r, "quantity") != "" {
			l.Quantity = c.number("quantity")
		}
		if s.cell(c.r, "unit_price") == "" {
			c.fail("unit_price", s.w().T("engine.feed.row.unit_price_missing"))
		} else {
			l.UnitPrice = c.number("unit_price")
		}
		d.Lines = append(d.Lines, l)
	}
	return d
}

func (s *sheet) buildPayment(g *group, ctxs []*rowCtx) *connectors.Payment {
	first := ctxs[0]
	p := &connectors.Payment{
		Code:        g.code,
		PartyCode:   first.text("party_code"),
		Date:        first.date("date"),
		Amount:      first.number("amount"),
		Currency:    first.value("currency"),
		BankAccount: first.text("bank_account"),
		Reference:   first.text("reference"),
	}
	defaultType := connectors.SalesInvoices
	if s.typ == connectors.PurchasePayments {
		defaultType = connectors.PurchaseInvoices
	}
	for _, c := range ctxs {
		doc := c.text("allocated_document")
		rawAmount := s.cell(c.r, "allocated_amount")
		if doc == "" && rawAmount == "" {
			if len(ctxs) > 1 {
				c.fail("allocated_document", s.w().T("engine.feed.row.allocates_nothing"))
			}
			continue
		}
		a := connectors.Allocation{DocumentType: defaultType, DocumentCode: doc}
		if raw := c.text("allocated_type"); raw != "" {
			t, err := allocationType(raw, defaultType)
			if err != nil {
				c.failErr("allocated_type", err)
			} else {
				a.DocumentType = t
			}
		}
		switch {
		case rawAmount != "":
			a.Amount = c.number("allocated_amount")
		case len(ctxs) == 1:
			a.Amount = p.Amount
		default:
			c.fail("allocated_amount", s.w().T("engine.feed.row.allocation_amount_missing", "Document", doc))
		}
		p.Allocations = append(p.Allocations, a)
		c.hasAllocation = true
	}
	return p
}

// allocationType reads what kind of document an allocation pays.
func allocationType(raw string, invoiceType connectors.RecordType) (connectors.RecordType, error) {
	switch normaliseTypeName(raw) {
	case "invoice", "invoices", "bill", "bills":
		return invoiceType, nil
	}
	t, err := parseTypeName(raw)
	if err != nil || (t != invoiceType && t != connectors.CreditNotes) {
		return "", wordsError("engine.feed.row.not_allocatable", "Value", raw)
	}
	return t, nil
}

func (s *sheet) buildJournal(g *group, ctxs []*rowCtx) *connectors.JournalEntry {
	first := ctxs[0]
	j := &connectors.JournalEntry{
		Code:        g.code,
		Company:     first.text("company"),
		Date:        first.date("date"),
		Period:      first.value("period"),
		Description: first.text("description"),
		Lines:       make([]connectors.JournalLine, 0, len(ctxs)),
	}
	for _, c := range ctxs {
		j.Lines = append(j.Lines, connectors.JournalLine{
			NominalCode: c.text("nominal_code"),
			Debit:       c.number("debit"),
			Credit:      c.number("credit"),
			CostCentre:  c.text("cost_centre"),
			CostType:    c.text("cost_type"),
			Description: c.text("line_description"),
			Period:      c.value("line_period"),
		})
	}
	return j
}

// addIssues runs the shared record checks and files each issue against
// the row and column it concerns, skipping columns that already failed to
// read (their problem says more than "missing" would).
func (s *sheet) addIssues(first *rowCtx, ctxs []*rowCtx, rec connectors.Record) {
	lineRows := ctxs
	if rec.Payment != nil {
		lineRows = nil
		for _, c := range ctxs {
			if c.hasAllocation {
				lineRows = append(lineRows, c)
			}
		}
	}
	for _, is := range checkRecord(s.rd.opts.lang(), rec) {
		c := first
		isLine := is.index >= 0
		if isLine {
			if is.index >= len(lineRows) {
				continue
			}
			c = lineRows[is.index]
		}
		key, heading := s.headingOfField(isLine, is.field)
		if key != "" && c.failed(key) {
			continue
		}
		if key != "" && !isLine && s.anyFailed(ctxs, key) {
			continue
		}
		c.probs = append(c.probs, Problem{File: s.rd.file, Line: c.r.line, Column: heading, Message: is.msg})
	}
}

func (s *sheet) anyFailed(ctxs []*rowCtx, key string) bool {
	for _, c := range ctxs {
		if c.failed(key) {
			return true
		}
	}
	return false
}

// w are the words the sheet's problems are written in.
func (s *sheet) w() *words.Words { return s.rd.opts.lang() }

// aWhat is one record of type t as a sentence names it after "of" or "is":
// with its article in English ("an invoice payment"). Dutch and Danish
// sentences carry their own article, so they get the noun alone.
func aWhat(w *words.Words, t connectors.RecordType) string {
	n := w.T(nounKey(t))
	if w.Lang() == "en" {
		return aNoun(n)
	}
	return n
}

// lineList writes line numbers compactly: "3–5, 9".
func lineList(lines []int) string {
	var parts []string
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(lines[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(lines[i]), strconv.Itoa(lines[j]))
		default:
			parts = append(parts, fmt.Sprintf("%d–%d", lines[i], lines[j]))
		}
		i = j + 1
	}
	if len(parts) > 8 {
		parts = append(parts[:8], "…")
	}
	return strings.Join(parts, ", ")
}
