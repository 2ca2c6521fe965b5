package kashflowsim

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// opDef is one operation of the WSDL the simulator answers.
type opDef struct {
	newReq func() any
	run    func(s *Sim, req any) (any, error)
	// result names the <Op>Result element; blank for operations that
	// answer only Status and StatusDetail.
	result bool
	writes bool
}

func (d opDef) resultName(op string) string {
	if !d.result {
		return ""
	}
	return op + "Result"
}

// Request types, one per operation, in the WSDL's element order.
type (
	reqPlain    struct{ Auth }
	reqCustCode struct {
		Auth
		CustomerCode string
	}
	reqCustID struct {
		Auth
		CustomerID int
	}
	reqModified struct {
		Auth
		ModifiedSince DateTime
	}
	reqInsertCust struct {
		Auth
		Custr *Customer `xml:"custr"`
	}
	reqSuppCode struct {
		Auth
		SupplierCode string
	}
	reqSuppID struct {
		Auth
		SupplierID int
	}
	reqInsertSupp struct {
		Auth
		Supl *Supplier `xml:"supl"`
	}
	reqUpdateSupp struct {
		Auth
		Sup *Supplier `xml:"sup"`
	}
	reqInvNumber struct {
		Auth
		InvoiceNumber int
	}
	reqQuoteNumber struct {
		Auth
		QuoteNumber int
	}
	reqReceiptNumber struct {
		Auth
		ReceiptNumber int
	}
	reqDateRange struct {
		Auth
		StartDate DateTime
		EndDate   DateTime
	}
	reqPaymentsRange struct {
		Auth
		StartDate  DateTime
		EndDate    DateTime
		PageNumber int
	}
	reqInv struct {
		Auth
		Inv *Invoice
	}
	reqQuote struct {
		Auth
		Quote *Invoice
	}
	reqReceipt struct {
		Auth
		Receipt *Invoice
	}
	reqApplyCredit struct {
		Auth
		InvoiceID    int
		CreditNoteID int
	}
	reqInvPayment struct {
		Auth
		InvoicePayment *Payment
	}
	reqRecPayment struct {
		Auth
		ReceiptPayment *Payment
	}
	reqDelInvPayment struct {
		Auth
		InvoicePaymentNumber int
	}
	reqDelRecPayment struct {
		Auth
		ReceiptPaymentNumber int
	}
	reqJournal struct {
		Auth
		Jnl *JournalEntry
	}
	reqJournalNumber struct {
		Auth
		JournalNumber int
	}
)

func op[R any](result, writes bool, run func(s *Sim, r *R) (any, error)) opDef {
	return opDef{
		newReq: func() any { return new(R) },
		run:    func(s *Sim, req any) (any, error) { return run(s, req.(*R)) },
		result: result, writes: writes,
	}
}

