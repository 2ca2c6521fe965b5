package sync

import (
	"context"
	"errors"
	"slices"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/words"
)

// Upload sends the module's pending records (refs empty: all of them; a
// selection brings its pending customers, suppliers and invoices along) to
// the accounting package:
//
//  1. every upload left uncertain by an earlier run (a crash, a lost reply)
//     is looked up in the package first: found means done, not found means
//     it is sent again under the same idempotency key;
//  2. the pre-check runs; records with problems are not sent and get
//     feedback rows;
//  3. records go in dependency order, in the connector's batch size, each
//     item's idempotency key saved before its request leaves; each item
//     has its own outcome, so one bad invoice never fails its neighbours;
//  4. what went is read back and ticked Verified, at the end, with one
//     listing per type where the package allows.
//
// A refused record gets a feedback row with the package's words and a cause
// and fix, and stays pending. A daily limit stops the run with
// Report.ResumeAt; a refused sign-in stops it with "Reconnect to …".
func (e *Engine) Upload(ctx context.Context, module string, refs []Ref, progress func(done, total int)) (Report, error) {
	return e.run(ctx, module, TriggerManual, func(def connectors.Definition, conn connectors.Connection, rep *Report) error {
		if _, err := e.refresh(ctx, def); err != nil {
			return err
		}
		return e.upload(ctx, def, conn, refs, progress, rep)
	})
}

// finish stamps the report's end and records a run-wide error.
func (e *Engine) finish(rep *Report, err error) (Report, error) {
	rep.Finished = e.now()
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			rep.Cancelled = true
		}
		rep.fail(e.Words(), func(w *words.Words) string { return w.Error(err) })
	}
	return *rep, err
}

// uploader is one upload pass over a module.
type uploader struct {
	e        *Engine
	def      connectors.Definition
	conn     connectors.Connection
	w        connectors.Writer
	r        connectors.Reader // nil when the package cannot be read back
	lister   connectors.Lister // nil when the package cannot list
	rep      *Report
	levels   map[connectors.RecordType]Level
	in       inbound
	batch    int
	progress func(done, total int)
	done     int
	total    int
	// blocked items cannot be sent: an earlier attempt is uncertain and
	// the package can be neither asked nor trusted to deduplicate.
	blocked map[Ref]bool
	// linked remembers records known to be linked (a link is never lost
	// during a run), including those whose outcome is still in carry.
	linked map[Ref]bool
	// carry holds the outcomes of the last batch, written together with the
	// marking of the next one (one transaction instead of two). Until then
	// the items are inflight in the database, which is safe: a crash leaves
	// them to be looked up.
	carry []storage.Outcome
	// productReady caches whether a product a document names is in the
	// package (see productNotReady).
	productReady map[Ref]bool
	// parked are records the module's settings keep from the package
	// (connectors.ErrNotSynced), with the documents that need them: not
	// failures, they stay pending (see noteParked).
	parked    []Ref
	parkedSet map[Ref]bool
}

// entry is one item on its way.
type entry struct {
	item  PendingItem
	fp    storage.Fingerprint // content sent
	write connectors.WriteItem
}

