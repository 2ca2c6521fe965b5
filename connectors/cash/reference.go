package cash

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// ListChanged reads the module's administration's chart of accounts
// (record 0201) in full; CASH has no changed-since export. Journals are
// sent only and are read back by Get and FindByCode.
func (c *Conn) ListChanged(ctx context.Context, t connectors.RecordType, _ time.Time, page func([]connectors.Remote) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t != connectors.NominalAccounts {
		return nil
	}
	if c.set.admin == "" {
		return own.Fail(nil, "cash.choose_administration")
	}
	rs, err := c.export(ctx, c.set.admin, "0201T", "")
	if err != nil {
		return err
	}
	var out []connectors.Remote
	seen := map[string]bool{}
	for _, r := range rs {
		num := field(r, "F0201")
		if num == "" || seen[num] {
			continue
		}
		seen[num] = true
		acct := &connectors.NominalAccount{Code: num, Name: cmp.Or(field(r, "F0203"), field(r, "F0202"), num), Type: field(r, "F0204")}
		out = append(out, connectors.Remote{RemoteID: num, Record: connectors.Record{Type: connectors.NominalAccounts, Account: acct}})
	}
	if len(out) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return page(out)
}

// Journal is a CASH journal (dagboek, record 0901).
type Journal struct {
	Code string
	Name string
	// Kind is CASH's letter: M memoriaal, V verkoop, I inkoop, B bank, K kas.
	Kind string
}

// Administrations lists the administrations the API key reaches, each with
// its journals, for the company mapping (Administraties tab). Journals
// other than memoriaal ones are listed as unusable for payroll. An
// administration whose journals CASH does not show (no rights to read it)
// is listed without journals, so the others can still be chosen.
func (c *Conn) Administrations(ctx context.Context) ([]Administration, error) {
	d, err := c.administrations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Administration, 0, len(d.Admins))
	for _, a := range d.Admins {
		js, err := c.Journals(ctx, a.Code)
		var ie *connectors.ItemError
		switch {
		case errors.As(err, &ie) || errors.Is(err, ErrUnauthorizedAccess):
			c.log.Warn("CASH shows no journals of an administration", "administration", a.Code, "error", err)
		case err != nil:
			return nil, err
		}
		for _, j := range js {
			cj := connectors.Journal{Code: j.Code, Name: j.Name}
			if k := strings.ToUpper(j.Kind); k != "" && k != "M" {
				cj.Unusable = own.English().T("cash.journal.unusable", "Kind", kindName(k))
			}
			a.Journals = append(a.Journals, cj)
		}
		out = append(out, a)
	}
	return out, nil
}

var _ connectors.AdministrationLister = (*Conn)(nil)

// Journals lists an administration's journals (dagboeken), so that a
// company's journal code can be chosen from them and checked.
func (c *Conn) Journals(ctx context.Context, admin string) ([]Journal, error) {
	rs, err := c.export(ctx, admin, "0901T", "")
	if err != nil {
		return nil, err
	}
	var out []Journal
	for _, r := range rs {
		if code := strings.ToUpper(field(r, "F0901")); code != "" {
			out = append(out, Journal{Code: code, Name: field(r, "F0902"), Kind: field(r, "F0903")})
		}
	}
	return out, nil
}

// CheckJournalCode says in plain words why journal is no journal of the
// administration that payroll can be booked in; nil when it is.
func (c *Conn) CheckJournalCode(ctx context.Context, admin, journal string) error {
	journal = strings.ToUpper(strings.TrimSpace(journal))
	if journal == "" {
		return own.Fail(nil, "cash.journal.give_code")
	}
	js, err := c.Journals(ctx, admin)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(js, func(j Journal) bool { return j.Code == journal })
	if i < 0 {
		codes := make([]string, len(js))
		for n, j := range js {
			codes[n] = j.Code + " (" + j.Name + ")"
		}
		return own.Fail(nil, "cash.journal.missing", "Administration", admin, "Journal", journal, "Known", strings.Join(codes, ", "))
	}
	if k := strings.ToUpper(js[i].Kind); k != "" && k != "M" {
		return own.Fail(nil, "cash.journal.not_memoriaal", "Administration", admin, "Journal", journal, "Kind", kindName(k))
	}
	return nil
}

// kindName names a journal of CASH's kind k ("a sales journal"), in the
// reader's language.
func kindName(k string) words.Text {
	switch k {
	case "V":
		return words.Sentence("cash.journal_kind.sales")
	case "I":
		return words.Sentence("cash.journal_kind.purchase")
	case "B":
		return words.Sentence("cash.journal_kind.bank")
	case "K":
		return words.Sentence("cash.journal_kind.cash")
	}
	return words.Sentence("cash.journal_kind.other", "Kind", k)
}
