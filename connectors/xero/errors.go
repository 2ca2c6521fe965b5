package xero

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// APIError is Xero's answer to a whole request that it refused.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Type is Xero's exception type ("ValidationException",
	// "PostDataInvalidException") or the OAuth error code.
	Type string
	// Message is Xero's own top-level message.
	Message string
	// Elements holds, per element of the request in order, Xero's
	// validation messages word for word.
	Elements [][]string
}

func (e *APIError) Error() string {
	msgs := e.Messages()
	switch {
	case e.Message != "" && len(msgs) > 0:
		return e.Message + ": " + strings.Join(msgs, "; ")
	case e.Message != "":
		return e.Message
	case len(msgs) > 0:
		return strings.Join(msgs, "; ")
	}
	return fmt.Sprintf("Xero answered %d %s", e.Status, http.StatusText(e.Status)) // words:verbatim: the answer's status, for the log and the Message column
}

// Messages returns every validation message, in order, without repeats.
func (e *APIError) Messages() []string {
	var out []string
	seen := map[string]bool{}
	for _, el := range e.Elements {
		for _, m := range el {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// maxErrorText bounds how much of an unreadable body is kept in a message.
const maxErrorText = 300

// decodeAPIError reads any error body Xero may send: the Accounting API's
// exception object, the problem-details object of its gateway (401/403),
// the OAuth error object of the identity service, or plain text. It never
// fails; what it cannot read becomes the message.
func decodeAPIError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return e
	}
	if strings.HasPrefix(text, "{") {
		var b apiErrorBody
		if err := json.Unmarshal(body, &b); err == nil {
			e.Type = b.Type
			e.Message = strings.TrimSpace(b.Message)
			for _, el := range b.Elements {
				var msgs []string
				for _, v := range el.ValidationErrors {
					if m := strings.TrimSpace(v.Message); m != "" {
						msgs = append(msgs, m)
					}
				}
				e.Elements = append(e.Elements, msgs)
			}
			if len(b.Errors) > 0 {
				var msgs []string
				for _, v := range b.Errors {
					if m := strings.TrimSpace(v.Message); m != "" {
						msgs = append(msgs, m)
					}
				}
				e.Elements = append(e.Elements, msgs)
			}
			if e.Message == "" && b.Detail != "" {
				e.Message = strings.TrimSpace(b.Detail)
				if e.Type == "" {
					e.Type = b.Title
				}
			}
			if e.Message == "" && e.Type == "" {
				var o struct {
					Error       string `json:"error"`
					Description string `json:"error_description"`
				}
				if json.Unmarshal(body, &o) == nil && o.Error != "" {
					e.Type = o.Error
					e.Message = o.Description
				}
			}
			if e.Message != "" || e.Type != "" || len(e.Elements) > 0 {
				return e
			}
		}
	}
	e.Message = clip(text, maxErrorText)
	return e
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// authError wraps connectors.ErrAuth with what happened and what to do:
// key's entry says both, in the person's language.
func authError(key string, pairs ...any) error {
	return words.Errorf(connectors.ErrAuth, key, pairs...)
}

// refused is oauthkit's Refused: what it says happened stays as detail,
// and the person is asked to sign in again.
func refused(what string) error {
	return words.Errorf(fmt.Errorf("%w: %s", connectors.ErrAuth, what), "xero.auth.reconnect")
}

// temporary wraps connectors.ErrTemporary and what went wrong underneath
// with key's words for the person.
func temporary(err error, key string, pairs ...any) error {
	return words.Errorf(fmt.Errorf("%w: %w", connectors.ErrTemporary, err), key, pairs...)
}

// rateLimitProblem names the limit a 429 answer says was hit.
type rateLimitProblem string

const (
	problemDay        rateLimitProblem = "day"
	problemConcurrent rateLimitProblem = "concurrent"
	problemAppMinute  rateLimitProblem = "appminute"
)

// rateLimitFromResponse builds the error for a 429 answer.
func rateLimitFromResponse(h http.Header, now time.Time) *connectors.RateLimitError {
	wait := parseRetryAfter(h.Get("Retry-After"), now)
	problem := rateLimitProblem(strings.ToLower(strings.TrimSpace(h.Get("X-Rate-Limit-Problem"))))
	e := &connectors.RateLimitError{RetryAfter: wait}
	switch problem {
	case problemDay:
		e.Daily = true
		e.ResumeAt = now.Add(wait)
		e.Message = "Xero's daily allowance of calls for this organisation is used up" // words:verbatim: for the log only; the person reads Explain's words
	case problemConcurrent:
		e.Message = "too many calls to Xero were in progress at once" // words:verbatim: for the log only; the person reads Explain's words
	case problemAppMinute:
		e.Message = "LedgerLink's calls to Xero across all organisations reached the per-minute limit" // words:verbatim: for the log only; the person reads Explain's words
	default:
		e.Message = "Xero's per-minute limit of calls for this organisation was reached" // words:verbatim: for the log only; the person reads Explain's words
	}
	return e
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date;
// a missing or unreadable value means one minute, the width of Xero's
// shortest window.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return time.Minute
}
