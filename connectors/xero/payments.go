package xero

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Payments.
//
// A LedgerLink payment is sent to Xero in one of three shapes:
//
//   - allocated to one document: one Xero payment (PUT /Payments) against
//     the invoice, or a refund against the credit note. Its RemoteID is the
//     PaymentID.
//   - allocated to several invoices (or bills) and nothing else: one Xero
//     batch payment (PUT /BatchPayments), a single bank transaction with
//     one payment per invoice, all from the payment's bank account on its
//     date, with the payment's code as the batch's reference and each
//     payment's. Its RemoteID is the BatchPaymentID, which is also the ID
//     of the bank transaction Xero shows.
//   - allocated to invoices and credit notes together, which a batch
//     cannot carry: one Xero payment per allocation (payments against the
//     invoices, refunds against the credit notes) in one PUT /Payments,
//     all with the payment's code as reference. Its RemoteID is their
//     PaymentIDs, sorted, joined with "+".
//
// Get takes all three forms of RemoteID, FindByCode finds a payment by its
// reference, and ListChanged lists a batch once, as one payment with its
// allocations, and the payments of a split payment together, so the
// engine reads back exactly what it sent. Each allocation read from Xero
// carries the document's Xero ID (DocumentRemoteID).
//
// Payments listed as Invoice Payments are Xero's customer payments and
// refunds of sales credit notes; Purchase Payments are bill payments and
// refunds of supplier credit notes. A refund read on its own is a payment
// of minus its amount allocated to its credit note.

// compositeSep joins the PaymentIDs of a payment Xero holds as several.
const compositeSep = "+"

// Xero's payment types.
const (
	paymentSalesRefund    = "ARCREDITPAYMENT"
	paymentPurchaseRefund = "APCREDITPAYMENT"
)

var resBatchPayments = resource{path: "/BatchPayments", arrayKey: "BatchPayments"}

// paymentKinds are the Xero payment types listed as t.
func paymentKinds(t connectors.RecordType) []string {
	if t == connectors.PurchasePayments {
		return []string{paymentPurchase, paymentPurchaseRefund}
	}
	return []string{paymentSales, paymentSalesRefund}
}

// invoiceKind is the Xero invoice type payments of t pay.
func invoiceKind(t connectors.RecordType) (string, connectors.RecordType) {
	if t == connectors.PurchasePayments {
		return typePurchase, connectors.PurchaseInvoices
	}
	return typeSales, connectors.SalesInvoices
}

// batchKind is the Xero batch type of payments of t.
func batchKind(t connectors.RecordType) string {
	if t == connectors.PurchasePayments {
		return "PAYBATCH"
	}
	return "RECBATCH"
}

