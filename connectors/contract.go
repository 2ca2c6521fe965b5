package connectors

import (
	"context"
	"errors"
	"ledgerlink/words"
	"log/slog"
	"net/http"
	"time"
)

// Remote is a record as the accounting package holds it.
type Remote struct {
	// RemoteID is the package's own identifier of the record.
	RemoteID string `json:"remote_id"`
	Record   Record `json:"record"`
	// UpdatedAt is when the package last changed the record.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Deleted says the package deleted or voided the record (connectors
	// with Capabilities.Deletions report these in ListChanged). Record then
	// holds what is known of it, at least its Type and Code where the
	// package still says them.
	Deleted bool `json:"deleted,omitempty"`
}

// WriteItem is one record to create or update remotely.
type WriteItem struct {
	// Key is the idempotency key: the same Key sent twice must never create
	// two records. It is stored before the request leaves.
	Key string
	// RemoteID is set for an update and empty for a create.
	RemoteID string
	Record   Record
}

// WriteResult is the outcome of one WriteItem, matched by Key.
type WriteResult struct {
	Key      string
	RemoteID string
	// Err is nil on success, otherwise usually an *ItemError.
	Err error
}

// ItemError is the accounting package's own verdict on one record: the
// message is kept word for word for the Error Feedback grid.
type ItemError struct {
	// Code is the package's error code or exception type, if it has one.
	Code    string
	Message string
	// Field names the offending field, if the package says.
	Field string
	// Words, when set, are what LedgerLink itself says about the item (a
	// refusal of its own, not the package's): Message is them in English,
	// and Error Feedback says them in the reader's language.
	Words *words.Error
}

func (e *ItemError) Error() string { return e.Message }

// In is the refusal for a person reading w: its words in w's language when
// LedgerLink made it, else the package's own Message as it wrote it.
func (e *ItemError) In(w *words.Words) string {
	if e.Words != nil {
		return w.Error(e.Words)
	}
	return e.Message
}

// ErrAuth means the connection's credentials were refused, revoked or have
// expired: the person must sign in again.
var ErrAuth = errors.New("the accounting package refused the sign-in") // words:log: a kind for errors.Is; the engine says it in words (engine.connect.*)

// ErrTemporary marks failures worth retrying (timeouts, resets, 5xx).
var ErrTemporary = errors.New("temporary failure") // words:log: a kind for errors.Is; the engine says it in words (engine.connect.*)

// ErrNotFound marks a lookup of a record the package does not have.
var ErrNotFound = errors.New("not found in the accounting package") // words:log: a kind for errors.Is; the engine says what was not found

// RateLimitError says the package asked LedgerLink to slow down.
type RateLimitError struct {
	// RetryAfter is how long the package asked to wait.
	RetryAfter time.Duration
	// Daily is set when the day's allowance is spent; ResumeAt says when
	// it comes back.
	Daily    bool
	ResumeAt time.Time
	Message  string
}

// Error is the wait in English; Words.Error says it in the reader's
// language (the words are what it wraps).
func (e *RateLimitError) Error() string { return English().Error(e.words()) }

// Unwrap is the wait in a person's words, so that Words.Error says it.
func (e *RateLimitError) Unwrap() error { return e.words() }

func (e *RateLimitError) words() *words.Error {
	if e.Daily {
		return words.Errorf(nil, "engine.rate_limit.daily", "ResumeAt", e.ResumeAt.Local())
	}
	return words.Errorf(nil, "engine.rate_limit.slow_down", "Wait", e.RetryAfter.Round(time.Second).String())
}

// Identity says who the connection reached.
type Identity struct {
	Organisation string
	// Currency is the organisation's base currency.
	Currency string
}

// Connection is an open, authenticated link to one organisation of an
// accounting package. Every method is safe for concurrent use.
//
// Capabilities are separate small interfaces; a caller asserts the one it
// needs. Every connection can at least Check itself.
type Connection interface {
	Check(ctx context.Context) (Identity, error)
}

// Lister pulls records remote→local.
type Lister interface {
	// ListChanged calls page for each page of records of type t changed at
	// or after since (a zero since means all). It stops at the first error
	// page returns.
	ListChanged(ctx context.Context, t RecordType, since time.Time, page func([]Remote) error) error
}

