package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
)

// Name is the module's identifier.
const Name = "memory"

// BatchSize is how many items one Write may carry.
const BatchSize = 50

const (
	defaultOrganisation = "Demo Company"
	defaultCurrency     = "GBP"
	recordURLBase       = "https://ledger.example/"
)

// ErrBatchTooLarge is returned by Write for a batch over BatchSize; nothing
// in the batch is written.
var ErrBatchTooLarge = errors.New("too many records in one batch")

// Capabilities is what the reference ledger can do: the seven matrix types,
// credit notes, payroll journals and products both ways, the other
// reference data towards LedgerLink only; records deleted or voided in the
// ledger are reported (Remote.Deleted).
func Capabilities() connectors.Capabilities {
	types := map[connectors.RecordType]connectors.Directions{}
	for _, t := range connectors.MatrixTypes() {
		types[t] = connectors.Directions{Mirror: true, Upload: true}
	}
	types[connectors.CreditNotes] = connectors.Directions{Mirror: true, Upload: true}
	types[connectors.Journals] = connectors.Directions{Mirror: true, Upload: true}
	for _, t := range connectors.AncillaryTypes() {
		types[t] = connectors.Directions{Mirror: true}
	}
	// Products are the business's own stock items: they can be sent.
	types[connectors.Items] = connectors.Directions{Mirror: true, Upload: true}
	return connectors.Capabilities{
		Types:           types,
		BatchSize:       BatchSize,
		IncrementalPull: true,
		IdempotencyKeys: true,
		Deletions:       true,
	}
}

// Definition returns the reference connector on a ledger of its own, which
// lives as long as the returned value.
func Definition() connectors.Definition { return NewDefinition(NewLedger()) }

// NewDefinition returns the reference connector whose Open connects to l; a
// nil l gets a new ledger.
func NewDefinition(l *Ledger) connectors.Definition {
	if l == nil {
		l = NewLedger()
	}
	def := connectors.Definition{
		Name:        Name,
		Title:       "Reference ledger (in memory)",
		Description: "A ledger kept in memory for trying LedgerLink out. Nothing in it is saved when LedgerLink closes.",
		Settings: []connectors.Field{
			{
				Key: "organisation", Label: "Organisation", Kind: connectors.KindText, Required: true,
				Default: defaultOrganisation, Tab: "Account",
				Help: "The name the ledger answers to.",
			},
			{
				Key: "base_currency", Label: "Base currency", Kind: connectors.KindText,
				Default: defaultCurrency, Tab: "Account",
				Help:     "The three-letter code of the organisation's own currency, such as GBP.",
				Validate: checkCurrencyCode,
			},
			// Options of the connector's own, as a package's connector
			// declares them; the reference ledger keeps them so tests can
			// exercise the Options tab, and books nothing differently.
			{Key: "opt.rollup", Label: "Rollup", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Send one line per account and tax rate instead of one per product."},
			{Key: "opt.authorised", Label: "Create authorised invoices", Kind: connectors.KindBool, Default: "false", Tab: "Options",
				Help: "Send invoices as approved instead of drafts."},
		},
		Caps: Capabilities(),
	}
	def.Open = func(ctx context.Context, cfg connectors.Config) (connectors.Connection, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, f := range def.Settings {
			if err := f.Check(cfg.Settings[f.Key]); err != nil {
				return nil, err
			}
		}
		return &Conn{
			ledger:       l,
			organisation: strings.TrimSpace(cfg.Setting("organisation", defaultOrganisation)),
			currency:     strings.ToUpper(strings.TrimSpace(cfg.Setting("base_currency", defaultCurrency))),
		}, nil
	}
	return def
}

func checkCurrencyCode(v string) error {
	if len(v) != 3 || strings.IndexFunc(v, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }) >= 0 {
		return errors.New("give a three-letter currency code such as GBP")
	}
	return nil
}

// Conn is an open connection to a Ledger. It implements connectors.Connection,
// Lister, Writer, Reader, Linker and Explainer, and is safe for concurrent
// use.
type Conn struct {
	ledger       *Ledger
	organisation string
	currency     string
}

// Compile-time proof that Conn keeps the whole contract.
var (
	_ connectors.Connection = (*Conn)(nil)
	_ connectors.Lister     = (*Conn)(nil)
	_ connectors.Writer     = (*Conn)(nil)
	_ connectors.Reader     = (*Conn)(nil)
	_ connectors.Linker     = (*Conn)(nil)
	_ connectors.Explainer  = (*Conn)(nil)
)

// Ledger returns the ledger the connection reaches.
func (c *Conn) Ledger() *Ledger { return c.ledger }

// Check answers with the organisation's name and base currency.
func (c *Conn) Check(ctx context.Context) (connectors.Identity, error) {
	if err := c.ledger.begin(ctx, MethodCheck); err != nil {
		return connectors.Identity{}, err
	}
	return connectors.Identity{Organisation: c.organisation, Currency: c.currency}, nil
}

