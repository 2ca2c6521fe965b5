package uniconta

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ChangeLink is LedgerLink's modification URL row in Uniconta
// (TableChangeEventClient).
type ChangeLink struct {
	RowID        int64
	URL          string
	HasError     bool
	ErrorMessage string
	LastEvent    time.Time
	// Registered is false when Uniconta holds no row for the address.
	Registered bool
}

type wireChangeEvent struct {
	RowID        int64   `json:"RowId"`
	TableID      int     `json:"TableId"`
	URL          string  `json:"Url"`
	HasError     bool    `json:"HasError"`
	ErrorMessage string  `json:"ErrorMessage"`
	LastEvent    *ucDate `json:"LastEvent"`
}

// ChangeLink reads the row of the module's modification URL.
func (c *Conn) ChangeLink(ctx context.Context) (ChangeLink, error) {
	want := strings.TrimRight(strings.ToLower(c.settings.notifyURL), "/")
	link := ChangeLink{URL: c.settings.notifyURL}
	if want == "" {
		return link, nil
	}
	var rows []wireChangeEvent
	if err := c.query(ctx, "TableChangeEventClient", nil, &rows); err != nil {
		return link, err
	}
	for _, r := range rows {
		got := strings.TrimRight(strings.ToLower(r.URL), "/")
		// Uniconta may hold the address with its own query added.
		if got == want || strings.HasPrefix(got, want+"?") {
			link = ChangeLink{RowID: r.RowID, URL: r.URL, HasError: r.HasError, ErrorMessage: r.ErrorMessage, Registered: true}
			if r.LastEvent != nil {
				link.LastEvent = r.LastEvent.Time
			}
			return link, nil
		}
	}
	return link, nil
}

// RefreshChangeLink clears "Has errors" on the module's modification URL
// through the API (HasError is writable), which is what Refresh (Opdater)
// does on Uniconta's page; Uniconta then calls the address again.
func (c *Conn) RefreshChangeLink(ctx context.Context) error {
	link, err := c.ChangeLink(ctx)
	if err != nil || !link.Registered || !link.HasError {
		return err
	}
	return c.call(ctx, http.MethodPut, "/Crud/Update/TableChangeEventClient",
		map[string]any{"RowId": link.RowID, "Url": link.URL, "HasError": false}, nil)
}

// Change is one modification-URL call from Uniconta.
type Change struct {
	Table     string // "Debtor", "Creditor", "InvItem"
	Key       string // the debtor's account, the item's number
	RowID     string
	Operation string // Insert, Update, Delete
}

// Receiver serves Uniconta's modification-URL calls. The path must end in
// the secret; the company must be the module's. Calls are collected, one
// per record (a burst of calls for one debtor is one change), until the
// engine takes them with Take: it syncs the changed records once the calls
// have been quiet for a moment, never a full run per call.
type Receiver struct {
	secret  string
	company int
	now     func() time.Time

	mu      sync.Mutex
	pending map[string]Change
	order   []string
	last    time.Time
	calls   int
}

// NewReceiver makes a receiver for one company. now is its clock.
func NewReceiver(secret string, companyID int, now func() time.Time) *Receiver {
	if now == nil {
		now = time.Now
	}
	return &Receiver{secret: secret, company: companyID, now: now, pending: map[string]Change{}}
}

func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	seg := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	if r.secret == "" || subtle.ConstantTimeCompare([]byte(seg), []byte(r.secret)) != 1 {
		http.NotFound(w, req)
		return
	}
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	q := req.URL.Query()
	pick := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(q.Get(n)); v != "" {
				return v
			}
		}
		return ""
	}
	company, _ := strconv.Atoi(pick("CompanyId", "companyId"))
	ch := Change{Table: pick("Table", "table"), Key: pick("Key", "key"), RowID: pick("RowId", "rowId"), Operation: pick("Operation", "Action", "operation")}
	if req.Method == http.MethodPost && ch.Key == "" {
		var body map[string]any
		if json.NewDecoder(http.MaxBytesReader(w, req.Body, 1<<20)).Decode(&body) == nil {
			if a, ok := body["Account"].(string); ok {
				ch.Key = a
			} else if it, ok := body["Item"].(string); ok {
				ch.Key = it
			}
		}
	}
	if company != r.company {
		http.Error(w, "this address serves another Uniconta company", http.StatusForbidden)
		return
	}
	switch strings.ToLower(ch.Table) {
	case "debtor", "creditor", "invitem":
	default:
		// Answer success so that Uniconta does not mark the link: the
		// table is simply not one LedgerLink keeps.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	r.mu.Lock()
	k := strings.ToLower(ch.Table + "/" + ch.Key + "/" + ch.RowID)
	if _, ok := r.pending[k]; !ok {
		r.order = append(r.order, k)
	}
	r.pending[k] = ch
	r.last = r.now()
	r.calls++
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// Take returns the changes collected, once no call has come for quiet,
// and forgets them; before that it returns nothing.
func (r *Receiver) Take(quiet time.Duration) []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.order) == 0 || r.now().Sub(r.last) < quiet {
		return nil
	}
	out := make([]Change, 0, len(r.order))
	for _, k := range r.order {
		out = append(out, r.pending[k])
	}
	r.pending, r.order = map[string]Change{}, nil
	return out
}

// Arrived says how many calls came and when the last one did (for the
// Account tab's "a call has arrived").
func (r *Receiver) Arrived() (int, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, r.last
}
