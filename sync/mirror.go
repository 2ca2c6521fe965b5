package sync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// inbound turns the package's codes back into local ones: the inverse of the
// module's nominal, tax and bank mappings. A remote code that several local
// codes map to is left as it is.
type inbound struct {
	nominal, tax, bank map[string]string
}

func newInbound(settings map[string]string) inbound {
	return inbound{
		nominal: invert(settings, MapNominalPrefix),
		tax:     invert(settings, MapTaxPrefix),
		bank:    invert(settings, MapBankPrefix),
	}
}

// invert turns the mappings under prefix (local code -> remote code) into
// remote -> local, leaving out remote codes that more than one local code
// maps to.
func invert(settings map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	ambiguous := map[string]bool{}
	for k, v := range settings {
		local, ok := strings.CutPrefix(k, prefix)
		remote := strings.TrimSpace(v)
		if !ok || remote == "" {
			continue
		}
		if prev, seen := out[remote]; ambiguous[remote] || seen && prev != local {
			ambiguous[remote] = true
			delete(out, remote)
			continue
		}
		out[remote] = local
	}
	return out
}

func lookupOr(m map[string]string, code string) string {
	if v, ok := m[code]; ok {
		return v
	}
	return code
}

// record returns rec (of type t) with local codes; rec is not changed.
func (in inbound) record(t connectors.RecordType, rec connectors.Record) connectors.Record {
	out := rec
	if out.Type == "" {
		out.Type = t
	}
	return withCodes(out,
		func(c string) string { return lookupOr(in.nominal, c) },
		func(c string) string { return lookupOr(in.tax, c) },
		func(c string) string { return lookupOr(in.bank, c) })
}

// fingerprint is the fingerprint the package's record has in the workspace.
func (in inbound) fingerprint(t connectors.RecordType, rec connectors.Record) (storage.Fingerprint, error) {
	return storage.FingerprintOf(in.record(t, rec))
}

// Mirror pulls the package's changes into the workspace for the given types
// (none: reference data and every type whose mirror level is not OFF).
// Matrix types follow their mirror level: NEW only takes records not yet
// linked, NEW + UPDATED takes changes too; pulls are incremental when the
// connector can. Reference data is fetched in full. Mirrored records are
// linked and are not sent back as uploads.
func (e *Engine) Mirror(ctx context.Context, module string, types []connectors.RecordType) (Report, error) {
	return e.run(ctx, module, TriggerManual, func(def connectors.Definition, conn connectors.Connection, rep *Report) error {
		var anc, docs []connectors.RecordType
		if len(types) == 0 {
			anc = connectors.AncillaryTypes()
			m, merr := e.matrix(module)
			if merr != nil {
				rep.fail(e.Words(), func(w *words.Words) string { return w.Error(merr) })
			}
			for _, t := range connectors.MatrixTypes() {
				if m.Level(connectors.Mirror, t) != Off {
					docs = append(docs, t)
				}
			}
		}
		for _, t := range types {
			if t.IsAncillary() {
				anc = append(anc, t)
			} else {
				docs = append(docs, t)
			}
		}
		if err := e.refreshAncillaryTypes(ctx, def, conn, anc, rep); err != nil {
			return err
		}
		return e.mirror(ctx, def, conn, docs, rep)
	})
}

// runError words an error that ended a run: a daily limit sets the
// report's resume time, a refused sign-in the module's Reconnect note.
func (e *Engine) runError(ctx context.Context, def connectors.Definition, rep *Report, err error) error {
	var rl *connectors.RateLimitError
	switch {
	case errors.As(err, &rl) && rl.Daily:
		rep.ResumeAt = rl.ResumeAt
		return sayErr(e.Words(), err, "engine.run.daily_limit", "Package", title(def), "ResumeAt", rl.ResumeAt.Local())
	case errors.Is(err, connectors.ErrAuth):
		return e.connError(ctx, def, err)
	}
	return err
}

func (e *Engine) refreshAncillary(ctx context.Context, def connectors.Definition, conn connectors.Connection, rep *Report) error {
	return e.refreshAncillaryTypes(ctx, def, conn, connectors.AncillaryTypes(), rep)
}

