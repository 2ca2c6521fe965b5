// Package conformance is the one suite every connector's simulator must
// pass. A connector's test builds a Harness (how to open a fresh connection
// to its simulator, the faults the simulator can inject, what the connector
// claims it can do, and sample records) and calls Run.
//
// The suite only exercises the record types and directions the harness's
// Capabilities claim, and checks the promises the engine builds on: reading
// back what was written, paging, changed-since pulls, idempotency keys, lost
// replies, rate limits, per-item verdicts, batch limits, explanations and
// context cancellation.
package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"ledgerlink/connectors"
)

// Faults are the simulator's hooks the suite needs.
type Faults interface {
	// RateLimitNext makes the next request answer "slow down, retry after
	// retryAfter" the way the package does (HTTP 429 and its headers for a
	// web API).
	RateLimitNext(retryAfter time.Duration)
	// LoseNextReply makes the next write request take effect in the package
	// while its answer never reaches the connector (a dropped connection or
	// a timeout after the package committed).
	LoseNextReply()
	// Advance moves the simulator's clock on by d, so that later changes
	// carry a later modification time.
	Advance(d time.Duration)
}

// Deleter is offered by the fault hooks of a simulator whose connector
// claims Capabilities.Deletions: it deletes or voids a record the way a
// person would in the package. For a type the package cannot delete it
// returns an error matching errors.ErrUnsupported.
type Deleter interface {
	Delete(t connectors.RecordType, remoteID string) error
}

// Harness is what a connector's test gives the suite.
type Harness struct {
	// Name labels failures.
	Name string
	// Open returns a fresh connection to a simulator and its fault hooks.
	// It is called once per subtest; clean-ups belong in t.Cleanup.
	Open func(t *testing.T) (connectors.Connection, Faults)
	// Caps is what the connector claims; only claimed types and directions
	// are tested.
	Caps connectors.Capabilities
	// Sample makes the records the suite writes; NewSamples gives defaults.
	Sample Samples
	// PageSize is the most records one page of ListChanged carries; zero
	// means 100.
	PageSize int
	// Normalise, when set, maps a record to the fields the connector
	// round-trips (for example dropping fields the package does not keep).
	// It is applied to what was written and to what was read back before
	// they are compared, after the suite has cleared what the package
	// computes itself (document totals, amount due and status).
	Normalise func(connectors.Record) connectors.Record
	// Definition is what the connector registers. When set, the suite
	// checks it too: a usable settings schema, capabilities equal to Caps
	// and matched by what the connection implements, and a Login and
	// Disconnect that refuse a missing prompt or keyring without panicking.
	Definition *connectors.Definition
}

// prerequisite is the type a record of t needs in the package first.
func prerequisite(t connectors.RecordType) (connectors.RecordType, bool) {
	switch t {
	case connectors.Quotes, connectors.SalesInvoices, connectors.CreditNotes:
		return connectors.Customers, true
	case connectors.InvoicePayments:
		return connectors.SalesInvoices, true
	case connectors.PurchaseInvoices:
		return connectors.Suppliers, true
	case connectors.PurchasePayments:
		return connectors.PurchaseInvoices, true
	}
	return "", false
}

// Run runs the whole suite against h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Open == nil {
		t.Fatalf("%s: the harness has no Open function", h.Name)
	}
	if h.PageSize <= 0 {
		h.PageSize = 100
	}
	s := &suite{h: h}
	t.Run("capabilities", s.testCapabilities)
	if h.Definition != nil {
		t.Run("definition", s.testDefinition)
	}
	t.Run("check", s.testCheck)
	t.Run("create and read back", s.testCreateReadBack)
	t.Run("update", s.testUpdate)
	t.Run("paging", s.testPaging)
	t.Run("changed since", s.testChangedSince)
	t.Run("idempotent retry", s.testIdempotentRetry)
	t.Run("lost reply", s.testLostReply)
	t.Run("rate limit", s.testRateLimit)
	t.Run("per-item validation", s.testPerItemValidation)
	t.Run("batch too large", s.testBatchTooLarge)
	t.Run("context cancelled", s.testContextCancelled)
	t.Run("concurrent writes", s.testConcurrentWrites)
	t.Run("reference data", s.testReferenceData)
	t.Run("deletions", s.testDeletions)
}

