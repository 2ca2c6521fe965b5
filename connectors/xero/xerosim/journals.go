package xerosim

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// JournalLine is one line of a manual journal: a debit is a positive
// LineAmount, a credit a negative one.
type JournalLine struct {
	LineAmount  *Amount `json:"LineAmount,omitempty"`
	AccountCode string  `json:"AccountCode,omitempty"`
	AccountID   string  `json:"AccountID,omitempty"`
	Description string  `json:"Description,omitempty"`
	TaxType     string  `json:"TaxType,omitempty"`
	TaxAmount   *Amount `json:"TaxAmount,omitempty"`
	IsBlank     bool    `json:"IsBlank"`
}

// ManualJournal is a journal posted by hand (or by an app) to the general
// ledger.
type ManualJournal struct {
	ManualJournalID        string            `json:"ManualJournalID,omitempty"`
	Narration              string            `json:"Narration,omitempty"`
	Date                   string            `json:"Date,omitempty"`
	Status                 string            `json:"Status,omitempty"`
	LineAmountTypes        string            `json:"LineAmountTypes,omitempty"`
	ShowOnCashBasisReports *bool             `json:"ShowOnCashBasisReports,omitempty"`
	Url                    string            `json:"Url,omitempty"`
	JournalLines           []JournalLine     `json:"JournalLines"`
	HasAttachments         bool              `json:"HasAttachments"`
	UpdatedDateUTC         string            `json:"UpdatedDateUTC,omitempty"`
	StatusAttributeString  string            `json:"StatusAttributeString,omitempty"`
	ValidationErrors       []ValidationError `json:"ValidationErrors,omitempty"`
}

func (t *tenant) manualJournalByID(id string) *ManualJournal {
	return findFold(t.ManualJournals, func(x *ManualJournal) string { return x.ManualJournalID }, id)
}

// listManualJournals is GET /ManualJournals. As in Xero, the journals'
// lines are shown only when a page is asked for.
func (s *Sim) listManualJournals(c *apiCall) answer {
	recs, bad := filterRecords(c, c.t.ManualJournals, func(x *ManualJournal) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, pagination, paged, bad := page(c, recs, true)
	if bad != nil {
		return *bad
	}
	out := make([]ManualJournal, len(pg))
	for i, x := range pg {
		out[i] = *x
		if !paged {
			out[i].JournalLines = []JournalLine{}
		}
	}
	extra := map[string]any{}
	if pagination != nil {
		extra["pagination"] = pagination
	}
	return jsonAnswer(http.StatusOK, s.envelope("ManualJournals", out, extra))
}

// getManualJournal is GET /ManualJournals/{id}.
func (s *Sim) getManualJournal(c *apiCall) answer {
	x := c.t.manualJournalByID(c.id)
	if x == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("ManualJournals", []*ManualJournal{x}, nil))
}

