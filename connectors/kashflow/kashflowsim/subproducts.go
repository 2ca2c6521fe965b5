package kashflowsim

import (
	"errors"
	"strconv"
	"strings"
)

// The StatusDetail texts of the sub-product operations.
const (
	msgSubNoCode   = "Product code cannot be blank"
	msgSubParent   = "Invalid nominal code (ParentID %d)"
	msgSubInUse    = "The product code %s is already in use"
	msgSubNotFound = "Product not found"
)

// SubProduct is KashFlow's SubProduct type: a product kept under a sales
// nominal code (its ParentID).
type SubProduct struct {
	ID             int `xml:"id"`
	ParentID       int
	Code           string
	Name           string
	Description    string
	Price          Money
	VatRate        Money
	WholesalePrice Money
	Managestock    int
	QtyInStock     Money
	StockWarnQty   Money
	Autofill       int
}

type (
	reqSubProduct struct {
		Auth
		SP *SubProduct `xml:"sp"`
	}
	reqSubProducts struct {
		Auth
		NominalID int
	}
	reqSubProductCode struct {
		Auth
		SubProductCode string
	}
	arrayOfSubProduct struct {
		Items []SubProduct `xml:"SubProduct"`
	}
)

func init() {
	operations["AddOrUpdateSubProduct"] = op(true, true, func(s *Sim, r *reqSubProduct) (any, error) { return s.saveSubProduct(r.SP) })
	operations["GetSubProducts"] = op(true, false, func(s *Sim, r *reqSubProducts) (any, error) {
		out := arrayOfSubProduct{}
		for _, p := range s.st.SubProducts {
			if p.ParentID == r.NominalID {
				out.Items = append(out.Items, *p)
			}
		}
		return out, nil
	})
	operations["GetSubProductByCode"] = op(true, false, func(s *Sim, r *reqSubProductCode) (any, error) {
		if p := s.subProductByCode(r.SubProductCode); p != nil {
			return *p, nil
		}
		return nil, no(msgSubNotFound)
	})
}

func (s *Sim) subProductByCode(code string) *SubProduct {
	for _, p := range s.st.SubProducts {
		if strings.EqualFold(strings.TrimSpace(p.Code), strings.TrimSpace(code)) {
			return p
		}
	}
	return nil
}

// saveSubProduct adds a sub-product (id 0) or replaces the one with its id.
func (s *Sim) saveSubProduct(sp *SubProduct) (any, error) {
	if sp == nil || strings.TrimSpace(sp.Name) == "" {
		return 0, no(msgNoName)
	}
	if strings.TrimSpace(sp.Code) == "" {
		return 0, no(msgSubNoCode)
	}
	parent := false
	for _, n := range s.st.Nominals {
		parent = parent || n.ID == sp.ParentID
	}
	if !parent {
		return 0, no(msgSubParent, sp.ParentID)
	}
	other := s.subProductByCode(sp.Code)
	cp := *sp
	if cp.ID == 0 {
		if other != nil {
			return 0, no(msgSubInUse, cp.Code)
		}
		cp.ID = s.st.id()
		s.st.SubProducts = append(s.st.SubProducts, &cp)
		return cp.ID, nil
	}
	for i, p := range s.st.SubProducts {
		if p.ID == cp.ID {
			if other != nil && other != p {
				return 0, no(msgSubInUse, cp.Code)
			}
			s.st.SubProducts[i] = &cp
			return cp.ID, nil
		}
	}
	return 0, no(msgSubNotFound)
}

// ErrNoSuchRecord is Remove's answer for a record the company does not have.
var ErrNoSuchRecord = errors.New("kashflowsim: no such record")

// Remove deletes a record as a person would in KashFlow's own screens:
// kind is customer, supplier, invoice, quote, receipt, journal,
// invoice-payment, receipt-payment or product (a sub-product); id is the
// record's ID, number or payment ID.
func (s *Sim) Remove(kind string, id int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	switch kind {
	case "customer":
		_, err = s.deleteCustomer(id)
	case "supplier":
		_, err = s.deleteSupplier(id)
	case "invoice", "quote", "receipt":
		_, err = s.deleteDoc(kind, id)
	case "invoice-payment":
		_, err = s.deletePayment("invoice", id)
	case "receipt-payment":
		_, err = s.deletePayment("receipt", id)
	case "journal":
		err = ErrNoSuchRecord
		for i, j := range s.st.Journals {
			if j.JournalNumber == id {
				s.st.Journals = append(s.st.Journals[:i], s.st.Journals[i+1:]...)
				err = nil
				break
			}
		}
	case "product":
		err = ErrNoSuchRecord
		for i, p := range s.st.SubProducts {
			if p.ID == id {
				s.st.SubProducts = append(s.st.SubProducts[:i], s.st.SubProducts[i+1:]...)
				err = nil
				break
			}
		}
	default:
		return errors.New("kashflowsim: cannot remove a " + kind + " (" + strconv.Itoa(id) + ")")
	}
	if err != nil {
		return errors.Join(ErrNoSuchRecord, err)
	}
	return nil
}