// testDeletions checks, for a connector that claims to report deletions,
// that a record deleted or voided in the package comes through
// ListChanged with Deleted set and its code, and no longer as a live
// record by code.
func (s *suite) testDeletions(t *testing.T) {
	if !s.h.Caps.Deletions {
		t.Logf("%s does not claim to report deletions", s.h.Name)
		return
	}
	tested := 0
	for _, typ := range s.uploadTypes() {
		if !s.h.Caps.Supports(typ, connectors.Mirror) {
			continue
		}
		t.Run(string(typ), func(t *testing.T) {
			e := s.open(t)
			del, ok := e.faults.(Deleter)
			if !ok {
				t.Fatalf("%s claims to report deletions, but its fault hooks cannot delete a record (conformance.Deleter)", s.h.Name)
			}
			rec := e.prepare(typ)
			id := e.create(rec)[0]
			e.faults.Advance(2 * time.Second)
			if err := del.Delete(typ, id); errors.Is(err, errors.ErrUnsupported) {
				t.Logf("the package cannot delete %s", typ.Label())
				return
			} else if err != nil {
				t.Fatalf("deleting %s %s: %v", typ.Label(), id, err)
			}
			tested++
			all, _ := e.list(typ, time.Time{})
			var got *connectors.Remote
			for i := range all {
				if all[i].RemoteID == id {
					got = &all[i]
				}
			}
			switch {
			case got == nil:
				t.Fatalf("after deleting %s %s, ListChanged no longer lists it; a deleted record must come with Deleted set", typ.Label(), id)
			case !got.Deleted:
				t.Errorf("after deleting %s %s, ListChanged lists it without Deleted", typ.Label(), id)
			case got.Record.Code() != rec.Code():
				t.Errorf("the deleted %s is listed with code %q, want %q", typ.Label(), got.Record.Code(), rec.Code())
			}
			for _, f := range e.find(typ, rec.Code()) {
				if f.RemoteID == id && !f.Deleted {
					t.Errorf("FindByCode still answers the deleted %s %s as a live record", typ.Label(), rec.Code())
				}
			}
		})
	}
	if tested == 0 {
		t.Errorf("%s claims to report deletions, but no record type could be deleted in its simulator", s.h.Name)
	}
}

type suite struct{ h Harness }

// env is one subtest's connection.
type env struct {
	t      *testing.T
	s      *suite
	ctx    context.Context
	conn   connectors.Connection
	faults Faults
	w      connectors.Writer
	r      connectors.Reader
	l      connectors.Lister
}

func (s *suite) open(t *testing.T) *env {
	t.Helper()
	conn, faults := s.h.Open(t)
	if conn == nil {
		t.Fatalf("%s: Open returned no connection", s.h.Name)
	}
	if faults == nil {
		t.Fatalf("%s: Open returned no fault hooks; the simulator must offer them", s.h.Name)
	}
	e := &env{t: t, s: s, ctx: t.Context(), conn: conn, faults: faults}
	e.w, _ = conn.(connectors.Writer)
	e.r, _ = conn.(connectors.Reader)
	e.l, _ = conn.(connectors.Lister)
	if s.anyClaimed(connectors.Upload) && (e.w == nil || e.r == nil) {
		t.Fatalf("%s claims uploads, so its connection must be a Writer and a Reader (to read back and reconcile)", s.h.Name)
	}
	if s.anyClaimed(connectors.Mirror) && e.l == nil {
		t.Fatalf("%s claims mirroring, so its connection must be a Lister", s.h.Name)
	}
	return e
}

func (s *suite) anyClaimed(d connectors.Direction) bool {
	for _, t := range connectors.AllTypes() {
		if s.h.Caps.Supports(t, d) {
			return true
		}
	}
	return false
}

// uploadTypes are the types the connector claims to upload (products
// included, the other reference data never), in screen order.
func (s *suite) uploadTypes() []connectors.RecordType {
	var out []connectors.RecordType
	for _, t := range connectors.AllTypes() {
		if !t.IsReadOnly() && s.h.Caps.Supports(t, connectors.Upload) {
			out = append(out, t)
		}
	}
	return out
}

// primaryType is the cheapest claimed upload type, used where any type
// does; ok is false when nothing is uploadable.
func (s *suite) primaryType() (connectors.RecordType, bool) {
	for _, t := range []connectors.RecordType{connectors.Customers, connectors.Suppliers, connectors.Journals,
		connectors.SalesInvoices, connectors.Quotes, connectors.PurchaseInvoices, connectors.CreditNotes,
		connectors.InvoicePayments, connectors.PurchasePayments} {
		if s.h.Caps.Supports(t, connectors.Upload) {
			return t, true
		}
	}
	return "", false
}

