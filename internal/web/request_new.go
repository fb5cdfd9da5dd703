package web

import (
	"net/http"

	"mamori/internal/request"
)

// requestNew shows the kinds of request the active policy defines, or the
// form of the chosen one.
func (s *Server) requestNew(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	d := requestFormData{Page: s.page(r, "request.new_title", "requests"), Action: "/requests"}
	id := r.URL.Query().Get("kind")
	if id == "" {
		d.Kinds = pol.RequestKinds()
		return s.render(w, r, http.StatusOK, "request_new", d)
	}
	if d.Kind, err = request.Kind(pol, id); err != nil {
		d.Kinds, d.Err = pol.RequestKinds(), err
		return s.render(w, r, http.StatusUnprocessableEntity, "request_new", d)
	}
	if d.Fields, err = s.requestForm(r.Context(), r, d.Kind, request.Values{}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "request_new", d)
}
