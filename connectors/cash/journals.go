package cash

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// How a journal part becomes a CASH posting (record 301 lines, one stuk):
//
//   - F0901 dagboek: the part's JournalCode (the company mapping), else the
//     module's journal code; F0301 and F0310 the part's period as JJPP;
//     F0302 its date as JJMMDD.
//   - F0303 stuknummer: six digits derived from the part's code alone
//     (docNumber), so the same part always gets the same number and CASH,
//     which refuses a stuknummer its journal already holds, refuses a
//     resend after a lost answer instead of booking it twice. Should the
//     number belong to another posting (a hand-made one, say), the next of
//     a fixed series of numbers is tried (probing), and FindByCode walks
//     the same series.
//   - F0711 referentie (13 characters) on every line: a six-character mark
//     of the part's code (partMark), which tells LedgerLink's posting from
//     anybody else's under the same number, followed by the line's cost
//     type (kostensoort). CASH has no cost type field of its own, so cost
//     types travel this way, one line per cost centre and cost type as the
//     engine split them, never merged; a read-back gives each line its cost
//     type again.
//   - F0201 grootboekrekening; F0911 kostenplaats (3 characters, through the
//     Options table for longer codes); F0306 omschrijving: the line's
//     description, else the part's, cut to CASH's 25 characters (the full
//     text stays in LedgerLink's own journal record, which the Pending
//     Export and Exported grids show; CASH's copy is the cut one);
//     F0307 bedrag: comma decimals, + debit, − credit.

// CASH's field lengths (record layout, "Recordindeling CASH").
const (
	maxJournal     = 6
	maxAccount     = 6
	maxCostCentre  = 3
	maxDescription = 25
	maxReference   = 13
	markLen        = 6
	maxCostType    = maxReference - markLen
)

// probes is how many numbers of a part's series are tried.
const probes = 8

// unauthorizedAccess is CASH's answer for an administration the API user
// has not linked.
const unauthorizedAccess = "1002 Unauthorized Access" // words:verbatim

// seedPendingMessage is CASH's message for an import no administration has
// processed (seed 003), word for word.
const seedPendingMessage = "De XML import is nog niet verwerkt door een administratie en de transactie is nog in behandeling" // words:verbatim

// Item error codes of LedgerLink's own refusals.
const (
	codePending = "pending"
	codeLocal   = "cash-local"
)

// docNumber is the n-th stuknummer of a part's series: 100000–999999, so
// it stays clear of the low numbers CASH hands out in sequence.
func docNumber(code string, n int) string {
	h := sha256.Sum256([]byte("ledgerlink/cash/stuk\x00" + code + "\x00" + strconv.Itoa(n)))
	return strconv.FormatUint(100000+binary.BigEndian.Uint64(h[:8])%900000, 10)
}

const markAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// partMark is the six-character mark of a part's code kept in every line's
// referentie.
func partMark(code string) string {
	h := sha256.Sum256([]byte("ledgerlink/cash/mark\x00" + code))
	v := binary.BigEndian.Uint32(h[:4])
	b := make([]byte, markLen)
	for i := range b {
		b[i] = markAlphabet[v&31]
		v >>= 5
	}
	return string(b)
}

// posting is one stuk on its way to CASH or read back from it.
type posting struct {
	code    string
	target  target
	period  string // JJPP
	date    string // JJMMDD
	number  string
	lines   []postLine
	written time.Time
}

type postLine struct {
	account     string
	costCentre  string // CASH's code
	costType    string // as kept in the referentie
	description string
	amount      decimal.Decimal // + debit, − credit
}

// cut shortens s to n characters.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n]))
	}
	return s
}

// period turns "2026-10" into CASH's "2610".
func cashPeriod(p string, d connectors.Date) (string, bool) {
	p = strings.TrimSpace(p)
	if p == "" {
		if d.IsZero() {
			return "", false
		}
		return d.Format("0601"), true
	}
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return "", false
	}
	return t.Format("0601"), true
}

