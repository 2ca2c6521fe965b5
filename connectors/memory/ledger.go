// Package memory is the reference ledger: an accounting package kept in
// memory. It backs the engine's tests and the command line's end-to-end
// tests, and it is the model every real connector follows: per-item
// verdicts with the package's own words, idempotency keys, paging,
// changed-since pulls, rate limits and a catalogue of causes and fixes.
//
// A Ledger is the package's side; a Conn is one open connection to it. The
// Ledger's test hooks (FailNext, FailAfterWrite, RateLimitNext, SetDailyLimit,
// SetLatency, Put, Records, Calls) let tests inject faults and look inside.
package memory

import (
	"context"
	"fmt"
	"slices"
	stdsync "sync"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// DefaultPageSize is how many records one page of ListChanged carries unless
// WithPageSize says otherwise.
const DefaultPageSize = 100

// Method names counted by Ledger.Calls: each is one request the ledger
// answered or refused. ListChanged makes one request per page.
const (
	MethodCheck       = "Check"
	MethodListChanged = "ListChanged"
	MethodWrite       = "Write"
	MethodGet         = "Get"
	MethodFindByCode  = "FindByCode"
)

// errNoAnswer is what injected faults return when the test gives no error
// of its own.
var errNoAnswer = fmt.Errorf("%w: the reference ledger did not answer", connectors.ErrTemporary)

// Option tunes a new Ledger.
type Option func(*Ledger)

// WithClock makes the ledger read the time from now instead of time.Now, so
// tests decide what UpdatedAt and the daily limit see.
func WithClock(now func() time.Time) Option {
	return func(l *Ledger) {
		if now != nil {
			l.clock = now
		}
	}
}

// WithPageSize sets how many records one page of ListChanged carries; n < 1
// keeps DefaultPageSize.
func WithPageSize(n int) Option {
	return func(l *Ledger) {
		if n > 0 {
			l.pageSize = n
		}
	}
}

// table holds one record type's records.
type table struct {
	byID   map[string]*connectors.Remote
	byCode map[string]string // business code → remote ID
}

// keyed is the remembered outcome of a successful write under an
// idempotency key.
type keyed struct {
	remoteID string
}

// Ledger is the package side of the reference connector: records per type
// keyed by remote ID, an idempotency-key table, seeded reference data and
// fault hooks. All methods are safe for concurrent use.
type Ledger struct {
	mu       stdsync.Mutex
	clock    func() time.Time
	offset   time.Duration // added to clock by Advance
	pageSize int

	seq    int
	tables map[connectors.RecordType]*table
	keys   map[string]keyed
	calls  map[string]int

	failNextN       int
	failNextErr     error
	failAfterWriteN int
	failAfterErr    error
	rateLimits      []time.Duration
	dailyLimit      int
	dayStart        time.Time
	dayCalls        int
	latency         time.Duration
}

// NewLedger returns a ledger holding only its seeded reference data: a small
// chart of accounts (with a stock and a cost-of-sale nominal), tax rates,
// items (some of them stock items), bank accounts and payment methods.
func NewLedger(opts ...Option) *Ledger {
	l := &Ledger{
		clock:    time.Now,
		pageSize: DefaultPageSize,
		tables:   map[connectors.RecordType]*table{},
		keys:     map[string]keyed{},
		calls:    map[string]int{},
	}
	for _, o := range opts {
		o(l)
	}
	for _, t := range connectors.AllTypes() {
		l.tables[t] = &table{byID: map[string]*connectors.Remote{}, byCode: map[string]string{}}
	}
	l.seed()
	return l
}

// Connection returns a connection to the ledger for the default organisation
// ("Demo Company", GBP).
func (l *Ledger) Connection() *Conn {
	return &Conn{ledger: l, organisation: defaultOrganisation, currency: defaultCurrency}
}

// now is the ledger's time; callers hold l.mu.
func (l *Ledger) now() time.Time { return l.clock().Add(l.offset) }

// Now returns the ledger's current time (its clock plus any Advance).
func (l *Ledger) Now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now()
}

