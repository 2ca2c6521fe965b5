package ui

import (
	"context"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// lightColor is the colour of a status light.
func lightColor(l connectors.Light) color.Color {
	switch l {
	case connectors.Green:
		return color.NRGBA{R: 0x2e, G: 0xa0, B: 0x43, A: 0xff}
	case connectors.Amber:
		return color.NRGBA{R: 0xf2, G: 0xa9, B: 0x00, A: 0xff}
	default:
		return color.NRGBA{R: 0xd6, G: 0x45, B: 0x45, A: 0xff}
	}
}

// lightWord is the status light's word in the person's language.
func lightWord(w *words.Words, l connectors.Light) string {
	switch l {
	case connectors.Green:
		return w.T("window.light.green")
	case connectors.Amber:
		return w.T("window.light.amber")
	default:
		return w.T("window.light.red")
	}
}

// newLight draws a status light with its word beside it, so colour is not
// the only clue.
func newLight(w *words.Words, l connectors.Light) (*canvas.Circle, *widget.Label, fyne.CanvasObject) {
	dot := canvas.NewCircle(lightColor(l))
	dot.StrokeColor = color.NRGBA{A: 0x60}
	dot.StrokeWidth = 1
	word := widget.NewLabelWithStyle(lightWord(w, l), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(18, 18), dot)), word)
	return dot, word, box
}

func setLight(w *words.Words, dot *canvas.Circle, word *widget.Label, l connectors.Light) {
	dot.FillColor = lightColor(l)
	dot.Refresh()
	word.SetText(lightWord(w, l))
}

// moduleRow is what the module list shows of one module.
type moduleRow struct {
	sync.ModuleStatus
	LastRun  *sync.Report
	Next     time.Time
	HasNext  bool
	Running  bool
	NotesErr string
}

// ModuleList is the module management table: one row per module with its
// status light, name, organisation, last run and result, next run, notes
// and actions, with Backup and Restore.
type ModuleList struct {
	a        *App
	rows     *fyne.Container
	status   *widget.Label
	welcome  *fyne.Container
	content  fyne.CanvasObject
	list     []moduleRow
	selected string
	loading  bool
	again    bool
	// language is the Language setting's drop-down (nil when the
	// setting cannot be saved).
	language *widget.Select
}

// module list column widths; the Notes column takes the rest.
var moduleColumns = []float32{110, 150, 160, 130, 170, 130}

func newModuleList(a *App) *ModuleList {
	m := &ModuleList{a: a, rows: container.NewVBox(), status: widget.NewLabel("")}
	m.status.Wrapping = fyne.TextWrapWord

	w := a.w
	title := widget.NewLabelWithStyle(w.T("window.modules.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(w.T("window.modules.intro"))
	intro.Wrapping = fyne.TextWrapWord
	var topRight []fyne.CanvasObject
	if a.svc.SetLanguage != nil {
		topRight = append(topRight, m.languageChoice())
	}
	if a.svc.Backup != nil {
		backup := widget.NewButtonWithIcon(w.T("window.modules.backup"), theme.DocumentSaveIcon(), m.backup)
		topRight = append(topRight, backup)
	}
	m.welcome = container.NewVBox()
	m.welcome.Hide()
	head := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(topRight...)), container.NewVBox(title, intro))

	header := newColumnsRow(moduleColumns,
		boldLabel(w.T("window.modules.column.status")), boldLabel(w.T("window.modules.column.module")),
		boldLabel(w.T("window.modules.column.organisation")), boldLabel(w.T("window.modules.column.last_run")),
		boldLabel(w.T("window.modules.column.result")), boldLabel(w.T("window.modules.column.next_run")),
		boldLabel(w.T("window.modules.column.notes")))

	var bottom []fyne.CanvasObject
	if a.svc.Restore != nil && a.svc.VerifyBackup != nil {
		restore := widget.NewButtonWithIcon(w.T("window.modules.restore"), theme.HistoryIcon(), m.restore)
		bottom = append(bottom, restore)
	}
	foot := container.NewVBox(widget.NewSeparator(), m.status, container.NewHBox(bottom...))
	m.content = container.NewPadded(container.NewBorder(
		container.NewVBox(head, m.welcome, widget.NewSeparator(), header, widget.NewSeparator()),
		foot, nil, nil, container.NewVScroll(m.rows)))
	return m
}

