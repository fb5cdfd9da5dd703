package web

import (
	"net/http"
	"net/url"
	"strconv"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

type planData struct {
	incPage
	incLookups
	Plan     *incident.Plan // the version shown (nil: none yet)
	Versions []incident.Plan
	Current  int // the latest version
	Edit     bool
	Form     *incident.Plan // the form's content
	Err      error
	Clause   string
}

// Rows are the contact rows of the form: those of the plan and a few
// empty ones to add more without JavaScript.
func (d planData) Rows() []incident.Contact {
	var cs []incident.Contact
	if d.Form != nil {
		cs = append(cs, d.Form.Contacts...)
	}
	return append(cs, make([]incident.Contact, 3)...)
}

// planShow shows the emergency response plan (緊急時対応計画, 下條村
// 第2章9(2)): the latest version, or ?v=N an earlier one, with every
// version listed; those who may change it get the form for a new version.
func (s *Server) planShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderPlan(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, status int, form *incident.Plan, formErr error) error {
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	d := planData{incPage: s.incPage(r, "plan.title", "plan"), incLookups: l, Err: formErr, Clause: incident.ClausePlan,
		Edit: principalFrom(r).Can(string(policy.PermIncidentPlan))}
	if d.Versions, err = s.store.PlanVersions(r.Context()); err != nil {
		return err
	}
	if len(d.Versions) > 0 {
		d.Current = d.Versions[0].Version
		d.Plan = &d.Versions[0]
	}
	if v := r.URL.Query().Get("v"); v != "" {
		n, _ := strconv.Atoi(v)
		p, err := s.store.PlanVersion(r.Context(), n)
		if err != nil {
			return err
		}
		d.Plan = p
	}
	d.Form = form
	if d.Form == nil && d.Plan != nil {
		cp := *d.Plan
		cp.Note = ""
		d.Form = &cp
	}
	return s.render(w, r, status, "plan", d)
}

// planFromForm reads the plan form: contacts as parallel lists of rows.
func planFromForm(v url.Values) *incident.Plan {
	p := &incident.Plan{ReportItems: v.Get("report_items"), Responses: v.Get("responses"), Prevention: v.Get("prevention"), Note: v.Get("note")}
	roles, names, phones, emails := v["contact_role"], v["contact_name"], v["contact_phone"], v["contact_email"]
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return xs[i]
		}
		return ""
	}
	for i := range max(len(roles), len(names), len(phones), len(emails)) {
		if i >= incident.MaxContacts+10 {
			break
		}
		p.Contacts = append(p.Contacts, incident.Contact{Role: at(roles, i), Name: at(names, i), Phone: at(phones, i), Email: at(emails, i)})
	}
	return p
}

// planSave saves a new version of the plan.
func (s *Server) planSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
	}
	p := planFromForm(r.PostForm)
	if err := s.store.AddPlanVersion(r.Context(), p); err != nil {
		if incUserError(err) {
			return s.renderPlan(w, r, statusOf(mamori.ErrorCode(err)), p, err)
		}
		return err
	}
	s.redirect(w, r, "/plan?flash=plan_saved")
	return nil
}
