package unicontasim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// notification is one call to a modification URL waiting to be made.
type notification struct {
	company int
	eventID int
	url     string
	arg     string
	usePost bool
	table   string
	key     string
	rowID   int
	op      string
	record  row
}

var tableNames = map[int]string{TableDebtor: "Debtor", TableCreditor: "Creditor", TableItem: "InvItem"}

// noteChangeLocked queues the calls Uniconta makes for a change of a
// master-data row; s.mu is held. A row with HasError or Disable ticked
// gets nothing: while "Has errors" is ticked nothing is delivered.
func (s *Sim) noteChangeLocked(c *company, t *table, r row, op string) {
	if t.TableID == 0 {
		return
	}
	for _, ev := range c.Tables["TableChangeEventClient"] {
		id := toInt(ev["TableId"])
		if id != 0 && id != t.TableID {
			continue
		}
		if ev["HasError"] == true || ev["Disable"] == true || (ev["OnlyOnCreate"] == true && op != "Insert") {
			continue
		}
		s.pending = append(s.pending, notification{company: c.ID, eventID: toInt(ev["RowId"]), url: str(ev["Url"]),
			arg: str(ev["Argument"]), usePost: toInt(ev["UsePost"]) == 1, table: tableNames[t.TableID],
			key: fmt.Sprint(r[t.Key]), rowID: toInt(r["RowId"]), op: op, record: maps(r)})
	}
}

// AddChangeURL registers a modification URL in a company, as a person
// does under Company → Maintenance → Modification URL, for one table
// (0 = every master-data table). It returns the row's RowId.
func (s *Sim) AddChangeURL(companyID int, address string, tableID int, usePost bool) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Companies[companyID]
	if c == nil {
		return 0, fmt.Errorf("no company %d", companyID)
	}
	post := 0
	if usePost {
		post = 1
	}
	r := s.insertLocked(c, "TableChangeEventClient", s.tables["TableChangeEventClient"],
		row{"Url": address, "TableId": intNum(tableID), "UsePost": intNum(post), "HasError": false})
	return toInt(r["RowId"]), s.saveLocked()
}

// ChangeURL reports a modification URL row's HasError and ErrorMessage.
func (s *Sim) ChangeURL(companyID, rowID int) (hasError bool, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.st.Companies[companyID]; c != nil {
		if _, r := findByRowID(c.Tables["TableChangeEventClient"], rowID); r != nil {
			return r["HasError"] == true, str(r["ErrorMessage"])
		}
	}
	return false, ""
}

// PendingNotifications is how many calls wait to be made.
func (s *Sim) PendingNotifications() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// FlushNotifications makes the waiting calls: GET with CompanyId, Table,
// Key, RowId and Operation as query parameters (and the row's Argument),
// or POST with the record as JSON when the row's Post (UsePost) is ticked.
// After FailuresBeforeHasError failed calls in a row the row gets
// HasError ticked with the last failure in ErrorMessage.
func (s *Sim) FlushNotifications(ctx context.Context) int {
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()
	delivered := 0
	for _, n := range batch {
		if s.flagged(n) {
			continue
		}
		err := s.deliver(ctx, n)
		s.mu.Lock()
		c := s.st.Companies[n.company]
		_, ev := findByRowID(c.Tables["TableChangeEventClient"], n.eventID)
		if ev != nil {
			key := strconv.Itoa(n.eventID)
			if err == nil {
				delivered++
				c.Failures[key] = 0
				ev["LastEvent"] = stamp(s.now())
			} else {
				c.Failures[key]++
				if c.Failures[key] >= FailuresBeforeHasError {
					ev["HasError"] = true
					ev["ErrorMessage"] = err.Error()
				}
			}
			s.saveLocked()
		}
		s.mu.Unlock()
	}
	return delivered
}

func (s *Sim) flagged(n notification) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Companies[n.company]
	_, ev := findByRowID(c.Tables["TableChangeEventClient"], n.eventID)
	return ev == nil || ev["HasError"] == true
}

func (s *Sim) deliver(ctx context.Context, n notification) error {
	u, err := url.Parse(n.url)
	if err != nil {
		return fmt.Errorf("the address %q is not valid", n.url)
	}
	q := u.Query()
	q.Set("CompanyId", strconv.Itoa(n.company))
	q.Set("Table", n.table)
	q.Set("Key", n.key)
	q.Set("RowId", strconv.Itoa(n.rowID))
	q.Set("Operation", n.op)
	if n.arg != "" {
		q.Set("Argument", n.arg)
	}
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var req *http.Request
	if n.usePost {
		b, _ := json.Marshal(n.record)
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	if err != nil {
		return err
	}
	resp, err := s.notifyClient.Do(req)
	if err != nil {
		return fmt.Errorf("calling %s failed: %s", n.url, strings.TrimSpace(err.Error()))
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("calling %s answered %d %s", n.url, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return nil
}

// RunNotifier makes the waiting calls every interval until ctx ends (for
// a simulator served on an address).
func (s *Sim) RunNotifier(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.FlushNotifications(ctx)
		}
	}
}

// EditInUniconta changes properties of a master-data row as a person
// typing in Uniconta would (entity "DebtorClient", key its Account), and
// queues the modification-URL calls.
func (s *Sim) EditInUniconta(companyID int, entity, key string, changes map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.Companies[companyID]
	t := s.tables[entity]
	if c == nil || t == nil {
		return fmt.Errorf("no company %d or table %s", companyID, entity)
	}
	r := findRow(c.Tables[entity], t.Key, key)
	if r == nil {
		return fmt.Errorf("%s %s not found", entity, key)
	}
	for k, v := range changes {
		switch x := v.(type) {
		case int:
			r[k] = intNum(x)
		case float64:
			r[k] = json.Number(strconv.FormatFloat(x, 'f', -1, 64))
		default:
			r[k] = v
		}
	}
	if _, ok := t.Fields["UpdatedAt"]; ok {
		r["UpdatedAt"] = stamp(s.now())
	}
	s.noteChangeLocked(c, t, r, "Update")
	return s.saveLocked()
}
