package ui

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

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

// Configure tabs, in order, by the names traces and connectors'
// Field.Tab use (the same in every language; the titles are the
// catalogue's).
const (
	tabAccount = "Account"         // words:verbatim: tab identifier
	tabSync    = "Synchronisation" // words:verbatim: tab identifier
	tabTiming  = "Timing"          // words:verbatim: tab identifier
	tabMapping = "Mapping"         // words:verbatim: tab identifier
	tabOptions = "Options"         // words:verbatim: tab identifier
)

// tabTitle is a Configure tab's title in the person's language.
func tabTitle(w *words.Words, tab string) string {
	switch tab {
	case tabAccount:
		return w.T("window.tab.account")
	case tabSync:
		return w.T("window.tab.sync")
	case tabTiming:
		return w.T("window.tab.timing")
	case tabMapping:
		return w.T("window.tab.mapping")
	case tabAdministrations:
		return w.T("window.tab.administrations")
	case tabOptions:
		return w.T("window.tab.options")
	}
	return tab
}

// ConfigureScreen is a module's settings in tabs: Account,
// Synchronisation, Timing, Mapping, Administrations (for packages that list
// them) and Options, with Update and Close. Its
// status light and notes follow the edits as they are made.
type ConfigureScreen struct {
	a      *App
	module string
	def    connectors.Definition
	title  string
	saved  map[string]string
	// secretsSet says which secret fields the keyring holds.
	secretsSet map[string]bool
	dirty      bool
	saving     bool

	dot    *canvas.Circle
	word   *widget.Label
	notes  *widget.Label
	status *widget.Label
	tabs   *container.AppTabs
	// tabIDs are the tabs' names (tabAccount, …), in order.
	tabIDs  []string
	content fyne.CanvasObject

	account *accountTab
	// fetchers are the "Fetch from …" parts of settings whose values come
	// from the package.
	fetchers []*fetcher
	matrix   *matrixTab
	timing   *timingTab
	mapping  *mappingTab
	// admins is nil unless the module's package lists administrations.
	admins  *administrationsTab
	options *optionsTab
}

func newConfigureScreen(a *App, module string) (*ConfigureScreen, error) {
	if a.svc.Settings == nil {
		return nil, words.Errorf(nil, "window.configure.unavailable")
	}
	def, err := a.svc.Modules.Definition(module)
	if err != nil {
		return nil, err
	}
	saved, err := a.svc.Settings.Settings(module)
	if err != nil {
		if errors.Is(err, storage.ErrNotInstalled) {
			return nil, words.Errorf(err, "window.error.not_installed", "Module", displayDef(def), "Install", a.w.T("window.button.install"))
		}
		return nil, err
	}
	if saved == nil {
		saved = map[string]string{}
	}
	cs := &ConfigureScreen{a: a, module: module, def: def, title: displayDef(def), saved: saved, secretsSet: map[string]bool{}}
	cs.build()
	cs.loadSecrets()
	if cs.mapping != nil {
		cs.mapping.load()
	}
	if cs.admins != nil {
		cs.admins.load()
	}
	cs.refreshLight()
	return cs, nil
}

func displayDef(def connectors.Definition) string {
	if def.Title != "" {
		return def.Title
	}
	return def.Name
}

func (cs *ConfigureScreen) build() {
	w := cs.a.w
	cs.dot, cs.word, _ = newLight(w, connectors.Amber)
	lightBox := container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSize(18, 18), cs.dot)), cs.word)
	heading := widget.NewLabelWithStyle(w.T("window.configure.title", "Module", cs.title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	cs.notes = widget.NewLabel("")
	cs.notes.Wrapping = fyne.TextWrapWord
	cs.status = widget.NewLabel("")
	cs.status.Wrapping = fyne.TextWrapWord

	cs.account = newAccountTab(cs)
	cs.matrix = newMatrixTab(cs)
	cs.timing = newTimingTab(cs)
	if cs.a.svc.Workspace != nil && cs.a.svc.Engine != nil {
		cs.mapping = newMappingTab(cs)
		cs.admins = newAdministrationsTab(cs)
	}
	cs.options = newOptionsTab(cs)

	var items []*container.TabItem
	add := func(id string, content fyne.CanvasObject) {
		items = append(items, container.NewTabItem(tabTitle(w, id), content))
		cs.tabIDs = append(cs.tabIDs, id)
	}
	add(tabAccount, cs.account.content)
	add(tabSync, cs.matrix.content)
	add(tabTiming, cs.timing.content)
	if cs.mapping != nil {
		add(tabMapping, cs.mapping.content)
	}
	if cs.admins != nil {
		add(tabAdministrations, cs.admins.content)
	}
	add(tabOptions, cs.options.content)
	cs.tabs = container.NewAppTabs(items...)
	cs.tabs.OnSelected = func(*container.TabItem) {
		cs.a.tracef("tab=%s module=%s", cs.tabIDs[cs.tabs.SelectedIndex()], cs.module) // words:verbatim: trace for scripts
	}

	updateText, closeText := w.T("window.configure.update"), w.T("window.configure.close")
	update := widget.NewButtonWithIcon(updateText, theme.DocumentSaveIcon(), func() { cs.update(nil) })
	update.Importance = widget.HighImportance
	closeBtn := widget.NewButtonWithIcon(closeText, theme.CancelIcon(), cs.close)
	keys := widget.NewLabel(w.T("window.configure.keys", "Update", updateText, "Close", closeText, "Last", len(cs.tabs.Items)))
	keys.Importance = widget.LowImportance
	bottom := container.NewVBox(widget.NewSeparator(), cs.status,
		container.NewHBox(update, closeBtn, layout.NewSpacer(), keys))
	top := container.NewVBox(container.NewHBox(heading, layout.NewSpacer(), lightBox), cs.notes, widget.NewSeparator())
	cs.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, cs.tabs))
}

