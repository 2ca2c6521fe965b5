package kashflow

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The connector's reading of KashFlow's WSDL types, fields in the WSDL's
// sequence order (ASP.NET checks it). Value-typed fields are always sent:
// the WSDL makes them required.

// amount is an xs:decimal that reads an empty element as zero.
type amount struct{ decimal.Decimal }

func (a amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func (a *amount) UnmarshalText(b []byte) error {
	d, err := parseDecimal(string(b))
	if err != nil {
		return err
	}
	a.Decimal = d
	return nil
}

func parseDecimal(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a decimal number", s) // words:log: detail under the words of an unreadable answer

	}
	return d, nil
}

// dateTime is an xs:dateTime as KashFlow writes it.
type dateTime struct{ time.Time }

func (d dateTime) MarshalText() ([]byte, error) { return []byte(formatDateTime(d.Time)), nil }

func (d *dateTime) UnmarshalText(b []byte) error {
	t, err := parseDateTime(string(b))
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

type wCustomer struct {
	CustomerID             int
	Code                   string
	Name                   string
	Contact                string
	Telephone              string
	Mobile                 string
	Fax                    string
	Email                  string
	Address1               string
	Address2               string
	Address3               string
	Address4               string
	CountryName            string
	CountryCode            string
	Postcode               string
	Website                string
	EC                     int
	OutsideEC              int
	Notes                  string
	Source                 int
	Discount               amount
	ShowDiscount           bool
	PaymentTerms           int
	ExtraText1             string
	ExtraText2             string
	ExtraText3             string
	ExtraText4             string
	ExtraText5             string
	ExtraText6             string
	ExtraText7             string
	ExtraText8             string
	ExtraText9             string
	ExtraText10            string
	ExtraText11            string
	ExtraText12            string
	ExtraText13            string
	ExtraText14            string
	ExtraText15            string
	ExtraText16            string
	ExtraText17            string
	ExtraText18            string
	ExtraText19            string
	ExtraText20            string
	CheckBox1              int
	CheckBox2              int
	CheckBox3              int
	CheckBox4              int
	CheckBox5              int
	CheckBox6              int
	CheckBox7              int
	CheckBox8              int
	CheckBox9              int
	CheckBox10             int
	CheckBox11             int
	CheckBox12             int
	CheckBox13             int
	CheckBox14             int
	CheckBox15             int
	CheckBox16             int
	CheckBox17             int
	CheckBox18             int
	CheckBox19             int
	CheckBox20             int
	Created                dateTime
	Updated                dateTime
	CurrencyID             int
	ContactTitle           string
	ContactFirstName       string
	ContactLastName        string
	CustHasDeliveryAddress string `xml:",omitempty"`
	DeliveryAddress1       string
	DeliveryAddress2       string
	DeliveryAddress3       string
	DeliveryAddress4       string
	DeliveryCountryName    string
	DeliveryCountryCode    string
	DeliveryPostcode       string
	VATNumber              string
}

type wSupplier struct {
	SupplierID       int
	Code             string
	Name             string
	Contact          string
	Mobile           string
	Fax              string
	Address1         string
	Address2         string
	Address3         string
	Address4         string
	PostCode         string
	Telephone        string
	Website          string
	Email            string
	Created          dateTime
	Updated          dateTime
	EC               int
	VATNumber        string
	Notes            string
	CurrencyID       int
	PaymentTerms     int
	ContactTitle     string
	ContactFirstName string
	ContactLastName  string
}

// wLine is an InvoiceLine, sent as <anyType xsi:type="InvoiceLine">.
type wLine struct {
	TypeOut     string `xml:"xsi:type,attr,omitempty"`
	Quantity    amount
	Description string
	Rate        amount
	ChargeType  int
	VatRate     amount
	VatAmount   amount
	ProductID   int
	Sort        int
	ProjID      int
	LineID      int
}

type wLines struct {
	Lines []wLine `xml:"anyType"`
}

type wInvoice struct {
	InvoiceDBID              int
	InvoiceNumber            int
	InvoiceDate              dateTime
	DueDate                  dateTime
	Customer                 string
	CustomerID               int
	Paid                     int
	CustomerReference        string
	EstimateCategory         string
	SuppressTotal            int
	ProjectID                int
	CurrencyCode             string
	ExchangeRate             amount
	ReadableString           string
	Lines                    *wLines
	NetAmount                amount
	VATAmount                amount
	AmountPaid               amount
	CustomerName             string
	PermaLink                string
	UseCustomDeliveryAddress bool
}

type wPayment struct {
	PayID      int
	PayInvoice int
	PayDate    dateTime
	PayNote    string
	PayMethod  int
	PayAccount int
	PayAmount  amount
}

type wJournalLine struct {
	TypeOut   string `xml:"xsi:type,attr,omitempty"`
	NominalID int
	Amount    amount
	Comment   string
	ProjId    int
}

type wJournalLines struct {
	Lines []wJournalLine `xml:"anyType"`
}

type wJournal struct {
	DBID          int
	JournalNumber int
	JournalDate   dateTime
	Comment       string
	Lines         *wJournalLines
}

type wNominal struct {
	ID   int    `xml:"id"`
	Code int    `xml:"Code"`
	Name string `xml:"Name"`
}

type wVATRate struct {
	ID          int
	Name        string
	Description string
	Value       amount
}

type wBank struct {
	AccountID   int
	AccountName string
	AccountCode int
}

type wMethod struct {
	MethodID   int
	MethodName string
}

type wProduct struct {
	ProductID          int
	ProductName        string
	ProductCode        int
	ProductDescription string
	ProductPrice       amount
}

type wCompany struct {
	CompanyName    string
	CurrencySymbol string
	CurrencyName   string
}

type (
	customers struct {
		Items []wCustomer `xml:"Customer"`
	}
	suppliers struct {
		Items []wSupplier `xml:"Supplier"`
	}
	invoices struct {
		Items []wInvoice `xml:"Invoice"`
	}
	payments struct {
		Items []wPayment `xml:"Payment"`
	}
	journals struct {
		Items []wJournal `xml:"JournalEntry"`
	}
	nominals struct {
		Items []wNominal `xml:"NominalCode"`
	}
	vatRates struct {
		Items []wVATRate `xml:"BasicDataset"`
	}
	banks struct {
		Items []wBank `xml:"BankAccount"`
	}
	methods struct {
		Items []wMethod `xml:"PaymentMethod"`
	}
	products struct {
		Items []wProduct `xml:"Product"`
	}
)
