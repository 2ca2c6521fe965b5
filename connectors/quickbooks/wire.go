package quickbooks

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
)

// amount is a money or quantity value written as a JSON number, as
// QuickBooks expects (decimal.Decimal alone writes a string).
type amount struct{ decimal.Decimal }

func amt(d decimal.Decimal) *amount { return &amount{d} }

func (a amount) MarshalJSON() ([]byte, error) { return []byte(a.Decimal.String()), nil }

func (a *amount) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if len(b) == 0 || string(b) == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a number", b) // words:log: detail of a decoding failure
	}
	a.Decimal = d
	return nil
}

func (a *amount) dec() decimal.Decimal {
	if a == nil {
		return decimal.Zero
	}
	return a.Decimal
}

// ref is a ReferenceType: another entity's Id (and name).
type ref struct {
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

func refTo(id string) *ref {
	if id == "" {
		return nil
	}
	return &ref{Value: id}
}

func (r *ref) id() string {
	if r == nil {
		return ""
	}
	return r.Value
}

type physicalAddress struct {
	Line1                  string `json:"Line1,omitempty"`
	Line2                  string `json:"Line2,omitempty"`
	City                   string `json:"City,omitempty"`
	CountrySubDivisionCode string `json:"CountrySubDivisionCode,omitempty"`
	PostalCode             string `json:"PostalCode,omitempty"`
	Country                string `json:"Country,omitempty"`
}

type emailAddress struct {
	Address string `json:"Address"`
}

type telephone struct {
	FreeFormNumber string `json:"FreeFormNumber"`
}

type metaData struct {
	CreateTime      string `json:"CreateTime,omitempty"`
	LastUpdatedTime string `json:"LastUpdatedTime,omitempty"`
}

// entityBase is what every entity carries.
type entityBase struct {
	ID        string    `json:"Id,omitempty"`
	SyncToken string    `json:"SyncToken,omitempty"`
	Sparse    bool      `json:"sparse,omitempty"`
	MetaData  *metaData `json:"MetaData,omitempty"`
	// Status is "Deleted" on the stubs change data capture reports.
	Status string `json:"status,omitempty"`
}

// nameEntity is a Customer or a Vendor.
type nameEntity struct {
	entityBase
	DisplayName      string           `json:"DisplayName,omitempty"`
	CompanyName      string           `json:"CompanyName,omitempty"`
	GivenName        string           `json:"GivenName,omitempty"`
	FamilyName       string           `json:"FamilyName,omitempty"`
	AcctNum          string           `json:"AcctNum,omitempty"`
	PrimaryEmailAddr *emailAddress    `json:"PrimaryEmailAddr,omitempty"`
	PrimaryPhone     *telephone       `json:"PrimaryPhone,omitempty"`
	BillAddr         *physicalAddress `json:"BillAddr,omitempty"`
	ShipAddr         *physicalAddress `json:"ShipAddr,omitempty"`
	CurrencyRef      *ref             `json:"CurrencyRef,omitempty"`
	Active           *bool            `json:"Active,omitempty"`
	Notes            string           `json:"Notes,omitempty"`
}

type linkedTxn struct {
	TxnID     string `json:"TxnId"`
	TxnType   string `json:"TxnType"`
	TxnLineID string `json:"TxnLineId,omitempty"`
}

type salesItemDetail struct {
	ItemRef        *ref    `json:"ItemRef,omitempty"`
	ClassRef       *ref    `json:"ClassRef,omitempty"`
	UnitPrice      *amount `json:"UnitPrice,omitempty"`
	Qty            *amount `json:"Qty,omitempty"`
	ItemAccountRef *ref    `json:"ItemAccountRef,omitempty"`
	TaxCodeRef     *ref    `json:"TaxCodeRef,omitempty"`
	DiscountRate   *amount `json:"DiscountRate,omitempty"`
}

type accountExpenseDetail struct {
	AccountRef *ref `json:"AccountRef,omitempty"`
	ClassRef   *ref `json:"ClassRef,omitempty"`
	TaxCodeRef *ref `json:"TaxCodeRef,omitempty"`
}

type itemExpenseDetail struct {
	ItemRef        *ref    `json:"ItemRef,omitempty"`
	ClassRef       *ref    `json:"ClassRef,omitempty"`
	UnitPrice      *amount `json:"UnitPrice,omitempty"`
	Qty            *amount `json:"Qty,omitempty"`
	ItemAccountRef *ref    `json:"ItemAccountRef,omitempty"`
	TaxCodeRef     *ref    `json:"TaxCodeRef,omitempty"`
}

type entityRef struct {
	Type      string `json:"Type"`
	EntityRef *ref   `json:"EntityRef"`
}

type journalDetail struct {
	PostingType   string     `json:"PostingType"`
	AccountRef    *ref       `json:"AccountRef"`
	Entity        *entityRef `json:"Entity,omitempty"`
	ClassRef      *ref       `json:"ClassRef,omitempty"`
	DepartmentRef *ref       `json:"DepartmentRef,omitempty"`
}

// line is a Line of any transaction; DetailType says which detail is set.
type line struct {
	ID                            string                `json:"Id,omitempty"`
	Description                   string                `json:"Description,omitempty"`
	Amount                        *amount               `json:"Amount,omitempty"`
	DetailType                    string                `json:"DetailType,omitempty"`
	SalesItemLineDetail           *salesItemDetail      `json:"SalesItemLineDetail,omitempty"`
	AccountBasedExpenseLineDetail *accountExpenseDetail `json:"AccountBasedExpenseLineDetail,omitempty"`
	ItemBasedExpenseLineDetail    *itemExpenseDetail    `json:"ItemBasedExpenseLineDetail,omitempty"`
	JournalEntryLineDetail        *journalDetail        `json:"JournalEntryLineDetail,omitempty"`
	LinkedTxn                     []linkedTxn           `json:"LinkedTxn,omitempty"`
}

type txnTaxDetail struct {
	TotalTax *amount `json:"TotalTax,omitempty"`
}

type billPaymentCheck struct {
	BankAccountRef *ref `json:"BankAccountRef"`
}

// txn is any transaction: Invoice, Estimate, CreditMemo, Bill,
// VendorCredit, Payment, BillPayment, JournalEntry. Only the fields of the
// entity at hand are filled (QuickBooks refuses fields an entity lacks).
type txn struct {
	entityBase
	DocNumber            string            `json:"DocNumber,omitempty"`
	TxnDate              string            `json:"TxnDate,omitempty"`
	DueDate              string            `json:"DueDate,omitempty"`
	PrivateNote          string            `json:"PrivateNote,omitempty"`
	TxnStatus            string            `json:"TxnStatus,omitempty"`
	CustomerRef          *ref              `json:"CustomerRef,omitempty"`
	VendorRef            *ref              `json:"VendorRef,omitempty"`
	CurrencyRef          *ref              `json:"CurrencyRef,omitempty"`
	GlobalTaxCalculation string            `json:"GlobalTaxCalculation,omitempty"`
	Line                 []line            `json:"Line,omitempty"`
	TxnTaxDetail         *txnTaxDetail     `json:"TxnTaxDetail,omitempty"`
	TotalAmt             *amount           `json:"TotalAmt,omitempty"`
	Balance              *amount           `json:"Balance,omitempty"`
	RemainingCredit      *amount           `json:"RemainingCredit,omitempty"`
	UnappliedAmt         *amount           `json:"UnappliedAmt,omitempty"`
	LinkedTxn            []linkedTxn       `json:"LinkedTxn,omitempty"`
	PaymentRefNum        string            `json:"PaymentRefNum,omitempty"`
	DepositToAccountRef  *ref              `json:"DepositToAccountRef,omitempty"`
	PayType              string            `json:"PayType,omitempty"`
	CheckPayment         *billPaymentCheck `json:"CheckPayment,omitempty"`
	Adjustment           *bool             `json:"Adjustment,omitempty"`
}

// account is an Account of the chart of accounts.
type account struct {
	entityBase
	Name           string  `json:"Name"`
	AcctNum        string  `json:"AcctNum,omitempty"`
	AccountType    string  `json:"AccountType,omitempty"`
	AccountSubType string  `json:"AccountSubType,omitempty"`
	Classification string  `json:"Classification,omitempty"`
	Active         *bool   `json:"Active,omitempty"`
	CurrencyRef    *ref    `json:"CurrencyRef,omitempty"`
	TaxCodeRef     *ref    `json:"TaxCodeRef,omitempty"`
	CurrentBalance *amount `json:"CurrentBalance,omitempty"`
}

type taxRateDetail struct {
	TaxRateRef *ref `json:"TaxRateRef"`
}

type taxRateList struct {
	TaxRateDetail []taxRateDetail `json:"TaxRateDetail"`
}

type taxCode struct {
	entityBase
	Name                string       `json:"Name"`
	Description         string       `json:"Description,omitempty"`
	Active              *bool        `json:"Active,omitempty"`
	SalesTaxRateList    *taxRateList `json:"SalesTaxRateList,omitempty"`
	PurchaseTaxRateList *taxRateList `json:"PurchaseTaxRateList,omitempty"`
}

type taxRate struct {
	entityBase
	Name      string  `json:"Name"`
	RateValue *amount `json:"RateValue,omitempty"`
	Active    *bool   `json:"Active,omitempty"`
}

type item struct {
	entityBase
	Name              string  `json:"Name,omitempty"`
	Sku               string  `json:"Sku,omitempty"`
	Description       string  `json:"Description,omitempty"`
	Type              string  `json:"Type,omitempty"`
	UnitPrice         *amount `json:"UnitPrice,omitempty"`
	PurchaseCost      *amount `json:"PurchaseCost,omitempty"`
	IncomeAccountRef  *ref    `json:"IncomeAccountRef,omitempty"`
	ExpenseAccountRef *ref    `json:"ExpenseAccountRef,omitempty"`
	AssetAccountRef   *ref    `json:"AssetAccountRef,omitempty"`
	TrackQtyOnHand    *bool   `json:"TrackQtyOnHand,omitempty"`
	QtyOnHand         *amount `json:"QtyOnHand,omitempty"`
	InvStartDate      string  `json:"InvStartDate,omitempty"`
	Active            *bool   `json:"Active,omitempty"`
}

// named is any name-list entity read for its Id and Name alone (Class,
// Department, PaymentMethod).
type named struct {
	entityBase
	Name   string `json:"Name"`
	Type   string `json:"Type,omitempty"`
	Active *bool  `json:"Active,omitempty"`
}

type companyInfo struct {
	CompanyName string `json:"CompanyName"`
	Country     string `json:"Country"`
}

type preferences struct {
	CurrencyPrefs struct {
		HomeCurrency *ref `json:"HomeCurrency"`
	} `json:"CurrencyPrefs"`
	AccountingInfoPrefs struct {
		BookCloseDate string `json:"BookCloseDate"`
	} `json:"AccountingInfoPrefs"`
}

// fault is the Fault of an answer.
type fault struct {
	Error []faultError `json:"Error"`
	Type  string       `json:"type"`
}

type faultError struct {
	Message string `json:"Message"`
	Detail  string `json:"Detail"`
	Code    string `json:"code"`
	Element string `json:"element"`
}

// queryResponse is the QueryResponse object: one list per entity (raw,
// decoded by the caller), and the paging fields.
type queryResponse struct {
	StartPosition int `json:"startPosition"`
	MaxResults    int `json:"maxResults"`
	TotalCount    int `json:"totalCount"`
	lists         map[string]json.RawMessage
}

func (q *queryResponse) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	q.lists = map[string]json.RawMessage{}
	for k, v := range all {
		var err error
		switch k {
		case "startPosition":
			err = json.Unmarshal(v, &q.StartPosition)
		case "maxResults":
			err = json.Unmarshal(v, &q.MaxResults)
		case "totalCount":
			err = json.Unmarshal(v, &q.TotalCount)
		default:
			q.lists[k] = v
		}
		if err != nil {
			return fmt.Errorf("QueryResponse.%s: %w", k, err)
		}
	}
	return nil
}