var operations = map[string]opDef{
	"GetCompanyDetails":   op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return s.st.Company, nil }),
	"isUserVATRegistered": op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return s.st.Company.VatRegistered == "Yes", nil }),

	"GetCustomers": op(true, false, func(s *Sim, _ *reqPlain) (any, error) {
		out := arrayOfCustomer{}
		for _, c := range s.st.Customers {
			out.Items = append(out.Items, *c)
		}
		return out, nil
	}),
	"GetCustomersModifiedSince": op(true, false, func(s *Sim, r *reqModified) (any, error) {
		out := arrayOfCustomer{}
		for _, c := range s.st.Customers {
			if !c.Updated.Before(r.ModifiedSince.Time) {
				out.Items = append(out.Items, *c)
			}
		}
		return out, nil
	}),
	"GetCustomer": op(true, false, func(s *Sim, r *reqCustCode) (any, error) {
		if c := s.customerByCode(r.CustomerCode); c != nil {
			return *c, nil
		}
		return nil, no(msgNoCustomer)
	}),
	"GetCustomerByID": op(true, false, func(s *Sim, r *reqCustID) (any, error) {
		if c := s.customerByID(r.CustomerID); c != nil {
			return *c, nil
		}
		return nil, no(msgNoCustomer)
	}),
	"InsertCustomer":  op(true, true, func(s *Sim, r *reqInsertCust) (any, error) { return s.insertCustomer(r.Custr) }),
	"UpdateCustomer":  op(true, true, func(s *Sim, r *reqInsertCust) (any, error) { return s.updateCustomer(r.Custr) }),
	"DeleteCustomer":  op(true, true, func(s *Sim, r *reqCustID) (any, error) { return s.deleteCustomer(r.CustomerID) }),
	"GetSuppliers":    op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return s.suppliers(), nil }),
	"GetSupplier":     op(true, false, func(s *Sim, r *reqSuppCode) (any, error) { return s.supplierBy(r.SupplierCode, 0) }),
	"GetSupplierByID": op(true, false, func(s *Sim, r *reqSuppID) (any, error) { return s.supplierBy("", r.SupplierID) }),
	"InsertSupplier":  op(true, true, func(s *Sim, r *reqInsertSupp) (any, error) { return s.insertSupplier(r.Supl) }),
	"UpdateSupplier":  op(false, true, func(s *Sim, r *reqUpdateSupp) (any, error) { return s.updateSupplier(r.Sup) }),
	"DeleteSupplier":  op(true, true, func(s *Sim, r *reqSuppID) (any, error) { return s.deleteSupplier(r.SupplierID) }),

	"GetInvoice": op(true, false, func(s *Sim, r *reqInvNumber) (any, error) { return s.getDoc("invoice", r.InvoiceNumber) }),
	"GetInvoicesByDateRange": op(true, false, func(s *Sim, r *reqDateRange) (any, error) {
		return s.docs("invoice", r.StartDate.Time, r.EndDate.Time), nil
	}),
	"InsertInvoice":    op(true, true, func(s *Sim, r *reqInv) (any, error) { return s.insertDoc("invoice", r.Inv) }),
	"UpdateInvoice":    op(false, true, func(s *Sim, r *reqInv) (any, error) { return s.updateDoc("invoice", r.Inv) }),
	"DeleteInvoice":    op(false, true, func(s *Sim, r *reqInvNumber) (any, error) { return s.deleteDoc("invoice", r.InvoiceNumber) }),
	"GetQuotes":        op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return s.docs("quote", time.Time{}, time.Time{}), nil }),
	"GetQuoteByNumber": op(true, false, func(s *Sim, r *reqQuoteNumber) (any, error) { return s.getDoc("quote", r.QuoteNumber) }),
	"InsertQuote":      op(true, true, func(s *Sim, r *reqQuote) (any, error) { return s.insertDoc("quote", r.Quote) }),
	"UpdateQuote":      op(false, true, func(s *Sim, r *reqQuote) (any, error) { return s.updateDoc("quote", r.Quote) }),
	"DeleteQuote":      op(false, true, func(s *Sim, r *reqQuoteNumber) (any, error) { return s.deleteDoc("quote", r.QuoteNumber) }),
	"GetReceipts":      op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return s.docs("receipt", time.Time{}, time.Time{}), nil }),
	"GetReceipt":       op(true, false, func(s *Sim, r *reqReceiptNumber) (any, error) { return s.getDoc("receipt", r.ReceiptNumber) }),
	"InsertReceipt":    op(true, true, func(s *Sim, r *reqInv) (any, error) { return s.insertDoc("receipt", r.Inv) }),
	"UpdateReceipt":    op(false, true, func(s *Sim, r *reqReceipt) (any, error) { return s.updateDoc("receipt", r.Receipt) }),
	"DeleteReceipt":    op(false, true, func(s *Sim, r *reqReceiptNumber) (any, error) { return s.deleteDoc("receipt", r.ReceiptNumber) }),
	"applyCreditNoteToInvoice": op(true, true, func(s *Sim, r *reqApplyCredit) (any, error) {
		return s.applyCredit(r.InvoiceID, r.CreditNoteID)
	}),

	"InsertInvoicePayment": op(true, true, func(s *Sim, r *reqInvPayment) (any, error) { return s.insertPayment("invoice", r.InvoicePayment) }),
	"InsertReceiptPayment": op(true, true, func(s *Sim, r *reqRecPayment) (any, error) { return s.insertPayment("receipt", r.ReceiptPayment) }),
	"GetInvoicePayment":    op(true, false, func(s *Sim, r *reqInvNumber) (any, error) { return s.paymentsOf("invoice", r.InvoiceNumber), nil }),
	"GetReceiptPayment":    op(true, false, func(s *Sim, r *reqReceiptNumber) (any, error) { return s.paymentsOf("receipt", r.ReceiptNumber), nil }),
	"GetInvoicePaymentsByDateRange": op(true, false, func(s *Sim, r *reqPaymentsRange) (any, error) {
		return s.paymentsPage(r.StartDate.Time, r.EndDate.Time, r.PageNumber), nil
	}),
	"DeleteInvoicePayment": op(false, true, func(s *Sim, r *reqDelInvPayment) (any, error) {
		return s.deletePayment("invoice", r.InvoicePaymentNumber)
	}),
	"DeleteReceiptPayment": op(false, true, func(s *Sim, r *reqDelRecPayment) (any, error) {
		return s.deletePayment("receipt", r.ReceiptPaymentNumber)
	}),

	"InsertJournal": op(true, true, func(s *Sim, r *reqJournal) (any, error) { return s.insertJournal(r.Jnl) }),
	"UpdateJournal": op(false, true, func(s *Sim, r *reqJournal) (any, error) { return s.updateJournal(r.Jnl) }),
	"GetJournal": op(true, false, func(s *Sim, r *reqJournalNumber) (any, error) {
		for _, j := range s.st.Journals {
			if j.JournalNumber == r.JournalNumber {
				return *j, nil
			}
		}
		return nil, no(msgNoJournal)
	}),
	"GetJournals": op(true, false, func(s *Sim, _ *reqPlain) (any, error) {
		out := arrayOfJournalEntry{}
		for _, j := range s.st.Journals {
			out.Items = append(out.Items, *j)
		}
		return out, nil
	}),
	"DeleteJournal": op(false, true, func(s *Sim, r *reqJournalNumber) (any, error) {
		for i, j := range s.st.Journals {
			if j.JournalNumber == r.JournalNumber {
				s.st.Journals = append(s.st.Journals[:i], s.st.Journals[i+1:]...)
				return nil, nil
			}
		}
		return nil, no(msgNoJournal)
	}),

	"GetNominalCodes":  op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfNominalCode{s.st.Nominals}, nil }),
	"GetVATRates":      op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfBasicDataset{s.st.VATRates}, nil }),
	"GetBankAccounts":  op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfBankAccount{s.st.Banks}, nil }),
	"GetInvPayMethods": op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfPaymentMethod{s.st.InvMethods}, nil }),
	"GetRecPayMethods": op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfPaymentMethod{s.st.RecMethods}, nil }),
	"GetProducts":      op(true, false, func(s *Sim, _ *reqPlain) (any, error) { return arrayOfProduct{s.st.Products}, nil }),
}

