package sync

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ledgerlink/connectors"

	"ledgerlink/words"
)

// Level is how much of one record type moves one way.
type Level int

const (
	// Off moves nothing (red button).
	Off Level = iota
	// NewOnly moves records the other side has not seen yet (amber).
	NewOnly
	// NewAndUpdated moves new records and changes to known ones (green).
	NewAndUpdated
)

// Levels returns the three levels, lowest first.
func Levels() []Level { return []Level{Off, NewOnly, NewAndUpdated} }

// Valid reports whether l is one of the three levels.
func (l Level) Valid() bool { return l >= Off && l <= NewAndUpdated }

// String is the button caption: "OFF", "NEW" or "NEW + UPDATED".
func (l Level) String() string {
	switch l {
	case Off:
		return "OFF"
	case NewOnly:
		return "NEW"
	case NewAndUpdated:
		return "NEW + UPDATED"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Colour names the button's colour: "red", "amber" or "green".
func (l Level) Colour() string {
	switch l {
	case NewOnly:
		return "amber"
	case NewAndUpdated:
		return "green"
	}
	return "red"
}

// token is the form a level takes in settings.
func (l Level) token() string {
	switch l {
	case NewOnly:
		return "new"
	case NewAndUpdated:
		return "new+updated"
	}
	return "off"
}

// MarshalText writes the settings form ("off", "new", "new+updated").
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("%d is not a sync level", int(l)) // words:log: only a Level the code made is written
	}
	return []byte(l.token()), nil
}

// UnmarshalText reads anything ParseLevel accepts.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLevel reads a level as people and settings write it: "off", "new",
// "new+updated" (also "new + updated", "new and updated", "updated", "all"),
// the colours "red", "amber", "green", or the numbers 0, 1, 2. Case and
// surrounding spaces do not matter; blank is an error, not OFF.
func ParseLevel(s string) (Level, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.Join(strings.Fields(norm), " ")
	switch norm {
	case "off", "0", "red", "none", "no":
		return Off, nil
	case "new", "1", "amber", "new only":
		return NewOnly, nil
	case "new+updated", "new + updated", "new and updated", "new & updated", "new+update", // words:verbatim (levels as typed on the command line)
		"updated", "2", "green", "all":
		return NewAndUpdated, nil
	}
	return Off, refusal(nil, "engine.level.unknown", "Value", strconv.Quote(s))
}

// Change is one button the matrix moved by itself after a Set.
type Change struct {
	Direction connectors.Direction
	Type      connectors.RecordType
	From, To  Level
	// Because names the record type whose level forced this change; it is
	// Type itself when the connector cannot move Type that way.
	Because connectors.RecordType
}

// In says what happened in w's language, naming the direction as
// direction (the window names it after the package).
func (c Change) In(w *words.Words, direction string) string {
	pairs := []any{"Type", c.Type.LabelIn(w), "Direction", direction, "From", c.From.String(), "To", c.To.String(),
		"Because", c.Because.LabelIn(w)}
	if c.Because == c.Type {
		return w.T("grids.matrix.change.unsupported", pairs...)
	}
	return w.T("grids.matrix.change.because", pairs...)
}

// String says what happened in English, for logs.
func (c Change) String() string {
	return c.In(connectors.English(), c.Direction.LabelIn(connectors.English()))
}

// ErrNotAllowed is matched (errors.Is) by every *RuleError.
var ErrNotAllowed = errors.New("this sync level is not allowed") // words:log: a kind for errors.Is; a RuleError carries the reason

// RuleError is a refused change to the matrix. Its message is the plain-words
// reason shown to the person: Reason in English, Words in any language.
type RuleError struct {
	Direction connectors.Direction
	Type      connectors.RecordType
	Wanted    Level
	Reason    string
	Words     words.Text
}

func (e *RuleError) Error() string { return e.Reason }

// newRuleError refuses l for t in d, for reason.
func newRuleError(d connectors.Direction, t connectors.RecordType, l Level, reason words.Text) *RuleError {
	return &RuleError{Direction: d, Type: t, Wanted: l, Reason: connectors.English().Say(reason), Words: reason}
}

// Unwrap gives the reason's words, so Words.Error says it in the reader's
// language.
func (e *RuleError) Unwrap() error { return words.Errorf(nil, e.Words.Key, e.Words.Pairs...) }