// guids keeps the values shaped like Xero IDs; nothing else can name a
// Xero record, and Xero refuses a filter on a malformed one.
func guids(vs []string) []string {
	var out []string
	for _, v := range cleanList(vs) {
		if isGUID(v) {
			out = append(out, strings.ToLower(v))
		}
	}
	return out
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// splitRemoteID reads a payment's RemoteID into the Xero IDs it names.
func splitRemoteID(id string) []string {
	var out []string
	for _, p := range strings.Split(id, compositeSep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// compositeID joins PaymentIDs into one RemoteID, in a fixed order.
func compositeID(ids []string) string {
	ids = slices.Clone(ids)
	for i := range ids {
		ids[i] = strings.ToLower(ids[i])
	}
	slices.Sort(ids)
	return strings.Join(ids, compositeSep)
}

// ---- writing ----

// payPart is one allocation of a payment to send.
type payPart struct {
	creditNote bool
	number     string
	id         string // the document's Xero ID, once looked up
	amount     decimal.Decimal
}

// payPlan is how one item goes to Xero.
type payPlan struct {
	index int
	shape int // shapeSingle, shapeBatch, shapeSplit
	p     connectors.Payment
	parts []payPart
}

const (
	shapeSingle = iota
	shapeBatch
	shapeSplit
)

// planPayment checks an item and works out its shape.
func planPayment(t connectors.RecordType, it connectors.WriteItem) (payPlan, *connectors.ItemError) {
	r := it.Record
	if r.Type == "" {
		r.Type = t
	}
	if r.Type != t {
		return payPlan{}, localError("xero.item.wrong_type", "Kind", r.Type.Text(), "Type", t.Text())
	}
	if err := r.Validate(); err != nil {
		return payPlan{}, localError("xero.item.invalid", "Reason", err)
	}
	p := *r.Payment
	if it.RemoteID != "" {
		return payPlan{}, localError("xero.item.payment_changed", "Code", p.Code)
	}
	if len(p.Allocations) == 0 {
		return payPlan{}, localError("xero.item.payment_unallocated", "Code", p.Code)
	}
	if strings.TrimSpace(p.BankAccount) == "" {
		return payPlan{}, localError("xero.item.payment_no_bank", "Code", p.Code)
	}
	_, want := invoiceKind(t)
	plan := payPlan{p: p}
	credits := 0
	for _, a := range p.Allocations {
		docType := a.DocumentType
		if docType == "" {
			docType = want
		}
		if docType != want && docType != connectors.CreditNotes {
			key := "xero.item.payment_wrong_document.customer"
			if t == connectors.PurchasePayments {
				key = "xero.item.payment_wrong_document.supplier"
			}
			return payPlan{}, localError(key, "Code", p.Code, "Document", a.DocumentCode, "Kind", docType.Text())
		}
		number := strings.TrimSpace(a.DocumentCode)
		if number == "" {
			return payPlan{}, localError("xero.item.payment_allocation_no_document", "Code", p.Code)
		}
		credit := docType == connectors.CreditNotes
		if i := slices.IndexFunc(plan.parts, func(x payPart) bool { return x.creditNote == credit && x.number == number }); i >= 0 {
			plan.parts[i].amount = plan.parts[i].amount.Add(a.Amount)
			continue
		}
		if credit {
			credits++
		}
		plan.parts = append(plan.parts, payPart{creditNote: credit, number: number, amount: a.Amount})
	}
	switch {
	case len(plan.parts) == 1:
		plan.shape = shapeSingle
		if plan.parts[0].amount.IsZero() {
			plan.parts[0].amount = p.Amount
		}
	case credits == 0:
		plan.shape = shapeBatch
	default:
		plan.shape = shapeSplit
	}
	for _, part := range plan.parts {
		if !part.amount.IsPositive() {
			return payPlan{}, localError("xero.item.payment_allocation_not_positive",
				"Code", p.Code, "Amount", part.amount.StringFixed(2), "Document", part.number)
		}
	}
	return plan, nil
}

// paymentElement is one Xero payment of a plan's part.
func paymentElement(p connectors.Payment, part payPart) payment {
	el := payment{
		Account:   &accountRef{Code: p.BankAccount},
		Date:      p.Date.String(),
		Amount:    num(part.amount),
		Reference: p.Code,
	}
	switch {
	case part.creditNote && part.id != "":
		el.CreditNote = &creditNoteRef{CreditNoteID: part.id}
	case part.creditNote:
		el.CreditNote = &creditNoteRef{CreditNoteNumber: part.number}
	case part.id != "":
		el.Invoice = &docRef{InvoiceID: part.id}
	default:
		el.Invoice = &docRef{InvoiceNumber: part.number}
	}
	return el
}

// writePayments sends payments in the shapes described above. Items in
// the single shape share requests of up to 50; batches share requests of
// up to 50 batches; each split payment goes in a request of its own, so
// that Xero's verdict on it is known whole.
func (c *Conn) writePayments(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	results := make([]connectors.WriteResult, len(items))
	var singles, batches, splits []payPlan
	for i, it := range items {
		results[i] = connectors.WriteResult{Key: it.Key}
		plan, ierr := planPayment(t, it)
		if ierr != nil {
			results[i].Err = ierr
			continue
		}
		plan.index = i
		switch plan.shape {
		case shapeSingle:
			singles = append(singles, plan)
		case shapeBatch:
			batches = append(batches, plan)
		default:
			splits = append(splits, plan)
		}
	}
	if err := c.lookUpParts(ctx, t, append(slices.Clone(batches), splits...), results); err != nil {
		return nil, err
	}

	var els []element
	for _, plan := range singles {
		b, err := json.Marshal(paymentElement(plan.p, plan.parts[0]))
		if err != nil {
			results[plan.index].Err = localError("xero.item.payment_unencodable", "Reason", err)
			continue
		}
		els = append(els, element{index: plan.index, json: b})
	}
	for _, chunk := range c.chunks(resPayments, els) {
		if err := c.sendChunk(ctx, resPayments, http.MethodPut, chunk, items, results); err != nil {
			return nil, err
		}
	}

	els = nil
	for _, plan := range batches {
		if results[plan.index].Err != nil {
			continue
		}
		bp := batchPayment{Account: &accountRef{Code: plan.p.BankAccount}, Date: plan.p.Date.String(), Reference: plan.p.Code}
		for _, part := range plan.parts {
			bp.Payments = append(bp.Payments, batchMember{Invoice: &docRef{InvoiceID: part.id}, Amount: num(part.amount), Reference: plan.p.Code})
		}
		b, err := json.Marshal(bp)
		if err != nil {
			results[plan.index].Err = localError("xero.item.payment_unencodable", "Reason", err)
			continue
		}
		els = append(els, element{index: plan.index, json: b})
	}
	for _, chunk := range c.chunks(resBatchPayments, els) {
		if err := c.sendChunk(ctx, resBatchPayments, http.MethodPut, chunk, items, results); err != nil {
			return nil, err
		}
	}

	for _, plan := range splits {
		if results[plan.index].Err != nil {
			continue
		}
		if err := c.sendSplit(ctx, t, plan, items[plan.index].Key, &results[plan.index]); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// lookUpParts finds the Xero IDs of the documents batch and split payments
// pay; a payment naming a document Xero does not have gets the reason.
func (c *Conn) lookUpParts(ctx context.Context, t connectors.RecordType, plans []payPlan, results []connectors.WriteResult) error {
	var invoices, credits []string
	for _, plan := range plans {
		for _, part := range plan.parts {
			if part.creditNote {
				credits = append(credits, part.number)
			} else {
				invoices = append(invoices, part.number)
			}
		}
	}
	if len(plans) == 0 {
		return nil
	}
	kind, _ := invoiceKind(t)
	invIDs, err := c.invoiceIDsOfKind(ctx, kind, invoices)
	if err != nil {
		return err
	}
	cnIDs, err := c.creditNoteIDs(ctx, credits)
	if err != nil {
		return err
	}
	for _, plan := range plans {
		var missing []string
		for i := range plan.parts {
			part := &plan.parts[i]
			ids := invIDs
			if part.creditNote {
				ids = cnIDs
			}
			part.id = ids[part.number]
			if part.id == "" {
				missing = append(missing, part.number)
			}
		}
		if len(missing) > 0 {
			key := "xero.item.payment_documents_missing"
			if len(missing) == 1 {
				key = "xero.item.payment_document_missing"
			}
			results[plan.index].Err = localError(key, "Code", plan.p.Code, "Documents", strings.Join(missing, ", "))
		}
	}
	return nil
}

// invoiceIDsOfKind maps invoice numbers to the IDs of Xero invoices of
// the given type (ACCREC or ACCPAY) that are not voided or deleted.
func (c *Conn) invoiceIDsOfKind(ctx context.Context, kind string, numbers []string) (map[string]string, error) {
	ids := map[string]string{}
	for _, part := range chunked(cleanList(numbers), filterChunk) {
		q := url.Values{}
		if slices.ContainsFunc(part, func(s string) bool { return strings.Contains(s, ",") }) {
			q.Set("where", `Type=="`+kind+`" AND (`+orFilter("InvoiceNumber", part, false)+")")
		} else {
			q.Set("InvoiceNumbers", strings.Join(part, ","))
		}
		var env envelope
		if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/Invoices", query: q}, &env); err != nil {
			return nil, err
		}
		for _, in := range env.Invoices {
			if in.Type == kind && in.Status != "VOIDED" && in.Status != "DELETED" {
				ids[in.InvoiceNumber] = in.InvoiceID
			}
		}
	}
	return ids, nil
}

// creditNoteIDs maps credit note numbers to Xero IDs.
func (c *Conn) creditNoteIDs(ctx context.Context, numbers []string) (map[string]string, error) {
	ids := map[string]string{}
	for _, part := range chunked(cleanList(numbers), filterChunk) {
		var env envelope
		q := url.Values{"where": {orFilter("CreditNoteNumber", part, false)}}
		if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/CreditNotes", query: q}, &env); err != nil {
			return nil, err
		}
		for _, cn := range env.CreditNotes {
			if cn.Status != "VOIDED" && cn.Status != "DELETED" {
				ids[cn.CreditNoteNumber] = cn.CreditNoteID
			}
		}
	}
	return ids, nil
}

// sendSplit sends a payment that Xero holds as one payment per
// allocation. Xero cannot take such a set all or nothing, so before
// sending LedgerLink looks for payments already carrying the payment's
// code: the whole set means it was sent before (its RemoteID is given
// back); part of it means an earlier attempt was only partly taken, and
// nothing is sent that would pay a document twice.
func (c *Conn) sendSplit(ctx context.Context, t connectors.RecordType, plan payPlan, key string, res *connectors.WriteResult) error {
	code := plan.p.Code
	existing, err := c.rawPayments(ctx, t, url.Values{"where": {orFilter("Reference", []string{code}, false)}}, time.Time{})
	if err != nil {
		return err
	}
	existing = slices.DeleteFunc(existing, func(w payment) bool { return w.Reference != code || strings.EqualFold(w.Status, "DELETED") })
	if len(existing) > 0 {
		if ids, ok := coversPlan(existing, plan); ok {
			res.RemoteID, res.Err = compositeID(ids), nil
			return nil
		}
		res.Err = localError("xero.item.payment_partly_sent",
			"Code", code, "Parts", describeParts(existing))
		return nil
	}
	els := make([]payment, len(plan.parts))
	for i, part := range plan.parts {
		els[i] = paymentElement(plan.p, part)
	}
	body, err := json.Marshal(envelope{Payments: els})
	if err != nil {
		res.Err = localError("xero.item.payment_unencodable", "Reason", err)
		return nil
	}
	var env envelope
	err = c.do(ctx, apiRequest{method: http.MethodPut, path: resPayments.path, query: url.Values{"summarizeErrors": {"false"}},
		body: body, idempotencyKey: IdempotencyKey(http.MethodPut, resPayments.path, []string{key})}, &env)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr):
		res.Err = &connectors.ItemError{Code: apiErr.Type, Message: apiErr.Error()}
		return nil
	case err != nil:
		return err
	}
	if len(env.Payments) != len(els) {
		return own.Fail(nil, "xero.write.answer_count", "Answered", len(env.Payments), "Sent", len(els))
	}
	var ids, saved []string
	var msgs []any // Xero's messages (strings) and LedgerLink's own (words.Text)
	for i, w := range env.Payments {
		m := messagesOf(w.ValidationErrors)
		if len(m) > 0 || w.PaymentID == "" || w.PaymentID == zeroID {
			if len(m) == 0 {
				msgs = append(msgs, words.Sentence("xero.item.part_not_saved", "Part", plan.parts[i].number))
				continue
			}
			msgs = append(msgs, plan.parts[i].number+": "+strings.Join(m, "; "))
			continue
		}
		ids = append(ids, w.PaymentID)
		saved = append(saved, plan.parts[i].number)
	}
	switch {
	case len(msgs) == 0:
		res.RemoteID, res.Err = compositeID(ids), nil
	case len(ids) == 0:
		switch all := joinMessages(msgs).(type) {
		case string: // Xero's own words, as it wrote them
			res.Err = &connectors.ItemError{Code: "ValidationException", Message: all}
		case words.Text:
			res.Err = own.ItemFail("ValidationException", "", all.Key, all.Pairs...)
		}
	default:
		res.Err = own.ItemFail("ValidationException", "", "xero.payment.partly_taken", "Messages", joinMessages(msgs), "Payment", code, "Invoices", strings.Join(saved, ", "))
	}
	return nil
}

// joinMessages joins the messages about a payment's parts with "; ": a
// string when they are all Xero's, else words that say LedgerLink's own
// in the reader's language and Xero's as Xero wrote them.
func joinMessages(msgs []any) any {
	var texts []string
	for _, m := range msgs {
		s, ok := m.(string)
		if !ok {
			break
		}
		texts = append(texts, s)
	}
	if len(texts) == len(msgs) {
		return strings.Join(texts, "; ")
	}
	joined := msgs[len(msgs)-1]
	for i := len(msgs) - 2; i >= 0; i-- {
		joined = words.Sentence("xero.item.messages_joined", "First", msgs[i], "Rest", joined)
	}
	return joined
}

// coversPlan reports whether the payments are exactly the plan's parts,
// and gives their IDs.
func coversPlan(ps []payment, plan payPlan) ([]string, bool) {
	if len(ps) != len(plan.parts) {
		return nil, false
	}
	used := make([]bool, len(ps))
	var ids []string
	for _, part := range plan.parts {
		found := false
		for i, w := range ps {
			if used[i] || !w.Amount.Equal(part.amount) {
				continue
			}
			var docID string
			if part.creditNote && w.CreditNote != nil {
				docID = w.CreditNote.CreditNoteID
			} else if !part.creditNote && w.Invoice != nil {
				docID = w.Invoice.InvoiceID
			}
			if docID != "" && strings.EqualFold(docID, part.id) {
				used[i], found = true, true
				ids = append(ids, w.PaymentID)
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return ids, true
}

func describeParts(ps []payment) string {
	parts := make([]string, 0, len(ps))
	for _, w := range ps {
		doc := ""
		switch {
		case w.Invoice != nil:
			doc = firstNonBlank(w.Invoice.InvoiceNumber, w.Invoice.InvoiceID)
		case w.CreditNote != nil:
			doc = firstNonBlank(w.CreditNote.CreditNoteNumber, w.CreditNote.CreditNoteID)
		}
		parts = append(parts, w.Amount.StringFixed(2)+" on "+doc)
	}
	return strings.Join(parts, ", ")
}

// ---- reading ----

// payGroup is what one LedgerLink payment is in Xero: a single payment,
// a batch with its payments, or the payments of a split payment.
type payGroup struct {
	id      string
	batch   *batchPayment
	members []payment
}

// rawPayments reads every page of /Payments for the query, keeping the
// payment types listed as t.
func (c *Conn) rawPayments(ctx context.Context, t connectors.RecordType, q url.Values, since time.Time) ([]payment, error) {
	kinds := paymentKinds(t)
	q.Set("pageSize", strconv.Itoa(c.pageSize))
	var out []payment
	for n := 1; ; n++ {
		q.Set("page", strconv.Itoa(n))
		var env envelope
		if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/Payments", query: q, ifModifiedSince: since}, &env); err != nil {
			return nil, err
		}
		for _, w := range env.Payments {
			if w.PaymentType == "" || slices.Contains(kinds, w.PaymentType) {
				out = append(out, w)
			}
		}
		if p := env.Pagination; p != nil && p.PageCount > 0 {
			if n >= p.PageCount {
				return out, nil
			}
		} else if len(env.Payments) < c.pageSize {
			return out, nil
		}
	}
}

// batches reads batch payments by ID; unknown IDs are left out.
func (c *Conn) batches(ctx context.Context, ids []string) (map[string]batchPayment, error) {
	out := map[string]batchPayment{}
	for _, part := range chunked(guids(ids), filterChunk) {
		bs, err := c.batchesWhere(ctx, orFilter("BatchPaymentID", part, true))
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			out[strings.ToLower(b.BatchPaymentID)] = b
		}
	}
	return out, nil
}

func (c *Conn) batchesWhere(ctx context.Context, where string) ([]batchPayment, error) {
	var env envelope
	if err := c.do(ctx, apiRequest{method: http.MethodGet, path: resBatchPayments.path, query: url.Values{"where": {where}}}, &env); err != nil {
		return nil, err
	}
	return env.BatchPayments, nil
}

// paymentsByID reads payments by PaymentID; unknown IDs are left out.
func (c *Conn) paymentsByID(ctx context.Context, t connectors.RecordType, ids []string) (map[string]payment, error) {
	out := map[string]payment{}
	for _, part := range chunked(guids(ids), filterChunk) {
		ps, err := c.rawPayments(ctx, t, url.Values{"where": {orFilter("PaymentID", part, true)}}, time.Time{})
		if err != nil {
			return nil, err
		}
		for _, w := range ps {
			out[strings.ToLower(w.PaymentID)] = w
		}
	}
	return out, nil
}

// completeBatches turns the batch members among ps into whole batches:
// each batch is read, and its payments that ps lacks are read too. The
// payments not in a batch are returned as they are.
func (c *Conn) completeBatches(ctx context.Context, t connectors.RecordType, ps []payment, extra []string) ([]payGroup, []payment, error) {
	var batchIDs []string
	loose := make([]payment, 0, len(ps))
	have := map[string]payment{}
	for _, w := range ps {
		have[strings.ToLower(w.PaymentID)] = w
		if w.BatchPaymentID != "" && w.BatchPaymentID != zeroID {
			batchIDs = append(batchIDs, strings.ToLower(w.BatchPaymentID))
		} else {
			loose = append(loose, w)
		}
	}
	batchIDs = append(batchIDs, extra...)
	if len(batchIDs) == 0 {
		return nil, loose, nil
	}
	found, err := c.batches(ctx, batchIDs)
	if err != nil {
		return nil, nil, err
	}
	var missing []string
	for _, b := range found {
		for _, m := range b.Payments {
			if _, ok := have[strings.ToLower(m.PaymentID)]; !ok && m.PaymentID != "" {
				missing = append(missing, m.PaymentID)
			}
		}
	}
	more, err := c.paymentsByID(ctx, t, missing)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range more {
		have[k] = v
	}
	var groups []payGroup
	for _, id := range cleanList(batchIDs) {
		b, ok := found[strings.ToLower(id)]
		if !ok || (b.Type != "" && b.Type != batchKind(t)) {
			continue
		}
		g := payGroup{id: b.BatchPaymentID, batch: &b}
		for _, m := range b.Payments {
			w, ok := have[strings.ToLower(m.PaymentID)]
			if !ok {
				// Not one of t's payment types (or gone): keep what the
				// batch itself says.
				w = payment{PaymentID: m.PaymentID, Invoice: m.Invoice, Amount: m.Amount, Reference: m.Reference}
			}
			g.members = append(g.members, w)
		}
		groups = append(groups, g)
	}
	return groups, loose, nil
}

// groupLoose groups payments not in a batch: the payments of a split
// payment (the same reference, date, bank account and contact, with at
// least one refund among them) become one group; any other payment is a
// group of its own. Payments typed in Xero by hand are never merged
// unless a refund is among them.
func groupLoose(ps []payment) []payGroup {
	type key struct{ ref, date, account, contact string }
	keyOf := func(w payment) key {
		k := key{ref: w.Reference, date: w.Date}
		if w.Account != nil {
			k.account = strings.ToLower(firstNonBlank(w.Account.AccountID, w.Account.Code))
		}
		switch {
		case w.Invoice != nil && w.Invoice.Contact != nil:
			k.contact = strings.ToLower(firstNonBlank(w.Invoice.Contact.ContactID, contactCode(w.Invoice.Contact)))
		case w.CreditNote != nil && w.CreditNote.Contact != nil:
			k.contact = strings.ToLower(firstNonBlank(w.CreditNote.Contact.ContactID, contactCode(w.CreditNote.Contact)))
		}
		return k
	}
	byKey := map[key][]payment{}
	var order []key
	for _, w := range ps {
		k := keyOf(w)
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], w)
	}
	var out []payGroup
	for _, k := range order {
		ws := byKey[k]
		refund := slices.ContainsFunc(ws, func(w payment) bool { return w.CreditNote != nil })
		if k.ref != "" && len(ws) > 1 && refund {
			ids := make([]string, len(ws))
			for i, w := range ws {
				ids[i] = w.PaymentID
			}
			out = append(out, payGroup{id: compositeID(ids), members: ws})
			continue
		}
		for _, w := range ws {
			out = append(out, payGroup{id: w.PaymentID, members: []payment{w}})
		}
	}
	return out
}