// journalLines checks a journal's lines against the chart of accounts and
// that they balance to zero.
func (t *tenant) journalLines(in []JournalLine, lat string) ([]JournalLine, []string) {
	var errs []string
	out := make([]JournalLine, 0, len(in))
	total := decimal.Zero
	debits, credits := decimal.Zero, decimal.Zero
	for _, l := range in {
		var acct *Account
		switch {
		case l.AccountID != "":
			acct = t.accountByID(l.AccountID)
			if acct == nil {
				errs = append(errs, "Account code or ID must be specified")
			}
		case l.AccountCode != "":
			acct = t.accountByCode(l.AccountCode)
			switch {
			case acct == nil || acct.Type == "BANK" || acct.SystemAccount != "":
				errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this document.", l.AccountCode))
				acct = nil
			case acct.Status != "ACTIVE":
				errs = append(errs, fmt.Sprintf("Account code '%s' has been archived, or has been deleted. Each line item must reference a valid account", l.AccountCode))
				acct = nil
			}
		default:
			errs = append(errs, "Account code or ID must be specified")
		}
		if acct != nil {
			l.AccountCode, l.AccountID = acct.Code, acct.AccountID
		}
		amount := decimal.Zero
		if l.LineAmount != nil {
			amount = l.LineAmount.Round(2)
		}
		if l.TaxType == "" {
			l.TaxType = "NONE"
			if acct != nil && lat != "NoTax" {
				l.TaxType = acct.TaxType
			}
		}
		tax := decimal.Zero
		if rate := t.taxRate(l.TaxType); rate == nil || rate.Status != "ACTIVE" {
			errs = append(errs, fmt.Sprintf("The TaxType code %s does not exist or cannot be used for this type of transaction.", l.TaxType))
		} else if lat == "Exclusive" {
			tax = amount.Mul(rate.EffectiveRate.Div(hundred)).Round(2)
		} else if lat == "Inclusive" {
			tax = amount.Sub(amount.Div(decimal.NewFromInt(1).Add(rate.EffectiveRate.Div(hundred)))).Round(2)
		}
		la, ta := amt(amount), amt(tax)
		l.LineAmount, l.TaxAmount, l.IsBlank = &la, &ta, amount.IsZero()
		if amount.IsPositive() {
			debits = debits.Add(amount)
		} else {
			credits = credits.Add(amount.Neg())
		}
		// The lines balance on their amounts; tax, if any, Xero posts to
		// its own accounts.
		total = total.Add(amount)
		out = append(out, l)
	}
	if len(in) < 2 {
		errs = append(errs, "A manual journal must have at least two journal lines.")
	}
	if !total.IsZero() {
		errs = append(errs, fmt.Sprintf("The total debits (%s) must equal total credits (%s).", debits.StringFixed(2), credits.StringFixed(2)))
	}
	return out, errs
}

// writeManualJournals is PUT (create) and POST (create or update)
// /ManualJournals.
func (s *Sim) writeManualJournals(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[ManualJournal]{
		key:      "ManualJournals",
		schema:   manualJournalSchema,
		id:       func(x *ManualJournal) *string { return &x.ManualJournalID },
		byID:     (*tenant).manualJournalByID,
		notFound: "An existing Manual Journal with the specified ManualJournalID could not be found",
		refuse: func(x *ManualJournal, errs []ValidationError) {
			x.ValidationErrors, x.StatusAttributeString = errs, "ERROR"
		},
		save: s.saveManualJournal,
	})
}

// saveManualJournal checks a manual journal (merged over stored, nil for a
// new one) and stores it, returning the journal to echo or the reasons it
// is refused.
func (s *Sim) saveManualJournal(c *apiCall, in *ManualJournal, raw map[string]any, stored *ManualJournal, now time.Time) (*ManualJournal, []string, error) {
	t := c.t
	next := in
	if stored != nil {
		switch {
		case stored.Status == "VOIDED" || stored.Status == "DELETED":
			return nil, []string{"Manual Journal not of valid status for modification"}, nil
		case stored.Status == "POSTED" && in.Status == "DRAFT":
			return nil, []string{"A posted Manual Journal cannot be changed back to a draft"}, nil
		}
		merged, err := overlay(stored, raw)
		if err != nil {
			return nil, nil, err
		}
		next = merged
	}
	var errs []string
	if strings.TrimSpace(next.Narration) == "" {
		errs = append(errs, "Narration cannot be empty")
	}
	switch next.Status {
	case "":
		next.Status = "DRAFT"
	case "DRAFT", "POSTED":
	default:
		if stored == nil {
			errs = append(errs, fmt.Sprintf("A new Manual Journal cannot be created with status %s", next.Status))
		}
	}
	if next.LineAmountTypes == "" {
		next.LineAmountTypes = "NoTax"
	}
	date, _, derrs := docDates(next.Date, "", now)
	errs = append(errs, derrs...)
	lines, lerrs := t.journalLines(next.JournalLines, next.LineAmountTypes)
	errs = append(errs, lerrs...)
	if next.Status == "POSTED" {
		errs = append(errs, t.lockCheck(date)...)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if next.ShowOnCashBasisReports == nil {
		yes := true
		next.ShowOnCashBasisReports = &yes
	}
	next.Date = msDate(date)
	next.JournalLines = lines
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.StatusAttributeString = nil, ""
	if stored != nil {
		next.ManualJournalID = stored.ManualJournalID
		*stored = *next
	} else {
		next.ManualJournalID = newID()
		t.ManualJournals = append(t.ManualJournals, next)
		stored = next
	}
	echo := *stored
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}