// ---- customers and suppliers ----

func (s *Sim) customerByCode(code string) *Customer {
	for _, c := range s.st.Customers {
		if strings.EqualFold(strings.TrimSpace(c.Code), strings.TrimSpace(code)) {
			return c
		}
	}
	return nil
}

func (s *Sim) customerByID(id int) *Customer {
	for _, c := range s.st.Customers {
		if c.CustomerID == id {
			return c
		}
	}
	return nil
}

func (s *Sim) insertCustomer(c *Customer) (any, error) {
	if c == nil || strings.TrimSpace(c.Name) == "" {
		return 0, no(msgNoName)
	}
	cp := *c
	if strings.TrimSpace(cp.Code) == "" {
		cp.Code = fmt.Sprintf("CUST%03d", len(s.st.Customers)+1)
	}
	if s.customerByCode(cp.Code) != nil {
		return 0, no(msgCodeInUse, cp.Code)
	}
	cp.CustomerID = s.st.id()
	now := DateTime{s.now().UTC().Truncate(time.Second)}
	cp.Created, cp.Updated = now, now
	s.st.Customers = append(s.st.Customers, &cp)
	return cp.CustomerID, nil
}

func (s *Sim) updateCustomer(c *Customer) (any, error) {
	if c == nil {
		return "", no(msgNoCustomer)
	}
	old := s.customerByID(c.CustomerID)
	if old == nil {
		return "", no(msgNoCustomer)
	}
	if strings.TrimSpace(c.Name) == "" {
		return "", no(msgNoName)
	}
	if other := s.customerByCode(c.Code); other != nil && other != old {
		return "", no(msgCodeInUse, c.Code)
	}
	cp := *c
	cp.Created = old.Created
	cp.Updated = DateTime{s.now().UTC().Truncate(time.Second)}
	*old = cp
	return "1", nil
}

