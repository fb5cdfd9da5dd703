// Package incident holds incident handling as the policies prescribe it:
// reports from staff (下條村 第2章7(6), 藤枝市 第2章4(2)②, 天草 第37条) and
// from residents through the public form (藤枝市 第2章4(2)⑤), the reporting
// chain of the active profile with acknowledgements, CSIRT triage (下條村
// 第2章7(6)ウ), containment, evidence, investigation (下條村 第2章9(3)1,
// 藤枝市 第2章4(2)③ア), recovery, notice to users, reports to outside
// bodies with their deadlines, recurrence prevention and the closing
// review — on an append-only timeline. It also holds the emergency
// response plan (下條村 第2章9(2)), deviations (第2章9(4)) and violations
// (第2章9(6), 天草 第39条).
//
// The package knows no SQL and no HTTP: it validates, decides what a step
// means and who must be told, and writes through the narrow Store
// interface that internal/store implements.
package incident

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mamori"
)

// Source says how a report came in.
type Source string

const (
	SourceStaff  Source = "staff"  // a member of staff, signed in
	SourcePublic Source = "public" // a resident or anyone else, through the public form
)

// Category is what the reporter thinks happened.
type Category string

const (
	CategoryIncident  Category = "incident"  // 情報セキュリティに関する事故
	CategoryDefect    Category = "defect"    // 情報システム上の欠陥、誤動作
	CategorySuspected Category = "suspected" // 侵害の疑い
	CategoryViolation Category = "violation" // ポリシー違反の発見 (下條村 第2章9(1)3)
	CategoryOther     Category = "other"
)

// Categories lists the categories in display order.
var Categories = []Category{CategoryIncident, CategoryDefect, CategorySuspected, CategoryViolation, CategoryOther}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Status is where an incident stands.
type Status string

const (
	StatusReported   Status = "reported"   // received, not yet triaged
	StatusTriaged    Status = "triaged"    // judged a breach or not
	StatusResponding Status = "responding" // handling under way
	StatusClosed     Status = "closed"     // closing review done
)

// Statuses lists the statuses in order.
var Statuses = []Status{StatusReported, StatusTriaged, StatusResponding, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Triage is the CSIRT's judgement whether the case is a security breach
// (下條村 第2章7(6)ウ "情報セキュリティ上の侵害であるか評価").
type Triage string

const (
	TriagePending   Triage = ""
	TriageBreach    Triage = "breach"
	TriageNotBreach Triage = "not_breach"
)

// Valid reports whether t is a judgement (not pending).
func (t Triage) Valid() bool { return t == TriageBreach || t == TriageNotBreach }

// Severity is how serious the case is judged to be.
type Severity string

const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists the severities from the least serious.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool {
	for _, x := range Severities {
		if x == s {
			return true
		}
	}
	return false
}

// Incident is one reported case.
type Incident struct {
	ID              int64
	ReceiptNo       string
	Source          Source
	Category        Category
	Title           string
	Description     string
	ReporterID      int64 // staff reporter; 0 for the public form
	ReporterUnitID  int64
	ReporterName    string // public form (optional)
	ReporterContact string // public form (optional)
	FormNonce       string // public form token, refused a second time
	UnitID          int64  // the unit concerned; scopes the chain's per-unit roles
	OccurredAt      *time.Time
	DiscoveredAt    time.Time
	ReportedAt      time.Time
	Status          Status
	Triage          Triage
	Severity        Severity
	PersonalInfo    bool // personal information leaked or may have leaked
	Malicious       bool // caused with a wrongful purpose (unauthorized access …): 規則第43条第3号
	TriagedAt       *time.Time
	TriagedBy       int64
	// The investigation as last recorded (下條村 第2章9(3)1 1)–3),
	// 藤枝市 第2章4(2)③ア): what happened, the cause, the damage, the scope.
	What   string
	Cause  string
	Damage string
	Scope  string
	// ChainStep is the last step of the reporting chain opened (1-based).
	ChainStep       int
	PolicyVersionID int64
	ClosedAt        *time.Time
	ClosedBy        int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Open reports whether the incident is not closed.
func (inc *Incident) Open() bool { return inc.Status != StatusClosed }

// Since is the time the incident's deadlines are counted from and before
// which no deadline may fall: when it happened if known, else when it was
// discovered.
func (inc *Incident) Since() time.Time {
	if inc.OccurredAt != nil {
		return *inc.OccurredAt
	}
	return inc.DiscoveredAt
}

// Limits on what a report may hold.
const (
	MaxTitle       = 200
	MaxDescription = 20000
	MaxText        = 20000 // any handling text
	MaxName        = 100
	MaxContact     = 200
)

// cleanText trims s and checks it: valid UTF-8, no control characters
// other than line breaks and tabs, at most max characters. Text is stored
// as written; it is made inert where it is shown (html/template, plain
// text mail, string cells in xlsx), never "sanitized" here.
func cleanText(field, s string, max int, required bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", mamori.FieldError(field, "incident.text_invalid", nil)
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", mamori.FieldError(field, "incident.text_invalid", nil)
		}
	}
	if required && s == "" {
		return "", mamori.FieldError(field, "incident.required", nil)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", mamori.FieldError(field, "incident.too_long", map[string]any{"Max": max, "Len": n})
	}
	return s, nil
}

