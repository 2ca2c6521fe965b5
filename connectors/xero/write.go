package xero

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ledgerlink/connectors"
)

// zeroID is the ID Xero puts on elements it did not save.
const zeroID = "00000000-0000-0000-0000-000000000000"

// resource describes one Accounting API collection LedgerLink writes to.
type resource struct {
	path     string // "/Invoices"
	arrayKey string // "Invoices"
	// unitdp asks for four decimal places on unit amounts.
	unitdp bool
}

var (
	resContacts    = resource{path: "/Contacts", arrayKey: "Contacts"}
	resInvoices    = resource{path: "/Invoices", arrayKey: "Invoices", unitdp: true}
	resQuotes      = resource{path: "/Quotes", arrayKey: "Quotes", unitdp: true}
	resCreditNotes = resource{path: "/CreditNotes", arrayKey: "CreditNotes", unitdp: true}
	resPayments    = resource{path: "/Payments", arrayKey: "Payments"}
)

func resourceFor(t connectors.RecordType) (resource, bool) {
	switch t {
	case connectors.Customers, connectors.Suppliers:
		return resContacts, true
	case connectors.SalesInvoices, connectors.PurchaseInvoices:
		return resInvoices, true
	case connectors.Quotes:
		return resQuotes, true
	case connectors.CreditNotes:
		return resCreditNotes, true
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return resPayments, true
	case connectors.Journals:
		return resManualJournals, true
	case connectors.Items:
		return resItems, true
	}
	return resource{}, false
}

// element is one item ready to send.
type element struct {
	index int // in the items given to Write
	json  []byte
	// allocations to make once a credit note is saved.
	allocations []connectors.Allocation
	authorised  bool
}

// elementResult is Xero's verdict on one element.
type elementResult struct {
	id       string
	messages []string
}

// IdempotencyKey derives the Idempotency-Key of one request from the keys
// of the items it carries: the same items in the same request always get
// the same key, so a resent request is answered from Xero's memory of the
// first instead of being done twice.
func IdempotencyKey(method, path string, itemKeys []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	for _, k := range itemKeys {
		fmt.Fprintf(h, "%d:%s\n", len(k), k)
	}
	return "ledgerlink-" + hex.EncodeToString(h.Sum(nil))[:48]
}

