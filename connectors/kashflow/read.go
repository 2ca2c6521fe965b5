package kashflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// receiptPrefix marks the remote ID of a purchase credit note (a negative
// receipt), whose number is counted apart from the invoices'.
const receiptPrefix = "receipt:"

// ListChanged reads every record of t (KashFlow has no change feed beyond
// customers and suppliers), fingerprints them, and hands over those
// changed at or after since, then the ones seen before that KashFlow no
// longer has (Deleted). A zero since hands over everything.
func (c *Conn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	all, err := c.readAll(ctx, t)
	if err != nil {
		return err
	}
	now := c.now()
	c.prints.stamp(t, all, now)
	present := make(map[string]bool, len(all))
	var out []connectors.Remote
	for _, r := range all {
		present[r.RemoteID] = true
		if since.IsZero() || !r.UpdatedAt.Before(since) {
			out = append(out, r)
		}
	}
	gone := c.prints.missing(t, present)
	goneIDs := make([]string, 0, len(gone))
	for id, s := range gone {
		goneIDs = append(goneIDs, id)
		out = append(out, connectors.Remote{RemoteID: id, UpdatedAt: now, Deleted: true, Record: deletedRecord(t, s.Code)})
	}
	for start := 0; start < len(out); start += c.pageSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := page(out[start:min(start+c.pageSize, len(out))]); err != nil {
			return err
		}
	}
	c.prints.forget(t, goneIDs)
	return c.prints.save()
}

// deletedRecord is what is known of a record KashFlow no longer has.
func deletedRecord(t connectors.RecordType, code string) connectors.Record {
	r := connectors.Record{Type: t}
	switch t {
	case connectors.Customers, connectors.Suppliers:
		r.Party = &connectors.Party{Code: code}
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		r.Document = &connectors.Document{Code: code, Status: connectors.StatusDeleted}
	case connectors.InvoicePayments, connectors.PurchasePayments:
		r.Payment = &connectors.Payment{Code: code}
	case connectors.Journals:
		r.Journal = &connectors.JournalEntry{Code: code}
	case connectors.NominalAccounts:
		r.Account = &connectors.NominalAccount{Code: code}
	case connectors.TaxRates:
		r.TaxRate = &connectors.TaxRate{Code: code}
	case connectors.Items:
		r.Item = &connectors.Item{Code: code}
	case connectors.BankAccounts:
		r.BankAccount = &connectors.BankAccount{Code: code}
	case connectors.PaymentMethods:
		r.PaymentMethod = &connectors.PaymentMethod{Code: code}
	}
	return r
}