// roundTripType is the cheapest type claimed both ways that can be
// updated, for the paging and changed-since tests.
func (s *suite) roundTripType() (connectors.RecordType, bool) {
	for _, t := range []connectors.RecordType{connectors.Customers, connectors.Suppliers, connectors.Journals,
		connectors.Quotes, connectors.SalesInvoices, connectors.PurchaseInvoices, connectors.CreditNotes} {
		if s.h.Caps.Supports(t, connectors.Upload) && s.h.Caps.Supports(t, connectors.Mirror) {
			return t, true
		}
	}
	return "", false
}

func updatable(t connectors.RecordType) bool {
	return t != connectors.InvoicePayments && t != connectors.PurchasePayments
}

func key(prefix string, r connectors.Record) string {
	return prefix + ":" + string(r.Type) + ":" + r.Code()
}

// sample makes a valid record of type t from its prerequisite (nil for
// types without one).
func (e *env) sample(t connectors.RecordType, pre *connectors.Record) connectors.Record {
	e.t.Helper()
	sm := e.s.h.Sample
	var build func() connectors.Record
	switch t {
	case connectors.Customers:
		build = sm.Customer
	case connectors.Suppliers:
		build = sm.Supplier
	case connectors.Journals:
		build = sm.Journal
	case connectors.Items:
		build = sm.Item
	case connectors.Quotes:
		if sm.Quote != nil {
			build = func() connectors.Record { return sm.Quote(*pre.Party) }
		}
	case connectors.SalesInvoices:
		if sm.SalesInvoice != nil {
			build = func() connectors.Record { return sm.SalesInvoice(*pre.Party) }
		}
	case connectors.CreditNotes:
		if sm.CreditNote != nil {
			build = func() connectors.Record { return sm.CreditNote(*pre.Party) }
		}
	case connectors.PurchaseInvoices:
		if sm.PurchaseInvoice != nil {
			build = func() connectors.Record { return sm.PurchaseInvoice(*pre.Party) }
		}
	case connectors.InvoicePayments:
		if sm.InvoicePayment != nil {
			build = func() connectors.Record { return sm.InvoicePayment(*pre.Document) }
		}
	case connectors.PurchasePayments:
		if sm.PurchasePayment != nil {
			build = func() connectors.Record { return sm.PurchasePayment(*pre.Document) }
		}
	}
	if build == nil {
		e.t.Fatalf("%s claims to upload %s but the harness gives no sample for it", e.s.h.Name, t.Label())
	}
	r := build()
	if r.Type != t {
		e.t.Fatalf("the %s sample has type %q", t.Label(), r.Type)
	}
	if err := r.Validate(); err != nil {
		e.t.Fatalf("the %s sample is not a valid record: %v", t.Label(), err)
	}
	return r
}

// prepare creates in the package whatever a record of type t needs and
// returns that record, not yet written.
func (e *env) prepare(t connectors.RecordType) connectors.Record {
	e.t.Helper()
	return e.prepareMany(t, 1)[0]
}

// prepareMany returns n records of type t, sharing one prerequisite where
// they can (payments each get their own invoice).
func (e *env) prepareMany(t connectors.RecordType, n int) []connectors.Record {
	e.t.Helper()
	pt, hasPre := prerequisite(t)
	out := make([]connectors.Record, 0, n)
	if !hasPre {
		for range n {
			out = append(out, e.sample(t, nil))
		}
		return out
	}
	if !e.s.h.Caps.Supports(pt, connectors.Upload) {
		e.t.Fatalf("%s claims to upload %s but not %s, which they need", e.s.h.Name, t.Label(), pt.Label())
	}
	shared := t != connectors.InvoicePayments && t != connectors.PurchasePayments
	var pre connectors.Record
	for i := range n {
		if i == 0 || !shared {
			pre = e.prepare(pt)
			e.create(pre)
		}
		out = append(out, e.sample(t, &pre))
	}
	return out
}

// write sends items and fails the test on a whole-batch error.
func (e *env) write(t connectors.RecordType, items []connectors.WriteItem) map[string]connectors.WriteResult {
	e.t.Helper()
	res, err := e.w.Write(e.ctx, t, items)
	if err != nil {
		e.t.Fatalf("Write of %d %s: %v", len(items), t.Label(), err)
	}
	if len(res) != len(items) {
		e.t.Fatalf("Write of %d %s answered %d results", len(items), t.Label(), len(res))
	}
	byKey := make(map[string]connectors.WriteResult, len(res))
	for _, r := range res {
		byKey[r.Key] = r
	}
	for _, it := range items {
		if _, ok := byKey[it.Key]; !ok {
			e.t.Fatalf("Write of %s gave no result for key %q", t.Label(), it.Key)
		}
	}
	return byKey
}

