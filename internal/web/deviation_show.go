package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

type deviationShowData struct {
	incPage
	incLookups
	D           *incident.Deviation
	Now         time.Time
	CanReview   bool
	CanDecide   bool
	CanWithdraw bool
	Err         error
	Failed      string
	Posted      url.Values
}

// Val is a field of the form that failed.
func (d deviationShowData) Val(form, k string) string {
	if d.Failed != form {
		return ""
	}
	return d.Posted.Get(k)
}

// deviationShow shows a deviation and, to those whose turn it is, the
// review, decision or withdrawal form.
func (s *Server) deviationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	return s.renderDeviation(w, r, http.StatusOK, id, "", nil)
}

func (s *Server) renderDeviation(w http.ResponseWriter, r *http.Request, status int, id int64, failed string, formErr error) error {
	if err := requireDeviations(r); err != nil {
		return err
	}
	dv, err := s.store.Deviation(r.Context(), id)
	if err != nil {
		return err
	}
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	p := principalFrom(r)
	now := s.store.Now()
	eff := dv.Effective(now)
	d := deviationShowData{incPage: s.incPage(r, "deviation.show_title", "deviations"), incLookups: l, D: dv, Now: now, Err: formErr, Failed: failed, Posted: r.PostForm,
		CanReview:   eff == incident.DeviationSubmitted && p.Can(string(policy.PermDeviationReview)) && p.PersonID != dv.SubmittedBy,
		CanDecide:   eff == incident.DeviationReviewed && p.Can(string(policy.PermDeviationDecide)) && p.PersonID != dv.SubmittedBy,
		CanWithdraw: p.PersonID == dv.SubmittedBy && (eff == incident.DeviationSubmitted || eff == incident.DeviationReviewed || eff == incident.DeviationApproved)}
	return s.render(w, r, status, "deviation", d)
}

// deviationOp is a change to a deviation, the same for page and API.
type deviationOp func(r *http.Request, svc *incident.Deviations, pol *policy.Policy, by incident.Actor, id int64) error

func (s *Server) runDeviationOp(r *http.Request, op deviationOp) (int64, error) {
	id, err := incID(r, "id")
	if err != nil {
		return 0, err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return id, err
	}
	return id, op(r, s.deviationsService(), pol, actorOf(principalFrom(r)), id)
}

func (s *Server) deviationForm(form string, decode func(url.Values) deviationOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
		}
		id, err := s.runDeviationOp(r, decode(r.PostForm))
		if err != nil {
			if incUserError(err) && id != 0 && mamori.ErrorCode(err) != mamori.ENOTFOUND {
				return s.renderDeviation(w, r, statusOf(mamori.ErrorCode(err)), id, form, err)
			}
			return err
		}
		s.redirect(w, r, fmt.Sprintf("/deviations/%d?flash=deviation_saved", id))
		return nil
	}
}

// deviationReviewInput is the 統括's review (第2章9(4)3).
type deviationReviewInput struct {
	Opinion string `json:"opinion"` // acceptable | not_acceptable
	Note    string `json:"note"`
}

func (in deviationReviewInput) op() deviationOp {
	return func(r *http.Request, svc *incident.Deviations, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Review(r.Context(), pol, by, id, incident.ReviewOpinion(in.Opinion), in.Note)
	}
}

// deviationDecisionInput is the committee's decision (第2章9(4)4).
type deviationDecisionInput struct {
	Decision string `json:"decision"` // approve | reject
	Note     string `json:"note"`
}

func (in deviationDecisionInput) op() deviationOp {
	return func(r *http.Request, svc *incident.Deviations, pol *policy.Policy, by incident.Actor, id int64) error {
		switch in.Decision {
		case "approve", "reject":
		default:
			return mamori.FieldError("decision", "deviation.decision_invalid", nil)
		}
		return svc.Decide(r.Context(), pol, by, id, in.Decision == "approve", in.Note)
	}
}

type deviationWithdrawInput struct{}

func (deviationWithdrawInput) op() deviationOp {
	return func(r *http.Request, svc *incident.Deviations, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Withdraw(r.Context(), pol, by, id)
	}
}

func (s *Server) deviationReview() handlerFunc {
	return s.deviationForm("review", func(v url.Values) deviationOp {
		return deviationReviewInput{Opinion: v.Get("opinion"), Note: v.Get("note")}.op()
	})
}

func (s *Server) deviationDecide() handlerFunc {
	return s.deviationForm("decide", func(v url.Values) deviationOp {
		return deviationDecisionInput{Decision: v.Get("decision"), Note: v.Get("note")}.op()
	})
}

func (s *Server) deviationWithdraw() handlerFunc {
	return s.deviationForm("withdraw", func(url.Values) deviationOp { return deviationWithdrawInput{}.op() })
}
