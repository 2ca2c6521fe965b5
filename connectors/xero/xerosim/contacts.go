package xerosim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

const zeroID = "00000000-0000-0000-0000-000000000000"

func (t *tenant) contactByID(id string) *Contact {
	return findFold(t.Contacts, func(x *Contact) string { return x.ContactID }, id)
}

func (t *tenant) contactByNumber(n string) *Contact {
	for _, c := range t.Contacts {
		if c.ContactNumber != "" && strings.EqualFold(c.ContactNumber, n) {
			return c
		}
	}
	return nil
}

func (t *tenant) activeContactByName(name string) *Contact {
	for _, c := range t.Contacts {
		if c.ContactStatus == "ACTIVE" && strings.EqualFold(strings.TrimSpace(c.Name), strings.TrimSpace(name)) {
			return c
		}
	}
	return nil
}

func (s *Sim) listContacts(c *apiCall) answer {
	recs := c.t.Contacts
	if ids := idsParam(c.query, "IDs"); ids != nil {
		recs = filter(recs, func(x *Contact) bool { return containsFold(ids, x.ContactID) })
	}
	if c.query.Get("includeArchived") != "true" {
		recs = filter(recs, func(x *Contact) bool { return x.ContactStatus != "ARCHIVED" })
	}
	recs, bad := filterRecords(c, recs, func(x *Contact) string { return x.UpdatedDateUTC })
	if bad != nil {
		return *bad
	}
	pg, pagination, _, bad := page(c, recs, true)
	if bad != nil {
		return *bad
	}
	extra := map[string]any{}
	if pagination != nil {
		extra["pagination"] = pagination
	}
	return jsonAnswer(http.StatusOK, s.envelope("Contacts", pg, extra))
}

func (s *Sim) getContact(c *apiCall) answer {
	x := c.t.contactByID(c.id)
	if x == nil {
		x = c.t.contactByNumber(c.id)
	}
	if x == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("Contacts", []*Contact{x}, nil))
}

func filter[T any](recs []*T, keep func(*T) bool) []*T {
	out := make([]*T, 0, len(recs))
	for _, r := range recs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// writeContacts is PUT (create) and POST (update or create) /Contacts.
func (s *Sim) writeContacts(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[Contact]{
		key:        "Contacts",
		schema:     contactSchema,
		keepSentID: true,
		id:         func(x *Contact) *string { return &x.ContactID },
		byID:       (*tenant).contactByID,
		notFound:   "An existing Contact with the specified ContactID could not be found",
		byKey: func(t *tenant, x *Contact) *Contact {
			if x.ContactNumber != "" {
				return t.contactByNumber(x.ContactNumber)
			}
			return nil
		},
		refuse: func(x *Contact, errs []ValidationError) {
			x.HasValidationErrors, x.ValidationErrors, x.StatusAttributeString = true, errs, "ERROR"
		},
		save: s.saveContact,
	})
}

// saveContact checks a contact (merged over stored, nil for a new one) and
// stores it, returning the contact to echo or the reasons it is refused.
func (s *Sim) saveContact(c *apiCall, in *Contact, raw map[string]any, stored *Contact, now time.Time) (*Contact, []string, error) {
	next, err := mergeOver(in, stored, raw)
	if err != nil {
		return nil, nil, err
	}
	if errs := c.t.validateContact(next, stored); len(errs) > 0 {
		return nil, errs, nil
	}
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.HasValidationErrors = nil, false
	if stored != nil {
		next.ContactID, next.IsCustomer, next.IsSupplier = stored.ContactID, stored.IsCustomer, stored.IsSupplier
		*stored = *next
	} else {
		next.ContactID = newID()
		if next.ContactStatus == "" {
			next.ContactStatus = "ACTIVE"
		}
		next.IsCustomer, next.IsSupplier = false, false
		c.t.Contacts = append(c.t.Contacts, next)
		stored = next
	}
	echo := *stored
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// validateContact applies Xero's rules to a contact about to be saved;
// stored is the contact it replaces (nil for a new one).
func (t *tenant) validateContact(c *Contact, stored *Contact) []string {
	var errs []string
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, "The contact name must be specified.")
	}
	if c.ContactStatus != "ARCHIVED" && strings.TrimSpace(c.Name) != "" {
		if other := t.activeContactByName(c.Name); other != nil && other != stored {
			errs = append(errs, fmt.Sprintf("The contact name %s is already assigned to another contact. The contact name must be unique across all active contacts.", c.Name))
		}
	}
	if c.ContactNumber != "" {
		if other := t.contactByNumber(c.ContactNumber); other != nil && other != stored {
			errs = append(errs, "Another contact has this contact number. Please enter a unique contact number.")
		}
	}
	if c.DefaultCurrency != "" && !t.currencyEnabled(c.DefaultCurrency) {
		errs = append(errs, fmt.Sprintf("Organisation is not subscribed to currency %s", c.DefaultCurrency))
	}
	return errs
}

