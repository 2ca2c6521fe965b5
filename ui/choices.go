package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// ChoiceEngine reads from the package the values a setting may take
// (*sync.Engine). The Engine of Services may have it; without it a
// fetched setting is typed in.
type ChoiceEngine interface {
	SettingChoices(ctx context.Context, module, key string) ([]connectors.Choice, error)
}

// RefreshEngine runs a module's refresh action in its package
// (*sync.Engine; see Definition.RefreshLabel).
type RefreshEngine interface {
	RefreshAction(ctx context.Context, module string) error
}

// fetcher is the "Fetch from …" part of a setting whose values come from
// the package: the entry stays (a value can still be typed), and the
// fetched values fill a drop-down (one value) or a list of check boxes
// (several, separated by commas) that write into it.
type fetcher struct {
	fe     *fieldEditor
	button *widget.Button
	sel    *widget.Select
	group  *widget.CheckGroup
	note   *widget.Label
	// values are the fetched values, by their shown label.
	values map[string]string
}

// addFetch gives a Fetched field of the schema its "Fetch from …" button
// when the engine can read choices; it must run before fe.cell().
func (cs *ConfigureScreen) addFetch(fe *fieldEditor) {
	eng, ok := cs.a.svc.Engine.(ChoiceEngine)
	if !ok || !fe.f.Fetched || fe.entry == nil || fe.f.Secret {
		return
	}
	fx := &fetcher{fe: fe, values: map[string]string{}}
	fx.note = widget.NewLabel("")
	fx.note.Wrapping = fyne.TextWrapWord
	fx.note.Hide()
	if fe.f.Multiple {
		fx.group = widget.NewCheckGroup(nil, func(chosen []string) { fx.chose(chosen) })
		fx.group.Horizontal = true
		fx.group.Hide()
	} else {
		fx.sel = widget.NewSelect(nil, func(s string) { fx.chose([]string{s}) })
		fx.sel.PlaceHolder = cs.a.w.T("window.fetch.choose", "Module", cs.title)
		fx.sel.Hide()
	}
	fx.button = widget.NewButtonWithIcon(cs.a.w.T("window.fetch.button", "Module", cs.title), theme.DownloadIcon(), func() { cs.fetchChoices(eng, fx) })
	var picker fyne.CanvasObject = fx.sel
	if fx.group != nil {
		picker = fx.group
	}
	fe.widget = container.NewVBox(container.NewBorder(nil, nil, nil, fx.button, fe.entry), picker, fx.note)
	cs.fetchers = append(cs.fetchers, fx)
}

// chose writes the picked values into the entry.
func (fx *fetcher) chose(labels []string) {
	var vals []string
	for _, l := range labels {
		if v, ok := fx.values[l]; ok {
			vals = append(vals, v)
		}
	}
	text := strings.Join(vals, ", ")
	if fx.fe.entry.Text != text {
		fx.fe.entry.SetText(text)
	}
}

// fetchChoices reads the values in the background and shows them.
func (cs *ConfigureScreen) fetchChoices(eng ChoiceEngine, fx *fetcher) {
	a := cs.a
	fx.button.Disable()
	fx.note.Importance = widget.MediumImportance
	fx.note.SetText(a.w.T("window.fetch.reading", "Field", a.w.Label(fx.fe.f.Label), "Module", cs.title))
	fx.note.Show()
	ctx, key := a.ctx, fx.fe.f.Key
	a.spawn(func() {
		choices, err := eng.SettingChoices(ctx, cs.module, key)
		a.do(func() {
			fx.button.Enable()
			fx.show(a.w, cs.title, choices, err)
			a.tracef("choices fetched module=%s key=%s n=%d ok=%v", cs.module, key, len(choices), err == nil) // words:verbatim: trace for scripts
		})
	})
}

