package web

import (
	"net/http"

	"mamori/internal/directory"
	"mamori/internal/incident"
)

type violationListData struct {
	incPage
	incLookups
	Violations []incident.Violation
}

func (s *Server) violationsService() *incident.Violations {
	return incident.NewViolations(s.store, directory.NewService(s.store), s.store.Now)
}

// violationList lists the violations recorded, the latest first.
func (s *Server) violationList(w http.ResponseWriter, r *http.Request) error {
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	d := violationListData{incPage: s.incPage(r, "violation.list_title", "violations"), incLookups: l}
	if d.Violations, err = s.store.Violations(r.Context(), atoi64(r.URL.Query().Get("person"))); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "violations", d)
}
