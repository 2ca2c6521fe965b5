package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// localIDPrefix starts the code of a customer or vendor made in QuickBooks
// by hand, which has no account number: its QuickBooks Id stands in.
const localIDPrefix = "QBO-"

// refCache knows the company's reference data (accounts, tax codes, items,
// classes, departments, payment methods) and the Ids of the customers,
// vendors and documents LedgerLink has met, so lines and payments can be
// sent by Id. It is read once per connection, in one batch call, and read
// again once when a code is not found.
type refCache struct {
	c *Conn

	mu          sync.Mutex
	loaded      bool
	accounts    []account
	accByCode   map[string]account
	accByID     map[string]account
	taxByName   map[string]taxCode
	taxByID     map[string]taxCode
	rates       map[string]taxRate
	items       []item
	itemByCode  map[string]item
	itemByID    map[string]item
	classes     map[string]named // by lower-case name
	classByID   map[string]named
	depts       map[string]named
	deptByID    map[string]named
	methods     []named
	home        string // the company's home currency
	partyLoaded map[string]bool
	partyID     map[string]map[string]string // entity → code → Id
	partyCode   map[string]map[string]string // entity → Id → code
	docID       map[string]map[string]string // entity → DocNumber → Id
	docNumber   map[string]map[string]string // entity → Id → DocNumber
}

func newRefCache(c *Conn) *refCache {
	r := &refCache{c: c, partyLoaded: map[string]bool{}, partyID: map[string]map[string]string{},
		partyCode: map[string]map[string]string{}, docID: map[string]map[string]string{}, docNumber: map[string]map[string]string{}}
	return r
}

func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func accountCode(a account) string {
	if strings.TrimSpace(a.AcctNum) != "" {
		return a.AcctNum
	}
	return a.Name
}

func itemCode(it item) string {
	if strings.TrimSpace(it.Sku) != "" {
		return it.Sku
	}
	return it.Name
}

func partyCodeOf(n nameEntity) string {
	if strings.TrimSpace(n.AcctNum) != "" {
		return n.AcctNum
	}
	return localIDPrefix + n.ID
}

// referenceQueries are the lists read together in one batch call.
var referenceQueries = []string{"Account", "TaxCode", "TaxRate", "Item", "Class", "Department", "PaymentMethod", "Preferences"}

