package quickbooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
)

// cdcWindow is how far back change data capture reaches; older cursors
// fall back to a full read.
const cdcWindow = 30 * 24 * time.Hour

// cdcCap is the most objects one CDC answer carries; an entity that fills
// it is read again by query.
const cdcCap = 1000

// entitiesOf are the entities a record type is read from.
func entitiesOf(t connectors.RecordType) []string {
	if t == connectors.CreditNotes {
		return []string{"CreditMemo", "VendorCredit"}
	}
	if e := entityOf(t, false); e != "" {
		return []string{e}
	}
	return nil
}

var nameListEntities = map[string]bool{"Customer": true, "Vendor": true, "Item": true, "Account": true, "TaxCode": true, "PaymentMethod": true}

// fromRaw reads one entity of type t.
func (m mapper) fromRaw(t connectors.RecordType, entity string, raw json.RawMessage) (connectors.Remote, error) {
	rs, err := m.fromRawPage(t, entity, []json.RawMessage{raw})
	if err != nil || len(rs) == 0 {
		if err == nil {
			err = errNotListed
		}
		return connectors.Remote{}, err
	}
	return rs[0], nil
}

var errNotListed = errors.New("not a record of this type") // words:log: only tells the caller the entity was not read

// fromRawPage reads a page of entities of type t, with what they need
// looked up in as few calls as possible.
func (m mapper) fromRawPage(t connectors.RecordType, entity string, rows []json.RawMessage) ([]connectors.Remote, error) {
	out := make([]connectors.Remote, 0, len(rows))
	var base []entityBase
	if err := decodeRows(rows, &base); err != nil {
		return nil, fmt.Errorf("QuickBooks's list of %s could not be read: %w", entity, err)
	}
	live := make([]json.RawMessage, 0, len(rows))
	for i, b := range base {
		if b.Status == "Deleted" {
			out = append(out, m.deleted(t, entity, b))
			continue
		}
		live = append(live, rows[i])
	}
	home := m.c.refs.homeCurrency()
	rec := func(b entityBase, r connectors.Record) connectors.Remote {
		// A record in the home currency may carry no CurrencyRef (a
		// company without multi-currency).
		switch {
		case r.Party != nil && r.Party.Currency == "":
			r.Party.Currency = home
		case r.Document != nil && r.Document.Currency == "":
			r.Document.Currency = home
		case r.Payment != nil && r.Payment.Currency == "":
			r.Payment.Currency = home
		}
		return connectors.Remote{RemoteID: remoteID(entity, b.ID), Record: r, UpdatedAt: updatedAt(b.MetaData)}
	}
	switch entity {
	case "Customer", "Vendor":
		var ps []nameEntity
		if err := decodeRows(live, &ps); err != nil {
			return nil, err
		}
		for _, p := range ps {
			party := fromParty(p)
			m.c.refs.rememberParty(entity, party.Code, p.ID)
			out = append(out, rec(p.entityBase, connectors.Record{Type: t, Party: &party}))
		}
	case "Invoice", "Estimate", "CreditMemo", "Bill", "VendorCredit":
		var ts []txn
		if err := decodeRows(live, &ts); err != nil {
			return nil, err
		}
		var allocs map[string][]connectors.Allocation
		if entity == "CreditMemo" || entity == "VendorCredit" {
			var err error
			if allocs, err = m.c.creditAllocations(m.ctx, entity, ts); err != nil {
				return nil, err
			}
		}
		for _, x := range ts {
			d, err := m.fromDocument(entity, x)
			if err != nil {
				return nil, err
			}
			d.Allocations = allocs[x.ID]
			m.c.refs.rememberDoc(entity, x.DocNumber, x.ID)
			out = append(out, rec(x.entityBase, connectors.Record{Type: t, Document: &d}))
		}
	case "Payment", "BillPayment":
		var ts []txn
		if err := decodeRows(live, &ts); err != nil {
			return nil, err
		}
		numbers, err := m.c.linkedNumbers(m.ctx, ts)
		if err != nil {
			return nil, err
		}
		for _, x := range ts {
			p, ok, err := m.fromPayment(entity, x, numbers)
			if err != nil {
				return nil, err
			}
			if ok {
				// Kept so that a deletion, reported by Id only, still
				// names its payment.
				m.c.refs.rememberDoc(entity, p.Code, x.ID)
				out = append(out, rec(x.entityBase, connectors.Record{Type: t, Payment: &p}))
			}
		}
	case "JournalEntry":
		var ts []txn
		if err := decodeRows(live, &ts); err != nil {
			return nil, err
		}
		for _, x := range ts {
			j := m.fromJournal(x)
			m.c.refs.rememberDoc(entity, j.Code, x.ID)
			out = append(out, rec(x.entityBase, connectors.Record{Type: t, Journal: &j}))
		}
	case "Item":
		var its []item
		if err := decodeRows(live, &its); err != nil {
			return nil, err
		}
		for _, it := range its {
			i := m.fromItem(it)
			out = append(out, rec(it.entityBase, connectors.Record{Type: t, Item: &i}))
		}
	case "Account":
		var as []account
		if err := decodeRows(live, &as); err != nil {
			return nil, err
		}
		for _, a := range as {
			if t == connectors.BankAccounts {
				if a.AccountType != "Bank" {
					continue
				}
				b := connectors.BankAccount{Code: accountCode(a), Name: a.Name, Currency: a.CurrencyRef.id()}
				out = append(out, rec(a.entityBase, connectors.Record{Type: t, BankAccount: &b}))
				continue
			}
			n := m.fromAccount(a)
			out = append(out, rec(a.entityBase, connectors.Record{Type: t, Account: &n}))
		}
	case "TaxCode":
		var tcs []taxCode
		if err := decodeRows(live, &tcs); err != nil {
			return nil, err
		}
		for _, tc := range tcs {
			r := connectors.TaxRate{Code: tc.Name, Name: tc.Description, Archived: tc.Active != nil && !*tc.Active}
			if r.Name == "" {
				r.Name = tc.Name
			}
			r.Rate = decimalOf(m.c.refs.rateOf(tc))
			out = append(out, rec(tc.entityBase, connectors.Record{Type: t, TaxRate: &r}))
		}
	case "PaymentMethod":
		var ns []named
		if err := decodeRows(live, &ns); err != nil {
			return nil, err
		}
		for _, n := range ns {
			out = append(out, rec(n.entityBase, connectors.Record{Type: t, PaymentMethod: &connectors.PaymentMethod{Code: n.Name, Name: n.Name}}))
		}
	}
	return out, nil
}

