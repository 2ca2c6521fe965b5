package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ledgerlink/connectors"
)

// As returns conn as capability T when it really has it: a wrapper that
// can Unwrap (a paced connection) has T only when the connection inside
// has it too. Use it instead of a type assertion on a connection that may
// be paced.
func As[T any](conn connectors.Connection) (T, bool) {
	var zero T
	v, ok := conn.(T)
	if !ok {
		return zero, false
	}
	if pc, ok := conn.(*pacedConn); ok {
		if has, known := pc.has(any((*T)(nil))); known {
			if !has {
				return zero, false
			}
			return v, true
		}
	}
	if u, ok := conn.(interface{ Unwrap() connectors.Connection }); ok {
		if inner := u.Unwrap(); inner != nil {
			if _, ok := As[T](inner); !ok {
				return zero, false
			}
		}
	}
	return v, true
}

// Has reports whether conn really has capability T (see As).
func Has[T any](conn connectors.Connection) bool {
	_, ok := As[T](conn)
	return ok
}

// Wrap returns conn with every call going through the pacer. The paced
// connection implements every capability interface (Lister, Writer,
// Reader, Linker, Explainer, Closer, AdministrationLister) by delegating
// to conn; one conn lacks
// answers errors.ErrUnsupported (RecordURL "", Explain false, Close nil).
// Has and As tell what conn really has; Unwrap returns conn.
//
// Check, ListChanged, Get and FindByCode are retried as reads. Write is
// retried as PacingOptions.WritesIdempotent says. RecordURL, Explain and
// Close do no I/O and pass straight through.
//
// A retried ListChanged starts again from since, so pages already delivered
// come again: the page function must store records by remote ID (as the
// engine does), not append. An error the page function itself returns is
// never retried.
func (p *Pacer) Wrap(conn connectors.Connection) connectors.Connection {
	if pc, ok := conn.(*pacedConn); ok && pc.p == p {
		return pc // already behind this pacer: one layer only
	}
	c := &pacedConn{p: p, inner: conn}
	c.lister, _ = As[connectors.Lister](conn)
	c.writer, _ = As[connectors.Writer](conn)
	c.reader, _ = As[connectors.Reader](conn)
	c.linker, _ = As[connectors.Linker](conn)
	c.explainer, _ = As[connectors.Explainer](conn)
	c.closer, _ = As[connectors.Closer](conn)
	c.admins, _ = As[connectors.AdministrationLister](conn)
	return c
}

// pacedConn is a connection behind a pacer. Each capability is delegated
// on its own; a nil field is one the inner connection lacks.
type pacedConn struct {
	p     *Pacer
	inner connectors.Connection

	lister    connectors.Lister
	writer    connectors.Writer
	reader    connectors.Reader
	linker    connectors.Linker
	explainer connectors.Explainer
	closer    connectors.Closer
	admins    connectors.AdministrationLister
}

var (
	_ connectors.Lister    = (*pacedConn)(nil)
	_ connectors.Writer    = (*pacedConn)(nil)
	_ connectors.Reader    = (*pacedConn)(nil)
	_ connectors.Linker    = (*pacedConn)(nil)
	_ connectors.Explainer = (*pacedConn)(nil)
	_ connectors.Closer    = (*pacedConn)(nil)

	_ connectors.AdministrationLister = (*pacedConn)(nil)
)

// has says whether the inner connection has the capability whose
// interface type ptr points to; known is false for other types.
func (c *pacedConn) has(ptr any) (has, known bool) {
	switch ptr.(type) {
	case *connectors.Lister:
		return c.lister != nil, true
	case *connectors.Writer:
		return c.writer != nil, true
	case *connectors.Reader:
		return c.reader != nil, true
	case *connectors.Linker:
		return c.linker != nil, true
	case *connectors.Explainer:
		return c.explainer != nil, true
	case *connectors.Closer:
		return c.closer != nil, true
	case *connectors.AdministrationLister:
		return c.admins != nil, true
	}
	return false, false
}

// Unwrap returns the connection the pacer wraps.
func (c *pacedConn) Unwrap() connectors.Connection { return c.inner }

func unsupported(what string) error {
	return fmt.Errorf("this accounting package's connection cannot %s: %w", what, errors.ErrUnsupported)
}

// Check is paced and retried as a read.
func (c *pacedConn) Check(ctx context.Context) (connectors.Identity, error) {
	var id connectors.Identity
	err := c.p.do(ctx, "check", true, nil, func(ctx context.Context) error {
		var err error
		id, err = c.inner.Check(ctx)
		return err
	})
	return id, err
}

func (c *pacedConn) ListChanged(ctx context.Context, t connectors.RecordType, since time.Time, page func([]connectors.Remote) error) error {
	if c.lister == nil {
		return unsupported("list " + t.Label())
	}
	marked := func(rs []connectors.Remote) error {
		if err := page(rs); err != nil {
			return &pageError{err}
		}
		return nil
	}
	err := c.p.do(ctx, "list "+string(t), true, nil, func(ctx context.Context) error {
		return c.lister.ListChanged(ctx, t, since, marked)
	})
	if pe, ok := err.(*pageError); ok {
		return pe.err // the page function's error, exactly as it returned it
	}
	return err
}

