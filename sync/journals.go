package sync

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Settings of payroll journals (seed 003).
const (
	// MapCompanyPrefix + payroll company = the administration /
	// organisation the company's journals are booked in.
	MapCompanyPrefix = storage.PrefixMap + "company."
	// MapJournalCodePrefix + payroll company = the journal (dagboek) code.
	MapJournalCodePrefix = storage.PrefixMap + "journalcode."
	// SettingJournalsAutoSend ("true"/"false") sends payroll journals as
	// soon as they are imported, without waiting for Upload Data.
	SettingJournalsAutoSend = storage.PrefixOption + "journals_auto_send"
	// SettingJournalsByCostCentre and SettingJournalsByCostType split
	// journals per cost centre and per cost type.
	SettingJournalsByCostCentre = storage.PrefixOption + "journals_split_cost_centre"
	SettingJournalsByCostType   = storage.PrefixOption + "journals_split_cost_type"
)

// Pre-check rules of payroll journals (Problem.Rule).
const (
	RuleCompanyUnmapped = "company-unmapped"
	RuleJournalSplit    = "journal-split"
)

// SplitOptions says how a payroll journal is split beyond its periods.
type SplitOptions struct {
	// CostCentres splits per cost centre, CostTypes per cost type, when the
	// journal's lines carry them.
	CostCentres bool
	CostTypes   bool
	// Words are the language a JournalError and the parts' descriptions
	// are written in; nil is English.
	Words *words.Words
}

// JournalSplitOptions reads the split options from a module's settings.
func JournalSplitOptions(settings map[string]string) SplitOptions {
	cc, _ := strconv.ParseBool(strings.TrimSpace(settings[SettingJournalsByCostCentre]))
	ct, _ := strconv.ParseBool(strings.TrimSpace(settings[SettingJournalsByCostType]))
	return SplitOptions{CostCentres: cc, CostTypes: ct}
}

// JournalError is why a payroll journal cannot be split into parts the
// accounting package accepts, with what to do about it.
type JournalError struct {
	Journal string
	Rule    string
	Cause   string
	Fix     string
}

func (e *JournalError) Error() string { return e.Cause + " " + e.Fix }

// Problem is the error as a pre-check problem.
func (e *JournalError) Problem() Problem { return Problem{Rule: e.Rule, Cause: e.Cause, Fix: e.Fix} }

// partKey is what one part of a journal shares: a period, and a cost centre
// and cost type when the journal is split by them.
type partKey struct{ period, centre, costType string }

func (k partKey) describe(w *words.Words) string {
	var parts []string
	if k.period != "" {
		parts = append(parts, w.T("engine.journal.part.period", "Period", k.period))
	}
	if k.centre != "" {
		parts = append(parts, w.T("engine.journal.part.cost_centre", "Code", k.centre))
	}
	if k.costType != "" {
		parts = append(parts, w.T("engine.journal.part.cost_type", "Code", k.costType))
	}
	return strings.Join(parts, ", ")
}

// suffix is the part's deterministic code suffix, so sending the same
// journal again reaches the same parts.
func (k partKey) suffix() string {
	var b strings.Builder
	if k.period != "" {
		b.WriteString("-" + k.period)
	}
	if k.centre != "" {
		b.WriteString("-CC" + k.centre)
	}
	if k.costType != "" {
		b.WriteString("-CT" + k.costType)
	}
	return b.String()
}

// parsePeriod checks a pay period written YYYY-MM and returns its first day.
func parsePeriod(p string) (time.Time, bool) {
	if len(p) != 7 || p[4] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01", p)
	return t, err == nil
}