// create writes records (all of one type) in batches and returns their
// remote IDs in order; any refusal fails the test.
func (e *env) create(recs ...connectors.Record) []string {
	e.t.Helper()
	ids := make([]string, 0, len(recs))
	size := max(e.s.h.Caps.BatchSize, 1)
	for start := 0; start < len(recs); start += size {
		batch := recs[start:min(start+size, len(recs))]
		items := make([]connectors.WriteItem, len(batch))
		for i, r := range batch {
			items[i] = connectors.WriteItem{Key: key("create", r), Record: r}
		}
		res := e.write(batch[0].Type, items)
		for _, it := range items {
			r := res[it.Key]
			if r.Err != nil {
				e.t.Fatalf("creating %s %s was refused: %v", it.Record.Type.Label(), it.Record.Code(), r.Err)
			}
			if r.RemoteID == "" {
				e.t.Fatalf("creating %s %s gave no remote ID", it.Record.Type.Label(), it.Record.Code())
			}
			ids = append(ids, r.RemoteID)
		}
	}
	return ids
}

func (e *env) find(t connectors.RecordType, codes ...string) []connectors.Remote {
	e.t.Helper()
	got, err := e.r.FindByCode(e.ctx, t, codes)
	if err != nil {
		e.t.Fatalf("FindByCode %s %v: %v", t.Label(), codes, err)
	}
	return got
}

func (e *env) get(t connectors.RecordType, ids ...string) []connectors.Remote {
	e.t.Helper()
	got, err := e.r.Get(e.ctx, t, ids)
	if err != nil {
		e.t.Fatalf("Get %s %v: %v", t.Label(), ids, err)
	}
	return got
}

// list reads every record of t changed at or after since, and the size of
// each page.
func (e *env) list(t connectors.RecordType, since time.Time) ([]connectors.Remote, []int) {
	e.t.Helper()
	var (
		all   []connectors.Remote
		pages []int
	)
	err := e.l.ListChanged(e.ctx, t, since, func(p []connectors.Remote) error {
		all = append(all, p...)
		pages = append(pages, len(p))
		return nil
	})
	if err != nil {
		e.t.Fatalf("ListChanged %s since %v: %v", t.Label(), since, err)
	}
	return all, pages
}

// one expects exactly one record with remote ID id among got.
func (e *env) one(what string, got []connectors.Remote, id string) connectors.Remote {
	e.t.Helper()
	var found []connectors.Remote
	for _, r := range got {
		if r.RemoteID == id {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("%s: want remote ID %s exactly once, got it %d times among %d records", what, id, len(found), len(got))
	}
	return found[0]
}

// normalised renders a record as JSON after clearing what the package
// computes and applying the harness's Normalise.
func (s *suite) normalised(r connectors.Record) (string, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	var c connectors.Record
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", err
	}
	if c.Document != nil {
		c.Document.Total, c.Document.AmountDue, c.Document.Status = decimal.Zero, decimal.Zero, ""
	}
	if s.h.Normalise != nil {
		c = s.h.Normalise(c)
	}
	out, err := json.MarshalIndent(c, "", "  ")
	return string(out), err
}

// same fails the test unless want and got carry the same round-tripped
// content.
func (e *env) same(what string, want, got connectors.Record) {
	e.t.Helper()
	w, err := e.s.normalised(want)
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
	g, err := e.s.normalised(got)
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
	if w != g {
		e.t.Errorf("%s: read back differs from what was written\nwritten: %s\nread:    %s", what, w, g)
	}
}

func (s *suite) testCapabilities(t *testing.T) {
	caps := s.h.Caps
	if caps.BatchSize < 1 {
		t.Errorf("BatchSize is %d; it must be at least 1", caps.BatchSize)
	}
	if len(caps.Types) == 0 {
		t.Errorf("%s claims no record types", s.h.Name)
	}
	for typ, dirs := range caps.Types {
		if typ.IsReadOnly() && dirs.Upload {
			t.Errorf("%s is reference data and flows from the package only, but upload is claimed", typ.Label())
		}
		pre, ok := prerequisite(typ)
		if !ok {
			continue
		}
		for _, d := range []connectors.Direction{connectors.Upload, connectors.Mirror} {
			if caps.Supports(typ, d) && !caps.Supports(pre, d) {
				t.Errorf("%s is claimed for %q without %s, which it needs", typ.Label(), d, pre.Label())
			}
		}
	}
}

func (s *suite) testCheck(t *testing.T) {
	e := s.open(t)
	id, err := e.conn.Check(e.ctx)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if strings.TrimSpace(id.Organisation) == "" {
		t.Errorf("Check answered no organisation name: %+v", id)
	}
}

