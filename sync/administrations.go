package sync

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// The administrations a module's connection reaches (connectors with
// connectors.AdministrationLister) are reference data like the chart of
// accounts: fetched with Get Nominal & Tax Accounts and at every sync, and
// kept as JSON in the module's state, so the pre-check and the window read
// them without reaching the package. The key is absent until a connection
// with the capability has been read; "[]" means it reaches none.
const SettingAdministrations = storage.PrefixState + "administrations"

// Pre-check rules of the company mapping against the fetched
// administrations.
const (
	RuleAdministrationUnknown = "administration-unknown"
	RuleJournalCodeUnknown    = "journal-code-unknown"
)

// AdministrationsOf reads the administrations stored in a module's
// settings; known is false when none have been fetched (or the stored
// list cannot be read, which a fetch repairs).
func AdministrationsOf(settings map[string]string) (admins []connectors.Administration, known bool) {
	raw, ok := settings[SettingAdministrations]
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, false
	}
	if err := json.Unmarshal([]byte(raw), &admins); err != nil {
		return nil, false
	}
	return admins, true
}

// storeAdministrations reads the connection's administrations, when it has
// the capability, and keeps them in the module's state.
func (e *Engine) storeAdministrations(ctx context.Context, def connectors.Definition, conn connectors.Connection) error {
	lister, ok := As[connectors.AdministrationLister](conn)
	if !ok {
		return nil
	}
	admins, err := lister.Administrations(ctx)
	if err != nil {
		return sayErr(e.Words(), err, "engine.administrations.fetch_failed", "Package", title(def))
	}
	if admins == nil {
		admins = []connectors.Administration{}
	}
	raw, err := json.Marshal(admins)
	if err != nil {
		return err
	}
	return e.db.SetSetting(ctx, def.Name, SettingAdministrations, string(raw))
}

// Administrations lists the administrations the module's package reaches,
// as last fetched; known is false when the connector has none to list or
// they have not been fetched yet (Get Nominal & Tax Accounts fetches them).
func (e *Engine) Administrations(ctx context.Context, module string) (admins []connectors.Administration, known bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	settings, err := e.db.Settings(module)
	if err != nil {
		return nil, false, err
	}
	admins, known = AdministrationsOf(settings)
	return admins, known, nil
}

// PayrollCompany is one payroll company of the imported journals with its
// mapping to an administration and journal.
type PayrollCompany struct {
	Company string `json:"company"`
	// Journals is how many imported journals name the company; Pending how
	// many of them wait in Pending Export.
	Journals int `json:"journals"`
	Pending  int `json:"pending"`

	Administration     string `json:"administration"`
	AdministrationName string `json:"administration_name,omitempty"`
	JournalCode        string `json:"journal_code"`
	JournalName        string `json:"journal_name,omitempty"`
	// Problem says in plain words what is wrong with the mapping; empty
	// when the company's journals can go.
	Problem string `json:"problem,omitempty"`
}

