package uniconta

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/connectors/uniconta/unicontasim"
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

// changeReceiver is the Receiver as the engine takes it.
type changeReceiver struct{ *Receiver }

func (r changeReceiver) Take(quiet time.Duration) []connectors.ChangedRecord {
	var out []connectors.ChangedRecord
	for _, ch := range r.Receiver.Take(quiet) {
		t := connectors.Customers
		switch strings.ToLower(ch.Table) {
		case "creditor":
			t = connectors.Suppliers
		case "invitem":
			t = connectors.Items
		}
		out = append(out, connectors.ChangedRecord{Type: t, Code: ch.Key, RemoteID: ch.RowID,
			Deleted: strings.EqualFold(ch.Operation, "Delete")})
	}
	return out
}

// Path is the secret the modification URL ends in.
func (r changeReceiver) Path() string { return r.Receiver.secret }

// newChangeReceiver receives the calls of the module's modification URL:
// the URL's last path segment is its secret.
func newChangeReceiver(cfg connectors.Config) (connectors.ChangeReceiver, error) {
	s, err := readSettings(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Sandbox && s.companyID == 0 {
		s.companyID = unicontasim.SandboxCompany
	}
	u, err := url.Parse(s.notifyURL)
	secret := ""
	if err == nil {
		secret = path.Base(strings.TrimRight(u.Path, "/"))
	}
	if s.notifyURL == "" || secret == "" || secret == "." || secret == "/" {
		return nil, own.Fail(nil, "uniconta.no_notify_url")
	}
	return changeReceiver{NewReceiver(secret, s.companyID, nil)}, nil
}