// toPosting maps one journal part to a CASH posting.
func (c *Conn) toPosting(j connectors.JournalEntry) (posting, error) {
	code := strings.TrimSpace(j.Code)
	if code == "" {
		return posting{}, c.refuse("cash.refusal.no_code")
	}
	tg := target{admin: cmp.Or(strings.TrimSpace(j.Administration), c.set.admin), journal: strings.ToUpper(cmp.Or(strings.TrimSpace(j.JournalCode), c.set.journal))}
	if tg.admin == "" || tg.journal == "" {
		return posting{}, c.refuse("cash.refusal.no_target", "Code", code, "Company", j.Company)
	}
	if len(tg.journal) > maxJournal {
		return posting{}, c.refuse("cash.refusal.journal_too_long", "Journal", tg.journal, "Code", code, "Max", maxJournal)
	}
	if j.Date.IsZero() {
		return posting{}, c.refuse("cash.refusal.no_date", "Code", code)
	}
	per, ok := cashPeriod(j.Period, j.Date)
	if !ok {
		return posting{}, c.refuse("cash.refusal.bad_period", "Code", code, "Period", j.Period)
	}
	p := posting{code: code, target: tg, period: per, date: j.Date.Format("060102")}
	total := decimal.Zero
	for i, l := range j.Lines {
		acct := strings.TrimSpace(l.NominalCode)
		switch {
		case acct == "":
			return posting{}, c.refuse("cash.refusal.no_account", "Line", i+1, "Code", code)
		case len([]rune(acct)) > maxAccount:
			return posting{}, c.refuse("cash.refusal.account_too_long", "Account", acct, "Line", i+1, "Code", code, "Max", maxAccount)
		}
		cc := strings.TrimSpace(l.CostCentre)
		if m, ok := c.set.costCentres[cc]; ok {
			cc = m
		}
		if len([]rune(cc)) > maxCostCentre {
			return posting{}, c.refuse("cash.refusal.cost_centre_too_long", "CostCentre", cc, "Line", i+1, "Code", code, "Max", maxCostCentre, "Short", cut(cc, maxCostCentre))
		}
		ct := strings.TrimSpace(l.CostType)
		if m, ok := c.set.costTypes[ct]; ok {
			ct = m
		}
		if len([]rune(ct)) > maxCostType {
			return posting{}, c.refuse("cash.refusal.cost_type_too_long", "CostType", ct, "Line", i+1, "Code", code, "Max", maxCostType, "Short", cut(ct, maxCostType))
		}
		amount := l.Debit.Sub(l.Credit)
		if !amount.Equal(amount.Round(2)) {
			return posting{}, c.refuse("cash.refusal.cents", "Line", i+1, "Code", code, "Amount", amount.String())
		}
		if amount.Abs().GreaterThanOrEqual(decimal.New(1, 10)) {
			return posting{}, c.refuse("cash.refusal.too_large", "Line", i+1, "Code", code, "Amount", amount.StringFixed(2))
		}
		total = total.Add(amount)
		p.lines = append(p.lines, postLine{
			account: acct, costCentre: cc, costType: ct,
			description: cut(cmp.Or(strings.TrimSpace(l.Description), strings.TrimSpace(j.Description)), maxDescription),
			amount:      amount,
		})
	}
	if len(p.lines) == 0 {
		return posting{}, c.refuse("cash.refusal.no_lines", "Code", code)
	}
	if !total.IsZero() {
		return posting{}, c.refuse("cash.refusal.unbalanced", "Code", code, "Difference", total.StringFixed(2))
	}
	return p, nil
}

// formatAmount writes CASH's amount: "1264,50", "-72,10".
func formatAmount(d decimal.Decimal) string {
	return strings.Replace(d.StringFixed(2), ".", ",", 1)
}

