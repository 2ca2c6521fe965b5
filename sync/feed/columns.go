package feed

import (
	"strings"
	"unicode"

	"ledgerlink/connectors"
)

// column describes one CSV column a record type reads.
type column struct {
	// key is the column's canonical name, as documented.
	key string
	// aliases are other headings accepted for it.
	aliases []string
	// field is the model field it fills, as the JSON path inside the record
	// payload ("date") or, for line columns, inside one line ("quantity").
	// Checks report problems by field; this maps them back to the column.
	field string
	// line marks a column that belongs to one line of a grouped record
	// (document line, payment allocation, journal line); the others repeat
	// on every row of the group.
	line bool
	// required columns must be present in the heading.
	required bool
	// ignored columns are recognised and skipped (values LedgerLink works
	// out itself, such as a line total).
	ignored bool
}

// typeColumn may appear in any file and names the record type.
var typeColumn = column{key: "type", aliases: []string{"record type"}}

// customPrefix starts the heading of a custom-field column on customer and
// supplier files: "custom:Loyalty tier".
const customPrefix = "custom:"

func partyColumns(t connectors.RecordType) []column {
	codeAliases := []string{"account", "account code", "account ref", "account reference", "a/c", "party code"}
	nameAliases := []string{"company name", "company", "display name", "full name"}
	if t == connectors.Customers {
		codeAliases = append(codeAliases, "customer code", "customer id", "customer number", "customer no", "customer ref")
		nameAliases = append(nameAliases, "customer name")
	} else {
		codeAliases = append(codeAliases, "supplier code", "supplier id", "supplier number", "supplier no", "supplier ref")
		nameAliases = append(nameAliases, "supplier name")
	}
	return []column{
		typeColumn,
		{key: "code", field: "code", required: true, aliases: codeAliases},
		{key: "name", field: "name", required: true, aliases: nameAliases},
		{key: "contact_person", field: "contact_person", aliases: []string{"contact", "contact name", "attention", "attn"}},
		{key: "email", field: "email", aliases: []string{"e-mail", "email address", "e-mail address"}},
		{key: "phone", field: "phone", aliases: []string{"telephone", "tel", "phone number", "mobile"}},
		{key: "tax_number", field: "tax_number", aliases: []string{"tax id", "vat number", "vat no", "vat registration", "vat reg no"}}, // words:verbatim (headings as business files write them)
		{key: "currency", field: "currency", aliases: []string{"currency code"}},
		{key: "billing_line1", field: "billing_address.line1", aliases: []string{"billing address", "billing address 1", "billing address line 1", "address", "address 1", "address line 1", "street"}}, // words:verbatim (headings as business files write them)
		{key: "billing_line2", field: "billing_address.line2", aliases: []string{"billing address 2", "billing address line 2", "address 2", "address line 2"}},                                         // words:verbatim (headings as business files write them)
		{key: "billing_city", field: "billing_address.city", aliases: []string{"billing town", "city", "town"}},
		{key: "billing_region", field: "billing_address.region", aliases: []string{"billing county", "billing state", "region", "county", "state", "province"}},
		{key: "billing_postal_code", field: "billing_address.postal_code", aliases: []string{"billing postcode", "billing zip", "postal code", "postcode", "post code", "zip", "zip code"}},
		{key: "billing_country", field: "billing_address.country", aliases: []string{"country"}},
		{key: "delivery_line1", field: "delivery_address.line1", aliases: []string{"delivery address", "delivery address 1", "delivery address line 1", "shipping address", "shipping address 1"}}, // words:verbatim (headings as business files write them)
		{key: "delivery_line2", field: "delivery_address.line2", aliases: []string{"delivery address 2", "delivery address line 2", "shipping address 2"}},                                         // words:verbatim (headings as business files write them)
		{key: "delivery_city", field: "delivery_address.city", aliases: []string{"delivery town", "shipping city"}},
		{key: "delivery_region", field: "delivery_address.region", aliases: []string{"delivery county", "delivery state", "shipping region", "shipping state"}},
		{key: "delivery_postal_code", field: "delivery_address.postal_code", aliases: []string{"delivery postcode", "delivery zip", "shipping postcode", "shipping postal code", "shipping zip"}}, // words:verbatim (headings as business files write them)
		{key: "delivery_country", field: "delivery_address.country", aliases: []string{"shipping country"}},
		{key: "tags", field: "tags", aliases: []string{"tag", "labels", "groups"}},
		{key: "archived", field: "archived", aliases: []string{"inactive"}},
	}
}

