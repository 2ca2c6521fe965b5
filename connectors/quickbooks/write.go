package quickbooks

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"ledgerlink/connectors"
)

// freshFor is how long a write's answer may stand in for reading the
// record back.
const freshFor = 2 * time.Minute

// baser is implemented by every entity body (through entityBase).
type baser interface{ base() *entityBase }

func (e *entityBase) base() *entityBase { return e }

// op is one record on its way to QuickBooks.
type op struct {
	idx    int
	entity string
	body   baser
	id     string // QuickBooks Id, for an update
	// allocations (credit notes) are applied after the record is saved.
	allocs []connectors.Allocation
	rec    connectors.Record
}

// Write creates or updates items (at most 30, one batch call; updates
// first read their SyncTokens in one query). Each create and update goes
// with the batch's requestid, so a batch sent again after a lost answer is
// answered, not applied twice. An update that meets "Stale Object Error"
// (someone changed the record in QuickBooks meanwhile) is read again and
// sent once more, as a sparse update of LedgerLink's own fields only.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if len(items) > BatchSize {
		return nil, own.Fail(nil, "quickbooks.write.batch_too_big", "Count", len(items), "Type", t.Text(), "Max", BatchSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t.IsAncillary() && t != connectors.Items {
		return nil, own.Fail(nil, "quickbooks.item.not_uploadable", "Type", t.Text())
	}
	if err := c.refs.ensure(ctx, false); err != nil {
		return nil, err
	}
	results := make([]connectors.WriteResult, len(items))
	m := mapper{c: c, ctx: ctx}
	if err := c.prefetchDocs(ctx, t, items); err != nil {
		return nil, err
	}
	var ops []*op
	reloaded := false
	for i, it := range items {
		results[i].Key = it.Key
		if r, ok := c.answeredResult(it.Key); ok {
			results[i] = r
			continue
		}
		o, ie, err := c.toOp(m, t, it)
		if err != nil {
			return nil, err
		}
		if ie != nil && ie.Code == "LEDGERLINK" && ie.Field != "" && !reloaded {
			// Perhaps the account, product or tax code was added in
			// QuickBooks since the reference data was read.
			reloaded = true
			if err := c.refs.ensure(ctx, true); err != nil {
				return nil, err
			}
			if o, ie, err = c.toOp(m, t, it); err != nil {
				return nil, err
			}
		}
		if ie != nil {
			results[i].Err = ie
			continue
		}
		o.idx = i
		ops = append(ops, o)
	}
	if len(ops) == 0 {
		return results, nil
	}
	keys := []string{string(t)}
	for _, o := range ops {
		keys = append(keys, items[o.idx].Key, items[o.idx].RemoteID)
	}
	rid := requestID(keys...)
	if err := c.syncTokens(ctx, ops, results, false); err != nil {
		return nil, err
	}
	stale, err := c.sendOps(ctx, t, live(ops, results), results, rid)
	if err != nil {
		return nil, err
	}
	if len(stale) > 0 {
		c.log.Info("quickbooks: records changed in QuickBooks meanwhile; reading them again", "type", t, "count", len(stale))
		if err := c.syncTokens(ctx, stale, results, true); err != nil {
			return nil, err
		}
		again, err := c.sendOps(ctx, t, live(stale, results), results, requestID(rid, "stale"))
		if err != nil {
			return nil, err
		}
		for _, o := range again {
			results[o.idx].Err = own.ItemFail("5010", "", "quickbooks.item.stale_again")
		}
	}
	if err := c.applyAllocations(ctx, t, ops, results, rid); err != nil {
		return nil, err
	}
	for i, r := range results {
		if r.Err == nil && r.RemoteID != "" {
			c.remember(items[i].Key, r)
		}
	}
	return results, nil
}

// live are the ops with no verdict yet.
func live(ops []*op, results []connectors.WriteResult) []*op {
	var out []*op
	for _, o := range ops {
		if results[o.idx].Err == nil && results[o.idx].RemoteID == "" {
			out = append(out, o)
		}
	}
	return out
}

func (c *Conn) answeredResult(k string) (connectors.WriteResult, bool) {
	c.freshMu.Lock()
	defer c.freshMu.Unlock()
	r, ok := c.answered[k]
	return r, ok
}

func (c *Conn) remember(k string, r connectors.WriteResult) {
	c.freshMu.Lock()
	defer c.freshMu.Unlock()
	c.answered[k] = r
}

// toOp maps one item to its entity.
func (c *Conn) toOp(m mapper, t connectors.RecordType, it connectors.WriteItem) (*op, *connectors.ItemError, error) {
	if err := it.Record.Validate(); err != nil {
		return nil, connectors.ItemErrorOf("LEDGERLINK", "", own.Fail(err, "quickbooks.item.invalid")), nil
	}
	if it.Record.Type != t {
		return nil, localError("quickbooks.item.wrong_type", "Kind", it.Record.Type.Text(), "Type", t.Text()), nil
	}
	o := &op{rec: it.Record}
	r := it.Record
	switch t {
	case connectors.Customers, connectors.Suppliers:
		if r.Party.Name == "" {
			return nil, localError("quickbooks.item.no_name", "Type", t.Text(), "Code", r.Party.Code), nil
		}
		o.entity = entityOf(t, false)
		n := toParty(*r.Party, t == connectors.Suppliers)
		o.body = &n
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		o.entity = entityOf(t, r.Document.Purchase)
		d, ie, err := m.toDocument(o.entity, *r.Document)
		if ie != nil || err != nil {
			return nil, ie, err
		}
		o.body, o.allocs = &d, r.Document.Allocations
	case connectors.InvoicePayments, connectors.PurchasePayments:
		o.entity = entityOf(t, false)
		p, ie, err := m.toPayment(o.entity, *r.Payment)
		if ie != nil || err != nil {
			return nil, ie, err
		}
		o.body = &p
	case connectors.Journals:
		o.entity = "JournalEntry"
		j, ie := m.toJournal(*r.Journal)
		if ie != nil {
			return nil, ie, nil
		}
		o.body = &j
	case connectors.Items:
		o.entity = "Item"
		i, ie := toItem(m, *r.Item)
		if ie != nil {
			return nil, ie, nil
		}
		o.body = &i
	default:
		return nil, localError("quickbooks.item.not_uploadable", "Type", t.Text()), nil
	}
	if it.RemoteID != "" {
		entity, id := splitRemoteID(t, it.RemoteID)
		if entity != o.entity {
			return nil, localError("quickbooks.item.kind_changed", "Type", t.Text(), "Code", r.Code(), "Was", entity, "Now", o.entity), nil
		}
		o.id = id
	}
	return o, nil, nil
}

