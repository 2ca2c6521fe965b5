package unicontasim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// kind is the JSON type of a property as the WebAPI's OpenAPI document
// declares it.
type kind int

const (
	kString kind = iota
	kInt
	kNumber
	kBool
	kDate
)

// table describes one entity (a ClientTools class) the simulator serves.
type table struct {
	// Key is the primary-key property ("Account", "Item"); blank means the
	// rows are told apart by RowId only.
	Key string
	// Auto is a property the server numbers itself when it comes as 0
	// (OrderNumber, OfferNumber, InvoiceNumber).
	Auto     string
	Fields   map[string]kind
	ReadOnly map[string]bool
	Required []string
	// Refs are properties that must name an existing row of another
	// table (by that table's key).
	Refs map[string]string
	// Posted tables are filled by posting only: Crud refuses them.
	Posted bool
	// TableID is the number Uniconta's change notifications send.
	TableID int
	// Master is the table this one is notified as (for ...ClientUser).
	Master string
}

func fields(kinds map[string]kind, names string, k kind) {
	for _, n := range strings.Fields(names) {
		kinds[n] = k
	}
}

func set(names string) map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Fields(names) {
		out[n] = true
	}
	return out
}

const dims = "Dimension1 Dimension2 Dimension3 Dimension4 Dimension5"

func partyTable(debtor bool) *table {
	f := map[string]kind{}
	fields(f, "Account Name Group Address1 Address2 Address3 ZipCode City CountryName ContactPerson ContactEmail InvoiceEmail Phone MobilPhone VatNumber CompanyRegNo Currency Vat VatZone Payment PaymentFormat DeliveryName DeliveryAddress1 DeliveryAddress2 DeliveryAddress3 DeliveryZipCode DeliveryCity DeliveryCountryName EAN Www "+dims, kString)
	fields(f, "Country DeliveryCountry RowId", kInt)
	fields(f, "Blocked", kBool)
	fields(f, "CurBalance Overdue", kNumber)
	fields(f, "Created", kDate)
	t := &table{Key: "Account", Fields: f, ReadOnly: set("CurBalance Overdue Created"), Required: []string{"Account", "Name", "Group"},
		Refs: map[string]string{"Vat": "GLVatClient", "Payment": "PaymentTermClient"}}
	if debtor {
		f["CrmGroup"] = kString
		t.Refs["Group"] = "DebtorGroupClient"
		t.Refs["CrmGroup"] = "CrmGroupClient"
		t.Refs["PaymentFormat"] = "DebtorPaymentFormatClient"
		t.TableID = TableDebtor
	} else {
		fields(f, "PaymentMethod PaymentId", kString)
		t.Refs["Group"] = "CreditorGroupClient"
		t.Refs["PaymentFormat"] = "CreditorPaymentFormatClient"
		t.TableID = TableCreditor
	}
	return t
}

func orderTable(number, party string) *table {
	f := map[string]kind{}
	fields(f, "Account InvoiceAccount Currency YourRef OurRef Requisition Remark DeliveryName DeliveryAddress1 DeliveryCity DeliveryZipCode "+dims, kString)
	fields(f, number+" RowId", kInt)
	fields(f, "InvoiceDate DeliveryDate DueDate UpdatedAt", kDate)
	fields(f, "PricesInclVat", kBool)
	if party == "CreditorClient" {
		f["InvoiceNumber"] = kString
	}
	return &table{Key: number, Auto: number, Fields: f, ReadOnly: set("UpdatedAt"), Required: []string{"Account"},
		Refs: map[string]string{"Account": party}}
}

func lineTable(master string) *table {
	f := map[string]kind{}
	fields(f, "Item Text Vat PostingAccount Unit Currency "+dims, kString)
	fields(f, "OrderNumber RowId", kInt)
	fields(f, "Qty Price DiscountPct LineNumber", kNumber)
	fields(f, "UpdatedAt", kDate)
	return &table{Fields: f, ReadOnly: set("UpdatedAt"), Required: []string{"OrderNumber"},
		Refs: map[string]string{"Item": "InvItemClient", "Vat": "GLVatClient", "PostingAccount": "GLAccountClient",
			"Dimension1": "GLDimType1Client", "Dimension2": "GLDimType2Client", "Dimension3": "GLDimType3Client",
			"Dimension4": "GLDimType4Client", "Dimension5": "GLDimType5Client"}, Master: master}
}

func postedInvoiceTable(creditor bool) *table {
	f := map[string]kind{}
	fields(f, "Account Currency YourRef OurRef Requisition Name", kString)
	fields(f, "InvoiceNumber RowId", kInt)
	fields(f, "Date DueDate", kDate)
	fields(f, "NetAmount VatAmount TotalAmount", kNumber)
	fields(f, "PricesInclVat", kBool)
	t := &table{Key: "InvoiceNumber", Fields: f, Posted: true}
	if creditor {
		f["InvoiceAN"] = kString
		t.Key = ""
	}
	return t
}

func postedLineTable() *table {
	f := map[string]kind{}
	fields(f, "Item Text Vat PostingAccount Unit Currency "+dims, kString)
	fields(f, "InvoiceRowId RowId", kInt)
	fields(f, "Qty Price DiscountPct LineNumber NetAmount", kNumber)
	return &table{Fields: f, Posted: true}
}

func simpleTable(key string, strs, nums, bools string) *table {
	f := map[string]kind{"RowId": kInt}
	fields(f, strs, kString)
	fields(f, nums, kNumber)
	fields(f, bools, kBool)
	if key != "" {
		f[key] = kString
	}
	return &table{Key: key, Fields: f, Required: []string{key}}
}