// paymentRecord builds the LedgerLink payment a group is.
func paymentRecord(t connectors.RecordType, g payGroup) (connectors.Remote, error) {
	if len(g.members) == 0 {
		return connectors.Remote{}, errors.New("it has no payments") // words:log: a payment that cannot be read is logged and left out
	}
	_, invType := invoiceKind(t)
	p := connectors.Payment{}
	var updated time.Time
	var parties []string
	first := g.members[0]
	date := first.Date
	reference := first.Reference
	var account *accountRef = first.Account
	if b := g.batch; b != nil {
		date = firstNonBlank(b.DateString, b.Date, date)
		reference = firstNonBlank(b.Reference, reference)
		if b.Account != nil && (account == nil || account.Code == "") {
			account = b.Account
		}
		updated = updatedAt(b.UpdatedDateUTC)
	}
	d, err := parseDay(date)
	if err != nil {
		return connectors.Remote{}, err
	}
	p.Date = d
	p.Code = firstNonBlank(reference, g.id)
	p.Reference = reference
	if account != nil {
		p.BankAccount = firstNonBlank(account.Code, account.AccountID)
	}
	total := decimal.Zero
	for _, w := range g.members {
		if u := updatedAt(w.UpdatedDateUTC); u.After(updated) {
			updated = u
		}
		a := connectors.Allocation{Amount: w.Amount.Decimal}
		switch {
		case w.Invoice != nil:
			a.DocumentType = invType
			if w.Invoice.Type == typePurchase || w.PaymentType == paymentPurchase {
				a.DocumentType = connectors.PurchaseInvoices
			}
			a.DocumentCode = firstNonBlank(w.Invoice.InvoiceNumber, w.Invoice.InvoiceID)
			a.DocumentRemoteID = w.Invoice.InvoiceID
			p.Currency = firstNonBlank(p.Currency, w.Invoice.CurrencyCode)
			parties = append(parties, contactCode(w.Invoice.Contact))
			total = total.Add(w.Amount.Decimal)
		case w.CreditNote != nil:
			a.DocumentType = connectors.CreditNotes
			a.DocumentCode = firstNonBlank(w.CreditNote.CreditNoteNumber, w.CreditNote.CreditNoteID)
			a.DocumentRemoteID = w.CreditNote.CreditNoteID
			p.Currency = firstNonBlank(p.Currency, w.CreditNote.CurrencyCode)
			parties = append(parties, contactCode(w.CreditNote.Contact))
			// A refund is money going the other way.
			total = total.Sub(w.Amount.Decimal)
		default:
			total = total.Add(w.Amount.Decimal)
			continue
		}
		p.Allocations = append(p.Allocations, a)
	}
	p.Amount = total
	if b := g.batch; b != nil && !b.TotalAmount.IsZero() {
		p.Amount = b.TotalAmount.Decimal
	}
	// The payment's customer or supplier, when its documents share one.
	if parties = cleanList(parties); len(parties) == 1 {
		p.PartyCode = parties[0]
	}
	return connectors.Remote{RemoteID: g.id, UpdatedAt: updated, Record: connectors.Record{Type: t, Payment: &p}, Deleted: groupDeleted(g)}, nil
}

