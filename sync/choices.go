package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// capability returns conn, or the connection a wrapper (the pacer) holds,
// as the optional capability T. The paced connection wraps the record
// capabilities only; the rarer ones (choices, refresh, exclusions: a call
// or two, asked for by a person or once a run) are called on the
// connection inside, whose HTTP requests still go through the module's
// pacer where the workspace opened it.
func capability[T any](conn connectors.Connection) (T, bool) {
	for conn != nil {
		if v, ok := As[T](conn); ok {
			return v, true
		}
		u, ok := conn.(interface{ Unwrap() connectors.Connection })
		if !ok {
			break
		}
		conn = u.Unwrap()
	}
	var zero T
	return zero, false
}

// ErrNoChoices means the module's package offers no values for a setting.
var ErrNoChoices = errors.New("the accounting package offers no values for this setting") // words:log: a kind for errors.Is; people read sayKind's words

// SettingChoices reads from the module's package the values the setting
// key may take (the customer groups or custom fields it holds), for the
// settings the connector declares Fetched. It signs in but does not run
// the connection's Check, so a condition Check reports (a flag to clear)
// does not keep the person from choosing.
func (e *Engine) SettingChoices(ctx context.Context, module, key string) ([]connectors.Choice, error) {
	def, err := e.definition(module)
	if err != nil {
		return nil, err
	}
	f, ok := def.Field(key)
	if !ok || !f.Fetched {
		return nil, sayKind(e.Words(), ErrNoChoices, nil, "engine.choices.no_such_setting", "Package", title(def), "Key", key)
	}
	unlock := e.lock(module)
	defer unlock()
	conn, err := e.open(ctx, module)
	if err != nil {
		return nil, e.connError(ctx, def, err)
	}
	defer closeConn(conn)
	cl, ok := capability[connectors.ChoiceLister](conn)
	if !ok {
		return nil, sayKind(e.Words(), ErrNoChoices, nil, "engine.choices.cannot_list", "Package", title(def), "Field", words.Sentence(f.Label))
	}
	choices, err := cl.Choices(ctx, key)
	if err != nil {
		return nil, sayErr(e.Words(), err, "engine.choices.read_failed", "Field", words.Sentence(f.Label), "Package", title(def))
	}
	if f.CustomFieldsOf != "" {
		local, err := e.customFieldNames(ctx, f.CustomFieldsOf)
		if err != nil {
			return nil, err
		}
		for i := range choices {
			choices[i].InBusinessFiles = local[choices[i].Value]
		}
	}
	return choices, nil
}

// customFieldNames are the custom field names the workspace's records of
// type t carry, exactly as spelt.
func (e *Engine) customFieldNames(ctx context.Context, t connectors.RecordType) (map[string]bool, error) {
	names := map[string]bool{}
	err := e.db.ListRecords(ctx, t, func(sr storage.StoredRecord) error {
		if p := sr.Record.Party; p != nil {
			for n := range p.CustomFields {
				names[n] = true
			}
		}
		return nil
	})
	return names, err
}

// ErrNoRefresh means the module's package has no refresh action.
var ErrNoRefresh = errors.New("the accounting package has no refresh action") // words:log: a kind for errors.Is; people read sayKind's words

// RefreshAction runs the module's refresh action (Definition.RefreshLabel) in
// its package, clearing what its Check reported as needing action; the
// module's AMBER note goes at the next check that passes, which Refresh
// runs straight after.
func (e *Engine) RefreshAction(ctx context.Context, module string) error {
	def, err := e.definition(module)
	if err != nil {
		return err
	}
	if def.RefreshLabel == "" {
		return sayKind(e.Words(), ErrNoRefresh, nil, "engine.refresh.none", "Package", title(def))
	}
	unlock := e.lock(module)
	defer unlock()
	conn, err := e.open(ctx, module)
	if err != nil {
		return e.connError(ctx, def, err)
	}
	r, ok := capability[connectors.Refresher](conn)
	if !ok {
		closeConn(conn)
		return sayKind(e.Words(), ErrNoRefresh, nil, "engine.refresh.none", "Package", title(def))
	}
	if err := r.Refresh(ctx); err != nil {
		closeConn(conn)
		return fmt.Errorf("%s: %w", def.RefreshLabel, err)
	}
	closeConn(conn)
	// connect checks again and clears the note when the check passes.
	conn, err = e.connect(ctx, def)
	if err != nil {
		return err
	}
	closeConn(conn)
	return nil
}

