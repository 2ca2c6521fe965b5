package ui

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// formatRecord writes a record for a person to read, in w's words and
// formats: its main fields, then its lines.
func formatRecord(w *words.Words, rec connectors.Record) string {
	var b strings.Builder
	field := func(key, value string) {
		if strings.TrimSpace(value) != "" {
			fmt.Fprintf(&b, "%s: %s\n", w.T(key), value)
		}
	}
	switch {
	case rec.Party != nil:
		p := rec.Party
		field("grids.record.field.code", p.Code)
		field("grids.record.field.name", p.Name)
		if p.IsCompany() {
			field("grids.record.field.kind", w.T("grids.record.kind.company"))
			field("grids.record.field.contact", p.ContactPerson)
		} else {
			field("grids.record.field.kind", w.T("grids.record.kind.person"))
		}
		field("grids.record.field.email", p.Email)
		field("grids.record.field.phone", p.Phone)
		field("grids.record.field.tax_number", p.TaxNumber)
		field("grids.record.field.currency", p.Currency)
		field("grids.record.field.billing_address", addressText(p.BillingAddress))
		field("grids.record.field.delivery_address", addressText(p.DeliveryAddress))
		field("grids.record.field.tags", strings.Join(p.Tags, ", "))
	case rec.Document != nil:
		d := rec.Document
		field("grids.record.field.number", d.Code)
		field("grids.record.field.party", d.PartyCode)
		field("grids.record.field.date", dateText(w, d.Date))
		if !d.DueDate.IsZero() {
			field("grids.record.field.due", dateText(w, d.DueDate))
		}
		field("grids.record.field.reference", d.Reference)
		field("grids.record.field.currency", d.Currency)
		field("grids.record.field.status", string(d.Status)) // words:verbatim: the package's own status
		if d.TaxInclusive {
			field("grids.record.field.prices", w.T("grids.record.prices_include_tax"))
		}
		field("grids.record.field.net_total", w.Amount(d.NetTotal(), d.Currency))
		if len(d.Lines) > 0 {
			b.WriteString("\n" + w.T("grids.record.lines") + "\n")
			for i, l := range d.Lines {
				fmt.Fprintf(&b, "%d. %s — %s × %s", i+1, dash(l.Description), quantity(w, l.Quantity), w.Decimal(l.UnitPrice, 2))
				if !l.DiscountPercent.IsZero() {
					b.WriteString(" " + w.T("grids.record.line.discount", "Percent", quantity(w, l.DiscountPercent)))
				}
				fmt.Fprintf(&b, " = %s", w.Decimal(l.Net(), 2))
				var codes []string
				if l.ItemCode != "" {
					codes = append(codes, w.T("grids.record.line.product", "Code", l.ItemCode))
				}
				if l.NominalCode != "" {
					codes = append(codes, w.T("grids.record.line.nominal", "Code", l.NominalCode))
				}
				if l.TaxCode != "" {
					codes = append(codes, w.T("grids.record.line.tax", "Code", l.TaxCode))
				}
				if len(codes) > 0 {
					fmt.Fprintf(&b, " (%s)", strings.Join(codes, ", "))
				}
				b.WriteString("\n")
			}
		}
	case rec.Payment != nil:
		p := rec.Payment
		field("grids.record.field.reference", p.Code)
		field("grids.record.field.party", p.PartyCode)
		field("grids.record.field.date", dateText(w, p.Date))
		field("grids.record.field.amount", w.Amount(p.Amount, p.Currency))
		field("grids.record.field.bank_account", p.BankAccount)
		field("grids.record.field.their_reference", p.Reference)
		for _, a := range p.Allocations {
			b.WriteString(w.T("grids.record.pays", "Type", singular(w, a.DocumentType), "Code", a.DocumentCode, "Amount", w.Decimal(a.Amount, 2)) + "\n")
		}
	case rec.Journal != nil:
		j := rec.Journal
		field("grids.record.field.journal", j.Code)
		field("grids.record.field.company", j.Company)
		field("grids.record.field.date", dateText(w, j.Date))
		field("grids.record.field.period", j.Period)
		field("grids.record.field.description", j.Description)
		b.WriteString("\n" + w.T("grids.record.lines") + "\n")
		for _, l := range j.Lines {
			b.WriteString(w.T("grids.record.journal_line", "Nominal", l.NominalCode, "Debit", w.Decimal(l.Debit, 2),
				"Credit", w.Decimal(l.Credit, 2), "Description", l.Description) + "\n")
		}
	default:
		field("grids.record.field.code", rec.Code())
	}
	return strings.TrimRight(b.String(), "\n")
}

// quantity writes a number with the decimals it has, in w's format: 2,
// 1.5 / 1,5.
func quantity(w *words.Words, d decimal.Decimal) string {
	return w.Decimal(d, max(-d.Exponent(), 0))
}

func addressText(a connectors.Address) string {
	var parts []string
	for _, p := range []string{a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country} {
		if strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
