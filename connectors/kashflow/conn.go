package kashflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/kashflow/kashflowsim"
	"ledgerlink/connectors/simkit"
)

// sandboxStateFile is the Sandbox simulator's file in the module's folder.
const sandboxStateFile = "kashflow-sandbox.json"

// fingerprintFile keeps what the last reads saw, in the module's folder.
const fingerprintFile = "kashflow-fingerprints.json"

// defaultPageSize is how many records one page of ListChanged hands over
// (KashFlow answers a list whole; the connector pages it).
const defaultPageSize = 100

// Option adjusts a connection; the defaults suit the real KashFlow.
type Option func(*Conn)

// WithClock sets the clock that stamps the fingerprints' change times.
func WithClock(now func() time.Time) Option { return func(c *Conn) { c.now = now } }

// WithPageSize sets how many records a page of ListChanged carries.
func WithPageSize(n int) Option { return func(c *Conn) { c.pageSize = max(n, 1) } }

// WithCallCounter is told the operation of every call made.
func WithCallCounter(f func(op string)) Option { return func(c *Conn) { c.soap.counted = f } }

// Conn is an open connection to one KashFlow company. It implements
// connectors.Connection, Lister, Writer, Reader, Explainer and Closer, and
// is safe for concurrent use.
type Conn struct {
	soap        *client
	log         *slog.Logger
	now         func() time.Time
	pageSize    int
	historyFrom time.Time
	invMethod   string
	recMethod   string
	sim         *kashflowsim.Sim
	prints      *fingerprints

	mu  sync.Mutex
	ref *reference
	// unfinished holds the payments of the last reads that miss parts.
	unfinished map[string]bool
}

var (
	_ connectors.Connection = (*Conn)(nil)
	_ connectors.Lister     = (*Conn)(nil)
	_ connectors.Writer     = (*Conn)(nil)
	_ connectors.Reader     = (*Conn)(nil)
	_ connectors.Explainer  = (*Conn)(nil)
	_ connectors.Closer     = (*Conn)(nil)
)