// Writer pushes records local→remote.
type Writer interface {
	// Write creates or updates items, all of type t, at most the
	// connector's BatchSize at once. The returned error means the batch as a
	// whole did not go through (no per-item verdict is known); otherwise
	// there is one result per item, in any order.
	Write(ctx context.Context, t RecordType, items []WriteItem) ([]WriteResult, error)
}

// Reader reads records back, for verification and for reconciling uploads
// after a crash.
type Reader interface {
	// Get reads records by remote ID; IDs the package does not know are
	// left out of the answer.
	Get(ctx context.Context, t RecordType, remoteIDs []string) ([]Remote, error)
	// FindByCode looks records up by their business code; codes the package
	// does not know are left out of the answer.
	FindByCode(ctx context.Context, t RecordType, codes []string) ([]Remote, error)
}

// Linker builds the browser address of a record in the accounting package.
type Linker interface {
	RecordURL(t RecordType, remoteID string) string
}

// Explanation turns a package's error message into words for a person.
// A connector's catalogue sets Key: the catalogue entries KEY.cause and
// KEY.fix hold the words in each language, with Args filling their
// placeholders. Cause and Fix are those words in one language, filled by In.
type Explanation struct {
	Key   string            `json:"key,omitempty"`
	Args  map[string]string `json:"args,omitempty"`
	Cause string            `json:"cause"`
	Fix   string            `json:"fix"`
}

// In returns the explanation in w's language. One without a Key (or with a
// nil w) is returned as it is.
func (x Explanation) In(w *words.Words) Explanation {
	if x.Key == "" || w == nil {
		return x
	}
	pairs := words.PairsOf(x.Args)
	x.Cause = w.T(x.Key+".cause", pairs...)
	x.Fix = w.T(x.Key+".fix", pairs...)
	return x
}

// Explainer is a connector's catalogue of its package's error messages.
type Explainer interface {
	Explain(err error) (Explanation, bool)
}

// Closer is implemented by connections holding resources.
type Closer interface {
	Close() error
}

// Directions says which ways a record type can flow.
type Directions struct {
	Mirror bool `json:"mirror"`
	Upload bool `json:"upload"`
}

// Capabilities describes what a connector can do.
type Capabilities struct {
	Types map[RecordType]Directions `json:"types"`
	// BatchSize is how many items one Write may carry.
	BatchSize int `json:"batch_size"`
	// IncrementalPull says ListChanged honours since; otherwise every pull is
	// a full read.
	IncrementalPull bool `json:"incremental_pull"`
	// IdempotencyKeys says the package itself deduplicates on WriteItem.Key.
	IdempotencyKeys bool `json:"idempotency_keys"`
	// Deletions says remote deletions are reported.
	Deletions bool `json:"deletions"`
	// CreditNoteAllocations says the package's API can allocate credit notes.
	CreditNoteAllocations bool `json:"credit_note_allocations"`
}

// Supports reports whether t can flow in direction d.
func (c Capabilities) Supports(t RecordType, d Direction) bool {
	dirs, ok := c.Types[t]
	if !ok {
		return false
	}
	if d == Upload {
		return dirs.Upload
	}
	return dirs.Mirror
}

// SecretStore keeps one module's credentials (the OS keyring in the app).
type SecretStore interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
	Delete(ctx context.Context, key string) error
}

// ErrSecretNotFound is returned by a SecretStore for a key it does not hold.
var ErrSecretNotFound = errors.New("secret not found") // words:log: a kind for errors.Is; a connector says which setting to fill in

// Config is what a connector is opened with.
type Config struct {
	// Module is the module's name (the connector's name).
	Module string
	// Settings holds the non-secret settings by schema key.
	Settings map[string]string
	// Secrets holds the secret settings and tokens.
	Secrets SecretStore
	// HTTPClient is the client to use; nil means a default one.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Sandbox points the connector at its simulator.
	Sandbox bool
	// DataDir is a folder the module may keep its own files in (the
	// Sandbox keeps its simulator's state there); empty means keep nothing
	// on disk.
	DataDir string
}

// Setting returns a setting's value or def when it is blank.
func (c Config) Setting(key, def string) string {
	if v, ok := c.Settings[key]; ok && v != "" {
		return v
	}
	return def
}