// SplitJournal splits a payroll journal into the entries the accounting
// package receives: one per pay period (a line's own Period, or the
// journal's), and within a period one per cost centre and per cost type
// when opts asks and the lines carry them. Each part's code is the
// journal's code followed by its period, "-CC" and its cost centre, "-CT"
// and its cost type (for example "J-7-2026-10-CC100"), so sending the same
// journal again reaches the same parts; a journal with no period at all and
// no split keeps its code. A part for another period than the journal's is
// dated on the last day of that period. Every part must balance on its own:
// when one does not, the error says which and why, and no part is returned.
func SplitJournal(j connectors.JournalEntry, opts SplitOptions) ([]connectors.JournalEntry, error) {
	fail := func(rule, cause, fix string) ([]connectors.JournalEntry, error) {
		return nil, &JournalError{Journal: j.Code, Rule: rule, Cause: cause, Fix: fix}
	}
	w := opts.Words
	if w == nil {
		w = english()
	}
	fixInPayroll := w.T("engine.journal.fix_in_payroll")
	if strings.TrimSpace(j.Code) == "" {
		return fail(RuleJournalSplit, w.T("engine.journal.no_code"), fixInPayroll)
	}
	if len(j.Lines) == 0 {
		return fail(RuleJournalSplit, w.T("engine.journal.no_lines", "Code", j.Code), fixInPayroll)
	}
	own := strings.TrimSpace(j.Period)
	if own != "" {
		if _, ok := parsePeriod(own); !ok {
			return fail(RuleJournalSplit, w.T("engine.journal.bad_period", "Code", j.Code, "Period", strconv.Quote(j.Period)), fixInPayroll)
		}
	}
	var useCentres, useTypes bool
	for _, l := range j.Lines {
		useCentres = useCentres || opts.CostCentres && strings.TrimSpace(l.CostCentre) != ""
		useTypes = useTypes || opts.CostTypes && strings.TrimSpace(l.CostType) != ""
	}
	groups := map[partKey][]connectors.JournalLine{}
	for i, l := range j.Lines {
		k := partKey{period: cmpOr(strings.TrimSpace(l.Period), own)}
		if k.period != "" {
			if _, ok := parsePeriod(k.period); !ok {
				return fail(RuleJournalSplit, w.T("engine.journal.bad_line_period", "Line", w.Int(int64(i+1)), "Code", j.Code, "Period", strconv.Quote(l.Period)), fixInPayroll)
			}
		}
		if useCentres {
			k.centre = strings.TrimSpace(l.CostCentre)
		}
		if useTypes {
			k.costType = strings.TrimSpace(l.CostType)
		}
		groups[k] = append(groups[k], l)
	}
	dr, cr := journalTotals(&j)
	if !dr.Equal(cr) {
		return fail(RuleUnbalanced, w.T("engine.journal.unbalanced", "Code", j.Code, "Debits", w.Decimal(dr, 2), "Credits", w.Decimal(cr, 2)),
			w.T("engine.precheck.unbalanced.fix"))
	}
	keys := make([]partKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b partKey) int {
		return cmp.Or(strings.Compare(a.period, b.period), strings.Compare(a.centre, b.centre), strings.Compare(a.costType, b.costType))
	})
	parts := make([]connectors.JournalEntry, 0, len(keys))
	codes := map[string]partKey{}
	for _, k := range keys {
		part := j
		part.Lines = slices.Clone(groups[k])
		part.Period = k.period
		part.Code = j.Code + k.suffix()
		if other, dup := codes[part.Code]; dup {
			return fail(RuleJournalSplit, w.T("engine.journal.parts_clash", "Code", j.Code, "First", other.describe(w), "Second", k.describe(w), "Part", part.Code),
				w.T("engine.journal.parts_clash.fix"))
		}
		codes[part.Code] = k
		if pdr, pcr := journalTotals(&part); !pdr.Equal(pcr) {
			return fail(RuleJournalSplit, w.T("engine.journal.part_unbalanced", "Code", j.Code, "Part", k.describe(w), "Debits", w.Decimal(pdr, 2), "Credits", w.Decimal(pcr, 2), "Difference", w.Decimal(pdr.Sub(pcr).Abs(), 2)),
				w.T("engine.journal.part_unbalanced.fix"))
		}
		if k.period != "" && k.period != own {
			start, _ := parsePeriod(k.period)
			end := start.AddDate(0, 1, 0)
			if j.Date.IsZero() || j.Date.Before(start) || !j.Date.Before(end) {
				part.Date = connectors.DateOf(end.AddDate(0, 0, -1))
			}
		}
		if len(keys) > 1 || useCentres || useTypes {
			label := k.describe(w)
			if label != "" {
				part.Description = strings.TrimSpace(strings.TrimSpace(j.Description) + " (" + label + ")")
			}
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// JournalTarget is where a payroll company's journals are booked.
type JournalTarget struct {
	Administration string
	JournalCode    string
}

// JournalTargetOf reads a payroll company's mapping; a company without one
// is a problem with its cause and fix, in English (JournalTargetIn says it
// in another language).
func JournalTargetOf(settings map[string]string, company string) (JournalTarget, *Problem) {
	return JournalTargetIn(english(), settings, company)
}

// JournalTargetIn is JournalTargetOf with the problem in w's language.
func JournalTargetIn(w *words.Words, settings map[string]string, company string) (JournalTarget, *Problem) {
	company = strings.TrimSpace(company)
	if company == "" {
		return JournalTarget{}, &Problem{Rule: RuleCompanyUnmapped,
			Cause: w.T("engine.journal.no_company.cause"),
			Fix:   w.T("engine.journal.no_company.fix")}
	}
	t := JournalTarget{
		Administration: strings.TrimSpace(settings[MapCompanyPrefix+company]),
		JournalCode:    strings.TrimSpace(settings[MapJournalCodePrefix+company]),
	}
	cause := ""
	switch {
	case t.Administration == "" && t.JournalCode == "":
		cause = "engine.journal.unmapped.both"
	case t.Administration == "":
		cause = "engine.journal.unmapped.administration"
	case t.JournalCode == "":
		cause = "engine.journal.unmapped.journal"
	}
	if cause != "" {
		return JournalTarget{}, &Problem{Rule: RuleCompanyUnmapped,
			Cause: w.T(cause, "Company", company),
			Fix:   w.T("engine.journal.unmapped.fix", "Company", company)}
	}
	return t, nil
}

// JournalProblems is the pre-check of a payroll journal under the module's
// settings: its company must be mapped (to an administration and journal
// the package has, once its administrations are fetched) and it must split
// into balanced parts. The problems are in English; JournalProblemsIn says
// them in another language.
func JournalProblems(settings map[string]string, j connectors.JournalEntry) []Problem {
	return JournalProblemsIn(english(), settings, j)
}

// JournalProblemsIn is JournalProblems in w's language.
func JournalProblemsIn(w *words.Words, settings map[string]string, j connectors.JournalEntry) []Problem {
	var ps []Problem
	if t, p := JournalTargetIn(w, settings, j.Company); p != nil {
		ps = append(ps, *p)
	} else if admins, known := AdministrationsOf(settings); known {
		// The mapping is checked against the administrations last fetched.
		if p := TargetProblemIn(w, admins, strings.TrimSpace(j.Company), t); p != nil {
			ps = append(ps, *p)
		}
	}
	opts := JournalSplitOptions(settings)
	opts.Words = w
	if _, err := SplitJournal(j, opts); err != nil {
		var je *JournalError
		if errors.As(err, &je) && je.Rule != RuleUnbalanced {
			ps = append(ps, je.Problem())
		}
		// An unbalanced journal is already the pre-check's own rule.
	}
	return ps
}

// ExpandJournal is what the upload sends for a pending payroll journal: its
// parts (SplitJournal under the module's split options), each addressed to
// the company's administration and journal code. Its errors are in English;
// ExpandJournalIn writes them in another language.
func ExpandJournal(settings map[string]string, j connectors.JournalEntry) ([]connectors.JournalEntry, error) {
	return ExpandJournalIn(english(), settings, j)
}

// ExpandJournalIn is ExpandJournal in w's language.
func ExpandJournalIn(w *words.Words, settings map[string]string, j connectors.JournalEntry) ([]connectors.JournalEntry, error) {
	target, p := JournalTargetIn(w, settings, j.Company)
	if p != nil {
		return nil, &JournalError{Journal: j.Code, Rule: p.Rule, Cause: p.Cause, Fix: p.Fix}
	}
	opts := JournalSplitOptions(settings)
	opts.Words = w
	parts, err := SplitJournal(j, opts)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		parts[i].Administration = target.Administration
		parts[i].JournalCode = target.JournalCode
	}
	return parts, nil
}

// Parts of a split journal travel under one remote ID made of
// "<part code>=<remote ID>" pairs joined by commas, so an update reaches
// exactly the parts sent before.
const (
	partSep   = ","
	partIDSep = "="
)

func joinPartIDs(ids map[string]string) string {
	codes := slices.Sorted(maps.Keys(ids))
	pairs := make([]string, len(codes))
	for i, c := range codes {
		pairs[i] = c + partIDSep + ids[c]
	}
	return strings.Join(pairs, partSep)
}

// splitPartIDs reads a composite remote ID; ok is false for a plain one.
func splitPartIDs(id string) (map[string]string, bool) {
	if !strings.Contains(id, partIDSep) {
		return nil, false
	}
	out := map[string]string{}
	for _, pair := range strings.Split(id, partSep) {
		code, rid, found := strings.Cut(pair, partIDSep)
		if !found || code == "" || rid == "" {
			return nil, false
		}
		out[code] = rid
	}
	return out, true
}

// JournalLinkID is the remote ID to open a journal with in the accounting
// package: for a split journal, its first part's; otherwise the ID itself.
func JournalLinkID(remoteID string) string {
	parts, ok := splitPartIDs(remoteID)
	if !ok {
		return remoteID
	}
	return parts[slices.Min(slices.Collect(maps.Keys(parts)))]
}

// JournalWrites wraps the upload's writer and reader (r may be nil) so that
// every payroll journal goes as its parts (ExpandJournal): one journal in,
// one verdict out, with a remote ID naming each part. Each part's
// idempotency key is the journal's key and the part's code, so a retry
// reaches the same parts; when the package can be read, parts it already
// holds (sent before a crash or a partial refusal) are not sent again.
// Other record types pass straight through. batch is the most items one
// Write may carry.
func JournalWrites(w connectors.Writer, r connectors.Reader, settings map[string]string, batch int) (connectors.Writer, connectors.Reader) {
	jw := &journalWriter{inner: w, reader: r, settings: settings, batch: max(batch, 1)}
	if r == nil {
		return jw, nil
	}
	return jw, &journalReader{inner: r}
}

type journalWriter struct {
	inner    connectors.Writer
	reader   connectors.Reader
	settings map[string]string
	batch    int
	// words are the language of LedgerLink's own messages; nil is English.
	words *words.Words
}

func (jw *journalWriter) lang() *words.Words {
	if jw.words == nil {
		return english()
	}
	return jw.words
}

// sentPart is one part of one journal on its way.
type sentPart struct {
	item int // index of the journal in the caller's items
	code string
	key  string
}

func (jw *journalWriter) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if t != connectors.Journals {
		return jw.inner.Write(ctx, t, items)
	}
	results := make([]connectors.WriteResult, len(items))
	ids := make([]map[string]string, len(items))
	var writes []connectors.WriteItem
	var sent []sentPart
	var lookup []string
	for i, it := range items {
		results[i].Key = it.Key
		if it.Record.Journal == nil {
			results[i].Err = &connectors.ItemError{Code: RuleJournalSplit, Message: jw.lang().T("engine.journal.no_journal")}
			continue
		}
		parts, err := ExpandJournalIn(jw.lang(), jw.settings, *it.Record.Journal)
		if err != nil {
			results[i].Err = &connectors.ItemError{Code: RuleJournalSplit, Message: err.Error()}
			continue
		}
		old, composite := splitPartIDs(it.RemoteID)
		if !composite && it.RemoteID != "" {
			// Sent whole before: the single entry is its only part.
			old = map[string]string{}
			if len(parts) == 1 {
				old[parts[0].Code] = it.RemoteID
			}
		}
		wanted := map[string]bool{}
		for _, p := range parts {
			wanted[p.Code] = true
		}
		var gone []string
		for code := range old {
			if !wanted[code] {
				gone = append(gone, code)
			}
		}
		if it.RemoteID != "" && (len(gone) > 0 || len(old) == 0) {
			slices.Sort(gone)
			results[i].Err = &connectors.ItemError{Code: RuleJournalSplit, Message: jw.lang().T("engine.journal.split_changed",
				"Code", it.Record.Journal.Code, "Parts", cmpOr(strings.Join(gone, ", "), jw.lang().T("engine.journal.sent_whole")))}
			continue
		}
		ids[i] = map[string]string{}
		for _, p := range parts {
			rec := connectors.Record{Type: connectors.Journals, Journal: &p}
			writes = append(writes, connectors.WriteItem{Key: it.Key + "#" + p.Code, RemoteID: old[p.Code], Record: rec})
			sent = append(sent, sentPart{item: i, code: p.Code, key: it.Key + "#" + p.Code})
			if old[p.Code] == "" {
				lookup = append(lookup, p.Code)
			}
		}
	}
	// Parts the package already holds are done.
	held := map[string]string{}
	if jw.reader != nil && len(lookup) > 0 {
		for start := 0; start < len(lookup); start += jw.batch {
			found, err := jw.reader.FindByCode(ctx, connectors.Journals, lookup[start:min(start+jw.batch, len(lookup))])
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if c := f.Record.Code(); c != "" && f.RemoteID != "" {
					held[c] = f.RemoteID
				}
			}
		}
	}
	failed := make([]error, len(items))
	var todo []connectors.WriteItem
	var todoParts []sentPart
	for n, w := range writes {
		sp := sent[n]
		if id, ok := held[sp.code]; ok && w.RemoteID == "" {
			ids[sp.item][sp.code] = id
			continue
		}
		todo = append(todo, w)
		todoParts = append(todoParts, sp)
	}
	for start := 0; start < len(todo); start += jw.batch {
		chunk := todo[start:min(start+jw.batch, len(todo))]
		res, err := jw.inner.Write(ctx, connectors.Journals, chunk)
		if err != nil {
			return nil, err
		}
		byKey := map[string]connectors.WriteResult{}
		for _, r := range res {
			byKey[r.Key] = r
		}
		for _, sp := range todoParts[start : start+len(chunk)] {
			r, ok := byKey[sp.key]
			switch {
			case !ok:
				// No verdict on this part: the journal's outcome is unknown.
				failed[sp.item] = errNoVerdict
			case r.Err != nil:
				if failed[sp.item] == nil || errors.Is(failed[sp.item], errNoVerdict) {
					failed[sp.item] = partError(jw.lang(), sp.code, r.Err)
				}
			default:
				ids[sp.item][sp.code] = r.RemoteID
			}
		}
	}
	out := make([]connectors.WriteResult, 0, len(results))
	for i := range results {
		switch {
		case results[i].Err != nil:
			out = append(out, results[i])
		case errors.Is(failed[i], errNoVerdict):
			// Left out: the upload looks the journal up before it goes again.
		case failed[i] != nil:
			results[i].Err = failed[i]
			out = append(out, results[i])
		default:
			results[i].RemoteID = joinPartIDs(ids[i])
			out = append(out, results[i])
		}
	}
	return out, nil
}