// Get reads records by KashFlow ID; IDs KashFlow does not know are left out.
func (c *Conn) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []connectors.Remote
	var err error
	if len(ids) <= 3 && (t == connectors.SalesInvoices || t == connectors.Quotes || t == connectors.PurchaseInvoices || t == connectors.CreditNotes) {
		out, err = c.getDocs(ctx, t, ids)
	} else {
		var all []connectors.Remote
		all, err = c.readAll(ctx, t)
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		for _, r := range all {
			if want[r.RemoteID] {
				out = append(out, r)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	c.prints.stamp(t, out, c.now())
	return out, nil
}

// FindByCode looks records up by LedgerLink's code (for documents,
// payments and journals the code marked on them, or KashFlow's number
// for records made in KashFlow): after a lost reply it finds what
// KashFlow committed, so the engine links it instead of sending it again.
func (c *Conn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t == connectors.Items {
		out, err := c.findItems(ctx, codes)
		if err != nil {
			return nil, err
		}
		c.prints.stamp(t, out, c.now())
		return out, nil
	}
	all, err := c.readAll(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []connectors.Remote
	for _, r := range all {
		code := r.Record.Code()
		if r.Record.Payment != nil && c.isUnfinished(t, r.RemoteID) {
			continue
		}
		if slices.ContainsFunc(codes, func(want string) bool { return strings.EqualFold(strings.TrimSpace(want), code) }) {
			out = append(out, r)
		}
	}
	c.prints.stamp(t, out, c.now())
	return out, nil
}

// readAll reads every record of t, mapped.
func (c *Conn) readAll(ctx context.Context, t connectors.RecordType) ([]connectors.Remote, error) {
	switch t {
	case connectors.Customers:
		list, err := c.readCustomers(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]connectors.Remote, 0, len(list))
		for _, w := range list {
			p := customerFromWire(w)
			out = append(out, connectors.Remote{RemoteID: strconv.Itoa(w.CustomerID), UpdatedAt: w.Updated.Time,
				Record: connectors.Record{Type: t, Party: &p}})
		}
		return out, nil
	case connectors.Suppliers:
		list, err := c.readSuppliers(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]connectors.Remote, 0, len(list))
		for _, w := range list {
			p := supplierFromWire(w)
			out = append(out, connectors.Remote{RemoteID: strconv.Itoa(w.SupplierID), UpdatedAt: w.Updated.Time,
				Record: connectors.Record{Type: t, Party: &p}})
		}
		return out, nil
	case connectors.SalesInvoices, connectors.Quotes, connectors.PurchaseInvoices:
		return c.readDocs(ctx, t, docKind(t, false))
	case connectors.CreditNotes:
		sales, err := c.readDocs(ctx, t, "invoice")
		if err != nil {
			return nil, err
		}
		purchases, err := c.readDocs(ctx, t, "receipt")
		return append(sales, purchases...), err
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return c.readPayments(ctx, t)
	case connectors.Journals:
		var v journals
		if err := c.soap.call(ctx, "GetJournals", nil, &v); err != nil {
			return nil, err
		}
		out := make([]connectors.Remote, 0, len(v.Items))
		for _, w := range v.Items {
			r, err := c.journalFromWire(ctx, w)
			if err != nil {
				return nil, err
			}
			out = append(out, connectors.Remote{RemoteID: strconv.Itoa(w.JournalNumber), Record: r})
		}
		return out, nil
	}
	return c.readReference(ctx, t)
}

func (c *Conn) readReference(ctx context.Context, t connectors.RecordType) ([]connectors.Remote, error) {
	if t == connectors.Items {
		return c.readItems(ctx)
	}
	var out []connectors.Remote
	var what []string
	switch t {
	case connectors.NominalAccounts:
		what = []string{"nominals"}
	case connectors.TaxRates:
		what = []string{"vat"}
	case connectors.Items:
		what = []string{"products"}
	case connectors.BankAccounts:
		what = []string{"banks"}
	case connectors.PaymentMethods:
		what = []string{"invpay", "recpay"}
	default:
		return nil, own.Fail(nil, "kashflow.not_held", "Type", t.Text())

	}
	for _, w := range what {
		if err := c.load(ctx, w, true); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.ref
	switch t {
	case connectors.NominalAccounts:
		for _, n := range r.nominals {
			out = append(out, nominalRecord(n))
		}
	case connectors.TaxRates:
		for _, v := range r.vat {
			out = append(out, vatRecord(v))
		}
	case connectors.Items:
		for _, p := range r.products {
			out = append(out, productRecord(p))
		}
	case connectors.BankAccounts:
		for _, b := range r.banks {
			out = append(out, bankRecord(b))
		}
	case connectors.PaymentMethods:
		for _, m := range r.invPay {
			out = append(out, methodRecord("inv:", m))
		}
		for _, m := range r.recPay {
			out = append(out, methodRecord("rec:", m))
		}
	}
	return out, nil
}

// listDocs reads one kind of document whole: invoices by date range (from
// the History option to two years ahead), quotes and receipts in full.
func (c *Conn) listDocs(ctx context.Context, kind string) ([]wInvoice, error) {
	var v invoices
	var err error
	switch kind {
	case "quote":
		err = c.soap.call(ctx, "GetQuotes", nil, &v)
	case "receipt":
		err = c.soap.call(ctx, "GetReceipts", nil, &v)
	default:
		err = c.soap.call(ctx, "GetInvoicesByDateRange", []param{
			{"StartDate", c.historyFrom}, {"EndDate", c.now().AddDate(2, 0, 0).Truncate(24 * time.Hour)},
		}, &v)
	}
	return v.Items, err
}

// readDocs maps the documents of one kind that are of type t (credit
// notes are the negative ones).
func (c *Conn) readDocs(ctx context.Context, t connectors.RecordType, kind string) ([]connectors.Remote, error) {
	list, err := c.listDocs(ctx, kind)
	if err != nil {
		return nil, err
	}
	var out []connectors.Remote
	for _, w := range list {
		r, err := c.docFromWire(ctx, t, w)
		if err != nil {
			return nil, err
		}
		if r.Type != t {
			continue
		}
		out = append(out, connectors.Remote{RemoteID: docRemoteID(t, kind, w.InvoiceNumber), Record: r})
	}
	return out, nil
}

func docRemoteID(t connectors.RecordType, kind string, number int) string {
	if t == connectors.CreditNotes && kind == "receipt" {
		return receiptPrefix + strconv.Itoa(number)
	}
	return strconv.Itoa(number)
}

// getDoc reads one document by number; found is false when KashFlow does
// not have it (whatever words it says so with).
func (c *Conn) getDoc(ctx context.Context, kind string, number int) (wInvoice, bool, error) {
	op, arg := "GetInvoice", "InvoiceNumber"
	switch kind {
	case "quote":
		op, arg = "GetQuoteByNumber", "QuoteNumber"
	case "receipt":
		op, arg = "GetReceipt", "ReceiptNumber"
	}
	var w wInvoice
	err := c.soap.call(ctx, op, []param{{arg, number}}, &w)
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return wInvoice{}, false, nil
	case err != nil:
		return wInvoice{}, false, err
	}
	return w, w.InvoiceNumber != 0, nil
}

func (c *Conn) getDocs(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	var out []connectors.Remote
	for _, id := range ids {
		kind := docKind(t, false)
		num := id
		if rest, ok := strings.CutPrefix(id, receiptPrefix); ok && t == connectors.CreditNotes {
			kind, num = "receipt", rest
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		w, ok, err := c.getDoc(ctx, kind, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		r, err := c.docFromWire(ctx, t, w)
		if err != nil {
			return nil, err
		}
		if r.Type == t {
			out = append(out, connectors.Remote{RemoteID: id, Record: r})
		}
	}
	return out, nil
}

// ---- payments ----

// docInfo is what a payment needs of the document it pays.
type docInfo struct {
	code, party, currency string
	typ                   connectors.RecordType
	dbid                  int
}

func (c *Conn) docIndex(ctx context.Context, kind string) (map[int]docInfo, error) {
	list, err := c.listDocs(ctx, kind)
	if err != nil {
		return nil, err
	}
	return c.indexDocs(ctx, kind, list)
}

func (c *Conn) indexDocs(ctx context.Context, kind string, list []wInvoice) (map[int]docInfo, error) {
	t := connectors.SalesInvoices
	if kind == "receipt" {
		t = connectors.PurchaseInvoices
	}
	idx := make(map[int]docInfo, len(list))
	for _, w := range list {
		r, err := c.docFromWire(ctx, t, w)
		if err != nil {
			return nil, err
		}
		idx[w.InvoiceNumber] = docInfo{code: r.Document.Code, party: r.Document.PartyCode, currency: r.Document.Currency, typ: r.Type, dbid: w.InvoiceDBID}
	}
	return idx, nil
}

// part is one KashFlow payment: KashFlow ties each to one document.
type part struct {
	doc int
	pay wPayment
}

func partID(p part) string { return strconv.Itoa(p.doc) + ":" + strconv.Itoa(p.pay.PayID) }

// readPayments reads every payment of one side. Sales: the paged
// GetInvoicePaymentsByDateRange. Purchases: KashFlow lists receipt
// payments only per receipt, so each receipt with money paid on it is
// asked (one call each).
func (c *Conn) readPayments(ctx context.Context, t connectors.RecordType) ([]connectors.Remote, error) {
	kind := "invoice"
	if t == connectors.PurchasePayments {
		kind = "receipt"
	}
	list, err := c.listDocs(ctx, kind)
	if err != nil {
		return nil, err
	}
	idx, err := c.indexDocs(ctx, kind, list)
	if err != nil {
		return nil, err
	}
	var parts []part
	if kind == "invoice" {
		for page := 1; page < 100000; page++ {
			var v payments
			if err := c.soap.call(ctx, "GetInvoicePaymentsByDateRange", []param{
				{"StartDate", c.historyFrom}, {"EndDate", c.now().AddDate(2, 0, 0).Truncate(24 * time.Hour)}, {"PageNumber", page},
			}, &v); err != nil {
				return nil, err
			}
			if len(v.Items) == 0 {
				break
			}
			for _, p := range v.Items {
				parts = append(parts, part{doc: p.PayInvoice, pay: p})
			}
		}
	} else {
		for _, w := range list {
			if w.AmountPaid.IsZero() {
				continue
			}
			ps, err := c.docPayments(ctx, "receipt", w.InvoiceNumber)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				parts = append(parts, part{doc: w.InvoiceNumber, pay: p})
			}
		}
	}
	return c.groupPayments(ctx, t, parts, idx)
}

func (c *Conn) docPayments(ctx context.Context, kind string, number int) ([]wPayment, error) {
	op, arg := "GetInvoicePayment", "InvoiceNumber"
	if kind == "receipt" {
		op, arg = "GetReceiptPayment", "ReceiptNumber"
	}
	var v payments
	err := c.soap.call(ctx, op, []param{{arg, number}}, &v)
	var se *StatusError
	if errors.As(err, &se) {
		return nil, nil
	}
	return v.Items, err
}

// groupPayments makes LedgerLink payments of KashFlow's: the parts of a
// payment LedgerLink sent carry its code in their note; a payment made in
// KashFlow over several invoices is several payments with the same date,
// bank account, method and note, and reads back as one.
func (c *Conn) groupPayments(ctx context.Context, t connectors.RecordType, parts []part, idx map[int]docInfo) ([]connectors.Remote, error) {
	slices.SortFunc(parts, func(a, b part) int { return a.pay.PayID - b.pay.PayID })
	type group struct {
		code  string
		parts []part
		want  int // the parts its notes say it has
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, p := range parts {
		code, note, want := readPayNote(p.pay.PayNote)
		key := "code:" + code
		if code == "" {
			if strings.TrimSpace(note) == "" {
				key = "id:" + strconv.Itoa(p.pay.PayID)
			} else {
				key = fmt.Sprintf("kf:%s|%d|%d|%s|%s", p.pay.PayDate.Format(time.DateOnly), p.pay.PayAccount, p.pay.PayMethod, note, idx[p.doc].party)
			}
			code = "PAY-" + strconv.Itoa(p.pay.PayID)
		}
		g := byKey[key]
		if g == nil {
			g = &group{code: code}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.parts = append(g.parts, p)
		g.want = max(g.want, want)
	}
	out := make([]connectors.Remote, 0, len(groups))
	for _, g := range groups {
		first := g.parts[0]
		_, note, _ := readPayNote(first.pay.PayNote)
		bank, err := c.bankCode(ctx, first.pay.PayAccount)
		if err != nil {
			return nil, err
		}
		info := idx[first.doc]
		pay := &connectors.Payment{Code: g.code, PartyCode: info.party, Date: dateOf(first.pay.PayDate.Time),
			Currency: info.currency, BankAccount: bank, Reference: note, Amount: decimal.Zero}
		ids := make([]string, 0, len(g.parts))
		for _, p := range g.parts {
			d := idx[p.doc]
			docType := d.typ
			if docType == "" {
				docType = connectors.SalesInvoices
				if t == connectors.PurchasePayments {
					docType = connectors.PurchaseInvoices
				}
			}
			pay.Amount = pay.Amount.Add(p.pay.PayAmount.Decimal)
			pay.Allocations = append(pay.Allocations, connectors.Allocation{DocumentType: docType, DocumentCode: d.code,
				Amount: p.pay.PayAmount.Decimal, DocumentRemoteID: strconv.Itoa(p.doc)})
			ids = append(ids, partID(p))
		}
		if pay.Currency == "" {
			pay.Currency = "GBP"
		}
		id := strings.Join(ids, "+")
		c.setUnfinished(t, id, len(g.parts) < g.want)
		out = append(out, connectors.Remote{RemoteID: id, Record: connectors.Record{Type: t, Payment: pay}})
	}
	return out, nil
}

// setUnfinished notes a payment LedgerLink sent only some parts of (an
// upload broken off): FindByCode does not hand it over as done, so the
// engine sends it again and the missing parts follow.
func (c *Conn) setUnfinished(t connectors.RecordType, id string, unfinished bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(t) + "|" + id
	if !unfinished {
		delete(c.unfinished, key)
		return
	}
	if c.unfinished == nil {
		c.unfinished = map[string]bool{}
	}
	c.unfinished[key] = true
}

func (c *Conn) isUnfinished(t connectors.RecordType, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unfinished[string(t)+"|"+id]
}