// show fills the picker with what came back, keeping the current value
// picked.
func (fx *fetcher) show(w *words.Words, title string, choices []connectors.Choice, err error) {
	if err != nil {
		fx.note.Importance = widget.DangerImportance
		fx.note.SetText(w.T("window.fetch.failed", "Error", w.Error(err)))
		return
	}
	if len(choices) == 0 {
		fx.note.Importance = widget.WarningImportance
		fx.note.SetText(w.T("window.fetch.none", "Module", title))
		return
	}
	fx.values = map[string]string{}
	labels := make([]string, 0, len(choices))
	for _, c := range choices {
		l := c.Label
		if l == "" {
			l = c.Value
		}
		if fx.fe.f.CustomFieldsOf != "" {
			if c.InBusinessFiles {
				l = w.T("window.fetch.in_business_files", "Value", l)
			} else {
				l = w.T("window.fetch.not_in_business_files", "Value", l)
			}
		}
		fx.values[l] = c.Value
		labels = append(labels, l)
	}
	var current []string
	for _, v := range splitValues(fx.fe.entry.Text) {
		for l, cv := range fx.values {
			if cv == v {
				current = append(current, l)
			}
		}
	}
	missing := missingValues(fx.fe.entry.Text, fx.values)
	if fx.group != nil {
		fx.group.Options = labels
		fx.group.Selected = slices.Clone(current)
		fx.group.Refresh()
		fx.group.Show()
	} else {
		fx.sel.Options = labels
		fx.sel.Selected = ""
		if len(current) == 1 {
			fx.sel.Selected = current[0]
		}
		fx.sel.Refresh()
		fx.sel.Show()
	}
	fx.note.Importance = widget.LowImportance
	msg := w.N("window.fetch.fetched", len(choices), "Module", title)
	if len(missing) > 0 {
		fx.note.Importance = widget.WarningImportance
		msg = w.T("window.fetch.missing", "Module", title, "Values", quoteAll(missing), "Fetched", msg)
	}
	fx.note.SetText(msg)
}

// splitValues is a comma-separated setting's values.
func splitValues(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// missingValues are the values typed that the package does not offer.
func missingValues(text string, offered map[string]string) []string {
	var out []string
	for _, v := range splitValues(text) {
		found := false
		for _, o := range offered {
			if o == v {
				found = true
			}
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// refreshButton is the Account tab's button for the module's refresh
// action (Definition.RefreshLabel), or nil.
func (at *accountTab) refreshButton() *widget.Button {
	cs := at.cs
	eng, ok := cs.a.svc.Engine.(RefreshEngine)
	if !ok || cs.def.RefreshLabel == "" {
		return nil
	}
	var b *widget.Button
	w := cs.a.w
	b = widget.NewButtonWithIcon(w.T("window.refresh.button"), theme.ViewRefreshIcon(), func() {
		a := cs.a
		b.Disable()
		cs.status.Importance = widget.MediumImportance
		cs.status.SetText(w.T("window.refresh.running", "Action", w.Label(cs.def.RefreshLabel)))
		ctx := a.ctx
		a.spawn(func() {
			err := eng.RefreshAction(ctx, cs.module)
			a.do(func() {
				b.Enable()
				// On the screen's status line: the Account tab's result
				// line is taken by the keyring's answer reloadSaved brings.
				if err != nil {
					cs.status.Importance = widget.DangerImportance
					cs.status.SetText(w.T("window.refresh.failed", "Error", w.Error(err)))
				} else {
					cs.status.Importance = widget.SuccessImportance
					cs.status.SetText(w.T("window.refresh.done", "Action", w.Label(cs.def.RefreshLabel)))
				}
				cs.reloadSaved()
				a.tracef("refresh finished module=%s ok=%v", cs.module, err == nil) // words:verbatim: trace for scripts
			})
		})
	})
	return b
}

// refreshHelp is the line under the Refresh button.
func (at *accountTab) refreshHelp() fyne.CanvasObject {
	w := at.cs.a.w
	l := widget.NewLabel(w.T("window.refresh.help", "Action", w.Label(at.cs.def.RefreshLabel), "Help", w.Label(at.cs.def.RefreshHelp)))
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
