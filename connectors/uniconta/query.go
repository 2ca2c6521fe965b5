package uniconta

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// orListLimit is the most values one filter lists ("a;b;c"); Uniconta's
// own API caps an OR-list at 40.
const orListLimit = 40

// query runs POST /Query/Get/{entity} with filters (at least one filter
// object is always sent: an empty one means "everything").
func (c *Conn) query(ctx context.Context, entity string, filters []queryFilter, out any) error {
	if len(filters) == 0 {
		filters = []queryFilter{{}}
	}
	return c.call(ctx, http.MethodPost, "/Query/Get/"+entity, filters, out)
}

// queryEach pages through an entity in RowId order, Take rows a call, and
// hands each page to page.
func (c *Conn) queryEach(ctx context.Context, entity string, filters []queryFilter, page func([]json.RawMessage) error) error {
	for skip := 0; ; skip += c.pageSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		fs := append([]queryFilter{{PropertyName: "RowId", OrderBy: true, Skip: skip, Take: c.pageSize}}, filters...)
		var rows []json.RawMessage
		if err := c.query(ctx, entity, fs, &rows); err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := page(rows); err != nil {
				return err
			}
		}
		if len(rows) < c.pageSize {
			return nil
		}
	}
}

// queryIn reads every row of entity whose property is one of values,
// 40 values a call.
func (c *Conn) queryIn(ctx context.Context, entity, property string, values []string, extra ...queryFilter) ([]json.RawMessage, error) {
	var out []json.RawMessage
	values = uniqueNonBlank(values)
	for start := 0; start < len(values); start += orListLimit {
		chunk := values[start:min(start+orListLimit, len(values))]
		for i, v := range chunk {
			chunk[i] = escapeFilter(v)
		}
		fs := append([]queryFilter{{PropertyName: property, FilterValue: strings.Join(chunk, ";")}}, extra...)
		err := c.queryEach(ctx, entity, fs, func(rows []json.RawMessage) error {
			out = append(out, rows...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// escapeFilter keeps a value from being read as filter syntax: a code
// holding ";", ".." or "*" cannot be matched exactly, so it is matched by
// a wildcard around its safe part and checked again by the caller.
func escapeFilter(v string) string {
	if !strings.ContainsAny(v, ";*") && !strings.Contains(v, "..") {
		return v
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '*' || r == '.' })
	longest := ""
	for _, p := range parts {
		if len(p) > len(longest) {
			longest = p
		}
	}
	return "*" + longest + "*"
}

func uniqueNonBlank(values []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		k := strings.ToLower(strings.TrimSpace(v))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

func decodeRows[T any](raw []json.RawMessage) ([]T, error) {
	out := make([]T, 0, len(raw))
	for _, r := range raw {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, own.Fail(err, "uniconta.answer.row_unreadable")
		}

		out = append(out, v)
	}
	return out, nil
}
