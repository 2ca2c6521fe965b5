package sync

import (
	"context"
	"maps"
	"slices"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// MappingKind is what a mapping row maps.
type MappingKind string

const (
	MapNominal MappingKind = "nominal"
	MapTax     MappingKind = "tax"
	MapBank    MappingKind = "bank"
)

// prefix is the settings prefix of the kind's mappings.
func (k MappingKind) prefix() string {
	switch k {
	case MapTax:
		return MapTaxPrefix
	case MapBank:
		return MapBankPrefix
	}
	return MapNominalPrefix
}

// Label names the kind in English; LabelIn says it in another language.
func (k MappingKind) Label() string { return k.LabelIn(english()) }

// LabelIn names the kind for people in w's language.
func (k MappingKind) LabelIn(w *words.Words) string {
	switch k {
	case MapTax:
		return w.T("engine.mapping.kind.tax")
	case MapBank:
		return w.T("engine.mapping.kind.bank")
	}
	return w.T("engine.mapping.kind.nominal")
}

// unmappedKey is the note on n codes of kind k that are not mapped.
func unmappedKey(k MappingKind) string {
	switch k {
	case MapTax:
		return "engine.mapping.unmapped.tax"
	case MapBank:
		return "engine.mapping.unmapped.bank"
	}
	return "engine.mapping.unmapped.nominal"
}

// MappingRow is one local code on the Mapping tab.
type MappingRow struct {
	Kind  MappingKind `json:"kind"`
	Local string      `json:"local"`
	// Remote is the package's code it is mapped to; empty when unmapped.
	Remote string `json:"remote,omitempty"`
	// RemoteName is the package's name of Remote, when known.
	RemoteName string `json:"remote_name,omitempty"`
	// Pending counts the documents waiting in Pending Export that use the
	// code: an unmapped code with Pending > 0 stops them.
	Pending int `json:"pending"`
}

// RemoteChoice is one of the package's accounts, tax rates or bank accounts
// a local code can be mapped to.
type RemoteChoice struct {
	Kind MappingKind `json:"kind"`
	Code string      `json:"code"`
	Name string      `json:"name"`
	// Unusable says why LedgerLink never posts to it (stock, cost of sale,
	// archived); empty when it can be chosen.
	Unusable string `json:"unusable,omitempty"`
	// Class is an account's class (revenue, expense, ...), when known.
	Class connectors.AccountClass `json:"class,omitempty"`
}

// Label is what a drop-down shows.
func (c RemoteChoice) Label() string {
	if c.Name == "" {
		return c.Code
	}
	return c.Code + " – " + c.Name
}

// FetchChart is "Get Nominal & Tax Accounts": it reads the package's chart
// of accounts, tax rates and bank accounts now.
func (e *Engine) FetchChart(ctx context.Context, module string) (Report, error) {
	return e.Mirror(ctx, module, []connectors.RecordType{connectors.NominalAccounts, connectors.TaxRates, connectors.BankAccounts})
}

// RemoteChoices lists what the module's package offers to map to, from the
// last fetched chart.
func (e *Engine) RemoteChoices(ctx context.Context, module string) ([]RemoteChoice, error) {
	var out []RemoteChoice
	err := e.db.Ancillary(ctx, module, connectors.NominalAccounts, func(r connectors.Record) error {
		if a := r.Account; a != nil {
			c := RemoteChoice{Kind: MapNominal, Code: a.Code, Name: a.Name, Class: a.Class}
			switch {
			case a.Archived:
				c.Unusable = e.Words().T("engine.mapping.archived")
			case a.Stock:
				c.Unusable = e.Words().T("engine.mapping.stock_account")
			case a.CostOfSale:
				c.Unusable = e.Words().T("engine.mapping.cost_of_sale_account")
			}
			out = append(out, c)
			if a.Bank {
				out = append(out, RemoteChoice{Kind: MapBank, Code: a.Code, Name: a.Name})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = e.db.Ancillary(ctx, module, connectors.TaxRates, func(r connectors.Record) error {
		if t := r.TaxRate; t != nil {
			c := RemoteChoice{Kind: MapTax, Code: t.Code, Name: t.Name}
			if t.Archived {
				c.Unusable = "archived"
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = e.db.Ancillary(ctx, module, connectors.BankAccounts, func(r connectors.Record) error {
		if b := r.BankAccount; b != nil && !slices.ContainsFunc(out, func(c RemoteChoice) bool { return c.Kind == MapBank && c.Code == b.Code }) {
			out = append(out, RemoteChoice{Kind: MapBank, Code: b.Code, Name: b.Name})
		}
		return nil
	})
	return out, err
}

// codeUse collects the local codes one record uses.
type codeUse map[MappingKind]map[string]bool

func (u codeUse) add(k MappingKind, code string) {
	code = strings.TrimSpace(code)
	if code == "" {
		return
	}
	if u[k] == nil {
		u[k] = map[string]bool{}
	}
	u[k][code] = true
}

func codesOf(rec connectors.Record) codeUse {
	u := codeUse{}
	switch {
	case rec.Document != nil:
		for _, l := range rec.Document.Lines {
			u.add(MapNominal, l.NominalCode)
			u.add(MapTax, l.TaxCode)
		}
	case rec.Payment != nil:
		u.add(MapBank, rec.Payment.BankAccount)
	case rec.Journal != nil:
		for _, l := range rec.Journal.Lines {
			u.add(MapNominal, l.NominalCode)
		}
	}
	return u
}

// mappedTypes are the record types whose codes need mapping.
var mappedTypes = [...]connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes,
	connectors.PurchaseInvoices, connectors.InvoicePayments, connectors.PurchasePayments, connectors.Journals}

// Mappings lists every local nominal code, tax code and bank account the
// workspace's documents use, with its mapping and how many pending
// documents need it.
func (e *Engine) Mappings(ctx context.Context, module string) ([]MappingRow, error) {
	settings, err := e.db.Settings(module)
	if err != nil {
		return nil, err
	}
	used := codeUse{}
	for _, t := range mappedTypes {
		err := e.db.ListRecords(ctx, t, func(s storage.StoredRecord) error {
			for k, codes := range codesOf(s.Record) {
				for c := range codes {
					used.add(k, c)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	pending := map[MappingKind]map[string]int{}
	items, err := e.db.Queue(ctx, module)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, len(items))
	for _, it := range items {
		refs = append(refs, it.Ref())
	}
	recs, err := e.db.GetRecords(ctx, refs)
	if err != nil {
		return nil, err
	}
	for _, s := range recs {
		for k, codes := range codesOf(s.Record) {
			if pending[k] == nil {
				pending[k] = map[string]int{}
			}
			for c := range codes {
				pending[k][c]++
			}
		}
	}
	choices, err := e.RemoteChoices(ctx, module)
	if err != nil {
		return nil, err
	}
	names := map[MappingKind]map[string]string{}
	for _, c := range choices {
		if names[c.Kind] == nil {
			names[c.Kind] = map[string]string{}
		}
		names[c.Kind][c.Code] = c.Name
	}
	var rows []MappingRow
	for _, k := range []MappingKind{MapNominal, MapTax, MapBank} {
		for _, local := range slices.Sorted(maps.Keys(used[k])) {
			remote := strings.TrimSpace(settings[k.prefix()+local])
			rows = append(rows, MappingRow{Kind: k, Local: local, Remote: remote, RemoteName: names[k][remote], Pending: pending[k][local]})
		}
	}
	return rows, nil
}

// MappingKey is the setting key of a mapping row, for Modules.Apply.
func MappingKey(k MappingKind, local string) string { return k.prefix() + local }

// ApplyDefaultSetup maps the unmapped local codes as ProposeDefaults says
// and returns what it mapped. Mappings already made are never changed.
func (e *Engine) ApplyDefaultSetup(ctx context.Context, m *Modules, module string) ([]string, error) {
	rows, err := e.Mappings(ctx, module)
	if err != nil {
		return nil, err
	}
	choices, err := e.RemoteChoices(ctx, module)
	if err != nil {
		return nil, err
	}
	if len(choices) == 0 {
		return nil, sayErr(e.Words(), nil, "engine.mapping.not_fetched", "Button", words.Sentence("grids.mapping.button.fetch"))
	}
	unmapped := map[MappingKind][]string{}
	for _, r := range rows {
		if r.Remote == "" {
			unmapped[r.Kind] = append(unmapped[r.Kind], r.Local)
		}
	}
	use, err := e.codeUse(ctx)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	for _, p := range ProposeDefaults(unmapped, choices, use) {
		values[p.Key()] = p.Remote
	}
	if len(values) == 0 {
		return nil, nil
	}
	return m.Apply(ctx, module, values, false)
}

// unmappedLimit bounds how many waiting documents the module list looks at
// for unmapped codes, so the list stays quick with a large first import.
const unmappedLimit = 2000

// unmappedNotes says, for the module list, which local codes waiting
// documents use that have no mapping yet.
func unmappedNotes(ctx context.Context, w *words.Words, db *storage.DB, module string, settings map[string]string) ([]string, error) {
	items, err := db.Queue(ctx, module)
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, 0, min(len(items), unmappedLimit))
	for _, it := range items {
		if len(refs) == unmappedLimit {
			break
		}
		switch it.Type {
		case connectors.Customers, connectors.Suppliers:
			continue
		}
		refs = append(refs, it.Ref())
	}
	if len(refs) == 0 {
		return nil, nil
	}
	recs, err := db.GetRecords(ctx, refs)
	if err != nil {
		return nil, err
	}
	missing := map[MappingKind]map[string]int{}
	for _, r := range recs {
		for k, codes := range codesOf(r.Record) {
			for c := range codes {
				if strings.TrimSpace(settings[k.prefix()+c]) != "" {
					continue
				}
				if missing[k] == nil {
					missing[k] = map[string]int{}
				}
				missing[k][c]++
			}
		}
	}
	var notes []string
	for _, k := range []MappingKind{MapNominal, MapTax, MapBank} {
		codes := slices.Sorted(maps.Keys(missing[k]))
		if len(codes) == 0 {
			continue
		}
		notes = append(notes, w.N(unmappedKey(k), len(codes), "Codes", strings.Join(codes, ", ")))
	}
	return notes, nil
}

// withCodes returns rec with its nominal, tax and bank codes passed
// through the given translations (local ↔ package codes). Only what it
// changes is copied; rec itself is not changed.
func withCodes(rec connectors.Record, nominal, tax, bank func(string) string) connectors.Record {
	out := rec
	switch {
	case rec.Document != nil:
		d := *rec.Document
		d.Lines = slices.Clone(d.Lines)
		for i := range d.Lines {
			d.Lines[i].NominalCode = nominal(d.Lines[i].NominalCode)
			d.Lines[i].TaxCode = tax(d.Lines[i].TaxCode)
		}
		out.Document = &d
	case rec.Journal != nil:
		j := *rec.Journal
		j.Lines = slices.Clone(j.Lines)
		for i := range j.Lines {
			j.Lines[i].NominalCode = nominal(j.Lines[i].NominalCode)
		}
		out.Journal = &j
	case rec.Payment != nil:
		p := *rec.Payment
		p.BankAccount = bank(p.BankAccount)
		out.Payment = &p
	case rec.Item != nil:
		it := *rec.Item
		if it.SalesAccount != "" {
			it.SalesAccount = nominal(it.SalesAccount)
		}
		if it.PurchaseAccount != "" {
			it.PurchaseAccount = nominal(it.PurchaseAccount)
		}
		out.Item = &it
	}
	return out
}

// unmappedCompanyNotes name, for a package that lists administrations, each
// payroll company that is not mapped to an administration and journal while
// journals of it are not yet exported.
// They are read from the workspace, not from Pending Export, so they are
// right straight after an import.
func unmappedCompanyNotes(ctx context.Context, w *words.Words, db *storage.DB, def connectors.Definition, settings map[string]string) ([]string, error) {
	if _, known := AdministrationsOf(settings); !known || !def.Caps.Supports(connectors.Journals, connectors.Upload) {
		// Only a package with administrations to choose from has a
		// company mapping to make in Configure → Administrations.
		return nil, nil
	}
	exported := map[string]bool{}
	if err := db.Links(ctx, def.Name, connectors.Journals, func(code string, _ storage.Link) error {
		exported[code] = true
		return nil
	}); err != nil {
		return nil, err
	}
	companies := map[string]int{}
	err := db.ListRecords(ctx, connectors.Journals, func(s storage.StoredRecord) error {
		j := s.Record.Journal
		if j == nil || exported[j.Code] || strings.TrimSpace(j.Company) == "" {
			return nil
		}
		if _, p := JournalTargetIn(w, settings, j.Company); p != nil {
			companies[strings.TrimSpace(j.Company)]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	notes := make([]string, 0, len(companies))
	for _, c := range slices.Sorted(maps.Keys(companies)) {
		notes = append(notes, UnmappedCompanyNoteIn(w, c, companies[c]))
	}
	return notes, nil
}

// UnmappedCompanyNote says that an unmapped payroll company holds back only
// its own journals.
// UnmappedCompanyNote is in English; UnmappedCompanyNoteIn says it in
// another language.
func UnmappedCompanyNote(company string, n int) string {
	return UnmappedCompanyNoteIn(english(), company, n)
}

// UnmappedCompanyNoteIn is UnmappedCompanyNote in w's language.
func UnmappedCompanyNoteIn(w *words.Words, company string, n int) string {
	return w.N("engine.mapping.company_unmapped", n, "Company", company)
}
