package unicontasim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// remaining is the simulator's own note of what is still open on a posted
// invoice; it is not a property of the entity and is never served.
const remaining = "_Remaining"

type postingAnswer struct {
	Err              any   `json:"Err"`
	InvoiceNumber    int   `json:"InvoiceNumber,omitempty"`
	JournalPostedlId int   `json:"JournalPostedlId"`
	Header           row   `json:"Header,omitempty"`
	Lines            []row `json:"Lines,omitempty"`
}

// postFail answers a posting failure: the code in Err, the detail kept
// for GetLastError. s.mu is held.
func (s *Sim) postFail(w http.ResponseWriter, c *company, code, format string, args ...any) {
	c.LastErr[code] = fmt.Sprintf(format, args...)
	writeJSON(w, postingAnswer{Err: code})
}

func (s *Sim) serveGenerateInvoice(w http.ResponseWriter, sess *session, body []byte, creditor bool) {
	var req struct {
		Order         row    `json:"Order"`
		Lines         []row  `json:"Lines"`
		Date          string `json:"Date"`
		Simulate      bool   `json:"Simulate"`
		SendEmail     bool   `json:"SendEmail"`
		SendXML       bool   `json:"SendXML"`
		OrderNumber   int    `json:"OrderNumber"`
		InvoiceNumber string `json:"InvoiceNumber"`
	}
	if err := decodeJSON(body, &req); err != nil {
		s.strictOr400(w, "the body must be invoice parameters (Order, Lines, Date, Simulate, ...)")
		return
	}
	orderEntity, lineEntity, postedEntity, postedLines, party := "DebtorOrderClient", "DebtorOrderLineClient", "DebtorInvoiceClient", "DebtorInvoiceLines", "DebtorClient"
	if creditor {
		orderEntity, lineEntity, postedEntity, postedLines, party = "CreditorOrderClient", "CreditorOrderLineClient", "CreditorInvoiceClient", "CreditorInvoiceLines", "CreditorClient"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	ot, lt := s.tables[orderEntity], s.tables[lineEntity]
	order, lines := req.Order, req.Lines
	stored := false
	if req.OrderNumber != 0 {
		order = findRow(c.Tables[orderEntity], "OrderNumber", strconv.Itoa(req.OrderNumber))
		if order == nil {
			s.postFail(w, c, "CouldNotFind", "%s %d could not be found", orderEntity, req.OrderNumber)
			return
		}
		stored = true
		if len(lines) == 0 {
			for _, l := range c.Tables[lineEntity] {
				if toInt(l["OrderNumber"]) == req.OrderNumber {
					lines = append(lines, l)
				}
			}
		}
	}
	if order == nil {
		s.postFail(w, c, "ArgumentMissing", "Order is missing")
		return
	}
	if s.strict {
		if msg := s.check(c, orderEntity, ot, false, req.Order); msg != "" && !stored {
			s.mu.Unlock()
			s.violation(w, "Generate invoice: %s", msg)
			s.mu.Lock()
			return
		}
		for _, l := range req.Lines {
			if msg := s.check(c, lineEntity, lt, false, l); msg != "" {
				s.mu.Unlock()
				s.violation(w, "Generate invoice: %s", msg)
				s.mu.Lock()
				return
			}
		}
	}
	account := str(order["Account"])
	if account == "" {
		s.postFail(w, c, "AccountIsMissing", "the order has no account")
		return
	}
	if findRow(c.Tables[party], "Account", account) == nil {
		s.postFail(w, c, "CouldNotFind", "%s %q could not be found", party, account)
		return
	}
	if len(lines) == 0 {
		s.postFail(w, c, "NoLinesFound", "the order has no lines")
		return
	}
	for i, l := range lines {
		for f, ref := range lt.Refs {
			if v := str(l[f]); v != "" && findRow(c.Tables[ref], s.tables[ref].Key, v) == nil {
				s.postFail(w, c, "CouldNotFind", "line %d: %s %q could not be found in %s", i+1, f, v, ref)
				return
			}
		}
	}
	an := req.InvoiceNumber
	if creditor {
		if an == "" {
			an = str(order["InvoiceNumber"])
		}
		if an == "" {
			s.postFail(w, c, "InvoiceNumberMissing", "the supplier's invoice number is missing")
			return
		}
		for _, inv := range c.Tables[postedEntity] {
			if strings.EqualFold(str(inv["InvoiceAN"]), an) && strings.EqualFold(str(inv["Account"]), account) {
				s.postFail(w, c, "KeyExists", "invoice %s from %s is already posted", an, account)
				return
			}
		}
	}
	date := str(order["InvoiceDate"])
	if req.Date != "" {
		date = req.Date
	}
	if date == "" {
		date = stamp(s.now())
	}
	inclVat := order["PricesInclVat"] == true
	net, vat := decimal.Zero, decimal.Zero
	var postedRows []row
	for i, l := range lines {
		qty, price := toDec(l["Qty"]), toDec(l["Price"])
		amount := qty.Mul(price)
		if pct := toDec(l["DiscountPct"]); !pct.IsZero() {
			amount = amount.Mul(decimal.NewFromInt(100).Sub(pct)).Div(decimal.NewFromInt(100))
		}
		rate := decimal.Zero
		if v := findRow(c.Tables["GLVatClient"], "Vat", str(l["Vat"])); v != nil {
			rate = toDec(v["Rate"]).Div(decimal.NewFromInt(100))
		}
		lineNet := amount
		if inclVat {
			lineNet = amount.Div(decimal.NewFromInt(1).Add(rate))
		}
		lineNet = lineNet.Round(2)
		net = net.Add(lineNet)
		vat = vat.Add(lineNet.Mul(rate).Round(2))
		pr := row{"LineNumber": intNum(i + 1), "NetAmount": num(lineNet)}
		for _, f := range []string{"Item", "Text", "Vat", "PostingAccount", "Unit", "Currency", "Qty", "Price", "DiscountPct", "Dimension1", "Dimension2", "Dimension3", "Dimension4", "Dimension5"} {
			if v, ok := l[f]; ok {
				pr[f] = v
			}
		}
		postedRows = append(postedRows, pr)
	}
	total := net.Add(vat)
	inv := row{"Account": account, "Date": date, "Currency": order["Currency"], "YourRef": order["YourRef"], "OurRef": order["OurRef"],
		"Requisition": order["Requisition"], "PricesInclVat": inclVat, "NetAmount": num(net), "VatAmount": num(vat), "TotalAmount": num(total)}
	if due := str(order["DueDate"]); due != "" {
		inv["DueDate"] = due
	} else {
		inv["DueDate"] = date
	}
	if req.Simulate {
		writeJSON(w, postingAnswer{Err: 0, Header: inv, Lines: postedRows})
		return
	}
	s.st.Seq++
	inv["RowId"] = intNum(s.st.Seq)
	if creditor {
		inv["InvoiceAN"] = an
	} else {
		inv["InvoiceNumber"] = intNum(c.next("InvoiceNumber"))
	}
	// What is open: owed by a debtor (positive), owed to a creditor
	// (negative), as the ledger's signs go.
	if creditor {
		inv[remaining] = num(total.Neg())
	} else {
		inv[remaining] = num(total)
	}
	c.Tables[postedEntity] = append(c.Tables[postedEntity], inv)
	for _, pr := range postedRows {
		s.st.Seq++
		pr["RowId"] = intNum(s.st.Seq)
		pr["InvoiceRowId"] = inv["RowId"]
		c.Tables[postedLines] = append(c.Tables[postedLines], pr)
	}
	if stored {
		n := req.OrderNumber
		keep := c.Tables[orderEntity][:0]
		for _, o := range c.Tables[orderEntity] {
			if toInt(o["OrderNumber"]) != n {
				keep = append(keep, o)
			}
		}
		c.Tables[orderEntity] = keep
		keepLines := c.Tables[lineEntity][:0]
		for _, l := range c.Tables[lineEntity] {
			if toInt(l["OrderNumber"]) != n {
				keepLines = append(keepLines, l)
			}
		}
		c.Tables[lineEntity] = keepLines
	}
	posted := c.next("JournalPosted")
	s.saveLocked()
	if s.dropLocked() {
		s.mu.Unlock()
		defer s.mu.Lock()
		lostReply()
	}
	writeJSON(w, postingAnswer{Err: 0, InvoiceNumber: toInt(inv["InvoiceNumber"]), JournalPostedlId: posted,
		Header: output(c, s.tables[postedEntity], false, inv), Lines: postedRows})
}

// journalLine is one line to post, read from a GLDailyJournalLineClient.
type journalLine struct {
	accountType, account      string
	offsetType, offsetAccount string
	vat, invoice, text, ref   string
	currency                  string
	amount                    decimal.Decimal
	date                      string
	dims                      [5]string
	dcPostType                string
}

func accountTable(accountType string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(accountType)) {
	case "", "finans", "gl", "0":
		return "GLAccountClient", true
	case "debtor", "1":
		return "DebtorClient", true
	case "creditor", "2":
		return "CreditorClient", true
	}
	return "", false
}

