package xero

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"ledgerlink/connectors"
)

// Payroll journals go to Xero as manual journals (/ManualJournals), one
// manual journal per part of a journal (the engine splits a journal per
// period, cost centre and cost type before it reaches the connector).
//
// Xero's manual journal has no number field, so the part's code leads the
// narration: "J-2026-10 – Payroll October", and FindByCode looks journals
// up by that prefix. Xero has a single general ledger per organisation: the
// journal (dagboek) code of the company mapping has no place in Xero and
// is not sent.
//
// Cost centres and cost types are not sent as Xero tracking categories:
// a tracking option must already exist in the organisation under a
// category of the right name, and a journal naming one that does not is
// refused as a whole. They travel at the end of each line's description
// instead ("Gross wages [cost centre 100, cost type 4000]"), where Xero
// keeps them word for word and LedgerLink reads them back.

// narrationSep separates the code from the description in a narration.
const narrationSep = " – "

var resManualJournals = resource{path: "/ManualJournals", arrayKey: "ManualJournals"}

// Xero's manual journal statuses.
const (
	journalDraft  = "DRAFT"
	journalPosted = "POSTED"
)

// narration is what a journal part is called in Xero: its code, then its
// description (or "Payroll journal <code>" when it has none).
func narration(j connectors.JournalEntry) string {
	code := strings.TrimSpace(j.Code)
	return code + narrationSep + cmp.Or(strings.TrimSpace(j.Description), "Payroll journal "+code) // words:verbatim: written into Xero and read back
}

// parseNarration reads a narration back into a code and description; a
// manual journal made in Xero by hand has no code, and ok is false.
func parseNarration(n string) (code, description string, ok bool) {
	code, rest, found := strings.Cut(n, narrationSep)
	code = strings.TrimSpace(code)
	if !found || code == "" || strings.ContainsFunc(code, unicode.IsSpace) {
		return "", strings.TrimSpace(n), false
	}
	rest = strings.TrimSpace(rest)
	if rest == "Payroll journal "+code { // words:verbatim: as narration writes it
		rest = ""
	}
	return code, rest, true
}

// lineDescription is a journal line's description with its cost centre and
// cost type, when it has them, in brackets at the end.
func lineDescription(l connectors.JournalLine) string {
	var tags []string
	if cc := strings.TrimSpace(l.CostCentre); cc != "" {
		tags = append(tags, "cost centre "+cc)
	}
	if ct := strings.TrimSpace(l.CostType); ct != "" {
		tags = append(tags, "cost type "+ct)
	}
	desc := strings.TrimSpace(l.Description)
	if len(tags) == 0 {
		return desc
	}
	return strings.TrimSpace(desc + " [" + strings.Join(tags, ", ") + "]")
}

// costTags matches the bracketed cost centre and / or cost type at the
// end of a line description written by lineDescription.
var costTags = regexp.MustCompile(`^(.*?) ?\[(?:cost centre ([^,\]]+)(?:, cost type ([^,\]]+))?|cost type ([^,\]]+))\]$`)

// splitLineDescription reads lineDescription's output back.
func splitLineDescription(s string) (desc, centre, costType string) {
	s = strings.TrimSpace(s)
	m := costTags.FindStringSubmatch(s)
	if m == nil {
		return s, "", ""
	}
	return m[1], m[2], m[3] + m[4]
}

