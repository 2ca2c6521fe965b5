package uniconta

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// docKind is where one kind of document lives in Uniconta: the editable
// order (or offer) with its lines, and the posted invoice with its lines.
type docKind struct {
	order, line, number string
	posted, postedLine  string
	generate            string
	creditor, quote     bool
	// codeField and postedCode hold LedgerLink's document number.
	codeField, postedCode string
}

var (
	salesKind = docKind{order: "DebtorOrderClient", line: "DebtorOrderLineClient", number: "OrderNumber",
		posted: "DebtorInvoiceClient", postedLine: "DebtorInvoiceLines", generate: "/Invoice/GenerateDebtorInvoice",
		codeField: "OurRef", postedCode: "OurRef"}
	purchaseKind = docKind{order: "CreditorOrderClient", line: "CreditorOrderLineClient", number: "OrderNumber",
		posted: "CreditorInvoiceClient", postedLine: "CreditorInvoiceLines", generate: "/Invoice/GenerateCreditorInvoice",
		creditor: true, codeField: "InvoiceNumber", postedCode: "InvoiceAN"}
	quoteKind = docKind{order: "DebtorOfferClient", line: "DebtorOfferLineClient", number: "OfferNumber", quote: true, codeField: "OurRef"}
)

func kindsFor(t connectors.RecordType) []docKind {
	switch t {
	case connectors.Quotes:
		return []docKind{quoteKind}
	case connectors.SalesInvoices:
		return []docKind{salesKind}
	case connectors.PurchaseInvoices:
		return []docKind{purchaseKind}
	case connectors.CreditNotes:
		return []docKind{salesKind, purchaseKind}
	}
	return nil
}

func (c *Conn) dims() dimMap {
	return dimMap{costCentre: c.settings.costCentre, costType: c.settings.costType}
}

// ListChanged reads every record of t (Uniconta gives no change stamp on
// master data, so since is not used to narrow the read).
func (c *Conn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch t {
	case connectors.Customers, connectors.Suppliers:
		var fs []queryFilter
		if t == connectors.Customers && c.settings.tag != "" {
			// Only tagged customers flow; a debtor whose tag was taken off
			// is simply not listed (nothing is deleted), and one whose tag
			// came back is listed again at the next run.
			fs = []queryFilter{{PropertyName: "CrmGroup", FilterValue: escapeFilter(c.settings.tag)}}
		}
		entity, err := c.partyEntity(ctx, t)
		if err != nil {
			return err
		}
		return c.queryEach(ctx, entity, fs, func(rows []json.RawMessage) error {
			recs, err := c.partiesFromRows(t, rows)
			if err != nil {
				return err
			}
			return page(recs)
		})
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		for _, k := range kindsFor(t) {
			if err := c.listDocs(ctx, t, k, nil, nil, page); err != nil {
				return err
			}
		}
		return nil
	case connectors.InvoicePayments, connectors.PurchasePayments, connectors.Journals:
		// A posting's rows may straddle pages, so the ledger is read whole
		// before it is grouped.
		var trans []wireTrans
		err := c.queryEach(ctx, "GLTransClient", nil, func(rows []json.RawMessage) error {
			ts, err := decodeRows[wireTrans](rows)
			trans = append(trans, ts...)
			return err
		})
		if err != nil {
			return err
		}
		all, err := c.ledgerRecords(ctx, t, trans)
		if err != nil {
			return err
		}
		return c.emit(ctx, all, page)
	}
	if t.IsAncillary() {
		recs, err := c.reference(ctx, t)
		if err != nil {
			return err
		}
		return c.emit(ctx, recs, page)
	}
	return own.Fail(nil, "uniconta.not_held", "Type", t.Text())
}

// emit hands recs over a page at a time.
func (c *Conn) emit(ctx context.Context, recs []connectors.Remote, page func([]connectors.Remote) error) error {
	for start := 0; start < len(recs); start += c.pageSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := page(recs[start:min(start+c.pageSize, len(recs))]); err != nil {
			return err
		}
	}
	return nil
}

