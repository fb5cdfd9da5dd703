package web

import (
	"net/http"

	"mamori/internal/policy"
)

type homeData struct {
	Page
	Policy *policy.Policy
}

// home is the start page after sign-in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	pol, _ := s.activePolicy(r)
	return s.render(w, r, http.StatusOK, "home", homeData{Page: s.page(r, "home.title", "home"), Policy: pol})
}

// notFound answers any path no route matches.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	if wantsJSON(r) {
		return errPageNotFound
	}
	return s.render(w, r, http.StatusNotFound, "error", struct {
		Page
		Err    error
		Status int
	}{s.page(r, "error.title", ""), errPageNotFound, http.StatusNotFound})
}
