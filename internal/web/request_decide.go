package web

import (
	"fmt"
	"net/http"
	"strconv"

	"mamori"
	"mamori/internal/request"
)

// requestDecide takes an approver's decision on a request's pending step:
// approve, reject (with a reason) or send back for changes (with a
// reason). The page names the round and step it showed, so that a decision
// made on a page that has moved on is refused, not applied to the next
// step; the applicant may never decide (藤枝市 第2章4(3)).
func (s *Server) requestDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	round, _ := strconv.Atoi(r.PostFormValue("round"))
	step, _ := strconv.Atoi(r.PostFormValue("step"))
	in := request.DecisionInput{Outcome: request.Outcome(r.PostFormValue("outcome")), Comment: r.PostFormValue("comment"), Round: round, Step: step}
	if _, err := s.requests().Decide(r.Context(), rp, requestActor(principalFrom(r)), id, in); err != nil {
		if mamori.ErrorCode(err) == mamori.EINTERNAL || mamori.ErrorCode(err) == mamori.ENOTFOUND {
			return err
		}
		return s.renderRequest(w, r, statusOf(mamori.ErrorCode(err)), err)
	}
	s.redirect(w, r, fmt.Sprintf("/requests/%d?flash=request_%s", id, in.Outcome))
	return nil
}
