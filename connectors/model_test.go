package connectors

import (
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
)

func TestCloneSharesNothing(t *testing.T) {
	tests := []Record{
		{Type: Customers, Party: &Party{Code: "C1", Tags: []string{"vip"}, CustomFields: map[string]string{"tier": "gold"}}},
		{Type: SalesInvoices, Document: &Document{Code: "I1", Lines: []Line{{Description: "x", Quantity: decimal.NewFromInt(1)}},
			Allocations: []Allocation{{DocumentCode: "I0"}}}},
		{Type: InvoicePayments, Payment: &Payment{Code: "P1", Allocations: []Allocation{{DocumentCode: "I1"}}}},
		{Type: Journals, Journal: &JournalEntry{Code: "J1", Lines: []JournalLine{{NominalCode: "400"}}}},
		{Type: NominalAccounts, Account: &NominalAccount{Code: "200"}},
		{Type: TaxRates, TaxRate: &TaxRate{Code: "T1"}},
		{Type: Items, Item: &Item{Code: "W"}},
		{Type: BankAccounts, BankAccount: &BankAccount{Code: "090"}},
		{Type: PaymentMethods, PaymentMethod: &PaymentMethod{Code: "CARD"}},
	}
	for _, orig := range tests {
		t.Run(string(orig.Type), func(t *testing.T) {
			c := orig.Clone()
			if !reflect.DeepEqual(c, orig) {
				t.Fatalf("clone differs: %+v vs %+v", c, orig)
			}
			// Edit everything the copy holds; the original must not move.
			want := orig.Code()
			switch {
			case c.Party != nil:
				c.Party.Code, c.Party.Tags[0], c.Party.CustomFields["tier"] = "X", "x", "x"
				if orig.Party.Tags[0] != "vip" || orig.Party.CustomFields["tier"] != "gold" {
					t.Error("tags or custom fields are shared")
				}
			case c.Document != nil:
				c.Document.Code, c.Document.Lines[0].Description, c.Document.Allocations[0].DocumentCode = "X", "y", "y"
				if orig.Document.Lines[0].Description != "x" || orig.Document.Allocations[0].DocumentCode != "I0" {
					t.Error("lines or allocations are shared")
				}
			case c.Payment != nil:
				c.Payment.Code, c.Payment.Allocations[0].DocumentCode = "X", "y"
				if orig.Payment.Allocations[0].DocumentCode != "I1" {
					t.Error("allocations are shared")
				}
			case c.Journal != nil:
				c.Journal.Code, c.Journal.Lines[0].NominalCode = "X", "y"
				if orig.Journal.Lines[0].NominalCode != "400" {
					t.Error("journal lines are shared")
				}
			case c.Account != nil:
				c.Account.Code = "X"
			case c.TaxRate != nil:
				c.TaxRate.Code = "X"
			case c.Item != nil:
				c.Item.Code = "X"
			case c.BankAccount != nil:
				c.BankAccount.Code = "X"
			case c.PaymentMethod != nil:
				c.PaymentMethod.Code = "X"
			}
			if orig.Code() != want {
				t.Errorf("editing the clone changed the original's code to %q", orig.Code())
			}
		})
	}
}