// checkLines applies the posting rules to journal lines and returns the
// failure's detail, or "".
func (s *Sim) checkLines(c *company, lines []journalLine) string {
	if len(lines) == 0 {
		return "there are no lines"
	}
	balance := decimal.Zero
	for i, l := range lines {
		n := i + 1
		for _, side := range []struct{ typ, acc string }{{l.accountType, l.account}, {l.offsetType, l.offsetAccount}} {
			if side.acc == "" {
				continue
			}
			tbl, ok := accountTable(side.typ)
			if !ok {
				return fmt.Sprintf("line %d: account type %q is not Finans, Debtor or Creditor", n, side.typ)
			}
			r := findRow(c.Tables[tbl], "Account", side.acc)
			if r == nil {
				return fmt.Sprintf("line %d: account %q could not be found", n, side.acc)
			}
			if r["Blocked"] == true || r["BlockedInJournal"] == true {
				return fmt.Sprintf("line %d: account %q is blocked", n, side.acc)
			}
			if tbl == "GLAccountClient" && (str(r["AccountType"]) == "Header" || str(r["AccountType"]) == "Sum") {
				return fmt.Sprintf("line %d: account %q is a heading or a sum and cannot be posted to", n, side.acc)
			}
		}
		if l.account == "" && l.offsetAccount == "" {
			return fmt.Sprintf("line %d: account is missing", n)
		}
		if l.vat != "" && findRow(c.Tables["GLVatClient"], "Vat", l.vat) == nil {
			return fmt.Sprintf("line %d: VAT code %q could not be found", n, l.vat)
		}
		for d, v := range l.dims {
			tbl := fmt.Sprintf("GLDimType%dClient", d+1)
			if v != "" && findRow(c.Tables[tbl], "Dimension", v) == nil {
				return fmt.Sprintf("line %d: dimension %d value %q could not be found", n, d+1, v)
			}
		}
		if l.invoice != "" && l.accountType != "" && !strings.EqualFold(l.accountType, "Finans") {
			if s.openInvoice(c, l.accountType, l.account, l.invoice) == nil {
				return fmt.Sprintf("line %d: invoice %s of %s could not be found", n, l.invoice, l.account)
			}
		}
		if l.offsetAccount == "" {
			balance = balance.Add(l.amount)
		}
	}
	if !balance.IsZero() {
		return fmt.Sprintf("the journal does not balance: the difference is %s", balance.StringFixed(2))
	}
	return ""
}