// parseAmount reads an amount as CASH may send it back: "1264,50",
// "-1.264,50", "1264.50" or a number.
func parseAmount(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Decimal{}, errors.New("no amount") // words:log: rows whose amount cannot be read are skipped
	}
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	if strings.ContainsAny(s, "eE") {
		return decimal.Decimal{}, fmt.Errorf("amount %q is not written in figures", s) // words:log: rows whose amount cannot be read are skipped
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("amount %q: %w", s, err)
	}
	return d, nil
}

// line301 is one record 301 line as CASH's import takes it: every field a
// string named by its rubriek number.
type line301 struct {
	Journal     string `json:"F0901"`
	Period      string `json:"F0301"`
	LedgerPer   string `json:"F0310"`
	Date        string `json:"F0302"`
	Number      string `json:"F0303"`
	Account     string `json:"F0201"`
	CostCentre  string `json:"F0911,omitempty"`
	Description string `json:"F0306,omitempty"`
	Amount      string `json:"F0307"`
	Reference   string `json:"F0711"`
}

type element301 struct {
	R301 [1]line301 `json:"R301"`
}

type importRequest struct {
	Admin   string `json:"admin"`
	Format  int    `json:"format"`
	Content struct {
		Cash []element301 `json:"cash"`
	} `json:"content"`
}

// importBody is POST /import's body: every line in its own element of
// content.cash (CASH kept only the last line of a list of several).
func (p posting) importBody() importRequest {
	req := importRequest{Admin: p.target.admin}
	mark := partMark(p.code)
	req.Content.Cash = make([]element301, len(p.lines))
	for i, l := range p.lines {
		req.Content.Cash[i].R301[0] = line301{
			Journal: p.target.journal, Period: p.period, LedgerPer: p.period, Date: p.date, Number: p.number,
			Account: l.account, CostCentre: l.costCentre, Description: l.description,
			Amount: formatAmount(l.amount), Reference: mark + l.costType,
		}
	}
	return req
}

// Remote IDs are "admin/journal/JJPP/stuknummer/code", each part escaped,
// so that Get knows where to read and which part it is.
func remoteID(p posting) string {
	parts := []string{p.target.admin, p.target.journal, p.period, p.number, p.code}
	for i, s := range parts {
		parts[i] = url.QueryEscape(s)
	}
	return strings.Join(parts, "/")
}

func parseRemoteID(id string) (posting, bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 5 {
		return posting{}, false
	}
	for i, s := range parts {
		v, err := url.QueryUnescape(s)
		if err != nil || v == "" {
			return posting{}, false
		}
		parts[i] = v
	}
	return posting{target: target{parts[0], parts[1]}, period: parts[2], number: parts[3], code: parts[4]}, true
}

// Write books journal parts, one import (one stuk) each, in order. A
// failure that gives no verdict (a lost answer, a rate limit, a refused
// key) ends the batch with that error: the parts already sent are booked,
// and the engine looks them up before sending again.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t != connectors.Journals {
		return nil, own.Fail(nil, "cash.not_sent", "Type", t.Text())
	}
	if len(items) > BatchSize {
		return nil, fmt.Errorf("a batch of %d payroll journals is more than the %d LedgerLink sends to CASH at once", len(items), BatchSize) // words:log: the engine splits batches at BatchSize
	}
	out := make([]connectors.WriteResult, 0, len(items))
	// Once one import of an administration stays pending past the wait,
	// the batch's later imports there are checked once, not waited for:
	// they are held up by the same missing rights.
	stuck := map[string]bool{}
	for _, it := range items {
		id, err := c.writeOne(ctx, it, stuck)
		var ie *connectors.ItemError
		var r *refusal
		switch {
		case errors.As(err, &r):
			// LedgerLink's own refusal keeps its words for every language.
			out = append(out, connectors.WriteResult{Key: it.Key, Err: r})
		case errors.As(err, &ie):
			out = append(out, connectors.WriteResult{Key: it.Key, Err: ie})
		case err != nil:
			return nil, err
		default:
			out = append(out, connectors.WriteResult{Key: it.Key, RemoteID: id})
		}
	}
	return out, nil
}

