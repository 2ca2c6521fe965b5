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

// modeLabel is a timing mode's name on the Timing tab.
func modeLabel(w *words.Words, m sync.Mode) string {
	switch m {
	case sync.ModeDisabled:
		return w.T("window.timing.mode.disabled")
	case sync.ModeDaily:
		return w.T("window.timing.mode.daily")
	case sync.ModeWeekly:
		return w.T("window.timing.mode.weekly")
	case sync.ModeFortnightly:
		return w.T("window.timing.mode.fortnightly")
	case sync.ModeMonthly:
		return w.T("window.timing.mode.monthly")
	case sync.ModeTest:
		return w.T("window.timing.mode.test")
	}
	return m.LabelIn(w)
}

// timingText says a timing in words: "Daily at 02:00", "Weekly on
// Mondays at 02:00".
func timingText(w *words.Words, t sync.Timing) string {
	hour := fmt.Sprintf("%02d:00", t.Hour)
	anchor := t.Anchor
	if anchor.IsZero() {
		anchor = connectors.NewDate(2024, time.January, 1)
	}
	day := weekday(w, anchor.Weekday(), false)
	switch t.Mode {
	case sync.ModeDisabled:
		return w.T("window.next_run.manual")
	case sync.ModeDaily:
		return w.T("window.timing.summary.daily", "Hour", hour)
	case sync.ModeTest:
		return w.T("window.timing.summary.test", "Hour", hour)
	case sync.ModeWeekly:
		return w.T("window.timing.summary.weekly", "Weekday", day, "Hour", hour)
	case sync.ModeFortnightly:
		return w.T("window.timing.summary.fortnightly", "Weekday", day, "Hour", hour, "Date", w.Date(anchor.Time))
	case sync.ModeMonthly:
		return w.T("window.timing.summary.monthly", "Day", anchor.Day(), "Hour", hour)
	}
	return w.Label(t.String())
}

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
		labels = append(labels, modeLabel(w, m))
	}
	tt.modes = widget.NewRadioGroup(labels, nil)
	tt.modes.Required = true
	tt.modes.Selected = modeLabel(w, tt.t.Mode)
	tt.modes.OnChanged = func(label string) {
		for _, m := range sync.Modes() {
			if modeLabel(w, m) == label {
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
			opts = append(opts, weekday(w, d, false))
		}
		tt.day.Options = opts
		tt.day.Selected = weekday(w, anchor.Weekday(), false)
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
	tt.summary.SetText(w.T("window.timing.chosen", "Timing", timingText(w, tt.t)))
	tt.next.SetText(nextRunSentence(w, tt.t, tt.cs.a.svc.Now()))
}

// nextRunSentence says when the next automatic run would be.
func nextRunSentence(w *words.Words, t sync.Timing, now time.Time) string {
	next, ok := sync.NextRun(t, time.Time{}, now, now.Location())
	if !ok {
		return w.T("window.timing.no_runs", "SyncNow", w.T("window.button.sync_now"))
	}
	when := w.T("window.timing.when", "Weekday", weekday(w, next.Weekday(), false), "Date", w.Date(next), "Time", next.Format("15:04"))
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
