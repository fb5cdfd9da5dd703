package request

import (
	"context"
	"strings"
	"unicode/utf8"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// DecisionInput is what an approver sends: the outcome, the reason (needed
// to reject or send back), and the step they saw, so that a decision made
// on a page that has since moved on is refused rather than applied to the
// next step.
type DecisionInput struct {
	Outcome Outcome
	Comment string
	Round   int // 0: the current round
	Step    int // 0: the current step
}

// maxComment bounds a decision's reason.
const maxComment = 2000

// Decide applies an approver's decision to a request's pending step:
// approve (the next step opens, or the request is granted), reject (a
// reason is required; the request is closed), or send back for changes (a
// reason is required; the applicant edits and resubmits).
//
// Nobody decides on their own request, in their own right or as anyone's
// substitute (藤枝市 第2章4(3), 下條村 第2章3(7): directory.CheckSeparation);
// only a person who acts in the step's role for its unit now may decide;
// and a request is decided once: the store applies the decision only while
// the step is still pending, so of two approvers pressing at the same
// moment, on two servers, one wins and the other gets a conflict.
func (s *Service) Decide(ctx context.Context, pol Policy, actor Actor, id int64, in DecisionInput) (*Request, error) {
	if pol.Policy == nil {
		return nil, mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)
	}
	if !in.Outcome.Valid() {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "request.outcome_invalid", Field: "outcome", Args: map[string]any{"Value": clip(string(in.Outcome))}}
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if in.Outcome != Approve && in.Comment == "" {
		return nil, mamori.FieldError("comment", "request.reason_required", nil)
	}
	if utf8.RuneCountInString(in.Comment) > maxComment || !utf8.ValidString(in.Comment) {
		return nil, mamori.FieldError("comment", "request.comment_too_long", map[string]any{"Max": maxComment})
	}
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	// Separation of duties comes first, so that an applicant is told why,
	// not merely that they are not the approver.
	if err := directory.CheckSeparation(pol.Policy, r.ApplicantID, directory.Acting{PersonID: actor.PersonID}); err != nil {
		return nil, err
	}
	step, ok := r.PendingStep()
	if !ok {
		return nil, notOpen(r, "request.not_pending")
	}
	if (in.Round != 0 && in.Round != r.Round) || (in.Step != 0 && in.Step != step.Index) {
		return nil, &mamori.Error{Code: mamori.ECONFLICT, Message: "request.already_decided", Args: map[string]any{"ID": r.ID}}
	}
	now := s.clock()
	acting, ok, err := s.dir.CanAct(ctx, pol.Policy, policy.MatterApproval, actor.PersonID, step.Role, step.UnitID, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_approver", Args: roleArgs(pol.Policy, step.Role)}
	}
	if err := directory.CheckSeparation(pol.Policy, r.ApplicantID, acting); err != nil {
		return nil, err
	}
	d := &StepDecision{RequestID: r.ID, Round: r.Round, Step: step.Index, Outcome: in.Outcome, By: actor.PersonID,
		ActingRole: acting.AsRole, ForPersonID: acting.ForPersonID, Comment: in.Comment, At: now}
	switch in.Outcome {
	case Approve:
		d.Next = StatusApproved
		if step.Index < len(r.CurrentSteps()) {
			d.Next, d.NextStep = StatusPending, step.Index+1
		}
	case Reject:
		d.Next = StatusRejected
	case SendBack:
		d.Next = StatusReturned
	}
	if rt := s.recordType(pol.Policy, r); rt != nil {
		d.Ret = retention(rt, now)
	} else {
		d.Ret = Retention{KeepUntil: r.KeepUntil, Clause: r.RetentionClause}
	}
	ns, err := s.decisionNotices(ctx, pol.Policy, r, d)
	if err != nil {
		return nil, err
	}
	if err := s.st.DecideStep(ctx, d, s.deliveries(ns)); err != nil {
		return nil, err
	}
	return s.st.Request(ctx, id)
}

// recordType is the record the policy required when the request was
// decided, as the active policy defines it (nil when there is none).
func (s *Service) recordType(pol *policy.Policy, r *Request) *policy.RecordType {
	if r.Decision.RecordType == "" {
		return nil
	}
	rt, _ := pol.RecordType(r.Decision.RecordType)
	return rt
}

func roleArgs(pol *policy.Policy, role string) map[string]any {
	args := map[string]any{"Role": role, "RoleJA": role, "RoleEN": role}
	if r, ok := pol.Role(role); ok {
		args["RoleJA"], args["RoleEN"] = r.Name.JA, orText(r.Name.EN, r.Name.JA)
	}
	return args
}