func (c *Conn) writeOne(ctx context.Context, it connectors.WriteItem, stuck map[string]bool) (string, error) {
	if it.Record.Journal == nil {
		return "", c.refuse("cash.refusal.no_journal")
	}
	p, ie := c.toPosting(*it.Record.Journal)
	if ie != nil {
		return "", ie
	}
	c.remember(p.target)
	if it.RemoteID != "" {
		if old, ok := parseRemoteID(it.RemoteID); ok {
			got, err := c.readPostings(ctx, old.target.admin, old.period, old.period)
			if err != nil {
				return "", err
			}
			if booked, found := findPosting(got, old.target.journal, old.code, []string{old.number}); found {
				p.number = old.number
				if sameContent(booked, p) && booked.target == p.target && booked.period == p.period {
					return it.RemoteID, nil
				}
				return "", c.refuse("cash.refusal.changed_period", "Code", p.code, "Administration", old.target.admin, "Journal", old.target.journal, "Number", old.number)
			}
		}
	}
	for n := range probes {
		p.number = docNumber(p.code, n)
		wait := c.set.pendingWait
		if stuck[p.target.admin] {
			wait = c.pollEvery
		}
		err := c.importPosting(ctx, p, wait)
		if ie := (*connectors.ItemError)(nil); errors.As(err, &ie) && ie.Code == codePending {
			stuck[p.target.admin] = true
		}
		if err == nil {
			return remoteID(p), nil
		}
		if !isDuplicate(err) {
			return "", err
		}
		// CASH already holds this stuknummer in the journal: LedgerLink's
		// own posting (a resend after a lost answer) or somebody else's.
		got, rerr := c.readPostings(ctx, p.target.admin, p.period, p.period)
		if rerr != nil {
			return "", rerr
		}
		booked, ours := findPosting(got, p.target.journal, p.code, []string{p.number})
		if !ours {
			continue
		}
		if sameContent(booked, p) {
			return remoteID(p), nil
		}
		return "", c.refuse("cash.refusal.changed", "Code", p.code, "Administration", p.target.admin, "Journal", p.target.journal, "Number", p.number)
	}
	return "", c.refuse("cash.refusal.numbers_used", "Code", p.code, "Journal", p.target.journal)
}

func (c *Conn) remember(t target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.written, t) {
		c.written = append(c.written, t)
	}
}

// duplicateRe matches CASH's refusal of a stuknummer its journal holds.
var duplicateRe = regexp.MustCompile(`(?i)(stuk\s*(nummer|nr\.?)?|0303).*(bestaat|al in gebruik|dubbel|already exists|duplicate)`)

func isDuplicate(err error) bool {
	var ie *connectors.ItemError
	if !errors.As(err, &ie) {
		return false
	}
	return duplicateRe.MatchString(ie.Message)
}

