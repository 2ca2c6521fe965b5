package uniconta

import (
	"context"
	"encoding/json"
	"strings"

	"ledgerlink/connectors"
)

// Get reads records by remote ID; IDs Uniconta does not know are left out.
func (c *Conn) Get(ctx context.Context, t connectors.RecordType, ids []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch t {
	case connectors.Customers, connectors.Suppliers:
		entity, err := c.partyEntity(ctx, t)
		if err != nil {
			return nil, err
		}
		raw, err := c.queryIn(ctx, entity, "RowId", numeric(ids, ""))
		if err != nil {
			return nil, err
		}
		return c.partiesFromRows(t, raw)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		return c.docsWhere(ctx, t, byRowID, numeric(ids, "O"), byRowID, numeric(ids, "I"))
	case connectors.InvoicePayments, connectors.PurchasePayments, connectors.Journals:
		return c.ledgerBy(ctx, t, "JournalPostedId", numeric(ids, "J"))
	}
	if t.IsAncillary() {
		all, err := c.reference(ctx, t)
		if err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		var out []connectors.Remote
		for _, r := range all {
			if want[r.RemoteID] {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return nil, own.Fail(nil, "uniconta.not_held", "Type", t.Text())
}

// FindByCode looks records up by LedgerLink's code; unknown codes are left
// out of the answer. Customers are found whether or not they carry the tag,
// so that an upload is never doubled.
func (c *Conn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []connectors.Remote
	var err error
	switch t {
	case connectors.Customers, connectors.Suppliers:
		entity, e := c.partyEntity(ctx, t)
		if e != nil {
			return nil, e
		}
		raw, e := c.queryIn(ctx, entity, "Account", codes)
		if e != nil {
			return nil, e
		}
		out, err = c.partiesFromRows(t, raw)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		out, err = c.docsWhere(ctx, t, byDraftCode, codes, byPostedCode, codes)
	case connectors.InvoicePayments, connectors.PurchasePayments, connectors.Journals:
		out, err = c.ledgerBy(ctx, t, "ReferenceNumber", codes)
	default:
		if t.IsAncillary() {
			out, err = c.reference(ctx, t)
		} else {
			return nil, own.Fail(nil, "uniconta.not_held", "Type", t.Text())
		}
	}
	if err != nil {
		return nil, err
	}
	return keepCodes(out, codes), nil
}

// keepCodes keeps the records whose code is one of codes exactly (a
// filter matched by wildcard may bring back near misses).
func keepCodes(recs []connectors.Remote, codes []string) []connectors.Remote {
	want := map[string]bool{}
	for _, c := range codes {
		want[strings.ToLower(strings.TrimSpace(c))] = true
	}
	var out []connectors.Remote
	for _, r := range recs {
		if want[strings.ToLower(r.Record.Code())] {
			out = append(out, r)
		}
	}
	return out
}

// numeric picks the IDs with prefix and returns their numbers.
func numeric(ids []string, prefix string) []string {
	var out []string
	for _, id := range ids {
		rest, ok := strings.CutPrefix(id, prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		out = append(out, rest)
	}
	return out
}

// docsWhere reads the drafts whose draftProp is one of draftVals and the
// posted invoices whose postedProp is one of postedVals, for each kind of t.
func (c *Conn) docsWhere(ctx context.Context, t connectors.RecordType, draftProp func(docKind) string, draftVals []string,
	postedProp func(docKind) string, postedVals []string) ([]connectors.Remote, error) {
	var out []connectors.Remote
	for _, k := range kindsFor(t) {
		for _, part := range []struct {
			entity, prop string
			vals         []string
			read         func(context.Context, connectors.RecordType, docKind, []json.RawMessage) ([]connectors.Remote, error)
		}{
			{k.order, draftProp(k), draftVals, c.draftsFromRows},
			{k.posted, postedProp(k), postedVals, c.postedFromRows},
		} {
			if len(part.vals) == 0 || part.entity == "" {
				continue
			}
			raw, err := c.queryIn(ctx, part.entity, part.prop, part.vals)
			if err != nil {
				return nil, err
			}
			recs, err := part.read(ctx, t, k, raw)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	return out, nil
}

func byRowID(docKind) string        { return "RowId" }
func byDraftCode(k docKind) string  { return k.codeField }
func byPostedCode(k docKind) string { return k.postedCode }

// ledgerBy reads the postings of the ledger rows matching property.
func (c *Conn) ledgerBy(ctx context.Context, t connectors.RecordType, property string, values []string) ([]connectors.Remote, error) {
	raw, err := c.queryIn(ctx, "GLTransClient", property, values)
	if err != nil {
		return nil, err
	}
	trans, err := decodeRows[wireTrans](raw)
	if err != nil {
		return nil, err
	}
	return c.ledgerRecords(ctx, t, trans)
}