func (s *Sim) deleteCustomer(id int) (any, error) {
	for i, c := range s.st.Customers {
		if c.CustomerID == id {
			s.st.Customers = append(s.st.Customers[:i], s.st.Customers[i+1:]...)
			return 1, nil
		}
	}
	return 0, no(msgNoCustomer)
}

func (s *Sim) suppliers() arrayOfSupplier {
	out := arrayOfSupplier{}
	for _, c := range s.st.Suppliers {
		out.Items = append(out.Items, *c)
	}
	return out
}

func (s *Sim) supplier(code string, id int) *Supplier {
	for _, c := range s.st.Suppliers {
		if (code != "" && strings.EqualFold(strings.TrimSpace(c.Code), strings.TrimSpace(code))) || (id != 0 && c.SupplierID == id) {
			return c
		}
	}
	return nil
}

func (s *Sim) supplierBy(code string, id int) (any, error) {
	if c := s.supplier(code, id); c != nil {
		return *c, nil
	}
	return nil, no(msgNoSupplier)
}

func (s *Sim) insertSupplier(c *Supplier) (any, error) {
	if c == nil || strings.TrimSpace(c.Name) == "" {
		return 0, no(msgNoName)
	}
	cp := *c
	if strings.TrimSpace(cp.Code) == "" {
		cp.Code = fmt.Sprintf("SUPP%03d", len(s.st.Suppliers)+1)
	}
	if s.supplier(cp.Code, 0) != nil {
		return 0, no(msgSupplierInUse, cp.Code)
	}
	cp.SupplierID = s.st.id()
	now := DateTime{s.now().UTC().Truncate(time.Second)}
	cp.Created, cp.Updated = now, now
	s.st.Suppliers = append(s.st.Suppliers, &cp)
	return cp.SupplierID, nil
}

func (s *Sim) updateSupplier(c *Supplier) (any, error) {
	if c == nil {
		return nil, no(msgNoSupplier)
	}
	old := s.supplier("", c.SupplierID)
	if old == nil || c.SupplierID == 0 {
		return nil, no(msgNoSupplier)
	}
	if strings.TrimSpace(c.Name) == "" {
		return nil, no(msgNoName)
	}
	if other := s.supplier(c.Code, 0); other != nil && other != old {
		return nil, no(msgSupplierInUse, c.Code)
	}
	cp := *c
	cp.Created = old.Created
	cp.Updated = DateTime{s.now().UTC().Truncate(time.Second)}
	*old = cp
	return nil, nil
}

func (s *Sim) deleteSupplier(id int) (any, error) {
	for i, c := range s.st.Suppliers {
		if c.SupplierID == id {
			s.st.Suppliers = append(s.st.Suppliers[:i], s.st.Suppliers[i+1:]...)
			return 1, nil
		}
	}
	return 0, no(msgNoSupplier)
}

// ---- invoices, quotes and receipts ----

func notFound(kind string) error {
	switch kind {
	case "quote":
		return no(msgNoQuote)
	case "receipt":
		return no(msgNoReceipt)
	}
	return no(msgNoInvoice)
}

func (s *Sim) doc(kind string, number int) *document {
	for _, d := range s.st.Documents {
		if d.Kind == kind && d.InvoiceNumber == number {
			return d
		}
	}
	return nil
}

func (s *Sim) docByID(id int) *document {
	for _, d := range s.st.Documents {
		if d.InvoiceDBID == id {
			return d
		}
	}
	return nil
}

func (s *Sim) getDoc(kind string, number int) (any, error) {
	if d := s.doc(kind, number); d != nil {
		return d.Invoice, nil
	}
	return nil, notFound(kind)
}

func (s *Sim) docs(kind string, from, to time.Time) arrayOfInvoice {
	out := arrayOfInvoice{}
	for _, d := range s.st.Documents {
		if d.Kind != kind {
			continue
		}
		if !from.IsZero() && (d.InvoiceDate.Before(from) || d.InvoiceDate.After(to)) {
			continue
		}
		out.Items = append(out.Items, d.Invoice)
	}
	return out
}

