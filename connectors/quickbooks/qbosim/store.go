package qbosim

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// company is one QuickBooks company (realm) and everything in it.
type company struct {
	RealmID       string `json:"realm_id"`
	Name          string `json:"name"`
	Country       string `json:"country"`
	HomeCurrency  string `json:"home_currency"`
	BookCloseDate string `json:"book_close_date,omitempty"`
	// Entities holds every object by entity name and Id.
	Entities map[string]map[string]obj `json:"entities"`
	// Deleted are the stubs change data capture reports.
	Deleted []tombstone        `json:"deleted"`
	NextID  int                `json:"next_id"`
	Replays map[string]*replay `json:"replays"`
	// SampleDone are the sample payments already entered.
	SampleDone map[string]bool `json:"sample_done,omitempty"`
	// today is the date a transaction without TxnDate gets.
	today string
}

type tombstone struct {
	Entity string    `json:"entity"`
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
}

func (c *company) init() {
	if c.Entities == nil {
		c.Entities = map[string]map[string]obj{}
	}
	if c.Replays == nil {
		c.Replays = map[string]*replay{}
	}
	if c.SampleDone == nil {
		c.SampleDone = map[string]bool{}
	}
}

// nameLists are the entities that are never deleted, only made inactive.
var nameLists = map[string]bool{"Customer": true, "Vendor": true, "Item": true, "Account": true, "TaxCode": true,
	"TaxRate": true, "PaymentMethod": true, "Class": true, "Department": true}

// readOnly are the entities the API does not create or change.
var readOnly = map[string]bool{"TaxCode": true, "TaxRate": true}

// ---- small accessors over the JSON objects ----

func child(o obj, path ...string) obj {
	for _, p := range path {
		next, _ := o[p].(obj)
		if next == nil {
			return nil
		}
		o = next
	}
	return o
}