// Table numbers the change notifications send. Debtor (50) and InvItem
// (23) are as a public plugin reads them; the creditor's number is not
// published and is the simulator's own choice.
const (
	TableDebtor   = 50
	TableCreditor = 52
	TableItem     = 23
)

// schema is every table the simulator serves, by entity name.
func schema() map[string]*table {
	s := map[string]*table{
		"DebtorClient":                partyTable(true),
		"CreditorClient":              partyTable(false),
		"DebtorOrderClient":           orderTable("OrderNumber", "DebtorClient"),
		"DebtorOrderLineClient":       lineTable("DebtorOrderClient"),
		"DebtorOfferClient":           orderTable("OfferNumber", "DebtorClient"),
		"DebtorOfferLineClient":       lineTable("DebtorOfferClient"),
		"CreditorOrderClient":         orderTable("OrderNumber", "CreditorClient"),
		"CreditorOrderLineClient":     lineTable("CreditorOrderClient"),
		"DebtorInvoiceClient":         postedInvoiceTable(false),
		"DebtorInvoiceLines":          postedLineTable(),
		"CreditorInvoiceClient":       postedInvoiceTable(true),
		"CreditorInvoiceLines":        postedLineTable(),
		"GLAccountClient":             simpleTable("Account", "Name AccountType Vat SystemAccount Currency", "", "Blocked BlockedInJournal"),
		"GLVatClient":                 simpleTable("Vat", "Name Account OffsetAccount VatType", "Rate", "Blocked"),
		"InvItemClient":               simpleTable("Item", "Name ItemType Group Unit EAN", "SalesPrice1 PurchasePrice CostPrice", "Blocked"),
		"BankStatementClient":         simpleTable("Account", "Name Journal IBAN SWIFT Currency", "", ""),
		"DebtorPaymentFormatClient":   simpleTable("Format", "Name PaymentMethod BankAccount Journal", "", "IsDefault"),
		"CreditorPaymentFormatClient": simpleTable("Format", "Name PaymentMethod BankAccount Journal", "", "IsDefault"),
		"PaymentTermClient":           simpleTable("Payment", "Name PaymentMethod", "Days", "EndOfMonth"),
		"DebtorGroupClient":           simpleTable("Group", "Name RevenueAccount SalesVat", "", "IsDefault"),
		"CreditorGroupClient":         simpleTable("Group", "Name", "", "IsDefault"),
		"CrmGroupClient":              simpleTable("Group", "Name", "", ""),
		"GLDailyJournalClient":        simpleTable("Journal", "Name NumberSerie", "", "GenerateVoucher"),
		"TableFieldsClient":           simpleTable("", "Name Prompt Type Format", "", "Mandatory ReadOnly"),
	}
	for i := 1; i <= 5; i++ {
		s[fmt.Sprintf("GLDimType%dClient", i)] = simpleTable("Dimension", "Name", "", "Blocked")
	}
	s["TableFieldsClient"].Fields["TableNo"] = kInt
	s["TableFieldsClient"].Required = []string{"TableNo", "Name"}
	s["TableFieldsClient"].Key = ""
	for _, n := range []string{"BankStatementClient", "GLAccountClient", "GLVatClient", "InvItemClient", "DebtorGroupClient", "CreditorGroupClient"} {
		s[n].Fields["Dimension1"] = kString
	}
	s["InvItemClient"].TableID = TableItem

	gl := map[string]kind{}
	fields(gl, "Account Text DCType DCAccount ReferenceNumber Currency Vat "+dims, kString)
	fields(gl, "RowId Voucher Invoice JournalPostedId", kInt)
	fields(gl, "Amount AmountCur", kNumber)
	fields(gl, "Date", kDate)
	s["GLTransClient"] = &table{Fields: gl, Posted: true}

	ev := map[string]kind{}
	fields(ev, "Url Argument Job ErrorMessage", kString)
	fields(ev, "TableId UsePost RowId", kInt)
	fields(ev, "HasError Disable OnlyOnCreate", kBool)
	fields(ev, "LastEvent", kDate)
	s["TableChangeEventClient"] = &table{Fields: ev, ReadOnly: set("ErrorMessage LastEvent"), Required: []string{"Url"}}

	for _, name := range []string{"DebtorTransOpenClient", "CreditorTransOpenClient"} {
		op := map[string]kind{}
		fields(op, "Account InvoiceAN Currency", kString)
		fields(op, "RowId Invoice", kInt)
		fields(op, "Amount AmountOpen", kNumber)
		fields(op, "Date DueDate", kDate)
		s[name] = &table{Fields: op, Posted: true}
	}

	co := map[string]kind{}
	fields(co, "CompanyName Currency", kString)
	fields(co, "Id RowId", kInt)
	s["CompanyClient"] = &table{Key: "Id", Fields: co, Posted: true}
	return s
}

// userVariant says whether name is a "...ClientUser" entity, which carries
// the table's custom fields as top-level properties, and returns its base.
func userVariant(name string) (string, bool) {
	if base, ok := strings.CutSuffix(name, "ClientUser"); ok && base != "" {
		return base + "Client", true
	}
	return name, false
}

// checkKind reports whether v (decoded with UseNumber) fits k.
func checkKind(v any, k kind) bool {
	if v == nil {
		return true
	}
	switch k {
	case kString:
		_, ok := v.(string)
		return ok
	case kInt:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	case kNumber:
		_, ok := v.(json.Number)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	case kDate:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := parseDate(s)
		return err == nil
	}
	return false
}