// checkDoc applies KashFlow's rules to a document and works out its totals.
func (s *Sim) checkDoc(kind string, inv *Invoice) error {
	party := ""
	if kind == "receipt" {
		sup := s.supplier("", inv.CustomerID)
		if sup == nil || inv.CustomerID == 0 {
			return no(msgNoSupplier)
		}
		party = sup.Name
	} else {
		c := s.customerByID(inv.CustomerID)
		if c == nil {
			return no(msgNoCustomer)
		}
		party = c.Name
	}
	if inv.Lines == nil || len(inv.Lines.Lines) == 0 {
		return no(msgNoLines)
	}
	if !s.st.LockedUntil.IsZero() && !inv.InvoiceDate.After(s.st.LockedUntil) {
		return no(msgLocked, inv.InvoiceDate.Format("02/01/2006"))
	}
	net, vat := decimal.Zero, decimal.Zero
	for i := range inv.Lines.Lines {
		l := &inv.Lines.Lines[i]
		if !s.nominalID(l.ChargeType) {
			return no(msgNominal, l.ChargeType)
		}
		if !s.vatAllowed(l.VatRate.Decimal) {
			return no(msgVAT, l.VatRate.String())
		}
		lineNet := l.Quantity.Mul(l.Rate.Decimal).Round(2)
		if l.VatAmount.IsZero() && l.VatRate.IsPositive() {
			l.VatAmount = Money{lineNet.Mul(l.VatRate.Decimal).Div(decimal.NewFromInt(100)).Round(2)}
		}
		l.XSIType = ""
		l.LineID = s.st.id()
		if l.Sort == 0 {
			l.Sort = i + 1
		}
		net, vat = net.Add(lineNet), vat.Add(l.VatAmount.Decimal)
	}
	inv.NetAmount, inv.VATAmount = Money{net}, Money{vat}
	inv.Customer, inv.CustomerName = party, party
	if inv.CurrencyCode == "" {
		inv.CurrencyCode = "GBP"
	}
	if inv.ExchangeRate.IsZero() {
		inv.ExchangeRate = money("1")
	}
	return nil
}

func (s *Sim) nominalID(id int) bool {
	for _, n := range s.st.Nominals {
		if n.ID == id {
			return true
		}
	}
	return false
}

func (s *Sim) vatAllowed(rate decimal.Decimal) bool {
	if rate.Equal(decimal.NewFromInt(-1)) {
		return true
	}
	for _, v := range s.st.VATRates {
		if v.Value.Equal(rate) {
			return true
		}
	}
	return false
}

func (s *Sim) insertDoc(kind string, inv *Invoice) (any, error) {
	if inv == nil {
		return 0, no(msgNoLines)
	}
	d := &document{Kind: kind, Invoice: *inv}
	if d.Lines != nil {
		lines := *d.Lines
		lines.Lines = append([]InvoiceLine(nil), lines.Lines...)
		d.Lines = &lines
	}
	if err := s.checkDoc(kind, &d.Invoice); err != nil {
		return 0, err
	}
	if d.InvoiceNumber == 0 {
		d.InvoiceNumber = s.st.NextNumber[kind]
		for s.doc(kind, d.InvoiceNumber) != nil {
			d.InvoiceNumber++
		}
	} else if s.doc(kind, d.InvoiceNumber) != nil {
		return 0, no(msgNumberInUse, d.InvoiceNumber)
	}
	s.st.NextNumber[kind] = max(s.st.NextNumber[kind], d.InvoiceNumber+1)
	d.InvoiceDBID = s.st.id()
	d.AmountPaid, d.Paid = Money{decimal.Zero}, 0
	d.PermaLink = fmt.Sprintf("https://api.kashflow.com/v2/documents/%s/%08x-0000-4000-8000-%012x", kind, d.InvoiceDBID, d.InvoiceNumber)
	s.st.Documents = append(s.st.Documents, d)
	if kind == "invoice" {
		s.applyPending(d)
	}
	return d.InvoiceNumber, nil
}