var errNoVerdict = errors.New("the accounting package gave no verdict") // words:log: marks a journal looked up again, never shown

// partError keeps the package's own words and code, naming the part.
func partError(w *words.Words, code string, err error) error {
	var ie *connectors.ItemError
	if errors.As(err, &ie) {
		return &connectors.ItemError{Code: ie.Code, Field: ie.Field, Message: w.T("engine.journal.part_error", "Part", code, "Message", ie.In(w))}
	}
	return &connectors.ItemError{Message: w.T("engine.journal.part_error", "Part", code, "Message", w.Error(err))}
}

type journalReader struct{ inner connectors.Reader }

// Get reads a split journal back as one record when the package holds every
// part; its lines are the parts' lines.
func (jr *journalReader) Get(ctx context.Context, t connectors.RecordType, remoteIDs []string) ([]connectors.Remote, error) {
	if t != connectors.Journals {
		return jr.inner.Get(ctx, t, remoteIDs)
	}
	var plain, partIDs []string
	composites := map[string]map[string]string{}
	for _, id := range remoteIDs {
		if parts, ok := splitPartIDs(id); ok {
			composites[id] = parts
			for _, rid := range parts {
				partIDs = append(partIDs, rid)
			}
			continue
		}
		plain = append(plain, id)
	}
	out, err := jr.inner.Get(ctx, t, append(plain, partIDs...))
	if err != nil {
		return nil, err
	}
	byID := map[string]connectors.Remote{}
	var result []connectors.Remote
	for _, r := range out {
		byID[r.RemoteID] = r
		if slices.Contains(plain, r.RemoteID) {
			result = append(result, r)
		}
	}
	for _, id := range remoteIDs {
		parts, ok := composites[id]
		if !ok {
			continue
		}
		var merged connectors.Remote
		complete := true
		for _, code := range slices.Sorted(maps.Keys(parts)) {
			r, found := byID[parts[code]]
			if !found || r.Record.Journal == nil {
				complete = false
				break
			}
			if merged.Record.Journal == nil {
				j := *r.Record.Journal
				j.Lines = slices.Clone(j.Lines)
				merged = connectors.Remote{RemoteID: id, Record: connectors.Record{Type: connectors.Journals, Journal: &j}, UpdatedAt: r.UpdatedAt}
				continue
			}
			merged.Record.Journal.Lines = append(merged.Record.Journal.Lines, r.Record.Journal.Lines...)
			if r.UpdatedAt.After(merged.UpdatedAt) {
				merged.UpdatedAt = r.UpdatedAt
			}
		}
		if complete && merged.Record.Journal != nil {
			result = append(result, merged)
		}
	}
	return result, nil
}

