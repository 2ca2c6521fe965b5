// Package cashsim simulates Cash Web's REST API 4.0 as the public material
// describes it (paths, the administrations list, exports keyed by record
// number with F-fields, POST /import of record 301 lines, asynchronous
// transactions, and the error bodies), for the CASH connector's tests, the
// Sandbox and `ledgerlink simulate cash`. It is read from the documents on
// its own and shares no types with the connector.
package cashsim

// Journal is a dagboek (record 0901).
type Journal struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Kind is F0903: M memoriaal, V verkoop, I inkoop, B bank, K kas.
	Kind string `json:"kind"`
}

// Account is a grootboekrekening (record 0201).
type Account struct {
	Number string `json:"number"`
	Name   string `json:"name"`
	// Kind is F0204: B balans, W winst en verlies.
	Kind string `json:"kind"`
}

// CostCentre is a kostenplaats (record 0911).
type CostCentre struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Blocked bool   `json:"blocked,omitempty"`
}

// Administration is one CASH administration with its books.
type Administration struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	ReadOnly bool   `json:"read_only,omitempty"`

	Journals    []Journal    `json:"journals"`
	Accounts    []Account    `json:"accounts"`
	CostCentres []CostCentre `json:"cost_centres"`
	// ClosedPeriods are booking periods (JJPP) no longer open.
	ClosedPeriods []string `json:"closed_periods,omitempty"`
	// PendingPolls is how an import is processed: 0 at once (201); n > 0
	// answered 202 and processed at the n-th poll of its transaction; -1
	// never, as when the API user is no user of the administration (the
	// seed's rights problem).
	PendingPolls int `json:"pending_polls"`

	// Lines are the booked record 301 lines, field number → value.
	Lines []Line `json:"lines,omitempty"`
}

// Line is one record 301 line, kept as CASH's F-fields ("F0201" → "477").
type Line map[string]string

// User is an API user: a key and the administrations linked to it.
type User struct {
	Key    string   `json:"key"`
	Name   string   `json:"name"`
	Admins []string `json:"admins"`
}

// transaction is an import waiting to be processed.
type transaction struct {
	ID        string   `json:"id"`
	Admin     string   `json:"admin"`
	Lines     []Line   `json:"lines"`
	PollsLeft int      `json:"polls_left"` // -1: never
	Status    string   `json:"status"`     // Pending, Success, Error
	Errors    []string `json:"errors,omitempty"`
}

// state is everything the simulator keeps (and saves to its state file).
type state struct {
	Relation     string                  `json:"relation"`
	Users        []User                  `json:"users"`
	Admins       []*Administration       `json:"administrations"`
	Transactions map[string]*transaction `json:"transactions"`
	Seq          int                     `json:"seq"`
}

func (st *state) admin(code string) *Administration {
	for _, a := range st.Admins {
		if a.Code == code {
			return a
		}
	}
	return nil
}

func (st *state) user(key string) *User {
	for i := range st.Users {
		if st.Users[i].Key == key {
			return &st.Users[i]
		}
	}
	return nil
}