// Open prepares a connection; it does no I/O until first used (except, in
// the Sandbox, loading the simulator's saved state).
func Open(ctx context.Context, cfg connectors.Config, opts ...Option) (*Conn, error) {
	endpoint := strings.TrimSpace(cfg.Setting(KeyEndpoint, DefaultEndpoint))
	if err := ValidateEndpoint(endpoint); err != nil {
		return nil, fmt.Errorf("the KashFlow API address %w", err)
	}
	from, err := connectors.ParseDate(cfg.Setting(KeyHistoryFrom, defaultHistoryFrom))
	if err != nil {
		return nil, fmt.Errorf("the KashFlow option %q: %w", KeyHistoryFrom, err)
	}
	c := &Conn{
		soap:        &client{endpoint: endpoint, hc: httpClient(cfg)},
		log:         cfg.Logger,
		now:         time.Now,
		pageSize:    defaultPageSize,
		historyFrom: from.Time,
		invMethod:   strings.TrimSpace(cfg.Setting(KeyInvoicePayMethod, "")),
		recMethod:   strings.TrimSpace(cfg.Setting(KeyReceiptPayMethod, "")),
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, o := range opts {
		o(c)
	}
	path := ""
	if cfg.DataDir != "" {
		path = filepath.Join(cfg.DataDir, fingerprintFile)
	}
	if c.prints, err = loadFingerprints(path); err != nil {
		return nil, err
	}
	if cfg.Sandbox {
		return c, c.openSandbox(cfg, endpoint)
	}
	c.soap.user = strings.TrimSpace(cfg.Setting(KeyUsername, ""))
	if c.soap.user == "" {
		return nil, own.Fail(nil, "kashflow.signin.enter_username")
	}
	if cfg.Secrets == nil {
		return nil, own.Fail(nil, "kashflow.signin.no_keyring_to_read")
	}
	pw, err := cfg.Secrets.Get(ctx, KeyPassword)
	switch {
	case errors.Is(err, connectors.ErrSecretNotFound) || (err == nil && pw == ""):
		return nil, own.Fail(nil, "kashflow.signin.enter_password")
	case err != nil:
		return nil, own.Fail(err, "kashflow.signin.read_password")
	}
	c.soap.password = pw
	return c, nil
}

// openSandbox points the connection at the simulator: one on this
// computer when the address says so, otherwise one inside this process
// whose state is kept in the module's folder.
func (c *Conn) openSandbox(cfg connectors.Config, endpoint string) error {
	c.soap.user, c.soap.password = kashflowsim.SandboxUser, kashflowsim.SandboxPassword
	if endpoint != DefaultEndpoint {
		return own.CheckSandboxHost(Definition(), KeyEndpoint, hostOf(endpoint))
	}
	var opts []kashflowsim.Option
	if cfg.DataDir != "" {
		opts = append(opts, kashflowsim.WithStateFile(filepath.Join(cfg.DataDir, sandboxStateFile)))
	}
	sim, err := kashflowsim.New(opts...)
	if err != nil {
		return fmt.Errorf("starting the KashFlow Sandbox: %w", err)
	}
	c.sim = sim
	c.soap.hc = simkit.Client(cfg.HTTPClient, sim)
	c.soap.endpoint = kashflowsim.InProcessURL + kashflowsim.Path
	return nil
}

func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func httpClient(cfg connectors.Config) *http.Client {
	if cfg.HTTPClient != nil {
		return cfg.HTTPClient
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// Close releases the Sandbox simulator (saving its state) and saves the
// fingerprints.
func (c *Conn) Close() error {
	err := c.prints.save()
	if c.sim != nil {
		err = errors.Join(err, c.sim.Close())
	}
	return err
}

// Check reads the company's details: a cheap call that proves the
// username, the password, the API switch and the IP access list.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	var co wCompany
	if err := c.soap.call(ctx, "GetCompanyDetails", nil, &co); err != nil {
		return connectors.Identity{}, err
	}
	name := strings.TrimSpace(co.CompanyName)
	if name == "" {
		name = c.soap.user
	}
	return connectors.Identity{Organisation: name, Currency: currencyOf(co)}, nil
}

// currencyOf reads the company's currency from its details: KashFlow is
// a UK package, so pounds unless the details name another code.
func currencyOf(co wCompany) string {
	n := strings.ToUpper(strings.TrimSpace(co.CurrencyName))
	if len(n) == 3 {
		return n
	}
	switch strings.TrimSpace(co.CurrencySymbol) {
	case "€":
		return "EUR"
	case "$":
		return "USD"
	}
	return "GBP"
}

// ---- reference data the mapping needs ----

// reference is what the connection has read of the company's lists, to
// turn codes into KashFlow's internal IDs and back.
type reference struct {
	nominals []wNominal
	vat      []wVATRate
	banks    []wBank
	invPay   []wMethod
	recPay   []wMethod
	products []wProduct
	subs     []wSubProduct
	// customers and suppliers by ID: code and name.
	customers map[int]wCustomer
	suppliers map[int]wSupplier
	loaded    map[string]bool
	// readAt is when each list was last read: a code missing from a list
	// read moments ago is not read again for every record that names it.
	readAt map[string]time.Time
}

// refreshAfter is how old a list must be before a missing code reads it again.
const refreshAfter = 30 * time.Second

func (c *Conn) refs() *reference {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ref == nil {
		c.ref = &reference{customers: map[int]wCustomer{}, suppliers: map[int]wSupplier{}, loaded: map[string]bool{}, readAt: map[string]time.Time{}}
	}
	return c.ref
}

// load reads one list into the reference once per connection (or again
// when fresh is set).
func (c *Conn) load(ctx context.Context, what string, fresh bool) error {
	r := c.refs()
	c.mu.Lock()
	done := r.loaded[what]
	c.mu.Unlock()
	if done && !fresh {
		return nil
	}
	var err error
	switch what {
	case "nominals":
		var v nominals
		if err = c.soap.call(ctx, "GetNominalCodes", nil, &v); err == nil {
			c.mu.Lock()
			r.nominals = v.Items
			c.mu.Unlock()
		}
	case "vat":
		var v vatRates
		if err = c.soap.call(ctx, "GetVATRates", nil, &v); err == nil {
			c.mu.Lock()
			r.vat = v.Items
			c.mu.Unlock()
		}
	case "banks":
		var v banks
		if err = c.soap.call(ctx, "GetBankAccounts", nil, &v); err == nil {
			c.mu.Lock()
			r.banks = v.Items
			c.mu.Unlock()
		}
	case "invpay", "recpay":
		op := "GetInvPayMethods"
		if what == "recpay" {
			op = "GetRecPayMethods"
		}
		var v methods
		if err = c.soap.call(ctx, op, nil, &v); err == nil {
			c.mu.Lock()
			if what == "invpay" {
				r.invPay = v.Items
			} else {
				r.recPay = v.Items
			}
			c.mu.Unlock()
		}
	case "products":
		var v products
		if err = c.soap.call(ctx, "GetProducts", nil, &v); err == nil {
			c.mu.Lock()
			r.products = v.Items
			c.mu.Unlock()
		}
	case "customers":
		_, err = c.readCustomers(ctx)
	case "suppliers":
		_, err = c.readSuppliers(ctx)
	default:
		return fmt.Errorf("unknown reference list %q", what) // words:log: the lists are named in the code, never by a person

	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	r.loaded[what] = true
	r.readAt[what] = c.now()
	c.mu.Unlock()
	return nil
}

func (c *Conn) readCustomers(ctx context.Context) ([]wCustomer, error) {
	var v customers
	if err := c.soap.call(ctx, "GetCustomers", nil, &v); err != nil {
		return nil, err
	}
	r := c.refs()
	c.mu.Lock()
	r.customers = make(map[int]wCustomer, len(v.Items))
	for _, cu := range v.Items {
		r.customers[cu.CustomerID] = cu
	}
	r.loaded["customers"] = true
	r.readAt["customers"] = c.now()
	c.mu.Unlock()
	return v.Items, nil
}

func (c *Conn) readSuppliers(ctx context.Context) ([]wSupplier, error) {
	var v suppliers
	if err := c.soap.call(ctx, "GetSuppliers", nil, &v); err != nil {
		return nil, err
	}
	r := c.refs()
	c.mu.Lock()
	r.suppliers = make(map[int]wSupplier, len(v.Items))
	for _, s := range v.Items {
		r.suppliers[s.SupplierID] = s
	}
	r.loaded["suppliers"] = true
	r.readAt["suppliers"] = c.now()
	c.mu.Unlock()
	return v.Items, nil
}

// find looks something up in the reference, reading the list (again) when
// it is not there yet: a code added in KashFlow since is found too.
func find[T any](ctx context.Context, c *Conn, what string, pick func(r *reference) (T, bool)) (T, bool, error) {
	if err := c.load(ctx, what, false); err != nil {
		var zero T
		return zero, false, err
	}
	c.mu.Lock()
	v, ok := pick(c.ref)
	recent := c.now().Sub(c.ref.readAt[what]) < refreshAfter
	c.mu.Unlock()
	if ok || recent {
		return v, ok, nil
	}
	if err := c.load(ctx, what, true); err != nil {
		return v, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok = pick(c.ref)
	return v, ok, nil
}

// sameCode compares two codes as KashFlow's numeric codes when both are
// numbers ("090" is nominal 90), else as text.
func sameCode(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return x == y
	}
	return strings.EqualFold(a, b)
}

func (c *Conn) nominalID(ctx context.Context, code string) (int, bool, error) {
	return find(ctx, c, "nominals", func(r *reference) (int, bool) {
		for _, n := range r.nominals {
			if sameCode(strconv.Itoa(n.Code), code) {
				return n.ID, true
			}
		}
		return 0, false
	})
}

func (c *Conn) nominalCode(ctx context.Context, id int) (string, error) {
	if id == 0 {
		return "", nil
	}
	code, ok, err := find(ctx, c, "nominals", func(r *reference) (string, bool) {
		for _, n := range r.nominals {
			if n.ID == id {
				return strconv.Itoa(n.Code), true
			}
		}
		return "", false
	})
	if !ok && err == nil {
		code = "id:" + strconv.Itoa(id)
	}
	return code, err
}

func (c *Conn) productID(ctx context.Context, code string) (int, bool, error) {
	if strings.TrimSpace(code) == "" {
		return 0, true, nil
	}
	id, ok, err := find(ctx, c, "products", func(r *reference) (int, bool) {
		for _, p := range r.products {
			if sameCode(productCode(p), code) {
				return p.ProductID, true
			}
		}
		return 0, false
	})
	if ok || err != nil {
		return id, ok, err
	}
	return c.subProductID(ctx, code)
}

func (c *Conn) productCodeOf(ctx context.Context, id int) (string, error) {
	if id == 0 {
		return "", nil
	}
	code, ok, err := find(ctx, c, "products", func(r *reference) (string, bool) {
		for _, p := range r.products {
			if p.ProductID == id {
				return productCode(p), true
			}
		}
		return "", false
	})
	if ok || err != nil {
		return code, err
	}
	code, _, err = c.subProductCode(ctx, id)
	return code, err
}

func (c *Conn) bankID(ctx context.Context, code string) (int, bool, error) {
	return find(ctx, c, "banks", func(r *reference) (int, bool) {
		for _, b := range r.banks {
			if strings.TrimSpace(code) == "" || sameCode(strconv.Itoa(b.AccountCode), code) || strings.EqualFold(b.AccountName, code) {
				return b.AccountID, true
			}
		}
		return 0, false
	})
}

func (c *Conn) bankCode(ctx context.Context, id int) (string, error) {
	code, _, err := find(ctx, c, "banks", func(r *reference) (string, bool) {
		for _, b := range r.banks {
			if b.AccountID == id {
				return strconv.Itoa(b.AccountCode), true
			}
		}
		return "", false
	})
	return code, err
}

// payMethod picks the KashFlow payment method: the option's (by name or
// number), else the first KashFlow lists.
func (c *Conn) payMethod(ctx context.Context, purchase bool) (int, bool, error) {
	what, want := "invpay", c.invMethod
	if purchase {
		what, want = "recpay", c.recMethod
	}
	return find(ctx, c, what, func(r *reference) (int, bool) {
		list := r.invPay
		if purchase {
			list = r.recPay
		}
		for _, m := range list {
			if want == "" || strings.EqualFold(m.MethodName, want) || strconv.Itoa(m.MethodID) == want {
				return m.MethodID, true
			}
		}
		return 0, false
	})
}

// partyByCode finds the customer (or supplier) a document names: its
// KashFlow ID and name, or the record's refusal when KashFlow has none.
func (c *Conn) partyByCode(ctx context.Context, code string, supplier bool) (int, string, error) {
	same := func(a string) bool { return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(code)) }
	type party struct {
		id   int
		name string
	}
	what, missing := "customers", "kashflow.item.customer_missing"
	if supplier {
		what, missing = "suppliers", "kashflow.item.supplier_missing"
	}
	p, ok, err := find(ctx, c, what, func(r *reference) (party, bool) {
		if supplier {
			for _, s := range r.suppliers {
				if same(s.Code) {
					return party{s.SupplierID, s.Name}, true
				}
			}
			return party{}, false
		}
		for _, cu := range r.customers {
			if same(cu.Code) {
				return party{cu.CustomerID, cu.Name}, true
			}
		}
		return party{}, false
	})
	if err != nil {
		return 0, "", err
	}
	if !ok {
		return 0, "", own.ItemFail("", "party_code", missing, "Code", code)
	}
	return p.id, p.name, nil
}

// partyCode is the code of the customer (or, for receipts, supplier) a
// document names.
func (c *Conn) partyCode(ctx context.Context, id int, supplier bool) (string, error) {
	if supplier {
		s, ok, err := find(ctx, c, "suppliers", func(r *reference) (wSupplier, bool) { s, ok := r.suppliers[id]; return s, ok })
		if !ok && err == nil {
			return "id:" + strconv.Itoa(id), nil
		}
		return strings.TrimSpace(s.Code), err
	}
	cu, ok, err := find(ctx, c, "customers", func(r *reference) (wCustomer, bool) { cu, ok := r.customers[id]; return cu, ok })
	if !ok && err == nil {
		return "id:" + strconv.Itoa(id), nil
	}
	return strings.TrimSpace(cu.Code), err
}

// productCode is how LedgerLink names a KashFlow product: its numeric
// code when it has one, else its name (KashFlow's ProductCode is a number,
// and businesses name products like "BEAN-HOUSE-1KG").
func productCode(p wProduct) string {
	if p.ProductCode != 0 {
		return strconv.Itoa(p.ProductCode)
	}
	return strings.TrimSpace(p.ProductName)
}
