package connectors

import (
	"net"
	"net/url"
	"strings"

	"ledgerlink/words"
)

// EndpointValidator returns the check of a connector's address settings:
// an https address, or an http one only on this computer's loopback (a
// simulator). example is the package's own address, shown in the message
// for a value that is no address at all.
func EndpointValidator(example string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil || u.Host == "" {
			return Said(English(), words.Errorf(nil, "engine.endpoint.not_address", "Example", example))
		}
		switch u.Scheme {
		case "https":
			return nil
		case "http":
			if IsLoopbackHost(u.Hostname()) {
				return nil
			}
			return Said(English(), words.Errorf(nil, "engine.endpoint.http_not_local"))
		}
		return Said(English(), words.Errorf(nil, "engine.endpoint.not_https"))
	}
}

// IsLoopbackHost reports whether host names this computer.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
