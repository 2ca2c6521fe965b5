package sync

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Pre-check rules, by name (Problem.Rule).
const (
	RuleNominalUnmapped = "nominal-unmapped"
	RuleNominalUnknown  = "nominal-unknown"
	RuleTaxUnmapped     = "tax-unmapped"
	RuleUnknownItem     = "unknown-item"
	RuleStockNominal    = "stock-nominal"
	RuleMissingContact  = "missing-contact"
	RuleMissingDocument = "missing-document"
	RuleUnbalanced      = "unbalanced-journal"
	RuleCurrency        = "currency-not-enabled"
	RuleRecordGone      = "record-gone"
)

// checker holds what the pre-check rules read, loaded once per check.
type checker struct {
	db     *storage.DB
	module string
	pkg    string // the package's name for people
	// w are the words the problems and notes are written in.
	w    *words.Words
	caps connectors.Capabilities

	settings map[string]string
	// items and accounts are the package's reference data as last fetched;
	// nil when never fetched (the rules that need them are then skipped).
	items    map[string]bool
	accounts map[string]connectors.NominalAccount
	// pending is the module's Pending Export; queued indexes it by record.
	pending []PendingItem
	queued  map[Ref]int
	// prereqs caches what prerequisite found for each record.
	prereqs map[Ref]string
	base    string
	multi   bool
}

