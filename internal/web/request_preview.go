package web

import (
	"fmt"
	"net/http"
	"strconv"

	"mamori/internal/request"
)

// requestPreviewPost shows what the policy will do with the form as it
// stands (htmx swaps the preview into the page; without JavaScript the
// whole form comes back with it).
func (s *Server) requestPreviewPost(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	d := requestFormData{Page: s.page(r, "request.new_title", "requests"), Action: "/requests"}
	k, v, _, err := s.requestFormValues(w, r, rp.Policy, "")
	if id, _ := strconv.ParseInt(r.PostFormValue("request_id"), 10, 64); id > 0 {
		d.RequestID, d.Action = id, fmt.Sprintf("/requests/%d/resubmit", id)
	}
	if k == nil {
		d.Kinds, d.Err = rp.RequestKinds(), err
		return s.render(w, r, http.StatusUnprocessableEntity, "request_new", d)
	}
	d.Kind = k
	if v == nil {
		v = request.Values{}
	}
	d.Preview = &requestPreview{Err: err}
	if err == nil {
		ev, err := s.requests().Preview(r.Context(), rp, requestActor(principalFrom(r)), k.ID, v)
		d.Preview = s.previewOf(r, rp.Policy, ev, err)
	}
	if d.Fields, err = s.requestForm(r.Context(), r, k, v); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "request_new", d)
}