// Is makes errors.Is(err, ErrNotAllowed) true.
func (e *RuleError) Is(target error) bool { return target == ErrNotAllowed }

// directions are the two halves of the matrix, top (mirror) first as on screen.
var directions = [2]connectors.Direction{connectors.Mirror, connectors.Upload}

// Directions returns the matrix's two directions in screen order.
func Directions() []connectors.Direction { return slices.Clone(directions[:]) }

// prerequisites says which record type each matrix type needs synced the
// same way first. The graph is a forest and connectors.MatrixTypes lists it
// in dependency order, which clamp relies on.
func prerequisites(t connectors.RecordType) []connectors.RecordType {
	switch t {
	case connectors.Quotes, connectors.SalesInvoices:
		return []connectors.RecordType{connectors.Customers}
	case connectors.InvoicePayments:
		return []connectors.RecordType{connectors.SalesInvoices}
	case connectors.PurchaseInvoices:
		return []connectors.RecordType{connectors.Suppliers}
	case connectors.PurchasePayments:
		return []connectors.RecordType{connectors.PurchaseInvoices}
	}
	return nil
}

// Prerequisites returns the record types t needs synced the same way first.
func Prerequisites(t connectors.RecordType) []connectors.RecordType {
	return slices.Clone(prerequisites(t))
}

// Dependents returns the matrix types that need t, directly or through
// another type, in screen order.
func Dependents(t connectors.RecordType) []connectors.RecordType {
	var out []connectors.RecordType
	needs := map[connectors.RecordType]bool{t: true}
	for _, u := range connectors.MatrixTypes() {
		for _, p := range prerequisites(u) {
			if needs[p] {
				needs[u] = true
				out = append(out, u)
				break
			}
		}
	}
	return out
}

// Matrix is the sync level of each of the seven matrix types in each
// direction. The zero Matrix is all OFF, as a new module starts. A Matrix is
// a value: Set returns a changed copy and never alters the receiver.
type Matrix struct {
	levels [2][7]Level
}

func dirIndex(d connectors.Direction) (int, bool) {
	for i, x := range directions {
		if x == d {
			return i, true
		}
	}
	return 0, false
}

func typeIndex(t connectors.RecordType) (int, bool) {
	i := slices.Index(connectors.MatrixTypes(), t)
	return i, i >= 0
}

// Level returns the level of t moving in d; OFF for anything outside the
// matrix.
func (m Matrix) Level(d connectors.Direction, t connectors.RecordType) Level {
	di, ok1 := dirIndex(d)
	ti, ok2 := typeIndex(t)
	if !ok1 || !ok2 {
		return Off
	}
	return m.levels[di][ti]
}

func (m *Matrix) set(d connectors.Direction, t connectors.RecordType, l Level) {
	di, _ := dirIndex(d)
	ti, _ := typeIndex(t)
	m.levels[di][ti] = l
}

// Enabled reports whether anything of t moves in d.
func (m Matrix) Enabled(d connectors.Direction, t connectors.RecordType) bool {
	return m.Level(d, t) > Off
}

// IsOff reports whether nothing at all moves either way.
func (m Matrix) IsOff() bool { return m == Matrix{} }

func checkCell(d connectors.Direction, t connectors.RecordType) error {
	if _, ok := dirIndex(d); !ok {
		return refusal(nil, "engine.matrix.no_direction", "Value", strconv.Quote(string(d)), "Mirror", string(connectors.Mirror), "Upload", string(connectors.Upload))
	}
	if _, ok := typeIndex(t); !ok {
		return refusal(nil, "engine.matrix.no_level", "Type", t.Text())
	}
	return nil
}

// Allowed returns the highest level t may have in d given its prerequisites,
// and, when that is below NEW + UPDATED, the reason in plain words for the
// button's tooltip. A type with max OFF is disabled.
func (m Matrix) Allowed(d connectors.Direction, t connectors.RecordType) (max Level, reason string) {
	max, why := m.allowed(d, t)
	if why.Key == "" {
		return max, ""
	}
	return max, connectors.English().Say(why)
}

