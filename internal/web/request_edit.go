package web

import (
	"fmt"
	"net/http"

	"mamori"
	"mamori/internal/request"
)

// requestEdit shows a sent-back request's form, filled in, to change and
// submit again.
func (s *Server) requestEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	req, err := s.requests().Get(r.Context(), rp, requestActor(principalFrom(r)), id)
	if err != nil {
		return err
	}
	if req.ApplicantID != principalFrom(r).PersonID {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "request.not_applicant"}
	}
	if req.Status != request.StatusReturned {
		return &mamori.Error{Code: mamori.ECONFLICT, Message: "request.not_returned", Args: map[string]any{"ID": id}}
	}
	k, err := request.Kind(rp.Policy, req.Kind)
	if err != nil {
		return err
	}
	d := requestFormData{Page: s.page(r, "request.edit_title", "requests"), Kind: k, RequestID: id, Action: fmt.Sprintf("/requests/%d/resubmit", id)}
	if d.Fields, err = s.requestForm(r.Context(), r, k, req.Values); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "request_new", d)
}
