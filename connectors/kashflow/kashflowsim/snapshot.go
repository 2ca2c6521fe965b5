package kashflowsim

import "time"

// Snapshot is what the company holds, in the words of KashFlow's lists:
// for tests that count what arrived (a record twice, a record missing).
type Snapshot struct {
	Customers   []SnapshotParty
	Suppliers   []SnapshotParty
	Documents   []SnapshotDocument
	Payments    []SnapshotPayment
	Journals    []string // their Comment
	SubProducts []string // their Code
}

// SnapshotParty is a customer or supplier.
type SnapshotParty struct {
	ID      int
	Code    string
	Name    string
	Contact string
}

// SnapshotDocument is an invoice, quote or receipt.
type SnapshotDocument struct {
	Kind      string // invoice, quote or receipt
	Number    int
	PartyID   int
	Reference string // CustomerReference
}

// SnapshotPayment is one payment on one invoice or receipt.
type SnapshotPayment struct {
	Kind     string // invoice or receipt
	Document int    // the invoice or receipt number it pays
	Note     string
	Amount   string
}

// Snapshot lists what the company holds now.
func (s *Sim) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Snapshot
	for _, c := range s.st.Customers {
		out.Customers = append(out.Customers, SnapshotParty{ID: c.CustomerID, Code: c.Code, Name: c.Name, Contact: c.Contact})
	}
	for _, c := range s.st.Suppliers {
		out.Suppliers = append(out.Suppliers, SnapshotParty{ID: c.SupplierID, Code: c.Code, Name: c.Name, Contact: c.Contact})
	}
	for _, d := range s.st.Documents {
		out.Documents = append(out.Documents, SnapshotDocument{Kind: d.Kind, Number: d.InvoiceNumber, PartyID: d.CustomerID, Reference: d.CustomerReference})
	}
	for _, p := range s.st.Payments {
		out.Payments = append(out.Payments, SnapshotPayment{Kind: p.Kind, Document: p.PayInvoice, Note: p.PayNote, Amount: p.PayAmount.String()})
	}
	for _, j := range s.st.Journals {
		out.Journals = append(out.Journals, j.Comment)
	}
	for _, p := range s.st.SubProducts {
		out.SubProducts = append(out.SubProducts, p.Code)
	}
	return out
}

// SetCustomerContact fills in (or, with "", empties) a customer's contact
// field, as a person would in KashFlow's own screens; the customer's
// Updated time moves on.
func (s *Sim) SetCustomerContact(code, contact string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customerByCode(code)
	if c == nil {
		return ErrNoSuchRecord
	}
	c.Contact = contact
	c.Updated = DateTime{s.now().UTC().Truncate(time.Second)}
	return nil
}
