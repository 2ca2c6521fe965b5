package xero

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ledgerlink/connectors"
)

// Contact roles.
//
// Xero sets a contact's IsCustomer and IsSupplier only once it has a sales
// invoice or a bill, so a contact LedgerLink has just created has neither
// and cannot be told apart by those flags. LedgerLink therefore records
// the role it gave a contact by putting the contact in one of two contact
// groups, which it creates in the organisation the first time it needs
// them. Contact groups are Xero's own, documented way of classifying
// contacts (GET/PUT /ContactGroups, PUT /ContactGroups/{id}/Contacts):
// they change nothing in the books, unlike the default tax types or
// accounts a contact can carry, and a person can see and change them in
// Xero.
//
// A contact is a customer when Xero flags it IsCustomer or it is in the
// customers group, and a supplier when Xero flags it IsSupplier or it is
// in the suppliers group; it can be both. A contact with neither flag and
// in neither group (for example one just typed into Xero by hand) is
// listed as neither: adding it to one of the groups in Xero, or giving it
// an invoice or a bill, brings it over.
const (
	CustomerGroup = "LedgerLink customers"
	SupplierGroup = "LedgerLink suppliers"
)

// roleGroupName is the group recording role t.
func roleGroupName(t connectors.RecordType) string {
	if t == connectors.Suppliers {
		return SupplierGroup
	}
	return CustomerGroup
}

// roleGroup returns the ID of the group recording role t, creating the
// group when create is set and Xero has none; "" means there is none.
func (c *Conn) roleGroup(ctx context.Context, t connectors.RecordType, create bool) (string, error) {
	name := roleGroupName(t)
	c.mu.Lock()
	id := c.groups[name]
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	if err := c.loadGroups(ctx); err != nil {
		return "", err
	}
	c.mu.Lock()
	id = c.groups[name]
	c.mu.Unlock()
	if id != "" || !create {
		return id, nil
	}
	body, _ := json.Marshal(envelope{ContactGroups: []contactGroup{{Name: name}}})
	var env envelope
	err := c.do(ctx, apiRequest{method: http.MethodPut, path: "/ContactGroups", query: url.Values{"summarizeErrors": {"false"}},
		body: body, idempotencyKey: IdempotencyKey(http.MethodPut, "/ContactGroups", []string{name, c.now().UTC().String()})}, &env)
	if err != nil {
		return "", err
	}
	if len(env.ContactGroups) == 1 && env.ContactGroups[0].ContactGroupID != "" && env.ContactGroups[0].ContactGroupID != zeroID {
		id = env.ContactGroups[0].ContactGroupID
		c.mu.Lock()
		c.groups[name] = id
		c.mu.Unlock()
		return id, nil
	}
	var msgs []string
	for _, g := range env.ContactGroups {
		msgs = append(msgs, messagesOf(g.ValidationErrors)...)
	}
	// Another LedgerLink may have made it meanwhile: look again.
	if err := c.loadGroups(ctx); err == nil {
		c.mu.Lock()
		id = c.groups[name]
		c.mu.Unlock()
		if id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("Xero did not create the contact group %q: %s", name, strings.Join(msgs, "; ")) // words:log: recording roles only logs its failures
}

// loadGroups reads the organisation's active contact groups and remembers
// the IDs of LedgerLink's role groups.
func (c *Conn) loadGroups(ctx context.Context) error {
	var env envelope
	if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/ContactGroups", query: url.Values{"where": {`Status=="ACTIVE"`}}}, &env); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, g := range env.ContactGroups {
		for _, name := range []string{CustomerGroup, SupplierGroup} {
			if strings.EqualFold(strings.TrimSpace(g.Name), name) && g.ContactGroupID != "" {
				c.groups[name] = g.ContactGroupID
			}
		}
	}
	return nil
}

// memberChunk is the most contacts one request adds to a group. Xero
// documents no limit for PUT /ContactGroups/{id}/Contacts, whose elements
// are a ContactID each (UNCONFIRMED: if Xero refused a long request, the
// contacts would still be saved and their role recorded at their next
// update, as for any failure here).
const memberChunk = 500

// recordRoles puts the contacts saved by a write of customers or
// suppliers in the group recording that role. It is best effort: the
// contacts are saved whatever happens here, so a failure is logged, not
// reported against them (the role is recorded again at their next update).
//
// A full batch is usually followed by more of the same, so its contacts
// are gathered and joined to their group together, in one request, when a
// batch that is not full comes, before any other call of the connection
// reads or writes, or at Close.
func (c *Conn) recordRoles(ctx context.Context, t connectors.RecordType, results []connectors.WriteResult, full bool) {
	c.mu.Lock()
	for _, r := range results {
		if r.Err == nil && r.RemoteID != "" && !slices.Contains(c.roleQueue[t], r.RemoteID) {
			c.roleQueue[t] = append(c.roleQueue[t], r.RemoteID)
		}
	}
	waiting := len(c.roleQueue[t])
	c.mu.Unlock()
	if !full || waiting >= memberChunk {
		c.flushRoles(ctx)
	}
}

