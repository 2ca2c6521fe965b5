package workspace

import (
	"context"
	"encoding/json"

	"ledgerlink/storage"
	"ledgerlink/sync"
)

// callsTodaySetting keeps a module's count of today's calls to its package,
// so the allowance holds across restarts and another process (`ledgerlink
// modules` beside `ledgerlink run`) can show it.
const callsTodaySetting = storage.PrefixState + "calls_today"

// CallsToday returns how many calls went to the module's package today
// (UTC) and the day's allowance; ok is false when the package has no daily
// allowance.
func (w *Workspace) CallsToday(module string) (count sync.DayCount, ok bool) {
	def, found := w.Reg.Lookup(module)
	if !found {
		return sync.DayCount{}, false
	}
	p := w.pacers.For(def, w.Sandbox)
	w.seedCalls(module, p)
	count = p.Today()
	return count, count.Limit > 0
}

// seedCalls adds the saved count of today's calls to the module's pacer.
func (w *Workspace) seedCalls(module string, p *sync.Pacer) {
	settings, err := w.DB.SettingsWithPrefix(module, callsTodaySetting)
	if err != nil || settings[callsTodaySetting] == "" {
		return
	}
	var saved sync.DayCount
	if err := json.Unmarshal([]byte(settings[callsTodaySetting]), &saved); err != nil {
		w.Log.Warn("the saved count of today's calls is unreadable", "module", module, "err", err)
		return
	}
	p.Seed(saved)
}

// saveCalls keeps the module's count of today's calls.
func (w *Workspace) saveCalls(ctx context.Context, module string) {
	count, ok := w.CallsToday(module)
	if !ok {
		return
	}
	b, err := json.Marshal(count)
	if err == nil {
		err = w.DB.SetSetting(context.WithoutCancel(ctx), module, callsTodaySetting, string(b))
	}
	if err != nil {
		w.Log.Warn("the count of today's calls could not be saved", "module", module, "err", err)
	}
}