func (s *Sim) updateDoc(kind string, inv *Invoice) (any, error) {
	if inv == nil {
		return nil, notFound(kind)
	}
	old := s.doc(kind, inv.InvoiceNumber)
	if old == nil || (inv.InvoiceDBID != 0 && inv.InvoiceDBID != old.InvoiceDBID) {
		return nil, notFound(kind)
	}
	if !s.st.LockedUntil.IsZero() && !old.InvoiceDate.After(s.st.LockedUntil) {
		return nil, no(msgLocked, old.InvoiceDate.Format("02/01/2006"))
	}
	next := *inv
	if next.Lines != nil {
		lines := *next.Lines
		lines.Lines = append([]InvoiceLine(nil), lines.Lines...)
		next.Lines = &lines
	}
	if err := s.checkDoc(kind, &next); err != nil {
		return nil, err
	}
	next.InvoiceDBID, next.PermaLink = old.InvoiceDBID, old.PermaLink
	next.AmountPaid, next.Paid = old.AmountPaid, old.Paid
	old.Invoice = next
	s.settle(old)
	return nil, nil
}

func (s *Sim) deleteDoc(kind string, number int) (any, error) {
	for i, d := range s.st.Documents {
		if d.Kind == kind && d.InvoiceNumber == number {
			s.st.Documents = append(s.st.Documents[:i], s.st.Documents[i+1:]...)
			return nil, nil
		}
	}
	return nil, notFound(kind)
}

func gross(d *document) decimal.Decimal { return d.NetAmount.Add(d.VATAmount.Decimal) }

// settle sets Paid from the amount paid.
func (s *Sim) settle(d *document) {
	g := gross(d)
	d.Paid = 0
	if g.IsPositive() && d.AmountPaid.GreaterThanOrEqual(g) {
		d.Paid = 1
	}
}

func (s *Sim) applyCredit(invoiceID, creditID int) (any, error) {
	inv, cn := s.docByID(invoiceID), s.docByID(creditID)
	if inv == nil || cn == nil || inv.Kind != "invoice" || cn.Kind != "invoice" {
		return false, no(msgNoInvoice)
	}
	amount := gross(cn).Neg()
	if inv.CustomerID != cn.CustomerID || !amount.IsPositive() || amount.GreaterThan(gross(inv).Sub(inv.AmountPaid.Decimal)) {
		return false, no(msgCreditFit)
	}
	inv.AmountPaid = Money{inv.AmountPaid.Add(amount)}
	cn.AmountPaid = Money{cn.AmountPaid.Sub(amount)}
	s.settle(inv)
	s.st.CreditApplied = append(s.st.CreditApplied, creditApplied{inv.InvoiceDBID, cn.InvoiceDBID})
	return true, nil
}

// applyPending books the Sandbox's waiting "made in KashFlow" payments
// whose reference the new invoice carries.
func (s *Sim) applyPending(d *document) {
	for i := range s.st.Pending {
		p := &s.st.Pending[i]
		if p.Applied || !strings.Contains(d.CustomerReference, p.Reference) {
			continue
		}
		p.Applied = true
		pay := &payment{Kind: "invoice", Payment: Payment{
			PayID: s.st.id(), PayInvoice: d.InvoiceNumber, PayDate: DateTime{p.Date}, PayNote: p.Note,
			PayMethod: p.Method, PayAccount: p.Account, PayAmount: Money{gross(d)},
		}}
		s.st.Payments = append(s.st.Payments, pay)
		d.AmountPaid = Money{d.AmountPaid.Add(pay.PayAmount.Decimal)}
		s.settle(d)
	}
}

// ---- payments ----

func (s *Sim) insertPayment(kind string, p *Payment) (any, error) {
	if p == nil {
		return 0, notFound(kind)
	}
	d := s.doc(kind, p.PayInvoice)
	if d == nil {
		return 0, notFound(kind)
	}
	methods := s.st.InvMethods
	if kind == "receipt" {
		methods = s.st.RecMethods
	}
	okMethod := false
	for _, m := range methods {
		okMethod = okMethod || m.MethodID == p.PayMethod
	}
	if !okMethod {
		return 0, no(msgPayMethod)
	}
	okAccount := false
	for _, b := range s.st.Banks {
		okAccount = okAccount || b.AccountID == p.PayAccount
	}
	if !okAccount {
		return 0, no(msgPayAccount)
	}
	if !s.st.LockedUntil.IsZero() && !p.PayDate.After(s.st.LockedUntil) {
		return 0, no(msgLocked, p.PayDate.Format("02/01/2006"))
	}
	cp := &payment{Kind: kind, Payment: *p}
	cp.PayID = s.st.id()
	s.st.Payments = append(s.st.Payments, cp)
	d.AmountPaid = Money{d.AmountPaid.Add(p.PayAmount.Decimal)}
	s.settle(d)
	return cp.PayID, nil
}