// ---- Choices fetched from the package, records a module leaves out, and
// conditions the person must clear in the package ----

// Choice is one value a setting may take, as the package offers it.
type Choice struct {
	Value string `json:"value"`
	// Label is how the package shows it, when it says more than Value.
	Label string `json:"label,omitempty"`
	// InBusinessFiles is set by the engine for the choices of a field
	// with CustomFieldsOf when the business files' records have a custom
	// field of exactly this name: the name exists on both sides.
	InBusinessFiles bool `json:"in_business_files,omitempty"`
}

// ChoiceLister offers the values a setting may take, read from the
// package (the customer groups or custom fields it holds). It answers for
// settings whose schema field is Fetched; for another key it returns an
// error wrapping ErrNotFound.
type ChoiceLister interface {
	Choices(ctx context.Context, key string) ([]Choice, error)
}

// ErrNotSynced marks a record the module's own settings keep out of the
// package (a customer without the chosen tag, for example). Wrapped in a
// WriteResult's error it is not a failure: the record is not sent, stays
// pending and goes at the first run after the settings or the record let
// it.
var ErrNotSynced = errors.New("not for this package by the module's settings") // words:log: a kind for errors.Is; the engine parks the record with a note

// Excluder lists the records of type t the package holds that the
// module's settings leave out (customers that lost the tag), by code:
// they are neither read nor changed, and never deleted.
type Excluder interface {
	Excluded(ctx context.Context, t RecordType) ([]string, error)
}

// ErrNeedsAction marks a Check error the person must clear in the package
// (a flag the package set on LedgerLink's access, for example): the module
// turns AMBER with the package's words and the connector's fix, and runs
// wait until a check passes.
var ErrNeedsAction = errors.New("the accounting package needs an action") // words:log: a kind for errors.Is; FailAs gives the words

// Refresher clears, through the package's API, what an ErrNeedsAction
// reported. A Definition with a RefreshLabel has connections that
// implement it.
type Refresher interface {
	Refresh(ctx context.Context) error
}

// ChangedRecord is one record a package's change call names.
type ChangedRecord struct {
	Type RecordType
	Code string
	// RemoteID is the package's identifier of the record, when the call
	// names it: the engine then reads just that record (Reader.Get).
	RemoteID string
	// Deleted says the call reports the record deleted.
	Deleted bool
}

// ChangeReceiver serves one module's change calls from its package (a
// webhook, a modification URL) on the address LedgerLink listens on, and
// collects the records they name. It checks the calls itself (a secret in
// the path, the organisation).
type ChangeReceiver interface {
	http.Handler
	// Take returns the records changed once no call has come for quiet,
	// and forgets them; before that, nil. A burst of calls is one take.
	Take(quiet time.Duration) []ChangedRecord
	// Path is what follows /MODULE/ in the address the package must call
	// (the secret), for the person to paste into the package.
	Path() string
}

// Administrations: a package where one sign-in reaches several
// administrations (company files, ledgers), each with its own journals,
// lets each payroll company be booked in its own administration and
// journal. A connection that can list them implements AdministrationLister.

// Administration is one administration a connection reaches.
type Administration struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// ReadOnly says nothing can be booked in it.
	ReadOnly bool `json:"read_only,omitempty"`
	// Journals are the administration's journals (dagboeken).
	Journals []Journal `json:"journals,omitempty"`
}

// Journal is one journal of an administration.
type Journal struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Unusable says why payroll journals cannot be booked in it (a sales
	// or bank journal, say); empty when they can.
	Unusable string `json:"unusable,omitempty"`
}

// Label is what a drop-down shows.
func (a Administration) Label() string {
	if a.Name == "" || a.Name == a.Code {
		return a.Code
	}
	return a.Code + " – " + a.Name
}

// Label is what a drop-down shows.
func (j Journal) Label() string {
	if j.Name == "" || j.Name == j.Code {
		return j.Code
	}
	return j.Code + " – " + j.Name
}

// AdministrationLister lists the administrations a connection reaches,
// each with its journals.
type AdministrationLister interface {
	Administrations(ctx context.Context) ([]Administration, error)
}
