package uniconta

import (
	"context"
	"fmt"
	"sort"

	"ledgerlink/connectors"
)

// Choices offers the customer tags (Uniconta's CRM groups) and the custom
// fields Uniconta holds on debtors, for the settings that take them.
func (c *Conn) Choices(ctx context.Context, key string) ([]connectors.Choice, error) {
	switch key {
	case KeyCustomerTag:
		tags, err := c.CustomerTags(ctx)
		if err != nil {
			return nil, err
		}
		sort.Strings(tags)
		out := make([]connectors.Choice, 0, len(tags))
		for _, t := range tags {
			out = append(out, connectors.Choice{Value: t})
		}
		return out, nil
	case KeyCustomFields:
		types, err := c.customTypes(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]connectors.Choice, 0, len(types))
		for n, typ := range types {
			out = append(out, connectors.Choice{Value: n, Label: fmt.Sprintf("%s (%s)", n, typ)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
		return out, nil
	}
	return nil, fmt.Errorf("Uniconta offers no choices for %q: %w", key, connectors.ErrNotFound)
}

// Refresh clears "Has errors" on the module's modification URL.
func (c *Conn) Refresh(ctx context.Context) error { return c.RefreshChangeLink(ctx) }

// Excluded lists the customers Uniconta holds without the customer tag.
func (c *Conn) Excluded(ctx context.Context, t connectors.RecordType) ([]string, error) {
	if t != connectors.Customers {
		return nil, nil
	}
	return c.Untagged(ctx)
}

var (
	_ connectors.ChoiceLister = (*Conn)(nil)
	_ connectors.Refresher    = (*Conn)(nil)
	_ connectors.Excluder     = (*Conn)(nil)
)
