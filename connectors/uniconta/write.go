package uniconta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Codes of LedgerLink's own refusals (Uniconta never sends these).
const (
	codeNotTagged      = "NotTagged"
	codePosted         = "PostedCannotChange"
	codeInvoiceMissing = "InvoiceNotInUniconta"
	codeInvalid        = "InvalidRecord"
)

// Write creates or updates items of type t. Uniconta has no idempotency
// keys: before creating, LedgerLink looks the codes up and links a record
// that is already there instead of making a second one.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(items) > BatchSize {
		return nil, fmt.Errorf("a Uniconta write carries at most %d records, not %d", BatchSize, len(items)) // words:log: the engine splits batches at BatchSize
	}
	results := make([]connectors.WriteResult, len(items))
	var valid []int
	for i, it := range items {
		results[i] = connectors.WriteResult{Key: it.Key, RemoteID: it.RemoteID}
		if err := it.Record.Validate(); err != nil || it.Record.Type != t {
			ie := own.ItemFail(codeInvalid, "", "uniconta.item.wrong_type", "Kind", it.Record.Type.Text(), "Type", t.Text())
			if err != nil {
				ie = connectors.ItemErrorOf(codeInvalid, "", err)
			}
			results[i] = connectors.WriteResult{Key: it.Key, Err: ie}
			continue
		}
		valid = append(valid, i)
	}
	var err error
	switch t {
	case connectors.Customers, connectors.Suppliers:
		err = c.writeParties(ctx, t, items, valid, results)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		err = c.eachItem(ctx, t, items, valid, results, c.writeDoc)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		err = c.eachItem(ctx, t, items, valid, results, c.writePayment)
	case connectors.Journals:
		err = c.eachItem(ctx, t, items, valid, results, c.writeJournal)
	case connectors.Items:
		err = c.writeItems(ctx, items, valid, results)
	default:
		return nil, own.Fail(nil, "uniconta.not_sent", "Type", t.Text())
	}
	if err != nil {
		return nil, err
	}
	return results, nil
}

// batchError says whether err stops the whole batch (no per-record
// verdict is known): the sign-in, limits, lost answers, cancellation.
func batchError(err error) bool {
	var rl *connectors.RateLimitError
	return errors.Is(err, connectors.ErrAuth) || errors.Is(err, connectors.ErrTemporary) || errors.As(err, &rl) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// eachItem writes records one at a time. The first records' verdicts
// stand even when a later one stops the batch: the engine reconciles by
// code.
func (c *Conn) eachItem(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem, valid []int, results []connectors.WriteResult,
	one func(context.Context, connectors.RecordType, connectors.WriteItem, map[string]string) (string, error)) error {
	existing := map[string]string{}
	var codes []string
	for _, i := range valid {
		if items[i].RemoteID == "" {
			codes = append(codes, items[i].Record.Code())
		}
	}
	if len(codes) > 0 {
		found, err := c.FindByCode(ctx, t, codes)
		if err != nil {
			return err
		}
		for _, r := range found {
			existing[strings.ToLower(r.Record.Code())] = r.RemoteID
		}
	}
	for _, i := range valid {
		it := items[i]
		if it.RemoteID == "" {
			if id, ok := existing[strings.ToLower(it.Record.Code())]; ok {
				results[i].RemoteID = id
				continue
			}
		}
		id, err := one(ctx, t, it, existing)
		if err != nil {
			if batchError(err) {
				return err
			}
			results[i].Err = itemError(err)
			results[i].RemoteID = ""
			continue
		}
		results[i].RemoteID = id
	}
	return nil
}

// ---- customers and suppliers ----

func (c *Conn) defaultGroup(ctx context.Context, entity string) (string, error) {
	c.mu.Lock()
	g, ok := c.groups[entity]
	c.mu.Unlock()
	if ok {
		return g, nil
	}
	var rows []struct {
		Group     string
		IsDefault bool
	}
	if err := c.query(ctx, entity, nil, &rows); err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.IsDefault || g == "" {
			g = r.Group
		}
		if r.IsDefault {
			break
		}
	}
	c.mu.Lock()
	c.groups[entity] = g
	c.mu.Unlock()
	return g, nil
}

