package kashflowsim

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The simulator's own reading of KashFlow's WSDL types. Fields are in the
// WSDL's sequence order, which strict mode enforces on requests. Value
// types (int, decimal, boolean, dateTime) are required elements, as
// ASP.NET publishes them (minOccurs="1"); a field tagged kf:"opt" is an
// optional value (xs:integer in the WSDL).

// Money is an xs:decimal.
type Money struct{ decimal.Decimal }

// MarshalText writes the decimal as KashFlow does, plainly.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads an xs:decimal.
func (m *Money) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		m.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("%q is not a decimal", s)
	}
	m.Decimal = d
	return nil
}

func money(s string) Money { return Money{decimal.RequireFromString(s)} }

// DateTime is an xs:dateTime as .NET writes it (no zone).
type DateTime struct{ time.Time }

const dateTimeLayout = "2006-01-02T15:04:05"

// MarshalText writes the time in .NET's form.
func (d DateTime) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte("0001-01-01T00:00:00"), nil
	}
	return []byte(d.UTC().Format(dateTimeLayout)), nil
}

// UnmarshalText reads the forms an xs:dateTime may take.
func (d *DateTime) UnmarshalText(b []byte) error {
	t, err := parseDateTime(string(b))
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{dateTimeLayout, "2006-01-02T15:04:05.999999999", time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() <= 1 {
				return time.Time{}, nil
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an xs:dateTime", s)
}

// Customer is KashFlow's Customer type.
type Customer struct {
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
	Discount               Money
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
	Created                DateTime
	Updated                DateTime
	CurrencyID             int
	ContactTitle           string
	ContactFirstName       string
	ContactLastName        string
	CustHasDeliveryAddress string `kf:"opt,integer"`
	DeliveryAddress1       string
	DeliveryAddress2       string
	DeliveryAddress3       string
	DeliveryAddress4       string
	DeliveryCountryName    string
	DeliveryCountryCode    string
	DeliveryPostcode       string
	VATNumber              string
}

// Supplier is KashFlow's Supplier type (note PostCode's capital C).
type Supplier struct {
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
	Created          DateTime
	Updated          DateTime
	EC               int
	VATNumber        string
	Notes            string
	CurrencyID       int
	PaymentTerms     int
	ContactTitle     string
	ContactFirstName string
	ContactLastName  string
}

// InvoiceLine is one line of an Invoice, sent as <anyType xsi:type="InvoiceLine">.
type InvoiceLine struct {
	XSIType          string `xml:"type,attr" kf:"xsitype"`
	Quantity         Money
	Description      string
	Rate             Money
	ChargeType       int
	VatRate          Money
	VatAmount        Money
	ProductID        int
	Sort             int
	ProjID           int
	LineID           int
	ValuesInCurrency string `kf:"opt,integer"`
}

// LineArray is an ArrayOfAnyType of invoice lines.
type LineArray struct {
	Lines []InvoiceLine `xml:"anyType"`
}

// DeliveryAddress is KashFlow's DeliveryAddress type.
type DeliveryAddress struct {
	Name        string
	Line1       string
	Line2       string
	Line3       string
	Line4       string
	PostCode    string
	CountryName string
	CountryCode string
}

// Invoice is KashFlow's one document type: sales invoice, quote and receipt.
type Invoice struct {
	InvoiceDBID              int
	InvoiceNumber            int
	InvoiceDate              DateTime
	DueDate                  DateTime
	Customer                 string
	CustomerID               int
	Paid                     int
	CustomerReference        string
	EstimateCategory         string
	SuppressTotal            int
	ProjectID                int
	CurrencyCode             string
	ExchangeRate             Money
	ReadableString           string
	Lines                    *LineArray
	NetAmount                Money
	VATAmount                Money
	AmountPaid               Money
	CustomerName             string
	PermaLink                string
	DeliveryAddress          *DeliveryAddress
	UseCustomDeliveryAddress bool
}

// Payment is KashFlow's Payment type, for invoice and receipt payments.
type Payment struct {
	PayID      int
	PayInvoice int
	PayDate    DateTime
	PayNote    string
	PayMethod  int
	PayAccount int
	PayAmount  Money
}

// JournalLine is one line of a journal, sent as <anyType xsi:type="JournalLine">.
type JournalLine struct {
	XSIType   string `xml:"type,attr" kf:"xsitype"`
	NominalID int
	Amount    Money
	Comment   string
	ProjId    int
}

// JournalLineArray is an ArrayOfAnyType of journal lines.
type JournalLineArray struct {
	Lines []JournalLine `xml:"anyType"`
}

// JournalEntry is KashFlow's JournalEntry type.
type JournalEntry struct {
	DBID          int
	JournalNumber int
	JournalDate   DateTime
	Comment       string
	Lines         *JournalLineArray
}

// NominalCode is KashFlow's NominalCode type (lower-case id, debit, credit, balance).
type NominalCode struct {
	ID      int    `xml:"id"`
	Code    int    `xml:"Code"`
	Name    string `xml:"Name"`
	Debit   Money  `xml:"debit"`
	Credit  Money  `xml:"credit"`
	Balance Money  `xml:"balance"`
}

// BasicDataset is KashFlow's BasicDataset type (the VAT rates).
type BasicDataset struct {
	ID          int
	Name        string
	Description string
	Value       Money
}

// BankAccount is KashFlow's BankAccount type.
type BankAccount struct {
	AccountID   int
	AccountName string
	AccountCode int
}

// PaymentMethod is KashFlow's PaymentMethod type.
type PaymentMethod struct {
	MethodID   int
	MethodName string
}

// Product is KashFlow's Product type.
type Product struct {
	ProductID          int
	ProductName        string
	ProductCode        int
	ProductDescription string
	ManageStockLevels  int
	QtyInStock         int
	ProductPrice       Money
}

// CompanyDetails is KashFlow's CompanyDetails type.
type CompanyDetails struct {
	CompanyName           string
	Address1              string
	Address2              string
	Address3              string
	Address4              string
	Postcode              string
	PrimaryEmail          string
	PrimaryContact        string
	Telephone             string
	Mobile                string
	VatRegistered         string
	VatRegistrationNumber string
	PaymentTerms          int
	CurrencySymbol        string
	CurrencyPosition      string
	UsDate                string
	CurrencyId            int
	CurrencyName          string
	BusinessType1         int
	BusinessType2         int
	BusinessType3         int
	PaymentTermsType      string
	BusinessType1Name     string
	BusinessType2Name     string
	BusinessType3Name     string
	BusinessType          int
}

// arrays, as the WSDL's ArrayOfX types name their elements.
type (
	arrayOfCustomer struct {
		Items []Customer `xml:"Customer"`
	}
	arrayOfSupplier struct {
		Items []Supplier `xml:"Supplier"`
	}
	arrayOfInvoice struct {
		Items []Invoice `xml:"Invoice"`
	}
	arrayOfPayment struct {
		Items []Payment `xml:"Payment"`
	}
	arrayOfJournalEntry struct {
		Items []JournalEntry `xml:"JournalEntry"`
	}
	arrayOfNominalCode struct {
		Items []NominalCode `xml:"NominalCode"`
	}
	arrayOfBasicDataset struct {
		Items []BasicDataset `xml:"BasicDataset"`
	}
	arrayOfBankAccount struct {
		Items []BankAccount `xml:"BankAccount"`
	}
	arrayOfPaymentMethod struct {
		Items []PaymentMethod `xml:"PaymentMethod"`
	}
	arrayOfProduct struct {
		Items []Product `xml:"Product"`
	}
)

var _ = xml.Name{}
