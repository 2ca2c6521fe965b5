package kashflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// ErrBatchTooLarge refuses a Write of more than BatchSize items.
var ErrBatchTooLarge = errors.New("more records than KashFlow's batch size") // words:log: a sentinel; the engine splits batches at BatchSize

// Write creates or updates items, one KashFlow call (or a few) each.
// KashFlow's verdict on one record (Status NO) is that record's ItemError;
// a failure that may have reached KashFlow without an answer (a lost
// reply, a 5xx, a slow-down) stops the batch with the error, and the
// engine reconciles through FindByCode before sending anything again.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if len(items) > BatchSize {
		return nil, fmt.Errorf("%w: %d records, at most %d at once", ErrBatchTooLarge, len(items), BatchSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !Capabilities().Supports(t, connectors.Upload) {
		return nil, own.Fail(nil, "kashflow.not_sent", "Type", t.Text())

	}
	out := make([]connectors.WriteResult, 0, len(items))
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, err := c.writeOne(ctx, t, it)
		if err != nil {
			if r := (*refusal)(nil); errors.As(err, &r) {
				// LedgerLink's own refusal keeps its words for every
				// language.
				out = append(out, connectors.WriteResult{Key: it.Key, RemoteID: id, Err: r})
				continue
			}
			if ie, ok := asItemError(err); ok {
				out = append(out, connectors.WriteResult{Key: it.Key, RemoteID: id, Err: ie})
				continue
			}
			return nil, err
		}
		c.prints.written(t, id, it.Record.Code(), c.now())
		out = append(out, connectors.WriteResult{Key: it.Key, RemoteID: id})
	}
	return out, c.prints.save()
}

// asItemError tells a verdict on the record from a failure of the call.
func asItemError(err error) (*connectors.ItemError, bool) {
	if errors.Is(err, connectors.ErrAuth) {
		return nil, false
	}
	var ie *connectors.ItemError
	if errors.As(err, &ie) {
		return ie, true
	}
	return itemError(err)
}

func (c *Conn) writeOne(ctx context.Context, t connectors.RecordType, it connectors.WriteItem) (string, error) {
	rec := it.Record
	if rec.Type != t {
		return "", &connectors.ItemError{Message: fmt.Sprintf("a %s record was sent as %s", rec.Type.Label(), t.Label())} // words:log: the engine sends each type's records as that type
	}
	if err := rec.Validate(); err != nil {
		return "", &connectors.ItemError{Message: err.Error()} // words:log: the engine stores only records that pass Validate
	}
	switch t {
	case connectors.Customers:
		return c.writeCustomer(ctx, it.RemoteID, *rec.Party)
	case connectors.Suppliers:
		return c.writeSupplier(ctx, it.RemoteID, *rec.Party)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		return c.writeDoc(ctx, t, it.RemoteID, *rec.Document)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return c.writePayment(ctx, t, it.RemoteID, *rec.Payment)
	case connectors.Journals:
		return c.writeJournal(ctx, it.RemoteID, *rec.Journal)
	case connectors.Items:
		return c.writeItem(ctx, it.RemoteID, *rec.Item)
	}
	return "", c.refuse("", "kashflow.refusal.read_only", "Type", t.Text())
}

func (c *Conn) writeCustomer(ctx context.Context, remoteID string, p connectors.Party) (string, error) {
	var base wCustomer
	if remoteID != "" {
		id, err := strconv.Atoi(remoteID)
		if err != nil {
			return "", own.ItemFail("", "", "kashflow.item.not_customer_id", "ID", strconv.Quote(remoteID))
		}
		if err := c.soap.call(ctx, "GetCustomerByID", []param{{"CustomerID", id}}, &base); err != nil {
			return "", err
		}
		base.CustomerID = id
	}
	w := customerToWire(p, base)
	if remoteID == "" {
		var id int
		if err := c.soap.call(ctx, "InsertCustomer", []param{{"custr", w}}, &id); err != nil {
			return "", err
		}
		w.CustomerID, remoteID = id, strconv.Itoa(id)
	} else if err := c.soap.call(ctx, "UpdateCustomer", []param{{"custr", w}}, nil); err != nil {
		return "", err
	}
	r := c.refs()
	c.mu.Lock()
	r.customers[w.CustomerID] = w
	c.mu.Unlock()
	return remoteID, nil
}