// Content is the screen's canvas object.
func (cs *ConfigureScreen) Content() fyne.CanvasObject { return cs.content }

// selectTab shows the i-th tab.
func (cs *ConfigureScreen) selectTab(i int) {
	if i < 0 || i >= len(cs.tabs.Items) {
		return
	}
	if cs.tabs.SelectedIndex() != i {
		cs.tabs.SelectIndex(i) // OnSelected traces it
		return
	}
	cs.a.tracef("tab=%s module=%s", cs.tabIDs[i], cs.module) // words:verbatim: trace for scripts
}

// selectTabNamed shows the tab tabAccount, tabSync, ….
func (cs *ConfigureScreen) selectTabNamed(name string) {
	for i, id := range cs.tabIDs {
		if id == name {
			cs.selectTab(i)
			return
		}
	}
}

// loadSecrets asks the keyring which secrets are saved.
func (cs *ConfigureScreen) loadSecrets() {
	if cs.a.svc.Secrets == nil {
		return
	}
	a := cs.a
	ctx := a.ctx
	var keys []string
	for _, f := range cs.def.Settings {
		if f.Secret {
			keys = append(keys, f.Key)
		}
	}
	if len(keys) == 0 {
		return
	}
	svc := a.svc
	a.spawn(func() {
		set := map[string]bool{}
		var firstErr error
		for _, k := range keys {
			ok, err := svc.Secrets.Has(ctx, cs.module, k)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			set[k] = ok
		}
		a.do(func() {
			cs.secretsSet = set
			cs.account.secretsLoaded(firstErr)
			cs.refreshLight()
		})
	})
}

// markDirty notes an unsaved edit and updates the light.
func (cs *ConfigureScreen) markDirty() {
	if !cs.dirty {
		cs.dirty = true
		cs.status.Importance = widget.MediumImportance
		cs.status.SetText(cs.a.w.T("window.configure.unsaved", "Update", cs.a.w.T("window.configure.update")))
	}
	cs.refreshLight()
}

// liveStatus is the light and notes the module would have with the edits
// saved.
func (cs *ConfigureScreen) liveStatus() (connectors.Light, []string) {
	values := map[string]string{}
	maps.Copy(values, cs.saved)
	maps.Copy(values, cs.account.values())
	maps.Copy(values, cs.options.schemaValues())
	maps.Copy(values, cs.matrix.m.Settings())
	if cs.account.connected {
		// Signed in again on this screen: the old "sign in again" note
		// is over.
		delete(values, sync.ReconnectSetting)
	}
	hasSecret := func(k string) bool { return cs.secretsSet[k] || cs.account.typedSecret(k) }
	// The module list's rule, on the edits not saved yet.
	light, notes := sync.SettingsStatusIn(cs.a.w, cs.def, values, hasSecret, cs.a.svc.Sandbox)
	if cs.mapping != nil {
		notes = append(notes, cs.mapping.unmappedNotes()...)
	}
	if cs.admins != nil {
		notes = append(notes, cs.admins.unmappedNotes()...)
	}
	if len(notes) > 0 {
		light = connectors.Amber
	}
	return light, notes
}

// refreshLight shows the live light and notes.
func (cs *ConfigureScreen) refreshLight() {
	w := cs.a.w
	light, notes := cs.liveStatus()
	setLight(w, cs.dot, cs.word, light)
	if len(notes) == 0 {
		cs.notes.Importance = widget.SuccessImportance
		cs.notes.SetText(w.T("window.configure.ready"))
		return
	}
	said := make([]string, len(notes))
	for i, n := range notes {
		said[i] = w.Label(n)
	}
	cs.notes.Importance = widget.WarningImportance
	cs.notes.SetText(tidy(w.T("window.configure.to_do", "Notes", strings.Join(said, " "))))
}

