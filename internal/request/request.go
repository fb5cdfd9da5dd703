// Package request is the engine behind every permission the policy
// requires (申請・承認): taking assets out, disposal, e-mail of classified
// information, software installation and the rest. The kinds of request,
// their forms, and what each needs — refusal, approval along a route, a
// record — come from the active policy profile, never from code. The
// package holds the domain (requests, steps, decisions, reports), the
// validation of what staff type, and the service that asks the policy,
// resolves the route through the directory, and keeps the record.
package request

import (
	"time"

	"mamori"
	"mamori/internal/policy"
)

// Status is where a request stands.
type Status string

// Statuses. A request is open while pending or returned; granted once the
// policy or its approvers let it proceed; closed otherwise.
const (
	StatusPending   Status = "pending"   // waiting for the decision of its current step
	StatusReturned  Status = "returned"  // sent back to the applicant for changes
	StatusApproved  Status = "approved"  // every step approved; reports may still be due
	StatusRejected  Status = "rejected"  // an approver refused it
	StatusRecorded  Status = "recorded"  // the policy asks only for a record of the act
	StatusAllowed   Status = "allowed"   // the policy allows the act; kept as its record
	StatusCompleted Status = "completed" // granted, and every report the kind requires is in
	StatusWithdrawn Status = "withdrawn" // the applicant withdrew it before it was decided
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusPending, StatusReturned, StatusApproved, StatusRecorded, StatusAllowed, StatusCompleted, StatusRejected, StatusWithdrawn}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Granted reports whether the act may be (or has been) carried out.
func (s Status) Granted() bool {
	return s == StatusApproved || s == StatusRecorded || s == StatusAllowed || s == StatusCompleted
}

// StepStatus is where one approval step stands.
type StepStatus string

// Step statuses.
const (
	StepWaiting   StepStatus = "waiting"   // an earlier step is still undecided
	StepPending   StepStatus = "pending"   // its approver must decide now
	StepApproved  StepStatus = "approved"  // approved
	StepRejected  StepStatus = "rejected"  // rejected: the request is closed
	StepReturned  StepStatus = "returned"  // sent back: the applicant must change the request
	StepCancelled StepStatus = "cancelled" // never decided: the request was withdrawn, rejected or sent back earlier
)

// Outcome is what an approver decides.
type Outcome string

// Outcomes.
const (
	Approve  Outcome = "approve"
	Reject   Outcome = "reject"
	SendBack Outcome = "return" // send back for changes (差戻し)
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Approve || o == Reject || o == SendBack }

// Request is one application for a permission the policy requires.
type Request struct {
	ID          int64
	Kind        string      // the request kind id of the profile (take_out, disposal …)
	KindName    mamori.Text // the kind's name when submitted (kept if a later version drops the kind)
	Action      string      // the policy action the kind asks about
	ApplicantID int64
	UnitID      int64 // the applicant's unit when submitted
	OwnerUnitID int64 // the unit that owns the assets concerned (route scope owner_unit); 0 when none
	Values      Values
	Assets      []AssetRef // the assets of the kind's asset_list fields, as they were when submitted
	Status      Status
	Round       int // 1 at submission, +1 at each resubmission after a send-back
	Step        int // the pending step of the current round (1-based); 0 when none is pending
	Decision    Decision
	DueAt       *time.Time // when what was taken out must be back (end of the due day in Japan)
	ExecutedAt  *time.Time // when the act was carried out (execution report)
	ReturnedAt  *time.Time // when what was taken out came back (return report)
	KeepUntil   *time.Time // the policy requires the record until then (nil: no period)
	// RetentionClause cites the clause that requires the record; set with
	// a nil KeepUntil it means the policy requires a record but names no
	// period, and the request is kept indefinitely.
	RetentionClause string
	SubmittedAt     time.Time
	DecidedAt       *time.Time // when the last decision closed or granted it
	RemindedAt      *time.Time // the last reminder sent for the pending step
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Read with the request for showing it.
	ApplicantName string
	UnitName      string
	Steps         []Step       // every round's steps, in order
	Reports       []Report     // in the order they were filed
	Attachments   []Attachment // files sent with the form (its file fields)

	// Files are the files sent with a submission, before they are stored;
	// the store keeps them with the request and puts their ids in Values.
	Files []Upload
}

