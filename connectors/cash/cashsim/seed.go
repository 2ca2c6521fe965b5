package cashsim

// Keys the seed's API users sign in with.
const (
	// SandboxKey reaches both sample administrations.
	SandboxKey = "sandbox-cashweb-api-key"
	// UnlinkedKey belongs to an API user with no administration linked:
	// every call answers 1002 Unauthorized Access.
	UnlinkedKey = "sandbox-key-without-administration"
)

// Sample administrations.
const (
	// SampleAdmin books Harbour Lane Coffee Roasters' payroll (company HLCR).
	SampleAdmin = "HLCR"
	// NoRightsAdmin is linked to the API user, but the user is no user of
	// it: its imports stay pending (the seed's rights problem).
	NoRightsAdmin = "HLCR2"
	// SampleJournal is the payroll (memoriaal) journal of both.
	SampleJournal = "LON"
)

func sampleBooks(code, name string, pending int) *Administration {
	return &Administration{
		Code: code, Name: name, PendingPolls: pending,
		Journals: []Journal{
			{Code: "MEM", Name: "Memoriaal", Kind: "M"},
			{Code: SampleJournal, Name: "Lonen en salarissen", Kind: "M"},
			{Code: "VRK", Name: "Verkoopboek", Kind: "V"},
			{Code: "BNK", Name: "Bank", Kind: "B"},
		},
		Accounts: []Account{
			{Number: "090", Name: "Bank", Kind: "B"},
			{Number: "200", Name: "Omzet", Kind: "W"},
			{Number: "260", Name: "Overige opbrengsten", Kind: "W"},
			{Number: "300", Name: "Inkopen", Kind: "W"},
			{Number: "400", Name: "Reclame en marketing", Kind: "W"},
			{Number: "429", Name: "Algemene kosten", Kind: "W"},
			{Number: "477", Name: "Salarissen en lonen", Kind: "W"},
			{Number: "478", Name: "Werkgeverslasten sociale verz.", Kind: "W"},
			{Number: "479", Name: "Pensioenpremie werkgever", Kind: "W"},
			{Number: "814", Name: "Netto lonen te betalen", Kind: "B"},
			{Number: "825", Name: "Loonheffing te betalen", Kind: "B"},
			{Number: "826", Name: "Pensioenpremie te betalen", Kind: "B"},
		},
		CostCentres: []CostCentre{
			{Code: "SHP", Name: "Winkel (SHOP)"},
			{Code: "RST", Name: "Branderij (ROAST)"},
			{Code: "WHS", Name: "Groothandel (WHOLESALE)"},
			{Code: "TRN", Name: "Trainingen (TRAINING)"},
		},
	}
}

// seed is the Sandbox's starting state: a relation with two
// administrations, one whose imports are processed after one poll and one
// whose imports never are.
func seed() *state {
	return &state{
		Relation: "Harbour Lane Accountants",
		Users: []User{
			{Key: SandboxKey, Name: "LedgerLink API", Admins: []string{SampleAdmin, NoRightsAdmin}},
			{Key: UnlinkedKey, Name: "API zonder administratie"},
		},
		Admins: []*Administration{
			sampleBooks(SampleAdmin, "Harbour Lane Coffee Roasters BV", 1),
			sampleBooks(NoRightsAdmin, "Harbour Lane Coffee Roasters BV (geen rechten)", -1),
		},
		Transactions: map[string]*transaction{},
	}
}