// boldLabel is a column header: bold, wrapped when the words are longer
// than the column.
func boldLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// languageChoice is the Language setting: the system's language or one
// LedgerLink speaks, named in itself. Choosing one speaks it at once.
func (m *ModuleList) languageChoice() fyne.CanvasObject {
	a := m.a
	codes, names := a.languageChoices()
	sel := widget.NewSelect(names, nil)
	// A drop-down is as wide as its placeholder: the longest name keeps
	// every choice whole ("Systemets sprog").
	for _, n := range names {
		if len([]rune(n)) > len([]rune(sel.PlaceHolder)) {
			sel.PlaceHolder = n
		}
	}
	if i := slices.Index(codes, a.savedLanguage()); i >= 0 {
		sel.SetSelectedIndex(i)
	}
	sel.OnChanged = func(string) {
		if i := sel.SelectedIndex(); i >= 0 && i < len(codes) {
			a.chooseLanguage(codes[i])
		}
	}
	m.language = sel
	return container.NewHBox(widget.NewLabel(a.w.T("window.language.label")), sel)
}

// Content is the screen's canvas object.
func (m *ModuleList) Content() fyne.CanvasObject { return m.content }

// Rows returns the rows last shown.
func (m *ModuleList) Rows() []sync.ModuleStatus {
	out := make([]sync.ModuleStatus, len(m.list))
	for i, r := range m.list {
		out[i] = r.ModuleStatus
	}
	return out
}

// Selected is the module the keyboard shortcuts act on: the last one
// tapped, else the first installed one.
func (m *ModuleList) Selected() string {
	if m.selected != "" {
		return m.selected
	}
	for _, r := range m.list {
		if r.Installed {
			return r.Name
		}
	}
	return ""
}

// Refresh reloads the list in the background. Call it on the UI goroutine.
func (m *ModuleList) Refresh() {
	if m.loading {
		m.again = true
		return
	}
	m.loading = true
	a := m.a
	ctx := a.ctx
	svc := a.svc
	now := svc.Now()
	a.spawn(func() {
		rows, err := loadModuleRows(ctx, svc, now)
		a.do(func() {
			m.loading = false
			if err != nil {
				m.status.SetText(a.w.T("window.modules.read_failed", "Error", a.w.Error(err)))
			} else {
				m.show(rows)
			}
			if m.again {
				m.again = false
				m.Refresh()
			}
		})
	})
}

func loadModuleRows(ctx context.Context, svc Services, now time.Time) ([]moduleRow, error) {
	list, err := svc.Modules.List(ctx)
	if err != nil {
		return nil, err
	}
	var running []string
	if svc.Scheduler != nil {
		running = svc.Scheduler.State().Running
	}
	rows := make([]moduleRow, len(list))
	for i, st := range list {
		r := moduleRow{ModuleStatus: st, Running: slices.Contains(running, st.Name)}
		if st.Installed {
			if svc.Runs != nil {
				runs, err := svc.Runs.Runs(ctx, st.Name, now.AddDate(0, 0, -90))
				if err == nil && len(runs) > 0 {
					last := runs[len(runs)-1]
					r.LastRun = &last
				}
			}
			if svc.Scheduler != nil {
				r.Next, r.HasNext = svc.Scheduler.Next(st.Name)
			}
		}
		rows[i] = r
	}
	return rows, nil
}

