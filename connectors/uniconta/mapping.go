package uniconta

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// ---- customers and suppliers ----

// partyToWire maps a customer or supplier onto a DebtorClient or
// CreditorClient. tag, when set, goes to the debtor's CRM group.
func partyToWire(p connectors.Party, group, tag string) wireParty {
	w := wireParty{
		Account: p.Code, Name: p.Name, Group: group,
		Address1: p.BillingAddress.Line1, Address2: p.BillingAddress.Line2, Address3: p.BillingAddress.Region,
		ZipCode: p.BillingAddress.PostalCode, City: p.BillingAddress.City, CountryName: p.BillingAddress.Country,
		ContactPerson: p.ContactPerson, ContactEmail: p.Email, Phone: p.Phone, VatNumber: p.TaxNumber, Currency: p.Currency,
		DeliveryAddress1: p.DeliveryAddress.Line1, DeliveryAddress2: p.DeliveryAddress.Line2, DeliveryAddress3: p.DeliveryAddress.Region,
		DeliveryZipCode: p.DeliveryAddress.PostalCode, DeliveryCity: p.DeliveryAddress.City, DeliveryCountryName: p.DeliveryAddress.Country,
		Blocked: p.Archived,
	}
	if tag != "" {
		w.CrmGroup = &tag
	}
	return w
}

func partyFromWire(w wireParty) connectors.Party {
	p := connectors.Party{
		Code: w.Account, Name: w.Name, ContactPerson: w.ContactPerson, Email: w.ContactEmail, Phone: w.Phone,
		TaxNumber: w.VatNumber, Currency: w.Currency, Archived: w.Blocked,
		BillingAddress: connectors.Address{Line1: w.Address1, Line2: w.Address2, Region: w.Address3, PostalCode: w.ZipCode,
			City: w.City, Country: w.CountryName},
		DeliveryAddress: connectors.Address{Line1: w.DeliveryAddress1, Line2: w.DeliveryAddress2, Region: w.DeliveryAddress3,
			PostalCode: w.DeliveryZipCode, City: w.DeliveryCity, Country: w.DeliveryCountryName},
	}
	if w.CrmGroup != nil && *w.CrmGroup != "" {
		p.Tags = []string{*w.CrmGroup}
	}
	return p
}

// hasTag reports whether the party carries tag (case-blind).
func hasTag(p connectors.Party, tag string) bool {
	for _, t := range p.Tags {
		if strings.EqualFold(strings.TrimSpace(t), tag) {
			return true
		}
	}
	return false
}

// withCustomFields adds the listed custom fields to a debtor's JSON, as
// the DebtorClientUser entity carries them: one top-level property per
// field, named exactly as the field. Values are typed by the field's
// Uniconta type; a value that does not fit is refused in plain words.
func withCustomFields(base any, values map[string]string, fields []string, types map[string]string) (map[string]any, error) {
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	for _, name := range fields {
		typ, exists := types[name]
		if !exists {
			continue
		}
		v, ok := values[name]
		if !ok {
			continue
		}
		tv, err := typedValue(name, v, typ)
		if err != nil {
			return nil, err
		}
		out[name] = tv
	}
	return out, nil
}

func typedValue(name, v, typ string) (any, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(typ) {
	case "double", "integer", "int", "long":
		if v == "" {
			return json.Number("0"), nil
		}
		d, err := decimal.NewFromString(strings.ReplaceAll(v, ",", "."))
		if err != nil {
			return nil, own.Fail(nil, "uniconta.field.not_number", "Name", name, "Value", v)
		}
		return json.Number(d.String()), nil
	case "boolean", "bool":
		if v == "" {
			return false, nil
		}
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return nil, own.Fail(nil, "uniconta.field.not_yes_no", "Name", name, "Value", v)

		}
		return b, nil
	}
	return v, nil
}

