package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Products (connectors.Items) are the one kind of reference data the
// business owns: its stock items. They upload at their own level
// (ProductsSettingKey: off, new or new+updated; OFF unless set), before the
// documents that use them, and with SettingStockOnInvoicesOnly only those a
// document line uses.

// ProductsSettingKey is the setting holding the upload level of products:
// "sync.upload.item".
var ProductsSettingKey = UploadSettingKey(connectors.Items)

// ProductsLevel is the upload level of products in settings (OFF when unset
// or unreadable).
func ProductsLevel(settings map[string]string) Level {
	l, err := ParseLevel(settings[ProductsSettingKey])
	if err != nil {
		return Off
	}
	return l
}

// productDocumentTypes are the documents whose lines name products.
var productDocumentTypes = []connectors.RecordType{
	connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes,
}

// productsInUse returns, when only products on documents may go, the codes
// used by a line of a document that is pending or exported (a document
// whose type uploads), and a digest of them for the levels signature, so
// that a product a new document starts to use is looked at again. It
// returns nil and "" when every product may go.
func (e *Engine) productsInUse(ctx context.Context, module string, settings map[string]string, levels map[connectors.RecordType]Level) (map[string]bool, string, error) {
	only, _ := strconv.ParseBool(settings[SettingStockOnInvoicesOnly])
	if levels[connectors.Items] == Off || !only {
		return nil, "", nil
	}
	used := map[string]bool{}
	for _, t := range productDocumentTypes {
		if levels[t] == Off {
			continue
		}
		err := e.db.ListRecords(ctx, t, func(sr storage.StoredRecord) error {
			if sr.Record.Document == nil {
				return nil
			}
			for _, l := range sr.Record.Document.Lines {
				if l.ItemCode != "" {
					used[l.ItemCode] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, "", err
		}
	}
	h := sha256.New()
	for _, c := range slices.Sorted(maps.Keys(used)) {
		fmt.Fprintf(h, "%s\x00", c)
	}
	return used, "used=" + hex.EncodeToString(h.Sum(nil)[:8]) + ";", nil
}

// productsOf returns the products a record's lines name, each once.
func productsOf(rec connectors.Record) []Ref {
	if rec.Document == nil {
		return nil
	}
	var out []Ref
	seen := map[string]bool{}
	for _, l := range rec.Document.Lines {
		if l.ItemCode != "" && !seen[l.ItemCode] {
			seen[l.ItemCode] = true
			out = append(out, Ref{Type: connectors.Items, Code: l.ItemCode})
		}
	}
	return out
}

// productsUpload reports whether the checker's module uploads products.
func (c *checker) productsUpload() bool {
	return c.caps.Supports(connectors.Items, connectors.Upload) && ProductsLevel(c.settings) != Off
}

// productState says what becomes of a product a line names that the
// package does not hold: created (it waits in Pending Export or was sent),
// or why not ("" when it will be created).
func (c *checker) productState(ctx context.Context, code string) (created bool, err error) {
	ref := Ref{Type: connectors.Items, Code: code}
	if _, queued := c.queued[ref]; queued {
		return true, nil
	}
	if _, linked, err := c.db.Link(ctx, c.module, ref); err != nil || linked {
		return linked, err
	}
	return false, nil
}

// createNote is pre-check's note on a line whose product LedgerLink creates
// in the package first.
func createNote(w *words.Words, code, pkg string) string {
	return w.T("engine.precheck.create_product.note", "Code", code, "Package", pkg)
}

// missingProduct is pre-check's verdict on product code (on line n), which
// the package does not hold, while products are uploaded: nil when
// LedgerLink will create it, otherwise the problem.
func (c *checker) missingProduct(ctx context.Context, code string, n int) (*Problem, error) {
	created, err := c.productState(ctx, code)
	if err != nil || created {
		return nil, err
	}
	if _, found, err := c.db.Head(ctx, connectors.Items, code); err != nil {
		return nil, err
	} else if found {
		return &Problem{Rule: RuleUnknownItem,
			Cause: c.w.T("engine.precheck.product_not_pending.cause", "Code", code, "Line", c.w.Int(int64(n)), "Package", c.pkg),
			Fix:   c.w.T("engine.precheck.product_not_pending.fix", "Code", code, "Package", c.pkg),
		}, nil
	}
	return &Problem{Rule: RuleUnknownItem,
		Cause: c.w.T("engine.precheck.product_nowhere.cause", "Code", code, "Line", c.w.Int(int64(n)), "Package", c.pkg),
		Fix:   c.w.T("engine.precheck.product_nowhere.fix", "Code", code, "Package", c.pkg),
	}, nil
}

// productNotReady says why rec cannot go yet because of a product it
// names: the product waits in Pending Export (it failed earlier in this run,
// or was not selected), so the package does not hold it.
func (up *uploader) productNotReady(ctx context.Context, rec connectors.Record) (*Problem, error) {
	if up.levels[connectors.Items] == Off {
		return nil, nil
	}
	for _, p := range productsOf(rec) {
		if up.linked[p] {
			continue
		}
		ready, known := up.productReady[p]
		if !known {
			_, pending, err := up.e.db.QueueItem(ctx, up.def.Name, p)
			if err != nil {
				return nil, err
			}
			ready = !pending
			if up.productReady == nil {
				up.productReady = map[Ref]bool{}
			}
			up.productReady[p] = ready
		}
		if ready {
			continue
		}
		return &Problem{Rule: RuleUnknownItem,
			Cause: up.lang().T("engine.upload.product_not_ready.cause", "Code", p.Code, "Package", up.pkg(), "This", this(up.lang(), rec.Type)),
			Fix:   up.lang().T("engine.upload.product_not_ready.fix", "Code", p.Code),
		}, nil
	}
	return nil, nil
}

// noteProducts tells the run report how many products this upload created
// in the package before the documents that use them.
func (up *uploader) noteProducts() {
	for _, c := range up.rep.Counts {
		if c.Direction != connectors.Upload || c.Type != connectors.Items || c.Created == 0 {
			continue
		}
		up.rep.Notes = append(up.rep.Notes, up.lang().N("engine.upload.products_created", c.Created, "Package", up.pkg()))
	}
}
