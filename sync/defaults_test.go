package sync

import (
	"reflect"
	"testing"

	"ledgerlink/connectors"
)

func TestProposeDefaults(t *testing.T) {
	chart := []RemoteChoice{
		{Kind: MapNominal, Code: "200", Name: "Sales", Class: connectors.ClassRevenue},
		{Kind: MapNominal, Code: "260", Name: "Other Revenue", Class: connectors.ClassRevenue},
		{Kind: MapNominal, Code: "300", Name: "Purchases", Class: connectors.ClassExpense},
		{Kind: MapNominal, Code: "310", Name: "Cost of Goods Sold", Class: connectors.ClassExpense, Unusable: "a cost-of-sale account"},
		{Kind: MapNominal, Code: "630", Name: "Inventory", Unusable: "a stock account"},
		{Kind: MapTax, Code: "OUTPUT2", Name: "20% (VAT on Income)"},
		{Kind: MapBank, Code: "090", Name: "Business Bank Account"},
	}
	use := CodeUse{Sales: map[string]bool{"4000": true}, Purchase: map[string]bool{"5000": true}}
	tests := []struct {
		name     string
		unmapped map[MappingKind][]string
		choices  []RemoteChoice
		want     []Proposal
	}{
		{"same name first, case aside", map[MappingKind][]string{MapNominal: {"200"}, MapTax: {"output2"}},
			chart, []Proposal{{MapNominal, "200", "200"}, {MapTax, "output2", "OUTPUT2"}}},
		{"sales and purchase codes to the default accounts", map[MappingKind][]string{MapNominal: {"5000", "4000"}},
			chart, []Proposal{{MapNominal, "4000", "200"}, {MapNominal, "5000", "300"}}},
		{"never to a stock or cost-of-sale account of the same name", map[MappingKind][]string{MapNominal: {"630", "310"}},
			chart, nil},
		{"the one bank account takes every bank code", map[MappingKind][]string{MapBank: {"B1", "B2"}},
			chart, []Proposal{{MapBank, "B1", "090"}, {MapBank, "B2", "090"}}},
		{"two bank accounts: no guess", map[MappingKind][]string{MapBank: {"B1"}},
			append(chart, RemoteChoice{Kind: MapBank, Code: "091", Name: "Savings"}), nil},
		{"a code used nowhere and named nowhere stays unmapped", map[MappingKind][]string{MapNominal: {"9999"}, MapTax: {"ZZ"}},
			chart, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ProposeDefaults(tc.unmapped, tc.choices, use)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ProposeDefaults = %+v, want %+v", got, tc.want)
			}
		})
	}
}
