package web

import (
	"fmt"
	"net/http"

	"mamori"
)

// requestWithdraw lets the applicant withdraw their request while it is
// still open.
func (s *Server) requestWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.requests().Withdraw(r.Context(), requestActor(principalFrom(r)), id); err != nil {
		if c := mamori.ErrorCode(err); c == mamori.EINTERNAL || c == mamori.ENOTFOUND {
			return err
		}
		return s.renderRequest(w, r, statusOf(mamori.ErrorCode(err)), err)
	}
	s.redirect(w, r, fmt.Sprintf("/requests/%d?flash=request_withdrawn", id))
	return nil
}
