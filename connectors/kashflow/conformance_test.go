package kashflow_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/kashflow"
	"ledgerlink/connectors/kashflow/kashflowsim"
)

type simFaults struct {
	sim   *kashflowsim.Sim
	clock *clock
}

func (f simFaults) RateLimitNext(d time.Duration) { f.sim.RateLimitNext(d) }
func (f simFaults) LoseNextReply()                { f.sim.LoseNextReply() }
func (f simFaults) Advance(d time.Duration)       { f.clock.Advance(d) }

const conformancePageSize = 10

// normalise drops what KashFlow does not keep, or works out itself.
func normalise(r connectors.Record) connectors.Record {
	if r.Party != nil {
		// KashFlow keeps a currency ID (from GetCurrencies), no code; tags
		// and custom fields have no place of their own.
		r.Party.Currency, r.Party.Tags, r.Party.CustomFields = "", nil, nil
	}
	if r.Document != nil {
		for i := range r.Document.Lines {
			// KashFlow works out the VAT of a line sent without it.
			r.Document.Lines[i].TaxAmount = decimal.Zero
			r.Document.Lines[i].CostCentre, r.Document.Lines[i].CostType = "", ""
		}
	}
	if r.Payment != nil {
		for i := range r.Payment.Allocations {
			r.Payment.Allocations[i].DocumentRemoteID = ""
		}
	}
	if r.Item != nil {
		// A KashFlow sub-product is kept under its sales nominal code
		// only; purchases of it go to the purchase line's own code.
		r.Item.PurchaseAccount = ""
	}
	if r.Journal != nil {
		// A KashFlow journal holds no payroll company or pay period: the
		// engine books them by its mapping.
		r.Journal.Company, r.Journal.Period = "", ""
		r.Journal.Administration, r.Journal.JournalCode = "", ""
	}
	return r
}

// conformanceCodes are the Sandbox company's codes the samples use.
var conformanceCodes = conformance.Codes{
	SalesAccount: "200", PurchaseAccount: "300", TaxCode: "20", BankAccount: "90", InvalidAccount: "999",
	JournalDebit: "477", JournalCredit: "814",
}

// TestConformance runs the shared connector suite against the simulator,
// in strict mode, over a loopback server.
func TestConformance(t *testing.T) {
	def := kashflow.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "kashflow",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{connOpts: []kashflow.Option{kashflow.WithPageSize(conformancePageSize)}})
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:       kashflow.Capabilities(),
		Definition: &def,
		Sample:     conformance.NewSamples(conformanceCodes),
		PageSize:   conformancePageSize,
		Normalise:  normalise,
	})
}

// Delete removes a record "in KashFlow", by the remote ID the connector
// gave it: a payment over several invoices is removed part by part.
func (f simFaults) Delete(t connectors.RecordType, remoteID string) error {
	kind := ""
	switch t {
	case connectors.Customers:
		kind = "customer"
	case connectors.Suppliers:
		kind = "supplier"
	case connectors.Quotes:
		kind = "quote"
	case connectors.SalesInvoices:
		kind = "invoice"
	case connectors.PurchaseInvoices:
		kind = "receipt"
	case connectors.CreditNotes:
		kind = "invoice"
		if rest, ok := strings.CutPrefix(remoteID, "receipt:"); ok {
			kind, remoteID = "receipt", rest
		}
	case connectors.Journals:
		kind = "journal"
	case connectors.Items:
		kind, remoteID = "product", strings.TrimPrefix(remoteID, "sp:")
	case connectors.InvoicePayments, connectors.PurchasePayments:
		kind = "invoice-payment"
		if t == connectors.PurchasePayments {
			kind = "receipt-payment"
		}
		for _, part := range strings.Split(remoteID, "+") {
			_, pay, _ := strings.Cut(part, ":")
			id, err := strconv.Atoi(pay)
			if err != nil {
				return fmt.Errorf("payment part %q: %w", part, err)
			}
			if err := f.sim.Remove(kind, id); err != nil {
				return err
			}
		}
		return nil
	default:
		return errors.ErrUnsupported
	}
	id, err := strconv.Atoi(remoteID)
	if err != nil {
		return fmt.Errorf("remote ID %q: %w", remoteID, err)
	}
	return f.sim.Remove(kind, id)
}