// ---- customers and suppliers ----

func (c *Conn) partyEntity(ctx context.Context, t connectors.RecordType) (string, error) {
	if t == connectors.Suppliers {
		return "CreditorClient", nil
	}
	if len(c.settings.customFields) == 0 {
		return "DebtorClient", nil
	}
	if _, err := c.customTypes(ctx); err != nil {
		return "", err
	}
	return "DebtorClientUser", nil
}

// customTypes reads the custom fields Uniconta holds on debtors (once).
func (c *Conn) customTypes(ctx context.Context) (map[string]string, error) {
	c.mu.Lock()
	got := c.custom
	c.mu.Unlock()
	if got != nil {
		return got, nil
	}
	var rows []struct {
		Name string `json:"Name"`
		Type string `json:"Type"`
	}
	if err := c.query(ctx, "TableFieldsClient", []queryFilter{{PropertyName: "TableNo", FilterValue: strconv.Itoa(debtorTableNo)}}, &rows); err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, r := range rows {
		types[r.Name] = r.Type
	}
	c.mu.Lock()
	c.custom = types
	c.mu.Unlock()
	return types, nil
}

// debtorTableNo is the debtor table's number in TableFieldsClient and in
// change notifications (as a public plugin reads it).
const debtorTableNo = 50

func (c *Conn) partiesFromRows(t connectors.RecordType, rows []json.RawMessage) ([]connectors.Remote, error) {
	out := make([]connectors.Remote, 0, len(rows))
	for _, raw := range rows {
		var w wireParty
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, own.Fail(err, "uniconta.answer.record_unreadable", "Type", t.Text())

		}
		p := partyFromWire(w)
		if t == connectors.Customers {
			p.CustomFields = customFromJSON(raw, c.settings.customFields)
		} else {
			p.Tags = nil
		}
		rem := connectors.Remote{RemoteID: strconv.FormatInt(w.RowID, 10), Record: connectors.Record{Type: t, Party: &p}}
		out = append(out, rem)
	}
	return out, nil
}

// Untagged lists the customers (debtor accounts) Uniconta holds without
// the module's customer tag: they do not sync, and the engine can say so.
func (c *Conn) Untagged(ctx context.Context) ([]string, error) {
	if c.settings.tag == "" {
		return nil, nil
	}
	var out []string
	err := c.queryEach(ctx, "DebtorClient", nil, func(rows []json.RawMessage) error {
		ps, err := decodeRows[wireParty](rows)
		for _, p := range ps {
			if p.CrmGroup == nil || !strings.EqualFold(*p.CrmGroup, c.settings.tag) {
				out = append(out, p.Account)
			}
		}
		return err
	})
	return out, err
}

// ---- documents ----

// listDocs reads one kind's drafts and posted invoices, narrowed by the
// filters given (nil: all), and hands over those of type t.
func (c *Conn) listDocs(ctx context.Context, t connectors.RecordType, k docKind, draftFilter, postedFilter []queryFilter, page func([]connectors.Remote) error) error {
	if draftFilter != nil || postedFilter == nil {
		err := c.queryEach(ctx, k.order, draftFilter, func(rows []json.RawMessage) error {
			recs, err := c.draftsFromRows(ctx, t, k, rows)
			if err != nil || len(recs) == 0 {
				return err
			}
			return page(recs)
		})
		if err != nil {
			return err
		}
	}
	if k.posted == "" || (draftFilter != nil && postedFilter == nil) {
		return nil
	}
	return c.queryEach(ctx, k.posted, postedFilter, func(rows []json.RawMessage) error {
		recs, err := c.postedFromRows(ctx, t, k, rows)
		if err != nil || len(recs) == 0 {
			return err
		}
		return page(recs)
	})
}