func (s *Sim) openInvoice(c *company, accountType, account, invoice string) row {
	if strings.EqualFold(accountType, "Creditor") || accountType == "2" {
		for _, inv := range c.Tables["CreditorInvoiceClient"] {
			if strings.EqualFold(str(inv["InvoiceAN"]), invoice) && strings.EqualFold(str(inv["Account"]), account) {
				return inv
			}
		}
		return nil
	}
	inv := findRow(c.Tables["DebtorInvoiceClient"], "InvoiceNumber", invoice)
	if inv != nil && strings.EqualFold(str(inv["Account"]), account) {
		return inv
	}
	return nil
}

func readDailyLine(r row, date string) journalLine {
	l := journalLine{accountType: str(r["AccountType"]), account: str(r["Account"]), offsetType: str(r["OffsetAccountType"]),
		offsetAccount: str(r["OffsetAccount"]), vat: str(r["Vat"]), invoice: str(r["Invoice"]), text: str(r["Text"]),
		ref: str(r["ReferenceNumber"]), currency: str(r["Currency"]), date: str(r["Date"]), dcPostType: str(r["DCPostType"])}
	if l.date == "" {
		l.date = date
	}
	l.amount = toDec(r["Amount"])
	if l.amount.IsZero() {
		l.amount = toDec(r["Debit"]).Sub(toDec(r["Credit"]))
	}
	for d := range l.dims {
		l.dims[d] = str(r[fmt.Sprintf("Dimension%d", d+1)])
	}
	return l
}

