package xero

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"ledgerlink/connectors"
)

// Products go to /Items: PUT creates, POST updates (by ItemID). Xero
// tracks an item as inventory only when it names an inventory asset
// account (an account of type INVENTORY) and a cost-of-goods account. A
// tracked item makes Xero keep a quantity on hand, which a business that
// counts its stock elsewhere (its own stock system) does not want, and
// which may stop Xero approving an invoice that sells more than it has
// on hand (UNCONFIRMED); so stock items go untracked unless the option
// KeyTrackInventory is on, and then tracked only when the organisation has
// an active inventory account and the item has a purchase account (its
// cost of goods sold). Stock quantities are never sent: Xero works them
// out from purchases and sales.

var resItems = resource{path: "/Items", arrayKey: "Items", unitdp: true}

// inventoryAccount returns the code of the organisation's first active
// inventory asset account ("" when it has none), read only when a batch
// carries a stock item.
func (c *Conn) inventoryAccount(ctx context.Context, items []connectors.WriteItem) (string, error) {
	stock := false
	for _, it := range items {
		if it.Record.Item != nil && it.Record.Item.Stock {
			stock = true
			break
		}
	}
	if !stock {
		return "", nil
	}
	var env envelope
	q := url.Values{"where": {`Type=="INVENTORY"`}}
	if err := c.do(ctx, apiRequest{method: http.MethodGet, path: "/Accounts", query: q}, &env); err != nil {
		return "", err
	}
	for _, a := range env.Accounts {
		if strings.EqualFold(a.Type, "INVENTORY") && (a.Status == "" || strings.EqualFold(a.Status, "ACTIVE")) && a.Code != "" {
			return a.Code, nil
		}
	}
	return "", nil
}

// itemFromProduct maps a product to Xero's item; inventory is the
// organisation's inventory account ("" when items cannot be tracked).
func itemFromProduct(p connectors.Item, remoteID, inventory string) (itemOut, *connectors.ItemError) {
	if n := len([]rune(p.Code)); n > 30 {
		return itemOut{}, localError("xero.item.product_code_too_long", "Code", p.Code, "Length", n)
	}
	name := p.Name
	if len([]rune(name)) > 50 {
		name = string([]rune(name)[:50]) // Xero keeps 50; the description keeps the whole
	}
	desc := firstNonBlank(p.Description, p.Name)
	out := itemOut{ItemID: remoteID, Code: p.Code, Name: name, Description: desc, IsSold: true, IsPurchased: true,
		SalesDetails: &itemDetailsOut{UnitPrice: num(p.SalesPrice), AccountCode: p.SalesAccount}}
	purchase := &itemDetailsOut{UnitPrice: num(p.PurchasePrice), AccountCode: p.PurchaseAccount}
	if p.Stock && inventory != "" && p.PurchaseAccount != "" {
		out.InventoryAssetAccountCode = inventory
		purchase.AccountCode, purchase.COGSAccountCode = "", p.PurchaseAccount
	}
	out.PurchaseDetails = purchase
	return out, nil
}
