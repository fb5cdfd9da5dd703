package web

import (
	"net/http"
	"strings"

	"mamori/internal/incident"
	"mamori/internal/store"
)

type incidentListData struct {
	incPage
	Incidents []incident.Incident
	Total     int
	Show      string // "open", "all", "mine"
	Query     string
}

// incidentList lists incidents, open ones first by default; "mine" lists
// those the person has been told of and has not acknowledged yet.
func (s *Server) incidentList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := incidentListData{incPage: s.incPage(r, "incident.list_title", "incidents"), Show: q.Get("show"), Query: strings.TrimSpace(q.Get("q"))}
	f := store.IncidentFilter{Query: d.Query, Limit: 200}
	switch d.Show {
	case "all":
	case "mine":
		f.NoticeFor = principalFrom(r).PersonID
	default:
		d.Show, f.Open = "open", true
	}
	if no := incident.NormalizeReceiptNo(d.Query); no != d.Query && len(no) == 18 {
		f.Query = no
	}
	var err error
	if d.Incidents, d.Total, err = s.store.Incidents(r.Context(), f); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "incidents", d)
}
