package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// tabAdministrations names the Administrations tab in traces.
const tabAdministrations = "Administrations" // words:verbatim: tab identifier

// AdministrationEngine lists the payroll companies of the imported
// journals with their mapping (*sync.Engine). The Administrations tab is
// there only when the engine has it and the module's package has listed
// its administrations (connectors.AdministrationLister).
type AdministrationEngine interface {
	PayrollCompanies(ctx context.Context, module string) ([]sync.PayrollCompany, error)
}

// administrationsTab maps each payroll company to one administration of
// the package and one of its journals.
type administrationsTab struct {
	cs     *ConfigureScreen
	eng    AdministrationEngine
	admins []connectors.Administration
	// companies as last read; values the mapping as edited, by setting key.
	companies []sync.PayrollCompany
	values    map[string]string
	rows      map[string]*companyRow
	box       *fyne.Container
	info      *widget.Label
	fetch     *widget.Button
	content   fyne.CanvasObject
}

// companyRow is one payroll company with its two drop-downs.
type companyRow struct {
	company string
	admin   *widget.Select
	journal *widget.Select
	problem *widget.Label
	// setting is set while the drop-downs are filled by code.
	setting bool
}

// newAdministrationsTab is nil when the module has no administrations to
// choose from.
func newAdministrationsTab(cs *ConfigureScreen) *administrationsTab {
	eng, ok := cs.a.svc.Engine.(AdministrationEngine)
	if !ok {
		return nil
	}
	admins, known := sync.AdministrationsOf(cs.saved)
	if !known {
		return nil
	}
	at := &administrationsTab{cs: cs, eng: eng, admins: admins, values: map[string]string{}, rows: map[string]*companyRow{}}
	for k, v := range cs.saved {
		if strings.HasPrefix(k, sync.MapCompanyPrefix) || strings.HasPrefix(k, sync.MapJournalCodePrefix) {
			at.values[k] = strings.TrimSpace(v)
		}
	}
	w := cs.a.w
	intro := widget.NewLabel(w.T("window.admins.intro", "Module", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	at.info = widget.NewLabel(w.T("window.admins.reading"))
	at.info.Wrapping = fyne.TextWrapWord
	at.fetch = widget.NewButtonWithIcon(w.T("window.admins.fetch"), theme.DownloadIcon(), at.fetchList)
	at.box = container.NewVBox()
	top := container.NewVBox(intro, container.NewHBox(at.fetch), at.info, widget.NewSeparator())
	at.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(at.box))
	return at
}

// load reads the payroll companies in the background.
func (at *administrationsTab) load() {
	a := at.cs.a
	ctx := a.ctx
	module := at.cs.module
	a.spawn(func() {
		companies, err := at.eng.PayrollCompanies(ctx, module)
		a.do(func() {
			if err != nil {
				at.info.Importance = widget.DangerImportance
				at.info.SetText(a.w.T("window.admins.read_failed", "Error", a.w.Error(err)))
				return
			}
			at.companies = companies
			at.rebuild()
			at.cs.refreshLight()
			a.tracef("administrations loaded module=%s companies=%d", module, len(companies)) // words:verbatim: trace for scripts
		})
	})
}

// fetchList reads the package's administrations again (with its chart of
// accounts, as Get Nominal & Tax Accounts does).
func (at *administrationsTab) fetchList() {
	a := at.cs.a
	ctx := a.ctx
	module := at.cs.module
	svc := a.svc
	at.fetch.Disable()
	at.info.Importance = widget.MediumImportance
	at.info.SetText(a.w.T("window.admins.fetching", "Module", at.cs.title))
	a.spawn(func() {
		rep, err := svc.Engine.Mirror(ctx, module, []connectors.RecordType{connectors.NominalAccounts})
		if err == nil && len(rep.Errors) > 0 {
			err = fmt.Errorf("%s", strings.Join(rep.Errors, "; ")) // words:verbatim: the run's own messages
		}
		var settings map[string]string
		if err == nil {
			settings, err = svc.Settings.Settings(module)
		}
		a.do(func() {
			at.fetch.Enable()
			if err != nil {
				at.info.Importance = widget.DangerImportance
				at.info.SetText(a.w.T("window.admins.fetch_failed", "Error", a.w.Error(err)))
				return
			}
			if admins, known := sync.AdministrationsOf(settings); known {
				at.admins = admins
				at.cs.saved[sync.SettingAdministrations] = settings[sync.SettingAdministrations]
			}
			at.rebuild()
			at.cs.refreshLight()
			a.tracef("administrations fetched module=%s count=%d", module, len(at.admins)) // words:verbatim: trace for scripts
		})
	})
}

func companyKey(company string) string { return sync.MapCompanyPrefix + company }
func journalKey(company string) string { return sync.MapJournalCodePrefix + company }

// rebuild shows one row per company.
func (at *administrationsTab) rebuild() {
	w := at.cs.a.w
	at.box.RemoveAll()
	at.rows = map[string]*companyRow{}
	if len(at.companies) == 0 {
		at.info.Importance = widget.MediumImportance
		at.info.SetText(w.T("window.admins.none_imported"))
		return
	}
	at.info.Importance = widget.MediumImportance
	at.info.SetText(w.T("window.admins.counts",
		"Companies", w.N("window.admins.companies", len(at.companies)),
		"Administrations", w.N("window.admins.administrations", len(at.admins))))
	if len(at.admins) == 0 {
		at.info.Importance = widget.WarningImportance
		at.info.SetText(w.T("window.admins.none_reachable", "Module", at.cs.title, "Fetch", w.T("window.admins.fetch")))
	}
	header := container.NewGridWithColumns(3,
		boldLabel(w.T("window.admins.column.company")),
		boldLabel(w.T("window.admins.column.administration")),
		boldLabel(w.T("window.admins.column.journal")))
	at.box.Add(header)
	for _, c := range at.companies {
		at.box.Add(at.newRow(c))
	}
}

func (at *administrationsTab) newRow(c sync.PayrollCompany) fyne.CanvasObject {
	w := at.cs.a.w
	r := &companyRow{company: c.Company}
	at.rows[c.Company] = r
	labels := make([]string, len(at.admins))
	for i, a := range at.admins {
		labels[i] = a.Label()
		if a.ReadOnly {
			labels[i] = w.T("window.admins.read_only", "Administration", labels[i])
		}
	}
	r.admin = widget.NewSelect(labels, nil)
	r.admin.PlaceHolder = w.T("window.admins.choose_administration")
	r.journal = widget.NewSelect(nil, nil)
	r.journal.PlaceHolder = w.T("window.admins.choose_journal")
	r.problem = widget.NewLabel("")
	r.problem.Wrapping = fyne.TextWrapWord
	r.problem.Importance = widget.WarningImportance

	r.setting = true
	if i := at.adminIndex(at.values[companyKey(c.Company)]); i >= 0 {
		r.admin.SetSelectedIndex(i)
	}
	at.fillJournals(r)
	r.setting = false
	r.admin.OnChanged = func(string) {
		if r.setting {
			return
		}
		i := r.admin.SelectedIndex()
		if i < 0 {
			return
		}
		at.values[companyKey(r.company)] = at.admins[i].Code
		// A journal of another administration does not carry over.
		if _, ok := at.journalOf(at.admins[i], at.values[journalKey(r.company)]); !ok {
			at.values[journalKey(r.company)] = ""
		}
		r.setting = true
		at.fillJournals(r)
		r.setting = false
		at.changed(r)
	}
	r.journal.OnChanged = func(string) {
		if r.setting {
			return
		}
		a, ok := at.selectedAdmin(r)
		if i := r.journal.SelectedIndex(); ok && i >= 0 && i < len(a.Journals) {
			at.values[journalKey(r.company)] = a.Journals[i].Code
			at.changed(r)
		}
	}
	at.showProblem(r)
	what := w.N("window.admins.journals", c.Journals)
	if c.Pending > 0 {
		what = w.T("window.admins.journals_waiting", "Journals", what, "Waiting", w.Int(int64(c.Pending)))
	}
	name := container.NewVBox(widget.NewLabelWithStyle(c.Company, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), lowLabel(what))
	return container.NewVBox(container.NewGridWithColumns(3, name, r.admin, r.journal), r.problem)
}

func lowLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Importance = widget.LowImportance
	return l
}