func (m *ModuleList) show(rows []moduleRow) {
	for i := range rows {
		if rows[i].LastRun == nil {
			if rep, ok := m.a.lastRuns[rows[i].Name]; ok {
				rows[i].LastRun = &rep
			}
		}
	}
	m.list = rows
	m.rows.RemoveAll()
	if len(rows) == 0 {
		m.rows.Add(widget.NewLabel(m.a.w.T("window.modules.none")))
	}
	now := m.a.svc.Now()
	for _, r := range rows {
		m.rows.Add(m.row(r, now))
		m.rows.Add(widget.NewSeparator())
	}
	m.rows.Refresh()
	m.showWelcome(rows)
	m.status.SetText("")
	m.a.tray.update()
	m.a.tracef("modules shown count=%d installed=%d", len(rows), countInstalled(rows)) // words:verbatim: trace for scripts
}

func countInstalled(rows []moduleRow) int {
	n := 0
	for _, r := range rows {
		if r.Installed {
			n++
		}
	}
	return n
}

// showWelcome offers the sample data when nothing is installed yet.
func (m *ModuleList) showWelcome(rows []moduleRow) {
	m.welcome.RemoveAll()
	if countInstalled(rows) > 0 || m.a.svc.TrySample == nil {
		m.welcome.Hide()
		return
	}
	w := m.a.w
	msg := widget.NewLabel(w.T("window.welcome.text", "Install", w.T("window.button.install")))
	msg.Wrapping = fyne.TextWrapWord
	try := widget.NewButtonWithIcon(w.T("window.welcome.try"), theme.MediaPlayIcon(), m.trySample)
	try.Importance = widget.HighImportance
	m.welcome.Add(widget.NewCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(try), msg)))
	m.welcome.Show()
}