func (t *tenant) currencyEnabled(code string) bool {
	return strings.EqualFold(code, t.Organisation.BaseCurrency) || containsFold(t.Currencies, code)
}

// resolveContact finds (or, given a name, creates) the contact a document
// names, applying Xero's rules and messages.
func (t *tenant) resolveContact(ref *ContactRef, now time.Time) (*Contact, []string) {
	if ref == nil || (ref.ContactID == "" && ref.ContactNumber == "" && strings.TrimSpace(ref.Name) == "") {
		return nil, []string{"The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber"}
	}
	var c *Contact
	switch {
	case ref.ContactID != "":
		c = t.contactByID(ref.ContactID)
		if c == nil {
			return nil, []string{"The contact with the specified ContactID could not be found"}
		}
	case ref.ContactNumber != "":
		c = t.contactByNumber(ref.ContactNumber)
		if c == nil && strings.TrimSpace(ref.Name) == "" {
			return nil, []string{fmt.Sprintf("The contact with the specified ContactNumber %s could not be found", ref.ContactNumber)}
		}
	default:
		c = t.activeContactByName(ref.Name)
	}
	if c == nil {
		c = &Contact{ContactID: newID(), ContactNumber: ref.ContactNumber, Name: strings.TrimSpace(ref.Name),
			ContactStatus: "ACTIVE", UpdatedDateUTC: msDate(now)}
		t.Contacts = append(t.Contacts, c)
	}
	if c.ContactStatus == "ARCHIVED" {
		return nil, []string{"The contact with the specified contact details has been archived. The contact must be un-archived before creating new invoices or credit notes."}
	}
	return c, nil
}

func refOf(c *Contact) *ContactRef {
	return &ContactRef{ContactID: c.ContactID, ContactNumber: c.ContactNumber, Name: c.Name, ContactStatus: c.ContactStatus}
}

// ---- contact groups ----

// maxContactGroups is Xero's limit of contact groups per organisation.
const maxContactGroups = 100

// groupOut is a contact group as the API shows it.
type groupOut struct {
	ContactGroupID string        `json:"ContactGroupID"`
	Name           string        `json:"Name"`
	Status         string        `json:"Status"`
	Contacts       []groupMember `json:"Contacts"`
	// ValidationErrors are set on a refused element.
	ValidationErrors    []ValidationError `json:"ValidationErrors,omitempty"`
	HasValidationErrors bool              `json:"HasValidationErrors"`
}

type groupMember struct {
	ContactID string `json:"ContactID"`
	Name      string `json:"Name,omitempty"`
}

func (t *tenant) groupByID(id string) *ContactGroup {
	for _, g := range t.ContactGroups {
		if strings.EqualFold(g.ContactGroupID, id) && g.Status == "ACTIVE" {
			return g
		}
	}
	return nil
}

func (t *tenant) groupOut(g *ContactGroup, members bool) groupOut {
	out := groupOut{ContactGroupID: g.ContactGroupID, Name: g.Name, Status: g.Status, Contacts: []groupMember{}}
	if members {
		for _, id := range g.ContactIDs {
			m := groupMember{ContactID: id}
			if c := t.contactByID(id); c != nil {
				m.Name = c.Name
			}
			out.Contacts = append(out.Contacts, m)
		}
	}
	return out
}