func documentColumns(t connectors.RecordType) []column {
	codeAliases := []string{"document code", "document number", "document no", "number"}
	partyAliases := []string{"party code", "account ref", "a/c"}
	dateAliases := []string{"document date", "issue date"}
	dueAliases := []string{"due", "payment due"}
	switch t {
	case connectors.Quotes:
		codeAliases = append(codeAliases, "quote number", "quote no", "quote code")
		dateAliases = append(dateAliases, "quote date")
		dueAliases = append(dueAliases, "expiry date", "valid until")
	case connectors.SalesInvoices:
		codeAliases = append(codeAliases, "invoice number", "invoice no", "invoice code")
		dateAliases = append(dateAliases, "invoice date")
	case connectors.PurchaseInvoices:
		codeAliases = append(codeAliases, "invoice number", "invoice no", "invoice code", "bill number", "bill no")
		dateAliases = append(dateAliases, "invoice date", "bill date")
	case connectors.CreditNotes:
		codeAliases = append(codeAliases, "credit note number", "credit note no", "credit note code") // words:verbatim (headings as business files write them)
		dateAliases = append(dateAliases, "credit note date")                                         // words:verbatim (headings as business files write them)
	}
	if t == connectors.PurchaseInvoices {
		partyAliases = append(partyAliases, "supplier code", "supplier id", "supplier number", "supplier no", "supplier ref", "supplier account")
	} else {
		partyAliases = append(partyAliases, "customer code", "customer id", "customer number", "customer no", "customer ref", "customer account")
	}
	if t == connectors.CreditNotes {
		partyAliases = append(partyAliases, "supplier code", "supplier id", "supplier number", "supplier no", "supplier ref", "supplier account")
	}
	cols := []column{
		typeColumn,
		{key: "code", field: "code", required: true, aliases: codeAliases},
		{key: "party_code", field: "party_code", required: true, aliases: partyAliases},
		{key: "date", field: "date", required: true, aliases: dateAliases},
		{key: "due_date", field: "due_date", aliases: dueAliases},
		{key: "reference", field: "reference", aliases: []string{"ref", "your reference", "order number", "po number", "purchase order"}},
		{key: "currency", field: "currency", aliases: []string{"currency code"}},
		{key: "tax_inclusive", field: "tax_inclusive", aliases: []string{"prices include tax", "amounts include tax", "incl tax", "vat inclusive", "line amount types"}}, // words:verbatim (headings as business files write them)
		{key: "status", field: "status", aliases: []string{"document status", "invoice status"}},
		{key: "total", field: "total", aliases: []string{"document total", "invoice total", "gross total"}},
		{key: "item_code", field: "item_code", line: true, aliases: []string{"item", "product code", "product", "sku", "stock code"}},
		{key: "description", field: "description", line: true, aliases: []string{"details", "line description", "narrative"}},
		{key: "quantity", field: "quantity", line: true, aliases: []string{"qty", "units"}},
		{key: "unit_price", field: "unit_price", line: true, required: true, aliases: []string{"price", "unit amount", "unit cost", "rate"}},
		{key: "discount_percent", field: "discount_percent", line: true, aliases: []string{"discount", "discount %", "disc %", "disc"}},
		{key: "nominal_code", field: "nominal_code", line: true, aliases: []string{"nominal", "nominal account", "account code", "gl code", "gl account", "ledger code", "sales account", "purchase account"}},
		{key: "tax_code", field: "tax_code", line: true, aliases: []string{"tax type", "tax rate", "vat code", "vat rate"}},
		{key: "tax_amount", field: "tax_amount", line: true, aliases: []string{"tax", "vat amount", "tax value"}},
		{key: "cost_centre", field: "cost_centre", line: true, aliases: []string{"cost center", "department"}},
		{key: "cost_type", field: "cost_type", line: true, aliases: []string{"cost category"}},
		{key: "line_total", line: true, ignored: true, aliases: []string{"line amount", "line net", "amount", "net amount"}},
	}
	if t == connectors.CreditNotes {
		cols = append(cols, column{key: "purchase", field: "purchase", aliases: []string{"supplier credit", "purchase credit"}})
	}
	return cols
}

