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
	tt := &timingTab{cs: cs}
	t, err := sync.TimingFromSettings(cs.saved)
	tt.t = t
	tt.warn = widget.NewLabel("")
	tt.warn.Importance = widget.WarningImportance
	tt.warn.Wrapping = fyne.TextWrapWord
	if err != nil {
		tt.warn.SetText(err.Error())
	} else {
		tt.warn.Hide()
	}

	var labels []string
	for _, m := range sync.Modes() {
		labels = append(labels, m.Label())
	}
	tt.modes = widget.NewRadioGroup(labels, nil)
	tt.modes.Required = true
	tt.modes.Selected = tt.t.Mode.Label()
	tt.modes.OnChanged = func(label string) {
		for _, m := range sync.Modes() {
			if m.Label() == label {
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
	dayLabel := widget.NewLabel("On")
	tt.dayRow = container.NewHBox(dayLabel, tt.day)

	tt.summary = widget.NewLabel("")
	tt.summary.Wrapping = fyne.TextWrapWord
	tt.next = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	tt.next.Wrapping = fyne.TextWrapWord

	intro := widget.NewLabel("How often LedgerLink syncs by itself, at night. A run missed because the computer was off " +
		"runs once when LedgerLink next starts. You can always press Sync now, whatever you choose here.")
	intro.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle("How often", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), tt.modes,
		widget.NewLabelWithStyle("At", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), container.NewHBox(tt.hour, widget.NewLabel("(night hours suit most: the computer must be on)")),
		widget.NewLabel(""), tt.dayRow,
	)
	tt.content = container.NewVScroll(container.NewVBox(intro, tt.warn, form, widget.NewSeparator(), tt.summary, tt.next))
	tt.refresh()
	return tt
}

// dayChoices fills the day drop-down for the mode.
func (tt *timingTab) dayChoices() {
	anchor := tt.anchor()
	switch tt.t.Mode {
	case sync.ModeWeekly, sync.ModeFortnightly:
		var opts []string
		for _, w := range weekdays {
			opts = append(opts, w.String())
		}
		tt.day.Options = opts
		tt.day.Selected = anchor.Weekday().String()
		tt.dayRow.Show()
	case sync.ModeMonthly:
		var opts []string
		for d := 1; d <= 31; d++ {
			opts = append(opts, fmt.Sprintf("day %d", d))
		}
		tt.day.Options = opts
		tt.day.Selected = fmt.Sprintf("day %d", anchor.Day())
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
func (tt *timingTab) dayChosen(s string) {
	switch tt.t.Mode {
	case sync.ModeWeekly, sync.ModeFortnightly:
		for _, w := range weekdays {
			if w.String() == s {
				now := tt.cs.a.svc.Now()
				start := now.AddDate(0, 0, (int(w)-int(now.Weekday())+7)%7)
				tt.t.Anchor = connectors.DateOf(start)
			}
		}
	case sync.ModeMonthly:
		var d int
		if _, err := fmt.Sscanf(s, "day %d", &d); err == nil {
			tt.t.Anchor = connectors.NewDate(2024, time.January, d)
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
	tt.summary.SetText("Chosen: " + tt.t.String() + ".")
	tt.next.SetText(nextRunSentence(tt.t, tt.cs.a.svc.Now()))
}

// nextRunSentence says when the next automatic run would be.
func nextRunSentence(t sync.Timing, now time.Time) string {
	next, ok := sync.NextRun(t, time.Time{}, now, now.Location())
	if !ok {
		return "No automatic runs: LedgerLink syncs only when you press Sync now."
	}
	return fmt.Sprintf("Next automatic run: %s (%s).", next.Format("Monday 2 January 2006 at 15:04"), untilText(next.Sub(now)))
}

// untilText says how long until something, in plain words.
func untilText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		m := int(d.Minutes())
		return fmt.Sprintf("in %d %s", m, plural(m, "minute", "minutes"))
	case d < 48*time.Hour:
		h := int(d.Hours())
		return fmt.Sprintf("in %d %s", h, plural(h, "hour", "hours"))
	}
	days := int(d.Hours() / 24)
	return fmt.Sprintf("in %d days", days)
}

// settings are the timing's settings to save.
func (tt *timingTab) settings() map[string]string { return tt.t.Settings() }