// Light is the live status light (tests).
func (cs *ConfigureScreen) Light() connectors.Light {
	l, _ := cs.liveStatus()
	return l
}

// update checks every tab and saves them. after, when set, runs once the
// settings are saved.
func (cs *ConfigureScreen) update(after func()) {
	if cs.saving {
		return
	}
	w := cs.a.w
	if !cs.account.validate() {
		cs.selectTabNamed(tabAccount)
		cs.status.Importance = widget.DangerImportance
		cs.status.SetText(w.T("window.configure.correct_fields", "Tab", tabTitle(w, tabAccount), "Update", w.T("window.configure.update")))
		return
	}
	if !cs.options.validate() {
		cs.selectTabNamed(tabOptions)
		cs.status.Importance = widget.DangerImportance
		cs.status.SetText(w.T("window.configure.correct_fields", "Tab", tabTitle(w, tabOptions), "Update", w.T("window.configure.update")))
		return
	}
	schema := cs.account.changedValues(cs.saved)
	maps.Copy(schema, cs.options.changedSchemaValues(cs.saved))
	engine := map[string]string{}
	maps.Copy(engine, cs.matrix.m.Settings())
	maps.Copy(engine, cs.timing.settings())
	if cs.mapping != nil {
		maps.Copy(engine, cs.mapping.changedSettings(cs.saved))
	}
	if cs.admins != nil {
		maps.Copy(engine, cs.admins.changedSettings(cs.saved))
	}
	maps.Copy(engine, cs.options.changedEngineValues(cs.saved))
	secrets := cs.account.typedSecrets()

	cs.saving = true
	cs.status.Importance = widget.MediumImportance
	cs.status.SetText(w.T("window.configure.saving"))
	a := cs.a
	ctx := a.ctx
	svc := a.svc
	a.spawn(func() {
		err := saveSettings(ctx, svc, cs.def, schema, engine, secrets)
		var saved map[string]string
		if err == nil {
			saved, err = svc.Settings.Settings(cs.module)
		}
		a.do(func() {
			cs.saving = false
			if err != nil {
				cs.status.Importance = widget.DangerImportance
				cs.status.SetText(w.T("window.configure.not_saved", "Error", w.Error(err)))
				cs.account.showSaveErrors(err)
				a.tracef("configure update failed module=%s", cs.module) // words:verbatim: trace for scripts
				return
			}
			cs.saved = saved
			for k := range secrets {
				cs.secretsSet[k] = true
			}
			cs.account.saved()
			cs.dirty = false
			cs.status.Importance = widget.SuccessImportance
			cs.status.SetText(w.T("window.configure.saved", "Time", w.Clock(svc.Now())))
			cs.refreshLight()
			if svc.Scheduler != nil {
				svc.Scheduler.Reschedule()
			}
			a.tracef("configure updated module=%s light=%s", cs.module, cs.Light()) // words:verbatim: trace for scripts
			if after != nil {
				after()
			}
		})
	})
}

// saveSettings writes the connector's settings, LedgerLink's own keys and
// the secrets typed in through module management, the same checks and the
// same function `ledgerlink config` uses. The window has asked for any
// confirmation already (raising a type to NEW + UPDATED asks on the button).
func saveSettings(ctx context.Context, svc Services, def connectors.Definition, schema, engine, secrets map[string]string) error {
	values := maps.Clone(schema)
	if values == nil {
		values = map[string]string{}
	}
	maps.Copy(values, engine)
	if len(values) > 0 {
		if _, err := svc.Modules.Apply(ctx, def.Name, values, true); err != nil {
			return err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(secrets)) {
		if err := svc.Modules.SetSecret(ctx, def.Name, k, secrets[k]); err != nil {
			return err
		}
	}
	return nil
}

// close goes back to the module list, asking first when edits are not
// saved.
func (cs *ConfigureScreen) close() {
	a := cs.a
	if !cs.dirty {
		a.ShowModules()
		return
	}
	w := a.w
	msg := widget.NewLabel(w.T("window.configure.save_before_closing"))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	save := widget.NewButtonWithIcon(w.T("window.configure.update_and_close"), theme.DocumentSaveIcon(), func() {
		d.Hide()
		cs.update(a.ShowModules)
	})
	save.Importance = widget.HighImportance
	discard := widget.NewButton(w.T("window.configure.close_without_saving"), func() {
		d.Hide()
		a.ShowModules()
	})
	cancel := widget.NewButton(w.T("window.button.cancel"), func() { d.Hide() })
	title := w.T("window.configure.save_changes")
	d = dialog.NewCustomWithoutButtons(title, container.NewPadded(msg), a.win)
	d.SetButtons([]fyne.CanvasObject{cancel, discard, save})
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	a.trackModal(title, d, save.OnTapped, d.Hide)
}
