package kashflow

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"ledgerlink/connectors"
)

// Products LedgerLink sends are KashFlow sub-products: a product kept under
// the sales nominal code it is sold to (its ParentID). KashFlow's own
// "products" (GetProducts) are read as they are; sub-products carry the
// prefix subProductPrefix in their remote ID so the two never meet.
const subProductPrefix = "sp:"

// wSubProduct is KashFlow's SubProduct type.
type wSubProduct struct {
	ID             int `xml:"id"`
	ParentID       int
	Code           string
	Name           string
	Description    string
	Price          amount
	VatRate        amount
	WholesalePrice amount
	Managestock    int
	QtyInStock     amount
	StockWarnQty   amount
	Autofill       int
}

type subProducts struct {
	Items []wSubProduct `xml:"SubProduct"`
}

// writeItem adds a sub-product, or replaces the one remoteID names.
func (c *Conn) writeItem(ctx context.Context, remoteID string, it connectors.Item) (string, error) {
	w := wSubProduct{Code: strings.TrimSpace(it.Code), Name: strings.TrimSpace(it.Name), Description: it.Description,
		Price: amount{it.SalesPrice}, WholesalePrice: amount{it.PurchasePrice}}
	if w.Name == "" {
		w.Name = w.Code
	}
	if it.Stock {
		w.Managestock = 1
	}
	if remoteID != "" {
		id, err := strconv.Atoi(strings.TrimPrefix(remoteID, subProductPrefix))
		if err != nil || !strings.HasPrefix(remoteID, subProductPrefix) {
			return "", own.ItemFail("", "", "kashflow.item.not_product_id", "ID", strconv.Quote(remoteID))
		}
		w.ID = id
	}
	account := strings.TrimSpace(it.SalesAccount)
	if account == "" {
		return "", own.ItemFail("", "sales_account", "kashflow.item.product_sales_account")
	}
	parent, ok, err := c.nominalID(ctx, account)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", c.refuse("sales_account", "kashflow.refusal.nominal_code", "Code", account)
	}
	w.ParentID = parent
	var id int
	if err := c.soap.call(ctx, "AddOrUpdateSubProduct", []param{{"sp", w}}, &id); err != nil {
		return "", err
	}
	if id != 0 {
		w.ID = id
	}
	c.rememberSubProduct(w)
	return subProductPrefix + strconv.Itoa(w.ID), nil
}

// rememberSubProduct keeps a sub-product in the reference, for the lines
// of the documents sent after it.
func (c *Conn) rememberSubProduct(w wSubProduct) {
	r := c.refs()
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, s := range r.subs {
		if s.ID == w.ID {
			r.subs[i] = w
			return
		}
	}
	r.subs = append(r.subs, w)
}

// subProductByCode asks KashFlow for one sub-product by its code: found
// is false when KashFlow has none (whatever words it says so with).
func (c *Conn) subProductByCode(ctx context.Context, code string) (wSubProduct, bool, error) {
	var w wSubProduct
	err := c.soap.call(ctx, "GetSubProductByCode", []param{{"SubProductCode", strings.TrimSpace(code)}}, &w)
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return wSubProduct{}, false, nil
	case err != nil:
		return wSubProduct{}, false, err
	}
	if w.ID == 0 {
		return wSubProduct{}, false, nil
	}
	c.rememberSubProduct(w)
	return w, true, nil
}

// readSubProducts reads the sub-products under every nominal code
// (KashFlow lists them one nominal code at a time).
func (c *Conn) readSubProducts(ctx context.Context) ([]wSubProduct, error) {
	if err := c.load(ctx, "nominals", false); err != nil {
		return nil, err
	}
	c.mu.Lock()
	ids := make([]int, 0, len(c.ref.nominals))
	for _, n := range c.ref.nominals {
		ids = append(ids, n.ID)
	}
	c.mu.Unlock()
	var all []wSubProduct
	for _, id := range ids {
		var v subProducts
		if err := c.soap.call(ctx, "GetSubProducts", []param{{"NominalID", id}}, &v); err != nil {
			return nil, err
		}
		all = append(all, v.Items...)
	}
	c.mu.Lock()
	c.ref.subs = all
	c.ref.loaded["subproducts"] = true
	c.ref.readAt["subproducts"] = c.now()
	c.mu.Unlock()
	return all, nil
}

