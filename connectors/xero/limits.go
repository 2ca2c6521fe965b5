package xero

import (
	"net/http"
	"strconv"
	"sync"
)

// Xero's published limits for one organisation: 60 calls a minute, 5 at
// once, 5,000 a day. The engine's pacer keeps to them (Definition.Limits);
// the connection itself neither paces nor retries, it reports each 429 as
// a *connectors.RateLimitError with Xero's Retry-After.

// Usage is what the last answer said about the allowance left, and how
// many calls this connection has made.
type Usage struct {
	// Calls counts the Accounting API calls sent (sign-in calls excluded).
	Calls int64
	// MinuteRemaining, DayRemaining and AppMinuteRemaining echo Xero's
	// X-MinLimit-Remaining, X-DayLimit-Remaining and
	// X-AppMinLimit-Remaining headers; -1 until an answer carried them.
	MinuteRemaining    int
	DayRemaining       int
	AppMinuteRemaining int
}

// usageMeter keeps a connection's Usage.
type usageMeter struct {
	mu    sync.Mutex
	usage Usage
}

func newUsageMeter() *usageMeter {
	return &usageMeter{usage: Usage{MinuteRemaining: -1, DayRemaining: -1, AppMinuteRemaining: -1}}
}

// sent counts one call.
func (m *usageMeter) sent() {
	m.mu.Lock()
	m.usage.Calls++
	m.mu.Unlock()
}

// observe records the allowance headers of an answer.
func (m *usageMeter) observe(h http.Header) {
	m.mu.Lock()
	defer m.mu.Unlock()
	readInt := func(name string, into *int) {
		if v, err := strconv.Atoi(h.Get(name)); err == nil {
			*into = v
		}
	}
	readInt("X-MinLimit-Remaining", &m.usage.MinuteRemaining)
	readInt("X-DayLimit-Remaining", &m.usage.DayRemaining)
	readInt("X-AppMinLimit-Remaining", &m.usage.AppMinuteRemaining)
}

func (m *usageMeter) snapshot() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.usage
}