func (e *Engine) newChecker(ctx context.Context, def connectors.Definition) (*checker, error) {
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return nil, err
	}
	c := &checker{
		db: e.db, module: def.Name, pkg: title(def), caps: def.Caps, w: e.Words(),
		settings: settings,
		prereqs:  map[Ref]string{},
		base:     strings.ToUpper(strings.TrimSpace(settings[settingBaseCurrency])),
	}
	c.multi, _ = strconv.ParseBool(settings[SettingMultiCurrency])
	if codes, fetched, err := e.db.AncillaryCodes(ctx, def.Name, connectors.Items); err != nil {
		return nil, err
	} else if fetched {
		c.items = codes
	}
	if _, fetched, err := e.db.AncillaryCodes(ctx, def.Name, connectors.NominalAccounts); err != nil {
		return nil, err
	} else if fetched {
		c.accounts = map[string]connectors.NominalAccount{}
		err := e.db.Ancillary(ctx, def.Name, connectors.NominalAccounts, func(r connectors.Record) error {
			c.accounts[r.Account.Code] = *r.Account
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if c.pending, err = e.db.Queue(ctx, def.Name); err != nil {
		return nil, err
	}
	SortPending(c.pending)
	c.queued = make(map[Ref]int, len(c.pending))
	for i, q := range c.pending {
		c.queued[q.Ref()] = i
	}
	return c, nil
}

// partyOf is the party a document or payment belongs to.
func partyOf(rec connectors.Record) (Ref, bool) {
	switch {
	case rec.Document != nil:
		t := connectors.Customers
		if rec.Type == connectors.PurchaseInvoices || (rec.Type == connectors.CreditNotes && rec.Document.Purchase) {
			t = connectors.Suppliers
		}
		return Ref{Type: t, Code: rec.Document.PartyCode}, true
	case rec.Payment != nil && rec.Payment.PartyCode != "":
		t := connectors.Customers
		if rec.Type == connectors.PurchasePayments {
			t = connectors.Suppliers
		}
		return Ref{Type: t, Code: rec.Payment.PartyCode}, true
	}
	return Ref{}, false
}

// prerequisites are the records that must reach the package before rec.
func prerequisitesOf(rec connectors.Record) []Ref {
	var out []Ref
	if p, ok := partyOf(rec); ok && p.Code != "" {
		out = append(out, p)
	}
	if rec.Payment != nil {
		for _, a := range rec.Payment.Allocations {
			out = append(out, Ref{Type: a.DocumentType, Code: a.DocumentCode})
		}
	}
	return out
}

// check returns rec's problems (none means it may go) and notes on what
// will happen with it.
func (c *checker) check(ctx context.Context, rec connectors.Record) (ps []Problem, notes []string, err error) {
	add := func(rule, cause, fix string) { ps = append(ps, Problem{Rule: rule, Cause: cause, Fix: fix}) }
	w := c.w
	what, thisOne := noun(w, rec.Type), this(w, rec.Type)

	// Prerequisites: the party, and for a payment the documents it pays.
	if p, ok := partyOf(rec); ok && rec.Document != nil && strings.TrimSpace(p.Code) == "" {
		add(RuleMissingContact, w.T("engine.precheck.no_party.cause", "This", capital(thisOne), "Party", noun(w, p.Type)),
			w.T("engine.precheck.no_party.fix", "What", what, "Party", noun(w, p.Type)))
	}
	for _, dep := range prerequisitesOf(rec) {
		problem, err := c.prerequisite(ctx, dep)
		if err != nil {
			return nil, nil, err
		}
		if problem == "" {
			continue
		}
		rule := RuleMissingContact
		if dep.Type != connectors.Customers && dep.Type != connectors.Suppliers {
			rule = RuleMissingDocument
		}
		add(rule, w.T(problem, "What", capital(noun(w, dep.Type)), "Code", dep.Code, "Package", c.pkg),
			w.T("engine.precheck.prerequisite.fix", "What", noun(w, dep.Type), "Code", dep.Code, "Type", dep.Type.LabelIn(w), "Package", c.pkg))
	}

	// Lines of documents and journals.
	type line struct{ item, nominal, tax string }
	var lines []line
	switch {
	case rec.Document != nil:
		for _, l := range rec.Document.Lines {
			lines = append(lines, line{l.ItemCode, l.NominalCode, l.TaxCode})
		}
	case rec.Journal != nil:
		for _, l := range rec.Journal.Lines {
			lines = append(lines, line{nominal: l.NominalCode})
		}
	}
	for i, l := range lines {
		n := i + 1
		if l.nominal != "" {
			remote, mapped := c.mapped(MapNominalPrefix, l.nominal)
			acct, known := c.accounts[remote]
			switch {
			case !mapped:
				add(RuleNominalUnmapped, w.T("engine.precheck.nominal_unmapped.cause", "Code", l.nominal, "Line", w.Int(int64(n)), "Package", c.pkg),
					w.T("engine.precheck.nominal_unmapped.fix", "Code", l.nominal, "Package", c.pkg))
			case c.accounts != nil && !known:
				add(RuleNominalUnknown, w.T("engine.precheck.nominal_unknown.cause", "Code", l.nominal, "Line", w.Int(int64(n)), "Account", remote, "Package", c.pkg),
					w.T("engine.precheck.nominal_unknown.fix"))
			case acct.Stock || acct.CostOfSale:
				kind := w.T("engine.precheck.stock_account")
				if acct.CostOfSale {
					kind = w.T("engine.precheck.cost_of_sale_account")
				}
				add(RuleStockNominal, w.T("engine.precheck.stock_nominal.cause", "Code", l.nominal, "Line", w.Int(int64(n)), "Account", remote, "Name", acct.Name, "Kind", kind),
					w.T("engine.precheck.stock_nominal.fix", "Code", l.nominal, "Package", c.pkg))
			}
		}
		if l.tax != "" {
			if _, mapped := c.mapped(MapTaxPrefix, l.tax); !mapped {
				add(RuleTaxUnmapped, w.T("engine.precheck.tax_unmapped.cause", "Code", l.tax, "Line", w.Int(int64(n)), "Package", c.pkg),
					w.T("engine.precheck.tax_unmapped.fix", "Code", l.tax, "Package", c.pkg))
			}
		}
		if l.item != "" && c.items != nil && !c.items[l.item] {
			if !c.productsUpload() {
				add(RuleUnknownItem, w.T("engine.precheck.unknown_item.cause", "Code", l.item, "Line", w.Int(int64(n)), "Package", c.pkg),
					w.T("engine.precheck.unknown_item.fix", "Code", l.item, "Package", c.pkg))
				continue
			}
			p, err := c.missingProduct(ctx, l.item, n)
			if err != nil {
				return nil, nil, err
			}
			switch {
			case p != nil:
				ps = append(ps, *p)
			case !slices.Contains(notes, createNote(w, l.item, c.pkg)):
				notes = append(notes, createNote(w, l.item, c.pkg))
			}
		}
	}

	if rec.Journal != nil && !rec.Journal.Balanced() {
		dr, cr := journalTotals(rec.Journal)
		add(RuleUnbalanced, w.T("engine.precheck.unbalanced.cause", "Debits", w.Decimal(dr, 2), "Credits", w.Decimal(cr, 2), "Difference", w.Decimal(dr.Sub(cr).Abs(), 2)),
			w.T("engine.precheck.unbalanced.fix"))
	}
	if rec.Journal != nil {
		ps = append(ps, JournalProblemsIn(w, c.settings, *rec.Journal)...)
	}

	if cur := currencyOf(rec); cur != "" && !c.multi && c.base != "" && !strings.EqualFold(cur, c.base) {
		add(RuleCurrency, w.T("engine.precheck.currency.cause", "This", capital(thisOne), "Currency", strings.ToUpper(cur), "Base", c.base),
			w.T("engine.precheck.currency.fix", "Currency", strings.ToUpper(cur), "Package", c.pkg, "What", what, "Base", c.base))
	}
	return ps, notes, nil
}

// prerequisite says what is wrong with dep: the catalogue key of the
// problem ("" when it has reached the package or waits in Pending Export
// ahead of the record).
func (c *checker) prerequisite(ctx context.Context, dep Ref) (string, error) {
	if why, ok := c.prereqs[dep]; ok {
		return why, nil
	}
	why, err := c.lookupPrerequisite(ctx, dep)
	if err == nil {
		c.prereqs[dep] = why
	}
	return why, err
}

func (c *checker) lookupPrerequisite(ctx context.Context, dep Ref) (string, error) {
	if _, found, err := c.db.Head(ctx, dep.Type, dep.Code); err != nil {
		return "", err
	} else if !found {
		return "engine.precheck.prerequisite.missing", nil
	}
	if !c.caps.Supports(dep.Type, connectors.Upload) {
		// The package makes its own (from the document, for example).
		return "", nil
	}
	if _, linked, err := c.db.Link(ctx, c.module, dep); err != nil {
		return "", err
	} else if linked {
		return "", nil
	}
	if _, queued := c.queued[dep]; queued {
		return "", nil
	}
	return "engine.precheck.prerequisite.not_exported", nil
}

func (c *checker) mapped(prefix, local string) (string, bool) {
	v := strings.TrimSpace(c.settings[prefix+local])
	return v, v != ""
}

func currencyOf(rec connectors.Record) string {
	switch {
	case rec.Document != nil:
		return strings.TrimSpace(rec.Document.Currency)
	case rec.Payment != nil:
		return strings.TrimSpace(rec.Payment.Currency)
	case rec.Party != nil:
		return strings.TrimSpace(rec.Party.Currency)
	}
	return ""
}

func journalTotals(j *connectors.JournalEntry) (dr, cr decimal.Decimal) {
	for _, l := range j.Lines {
		dr = dr.Add(l.Debit)
		cr = cr.Add(l.Credit)
	}
	return dr, cr
}

// outbound is rec as the package must receive it: local nominal, tax and
// bank codes replaced by the module's mappings. rec itself is not changed.
func (c *checker) outbound(rec connectors.Record) connectors.Record {
	mapper := func(prefix string) func(string) string {
		return func(code string) string {
			if v, ok := c.mapped(prefix, code); ok {
				return v
			}
			return code
		}
	}
	return withCodes(rec, mapper(MapNominalPrefix), mapper(MapTaxPrefix), mapper(MapBankPrefix))
}

// Precheck runs the pre-check on the module's pending records (refs empty:
// all of them), stores each outcome on its row and returns the rows, in
// upload order.
func (e *Engine) Precheck(ctx context.Context, module string, refs []Ref) ([]PendingItem, error) {
	def, err := e.definition(module)
	if err != nil {
		return nil, err
	}
	unlock := e.lock(module)
	defer unlock()
	if _, err := e.refresh(ctx, def); err != nil {
		return nil, err
	}
	c, err := e.newChecker(ctx, def)
	if err != nil {
		return nil, err
	}
	items := c.selectPending(refs)
	if _, err := e.precheck(ctx, c, items, true); err != nil {
		return nil, err
	}
	out := make([]PendingItem, 0, len(items))
	for _, it := range items {
		q, found, err := e.db.QueueItem(ctx, module, it.Ref())
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, q)
		}
	}
	SortPending(out)
	return out, nil
}