// groupDeleted reports whether a payment (a batch, or the parts of a split
// payment) was deleted in Xero: the batch says so, or every part does.
func groupDeleted(g payGroup) bool {
	if g.batch != nil && strings.EqualFold(g.batch.Status, "DELETED") {
		return true
	}
	for _, w := range g.members {
		if !strings.EqualFold(w.Status, "DELETED") {
			return false
		}
	}
	return len(g.members) > 0
}

// records turns groups into LedgerLink payments; one Xero cannot be read
// is logged and left out.
func (c *Conn) records(t connectors.RecordType, groups []payGroup) []connectors.Remote {
	out := make([]connectors.Remote, 0, len(groups))
	for _, g := range groups {
		r, err := paymentRecord(t, g)
		if err != nil {
			c.log.Warn("xero: a payment could not be read and was left out", "type", t, "id", g.id, "err", err)
			continue
		}
		out = append(out, r)
	}
	return out
}

// listPayments is ListChanged for payments: every changed payment is
// read, batches are completed and split payments joined, and the result
// is handed over in pages.
func (c *Conn) listPayments(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	kinds := paymentKinds(t)
	where := make([]string, len(kinds))
	for i, k := range kinds {
		where[i] = `PaymentType=="` + k + `"`
	}
	ps, err := c.rawPayments(ctx, t, url.Values{"where": {strings.Join(where, " OR ")}}, since)
	if err != nil {
		return err
	}
	batchGroups, loose, err := c.completeBatches(ctx, t, ps, nil)
	if err != nil {
		return err
	}
	recs := c.records(t, append(batchGroups, groupLoose(loose)...))
	size := max(c.pageSize, 1)
	for start := 0; start < len(recs); start += size {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := page(recs[start:min(start+size, len(recs))]); err != nil {
			return err
		}
	}
	return nil
}