// importPosting sends one posting and, when CASH answers pending, polls
// its transaction until it is processed, fails, or wait runs out. A
// refusal is an *connectors.ItemError with CASH's words.
func (c *Conn) importPosting(ctx context.Context, p posting, wait time.Duration) error {
	var ans json.RawMessage
	status, err := c.call(ctx, http.MethodPost, "/import", nil, p.importBody(), &ans)
	if errors.Is(err, ErrUnauthorizedAccess) {
		// This administration is not linked to the API user; the others
		// may be, so the refusal is this entry's.
		return &connectors.ItemError{Code: "1002", Message: unauthorizedAccess}
	}
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && !errors.Is(err, connectors.ErrTemporary) {
			return itemErrorOf(apiErr.Messages, apiErr.Status)
		}
		return err
	}
	if status != http.StatusAccepted {
		// 201 (and 200): processed.
		return nil
	}
	tx, err := parseTransaction(ans)
	if err != nil {
		return fmt.Errorf("%w: %w", connectors.ErrTemporary, err)
	}
	deadline := c.clock.Now().Add(wait)
	for {
		switch tx.status {
		case txSuccess:
			return nil
		case txError:
			return itemErrorOf(tx.messages, 0)
		}
		if !c.clock.Now().Before(deadline) {
			c.log.Warn("cash: import still pending", "code", p.code, "administration", p.target.admin, "transaction", tx.id)
			return &connectors.ItemError{Code: codePending, Message: seedPendingMessage}
		}
		if tx.id == "" {
			return fmt.Errorf("%w: Cash Web answered pending without a transaction number", connectors.ErrTemporary)
		}
		if err := c.clock.Sleep(ctx, c.pollEvery); err != nil {
			return err
		}
		var raw json.RawMessage
		if _, err := c.call(ctx, http.MethodGet, "/transaction/"+url.PathEscape(tx.id), nil, nil, &raw); err != nil {
			return err
		}
		next, err := parseTransaction(raw)
		if err != nil {
			return fmt.Errorf("%w: %w", connectors.ErrTemporary, err)
		}

		next.id = cmp.Or(next.id, tx.id)
		tx = next
	}
}

func itemErrorOf(msgs []string, status int) *connectors.ItemError {
	ie := &connectors.ItemError{Message: strings.Join(msgs, "; ")}
	if ie.Message == "" {
		// CASH said nothing: its status is the only evidence.
		return own.ItemFail("", "", "cash.item.status", "Status", strconv.Itoa(status), "Text", http.StatusText(status))
	}
	if m := fieldRe.FindStringSubmatch(ie.Message); m != nil {
		ie.Field, ie.Code = m[1], "F"+m[1]
	}
	return ie
}

var fieldRe = regexp.MustCompile(`(?i)ongeldige waarde (\d{4})=`)

// Transaction statuses: REST answers words, the SOAP API numbers them 1–3.
const (
	txPending = "pending"
	txSuccess = "success"
	txError   = "error"
)

type transaction struct {
	id       string
	status   string
	messages []string
}

// parseTransaction reads a 202 answer or GET /transaction/{id}.
func parseTransaction(raw []byte) (transaction, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return transaction{}, own.Fail(err, "cash.transaction.unreadable")
	}
	tx := transaction{id: cmp.Or(field(obj, "transaction"), field(obj, "id"), field(obj, "Transaction"))}
	switch st := strings.ToLower(cmp.Or(field(obj, "status"), field(obj, "Status"))); st {
	case "pending", "1":
		tx.status = txPending
	case "success", "2", "ok", "processed":
		tx.status = txSuccess
	case "error", "3", "failed":
		tx.status = txError
	case "":
		if _, hasErr := obj["error"]; hasErr {
			tx.status = txError
		} else {
			return transaction{}, own.Fail(nil, "cash.transaction.no_status")
		}
	default:
		return transaction{}, own.Fail(nil, "cash.transaction.unknown_status", "Status", st)
	}
	if tx.status == txError {
		tx.messages = parseErrorBody(raw)
		// The generic heading is kept only when nothing more precise came.
		if len(tx.messages) > 1 {
			tx.messages = slices.DeleteFunc(tx.messages, func(m string) bool { return m == "Error import" }) // words:verbatim
		}
	}
	return tx, nil
}

// readPostings reads the administration's record 301 lines of periods
// from..to (JJPP) and groups them into postings by journal and stuknummer.
func (c *Conn) readPostings(ctx context.Context, admin, from, to string) ([]posting, error) {
	rs, err := c.export(ctx, admin, "301T", from+"|"+to)
	if err != nil {
		return nil, err
	}
	return groupPostings(admin, rs)
}

func normNumber(s string) string {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return strconv.Itoa(n)
	}
	return strings.TrimSpace(s)
}

