package simkit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestInProcess(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Seen", r.Method)
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(b)
		case "/abort":
			panic(http.ErrAbortHandler)
		}
	})
	c := &http.Client{Transport: InProcess(h)}
	resp, err := c.Post("http://sim.test/echo", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || string(b) != "hello" || resp.Header.Get("X-Seen") != "POST" {
		t.Errorf("answer %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if _, err := c.Get("http://sim.test/abort"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("an aborted answer gave %v, want a cut-off connection", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://sim.test/echo", nil)
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled request gave %v", err)
	}
}

func TestSaveJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deep", "state.json")
	if err := SaveJSON(path, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := SaveJSON(path, map[string]int{"a": 2}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if err := json.Unmarshal(b, &got); err != nil || got["a"] != 2 {
		t.Errorf("saved %s (%v)", b, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}
	if err := SaveJSON("", 1); err != nil {
		t.Errorf("an empty path: %v", err)
	}
	if err := SaveJSON(path, func() {}); err == nil {
		t.Error("a value JSON cannot hold was saved")
	}
}

// rebasing stands for the engine's pacing transport.
type rebasing struct{ base http.RoundTripper }

func (r rebasing) RoundTrip(req *http.Request) (*http.Response, error) {
	req.Header.Set("X-Paced", "yes")
	return r.base.RoundTrip(req)
}
func (r rebasing) WithBase(base http.RoundTripper) http.RoundTripper { return rebasing{base} }

func TestClientKeepsThePacing(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.Header.Get("X-Paced"))) })
	for _, tc := range []struct {
		name  string
		given *http.Client
		want  string
	}{
		{"none given", nil, ""},
		{"plain", &http.Client{}, ""},
		{"paced", &http.Client{Transport: rebasing{http.DefaultTransport}, Timeout: 7 * time.Second}, "yes"},
	} {
		c := Client(tc.given, h)
		resp, err := c.Get("http://sim.test/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != tc.want {
			t.Errorf("%s: paced = %q, want %q", tc.name, b, tc.want)
		}
		if tc.given != nil && c.Timeout != tc.given.Timeout {
			t.Errorf("%s: timeout %v not kept", tc.name, c.Timeout)
		}
	}
}