func paymentColumns(t connectors.RecordType) []column {
	partyAliases := []string{"party code", "account ref", "a/c"}
	docAliases := []string{"allocated document code", "allocated to", "document code", "document number", "applied to"} // words:verbatim (headings as business files write them)
	if t == connectors.InvoicePayments {
		partyAliases = append(partyAliases, "customer code", "customer id", "customer number", "customer no", "customer ref", "customer account")
		docAliases = append(docAliases, "invoice number", "invoice no", "invoice")
	} else {
		partyAliases = append(partyAliases, "supplier code", "supplier id", "supplier number", "supplier no", "supplier ref", "supplier account")
		docAliases = append(docAliases, "invoice number", "invoice no", "invoice", "bill number", "bill no")
	}
	return []column{
		typeColumn,
		{key: "code", field: "code", required: true, aliases: []string{"payment code", "payment number", "payment no", "payment id", "receipt number", "receipt no"}},
		{key: "party_code", field: "party_code", aliases: partyAliases},
		{key: "date", field: "date", required: true, aliases: []string{"payment date", "date paid", "paid on", "received on"}},
		{key: "amount", field: "amount", required: true, aliases: []string{"payment amount", "amount paid", "amount received", "total"}},
		{key: "currency", field: "currency", aliases: []string{"currency code"}},
		{key: "bank_account", field: "bank_account", aliases: []string{"bank", "bank code", "paid into", "paid from"}},
		{key: "reference", field: "reference", aliases: []string{"ref", "payment reference"}},
		{key: "allocated_document", field: "document_code", line: true, aliases: docAliases},
		{key: "allocated_amount", field: "amount", line: true, aliases: []string{"allocation amount", "amount allocated", "applied amount"}},
		{key: "allocated_type", field: "document_type", line: true, aliases: []string{"allocated document type", "document type"}}, // words:verbatim (headings as business files write them)
	}
}

func journalColumns() []column {
	return []column{
		typeColumn,
		{key: "code", field: "code", required: true, aliases: []string{"journal code", "journal number", "journal no", "entry number", "entry no"}},
		{key: "company", field: "company", required: true, aliases: []string{"company code", "administration", "employer", "payroll company"}},
		{key: "date", field: "date", required: true, aliases: []string{"journal date", "posting date"}},
		{key: "period", field: "period", required: true, aliases: []string{"pay period", "payroll period"}},
		{key: "description", field: "description", aliases: []string{"journal description"}},
		{key: "nominal_code", field: "nominal_code", line: true, required: true, aliases: []string{"nominal", "nominal account", "account code", "account", "gl code", "gl account", "ledger code"}},
		{key: "debit", field: "debit", line: true, aliases: []string{"dr", "debit amount"}},
		{key: "credit", field: "credit", line: true, aliases: []string{"cr", "credit amount"}},
		{key: "cost_centre", field: "cost_centre", line: true, aliases: []string{"cost center", "department"}},
		{key: "cost_type", field: "cost_type", line: true, aliases: []string{"cost category"}},
		{key: "line_description", field: "description", line: true, aliases: []string{"narrative", "memo", "line text"}},
		{key: "line_period", field: "period", line: true, aliases: []string{"correction period", "for period"}},
	}
}

func itemColumns() []column {
	return []column{
		typeColumn,
		{key: "code", field: "code", required: true, aliases: []string{"product code", "item code", "sku", "stock code", "part number"}},
		{key: "name", field: "name", required: true, aliases: []string{"product name", "item name", "title"}},
		{key: "description", field: "description", aliases: []string{"sales description", "long description"}},
		{key: "sales_price", field: "sales_price", aliases: []string{"selling price", "sell price", "retail price", "unit price", "price"}},
		{key: "purchase_price", field: "purchase_price", aliases: []string{"cost price", "buy price", "unit cost", "cost"}},
		{key: "sales_account", field: "sales_account", aliases: []string{"sales nominal", "sales nominal code", "sales account code", "income account"}},              // words:verbatim (headings as business files write them)
		{key: "purchase_account", field: "purchase_account", aliases: []string{"purchase nominal", "purchase nominal code", "purchase account code", "cost account"}}, // words:verbatim (headings as business files write them)
		{key: "stock", field: "stock", aliases: []string{"stock item", "stocked", "tracked", "track stock", "inventory"}},
	}
}

// columnsFor returns the columns a CSV file of type t reads.
func columnsFor(t connectors.RecordType) []column {
	switch t {
	case connectors.Items:
		return itemColumns()
	case connectors.Customers, connectors.Suppliers:
		return partyColumns(t)
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		return documentColumns(t)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return paymentColumns(t)
	case connectors.Journals:
		return journalColumns()
	}
	return nil
}

// headingKey folds a heading for matching: lower case, letters, digits and
// '%' only, so "Customer Code", "customer_code" and "CUSTOMER-CODE" agree.
func headingKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else if r == '%' {
			b.WriteString("percent")
		}
	}
	return b.String()
}

// headingIndex maps folded headings to the columns of t.
func headingIndex(cols []column) map[string]int {
	idx := make(map[string]int, len(cols)*4)
	for i, c := range cols {
		idx[headingKey(c.key)] = i
		for _, a := range c.aliases {
			idx[headingKey(a)] = i
		}
	}
	return idx
}
