package sync

import (
	"context"
	"errors"
	"ledgerlink/words"
	"slices"
	"strings"

	"ledgerlink/connectors"
)

// ChangedRecord is one record a package's change call names.
type ChangedRecord = connectors.ChangedRecord

// SyncChanged brings in the records the package's change calls named, and
// only those: each is read by its remote ID (or, when the call gives only a
// code, by its code) and goes through the mirror path every pull takes, so
// the sync levels, the module's tag rule (Excluder), custom fields,
// reconciliation and the deletion rules all apply. A record named but no
// longer there is deleted in the package. A type the connection cannot
// read record by record is pulled as a normal (incremental where possible)
// mirror instead; reference data is refreshed whole, as on every run.
// Nothing is uploaded: the next run does that.
func (e *Engine) SyncChanged(ctx context.Context, module string, changed []ChangedRecord) (Report, error) {
	return e.run(ctx, module, TriggerChange, func(def connectors.Definition, conn connectors.Connection, rep *Report) error {
		settings, err := e.db.Settings(def.Name)
		if err != nil {
			return err
		}
		m, merr := MatrixFromSettings(settings)
		if merr != nil {
			e.log.Warn("sync settings are damaged; using the safe levels", "module", def.Name, "err", merr)
		}
		byType := map[connectors.RecordType][]ChangedRecord{}
		var types []connectors.RecordType
		for _, c := range changed {
			if c.Type == "" {
				continue
			}
			if _, ok := byType[c.Type]; !ok {
				types = append(types, c.Type)
			}
			byType[c.Type] = append(byType[c.Type], c)
		}
		slices.SortStableFunc(types, func(a, b connectors.RecordType) int { return rank(a) - rank(b) })
		reader, canRead := As[connectors.Reader](conn)
		var anc, pull []connectors.RecordType
		for _, t := range types {
			if t.IsAncillary() {
				anc = append(anc, t)
				continue
			}
			level := mirrorLevel(m, settings, t)
			if level == Off || !def.Caps.Supports(t, connectors.Mirror) {
				continue
			}
			if !canRead {
				pull = append(pull, t)
				continue
			}
			got, gone, err := e.readChanged(ctx, def, conn, reader, t, byType[t])
			if errors.Is(err, errors.ErrUnsupported) {
				pull = append(pull, t)
				continue
			}
			if err != nil {
				return e.runError(ctx, def, rep, sayErr(e.Words(), err, "engine.mirror.fetch_failed", "Type", t.Text(), "Package", title(def)))
			}
			linker, _ := As[connectors.Linker](conn)
			if _, err := e.mirrorPage(ctx, def, t, level == NewOnly, newInbound(settings), linker, append(got, gone...), rep); err != nil {
				return err
			}
		}
		if err := e.refreshAncillaryTypes(ctx, def, conn, anc, rep); err != nil {
			return err
		}
		return e.mirror(ctx, def, conn, pull, rep)
	})
}

// readChanged reads the changed records of type t: by remote ID those the
// call (or an earlier sync's link) gives one for, by code the others. It
// returns the records found, without those the module's settings leave
// out, and, where the package reports deletions, the records named but no
// longer there, as deleted.
func (e *Engine) readChanged(ctx context.Context, def connectors.Definition, conn connectors.Connection, reader connectors.Reader, t connectors.RecordType, changed []ChangedRecord) (got, gone []connectors.Remote, err error) {
	p := progress{e: e, module: def.Name}
	p.step(words.Sentence("engine.step.read_changed", "Type", t.Text(), "Package", title(def)), len(changed))
	var ids, codes []string
	for _, c := range changed {
		id := strings.TrimSpace(c.RemoteID)
		if id == "" && c.Code != "" {
			l, found, err := e.db.Link(ctx, def.Name, Ref{Type: t, Code: c.Code})
			if err != nil {
				return nil, nil, err
			}
			if found {
				id = l.RemoteID
			}
		}
		switch {
		case id != "":
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		case c.Code != "" && !slices.Contains(codes, c.Code):
			codes = append(codes, c.Code)
		}
	}
	if len(ids) > 0 {
		byID, err := reader.Get(ctx, t, ids)
		if err != nil {
			return nil, nil, err
		}
		got = append(got, byID...)
	}
	if len(codes) > 0 {
		byCode, err := reader.FindByCode(ctx, t, codes)
		if err != nil {
			return nil, nil, err
		}
		got = append(got, byCode...)
	}
	if def.Caps.Deletions {
		for _, id := range ids {
			if !slices.ContainsFunc(got, func(r connectors.Remote) bool { return r.RemoteID == id }) {
				gone = append(gone, connectors.Remote{RemoteID: id, Deleted: true, Record: connectors.Record{Type: t}})
			}
		}
	}
	if ex, ok := As[connectors.Excluder](conn); ok && len(got) > 0 {
		out, err := ex.Excluded(ctx, t)
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return nil, nil, err
		}
		if len(out) > 0 {
			got = slices.DeleteFunc(got, func(r connectors.Remote) bool { return slices.Contains(out, r.Record.Code()) })
		}
	}
	p.count(len(changed), len(changed))
	return got, gone, nil
}