func (s *Sim) serveCheckJournal(w http.ResponseWriter, sess *session, body []byte) {
	var req struct {
		Header   row   `json:"Header"`
		Lines    []row `json:"Lines"`
		Simulate bool  `json:"Simulate"`
	}
	if err := decodeJSON(body, &req); err != nil {
		s.strictOr400(w, "CheckJournal: the body must be a JournalRequest {Header, Lines, Simulate}")
		return
	}
	allowed := set("Account AccountType AmountCur DCPostType DocumentDate DueDate Employee Invoice PrCategory Project Qty Task Text TransType Vat VatHasBeenDeducted Voucher WorkSpace")
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	if !s.strictLines(w, "CheckJournal: GLPostingLineWA", allowed, req.Lines) {
		return
	}
	var lines []journalLine
	for _, r := range req.Lines {
		lines = append(lines, journalLine{accountType: fmt.Sprint(toInt(r["AccountType"])), account: str(r["Account"]),
			vat: str(r["Vat"]), invoice: str(r["Invoice"]), text: str(r["Text"]), amount: toDec(r["AmountCur"])})
	}
	if msg := s.checkLines(c, lines); msg != "" {
		s.postFail(w, c, "ErrorInJournal", "%s", msg)
		return
	}
	writeJSON(w, postingAnswer{Err: 0})
}

var dailyLineFields = set("Journal Date DocumentDate AccountType Account OffsetAccountType OffsetAccount Vat OffsetVat Invoice Text Debit Credit Amount Currency AmountCur DCPostType SettleValue Settlements ReferenceNumber Voucher DueDate PaymentMethod " + dims)