// groupPostings turns export rows into postings; rows it cannot read are
// skipped with their reason, never guessed.
func groupPostings(admin string, rs []map[string]json.RawMessage) ([]posting, error) {
	type key struct{ journal, number, period, mark string }
	idx := map[key]int{}
	var out []posting
	for _, r := range rs {
		amount, err := parseAmount(field(r, "F0307"))
		if err != nil {
			continue
		}
		ref := field(r, "F0711")
		mark, ct := ref, ""
		if len(ref) >= markLen {
			mark, ct = ref[:markLen], ref[markLen:]
		}
		k := key{strings.ToUpper(field(r, "F0901")), normNumber(field(r, "F0303")), field(r, "F0301"), mark}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, posting{target: target{admin, k.journal}, period: k.period, date: field(r, "F0302"), number: k.number, code: "mark:" + mark})
		}
		out[i].lines = append(out[i].lines, postLine{
			account: field(r, "F0201"), costCentre: field(r, "F0911"), costType: ct,
			description: field(r, "F0306"), amount: amount,
		})
	}
	return out, nil
}

// findPosting finds the part code's posting among got in journal, under one
// of numbers.
func findPosting(got []posting, journal, code string, numbers []string) (posting, bool) {
	mark := "mark:" + partMark(code)
	for _, p := range got {
		if p.code == mark && p.target.journal == journal && slices.Contains(numbers, p.number) {
			p.code = code
			return p, true
		}
	}
	return posting{}, false
}

