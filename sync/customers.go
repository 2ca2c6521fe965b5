package sync

import (
	"context"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Shape is how LedgerLink holds a customer: a private person (a domestic
// customer), or a company with a contact person (a commercial customer).
type Shape string

const (
	ShapePerson  Shape = "person"
	ShapeCompany Shape = "company"
)

// CustomerShape is seed 001's rule: a customer whose contact-person field
// is blank is a person; otherwise it is a company with that contact person.
func CustomerShape(p connectors.Party) Shape {
	if p.IsCompany() {
		return ShapeCompany
	}
	return ShapePerson
}

// CustomerNote is a plain-words note about a customer for the person.
type CustomerNote = storage.CustomerNote

// ShapeChange is one customer that changed shape since the module last
// looked. The customer keeps its code, its LocalID and its links, so its
// documents and payments stay with it; the counts say how many.
type ShapeChange struct {
	Code string `json:"code"`
	From Shape  `json:"from"`
	To   Shape  `json:"to"`
	// ContactPerson is the contact person added, or the one removed.
	ContactPerson string `json:"contact_person,omitempty"`
	Quotes        int    `json:"quotes"`
	Invoices      int    `json:"invoices"`
	CreditNotes   int    `json:"credit_notes"`
	Payments      int    `json:"payments"`
	// Note is the change in plain words.
	Note string `json:"note"`
}

// CustomersStep notices, after mirroring, the customers whose contact
// person was filled in or emptied, and leaves a note for each (see
// ReshapeCustomers).
func CustomersStep() Step {
	return Step{Name: "engine.step.customer_shapes", Run: func(ctx context.Context, run *Run) error {
		_, err := run.Engine.reshape(ctx, run.Def)
		return err
	}}
}

// ReshapeCustomers looks at the customers changed since it last ran and
// returns those whose shape changed (person ↔ company with a contact
// person), saving a note for each. A customer changes shape in place: same
// code, same LocalID, links intact, so its quotes, invoices, credit notes
// and payments, which name it by code, stay with it. The first run only
// learns the shapes.
func (e *Engine) ReshapeCustomers(ctx context.Context, module string) ([]ShapeChange, error) {
	def, err := e.definition(module)
	if err != nil {
		return nil, err
	}
	unlock := e.lock(module)
	defer unlock()
	return e.reshape(ctx, def)
}

// CustomerNotes returns the module's notes about customers of [from, to);
// zero ends are open.
func (e *Engine) CustomerNotes(ctx context.Context, module string, from, to time.Time) ([]CustomerNote, error) {
	if _, err := e.definition(module); err != nil {
		return nil, err
	}
	return e.db.CustomerNotes(ctx, module, from, to)
}

func (e *Engine) reshape(ctx context.Context, def connectors.Definition) ([]ShapeChange, error) {
	st, err := e.db.CustomerShapes(ctx, def.Name, nil)
	if err != nil {
		return nil, err
	}
	last, err := e.db.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	seq := st.Seq
	var heads []storage.RecordHead
	err = e.db.ChangedSince(ctx, st.Seq, func(h storage.RecordHead) error {
		seq = max(seq, h.Seq)
		if h.Type == connectors.Customers {
			heads = append(heads, h)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	seq = max(seq, last)
	codes := make([]string, len(heads))
	for i, h := range heads {
		codes[i] = h.Code
	}
	known, err := e.db.CustomerShapes(ctx, def.Name, codes)
	if err != nil {
		return nil, err
	}
	now := map[string]string{}
	var changes []ShapeChange
	origins := map[string]string{}
	for _, h := range heads {
		sr, err := e.db.Get(ctx, connectors.Customers, h.Code)
		if err != nil {
			return nil, err
		}
		if sr.Record.Party == nil {
			continue
		}
		p := *sr.Record.Party
		shape := CustomerShape(p)
		now[h.Code] = string(shape)
		before, seen := known.Shapes[h.Code]
		if !seen || Shape(before) == shape {
			continue
		}
		c := ShapeChange{Code: h.Code, From: Shape(before), To: shape, ContactPerson: strings.TrimSpace(p.ContactPerson)}
		if shape == ShapePerson {
			c.ContactPerson = ""
		}
		changes = append(changes, c)
		origins[h.Code] = sr.Origin
	}
	if len(changes) > 0 {
		if err := e.countDocuments(ctx, changes); err != nil {
			return nil, err
		}
	}
	notes := make([]CustomerNote, 0, len(changes))
	for i := range changes {
		changes[i].Note = shapeNote(e.Words(), changes[i], e.whereChanged(def, origins[changes[i].Code]))
		notes = append(notes, CustomerNote{Code: changes[i].Code, Text: changes[i].Note, When: e.now()})
		e.log.Info("customer changed shape", "module", def.Name, "customer", changes[i].Code, "to", changes[i].To)
	}
	if err := e.db.SaveCustomerShapes(ctx, def.Name, seq, now, notes); err != nil {
		return nil, err
	}
	return changes, nil
}

// countDocuments counts, for each changed customer, the documents and
// payments that name it.
func (e *Engine) countDocuments(ctx context.Context, changes []ShapeChange) error {
	at := map[string]int{}
	for i, c := range changes {
		at[c.Code] = i
	}
	for _, t := range []connectors.RecordType{connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes, connectors.InvoicePayments} {
		err := e.db.ListRecords(ctx, t, func(sr storage.StoredRecord) error {
			party, ok := partyOf(sr.Record)
			if !ok || party.Type != connectors.Customers {
				return nil
			}
			i, ok := at[party.Code]
			if !ok {
				return nil
			}
			switch t {
			case connectors.Quotes:
				changes[i].Quotes++
			case connectors.SalesInvoices:
				changes[i].Invoices++
			case connectors.CreditNotes:
				changes[i].CreditNotes++
			default:
				changes[i].Payments++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// whereChanged names where a change came from, by the record's origin.
func (e *Engine) whereChanged(def connectors.Definition, origin string) string {
	switch {
	case origin == storage.OriginLocal:
		return e.Words().T("engine.shape.business_system")
	case origin == storage.OriginModule(def.Name):
		return title(def)
	case strings.HasPrefix(origin, "module:"):
		name := strings.TrimPrefix(origin, "module:")
		if other, ok := e.reg.Lookup(name); ok {
			return title(other)
		}
		return name
	}
	return e.Words().T("engine.shape.accounting_package")
}

// shapeNote words a change for the person, for example "Customer C-0042 is
// now a company (contact person Jo Bloggs added in the accounting package); its 3 invoices
// and 1 payment stay with it."
func shapeNote(w *words.Words, c ShapeChange, where string) string {
	var what string
	if c.To == ShapeCompany {
		what = w.T("engine.shape.now_company", "Person", c.ContactPerson, "Where", where)
	} else {
		what = w.T("engine.shape.now_person", "Where", where)
	}
	var held []string
	for _, n := range []struct {
		count int
		key   string
	}{
		{c.Quotes, "engine.shape.quotes"},
		{c.Invoices, "engine.shape.invoices"},
		{c.CreditNotes, "engine.shape.credit_notes"},
		{c.Payments, "engine.shape.payments"},
	} {
		if n.count > 0 {
			held = append(held, w.N(n.key, n.count))
		}
	}
	if len(held) == 0 {
		return w.T("engine.shape.no_documents", "Code", c.Code, "What", what)
	}
	list := held[len(held)-1]
	if len(held) > 1 {
		list = strings.Join(slices.Clone(held[:len(held)-1]), ", ") + w.T("engine.list.and") + list
	}
	key := "engine.shape.documents_stay"
	if len(held) == 1 && (c.Quotes+c.Invoices+c.CreditNotes+c.Payments) == 1 {
		key = "engine.shape.document_stays"
	}
	return w.T(key, "Code", c.Code, "What", what, "Documents", list)
}