func (c *Conn) writeSupplier(ctx context.Context, remoteID string, p connectors.Party) (string, error) {
	var base wSupplier
	if remoteID != "" {
		id, err := strconv.Atoi(remoteID)
		if err != nil {
			return "", own.ItemFail("", "", "kashflow.item.not_supplier_id", "ID", strconv.Quote(remoteID))
		}
		if err := c.soap.call(ctx, "GetSupplierByID", []param{{"SupplierID", id}}, &base); err != nil {
			return "", err
		}
		base.SupplierID = id
	}
	w := supplierToWire(p, base)
	if remoteID == "" {
		var id int
		if err := c.soap.call(ctx, "InsertSupplier", []param{{"supl", w}}, &id); err != nil {
			return "", err
		}
		w.SupplierID, remoteID = id, strconv.Itoa(id)
	} else if err := c.soap.call(ctx, "UpdateSupplier", []param{{"sup", w}}, nil); err != nil {
		return "", err
	}
	r := c.refs()
	c.mu.Lock()
	r.suppliers[w.SupplierID] = w
	c.mu.Unlock()
	return remoteID, nil
}

// docOps are the operation and parameter names of each kind of document.
var docOps = map[string]struct{ insert, insertArg, update, updateArg string }{
	"invoice": {"InsertInvoice", "Inv", "UpdateInvoice", "Inv"},
	"quote":   {"InsertQuote", "Quote", "UpdateQuote", "Quote"},
	"receipt": {"InsertReceipt", "Inv", "UpdateReceipt", "Receipt"},
}

func (c *Conn) writeDoc(ctx context.Context, t connectors.RecordType, remoteID string, d connectors.Document) (string, error) {
	kind := docKind(t, d.Purchase)
	ops := docOps[kind]
	var base *wInvoice
	if remoteID != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(remoteID, receiptPrefix))
		if err != nil {
			return "", own.ItemFail("", "", "kashflow.item.not_document_number", "ID", strconv.Quote(remoteID))
		}
		w, ok, err := c.getDoc(ctx, kind, n)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", own.ItemFail("", "", "kashflow.item.document_missing", "Type", t.Text(), "Number", n)
		}
		base = &w
	}
	w, err := c.docToWire(ctx, t, d, base)
	if err != nil {
		return "", err
	}
	if base != nil {
		if err := c.soap.call(ctx, ops.update, []param{{ops.updateArg, w}}, nil); err != nil {
			return "", err
		}
		return remoteID, nil
	}
	var number int
	if err := c.soap.call(ctx, ops.insert, []param{{ops.insertArg, w}}, &number); err != nil {
		return "", err
	}
	id := docRemoteID(t, kind, number)
	if t == connectors.CreditNotes && len(d.Allocations) > 0 {
		if err := c.applyCredit(ctx, kind, number, d); err != nil {
			// The credit note is in KashFlow: its ID goes back with the
			// refusal, so it is linked and never sent twice.
			if ie, ok := asItemError(err); ok {
				r := c.refuse("", "kashflow.refusal.credit_not_applied", "Code", d.Code, "Number", number, "Message", ie.Message)
				r.Code = ie.Code
				return id, r
			}
			return id, err
		}
	}
	return id, nil
}

// applyCredit applies a new credit note to the invoices it credits
// (applyCreditNoteToInvoice takes both documents' internal IDs).
func (c *Conn) applyCredit(ctx context.Context, kind string, number int, d connectors.Document) error {
	if kind != "invoice" {
		return own.ItemFail("", "", "kashflow.item.supplier_credit")
	}
	idx, err := c.docIndex(ctx, "invoice")
	if err != nil {
		return err
	}
	credit, ok := idx[number]
	if !ok {
		return own.ItemFail("", "", "kashflow.item.credit_note_missing", "Number", number)
	}
	for _, a := range d.Allocations {
		target := 0
		for n, info := range idx {
			if (a.DocumentRemoteID != "" && strconv.Itoa(n) == a.DocumentRemoteID) || (a.DocumentRemoteID == "" && info.code == a.DocumentCode) {
				target = info.dbid
			}
		}
		if target == 0 {
			return own.ItemFail("", "allocations", "kashflow.item.credit_invoice_missing", "Code", a.DocumentCode)
		}
		var applied bool
		if err := c.soap.call(ctx, "applyCreditNoteToInvoice", []param{{"InvoiceID", target}, {"CreditNoteID", credit.dbid}}, &applied); err != nil {
			return err
		}
		if !applied {
			return c.refuse("", "kashflow.refusal.credit_refused")
		}
	}
	return nil
}

