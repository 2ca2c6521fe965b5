package ui

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/words"
)

// timingTab chooses when automatic runs happen and shows the next one as
// the choice changes.
type timingTab struct {
	cs      *ConfigureScreen
	t       sync.Timing
	modes   *widget.RadioGroup
	hour    *widget.Select
	day     *widget.Select
	dayRow  *fyne.Container
	summary *widget.Label
	next    *widget.Label
	warn    *widget.Label
	content fyne.CanvasObject
}

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func newTimingTab(cs *ConfigureScreen) *timingTab {
	w := cs.a.w
	tt := &timingTab{cs: cs}
	t, err := sync.TimingFromSettings(cs.saved)
	tt.t = t
	tt.warn = widget.NewLabel("")
	tt.warn.Importance = widget.WarningImportance
	tt.warn.Wrapping = fyne.TextWrapWord
	if err != nil {
		tt.warn.SetText(w.Error(err))
	} else {
		tt.warn.Hide()
	}

	var labels []string
	for _, m := range sync.Modes() {
		labels = append(labels, m.LabelIn(w))
	}
	tt.modes = widget.NewRadioGroup(labels, nil)
	tt.modes.Required = true
	tt.modes.Selected = tt.t.Mode.LabelIn(w)
	tt.modes.OnChanged = func(label string) {
		for _, m := range sync.Modes() {
			if m.LabelIn(w) == label {
				tt.t.Mode = m
			}
		}
		tt.changed()
	}

	var hours []string
	for h := range 24 {
		hours = append(hours, fmt.Sprintf("%02d:00", h))
	}
	tt.hour = widget.NewSelect(hours, nil)
	tt.hour.Selected = fmt.Sprintf("%02d:00", tt.t.Hour)
	tt.hour.OnChanged = func(s string) {
		if h, err := strconv.Atoi(s[:2]); err == nil {
			tt.t.Hour = h
		}
		tt.changed()
	}
	tt.day = widget.NewSelect(nil, tt.dayChosen)
	dayLabel := widget.NewLabel(w.T("window.timing.on"))
	tt.dayRow = container.NewHBox(dayLabel, tt.day)

	tt.summary = widget.NewLabel("")
	tt.summary.Wrapping = fyne.TextWrapWord
	tt.next = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	tt.next.Wrapping = fyne.TextWrapWord

	intro := widget.NewLabel(w.T("window.timing.intro", "SyncNow", w.T("window.button.sync_now")))
	intro.Wrapping = fyne.TextWrapWord
	night := widget.NewLabel(w.T("window.timing.night_hours"))
	night.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle(w.T("window.timing.how_often"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), tt.modes,
		widget.NewLabelWithStyle(w.T("window.timing.at"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), container.NewBorder(nil, nil, tt.hour, nil, night),
		widget.NewLabel(""), tt.dayRow,
	)
	tt.content = container.NewVScroll(container.NewVBox(intro, tt.warn, form, widget.NewSeparator(), tt.summary, tt.next))
	tt.refresh()
	return tt
}

// dayChoices fills the day drop-down for the mode.
func (tt *timingTab) dayChoices() {
	w := tt.cs.a.w
	anchor := tt.anchor()
	switch tt.t.Mode {
	case sync.ModeWeekly, sync.ModeFortnightly:
		var opts []string
		for _, d := range weekdays {
			opts = append(opts, w.Weekday(d))
		}
		tt.day.Options = opts
		tt.day.Selected = w.Weekday(anchor.Weekday())
		tt.dayRow.Show()
	case sync.ModeMonthly:
		var opts []string
		for d := 1; d <= 31; d++ {
			opts = append(opts, w.T("window.timing.day_of_month", "Day", d))
		}
		tt.day.Options = opts
		tt.day.Selected = w.T("window.timing.day_of_month", "Day", anchor.Day())
		tt.dayRow.Show()
	default:
		tt.dayRow.Hide()
	}
	tt.day.Refresh()
}

func (tt *timingTab) anchor() connectors.Date {
	if tt.t.Anchor.IsZero() {
		return connectors.NewDate(2024, time.January, 1)
	}
	return tt.t.Anchor
}

// dayChosen sets the anchor: a weekday counts from this week, a day of the
// month from January 2024.
func (tt *timingTab) dayChosen(string) {
	i := tt.day.SelectedIndex()
	switch tt.t.Mode {
	case sync.ModeWeekly, sync.ModeFortnightly:
		if i >= 0 && i < len(weekdays) {
			d := weekdays[i]
			now := tt.cs.a.svc.Now()
			start := now.AddDate(0, 0, (int(d)-int(now.Weekday())+7)%7)
			tt.t.Anchor = connectors.DateOf(start)
		}
	case sync.ModeMonthly:
		if i >= 0 && i < 31 {
			tt.t.Anchor = connectors.NewDate(2024, time.January, i+1)
		}
	}
	tt.changed()
}

func (tt *timingTab) changed() {
	tt.refresh()
	tt.cs.markDirty()
}

// refresh shows the timing in words and the next run it gives.
func (tt *timingTab) refresh() {
	tt.dayChoices()
	if tt.t.Mode == sync.ModeDisabled {
		tt.hour.Disable()
	} else {
		tt.hour.Enable()
	}
	w := tt.cs.a.w
	tt.summary.SetText(w.T("window.timing.chosen", "Timing", tt.t.Describe(w)))
	tt.next.SetText(nextRunSentence(w, tt.t, tt.cs.a.svc.Now()))
}

// nextRunSentence says when the next automatic run would be.
func nextRunSentence(w *words.Words, t sync.Timing, now time.Time) string {
	next, ok := sync.NextRun(t, time.Time{}, now, now.Location())
	if !ok {
		return w.T("window.timing.no_runs", "SyncNow", w.T("window.button.sync_now"))
	}
	when := w.T("window.timing.when", "Weekday", w.Weekday(next.Weekday()), "Date", w.Date(next), "Time", next.Format("15:04"))
	return w.T("window.timing.next", "When", when, "Until", untilText(w, next.Sub(now)))
}

// untilText says how long until something, in plain words.
func untilText(w *words.Words, d time.Duration) string {
	switch {
	case d < time.Minute:
		return w.T("window.timing.until.now")
	case d < time.Hour:
		return w.N("window.timing.until.minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return w.N("window.timing.until.hours", int(d.Hours()))
	}
	return w.N("window.timing.until.days", int(d.Hours()/24))
}

// settings are the timing's settings to save.
func (tt *timingTab) settings() map[string]string { return tt.t.Settings() }