func (m *ModuleList) row(r moduleRow, now time.Time) fyne.CanvasObject {
	w := m.a.w
	_, _, light := newLight(w, r.Light)
	name := widget.NewLabelWithStyle(displayTitle(r.ModuleStatus), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	org := widget.NewLabel(dash(r.Organisation))
	org.Wrapping = fyne.TextWrapWord
	last, result := lastRunText(w, r, now)
	lastL := widget.NewLabel(last)
	resultL := widget.NewLabel(tidy(result.text))
	resultL.Importance = result.importance
	resultL.Wrapping = fyne.TextWrapWord
	next := widget.NewLabel(nextRunText(w, r, now))
	next.Wrapping = fyne.TextWrapWord
	notesText := w.T("window.modules.ready")
	if len(r.Notes) > 0 {
		notes := make([]string, len(r.Notes))
		for i, n := range r.Notes {
			notes[i] = "• " + w.Label(n)
		}
		notesText = strings.Join(notes, "\n")
	}
	notes := widget.NewLabel(tidy(notesText))
	notes.Wrapping = fyne.TextWrapWord
	if r.Light != connectors.Green && r.Installed {
		notes.Importance = widget.WarningImportance
	}

	var actions []fyne.CanvasObject
	if r.Installed {
		cfg := widget.NewButtonWithIcon(w.T("window.button.configure"), theme.SettingsIcon(), func() { m.a.ShowConfigure(r.Name) })
		if r.Light != connectors.Green {
			cfg.Importance = widget.HighImportance
		}
		actions = append(actions, cfg)
		if m.a.svc.Engine != nil {
			actions = append(actions,
				widget.NewButtonWithIcon(w.T("window.work.export"), theme.UploadIcon(), func() { m.a.ShowModule(r.Name, workExport) }),
				widget.NewButtonWithIcon(w.T("window.work.import"), theme.DownloadIcon(), func() { m.a.ShowModule(r.Name, workImport) }),
				widget.NewButtonWithIcon(w.T("window.work.history"), theme.HistoryIcon(), func() { m.a.ShowModule(r.Name, workHistory) }))
		}
		if m.a.svc.Scheduler != nil {
			syncBtn := widget.NewButtonWithIcon(w.T("window.button.sync_now"), theme.ViewRefreshIcon(), func() { m.a.syncNow(r.Name) })
			if !r.CanSync || r.Running {
				syncBtn.Disable()
			}
			actions = append(actions, syncBtn)
		}
		actions = append(actions, layout.NewSpacer(),
			widget.NewButtonWithIcon(w.T("window.button.uninstall"), theme.DeleteIcon(), func() { m.confirmUninstall(r.ModuleStatus) }))
	} else {
		install := widget.NewButtonWithIcon(w.T("window.button.install"), theme.DownloadIcon(), func() { m.install(r.ModuleStatus) })
		install.Importance = widget.HighImportance
		actions = append(actions, install)
	}
	cells := newColumnsRow(moduleColumns, light, name, org, lastL, resultL, next, notes)
	body := container.NewVBox(cells, container.NewHBox(actions...))
	return newSelectableRow(body, r.Name == m.Selected(), func() {
		m.selected = r.Name
		m.show(m.list)
	})
}

func displayTitle(st sync.ModuleStatus) string {
	if st.Title != "" {
		return st.Title
	}
	return st.Name
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

type styledText struct {
	text       string
	importance widget.Importance
}

// lastRunText says when the last run was and how it went.
func lastRunText(w *words.Words, r moduleRow, now time.Time) (string, styledText) {
	if r.Running {
		return w.T("window.last_run.running"), styledText{w.T("window.last_run.syncing"), widget.MediumImportance}
	}
	if !r.Installed {
		return "—", styledText{"—", widget.MediumImportance}
	}
	if r.LastRun == nil {
		return w.T("window.last_run.never"), styledText{"—", widget.MediumImportance}
	}
	rep := *r.LastRun
	when := humanTime(w, rep.Started, now)
	switch {
	case rep.Cancelled:
		return when, styledText{w.T("window.last_run.stopped"), widget.WarningImportance}
	case len(rep.Errors) > 0:
		return when, styledText{w.T("window.last_run.failed", "Problem", firstSentence(rep.ErrorIn(w, 0))), widget.DangerImportance}
	case rep.FailedItems() > 0:
		n := rep.FailedItems()
		return when, styledText{w.N("window.last_run.errors", n, "Moved", w.Int(int64(rep.Moved()))), widget.DangerImportance}
	}
	return when, styledText{w.T("window.last_run.ok", "Moved", w.Int(int64(rep.Moved()))), widget.SuccessImportance}
}

func nextRunText(w *words.Words, r moduleRow, now time.Time) string {
	switch {
	case !r.Installed:
		return "—"
	case !r.CanSync:
		return w.T("window.next_run.not_green", "Green", w.T("window.light.green"))
	case !r.HasNext:
		return w.T("window.next_run.manual")
	case !r.Next.After(now):
		return w.T("window.next_run.due")
	}
	return humanTime(w, r.Next, now)
}

// humanTime writes t relative to now in plain words: "Today 14:05",
// "Yesterday 02:00", "Tomorrow 02:00", "Mon 03/11/2025 02:00", with the
// language's date.
func humanTime(w *words.Words, t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(now.Location())
	y1, m1, d1 := t.Date()
	day := time.Date(y1, m1, d1, 0, 0, 0, 0, now.Location())
	y2, m2, d2 := now.Date()
	today := time.Date(y2, m2, d2, 0, 0, 0, 0, now.Location())
	clock := t.Format("15:04")
	switch int(day.Sub(today).Round(time.Hour).Hours() / 24) {
	case 0:
		return w.T("window.time.today", "Time", clock)
	case -1:
		return w.T("window.time.yesterday", "Time", clock)
	case 1:
		return w.T("window.time.tomorrow", "Time", clock)
	}
	if t.Year() != now.Year() {
		return w.DateTime(t)
	}
	return w.T("window.time.other_day", "Weekday", w.WeekdayShort(t.Weekday()), "DateTime", w.DateTime(t))
}

func (m *ModuleList) install(mod sync.ModuleStatus) {
	a := m.a
	title := displayTitle(mod)
	modules := a.svc.Modules
	w := a.w
	pv := a.showProgress(w.T("window.install.title", "Module", title),
		w.T("window.install.done", "Configure", w.T("window.button.configure"), "Return", w.T("window.button.return")),
		func(ctx context.Context, progress func(string)) error {
			return modules.Install(ctx, mod.Name, progress)
		}, nil)
	pv.offer(w.T("window.button.configure"), func() { a.ShowConfigure(mod.Name) })
	pv.next.Hide()
	pv.onDone = func(err error) {
		if err == nil {
			pv.next.Show()
		}
	}
}

func (m *ModuleList) trySample() {
	a := m.a
	try := a.svc.TrySample
	var next *Services
	a.showProgress(a.w.T("window.sample.title"),
		a.w.T("window.sample.done", "Return", a.w.T("window.button.return"), "Green", a.w.T("window.light.green"), "Export", a.w.T("window.work.export")),
		func(ctx context.Context, progress func(string)) error {
			svc, err := try(ctx, progress)
			next = svc
			return err
		}, func() {
			// The work is done (Return is enabled only then), so next is
			// settled.
			if next != nil {
				a.replaceServices(*next)
			}
			a.ShowModules()
		})
}

func (m *ModuleList) confirmUninstall(mod sync.ModuleStatus) {
	title := displayTitle(mod)
	a := m.a
	msg := a.w.T("window.uninstall.question", "Module", title)
	a.confirm(a.w.T("window.uninstall.title", "Module", title), msg, a.w.T("window.button.uninstall"), func() {
		ctx := a.ctx
		svc := a.svc
		a.spawn(func() {
			err := svc.Modules.Uninstall(ctx, mod.Name)
			a.do(func() {
				if err != nil {
					a.showError(a.w.T("window.uninstall.failed"), err)
				}
				a.tracef("uninstalled module=%s ok=%v", mod.Name, err == nil) // words:verbatim: trace for scripts
				m.Refresh()
			})
		})
	})
}

func (m *ModuleList) backup() {
	a := m.a
	name := "ledgerlink-backup-" + a.svc.Now().Format("2006-01-02-1504") + ".db"
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.showError(a.w.T("window.backup.failed"), err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		m.backupTo(path)
	}, a.win)
	d.SetFileName(name)
	if uri, err := storageURI(a.svc.DataDir); err == nil && a.svc.DataDir != "" {
		d.SetLocation(uri)
	}
	// Shown first: Fyne's file dialog cannot be sized before it is shown.
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}

// backupTo saves the backup to path in the background.
func (m *ModuleList) backupTo(path string) {
	a := m.a
	m.status.SetText(a.w.T("window.backup.saving"))
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		err := svc.Backup(ctx, path)
		a.do(func() {
			m.status.SetText("")
			if err != nil {
				a.log.Warn("the backup was not saved", "err", err)
				a.inform(a.w.T("window.backup.failed"), a.w.T("window.backup.failed_fix", "Error", a.w.Error(err)))
				return
			}
			a.tracef("backup saved") // words:verbatim: trace for scripts
			a.inform(a.w.T("window.backup.saved"), a.w.T("window.backup.saved_to", "Path", path))
		})
	})
}