func knownType(t connectors.RecordType) error {
	if slices.Contains(connectors.AllTypes(), t) {
		return nil
	}
	return fmt.Errorf("the reference ledger has no record type %q", t)
}

// ListChanged pages through the records of type t changed at or after since
// (all of them for a zero since), oldest change first. Each page is one
// request: faults and limits apply to each.
func (c *Conn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if err := knownType(t); err != nil {
		return err
	}
	l := c.ledger
	if err := l.begin(ctx, MethodListChanged); err != nil {
		return err
	}
	l.mu.Lock()
	var changed []connectors.Remote
	for _, r := range l.tables[t].byID {
		if since.IsZero() || !r.UpdatedAt.Before(since) {
			changed = append(changed, cloneRemote(*r))
		}
	}
	size := l.pageSize
	l.mu.Unlock()
	slices.SortFunc(changed, func(a, b connectors.Remote) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), strings.Compare(a.RemoteID, b.RemoteID))
	})
	for start := 0; start < len(changed); start += size {
		if start > 0 {
			if err := l.begin(ctx, MethodListChanged); err != nil {
				return err
			}
		}
		if err := page(changed[start:min(start+size, len(changed))]); err != nil {
			return err
		}
	}
	return nil
}

// uploadable reports whether records of type t may be written.
func uploadable(t connectors.RecordType) bool {
	return Capabilities().Supports(t, connectors.Upload)
}

// Write creates (blank RemoteID) or updates records of type t. Each item gets
// its own verdict: a refused item is an *connectors.ItemError and never
// stops its neighbours. An item whose Key was written before answers with
// the original remote ID and changes nothing.
func (c *Conn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if err := knownType(t); err != nil {
		return nil, err
	}
	if !uploadable(t) {
		return nil, fmt.Errorf("%s cannot be sent to the reference ledger; they are changed in the ledger itself", t.Label())
	}
	if len(items) == 0 {
		return nil, nil
	}
	l := c.ledger
	if err := l.begin(ctx, MethodWrite); err != nil {
		return nil, err
	}
	if len(items) > BatchSize {
		return nil, fmt.Errorf("%w: the reference ledger takes at most %d at once and %d were sent", ErrBatchTooLarge, BatchSize, len(items))
	}
	results := make([]connectors.WriteResult, len(items))
	l.mu.Lock()
	w := writeCtx{ledger: l, currency: c.currency, at: l.now()}
	for i, it := range items {
		results[i].Key = it.Key
		if done, ok := l.keys[it.Key]; ok && it.Key != "" {
			results[i].RemoteID = done.remoteID
			continue
		}
		rec := it.Record.Clone()
		if ie := checkShape(t, rec); ie != nil {
			results[i].Err = ie
			continue
		}
		var (
			id string
			ie *connectors.ItemError
		)
		if it.RemoteID != "" {
			id, ie = w.update(t, it.RemoteID, rec)
		} else {
			id, ie = w.create(t, "", rec)
		}
		if ie != nil {
			results[i].Err = ie
			continue
		}
		results[i].RemoteID = id
		if it.Key != "" {
			l.keys[it.Key] = keyed{remoteID: id}
		}
	}
	l.mu.Unlock()
	if err := l.afterWrite(); err != nil {
		return nil, err
	}
	return results, nil
}

// Get reads records of type t by remote ID; unknown IDs are left out.
func (c *Conn) Get(ctx context.Context, t connectors.RecordType, remoteIDs []string) ([]connectors.Remote, error) {
	return c.lookup(ctx, MethodGet, t, remoteIDs, func(tb *table, id string) (string, bool) {
		_, ok := tb.byID[id]
		return id, ok
	})
}

// FindByCode reads records of type t by business code; unknown codes are
// left out.
func (c *Conn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	return c.lookup(ctx, MethodFindByCode, t, codes, func(tb *table, code string) (string, bool) {
		id, ok := tb.byCode[code]
		return id, ok
	})
}

func (c *Conn) lookup(ctx context.Context, method string, t connectors.RecordType, keys []string, resolve func(*table, string) (string, bool)) ([]connectors.Remote, error) {
	if err := knownType(t); err != nil {
		return nil, err
	}
	l := c.ledger
	if err := l.begin(ctx, method); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tb := l.tables[t]
	seen := map[string]bool{}
	var out []connectors.Remote
	for _, k := range keys {
		id, ok := resolve(tb, k)
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, cloneRemote(*tb.byID[id]))
	}
	return out, nil
}

// RecordURL is the record's address in the ledger's (imaginary) web screens.
func (c *Conn) RecordURL(t connectors.RecordType, remoteID string) string {
	return recordURLBase + url.PathEscape(string(t)) + "/" + url.PathEscape(remoteID)
}