// customFromJSON reads the listed custom fields of a DebtorClientUser.
func customFromJSON(raw json.RawMessage, fields []string) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(raw, &all) != nil {
		return nil
	}
	out := map[string]string{}
	for _, name := range fields {
		v, ok := all[name]
		if !ok {
			continue
		}
		var s any
		dec := json.NewDecoder(strings.NewReader(string(v)))
		dec.UseNumber()
		if dec.Decode(&s) != nil || s == nil {
			continue
		}
		switch x := s.(type) {
		case string:
			if x != "" {
				out[name] = x
			}
		case json.Number:
			out[name] = x.String()
		case bool:
			out[name] = strconv.FormatBool(x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ---- documents ----

// dims places a line's cost centre and cost type in the module's two
// dimensions.
type dimMap struct{ costCentre, costType int }

func (d dimMap) set(l *wireLine, cc, ct string) {
	for _, p := range []struct {
		n int
		v string
	}{{d.costCentre, cc}, {d.costType, ct}} {
		switch p.n {
		case 1:
			l.Dimension1 = p.v
		case 2:
			l.Dimension2 = p.v
		case 3:
			l.Dimension3 = p.v
		case 4:
			l.Dimension4 = p.v
		case 5:
			l.Dimension5 = p.v
		}
	}
}

func dimOf(n int, d [5]string) string {
	if n < 1 || n > 5 {
		return ""
	}
	return d[n-1]
}

func lineDims(l wireLine) [5]string {
	return [5]string{l.Dimension1, l.Dimension2, l.Dimension3, l.Dimension4, l.Dimension5}
}

// docToWire maps a document onto an order (or offer) header and lines. A
// credit note is an invoice of negative quantities in Uniconta.
func docToWire(d connectors.Document, k docKind, credit bool, dm dimMap) (wireOrder, []wireLine) {
	o := wireOrder{Account: d.PartyCode, InvoiceDate: fromDate(d.Date), DueDate: fromDate(d.DueDate), Currency: d.Currency,
		YourRef: d.Reference, PricesInclVat: d.TaxInclusive}
	if k.creditor {
		code := d.Code
		o.InvoiceNumber = &code
	} else {
		o.OurRef = d.Code
	}
	sign := decimal.NewFromInt(1)
	if credit {
		sign = sign.Neg()
	}
	lines := make([]wireLine, 0, len(d.Lines))
	for i, l := range d.Lines {
		wl := wireLine{LineNumber: amt(decimal.NewFromInt(int64(i + 1))), Item: l.ItemCode, Text: l.Description,
			Qty: amt(l.Quantity.Mul(sign)), Price: amt(l.UnitPrice), DiscountPct: amt(l.DiscountPercent),
			Vat: l.TaxCode, PostingAccount: l.NominalCode}
		dm.set(&wl, l.CostCentre, l.CostType)
		lines = append(lines, wl)
	}
	return o, lines
}

// linesFromWire maps lines back; credit notes turn their quantities back.
func linesFromWire(ws []wireLine, credit bool, dm dimMap) []connectors.Line {
	out := make([]connectors.Line, 0, len(ws))
	for _, w := range ws {
		q := w.Qty.Decimal
		if credit {
			q = q.Neg()
		}
		d := lineDims(w)
		out = append(out, connectors.Line{ItemCode: w.Item, Description: w.Text, Quantity: q, UnitPrice: w.Price.Decimal,
			DiscountPercent: w.DiscountPct.Decimal, NominalCode: w.PostingAccount, TaxCode: w.Vat,
			CostCentre: dimOf(dm.costCentre, d), CostType: dimOf(dm.costType, d)})
	}
	return out
}

// lineNet adds the lines before VAT (the sign says invoice or credit).
func linesNet(ws []wireLine) decimal.Decimal {
	sum := decimal.Zero
	for _, w := range ws {
		n := w.Qty.Mul(w.Price.Decimal)
		if !w.DiscountPct.IsZero() {
			n = n.Mul(decimal.NewFromInt(100).Sub(w.DiscountPct.Decimal)).Div(decimal.NewFromInt(100))
		}
		sum = sum.Add(n)
	}
	return sum
}

// ---- journals ----

var periodMark = regexp.MustCompile(`^(.*) \(period (\d{4}-\d{2})\)$`)

// journalText is a line's text in Uniconta: its description, and its pay
// period when the line names one (Uniconta has no period per line).
func journalText(l connectors.JournalLine) string {
	if l.Period == "" {
		return l.Description
	}
	return l.Description + " (period " + l.Period + ")"
}

func splitJournalText(t string) (string, string) {
	if m := periodMark.FindStringSubmatch(t); m != nil {
		return m[1], m[2]
	}
	return t, ""
}

func (d dimMap) journalDims(wl *wireJournalLine, cc, ct string) {
	var l wireLine
	d.set(&l, cc, ct)
	wl.Dimension1, wl.Dimension2, wl.Dimension3, wl.Dimension4, wl.Dimension5 = l.Dimension1, l.Dimension2, l.Dimension3, l.Dimension4, l.Dimension5
}

func transDims(t wireTrans) [5]string {
	return [5]string{t.Dimension1, t.Dimension2, t.Dimension3, t.Dimension4, t.Dimension5}
}

// ---- reference data ----

func accountClass(t string) connectors.AccountClass {
	switch strings.ToLower(t) {
	case "revenue", "sales", "income":
		return connectors.ClassRevenue
	case "expense", "cost", "costs", "expenses":
		return connectors.ClassExpense
	case "bank", "asset", "assets", "liquidasset", "receivable":
		return connectors.ClassAsset
	case "liability", "liabilities", "payable":
		return connectors.ClassLiability
	case "equity":
		return connectors.ClassEquity
	}
	return ""
}

// postable says whether a chart row is an account (not a heading or sum).
func postable(t string) bool {
	switch strings.ToLower(t) {
	case "header", "heading", "sum", "pagebreak":
		return false
	}
	return true
}