func (m *ModuleList) restore() {
	a := m.a
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError(a.w.T("window.restore.cannot_open"), err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		m.restoreFrom(path)
	}, a.win)
	if uri, err := storageURI(a.svc.DataDir); err == nil && a.svc.DataDir != "" {
		d.SetLocation(uri)
	}
	// Shown first: Fyne's file dialog cannot be sized before it is shown.
	d.Show()
	d.Resize(fyne.NewSize(900, 600))
}

// restoreFrom checks the backup at path, says what will be replaced and,
// once confirmed, restores it.
func (m *ModuleList) restoreFrom(path string) {
	a := m.a
	ctx := a.ctx
	current := m.installedTitles()
	svc := a.svc
	a.spawn(func() {
		info, err := svc.VerifyBackup(path)
		a.do(func() {
			if err != nil {
				a.showError(a.w.T("window.restore.refused"), err)
				return
			}
			a.confirm(a.w.T("window.restore.title"), restoreMessage(a.w, path, info, current, svc.Now()), a.w.T("window.restore.confirm"), func() {
				m.status.SetText(a.w.T("window.restore.restoring"))
				a.spawn(func() {
					res, err := svc.Restore(ctx, path)
					a.do(func() { m.restored(res, err) })
				})
			})
		})
	})
}

