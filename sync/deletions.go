package sync

import (
	"context"
	"errors"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Records the package deleted or voided (connectors with
// Capabilities.Deletions report them with Remote.Deleted) are never
// dropped and never sent again: the record stays in LedgerLink, its link
// is marked (so change detection leaves it alone and it leaves Pending
// Export), and its Successfully Exported row says what happened. A
// document takes the status the package gave it; a payment is undone: its
// allocations are taken off and the documents it paid have their amount due
// back, with a note saying so. A deleted record LedgerLink never had is
// left alone.

// goneOf is what the package did to r: voided where its status says so,
// deleted otherwise.
func goneOf(r connectors.Remote) storage.Gone {
	if d := r.Record.Document; d != nil && d.Status == connectors.StatusVoided {
		return storage.GoneVoided
	}
	return storage.GoneDeleted
}

// mirrorGone handles the deleted or voided records of one page of type t.
func (e *Engine) mirrorGone(ctx context.Context, def connectors.Definition, t connectors.RecordType, gone []connectors.Remote, rep *Report) error {
	if len(gone) == 0 {
		return nil
	}
	if t == connectors.InvoicePayments || t == connectors.PurchasePayments {
		return e.db.UpdateImports(ctx, def.Name, func(tx *storage.ImportTx) error {
			for _, r := range gone {
				if _, err := undoPayment(e.Words(), tx, def, t, r, rep); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var items []storage.GoneItem
	for _, r := range gone {
		code, found, err := e.db.CodeForRemoteID(ctx, def.Name, t, r.RemoteID)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		ref := Ref{Type: t, Code: code}
		l, _, err := e.db.Link(ctx, def.Name, ref)
		if err != nil {
			return err
		}
		state := goneOf(r)
		if l.Gone == state {
			continue
		}
		it := storage.GoneItem{Ref: ref, Gone: state}
		sr, err := e.db.Get(ctx, t, code)
		switch {
		case err == nil:
			if rec, changed := goneRecord(sr.Record, state); changed {
				it.Record = &rec
			}
		case !errors.Is(err, storage.ErrRecordNotFound):
			return err
		}
		items = append(items, it)
	}
	if _, err := e.db.MarkGone(ctx, def.Name, items); err != nil {
		return err
	}
	w := e.Words()
	for _, it := range items {
		key := "engine.deleted.note"
		if it.Gone == storage.GoneVoided {
			key = "engine.voided.note"
		}
		rep.Notes = append(rep.Notes, w.T(key, "What", capital(noun(w, t)), "Code", it.Ref.Code, "Package", title(def)))
	}
	return nil
}

// goneRecord is rec as the package now shows it: a document with its
// status, a party archived. changed is false when nothing shows it.
func goneRecord(rec connectors.Record, state storage.Gone) (connectors.Record, bool) {
	out := rec.Clone()
	switch {
	case out.Document != nil:
		status := connectors.StatusDeleted
		if state == storage.GoneVoided {
			status = connectors.StatusVoided
		}
		if out.Document.Status == status {
			return rec, false
		}
		out.Document.Status = status
		return out, true
	case out.Party != nil && !out.Party.Archived:
		out.Party.Archived = true
		return out, true
	}
	return rec, false
}

// undoPayment undoes, inside an import transaction, a payment of type t the
// package deleted: the documents it paid get their amount due back, the
// payment loses its allocations and is marked deleted, its Import row says
// so, and the run gets a note and a feedback row in plain words. A payment
// LedgerLink does not have, or has undone already, is left alone.
//
// It returns the Import row it rewrote, if any.
func undoPayment(w *words.Words, tx *storage.ImportTx, def connectors.Definition, t connectors.RecordType, r connectors.Remote, rep *Report) (*ImportRow, error) {
	code, found, err := tx.CodeForRemoteID(t, r.RemoteID)
	if err != nil {
		return nil, err
	}
	if !found {
		// Never created here; a row still waiting is settled.
		row, open, err := tx.Row(t, r.RemoteID)
		if err != nil || !open || row.Outcome.Settled() {
			return nil, err
		}
		row.Outcome, row.Remote, row.Fix = storage.ImportDeleted, r, ""
		row.Status = w.T("engine.deleted.before_created", "Package", title(def))
		stored, err := tx.PutRow(row)
		return &stored, err
	}
	ref := Ref{Type: t, Code: code}
	if l, _, err := tx.Link(ref); err != nil {
		return nil, err
	} else if l.Gone != "" {
		return nil, nil
	}
	it := storage.GoneItem{Ref: ref, Gone: storage.GoneDeleted}
	var undone []string
	sr, exists, err := tx.Get(ref)
	if err != nil {
		return nil, err
	}
	if exists && sr.Record.Payment != nil {
		p := *sr.Record.Payment
		for _, a := range p.Allocations {
			dt := a.DocumentType
			if dt == "" {
				dt = invoiceTypeOf(t)
			}
			doc, ok, err := tx.Get(Ref{Type: dt, Code: a.DocumentCode})
			if err != nil {
				return nil, err
			}
			if !ok || doc.Record.Document == nil {
				continue
			}
			d := *doc.Record.Document
			d.Lines = append([]connectors.Line(nil), d.Lines...)
			if d.Total.IsPositive() {
				// LedgerLink keeps the package's figures: give the amount back.
				d.AmountDue = d.AmountDue.Add(a.Amount)
				if d.Status == connectors.StatusPaid {
					d.Status = connectors.StatusAuthorised
				}
				if _, err := tx.PutPackageFigures(connectors.Record{Type: dt, Document: &d}); err != nil {
					return nil, err
				}
				undone = append(undone, w.T("engine.deleted.due_again", "What", noun(w, dt), "Code", a.DocumentCode, "Due", w.Decimal(d.AmountDue, 2)))
			} else {
				undone = append(undone, w.T("engine.deleted.document", "What", noun(w, dt), "Code", a.DocumentCode))
			}
		}
		p.Allocations = nil
		it.Record = &connectors.Record{Type: t, Payment: &p}
	}
	if _, err := tx.MarkGone(it); err != nil {
		return nil, err
	}
	note := w.T("engine.deleted.payment_undone", "Code", code, "Package", title(def))
	if len(undone) > 0 {
		note = w.T("engine.deleted.payment_taken_off", "Code", code, "Package", title(def), "Documents", strings.Join(undone, w.T("engine.list.and")))
	}
	var written *ImportRow
	if row, found, err := tx.Row(t, r.RemoteID); err != nil {
		return nil, err
	} else if found {
		row.Outcome, row.Status, row.Fix, row.Remote = storage.ImportDeleted, note, "", r
		stored, err := tx.PutRow(row)
		if err != nil {
			return nil, err
		}
		written = &stored
	}
	if rep != nil {
		rep.Notes = append(rep.Notes, note)
	}
	return written, tx.AddFeedback(FeedbackRow{Type: t, Code: code,
		Message: w.T("engine.deleted.message", "Package", title(def)),
		Cause:   note,
		Fix:     w.T("engine.deleted.payment_fix", "Package", title(def))})
}

// errFound stops a walk once something is found.
var errFound = errors.New("found") // words:log: stops a walk, never shown

// watchDeletions, in a full sync, asks the package which records it
// deleted or voided among the types LedgerLink sends but does not mirror
// (the mirror sees those it pulls itself): one incremental pull per such
// type that LedgerLink has sent records of. Products are seen by the
// reference-data refresh and payroll journals (sent in parts) are not
// watched. Connectors without incremental pulls are not asked, so a run
// never reads a whole ledger for this.
func (e *Engine) watchDeletions(ctx context.Context, def connectors.Definition, conn connectors.Connection, m Matrix, rep *Report) error {
	lister, ok := As[connectors.Lister](conn)
	if !ok || !def.Caps.Deletions || !def.Caps.IncrementalPull {
		return nil
	}
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return err
	}
	levels := uploadLevels(m, settings, def.Caps)
	for _, t := range uploadOrder {
		if t == connectors.Items || t == connectors.Journals || levels[t] == Off ||
			mirrorLevel(m, settings, t) != Off || !def.Caps.Supports(t, connectors.Mirror) {
			continue
		}
		err := e.db.Links(ctx, def.Name, t, func(string, storage.Link) error { return errFound })
		if err == nil {
			continue // nothing of this type was ever sent
		} else if !errors.Is(err, errFound) {
			return err
		}
		since, err := e.db.GoneCursor(ctx, def.Name, t)
		if err != nil {
			return err
		}
		latest := since
		err = lister.ListChanged(ctx, t, since, func(page []connectors.Remote) error {
			var gone []connectors.Remote
			for _, r := range page {
				if r.UpdatedAt.After(latest) {
					latest = r.UpdatedAt
				}
				if r.Deleted && strings.TrimSpace(r.RemoteID) != "" {
					gone = append(gone, r)
				}
			}
			return e.mirrorGone(ctx, def, t, gone, rep)
		})
		if err != nil {
			return e.runError(ctx, def, rep, sayErr(e.Words(), err, "engine.deleted.ask_failed", "Package", title(def), "Type", lowerLabel(e.Words(), t)))
		}
		if latest.After(since) {
			if err := e.db.SetGoneCursor(ctx, def.Name, t, latest); err != nil {
				return err
			}
		}
	}
	return nil
}
