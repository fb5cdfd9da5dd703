package web

import (
	"fmt"
	"net/http"

	"mamori"
	"mamori/internal/request"
)

// requestCreate submits the form. The policy decides at once: refused
// with its reason and clause, or filed (for approval, or as a record).
func (s *Server) requestCreate(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	d := requestFormData{Page: s.page(r, "request.new_title", "requests"), Action: "/requests"}
	k, v, files, err := s.requestFormValues(w, r, rp.Policy, "")
	if k == nil {
		d.Kinds, d.Err = rp.RequestKinds(), err
		return s.render(w, r, http.StatusUnprocessableEntity, "request_new", d)
	}
	d.Kind = k
	var req *request.Request
	if err == nil {
		req, err = s.requests().Submit(r.Context(), rp, requestActor(principalFrom(r)), k.ID, v, files...)
	}
	if err != nil {
		if mamori.ErrorCode(err) == mamori.EINTERNAL {
			return err
		}
		if v == nil {
			v = request.Values{}
		}
		d.Err = err
		if d.Fields, err = s.requestForm(r.Context(), r, k, v); err != nil {
			return err
		}
		return s.render(w, r, statusOf(mamori.ErrorCode(d.Err)), "request_new", d)
	}
	s.redirect(w, r, fmt.Sprintf("/requests/%d?flash=request_submitted", req.ID))
	return nil
}