// allowed is Allowed with the reason in words.
func (m Matrix) allowed(d connectors.Direction, t connectors.RecordType) (max Level, reason words.Text) {
	if err := checkCell(d, t); err != nil {
		var we *words.Error
		errors.As(err, &we)
		return Off, we.Text
	}
	max = NewAndUpdated
	var limiting connectors.RecordType
	for _, p := range prerequisites(t) {
		if pl := m.Level(d, p); pl < max {
			max, limiting = pl, p
		}
	}
	switch max {
	case Off:
		reason = words.Sentence("engine.matrix.needs_on", "Type", t.Text(), "Needs", limiting.Text(), "Direction", words.Sentence(d.Key()))
	case NewOnly:
		reason = words.Sentence("engine.matrix.needs_updates", "Type", t.Text(), "Needs", limiting.Text(), "Direction", words.Sentence(d.Key()))
	}
	return max, reason
}

// Set returns the matrix with t in d at level l, and the other buttons that
// had to come down with it: lowering a type lowers every type that depends
// on it to what it now allows. The changes are listed in screen order and do
// not include the requested one. A level the prerequisites do not allow is
// refused with a *RuleError saying what to do; m is never altered.
func (m Matrix) Set(d connectors.Direction, t connectors.RecordType, l Level) (Matrix, []Change, error) {
	if err := checkCell(d, t); err != nil {
		return m, nil, err
	}
	if !l.Valid() {
		return m, nil, refusal(nil, "engine.level.invalid", "Number", int(l))
	}
	if max, reason := m.allowed(d, t); l > max {
		return m, nil, newRuleError(d, t, l, reason)
	}
	out := m
	out.set(d, t, l)
	changes := out.clamp(d)
	return out, changes, nil
}

// clamp lowers, in direction d, every type above what its prerequisites
// allow. MatrixTypes is in dependency order, so one pass settles chains.
func (m *Matrix) clamp(d connectors.Direction) []Change {
	var changes []Change
	for _, t := range connectors.MatrixTypes() {
		cur := m.Level(d, t)
		max := NewAndUpdated
		var because connectors.RecordType
		for _, p := range prerequisites(t) {
			if pl := m.Level(d, p); pl < max {
				max, because = pl, p
			}
		}
		if cur > max {
			m.set(d, t, max)
			changes = append(changes, Change{Direction: d, Type: t, From: cur, To: max, Because: because})
		}
	}
	return changes
}

// Next is the level one press of the button gives: OFF → NEW → NEW +
// UPDATED → OFF, skipping what the prerequisites do not allow. A disabled
// button stays OFF.
func (m Matrix) Next(d connectors.Direction, t connectors.RecordType) Level {
	max, _ := m.Allowed(d, t)
	next := m.Level(d, t) + 1
	if next > max {
		return Off
	}
	return next
}

// NeedsConfirmation reports whether setting t in d to l must be confirmed
// first, with the warning to show. Raising an upload type to NEW + UPDATED
// lets LedgerLink change records already in the accounting package, so the
// person is warned that it changes the books.
func (m Matrix) NeedsConfirmation(d connectors.Direction, t connectors.RecordType, l Level) (bool, string) {
	return m.NeedsConfirmationIn(english(), d, t, l)
}

// NeedsConfirmationIn is NeedsConfirmation with the warning in w's
// language.
func (m Matrix) NeedsConfirmationIn(w *words.Words, d connectors.Direction, t connectors.RecordType, l Level) (bool, string) {
	if d != connectors.Upload || l != NewAndUpdated || m.Level(d, t) == NewAndUpdated {
		return false, ""
	}
	if checkCell(d, t) != nil {
		return false, ""
	}
	return true, w.T("engine.matrix.confirm_updates", "Type", t.LabelIn(w), "Records", lowerLabel(w, t))
}

// Check reports the first breach of the prerequisite rules, or nil.
func (m Matrix) Check() error {
	for _, d := range directions {
		for _, t := range connectors.MatrixTypes() {
			l := m.Level(d, t)
			if !l.Valid() {
				return refusal(nil, "engine.matrix.unknown_level", "Type", t.Text(), "Direction", words.Sentence(d.Key()), "Number", int(l))
			}
			if max, reason := m.allowed(d, t); l > max {
				return newRuleError(d, t, l, reason)
			}
		}
	}
	return nil
}

