// Package simkit is the plumbing every connector's simulator shares: serving
// the simulator in this process without a network, and keeping its state in
// a file. What a simulator answers is its own reading of its package's
// documents; only the plumbing is shared.
package simkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
)

// InProcess is an http.RoundTripper that serves every request with h in
// this process, as the Sandbox does. A handler that aborts the answer
// (http.ErrAbortHandler) shows as a connection cut off mid-answer.
func InProcess(h http.Handler) http.RoundTripper { return inProcess{h} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				resp, err = nil, io.ErrUnexpectedEOF
				return
			}
			panic(r)
		}
	}()
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// SaveJSON writes v as JSON to path atomically (a file beside it, then a
// rename), readable by this user only; an empty path saves nothing.
func SaveJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// rebaser is a pacing transport (the engine's) that can send its paced
// requests through another base transport.
type rebaser interface {
	WithBase(base http.RoundTripper) http.RoundTripper
}

// Client reaches the simulator h in this process. When given, the client
// LedgerLink handed the connector, paces its requests, the same pacing
// stands in front of the simulator, so the Sandbox is paced as a real
// organisation is; its timeout is kept too.
func Client(given *http.Client, h http.Handler) *http.Client {
	hc := &http.Client{Transport: InProcess(h)}
	if given == nil {
		return hc
	}
	if rb, ok := given.Transport.(rebaser); ok {
		hc.Transport = rb.WithBase(hc.Transport)
	}
	hc.Timeout = given.Timeout
	return hc
}