func (s *Sim) paymentsOf(kind string, number int) arrayOfPayment {
	out := arrayOfPayment{}
	for _, p := range s.st.Payments {
		if p.Kind == kind && p.PayInvoice == number {
			out.Items = append(out.Items, p.Payment)
		}
	}
	return out
}

// PaymentsPageSize is how many payments a page of
// GetInvoicePaymentsByDateRange carries (KashFlow's figure is not published).
const PaymentsPageSize = 100

func (s *Sim) paymentsPage(from, to time.Time, page int) arrayOfPayment {
	var all []Payment
	for _, p := range s.st.Payments {
		if p.Kind == "invoice" && !p.PayDate.Before(from) && !p.PayDate.After(to) {
			all = append(all, p.Payment)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].PayID < all[j].PayID })
	out := arrayOfPayment{}
	start := (max(page, 1) - 1) * PaymentsPageSize
	if start < len(all) {
		out.Items = all[start:min(start+PaymentsPageSize, len(all))]
	}
	return out
}

func (s *Sim) deletePayment(kind string, id int) (any, error) {
	for i, p := range s.st.Payments {
		if p.Kind == kind && p.PayID == id {
			s.st.Payments = append(s.st.Payments[:i], s.st.Payments[i+1:]...)
			if d := s.doc(kind, p.PayInvoice); d != nil {
				d.AmountPaid = Money{d.AmountPaid.Sub(p.PayAmount.Decimal)}
				s.settle(d)
			}
			return nil, nil
		}
	}
	return nil, no(msgNoPayment)
}

// ---- journals ----

func (s *Sim) checkJournal(j *JournalEntry) error {
	if j.Lines == nil || len(j.Lines.Lines) == 0 {
		return no(msgUnbalanced)
	}
	sum := decimal.Zero
	for i := range j.Lines.Lines {
		l := &j.Lines.Lines[i]
		if !s.nominalID(l.NominalID) {
			return no(msgJournalNominal, l.NominalID)
		}
		l.XSIType = ""
		sum = sum.Add(l.Amount.Decimal)
	}
	if !sum.IsZero() {
		return no(msgUnbalanced)
	}
	if !s.st.LockedUntil.IsZero() && !j.JournalDate.After(s.st.LockedUntil) {
		return no(msgLocked, j.JournalDate.Format("02/01/2006"))
	}
	return nil
}

func copyJournal(j *JournalEntry) *JournalEntry {
	cp := *j
	if cp.Lines != nil {
		lines := *cp.Lines
		lines.Lines = append([]JournalLine(nil), lines.Lines...)
		cp.Lines = &lines
	}
	return &cp
}

func (s *Sim) insertJournal(j *JournalEntry) (any, error) {
	if j == nil {
		return 0, no(msgUnbalanced)
	}
	cp := copyJournal(j)
	if err := s.checkJournal(cp); err != nil {
		return 0, err
	}
	cp.DBID = s.st.id()
	cp.JournalNumber = s.st.NextNumber["journal"]
	s.st.NextNumber["journal"]++
	s.st.Journals = append(s.st.Journals, cp)
	return cp.JournalNumber, nil
}

func (s *Sim) updateJournal(j *JournalEntry) (any, error) {
	if j == nil {
		return nil, no(msgNoJournal)
	}
	for _, old := range s.st.Journals {
		if old.JournalNumber == j.JournalNumber {
			cp := copyJournal(j)
			if err := s.checkJournal(cp); err != nil {
				return nil, err
			}
			cp.DBID = old.DBID
			*old = *cp
			return nil, nil
		}
	}
	return nil, no(msgNoJournal)
}