// sameContent compares what CASH keeps of two postings' lines, in any order.
func sameContent(a, b posting) bool {
	if len(a.lines) != len(b.lines) || a.date != b.date {
		return false
	}
	norm := func(p posting) []string {
		out := make([]string, len(p.lines))
		for i, l := range p.lines {
			out[i] = strings.Join([]string{l.account, l.costCentre, l.costType, cut(l.description, maxDescription), l.amount.StringFixed(2)}, "\x00")
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}

// entry reads a posting back as a journal part.
func (c *Conn) entry(p posting) (connectors.JournalEntry, error) {
	d, err := time.Parse("060102", p.date)
	if err != nil {
		return connectors.JournalEntry{}, fmt.Errorf("booking date %q of stuk %s: %w", p.date, p.number, err)
	}
	per, err := time.Parse("0601", p.period)
	if err != nil {
		return connectors.JournalEntry{}, fmt.Errorf("period %q of stuk %s: %w", p.period, p.number, err)
	}
	j := connectors.JournalEntry{
		Code: p.code, Date: connectors.DateOf(d), Period: per.Format("2006-01"),
		Administration: p.target.admin, JournalCode: p.target.journal,
	}
	centres, types := reverse(c.set.costCentres), reverse(c.set.costTypes)
	for _, l := range p.lines {
		jl := connectors.JournalLine{
			NominalCode: l.account, Description: l.description,
			CostCentre: cmp.Or(centres[l.costCentre], l.costCentre), CostType: cmp.Or(types[l.costType], l.costType),
		}
		if l.amount.IsNegative() {
			jl.Credit = l.amount.Neg()
		} else {
			jl.Debit = l.amount
		}
		j.Lines = append(j.Lines, jl)
	}
	return j, nil
}

func reverse(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// Get reads postings back by remote ID from CASH's export of their
// administration and period: a posting counts only when it is found in the
// administration and journal it was sent to, under its number and mark.
func (c *Conn) Get(ctx context.Context, t connectors.RecordType, remoteIDs []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t != connectors.Journals {
		return nil, nil
	}
	type where struct{ admin, period string }
	cache := map[where][]posting{}
	var out []connectors.Remote
	for _, id := range remoteIDs {
		want, ok := parseRemoteID(id)
		if !ok {
			continue
		}
		w := where{want.target.admin, want.period}
		got, seen := cache[w]
		if !seen {
			var err error
			if got, err = c.readPostings(ctx, w.admin, w.period, w.period); err != nil {
				return nil, err
			}
			cache[w] = got
		}
		p, found := findPosting(got, want.target.journal, want.code, []string{want.number})
		if !found {
			continue
		}
		j, err := c.entry(p)
		if err != nil {
			c.log.Warn("cash: cannot read a posting back", "id", id, "err", err)
			continue
		}
		out = append(out, connectors.Remote{RemoteID: id, Record: connectors.Record{Type: connectors.Journals, Journal: &j}})
	}
	return out, nil
}

// codePeriods finds the pay periods the engine may have put in a part's
// code ("PAY-7-2026-10-CC100" → 2610), as CASH's JJPP.
func codePeriods(code string) []string {
	var out []string
	for i := 0; i+8 <= len(code); i++ {
		s := code[i : i+8]
		if s[0] != '-' || s[5] != '-' || (i+8 < len(code) && code[i+8] != '-') {
			continue
		}
		if t, err := time.Parse("2006-01", s[1:]); err == nil {
			out = append(out, t.Format("0601"))
		}
	}
	return out
}

// FindByCode looks parts up by code in every administration and journal
// the module books in (its own, the company mapping's, and those written
// to): first in the periods the code names, then, for codes not found
// there, over the last three years and the next.
func (c *Conn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t != connectors.Journals || len(codes) == 0 {
		return nil, nil
	}
	c.mu.Lock()
	targets := slices.Clone(c.set.targets)
	for _, w := range c.written {
		if !slices.Contains(targets, w) {
			targets = append(targets, w)
		}
	}
	c.mu.Unlock()
	f := finder{c: c, targets: targets, cache: map[readKey][]posting{}}
	var out []connectors.Remote
	var rest []string
	for _, code := range codes {
		var spans []span
		for _, p := range codePeriods(code) {
			spans = append(spans, span{p, p})
		}
		r, ok, err := f.find(ctx, code, spans)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		} else {
			rest = append(rest, code)
		}
	}
	if len(rest) > 0 {
		var window []span
		year := c.clock.Now().Year() % 100
		for y := year - 3; y <= year+1; y++ {
			yy := fmt.Sprintf("%02d", (y+100)%100)
			window = append(window, span{yy + "01", yy + "12"})
		}
		for _, code := range rest {
			r, ok, err := f.find(ctx, code, window)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b connectors.Remote) int { return cmp.Compare(a.RemoteID, b.RemoteID) })
	return out, nil
}

type span struct{ from, to string }

type readKey struct {
	admin string
	span  span
}

// finder reads each administration's periods once per lookup.
type finder struct {
	c       *Conn
	targets []target
	cache   map[readKey][]posting
}

func (f *finder) find(ctx context.Context, code string, spans []span) (connectors.Remote, bool, error) {
	numbers := make([]string, probes)
	for n := range probes {
		numbers[n] = docNumber(code, n)
	}
	for _, tg := range f.targets {
		for _, s := range spans {
			k := readKey{tg.admin, s}
			got, seen := f.cache[k]
			if !seen {
				var err error
				got, err = f.c.readPostings(ctx, tg.admin, s.from, s.to)
				if errors.Is(err, ErrUnauthorizedAccess) {
					// Nothing of LedgerLink's can be booked where it may
					// not read: a write there is refused the same way.
					f.c.log.Warn("cash: an administration of the company mapping is not linked to the API user", "administration", tg.admin)
					err = nil
				}
				if err != nil {
					return connectors.Remote{}, false, err
				}
				f.cache[k] = got
			}
			p, found := findPosting(got, tg.journal, code, numbers)
			if !found {
				continue
			}
			j, err := f.c.entry(p)
			if err != nil {
				continue
			}
			return connectors.Remote{RemoteID: remoteID(p), Record: connectors.Record{Type: connectors.Journals, Journal: &j}}, true, nil
		}
	}
	return connectors.Remote{}, false, nil
}