// deleted is what is known of a record QuickBooks reports deleted.
func (m mapper) deleted(t connectors.RecordType, entity string, b entityBase) connectors.Remote {
	r := connectors.Remote{RemoteID: remoteID(entity, b.ID), UpdatedAt: updatedAt(b.MetaData), Deleted: true, Record: connectors.Record{Type: t}}
	m.c.refs.mu.Lock()
	code := m.c.refs.docNumber[entity][b.ID]
	m.c.refs.mu.Unlock()
	switch t {
	case connectors.InvoicePayments, connectors.PurchasePayments:
		r.Record.Payment = &connectors.Payment{Code: code}
	case connectors.Journals:
		r.Record.Journal = &connectors.JournalEntry{Code: code}
	default:
		r.Record.Document = &connectors.Document{Code: code, Status: connectors.StatusDeleted, Purchase: entity == "VendorCredit"}
	}
	return r
}

// ListChanged pulls the records of t changed at or after since: by change
// data capture (one call for the type, deletions included) when since is
// within QuickBooks's 30 days, otherwise, and for reference data, by
// paged queries (1,000 a page, inactive records included).
func (c *Conn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entities := entitiesOf(t)
	if len(entities) == 0 {
		return own.Fail(nil, "quickbooks.list.type_not_held", "Type", t.Text())
	}
	m := mapper{c: c, ctx: ctx}
	if t.IsAncillary() {
		return c.listByQuery(ctx, m, t, entities, time.Time{}, page)
	}
	if since.IsZero() {
		if err := c.listByQuery(ctx, m, t, entities, time.Time{}, page); err != nil {
			return err
		}
		return c.recentDeletions(ctx, m, t, entities, page)
	}
	if c.now().Sub(since) > cdcWindow-time.Hour {
		c.log.Info("quickbooks: the last pull is more than 30 days ago, beyond change data capture; reading every record changed since then instead (deletions in that time cannot be seen)", "type", t, "since", since)
		return c.listByQuery(ctx, m, t, entities, since, page)
	}
	lists, err := c.cdc(ctx, entities, since)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 400 {
			c.log.Info("quickbooks: change data capture refused; reading by query instead", "type", t, "err", err)
			return c.listByQuery(ctx, m, t, entities, since, page)
		}
		return err
	}
	for _, e := range entities {
		rows := lists[e]
		if len(rows) >= cdcCap {
			// The answer was cut at QuickBooks's cap: read this entity by
			// query, keeping the deletions CDC did report.
			var stubs []json.RawMessage
			for _, r := range rows {
				var b entityBase
				if json.Unmarshal(r, &b) == nil && b.Status == "Deleted" {
					stubs = append(stubs, r)
				}
			}
			if err := c.listByQuery(ctx, m, t, []string{e}, since, page); err != nil {
				return err
			}
			rows = stubs
		}
		if err := c.emit(ctx, m, t, e, rows, page); err != nil {
			return err
		}
	}
	return nil
}