func (c *Conn) writeParties(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem, valid []int, results []connectors.WriteResult) error {
	entity, err := c.partyEntity(ctx, t)
	if err != nil {
		return err
	}
	tag := ""
	if t == connectors.Customers {
		tag = c.settings.tag
	}
	var creates, updates []int
	for _, i := range valid {
		p := items[i].Record.Party
		if tag != "" && !hasTag(*p, tag) {
			ie := own.ItemFail(codeNotTagged, "tags", "uniconta.untagged", "Code", p.Code, "Tag", tag)
			results[i].Err = notSynced{ItemError: ie, said: ie.Words}
			results[i].RemoteID = ""
			continue
		}
		if items[i].RemoteID == "" {
			creates = append(creates, i)
		} else {
			updates = append(updates, i)
		}
	}
	groupEntity, group := "DebtorGroupClient", c.settings.debtorGroup
	if t == connectors.Suppliers {
		groupEntity, group = "CreditorGroupClient", c.settings.credGroup
	}
	if group == "" && len(creates) > 0 {
		if group, err = c.defaultGroup(ctx, groupEntity); err != nil {
			return err
		}
	}
	var types map[string]string
	if entity == "DebtorClientUser" {
		if types, err = c.customTypes(ctx); err != nil {
			return err
		}
	}
	body := func(i int, w wireParty) (any, error) {
		if entity != "DebtorClientUser" {
			return w, nil
		}
		return withCustomFields(w, items[i].Record.Party.CustomFields, c.settings.customFields, types)
	}

	// Creates: link what is already there, insert the rest in one list.
	if len(creates) > 0 {
		codes := make([]string, len(creates))
		for n, i := range creates {
			codes[n] = items[i].Record.Party.Code
		}
		found, err := c.FindByCode(ctx, t, codes)
		if err != nil {
			return err
		}
		have := map[string]string{}
		for _, r := range found {
			have[strings.ToLower(r.Record.Party.Code)] = r.RemoteID
		}
		var todo []int
		var rows []any
		for _, i := range creates {
			if id, ok := have[strings.ToLower(items[i].Record.Party.Code)]; ok {
				results[i].RemoteID = id
				continue
			}
			b, err := body(i, partyToWire(*items[i].Record.Party, group, tag))
			if err != nil {
				results[i].Err = connectors.ItemErrorOf(codeInvalid, "custom_fields", err)
				continue
			}
			todo = append(todo, i)
			rows = append(rows, b)
		}
		keys := make([]string, len(todo))
		for n, i := range todo {
			keys[n] = items[i].Record.Code()
		}
		ids, errs, err := c.insertRows(ctx, entity, "Account", keys, rows)
		if err != nil {
			return err
		}
		for n, i := range todo {
			results[i].RemoteID, results[i].Err = ids[n], errs[n]
		}
	}

	// Updates: keep the group the debtor has in Uniconta.
	if len(updates) > 0 {
		ids := make([]string, len(updates))
		for n, i := range updates {
			ids[n] = items[i].RemoteID
		}
		current, err := c.Get(ctx, t, ids)
		if err != nil {
			return err
		}
		groups := map[string]string{}
		raw, err := c.queryIn(ctx, entity, "RowId", numeric(ids, ""))
		if err != nil {
			return err
		}
		for _, r := range raw {
			var w wireParty
			if json.Unmarshal(r, &w) == nil {
				groups[strconv.FormatInt(w.RowID, 10)] = w.Group
			}
		}
		known := map[string]bool{}
		for _, r := range current {
			known[r.RemoteID] = true
		}
		var todo []int
		var rows []any
		for _, i := range updates {
			id := items[i].RemoteID
			if !known[id] {
				results[i].Err = own.ItemFail("CouldNotFind", "", "uniconta.item.gone", "Type", t.Text(), "Code", items[i].Record.Code())
				results[i].RemoteID = ""
				continue
			}
			w := partyToWire(*items[i].Record.Party, groups[id], tag)
			w.RowID, _ = strconv.ParseInt(id, 10, 64)
			b, err := body(i, w)
			if err != nil {
				results[i].Err = connectors.ItemErrorOf(codeInvalid, "custom_fields", err)
				results[i].RemoteID = ""
				continue
			}
			todo = append(todo, i)
			rows = append(rows, b)
		}
		errs, err := c.updateRows(ctx, entity, rows)
		if err != nil {
			return err
		}
		for n, i := range todo {
			if errs[n] != nil {
				results[i].Err, results[i].RemoteID = errs[n], ""
			}
		}
	}
	return nil
}

