package sync

import (
	"context"
	"slices"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// Proposal is one mapping Apply Default Setup makes.
type Proposal struct {
	Kind   MappingKind `json:"kind"`
	Local  string      `json:"local"`
	Remote string      `json:"remote"`
}

// Key is the proposal's setting key, for Modules.Apply.
func (p Proposal) Key() string { return MappingKey(p.Kind, p.Local) }

// CodeUse says which local nominal codes appear on sales documents and
// which on purchase documents.
type CodeUse struct {
	Sales, Purchase map[string]bool
}

// ProposeDefaults is the one rule of Apply Default Setup, for the window and
// the command line alike. For each unmapped local code, in order:
//   - the package's usable code of the same name (case aside);
//   - a nominal code used on sales documents: the first revenue account,
//     preferring one whose name mentions sales; on purchase documents, the
//     first expense account, preferring one that mentions purchases;
//   - a bank account, when the package holds exactly one.
//
// Codes already mapped are never in unmapped and so never changed.
func ProposeDefaults(unmapped map[MappingKind][]string, choices []RemoteChoice, use CodeUse) []Proposal {
	usable := map[MappingKind][]RemoteChoice{}
	for _, c := range choices {
		if c.Unusable == "" {
			usable[c.Kind] = append(usable[c.Kind], c)
		}
	}
	for k := range usable {
		slices.SortFunc(usable[k], func(a, b RemoteChoice) int { return strings.Compare(a.Code, b.Code) })
	}
	first := func(class connectors.AccountClass, word string) string {
		found := ""
		for _, c := range usable[MapNominal] {
			if c.Class != class {
				continue
			}
			if strings.Contains(strings.ToLower(c.Name), word) {
				return c.Code
			}
			if found == "" {
				found = c.Code
			}
		}
		return found
	}
	sales, purchases := first(connectors.ClassRevenue, "sales"), first(connectors.ClassExpense, "purchase")
	var out []Proposal
	for _, k := range []MappingKind{MapNominal, MapTax, MapBank} {
		for _, local := range slices.Sorted(slices.Values(unmapped[k])) {
			remote := ""
			if i := slices.IndexFunc(usable[k], func(c RemoteChoice) bool { return strings.EqualFold(c.Code, local) }); i >= 0 {
				remote = usable[k][i].Code
			} else {
				switch {
				case k == MapNominal && use.Sales[local]:
					remote = sales
				case k == MapNominal && use.Purchase[local]:
					remote = purchases
				case k == MapBank && len(usable[MapBank]) == 1:
					remote = usable[MapBank][0].Code
				}
			}
			if remote != "" {
				out = append(out, Proposal{Kind: k, Local: local, Remote: remote})
			}
		}
	}
	return out
}

// codeUse reads which nominal codes the workspace's documents use on the
// sales side and which on the purchase side.
func (e *Engine) codeUse(ctx context.Context) (CodeUse, error) {
	use := CodeUse{Sales: map[string]bool{}, Purchase: map[string]bool{}}
	for _, t := range []connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes, connectors.PurchaseInvoices} {
		err := e.db.ListRecords(ctx, t, func(s storage.StoredRecord) error {
			d := s.Record.Document
			if d == nil {
				return nil
			}
			into := use.Sales
			if t == connectors.PurchaseInvoices || d.Purchase {
				into = use.Purchase
			}
			for _, l := range d.Lines {
				if c := strings.TrimSpace(l.NominalCode); c != "" {
					into[c] = true
				}
			}
			return nil
		})
		if err != nil {
			return CodeUse{}, err
		}
	}
	return use, nil
}
