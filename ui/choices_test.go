package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	stdsync "sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"ledgerlink/connectors"
	"ledgerlink/sync"
)

// choiceEngine is the fake engine with choices from the package and a
// refresh action.
type choiceEngine struct {
	*fakeEngine
	mu        stdsync.Mutex
	choices   map[string][]connectors.Choice
	asked     []string
	refreshed int
	refresh   error
}

func (e *choiceEngine) SettingChoices(_ context.Context, _ string, key string) ([]connectors.Choice, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked = append(e.asked, key)
	c, ok := e.choices[key]
	if !ok {
		return nil, errors.New("the package is not reachable")
	}
	return c, nil
}

func (e *choiceEngine) RefreshAction(context.Context, string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.refreshed++
	return e.refresh
}

// withFetchedSettings gives the test module a fetched tag, fetched custom
// fields and a refresh action, on an engine that answers them.
func withFetchedSettings(ce *choiceEngine) harnessOption {
	return func(h *harness, svc *Services) {
		def := h.def
		def.Settings = append(slices.Clone(def.Settings),
			connectors.Field{Key: "opt.tag", Label: "Customer tag", Kind: connectors.KindText, Tab: "Options", Fetched: true},
			connectors.Field{Key: "opt.fields", Label: "Custom fields", Kind: connectors.KindText, Tab: "Options", Fetched: true, Multiple: true, CustomFieldsOf: connectors.Customers})
		def.RefreshLabel = "Refresh the link"
		def.RefreshHelp = "Clears the package's mark."
		h.def = def
		h.mods.mu.Lock()
		h.mods.defs[def.Name] = def
		h.mods.mu.Unlock()
		ce.fakeEngine = h.eng
		svc.Engine = ce
	}
}

func (cs *ConfigureScreen) fetcherOf(key string) *fetcher {
	for _, fx := range cs.fetchers {
		if fx.fe.f.Key == key {
			return fx
		}
	}
	return nil
}

func TestFetchFillsTheDropDownAndTheEntry(t *testing.T) {
	ce := &choiceEngine{choices: map[string][]connectors.Choice{
		"opt.tag":    {{Value: "Shop"}, {Value: "Uniconta"}},
		"opt.fields": {{Value: "LoyaltyTier", Label: "LoyaltyTier (String)", InBusinessFiles: true}, {Value: "PreferredRoast", Label: "PreferredRoast (String)"}},
	}}
	s := readySettings()
	s["opt.fields"] = "Loyalty tier"
	h := newHarness(t, installed(s), withFetchedSettings(ce))
	cs := openConfigure(t, h)
	if cs.fetcherOf("client_id") != nil || cs.fetcherOf("opt.rollup") != nil {
		t.Fatal("only fetched settings get a Fetch button")
	}
	tag := cs.fetcherOf("opt.tag")
	if tag == nil || tag.button.Text != "Fetch from Books Online" || tag.sel.Visible() {
		t.Fatalf("the tag's fetcher: %+v", tag)
	}
	test.Tap(tag.button)
	h.waitTrace("choices fetched module=books key=opt.tag n=2 ok=true")
	if !tag.sel.Visible() || !slices.Equal(tag.sel.Options, []string{"Shop", "Uniconta"}) {
		t.Fatalf("drop-down %v (visible %v)", tag.sel.Options, tag.sel.Visible())
	}
	tag.sel.SetSelected("Uniconta")
	if got := tag.fe.value(); got != "Uniconta" || !cs.dirty {
		t.Fatalf("the tag's value is %q (dirty %v) after choosing Uniconta", got, cs.dirty)
	}

	fields := cs.fetcherOf("opt.fields")
	test.Tap(fields.button)
	h.waitTrace("key=opt.fields n=2 ok=true")
	if !fields.group.Visible() || len(fields.group.Options) != 2 {
		t.Fatalf("check list %v", fields.group.Options)
	}
	// The saved name has a space Uniconta's do not: the note says so.
	if n := fields.note.Text; !strings.Contains(n, `no "Loyalty tier"`) || !strings.Contains(n, "match exactly") {
		t.Fatalf("note %q; want the unmatched name explained", n)
	}
	if want := []string{"LoyaltyTier (String), in your business files too", "PreferredRoast (String), not in your business files"}; !slices.Equal(fields.group.Options, want) {
		t.Fatalf("check list %q; want %q", fields.group.Options, want)
	}
	fields.group.SetSelected(fields.group.Options)
	if got := fields.fe.value(); got != "LoyaltyTier, PreferredRoast" {
		t.Fatalf("the custom fields' value is %q", got)
	}
}

func TestFetchFailureSaysWhy(t *testing.T) {
	ce := &choiceEngine{choices: map[string][]connectors.Choice{"opt.fields": {}}}
	h := newHarness(t, installed(readySettings()), withFetchedSettings(ce))
	cs := openConfigure(t, h)
	tag := cs.fetcherOf("opt.tag")
	test.Tap(tag.button)
	h.waitTrace("key=opt.tag n=0 ok=false")
	if !strings.Contains(tag.note.Text, "Could not fetch the values: the package is not reachable") || tag.sel.Visible() || tag.fe.entry == nil {
		t.Fatalf("note %q", tag.note.Text)
	}
	fields := cs.fetcherOf("opt.fields")
	test.Tap(fields.button)
	h.waitTrace("key=opt.fields n=0 ok=true")
	if !strings.Contains(fields.note.Text, "holds none yet") {
		t.Fatalf("note %q", fields.note.Text)
	}
}

func TestRefreshButtonRunsTheAction(t *testing.T) {
	ce := &choiceEngine{}
	s := readySettings()
	s[sync.AttentionSetting] = "Uniconta marked the modification URL as Has errors: 404."
	h := newHarness(t, installed(s), withFetchedSettings(ce))
	cs := openConfigure(t, h)
	if cs.account.refresh == nil || cs.account.refresh.Text != "Refresh" {
		t.Fatal("the Account tab has no Refresh button")
	}
	if !strings.Contains(cs.notes.Text, "Has errors: 404") || cs.Light() != connectors.Amber {
		t.Fatalf("notes %q, light %v; want the package's words, AMBER", cs.notes.Text, cs.Light())
	}
	// The action clears the note (as the engine does after its check).
	h.settings.put("books", map[string]string{sync.AttentionSetting: ""})
	test.Tap(cs.account.refresh)
	h.waitTrace("refresh finished module=books ok=true")
	if ce.refreshed != 1 || !strings.Contains(cs.status.Text, "Refresh the link: done") || strings.Contains(cs.notes.Text, "Has errors") {
		t.Fatalf("refreshed %d, result %q, notes %q", ce.refreshed, cs.status.Text, cs.notes.Text)
	}
	ce.refresh = errors.New("the package said no")
	test.Tap(cs.account.refresh)
	h.waitTrace("refresh finished module=books ok=false")
	if !strings.Contains(cs.status.Text, "Refresh did not work: the package said no") {
		t.Fatalf("status %q", cs.status.Text)
	}
}

func TestNoRefreshButtonWithoutAnAction(t *testing.T) {
	h := newHarness(t, installed(readySettings()))
	cs := openConfigure(t, h)
	if cs.account.refresh != nil || len(cs.fetchers) != 0 {
		t.Fatal("a module without a refresh action or fetched settings shows none")
	}
}