// Validate checks the fields a reporter gives, against now.
func (inc *Incident) Validate(now time.Time) error {
	var err error
	if inc.Title, err = cleanText("title", inc.Title, MaxTitle, true); err != nil {
		return err
	}
	if inc.Description, err = cleanText("description", inc.Description, MaxDescription, true); err != nil {
		return err
	}
	if inc.ReporterName, err = cleanText("name", inc.ReporterName, MaxName, false); err != nil {
		return err
	}
	if inc.ReporterContact, err = cleanText("contact", inc.ReporterContact, MaxContact, false); err != nil {
		return err
	}
	if strings.Contains(inc.ReporterContact, "\n") || strings.Contains(inc.ReporterName, "\n") {
		return mamori.FieldError("contact", "incident.text_invalid", nil)
	}
	if !inc.Category.Valid() {
		return mamori.FieldError("category", "incident.category_invalid", nil)
	}
	if inc.Source != SourceStaff && inc.Source != SourcePublic {
		return mamori.FieldError("source", "incident.source_invalid", nil)
	}
	// A little slack for clocks that differ between a PC and the server.
	future := now.Add(10 * time.Minute)
	if inc.DiscoveredAt.IsZero() {
		inc.DiscoveredAt = now
	}
	if inc.DiscoveredAt.After(future) {
		return mamori.FieldError("discovered_at", "incident.time_in_future", nil)
	}
	if inc.OccurredAt != nil {
		if inc.OccurredAt.After(future) {
			return mamori.FieldError("occurred_at", "incident.time_in_future", nil)
		}
		if inc.OccurredAt.After(inc.DiscoveredAt) {
			return mamori.FieldError("occurred_at", "incident.occurred_after_discovered", nil)
		}
	}
	return nil
}

// EntryKind is what a timeline entry records.
type EntryKind string

const (
	EntryReport        EntryKind = "report"         // the report itself
	EntryNotice        EntryKind = "notice"         // a step of the reporting chain was told
	EntryUnresolved    EntryKind = "unresolved"     // a role of the chain has nobody to tell
	EntryAck           EntryKind = "ack"            // a recipient acknowledged
	EntryTriage        EntryKind = "triage"         // breach or not, severity
	EntryUnit          EntryKind = "unit"           // the unit concerned was set
	EntryContainment   EntryKind = "containment"    // isolating a terminal, cutting a network, stopping a system
	EntryEvidence      EntryKind = "evidence"       // evidence preserved (a file, or a description of where)
	EntryInvestigation EntryKind = "investigation"  // what, cause, damage, scope
	EntryRecovery      EntryKind = "recovery"       // restoring service
	EntryUserNotice    EntryKind = "user_notice"    // notice to affected users
	EntryExternal      EntryKind = "external"       // a report to an outside body: added, submitted, not required
	EntryPrevention    EntryKind = "prevention"     // a recurrence prevention measure
	EntryStep          EntryKind = "step"           // a mandatory step of the policy marked done or not applicable
	EntryEscalate      EntryKind = "escalate"       // the next step of the chain was told early
	EntryComment       EntryKind = "comment"        // anything else worth keeping
	EntryCorrection    EntryKind = "correction"     // corrects an earlier entry (which stays as written)
	EntryClose         EntryKind = "close"          // the closing review
	EntryBreachNotice  EntryKind = "breach_notice"  // those told are told it is a breach
	EntryPersonalInfo  EntryKind = "personal_info"  // personal information involvement changed
	EntryDeadlineAlert EntryKind = "deadline_alert" // a reminder of a report deadline went out
)

// HandlingKinds are the entries a handler writes with free text, in the
// order of the handling.
var HandlingKinds = []EntryKind{EntryContainment, EntryEvidence, EntryInvestigation, EntryRecovery, EntryUserNotice, EntryPrevention, EntryComment, EntryCorrection}

// Handling reports whether k is written by a handler with free text.
func (k EntryKind) Handling() bool {
	for _, x := range HandlingKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Containment is an action taken to stop the damage from spreading
// (下條村 第2章9(3)ア②: 端末等の隔離、ネットワークの切断、情報システムの停止;
// 天草 第38条(1)).
type Containment string

const (
	ContainIsolate Containment = "isolate_terminal"
	ContainCut     Containment = "cut_network"
	ContainStop    Containment = "stop_system"
	ContainOther   Containment = "other"
)

// Containments lists the containment actions.
var Containments = []Containment{ContainIsolate, ContainCut, ContainStop, ContainOther}

// Valid reports whether c is a known action.
func (c Containment) Valid() bool {
	for _, x := range Containments {
		if x == c {
			return true
		}
	}
	return false
}

// Entry is one line of the timeline. Entries are never changed or
// removed: a correction is a new entry naming the one it corrects.
type Entry struct {
	ID           int64
	IncidentID   int64
	At           time.Time
	Kind         EntryKind
	Step         string            // the policy's close step it completes, or the containment action
	Body         string            // what the person wrote
	Data         map[string]string // structured details (investigation fields, due dates, names)
	ActorID      int64
	ActorLabel   string
	Corrects     int64
	AttachmentID int64
}

// Notice is one person told at one step of the reporting chain.
type Notice struct {
	ID             int64
	IncidentID     int64
	Step           int // 1-based step of the chain; 0 for the intake of a public report
	Role           string
	AsRole         string // the role the person holds (a substitute's own role)
	UnitID         int64
	PersonID       int64
	ForPersonID    int64 // the absent holder a substitute stands in for
	Clause         string
	NotifiedAt     time.Time
	AcknowledgedAt *time.Time

	PersonName string // read with the notice
}

// Acknowledged reports whether the recipient acknowledged.
func (n Notice) Acknowledged() bool { return n.AcknowledgedAt != nil }
