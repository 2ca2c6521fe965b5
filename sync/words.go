package sync

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// nounKey is the catalogue key of one record of type t named in a
// sentence ("sales invoice"); thisKey is "this sales invoice", which
// Dutch and Danish write with the noun's own article.
func nounKey(t connectors.RecordType) (noun, this string) {
	switch t {
	case connectors.Customers:
		return "engine.noun.customer", "engine.this.customer"
	case connectors.Suppliers:
		return "engine.noun.supplier", "engine.this.supplier"
	case connectors.Quotes:
		return "engine.noun.quote", "engine.this.quote"
	case connectors.SalesInvoices:
		return "engine.noun.sales_invoice", "engine.this.sales_invoice"
	case connectors.PurchaseInvoices:
		return "engine.noun.purchase_invoice", "engine.this.purchase_invoice"
	case connectors.CreditNotes:
		return "engine.noun.credit_note", "engine.this.credit_note"
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return "engine.noun.payment", "engine.this.payment"
	case connectors.Journals:
		return "engine.noun.journal", "engine.this.journal"
	case connectors.Items:
		return "engine.noun.item", "engine.this.item"
	}
	return "", ""
}

// noun names one record of type t in the middle of a sentence, in w's
// language ("sales invoice", "verkoopfactuur").
func noun(w *words.Words, t connectors.RecordType) string {
	if k, _ := nounKey(t); k != "" {
		return w.T(k)
	}
	return strings.ToLower(t.LabelIn(w))
}

// this is "this sales invoice" in w's language.
func this(w *words.Words, t connectors.RecordType) string {
	if _, k := nounKey(t); k != "" {
		return w.T(k)
	}
	return w.T("engine.this.record")
}

// lowerLabel is a type's name in the middle of a sentence ("sales
// invoices").
func lowerLabel(w *words.Words, t connectors.RecordType) string {
	return strings.ToLower(t.LabelIn(w))
}

// capital starts s with a capital letter.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// count is "1 customer" or "3 customers" in w's language.
func count(w *words.Words, t connectors.RecordType, n int) string {
	switch t {
	case connectors.Customers:
		return w.N("engine.count.customer", n)
	case connectors.Suppliers:
		return w.N("engine.count.supplier", n)
	case connectors.Quotes:
		return w.N("engine.count.quote", n)
	case connectors.SalesInvoices:
		return w.N("engine.count.sales_invoice", n)
	case connectors.PurchaseInvoices:
		return w.N("engine.count.purchase_invoice", n)
	case connectors.CreditNotes:
		return w.N("engine.count.credit_note", n)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return w.N("engine.count.payment", n)
	case connectors.Journals:
		return w.N("engine.count.journal", n)
	case connectors.Items:
		return w.N("engine.count.item", n)
	}
	return w.N("engine.count.record", n)
}

// listCodes names up to ten codes and counts the rest.
func listCodes(w *words.Words, codes []string) string {
	const most = 10
	if len(codes) <= most {
		return strings.Join(codes, ", ")
	}
	return w.N("engine.list.more", len(codes)-most, "Codes", strings.Join(codes[:most], ", "))
}

// sayErr is an error for a person: said in w's language now (its Error(),
// for logs and the run report) and keeping its words, so a face says it
// again in its own language with Words.Error.
func sayErr(w *words.Words, err error, key string, pairs ...any) error {
	return connectors.Said(w, words.Errorf(err, key, pairs...))
}

// sayKind is sayErr of a kind callers tell apart with errors.Is (a
// sentinel such as ErrUnknownModule): the person reads key's words, then
// detail (which may be nil), and the sentinel's own English is not said.
func sayKind(w *words.Words, kind, detail error, key string, pairs ...any) error {
	return connectors.SaidAs(w, kind, words.Errorf(detail, key, pairs...))
}

// refusal is sayErr for code with no language at hand (a Matrix, a
// Timing): English now, for logs and the run report, and its words for a
// face to say again in the reader's language.
func refusal(err error, key string, pairs ...any) error {
	return sayErr(connectors.English(), err, key, pairs...)
}