func (at *administrationsTab) adminIndex(code string) int {
	return slices.IndexFunc(at.admins, func(a connectors.Administration) bool { return code != "" && strings.EqualFold(a.Code, code) })
}

func (at *administrationsTab) selectedAdmin(r *companyRow) (connectors.Administration, bool) {
	if i := r.admin.SelectedIndex(); i >= 0 && i < len(at.admins) {
		return at.admins[i], true
	}
	return connectors.Administration{}, false
}

func (at *administrationsTab) journalOf(a connectors.Administration, code string) (int, bool) {
	i := slices.IndexFunc(a.Journals, func(j connectors.Journal) bool { return code != "" && strings.EqualFold(j.Code, code) })
	return i, i >= 0
}

// fillJournals offers the chosen administration's journals, those payroll
// cannot be booked in marked so.
func (at *administrationsTab) fillJournals(r *companyRow) {
	a, ok := at.selectedAdmin(r)
	if !ok {
		r.journal.SetOptions(nil)
		r.journal.ClearSelected()
		r.journal.Disable()
		return
	}
	opts := make([]string, len(a.Journals))
	for i, j := range a.Journals {
		opts[i] = j.Label()
		if j.Unusable != "" {
			opts[i] = at.cs.a.w.T("window.admins.not_for_payroll", "Journal", opts[i])
		}
	}
	r.journal.Enable()
	r.journal.SetOptions(opts)
	if i, ok := at.journalOf(a, at.values[journalKey(r.company)]); ok {
		r.journal.SetSelectedIndex(i)
	} else {
		r.journal.ClearSelected()
	}
}