// selectPending returns the pending items named by refs (all when refs is
// empty), in upload order.
func (c *checker) selectPending(refs []Ref) []PendingItem {
	if len(refs) == 0 {
		return c.pending
	}
	var out []PendingItem
	seen := map[Ref]bool{}
	for _, r := range refs {
		if i, ok := c.queued[r]; ok && !seen[r] {
			seen[r] = true
			out = append(out, c.pending[i])
		}
	}
	SortPending(out)
	return out
}

// checked is one pending item with its record and pre-check outcome.
type checked struct {
	item     PendingItem
	rec      storage.StoredRecord
	problems []Problem
	notes    []string
	gone     bool
}

// precheck checks items and returns the outcomes. The outcomes are stored
// on the items, all of them with storeAll, otherwise only those with
// problems (an upload stores the others as it sends them).
func (e *Engine) precheck(ctx context.Context, c *checker, items []PendingItem, storeAll bool) ([]checked, error) {
	now := e.now().UTC()
	refs := make([]Ref, len(items))
	for i, it := range items {
		refs[i] = it.Ref()
	}
	recs, err := e.db.GetRecords(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make([]checked, 0, len(items))
	store := map[Ref]storage.CheckedContent{}
	for _, it := range items {
		ch := checked{item: it}
		sr, found := recs[it.Ref()]
		if !found {
			ch.gone = true
			ch.problems = []Problem{{Rule: RuleRecordGone,
				Cause: c.w.T("engine.precheck.record_gone.cause", "What", capital(noun(c.w, it.Type)), "Code", it.Code),
				Fix:   c.w.T("engine.precheck.record_gone.fix")}}
		} else {
			ch.rec = sr
			if ch.problems, ch.notes, err = c.check(ctx, sr.Record); err != nil {
				return nil, err
			}
		}
		fp := it.Fingerprint
		if !ch.gone {
			fp = sr.Fingerprint
		}
		if len(ch.problems) > 0 {
			store[it.Ref()] = storage.CheckedContent{Fingerprint: fp, Check: storage.Check{Status: storage.CheckProblems, Problems: ch.problems, Notes: ch.notes, CheckedAt: now}}
		} else if storeAll {
			store[it.Ref()] = storage.CheckedContent{Fingerprint: fp, Check: storage.Check{Status: storage.CheckOK, Notes: ch.notes, CheckedAt: now}}
		}
		out = append(out, ch)
	}
	if len(store) > 0 {
		if err := e.db.SetChecks(ctx, c.module, store); err != nil {
			return nil, err
		}
	}
	return out, nil
}