// syncTokens reads the current SyncToken of each update (one query per
// entity) and makes the update sparse, so fields LedgerLink does not own
// stay as they are in QuickBooks.
func (c *Conn) syncTokens(ctx context.Context, ops []*op, results []connectors.WriteResult, again bool) error {
	byEntity := map[string][]string{}
	for _, o := range ops {
		if o.id != "" {
			byEntity[o.entity] = append(byEntity[o.entity], o.id)
		}
	}
	tokens := map[string]string{}
	for entity, ids := range byEntity {
		for start := 0; start < len(ids); start += MaxPage {
			docs, err := c.txnsWhere(ctx, entity, "Id", ids[start:min(start+MaxPage, len(ids))])
			if err != nil {
				return err
			}
			for _, d := range docs {
				tokens[entity+"/"+d.ID] = d.SyncToken
			}
		}
	}
	for _, o := range ops {
		if o.id == "" {
			continue
		}
		tok, ok := tokens[o.entity+"/"+o.id]
		if !ok {
			results[o.idx].Err = own.ItemFail("610", "", "quickbooks.item.gone", "Type", o.rec.Type.Text(), "Code", o.rec.Code())
			continue
		}
		b := o.body.base()
		b.ID, b.SyncToken, b.Sparse = o.id, tok, true
	}
	return nil
}

// sendOps sends ops in one batch and records the verdicts; it returns the
// updates that met a stale SyncToken.
func (c *Conn) sendOps(ctx context.Context, t connectors.RecordType, ops []*op, results []connectors.WriteResult, rid string) ([]*op, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	reqs := make([]batchItemRequest, len(ops))
	for i, o := range ops {
		operation := "create"
		if o.id != "" {
			operation = "update"
		}
		reqs[i] = batchItemRequest{BID: strconv.Itoa(i + 1), Operation: operation, Entity: o.entity, Body: o.body}
	}
	res, err := c.batch(ctx, reqs, rid)
	if err != nil {
		return nil, err
	}
	var stale []*op
	m := mapper{c: c, ctx: ctx}
	for i, o := range ops {
		br, ok := res[strconv.Itoa(i+1)]
		switch {
		case !ok:
			results[o.idx].Err = own.ItemFail("", "", "quickbooks.item.no_answer")
		case br.Fault != nil:
			ie := itemError(*br.Fault)
			if ie.Code == "5010" && o.id != "" {
				stale = append(stale, o)
				continue
			}
			results[o.idx].Err = ie
		default:
			var b entityBase
			if err := json.Unmarshal(br.Entity, &b); err != nil || b.ID == "" {
				results[o.idx].Err = own.ItemFail("", "", "quickbooks.item.answer_unreadable")
				continue
			}
			rid := remoteID(o.entity, b.ID)
			results[o.idx].RemoteID = rid
			c.learn(o.entity, b.ID, o.rec)
			if rem, err := m.fromRaw(t, o.entity, br.Entity); err == nil {
				c.keepFresh(t, rem)
			}
		}
	}
	return stale, nil
}

// learn remembers what a saved record's Id is.
func (c *Conn) learn(entity, id string, rec connectors.Record) {
	switch {
	case rec.Party != nil:
		c.refs.rememberParty(entity, rec.Party.Code, id)
	case rec.Document != nil:
		c.refs.rememberDoc(entity, rec.Document.Code, id)
	}
}

func (c *Conn) keepFresh(t connectors.RecordType, r connectors.Remote) {
	if c.noFresh {
		return
	}
	c.freshMu.Lock()
	defer c.freshMu.Unlock()
	now := c.now()
	for k, v := range c.fresh {
		if now.Sub(v.at) > freshFor {
			delete(c.fresh, k)
		}
	}
	r.Record = r.Record.Clone()
	c.fresh[string(t)+"/"+r.RemoteID] = freshEntry{r: r, at: now}
}

// freshEntry is a write's answer and when it came.
type freshEntry struct {
	r  connectors.Remote
	at time.Time
}

// takeFresh hands out (once) the answer of a recent write.
func (c *Conn) takeFresh(t connectors.RecordType, rid string) (connectors.Remote, bool) {
	c.freshMu.Lock()
	defer c.freshMu.Unlock()
	k := string(t) + "/" + rid
	e, ok := c.fresh[k]
	if !ok {
		return connectors.Remote{}, false
	}
	delete(c.fresh, k)
	if c.now().Sub(e.at) > freshFor {
		return connectors.Remote{}, false
	}
	return e.r, true
}