// batchItemRequest is one operation of a batch.
type batchItemRequest struct {
	BID       string
	Operation string
	Entity    string
	Body      any
	Query     string
}

func (b batchItemRequest) MarshalJSON() ([]byte, error) {
	m := map[string]any{"bId": b.BID}
	if b.Query != "" {
		m["Query"] = b.Query
	} else {
		m["operation"] = b.Operation
		m[b.Entity] = b.Body
	}
	return json.Marshal(m)
}

// batchItemResponse is one answer of a batch: a Fault, a QueryResponse or
// the entity (kept raw).
type batchItemResponse struct {
	BID           string
	Fault         *fault
	QueryResponse *queryResponse
	Entity        json.RawMessage
}

func (b *batchItemResponse) UnmarshalJSON(raw []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return err
	}
	for k, v := range all {
		var err error
		switch k {
		case "bId":
			err = json.Unmarshal(v, &b.BID)
		case "Fault":
			b.Fault = &fault{}
			err = json.Unmarshal(v, b.Fault)
		case "QueryResponse":
			b.QueryResponse = &queryResponse{}
			err = json.Unmarshal(v, b.QueryResponse)
		case "time":
		default:
			b.Entity = v
		}
		if err != nil {
			return fmt.Errorf("BatchItemResponse.%s: %w", k, err)
		}
	}
	return nil
}