// Advance moves the ledger's clock on by d, on top of whatever clock it
// reads, so later changes land at a later time.
func (l *Ledger) Advance(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.offset += d
}

// nextID returns an unused remote ID; callers hold l.mu.
func (l *Ledger) nextID() string {
	for {
		l.seq++
		id := fmt.Sprintf("MEM-%06d", l.seq)
		if !l.idInUse(id) {
			return id
		}
	}
}

func (l *Ledger) idInUse(id string) bool {
	for _, tb := range l.tables {
		if _, ok := tb.byID[id]; ok {
			return true
		}
	}
	return false
}

// store saves a copy of r under its remote ID; callers hold l.mu.
func (l *Ledger) store(t connectors.RecordType, r connectors.Remote) {
	tb := l.tables[t]
	if old, ok := tb.byID[r.RemoteID]; ok {
		if oldCode := old.Record.Code(); oldCode != r.Record.Code() && tb.byCode[oldCode] == r.RemoteID {
			delete(tb.byCode, oldCode)
		}
	}
	c := cloneRemote(r)
	tb.byID[r.RemoteID] = &c
	tb.byCode[r.Record.Code()] = r.RemoteID
}

// byCode returns the stored record of type t with business code code;
// callers hold l.mu and must not change what they get.
func (l *Ledger) byCode(t connectors.RecordType, code string) (*connectors.Remote, bool) {
	tb, ok := l.tables[t]
	if !ok {
		return nil, false
	}
	id, ok := tb.byCode[code]
	if !ok {
		return nil, false
	}
	r, ok := tb.byID[id]
	return r, ok
}

// Records returns copies of every record of type t, in remote-ID order.
func (l *Ledger) Records(t connectors.RecordType) []connectors.Remote {
	l.mu.Lock()
	defer l.mu.Unlock()
	tb, ok := l.tables[t]
	if !ok {
		return nil
	}
	out := make([]connectors.Remote, 0, len(tb.byID))
	for _, r := range tb.byID {
		out = append(out, cloneRemote(*r))
	}
	slices.SortFunc(out, func(a, b connectors.Remote) int { return compareStrings(a.RemoteID, b.RemoteID) })
	return out
}

// Count returns how many records of type t the ledger holds.
func (l *Ledger) Count(t connectors.RecordType) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tb, ok := l.tables[t]; ok {
		return len(tb.byID)
	}
	return 0
}

// Calls returns how many requests of the named method (MethodWrite, ...) the
// ledger has received, including refused ones.
func (l *Ledger) Calls(method string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[method]
}

// Put stores a record as if someone had entered it in the package itself,
// for example a payment received there. It applies the same rules as Write
// (a payment's allocations reduce its invoices' amount due; documents get
// their total, amount due and status computed). A blank RemoteID gets a new
// one; a RemoteID of this type already held is an update (refused for
// payments, as in Write); a zero UpdatedAt becomes the ledger's now. A
// refusal is the *connectors.ItemError Write would give. Put is not counted
// as a call and no fault applies to it.
func (l *Ledger) Put(t connectors.RecordType, r connectors.Remote) (connectors.Remote, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.tables[t]; !ok {
		return connectors.Remote{}, fmt.Errorf("the reference ledger has no record type %q", t)
	}
	if r.Record.Type == "" {
		r.Record.Type = t
	}
	rec := r.Record.Clone()
	if ie := checkShape(t, rec); ie != nil {
		return connectors.Remote{}, ie
	}
	_, exists := l.tables[t].byID[r.RemoteID]
	if r.RemoteID != "" && !exists && l.idInUse(r.RemoteID) {
		return connectors.Remote{}, fmt.Errorf("remote ID %q is already used by a record of another type", r.RemoteID)
	}
	at := r.UpdatedAt
	if at.IsZero() {
		at = l.now()
	}
	w := writeCtx{ledger: l, currency: defaultCurrency, at: at}
	var (
		id string
		ie *connectors.ItemError
	)
	if exists {
		id, ie = w.update(t, r.RemoteID, rec)
	} else {
		id, ie = w.create(t, r.RemoteID, rec)
	}
	if ie != nil {
		return connectors.Remote{}, ie
	}
	return cloneRemote(*l.tables[t].byID[id]), nil
}

