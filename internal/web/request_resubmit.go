package web

import (
	"fmt"
	"net/http"

	"mamori"
)

// requestResubmit submits a sent-back request again with its changes.
func (s *Server) requestResubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	svc := s.requests()
	actor := requestActor(principalFrom(r))
	req, err := svc.Get(r.Context(), rp, actor, id)
	if err != nil {
		return err
	}
	d := requestFormData{Page: s.page(r, "request.edit_title", "requests"), RequestID: id, Action: fmt.Sprintf("/requests/%d/resubmit", id)}
	k, v, files, err := s.requestFormValues(w, r, rp.Policy, req.Kind)
	if k == nil {
		return err
	}
	d.Kind = k
	if err == nil {
		_, err = svc.Resubmit(r.Context(), rp, actor, id, v, files...)
	}
	if err != nil {
		if mamori.ErrorCode(err) == mamori.EINTERNAL {
			return err
		}
		if v == nil {
			v = req.Values
		}
		d.Err = err
		if d.Fields, err = s.requestForm(r.Context(), r, k, v); err != nil {
			return err
		}
		return s.render(w, r, statusOf(mamori.ErrorCode(d.Err)), "request_new", d)
	}
	s.redirect(w, r, fmt.Sprintf("/requests/%d?flash=request_resubmitted", id))
	return nil
}