// PayrollCompanies lists every payroll company named by the journals in
// the workspace, and every company already mapped, with its mapping
// checked against the fetched administrations. Pending Export is brought up
// to date first, so the counts of waiting journals are current.
func (e *Engine) PayrollCompanies(ctx context.Context, module string) ([]PayrollCompany, error) {
	if err := e.Refresh(ctx, module); err != nil {
		return nil, err
	}
	settings, err := e.db.Settings(module)
	if err != nil {
		return nil, err
	}
	rows := map[string]*PayrollCompany{}
	row := func(company string) *PayrollCompany {
		r, ok := rows[company]
		if !ok {
			r = &PayrollCompany{Company: company}
			rows[company] = r
		}
		return r
	}
	err = e.db.ListRecords(ctx, connectors.Journals, func(s storage.StoredRecord) error {
		if j := s.Record.Journal; j != nil {
			if c := strings.TrimSpace(j.Company); c != "" {
				row(c).Journals++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pending, err := e.pendingJournalCompanies(ctx, module)
	if err != nil {
		return nil, err
	}
	for c, n := range pending {
		row(c).Pending = n
	}
	for key := range settings {
		if c, ok := strings.CutPrefix(key, MapCompanyPrefix); ok && strings.TrimSpace(c) != "" {
			row(c)
		}
	}
	admins, known := AdministrationsOf(settings)
	out := make([]PayrollCompany, 0, len(rows))
	for _, c := range slices.Sorted(maps.Keys(rows)) {
		r := rows[c]
		if t, p := JournalTargetIn(e.Words(), settings, c); p != nil {
			r.Administration = strings.TrimSpace(settings[MapCompanyPrefix+c])
			r.JournalCode = strings.TrimSpace(settings[MapJournalCodePrefix+c])
			r.Problem = p.Cause
		} else {
			r.Administration, r.JournalCode = t.Administration, t.JournalCode
			if known {
				if p := TargetProblemIn(e.Words(), admins, c, t); p != nil {
					r.Problem = p.Cause
				}
			}
		}
		if a, ok := findAdministration(admins, r.Administration); ok {
			r.AdministrationName = a.Name
			if j, ok := findJournal(a, r.JournalCode); ok {
				r.JournalName = j.Name
			}
		}
		out = append(out, *r)
	}
	return out, nil
}

// pendingJournalCompanies counts the journals waiting in Pending Export by
// payroll company.
func (e *Engine) pendingJournalCompanies(ctx context.Context, module string) (map[string]int, error) {
	items, err := e.db.Queue(ctx, module)
	if err != nil {
		return nil, err
	}
	var refs []Ref
	for _, it := range items {
		if it.Type == connectors.Journals {
			refs = append(refs, it.Ref())
		}
	}
	out := map[string]int{}
	if len(refs) == 0 {
		return out, nil
	}
	recs, err := e.db.GetRecords(ctx, refs)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if j := r.Record.Journal; j != nil {
			out[strings.TrimSpace(j.Company)]++
		}
	}
	return out, nil
}

func findAdministration(admins []connectors.Administration, code string) (connectors.Administration, bool) {
	i := slices.IndexFunc(admins, func(a connectors.Administration) bool { return strings.EqualFold(a.Code, code) })
	if i < 0 {
		return connectors.Administration{}, false
	}
	return admins[i], true
}

func findJournal(a connectors.Administration, code string) (connectors.Journal, bool) {
	i := slices.IndexFunc(a.Journals, func(j connectors.Journal) bool { return strings.EqualFold(j.Code, code) })
	if i < 0 {
		return connectors.Journal{}, false
	}
	return a.Journals[i], true
}

// TargetProblem checks a company's administration and journal code
// against the fetched administrations; the problem is in English
// (TargetProblemIn says it in another language).
func TargetProblem(admins []connectors.Administration, company string, t JournalTarget) *Problem {
	return TargetProblemIn(english(), admins, company, t)
}

// TargetProblemIn is TargetProblem in w's language.
func TargetProblemIn(w *words.Words, admins []connectors.Administration, company string, t JournalTarget) *Problem {
	a, ok := findAdministration(admins, t.Administration)
	if !ok {
		codes := make([]string, len(admins))
		for i, a := range admins {
			codes[i] = a.Label()
		}
		reach := w.T("engine.administrations.none")
		if len(codes) > 0 {
			reach = strings.Join(codes, ", ")
		}
		return &Problem{Rule: RuleAdministrationUnknown,
			Cause: w.T("engine.administrations.unknown.cause", "Company", company, "Administration", t.Administration, "Reach", reach),
			Fix:   w.T("engine.administrations.unknown.fix", "Company", company)}
	}
	if a.ReadOnly {
		return &Problem{Rule: RuleAdministrationUnknown,
			Cause: w.T("engine.administrations.read_only.cause", "Administration", a.Label(), "Company", company),
			Fix:   w.T("engine.administrations.read_only.fix", "Administration", a.Code, "Company", company)}
	}
	j, ok := findJournal(a, t.JournalCode)
	if !ok {
		var usable []string
		for _, j := range a.Journals {
			if j.Unusable == "" {
				usable = append(usable, j.Label())
			}
		}
		has := w.T("engine.administrations.no_usable_journal")
		if len(usable) > 0 {
			has = w.T("engine.administrations.journals", "Journals", strings.Join(usable, ", "))
		}
		return &Problem{Rule: RuleJournalCodeUnknown,
			Cause: w.T("engine.administrations.unknown_journal.cause", "Company", company, "Journal", t.JournalCode, "Administration", a.Code, "Has", has),
			Fix:   w.T("engine.administrations.unknown_journal.fix", "Company", company)}
	}
	if j.Unusable != "" {
		return &Problem{Rule: RuleJournalCodeUnknown,
			Cause: w.T("engine.administrations.unusable_journal.cause", "Company", company, "Journal", j.Label(), "Administration", a.Code, "Reason", j.Unusable),
			Fix:   w.T("engine.administrations.unusable_journal.fix", "Company", company)}
	}
	return nil
}