// subProductRecord maps a sub-product; parent is its nominal code.
func subProductRecord(w wSubProduct, parent string) connectors.Remote {
	return connectors.Remote{RemoteID: subProductPrefix + strconv.Itoa(w.ID), Record: connectors.Record{Type: connectors.Items,
		Item: &connectors.Item{Code: strings.TrimSpace(w.Code), Name: strings.TrimSpace(w.Name), Description: w.Description,
			SalesPrice: w.Price.Decimal, PurchasePrice: w.WholesalePrice.Decimal, SalesAccount: parent, Stock: w.Managestock != 0}}}
}

// readItems reads KashFlow's products and sub-products, mapped.
func (c *Conn) readItems(ctx context.Context) ([]connectors.Remote, error) {
	if err := c.load(ctx, "products", true); err != nil {
		return nil, err
	}
	subs, err := c.readSubProducts(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	out := make([]connectors.Remote, 0, len(c.ref.products)+len(subs))
	for _, p := range c.ref.products {
		out = append(out, productRecord(p))
	}
	c.mu.Unlock()
	for _, s := range subs {
		parent, err := c.nominalCode(ctx, s.ParentID)
		if err != nil {
			return nil, err
		}
		out = append(out, subProductRecord(s, parent))
	}
	return out, nil
}

// findItems looks products up by code: one call a code for sub-products,
// plus KashFlow's product list.
func (c *Conn) findItems(ctx context.Context, codes []string) ([]connectors.Remote, error) {
	if err := c.load(ctx, "products", true); err != nil {
		return nil, err
	}
	var out []connectors.Remote
	c.mu.Lock()
	for _, p := range c.ref.products {
		for _, code := range codes {
			if sameCode(productCode(p), code) {
				out = append(out, productRecord(p))
				break
			}
		}
	}
	c.mu.Unlock()
	for _, code := range codes {
		w, ok, err := c.subProductByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		parent, err := c.nominalCode(ctx, w.ParentID)
		if err != nil {
			return nil, err
		}
		out = append(out, subProductRecord(w, parent))
	}
	return out, nil
}

// subProductID finds the sub-product a line names by code: from those
// already seen, else by asking KashFlow.
func (c *Conn) subProductID(ctx context.Context, code string) (int, bool, error) {
	r := c.refs()
	c.mu.Lock()
	for _, s := range r.subs {
		if strings.EqualFold(strings.TrimSpace(s.Code), strings.TrimSpace(code)) {
			c.mu.Unlock()
			return s.ID, true, nil
		}
	}
	c.mu.Unlock()
	w, ok, err := c.subProductByCode(ctx, code)
	return w.ID, ok, err
}

// subProductCode is the code of the sub-product with this ID, reading the
// sub-products when it is not among those seen.
func (c *Conn) subProductCode(ctx context.Context, id int) (string, bool, error) {
	r := c.refs()
	pick := func() (string, bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, s := range r.subs {
			if s.ID == id {
				return strings.TrimSpace(s.Code), true
			}
		}
		return "", false
	}
	if code, ok := pick(); ok {
		return code, true, nil
	}
	c.mu.Lock()
	recent := r.loaded["subproducts"] && c.now().Sub(r.readAt["subproducts"]) < refreshAfter
	c.mu.Unlock()
	if recent {
		return "", false, nil
	}
	if _, err := c.readSubProducts(ctx); err != nil {
		return "", false, err
	}
	code, ok := pick()
	return code, ok, nil
}