func str(o obj, path ...string) string {
	if len(path) == 0 || o == nil {
		return ""
	}
	parent := child(o, path[:len(path)-1]...)
	if parent == nil {
		return ""
	}
	switch v := parent[path[len(path)-1]].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func refValue(o obj, key string) string { return str(o, key, "value") }

func num(o obj, key string) (decimal.Decimal, bool) {
	if o == nil {
		return decimal.Zero, false
	}
	switch v := o[key].(type) {
	case json.Number:
		d, err := decimal.NewFromString(v.String())
		return d, err == nil
	case float64:
		return decimal.NewFromFloat(v), true
	case string:
		d, err := decimal.NewFromString(v)
		return d, err == nil
	}
	return decimal.Zero, false
}

func boolOf(o obj, key string, def bool) bool {
	if b, ok := o[key].(bool); ok {
		return b
	}
	return def
}

func list(o obj, key string) []obj {
	raw, _ := o[key].([]any)
	out := make([]obj, 0, len(raw))
	for _, r := range raw {
		if m, ok := r.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}

func setList(o obj, key string, items []obj) {
	raw := make([]any, len(items))
	for i, it := range items {
		raw[i] = it
	}
	o[key] = raw
}

func money(d decimal.Decimal) json.Number { return json.Number(d.Round(2).StringFixed(2)) }

func deepCopy(o obj) obj {
	raw, _ := json.Marshal(o)
	var out obj
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

func idNum(id string) int {
	n, err := strconv.Atoi(id)
	if err != nil {
		return 1 << 30
	}
	return n
}

// all returns the objects of entity ordered by Id.
func (c *company) all(entity string) []obj {
	m := c.Entities[entity]
	ids := slices.Collect(maps.Keys(m))
	slices.SortFunc(ids, func(a, b string) int { return idNum(a) - idNum(b) })
	out := make([]obj, 0, len(ids))
	for _, id := range ids {
		out = append(out, m[id])
	}
	return out
}

func (c *company) get(entity, id string) obj {
	if o := c.Entities[entity][id]; o != nil {
		return deepCopy(o)
	}
	return nil
}

func (c *company) lookup(entity, id string) obj { return c.Entities[entity][id] }

func (c *company) put(entity string, o obj) {
	if c.Entities[entity] == nil {
		c.Entities[entity] = map[string]obj{}
	}
	c.Entities[entity][str(o, "Id")] = o
}

func (c *company) nextID() string {
	c.NextID++
	return strconv.Itoa(c.NextID)
}

func lastUpdated(o obj) time.Time {
	t, _ := time.Parse(time.RFC3339, str(o, "MetaData", "LastUpdatedTime"))
	return t
}

func touch(o obj, now time.Time) {
	md := child(o, "MetaData")
	if md == nil {
		md = obj{"CreateTime": stampSeconds(now)}
		o["MetaData"] = md
	}
	md["LastUpdatedTime"] = stampSeconds(now)
}

func bumpSyncToken(o obj) {
	n, _ := strconv.Atoi(str(o, "SyncToken"))
	o["SyncToken"] = strconv.Itoa(n + 1)
}

// touchByOther changes a record as someone working in QuickBooks would:
// its SyncToken moves on.
func (c *company) touchByOther(entity, id string, now time.Time) {
	if o := c.lookup(entity, id); o != nil {
		bumpSyncToken(o)
		touch(o, now)
	}
}

// changedSince lists entity's objects changed at or after since, with the
// stubs of those deleted, oldest first.
func (c *company) changedSince(entity string, since time.Time) []any {
	type stamped struct {
		at time.Time
		o  obj
	}
	var all []stamped
	for _, o := range c.all(entity) {
		if at := lastUpdated(o); !at.Before(since.Truncate(time.Second)) {
			all = append(all, stamped{at, deepCopy(o)})
		}
	}
	for _, d := range c.Deleted {
		if d.Entity == entity && !d.At.Before(since.Truncate(time.Second)) {
			all = append(all, stamped{d.At, obj{"Id": d.ID, "status": "Deleted", "domain": "QBO",
				"MetaData": obj{"LastUpdatedTime": stampSeconds(d.At)}}})
		}
	}
	slices.SortStableFunc(all, func(a, b stamped) int { return a.at.Compare(b.at) })
	out := make([]any, len(all))
	for i, s := range all {
		out[i] = s.o
	}
	return out
}

// computed are fields the server owns: a full update never clears them.
var computed = []string{"Id", "MetaData", "domain", "TotalAmt", "Balance", "RemainingCredit", "UnappliedAmt",
	"HomeTotalAmt", "FullyQualifiedName", "CurrentBalance", "BalanceWithJobs"}

// write is one create or update ("save"), delete or void of entity.
func (c *company) write(entity, op string, in obj, allowDup bool, now time.Time) (obj, *qfault) {
	c.today = now.In(pacific).Format(time.DateOnly)
	if readOnly[entity] {
		return nil, validation("6000", "A business validation error has occurred while processing your request",
			"Business Validation Error: "+entity+" cannot be created or changed through this API.", "")
	}
	id := str(in, "Id")
	var old obj
	if id != "" {
		old = c.lookup(entity, id)
		if old == nil {
			return nil, notFound(entity, id)
		}
		if str(in, "SyncToken") != str(old, "SyncToken") {
			return nil, staleObject()
		}
	} else if op != "save" {
		return nil, requiredMissing("Id")
	}
	switch op {
	case "delete":
		if nameLists[entity] {
			return nil, validation("6000", "A business validation error has occurred while processing your request",
				"Business Validation Error: "+entity+" cannot be deleted; make it inactive instead.", "")
		}
		delete(c.Entities[entity], id)
		c.Deleted = append(c.Deleted, tombstone{Entity: entity, ID: id, At: now})
		c.recomputeLinks(now)
		return obj{"Id": id, "status": "Deleted", "domain": "QBO"}, nil
	case "void":
		if !slices.Contains([]string{"Invoice", "Payment", "BillPayment"}, entity) {
			return nil, validation("6000", "A business validation error has occurred while processing your request",
				"Business Validation Error: "+entity+" cannot be voided.", "")
		}
		next := deepCopy(old)
		for _, l := range list(next, "Line") {
			l["Amount"] = json.Number("0.00")
		}
		next["TotalAmt"] = json.Number("0.00")
		next["PrivateNote"] = strings.TrimSpace("Voided " + str(old, "PrivateNote"))
		next["TxnStatus"] = "Voided"
		c.put(entity, next)
		c.recomputeLinks(now)
		// One change, one new SyncToken, whatever the balances did.
		saved := c.lookup(entity, id)
		saved["SyncToken"] = str(old, "SyncToken")
		bumpSyncToken(saved)
		touch(saved, now)
		return deepCopy(saved), nil
	}

	var next obj
	switch {
	case old == nil:
		next = deepCopy(in)
		next["Id"] = ""
	case boolOf(in, "sparse", false):
		next = deepCopy(old)
		maps.Copy(next, deepCopy(in))
	default:
		next = deepCopy(in)
		for _, k := range computed {
			if v, ok := old[k]; ok {
				next[k] = v
			}
		}
	}
	delete(next, "sparse")
	if _, isTxn := txnTypeNames[entity]; (isTxn || entity == "Payment") && next["CurrencyRef"] == nil {
		next["CurrencyRef"] = obj{"value": c.HomeCurrency}
	}
	if old == nil && nameLists[entity] {
		if _, set := next["Active"]; !set {
			next["Active"] = true
		}
	}
	if f := c.apply(entity, next, old, allowDup, now); f != nil {
		return nil, f
	}
	if old == nil {
		next["Id"] = c.nextID()
		next["SyncToken"] = "0"
		next["MetaData"] = obj{"CreateTime": stampSeconds(now), "LastUpdatedTime": stampSeconds(now)}
	} else {
		next["SyncToken"] = str(old, "SyncToken")
		bumpSyncToken(next)
		touch(next, now)
	}
	next["domain"] = "QBO"
	next["sparse"] = false
	c.put(entity, next)
	if entity == "Payment" || entity == "BillPayment" || old != nil {
		// The record's own balance moving is part of this one change.
		token := next["SyncToken"]
		c.recomputeLinks(now)
		c.lookup(entity, str(next, "Id"))["SyncToken"] = token
	}
	return deepCopy(c.lookup(entity, str(next, "Id"))), nil
}

// apply checks the business rules of entity on o (the record as it would
// be saved) and fills in what the server works out.
func (c *company) apply(entity string, o, old obj, allowDup bool, now time.Time) *qfault {
	switch entity {
	case "Customer", "Vendor":
		return c.applyName(entity, o, old)
	case "Invoice", "Estimate", "CreditMemo":
		return c.applySales(entity, o, old, allowDup)
	case "Bill", "VendorCredit":
		return c.applyPurchase(entity, o, old, allowDup)
	case "Payment":
		return c.applyPayment(o, old)
	case "BillPayment":
		return c.applyBillPayment(o, old)
	case "JournalEntry":
		return c.applyJournal(o, old, allowDup)
	case "Item":
		return c.applyItem(o, old)
	case "Account", "Class", "Department", "PaymentMethod":
		if strings.TrimSpace(str(o, "Name")) == "" {
			return requiredMissing("Name")
		}
		for _, other := range c.all(entity) {
			if (old == nil || str(other, "Id") != str(old, "Id")) && strings.EqualFold(str(other, "Name"), str(o, "Name")) {
				return validation("6240", "Duplicate Name Exists Error", "The name supplied already exists. : "+str(o, "Name"), "Name")
			}
		}
		o["FullyQualifiedName"] = str(o, "Name")
	}
	return nil
}

func (c *company) applyName(entity string, o, old obj) *qfault {
	display := strings.TrimSpace(str(o, "DisplayName"))
	if display == "" {
		parts := []string{str(o, "Title"), str(o, "GivenName"), str(o, "MiddleName"), str(o, "FamilyName"), str(o, "Suffix")}
		display = strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
		if display == "" {
			display = strings.TrimSpace(str(o, "CompanyName"))
		}
		if display == "" {
			return requiredMissing("DisplayName")
		}
		o["DisplayName"] = display
	}
	if len(display) > 500 {
		return validation("2050", "String length is either shorter or longer than supported by specification", "DisplayName is longer than 500 characters", "DisplayName")
	}
	for _, e := range []string{"Customer", "Vendor", "Employee"} {
		for _, other := range c.all(e) {
			if old != nil && e == entity && str(other, "Id") == str(old, "Id") {
				continue
			}
			if strings.EqualFold(str(other, "DisplayName"), display) {
				return validation("6240", "Duplicate Name Exists Error",
					"The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name.", "")
			}
		}
	}
	o["FullyQualifiedName"] = display
	if cur := refValue(o, "CurrencyRef"); cur != "" && cur != c.HomeCurrency && !c.currencyEnabled(cur) {
		return invalidRef("CurrencyRef")
	}
	if old == nil {
		o["Balance"] = json.Number("0.00")
	}
	return nil
}

func (c *company) currencyEnabled(cur string) bool {
	return slices.Contains([]string{"GBP", "EUR", "USD"}, cur)
}

// checkRef checks that key of o refers to an active entity; blank is
// allowed unless required.
func (c *company) checkRef(o obj, key, entity, element string, required bool) *qfault {
	v := refValue(o, key)
	if v == "" {
		if required {
			return requiredMissing(element)
		}
		return nil
	}
	target := c.lookup(entity, v)
	if target == nil {
		return invalidRef(element)
	}
	if !boolOf(target, "Active", true) {
		return inactiveRef(element)
	}
	return nil
}

func (c *company) checkDate(o obj) *qfault {
	d := str(o, "TxnDate")
	if d == "" {
		o["TxnDate"] = c.today
		return nil
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return validation("2040", "Invalid Date", "TxnDate "+d+" is not a date in the form yyyy-MM-dd", "TxnDate")
	}
	if c.BookCloseDate != "" && d <= c.BookCloseDate {
		return validation("6200", "Account Period Closed", "Account Period Closed : The account period has closed and the books are locked. TxnDate "+d+" is on or before the closing date "+c.BookCloseDate+".", "TxnDate")
	}
	return nil
}

var txnTypeNames = map[string]string{"Invoice": "Invoice", "Estimate": "Estimate", "CreditMemo": "Credit Memo",
	"Bill": "Bill", "VendorCredit": "Vendor Credit", "JournalEntry": "Journal Entry", "BillPayment": "Bill Payment"}

func (c *company) checkDocNumber(entity string, o, old obj, allowDup bool) *qfault {
	n := str(o, "DocNumber")
	if len(n) > 21 {
		return validation("2050", "String length is either shorter or longer than supported by specification", "DocNumber is longer than 21 characters", "DocNumber")
	}
	if n == "" || allowDup {
		return nil
	}
	for _, other := range c.all(entity) {
		if old != nil && str(other, "Id") == str(old, "Id") {
			continue
		}
		if str(other, "DocNumber") == n {
			return validation("6140", "Duplicate Document Number Error",
				fmt.Sprintf("Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=%s is assigned to TxnType=%s with TxnId=%s", n, txnTypeNames[entity], str(other, "Id")), "")
		}
	}
	return nil
}

// taxRate is the percentage of tax code id for sales or purchases.
func (c *company) taxRate(id string, purchase bool) decimal.Decimal {
	tc := c.lookup("TaxCode", id)
	listKey := "SalesTaxRateList"
	if purchase {
		listKey = "PurchaseTaxRateList"
	}
	sum := decimal.Zero
	for _, d := range list(child(tc, listKey), "TaxRateDetail") {
		if rate := c.lookup("TaxRate", refValue(d, "TaxRateRef")); rate != nil {
			r, _ := num(rate, "RateValue")
			sum = sum.Add(r)
		}
	}
	return sum
}

// totals works out tax and the total of a transaction's lines.
func (c *company) totals(o obj, lines []obj, purchase bool, taxOf func(obj) string) {
	net, tax := decimal.Zero, decimal.Zero
	inclusive := str(o, "GlobalTaxCalculation") == "TaxInclusive"
	hundred := decimal.NewFromInt(100)
	for _, l := range lines {
		amt, _ := num(l, "Amount")
		net = net.Add(amt)
		code := taxOf(l)
		if code == "" {
			continue
		}
		rate := c.taxRate(code, purchase)
		if inclusive {
			tax = tax.Add(amt.Mul(rate).Div(hundred.Add(rate)).Round(2))
		} else {
			tax = tax.Add(amt.Mul(rate).Div(hundred).Round(2))
		}
	}
	total := net.Add(tax)
	if inclusive {
		total = net
	}
	o["TxnTaxDetail"] = obj{"TotalTax": money(tax)}
	o["TotalAmt"] = money(total)
}

func (c *company) applySales(entity string, o, old obj, allowDup bool) *qfault {
	if refValue(o, "CustomerRef") == "" {
		return businessValidation("Unexpected Internal Error. (-30003)")
	}
	if f := c.checkRef(o, "CustomerRef", "Customer", "CustomerRef", true); f != nil {
		return f
	}
	if f := c.checkDate(o); f != nil {
		return f
	}
	if f := c.checkDocNumber(entity, o, old, allowDup); f != nil {
		return f
	}
	if f := c.checkRef(o, "DepartmentRef", "Department", "DepartmentRef", false); f != nil {
		return f
	}
	lines := list(o, "Line")
	var kept []obj
	for i, l := range lines {
		switch str(l, "DetailType") {
		case "SalesItemLineDetail":
			d := child(l, "SalesItemLineDetail")
			if d == nil {
				return requiredMissing("Line.SalesItemLineDetail")
			}
			if f := c.checkRef(d, "ItemRef", "Item", "Line.SalesItemLineDetail.ItemRef", true); f != nil {
				return f
			}
			if f := c.checkRef(d, "TaxCodeRef", "TaxCode", "Line.SalesItemLineDetail.TaxCodeRef", c.Country != "US"); f != nil {
				return f
			}
			if f := c.checkRef(d, "ItemAccountRef", "Account", "Line.SalesItemLineDetail.ItemAccountRef", false); f != nil {
				return f
			}
			if f := c.checkRef(d, "ClassRef", "Class", "Line.SalesItemLineDetail.ClassRef", false); f != nil {
				return f
			}
			if f := checkLineAmount(l, d); f != nil {
				return f
			}
		case "DescriptionOnly":
		case "SubTotalLineDetail", "DiscountLineDetail":
		case "":
			return requiredMissing("Line.DetailType")
		default:
			return validation("2010", "Request has invalid or unsupported property", "Line.DetailType "+str(l, "DetailType")+" is not allowed on "+entity, "Line.DetailType")
		}
		l["LineNum"] = json.Number(strconv.Itoa(i + 1))
		if str(l, "Id") == "" {
			l["Id"] = strconv.Itoa(i + 1)
		}
		kept = append(kept, l)
	}
	if len(kept) == 0 {
		return requiredMissing("Line")
	}
	var items []obj
	for _, l := range kept {
		if str(l, "DetailType") == "SalesItemLineDetail" {
			items = append(items, l)
		}
	}
	c.totals(o, items, false, func(l obj) string { return refValue(child(l, "SalesItemLineDetail"), "TaxCodeRef") })
	switch entity {
	case "Invoice":
		o["Balance"] = o["TotalAmt"]
	case "CreditMemo":
		o["RemainingCredit"] = o["TotalAmt"]
	}
	return nil
}

// checkLineAmount is QuickBooks's rule that Amount is Qty × UnitPrice (less
// the line's discount rate).
func checkLineAmount(l, d obj) *qfault {
	amt, okA := num(l, "Amount")
	if !okA {
		return requiredMissing("Line.Amount")
	}
	qty, okQ := num(d, "Qty")
	price, okP := num(d, "UnitPrice")
	if !okQ || !okP {
		return nil
	}
	want := qty.Mul(price)
	if rate, ok := num(d, "DiscountRate"); ok && !rate.IsZero() {
		want = want.Mul(decimal.NewFromInt(100).Sub(rate)).Div(decimal.NewFromInt(100))
	}
	if !want.Round(2).Equal(amt.Round(2)) {
		return validation("6070", "Amount is not equal to UnitPrice * Qty", fmt.Sprintf("Amount is not equal to UnitPrice * Qty. Supplied value:%s", amt.String()), "Line.Amount")
	}
	return nil
}

func (c *company) applyPurchase(entity string, o, old obj, allowDup bool) *qfault {
	if f := c.checkRef(o, "VendorRef", "Vendor", "VendorRef", true); f != nil {
		return f
	}
	if f := c.checkDate(o); f != nil {
		return f
	}
	if f := c.checkDocNumber(entity, o, old, allowDup); f != nil {
		return f
	}
	if f := c.checkRef(o, "APAccountRef", "Account", "APAccountRef", false); f != nil {
		return f
	}
	lines := list(o, "Line")
	if len(lines) == 0 {
		return requiredMissing("Line")
	}
	for i, l := range lines {
		switch str(l, "DetailType") {
		case "AccountBasedExpenseLineDetail":
			d := child(l, "AccountBasedExpenseLineDetail")
			if d == nil {
				return requiredMissing("Line.AccountBasedExpenseLineDetail")
			}
			if f := c.checkRef(d, "AccountRef", "Account", "Line.AccountBasedExpenseLineDetail.AccountRef", true); f != nil {
				return f
			}
			if f := c.checkRef(d, "TaxCodeRef", "TaxCode", "Line.AccountBasedExpenseLineDetail.TaxCodeRef", c.Country != "US"); f != nil {
				return f
			}
			if f := c.checkRef(d, "ClassRef", "Class", "Line.AccountBasedExpenseLineDetail.ClassRef", false); f != nil {
				return f
			}
		case "ItemBasedExpenseLineDetail":
			d := child(l, "ItemBasedExpenseLineDetail")
			if d == nil {
				return requiredMissing("Line.ItemBasedExpenseLineDetail")
			}
			if f := c.checkRef(d, "ItemRef", "Item", "Line.ItemBasedExpenseLineDetail.ItemRef", true); f != nil {
				return f
			}
			if f := c.checkRef(d, "TaxCodeRef", "TaxCode", "Line.ItemBasedExpenseLineDetail.TaxCodeRef", c.Country != "US"); f != nil {
				return f
			}
			if f := checkLineAmount(l, d); f != nil {
				return f
			}
		default:
			return validation("2010", "Request has invalid or unsupported property", "Line.DetailType "+str(l, "DetailType")+" is not allowed on "+entity, "Line.DetailType")
		}
		if _, ok := num(l, "Amount"); !ok {
			return requiredMissing("Line.Amount")
		}
		l["LineNum"] = json.Number(strconv.Itoa(i + 1))
		if str(l, "Id") == "" {
			l["Id"] = strconv.Itoa(i + 1)
		}
	}
	c.totals(o, lines, true, func(l obj) string {
		if d := child(l, "AccountBasedExpenseLineDetail"); d != nil {
			return refValue(d, "TaxCodeRef")
		}
		return refValue(child(l, "ItemBasedExpenseLineDetail"), "TaxCodeRef")
	})
	o["Balance"] = o["TotalAmt"]
	return nil
}

// applied adds up what payments other than skip apply to each
// transaction, by entity and Id.
func (c *company) applied(payEntity, skip string) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for _, p := range c.all(payEntity) {
		if str(p, "Id") == skip {
			continue
		}
		for _, l := range list(p, "Line") {
			amt, _ := num(l, "Amount")
			for _, lt := range list(l, "LinkedTxn") {
				k := str(lt, "TxnType") + "/" + str(lt, "TxnId")
				out[k] = out[k].Add(amt)
			}
		}
	}
	return out
}

// checkLinks checks the LinkedTxn lines of a payment: each links an open
// transaction of the same customer or vendor for no more than it has open.
func (c *company) checkLinks(o, old obj, payEntity, partyKey string, kinds map[string]string) (debits, credits decimal.Decimal, f *qfault) {
	skip := ""
	if old != nil {
		skip = str(old, "Id")
	}
	used := c.applied(payEntity, skip)
	for _, l := range list(o, "Line") {
		amt, ok := num(l, "Amount")
		if !ok || amt.IsNegative() {
			return debits, credits, validation("2290", "Negative amount not allowed", "Line.Amount must be given and not negative", "Line.Amount")
		}
		links := list(l, "LinkedTxn")
		if len(links) == 0 {
			return debits, credits, requiredMissing("Line.LinkedTxn")
		}
		for _, lt := range links {
			typ, id := str(lt, "TxnType"), str(lt, "TxnId")
			role, known := kinds[typ]
			target := c.lookup(typ, id)
			if !known || target == nil {
				return debits, credits, invalidRef("Line.LinkedTxn.TxnId")
			}
			if refValue(target, partyKey) != refValue(o, partyKey) {
				return debits, credits, businessValidation(fmt.Sprintf("The %s %s belongs to a different customer or vendor.", txnTypeNames[typ], str(target, "DocNumber")))
			}
			total, _ := num(target, "TotalAmt")
			open := total.Sub(used[typ+"/"+id])
			if amt.GreaterThan(open) {
				return debits, credits, businessValidation(fmt.Sprintf("The amount applied to %s %s (%s) is more than its open balance (%s).", txnTypeNames[typ], str(target, "DocNumber"), amt.StringFixed(2), open.StringFixed(2)))
			}
			used[typ+"/"+id] = used[typ+"/"+id].Add(amt)
			if role == "credit" {
				credits = credits.Add(amt)
			} else {
				debits = debits.Add(amt)
			}
		}
	}
	return debits, credits, nil
}

func (c *company) applyPayment(o, old obj) *qfault {
	if refValue(o, "CustomerRef") == "" {
		return businessValidation("Unexpected Internal Error. (-30003)")
	}
	if f := c.checkRef(o, "CustomerRef", "Customer", "CustomerRef", true); f != nil {
		return f
	}
	total, ok := num(o, "TotalAmt")
	if !ok {
		return requiredMissing("TotalAmt")
	}
	if f := c.checkDate(o); f != nil {
		return f
	}
	if f := c.checkRef(o, "DepositToAccountRef", "Account", "DepositToAccountRef", false); f != nil {
		return f
	}
	if f := c.checkRef(o, "PaymentMethodRef", "PaymentMethod", "PaymentMethodRef", false); f != nil {
		return f
	}
	debits, credits, f := c.checkLinks(o, old, "Payment", "CustomerRef", map[string]string{"Invoice": "debit", "CreditMemo": "credit", "JournalEntry": "debit"})
	if f != nil {
		return f
	}
	unapplied := total.Sub(debits.Sub(credits))
	if unapplied.IsNegative() {
		return businessValidation(fmt.Sprintf("The payment of %s is less than the %s applied to invoices less credits.", total.StringFixed(2), debits.Sub(credits).StringFixed(2)))
	}
	o["TotalAmt"] = money(total)
	o["UnappliedAmt"] = money(unapplied)
	return nil
}

func (c *company) applyBillPayment(o, old obj) *qfault {
	if f := c.checkRef(o, "VendorRef", "Vendor", "VendorRef", true); f != nil {
		return f
	}
	total, ok := num(o, "TotalAmt")
	if !ok {
		return requiredMissing("TotalAmt")
	}
	if f := c.checkDate(o); f != nil {
		return f
	}
	switch str(o, "PayType") {
	case "Check":
		cp := child(o, "CheckPayment")
		if f := c.checkRef(cp, "BankAccountRef", "Account", "CheckPayment.BankAccountRef", true); f != nil {
			return f
		}
		if a := c.lookup("Account", refValue(cp, "BankAccountRef")); str(a, "AccountType") != "Bank" {
			return businessValidation("CheckPayment.BankAccountRef must be a bank account.")
		}
	case "CreditCard":
		if f := c.checkRef(child(o, "CreditCardPayment"), "CCAccountRef", "Account", "CreditCardPayment.CCAccountRef", true); f != nil {
			return f
		}
	default:
		return requiredMissing("PayType")
	}
	debits, credits, f := c.checkLinks(o, old, "BillPayment", "VendorRef", map[string]string{"Bill": "debit", "VendorCredit": "credit", "JournalEntry": "debit"})
	if f != nil {
		return f
	}
	if !total.Equal(debits.Sub(credits)) {
		return businessValidation(fmt.Sprintf("The bill payment total %s does not equal the bills paid less vendor credits (%s).", total.StringFixed(2), debits.Sub(credits).StringFixed(2)))
	}
	o["TotalAmt"] = money(total)
	return nil
}

func (c *company) applyJournal(o, old obj, allowDup bool) *qfault {
	if f := c.checkDate(o); f != nil {
		return f
	}
	if f := c.checkDocNumber("JournalEntry", o, old, allowDup); f != nil {
		return f
	}
	lines := list(o, "Line")
	if len(lines) == 0 {
		return requiredMissing("Line")
	}
	dr, cr := decimal.Zero, decimal.Zero
	for i, l := range lines {
		d := child(l, "JournalEntryLineDetail")
		if str(l, "DetailType") != "JournalEntryLineDetail" || d == nil {
			return requiredMissing("Line.JournalEntryLineDetail")
		}
		amt, ok := num(l, "Amount")
		if !ok || amt.IsNegative() {
			return validation("2290", "Negative amount not allowed", "Line.Amount must be given and not negative", "Line.Amount")
		}
		switch str(d, "PostingType") {
		case "Debit":
			dr = dr.Add(amt)
		case "Credit":
			cr = cr.Add(amt)
		default:
			return validation("2260", "Posting type missing", "Required parameter Line.JournalEntryLineDetail.PostingType is missing in the request", "Line.JournalEntryLineDetail.PostingType")
		}
		if f := c.checkRef(d, "AccountRef", "Account", "Line.JournalEntryLineDetail.AccountRef", true); f != nil {
			return f
		}
		if f := c.checkRef(d, "ClassRef", "Class", "Line.JournalEntryLineDetail.ClassRef", false); f != nil {
			return f
		}
		if f := c.checkRef(d, "DepartmentRef", "Department", "Line.JournalEntryLineDetail.DepartmentRef", false); f != nil {
			return f
		}
		acct := c.lookup("Account", refValue(d, "AccountRef"))
		if t := str(acct, "AccountType"); t == "Accounts Receivable" || t == "Accounts Payable" {
			ent := child(d, "Entity")
			want := map[string]string{"Accounts Receivable": "Customer", "Accounts Payable": "Vendor"}[t]
			if str(ent, "Type") != want || c.lookup(want, refValue(ent, "EntityRef")) == nil {
				return businessValidation(fmt.Sprintf("When you use %s, you must choose a %s in the Name field.", t, strings.ToLower(want)))
			}
		}
		l["LineNum"] = json.Number(strconv.Itoa(i + 1))
		if str(l, "Id") == "" {
			l["Id"] = strconv.Itoa(i)
		}
	}
	if !dr.Equal(cr) {
		return validation("2300", "Journal Entry Must Balance", fmt.Sprintf("Transactions must be in balance: debits %s, credits %s.", dr.StringFixed(2), cr.StringFixed(2)), "Line")
	}
	o["TotalAmt"] = money(dr)
	return nil
}

func (c *company) applyItem(o, old obj) *qfault {
	name := strings.TrimSpace(str(o, "Name"))
	if name == "" {
		return requiredMissing("Name")
	}
	for _, other := range c.all("Item") {
		if (old == nil || str(other, "Id") != str(old, "Id")) && strings.EqualFold(str(other, "Name"), name) {
			return validation("6240", "Duplicate Name Exists Error", "The name supplied already exists. : "+name, "Name")
		}
	}
	typ := str(o, "Type")
	if typ == "" {
		typ = "NonInventory"
		o["Type"] = typ
	}
	if typ == "Service" || typ == "NonInventory" || typ == "Inventory" {
		if f := c.checkRef(o, "IncomeAccountRef", "Account", "IncomeAccountRef", true); f != nil {
			return f
		}
	}
	if typ == "Inventory" {
		for _, k := range []string{"ExpenseAccountRef", "AssetAccountRef"} {
			if f := c.checkRef(o, k, "Account", k, true); f != nil {
				return f
			}
		}
	} else if f := c.checkRef(o, "ExpenseAccountRef", "Account", "ExpenseAccountRef", false); f != nil {
		return f
	}
	o["FullyQualifiedName"] = name
	return nil
}

// recomputeLinks works out the balances left on invoices, bills, credit
// memos and vendor credits from every payment, and lists the payments on
// the transactions they pay.
func (c *company) recomputeLinks(now time.Time) {
	for _, pay := range []struct{ entity, txnType string }{{"Payment", "Payment"}, {"BillPayment", "BillPayment"}} {
		used := c.applied(pay.entity, "")
		links := map[string][]obj{}
		for _, p := range c.all(pay.entity) {
			for _, l := range list(p, "Line") {
				for _, lt := range list(l, "LinkedTxn") {
					k := str(lt, "TxnType") + "/" + str(lt, "TxnId")
					links[k] = append(links[k], obj{"TxnId": str(p, "Id"), "TxnType": pay.txnType})
				}
			}
		}
		targets := map[string]string{"Invoice": "Balance", "CreditMemo": "RemainingCredit"}
		if pay.entity == "BillPayment" {
			targets = map[string]string{"Bill": "Balance", "VendorCredit": "Balance"}
		}
		for entity, field := range targets {
			for _, o := range c.all(entity) {
				k := entity + "/" + str(o, "Id")
				total, _ := num(o, "TotalAmt")
				balance := money(total.Sub(used[k]))
				var kept []obj
				for _, lt := range list(o, "LinkedTxn") {
					if str(lt, "TxnType") != pay.txnType {
						kept = append(kept, lt)
					}
				}
				kept = append(kept, links[k]...)
				changed := str(o, field) != balance.String() || len(kept) != len(list(o, "LinkedTxn"))
				o[field] = balance
				if len(kept) > 0 {
					setList(o, "LinkedTxn", kept)
				} else {
					delete(o, "LinkedTxn")
				}
				if changed {
					touch(o, now)
					bumpSyncToken(o)
				}
			}
		}
	}
}

func (c *company) companyInfo() obj {
	return obj{"Id": "1", "SyncToken": "0", "CompanyName": c.Name, "LegalName": c.Name, "Country": c.Country,
		"CompanyAddr": obj{"Line1": "1 Harbour Lane", "City": "Bristol", "PostalCode": "BS1 4RN", "Country": "GB"},
		"domain":      "QBO", "sparse": false, "SupportedLanguages": "en",
		"NameValue": []any{obj{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}},
		"MetaData":  obj{"CreateTime": "2026-01-05T09:00:00-07:00", "LastUpdatedTime": "2026-01-05T09:00:00-07:00"}}
}

func (c *company) preferences() obj {
	acct := obj{"TrackDepartments": true, "ClassTrackingPerTxnLine": true, "CustomerTerminology": "Customers"}
	if c.BookCloseDate != "" {
		acct["BookCloseDate"] = c.BookCloseDate
	}
	return obj{"Id": "1", "SyncToken": "0", "domain": "QBO", "AccountingInfoPrefs": acct,
		"SalesFormsPrefs": obj{"CustomTxnNumbers": true, "AutoApplyCredit": false, "AllowDiscount": true},
		"CurrencyPrefs":   obj{"MultiCurrencyEnabled": true, "HomeCurrency": obj{"value": c.HomeCurrency}},
		"TaxPrefs":        obj{"UsingSalesTax": true, "PartnerTaxEnabled": true}}
}
