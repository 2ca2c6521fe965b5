package ui

import (
	"context"
	"fmt"
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

// newLight draws a status light with its word beside it, so colour is not
// the only clue.
func newLight(l connectors.Light) (*canvas.Circle, *widget.Label, fyne.CanvasObject) {
	dot := canvas.NewCircle(lightColor(l))
	dot.StrokeColor = color.NRGBA{A: 0x60}
	dot.StrokeWidth = 1
	word := widget.NewLabelWithStyle(string(l), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	box := container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(18, 18), dot)), word)
	return dot, word, box
}

func setLight(dot *canvas.Circle, word *widget.Label, l connectors.Light) {
	dot.FillColor = lightColor(l)
	dot.Refresh()
	word.SetText(string(l))
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
}

// module list column widths; the Notes column takes the rest.
var moduleColumns = []float32{110, 150, 160, 130, 170, 130}

func newModuleList(a *App) *ModuleList {
	m := &ModuleList{a: a, rows: container.NewVBox(), status: widget.NewLabel("")}
	m.status.Wrapping = fyne.TextWrapWord

	title := widget.NewLabelWithStyle("Modules", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel("Each module connects LedgerLink to one accounting package. " +
		"GREEN: ready. AMBER: installed, something to fix (see Notes). RED: not installed.")
	intro.Wrapping = fyne.TextWrapWord
	var topRight []fyne.CanvasObject
	if a.svc.Backup != nil {
		backup := widget.NewButtonWithIcon("Backup…", theme.DocumentSaveIcon(), m.backup)
		topRight = append(topRight, backup)
	}
	m.welcome = container.NewVBox()
	m.welcome.Hide()
	head := container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(topRight...)), container.NewVBox(title, intro))

	header := newColumnsRow(moduleColumns,
		boldLabel("Status"), boldLabel("Module"), boldLabel("Organisation"), boldLabel("Last run"),
		boldLabel("Result"), boldLabel("Next run"), boldLabel("Notes (what to fix)"))

	var bottom []fyne.CanvasObject
	if a.svc.Restore != nil && a.svc.VerifyBackup != nil {
		restore := widget.NewButtonWithIcon("Restore from backup…", theme.HistoryIcon(), m.restore)
		bottom = append(bottom, restore)
	}
	foot := container.NewVBox(widget.NewSeparator(), m.status, container.NewHBox(bottom...))
	m.content = container.NewPadded(container.NewBorder(
		container.NewVBox(head, m.welcome, widget.NewSeparator(), header, widget.NewSeparator()),
		foot, nil, nil, container.NewVScroll(m.rows)))
	return m
}

func boldLabel(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
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
				m.status.SetText("Could not read the modules: " + err.Error())
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
		m.rows.Add(widget.NewLabel("No accounting packages are available in this build."))
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
	m.a.tracef("modules shown count=%d installed=%d", len(rows), countInstalled(rows))
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
	msg := widget.NewLabel("Nothing is set up yet. To look around first, try LedgerLink with sample data: " +
		"it sets up a practice accounting package (the Sandbox) with sample customers and invoices. " +
		"No account is needed and your real books are not touched. " +
		"When you are ready, press Install on the accounting package you use.")
	msg.Wrapping = fyne.TextWrapWord
	try := widget.NewButtonWithIcon("Try with sample data", theme.MediaPlayIcon(), m.trySample)
	try.Importance = widget.HighImportance
	m.welcome.Add(widget.NewCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(try), msg)))
	m.welcome.Show()
}

