package quickbooks_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/quickbooks"
	"ledgerlink/connectors/quickbooks/qbosim"
)

// simFaults gives the shared suite the simulator's fault hooks.
type simFaults struct{ h *harness }

func (f simFaults) RateLimitNext(time.Duration) { f.h.sim.ThrottleNext(1, false) }
func (f simFaults) LoseNextReply()              { f.h.sim.DropNextReplies(1) }
func (f simFaults) Advance(d time.Duration)     { f.h.clock.Advance(d) }

// Delete deletes a transaction in the simulator as a bookkeeper would.
// Customers, vendors and items cannot be deleted in QuickBooks, only made
// inactive.
func (f simFaults) Delete(t connectors.RecordType, remoteID string) error {
	entity := map[connectors.RecordType]string{
		connectors.Quotes: "Estimate", connectors.SalesInvoices: "Invoice", connectors.PurchaseInvoices: "Bill",
		connectors.CreditNotes: "CreditMemo", connectors.InvoicePayments: "Payment",
		connectors.PurchasePayments: "BillPayment", connectors.Journals: "JournalEntry",
	}[t]
	if entity == "" {
		return fmt.Errorf("QuickBooks makes a %s inactive rather than deleting it: %w", t.Label(), errors.ErrUnsupported)
	}
	id := remoteID
	if v, ok := strings.CutPrefix(remoteID, "V"); ok && t == connectors.CreditNotes {
		entity, id = "VendorCredit", v
	}
	return f.h.sim.Delete(qbosim.SandboxRealmID, entity, id)
}

const conformancePageSize = 10

// sampleCodes are the seeded company's codes the samples use.
var sampleCodes = conformance.Codes{
	SalesAccount: "200", PurchaseAccount: "300", TaxCode: "NONE", BankAccount: "090", InvalidAccount: "999",
	JournalDebit: "477", JournalCredit: "814",
}

// normalise keeps what QuickBooks round-trips: bill lines posted to an
// account hold an amount only; journals hold no payroll company or
// period; parties hold no tags, custom fields or tax number; line tax is
// worked out by QuickBooks.
func normalise(r connectors.Record) connectors.Record {
	if r.Payment != nil {
		for i := range r.Payment.Allocations {
			r.Payment.Allocations[i].DocumentRemoteID = ""
		}
	}
	if r.Journal != nil {
		r.Journal.Company, r.Journal.Period, r.Journal.Administration, r.Journal.JournalCode = "", "", "", ""
		for i := range r.Journal.Lines {
			r.Journal.Lines[i].CostType, r.Journal.Lines[i].Period = "", ""
		}
	}
	if r.Party != nil {
		r.Party.Tags, r.Party.CustomFields, r.Party.TaxNumber = nil, nil, ""
	}
	if d := r.Document; d != nil {
		for i := range d.Allocations {
			d.Allocations[i].DocumentRemoteID = ""
		}
		for i, l := range d.Lines {
			l.TaxAmount, l.CostType = decimal.Zero, ""
			if (r.Type == connectors.PurchaseInvoices || d.Purchase) && l.ItemCode == "" {
				l.Quantity, l.UnitPrice, l.DiscountPercent = decimal.NewFromInt(1), l.Net().Round(2), decimal.Zero
			}
			d.Lines[i] = l
		}
	}
	return r
}

// TestConformance runs the shared connector suite against the simulator
// in strict mode, over a loopback server, signed in with a rotating
// refresh token.
func TestConformance(t *testing.T) {
	t.Run("read back from write answers", func(t *testing.T) { runConformance(t) })
	t.Run("read back by query", func(t *testing.T) { runConformance(t, quickbooks.WithoutAnswersAsReadBack()) })
}

func runConformance(t *testing.T, opts ...quickbooks.Option) {
	def := quickbooks.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "quickbooks",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{connOpts: append([]quickbooks.Option{quickbooks.WithPageSize(conformancePageSize)}, opts...)})
			return h.conn, simFaults{h}
		},
		Caps:       quickbooks.Capabilities(),
		Definition: &def,
		Sample:     conformance.NewSamples(sampleCodes),
		PageSize:   conformancePageSize,
		Normalise:  normalise,
	})
}
