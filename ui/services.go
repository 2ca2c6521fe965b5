package ui

import (
	"context"
	"io"
	"ledgerlink/words"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// ModuleService is module management (*sync.Modules).
type ModuleService interface {
	List(ctx context.Context) ([]sync.ModuleStatus, error)
	Status(ctx context.Context, name string) (sync.ModuleStatus, error)
	Definition(name string) (connectors.Definition, error)
	Install(ctx context.Context, name string, progress func(step string)) error
	Uninstall(ctx context.Context, name string) error
	// Apply checks and saves settings by key, as `ledgerlink config` does.
	Apply(ctx context.Context, module string, values map[string]string, confirmed bool) ([]string, error)
	// SetSecret checks a secret setting and keeps it in the keyring.
	SetSecret(ctx context.Context, module, key, value string) error
}

// SettingsStore reads and writes a module's settings (*storage.DB).
type SettingsStore interface {
	Settings(module string) (map[string]string, error)
	// SetSettings stores the connector's own (schema) settings, checked.
	SetSettings(ctx context.Context, def connectors.Definition, values map[string]string) error
	// SetEngineSettings stores LedgerLink's own keys (sync., timing., map.,
	// opt.) in one transaction.
	SetEngineSettings(ctx context.Context, module string, values map[string]string) error
}

// SecretStore keeps secret settings in the system keyring (secrets.Store).
type SecretStore interface {
	Has(ctx context.Context, module, key string) (bool, error)
	Set(ctx context.Context, module, key, value string) error
}

// ExportEngine is what the Export tab needs (*sync.Engine).
type ExportEngine interface {
	// Refresh brings Pending Export up to date with the workspace.
	Refresh(ctx context.Context, module string) error
	Pending(ctx context.Context, module string) ([]sync.PendingItem, error)
	Precheck(ctx context.Context, module string, refs []sync.Ref) ([]sync.PendingItem, error)
	Upload(ctx context.Context, module string, refs []sync.Ref, progress func(done, total int)) (sync.Report, error)
	MarkExported(ctx context.Context, module string, refs []sync.Ref) ([]sync.Refusal, error)
	MarkNotExported(ctx context.Context, module string, refs []sync.Ref) ([]sync.Refusal, error)
	Exported(ctx context.Context, module string, from, to time.Time) ([]sync.ExportedRow, error)
	Feedback(ctx context.Context, module string, from, to time.Time) ([]sync.FeedbackRow, error)
}

// ImportEngine is what the Import tab needs (*sync.Engine).
type ImportEngine interface {
	ImportPayments(ctx context.Context, module string, allocate bool) ([]sync.ImportRow, error)
	Imports(ctx context.Context, module string, from, to time.Time) ([]sync.ImportRow, error)
}

// ChartEngine fetches the accounting package's reference data: Get Nominal
// & Tax Accounts on the Mapping tab (*sync.Engine).
type ChartEngine interface {
	Mirror(ctx context.Context, module string, types []connectors.RecordType) (sync.Report, error)
}

// Engine is everything the window asks of the engine (*sync.Engine).
type Engine interface {
	ExportEngine
	ImportEngine
	ChartEngine
}

// Workspace reads records and the reference data fetched from the package
// (*storage.DB).
type Workspace interface {
	Get(ctx context.Context, t connectors.RecordType, code string) (storage.StoredRecord, error)
	GetRecords(ctx context.Context, refs []storage.Ref) (map[storage.Ref]storage.StoredRecord, error)
	Ancillary(ctx context.Context, module string, t connectors.RecordType, fn func(connectors.Record) error) error
}

// Scheduler runs syncs on time and on request (*sync.Scheduler).
type Scheduler interface {
	RunNow(ctx context.Context, module string, trigger sync.Trigger) (sync.Report, error)
	Cancel(module string) bool
	Pause()
	Resume()
	Paused() bool
	State() sync.State
	Next(module string) (time.Time, bool)
	Reschedule()
}

// RunHistory lists the runs of a module that started at or after since,
// oldest first.
type RunHistory interface {
	Runs(ctx context.Context, module string, since time.Time) ([]sync.Report, error)
}

// EventSource tells the window what happens in the background (a *Hub).
type EventSource interface {
	Subscribe(fn func(Event)) (cancel func())
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	// KeptAside is the file the replaced database was kept in ("" if none).
	KeptAside string
	// Services, when set, replace the window's services: the database was
	// reopened and everything built on it is new.
	Services *Services
}

// Services are what the window and tray use. Modules and Settings are
// required; a nil field hides the screens and buttons that need it.
type Services struct {
	Modules   ModuleService
	Settings  SettingsStore
	Secrets   SecretStore
	Engine    Engine
	Workspace Workspace
	Scheduler Scheduler
	Runs      RunHistory
	Events    EventSource
	// Words are the person's language; nil means English.
	Words *words.Words
	// SetLanguage saves the Language setting ("" for the system's) and
	// returns the words LedgerLink now speaks; nil hides the setting.
	SetLanguage func(lang string) (*words.Words, error)
	// Language is the Language setting as saved ("" for the system's);
	// nil means the language spoken is the one chosen.
	Language func() string

	// Connect signs in to the module's accounting package (through the
	// browser, or by checking the Account tab's credentials), asking the
	// person through prompt and, when the sign-in reaches several
	// organisations, through choose; it saves the chosen one.
	Connect func(ctx context.Context, module string, prompt connectors.Prompt, choose ChooseOrganisation) (connectors.Organisation, error)
	// Disconnect ends the module's sign-in: the package drops LedgerLink's
	// access and the saved tokens are forgotten; the module turns AMBER.
	Disconnect func(ctx context.Context, module string) error
	// CanConnect says whether the module signs in through the browser;
	// nil means every module does when Connect is set.
	CanConnect func(module string) bool
	// TestConnection opens the module's connection with its saved settings
	// and checks it.
	TestConnection func(ctx context.Context, module string) (connectors.Identity, error)
	// Backup writes a consistent copy of the database to path while
	// everything keeps running.
	Backup func(ctx context.Context, path string) error
	// VerifyBackup checks a file offered for restore and says what it holds.
	VerifyBackup func(path string) (storage.BackupInfo, error)
	// Restore replaces the database with the backup at path. Main stops
	// the scheduler, closes and reopens the database.
	Restore func(ctx context.Context, path string) (RestoreResult, error)
	// TrySample installs and configures the Sandbox with sample data. When
	// that means a new workspace (the Sandbox keeps its own database), it
	// returns the services to use from then on; nil keeps the current ones.
	TrySample func(ctx context.Context, progress func(step string)) (*Services, error)
	// ChangeCalls is the endpoint the packages' change calls arrive on; nil
	// hides its part of the Account tab.
	ChangeCalls ChangeCallService
	// CallsToday says how many calls went to the module's package today,
	// of its daily allowance (ok false: no allowance); nil shows nothing.
	CallsToday callsToday

	// OpenURL opens an address in the browser (default: the app's OpenURL).
	OpenURL func(u *url.URL) error

	// DataDir is shown to people so they know where their data is.
	DataDir string
	// Sandbox says the workspace is the Sandbox's (sample data, simulated
	// accounting package); the window says so at all times.
	Sandbox bool
	Logger  *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Trace, when set, gets one line per screen change and finished action,
	// for scripts driving the real window. When nil, LEDGERLINK_UI_TRACE=1
	// in the environment sends them to standard error.
	Trace io.Writer
}

// RunStore is the database's run history (*storage.DB).
type RunStore interface {
	Runs(module string, since time.Time) ([]storage.RunRecord, error)
}

// StoredRuns reads the run history the database keeps, as RunHistory.
type StoredRuns struct{ Store RunStore }

// Runs returns the module's runs started at or after since, oldest first.
func (s StoredRuns) Runs(ctx context.Context, module string, since time.Time) ([]sync.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, err := s.Store.Runs(module, since)
	if err != nil {
		return nil, err
	}
	out := make([]sync.Report, len(recs))
	for i, r := range recs {
		rep := sync.Report{Module: r.Module, Trigger: sync.Trigger(r.Trigger), Started: r.Started, Finished: r.Finished,
			Errors: r.Errors, ErrorsSaid: r.ErrorsSaid, ResumeAt: r.ResumeAt, Cancelled: r.Cancelled}
		for _, c := range r.Counts {
			rep.Counts = append(rep.Counts, sync.Count{Direction: c.Direction, Type: c.Type, Created: c.Created, Updated: c.Updated, Failed: c.Failed})
		}
		out[i] = rep
	}
	slices.SortFunc(out, func(a, b sync.Report) int { return a.Started.Compare(b.Started) })
	return out, nil
}

// ChooseOrganisation asks the person which of the organisations a sign-in
// reaches to keep in step.
type ChooseOrganisation = func(ctx context.Context, orgs []connectors.Organisation) (connectors.Organisation, error)
