package request

import (
	"context"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// baseArgs are what every notice about r may show.
func baseArgs(r *Request) map[string]any {
	return map[string]any{"ID": r.ID, "KindJA": r.KindName.JA, "KindEN": orText(r.KindName.EN, r.KindName.JA), "Applicant": r.ApplicantName}
}

// approverNotices tell the people acting in the pending step that a
// request waits for them; a substitute is told in whose place (or in which
// vacant role) they act. message is the notice for one acting in their own
// right; message+"_substitute" for a substitute.
func (s *Service) approverNotices(ctx context.Context, pol *policy.Policy, r *Request, acts []directory.Acting, message string, extra map[string]any) []Notice {
	var out []Notice
	for _, a := range acts {
		args := baseArgs(r)
		for k, v := range extra {
			args[k] = v
		}
		for k, v := range roleArgs(pol, a.Role) {
			args[k] = v
		}
		msg := message
		if a.Substituting() {
			msg += "_substitute"
			args["For"] = ""
			if a.ForPersonID != 0 {
				if p, err := s.st.Person(ctx, a.ForPersonID); err == nil {
					args["For"] = p.Name
				}
			}
			as := roleArgs(pol, a.AsRole)
			args["AsRoleJA"], args["AsRoleEN"] = as["RoleJA"], as["RoleEN"]
		}
		out = append(out, Notice{To: a.PersonID, Message: msg, Args: args, RequestID: r.ID})
	}
	return out
}

// openNotices tell the approvers of a newly opened first step.
func (s *Service) openNotices(ctx context.Context, pol *policy.Policy, r *Request, approvers [][]directory.Acting) []Notice {
	if r.Status != StatusPending || r.Step < 1 || r.Step > len(approvers) {
		return nil
	}
	return s.approverNotices(ctx, pol, r, approvers[r.Step-1], "request.notice.decide", nil)
}

// decisionNotices tell who must act after a decision on r (as it was
// before it): the next step's approvers, or the applicant (granted,
// rejected, sent back). A next step nobody acts in now does not stop the
// decision: the request page says so, and the reminder job tells whoever
// acts in it once someone does.
func (s *Service) decisionNotices(ctx context.Context, pol *policy.Policy, r *Request, d *StepDecision) ([]Notice, error) {
	if d.NextStep != 0 {
		for _, st := range r.Steps {
			if st.Round != d.Round || st.Index != d.NextStep {
				continue
			}
			acts, err := s.dir.Approvers(ctx, pol, st.Role, st.UnitID, d.At, r.ApplicantID)
			if err != nil {
				if mamori.ErrorCode(err) == mamori.EINTERNAL {
					return nil, err
				}
				s.log.Warn("nobody to tell of the next step", "request", r.ID, "step", st.Index, "err", err)
				return nil, nil
			}
			return s.approverNotices(ctx, pol, r, acts, "request.notice.decide", nil), nil
		}
		return nil, nil
	}
	args := baseArgs(r)
	args["Comment"] = d.Comment
	msg := map[Status]string{StatusApproved: "request.notice.approved", StatusRejected: "request.notice.rejected", StatusReturned: "request.notice.returned"}[d.Next]
	if msg == "" {
		return nil, nil
	}
	return []Notice{{To: r.ApplicantID, Message: msg, Args: args, RequestID: r.ID}}, nil
}

// Remind tells the approvers of every request whose step has waited longer
// than after (since it opened, or since the last reminder) that it still
// waits. Several servers may run it at once: each reminder is claimed in
// the database, with its notices, by exactly one of them. It returns how
// many requests were reminded.
func (s *Service) Remind(ctx context.Context, pol Policy, after time.Duration) (int, error) {
	if pol.Policy == nil || after <= 0 {
		return 0, nil
	}
	now := s.clock()
	cutoff := now.Add(-after)
	due, err := s.st.Requests(ctx, Filter{Statuses: []Status{StatusPending}, ReminderDue: cutoff, Limit: 500})
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range due {
		r, err := s.st.Request(ctx, due[i].ID)
		if err != nil {
			return n, err
		}
		st, ok := r.PendingStep()
		if !ok {
			continue
		}
		acts, err := s.dir.Approvers(ctx, pol.Policy, st.Role, st.UnitID, now, r.ApplicantID)
		if err != nil {
			if mamori.ErrorCode(err) == mamori.EINTERNAL {
				return n, err
			}
			s.log.Warn("nobody to remind", "request", r.ID, "err", err)
			continue
		}
		since := r.SubmittedAt
		for _, x := range r.Steps {
			if x.Round == r.Round && x.Index == st.Index-1 && x.DecidedAt != nil {
				since = *x.DecidedAt
			}
		}
		days := int(now.Sub(since).Hours() / 24)
		ds := s.deliveries(s.approverNotices(ctx, pol.Policy, r, acts, "request.notice.remind", map[string]any{"Days": days}))
		claimed, err := s.st.MarkReminded(ctx, r.ID, r.Round, r.Step, cutoff, ds)
		if err != nil {
			return n, err
		}
		if claimed {
			n++
		}
	}
	return n, nil
}
