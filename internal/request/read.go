package request

import (
	"context"
	"slices"
	"sort"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// Get loads a request the actor may read. One they may not read is "not
// found", so that ids do not reveal other people's requests.
func (s *Service) Get(ctx context.Context, pol Policy, actor Actor, id int64) (*Request, error) {
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.CanView(ctx, pol, actor, r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "error.not_found", Args: map[string]any{"Kind": "request", "ID": id}}
	}
	return r, nil
}

// CanView reports whether actor may read r: its applicant, anyone named in
// it, its approvers (past, and those acting in its pending step now), and
// holders of request.read_all.
func (s *Service) CanView(ctx context.Context, pol Policy, actor Actor, r *Request) (bool, error) {
	if actor.ReadAll || actor.PersonID == r.ApplicantID {
		return true, nil
	}
	for _, st := range r.Steps {
		if st.DecidedBy == actor.PersonID {
			return true, nil
		}
	}
	if k, ok := pol.RequestKind(r.Kind); ok {
		for _, f := range k.Fields {
			if f.Type == policy.FieldPerson && r.Values.Int(f.ID) == actor.PersonID {
				return true, nil
			}
		}
	}
	if _, ok, err := s.Acting(ctx, pol, actor, r); err != nil || ok {
		return ok, err
	}
	return false, nil
}

// Acting says whether actor may decide r's pending step now, and as whom.
// The applicant never may.
func (s *Service) Acting(ctx context.Context, pol Policy, actor Actor, r *Request) (directory.Acting, bool, error) {
	st, ok := r.PendingStep()
	if !ok || pol.Policy == nil || actor.PersonID == r.ApplicantID {
		return directory.Acting{}, false, nil
	}
	a, ok, err := s.dir.CanAct(ctx, pol.Policy, policy.MatterApproval, actor.PersonID, st.Role, st.UnitID, s.clock())
	if err != nil || !ok {
		return directory.Acting{}, false, err
	}
	if directory.CheckSeparation(pol.Policy, r.ApplicantID, a) != nil {
		return directory.Acting{}, false, nil
	}
	return a, true, nil
}

// QueueItem is a request waiting for the actor's decision.
type QueueItem struct {
	Request
	Acting directory.Acting
}

// Queue lists the requests waiting for the actor's decision, oldest first:
// those whose pending step's role the actor acts in now — in their own
// right or as a substitute for an absent holder — except their own.
//
// It first finds where pending steps wait and which of those places the
// actor acts in, then lists only the requests waiting there. (It used to
// list the organization's 1,000 newest pending requests and keep the
// actor's: every view cost as much as the whole backlog, and a request
// older than the 1,000 newest never reached its approver's queue — the
// soak in bench/ found both.)
func (s *Service) Queue(ctx context.Context, pol Policy, actor Actor) ([]QueueItem, error) {
	keys, err := s.st.PendingSteps(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	acting := map[StepKey]directory.Acting{}
	var mine []StepKey
	for _, k := range keys {
		a, ok, err := s.dir.CanAct(ctx, pol.Policy, policy.MatterApproval, actor.PersonID, k.Role, k.UnitID, now)
		if err != nil {
			// A role the active policy no longer defines: nobody acts in
			// it, which the request page explains.
			if mamori.ErrorCode(err) == mamori.EINVALID {
				continue
			}
			return nil, err
		}
		if ok {
			acting[k] = a
			mine = append(mine, k)
		}
	}
	if len(mine) == 0 {
		return nil, nil
	}
	rs, err := s.st.Requests(ctx, Filter{Statuses: []Status{StatusPending}, Steps: mine, Oldest: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []QueueItem
	for _, r := range rs {
		if r.ApplicantID == actor.PersonID {
			continue
		}
		st, ok := pendingOf(&r)
		if !ok {
			continue
		}
		a, ok := acting[StepKey{Role: st.Role, UnitID: st.UnitID}]
		if !ok || directory.CheckSeparation(pol.Policy, r.ApplicantID, a) != nil {
			continue
		}
		out = append(out, QueueItem{Request: r, Acting: a})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SubmittedAt.Before(out[j].SubmittedAt) })
	return out, nil
}

// pendingOf is the pending step of a listed request, whose Steps hold
// only that step.
func pendingOf(r *Request) (Step, bool) {
	for _, st := range r.Steps {
		if st.Round == r.Round && st.Index == r.Step {
			return st, true
		}
	}
	return Step{}, false
}

// Mine lists the actor's own requests, newest first.
func (s *Service) Mine(ctx context.Context, actor Actor, f Filter) ([]Request, error) {
	f.ApplicantID, f.DecidedBy = actor.PersonID, 0
	return s.st.Requests(ctx, f)
}

// Decided lists the requests the actor decided a step of, newest first.
func (s *Service) Decided(ctx context.Context, actor Actor, f Filter) ([]Request, error) {
	f.ApplicantID, f.DecidedBy = 0, actor.PersonID
	return s.st.Requests(ctx, f)
}

// All lists every request of the organization (request.read_all).
func (s *Service) All(ctx context.Context, actor Actor, f Filter) ([]Request, error) {
	if !actor.ReadAll {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "error.forbidden"}
	}
	f.ApplicantID, f.DecidedBy = 0, 0
	return s.st.Requests(ctx, f)
}

// Overdue lists granted requests whose return is overdue that the actor
// may read: all of them for request.read_all, else their own and those
// they approved.
func (s *Service) Overdue(ctx context.Context, actor Actor) ([]Request, error) {
	now := s.clock()
	if actor.ReadAll {
		return s.st.Requests(ctx, Filter{OverdueAt: now, Limit: 1000})
	}
	own, err := s.st.Requests(ctx, Filter{OverdueAt: now, ApplicantID: actor.PersonID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	approved, err := s.st.Requests(ctx, Filter{OverdueAt: now, DecidedBy: actor.PersonID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, r := range approved {
		if !slices.ContainsFunc(own, func(x Request) bool { return x.ID == r.ID }) {
			own = append(own, r)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].DueAt.Before(*own[j].DueAt) })
	return own, nil
}

// Delete deletes a request: its applicant may delete it once withdrawn
// before anyone decided on it; an administrator may delete any. Either way
// the store refuses while the policy requires the record to be kept.
func (s *Service) Delete(ctx context.Context, actor Actor, admin bool, id int64) error {
	r, err := s.st.Request(ctx, id)
	if err != nil {
		return err
	}
	if !admin {
		if r.ApplicantID != actor.PersonID {
			return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_applicant"}
		}
		decided := slices.ContainsFunc(r.Steps, func(st Step) bool { return st.DecidedBy != 0 })
		if r.Status != StatusWithdrawn || decided {
			return notOpen(r, "request.delete_not_allowed")
		}
	}
	return s.st.DeleteRequest(ctx, id)
}