// flushRoles joins the gathered contacts to their role groups.
func (c *Conn) flushRoles(ctx context.Context) {
	c.mu.Lock()
	queue := c.roleQueue
	c.roleQueue = map[connectors.RecordType][]string{}
	c.mu.Unlock()
	for _, t := range []connectors.RecordType{connectors.Customers, connectors.Suppliers} {
		ids := queue[t]
		if len(ids) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			c.log.Warn("xero: the contacts were saved but the run stopped before their role was recorded in their contact group; it is recorded at their next update",
				"type", t, "group", roleGroupName(t), "contacts", len(ids))
			continue
		}
		err := c.addToGroup(ctx, t, ids)
		var rl *connectors.RateLimitError
		if (errors.As(err, &rl) || errors.Is(err, connectors.ErrTemporary)) && ctx.Err() == nil {
			// Tried again at the connection's next call, or at Close.
			c.requeueRoles(t, ids)
			c.log.Info("xero: recording the contacts' role in their contact group waits for Xero", "type", t, "contacts", len(ids), "err", err)
			continue
		}
		if err != nil {
			c.log.Warn("xero: the contacts were saved but their role could not be recorded in their contact group; it is recorded at their next update",
				"type", t, "group", roleGroupName(t), "contacts", len(ids), "err", err)
		}
	}
}

// requeueRoles puts contacts back in the queue of role t.
func (c *Conn) requeueRoles(t connectors.RecordType, ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if !slices.Contains(c.roleQueue[t], id) {
			c.roleQueue[t] = append(c.roleQueue[t], id)
		}
	}
}

func (c *Conn) addToGroup(ctx context.Context, t connectors.RecordType, ids []string) error {
	group, err := c.roleGroup(ctx, t, true)
	if err != nil {
		return err
	}
	els := make([]element, len(ids))
	for i, id := range ids {
		b, _ := json.Marshal(contact{ContactID: id})
		els[i] = element{index: i, json: b}
	}
	path := "/ContactGroups/" + url.PathEscape(group) + "/Contacts"
	for _, chunk := range c.chunksOf(resContacts, els, memberChunk) {
		keys := []string{group}
		for _, el := range chunk {
			keys = append(keys, ids[el.index])
		}
		err = c.do(ctx, apiRequest{method: http.MethodPut, path: path, query: url.Values{"summarizeErrors": {"false"}}, body: writeBody(resContacts, chunk),
			idempotencyKey: IdempotencyKey(http.MethodPut, "/ContactGroups/Contacts", keys)}, nil)
		if errors.Is(err, connectors.ErrNotFound) {
			// The group was deleted in Xero since it was looked up.
			c.mu.Lock()
			delete(c.groups, roleGroupName(t))
			c.mu.Unlock()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// roleMembers returns the IDs of the contacts in the group recording role
// t (none when the group does not exist).
func (c *Conn) roleMembers(ctx context.Context, t connectors.RecordType) (map[string]bool, error) {
	group, err := c.roleGroup(ctx, t, false)
	if err != nil || group == "" {
		return map[string]bool{}, err
	}
	var env envelope
	err = c.do(ctx, apiRequest{method: http.MethodGet, path: "/ContactGroups/" + url.PathEscape(group)}, &env)
	if errors.Is(err, connectors.ErrNotFound) {
		c.mu.Lock()
		delete(c.groups, roleGroupName(t))
		c.mu.Unlock()
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, g := range env.ContactGroups {
		for _, m := range g.Contacts {
			out[strings.ToLower(m.ContactID)] = true
		}
	}
	return out, nil
}

// roleFilter keeps, of a page of contacts, those that have role t. The
// group's members are read once, and only when a contact on the page is
// not flagged by Xero itself.
type roleFilter struct {
	c       *Conn
	t       connectors.RecordType
	members map[string]bool
}

func (f *roleFilter) keep(ctx context.Context, env envelope, rs []connectors.Remote) ([]connectors.Remote, error) {
	flagged := map[string]bool{}
	for _, ct := range env.Contacts {
		if (f.t == connectors.Customers && ct.IsCustomer) || (f.t == connectors.Suppliers && ct.IsSupplier) {
			flagged[strings.ToLower(ct.ContactID)] = true
		}
	}
	out := rs[:0]
	for _, r := range rs {
		id := strings.ToLower(r.RemoteID)
		if !flagged[id] {
			if f.members == nil {
				m, err := f.c.roleMembers(ctx, f.t)
				if err != nil {
					return nil, err
				}
				f.members = m
			}
			if !f.members[id] {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}