// insertRows inserts rows of entity in one list, falling back to one at a
// time when Uniconta refuses the list, and returns each row's remote ID or
// refusal (matched by the key property, codes[i] being row i's key).
func (c *Conn) insertRows(ctx context.Context, entity, keyProp string, codes []string, rows []any) ([]string, []error, error) {
	ids, errs := make([]string, len(rows)), make([]error, len(rows))
	if len(rows) == 0 {
		return ids, errs, nil
	}
	keyOf := func(raw json.RawMessage) (string, int64) {
		var m map[string]json.RawMessage
		var id int64
		var key string
		if json.Unmarshal(raw, &m) == nil {
			json.Unmarshal(m["RowId"], &id)
			json.Unmarshal(m[keyProp], &key)
		}
		return key, id
	}
	var got []json.RawMessage
	err := c.call(ctx, http.MethodPost, "/Crud/InsertList/"+entity, rows, &got)
	if err == nil {
		byKey := map[string]int64{}
		for _, g := range got {
			k, id := keyOf(g)
			byKey[strings.ToLower(k)] = id
		}
		for i, code := range codes {
			id, ok := byKey[strings.ToLower(code)]
			if !ok {
				return nil, nil, own.Fail(nil, "uniconta.insert.left_out", "Code", code)
			}
			ids[i] = strconv.FormatInt(id, 10)
		}
		return ids, errs, nil
	}
	if batchError(err) {
		return nil, nil, err
	}
	for i := range rows {
		var one json.RawMessage
		if e := c.call(ctx, http.MethodPost, "/Crud/Insert/"+entity, rows[i], &one); e != nil {
			if batchError(e) {
				return nil, nil, e
			}
			errs[i] = itemError(e)
			continue
		}
		_, id := keyOf(one)
		ids[i] = strconv.FormatInt(id, 10)
	}
	return ids, errs, nil
}

// updateRows updates rows of entity in one list, falling back to one at a
// time when Uniconta refuses the list.
func (c *Conn) updateRows(ctx context.Context, entity string, rows []any) ([]error, error) {
	errs := make([]error, len(rows))
	if len(rows) == 0 {
		return errs, nil
	}
	err := c.call(ctx, http.MethodPut, "/Crud/UpdateList/"+entity, rows, nil)
	if err == nil {
		return errs, nil
	}
	if batchError(err) {
		return nil, err
	}
	// One refused record refuses the list: send them one by one to learn
	// which.
	for i := range rows {
		if e := c.call(ctx, http.MethodPut, "/Crud/Update/"+entity, rows[i], nil); e != nil {
			if batchError(e) {
				return nil, e
			}
			errs[i] = itemError(e)
		}
	}
	return errs, nil
}

// ---- documents ----

// posts says whether a document is to be posted (booked) rather than kept
// as an editable order: approved, sent or paid documents are.
func posts(d connectors.Document, k docKind) bool {
	if k.quote {
		return false
	}
	switch d.Status {
	case connectors.StatusAuthorised, connectors.StatusSubmitted, connectors.StatusPaid:
		return true
	}
	return false
}