// AttentionSetting holds what a connection's Check reported as needing the
// person's action in the package (connectors.ErrNeedsAction): the
// package's words and the fix. It keeps the module AMBER; a check that
// passes clears it.
const AttentionSetting = storage.PrefixState + "attention"

// attentionNote words a Check error that needs the person's action: the
// package's words, then the connector's fix in the engine's language.
func (e *Engine) attentionNote(conn connectors.Connection, err error) string {
	var x connectors.Explanation
	explained := false
	if ex, ok := As[connectors.Explainer](conn); ok {
		x, explained = ex.Explain(err)
	}
	return words.SayEvery(e.Words().Catalogue(), func(w *words.Words) string {
		note := strings.TrimSpace(w.Error(err))
		if !strings.HasSuffix(note, ".") {
			note += "."
		}
		if explained {
			if said := x.In(w); said.Fix != "" {
				note += " " + said.Fix
			}
		}
		return note
	}).Encode()
}

// noteExcluded adds to the run's notes the records of the mirrored types
// the package holds that the module's settings leave out (Excluder) and
// that were synced before: nothing is deleted, and they are named so the
// person can tell.
func (e *Engine) noteExcluded(ctx context.Context, def connectors.Definition, conn connectors.Connection, types []connectors.RecordType, rep *Report) error {
	ex, ok := capability[connectors.Excluder](conn)
	if !ok {
		return nil
	}
	for _, t := range types {
		codes, err := ex.Excluded(ctx, t)
		if err != nil {
			return sayErr(e.Words(), err, "engine.excluded.read_failed", "Type", t.Text(), "Package", title(def))
		}
		// Only those LedgerLink linked before are news: they used to sync.
		var known []string
		for _, code := range codes {
			if _, linked, err := e.db.Link(ctx, def.Name, Ref{Type: t, Code: code}); err != nil {
				return err
			} else if linked {
				known = append(known, code)
			}
		}
		if len(known) == 0 {
			continue
		}
		slices.Sort(known)
		w := e.Words()
		rep.Notes = append(rep.Notes, w.T("engine.excluded.note", "Package", title(def), "Records", count(w, t, len(known)), "Codes", listCodes(w, known)))
	}
	return nil
}

// noteParked tells the run's report which records the module's settings
// kept from the package (ErrNotSynced): they wait in Pending Export and go
// at the first run after the settings or the records let them.
func (up *uploader) noteParked() {
	if len(up.parked) == 0 {
		return
	}
	byType := map[connectors.RecordType][]string{}
	var order []connectors.RecordType
	for _, ref := range up.parked {
		if _, ok := byType[ref.Type]; !ok {
			order = append(order, ref.Type)
		}
		byType[ref.Type] = append(byType[ref.Type], ref.Code)
	}
	for _, t := range order {
		codes := byType[t]
		slices.Sort(codes)
		w := up.lang()
		up.rep.Notes = append(up.rep.Notes, w.T("engine.parked.note", "Records", count(w, t, len(codes)), "Codes", listCodes(w, codes)))
	}
}

// ruleParked marks a document whose customer or supplier the module's
// settings keep from the package: it waits with it.
const ruleParked = "parked"

// park keeps ref pending, neither sent nor failed.
func (up *uploader) park(ref Ref) {
	if !up.parkedSet[ref] {
		up.parkedSet[ref] = true
		up.parked = append(up.parked, ref)
	}
}