// linesByRange reads the lines whose link property lies in lo..hi.
func (c *Conn) linesByRange(ctx context.Context, entity, property string, lo, hi int64) (map[int64][]wireLine, error) {
	out := map[int64][]wireLine{}
	f := []queryFilter{{PropertyName: property, FilterValue: fmt.Sprintf("%d..%d", lo, hi)}}
	err := c.queryEach(ctx, entity, f, func(rows []json.RawMessage) error {
		ls, err := decodeRows[wireLine](rows)
		for _, l := range ls {
			key := l.OrderNumber
			if property == "InvoiceRowId" {
				key = l.InvoiceRowID
			}
			out[key] = append(out[key], l)
		}
		return err
	})
	for _, ls := range out {
		slices.SortStableFunc(ls, func(a, b wireLine) int { return a.LineNumber.Cmp(b.LineNumber.Decimal) })
	}
	return out, err
}

func (c *Conn) draftsFromRows(ctx context.Context, t connectors.RecordType, k docKind, rows []json.RawMessage) ([]connectors.Remote, error) {
	orders, err := decodeRows[wireOrder](rows)
	if err != nil || len(orders) == 0 {
		return nil, err
	}
	number := func(o wireOrder) int64 {
		if k.quote {
			return o.OfferNumber
		}
		return o.OrderNumber
	}
	lo, hi := number(orders[0]), number(orders[0])
	for _, o := range orders {
		lo, hi = min(lo, number(o)), max(hi, number(o))
	}
	lines, err := c.linesByRange(ctx, k.line, "OrderNumber", lo, hi)
	if err != nil {
		return nil, err
	}
	var out []connectors.Remote
	for _, o := range orders {
		ls := lines[number(o)]
		credit := !k.quote && linesNet(ls).IsNegative()
		if !k.quote && (t == connectors.CreditNotes) != credit {
			continue
		}
		code := o.OurRef
		if k.creditor && o.InvoiceNumber != nil {
			code = *o.InvoiceNumber
		}
		if code == "" {
			code = fmt.Sprintf("UC-%s-%d", strings.TrimSuffix(k.order, "Client"), number(o))
		}
		d := connectors.Document{Code: code, PartyCode: o.Account, Date: toDate(o.InvoiceDate), DueDate: toDate(o.DueDate),
			Reference: o.YourRef, Currency: o.Currency, TaxInclusive: o.PricesInclVat, Status: connectors.StatusDraft,
			Purchase: k.creditor && t == connectors.CreditNotes, Lines: linesFromWire(ls, credit, c.dims())}
		if k.quote {
			d.Status = connectors.StatusSubmitted
		}
		r := connectors.Remote{RemoteID: "O" + strconv.FormatInt(o.RowID, 10), Record: connectors.Record{Type: t, Document: &d}}
		if o.UpdatedAt != nil {
			r.UpdatedAt = o.UpdatedAt.Time
		}
		out = append(out, r)
	}
	return out, nil
}

