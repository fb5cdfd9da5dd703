package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

type incidentNewData struct {
	incPage
	incLookups
	Form       url.Values
	Categories []incident.Category
	Err        error
}

// Val is a field's value as typed.
func (d incidentNewData) Val(k string) string { return d.Form.Get(k) }

type incidentDoneData struct {
	Page
	ReceiptNo string
}

// incidentNew shows the staff report form, reachable from every page
// (下條村 第2章7(6)1: 職員等は…速やかに報告; 藤枝市 第2章4(2)②ア; 天草 第37条).
func (s *Server) incidentNew(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	form := url.Values{"unit_id": {strconv.FormatInt(p.UnitID, 10)}, "category": {string(incident.CategoryIncident)}}
	return s.renderIncidentNew(w, r, http.StatusOK, form, nil)
}

func (s *Server) renderIncidentNew(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "incident_new", incidentNewData{incPage: s.incPage(r, "incident.new_title", "incidents"), incLookups: l,
		Form: form, Categories: incident.Categories, Err: formErr})
}

// incidentFromForm reads the staff report form (or the same fields of a
// JSON body, as url.Values).
func incidentFromForm(v url.Values) (*incident.Incident, error) {
	inc := &incident.Incident{
		Category:     incident.Category(v.Get("category")),
		Title:        v.Get("title"),
		Description:  v.Get("description"),
		UnitID:       atoi64(v.Get("unit_id")),
		PersonalInfo: v.Get("personal_info") != "",
	}
	var err error
	if inc.OccurredAt, err = incTime(v, "occurred_at"); err != nil {
		return nil, err
	}
	disc, err := incTime(v, "discovered_at")
	if err != nil {
		return nil, err
	}
	if disc != nil {
		inc.DiscoveredAt = *disc
	}
	return inc, nil
}

// incidentCreate records a staff report and tells the first step of the
// reporting chain. A reporter who may read incidents goes to it; one who
// may only report gets the receipt number.
func (s *Server) incidentCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
	}
	inc, err := s.reportStaff(r, r.PostForm)
	if err != nil {
		if incUserError(err) {
			return s.renderIncidentNew(w, r, statusOf(mamori.ErrorCode(err)), r.PostForm, err)
		}
		return err
	}
	if principalFrom(r).Can(string(policy.PermIncidentRead)) {
		s.redirect(w, r, fmt.Sprintf("/incidents/%d?flash=incident_reported", inc.ID))
		return nil
	}
	return s.render(w, r, http.StatusOK, "incident_done", incidentDoneData{Page: s.page(r, "incident.done_title", "incidents"), ReceiptNo: inc.ReceiptNo})
}

func (s *Server) reportStaff(r *http.Request, v url.Values) (*incident.Incident, error) {
	inc, err := incidentFromForm(v)
	if err != nil {
		return nil, err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return nil, err
	}
	p := principalFrom(r)
	if err := s.incidentService().ReportStaff(r.Context(), pol, p.PolicyVersionID, actorOf(p), inc); err != nil {
		return nil, err
	}
	return inc, nil
}
