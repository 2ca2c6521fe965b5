package kashflow

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ledgerlink/connectors"
)

// soapNamespace is the WSDL's target namespace: a bare string, not a URL.
const soapNamespace = "KashFlow"

// maxAnswerBytes bounds how much of an answer is read: KashFlow's lists
// come back whole, so the bound is generous.
const maxAnswerBytes = 256 << 20

// param is one element of a request after UserName and Password, in the
// WSDL's order.
type param struct {
	name  string
	value any
}

// StatusError is a Status NO answer: KashFlow's StatusDetail, word for word.
type StatusError struct {
	Operation string
	Detail    string
}

func (e *StatusError) Error() string { return e.Detail }

// FaultError is a SOAP fault (HTTP 500 from ASP.NET).
type FaultError struct {
	HTTPStatus int
	Code       string
	Text       string
}

func (e *FaultError) Error() string {
	return fmt.Sprintf("KashFlow answered a SOAP fault (%d %s): %s", e.HTTPStatus, e.Code, e.Text)
}

// client speaks KashFlow's SOAP 1.1 binding.
type client struct {
	endpoint string
	user     string
	password string
	hc       *http.Client
	// counted, when set, is told each operation called (for call counts).
	counted func(op string)
}

// call sends op with params and decodes its <op>Result into result (nil
// for operations that answer only a status).
func (c *client) call(ctx context.Context, op string, params []param, result any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	body, err := c.envelope(op, params)
	if err != nil {
		return fmt.Errorf("building the KashFlow %s request: %w", op, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the KashFlow address %q: %w", c.endpoint, err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+soapNamespace+"/"+op+`"`)
	if c.counted != nil {
		c.counted(op)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%w: KashFlow did not answer %s: %w", connectors.ErrTemporary, op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%w: the answer to %s was cut off: %w", connectors.ErrTemporary, op, err)
	}
	if err := httpStatusError(resp, raw, time.Now); err != nil {
		return fmt.Errorf("KashFlow %s: %w", op, err)
	}
	ans, err := parseAnswer(raw, op)
	if err != nil {
		if fe := (*FaultError)(nil); !errors.As(err, &fe) {
			err = own.Fail(err, "kashflow.answer.unreadable", "Operation", op)
		}
		return fmt.Errorf("%w: the answer to %s: %w", connectors.ErrTemporary, op, err)
	}
	if !strings.EqualFold(ans.Status, "OK") {
		return classifyStatus(op, ans.Detail)
	}
	if result != nil && ans.Result != nil {
		if err := xml.Unmarshal(ans.Result, result); err != nil {
			return own.Fail(err, "kashflow.answer.unreadable", "Operation", op)
		}
	}
	return nil
}

// envelope builds the SOAP 1.1 request.
func (c *client) envelope(op string, params []param) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` +
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
		`<soap:Body>`)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: op}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: soapNamespace}}}
	if err := enc.EncodeToken(start); err != nil {
		return nil, err
	}
	all := append([]param{{"UserName", c.user}, {"Password", c.password}}, params...)
	for _, p := range all {
		v := p.value
		switch x := v.(type) {
		case time.Time:
			v = formatDateTime(x)
		case bool:
			v = strconv.FormatBool(x)
		}
		if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: p.name}}); err != nil {
			return nil, err
		}
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	buf.WriteString(`</soap:Body></soap:Envelope>`)
	return buf.Bytes(), nil
}

// answer is what a SOAP answer says: the result element (whole, to decode
// into its type), Status and StatusDetail.
type answer struct {
	Result []byte
	Status string
	Detail string
}

// parseAnswer reads a SOAP envelope answering op. It never panics on bad
// input; an envelope without Status is an error.
func parseAnswer(raw []byte, op string) (answer, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	var ans answer
	depth := 0
	inResponse := false
	sawStatus := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return answer{}, fmt.Errorf("not a SOAP answer: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "Fault":
				var f struct {
					Code string `xml:"faultcode"`
					Text string `xml:"faultstring"`
				}
				if err := dec.DecodeElement(&f, &t); err != nil {
					return answer{}, fmt.Errorf("a SOAP fault that cannot be read: %w", err)
				}
				return answer{}, &FaultError{HTTPStatus: http.StatusOK, Code: f.Code, Text: f.Text}
			case !inResponse && t.Name.Local == op+"Response":
				inResponse = true
			case inResponse && t.Name.Local == op+"Result":
				var inner struct {
					Inner []byte `xml:",innerxml"`
				}
				if err := dec.DecodeElement(&inner, &t); err != nil {
					return answer{}, fmt.Errorf("the result cannot be read: %w", err)
				}
				depth--
				ans.Result = wrapResult(inner.Inner)
			case inResponse && (t.Name.Local == "Status" || t.Name.Local == "StatusDetail"):
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return answer{}, fmt.Errorf("the status cannot be read: %w", err)
				}
				depth--
				if t.Name.Local == "Status" {
					ans.Status, sawStatus = strings.TrimSpace(s), true
				} else {
					ans.Detail = strings.TrimSpace(s)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !inResponse {
		return answer{}, fmt.Errorf("no %sResponse in the answer", op) // words:log: detail under the words of an unreadable answer
	}
	if !sawStatus {
		return answer{}, fmt.Errorf("the answer to %s has no Status", op) // words:log: detail under the words of an unreadable answer

	}
	return ans, nil
}

// wrapResult makes the result's content a document of its own, declaring
// the xsi prefix the lines' xsi:type uses.
func wrapResult(inner []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	b.Write(inner)
	b.WriteString(`</r>`)
	return b.Bytes()
}

// httpStatusError turns a non-200 answer into the seam's errors: 429 into
// a RateLimitError, 5xx into ErrTemporary (a SOAP fault's words kept).
func httpStatusError(resp *http.Response, body []byte, now func() time.Time) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := parseRetryAfter(resp.Header.Get("Retry-After"), now())
		return &connectors.RateLimitError{RetryAfter: wait, Message: strings.TrimSpace(string(truncate(body, 200)))}
	}
	fault := &FaultError{HTTPStatus: resp.StatusCode, Text: strings.TrimSpace(string(truncate(body, 200)))}
	var env struct {
		Body struct {
			Fault struct {
				Code string `xml:"faultcode"`
				Text string `xml:"faultstring"`
			} `xml:"Fault"`
		} `xml:"Body"`
	}
	if xml.Unmarshal(body, &env) == nil && env.Body.Fault.Text != "" {
		fault.Code, fault.Text = env.Body.Fault.Code, env.Body.Fault.Text
	}
	if resp.StatusCode >= 500 && !strings.HasSuffix(fault.Code, "Client") {
		return fmt.Errorf("%w: %w", connectors.ErrTemporary, fault)
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		return fmt.Errorf("%w: %w", connectors.ErrTemporary, fault)
	}
	return fault
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// defaultRetryAfter is the wait assumed when a slow-down answer says none.
const defaultRetryAfter = 30 * time.Second

// parseRetryAfter reads Retry-After in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultRetryAfter
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 86400*2 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return defaultRetryAfter
}
