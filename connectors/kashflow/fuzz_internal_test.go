package kashflow

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ledgerlink/connectors"
)

const okAnswer = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><GetInvoiceResponse xmlns="KashFlow"><GetInvoiceResult><InvoiceDBID>7</InvoiceDBID><InvoiceNumber>1001</InvoiceNumber><InvoiceDate>2026-11-02T00:00:00</InvoiceDate><CustomerReference>[INV-1001] Web order</CustomerReference><Lines><anyType xsi:type="InvoiceLine"><Quantity>2</Quantity><Rate>18.00</Rate><VatRate>0</VatRate></anyType></Lines><NetAmount>36</NetAmount></GetInvoiceResult><Status>OK</Status><StatusDetail /></GetInvoiceResponse></soap:Body></soap:Envelope>`

func TestParseAnswer(t *testing.T) {
	cases := []struct {
		name, body string
		status     string
		detail     string
		fault      bool
		bad        bool
	}{
		{"ok", okAnswer, "OK", "", false, false},
		{"no", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetInvoiceResponse xmlns="KashFlow"><Status>NO</Status><StatusDetail>Incorrect username or password</StatusDetail></GetInvoiceResponse></soap:Body></soap:Envelope>`, "NO", "Incorrect username or password", false, false},
		{"fault", `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault></soap:Body></soap:Envelope>`, "", "", true, true},
		{"other operation", strings.ReplaceAll(okAnswer, "GetInvoice", "GetQuote"), "", "", false, true},
		{"no status", strings.Replace(okAnswer, "<Status>OK</Status>", "", 1), "", "", false, true},
		{"html", `<html><body>Service Unavailable</body></html>`, "", "", false, true},
		{"cut off", okAnswer[:200], "", "", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ans, err := parseAnswer([]byte(c.body), "GetInvoice")
			var fe *FaultError
			switch {
			case c.bad && err == nil:
				t.Fatalf("parsed %q as %+v; want an error", c.name, ans)
			case !c.bad && err != nil:
				t.Fatalf("parse: %v", err)
			case c.fault != errors.As(err, &fe):
				t.Fatalf("fault %v, error %v", c.fault, err)
			}
			if !c.bad && (ans.Status != c.status || ans.Detail != c.detail) {
				t.Errorf("status %q %q; want %q %q", ans.Status, ans.Detail, c.status, c.detail)
			}
		})
	}
	ans, _ := parseAnswer([]byte(okAnswer), "GetInvoice")
	var w wInvoice
	if err := xmlUnmarshal(ans.Result, &w); err != nil || w.InvoiceNumber != 1001 || len(w.Lines.Lines) != 1 || !w.Lines.Lines[0].Rate.Equal(dec("18")) {
		t.Errorf("the invoice reads as %+v, %v", w, err)
	}
}

func FuzzParseAnswer(f *testing.F) {
	f.Add([]byte(okAnswer))
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetInvoiceResponse><Status>NO</Status><StatusDetail>x</StatusDetail></GetInvoiceResponse></soap:Body></soap:Envelope>`))
	f.Add([]byte(`<a><b>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ans, err := parseAnswer(body, "GetInvoice")
		if err != nil {
			return
		}
		if ans.Status == "" && !strings.Contains(string(body), "Status") {
			t.Errorf("an answer without Status was accepted")
		}
		var w wInvoice
		_ = xmlUnmarshal(ans.Result, &w)
	})
}

func FuzzStatus(f *testing.F) {
	for _, e := range []string{"Incorrect username or password", "The IP address of 1.2.3.4 is not in the access list", "API access is not enabled", "Invoice not found", "Too many requests", ""} {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, detail string) {
		err := classifyStatus("GetInvoice", detail)
		if err == nil {
			t.Fatal("a Status NO gave no error")
		}
		var se *StatusError
		var rl *connectors.RateLimitError
		if !errors.As(err, &se) && !errors.As(err, &rl) {
			t.Fatalf("classifyStatus(%q) = %T", detail, err)
		}
		if se != nil && se.Detail != detail {
			t.Errorf("the words changed: %q → %q", detail, se.Detail)
		}
		if why, ok := Explain(err); ok && (why.Cause == "" || why.Fix == "") {
			t.Errorf("Explain(%q) has a blank cause or fix", detail)
		}
	})
}

func TestParseDateTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-02T00:00:00":         "2026-11-02T00:00:00Z",
		"2026-11-02T13:45:10.1234567": "2026-11-02T13:45:10.1234567Z",
		"2026-11-02T13:45:10+01:00":   "2026-11-02T13:45:10+01:00",
		"2012-10-09 12:00:00 +05:30":  "2012-10-09T12:00:00+05:30",
		"2026-11-02":                  "2026-11-02T00:00:00Z",
		"0001-01-01T00:00:00":         "0001-01-01T00:00:00Z",
		"":                            "0001-01-01T00:00:00Z",
		" 2026-11-02T00:00:00 ":       "2026-11-02T00:00:00Z",
	} {
		got, err := parseDateTime(in)
		if err != nil || got.Format(time.RFC3339Nano) != want {
			t.Errorf("parseDateTime(%q) = %v, %v; want %s", in, got.Format(time.RFC3339Nano), err, want)
		}
	}
	for _, bad := range []string{"02/11/2026", "yesterday", "2026-13-01T00:00:00"} {
		if _, err := parseDateTime(bad); err == nil {
			t.Errorf("parseDateTime(%q) accepted", bad)
		}
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"2026-11-02T00:00:00", "2026-11-02", "0001-01-01T00:00:00", "2012-10-09 12:00:00 +05:30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDateTime(s)
		if err != nil || got.IsZero() {
			return
		}
		again, err := parseDateTime(formatDateTime(got))
		if err != nil || !again.Equal(time.Date(got.Year(), got.Month(), got.Day(), got.Hour(), got.Minute(), got.Second(), 0, time.UTC)) && got.Location() == time.UTC {
			t.Errorf("%q → %v → %q → %v, %v", s, got, formatDateTime(got), again, err)
		}
	})
}

func FuzzMarks(f *testing.F) {
	f.Add("INV-1001", "Web order 5521")
	f.Add("", "[not ours")
	f.Add("PAY-1", "")
	f.Fuzz(func(t *testing.T, code, text string) {
		if checkCode(code) != nil {
			return
		}
		gotCode, gotText := unmark(mark(code, text))
		if code != "" && (gotCode != code || gotText != text) {
			t.Errorf("mark(%q, %q) reads back as %q, %q", code, text, gotCode, gotText)
		}
	})
}

func FuzzJournalTags(f *testing.F) {
	f.Add("Gross salaries", "SHOP", "SALARY", "2026-10")
	f.Add("", "", "", "")
	f.Add("a [cc:x]", "B", "", "")
	f.Fuzz(func(t *testing.T, desc, cc, ct, period string) {
		for _, v := range []string{cc, ct, period} {
			if strings.ContainsAny(v, "[]") || strings.TrimSpace(v) != v {
				return
			}
		}
		if strings.TrimSpace(desc) != desc || strings.HasSuffix(desc, "]") {
			return
		}
		l := connectors.JournalLine{Description: desc, CostCentre: cc, CostType: ct, Period: period}
		got, tags := untagLine(tagLine(l))
		if got != desc || tags != [3]string{cc, ct, period} {
			t.Errorf("%+v reads back as %q %v", l, got, tags)
		}
	})
}