// Validate checks the matrix against what the connector can do: a type the
// connector cannot move in a direction must be OFF there. The error lists
// every such type.
func (m Matrix) Validate(caps connectors.Capabilities) error {
	var problems words.Problems
	for _, d := range directions {
		for _, t := range connectors.MatrixTypes() {
			if m.Enabled(d, t) && !caps.Supports(t, d) {
				problems = append(problems, refusal(nil, "engine.config.level_label", "Type", t.Text(), "Direction", words.Sentence(d.Key())))
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return sayKind(connectors.English(), ErrNotAllowed, problems, "engine.matrix.unsupported")
}

// Restrict returns the matrix with every type the connector cannot move
// turned OFF, and what depends on those lowered in turn, with the changes.
// It is the safe matrix to run with when Validate fails.
func (m Matrix) Restrict(caps connectors.Capabilities) (Matrix, []Change) {
	out := m
	var changes []Change
	for _, d := range directions {
		for _, t := range connectors.MatrixTypes() {
			if cur := out.Level(d, t); cur > Off && !caps.Supports(t, d) {
				out.set(d, t, Off)
				changes = append(changes, Change{Direction: d, Type: t, From: cur, To: Off, Because: t})
			}
		}
		changes = append(changes, out.clamp(d)...)
	}
	return out, changes
}

// SettingPrefix starts every matrix setting key.
const SettingPrefix = "sync."

// SettingKey is the settings key of t moving in d: "sync.<direction>.<type>",
// for example "sync.upload.sales_invoice".
func SettingKey(d connectors.Direction, t connectors.RecordType) string {
	return SettingPrefix + string(d) + "." + string(t)
}

// Settings returns all fourteen levels as settings, OFF included, so saving
// them overwrites every earlier choice.
func (m Matrix) Settings() map[string]string {
	out := make(map[string]string, 14)
	for _, d := range directions {
		for _, t := range connectors.MatrixTypes() {
			out[SettingKey(d, t)] = m.Level(d, t).token()
		}
	}
	return out
}

// MatrixFromSettings reads the matrix from a module's settings. Keys that
// are not "sync.<direction>.<type>" for a matrix type are ignored, as are
// other record types' sync keys; a missing key is OFF.
//
// On error the returned Matrix is still the safe one to use: an unreadable
// level counts as OFF and a level the prerequisites do not allow is lowered,
// so nothing syncs that was not clearly asked for. The error says, in plain
// words, every entry that was wrong and what to do.
func MatrixFromSettings(settings map[string]string) (Matrix, error) {
	var m Matrix
	var problems words.Problems
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys) // stable messages
	for _, k := range keys {
		d, t, ok, err := parseSettingKey(k)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if !ok {
			continue
		}
		l, err := ParseLevel(settings[k])
		if err != nil {
			problems = append(problems, refusal(err, "engine.config.level_label", "Type", t.Text(), "Direction", words.Sentence(d.Key())))
			continue
		}
		m.set(d, t, l)
	}
	for _, d := range directions {
		for _, c := range m.clamp(d) {
			problems = append(problems, refusal(nil, "engine.matrix.clamped", "Type", c.Type.Text(), "Direction", words.Sentence(c.Direction.Key()),
				"From", c.From.String(), "Because", c.Because.Text(), "Level", m.Level(d, c.Because).String(), "To", c.To.String()))
		}
	}
	if len(problems) > 0 {
		return m, sayKind(connectors.English(), ErrNotAllowed, problems, "engine.matrix.saved_invalid")
	}
	return m, nil
}

// parseSettingKey splits "sync.<direction>.<type>". ok is false for keys
// that are not matrix keys; err is set for a sync key in a known direction
// naming no record type at all, which is a typo worth reporting.
func parseSettingKey(k string) (connectors.Direction, connectors.RecordType, bool, error) {
	rest, found := strings.CutPrefix(k, SettingPrefix)
	if !found {
		return "", "", false, nil
	}
	dir, typ, found := strings.Cut(rest, ".")
	if !found {
		return "", "", false, nil
	}
	d := connectors.Direction(strings.ToLower(strings.TrimSpace(dir)))
	if _, ok := dirIndex(d); !ok {
		return "", "", false, nil
	}
	t, err := connectors.ParseRecordType(typ)
	if err != nil {
		return "", "", false, refusal(nil, "engine.config.no_record_type", "Key", strconv.Quote(k))
	}
	if _, ok := typeIndex(t); !ok {
		return "", "", false, nil
	}
	return d, t, true, nil
}