// writePayment sends a payment as one KashFlow payment per document it
// pays, each marked with the payment's code. Parts already in KashFlow
// (an earlier attempt that broke off) are not sent again, so the payment
// is whole exactly once; its remote ID lists every part.
func (c *Conn) writePayment(ctx context.Context, t connectors.RecordType, remoteID string, p connectors.Payment) (string, error) {
	if remoteID != "" {
		return remoteID, own.ItemFail("", "", "kashflow.item.payment_fixed")
	}
	if err := checkCode(p.Code); err != nil {
		return "", err
	}
	purchase := t == connectors.PurchasePayments
	kind, insert, arg := "invoice", "InsertInvoicePayment", "InvoicePayment"
	if purchase {
		kind, insert, arg = "receipt", "InsertReceiptPayment", "ReceiptPayment"
	}
	allocated := decimal.Zero
	for _, a := range p.Allocations {
		allocated = allocated.Add(a.Amount)
	}
	if len(p.Allocations) == 0 || !allocated.Equal(p.Amount) {
		return "", own.ItemFail("", "allocations", "kashflow.item.unallocated",
			"Unallocated", p.Amount.Sub(allocated).StringFixed(2), "Amount", p.Amount.StringFixed(2))
	}
	account, ok, err := c.bankID(ctx, p.BankAccount)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", c.refuse("bank_account", "kashflow.refusal.bank_account", "Code", p.BankAccount)
	}
	method, ok, err := c.payMethod(ctx, purchase)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", c.refuse("method", "kashflow.refusal.payment_method")
	}
	idx, err := c.docIndex(ctx, kind)
	if err != nil {
		return "", err
	}
	note := payNote(p.Code, p.Reference, len(p.Allocations))
	var ids []string
	for _, a := range p.Allocations {
		number := 0
		for n, info := range idx {
			if (a.DocumentRemoteID != "" && strconv.Itoa(n) == a.DocumentRemoteID) || (a.DocumentRemoteID == "" && info.code == a.DocumentCode) {
				number = n
			}
		}
		if number == 0 {
			missing := "kashflow.item.invoice_missing"
			if purchase {
				missing = "kashflow.item.receipt_missing"
			}
			return "", own.ItemFail("", "allocations", missing, "Code", a.DocumentCode)
		}
		existing, err := c.docPayments(ctx, kind, number)
		if err != nil {
			return "", err
		}
		done := false
		for _, e := range existing {
			if code, _ := unmark(e.PayNote); code == p.Code && e.PayAmount.Equal(a.Amount) {
				ids, done = append(ids, partID(part{doc: number, pay: e})), true
				break
			}
		}
		if done {
			continue
		}
		w := wPayment{PayInvoice: number, PayDate: dateTime{p.Date.Time}, PayNote: note, PayMethod: method, PayAccount: account, PayAmount: amount{a.Amount}}
		var payID int
		if err := c.soap.call(ctx, insert, []param{{arg, w}}, &payID); err != nil {
			return "", err
		}
		w.PayID = payID
		ids = append(ids, partID(part{doc: number, pay: w}))
	}
	return strings.Join(ids, "+"), nil
}

func (c *Conn) writeJournal(ctx context.Context, remoteID string, j connectors.JournalEntry) (string, error) {
	if !j.Balanced() {
		return "", c.refuse("", "kashflow.refusal.unbalanced")
	}
	var base *wJournal
	if remoteID != "" {
		n, err := strconv.Atoi(remoteID)
		if err != nil {
			return "", own.ItemFail("", "", "kashflow.item.not_journal_number", "ID", strconv.Quote(remoteID))
		}
		var w wJournal
		if err := c.soap.call(ctx, "GetJournal", []param{{"JournalNumber", n}}, &w); err != nil {
			return "", err
		}
		base = &w
	}
	w, err := c.journalToWire(ctx, j, base)
	if err != nil {
		return "", err
	}
	if base != nil {
		return remoteID, c.soap.call(ctx, "UpdateJournal", []param{{"Jnl", w}}, nil)
	}
	var number int
	if err := c.soap.call(ctx, "InsertJournal", []param{{"Jnl", w}}, &number); err != nil {
		return "", err
	}
	return strconv.Itoa(number), nil
}