// getPayments is Get for payments: each ID is a PaymentID, a
// BatchPaymentID or a "+"-joined set of PaymentIDs.
func (c *Conn) getPayments(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	var parts []string
	for _, id := range ids {
		parts = append(parts, splitRemoteID(id)...)
	}
	byID, err := c.paymentsByID(ctx, t, parts)
	if err != nil {
		return nil, err
	}
	var notPayments []string
	for _, id := range ids {
		if ps := splitRemoteID(id); len(ps) == 1 {
			if _, ok := byID[strings.ToLower(ps[0])]; !ok {
				notPayments = append(notPayments, strings.ToLower(ps[0]))
			}
		}
	}
	batchGroups, _, err := c.completeBatches(ctx, t, nil, notPayments)
	if err != nil {
		return nil, err
	}
	batchByID := map[string]payGroup{}
	for _, g := range batchGroups {
		batchByID[strings.ToLower(g.id)] = g
	}
	var groups []payGroup
	for _, id := range ids {
		ps := splitRemoteID(id)
		if len(ps) == 1 {
			if g, ok := batchByID[strings.ToLower(ps[0])]; ok {
				groups = append(groups, g)
				continue
			}
		}
		g := payGroup{id: id}
		for _, p := range ps {
			w, ok := byID[strings.ToLower(p)]
			if !ok {
				g.members = nil
				break
			}
			g.members = append(g.members, w)
		}
		if len(g.members) > 0 {
			groups = append(groups, g)
		}
	}
	return c.records(t, groups), nil
}