// refreshAncillaryTypes fetches the package's reference data of types in
// full and replaces what the module held.
func (e *Engine) refreshAncillaryTypes(ctx context.Context, def connectors.Definition, conn connectors.Connection, types []connectors.RecordType, rep *Report) error {
	if slices.Contains(types, connectors.NominalAccounts) {
		// The administrations are reference data read with the chart.
		if err := e.storeAdministrations(ctx, def, conn); err != nil {
			return e.runError(ctx, def, rep, err)
		}
	}
	lister, ok := As[connectors.Lister](conn)
	if !ok {
		return nil
	}
	for _, t := range types {
		if !def.Caps.Supports(t, connectors.Mirror) {
			continue
		}
		var recs []connectors.Record
		var bad []FeedbackRow
		var gone []connectors.Remote
		err := lister.ListChanged(ctx, t, time.Time{}, func(page []connectors.Remote) error {
			for _, r := range page {
				if r.Deleted {
					// No longer reference data; a product LedgerLink sent
					// is marked as deleted in the package.
					if def.Caps.Deletions && t == connectors.Items {
						gone = append(gone, r)
					}
					continue
				}
				rec := r.Record
				if rec.Type == "" {
					rec.Type = t
				}
				if err := checkRemote(t, rec); err != nil {
					bad = append(bad, badRemote(e.Words(), def, t, r, err))
					continue
				}
				recs = append(recs, rec)
			}
			return nil
		})
		if err != nil {
			return e.runError(ctx, def, rep, sayErr(e.Words(), err, "engine.mirror.fetch_failed", "Type", t.Text(), "Package", title(def)))
		}
		if err := e.db.AddFeedback(ctx, def.Name, bad...); err != nil {
			return err
		}
		if err := e.db.ReplaceAncillary(ctx, def.Name, t, dedupe(recs)); err != nil {
			return err
		}
		if err := e.mirrorGone(ctx, def, t, gone, rep); err != nil {
			return err
		}
	}
	return nil
}

// dedupe keeps the last record of each code.
func dedupe(recs []connectors.Record) []connectors.Record {
	at := map[string]int{}
	out := recs[:0]
	for _, r := range recs {
		if i, ok := at[r.Code()]; ok {
			out[i] = r
			continue
		}
		at[r.Code()] = len(out)
		out = append(out, r)
	}
	return out
}

func checkRemote(t connectors.RecordType, rec connectors.Record) error {
	if rec.Type != t {
		return words.Errorf(nil, "engine.mirror.wrong_type", "Asked", t.Text(), "Sent", rec.Type.Text())
	}
	return rec.Validate()
}

func badRemote(w *words.Words, def connectors.Definition, t connectors.RecordType, r connectors.Remote, err error) FeedbackRow {
	return FeedbackRow{Type: t, Code: r.Record.Code(),
		Message: w.T("engine.mirror.unreadable", "Package", title(def), "ID", r.RemoteID, "Error", w.Error(err)),
		Cause:   w.T("engine.mirror.unreadable.cause", "Package", title(def)),
		Fix:     w.T("engine.mirror.unreadable.fix", "Package", title(def)),
	}
}

// mirrorLevel is the mirror level of t: the matrix for its seven types,
// "sync.mirror.<type>" for the others (OFF when unset).
func mirrorLevel(m Matrix, settings map[string]string, t connectors.RecordType) Level {
	if slices.Contains(connectors.MatrixTypes(), t) {
		return m.Level(connectors.Mirror, t)
	}
	l, err := ParseLevel(settings[SettingKey(connectors.Mirror, t)])
	if err != nil {
		return Off
	}
	return l
}