// manualJournalFromEntry maps one journal part to a Xero manual journal:
// debits as positive line amounts, credits as negative ones.
func (m mapper) manualJournalFromEntry(j connectors.JournalEntry, remoteID string) (manualJournal, *connectors.ItemError) {
	if strings.TrimSpace(j.Code) == "" {
		return manualJournal{}, localError("xero.item.journal_no_code")
	}
	if strings.ContainsFunc(strings.TrimSpace(j.Code), unicode.IsSpace) {
		return manualJournal{}, localError("xero.item.journal_code_space", "Code", j.Code)
	}
	if j.Date.IsZero() {
		return manualJournal{}, localError("xero.item.journal_no_date", "Code", j.Code)
	}
	mj := manualJournal{
		ManualJournalID: remoteID,
		Narration:       narration(j),
		Date:            j.Date.String(),
		LineAmountTypes: "NoTax",
	}
	switch {
	case m.authorised:
		mj.Status = journalPosted
	case remoteID == "":
		mj.Status = journalDraft
		// An update without the option keeps the journal's status in Xero.
	}
	for i, l := range j.Lines {
		code := strings.TrimSpace(l.NominalCode)
		if code == "" {
			return manualJournal{}, localError("xero.item.journal_line_no_account", "Line", i+1, "Code", j.Code)
		}
		mj.JournalLines = append(mj.JournalLines, journalLine{
			LineAmount:  num(l.Debit.Sub(l.Credit)),
			AccountCode: code,
			Description: lineDescription(l),
		})
	}
	return mj, nil
}

// entryFromManualJournal reads a manual journal back. A journal made in
// Xero by hand has no code in its narration and goes by its ID.
func entryFromManualJournal(mj manualJournal) (connectors.JournalEntry, error) {
	date, err := parseDay(mj.Date)
	if err != nil {
		return connectors.JournalEntry{}, fmt.Errorf("date: %w", err)
	}
	code, desc, ok := parseNarration(mj.Narration)
	if !ok {
		code = mj.ManualJournalID
	}
	j := connectors.JournalEntry{Code: code, Date: date, Description: desc}
	for _, l := range mj.JournalLines {
		d, cc, ct := splitLineDescription(l.Description)
		line := connectors.JournalLine{NominalCode: l.AccountCode, Description: d, CostCentre: cc, CostType: ct}
		switch amount := l.LineAmount.Decimal; {
		case amount.IsNegative():
			line.Credit = amount.Neg()
		default:
			line.Debit = amount
		}
		j.Lines = append(j.Lines, line)
	}
	return j, nil
}

// decodeManualJournals reads manual journals; live leaves out the deleted
// and voided ones, which no longer count as sent.
func decodeManualJournals(live bool) func(envelope, func(string) bool) ([]connectors.Remote, []error) {
	return func(env envelope, keep func(string) bool) ([]connectors.Remote, []error) {
		var out []connectors.Remote
		var bad []error
		for _, mj := range env.ManualJournals {
			if live && (mj.Status == "DELETED" || mj.Status == "VOIDED") {
				continue
			}
			j, err := entryFromManualJournal(mj)
			if err != nil {
				bad = append(bad, fmt.Errorf("manual journal %s: %w", firstNonBlank(mj.Narration, mj.ManualJournalID), err))
				continue
			}
			if keep != nil && !keep(j.Code) && !keep(mj.ManualJournalID) {
				continue
			}
			out = append(out, connectors.Remote{RemoteID: mj.ManualJournalID, UpdatedAt: updatedAt(mj.UpdatedDateUTC),
				Record: connectors.Record{Type: connectors.Journals, Journal: &j}, Deleted: documentGone(mj.Status)})
		}
		return out, bad
	}
}

// narrationFilter is a where filter for narrations starting with the codes.
func narrationFilter(codes []string) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = "Narration.StartsWith(" + quoteWhere(c+narrationSep) + ")"
	}
	return strings.Join(parts, " OR ")
}

// findManualJournals looks journal parts up by the code leading their
// narration. Should Xero refuse the filter, every manual journal is read
// and matched here instead.
func (c *Conn) findManualJournals(ctx context.Context, l listing, codes []string) ([]connectors.Remote, error) {
	keep := setOf(codes)
	l.decode = decodeManualJournals(true)
	var out []connectors.Remote
	for _, part := range chunked(codes, filterChunk) {
		rs, err := c.collect(ctx, connectors.Journals, l, url.Values{"where": {narrationFilter(part)}}, keep)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest {
			c.log.Warn("xero: the manual journal filter was refused; reading them all", "err", err)
			return c.collect(ctx, connectors.Journals, l, url.Values{}, keep)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}
