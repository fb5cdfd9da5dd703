package request

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"mamori/internal/directory"
	"mamori/internal/i18n"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// Store is what the request service reads and writes; internal/store
// implements it. Each method is one transaction.
type Store interface {
	// CreateRequest stores a new request with its assets and steps, and
	// sets its id. tell, given the stored request, returns the deliveries
	// (to the first approvers), which are written in the same transaction:
	// a notice and what it reports commit together.
	CreateRequest(ctx context.Context, r *Request, tell func(*Request) []notify.Delivery) error
	// Request loads a request with its steps and reports.
	Request(ctx context.Context, id int64) (*Request, error)
	// Requests lists requests, newest first (Filter.Oldest: oldest first),
	// each with only its pending step (if any) in Steps and without reports.
	Requests(ctx context.Context, f Filter) ([]Request, error)
	// PendingSteps lists, once each, where the pending steps of the
	// organization's open requests wait.
	PendingSteps(ctx context.Context) ([]StepKey, error)
	// DecideStep applies an approver's decision to the pending step named
	// by d, only if that step is still the pending one: a request is never
	// decided twice (an ECONFLICT error when it was).
	DecideStep(ctx context.Context, d *StepDecision, ds []notify.Delivery) error
	// ResubmitRequest replaces a sent-back request's values, decision and
	// steps with those of a new round, only if it is still sent back.
	ResubmitRequest(ctx context.Context, r *Request, ds []notify.Delivery) error
	// WithdrawRequest closes an open request of the given round.
	WithdrawRequest(ctx context.Context, id int64, round int) error
	// AddReport files a report and its files, and keeps the request and
	// everything on it until keepUntil (when later than now set).
	AddReport(ctx context.Context, rep *Report, files []Upload, next Status, ret Retention) error
	// MarkReminded claims the reminder of the pending step (round, step)
	// if none was sent since cutoff, and writes the reminders ds with the
	// claim: true for exactly one caller.
	MarkReminded(ctx context.Context, id int64, round, step int, cutoff time.Time, ds []notify.Delivery) (bool, error)
	// RecordRefusal records that a submission was refused by the policy;
	// nothing else is stored.
	RecordRefusal(ctx context.Context, r *Request) error
	// DeleteRequest deletes a request and everything on it, refusing while
	// the policy requires it to be kept.
	DeleteRequest(ctx context.Context, id int64) error
	// RequestAssets loads the assets with the given ids in the caller's
	// organization; an id of another organization is simply not found.
	RequestAssets(ctx context.Context, ids []int64) ([]AssetRef, error)
	// UnitPath returns a unit and its ancestors, the unit first.
	UnitPath(ctx context.Context, id int64) ([]directory.Unit, error)
	// Person loads one person.
	Person(ctx context.Context, id int64) (*directory.Person, error)
	// Now is the store's clock, which the engine shares so that what it
	// decides (a due date, a keep-until) and what the store stamps agree.
	Now() time.Time
}

// Filter selects requests to list.
type Filter struct {
	ApplicantID int64
	DecidedBy   int64 // requests with a step this person decided
	Kind        string
	Statuses    []Status
	OverdueAt   time.Time // when set: granted requests whose return was due before then and is not in
	// ReminderDue, when set, selects pending requests whose step has
	// waited (since it opened or was last reminded) since before then.
	ReminderDue time.Time
	// Steps, when set, keeps the pending requests whose pending step waits
	// for one of these (an approver's queue).
	Steps []StepKey
	// Oldest lists oldest first instead of newest first.
	Oldest bool
	Limit  int
}

// StepKey is where a pending step waits: the role that decides it and the
// unit that role is resolved for (0: organization-wide).
type StepKey struct {
	Role   string
	UnitID int64
}

// StepDecision is an approver's decision on the pending step, with what
// follows from it.
type StepDecision struct {
	RequestID   int64
	Round       int
	Step        int
	Outcome     Outcome
	By          int64
	ActingRole  string
	ForPersonID int64
	Comment     string
	// Next is the request's status after the decision, and NextStep the
	// step that becomes pending (0: none).
	Next     Status
	NextStep int
	At       time.Time
	Ret      Retention
}

// Retention is how long a request and its records must be kept.
type Retention struct {
	KeepUntil *time.Time
	Clause    string
}

// Directory answers who acts in a role; *directory.Service implements it.
type Directory interface {
	Resolve(ctx context.Context, pol *policy.Policy, matter policy.Matter, role string, unitID int64, at time.Time) ([]directory.Acting, error)
	CanAct(ctx context.Context, pol *policy.Policy, matter policy.Matter, personID int64, role string, unitID int64, at time.Time) (directory.Acting, bool, error)
	Approvers(ctx context.Context, pol *policy.Policy, role string, unitID int64, at time.Time, applicantID int64) ([]directory.Acting, error)
}

// Notice is a message to one person about a request, by catalog id
// (subject; the body is id+"_body"), rendered in Japanese and English for
// the inbox and the mail.
type Notice struct {
	To        int64
	Message   string // "request.notice.decide", …
	Args      map[string]any
	RequestID int64
}

// Actor is the person acting, as the web layer knows them.
type Actor struct {
	PersonID int64
	Name     string
	UnitID   int64
	// ManageAssets (asset.manage) lets the person name any asset of the
	// organization; others name assets of their own line of units.
	ManageAssets bool
	// ReadAll (request.read_all) lets the person read every request.
	ReadAll bool
}

// Policy is the policy a call acts under: the compiled profile and the id
// of the tenant's stored version of it.
type Policy struct {
	*policy.Policy
	VersionID int64
}

// Service is the request engine.
type Service struct {
	st  Store
	dir Directory
	cat *i18n.Catalog
	log *slog.Logger
}

// NewService returns the engine over st, resolving routes through dir.
func NewService(st Store, dir Directory, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, dir: dir, cat: i18n.Default(), log: log}
}

func (s *Service) clock() time.Time { return s.st.Now().UTC() }

// deliveries renders notices in both languages for the inbox and mail.
func (s *Service) deliveries(ns []Notice) []notify.Delivery {
	var out []notify.Delivery
	for _, n := range ns {
		msg := notify.Message{
			Kind:    "request." + strings.TrimPrefix(n.Message, "request.notice."),
			Subject: s.cat.Both(n.Message, n.Args),
			Body:    s.cat.Both(n.Message+"_body", n.Args),
			Link:    fmt.Sprintf("/requests/%d", n.RequestID),
		}
		out = append(out, notify.To(msg, notify.Recipient{PersonID: n.To})...)
	}
	return out
}
