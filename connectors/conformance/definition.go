package conformance

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
)

// testDefinition checks what the connector registers.
func (s *suite) testDefinition(t *testing.T) {
	d := *s.h.Definition
	if err := connectors.NewRegistry().Register(d); err != nil {
		t.Fatalf("the registry refuses the definition: %v", err)
	}
	if strings.TrimSpace(d.Title) == "" || strings.TrimSpace(d.Description) == "" {
		t.Errorf("%s has no title or description to show people", d.Name)
	}
	for _, f := range d.Settings {
		if strings.TrimSpace(f.Label) == "" {
			t.Errorf("setting %q has no label", f.Key)
		}
		if f.Secret != (f.Kind == connectors.KindSecret) {
			t.Errorf("setting %q: a secret must be of kind secret and a field of kind secret must be secret", f.Key)
		}
		if f.Kind == connectors.KindChoice && len(f.Choices) == 0 {
			t.Errorf("setting %q offers no choices", f.Key)
		}
		if f.Default != "" && !f.Secret {
			if err := f.Check(f.Default); err != nil {
				t.Errorf("setting %q: its own default is refused: %v", f.Key, err)
			}
		}
		if f.Secret && f.Default != "" {
			t.Errorf("secret %q has a default; secrets come from the person or the sign-in only", f.Key)
		}
	}
	if !reflect.DeepEqual(d.Caps, s.h.Caps) {
		t.Errorf("the definition's capabilities differ from the ones tested:\n registered %+v\n tested     %+v", d.Caps, s.h.Caps)
	}
	if l := d.Limits; l.PerMinute < 0 || l.Concurrent < 0 || l.PerDay < 0 || l.Burst < 0 {
		t.Errorf("negative limits: %+v", l)
	}
	if d.Sandbox != nil && d.Login == nil {
		t.Errorf("%s has a Sandbox but no Login to reach its simulator", d.Name)
	}

	// What the connection implements must match what the capabilities say.
	e := s.open(t)
	if c, ok := e.conn.(connectors.Closer); ok {
		t.Cleanup(func() { _ = c.Close() })
	}
	if d.Caps.Deletions && e.l == nil {
		t.Errorf("%s claims deletions, which are reported by listing, but its connection is no Lister", d.Name)
	}
	if !s.anyClaimed(connectors.Upload) && e.w != nil {
		t.Errorf("%s claims no uploads but its connection is a Writer", d.Name)
	}

	// A Login or Disconnect without a prompt, a keyring or any settings
	// must say so, never panic.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	bare := connectors.Config{Module: d.Name, Settings: map[string]string{}}
	call := func(what string, f func() error) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s with no prompt, keyring or settings panicked: %v", what, r)
			}
		}()
		if err := f(); err == nil {
			t.Errorf("%s with no prompt, keyring or settings reported success", what)
		}
	}
	if d.Login != nil {
		call("Login", func() error { _, err := d.Login(ctx, bare, nil); return err })
	}
	if d.Disconnect != nil {
		call("Disconnect", func() error { return d.Disconnect(ctx, bare) })
	}
}