func (s *suite) testCreateReadBack(t *testing.T) {
	for _, typ := range s.uploadTypes() {
		t.Run(string(typ), func(t *testing.T) {
			e := s.open(t)
			rec := e.prepare(typ)
			id := e.create(rec)[0]

			got := e.one("Get", e.get(typ, id), id)
			if got.Record.Type != typ {
				t.Errorf("Get answered type %q, want %q", got.Record.Type, typ)
			}
			e.same("Get", rec, got.Record)

			missing := rec.Code() + "-NOT-THERE"
			found := e.find(typ, rec.Code(), missing)
			if len(found) != 1 {
				t.Fatalf("FindByCode(%s, %s) answered %d records, want 1", rec.Code(), missing, len(found))
			}
			e.one("FindByCode", found, id)
			e.same("FindByCode", rec, found[0].Record)

			if s.h.Caps.Supports(typ, connectors.Mirror) {
				all, _ := e.list(typ, time.Time{})
				listed := e.one("ListChanged", all, id)
				e.same("ListChanged", rec, listed.Record)
			}
			if lk, ok := e.conn.(connectors.Linker); ok {
				u, err := url.Parse(lk.RecordURL(typ, id))
				if err != nil || u.Scheme != "https" || u.Host == "" {
					t.Errorf("RecordURL(%s, %s) = %q; want an https address", typ, id, lk.RecordURL(typ, id))
				}
			}
		})
	}
}

func (s *suite) testUpdate(t *testing.T) {
	for _, typ := range s.uploadTypes() {
		if !updatable(typ) {
			continue
		}
		t.Run(string(typ), func(t *testing.T) {
			e := s.open(t)
			if s.h.Sample.Change == nil {
				t.Fatalf("the harness gives no Change function for the update test")
			}
			rec := e.prepare(typ)
			id := e.create(rec)[0]
			before := e.one("Get", e.get(typ, id), id)

			e.faults.Advance(2 * time.Second)
			changed := s.h.Sample.Change(rec)
			if changed.Code() != rec.Code() || changed.Type != typ {
				t.Fatalf("Change must keep the type and code; got %s %q", changed.Type, changed.Code())
			}
			res := e.write(typ, []connectors.WriteItem{{Key: key("update", changed), RemoteID: id, Record: changed}})
			r := res[key("update", changed)]
			if r.Err != nil {
				t.Fatalf("update refused: %v", r.Err)
			}
			if r.RemoteID != id {
				t.Errorf("update answered remote ID %q, want %q", r.RemoteID, id)
			}
			after := e.one("Get", e.get(typ, id), id)
			e.same("Get after update", changed, after.Record)
			if found := e.find(typ, rec.Code()); len(found) != 1 {
				t.Errorf("after the update FindByCode answered %d records, want 1", len(found))
			}
			if !before.UpdatedAt.IsZero() && after.UpdatedAt.Before(before.UpdatedAt) {
				t.Errorf("UpdatedAt went back from %v to %v", before.UpdatedAt, after.UpdatedAt)
			}
		})
	}
}