func kindOf(t connectors.RecordType, d connectors.Document) docKind {
	switch {
	case t == connectors.Quotes:
		return quoteKind
	case t == connectors.PurchaseInvoices, t == connectors.CreditNotes && d.Purchase:
		return purchaseKind
	}
	return salesKind
}

type masterDetails struct {
	Master  any   `json:"Master"`
	Details []any `json:"Details"`
}

type generateRequest struct {
	Order         *wireOrder `json:"Order,omitempty"`
	Lines         []wireLine `json:"Lines"`
	Date          ucDate     `json:"Date"`
	Simulate      bool       `json:"Simulate"`
	SendEmail     bool       `json:"SendEmail"`
	SendXML       bool       `json:"SendXML"`
	OrderNumber   int64      `json:"OrderNumber,omitempty"`
	InvoiceNumber string     `json:"InvoiceNumber,omitempty"`
}

func (c *Conn) writeDoc(ctx context.Context, t connectors.RecordType, it connectors.WriteItem, _ map[string]string) (string, error) {
	d := *it.Record.Document
	k := kindOf(t, d)
	credit := t == connectors.CreditNotes
	order, lines := docToWire(d, k, credit, c.dims())
	post := posts(d, k)
	if credit && len(d.Allocations) > 0 && !post {
		return "", own.ItemFail(codePosted, "", "uniconta.item.credit_not_posted", "Code", d.Code)
	}
	switch {
	case it.RemoteID == "" && post:
		id, err := c.generate(ctx, k, &order, lines, 0, d)
		if err != nil {
			return "", err
		}
		return id, c.settleCredit(ctx, k, d)
	case it.RemoteID == "":
		var md struct {
			Master wireOrder `json:"Master"`
		}
		details := make([]any, len(lines))
		for i, l := range lines {
			details[i] = l
		}
		if err := c.call(ctx, http.MethodPost, "/Crud/InsertMasterAndDetails/"+k.order+"/"+k.line, masterDetails{Master: order, Details: details}, &md); err != nil {
			return "", err
		}
		return "O" + strconv.FormatInt(md.Master.RowID, 10), nil
	case strings.HasPrefix(it.RemoteID, "I"):
		return c.unchangedPosted(ctx, t, it)
	}
	// An update of an order or offer.
	rowIDs := numeric([]string{it.RemoteID}, "O")
	if len(rowIDs) == 0 {
		return "", own.ItemFail("CouldNotFind", "", "uniconta.item.not_order", "ID", it.RemoteID)
	}
	raw, err := c.queryIn(ctx, k.order, "RowId", rowIDs)
	if err != nil {
		return "", err
	}
	cur, err := decodeRows[wireOrder](raw)
	if err != nil {
		return "", err
	}
	if len(cur) == 0 {
		return "", own.ItemFail("CouldNotFind", "", "uniconta.item.order_gone", "Type", t.Text(), "Code", d.Code)
	}
	order.RowID, order.OrderNumber, order.OfferNumber = cur[0].RowID, cur[0].OrderNumber, cur[0].OfferNumber
	number := cur[0].OrderNumber
	if k.quote {
		number = cur[0].OfferNumber
	}
	if err := c.call(ctx, http.MethodPut, "/Crud/Update/"+k.order, order, nil); err != nil {
		return "", err
	}
	if post {
		return c.generate(ctx, k, nil, lines, number, d)
	}
	old, err := c.linesByRange(ctx, k.line, "OrderNumber", number, number)
	if err != nil {
		return "", err
	}
	if len(old[number]) > 0 {
		del := make([]map[string]int64, len(old[number]))
		for i, l := range old[number] {
			del[i] = map[string]int64{"RowId": l.RowID}
		}
		if err := c.call(ctx, http.MethodDelete, "/Crud/DeleteList/"+k.line, del, nil); err != nil {
			return "", err
		}
	}
	for i := range lines {
		lines[i].OrderNumber = number
	}
	if err := c.call(ctx, http.MethodPost, "/Crud/InsertList/"+k.line, lines, nil); err != nil {
		return "", err
	}
	return it.RemoteID, nil
}