func (s *Sim) servePostDailyJournal(w http.ResponseWriter, sess *session, body []byte) {
	var req struct {
		Journal string `json:"Journal"`
		Lines   []row  `json:"Lines"`
		Date    string `json:"Date"`
		Comment string `json:"Comment"`
	}
	if err := decodeJSON(body, &req); err != nil {
		s.strictOr400(w, "PostDailyJournal: the body must be a DailyJournalRequest {Journal, Lines, Date, Comment}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	if findRow(c.Tables["GLDailyJournalClient"], "Journal", req.Journal) == nil {
		s.postFail(w, c, "CouldNotFind", "daily journal %q could not be found", req.Journal)
		return
	}
	if !s.strictLines(w, "PostDailyJournal: GLDailyJournalLineClient", dailyLineFields, req.Lines) {
		return
	}
	var lines []journalLine
	for _, r := range req.Lines {
		lines = append(lines, readDailyLine(r, req.Date))
	}
	if msg := s.checkLines(c, lines); msg != "" {
		s.postFail(w, c, "ErrorInJournal", "%s", msg)
		return
	}
	posted := s.postLinesLocked(c, lines)
	s.saveLocked()
	if s.dropLocked() {
		s.mu.Unlock()
		defer s.mu.Lock()
		lostReply()
	}
	writeJSON(w, postingAnswer{Err: 0, JournalPostedlId: posted})
}

// postLinesLocked books checked lines as one voucher and settles invoices.
func (s *Sim) postLinesLocked(c *company, lines []journalLine) int {
	posted := c.next("JournalPosted")
	voucher := c.next("Voucher")
	add := func(l journalLine, accountType, account string, amount decimal.Decimal, withDims bool) {
		s.st.Seq++
		r := row{"RowId": intNum(s.st.Seq), "Date": l.date, "Voucher": intNum(voucher), "JournalPostedId": intNum(posted),
			"Text": l.text, "ReferenceNumber": l.ref, "Currency": l.currency, "Amount": num(amount), "AmountCur": num(amount), "Account": account}
		if n, err := strconv.Atoi(l.invoice); err == nil {
			r["Invoice"] = intNum(n)
		}
		if withDims {
			r["Vat"] = l.vat
			for d, v := range l.dims {
				if v != "" {
					r[fmt.Sprintf("Dimension%d", d+1)] = v
				}
			}
		}
		switch tbl, _ := accountTable(accountType); tbl {
		case "DebtorClient":
			r["Account"], r["DCType"], r["DCAccount"] = "5600", "Debtor", account
			if inv := s.openInvoice(c, accountType, account, l.invoice); inv != nil && l.invoice != "" {
				inv[remaining] = num(toDec(inv[remaining]).Add(amount))
			}
		case "CreditorClient":
			r["Account"], r["DCType"], r["DCAccount"] = "6800", "Creditor", account
			if inv := s.openInvoice(c, accountType, account, l.invoice); inv != nil && l.invoice != "" {
				inv[remaining] = num(toDec(inv[remaining]).Add(amount))
			}
		}
		c.Tables["GLTransClient"] = append(c.Tables["GLTransClient"], r)
	}
	for _, l := range lines {
		if l.account != "" {
			add(l, l.accountType, l.account, l.amount, true)
		}
		if l.offsetAccount != "" {
			add(l, l.offsetType, l.offsetAccount, l.amount.Neg(), false)
		}
	}
	return posted
}

// makeSamplePayment books, once, the sample company's payment made "in
// Uniconta": Northfield's one transfer paying INV-1004 and INV-1007, as
// soon as both are posted.
func (s *Sim) makeSamplePayment(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.companyLocked(sess)
	if c == nil || c.ID != SandboxCompany || c.SamplePaid {
		return
	}
	var invs []row
	for _, code := range []string{"INV-1004", "INV-1007"} {
		inv := findRow(c.Tables["DebtorInvoiceClient"], "OurRef", code)
		if inv == nil {
			return
		}
		invs = append(invs, inv)
	}
	var lines []journalLine
	for _, inv := range invs {
		lines = append(lines, journalLine{accountType: "Debtor", account: str(inv["Account"]), offsetType: "Finans", offsetAccount: "090",
			invoice: fmt.Sprint(toInt(inv["InvoiceNumber"])), text: "Indbetaling " + str(inv["OurRef"]), currency: str(inv["Currency"]),
			amount: toDec(inv["TotalAmount"]).Neg(), date: stamp(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))})
	}
	s.postLinesLocked(c, lines)
	c.SamplePaid = true
	s.saveLocked()
}

// strictLines checks, in strict mode, that journal lines carry only the
// allowed properties; on a breach it answers and returns false. s.mu is
// held.
func (s *Sim) strictLines(w http.ResponseWriter, what string, allowed map[string]bool, lines []row) bool {
	if !s.strict {
		return true
	}
	for _, r := range lines {
		for k := range r {
			if !allowed[k] {
				s.mu.Unlock()
				s.violation(w, "%s has no property %q", what, k)
				s.mu.Lock()
				return false
			}
		}
	}
	return true
}

// openItems are a company's open invoices as DebtorTransOpenClient or
// CreditorTransOpenClient show them: what is still to be paid on each.
func openItems(c *company, creditor bool) []row {
	src := "DebtorInvoiceClient"
	if creditor {
		src = "CreditorInvoiceClient"
	}
	var out []row
	for _, inv := range c.Tables[src] {
		open := toDec(inv[remaining])
		if open.IsZero() {
			continue
		}
		r := row{"RowId": inv["RowId"], "Account": inv["Account"], "Currency": inv["Currency"], "Date": inv["Date"], "DueDate": inv["DueDate"],
			"Amount": inv["TotalAmount"], "AmountOpen": num(open)}
		if creditor {
			r["InvoiceAN"] = inv["InvoiceAN"]
			r["Amount"] = num(toDec(inv["TotalAmount"]).Neg())
		} else {
			r["Invoice"] = inv["InvoiceNumber"]
		}
		out = append(out, r)
	}
	return out
}