func (m *ModuleList) restored(res RestoreResult, err error) {
	a := m.a
	m.status.SetText("")
	if err != nil {
		a.log.Warn("the backup was not restored", "err", err)
		a.inform(a.w.T("window.restore.failed"), a.w.T("window.restore.failed_unchanged", "Error", a.w.Error(err)))
		return
	}
	if res.Services != nil {
		a.replaceServices(*res.Services)
	}
	msg := a.w.T("window.restore.done")
	if res.KeptAside != "" {
		msg += "\n\n" + a.w.T("window.restore.kept_aside", "Path", res.KeptAside)
	}
	a.tracef("restored") // words:verbatim: trace for scripts
	a.ShowModules()
	a.inform(a.w.T("window.restore.done_title"), msg)
}

func (m *ModuleList) installedTitles() []string {
	var out []string
	for _, r := range m.list {
		if r.Installed {
			out = append(out, displayTitle(r.ModuleStatus))
		}
	}
	return out
}

// restoreMessage says exactly what a restore replaces.
func restoreMessage(w *words.Words, path string, info storage.BackupInfo, current []string, now time.Time) string {
	when := humanTime(w, info.SavedAt, now)
	var first, second string
	if len(info.Modules) > 0 {
		first = w.T("window.restore.backup_holds", "Path", path, "When", when, "Modules", strings.Join(info.Modules, ", "))
	} else {
		first = w.T("window.restore.backup_empty", "Path", path, "When", when)
	}
	if len(current) > 0 {
		second = w.T("window.restore.replaces_modules", "Modules", strings.Join(current, ", "))
	} else {
		second = w.T("window.restore.replaces_records")
	}
	return first + "\n\n" + second + "\n\n" + w.T("window.restore.kept_safe")
}

// replaceServices switches to services built on a reopened database.
func (a *App) replaceServices(svc Services) {
	a.closeWork()
	a.configure = nil
	a.setServices(svc)
	a.subscribe()
	a.modules = newModuleList(a)
	a.tray.replaced()
	a.refreshStatusBar()
}

// columnsLayout places cells side by side at fixed widths; the last cell
// takes what is left.
type columnsLayout struct{ widths []float32 }

func newColumnsRow(widths []float32, cells ...fyne.CanvasObject) *fyne.Container {
	return container.New(&columnsLayout{widths: widths}, cells...)
}

func (l *columnsLayout) width(i int) (float32, bool) {
	if i < len(l.widths) {
		return l.widths[i], true
	}
	return 0, false
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	x := float32(0)
	for i, o := range objs {
		w, fixed := l.width(i)
		if !fixed {
			w = max(size.Width-x, 0)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	for i, o := range objs {
		cw, fixed := l.width(i)
		ms := o.MinSize()
		if !fixed {
			cw = max(ms.Width, 120)
		}
		w += cw
		if i > 0 {
			w += pad
		}
		h = max(h, ms.Height)
	}
	return fyne.NewSize(w, h)
}

// selectableRow is a row that is highlighted when selected and selects on
// tap.
type selectableRow struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	selected bool
	onTap    func()
}

func newSelectableRow(content fyne.CanvasObject, selected bool, onTap func()) *selectableRow {
	r := &selectableRow{content: content, selected: selected, onTap: onTap}
	r.ExtendBaseWidget(r)
	return r
}

func (r *selectableRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func (r *selectableRow) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	if r.selected {
		bg.FillColor = theme.Color(theme.ColorNameSelection)
	}
	return widget.NewSimpleRenderer(container.NewStack(bg, r.content))
}
