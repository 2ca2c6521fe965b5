package workspace

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"ledgerlink/assets"
	"ledgerlink/connectors"
	"ledgerlink/sync"
	"ledgerlink/sync/feed"
	"ledgerlink/words"
)

// sandboxModule is the module the Sandbox sets up first: the first
// connector of the build's list that has a Sandbox.
func (w *Workspace) sandboxModule() (string, error) {
	for _, d := range w.Reg.InOrder() {
		if d.Sandbox != nil && d.Login != nil {
			return d.Name, nil
		}
	}
	return "", words.Errorf(nil, "storage.sandbox.none")
}

// SetUpSandbox installs and configures the Sandbox's first module against
// the simulator and imports the sample business, once. The sync matrix lets
// the sample records go both ways.
func (w *Workspace) SetUpSandbox(ctx context.Context, progress func(string)) error {
	if !w.Sandbox {
		return words.Errorf(nil, "engine.sandbox.off")
	}
	if progress == nil {
		progress = func(string) {}
	}
	sandboxModule, err := w.sandboxModule()
	if err != nil {
		return err
	}
	// Set up once, in a Sandbox with no module yet: a module the person
	// removed there stays removed.
	if mods, err := w.DB.InstalledModules(); err != nil || len(mods) > 0 {
		return err
	}
	if err := w.Modules.Install(ctx, sandboxModule, progress); err != nil {
		return err
	}
	if err := w.configureSandbox(ctx, sandboxModule, progress); err != nil {
		// Leave no half-made Sandbox behind: the next start tries afresh.
		if uerr := w.Modules.Uninstall(context.WithoutCancel(ctx), sandboxModule); uerr != nil {
			w.Log.Error("could not remove the half-made Sandbox", "err", uerr)
		}
		return err
	}
	return nil
}

func (w *Workspace) configureSandbox(ctx context.Context, sandboxModule string, progress func(string)) error {
	t := w.Words()
	progress(t.T("storage.sandbox.connecting"))
	def, _ := w.Reg.Lookup(sandboxModule)
	if def.Sandbox == nil || def.Login == nil {
		return words.Errorf(nil, "engine.sandbox.none_for", "Package", def.Title)
	}
	orgs, err := def.Login(ctx, w.ConnectorConfig(sandboxModule, nil), nil)
	if err != nil {
		return words.Errorf(err, "storage.sandbox.unreachable")
	}
	values := map[string]string{}
	if len(orgs) > 0 {
		for k, v := range orgs[0].Settings {
			values[k] = v
		}
	}
	// The sample business has customers paying in euros; a connector's
	// Sandbox may say otherwise.
	values[sync.SettingMultiCurrency] = "true"
	for k, v := range def.Sandbox.Settings {
		values[k] = v
	}
	for _, t := range connectors.MatrixTypes() {
		if def.Caps.Supports(t, connectors.Upload) {
			values[sync.SettingKey(connectors.Upload, t)] = "new+updated"
		}
		if def.Caps.Supports(t, connectors.Mirror) {
			values[sync.SettingKey(connectors.Mirror, t)] = "new+updated"
		}
	}
	values[sync.TimingModeKey] = string(sync.ModeDisabled)
	if _, err := w.Modules.Apply(ctx, sandboxModule, values, true); err != nil {
		return words.Errorf(err, "storage.sandbox.not_configured")
	}
	progress(t.T("storage.sandbox.importing"))
	if err := importSample(ctx, w); err != nil {
		return err
	}
	progress(t.T("storage.sandbox.mapping"))
	if _, err := w.Engine.FetchChart(ctx, sandboxModule); err != nil {
		return err
	}
	if _, err := w.Engine.ApplyDefaultSetup(ctx, w.Modules, sandboxModule); err != nil {
		return err
	}
	progress(t.T("storage.sandbox.ready"))
	return nil
}

// importSample reads the sample business files into the workspace.
func importSample(ctx context.Context, w *Workspace) error {
	sample := assets.Sample()
	entries, err := fs.ReadDir(sample, ".")
	if err != nil {
		return err
	}
	var problems []string
	for _, e := range entries {
		f, err := sample.Open(e.Name())
		if err != nil {
			return err
		}
		res, err := feed.Read(ctx, e.Name(), f, feed.Options{})
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("sample file %s: %w", e.Name(), err)
		}
		for _, p := range res.Problems {
			problems = append(problems, p.String())
		}
		if _, err := w.DB.PutRecords(ctx, "sample:"+e.Name(), res.Records); err != nil {
			return fmt.Errorf("sample file %s: %w", e.Name(), err)
		}
	}
	if len(problems) > 0 {
		return words.Errorf(nil, "engine.sandbox.sample_problems", "Problems", strings.Join(problems, "; "))
	}
	return nil
}

// Install installs a module. In the Sandbox a module whose connector has a
// simulator is set up against it as the Sandbox's first module is (signed
// in, configured, the sample business's codes mapped), so every package can
// be tried with no account.
func (w *Workspace) Install(ctx context.Context, module string, progress func(string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	if err := w.Modules.Install(ctx, module, progress); err != nil {
		return err
	}
	def, ok := w.Reg.Lookup(module)
	if !w.Sandbox || !ok || def.Sandbox == nil || def.Login == nil {
		return nil
	}
	if err := w.configureSandbox(ctx, def.Name, progress); err != nil {
		if uerr := w.Modules.Uninstall(context.WithoutCancel(ctx), def.Name); uerr != nil {
			w.Log.Error("could not remove the half-made Sandbox module", "module", def.Name, "err", uerr)
		}
		return err
	}
	return nil
}
