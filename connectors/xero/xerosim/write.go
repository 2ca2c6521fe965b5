package xerosim

import (
	"net/http"
	"time"
)

// writeElements runs the steps every write endpoint shares. It takes the
// request's elements under key, checks them against schema (as new
// records when create), keeps a copy of the tenant to roll back to when
// the request asks for summarized errors, then decodes each element into
// an In and hands it to write, which records the element's verdict in
// out. An element that cannot be decoded, or an error from write, stops
// the request there with a 400 carrying the error's text; the elements
// already written stay written.
func writeElements[In any](s *Sim, c *apiCall, key string, schema *object, create bool,
	write func(in *In, raw map[string]any, now time.Time, out *writeOutcome) error) answer {
	els, bad := c.elements(key)
	if bad != nil {
		return *bad
	}
	if bad := s.strictElements(schema, key, els, create); bad != nil {
		return *bad
	}
	rollback := func() {}
	if c.summarize {
		rollback = snapshot(c.t)
	}
	out := &writeOutcome{key: key}
	now := s.now()
	for _, raw := range els {
		in := new(In)
		if err := decodeInto(raw, in); err != nil {
			return badRequest("JSON for post data was invalid, " + err.Error())
		}
		if err := write(in, raw, now, out); err != nil {
			return badRequest(err.Error())
		}
	}
	return s.finish(c, out, rollback)
}

// recordWrite describes how one kind of record is written by
// writeRecords: where its ID lives, how a stored one is found, how a
// refused element is marked, and how an accepted one is checked and
// stored.
type recordWrite[T any] struct {
	key    string // the envelope key, such as "Quotes"
	schema *object
	// createOnly: every element is a new record, whatever the method.
	createOnly bool
	// keepSentID: a new record that is refused echoes the ID it was sent
	// (others echo the zero ID).
	keepSentID bool
	id         func(*T) *string
	// byID finds the stored record an update names by ID; notFound is the
	// message when there is none. Unused when createOnly.
	byID     func(*tenant, string) *T
	notFound string
	// byKey, when set, finds the stored record an update without an ID
	// names some other way (by number), or nil for a new record.
	byKey func(*tenant, *T) *T
	// refuse marks a refused element with its errors and the ERROR status.
	refuse func(*T, []ValidationError)
	// save checks in (merged over stored, nil for a new record) and
	// stores it, returning the record to echo, or the reasons it was
	// refused, or an error that stops the request.
	save func(c *apiCall, in *T, raw map[string]any, stored *T, now time.Time) (*T, []string, error)
}

// writeRecords is writeElements for an endpoint whose elements are
// records of one kind, created by PUT and created or updated by POST.
func writeRecords[T any](s *Sim, c *apiCall, w recordWrite[T]) answer {
	create := w.createOnly || c.r.Method == http.MethodPut
	return writeElements(s, c, w.key, w.schema, create, func(in *T, raw map[string]any, now time.Time, out *writeOutcome) error {
		id := w.id(in)
		fail := func(errs []string) {
			if *id == "" {
				*id = zeroID
			}
			w.refuse(in, messages(errs))
			out.add(in, true)
		}
		var stored *T
		switch {
		case create:
			if !w.keepSentID {
				*id = ""
			}
		case *id != "":
			if stored = w.byID(c.t, *id); stored == nil {
				fail([]string{w.notFound})
				return nil
			}
		case w.byKey != nil:
			stored = w.byKey(c.t, in)
		}
		echo, errs, err := w.save(c, in, raw, stored, now)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			fail(errs)
			return nil
		}
		out.add(echo, false)
		return nil
	})
}
