package connectors

import (
	"strings"
	"testing"
)

func TestEndpointValidator(t *testing.T) {
	check := EndpointValidator("https://api.example.com")
	tests := []struct {
		in, wantErr string
	}{
		{"https://api.example.com/v2", ""},
		{"  https://api.example.com  ", ""},
		{"http://127.0.0.1:8765", ""},
		{"http://localhost:8765/api", ""},
		{"http://[::1]:8765", ""},
		{"http://10.0.0.5:8765", "only allowed for this computer"},
		{"http://api.example.com", "only allowed for this computer"},
		{"ftp://api.example.com", "must start with https://"},
		{"api.example.com", "such as https://api.example.com"},
		{"", "such as https://api.example.com"},
		{"https://", "such as https://api.example.com"},
	}
	for _, tc := range tests {
		err := check(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q refused: %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.wantErr)
		}
	}
}
