package workspace

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"ledgerlink/words"
)

// DefaultListenAddress is where the window receives the packages' change
// calls unless the person chooses another address: every network address
// of this computer, port 8765.
const DefaultListenAddress = "0.0.0.0:8765"

// listenFile holds the window's change-call setting of a data folder.
const listenFile = "listen.json"

// ListenSetting says whether the window receives the packages' change calls
// (webhooks, modification URLs), and on which address.
type ListenSetting struct {
	Enabled bool   `json:"enabled"`
	Address string `json:"address,omitempty"`
}

// Addr is the address to listen on: Address, or DefaultListenAddress when
// blank.
func (s ListenSetting) Addr() string {
	if s.Address == "" {
		return DefaultListenAddress
	}
	return s.Address
}

// Check says what is wrong with the address, if anything.
func (s ListenSetting) Check() error {
	host, port, err := net.SplitHostPort(s.Addr())
	if err != nil {
		return words.Errorf(err, "engine.listen.not_host_port", "Address", strconv.Quote(s.Addr()))
	}
	if host != "" && host != "localhost" && net.ParseIP(host) == nil {
		return words.Errorf(nil, "engine.listen.not_local", "Host", strconv.Quote(host))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return words.Errorf(nil, "engine.listen.bad_port", "Port", strconv.Quote(port))
	}
	return nil
}

// ListenSetting returns the data folder's change-call setting (off when
// never set or unreadable).
func (w *Workspace) ListenSetting() ListenSetting {
	var s ListenSetting
	b, err := os.ReadFile(filepath.Join(w.preferencesDir(), listenFile))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			w.Log.Warn("the change-call setting cannot be read", "err", err)
		}
		return s
	}
	if err := json.Unmarshal(b, &s); err != nil {
		w.Log.Warn("the change-call setting is unreadable", "err", err)
		return ListenSetting{}
	}
	return s
}

// SetListenSetting checks and saves the data folder's change-call setting.
func (w *Workspace) SetListenSetting(s ListenSetting) error {
	if err := s.Check(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.preferencesDir(), listenFile), b, 0o600)
}