func (s *suite) testPaging(t *testing.T) {
	typ, ok := s.roundTripType()
	if !ok {
		t.Logf("%s claims no type both ways; paging is checked through reference data only", s.h.Name)
		return
	}
	e := s.open(t)
	size := s.h.PageSize
	n := 2*size + 3
	recs := e.prepareMany(typ, n)
	ids := e.create(recs...)

	all, pages := e.list(typ, time.Time{})
	if want := (n + size - 1) / size; len(pages) < want {
		t.Errorf("ListChanged gave %d pages for at least %d records at %d a page; want at least %d", len(pages), n, size, want)
	}
	for i, p := range pages {
		if p > size {
			t.Errorf("page %d carries %d records; the page size is %d", i+1, p, size)
		}
		if p == 0 {
			t.Errorf("page %d is empty", i+1)
		}
	}
	for _, id := range ids {
		e.one("ListChanged", all, id)
	}
	for _, r := range all {
		if r.RemoteID == "" || r.Record.Type != typ {
			t.Errorf("ListChanged answered a record with remote ID %q and type %q", r.RemoteID, r.Record.Type)
		}
		if err := r.Record.Validate(); err != nil {
			t.Errorf("ListChanged answered an invalid record %s: %v", r.RemoteID, err)
		}
	}

	// An error from the page function stops the listing and comes back.
	stop := errors.New("stop here")
	calls := 0
	err := e.l.ListChanged(e.ctx, typ, time.Time{}, func([]connectors.Remote) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("page function error: ListChanged returned %v after %d pages; want the page's error after 1", err, calls)
	}

	// Cancelling while paging stops before the next page is fetched.
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	calls = 0
	err = e.l.ListChanged(ctx, typ, time.Time{}, func([]connectors.Remote) error { calls++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled while paging: ListChanged returned %v after %d pages; want context.Canceled after 1", err, calls)
	}
}

func (s *suite) testChangedSince(t *testing.T) {
	typ, ok := s.roundTripType()
	if !ok {
		t.Logf("%s claims no type both ways; nothing to pull incrementally", s.h.Name)
		return
	}
	e := s.open(t)
	if s.h.Sample.Change == nil {
		t.Fatalf("the harness gives no Change function for the changed-since test")
	}
	old := e.prepareMany(typ, 2)
	oldIDs := e.create(old...)
	var latest time.Time
	for _, r := range e.get(typ, oldIDs...) {
		if s.h.Caps.IncrementalPull && r.UpdatedAt.IsZero() {
			t.Fatalf("%s claims incremental pulls but record %s has no UpdatedAt", s.h.Name, r.RemoteID)
		}
		if r.UpdatedAt.After(latest) {
			latest = r.UpdatedAt
		}
	}
	e.faults.Advance(10 * time.Second)
	since := latest.Add(5 * time.Second)

	fresh := e.prepare(typ)
	freshID := e.create(fresh)[0]
	changed := s.h.Sample.Change(old[1])
	res := e.write(typ, []connectors.WriteItem{{Key: key("update", changed), RemoteID: oldIDs[1], Record: changed}})
	if err := res[key("update", changed)].Err; err != nil {
		t.Fatalf("update refused: %v", err)
	}

	got, _ := e.list(typ, since)
	e.one("changed since: the record created after since", got, freshID)
	e.one("changed since: the record updated after since", got, oldIDs[1])
	if !s.h.Caps.IncrementalPull {
		return
	}
	for _, r := range got {
		if r.RemoteID == oldIDs[0] {
			t.Errorf("changed since: record %s, untouched since before %v, was listed", oldIDs[0], since)
		}
		if r.UpdatedAt.Before(since) {
			t.Errorf("changed since %v: record %s changed at %v was listed", since, r.RemoteID, r.UpdatedAt)
		}
	}
}

func (s *suite) testIdempotentRetry(t *testing.T) {
	typ, ok := s.primaryType()
	if !ok {
		t.Logf("%s uploads nothing", s.h.Name)
		return
	}
	e := s.open(t)
	rec := e.prepare(typ)
	item := connectors.WriteItem{Key: key("retry", rec), Record: rec}
	first := e.write(typ, []connectors.WriteItem{item})[item.Key]
	if first.Err != nil || first.RemoteID == "" {
		t.Fatalf("first write: remote ID %q, error %v", first.RemoteID, first.Err)
	}
	again := e.write(typ, []connectors.WriteItem{item})[item.Key]
	var ie *connectors.ItemError
	switch {
	case again.Err == nil && again.RemoteID == first.RemoteID:
	case s.h.Caps.IdempotencyKeys:
		t.Errorf("second write with the same key: remote ID %q, error %v; want %q and no error", again.RemoteID, again.Err, first.RemoteID)
	case !errors.As(again.Err, &ie):
		t.Errorf("second write with the same key: remote ID %q, error %v; want the same record or a refusal", again.RemoteID, again.Err)
	}
	if found := e.find(typ, rec.Code()); len(found) != 1 {
		t.Errorf("after writing the same key twice the package holds %d records with code %s, want 1", len(found), rec.Code())
	}
}

func (s *suite) testLostReply(t *testing.T) {
	typ, ok := s.primaryType()
	if !ok {
		t.Logf("%s uploads nothing", s.h.Name)
		return
	}
	e := s.open(t)
	rec := e.prepare(typ)
	item := connectors.WriteItem{Key: key("lost", rec), Record: rec}
	e.faults.LoseNextReply()
	if _, err := e.w.Write(e.ctx, typ, []connectors.WriteItem{item}); err == nil {
		t.Fatalf("Write succeeded although its reply was lost; want an error")
	}
	// Reconciliation looks the record up before any retry.
	found := e.find(typ, rec.Code())
	if len(found) != 1 {
		t.Fatalf("after a lost reply FindByCode answered %d records, want the 1 the package committed", len(found))
	}
	if !s.h.Caps.IdempotencyKeys {
		return
	}
	res := e.write(typ, []connectors.WriteItem{item})[item.Key]
	if res.Err != nil || res.RemoteID != found[0].RemoteID {
		t.Errorf("retry with the same key: remote ID %q, error %v; want %q and no error", res.RemoteID, res.Err, found[0].RemoteID)
	}
	if again := e.find(typ, rec.Code()); len(again) != 1 {
		t.Errorf("after the retry the package holds %d records with code %s, want 1", len(again), rec.Code())
	}
}

func wantRateLimit(t *testing.T, what string, err error) {
	t.Helper()
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("%s: got %v; want a *connectors.RateLimitError", what, err)
	}
	if rl.RetryAfter <= 0 {
		t.Errorf("%s: RetryAfter is %v; want the wait the package asked for", what, rl.RetryAfter)
	}
}

