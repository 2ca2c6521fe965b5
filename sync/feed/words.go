package feed

import (
	"log/slog"
	stdsync "sync"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/words"
)

// english are LedgerLink's own words in English, loaded once: what the
// feed writes when Options.Words is not set.
var english = stdsync.OnceValue(func() *words.Words {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat.In("en")
})

// lang are the words the feed writes its outcomes and problems in.
func (o Options) lang() *words.Words {
	if o.Words != nil {
		return o.Words
	}
	return english()
}

// nounKey is the catalogue key of one record of type t ("sales invoice").
func nounKey(t connectors.RecordType) string {
	switch t {
	case connectors.Customers:
		return "engine.noun.customer"
	case connectors.Suppliers:
		return "engine.noun.supplier"
	case connectors.Quotes:
		return "engine.noun.quote"
	case connectors.SalesInvoices:
		return "engine.noun.sales_invoice"
	case connectors.PurchaseInvoices:
		return "engine.noun.purchase_invoice"
	case connectors.CreditNotes:
		return "engine.noun.credit_note"
	case connectors.InvoicePayments:
		return "engine.feed.noun.invoice_payment"
	case connectors.PurchasePayments:
		return "engine.feed.noun.purchase_payment"
	case connectors.Journals:
		return "engine.noun.journal"
	case connectors.Items:
		return "engine.noun.item"
	}
	return "engine.feed.report.records"
}
