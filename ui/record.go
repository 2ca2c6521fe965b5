package ui

import (
	"fmt"
	"strings"

	"ledgerlink/connectors"
)

// formatRecord writes a record for a person to read: its main fields, then
// its lines.
func formatRecord(rec connectors.Record) string {
	var b strings.Builder
	field := func(label, value string) {
		if strings.TrimSpace(value) != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	switch {
	case rec.Party != nil:
		p := rec.Party
		field("Code", p.Code)
		field("Name", p.Name)
		if p.IsCompany() {
			field("Kind", "Company")
			field("Contact person", p.ContactPerson)
		} else {
			field("Kind", "Person")
		}
		field("Email", p.Email)
		field("Phone", p.Phone)
		field("Tax number", p.TaxNumber)
		field("Currency", p.Currency)
		field("Billing address", addressText(p.BillingAddress))
		field("Delivery address", addressText(p.DeliveryAddress))
		field("Tags", strings.Join(p.Tags, ", "))
	case rec.Document != nil:
		d := rec.Document
		field("Number", d.Code)
		field("Customer or supplier", d.PartyCode)
		field("Date", dateText(d.Date))
		if !d.DueDate.IsZero() {
			field("Due", dateText(d.DueDate))
		}
		field("Reference", d.Reference)
		field("Currency", d.Currency)
		field("Status", string(d.Status))
		if d.TaxInclusive {
			field("Prices", "include tax")
		}
		field("Net total", d.NetTotal().StringFixed(2))
		if len(d.Lines) > 0 {
			b.WriteString("\nLines:\n")
			for i, l := range d.Lines {
				fmt.Fprintf(&b, "%d. %s — %s × %s", i+1, dash(l.Description), l.Quantity.String(), l.UnitPrice.StringFixed(2))
				if !l.DiscountPercent.IsZero() {
					fmt.Fprintf(&b, " less %s%%", l.DiscountPercent.String())
				}
				fmt.Fprintf(&b, " = %s", l.Net().StringFixed(2))
				var codes []string
				if l.ItemCode != "" {
					codes = append(codes, "product "+l.ItemCode)
				}
				if l.NominalCode != "" {
					codes = append(codes, "nominal "+l.NominalCode)
				}
				if l.TaxCode != "" {
					codes = append(codes, "tax "+l.TaxCode)
				}
				if len(codes) > 0 {
					fmt.Fprintf(&b, " (%s)", strings.Join(codes, ", "))
				}
				b.WriteString("\n")
			}
		}
	case rec.Payment != nil:
		p := rec.Payment
		field("Reference", p.Code)
		field("Customer or supplier", p.PartyCode)
		field("Date", dateText(p.Date))
		field("Amount", strings.TrimSpace(p.Currency+" "+p.Amount.StringFixed(2)))
		field("Bank account", p.BankAccount)
		field("Their reference", p.Reference)
		for _, a := range p.Allocations {
			fmt.Fprintf(&b, "Pays %s %s: %s\n", singular(a.DocumentType), a.DocumentCode, a.Amount.StringFixed(2))
		}
	case rec.Journal != nil:
		j := rec.Journal
		field("Journal", j.Code)
		field("Company", j.Company)
		field("Date", dateText(j.Date))
		field("Period", j.Period)
		field("Description", j.Description)
		b.WriteString("\nLines:\n")
		for _, l := range j.Lines {
			fmt.Fprintf(&b, "%s  debit %s  credit %s  %s\n", l.NominalCode, l.Debit.StringFixed(2), l.Credit.StringFixed(2), l.Description)
		}
	default:
		field("Code", rec.Code())
	}
	return strings.TrimRight(b.String(), "\n")
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