func (s *suite) testRateLimit(t *testing.T) {
	e := s.open(t)
	e.faults.RateLimitNext(3 * time.Second)
	_, err := e.conn.Check(e.ctx)
	wantRateLimit(t, "Check", err)
	if _, err := e.conn.Check(e.ctx); err != nil {
		t.Fatalf("Check after the rate-limit answer: %v", err)
	}

	typ, ok := s.primaryType()
	if !ok {
		return
	}
	rec := e.prepare(typ)
	item := connectors.WriteItem{Key: key("limited", rec), Record: rec}
	e.faults.RateLimitNext(3 * time.Second)
	_, err = e.w.Write(e.ctx, typ, []connectors.WriteItem{item})
	wantRateLimit(t, "Write", err)
	if found := e.find(typ, rec.Code()); len(found) != 0 {
		t.Errorf("a rate-limited write created %d records", len(found))
	}
	if r := e.write(typ, []connectors.WriteItem{item})[item.Key]; r.Err != nil {
		t.Errorf("write after the rate-limit answer: %v", r.Err)
	}
}

// validationType is the type the per-item test spoils: sales invoices when
// claimed (the most common refusal), else the cheapest type.
func (s *suite) validationType() (connectors.RecordType, bool) {
	if s.h.Caps.Supports(connectors.SalesInvoices, connectors.Upload) {
		return connectors.SalesInvoices, true
	}
	return s.primaryType()
}

func (s *suite) testPerItemValidation(t *testing.T) {
	typ, ok := s.validationType()
	if !ok {
		t.Logf("%s uploads nothing", s.h.Name)
		return
	}
	if s.h.Sample.Spoil == nil {
		t.Fatalf("the harness gives no Spoil function for the validation test")
	}
	e := s.open(t)
	good1, good2 := e.prepare(typ), e.prepare(typ)
	bad := s.h.Sample.Spoil(e.prepare(typ))
	if bad.Type != typ || bad.Code() == "" {
		t.Fatalf("Spoil must keep the type and code; got %s %q", bad.Type, bad.Code())
	}
	items := []connectors.WriteItem{
		{Key: key("good", good1), Record: good1},
		{Key: key("bad", bad), Record: bad},
		{Key: key("good", good2), Record: good2},
	}
	res := e.write(typ, items)
	for _, it := range []connectors.WriteItem{items[0], items[2]} {
		if r := res[it.Key]; r.Err != nil || r.RemoteID == "" {
			t.Errorf("good neighbour %s: remote ID %q, error %v; want it created", it.Record.Code(), r.RemoteID, r.Err)
		}
	}
	badRes := res[items[1].Key]
	var ie *connectors.ItemError
	if !errors.As(badRes.Err, &ie) {
		t.Fatalf("spoilt record %s: error %v; want a *connectors.ItemError", bad.Code(), badRes.Err)
	}
	if strings.TrimSpace(ie.Message) == "" {
		t.Errorf("the item error has no message")
	}
	if badRes.RemoteID != "" {
		t.Errorf("the refused record got remote ID %q", badRes.RemoteID)
	}
	found := e.find(typ, good1.Code(), bad.Code(), good2.Code())
	codes := make([]string, 0, len(found))
	for _, r := range found {
		codes = append(codes, r.Record.Code())
	}
	slices.Sort(codes)
	want := []string{good1.Code(), good2.Code()}
	slices.Sort(want)
	if !slices.Equal(codes, want) {
		t.Errorf("the package holds %v; want exactly the good neighbours %v", codes, want)
	}

	ex, ok := e.conn.(connectors.Explainer)
	if !ok {
		t.Fatalf("%s has no catalogue of its messages (connectors.Explainer)", s.h.Name)
	}
	why, ok := ex.Explain(badRes.Err)
	if !ok || strings.TrimSpace(why.Cause) == "" || strings.TrimSpace(why.Fix) == "" {
		t.Errorf("Explain(%q) = %+v, %v; want a cause and a fix", ie.Message, why, ok)
	}
	// The words alone, as kept in the Error Feedback grid, are explained too.
	if why2, ok := ex.Explain(&connectors.ItemError{Message: ie.Message}); !ok || strings.TrimSpace(why2.Cause) == "" || strings.TrimSpace(why2.Fix) == "" {
		t.Errorf("Explain of the message %q alone = %+v, %v; want a cause and a fix", ie.Message, why2, ok)
	}
}