// generate posts an invoice (from the order given, or the stored order
// number) and returns the posted invoice's remote ID.
func (c *Conn) generate(ctx context.Context, k docKind, order *wireOrder, lines []wireLine, number int64, d connectors.Document) (string, error) {
	req := generateRequest{Order: order, Lines: lines, Date: fromDate(d.Date), OrderNumber: number}
	if k.creditor {
		req.InvoiceNumber = d.Code
	}
	var res postingResult
	if err := c.call(ctx, http.MethodPost, k.generate, req, &res); err != nil {
		return "", err
	}
	code, err := res.code()
	if err != nil {
		return "", own.Fail(err, "uniconta.posting.unreadable", "Code", d.Code)
	}
	if code != "" {
		return "", c.withDetail(ctx, &Error{Code: code})
	}
	var h struct {
		RowID int64 `json:"RowId"`
	}
	if len(res.Header) == 0 || json.Unmarshal(res.Header, &h) != nil || h.RowID == 0 {
		return "", own.Fail(nil, "uniconta.posting.no_invoice", "Code", d.Code)
	}
	return "I" + strconv.FormatInt(h.RowID, 10), nil
}

// unchangedPosted accepts an update of a posted invoice only when nothing
// Uniconta keeps has changed: Uniconta never changes a posted invoice.
func (c *Conn) unchangedPosted(ctx context.Context, t connectors.RecordType, it connectors.WriteItem) (string, error) {
	cur, err := c.Get(ctx, t, []string{it.RemoteID})
	if err != nil {
		return "", err
	}
	if len(cur) == 0 {
		return "", own.ItemFail("CouldNotFind", "", "uniconta.item.gone", "Type", t.Text(), "Code", it.Record.Code())
	}
	if sameDocument(*cur[0].Record.Document, *it.Record.Document) {
		return it.RemoteID, nil
	}
	return "", own.ItemFail(codePosted, "", "uniconta.item.invoice_posted", "Type", t.Text(), "Code", it.Record.Code())
}

func sameDocument(a, b connectors.Document) bool {
	if a.PartyCode != b.PartyCode || !a.Date.Equal(b.Date.Time) || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		x, y := a.Lines[i], b.Lines[i]
		if x.ItemCode != y.ItemCode || !x.Quantity.Equal(y.Quantity) || !x.UnitPrice.Equal(y.UnitPrice) || x.NominalCode != y.NominalCode ||
			x.TaxCode != y.TaxCode || !x.DiscountPercent.Equal(y.DiscountPercent) {
			return false
		}
	}
	return true
}

// settleCredit books a posted credit note's allocations: for each invoice
// a pair of lines on the customer (supplier), one against the invoice and
// one against the credit note, referenced by the credit note's number.
func (c *Conn) settleCredit(ctx context.Context, k docKind, d connectors.Document) error {
	if len(d.Allocations) == 0 {
		return nil
	}
	cnNumber, err := c.invoiceNumber(ctx, k, d.Code)
	if err != nil {
		return err
	}
	accountType, sign := "Debtor", decimal.NewFromInt(-1)
	if k.creditor {
		accountType, sign = "Creditor", decimal.NewFromInt(1)
	}
	var lines []wireJournalLine
	for _, a := range d.Allocations {
		invNumber, err := c.invoiceNumber(ctx, k, a.DocumentCode)
		if err != nil {
			return err
		}
		if invNumber == "" {
			return own.ItemFail(codeInvoiceMissing, "", "uniconta.item.credit_invoice_missing", "Invoice", a.DocumentCode, "Code", d.Code)
		}
		lines = append(lines,
			wireJournalLine{Date: fromDate(d.Date), AccountType: accountType, Account: d.PartyCode, Invoice: invNumber, Text: a.DocumentCode,
				Amount: amt(a.Amount.Mul(sign)), Currency: d.Currency, DCPostType: "Creditnote", ReferenceNumber: d.Code},
			wireJournalLine{Date: fromDate(d.Date), AccountType: accountType, Account: d.PartyCode, Invoice: cnNumber, Text: d.Code,
				Amount: amt(a.Amount.Mul(sign).Neg()), Currency: d.Currency, DCPostType: "Creditnote", ReferenceNumber: d.Code})
	}
	_, err = c.postDaily(ctx, d.Date, "Settlement of credit note "+d.Code, lines) // words:verbatim (the journal's text in Uniconta's books)
	return err
}

