package xero_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/xero"
	"ledgerlink/connectors/xero/xerosim"
)

// simFaults gives the shared suite the simulator's fault hooks.
type simFaults struct {
	sim   *xerosim.Sim
	clock *clock
}

func (f simFaults) RateLimitNext(d time.Duration) { f.sim.RateLimitNext(1, "minute", d) }
func (f simFaults) LoseNextReply()                { f.sim.DropNextReplies(1) }
func (f simFaults) Advance(d time.Duration)       { f.clock.Advance(d) }

// Delete voids an invoice or deletes a payment as a person would in Xero;
// Xero deletes nothing else that LedgerLink sends.
func (f simFaults) Delete(t connectors.RecordType, remoteID string) error {
	tenant := f.sim.DefaultTenantID()
	switch t {
	case connectors.SalesInvoices, connectors.PurchaseInvoices:
		return f.sim.VoidInvoice(tenant, remoteID)
	case connectors.InvoicePayments, connectors.PurchasePayments:
		return f.sim.DeletePayment(tenant, remoteID)
	}
	return fmt.Errorf("the simulator does not delete %s: %w", t.Label(), errors.ErrUnsupported)
}

const conformancePageSize = 10

// TestConformance runs the shared connector suite against the simulator,
// in strict mode, over a loopback server, signed in through PKCE.
func TestConformance(t *testing.T) {
	def := xero.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "xero",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{
				settings: map[string]string{xero.KeyAuthorised: "true", xero.KeyMultiCurrency: "true"},
				connOpts: []xero.Option{xero.WithPageSize(conformancePageSize)},
				// One lost reply must reach the connector: with connection
				// reuse, Go's transport would itself resend a request that
				// carries an Idempotency-Key (and get the replayed answer).
				noKeepAlive: true,
			})
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:       xero.Capabilities(),
		Definition: &def,
		Sample: conformance.NewSamples(conformance.Codes{
			SalesAccount: "200", PurchaseAccount: "429", TaxCode: "NONE", BankAccount: "090", InvalidAccount: "999",
			JournalDebit: "429", JournalCredit: "814",
		}),
		PageSize: conformancePageSize,
		Normalise: func(r connectors.Record) connectors.Record {
			if r.Payment != nil {
				// Xero payments have one reference field, which carries
				// LedgerLink's payment code.
				r.Payment.Reference = ""
				for i := range r.Payment.Allocations {
					r.Payment.Allocations[i].DocumentRemoteID = ""
				}
			}
			if r.Journal != nil {
				// A Xero manual journal holds no payroll company, pay period
				// or journal code: the engine books them by its mapping.
				r.Journal.Company, r.Journal.Period = "", ""
				r.Journal.Administration, r.Journal.JournalCode = "", ""
			}
			return r
		},
	})
}

var _ http.RoundTripper = (*recorder)(nil)
