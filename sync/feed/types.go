package feed

import (
	"path/filepath"
	"strings"

	"ledgerlink/connectors"
)

// FeedTypes returns the record types the business side can hand LedgerLink,
// in the order a file drop is best processed (products and parties before
// the documents that name them, documents before the payments that pay
// them).
func FeedTypes() []connectors.RecordType {
	return []connectors.RecordType{
		connectors.Items, connectors.Customers, connectors.Suppliers,
		connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes,
		connectors.InvoicePayments, connectors.PurchasePayments,
		connectors.Journals,
	}
}

// typeNames lists, per feed type, the names a file may start with or a
// 'type' column (or the --type option) may hold. Names are compared after
// lower-casing and turning spaces and dashes into underscores.
var typeNames = []struct {
	t     connectors.RecordType
	names []string
}{
	{connectors.Items, []string{"products", "product", "stock_items", "stock_item", "items", "item", "stock"}},
	{connectors.Customers, []string{"customers", "customer", "clients", "client", "debtors"}},
	{connectors.Suppliers, []string{"suppliers", "supplier", "vendors", "vendor", "creditors"}},
	{connectors.Quotes, []string{"quotes", "quote", "quotations", "quotation", "estimates", "estimate"}},
	{connectors.SalesInvoices, []string{"sales_invoices", "sales_invoice", "invoices", "invoice", "sales"}},
	{connectors.PurchaseInvoices, []string{"purchase_invoices", "purchase_invoice", "purchases", "purchase", "bills", "bill"}},
	{connectors.CreditNotes, []string{"credit_notes", "credit_note", "creditnotes", "credits"}},
	{connectors.InvoicePayments, []string{"invoice_payments", "invoice_payment", "sales_payments", "customer_payments", "receipts", "payments_received"}},
	{connectors.PurchasePayments, []string{"purchase_payments", "purchase_payment", "supplier_payments", "bill_payments", "payments_made"}},
	{connectors.Journals, []string{"journals", "journal", "payroll_journals", "payroll_journal", "payroll"}},
}

// ambiguousNames could mean more than one type.
var ambiguousNames = map[string][]connectors.RecordType{
	"payments": {connectors.InvoicePayments, connectors.PurchasePayments},
	"payment":  {connectors.InvoicePayments, connectors.PurchasePayments},
}

func normaliseTypeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "_", "-", "_", ".", "_").Replace(s)
}

// acceptedFileNames is the plain-words list shown when no type was found.
func acceptedFileNames() string {
	var parts []string
	for _, tn := range typeNames {
		parts = append(parts, tn.names[0]+".csv")
	}
	return strings.Join(parts, ", ")
}

// typeFromFileName finds the record type from a file name such as
// "Sales Invoices 2026-11.csv": the longest known name the file name starts
// with, followed by the end or a character that is not a letter. It returns
// "" with no error when the name says nothing, and an error when the name
// could mean more than one type or names reference data.
func typeFromFileName(name string) (connectors.RecordType, error) {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	stem := normaliseTypeName(base)
	var best connectors.RecordType
	bestLen := 0
	for _, tn := range typeNames {
		for _, n := range tn.names {
			if len(n) > bestLen && hasNamePrefix(stem, n) {
				best, bestLen = tn.t, len(n)
			}
		}
	}
	for n, ts := range ambiguousNames {
		if len(n) > bestLen && hasNamePrefix(stem, n) {
			return "", ambiguousTypeError(filepath.Base(name), n, ts)
		}
	}
	return best, nil
}

func hasNamePrefix(stem, prefix string) bool {
	if !strings.HasPrefix(stem, prefix) {
		return false
	}
	if len(stem) == len(prefix) {
		return true
	}
	c := stem[len(prefix)]
	return !(c >= 'a' && c <= 'z')
}

// ambiguousTypeError says that word, found in where, could mean either
// of the first two of ts.
func ambiguousTypeError(where, word string, ts []connectors.RecordType) error {
	return wordsError("engine.feed.type.ambiguous", "Where", where, "Word", word,
		"One", ts[0].Text(), "Other", ts[1].Text(),
		"OneFile", typeNames[indexOfType(ts[0])].names[0], "OtherFile", typeNames[indexOfType(ts[1])].names[0])
}

func indexOfType(t connectors.RecordType) int {
	for i, tn := range typeNames {
		if tn.t == t {
			return i
		}
	}
	return 0
}

// parseTypeName reads a record type from a 'type' column, a JSON "type" or
// the --type option: a feed type's identifier, its label ("Sales Invoices")
// or one of the file names above.
func parseTypeName(s string) (connectors.RecordType, error) {
	norm := normaliseTypeName(s)
	for _, tn := range typeNames {
		for _, n := range tn.names {
			if norm == n {
				return tn.t, nil
			}
		}
	}
	if ts, ok := ambiguousNames[norm]; ok {
		return "", ambiguousTypeError("type", norm, ts)
	}
	t, err := connectors.ParseRecordType(s)
	if err == nil && isFeedType(t) {
		return t, nil
	}
	if err == nil {
		return "", wordsError("engine.feed.type.from_package", "Type", t.Text())
	}
	return "", wordsError("engine.feed.type.unknown", "Value", strings.TrimSpace(s), "Types", acceptedTypeNames())
}

func acceptedTypeNames() string {
	var parts []string
	for _, tn := range typeNames {
		parts = append(parts, tn.names[0])
	}
	return strings.Join(parts, ", ")
}

func isFeedType(t connectors.RecordType) bool {
	for _, f := range FeedTypes() {
		if f == t {
			return true
		}
	}
	return false
}

// typeRank orders files of a drop by FeedTypes; unknown types go last.
func typeRank(t connectors.RecordType) int {
	for i, f := range FeedTypes() {
		if f == t {
			return i
		}
	}
	return len(FeedTypes())
}

// aNoun puts "a" or "an" before a noun ("an invoice payment").
func aNoun(n string) string {
	if n != "" && strings.ContainsRune("aeiou", rune(n[0])) {
		return "an " + n
	}
	return "a " + n
}

// codeWord is what the business calls a record's code: documents have a
// number, payments and journals a code.
func codeWord(t connectors.RecordType) string {
	switch t {
	case connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes:
		return "number"
	}
	return "code"
}

// noun is the singular, lower-case word for one record of t ("sales invoice").
func noun(t connectors.RecordType) string {
	switch t {
	case connectors.Journals:
		return "journal"
	case connectors.Items:
		return "product"
	}
	return strings.TrimSuffix(strings.ToLower(t.Label()), "s")
}
