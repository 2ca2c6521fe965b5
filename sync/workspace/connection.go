package workspace

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/storage"
	"ledgerlink/sync"
)

// OpenConnection builds a module's connector Config (settings from the
// database, secrets from the keyring) and opens it behind the module's pacer.
func (w *Workspace) OpenConnection(ctx context.Context, module string) (connectors.Connection, error) {
	def, ok := w.Reg.Lookup(module)
	if !ok {
		return nil, fmt.Errorf("%w %q", sync.ErrUnknownModule, module)
	}
	settings, err := w.DB.Settings(module)
	if err != nil {
		return nil, err
	}
	conn, err := def.Open(ctx, w.ConnectorConfig(module, settings))
	if err != nil {
		return nil, err
	}
	return w.pacers.Wrap(def, w.Sandbox, conn), nil
}

// ConnectorConfig is what a module's connector is opened with.
// Every HTTP request it makes goes through the module's pacer.
func (w *Workspace) ConnectorConfig(module string, settings map[string]string) connectors.Config {
	transport := http.DefaultTransport
	if def, ok := w.Reg.Lookup(module); ok {
		w.seedCalls(module, w.pacers.For(def, w.Sandbox))
		transport = w.pacers.Transport(def, w.Sandbox, transport)
	}
	return connectors.Config{
		Module:     module,
		Settings:   settings,
		Secrets:    w.Keyring.For(module),
		HTTPClient: &http.Client{Transport: transport, Timeout: 90 * time.Second},
		Logger:     w.Log.With("module", module),
		Sandbox:    w.Sandbox,
		DataDir:    filepath.Join(w.DataDir, "modules", module),
	}
}

// steps are the stages every full sync adds after upload.
func (w *Workspace) steps() []sync.Step {
	return []sync.Step{sync.CustomersStep(), sync.PaymentsStep(), sync.JournalsStep()}
}

// RecordRun keeps a finished run in the run history; a failure to record is
// logged, never allowed to hide the run's own outcome.
func (w *Workspace) RecordRun(ctx context.Context, rep sync.Report) {
	if rep.Module == "" {
		return
	}
	w.saveCalls(ctx, rep.Module)
	rec := storage.RunRecord{
		Module:     rep.Module,
		Trigger:    string(rep.Trigger),
		Started:    rep.Started,
		Finished:   rep.Finished,
		Errors:     rep.Errors,
		ErrorsSaid: rep.ErrorsSaid,
		ResumeAt:   rep.ResumeAt,
		Cancelled:  rep.Cancelled,
	}
	for _, c := range rep.Counts {
		rec.Counts = append(rec.Counts, storage.RunCount{Direction: c.Direction, Type: c.Type, Created: c.Created, Updated: c.Updated, Failed: c.Failed})
	}
	if _, err := w.DB.AddRun(context.WithoutCancel(ctx), rec); err != nil {
		w.Log.Error("could not record the run in the history", "module", rep.Module, "err", err)
	}
}

// RecordingEngine is the engine as the window uses it: uploads made by hand
// are kept in the run history like scheduled runs.
type RecordingEngine struct {
	*sync.Engine
	W *Workspace
}

// Upload sends records and records the run.
func (r RecordingEngine) Upload(ctx context.Context, module string, refs []sync.Ref, progress func(done, total int)) (sync.Report, error) {
	rep, err := r.Engine.Upload(ctx, module, refs, progress)
	r.W.RecordRun(ctx, rep)
	return rep, err
}
