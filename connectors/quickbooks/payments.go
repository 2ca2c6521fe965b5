package quickbooks

import (
	"context"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// linkTypes are the TxnTypes a payment's lines link, by the document type
// of an allocation.
func linkType(t connectors.RecordType, purchasePayment bool) string {
	switch {
	case t == connectors.CreditNotes && purchasePayment:
		return "VendorCredit"
	case t == connectors.CreditNotes:
		return "CreditMemo"
	case purchasePayment:
		return "Bill"
	}
	return "Invoice"
}

// prefetchDocs learns, in one query per entity, the Ids of the documents
// the items' allocations name, so that each payment is not a call of its
// own.
func (c *Conn) prefetchDocs(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) error {
	want := map[string][]string{}
	for _, it := range items {
		var allocs []connectors.Allocation
		purchase := t == connectors.PurchasePayments
		switch {
		case it.Record.Payment != nil:
			allocs = it.Record.Payment.Allocations
		case it.Record.Document != nil && t == connectors.CreditNotes:
			allocs, purchase = it.Record.Document.Allocations, it.Record.Document.Purchase
		}
		for _, a := range allocs {
			if a.DocumentRemoteID == "" {
				e := linkType(a.DocumentType, purchase)
				if a.DocumentType == connectors.PurchaseInvoices || (purchase && a.DocumentType != connectors.CreditNotes) {
					e = "Bill"
				}
				want[e] = append(want[e], a.DocumentCode)
			}
		}
	}
	for e, nums := range want {
		if _, err := c.refs.docIDs(ctx, e, nums); err != nil {
			return err
		}
	}
	return nil
}

// linkLines are a payment's lines, one per allocation.
func (m mapper) linkLines(code string, allocs []connectors.Allocation, purchase bool) ([]line, decimal.Decimal, *connectors.ItemError, error) {
	var lines []line
	sum := decimal.Zero
	for _, a := range allocs {
		e := linkType(a.DocumentType, purchase)
		if a.DocumentType == connectors.PurchaseInvoices {
			e = "Bill"
		}
		id := a.DocumentRemoteID
		if v, ok := splitVendorCredit(id); ok {
			id = v
		}
		if id == "" {
			ids, err := m.c.refs.docIDs(m.ctx, e, []string{a.DocumentCode})
			if err != nil {
				return nil, sum, nil, err
			}
			id = ids[a.DocumentCode]
		}
		if id == "" {
			return nil, sum, localError("quickbooks.item.payment_document_missing", "Code", code, "Document", a.DocumentCode), nil
		}
		if !a.Amount.IsPositive() {
			return nil, sum, localError("quickbooks.item.payment_not_positive", "Code", code, "Amount", a.Amount, "Document", a.DocumentCode), nil
		}
		lines = append(lines, line{Amount: amt(a.Amount), LinkedTxn: []linkedTxn{{TxnID: id, TxnType: e}}})
		if e == "CreditMemo" || e == "VendorCredit" {
			sum = sum.Sub(a.Amount)
		} else {
			sum = sum.Add(a.Amount)
		}
	}
	return lines, sum, nil, nil
}

func splitVendorCredit(id string) (string, bool) {
	if len(id) > 1 && id[0] == vendorCreditPrefix[0] {
		if _, err := strconv.Atoi(id[1:]); err == nil {
			return id[1:], true
		}
	}
	return "", false
}

// toPayment is a payment as a Payment (customer) or BillPayment (vendor),
// its allocations as lines linking the documents.
func (m mapper) toPayment(entity string, p connectors.Payment) (txn, *connectors.ItemError, error) {
	purchase := entity == "BillPayment"
	if len(p.Code) > maxDocNumber {
		return txn{}, localError("quickbooks.item.payment_reference_too_long", "Code", p.Code, "Max", maxDocNumber), nil
	}
	out := txn{TxnDate: p.Date.String(), PrivateNote: p.Reference, TotalAmt: amt(p.Amount)}
	if p.Currency != "" {
		out.CurrencyRef = &ref{Value: p.Currency}
	}
	party := p.PartyCode
	if party == "" {
		key := "quickbooks.item.payment_no_party.customer"
		if purchase {
			key = "quickbooks.item.payment_no_party.supplier"
		}
		return txn{}, localError(key, "Code", p.Code), nil
	}
	lines, _, ie, err := m.linkLines(p.Code, p.Allocations, purchase)
	if ie != nil || err != nil {
		return txn{}, ie, err
	}
	out.Line = lines
	var bank string
	if p.BankAccount != "" {
		if bank, ie = m.accountID(p.BankAccount, "quickbooks.account_role.bank_account"); ie != nil {
			return txn{}, ie, nil
		}
	}
	if purchase {
		pr, ie, err := m.partyRef("Vendor", party)
		if ie != nil || err != nil {
			return txn{}, ie, err
		}
		if bank == "" {
			return txn{}, localError("quickbooks.item.payment_no_bank", "Code", p.Code), nil
		}
		out.VendorRef, out.DocNumber, out.PayType, out.CheckPayment = pr, p.Code, "Check", &billPaymentCheck{BankAccountRef: refTo(bank)}
		return out, nil, nil
	}
	pr, ie, err := m.partyRef("Customer", party)
	if ie != nil || err != nil {
		return txn{}, ie, err
	}
	out.CustomerRef, out.PaymentRefNum, out.DepositToAccountRef = pr, p.Code, refTo(bank)
	return out, nil, nil
}

// applyAllocations applies each new credit note to the documents it pays
// off: a Payment (BillPayment for a vendor credit) of no money whose lines
// link the invoices and the credit, all in one batch.
func (c *Conn) applyAllocations(ctx context.Context, t connectors.RecordType, ops []*op, results []connectors.WriteResult, rid string) error {
	if t != connectors.CreditNotes {
		return nil
	}
	m := mapper{c: c, ctx: ctx}
	ops, err := c.unapplyChanged(ctx, ops, results, rid)
	if err != nil {
		return err
	}
	var reqs []batchItemRequest
	var owners []*op
	for _, o := range ops {
		r := results[o.idx]
		if r.Err != nil || r.RemoteID == "" || len(o.allocs) == 0 {
			continue
		}
		d := o.rec.Document
		purchase := d.Purchase
		var allocs []connectors.Allocation
		for _, a := range d.Allocations {
			if purchase {
				a.DocumentType = connectors.PurchaseInvoices
			}
			allocs = append(allocs, a)
		}
		lines, sum, ie, err := m.linkLines(d.Code, allocs, purchase)
		if err != nil {
			return err
		}
		if ie != nil {
			results[o.idx].Err = allocationError(d.Code, ie)
			continue
		}
		memo := linkedTxn{TxnID: o.body.base().ID, TxnType: o.entity}
		if memo.TxnID == "" {
			_, memo.TxnID = splitRemoteID(t, r.RemoteID)
		}
		lines = append(lines, line{Amount: amt(sum), LinkedTxn: []linkedTxn{memo}})
		pay := txn{TxnDate: d.Date.String(), PrivateNote: "Credit note " + d.Code + " applied", TotalAmt: amt(decimal.Zero), Line: lines} // words:verbatim: a note kept in QuickBooks
		entity := "Payment"
		if purchase {
			entity = "BillPayment"
			bank := ""
			c.refs.mu.Lock()
			for _, a := range c.refs.accounts {
				if a.AccountType == "Bank" && bank == "" {
					bank = a.ID
				}
			}
			c.refs.mu.Unlock()
			pr, _, _ := m.partyRef("Vendor", d.PartyCode)
			pay.VendorRef, pay.PayType, pay.CheckPayment = pr, "Check", &billPaymentCheck{BankAccountRef: refTo(bank)}
		} else {
			pr, _, _ := m.partyRef("Customer", d.PartyCode)
			pay.CustomerRef = pr
		}
		reqs = append(reqs, batchItemRequest{BID: strconv.Itoa(len(reqs) + 1), Operation: "create", Entity: entity, Body: &pay})
		owners = append(owners, o)
	}
	if len(reqs) == 0 {
		return nil
	}
	res, err := c.batch(ctx, reqs, requestID(rid, "allocations"))
	if err != nil {
		for _, o := range owners {
			results[o.idx].Err = allocationError(o.rec.Code(), err)
		}
		return nil
	}
	for i, o := range owners {
		if br := res[strconv.Itoa(i+1)]; br.Fault != nil {
			results[o.idx].Err = allocationError(o.rec.Code(), itemError(*br.Fault))
		}
	}
	return nil
}

// unapplyChanged handles the credit notes among ops that were updated: one
// whose allocations in QuickBooks are already the ones wanted is left out;
// one whose allocations changed has its applications (the payments of no
// money LedgerLink made) deleted first, in one batch, so that it can be
// applied afresh. It returns the ops to apply: the new credit notes and
// those unapplied.
func (c *Conn) unapplyChanged(ctx context.Context, ops []*op, results []connectors.WriteResult, rid string) ([]*op, error) {
	apply := make([]*op, 0, len(ops))
	byEntity := map[string][]*op{}
	for _, o := range ops {
		switch {
		case results[o.idx].Err != nil || results[o.idx].RemoteID == "":
		case o.id == "":
			apply = append(apply, o)
		default:
			byEntity[o.entity] = append(byEntity[o.entity], o)
		}
	}
	var reqs []batchItemRequest
	var owners []*op
	for entity, updated := range byEntity {
		payEntity := "Payment"
		if entity == "VendorCredit" {
			payEntity = "BillPayment"
		}
		ids := make([]string, 0, len(updated))
		for _, o := range updated {
			ids = append(ids, o.id)
		}
		memos, err := c.txnsWhere(ctx, entity, "Id", ids)
		if err != nil {
			return nil, err
		}
		current, err := c.creditAllocations(ctx, entity, memos)
		if err != nil {
			return nil, err
		}
		var payIDs []string
		links := map[string][]string{}
		for _, t := range memos {
			for _, lt := range t.LinkedTxn {
				if lt.TxnType == payEntity {
					payIDs = append(payIDs, lt.TxnID)
					links[t.ID] = append(links[t.ID], lt.TxnID)
				}
			}
		}
		pays := map[string]txn{}
		for start := 0; start < len(payIDs); start += MaxPage {
			ps, err := c.txnsWhere(ctx, payEntity, "Id", payIDs[start:min(start+MaxPage, len(payIDs))])
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				pays[p.ID] = p
			}
		}
		for _, o := range updated {
			if sameAllocations(current[o.id], o.allocs) {
				continue
			}
			var dels []batchItemRequest
			for _, pid := range links[o.id] {
				p, ok := pays[pid]
				if !ok || !p.TotalAmt.dec().IsZero() || appliedCredits(p, entity) != 1 {
					dels = nil
					results[o.idx].Err = allocationError(o.rec.Code(), words.Sentence("quickbooks.item.allocation_mixed"))
					break
				}
				dels = append(dels, batchItemRequest{Operation: "delete", Entity: payEntity,
					Body: &txn{entityBase: entityBase{ID: p.ID, SyncToken: p.SyncToken}}})
			}
			if results[o.idx].Err != nil {
				continue
			}
			for _, d := range dels {
				d.BID = strconv.Itoa(len(reqs) + 1)
				reqs = append(reqs, d)
				owners = append(owners, o)
			}
			if len(dels) == 0 {
				apply = append(apply, o)
			}
		}
	}
	if len(reqs) == 0 {
		return apply, nil
	}
	res, err := c.batch(ctx, reqs, requestID(rid, "unapply"))
	if err != nil {
		for _, o := range owners {
			results[o.idx].Err = allocationError(o.rec.Code(), err)
		}
		return apply, nil
	}
	for i, o := range owners {
		if br := res[strconv.Itoa(i+1)]; br.Fault != nil && results[o.idx].Err == nil {
			results[o.idx].Err = allocationError(o.rec.Code(), itemError(*br.Fault))
		}
	}
	for i, o := range owners {
		if results[o.idx].Err == nil && (i == 0 || owners[i-1] != o) {
			apply = append(apply, o)
		}
	}
	return apply, nil
}

