package ui

import (
	"context"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// windowPrompt answers a sign-in's questions with the window's dialogs.
// Its methods are called from the sign-in's goroutine; every change to the
// window goes through a.do.
type windowPrompt struct{ a *App }

// OpenBrowser opens address in the person's browser.
func (p windowPrompt) OpenBrowser(address string) error {
	u, err := url.Parse(address)
	if err != nil {
		return err
	}
	if p.a.fa == nil {
		return words.Errorf(nil, "window.sign_in.no_browser")
	}
	return p.a.fa.OpenURL(u)
}

// Ask shows question with an entry and waits for the person's answer.
func (p windowPrompt) Ask(ctx context.Context, question string) (string, error) {
	answer := make(chan string, 1)
	var d dialog.Dialog
	p.a.do(func() {
		entry := widget.NewEntry()
		msg := widget.NewLabel(tidy(p.a.w.Label(question)))
		msg.Wrapping = fyne.TextWrapWord
		w := p.a.w
		title := w.T("window.sign_in.title")
		cd := dialog.NewCustomConfirm(title, w.T("window.sign_in.continue"), w.T("window.button.cancel"), container.NewVBox(msg, entry), func(ok bool) {
			if ok {
				answer <- entry.Text
			} else {
				answer <- ""
			}
		}, p.a.win)
		cd.Resize(fyne.NewSize(560, 0))
		cd.Show()
		p.a.win.Canvas().Focus(entry)
		p.a.trackModal(title, cd, cd.Confirm, cd.Dismiss)
		d = cd
	})
	select {
	case a := <-answer:
		if a == "" {
			return "", context.Canceled
		}
		return a, nil
	case <-ctx.Done():
		p.a.do(func() {
			if d != nil {
				d.Hide()
			}
		})
		return "", ctx.Err()
	}
}

// windowChooser asks in a dialog which organisation to keep in step when a
// sign-in reaches several.
func windowChooser(a *App) ChooseOrganisation {
	return func(ctx context.Context, orgs []connectors.Organisation) (connectors.Organisation, error) {
		if len(orgs) == 1 {
			return orgs[0], nil
		}
		picked := make(chan int, 1)
		var d dialog.Dialog
		a.do(func() {
			names := make([]string, len(orgs))
			for i, o := range orgs {
				names[i] = o.Name
			}
			choice := -1
			group := widget.NewRadioGroup(names, func(s string) {
				for i, n := range names {
					if n == s {
						choice = i
					}
				}
			})
			w := a.w
			msg := widget.NewLabel(w.T("window.sign_in.which_organisation"))
			msg.Wrapping = fyne.TextWrapWord
			title := w.T("window.sign_in.choose_organisation")
			cd := dialog.NewCustomConfirm(title, w.T("window.sign_in.use_this"), w.T("window.button.cancel"), container.NewVBox(msg, group), func(ok bool) {
				if ok && choice >= 0 {
					picked <- choice
				} else {
					picked <- -1
				}
			}, a.win)
			cd.Resize(fyne.NewSize(520, 0))
			cd.Show()
			a.trackModal(title, cd, cd.Confirm, cd.Dismiss)
			d = cd
		})
		select {
		case i := <-picked:
			if i < 0 {
				return connectors.Organisation{}, context.Canceled
			}
			return orgs[i], nil
		case <-ctx.Done():
			a.do(func() {
				if d != nil {
					d.Hide()
				}
			})
			return connectors.Organisation{}, ctx.Err()
		}
	}
}
