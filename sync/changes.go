package sync

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
)

// uploadOrder is the order records must reach a package in: products and
// parties before the documents that name them, documents before the
// payments that pay them.
var uploadOrder = [...]connectors.RecordType{
	connectors.Items,
	connectors.Customers,
	connectors.Suppliers,
	connectors.Quotes,
	connectors.SalesInvoices,
	connectors.PurchaseInvoices,
	connectors.CreditNotes,
	connectors.InvoicePayments,
	connectors.PurchasePayments,
	connectors.Journals,
}

// UploadTypes returns the record types that can be uploaded, in dependency
// order.
func UploadTypes() []connectors.RecordType { return slices.Clone(uploadOrder[:]) }

// rank is t's place in uploadOrder (types not uploaded go last).
func rank(t connectors.RecordType) int {
	if i := slices.Index(uploadOrder[:], t); i >= 0 {
		return i
	}
	return len(uploadOrder)
}

// SortPending orders items as they must be uploaded: by type in dependency
// order, then by source date, then by code.
func SortPending(items []PendingItem) {
	slices.SortStableFunc(items, func(a, b PendingItem) int {
		return cmp.Or(
			cmp.Compare(rank(a.Type), rank(b.Type)),
			a.SourceDate.Compare(b.SourceDate.Time),
			strings.Compare(a.Code, b.Code),
		)
	})
}

// UploadSettingKey is the setting holding the upload level of a type
// outside the matrix ("sync.upload.journal", "sync.upload.credit_note").
func UploadSettingKey(t connectors.RecordType) string { return SettingKey(connectors.Upload, t) }

// uploadLevels works out the upload level of every uploadable type: the
// matrix for its seven types; credit notes follow their invoices unless set
// on their own; journals and products are OFF unless set. Types the
// connector cannot upload are OFF.
func uploadLevels(m Matrix, settings map[string]string, caps connectors.Capabilities) map[connectors.RecordType]Level {
	levels := map[connectors.RecordType]Level{}
	for _, t := range uploadOrder {
		var l Level
		switch t {
		case connectors.CreditNotes:
			l = min(m.Level(connectors.Upload, connectors.SalesInvoices), m.Level(connectors.Upload, connectors.PurchaseInvoices))
			if v, ok := settings[UploadSettingKey(t)]; ok {
				if p, err := ParseLevel(v); err == nil {
					l = p
				}
			}
		case connectors.Journals, connectors.Items:
			if p, err := ParseLevel(settings[UploadSettingKey(t)]); err == nil {
				l = p
			}
		default:
			l = m.Level(connectors.Upload, t)
		}
		if !caps.Supports(t, connectors.Upload) {
			l = Off
		}
		levels[t] = l
	}
	return levels
}

// signature names a set of levels, so change detection knows when they
// changed and every record must be looked at again.
func signature(levels map[connectors.RecordType]Level) string {
	var b strings.Builder
	for _, t := range uploadOrder {
		fmt.Fprintf(&b, "%s=%d;", t, levels[t])
	}
	return b.String()
}

// decide is change detection's rule for one changed record:
//   - OFF: nothing is queued;
//   - never exported: queued as new (NEW only and NEW + UPDATED);
//   - exported, and the package already holds this content (it was
//     uploaded or mirrored from there): nothing, so a mirrored record never
//     bounces back;
//   - exported, content changed: queued as updated under NEW + UPDATED
//     only.
//
// A record the package deleted or voided is never queued again, and with
// only (not nil) a product goes only when its code is in only.
func decide(levels map[connectors.RecordType]Level, only map[string]bool) storage.Decide {
	return func(h storage.RecordHead, link *storage.Link, _ *storage.QueueItem) *storage.QueueItem {
		l := levels[h.Type]
		if l == Off {
			return nil
		}
		if h.Type == connectors.Items && only != nil && !only[h.Code] {
			return nil
		}
		kind := storage.KindNew
		if link != nil {
			if link.Gone != "" {
				return nil
			}
			if link.Holds(h.Fingerprint) {
				return nil
			}
			if l < NewAndUpdated {
				return nil
			}
			kind = storage.KindUpdated
		}
		return &storage.QueueItem{Kind: kind, SourceDate: h.Date, Fingerprint: h.Fingerprint}
	}
}

// Refresh brings the module's Pending Export up to date with the workspace:
// only records changed since the last refresh are looked at (all of them
// once after the sync levels change), so its cost grows with the changes,
// not with the books.
func (e *Engine) Refresh(ctx context.Context, module string) error {
	def, err := e.definition(module)
	if err != nil {
		return err
	}
	unlock := e.lock(module)
	defer unlock()
	_, err = e.refresh(ctx, def)
	return err
}

func (e *Engine) refresh(ctx context.Context, def connectors.Definition) (storage.RefreshStats, error) {
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return storage.RefreshStats{}, err
	}
	m, merr := MatrixFromSettings(settings)
	if merr != nil {
		e.log.Warn("sync settings are damaged; using the safe levels", "module", def.Name, "err", merr)
	}
	levels := uploadLevels(m, settings, def.Caps)
	only, digest, err := e.productsInUse(ctx, def.Name, settings, levels)
	if err != nil {
		return storage.RefreshStats{}, err
	}
	st, err := e.db.RefreshQueue(ctx, def.Name, signature(levels)+digest, UploadTypes(), decide(levels, only))
	if err != nil {
		return st, err
	}
	e.log.Debug("pending export refreshed", "module", def.Name, "full", st.Full, "scanned", st.Scanned, "queued", st.Queued, "removed", st.Removed)
	return st, nil
}

// Pending returns the module's Pending Export in upload order.
func (e *Engine) Pending(ctx context.Context, module string) ([]PendingItem, error) {
	if _, err := e.definition(module); err != nil {
		return nil, err
	}
	items, err := e.db.Queue(ctx, module)
	if err != nil {
		return nil, err
	}
	SortPending(items)
	return items, nil
}