// appliedCredits counts the credits of entity a payment applies.
func appliedCredits(p txn, entity string) int {
	n := 0
	for _, l := range p.Line {
		for _, lt := range l.LinkedTxn {
			if lt.TxnType == entity {
				n++
			}
		}
	}
	return n
}

// sameAllocations reports whether two lists allocate the same amounts to
// the same documents, in any order.
func sameAllocations(a, b []connectors.Allocation) bool {
	key := func(as []connectors.Allocation) []string {
		out := make([]string, 0, len(as))
		for _, x := range as {
			out = append(out, x.DocumentCode+"="+x.Amount.StringFixed(2))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// allocationError says a credit note is in QuickBooks but not applied:
// the record keeps its remote ID, and the words say what to do. why is
// QuickBooks's message (a string) or LedgerLink's own words (words.Text).
func allocationError(code string, why any) *connectors.ItemError {
	return own.ItemFail("ALLOCATION", "", "quickbooks.item.allocation_failed", "Code", code, "Reason", why)
}

// fromPayment reads a Payment or BillPayment; ok is false for a payment
// of no money that only applies credits (shown on the credit note).
func (m mapper) fromPayment(entity string, t txn, numbers map[string]string) (connectors.Payment, bool, error) {
	purchase := entity == "BillPayment"
	p := connectors.Payment{Date: parseDay(t.TxnDate), Amount: t.TotalAmt.dec(), Currency: t.CurrencyRef.id(), Reference: t.PrivateNote}
	var err error
	if purchase {
		p.Code = t.DocNumber
		p.PartyCode, err = m.c.refs.partyCodeOfID(m.ctx, "Vendor", t.VendorRef.id())
		if t.CheckPayment != nil {
			if a, ok := m.c.refs.accountByID(t.CheckPayment.BankAccountRef.id()); ok {
				p.BankAccount = accountCode(a)
			}
		}
	} else {
		p.Code = t.PaymentRefNum
		p.PartyCode, err = m.c.refs.partyCodeOfID(m.ctx, "Customer", t.CustomerRef.id())
		if a, ok := m.c.refs.accountByID(t.DepositToAccountRef.id()); ok {
			p.BankAccount = accountCode(a)
		}
	}
	if err != nil {
		return p, false, err
	}
	if p.Code == "" {
		p.Code = localIDPrefix + t.ID
	}
	credits := false
	for _, l := range t.Line {
		for _, lt := range l.LinkedTxn {
			switch lt.TxnType {
			case "Invoice", "Bill":
				dt := connectors.SalesInvoices
				if lt.TxnType == "Bill" {
					dt = connectors.PurchaseInvoices
				}
				p.Allocations = append(p.Allocations, connectors.Allocation{DocumentType: dt, DocumentCode: numbers[lt.TxnType+"/"+lt.TxnID],
					Amount: l.Amount.dec(), DocumentRemoteID: lt.TxnID})
			case "CreditMemo", "VendorCredit":
				credits = true
			}
		}
	}
	if credits && p.Amount.IsZero() {
		return p, false, nil
	}
	return p, true, nil
}

// linkedNumbers learns the document numbers of every document the
// payments link (one query per entity).
func (c *Conn) linkedNumbers(ctx context.Context, pays []txn) (map[string]string, error) {
	want := map[string][]string{}
	for _, t := range pays {
		for _, l := range t.Line {
			for _, lt := range l.LinkedTxn {
				want[lt.TxnType] = append(want[lt.TxnType], lt.TxnID)
			}
		}
	}
	out := map[string]string{}
	for e, ids := range want {
		if e != "Invoice" && e != "Bill" && e != "CreditMemo" && e != "VendorCredit" {
			continue
		}
		nums, err := c.refs.docNumbers(ctx, e, ids)
		if err != nil {
			return nil, err
		}
		for id, n := range nums {
			out[e+"/"+id] = n
		}
	}
	return out, nil
}

// creditAllocations reads how credit memos (or vendor credits) were
// applied: the payments their LinkedTxn names, and the invoices those
// payments link.
func (c *Conn) creditAllocations(ctx context.Context, entity string, memos []txn) (map[string][]connectors.Allocation, error) {
	payEntity, docType, docEntity := "Payment", connectors.SalesInvoices, "Invoice"
	if entity == "VendorCredit" {
		payEntity, docType, docEntity = "BillPayment", connectors.PurchaseInvoices, "Bill"
	}
	var payIDs []string
	for _, t := range memos {
		for _, lt := range t.LinkedTxn {
			if lt.TxnType == payEntity {
				payIDs = append(payIDs, lt.TxnID)
			}
		}
	}
	out := map[string][]connectors.Allocation{}
	if len(payIDs) == 0 {
		return out, nil
	}
	var pays []txn
	for start := 0; start < len(payIDs); start += MaxPage {
		p, err := c.txnsWhere(ctx, payEntity, "Id", payIDs[start:min(start+MaxPage, len(payIDs))])
		if err != nil {
			return nil, err
		}
		pays = append(pays, p...)
	}
	numbers, err := c.linkedNumbers(ctx, pays)
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		var memoIDs []string
		var credit decimal.Decimal
		for _, l := range p.Line {
			for _, lt := range l.LinkedTxn {
				if lt.TxnType == entity {
					memoIDs = append(memoIDs, lt.TxnID)
					credit = credit.Add(l.Amount.dec())
				}
			}
		}
		if len(memoIDs) != 1 {
			continue // a payment applying several credits at once cannot be split by credit
		}
		for _, l := range p.Line {
			for _, lt := range l.LinkedTxn {
				if lt.TxnType != docEntity || !credit.IsPositive() {
					continue
				}
				a := decimal.Min(l.Amount.dec(), credit)
				credit = credit.Sub(a)
				out[memoIDs[0]] = append(out[memoIDs[0]], connectors.Allocation{DocumentType: docType,
					DocumentCode: numbers[docEntity+"/"+lt.TxnID], Amount: a, DocumentRemoteID: lt.TxnID})
			}
		}
	}
	return out, nil
}