// invoiceNumber is what a journal line's Invoice holds for a posted
// document: the debtor invoice's number or the supplier's own number.
// Blank: the document is not posted.
func (c *Conn) invoiceNumber(ctx context.Context, k docKind, code string) (string, error) {
	raw, err := c.queryIn(ctx, k.posted, k.postedCode, []string{code})
	if err != nil {
		return "", err
	}
	invs, err := decodeRows[wireInvoice](raw)
	if err != nil {
		return "", err
	}
	for _, inv := range invs {
		if k.creditor && strings.EqualFold(inv.InvoiceAN, code) {
			return inv.InvoiceAN, nil
		}
		if !k.creditor && strings.EqualFold(inv.OurRef, code) {
			return strconv.FormatInt(inv.InvoiceNumber, 10), nil
		}
	}
	return "", nil
}

type dailyRequest struct {
	Journal string            `json:"Journal"`
	Lines   []wireJournalLine `json:"Lines"`
	Date    ucDate            `json:"Date"`
	Comment string            `json:"Comment"`
}

// postDaily posts lines through the module's daily journal and returns
// the posting's remote ID.
func (c *Conn) postDaily(ctx context.Context, date connectors.Date, comment string, lines []wireJournalLine) (string, error) {
	var res postingResult
	if err := c.call(ctx, http.MethodPost, "/GLJournal/PostDailyJournal", dailyRequest{Journal: c.settings.journal, Lines: lines, Date: fromDate(date), Comment: comment}, &res); err != nil {
		return "", err
	}
	code, err := res.code()
	if err != nil {
		return "", own.Fail(err, "uniconta.posting.daily_unreadable")
	}
	if code != "" {
		return "", c.withDetail(ctx, &Error{Code: code})
	}
	return "J" + strconv.FormatInt(res.JournalPostedlID, 10), nil
}

// ---- payments ----

func (c *Conn) bankAccount(ctx context.Context, p connectors.Payment) (string, error) {
	if p.BankAccount != "" {
		return p.BankAccount, nil
	}
	if c.settings.bank != "" {
		return c.settings.bank, nil
	}
	banks, err := c.reference(ctx, connectors.BankAccounts)
	if err != nil {
		return "", err
	}
	if len(banks) == 0 {
		return "", own.ItemFail("AccountIsMissing", "", "uniconta.item.no_bank", "Payment", p.Code)
	}
	return banks[0].Record.BankAccount.Code, nil
}

