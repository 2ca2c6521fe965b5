package quickbooks

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// throttleWait is how long Intuit asks callers to wait after a 429 that
// names no wait of its own.
const throttleWait = 60 * time.Second

// reconnect is the words of a refused sign-in the catalogue's entry
// "reconnect to quickbooks" matches.
const reconnect = "reconnect to QuickBooks" // words:verbatim: matched, not shown

// APIError is a Fault QuickBooks answered, its words kept as they are.
type APIError struct {
	Status int
	// Type is the Fault's type (ValidationFault, SystemFault,
	// AuthenticationFault, AuthorizationFault, SERVICE...).
	Type   string
	Errors []faultError
}

func (e *APIError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("QuickBooks answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return faultMessage(e.Errors[0])
}

// faultMessage joins an Error's Message and Detail the way the Error
// Feedback grid shows them: the Detail usually repeats the Message first.
func faultMessage(fe faultError) string {
	msg, detail := strings.TrimSpace(fe.Message), strings.TrimSpace(fe.Detail)
	switch {
	case detail == "":
		return msg
	case msg == "" || strings.HasPrefix(detail, msg):
		return detail
	}
	return msg + ": " + detail
}

// code is the first Error's code.
func (e *APIError) code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// authError wraps connectors.ErrAuth with key's words: what happened and
// that the person must reconnect.
func authError(key string, pairs ...any) error {
	return words.Errorf(connectors.ErrAuth, key, pairs...)
}

// refused is oauthkit's Refused: what it says happened stays as detail,
// and the person is asked to sign in again.
func refused(what string) error {
	return words.Errorf(fmt.Errorf("%w: %s", connectors.ErrAuth, what), "quickbooks.auth.reconnect")
}

// temporary wraps connectors.ErrTemporary and what went wrong underneath
// with key's words for the person.
func temporary(err error, key string, pairs ...any) error {
	return words.Errorf(fmt.Errorf("%w: %w", connectors.ErrTemporary, err), key, pairs...)
}

// parseFault reads the Fault of an answer body, in any of the forms
// QuickBooks sends: the API's JSON {"Fault":{"Error":[...],"type":...}},
// the gateway's lower-case {"fault":{"error":[...]}}, and XML
// <IntuitResponse><Fault>. ok is false when body holds no Fault.
func parseFault(body []byte) (f fault, ok bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return fault{}, false
	}
	if body[0] == '<' {
		return parseXMLFault(body)
	}
	var env struct {
		Fault   *fault `json:"Fault"`
		Gateway *struct {
			Error []struct {
				Message string `json:"message"`
				Detail  string `json:"detail"`
				Code    string `json:"code"`
				Element any    `json:"element"`
			} `json:"error"`
			Type string `json:"type"`
		} `json:"fault"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fault{}, false
	}
	switch {
	case env.Fault != nil && len(env.Fault.Error) > 0:
		return *env.Fault, true
	case env.Gateway != nil && len(env.Gateway.Error) > 0:
		out := fault{Type: env.Gateway.Type}
		for _, e := range env.Gateway.Error {
			el, _ := e.Element.(string)
			out.Error = append(out.Error, faultError{Message: e.Message, Detail: e.Detail, Code: e.Code, Element: el})
		}
		return out, true
	}
	return fault{}, false
}

func parseXMLFault(body []byte) (fault, bool) {
	var doc struct {
		Fault *struct {
			Type  string `xml:"type,attr"`
			Error []struct {
				Code    string `xml:"code,attr"`
				Element string `xml:"element,attr"`
				Message string `xml:"Message"`
				Detail  string `xml:"Detail"`
			} `xml:"Error"`
		} `xml:"Fault"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil || doc.Fault == nil || len(doc.Fault.Error) == 0 {
		return fault{}, false
	}
	out := fault{Type: doc.Fault.Type}
	for _, e := range doc.Fault.Error {
		out.Error = append(out.Error, faultError{Message: e.Message, Detail: e.Detail, Code: e.Code, Element: e.Element})
	}
	return out, true
}

// isThrottle reports whether a Fault is the throttle (3001 ThrottleExceeded).
func isThrottle(f fault) bool {
	for _, e := range f.Error {
		if e.Code == "3001" || strings.Contains(e.Message, "ThrottleExceeded") {
			return true
		}
	}
	return false
}

// answerError turns a non-2xx answer into the contract's errors.
func answerError(status int, hdr http.Header, body []byte, now time.Time) error {
	f, hasFault := parseFault(body)
	switch {
	case status == http.StatusTooManyRequests || (hasFault && isThrottle(f)):
		wait := throttleWait
		if s, err := strconv.Atoi(strings.TrimSpace(hdr.Get("Retry-After"))); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		msg := "QuickBooks asked LedgerLink to slow down" // words:verbatim: for the log only; the person reads Explain's words
		if hasFault {
			msg = faultMessage(f.Error[0])
		}
		return &connectors.RateLimitError{RetryAfter: wait, Message: msg}
	case status == http.StatusUnauthorized:
		if hasFault {
			return authError("quickbooks.auth.refused", "Detail", faultMessage(f.Error[0]))
		}
		return authError("quickbooks.auth.refused_plain")
	case status == http.StatusForbidden:
		return authError("quickbooks.auth.forbidden")
	case status >= 500:
		if hasFault {
			return fmt.Errorf("%w: %w", connectors.ErrTemporary, &APIError{Status: status, Type: f.Type, Errors: f.Error})
		}
		return temporary(fmt.Errorf("%d %s", status, http.StatusText(status)), "quickbooks.temporary.server", "Status", status)
	case hasFault:
		return &APIError{Status: status, Type: f.Type, Errors: f.Error}
	case status == http.StatusNotFound:
		return connectors.ErrNotFound
	}
	return &APIError{Status: status}
}

// itemError turns a Fault about one record into the package's verdict.
func itemError(f fault) *connectors.ItemError {
	if len(f.Error) == 0 {
		return own.ItemFail("", "", "quickbooks.item.refused_silently")
	}
	fe := f.Error[0]
	return &connectors.ItemError{Code: fe.Code, Message: faultMessage(fe), Field: fe.Element}
}

// localError is LedgerLink's own refusal of a record it could not send:
// its message is the connector's English words for key, and the words go
// with it for Error Feedback to say in the reader's language.
func localError(key string, pairs ...any) *connectors.ItemError {
	return own.ItemFail("LEDGERLINK", "", key, pairs...)
}

// refError is LedgerLink's refusal of a record naming a code QuickBooks
// does not have (yet): field says which.
func refError(field, key string, pairs ...any) *connectors.ItemError {
	e := localError(key, pairs...)
	e.Field = field
	return e
}