// ensure reads the reference data unless it is already known (or, with
// reload, reads it again).
func (r *refCache) ensure(ctx context.Context, reload bool) error {
	r.mu.Lock()
	done := r.loaded && !reload
	r.mu.Unlock()
	if done {
		return nil
	}
	items := make([]batchItemRequest, 0, len(referenceQueries))
	for i, e := range referenceQueries {
		where := ""
		if e != "TaxRate" && e != "Preferences" {
			where = " WHERE Active IN (true, false)" // words:verbatim: QuickBooks query / account type
		}
		items = append(items, batchItemRequest{BID: fmt.Sprintf("r%d", i), Query: fmt.Sprintf("SELECT * FROM %s%s STARTPOSITION 1 MAXRESULTS %d", e, where, MaxPage)})
	}
	res, err := r.c.batch(ctx, items, "")
	if err != nil {
		return err
	}
	lists := map[string][]json.RawMessage{}
	for i, e := range referenceQueries {
		br, ok := res[fmt.Sprintf("r%d", i)]
		switch {
		case !ok:
			return temporary(fmt.Errorf("no answer for %s", e), "quickbooks.temporary.reference_list", "List", e) // words:log: detail under the words
		case br.Fault != nil:
			return &APIError{Status: 400, Type: br.Fault.Type, Errors: br.Fault.Error}
		}
		rows := []json.RawMessage{}
		if br.QueryResponse != nil {
			if rows, err = rowsOf(br.QueryResponse, e); err != nil {
				return err
			}
		}
		if len(rows) >= MaxPage && e != "Preferences" {
			// More than one page: read the rest page by page.
			rows = nil
			where := "Active IN (true, false)" // words:verbatim: QuickBooks query / account type
			if e == "TaxRate" {
				where = ""
			}
			if err := r.c.queryAll(ctx, e, where, func(p []json.RawMessage) error { rows = append(rows, p...); return nil }); err != nil {
				return err
			}
		}
		lists[e] = rows
	}
	var accounts []account
	var codes []taxCode
	var rates []taxRate
	var its []item
	var classes, depts, methods []named
	var prefs []preferences
	for _, d := range []struct {
		e  string
		to any
	}{{"Account", &accounts}, {"TaxCode", &codes}, {"TaxRate", &rates}, {"Item", &its}, {"Class", &classes}, {"Department", &depts}, {"PaymentMethod", &methods}, {"Preferences", &prefs}} {
		if err := decodeRows(lists[d.e], d.to); err != nil {
			return fmt.Errorf("QuickBooks's %s list could not be read: %w", d.e, err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accounts, r.accByCode, r.accByID = accounts, map[string]account{}, map[string]account{}
	for _, a := range accounts {
		r.accByID[a.ID] = a
		r.accByCode[key(a.Name)] = a
	}
	for _, a := range accounts {
		if a.AcctNum != "" {
			r.accByCode[key(a.AcctNum)] = a
		}
	}
	r.taxByName, r.taxByID, r.rates = map[string]taxCode{}, map[string]taxCode{}, map[string]taxRate{}
	for _, t := range codes {
		r.taxByName[key(t.Name)], r.taxByID[t.ID] = t, t
	}
	for _, t := range rates {
		r.rates[t.ID] = t
	}
	r.items, r.itemByCode, r.itemByID = its, map[string]item{}, map[string]item{}
	for _, it := range its {
		r.itemByID[it.ID] = it
		r.itemByCode[key(it.Name)] = it
	}
	for _, it := range its {
		if it.Sku != "" {
			r.itemByCode[key(it.Sku)] = it
		}
	}
	r.classes, r.classByID, r.depts, r.deptByID = map[string]named{}, map[string]named{}, map[string]named{}, map[string]named{}
	for _, c := range classes {
		r.classes[key(c.Name)], r.classByID[c.ID] = c, c
	}
	for _, d := range depts {
		r.depts[key(d.Name)], r.deptByID[d.ID] = d, d
	}
	r.methods = methods
	if len(prefs) > 0 {
		r.home = prefs[0].CurrencyPrefs.HomeCurrency.id()
	}
	r.loaded = true
	return nil
}

// decodeRows decodes raw rows into the slice to points at.
func decodeRows(rows []json.RawMessage, to any) error {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteByte(']')
	return json.Unmarshal(b.Bytes(), to)
}

func (r *refCache) account(code string) (account, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.accByCode[key(code)]
	return a, ok
}

func (r *refCache) accountByID(id string) (account, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.accByID[id]
	return a, ok
}

func (r *refCache) taxCode(name string) (taxCode, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.taxByName[key(name)]
	return t, ok
}

func (r *refCache) taxCodeByID(id string) (taxCode, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.taxByID[id]
	return t, ok
}

func (r *refCache) item(code string) (item, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	it, ok := r.itemByCode[key(code)]
	return it, ok
}

func (r *refCache) itemByIDs(id string) (item, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	it, ok := r.itemByID[id]
	return it, ok
}

func (r *refCache) costCentre(name string, dept bool) (named, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if dept {
		d, ok := r.depts[key(name)]
		return d, ok
	}
	c, ok := r.classes[key(name)]
	return c, ok
}

func (r *refCache) costCentreName(classID, deptID string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.classByID[classID]; ok && classID != "" {
		return c.Name
	}
	if d, ok := r.deptByID[deptID]; ok && deptID != "" {
		return d.Name
	}
	return ""
}

// rateOf is a tax code's percentage (sales, else purchase).
func (r *refCache) rateOf(t taxCode) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range []*taxRateList{t.SalesTaxRateList, t.PurchaseTaxRateList} {
		if l == nil {
			continue
		}
		for _, d := range l.TaxRateDetail {
			if rate, ok := r.rates[d.TaxRateRef.id()]; ok {
				return rate.RateValue.dec().String()
			}
		}
	}
	return "0"
}

// remember records a customer's or vendor's code and Id.
func (r *refCache) rememberParty(entity, code, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.partyID[entity] == nil {
		r.partyID[entity], r.partyCode[entity] = map[string]string{}, map[string]string{}
	}
	r.partyID[entity][key(code)] = id
	r.partyCode[entity][id] = code
}

// partyID finds the Id of the customer or vendor with code, reading the
// list once when it is not known.
func (r *refCache) partyIDOf(ctx context.Context, entity, code string) (string, bool, error) {
	if id, ok := strings.CutPrefix(code, localIDPrefix); ok {
		return id, true, nil
	}
	r.mu.Lock()
	id, ok := r.partyID[entity][key(code)]
	loaded := r.partyLoaded[entity]
	r.mu.Unlock()
	if ok || loaded {
		return id, ok, nil
	}
	if err := r.loadParties(ctx, entity); err != nil {
		return "", false, err
	}
	r.mu.Lock()
	id, ok = r.partyID[entity][key(code)]
	r.mu.Unlock()
	return id, ok, nil
}

// partyCodeOfID is the code of a customer or vendor by Id.
func (r *refCache) partyCodeOfID(ctx context.Context, entity, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	r.mu.Lock()
	code, ok := r.partyCode[entity][id]
	loaded := r.partyLoaded[entity]
	r.mu.Unlock()
	if ok {
		return code, nil
	}
	if !loaded {
		if err := r.loadParties(ctx, entity); err != nil {
			return "", err
		}
		r.mu.Lock()
		code, ok = r.partyCode[entity][id]
		r.mu.Unlock()
		if ok {
			return code, nil
		}
	}
	return localIDPrefix + id, nil
}

func (r *refCache) loadParties(ctx context.Context, entity string) error {
	err := r.c.queryAll(ctx, entity, "Active IN (true, false)", func(rows []json.RawMessage) error { // words:verbatim: QuickBooks query / account type
		var ps []nameEntity
		if err := decodeRows(rows, &ps); err != nil {
			return fmt.Errorf("QuickBooks's %s list could not be read: %w", entity, err)
		}
		for _, p := range ps {
			r.rememberParty(entity, partyCodeOf(p), p.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.partyLoaded[entity] = true
	r.mu.Unlock()
	return nil
}

func (r *refCache) rememberDoc(entity, number, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.docID[entity] == nil {
		r.docID[entity], r.docNumber[entity] = map[string]string{}, map[string]string{}
	}
	if number != "" {
		r.docID[entity][number] = id
	}
	r.docNumber[entity][id] = number
}

// docIDs finds the Ids of documents by number, asking QuickBooks for
// those not yet known (one query per 30 numbers).
func (r *refCache) docIDs(ctx context.Context, entity string, numbers []string) (map[string]string, error) {
	out := map[string]string{}
	var ask []string
	r.mu.Lock()
	for _, n := range numbers {
		if id, ok := r.docID[entity][n]; ok {
			out[n] = id
		} else if n != "" {
			ask = append(ask, n)
		}
	}
	r.mu.Unlock()
	for start := 0; start < len(ask); start += BatchSize {
		docs, err := r.c.txnsWhere(ctx, entity, "DocNumber", ask[start:min(start+BatchSize, len(ask))])
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			r.rememberDoc(entity, d.DocNumber, d.ID)
			out[d.DocNumber] = d.ID
		}
	}
	return out, nil
}

// docNumbers is the other way round: numbers of documents by Id.
func (r *refCache) docNumbers(ctx context.Context, entity string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var ask []string
	r.mu.Lock()
	for _, id := range ids {
		if n, ok := r.docNumber[entity][id]; ok {
			out[id] = n
		} else if id != "" {
			ask = append(ask, id)
		}
	}
	r.mu.Unlock()
	for start := 0; start < len(ask); start += MaxPage {
		docs, err := r.c.txnsWhere(ctx, entity, "Id", ask[start:min(start+MaxPage, len(ask))])
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			r.rememberDoc(entity, d.DocNumber, d.ID)
			out[d.ID] = d.DocNumber
		}
	}
	return out, nil
}

// quoteList renders values as a query's IN list.
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// txnsWhere reads the transactions of entity whose field is one of vals.
func (c *Conn) txnsWhere(ctx context.Context, entity, field string, vals []string) ([]txn, error) {
	var out []txn
	err := c.queryAll(ctx, entity, inList(entity, field, vals), func(rows []json.RawMessage) error {
		var page []txn
		if err := decodeRows(rows, &page); err != nil {
			return fmt.Errorf("QuickBooks's list of %s could not be read: %w", entity, err)
		}
		out = append(out, page...)
		return nil
	})
	return out, err
}

// inList is the WHERE clause "field IN (vals)", with inactive records
// included for name lists (QuickBooks hides them otherwise).
func inList(entity, field string, vals []string) string {
	w := field + " IN " + quoteList(vals)
	if nameListEntities[entity] {
		w += " AND Active IN (true, false)" // words:verbatim: QuickBooks query / account type
	}
	return w
}

// homeCurrency is the company's home currency, once the reference data is
// read.
func (r *refCache) homeCurrency() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.home
}
