package web

import (
	"net/http"
	"strconv"
	"time"

	"mamori/internal/incident"
)

type planJSON struct {
	Version     int                `json:"version"`
	Contacts    []incident.Contact `json:"contacts"`
	ReportItems string             `json:"report_items"`
	Responses   string             `json:"responses"`
	Prevention  string             `json:"prevention"`
	Note        string             `json:"note"`
	CreatedAt   time.Time          `json:"created_at"`
	CreatedBy   string             `json:"created_by"`
}

func toPlanJSON(p *incident.Plan) planJSON {
	return planJSON{Version: p.Version, Contacts: p.Contacts, ReportItems: p.ReportItems, Responses: p.Responses, Prevention: p.Prevention,
		Note: p.Note, CreatedAt: p.CreatedAt, CreatedBy: p.CreatedByName}
}

// apiPlan answers the current plan, or ?version=N.
func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) error {
	var p *incident.Plan
	var err error
	if v := r.URL.Query().Get("version"); v != "" {
		n, _ := strconv.Atoi(v)
		p, err = s.store.PlanVersion(r.Context(), n)
	} else {
		p, err = s.store.CurrentPlan(r.Context())
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPlanJSON(p))
}

// apiPlanVersions lists every version of the plan, newest first.
func (s *Server) apiPlanVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.store.PlanVersions(r.Context())
	if err != nil {
		return err
	}
	out := struct {
		Versions []planJSON `json:"versions"`
	}{Versions: []planJSON{}}
	for i := range vs {
		out.Versions = append(out.Versions, toPlanJSON(&vs[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// planSaveJSON is a new version of the plan.
type planSaveJSON struct {
	Contacts    []incident.Contact `json:"contacts"`
	ReportItems string             `json:"report_items"`
	Responses   string             `json:"responses"`
	Prevention  string             `json:"prevention"`
	Note        string             `json:"note"`
}

// apiPlanSave saves a new version of the plan.
func (s *Server) apiPlanSave(w http.ResponseWriter, r *http.Request) error {
	var in planSaveJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	p := &incident.Plan{Contacts: in.Contacts, ReportItems: in.ReportItems, Responses: in.Responses, Prevention: in.Prevention, Note: in.Note}
	if err := s.store.AddPlanVersion(r.Context(), p); err != nil {
		return err
	}
	p.CreatedByName = principalFrom(r).Name
	return writeJSON(w, http.StatusCreated, toPlanJSON(p))
}