func (m *ModuleList) row(r moduleRow, now time.Time) fyne.CanvasObject {
	_, _, light := newLight(r.Light)
	name := widget.NewLabelWithStyle(displayTitle(r.ModuleStatus), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	org := widget.NewLabel(dash(r.Organisation))
	org.Wrapping = fyne.TextWrapWord
	last, result := lastRunText(r, now)
	lastL := widget.NewLabel(last)
	resultL := widget.NewLabel(tidy(result.text))
	resultL.Importance = result.importance
	resultL.Wrapping = fyne.TextWrapWord
	next := widget.NewLabel(nextRunText(r, now))
	next.Wrapping = fyne.TextWrapWord
	notesText := "Ready."
	if len(r.Notes) > 0 {
		notesText = "• " + strings.Join(r.Notes, "\n• ")
	}
	notes := widget.NewLabel(tidy(notesText))
	notes.Wrapping = fyne.TextWrapWord
	if r.Light != connectors.Green && r.Installed {
		notes.Importance = widget.WarningImportance
	}

	var actions []fyne.CanvasObject
	if r.Installed {
		cfg := widget.NewButtonWithIcon("Configure", theme.SettingsIcon(), func() { m.a.ShowConfigure(r.Name) })
		if r.Light != connectors.Green {
			cfg.Importance = widget.HighImportance
		}
		actions = append(actions, cfg)
		if m.a.svc.Engine != nil {
			actions = append(actions,
				widget.NewButtonWithIcon("Export", theme.UploadIcon(), func() { m.a.ShowModule(r.Name, "export") }),
				widget.NewButtonWithIcon("Import", theme.DownloadIcon(), func() { m.a.ShowModule(r.Name, "import") }),
				widget.NewButtonWithIcon("Run history", theme.HistoryIcon(), func() { m.a.ShowModule(r.Name, "history") }))
		}
		if m.a.svc.Scheduler != nil {
			syncBtn := widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), func() { m.a.syncNow(r.Name) })
			if !r.CanSync || r.Running {
				syncBtn.Disable()
			}
			actions = append(actions, syncBtn)
		}
		actions = append(actions, layout.NewSpacer(),
			widget.NewButtonWithIcon("Uninstall", theme.DeleteIcon(), func() { m.confirmUninstall(r.ModuleStatus) }))
	} else {
		install := widget.NewButtonWithIcon("Install", theme.DownloadIcon(), func() { m.install(r.ModuleStatus) })
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
func lastRunText(r moduleRow, now time.Time) (string, styledText) {
	if r.Running {
		return "Running now…", styledText{"Syncing…", widget.MediumImportance}
	}
	if !r.Installed {
		return "—", styledText{"—", widget.MediumImportance}
	}
	if r.LastRun == nil {
		return "Never", styledText{"—", widget.MediumImportance}
	}
	rep := *r.LastRun
	when := humanTime(rep.Started, now)
	switch {
	case rep.Cancelled:
		return when, styledText{"Stopped before the end", widget.WarningImportance}
	case len(rep.Errors) > 0:
		return when, styledText{"Failed: " + firstSentence(rep.Errors[0]), widget.DangerImportance}
	case rep.FailedItems() > 0:
		n := rep.FailedItems()
		return when, styledText{fmt.Sprintf("%d moved, %d %s (see Error Feedback)", rep.Moved(), n, plural(n, "error", "errors")), widget.DangerImportance}
	}
	return when, styledText{fmt.Sprintf("OK, %d moved", rep.Moved()), widget.SuccessImportance}
}

func nextRunText(r moduleRow, now time.Time) string {
	switch {
	case !r.Installed:
		return "—"
	case !r.CanSync:
		return "Not until it is GREEN"
	case !r.HasNext:
		return "Manual only"
	case !r.Next.After(now):
		return "Due now"
	}
	return humanTime(r.Next, now)
}

// humanTime writes t relative to now in plain words: "Today 14:05",
// "Yesterday 02:00", "Tomorrow 02:00", "Mon 3 Nov 02:00".
func humanTime(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(now.Location())
	y1, m1, d1 := t.Date()
	day := time.Date(y1, m1, d1, 0, 0, 0, 0, now.Location())
	y2, m2, d2 := now.Date()
	today := time.Date(y2, m2, d2, 0, 0, 0, 0, now.Location())
	switch int(day.Sub(today).Round(time.Hour).Hours() / 24) {
	case 0:
		return "Today " + t.Format("15:04")
	case -1:
		return "Yesterday " + t.Format("15:04")
	case 1:
		return "Tomorrow " + t.Format("15:04")
	}
	if t.Year() != now.Year() {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

func (m *ModuleList) install(mod sync.ModuleStatus) {
	a := m.a
	title := displayTitle(mod)
	modules := a.svc.Modules
	pv := a.showProgress("Installing "+title, "Installed. Press Configure to enter the sign-in details, or Return to go back to the modules.",
		func(ctx context.Context, progress func(string)) error {
			return modules.Install(ctx, mod.Name, progress)
		}, nil)
	pv.offer("Configure", func() { a.ShowConfigure(mod.Name) })
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
	a.showProgress("Setting up the Sandbox with sample data",
		"The Sandbox is ready. Press Return: its module is GREEN, and Export shows the sample invoices waiting to go.",
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
	msg := fmt.Sprintf("Uninstall %s?\n\nLedgerLink forgets this module's settings, mappings, export queue and logs, "+
		"and deletes its saved sign-in from the system keyring. Nothing changes in %s itself, and your business records stay.\n\n"+
		"Make a backup first if you may want them back.", title, title)
	a := m.a
	a.confirm("Uninstall "+title, msg, "Uninstall", func() {
		ctx := a.ctx
		svc := a.svc
		a.spawn(func() {
			err := svc.Modules.Uninstall(ctx, mod.Name)
			a.do(func() {
				if err != nil {
					a.showError("Uninstall did not finish", err)
				}
				a.tracef("uninstalled module=%s ok=%v", mod.Name, err == nil)
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
			a.showError("The backup was not saved", err)
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
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// backupTo saves the backup to path in the background.
func (m *ModuleList) backupTo(path string) {
	a := m.a
	m.status.SetText("Saving the backup…")
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		err := svc.Backup(ctx, path)
		a.do(func() {
			m.status.SetText("")
			if err != nil {
				a.showError("The backup was not saved", fmt.Errorf("%w\nChoose another folder (for example your Documents) and try again.", err))
				return
			}
			a.tracef("backup saved")
			a.inform("Backup saved", "LedgerLink's data was saved to\n"+path+
				"\n\nSaved sign-ins stay in the system keyring and are not part of the backup.")
		})
	})
}

func (m *ModuleList) restore() {
	a := m.a
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.showError("Cannot open the backup", err)
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
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
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
				a.showError("This file cannot be restored", err)
				return
			}
			a.confirm("Restore this backup?", restoreMessage(path, info, current, svc.Now()), "Replace and restore", func() {
				m.status.SetText("Restoring…")
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
		a.showError("The backup was not restored", fmt.Errorf("%w\nYour data was left as it was.", err))
		return
	}
	if res.Services != nil {
		a.replaceServices(*res.Services)
	}
	msg := "LedgerLink now holds the data of the backup."
	if res.KeptAside != "" {
		msg += "\n\nThe data it replaced was kept in\n" + res.KeptAside + "\nin case you need it."
	}
	a.tracef("restored")
	a.ShowModules()
	a.inform("Backup restored", msg)
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
func restoreMessage(path string, info storage.BackupInfo, current []string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The backup %s was saved %s", path, humanTime(info.SavedAt, now))
	if len(info.Modules) > 0 {
		fmt.Fprintf(&b, " and holds the modules: %s.", strings.Join(info.Modules, ", "))
	} else {
		b.WriteString(" and holds no installed module.")
	}
	b.WriteString("\n\nRestoring replaces everything LedgerLink holds now")
	if len(current) > 0 {
		fmt.Fprintf(&b, " (the modules %s with their settings, mappings, pending exports, export history and error logs, and your business records)", strings.Join(current, ", "))
	} else {
		b.WriteString(" (your business records and logs)")
	}
	b.WriteString(" with the backup's content. Anything done since the backup is set aside.\n\n" +
		"The current data is kept in a separate file, so nothing is lost. Saved sign-ins in the system keyring are not changed.")
	return b.String()
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