func (s *suite) testBatchTooLarge(t *testing.T) {
	typ, ok := s.primaryType()
	if !ok {
		t.Logf("%s uploads nothing", s.h.Name)
		return
	}
	e := s.open(t)
	recs := e.prepareMany(typ, s.h.Caps.BatchSize+1)
	items := make([]connectors.WriteItem, len(recs))
	codes := make([]string, len(recs))
	for i, r := range recs {
		items[i] = connectors.WriteItem{Key: key("big", r), Record: r}
		codes[i] = r.Code()
	}
	if _, err := e.w.Write(e.ctx, typ, items); err == nil {
		t.Errorf("a batch of %d (BatchSize %d) was accepted; want it refused as a whole", len(items), s.h.Caps.BatchSize)
	}
	if found := e.find(typ, codes...); len(found) != 0 {
		t.Errorf("the refused batch still created %d records", len(found))
	}
}

func (s *suite) testContextCancelled(t *testing.T) {
	e := s.open(t)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	wantCancelled := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v; want context.Canceled", what, err)
		}
	}
	_, err := e.conn.Check(ctx)
	wantCancelled("Check", err)

	typ, ok := s.primaryType()
	if ok {
		rec := e.prepare(typ)
		_, err = e.w.Write(ctx, typ, []connectors.WriteItem{{Key: key("cancelled", rec), Record: rec}})
		wantCancelled("Write", err)
		if found := e.find(typ, rec.Code()); len(found) != 0 {
			t.Errorf("a cancelled write created %d records", len(found))
		}
		_, err = e.r.FindByCode(ctx, typ, []string{rec.Code()})
		wantCancelled("FindByCode", err)
		_, err = e.r.Get(ctx, typ, []string{"anything"})
		wantCancelled("Get", err)
	}
	for _, typ := range connectors.AllTypes() {
		if !s.h.Caps.Supports(typ, connectors.Mirror) {
			continue
		}
		called := false
		err = e.l.ListChanged(ctx, typ, time.Time{}, func([]connectors.Remote) error { called = true; return nil })
		wantCancelled("ListChanged", err)
		if called {
			t.Errorf("ListChanged with a cancelled context still handed over a page")
		}
		break
	}
}

func (s *suite) testConcurrentWrites(t *testing.T) {
	typ, ok := s.primaryType()
	if !ok {
		t.Logf("%s uploads nothing", s.h.Name)
		return
	}
	e := s.open(t)
	const writers, each = 4, 3
	batches := make([][]connectors.WriteItem, writers)
	var codes []string
	for i := range batches {
		for _, r := range e.prepareMany(typ, each) {
			batches[i] = append(batches[i], connectors.WriteItem{Key: key("together", r), Record: r})
			codes = append(codes, r.Code())
		}
	}
	var (
		wg   stdsync.WaitGroup
		mu   stdsync.Mutex
		ids  = map[string]bool{}
		errs []error
	)
	for _, batch := range batches {
		wg.Go(func() {
			res, err := e.w.Write(e.ctx, typ, batch)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			for _, r := range res {
				if r.Err != nil {
					errs = append(errs, r.Err)
					continue
				}
				ids[r.RemoteID] = true
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	if len(ids) != writers*each {
		t.Errorf("concurrent writes gave %d distinct remote IDs, want %d", len(ids), writers*each)
	}
	if found := e.find(typ, codes...); len(found) != writers*each {
		t.Errorf("after concurrent writes FindByCode answered %d records, want %d", len(found), writers*each)
	}
}

func (s *suite) testReferenceData(t *testing.T) {
	for _, typ := range connectors.AncillaryTypes() {
		if !s.h.Caps.Supports(typ, connectors.Mirror) {
			continue
		}
		t.Run(string(typ), func(t *testing.T) {
			e := s.open(t)
			all, _ := e.list(typ, time.Time{})
			seen := map[string]bool{}
			for _, r := range all {
				if r.RemoteID == "" || r.Record.Type != typ {
					t.Errorf("record with remote ID %q and type %q in the %s list", r.RemoteID, r.Record.Type, typ.Label())
				}
				if err := r.Record.Validate(); err != nil {
					t.Errorf("invalid %s record %s: %v", typ.Label(), r.RemoteID, err)
				}
				if seen[r.RemoteID] {
					t.Errorf("remote ID %s listed twice", r.RemoteID)
				}
				seen[r.RemoteID] = true
			}
		})
	}
}