func (e *Engine) upload(ctx context.Context, def connectors.Definition, conn connectors.Connection, refs []Ref, progress func(done, total int), rep *Report) (err error) {
	w, ok := As[connectors.Writer](conn)
	if !ok {
		return sayErr(e.Words(), nil, "engine.upload.cannot_receive", "Package", title(def))
	}
	settings, err := e.db.Settings(def.Name)
	if err != nil {
		return err
	}
	m, _ := MatrixFromSettings(settings) // damaged levels count as OFF
	up := &uploader{
		e: e, def: def, conn: conn, w: w, rep: rep,
		levels:    uploadLevels(m, settings, def.Caps),
		in:        newInbound(settings),
		batch:     max(def.Caps.BatchSize, 1),
		progress:  progress,
		blocked:   map[Ref]bool{},
		linked:    map[Ref]bool{},
		parkedSet: map[Ref]bool{},
	}
	up.r, _ = As[connectors.Reader](conn)
	up.lister, _ = As[connectors.Lister](conn)
	if def.Caps.Supports(connectors.Journals, connectors.Upload) {
		// A payroll journal goes as its parts: one per period, and per cost
		// centre / cost type when the options say so.
		up.w, up.r = JournalWrites(up.w, up.r, settings, up.batch)
		if jw, ok := up.w.(*journalWriter); ok {
			jw.words = e.Words()
		}
	}
	defer func() {
		if ferr := up.complete(ctx, nil); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}()

	if err := up.reconcile(ctx); err != nil {
		return err
	}

	c, err := e.newChecker(ctx, def)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if _, ok := c.queued[r]; !ok {
			rep.fail(e.Words(), func(w *words.Words) string {
				return w.T("engine.upload.not_pending", "What", capital(noun(w, r.Type)), "Code", r.Code)
			})
		}
	}
	items := c.selectPending(refs)
	if len(refs) > 0 {
		if items, err = up.withPrerequisites(ctx, items, c); err != nil {
			return err
		}
	}
	up.total = len(items)
	up.state().step(words.Sentence("engine.step.sending", "Package", title(def)), up.total)
	up.report()
	// Chunk by chunk (one type each, dependency order), so memory holds a
	// chunk of records, not the whole Pending Export.
	ahead := max(markAhead/up.batch, 1) * up.batch
	for len(items) > 0 {
		t := items[0].Type
		n := 1
		for n < len(items) && n < ahead && items[n].Type == t {
			n++
		}
		if err := up.checkAndSend(ctx, c, t, items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	if err := up.complete(ctx, nil); err != nil {
		return err
	}
	up.noteProducts()
	up.noteParked()
	return up.verify(ctx)
}

func (up *uploader) report() {
	up.state().count(up.done, up.total)
	if up.progress != nil {
		up.progress(up.done, up.total)
	}
}

func (up *uploader) pkg() string { return title(up.def) }

// lang are the words the upload writes its feedback and report in.
func (up *uploader) lang() *words.Words { return up.e.Words() }

// withPrerequisites adds to a selection the pending records it needs first
// (a selected invoice's pending customer, a payment's pending invoice).
func (up *uploader) withPrerequisites(ctx context.Context, items []PendingItem, c *checker) ([]PendingItem, error) {
	have := map[Ref]bool{}
	for _, it := range items {
		have[it.Ref()] = true
	}
	next := items
	for len(next) > 0 {
		var added []PendingItem
		for _, it := range next {
			sr, err := up.e.db.Get(ctx, it.Type, it.Code)
			if errors.Is(err, storage.ErrRecordNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			for _, dep := range append(prerequisitesOf(sr.Record), productsOf(sr.Record)...) {
				if i, ok := c.queued[dep]; ok && !have[dep] {
					have[dep] = true
					added = append(added, c.pending[i])
				}
			}
		}
		items = append(items, added...)
		next = added
	}
	SortPending(items)
	return items, nil
}

// reconcile settles every uncertain item of the module before anything new
// is sent: an item the package holds gets its link and exported row; the
// others go back to pending with their key, to be sent again under it.
func (up *uploader) reconcile(ctx context.Context) error {
	open, err := up.e.db.UncertainItems(ctx, up.def.Name)
	if err != nil {
		return err
	}
	var uncertain []entry
	for _, q := range open {
		fp := q.SentFingerprint
		if fp.IsZero() {
			fp = q.Fingerprint
		}
		uncertain = append(uncertain, entry{item: q, fp: fp})
	}
	if len(uncertain) == 0 {
		return nil
	}
	if up.r == nil {
		if up.def.Caps.IdempotencyKeys {
			// The package deduplicates on the key, which every retry reuses.
			return up.release(ctx, uncertain)
		}
		for _, en := range uncertain {
			up.blocked[en.item.Ref()] = true
		}
		up.rep.fail(up.lang(), func(w *words.Words) string {
			return w.N("engine.upload.uncertain_unaskable", len(uncertain), "Package", up.pkg())
		})
		return nil
	}
	slices.SortFunc(uncertain, func(a, b entry) int { return rank(a.item.Type) - rank(b.item.Type) })
	for len(uncertain) > 0 {
		t := uncertain[0].item.Type
		n := 1
		for n < len(uncertain) && n < up.batch && uncertain[n].item.Type == t {
			n++
		}
		delivered, rest, err := up.lookup(ctx, t, uncertain[:n])
		if err != nil {
			return up.stop(ctx, nil, sayErr(up.lang(), err, "engine.upload.lookup_failed", "Package", up.pkg()))
		}
		if err := up.complete(ctx, delivered); err != nil {
			return err
		}
		for _, o := range delivered {
			up.count(o, t)
		}
		if err := up.release(ctx, rest); err != nil {
			return err
		}
		uncertain = uncertain[n:]
	}
	return nil
}

// lookup asks the package which of the entries (all of type t) it already
// holds. Updates are not looked up: sending an update again changes nothing.
func (up *uploader) lookup(ctx context.Context, t connectors.RecordType, entries []entry) (delivered []storage.Outcome, rest []entry, err error) {
	var codes []string
	for _, en := range entries {
		if en.item.Kind == storage.KindNew {
			codes = append(codes, en.item.Code)
		}
	}
	found := map[string]connectors.Remote{}
	if len(codes) > 0 {
		remotes, err := up.r.FindByCode(ctx, t, codes)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range remotes {
			if code := r.Record.Code(); code != "" {
				if _, dup := found[code]; !dup {
					found[code] = r
				}
			}
		}
	}
	for _, en := range entries {
		r, ok := found[en.item.Code]
		if !ok || en.item.Kind != storage.KindNew {
			rest = append(rest, en)
			continue
		}
		o := up.delivered(en, t, r.RemoteID)
		o.Verified = true
		o.RemoteUpdatedAt = r.UpdatedAt
		if fp, err := up.in.fingerprint(t, r.Record); err == nil {
			o.Mirrored = fp
		}
		delivered = append(delivered, o)
	}
	return delivered, rest, nil
}

func (up *uploader) delivered(en entry, t connectors.RecordType, remoteID string) storage.Outcome {
	o := storage.Outcome{
		Ref: en.item.Ref(), Key: en.item.Key, Verdict: storage.Delivered,
		Kind: en.item.Kind, Fingerprint: en.fp, RemoteID: remoteID,
		KeepChanges: up.levels[t] == NewAndUpdated,
	}
	if l, ok := As[connectors.Linker](up.conn); ok && remoteID != "" {
		id := remoteID
		if t == connectors.Journals {
			id = JournalLinkID(remoteID) // the link opens the first part
		}
		o.URL = l.RecordURL(t, id)
	}
	return o
}

func (up *uploader) count(o storage.Outcome, t connectors.RecordType) {
	if o.Verdict == storage.Delivered {
		up.linked[o.Ref] = true
	}
	switch {
	case o.Verdict == storage.Rejected:
		up.rep.Add(connectors.Upload, t, 0, 0, 1)
	case o.Verdict == storage.Delivered && o.Kind == storage.KindUpdated:
		up.rep.Add(connectors.Upload, t, 0, 1, 0)
	case o.Verdict == storage.Delivered:
		up.rep.Add(connectors.Upload, t, 1, 0, 0)
	}
}

// complete records the carried outcomes and outcomes, even when ctx was
// cancelled meanwhile: what the package did must not be forgotten.
func (up *uploader) complete(ctx context.Context, outcomes []storage.Outcome) error {
	all := append(up.carry, outcomes...)
	up.carry = nil
	if len(all) == 0 {
		return nil
	}
	return up.e.db.Complete(context.WithoutCancel(ctx), up.def.Name, all)
}

// release puts entries back to pending with their keys: their outcome is
// unknown, so they are looked up before they are sent again.
func (up *uploader) release(ctx context.Context, entries []entry) error {
	outs := make([]storage.Outcome, 0, len(entries))
	for _, en := range entries {
		outs = append(outs, storage.Outcome{Ref: en.item.Ref(), Key: en.item.Key, Verdict: storage.Unknown})
	}
	return up.complete(ctx, outs)
}

// stop ends the run after a failure of the package as a whole, releasing
// the entries in flight; it words the error for people.
func (up *uploader) stop(ctx context.Context, entries []entry, err error) error {
	if rerr := up.release(ctx, entries); rerr != nil {
		return errors.Join(err, rerr)
	}
	return up.e.runError(ctx, up.def, up.rep, err)
}

// checkAndSend pre-checks items of type t, writes feedback for those with
// problems and sends the others.
func (up *uploader) checkAndSend(ctx context.Context, c *checker, t connectors.RecordType, items []PendingItem) error {
	checks, err := up.e.precheck(ctx, c, items, false)
	if err != nil {
		return err
	}
	var send []checked
	var feedback []FeedbackRow
	for _, ch := range checks {
		switch {
		case len(ch.problems) > 0:
			for _, p := range ch.problems {
				feedback = append(feedback, FeedbackRow{Type: ch.item.Type, Code: ch.item.Code,
					Message: up.lang().T("engine.feedback.precheck", "Cause", p.Cause), Cause: p.Cause, Fix: p.Fix, Key: p.Key, Args: p.Args})
			}
			up.rep.Add(connectors.Upload, ch.item.Type, 0, 0, 1)
			up.done++
		case up.blocked[ch.item.Ref()]:
			up.done++
		default:
			send = append(send, ch)
		}
	}
	if err := up.e.db.AddFeedback(ctx, up.def.Name, feedback...); err != nil {
		return err
	}
	if len(send) == 0 {
		up.report()
		return nil
	}
	return up.sendChunk(ctx, c, t, send)
}

// markAhead is how many items of one type are marked inflight in one
// transaction: several batches' keys are saved at once, so a large upload
// costs few commits. Items marked but never sent (the run stopped) are
// withdrawn; after a crash they are merely looked up.
const markAhead = 500

// sendChunk sends items of type t: it checks each is ready, saves their
// keys, then sends them batch by batch.
func (up *uploader) sendChunk(ctx context.Context, c *checker, t connectors.RecordType, chunk []checked) error {
	var feedback []FeedbackRow
	var sends []storage.SendItem
	remoteIDs := map[Ref]string{}
	wasUncertain := map[Ref]bool{}
	passed := storage.Check{Status: storage.CheckOK, CheckedAt: up.e.now().UTC()}
	notSent := func(ref Ref, why *Problem) {
		feedback = append(feedback, FeedbackRow{Type: t, Code: ref.Code, Message: up.lang().T("engine.feedback.not_sent", "Cause", why.Cause), Cause: why.Cause, Fix: why.Fix})
		up.rep.Add(connectors.Upload, t, 0, 0, 1)
		up.done++
	}
	for _, ch := range chunk {
		ref := ch.item.Ref()
		if why, err := up.notReady(ctx, ch.rec.Record); err != nil {
			return err
		} else if why != nil && why.Rule == ruleParked {
			up.park(ref)
			up.done++
			continue
		} else if why != nil {
			notSent(ref, why)
			continue
		}
		if ch.item.Kind == storage.KindUpdated {
			id, why, err := up.remoteID(ctx, ref)
			if err != nil {
				return up.stop(ctx, nil, err)
			}
			if why != nil {
				notSent(ref, why)
				continue
			}
			remoteIDs[ref] = id
		}
		wasUncertain[ref] = ch.item.Uncertain()
		sends = append(sends, storage.SendItem{Ref: ref, Fingerprint: ch.rec.Fingerprint, Check: &passed})
	}
	if err := up.e.db.AddFeedback(ctx, up.def.Name, feedback...); err != nil {
		return err
	}
	if len(sends) == 0 {
		up.report()
		return nil
	}
	// The keys are saved here, before any request leaves, together with
	// the outcomes of the batch before.
	marked, err := up.e.db.CompleteAndMark(context.WithoutCancel(ctx), up.def.Name, up.carry, sends)
	if err != nil {
		return err
	}
	up.carry = nil
	recs := make(map[Ref]connectors.Record, len(chunk))
	for _, ch := range chunk {
		recs[ch.item.Ref()] = ch.rec.Record
	}
	entries := make([]entry, 0, len(marked))
	for _, q := range marked {
		entries = append(entries, entry{item: q, fp: q.SentFingerprint, write: connectors.WriteItem{
			Key: q.Key, RemoteID: remoteIDs[q.Ref()], Record: c.outbound(recs[q.Ref()]),
		}})
	}
	for start := 0; start < len(entries); start += up.batch {
		end := min(start+up.batch, len(entries))
		if err := up.sendBatch(ctx, t, entries[start:end]); err != nil {
			// Never sent: back to pending; a key from an earlier uncertain
			// attempt stays, to be looked up.
			var back []storage.Outcome
			for _, en := range entries[end:] {
				v := storage.Withdrawn
				if wasUncertain[en.item.Ref()] {
					v = storage.Unknown
				}
				back = append(back, storage.Outcome{Ref: en.item.Ref(), Key: en.item.Key, Verdict: v})
			}
			if werr := up.complete(ctx, back); werr != nil {
				return errors.Join(err, werr)
			}
			return err
		}
	}
	return nil
}

// sendBatch sends one batch of marked entries of type t, once: the
// module's pacer (see Pacers) is the one layer that waits and retries, so
// a batch goes to the package at most DefaultAttempts times in all. What
// comes back as an error ends the run; the batch's items are looked up
// before they are sent again.
func (up *uploader) sendBatch(ctx context.Context, t connectors.RecordType, entries []entry) error {
	writes := make([]connectors.WriteItem, len(entries))
	for i, en := range entries {
		writes[i] = en.write
	}
	results, err := up.w.Write(ctx, t, writes)
	if err == nil {
		return up.apply(ctx, t, entries, results)
	}
	var rl *connectors.RateLimitError
	switch {
	case ctx.Err() != nil:
		return up.stop(ctx, entries, ctx.Err())
	case errors.As(err, &rl) || errors.Is(err, connectors.ErrAuth):
		return up.stop(ctx, entries, err)
	default:
		return up.stop(ctx, entries, sayErr(up.lang(), err, "engine.upload.batch_refused", "Package", up.pkg(), "Type", t.Text()))
	}
}

// apply keeps each item's verdict to be recorded with the next batch; what
// the package took is read back at the end of the run (verify).
func (up *uploader) apply(ctx context.Context, t connectors.RecordType, entries []entry, results []connectors.WriteResult) error {
	byKey := make(map[string]connectors.WriteResult, len(results))
	for _, r := range results {
		byKey[r.Key] = r
	}
	outs := make([]storage.Outcome, 0, len(entries))
	for _, en := range entries {
		r, ok := byKey[en.item.Key]
		var o storage.Outcome
		switch {
		case ok && r.Err == nil && r.RemoteID != "":
			o = up.delivered(en, t, r.RemoteID)
		case ok && errors.Is(r.Err, connectors.ErrNotSynced):
			// Kept out by the module's own settings: back to pending,
			// neither failed nor in Error Feedback.
			o = storage.Outcome{Ref: en.item.Ref(), Key: en.item.Key, Verdict: storage.Withdrawn}
			up.park(en.item.Ref())
		case ok && r.Err != nil:
			x := up.explain(r.Err)
			message := r.Err.Error() // the package's own words, as it wrote them
			if ie := (*connectors.ItemError)(nil); errors.As(r.Err, &ie) {
				message = ie.In(up.lang())
			}
			o = storage.Outcome{Ref: en.item.Ref(), Key: en.item.Key, Verdict: storage.Rejected,
				Feedback: &FeedbackRow{Type: t, Code: en.item.Code, Message: message,
					Cause: x.Cause, Fix: x.Fix, Key: x.Key, Args: x.Args}}
		default:
			// No verdict for this item: looked up before it goes again.
			o = storage.Outcome{Ref: en.item.Ref(), Key: en.item.Key, Verdict: storage.Unknown}
			up.e.log.Warn("the package gave no verdict on an item", "module", up.def.Name, "type", t, "code", en.item.Code)
		}
		o.Kind = en.item.Kind
		outs = append(outs, o)
	}
	for _, o := range outs {
		up.count(o, t)
	}
	up.carry = append(up.carry, outs...)
	up.done += len(entries)
	up.report()
	return nil
}

// explain turns the package's verdict into a cause and a fix in the
// engine's language, keeping the explanation's key and values so a face
// can say them again in its own.
func (up *uploader) explain(err error) connectors.Explanation {
	return explain(up.e.Words(), up.conn, err, up.pkg())
}

// explain is the connector's explanation of err in w's language, or the
// engine's own general one (with the package's name) when the connector
// has none.
func explain(w *words.Words, conn connectors.Connection, err error, pkg string) connectors.Explanation {
	if ex, ok := As[connectors.Explainer](conn); ok {
		if x, ok := ex.Explain(err); ok {
			if x = x.In(w); x.Cause != "" {
				return x
			}
		}
	}
	return connectors.Explanation{Key: "engine.feedback.refused", Args: map[string]string{"Package": pkg}}.In(w)
}

// notReady says why rec cannot be sent yet: a prerequisite has not reached
// the package (it failed earlier in this run, or was not selected).
func (up *uploader) notReady(ctx context.Context, rec connectors.Record) (*Problem, error) {
	for _, dep := range prerequisitesOf(rec) {
		if !up.def.Caps.Supports(dep.Type, connectors.Upload) || up.linked[dep] {
			continue
		}
		if up.parkedSet[dep] {
			return &Problem{Rule: ruleParked}, nil
		}
		if _, linked, err := up.e.db.Link(ctx, up.def.Name, dep); err != nil {
			return nil, err
		} else if linked {
			up.linked[dep] = true
			continue
		}
		w := up.lang()
		return &Problem{Rule: RuleMissingContact,
			Cause: w.T("engine.upload.prerequisite_not_ready.cause", "What", capital(noun(w, dep.Type)), "Code", dep.Code, "Package", up.pkg(), "This", this(w, rec.Type)),
			Fix:   w.T("engine.upload.prerequisite_not_ready.fix", "What", noun(w, dep.Type), "Code", dep.Code),
		}, nil
	}
	return up.productNotReady(ctx, rec)
}

// remoteID returns the package's ID of an exported record, looking it up by
// code when it was marked as exported by hand.
func (up *uploader) remoteID(ctx context.Context, ref Ref) (string, *Problem, error) {
	l, linked, err := up.e.db.Link(ctx, up.def.Name, ref)
	if err != nil {
		return "", nil, err
	}
	if linked && l.RemoteID != "" {
		return l.RemoteID, nil, nil
	}
	w := up.lang()
	notFound := &Problem{Rule: "not-found",
		Cause: w.T("engine.upload.not_found.cause", "This", capital(this(w, ref.Type)), "Package", up.pkg(), "What", noun(w, ref.Type), "Code", ref.Code),
		Fix:   w.T("engine.upload.not_found.fix"),
	}
	if up.r == nil {
		return "", notFound, nil
	}
	found, err := up.r.FindByCode(ctx, ref.Type, []string{ref.Code})
	if err != nil {
		return "", nil, err
	}
	for _, r := range found {
		if r.Record.Code() == ref.Code && r.RemoteID != "" {
			l.RemoteID = r.RemoteID
			if err := up.e.db.SetLink(ctx, up.def.Name, ref, l); err != nil {
				return "", nil, err
			}
			return r.RemoteID, nil, nil
		}
	}
	return "", notFound, nil
}

// verify reads back uploaded records not yet verified and ticks them
// Verified: the package was read and holds each one. Where the package
// lists changes incrementally, the records of a type exported in the last
// day are read with one listing of what changed since the first of them
// (a page holds hundreds), instead of a read per batch; the few the
// listing does not show, and older ones, are read by ID a batch at a
// time. A failure here leaves them unticked for the next run; it does not
// undo the upload.
func (up *uploader) verify(ctx context.Context) error {
	if up.r == nil {
		return nil
	}
	rows, err := up.e.db.Unverified(ctx, up.def.Name, 0)
	if err != nil {
		return err
	}
	byType := map[connectors.RecordType][]ExportedRow{}
	for _, row := range rows {
		if row.RemoteID != "" {
			byType[row.Type] = append(byType[row.Type], row)
		}
	}
	var vs []storage.Verification
	defer func() {
		if len(vs) > 0 {
			if err := up.e.db.MarkVerified(context.WithoutCancel(ctx), up.def.Name, vs); err != nil {
				up.rep.fail(up.lang(), func(w *words.Words) string { return w.Error(err) })
			}
		}
	}()
	tick := func(t connectors.RecordType, row ExportedRow, r connectors.Remote) {
		v := storage.Verification{ID: row.ID, RemoteUpdatedAt: r.UpdatedAt}
		if fp, err := up.in.fingerprint(t, r.Record); err == nil {
			v.Mirrored = fp
		}
		vs = append(vs, v)
	}
	// failed words a failed read-back; it says whether to stop verifying.
	failed := func(t connectors.RecordType, err error) (stop bool, _ error) {
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		up.rep.fail(up.lang(), func(w *words.Words) string {
			return w.T("engine.upload.verify_failed", "Type", t.LabelIn(w), "Package", up.pkg(), "Error", w.Error(err))
		})
		var rl *connectors.RateLimitError
		if errors.As(err, &rl) && rl.Daily {
			up.rep.ResumeAt = rl.ResumeAt
		}
		return errors.Is(err, connectors.ErrAuth) || errors.As(err, &rl), nil
	}
	for _, t := range uploadOrder {
		list := byType[t]
		if len(list) == 0 {
			continue
		}
		if since, ok := up.listable(t, list); ok {
			want := make(map[string]int, len(list))
			for i, row := range list {
				want[row.RemoteID] = i
			}
			seen := make([]bool, len(list))
			err := up.lister.ListChanged(ctx, t, since, func(rs []connectors.Remote) error {
				for _, r := range rs {
					if i, ok := want[r.RemoteID]; ok && !seen[i] && !r.Deleted {
						seen[i] = true
						tick(t, list[i], r)
					}
				}
				return nil
			})
			if err != nil {
				if stop, cerr := failed(t, err); stop {
					return cerr
				}
				continue
			}
			var rest []ExportedRow
			for i, row := range list {
				if !seen[i] {
					rest = append(rest, row)
				}
			}
			list = rest
		}
		for start := 0; start < len(list); start += up.batch {
			chunk := list[start:min(start+up.batch, len(list))]
			ids := make([]string, len(chunk))
			for i, row := range chunk {
				ids[i] = row.RemoteID
			}
			remotes, err := up.r.Get(ctx, t, ids)
			if err != nil {
				if stop, cerr := failed(t, err); stop {
					return cerr
				}
				continue
			}
			byID := map[string]connectors.Remote{}
			for _, r := range remotes {
				byID[r.RemoteID] = r
			}
			for _, row := range chunk {
				if r, ok := byID[row.RemoteID]; ok {
					tick(t, row, r)
				}
			}
		}
	}
	return nil
}

// state is how the upload reports its progress in the module's state.
func (up *uploader) state() progress { return progress{e: up.e, module: up.def.Name} }

// listingWindow is how far back a verifying listing reaches: rows exported
// longer ago are read by ID. listingSkew allows for the package's clock
// being behind LedgerLink's.
const (
	listingWindow = 24 * time.Hour
	listingSkew   = 15 * time.Minute
)

// listable says whether the rows of type t are better read back with one
// listing of changes than by ID, and from when: the package lists changes
// incrementally, reading by ID would take more than one call, and the rows
// were all exported recently. Only parties and documents qualify: their
// remote IDs are the package's own, as its listing reports them.
func (up *uploader) listable(t connectors.RecordType, rows []ExportedRow) (time.Time, bool) {
	if up.lister == nil || !up.def.Caps.IncrementalPull || len(rows) <= up.batch || !listsByOwnID(t) {
		return time.Time{}, false
	}
	first := rows[0].ExportedAt
	for _, row := range rows {
		if row.ExportedAt.Before(first) {
			first = row.ExportedAt
		}
	}
	if first.IsZero() || up.e.now().Sub(first) > listingWindow {
		return time.Time{}, false
	}
	return first.Add(-listingSkew), true
}

func listsByOwnID(t connectors.RecordType) bool {
	switch t {
	case connectors.Customers, connectors.Suppliers, connectors.SalesInvoices, connectors.PurchaseInvoices,
		connectors.Quotes, connectors.CreditNotes:
		return true
	}
	return false
}