func (at *administrationsTab) changed(r *companyRow) {
	at.showProblem(r)
	at.cs.a.tracef("company mapped module=%s company=%s administration=%s journal=%s", at.cs.module, r.company, // words:verbatim: trace for scripts
		at.values[companyKey(r.company)], at.values[journalKey(r.company)])
	at.cs.markDirty()
}

// problem is what is wrong with a company's mapping as edited ("" when
// its journals can go).
func (at *administrationsTab) problem(company string) string {
	w := at.cs.a.w
	t, p := sync.JournalTargetIn(at.cs.a.w, at.values, company)
	if p != nil {
		return w.Label(p.Cause)
	}
	if p := sync.TargetProblemIn(at.cs.a.w, at.admins, company, t); p != nil {
		return w.Label(p.Cause)
	}
	return ""
}

func (at *administrationsTab) showProblem(r *companyRow) {
	if p := at.problem(r.company); p != "" {
		r.problem.SetText(p)
		r.problem.Show()
		return
	}
	r.problem.SetText("")
	r.problem.Hide()
}

// unmappedNotes are the To do notes of companies with waiting journals: an
// unmapped company holds back its own journals; a mapping the package
// would refuse says why.
func (at *administrationsTab) unmappedNotes() []string {
	var notes []string
	for _, c := range at.companies {
		if c.Pending == 0 {
			continue
		}
		if _, p := sync.JournalTargetIn(at.cs.a.w, at.values, c.Company); p != nil {
			notes = append(notes, sync.UnmappedCompanyNoteIn(at.cs.a.w, c.Company, c.Pending))
		} else if p := at.problem(c.Company); p != "" {
			w := at.cs.a.w
			notes = append(notes, w.T("window.admins.choose_again", "Problem", p,
				"Configure", w.T("window.button.configure"), "Tab", w.T("window.tab.administrations")))
		}
	}
	return notes
}

// changedSettings are the mapping keys edited since saved.
func (at *administrationsTab) changedSettings(saved map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(at.values)) {
		if strings.TrimSpace(saved[k]) != at.values[k] {
			out[k] = at.values[k]
		}
	}
	return out
}