// Write creates (PUT) or updates (POST) items of type t in batches of at
// most 50 elements, each under the request-size limit, with
// summarizeErrors=false so that Xero judges every element on its own. Each
// request carries an Idempotency-Key derived from its items' keys.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	res, ok := resourceFor(t)
	if !ok {
		return nil, own.Fail(nil, "xero.write.type_not_sent", "Type", t.Text())
	}
	if len(items) > BatchSize {
		return nil, own.Fail(nil, "xero.write.batch_too_big", "Count", len(items), "Type", t.Text(), "Max", BatchSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t != connectors.Customers && t != connectors.Suppliers {
		c.flushRoles(ctx)
	}
	if t == connectors.InvoicePayments || t == connectors.PurchasePayments {
		return c.writePayments(ctx, t, items)
	}
	m, err := c.mapper(ctx, t, items)
	if err != nil {
		return nil, err
	}
	results := make([]connectors.WriteResult, len(items))
	var creates, updates []element
	for i, it := range items {
		results[i] = connectors.WriteResult{Key: it.Key, RemoteID: it.RemoteID}
		el, ierr := m.encode(t, it)
		if ierr != nil {
			results[i].Err = ierr
			continue
		}
		el.index = i
		if it.RemoteID == "" {
			creates = append(creates, el)
		} else {
			updates = append(updates, el)
		}
	}
	for _, group := range []struct {
		method string
		els    []element
	}{{http.MethodPut, creates}, {http.MethodPost, updates}} {
		for _, chunk := range c.chunks(res, group.els) {
			if err := c.sendChunk(ctx, res, group.method, chunk, items, results); err != nil {
				return nil, err
			}
		}
	}
	switch t {
	case connectors.CreditNotes:
		c.allocateCredits(ctx, creates, items, results)
	case connectors.Customers, connectors.Suppliers:
		c.recordRoles(ctx, t, results, len(items) == BatchSize)
	}
	return results, nil
}

// mapper builds the mapper for a batch, reading the organisation's
// currency only when a document's currency has to be checked against it.
func (c *Conn) mapper(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) (mapper, error) {
	m := mapper{authorised: c.settings.authorised, rollup: c.settings.rollup, multiCurrency: c.settings.multiCurrency}
	if t == connectors.Items {
		if !c.settings.trackInventory {
			return m, nil
		}
		inv, err := c.inventoryAccount(ctx, items)
		m.inventory = inv
		return m, err
	}
	if m.multiCurrency {
		return m, nil
	}
	for _, it := range items {
		if it.Record.Document != nil && strings.TrimSpace(it.Record.Document.Currency) != "" {
			org, err := c.organisation(ctx)
			if err != nil {
				return mapper{}, err
			}
			m.baseCurrency = org.BaseCurrency
			break
		}
	}
	return m, nil
}

// encode maps one item to its JSON element, or says why it cannot be sent.
func (m mapper) encode(t connectors.RecordType, it connectors.WriteItem) (element, *connectors.ItemError) {
	r := it.Record
	if r.Type == "" {
		r.Type = t
	}
	if r.Type != t {
		return element{}, localError("xero.item.wrong_type", "Kind", r.Type.Text(), "Type", t.Text())
	}
	if err := r.Validate(); err != nil {
		return element{}, localError("xero.item.invalid", "Reason", err)
	}
	var v any
	var el element
	switch t {
	case connectors.Customers, connectors.Suppliers:
		v = m.contactFromParty(*r.Party, it.RemoteID)
	case connectors.SalesInvoices, connectors.PurchaseInvoices:
		inv, ierr := m.invoiceFromDocument(t, *r.Document, it.RemoteID)
		if ierr != nil {
			return element{}, ierr
		}
		v = inv
	case connectors.Quotes:
		q, ierr := m.quoteFromDocument(*r.Document, it.RemoteID)
		if ierr != nil {
			return element{}, ierr
		}
		v = q
	case connectors.CreditNotes:
		cn, ierr := m.creditNoteFromDocument(*r.Document, it.RemoteID)
		if ierr != nil {
			return element{}, ierr
		}
		v = cn
		el.allocations = r.Document.Allocations
		el.authorised = cn.Status == "AUTHORISED"
	case connectors.Journals:
		mj, ierr := m.manualJournalFromEntry(*r.Journal, it.RemoteID)
		if ierr != nil {
			return element{}, ierr
		}
		v = mj
	case connectors.Items:
		item, ierr := itemFromProduct(*r.Item, it.RemoteID, m.inventory)
		if ierr != nil {
			return element{}, ierr
		}
		v = item
	}
	b, err := json.Marshal(v)
	if err != nil {
		return element{}, localError("xero.item.unencodable", "Reason", err)
	}
	el.json = b
	return el, nil
}

// envelopeOverhead is the size of {"Xxx":[]} around the elements.
const envelopeOverhead = 32

// chunks splits elements into requests of at most BatchSize elements and
// at most maxRequest bytes (an element larger than that goes alone, and
// Xero judges it).
func (c *Conn) chunks(res resource, els []element) [][]element {
	return c.chunksOf(res, els, BatchSize)
}

// chunksOf splits elements into requests of at most n elements and at
// most maxRequest bytes.
func (c *Conn) chunksOf(res resource, els []element, n int) [][]element {
	var out [][]element
	var cur []element
	size := envelopeOverhead + len(res.arrayKey)
	for _, el := range els {
		if len(cur) > 0 && (len(cur) >= n || size+len(el.json)+1 > c.maxRequest) {
			out = append(out, cur)
			cur, size = nil, envelopeOverhead+len(res.arrayKey)
		}
		cur = append(cur, el)
		size += len(el.json) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func writeBody(res resource, chunk []element) []byte {
	var b bytes.Buffer
	b.WriteString(`{"` + res.arrayKey + `":[`)
	for i, el := range chunk {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(el.json)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// sendChunk sends one request and records each element's verdict. It
// returns an error only when no verdict is known for the request.
func (c *Conn) sendChunk(ctx context.Context, res resource, method string, chunk []element, items []connectors.WriteItem, results []connectors.WriteResult) error {
	keys := make([]string, len(chunk))
	for i, el := range chunk {
		keys[i] = items[el.index].Key
	}
	q := url.Values{"summarizeErrors": {"false"}}
	if res.unitdp {
		q.Set("unitdp", "4")
	}
	var env envelope
	err := c.do(ctx, apiRequest{
		method: method, path: res.path, query: q, body: writeBody(res, chunk),
		idempotencyKey: IdempotencyKey(method, res.path, keys),
	}, &env)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		// Xero refused the request as a whole; every element gets the
		// verdict, with its own messages where Xero gave them.
		for i, el := range chunk {
			msg := apiErr.Error()
			code := apiErr.Type
			if len(apiErr.Elements) == len(chunk) && len(apiErr.Elements[i]) > 0 {
				msg = strings.Join(apiErr.Elements[i], "; ")
			}
			results[el.index].Err = &connectors.ItemError{Code: code, Message: msg}
		}
		return nil
	case err != nil:
		return err
	}
	verdicts := elementResults(res, env)
	if len(verdicts) != len(chunk) {
		return own.Fail(nil, "xero.write.answer_count", "Answered", len(verdicts), "Sent", len(chunk))
	}
	for i, el := range chunk {
		v := verdicts[i]
		r := &results[el.index]
		if len(v.messages) > 0 {
			r.Err = &connectors.ItemError{Code: "ValidationException", Message: strings.Join(v.messages, "; ")}
			continue
		}
		if v.id == "" || v.id == zeroID {
			r.Err = own.ItemFail("", "", "xero.item.not_saved")
			continue
		}
		r.RemoteID = v.id
		r.Err = nil
	}
	return nil
}

func messagesOf(v []validationError) []string {
	var out []string
	for _, e := range v {
		if m := strings.TrimSpace(e.Message); m != "" {
			out = append(out, m)
		}
	}
	return out
}

func elementResults(res resource, env envelope) []elementResult {
	var out []elementResult
	switch res {
	case resContacts:
		for _, e := range env.Contacts {
			out = append(out, elementResult{e.ContactID, messagesOf(e.ValidationErrors)})
		}
	case resInvoices:
		for _, e := range env.Invoices {
			out = append(out, elementResult{e.InvoiceID, messagesOf(e.ValidationErrors)})
		}
	case resQuotes:
		for _, e := range env.Quotes {
			out = append(out, elementResult{e.QuoteID, messagesOf(e.ValidationErrors)})
		}
	case resCreditNotes:
		for _, e := range env.CreditNotes {
			out = append(out, elementResult{e.CreditNoteID, messagesOf(e.ValidationErrors)})
		}
	case resPayments:
		for _, e := range env.Payments {
			out = append(out, elementResult{e.PaymentID, messagesOf(e.ValidationErrors)})
		}
	case resItems:
		for _, e := range env.Items {
			out = append(out, elementResult{e.ItemID, messagesOf(e.ValidationErrors)})
		}
	case resManualJournals:
		for _, e := range env.ManualJournals {
			out = append(out, elementResult{e.ManualJournalID, messagesOf(e.ValidationErrors)})
		}
	case resBatchPayments:
		for _, e := range env.BatchPayments {
			msgs := messagesOf(e.ValidationErrors)
			for _, m := range e.Payments {
				msgs = append(msgs, messagesOf(m.ValidationErrors)...)
			}
			out = append(out, elementResult{e.BatchPaymentID, msgs})
		}
	}
	return out
}

// allocateCredits allocates newly created credit notes to the invoices
// they pay off (PUT /CreditNotes/{id}/Allocations). A credit note that was
// saved but could not be allocated keeps its RemoteID and carries the
// reason, so nothing is sent twice and nothing is lost.
func (c *Conn) allocateCredits(ctx context.Context, created []element, items []connectors.WriteItem, results []connectors.WriteResult) {
	var todo []element
	var numbers []string
	for _, el := range created {
		r := results[el.index]
		if r.Err != nil || r.RemoteID == "" || len(el.allocations) == 0 {
			continue
		}
		if !el.authorised {
			results[el.index].Err = localError("xero.item.credit_note_draft", "Code", items[el.index].Record.Code())
			continue
		}
		todo = append(todo, el)
		for _, a := range el.allocations {
			numbers = append(numbers, a.DocumentCode)
		}
	}
	if len(todo) == 0 {
		return
	}
	ids, err := c.invoiceIDsByNumber(ctx, numbers)
	for _, el := range todo {
		code := items[el.index].Record.Code()
		if err != nil {
			results[el.index].Err = connectors.ItemErrorOf("", "", own.Fail(err, "xero.item.credit_note_allocation_failed", "Code", code))
			continue
		}
		var allocs []allocation
		var missing []string
		date := items[el.index].Record.Document.Date.String()
		for _, a := range el.allocations {
			id, ok := ids[a.DocumentCode]
			if !ok {
				missing = append(missing, a.DocumentCode)
				continue
			}
			allocs = append(allocs, allocation{Invoice: &docRef{InvoiceID: id}, Amount: num(a.Amount), Date: date})
		}
		if len(missing) > 0 {
			results[el.index].Err = localError("xero.item.credit_note_invoice_missing", "Code", code, "Invoices", strings.Join(missing, ", "))
			continue
		}
		body, _ := json.Marshal(map[string]any{"Allocations": allocs})
		path := "/CreditNotes/" + url.PathEscape(results[el.index].RemoteID) + "/Allocations"
		var env envelope
		err := c.do(ctx, apiRequest{method: http.MethodPut, path: path, query: url.Values{"summarizeErrors": {"false"}},
			body: body, idempotencyKey: IdempotencyKey(http.MethodPut, "/CreditNotes/Allocations", []string{items[el.index].Key})}, &env)
		var msgs []string
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr):
			msgs = append(msgs, apiErr.Error())
		case err != nil:
			msgs = append(msgs, err.Error())
		default:
			for _, a := range env.Allocations {
				msgs = append(msgs, messagesOf(a.ValidationErrors)...)
			}
		}
		if len(msgs) > 0 {
			results[el.index].Err = own.ItemFail("ValidationException", "", "xero.item.credit_note_not_allocated", "Code", code, "Messages", strings.Join(msgs, "; "))
		}
	}
}