// Decision is what the policy said when the request was (re)submitted,
// kept with the request: the version it was decided under and why.
type Decision struct {
	Effect          policy.Effect
	Rules           []string
	Clauses         []string
	Reason          mamori.Text
	RecordType      string
	PolicyVersionID int64  // the tenant's stored policy version
	PolicyVersion   string // the profile's own version string
	Facts           map[string]any
	Default         bool // no rule matched: the action's default applied
}

// AssetRef is an asset a request concerns, as it was when submitted, so
// that the record stays readable after the asset is renamed or disposed of.
type AssetRef struct {
	ID          int64
	Name        string
	OwnerUnitID int64
	Levels      map[string]string // classification axis → level
	// Disposed is read when the request is submitted (not stored): a
	// disposed asset can no longer be the subject of a request.
	Disposed bool
}

// Step is one approval step of one round.
type Step struct {
	ID     int64
	Round  int
	Index  int    // 1-based within the round
	Role   string // the role that decides
	Scope  string // policy.Route… : where its holder is looked up
	UnitID int64  // the unit the role is resolved for (0: organization-wide)
	// EscalatedFrom is the role the policy named when only the applicant
	// holds it: separation of duties (藤枝市 第2章4(3), 下條村 第2章3(7))
	// then sends the step to the role that role reports to.
	EscalatedFrom string
	Status        StepStatus
	DecidedBy     int64
	ActingRole    string // the role the decider acted in (a substitute's own role)
	ForPersonID   int64  // the absent holder the decider stood in for
	DecidedAt     *time.Time
	Comment       string

	DecidedByName string
	ForPersonName string
}

// Report is a record filed after a request is granted: the execution
// (date and time, person, what was done — 藤枝市 第2章5(2)⑪ウ, 6(1)③イ),
// the return of what was taken out, or the start and end of a piece of
// work (下條村 第2章10(2)3).
type Report struct {
	ID          int64
	RequestID   int64
	Kind        policy.ReportKind
	At          time.Time // performed, returned, started or ended at
	PerformerID int64
	Content     string
	Values      Values // the record type's further fields
	Attachments []Attachment
	CreatedAt   time.Time
	CreatedBy   int64

	PerformerName string
	CreatedByName string
}

// Attachment names a file kept with a report (a disposal certificate).
type Attachment struct {
	ID          int64
	Field       string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
}

// Upload is a file sent with a report, before it is stored.
type Upload struct {
	Field       string
	Filename    string
	ContentType string
	Data        []byte
}

// CurrentSteps returns the steps of the request's current round.
func (r *Request) CurrentSteps() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Round == r.Round {
			out = append(out, s)
		}
	}
	return out
}

// PendingStep returns the step waiting for a decision, if any.
func (r *Request) PendingStep() (Step, bool) {
	if r.Status != StatusPending {
		return Step{}, false
	}
	for _, s := range r.Steps {
		if s.Round == r.Round && s.Index == r.Step {
			return s, true
		}
	}
	return Step{}, false
}

// HasReport reports whether a report of kind k has been filed.
func (r *Request) HasReport(k policy.ReportKind) bool {
	for _, rep := range r.Reports {
		if rep.Kind == k {
			return true
		}
	}
	return false
}

// Overdue reports whether what was taken out should have been back by now.
func (r *Request) Overdue(now time.Time) bool {
	return r.Status.Granted() && r.DueAt != nil && r.ReturnedAt == nil && now.After(*r.DueAt)
}