// findPayments is FindByCode for payments: by their reference, which
// carries LedgerLink's payment code.
func (c *Conn) findPayments(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	keep := setOf(codes)
	var ps []payment
	for _, part := range chunked(codes, filterChunk) {
		got, err := c.rawPayments(ctx, t, url.Values{"where": {orFilter("Reference", part, false)}}, time.Time{})
		if err != nil {
			return nil, err
		}
		ps = append(ps, got...)
	}
	batchGroups, loose, err := c.completeBatches(ctx, t, ps, nil)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(c.records(t, append(batchGroups, groupLoose(loose)...)), func(r connectors.Remote) bool { return !keep(r.Record.Code()) })
	// A batch whose payments do not carry the reference is found by the
	// batch's own.
	var missing []string
	for _, code := range codes {
		if !slices.ContainsFunc(out, func(r connectors.Remote) bool { return r.Record.Code() == code }) {
			missing = append(missing, code)
		}
	}
	for _, part := range chunked(missing, filterChunk) {
		bs, err := c.batchesWhere(ctx, orFilter("Reference", part, false))
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, b := range bs {
			ids = append(ids, b.BatchPaymentID)
		}
		more, _, err := c.completeBatches(ctx, t, nil, ids)
		if err != nil {
			return nil, err
		}
		for _, r := range c.records(t, more) {
			if keep(r.Record.Code()) && !slices.ContainsFunc(out, func(o connectors.Remote) bool { return o.RemoteID == r.RemoteID }) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}
