package xerosim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

const zeroID = "00000000-0000-0000-0000-000000000000"

func (t *tenant) contactByID(id string) *Contact {
	for _, c := range t.Contacts {
		if strings.EqualFold(c.ContactID, id) {
			return c
		}
	}
	return nil
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
	els, bad := c.elements("Contacts")
	if bad != nil {
		return *bad
	}
	create := c.r.Method == http.MethodPut
	if bad := s.strictElements(contactSchema, "Contacts", els, create); bad != nil {
		return *bad
	}
	rollback := func() {}
	if c.summarize {
		rollback = snapshot(c.t)
	}
	out := &writeOutcome{key: "Contacts"}
	now := s.now()
	for _, raw := range els {
		var in Contact
		if err := decodeInto(raw, &in); err != nil {
			return badRequest("JSON for post data was invalid, " + err.Error())
		}
		var stored *Contact
		if !create {
			if in.ContactID != "" {
				stored = c.t.contactByID(in.ContactID)
				if stored == nil {
					in.ValidationErrors = messages([]string{"An existing Contact with the specified ContactID could not be found"})
					markFailed(&in)
					out.add(&in, true)
					continue
				}
			} else if in.ContactNumber != "" {
				stored = c.t.contactByNumber(in.ContactNumber)
			}
		}
		next := &in
		if stored != nil {
			merged, err := overlay(stored, raw)
			if err != nil {
				return badRequest("JSON for post data was invalid, " + err.Error())
			}
			next = merged
		}
		if errs := c.t.validateContact(next, stored); len(errs) > 0 {
			in.ValidationErrors = messages(errs)
			markFailed(&in)
			out.add(&in, true)
			continue
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
		out.add(&echo, false)
	}
	return s.finish(c, out, rollback)
}

func markFailed(c *Contact) {
	if c.ContactID == "" {
		c.ContactID = zeroID
	}
	c.HasValidationErrors = true
	c.StatusAttributeString = "ERROR"
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