// Write sends one batch. A rate-limit answer means the package refused it
// unread, so it goes again after the wait. An unknown outcome (timeout,
// reset, 5xx) sends it again only when the package deduplicates on the
// keys; otherwise the package is asked which new records arrived, and only
// the rest go again. Either way the batch is sent at most MaxAttempts
// times.
func (c *pacedConn) Write(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) ([]connectors.WriteResult, error) {
	if c.writer == nil {
		return nil, unsupported("receive " + t.Label())
	}
	idempotent := c.p.opts.WritesIdempotent
	todo := items
	var settled, out []connectors.WriteResult
	var settle settleFunc
	if !idempotent && c.reader != nil {
		settle = func(ctx context.Context, cause error) (bool, error) {
			if !lookable(todo) {
				return false, cause // sending again could create a record twice
			}
			found, rest, err := c.arrived(ctx, t, todo)
			if err != nil {
				return false, fmt.Errorf("%w; asking the accounting package what arrived failed too: %v", cause, err)
			}
			settled = append(settled, found...)
			todo = rest
			return len(todo) == 0, nil
		}
	}
	err := c.p.do(ctx, "write "+string(t), idempotent, settle, func(ctx context.Context) error {
		res, err := c.writer.Write(ctx, t, todo)
		if err != nil {
			res = nil // no verdict on any item
		}
		out = res
		return err
	})
	if err != nil {
		return nil, err
	}
	return append(out, settled...), nil
}

// lookable says whether every new record of items can be looked up by its
// code.
func lookable(items []connectors.WriteItem) bool {
	for _, it := range items {
		if it.RemoteID == "" && it.Record.Code() == "" {
			return false
		}
	}
	return true
}

// arrived asks the package which new records of items it already holds,
// by their codes: those are done; the rest (and every update, which
// changes nothing when sent again) are still to send.
func (c *pacedConn) arrived(ctx context.Context, t connectors.RecordType, items []connectors.WriteItem) (done []connectors.WriteResult, rest []connectors.WriteItem, err error) {
	var codes []string
	for _, it := range items {
		if it.RemoteID == "" {
			codes = append(codes, it.Record.Code())
		}
	}
	found := map[string]string{}
	if len(codes) > 0 {
		var remotes []connectors.Remote
		err := c.p.attempt(ctx, func(ctx context.Context) error {
			var err error
			remotes, err = c.reader.FindByCode(ctx, t, codes)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range remotes {
			if code := r.Record.Code(); code != "" && r.RemoteID != "" {
				if _, dup := found[code]; !dup {
					found[code] = r.RemoteID
				}
			}
		}
	}
	for _, it := range items {
		if id, ok := found[it.Record.Code()]; ok && it.RemoteID == "" {
			done = append(done, connectors.WriteResult{Key: it.Key, RemoteID: id})
			continue
		}
		rest = append(rest, it)
	}
	return done, rest, nil
}

func (c *pacedConn) Get(ctx context.Context, t connectors.RecordType, remoteIDs []string) ([]connectors.Remote, error) {
	if c.reader == nil {
		return nil, unsupported("read " + t.Label() + " back")
	}
	var out []connectors.Remote
	err := c.p.do(ctx, "get "+string(t), true, nil, func(ctx context.Context) error {
		var err error
		out, err = c.reader.Get(ctx, t, remoteIDs)
		return err
	})
	return out, err
}

func (c *pacedConn) FindByCode(ctx context.Context, t connectors.RecordType, codes []string) ([]connectors.Remote, error) {
	if c.reader == nil {
		return nil, unsupported("look " + t.Label() + " up")
	}
	var out []connectors.Remote
	err := c.p.do(ctx, "find "+string(t), true, nil, func(ctx context.Context) error {
		var err error
		out, err = c.reader.FindByCode(ctx, t, codes)
		return err
	})
	return out, err
}

// RecordURL passes through; "" when the package has no links.
func (c *pacedConn) RecordURL(t connectors.RecordType, remoteID string) string {
	if c.linker == nil {
		return ""
	}
	return c.linker.RecordURL(t, remoteID)
}

// Explain passes through; false when the package has no catalogue.
func (c *pacedConn) Explain(err error) (connectors.Explanation, bool) {
	if c.explainer == nil {
		return connectors.Explanation{}, false
	}
	return c.explainer.Explain(err)
}

// Close passes through; nil when the connection holds nothing.
func (c *pacedConn) Close() error {
	if c.closer == nil {
		return nil
	}
	return c.closer.Close()
}

// Administrations is paced and retried as a read.
func (c *pacedConn) Administrations(ctx context.Context) ([]connectors.Administration, error) {
	if c.admins == nil {
		return nil, unsupported("list administrations")
	}
	var out []connectors.Administration
	err := c.p.do(ctx, "administrations", true, nil, func(ctx context.Context) error {
		var err error
		out, err = c.admins.Administrations(ctx)
		return err
	})
	return out, err
}
