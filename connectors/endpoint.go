package connectors

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// EndpointValidator returns the check of a connector's address settings:
// an https address, or an http one only on this computer's loopback (a
// simulator). example is the package's own address, shown in the message
// for a value that is no address at all.
func EndpointValidator(example string) func(string) error {
	return func(v string) error {
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil || u.Host == "" {
			return errors.New("must be a web address such as " + example)
		}
		switch u.Scheme {
		case "https":
			return nil
		case "http":
			if IsLoopbackHost(u.Hostname()) {
				return nil
			}
			return errors.New("must start with https:// (plain http:// is only allowed for this computer, 127.0.0.1)")
		}
		return errors.New("must start with https://")
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