func (c *Conn) writePayment(ctx context.Context, t connectors.RecordType, it connectors.WriteItem, _ map[string]string) (string, error) {
	p := *it.Record.Payment
	if it.RemoteID != "" {
		return c.unchangedLedger(ctx, t, it)
	}
	if !p.Amount.IsPositive() {
		return "", own.ItemFail(codeInvalid, "amount", "uniconta.item.no_amount", "Payment", p.Code)
	}
	k, accountType, sign := salesKind, "Debtor", decimal.NewFromInt(-1)
	if t == connectors.PurchasePayments {
		k, accountType, sign = purchaseKind, "Creditor", decimal.NewFromInt(1)
	}
	bank, err := c.bankAccount(ctx, p)
	if err != nil {
		return "", err
	}
	var lines []wireJournalLine
	rest := p.Amount
	for _, a := range p.Allocations {
		number, err := c.invoiceNumber(ctx, k, a.DocumentCode)
		if err != nil {
			return "", err
		}
		if number == "" {
			// Not posted: accept a draft (the payment stays open against
			// the customer until the invoice is posted), refuse a stranger.
			drafts, err := c.queryIn(ctx, k.order, k.codeField, []string{a.DocumentCode})
			if err != nil {
				return "", err
			}
			if len(drafts) == 0 {
				return "", own.ItemFail(codeInvoiceMissing, "", "uniconta.item.invoice_missing", "Invoice", a.DocumentCode, "Payment", p.Code)
			}
		}
		party := p.PartyCode
		lines = append(lines, wireJournalLine{Date: fromDate(p.Date), AccountType: accountType, Account: party, OffsetAccountType: "Finans",
			OffsetAccount: bank, Invoice: number, Text: a.DocumentCode, Amount: amt(a.Amount.Mul(sign)), Currency: p.Currency,
			DCPostType: "Payment", ReferenceNumber: p.Code})
		rest = rest.Sub(a.Amount)
	}
	if rest.IsPositive() {
		lines = append(lines, wireJournalLine{Date: fromDate(p.Date), AccountType: accountType, Account: p.PartyCode, OffsetAccountType: "Finans",
			OffsetAccount: bank, Amount: amt(rest.Mul(sign)), Currency: p.Currency, DCPostType: "Payment", ReferenceNumber: p.Code})
	}
	if p.PartyCode == "" {
		return "", own.ItemFail("AccountIsMissing", "party_code", "uniconta.item.no_party", "Payment", p.Code)
	}
	return c.postDaily(ctx, p.Date, "Payment "+p.Code, lines)
}

// unchangedLedger accepts an update of a posted payment or journal only
// when its booked lines are unchanged.
func (c *Conn) unchangedLedger(ctx context.Context, t connectors.RecordType, it connectors.WriteItem) (string, error) {
	cur, err := c.Get(ctx, t, []string{it.RemoteID})
	if err != nil {
		return "", err
	}
	if len(cur) == 0 {
		return "", own.ItemFail("CouldNotFind", "", "uniconta.item.gone", "Type", t.Text(), "Code", it.Record.Code())
	}
	same := false
	switch {
	case it.Record.Payment != nil:
		a, b := cur[0].Record.Payment, it.Record.Payment
		same = a.Amount.Equal(b.Amount) && a.Date.Equal(b.Date.Time) && a.PartyCode == b.PartyCode
	case it.Record.Journal != nil:
		a, b := cur[0].Record.Journal, it.Record.Journal
		same = a.Date.Equal(b.Date.Time) && len(a.Lines) == len(b.Lines)
		for i := 0; same && i < len(a.Lines); i++ {
			x, y := a.Lines[i], b.Lines[i]
			same = x.NominalCode == y.NominalCode && x.Debit.Equal(y.Debit) && x.Credit.Equal(y.Credit) && x.CostCentre == y.CostCentre && x.CostType == y.CostType
		}
	}
	if same {
		return it.RemoteID, nil
	}
	return "", own.ItemFail(codePosted, "", "uniconta.item.lines_booked", "Type", t.Text(), "Code", it.Record.Code())
}

// ---- payroll journals ----

type checkRequest struct {
	Header   map[string]any    `json:"Header"`
	Lines    []wirePostingLine `json:"Lines"`
	Simulate bool              `json:"Simulate"`
}

