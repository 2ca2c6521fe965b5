// Package sync is LedgerLink's engine: the sync matrix rules, change
// detection, pre-check, upload with exactly-once delivery, verification,
// payment import and allocation, ancillary refresh, pacing and retries, and
// the scheduler. It knows no window and no particular accounting package.
package sync

import (
	"time"

	"ledgerlink/connectors"
	"ledgerlink/words"
)

// Trigger says what started a run.
type Trigger string

const (
	TriggerManual    Trigger = "manual"
	TriggerScheduled Trigger = "scheduled"
	TriggerCatchUp   Trigger = "catch-up"
	TriggerStartup   Trigger = "startup"
	// TriggerChange is a run the package's change calls started.
	TriggerChange Trigger = "change"
)

// Count is how many records of one type moved one way in a run.
type Count struct {
	Direction connectors.Direction  `json:"direction"`
	Type      connectors.RecordType `json:"type"`
	Created   int                   `json:"created"`
	Updated   int                   `json:"updated"`
	Failed    int                   `json:"failed"`
}

// Report is what one run did.
type Report struct {
	Module   string    `json:"module"`
	Trigger  Trigger   `json:"trigger"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Counts   []Count   `json:"counts"`
	// Errors are plain-words problems of the run as a whole (one bad record
	// is a feedback row and a Failed count, not an entry here).
	Errors []string `json:"errors,omitempty"`
	// ErrorsSaid are Errors kept in every language (words.Said, encoded),
	// so the run history says them in the reader's language after a
	// switch. Written with fail; blank for a run stored before they were.
	ErrorsSaid []string `json:"-"`
	// ResumeAt is set when the package's daily limit paused the run.
	ResumeAt time.Time `json:"resume_at,omitzero"`
	// Cancelled is set when the run was stopped before it finished.
	Cancelled bool `json:"cancelled,omitempty"`
	// Notes say in plain words what the run did besides moving records
	// (a payment deleted in the package undone here, for example).
	Notes []string `json:"notes,omitempty"`
}

// fail adds a problem of the run as a whole: said in w's language for
// Errors, and in every language of w's catalogue for ErrorsSaid.
func (r *Report) fail(w *words.Words, say func(w *words.Words) string) {
	said := words.SayEvery(w.Catalogue(), say)
	r.Errors = append(r.Errors, said.In(w))
	r.ErrorsSaid = append(r.ErrorsSaid, said.Encode())
}

// ErrorIn is the i-th of Errors in w's language, where it was kept in
// every language, else as it was written.
func (r Report) ErrorIn(w *words.Words, i int) string {
	if i < len(r.ErrorsSaid) && len(r.ErrorsSaid) == len(r.Errors) {
		if s := words.ReadSaid(r.ErrorsSaid[i]).In(w); s != "" {
			return s
		}
	}
	if i < len(r.Errors) {
		return r.Errors[i]
	}
	return ""
}

// Add adds n created, updated or failed records of t moving in d.
func (r *Report) Add(d connectors.Direction, t connectors.RecordType, created, updated, failed int) {
	for i := range r.Counts {
		if r.Counts[i].Direction == d && r.Counts[i].Type == t {
			r.Counts[i].Created += created
			r.Counts[i].Updated += updated
			r.Counts[i].Failed += failed
			return
		}
	}
	r.Counts = append(r.Counts, Count{Direction: d, Type: t, Created: created, Updated: updated, Failed: failed})
}

// Moved is the number of records created or updated, either way.
func (r Report) Moved() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Created + c.Updated
	}
	return n
}

// FailedItems is the number of records that failed, either way.
func (r Report) FailedItems() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Failed
	}
	return n
}

// OK reports whether the run finished with nothing to fix.
func (r Report) OK() bool {
	return len(r.Errors) == 0 && r.FailedItems() == 0 && !r.Cancelled
}