func (jr *journalReader) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	return jr.inner.FindByCode(ctx, t, codes)
}

// JournalsAutoSend reports whether the module sends payroll journals as
// soon as they are imported.
func JournalsAutoSend(settings map[string]string) bool {
	on, _ := strconv.ParseBool(strings.TrimSpace(settings[SettingJournalsAutoSend]))
	return on
}

// JournalsStep sends the module's pending payroll journals in every full
// sync run when "send automatically after import" is on; otherwise they
// wait in Pending Export for Upload Data.
func JournalsStep() Step {
	return Step{Name: "engine.step.journals", Run: func(ctx context.Context, run *Run) error {
		settings, err := run.Engine.db.Settings(run.Module)
		if err != nil {
			return err
		}
		if !JournalsAutoSend(settings) {
			return nil
		}
		return run.Engine.sendJournals(ctx, run.Def, run.Conn, settings, run.Report)
	}}
}

// SendJournalsAfterImport is called once payroll journals have been
// imported: when the module sends them automatically it uploads the
// pending ones now; otherwise it does nothing and says so with sent false.
func (e *Engine) SendJournalsAfterImport(ctx context.Context, module string) (rep Report, sent bool, err error) {
	rep = Report{Module: module, Trigger: TriggerManual, Started: e.now()}
	def, err := e.definition(module)
	if err != nil {
		rep, err = e.finish(&rep, err)
		return rep, false, err
	}
	settings, err := e.db.Settings(module)
	if err != nil {
		rep, err = e.finish(&rep, err)
		return rep, false, err
	}
	if !JournalsAutoSend(settings) {
		rep, err = e.finish(&rep, nil)
		return rep, false, err
	}
	unlock := e.lock(module)
	defer unlock()
	conn, err := e.connect(ctx, def)
	if err != nil {
		rep, err = e.finish(&rep, err)
		return rep, false, err
	}
	defer closeConn(conn)
	err = e.sendJournals(ctx, def, conn, settings, &rep)
	rep, err = e.finish(&rep, err)
	return rep, err == nil, err
}

// sendJournals uploads the module's pending payroll journals.
func (e *Engine) sendJournals(ctx context.Context, def connectors.Definition, conn connectors.Connection, settings map[string]string, rep *Report) error {
	m, _ := MatrixFromSettings(settings)
	if uploadLevels(m, settings, def.Caps)[connectors.Journals] == Off {
		return sayErr(e.Words(), nil, "engine.journal.auto_send_off", "Type", connectors.Journals.Text(), "Direction", words.Sentence(connectors.Upload.Key()), "Package", title(def))
	}
	if _, err := e.refresh(ctx, def); err != nil {
		return err
	}
	queue, err := e.db.Queue(ctx, def.Name)
	if err != nil {
		return err
	}
	var refs []Ref
	for _, q := range queue {
		if q.Type == connectors.Journals {
			refs = append(refs, q.Ref())
		}
	}
	if len(refs) == 0 {
		// An empty selection would mean everything pending.
		return nil
	}
	return e.upload(ctx, def, conn, refs, nil, rep)
}