// listContactGroups is GET /ContactGroups: the active groups, without
// their members.
func (s *Sim) listContactGroups(c *apiCall) answer {
	var outs []*groupOut
	for _, g := range c.t.ContactGroups {
		if g.Status == "ACTIVE" {
			o := c.t.groupOut(g, false)
			outs = append(outs, &o)
		}
	}
	recs, bad := filterRecords(c, outs, func(*groupOut) string { return "" })
	if bad != nil {
		return *bad
	}
	return jsonAnswer(http.StatusOK, s.envelope("ContactGroups", recs, nil))
}

// getContactGroup is GET /ContactGroups/{id}: the group with its members.
func (s *Sim) getContactGroup(c *apiCall) answer {
	g := c.t.groupByID(c.id)
	if g == nil {
		return notFound
	}
	return jsonAnswer(http.StatusOK, s.envelope("ContactGroups", []groupOut{c.t.groupOut(g, true)}, nil))
}

// writeContactGroups is PUT /ContactGroups: new groups by name.
func (s *Sim) writeContactGroups(c *apiCall) answer {
	return writeElements(s, c, "ContactGroups", contactGroupSchema, true, func(in *struct{ Name string }, raw map[string]any, now time.Time, out *writeOutcome) error {
		name := strings.TrimSpace(in.Name)
		var errs []string
		active := 0
		for _, g := range c.t.ContactGroups {
			if g.Status != "ACTIVE" {
				continue
			}
			active++
			if strings.EqualFold(g.Name, name) {
				errs = append(errs, "A contact group with this name already exists.")
			}
		}
		switch {
		case name == "":
			errs = append(errs, "The contact group name must be specified.")
		case active >= maxContactGroups:
			errs = append(errs, "You’ve reached the limit of 100 contact groups.")
		}
		if len(errs) > 0 {
			out.add(&groupOut{ContactGroupID: zeroID, Name: name, Contacts: []groupMember{},
				ValidationErrors: messages(errs), HasValidationErrors: true}, true)
			return nil
		}
		g := &ContactGroup{ContactGroupID: newID(), Name: name, Status: "ACTIVE", ContactIDs: []string{}}
		c.t.ContactGroups = append(c.t.ContactGroups, g)
		o := c.t.groupOut(g, false)
		out.add(&o, false)
		return nil
	})
}

// addToContactGroup is PUT /ContactGroups/{id}/Contacts: contacts join the
// group (a contact already in it stays once).
func (s *Sim) addToContactGroup(c *apiCall) answer {
	g := c.t.groupByID(c.id)
	if g == nil {
		return notFound
	}
	els, bad := c.elements("Contacts")
	if bad != nil {
		return *bad
	}
	if bad := s.strictElements(groupContactSchema, "Contacts", els, true); bad != nil {
		return *bad
	}
	var ids []string
	for _, raw := range els {
		var in struct{ ContactID string }
		if err := decodeInto(raw, &in); err != nil {
			return badRequest("JSON for post data was invalid, " + err.Error())
		}
		if c.t.contactByID(in.ContactID) == nil {
			return errorAnswer(http.StatusBadRequest, 10, "ValidationException", "A validation exception occurred",
				[]any{map[string]any{"ContactID": in.ContactID, "ValidationErrors": messages([]string{"The contact with the specified ContactID could not be found"})}})
		}
		ids = append(ids, in.ContactID)
	}
	var added []map[string]any
	for _, id := range ids {
		if !containsFold(g.ContactIDs, id) {
			g.ContactIDs = append(g.ContactIDs, id)
		}
		added = append(added, map[string]any{"ContactID": id, "HasValidationErrors": false})
	}
	a := jsonAnswer(http.StatusOK, s.envelope("Contacts", added, nil))
	a.mutated = true
	return a
}