// mirror pulls changed records of types into the workspace.
func (e *Engine) mirror(ctx context.Context, def connectors.Definition, conn connectors.Connection, types []connectors.RecordType, rep *Report) error {
	if len(types) == 0 {
		return nil
	}
	lister, ok := As[connectors.Lister](conn)
	if !ok {
		return sayErr(e.Words(), nil, "engine.mirror.cannot_send", "Package", title(def))
	}
	linker, _ := As[connectors.Linker](conn)
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return err
	}
	m, merr := MatrixFromSettings(settings)
	if merr != nil {
		e.log.Warn("sync settings are damaged; using the safe levels", "module", def.Name, "err", merr)
	}
	in := newInbound(settings)
	types = slices.Clone(types)
	slices.SortStableFunc(types, func(a, b connectors.RecordType) int { return rank(a) - rank(b) })
	for _, t := range slices.Compact(types) {
		level := mirrorLevel(m, settings, t)
		if level == Off || !def.Caps.Supports(t, connectors.Mirror) {
			continue
		}
		var since time.Time
		if def.Caps.IncrementalPull {
			if since, err = e.db.PullCursor(ctx, def.Name, t); err != nil {
				return err
			}
		}
		latest, started := since, e.now()
		p, read := progress{e: e, module: def.Name}, 0
		p.step(words.Sentence("engine.step.reading", "Type", t.Text(), "Package", title(def)), 0)
		err := lister.ListChanged(ctx, t, since, func(page []connectors.Remote) error {
			read += len(page)
			p.count(read, 0)
			newest, err := e.mirrorPage(ctx, def, t, level == NewOnly, in, linker, page, rep)
			if newest.After(latest) {
				latest = newest
			}
			return err
		})
		if err != nil {
			return e.runError(ctx, def, rep, sayErr(e.Words(), err, "engine.mirror.fetch_failed", "Type", t.Text(), "Package", title(def)))
		}
		if def.Caps.IncrementalPull && latest.IsZero() {
			// A first full read that found nothing (a new, empty
			// organisation) still moves the cursor, so the next run asks
			// only for changes: from a little before this read began, to
			// allow for the package's clock being behind LedgerLink's.
			latest = started.Add(-emptyReadSkew)
		}
		if def.Caps.IncrementalPull && latest.After(since) {
			if err := e.db.SetPullCursor(ctx, def.Name, t, latest); err != nil {
				return err
			}
		}
	}
	return nil
}

// mirrorPage brings one page of the package's records of type t into the
// workspace: the mirror path every pull shares (a full or incremental read,
// and the records a change call names). Deleted records go to the deletion
// rules, unreadable ones and conflicts to Error Feedback. It returns the
// newest change stamp of the page.
func (e *Engine) mirrorPage(ctx context.Context, def connectors.Definition, t connectors.RecordType, newOnly bool, in inbound, linker connectors.Linker, page []connectors.Remote, rep *Report) (time.Time, error) {
	var latest time.Time
	items := make([]storage.MirrorItem, 0, len(page))
	var bad []FeedbackRow
	var gone []connectors.Remote
	for _, r := range page {
		if r.Deleted {
			if r.UpdatedAt.After(latest) {
				latest = r.UpdatedAt
			}
			if def.Caps.Deletions && strings.TrimSpace(r.RemoteID) != "" {
				gone = append(gone, r)
			}
			continue
		}
		rec := in.record(t, r.Record)
		if err := checkRemote(t, rec); err != nil {
			bad = append(bad, badRemote(e.Words(), def, t, r, err))
			continue
		}
		if strings.TrimSpace(r.RemoteID) == "" {
			bad = append(bad, badRemote(e.Words(), def, t, r, words.Errorf(nil, "engine.mirror.no_id")))
			continue
		}
		if other, ok := otherPartyType(t); ok {
			// One contact of the package is one party here: a
			// contact LedgerLink knows as a supplier is not also
			// taken as a customer (and the other way round), as
			// packages that list a new contact in both would have it.
			if _, linked, err := e.db.CodeForRemoteID(ctx, def.Name, other, r.RemoteID); err != nil {
				return latest, err
			} else if linked {
				continue
			}
		}
		it := storage.MirrorItem{Record: rec, RemoteID: r.RemoteID, RemoteUpdatedAt: r.UpdatedAt}
		if linker != nil {
			it.URL = linker.RecordURL(t, r.RemoteID)
		}
		items = append(items, it)
		if r.UpdatedAt.After(latest) {
			latest = r.UpdatedAt
		}
	}
	res, err := e.db.MirrorRecords(ctx, def.Name, newOnly, items)
	if err != nil {
		return latest, err
	}
	for _, c := range res.Conflicts {
		bad = append(bad, FeedbackRow{Type: t, Code: c.Ref.Code,
			Message: e.Words().T("engine.mirror.conflict", "Package", title(def), "ID", c.RemoteID),
			Cause:   c.Reason, Fix: e.Words().T("engine.mirror.conflict.fix")})
	}
	rep.Add(connectors.Mirror, t, res.Added, res.Updated, len(bad))
	if err := e.mirrorGone(ctx, def, t, gone, rep); err != nil {
		return latest, err
	}
	return latest, e.db.AddFeedback(ctx, def.Name, bad...)
}

// otherPartyType is the other party type of a customer or supplier.
func otherPartyType(t connectors.RecordType) (connectors.RecordType, bool) {
	switch t {
	case connectors.Customers:
		return connectors.Suppliers, true
	case connectors.Suppliers:
		return connectors.Customers, true
	}
	return "", false
}

// emptyReadSkew is how far before an empty first read its cursor is set.
const emptyReadSkew = 15 * time.Minute