// FailNext makes the next n requests fail with err before doing anything.
// A nil err means a temporary failure (connectors.ErrTemporary).
func (l *Ledger) FailNext(n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failNextN, l.failNextErr = max(n, 0), orNoAnswer(err)
}

// FailAfterWrite makes the next n Writes apply their items and then return
// err instead of the results: the reply is lost, as when a connection drops
// after the package committed. A nil err means a temporary failure.
func (l *Ledger) FailAfterWrite(n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failAfterWriteN, l.failAfterErr = max(n, 0), orNoAnswer(err)
}

// LoseNextReply makes the next Write apply its items and then fail with a
// temporary error, as FailAfterWrite(1, nil).
func (l *Ledger) LoseNextReply() { l.FailAfterWrite(1, nil) }

// RateLimitNext makes the next request answer "slow down" with a
// *connectors.RateLimitError asking to wait retryAfter. Each call queues one
// such answer.
func (l *Ledger) RateLimitNext(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	l.rateLimits = append(l.rateLimits, retryAfter)
}

// SetDailyLimit allows n requests per UTC day; the next ones get a daily
// *connectors.RateLimitError resuming at the following midnight UTC. n < 1
// removes the limit. The day's count starts afresh.
func (l *Ledger) SetDailyLimit(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dailyLimit = max(n, 0)
	l.dayCalls = 0
	l.dayStart = dayOf(l.now())
}

// SetLatency makes every request take d, or until its context ends.
func (l *Ledger) SetLatency(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latency = max(d, 0)
}

func orNoAnswer(err error) error {
	if err == nil {
		return errNoAnswer
	}
	return err
}