func (c *Conn) writeJournal(ctx context.Context, t connectors.RecordType, it connectors.WriteItem, _ map[string]string) (string, error) {
	j := *it.Record.Journal
	if it.RemoteID != "" {
		return c.unchangedLedger(ctx, t, it)
	}
	dm := c.dims()
	var check []wirePostingLine
	var lines []wireJournalLine
	for _, l := range j.Lines {
		amount := l.Debit.Sub(l.Credit)
		check = append(check, wirePostingLine{Account: l.NominalCode, AccountType: 0, AmountCur: amt(amount), Text: journalText(l)})
		wl := wireJournalLine{Date: fromDate(j.Date), AccountType: "Finans", Account: l.NominalCode, Text: journalText(l), Amount: amt(amount), ReferenceNumber: j.Code}
		dm.journalDims(&wl, l.CostCentre, l.CostType)
		lines = append(lines, wl)
	}
	// Simulate first: errors come back before anything is booked.
	var res postingResult
	header := map[string]any{"Date": fromDate(j.Date), "Comment": j.Code + " " + j.Description}
	if err := c.call(ctx, http.MethodPost, "/GLJournal/CheckJournal", checkRequest{Header: header, Lines: check, Simulate: true}, &res); err != nil {
		return "", err
	}
	code, err := res.code()
	if err != nil {
		return "", own.Fail(err, "uniconta.posting.check_unreadable", "Code", j.Code)

	}
	if code != "" {
		return "", c.withDetail(ctx, &Error{Code: code})
	}
	return c.postDaily(ctx, j.Date, strings.TrimSpace(j.Code+" "+j.Description), lines)
}

// ---- products ----

type wireItem struct {
	RowID         int64  `json:"RowId,omitempty"`
	Item          string `json:"Item"`
	Name          string `json:"Name"`
	ItemType      string `json:"ItemType,omitempty"`
	SalesPrice1   amount `json:"SalesPrice1"`
	PurchasePrice amount `json:"PurchasePrice"`
}

// writeItems creates and updates products (InvItemClient), for the
// engine's products going before the documents that use them. A new
// product is a stock item when LedgerLink says so, else a service.
func (c *Conn) writeItems(ctx context.Context, items []connectors.WriteItem, valid []int, results []connectors.WriteResult) error {
	have := map[string]string{}
	existing, err := c.reference(ctx, connectors.Items)
	if err != nil {
		return err
	}
	for _, r := range existing {
		have[strings.ToLower(r.Record.Item.Code)] = r.RemoteID
	}
	var creates, updates []int
	var newRows, changed []any
	var codes []string
	for _, i := range valid {
		it := items[i].Record.Item
		w := wireItem{Item: it.Code, Name: it.Name, SalesPrice1: amt(it.SalesPrice), PurchasePrice: amt(it.PurchasePrice)}
		id := items[i].RemoteID
		if id == "" {
			if known, ok := have[strings.ToLower(it.Code)]; ok {
				results[i].RemoteID = known
				continue
			}
			w.ItemType = "Service"
			if it.Stock {
				w.ItemType = "Item"
			}
			creates, newRows, codes = append(creates, i), append(newRows, w), append(codes, it.Code)
			continue
		}
		w.RowID, _ = strconv.ParseInt(id, 10, 64)
		updates, changed = append(updates, i), append(changed, w)
	}
	ids, errs, err := c.insertRows(ctx, "InvItemClient", "Item", codes, newRows)
	if err != nil {
		return err
	}
	for n, i := range creates {
		results[i].RemoteID, results[i].Err = ids[n], errs[n]
	}
	uerrs, err := c.updateRows(ctx, "InvItemClient", changed)
	if err != nil {
		return err
	}
	for n, i := range updates {
		if uerrs[n] != nil {
			results[i].Err, results[i].RemoteID = uerrs[n], ""
		}
	}
	return nil
}

// notSynced is a refusal by the module's own settings (the customer tag):
// it is the ItemError with its words and connectors.ErrNotSynced, so the
// engine keeps the record waiting rather than failed; said is the note
// for the faces to say in the reader's language.
type notSynced struct {
	*connectors.ItemError
	said *words.Error
}

func (e notSynced) Unwrap() []error {
	return []error{e.ItemError, e.said, connectors.ErrNotSynced}
}
