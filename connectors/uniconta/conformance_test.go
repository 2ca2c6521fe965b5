package uniconta_test

import (
	"testing"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/conformance"
	"ledgerlink/connectors/uniconta"
	"ledgerlink/connectors/uniconta/unicontasim"
)

type simFaults struct {
	sim   *unicontasim.Sim
	clock *clock
}

func (f simFaults) RateLimitNext(d time.Duration) { f.sim.RateLimitNext(1, d) }
func (f simFaults) LoseNextReply()                { f.sim.DropNextReplies(1) }
func (f simFaults) Advance(d time.Duration)       { f.clock.Advance(d) }

const conformancePageSize = 10

// conformanceNormalise drops what Uniconta does not keep: a payment's
// reference (its lines' one text field carries the invoice's number), and a
// journal's payroll company, description and journal code (a posted ledger
// row keeps a text per line only).
func conformanceNormalise(r connectors.Record) connectors.Record {
	if r.Payment != nil {
		r.Payment.Reference = ""
		for i := range r.Payment.Allocations {
			r.Payment.Allocations[i].DocumentRemoteID = ""
		}
	}
	if r.Journal != nil {
		r.Journal.Company, r.Journal.Description = "", ""
		r.Journal.Administration, r.Journal.JournalCode = "", ""
	}
	return r
}

// TestConformance runs the shared connector suite against the simulator in
// strict mode over a loopback server.
func TestConformance(t *testing.T) {
	def := uniconta.Definition()
	conformance.Run(t, conformance.Harness{
		Name: "uniconta",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{pageSize: conformancePageSize})
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:       uniconta.Capabilities(),
		Definition: &def,
		Sample: conformance.NewSamples(conformance.Codes{
			SalesAccount: "200", PurchaseAccount: "300", TaxCode: "OUTPUT2", BankAccount: "090", InvalidAccount: "999",
			JournalDebit: "477", JournalCredit: "814",
		}),
		PageSize:  conformancePageSize,
		Normalise: conformanceNormalise,
	})
}

// TestConformanceTaggedWithCustomFields runs the suite again with a
// customer tag and a custom field chosen: customers then travel as
// DebtorClientUser with the tag in their CRM group.
func TestConformanceTaggedWithCustomFields(t *testing.T) {
	settings := map[string]string{uniconta.KeyCustomerTag: "Uniconta", uniconta.KeyCustomFields: "LoyaltyTier"}
	sample := conformance.NewSamples(conformance.Codes{
		SalesAccount: "200", PurchaseAccount: "300", TaxCode: "OUTPUT2", BankAccount: "090", InvalidAccount: "999",
		JournalDebit: "477", JournalCredit: "814",
	})
	plain := sample.Customer
	sample.Customer = func() connectors.Record {
		r := plain()
		r.Party.Tags = []string{"Uniconta"}
		r.Party.CustomFields = map[string]string{"LoyaltyTier": "Gold"}
		return r
	}
	conformance.Run(t, conformance.Harness{
		Name: "uniconta (tagged, custom fields)",
		Open: func(t *testing.T) (connectors.Connection, conformance.Faults) {
			h := newHarness(t, harnessOpt{pageSize: conformancePageSize, settings: settings})
			return h.conn, simFaults{sim: h.sim, clock: h.clock}
		},
		Caps:      uniconta.Capabilities(),
		Sample:    sample,
		PageSize:  conformancePageSize,
		Normalise: conformanceNormalise,
	})
}