func dayOf(t time.Time) time.Time {
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// begin is the front door of every request: it counts the call, waits the
// latency and applies injected faults and limits, in that order.
func (l *Ledger) begin(ctx context.Context, method string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	l.calls[method]++
	latency := l.latency
	l.mu.Unlock()

	if latency > 0 {
		timer := time.NewTimer(latency)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dailyLimit > 0 {
		now := l.now()
		if today := dayOf(now); !today.Equal(l.dayStart) {
			l.dayStart, l.dayCalls = today, 0
		}
		if l.dayCalls >= l.dailyLimit {
			resume := l.dayStart.AddDate(0, 0, 1)
			return &connectors.RateLimitError{
				RetryAfter: resume.Sub(now),
				Daily:      true,
				ResumeAt:   resume,
				Message:    fmt.Sprintf("Daily limit of %d requests reached.", l.dailyLimit),
			}
		}
		l.dayCalls++
	}
	if len(l.rateLimits) > 0 {
		wait := l.rateLimits[0]
		l.rateLimits = l.rateLimits[1:]
		return &connectors.RateLimitError{RetryAfter: wait, Message: "Too many requests; try again shortly."}
	}
	if l.failNextN > 0 {
		l.failNextN--
		return l.failNextErr
	}
	return nil
}

// afterWrite returns the error that replaces a Write's reply, if one is
// armed.
func (l *Ledger) afterWrite() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failAfterWriteN > 0 {
		l.failAfterWriteN--
		return l.failAfterErr
	}
	return nil
}

// seed fills the reference data every new ledger starts with.
func (l *Ledger) seed() {
	at := l.now()
	put := func(r connectors.Record) {
		id := l.nextID()
		l.store(r.Type, connectors.Remote{RemoteID: id, Record: r, UpdatedAt: at})
	}
	for _, a := range seedAccounts() {
		put(connectors.Record{Type: connectors.NominalAccounts, Account: &a})
	}
	for _, r := range []connectors.TaxRate{
		{Code: "T0", Name: "Zero rated", Rate: decimal.Zero},
		{Code: "T1", Name: "Standard rate", Rate: decimal.NewFromInt(20)},
		{Code: "T2", Name: "Exempt", Rate: decimal.Zero},
		{Code: "T5", Name: "Reduced rate", Rate: decimal.NewFromInt(5)},
		{Code: "T9", Name: "Outside the scope of VAT", Rate: decimal.Zero},
	} {
		put(connectors.Record{Type: connectors.TaxRates, TaxRate: &r})
	}
	for _, it := range []connectors.Item{
		{Code: "WIDGET", Name: "Widget", SalesPrice: decimal.RequireFromString("12.50"), PurchasePrice: decimal.RequireFromString("6.00"), SalesAccount: "4000", Stock: true},
		{Code: "GADGET", Name: "Gadget", SalesPrice: decimal.RequireFromString("49.99"), PurchasePrice: decimal.RequireFromString("21.40"), SalesAccount: "4000", Stock: true},
		{Code: "CONSULT", Name: "Consultancy (per hour)", SalesPrice: decimal.RequireFromString("85.00"), SalesAccount: "4010"},
		{Code: "CARRIAGE", Name: "Delivery charge", SalesPrice: decimal.RequireFromString("7.95"), SalesAccount: "4905"},
	} {
		put(connectors.Record{Type: connectors.Items, Item: &it})
	}
	for _, b := range []connectors.BankAccount{
		{Code: "1200", Name: "Business Current Account", AccountNumber: "20-00-00 12345678", Currency: "GBP"},
		{Code: "1210", Name: "Business Deposit Account", AccountNumber: "20-00-00 87654321", Currency: "GBP"},
		{Code: "1220", Name: "Euro Account", AccountNumber: "GB29NWBK60161331926819", Currency: "EUR"},
	} {
		put(connectors.Record{Type: connectors.BankAccounts, BankAccount: &b})
	}
	for _, m := range []connectors.PaymentMethod{
		{Code: "BACS", Name: "Bank transfer"},
		{Code: "CARD", Name: "Card"},
		{Code: "CASH", Name: "Cash"},
		{Code: "CHEQUE", Name: "Cheque"},
	} {
		put(connectors.Record{Type: connectors.PaymentMethods, PaymentMethod: &m})
	}
}

func seedAccounts() []connectors.NominalAccount {
	return []connectors.NominalAccount{
		{Code: "1001", Name: "Stock", Class: connectors.ClassAsset, Type: "inventory", Stock: true},
		{Code: "1100", Name: "Trade Debtors", Class: connectors.ClassAsset, Type: "receivables"},
		{Code: "1200", Name: "Business Current Account", Class: connectors.ClassAsset, Type: "bank", Bank: true},
		{Code: "1210", Name: "Business Deposit Account", Class: connectors.ClassAsset, Type: "bank", Bank: true},
		{Code: "1220", Name: "Euro Account", Class: connectors.ClassAsset, Type: "bank", Bank: true},
		{Code: "2100", Name: "Trade Creditors", Class: connectors.ClassLiability, Type: "payables"},
		{Code: "2200", Name: "VAT", Class: connectors.ClassLiability, Type: "tax"},
		{Code: "2210", Name: "PAYE and NI", Class: connectors.ClassLiability, Type: "current_liability"},
		{Code: "2220", Name: "Net Wages", Class: connectors.ClassLiability, Type: "current_liability"},
		{Code: "2230", Name: "Pension Contributions", Class: connectors.ClassLiability, Type: "current_liability"},
		{Code: "3000", Name: "Share Capital", Class: connectors.ClassEquity, Type: "equity"},
		{Code: "4000", Name: "Sales", Class: connectors.ClassRevenue, Type: "revenue", TaxCode: "T1"},
		{Code: "4010", Name: "Sales - Services", Class: connectors.ClassRevenue, Type: "revenue", TaxCode: "T1"},
		{Code: "4905", Name: "Carriage Charged", Class: connectors.ClassRevenue, Type: "revenue", TaxCode: "T1"},
		{Code: "4999", Name: "Old Sales Account", Class: connectors.ClassRevenue, Type: "revenue", Archived: true},
		{Code: "5000", Name: "Cost of Sales", Class: connectors.ClassExpense, Type: "direct_costs", CostOfSale: true},
		{Code: "5100", Name: "Materials Purchased", Class: connectors.ClassExpense, Type: "direct_costs", TaxCode: "T1"},
		{Code: "7000", Name: "Gross Wages", Class: connectors.ClassExpense, Type: "expense"},
		{Code: "7006", Name: "Employer's NI", Class: connectors.ClassExpense, Type: "expense"},
		{Code: "7007", Name: "Employer's Pension", Class: connectors.ClassExpense, Type: "expense"},
		{Code: "7500", Name: "Office Costs", Class: connectors.ClassExpense, Type: "overheads", TaxCode: "T1"},
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cloneRemote returns a deep copy so that callers never share the ledger's
// slices and maps.
func cloneRemote(r connectors.Remote) connectors.Remote {
	r.Record = r.Record.Clone()
	return r
}

// Delete deletes the record of type t with remote ID id as if someone had
// done it in the package itself: ListChanged reports it with Deleted set
// (a document's status becomes deleted), its code is free again, and it
// cannot be changed any more. Deleting a payment gives its invoices their
// amount due back.
func (l *Ledger) Delete(t connectors.RecordType, id string) error {
	return l.remove(t, id, connectors.StatusDeleted)
}

// Void voids the document or payment of type t with remote ID id, as Delete
// does, except that a document keeps its number and shows status voided.
func (l *Ledger) Void(t connectors.RecordType, id string) error {
	return l.remove(t, id, connectors.StatusVoided)
}

func (l *Ledger) remove(t connectors.RecordType, id string, status connectors.DocumentStatus) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	tb, ok := l.tables[t]
	if !ok {
		return fmt.Errorf("the reference ledger has no record type %q", t)
	}
	old, ok := tb.byID[id]
	if !ok {
		return fmt.Errorf("the reference ledger has no %s with ID %q", noun(t), id)
	}
	if old.Deleted {
		return fmt.Errorf("%s %q is already deleted or voided", noun(t), id)
	}
	at := l.now()
	next := cloneRemote(*old)
	next.Deleted, next.UpdatedAt = true, at
	switch rec := next.Record; {
	case rec.Document != nil:
		rec.Document.Status = status
	case rec.Payment != nil:
		l.unallocate(t, rec.Payment, at)
	}
	tb.byID[id] = &next
	if status == connectors.StatusDeleted && tb.byCode[next.Record.Code()] == id {
		delete(tb.byCode, next.Record.Code())
	}
	return nil
}

// unallocate gives the invoices p paid their amount due back; callers hold
// l.mu.
func (l *Ledger) unallocate(t connectors.RecordType, p *connectors.Payment, at time.Time) {
	for _, a := range p.Allocations {
		inv, ok := l.byCode(invoiceType(t), a.DocumentCode)
		if !ok {
			continue
		}
		next := cloneRemote(*inv)
		doc := next.Record.Document
		doc.AmountDue = doc.AmountDue.Add(a.Amount)
		if doc.Status == connectors.StatusPaid {
			doc.Status = connectors.StatusAuthorised
		}
		if at.After(next.UpdatedAt) {
			next.UpdatedAt = at
		}
		l.store(invoiceType(t), next)
	}
}