func (c *Conn) postedFromRows(ctx context.Context, t connectors.RecordType, k docKind, rows []json.RawMessage) ([]connectors.Remote, error) {
	invs, err := decodeRows[wireInvoice](rows)
	if err != nil || len(invs) == 0 {
		return nil, err
	}
	lo, hi := invs[0].RowID, invs[0].RowID
	for _, i := range invs {
		lo, hi = min(lo, i.RowID), max(hi, i.RowID)
	}
	lines, err := c.linesByRange(ctx, k.postedLine, "InvoiceRowId", lo, hi)
	if err != nil {
		return nil, err
	}
	var out []connectors.Remote
	var credits, keys []string
	for _, inv := range invs {
		credit := inv.TotalAmount.IsNegative()
		if (t == connectors.CreditNotes) != credit {
			continue
		}
		code := inv.OurRef
		if k.creditor {
			code = inv.InvoiceAN
		}
		if code == "" {
			code = "UC-" + strconv.FormatInt(inv.InvoiceNumber, 10)
		}
		d := connectors.Document{Code: code, PartyCode: inv.Account, Date: toDate(inv.Date), DueDate: toDate(inv.DueDate),
			Reference: inv.YourRef, Currency: inv.Currency, TaxInclusive: inv.PricesInclVat, Status: connectors.StatusAuthorised,
			Purchase: k.creditor && credit, Lines: linesFromWire(lines[inv.RowID], credit, c.dims()), Total: inv.TotalAmount.Abs()}
		if credit {
			credits = append(credits, code)
		}
		out = append(out, connectors.Remote{RemoteID: "I" + strconv.FormatInt(inv.RowID, 10), Record: connectors.Record{Type: t, Document: &d}})
		if k.creditor {
			keys = append(keys, inv.InvoiceAN)
		} else {
			keys = append(keys, strconv.FormatInt(inv.InvoiceNumber, 10))
		}
	}
	if len(credits) > 0 {
		if err := c.attachAllocations(ctx, k, credits, out); err != nil {
			return nil, err
		}
	}
	if len(out) > 0 {
		if err := c.attachOpen(ctx, k, out, keys); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attachOpen sets what is still due on posted invoices from Uniconta's
// open items; one with nothing open is paid.
// keys[i] is recs[i]'s invoice as open items name it.
func (c *Conn) attachOpen(ctx context.Context, k docKind, recs []connectors.Remote, keys []string) error {
	entity := "DebtorTransOpenClient"
	if k.creditor {
		entity = "CreditorTransOpenClient"
	}
	open := map[string]decimal.Decimal{}
	err := c.queryEach(ctx, entity, nil, func(rows []json.RawMessage) error {
		items, err := decodeRows[struct {
			Account    string
			Invoice    int64
			InvoiceAN  string
			AmountOpen amount
		}](rows)
		for _, it := range items {
			key := strconv.FormatInt(it.Invoice, 10)
			if k.creditor {
				key = it.InvoiceAN
			}
			open[strings.ToLower(it.Account+"/"+key)] = it.AmountOpen.Abs()
		}
		return err
	})
	if err != nil {
		return err
	}
	for i, r := range recs {
		d := r.Record.Document
		d.AmountDue = open[strings.ToLower(d.PartyCode+"/"+keys[i])]
		if d.AmountDue.IsZero() {
			d.Status = connectors.StatusPaid
		}
	}
	return nil
}

// attachAllocations reads the settlements LedgerLink booked for credit
// notes (postings without a bank line, referenced by the credit note's
// number) and puts them on the documents.
func (c *Conn) attachAllocations(ctx context.Context, k docKind, codes []string, recs []connectors.Remote) error {
	raw, err := c.queryIn(ctx, "GLTransClient", "ReferenceNumber", codes)
	if err != nil {
		return err
	}
	trans, err := decodeRows[wireTrans](raw)
	if err != nil {
		return err
	}
	byCode := map[string][]connectors.Allocation{}
	docType := connectors.SalesInvoices
	if k.creditor {
		docType = connectors.PurchaseInvoices
	}
	for _, g := range groupPostings(trans) {
		if classify(g) != "settlement" {
			continue
		}
		for _, tr := range g {
			// The invoice side of a settlement is the line whose text is
			// not the credit note itself.
			if tr.Text == tr.ReferenceNumber || tr.Text == "" {
				continue
			}
			byCode[tr.ReferenceNumber] = append(byCode[tr.ReferenceNumber], connectors.Allocation{DocumentType: docType, DocumentCode: tr.Text, Amount: tr.Amount.Abs()})
		}
	}
	for _, r := range recs {
		if a, ok := byCode[r.Record.Document.Code]; ok {
			r.Record.Document.Allocations = a
		}
	}
	return nil
}

// ---- the posted ledger: payments and journals ----

// groupPostings groups ledger rows by the posting they came from, in
// posting order.
func groupPostings(trans []wireTrans) [][]wireTrans {
	idx := map[int64]int{}
	var out [][]wireTrans
	for _, t := range trans {
		i, ok := idx[t.JournalPostedID]
		if !ok {
			i = len(out)
			idx[t.JournalPostedID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], t)
	}
	return out
}

// classify tells a posting's kind by its rows: debtor or creditor rows with
// a bank row are a payment, without one a settlement; no such rows, a
// journal.
func classify(g []wireTrans) string {
	var debtor, creditor, ledger bool
	for _, t := range g {
		switch t.DCType {
		case "Debtor":
			debtor = true
		case "Creditor":
			creditor = true
		default:
			ledger = true
		}
	}
	switch {
	case !debtor && !creditor:
		return "journal"
	case !ledger:
		return "settlement"
	case debtor:
		return "invoice_payment"
	}
	return "purchase_payment"
}

// ledgerRecords turns ledger rows into payments or journals of type t.
// Rows of one posting are expected together (one posting is one page's
// rows or less).
func (c *Conn) ledgerRecords(ctx context.Context, t connectors.RecordType, trans []wireTrans) ([]connectors.Remote, error) {
	groups := groupPostings(trans)
	var numbers []string
	for _, g := range groups {
		for _, tr := range g {
			if tr.DCType == "Debtor" && tr.Invoice != 0 {
				numbers = append(numbers, strconv.FormatInt(tr.Invoice, 10))
			}
		}
	}
	codes := map[int64]string{}
	if len(numbers) > 0 && t == connectors.InvoicePayments {
		raw, err := c.queryIn(ctx, "DebtorInvoiceClient", "InvoiceNumber", numbers)
		if err != nil {
			return nil, err
		}
		invs, err := decodeRows[wireInvoice](raw)
		if err != nil {
			return nil, err
		}
		for _, i := range invs {
			codes[i.InvoiceNumber] = i.OurRef
		}
	}
	var out []connectors.Remote
	for _, g := range groups {
		kind := classify(g)
		id := "J" + strconv.FormatInt(g[0].JournalPostedID, 10)
		switch {
		case t == connectors.Journals && kind == "journal":
			out = append(out, connectors.Remote{RemoteID: id, Record: connectors.Record{Type: t, Journal: c.journalFromRows(g)}})
		case t == connectors.InvoicePayments && kind == "invoice_payment", t == connectors.PurchasePayments && kind == "purchase_payment":
			out = append(out, connectors.Remote{RemoteID: id, Record: connectors.Record{Type: t, Payment: paymentFromRows(t, g, codes)}})
		}
	}
	return out, nil
}

func (c *Conn) journalFromRows(g []wireTrans) *connectors.JournalEntry {
	j := &connectors.JournalEntry{Code: g[0].ReferenceNumber, Date: toDate(g[0].Date)}
	if j.Code == "" {
		j.Code = "UC-" + strconv.FormatInt(g[0].JournalPostedID, 10)
	}
	if !j.Date.IsZero() {
		j.Period = j.Date.Format("2006-01")
	}
	for _, tr := range g {
		desc, period := splitJournalText(tr.Text)
		l := connectors.JournalLine{NominalCode: tr.Account, Description: desc, Period: period,
			CostCentre: dimOf(c.settings.costCentre, transDims(tr)), CostType: dimOf(c.settings.costType, transDims(tr))}
		if tr.Amount.IsNegative() {
			l.Credit = tr.Amount.Neg()
		} else {
			l.Debit = tr.Amount.Decimal
		}
		j.Lines = append(j.Lines, l)
	}
	return j
}

func paymentFromRows(t connectors.RecordType, g []wireTrans, codes map[int64]string) *connectors.Payment {
	p := &connectors.Payment{Code: g[0].ReferenceNumber, Date: toDate(g[0].Date), Currency: g[0].Currency, Amount: decimal.Zero}
	if p.Code == "" {
		p.Code = "UC-" + strconv.FormatInt(g[0].JournalPostedID, 10)
	}
	docType := connectors.SalesInvoices
	if t == connectors.PurchasePayments {
		docType = connectors.PurchaseInvoices
	}
	for _, tr := range g {
		if tr.DCType == "" {
			p.BankAccount = tr.Account
			continue
		}
		p.PartyCode = tr.DCAccount
		share := tr.Amount.Abs()
		p.Amount = p.Amount.Add(share)
		code := tr.Text
		if name, ok := codes[tr.Invoice]; ok && tr.Invoice != 0 && name != "" {
			code = name
		}
		if code != "" {
			p.Allocations = append(p.Allocations, connectors.Allocation{DocumentType: docType, DocumentCode: code, Amount: share})
		}
	}
	return p
}

// ---- reference data ----

func (c *Conn) reference(ctx context.Context, t connectors.RecordType) ([]connectors.Remote, error) {
	var out []connectors.Remote
	add := func(rowID int64, r connectors.Record) {
		out = append(out, connectors.Remote{RemoteID: strconv.FormatInt(rowID, 10), Record: r})
	}
	var err error
	switch t {
	case connectors.NominalAccounts:
		err = c.queryEach(ctx, "GLAccountClient", nil, func(rows []json.RawMessage) error {
			as, err := decodeRows[struct {
				RowID                      int64 `json:"RowId"`
				Account, Name, AccountType string
				Vat                        string
				Blocked                    bool
			}](rows)
			for _, a := range as {
				if !postable(a.AccountType) {
					continue
				}
				add(a.RowID, connectors.Record{Type: t, Account: &connectors.NominalAccount{Code: a.Account, Name: a.Name,
					Class: accountClass(a.AccountType), Type: a.AccountType, TaxCode: a.Vat, Bank: strings.EqualFold(a.AccountType, "Bank"), Archived: a.Blocked}})
			}
			return err
		})
	case connectors.TaxRates:
		err = c.queryEach(ctx, "GLVatClient", nil, func(rows []json.RawMessage) error {
			vs, err := decodeRows[struct {
				RowID     int64 `json:"RowId"`
				Vat, Name string
				Rate      amount
				Blocked   bool
			}](rows)
			for _, v := range vs {
				add(v.RowID, connectors.Record{Type: t, TaxRate: &connectors.TaxRate{Code: v.Vat, Name: v.Name, Rate: v.Rate.Decimal, Archived: v.Blocked}})
			}
			return err
		})
	case connectors.Items:
		err = c.queryEach(ctx, "InvItemClient", nil, func(rows []json.RawMessage) error {
			is, err := decodeRows[struct {
				RowID                      int64 `json:"RowId"`
				Item, Name, ItemType       string
				SalesPrice1, PurchasePrice amount
			}](rows)
			for _, i := range is {
				add(i.RowID, connectors.Record{Type: t, Item: &connectors.Item{Code: i.Item, Name: i.Name, SalesPrice: i.SalesPrice1.Decimal,
					PurchasePrice: i.PurchasePrice.Decimal, Stock: strings.EqualFold(i.ItemType, "Item")}})
			}
			return err
		})
	case connectors.BankAccounts:
		err = c.queryEach(ctx, "BankStatementClient", nil, func(rows []json.RawMessage) error {
			bs, err := decodeRows[struct {
				RowID                         int64 `json:"RowId"`
				Account, Name, IBAN, Currency string
			}](rows)
			for _, b := range bs {
				add(b.RowID, connectors.Record{Type: t, BankAccount: &connectors.BankAccount{Code: b.Account, Name: b.Name, AccountNumber: b.IBAN, Currency: b.Currency}})
			}
			return err
		})
	case connectors.PaymentMethods:
		err = c.queryEach(ctx, "DebtorPaymentFormatClient", nil, func(rows []json.RawMessage) error {
			ps, err := decodeRows[struct {
				RowID        int64 `json:"RowId"`
				Format, Name string
			}](rows)
			for _, p := range ps {
				add(p.RowID, connectors.Record{Type: t, PaymentMethod: &connectors.PaymentMethod{Code: p.Format, Name: p.Name}})
			}
			return err
		})
	}
	return out, err
}
