package web

import (
	"net/http"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/incident"
)

type deviationListData struct {
	incPage
	incLookups
	Active []incident.Deviation
	All    []incident.Deviation
	Now    time.Time
}

// deviationsService is deviation management over the store.
func (s *Server) deviationsService() *incident.Deviations {
	return incident.NewDeviations(s.store, directory.NewService(s.store), s.store.Now)
}

// requireDeviations refuses anyone with no part in deviation management.
func requireDeviations(r *http.Request) error {
	if !canSeeDeviations(principalFrom(r)) {
		return errForbidden
	}
	return nil
}

// deviationList lists the deviations in force (第2章9(4)5: the 統括 manages
// the approved ones) and all deviations reported.
func (s *Server) deviationList(w http.ResponseWriter, r *http.Request) error {
	if err := requireDeviations(r); err != nil {
		return err
	}
	l, err := s.incLookups(r)
	if err != nil && mamori.ErrorCode(err) != mamori.ENOTFOUND {
		return err
	}
	d := deviationListData{incPage: s.incPage(r, "deviation.list_title", "deviations"), incLookups: l, Now: s.store.Now()}
	if d.Active, err = s.store.Deviations(r.Context(), incident.DeviationFilter{Active: true, At: d.Now}); err != nil {
		return err
	}
	if d.All, err = s.store.Deviations(r.Context(), incident.DeviationFilter{}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "deviations", d)
}