// emit hands rows to page in pages of at most the page size.
func (c *Conn) emit(ctx context.Context, m mapper, t connectors.RecordType, entity string, rows []json.RawMessage, page func([]connectors.Remote) error) error {
	if len(rows) == 0 {
		return nil
	}
	// The reference data is read only when there is something to map, so
	// a pull that finds no change costs one call.
	if err := c.refs.ensure(ctx, false); err != nil {
		return err
	}
	for start := 0; start < len(rows); start += c.pageSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs, err := m.fromRawPage(t, entity, rows[start:min(start+c.pageSize, len(rows))])
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			continue
		}
		if err := page(recs); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) listByQuery(ctx context.Context, m mapper, t connectors.RecordType, entities []string, since time.Time, page func([]connectors.Remote) error) error {
	for _, e := range entities {
		var conds []string
		if nameListEntities[e] {
			conds = append(conds, "Active IN (true, false)") // words:verbatim: QuickBooks query / account type
		}
		if t == connectors.BankAccounts {
			conds = append(conds, "AccountType = 'Bank'")
		}
		if !since.IsZero() {
			conds = append(conds, "Metadata.LastUpdatedTime >= '"+since.Format(time.RFC3339)+"'")
		}
		err := c.queryAll(ctx, e, strings.Join(conds, " AND "), func(rows []json.RawMessage) error {
			return c.emit(ctx, m, t, e, rows, page)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// recentDeletions completes a full read with the deletions of the last 30
// days, which queries no longer show: one change data capture call.
// Customers, vendors and items are never deleted in QuickBooks (only made
// inactive, which a query shows), so they need no call.
func (c *Conn) recentDeletions(ctx context.Context, m mapper, t connectors.RecordType, entities []string, page func([]connectors.Remote) error) error {
	var txns []string
	for _, e := range entities {
		if !nameListEntities[e] {
			txns = append(txns, e)
		}
	}
	if len(txns) == 0 {
		return nil
	}
	lists, err := c.cdc(ctx, txns, c.now().Add(-cdcWindow+time.Hour))
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 400 {
			c.log.Info("quickbooks: change data capture refused; deletions of the last 30 days are not read", "type", t, "err", err)
			return nil
		}
		return err
	}
	for _, e := range txns {
		var stubs []json.RawMessage
		for _, r := range lists[e] {
			var b entityBase
			if json.Unmarshal(r, &b) == nil && b.Status == "Deleted" {
				stubs = append(stubs, r)
			}
		}
		if err := c.emit(ctx, m, t, e, stubs, page); err != nil {
			return err
		}
	}
	return nil
}

// cdc asks change data capture for entities changed since.
func (c *Conn) cdc(ctx context.Context, entities []string, since time.Time) (map[string][]json.RawMessage, error) {
	q := url.Values{"entities": {strings.Join(entities, ",")}, "changedSince": {since.Format(time.RFC3339)}}
	data, err := c.send(ctx, request{method: "GET", path: "/cdc", query: q})
	if err != nil {
		return nil, err
	}
	return parseCDC(data, entities)
}

// parseCDC reads a change data capture answer: per entity, its objects
// (deletions as stubs with status "Deleted").
func parseCDC(data []byte, entities []string) (map[string][]json.RawMessage, error) {
	var env struct {
		CDCResponse []struct {
			QueryResponse []queryResponse `json:"QueryResponse"`
		} `json:"CDCResponse"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("QuickBooks's change data capture answer could not be read: %w", err)
	}
	out := map[string][]json.RawMessage{}
	for _, cr := range env.CDCResponse {
		for _, qr := range cr.QueryResponse {
			for _, e := range entities {
				rows, err := rowsOf(&qr, e)
				if err != nil {
					return nil, err
				}
				out[e] = append(out[e], rows...)
			}
		}
	}
	return out, nil
}

// Get reads records by remote ID (one query per 1,000 and entity); what
// this connection's own writes just answered is taken from those answers.
func (c *Conn) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []connectors.Remote
	byEntity := map[string][]string{}
	for _, rid := range ids {
		if r, ok := c.takeFresh(t, rid); ok {
			out = append(out, r)
			continue
		}
		e, id := splitRemoteID(t, rid)
		if e == "" || id == "" || strings.ContainsAny(id, `'\`) {
			continue
		}
		byEntity[e] = append(byEntity[e], id)
	}
	if len(byEntity) == 0 {
		return out, nil
	}
	if err := c.refs.ensure(ctx, false); err != nil {
		return nil, err
	}
	m := mapper{c: c, ctx: ctx}
	for e, list := range byEntity {
		for start := 0; start < len(list); start += MaxPage {
			err := c.queryAll(ctx, e, inList(e, "Id", list[start:min(start+MaxPage, len(list))]), func(rows []json.RawMessage) error {
				recs, err := m.fromRawPage(t, e, rows)
				out = append(out, recs...)
				return err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// FindByCode looks records up by their business code: documents and
// journals by DocNumber (one query per 30 codes); customers, vendors,
// payments, products and reference data by reading the list, as their
// codes (AcctNum, PaymentRefNum, Sku) are not documented as filterable.
func (c *Conn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := c.refs.ensure(ctx, false); err != nil {
		return nil, err
	}
	m := mapper{c: c, ctx: ctx}
	want := map[string]bool{}
	for _, code := range codes {
		want[code] = true
	}
	var out []connectors.Remote
	keep := func(recs []connectors.Remote) error {
		for _, r := range recs {
			if !r.Deleted && want[r.Record.Code()] {
				out = append(out, r)
			}
		}
		return nil
	}
	switch t {
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes, connectors.Journals, connectors.PurchasePayments:
		var clean []string
		for _, code := range codes {
			if code != "" && len(code) <= maxDocNumber {
				clean = append(clean, code)
			}
		}
		for _, e := range entitiesOf(t) {
			for start := 0; start < len(clean); start += BatchSize {
				err := c.queryAll(ctx, e, "DocNumber IN "+quoteList(clean[start:min(start+BatchSize, len(clean))]), func(rows []json.RawMessage) error {
					recs, err := m.fromRawPage(t, e, rows)
					if err != nil {
						return err
					}
					return keep(recs)
				})
				if err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	err := c.listByQuery(ctx, m, t, entitiesOf(t), time.Time{}, keep)
	slices.SortFunc(out, func(a, b connectors.Remote) int { return strings.Compare(a.RemoteID, b.RemoteID) })
	return out, err
}
