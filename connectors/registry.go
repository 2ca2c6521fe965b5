package connectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"ledgerlink/words"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"ledgerlink/assets"
)

// FieldKind is how a setting is entered and checked.
type FieldKind string

const (
	KindText   FieldKind = "text"
	KindSecret FieldKind = "secret"
	KindURL    FieldKind = "url"
	KindChoice FieldKind = "choice"
	KindBool   FieldKind = "bool"
	KindNumber FieldKind = "number"
	KindEmail  FieldKind = "email"
)

// Field is one setting of a connector's settings schema.
type Field struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Kind  FieldKind `json:"kind"`
	// Required fields keep the module AMBER while blank.
	Required bool `json:"required,omitempty"`
	// Secret fields live in the OS keyring, never in the database.
	Secret  bool     `json:"secret,omitempty"`
	Default string   `json:"default,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Help    string   `json:"help,omitempty"`
	// Tab groups fields on the Configure screen ("Account", "Options").
	Tab string `json:"tab,omitempty"`
	// Validate, when set, checks a non-blank value beyond what Kind checks.
	Validate func(string) error `json:"-"`
	// ReadOnly fields are shown for information and filled in by the
	// connector (for example the organisation chosen at sign-in).
	ReadOnly bool `json:"read_only,omitempty"`
	// Fetched fields take their values from the package: the connection
	// is a ChoiceLister that offers them (the window's "Fetch from …").
	Fetched bool `json:"fetched,omitempty"`
	// Multiple fields hold several values separated by commas.
	Multiple bool `json:"multiple,omitempty"`
	// CustomFieldsOf says the field's values are names of custom fields of
	// this record type (customers): fetched choices are marked with
	// whether the business files have a field of that exact name too.
	CustomFieldsOf RecordType `json:"custom_fields_of,omitempty"`
}

// FieldLabel names the setting key for a person: its label, or the key as
// it is when d has no such setting.
func (d Definition) FieldLabel(key string) words.Text {
	if f, ok := d.Field(key); ok {
		return words.Sentence(f.Label)
	}
	return words.Sentence(key)
}

// Check validates a value against the field; blank is allowed here (Required
// is judged by Notes). The error is a *words.Error naming the field by its
// label, for the face to say in the reader's language (Words.Error); a
// Validate error is wrapped in it.
func (f Field) Check(value string) error {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	label := words.Sentence(f.Label)
	switch f.Kind {
	case KindURL:
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return Said(English(), words.Errorf(nil, "engine.field.not_url", "Field", label))
		}
	case KindChoice:
		if !slices.Contains(f.Choices, v) {
			return Said(English(), words.Errorf(nil, "engine.field.not_choice", "Field", label, "Choices", strings.Join(f.Choices, ", ")))
		}
	case KindBool:
		if _, err := strconv.ParseBool(v); err != nil {
			return Said(English(), words.Errorf(nil, "engine.field.not_bool", "Field", label))
		}
	case KindNumber:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return Said(English(), words.Errorf(nil, "engine.field.not_number", "Field", label))
		}
	case KindEmail:
		if at := strings.Index(v, "@"); at < 1 || at == len(v)-1 {
			return Said(English(), words.Errorf(nil, "engine.field.not_email", "Field", label))
		}
	}
	if f.Validate != nil {
		if err := f.Validate(v); err != nil {
			return Said(English(), words.Errorf(err, "engine.field.invalid", "Field", label))
		}
	}
	return nil
}

// Definition is what a connector registers: who it is, what it needs and
// how to open it.
type Definition struct {
	// Name is the module's identifier on the command line ("fakebooks").
	Name string
	// Title is the name shown to people ("FakeBooks").
	Title       string
	Description string
	Settings    []Field
	Caps        Capabilities
	// Open connects with cfg. It may do no I/O until first used.
	Open func(ctx context.Context, cfg Config) (Connection, error)
	// Login signs in (for example OAuth through the system browser, or a
	// check of the username and password in the settings) and stores what
	// it gets in cfg.Secrets. It returns the organisations (companies,
	// administrations) the sign-in reaches, for the person to choose one.
	// It must not panic on a nil prompt or a nil cfg.Secrets: it returns an
	// error instead. Nil for connectors that need no sign-in beyond their
	// settings. In the Sandbox it signs in to the simulator with no prompt.
	Login func(ctx context.Context, cfg Config, prompt Prompt) ([]Organisation, error)
	// Disconnect ends the sign-in: the package drops LedgerLink's access to
	// the module's organisation and the stored tokens are forgotten. Nil
	// for connectors with nothing to disconnect.
	Disconnect func(ctx context.Context, cfg Config) error
	// Limits are the package's published limits for one organisation. The
	// engine keeps one pacer per module configured from them, so calls are
	// spaced, capped and retried in one place for every connector.
	Limits Limits
	// Sandbox says how the Sandbox sets the module up against its
	// simulator; nil means the connector has no Sandbox.
	Sandbox *Sandbox
	// Simulator starts the connector's simulator as an HTTP handler, for
	// `ledgerlink simulate NAME` and end-to-end tests; nil means none.
	Simulator func(opts SimulatorOptions) (Simulator, error)
	// RefreshLabel, when set, names the action that clears what a Check's
	// ErrNeedsAction reported ("Refresh the modification URL"); the
	// module's connections are Refreshers.
	RefreshLabel string
	// RefreshHelp says in a line what the action does.
	RefreshHelp string
	// Receiver, when set, makes the module's ChangeReceiver for
	// `ledgerlink run --listen`: the package calls LedgerLink when its
	// records change. It returns an error when the settings name no
	// address to receive on.
	Receiver func(cfg Config) (ChangeReceiver, error)
	// Words are the connector's catalogue files (PREFIX.LANG.json, see
	// package words) at the root of the FS: its settings' labels and help,
	// its catalogue's causes and fixes, its notes. Nil when it has none.
	Words fs.FS
}

// Prompt is how a sign-in talks to the person: the window answers with
// dialogs, the command line on the terminal.
type Prompt interface {
	// OpenBrowser opens address in the person's web browser (and shows it,
	// in case no browser opens).
	OpenBrowser(address string) error
	// Ask shows question and returns what the person typed or pasted (for
	// example the address the browser landed on after signing in).
	Ask(ctx context.Context, question string) (string, error)
}

// ErrNoPrompt is what a Login returns when it needs to ask the person
// something and was given no Prompt.
var ErrNoPrompt = errors.New("this sign-in needs a person to answer in the browser or at the prompt") // words:log: a kind for errors.Is; the verbs say it in words

// Limits are what one organisation of a package allows. Zero fields mean
// no limit of that kind.
type Limits struct {
	// PerMinute is the most calls in any sixty seconds.
	PerMinute int `json:"per_minute,omitempty"`
	// Burst is how many calls may go at once after a quiet spell; zero
	// means min(Concurrent, PerMinute), or one.
	Burst int `json:"burst,omitempty"`
	// Concurrent is the most calls in progress at once.
	Concurrent int `json:"concurrent,omitempty"`
	// PerDay is the most calls in one day (UTC).
	PerDay int `json:"per_day,omitempty"`
}

// Sandbox is how the Sandbox sets a module up against its simulator.
type Sandbox struct {
	// Settings are saved when the Sandbox installs the module, after what
	// Login returned for the first organisation (for example a client ID
	// the simulator accepts, or "create authorised invoices" so the sample
	// payments have approved invoices to pay).
	Settings map[string]string
	// Limits replace Definition.Limits in the Sandbox, where the simulator
	// runs in-process and need not be spared; zero means Definition.Limits.
	Limits Limits
}

// SimulatorOptions tune a simulator started for `ledgerlink simulate`.
type SimulatorOptions struct {
	// StateFile keeps the simulator's records between runs; empty means
	// in memory only.
	StateFile string
	Logger    *slog.Logger
}

// Simulator is a connector's simulator serving its package's API.
type Simulator interface {
	http.Handler
	// Close releases the simulator, saving its state file if it has one.
	Close() error
	// Describe says in a few lines how to point a module at address (the
	// base address it is served at, "http://127.0.0.1:PORT").
	Describe(address string) string
}

// Organisation is one organisation (tenant, company, administration) a
// sign-in reaches.
type Organisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Settings are what to save in the module's settings to use it.
	Settings map[string]string `json:"-"`
}

// Field returns the schema field with key k.
func (d Definition) Field(k string) (Field, bool) {
	for _, f := range d.Settings {
		if f.Key == k {
			return f, true
		}
	}
	return Field{}, false
}

// Light is a module's status light.
type Light string

const (
	Red   Light = "RED"
	Amber Light = "AMBER"
	Green Light = "GREEN"
)

// Problems lists what stops a module being ready: each required setting
// that is blank and each value that fails its check, as words for the face
// to say in the reader's language (Words.Say). hasSecret reports whether a
// secret field is stored in the keyring.
func (d Definition) Problems(settings map[string]string, hasSecret func(key string) bool) []words.Text {
	var notes []words.Text
	notSet := func(f Field) words.Text {
		return words.Sentence("engine.field.not_set", "Field", words.Sentence(f.Label))
	}
	for _, f := range d.Settings {
		if f.Secret {
			if f.Required && (hasSecret == nil || !hasSecret(f.Key)) {
				notes = append(notes, notSet(f))
			}
			continue
		}
		v := settings[f.Key]
		if strings.TrimSpace(v) == "" {
			v = f.Default
		}
		if strings.TrimSpace(v) == "" {
			if f.Required {
				notes = append(notes, notSet(f))
			}
			continue
		}
		if err := f.Check(v); err != nil {
			notes = append(notes, checkNote(f, err))
		}
	}
	return notes
}

// checkNote is a Check error as a note: a sentence of its own, ending in a
// full stop.
func checkNote(f Field, err error) words.Text {
	var we *words.Error
	if errors.As(err, &we) && we.Err == nil {
		return words.Sentence(we.Key+".note", we.Pairs...)
	}
	var problem any = err.Error()
	if we != nil {
		problem = we.Err.Error()
		var inner *words.Error
		if errors.As(we.Err, &inner) {
			problem = inner.Text
		}
	}
	return words.Sentence("engine.field.invalid.note", "Field", words.Sentence(f.Label), "Problem", problem)
}

// Notes is Problems said in English, for callers that have no language at
// hand; people read Problems said in their language.
func (d Definition) Notes(settings map[string]string, hasSecret func(key string) bool) []string {
	problems := d.Problems(settings, hasSecret)
	if len(problems) == 0 {
		return nil
	}
	w := English()
	if d.Words != nil {
		if cat, err := words.Load(assets.Lang(), d.Words); err == nil {
			w = cat.In("en")
		}
	}
	out := make([]string, 0, len(problems))
	for _, n := range problems {
		out = append(out, w.Say(n))
	}
	return out
}

// SaidError is an error said in one language when it was made (English,
// for logs and callers with no language at hand), which carries its words
// so that a face says it again in its reader's language (Words.Error finds
// them through Unwrap). errors.Is and As see what the words wrap.
type SaidError struct {
	Text  string
	Words *words.Error
	// Kind, when set, is a sentinel errors.Is reports (ErrAuth) whose own
	// words are not said: Words say what happened instead.
	Kind error
}

func (e *SaidError) Error() string { return e.Text }

// Unwrap gives the words and, for an error of a kind the engine tells
// apart, that kind.
func (e *SaidError) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Words}
	}
	return []error{e.Words, e.Kind}
}

// Said says we in w's language now and keeps its words for later.
func Said(w *words.Words, we *words.Error) error {
	return &SaidError{Text: w.Error(we), Words: we}
}

// SaidAs is Said of a kind callers tell apart with errors.Is (ErrAuth, a
// sentinel of the engine's): errors.Is reports kind, and the person reads
// we rather than the kind's own English.
func SaidAs(w *words.Words, kind error, we *words.Error) error {
	return &SaidError{Text: w.Error(we), Words: we, Kind: kind}
}

// English is LedgerLink's own catalogue in English, loaded once (without
// any connector's words).
func English() *words.Words { return english() }

var english = sync.OnceValue(func() *words.Words {
	cat, err := words.Load(assets.Lang())
	if err != nil {
		slog.Error("the catalogue of words does not load", "err", err)
		cat, _ = words.Load()
	}
	return cat.In("en")
})

// Registry holds the connectors LedgerLink knows. It is built once in main
// and passed to whoever needs it.
type Registry struct {
	mu    sync.RWMutex
	defs  map[string]Definition
	order []string // names in the order registered: the build's list
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{defs: map[string]Definition{}} }

// Register adds a connector; a second one of the same name is an error.
func (r *Registry) Register(d Definition) error {
	if d.Name == "" || strings.ContainsAny(d.Name, " /\\") || d.Name != strings.ToLower(d.Name) {
		return fmt.Errorf("connector name %q must be lower-case with no spaces or slashes", d.Name) // words:log: a fault of the build
	}
	if d.Open == nil {
		return fmt.Errorf("connector %q has no Open function", d.Name) // words:log: a fault of the build
	}
	seen := map[string]bool{}
	for _, f := range d.Settings {
		if f.Key == "" || seen[f.Key] {
			return fmt.Errorf("connector %q has a blank or repeated setting key %q", d.Name, f.Key) // words:log: a fault of the build
		}
		seen[f.Key] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.defs[d.Name]; dup {
		return fmt.Errorf("connector %q is already registered", d.Name) // words:log: a fault of the build
	}
	r.defs[d.Name] = d
	r.order = append(r.order, d.Name)
	return nil
}

// Lookup returns the connector named name.
func (r *Registry) Lookup(name string) (Definition, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.defs[strings.ToLower(strings.TrimSpace(name))]
	return d, ok
}

// All returns every registered connector, sorted by name.
func (r *Registry) All() []Definition {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Definition, 0, len(r.defs))
	for _, d := range r.defs {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Catalogue loads the catalogue of LedgerLink's own words (base, the files
// in assets/lang) together with every registered connector's.
func (r *Registry) Catalogue(base ...fs.FS) (*words.Catalogue, error) {
	sources := slices.Clone(base)
	for _, d := range r.InOrder() {
		if d.Words != nil {
			sources = append(sources, d.Words)
		}
	}
	return words.Load(sources...)
}

// InOrder returns every registered connector in the order registered (the
// order of the build's list of connectors).
func (r *Registry) InOrder() []Definition {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Definition, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.defs[n])
	}
	return out
}
