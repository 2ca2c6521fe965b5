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

const tabAdministrations = "Administrations"

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
	intro := widget.NewLabel(fmt.Sprintf("Each payroll company in the imported journals is booked in one administration of %s, in one of its journals (dagboek). "+
		"Choose both for every company. A company left unmapped holds back only its own journals; the others are sent.", cs.title))
	intro.Wrapping = fyne.TextWrapWord
	at.info = widget.NewLabel("Reading the payroll companies…")
	at.info.Wrapping = fyne.TextWrapWord
	at.fetch = widget.NewButtonWithIcon("Fetch administrations", theme.DownloadIcon(), at.fetchList)
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
				at.info.SetText("Could not read the payroll companies: " + err.Error())
				return
			}
			at.companies = companies
			at.rebuild()
			at.cs.refreshLight()
			a.tracef("administrations loaded module=%s companies=%d", module, len(companies))
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
	at.info.SetText("Fetching the administrations from " + at.cs.title + "…")
	a.spawn(func() {
		rep, err := svc.Engine.Mirror(ctx, module, []connectors.RecordType{connectors.NominalAccounts})
		if err == nil && len(rep.Errors) > 0 {
			err = fmt.Errorf("%s", strings.Join(rep.Errors, "; "))
		}
		var settings map[string]string
		if err == nil {
			settings, err = svc.Settings.Settings(module)
		}
		a.do(func() {
			at.fetch.Enable()
			if err != nil {
				at.info.Importance = widget.DangerImportance
				at.info.SetText("The administrations were not fetched: " + err.Error())
				return
			}
			if admins, known := sync.AdministrationsOf(settings); known {
				at.admins = admins
				at.cs.saved[sync.SettingAdministrations] = settings[sync.SettingAdministrations]
			}
			at.rebuild()
			at.cs.refreshLight()
			a.tracef("administrations fetched module=%s count=%d", module, len(at.admins))
		})
	})
}

func companyKey(company string) string { return sync.MapCompanyPrefix + company }
func journalKey(company string) string { return sync.MapJournalCodePrefix + company }

// rebuild shows one row per company.
func (at *administrationsTab) rebuild() {
	at.box.RemoveAll()
	at.rows = map[string]*companyRow{}
	if len(at.companies) == 0 {
		at.info.Importance = widget.MediumImportance
		at.info.SetText("No payroll journals have been imported yet: the companies they name appear here.")
		return
	}
	at.info.Importance = widget.MediumImportance
	at.info.SetText(fmt.Sprintf("%d payroll companies, %d administrations to choose from.", len(at.companies), len(at.admins)))
	if len(at.admins) == 0 {
		at.info.Importance = widget.WarningImportance
		at.info.SetText(at.cs.title + " lets LedgerLink reach no administration: have one linked to LedgerLink's user, then press Fetch administrations.")
	}
	header := container.NewGridWithColumns(3,
		widget.NewLabelWithStyle("Payroll company", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle("Administration", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle("Journal (dagboek)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	at.box.Add(header)
	for _, c := range at.companies {
		at.box.Add(at.newRow(c))
	}
}

func (at *administrationsTab) newRow(c sync.PayrollCompany) fyne.CanvasObject {
	r := &companyRow{company: c.Company}
	at.rows[c.Company] = r
	labels := make([]string, len(at.admins))
	for i, a := range at.admins {
		labels[i] = a.Label()
		if a.ReadOnly {
			labels[i] += " (read only)"
		}
	}
	r.admin = widget.NewSelect(labels, nil)
	r.admin.PlaceHolder = "(choose an administration)"
	r.journal = widget.NewSelect(nil, nil)
	r.journal.PlaceHolder = "(choose a journal)"
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
	what := fmt.Sprintf("%d journals", c.Journals)
	if c.Journals == 1 {
		what = "1 journal"
	}
	if c.Pending > 0 {
		what += fmt.Sprintf(", %d waiting", c.Pending)
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
			opts[i] += " (not for payroll)"
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
	at.cs.a.tracef("company mapped module=%s company=%s administration=%s journal=%s", at.cs.module, r.company,
		at.values[companyKey(r.company)], at.values[journalKey(r.company)])
	at.cs.markDirty()
}

// problem is what is wrong with a company's mapping as edited ("" when
// its journals can go).
func (at *administrationsTab) problem(company string) string {
	t, p := sync.JournalTargetOf(at.values, company)
	if p != nil {
		return p.Cause
	}
	if p := sync.TargetProblem(at.admins, company, t); p != nil {
		return p.Cause
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
		if _, p := sync.JournalTargetOf(at.values, c.Company); p != nil {
			notes = append(notes, sync.UnmappedCompanyNote(c.Company, c.Pending))
		} else if p := at.problem(c.Company); p != "" {
			notes = append(notes, p+" Choose again in Configure → Administrations.")
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
