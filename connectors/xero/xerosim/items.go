package xerosim

import (
	"fmt"
	"strings"
	"time"
)

// Items: PUT /Items creates, POST /Items creates or updates (by ItemID, or
// by Code when no ID is given). An item is tracked as inventory when it
// names an inventory asset account (of type INVENTORY) and a cost-of-goods
// account in its purchase details; IsTrackedAsInventory is then set by the
// package, whatever the request said.

var itemDetailsSchema = &object{name: "Purchase", fields: map[string]field{
	"UnitPrice":       numField(),
	"AccountCode":     str(0),
	"COGSAccountCode": str(0),
	"TaxType":         str(0),
}}

var itemSchema = &object{name: "Item", required: []string{"Code"}, fields: map[string]field{
	"ItemID":                    uuidField(),
	"Code":                      str(30),
	"Name":                      str(50),
	"Description":               str(4000),
	"PurchaseDescription":       str(4000),
	"IsSold":                    boolField(),
	"IsPurchased":               boolField(),
	"IsTrackedAsInventory":      boolField(),
	"InventoryAssetAccountCode": str(0),
	"SalesDetails":              objField(itemDetailsSchema),
	"PurchaseDetails":           objField(itemDetailsSchema),
	"TotalCostPool":             readOnly(numField()),
	"QuantityOnHand":            readOnly(numField()),
	"UpdatedDateUTC":            readOnly(str(0)),
	"StatusAttributeString":     readOnly(str(0)),
	"ValidationErrors":          readOnly(field{kind: kArray}),
}}

func (t *tenant) itemByID(id string) *Item {
	return findFold(t.Items, func(x *Item) string { return x.ItemID }, id)
}

func (s *Sim) writeItems(c *apiCall) answer {
	return writeRecords(s, c, recordWrite[Item]{
		key:      "Items",
		schema:   itemSchema,
		id:       func(x *Item) *string { return &x.ItemID },
		byID:     (*tenant).itemByID,
		notFound: "An existing Item with the specified ItemID could not be found",
		byKey:    func(t *tenant, x *Item) *Item { return t.item(x.Code) },
		refuse: func(x *Item, errs []ValidationError) {
			x.ValidationErrors, x.StatusAttributeString = errs, "ERROR"
		},
		save: s.saveItem,
	})
}

// saveItem checks an item (merged over stored, nil for a new one) and
// stores it.
func (s *Sim) saveItem(c *apiCall, in *Item, raw map[string]any, stored *Item, now time.Time) (*Item, []string, error) {
	next, err := mergeOver(in, stored, raw)
	if err != nil {
		return nil, nil, err
	}
	if stored == nil {
		// Both default to true on a new item.
		if _, given := raw["IsSold"]; !given {
			next.IsSold = true
		}
		if _, given := raw["IsPurchased"]; !given {
			next.IsPurchased = true
		}
	}
	if errs := c.t.validateItem(next, stored); len(errs) > 0 {
		return nil, errs, nil
	}
	next.IsTrackedAsInventory = next.InventoryAssetAccountCode != "" && next.PurchaseDetails != nil && next.PurchaseDetails.COGSAccountCode != ""
	next.UpdatedDateUTC = msDate(now)
	next.ValidationErrors, next.StatusAttributeString = nil, ""
	if stored != nil {
		next.ItemID = stored.ItemID
		*stored = *next
	} else {
		next.ItemID = newID()
		c.t.Items = append(c.t.Items, next)
		stored = next
	}
	echo := *stored
	echo.StatusAttributeString = "OK"
	return &echo, nil, nil
}

// validateItem applies the package's rules to an item about to be saved.
func (t *tenant) validateItem(it *Item, stored *Item) []string {
	var errs []string
	if strings.TrimSpace(it.Code) == "" {
		errs = append(errs, "Item Code must not be empty.")
	} else if other := t.item(it.Code); other != nil && other != stored {
		errs = append(errs, fmt.Sprintf("Item code '%s' already exists.", it.Code))
	}
	postable := func(code string) {
		if code == "" {
			return
		}
		if a := t.accountByCode(code); a == nil || a.Type == "BANK" || a.Status != "ACTIVE" {
			errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this item.", code))
		}
	}
	if it.SalesDetails != nil {
		postable(it.SalesDetails.AccountCode)
	}
	if it.PurchaseDetails != nil {
		postable(it.PurchaseDetails.AccountCode)
		postable(it.PurchaseDetails.COGSAccountCode)
	}
	if code := it.InventoryAssetAccountCode; code != "" {
		if a := t.accountByCode(code); a == nil || a.Type != "INVENTORY" {
			errs = append(errs, fmt.Sprintf("The inventory asset account '%s' must be an account of type Inventory.", code))
		}
		if it.PurchaseDetails == nil || it.PurchaseDetails.COGSAccountCode == "" {
			errs = append(errs, "A cost of goods sold account must be given in the purchase details of a tracked item.")
		} else if it.PurchaseDetails.AccountCode != "" {
			errs = append(errs, "The purchase account code is not applicable to a tracked item; give its cost of goods sold account instead.")
		}
	}
	return errs
}
