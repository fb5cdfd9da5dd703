package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

type incidentShowData struct {
	incPage
	incLookups
	Rec         *incident.Record
	Outstanding []incident.Open
	StepsDone   map[string]incident.Entry
	Plan        *incident.Plan
	MyNotices   []incident.Notice // told to the viewer, not yet acknowledged
	CanHandle   bool
	CanTriage   bool
	NextStep    int // the next step of the chain not yet told (0: none)
	Now         time.Time
	svc         *incident.Service

	Err    error
	Failed string     // the form that failed, shown open with the error
	Posted url.Values // what it held
}

// Val is a field of the form that failed, as it was sent.
func (d incidentShowData) Val(form, field string) string {
	if d.Failed != form {
		return ""
	}
	return d.Posted.Get(field)
}

// ErrFor is the error of the form that failed.
func (d incidentShowData) ErrFor(form string) error {
	if d.Failed != form {
		return nil
	}
	return d.Err
}

// ReportName names the body a report goes to.
func (d incidentShowData) ReportName(r incident.ExternalReport) string {
	t := d.svc.ReportName(r)
	return d.L.Pick(t.JA, t.EN)
}

// CloseSteps are the policy's mandatory steps before closing.
func (d incidentShowData) CloseSteps() []*policy.ProcessStep {
	if d.Policy == nil {
		return nil
	}
	return d.Policy.Incident().CloseSteps
}

// Chain is the policy's reporting chain.
func (d incidentShowData) Chain() []*policy.IncidentStep {
	if d.Policy == nil {
		return nil
	}
	return d.Policy.IncidentChain()
}

// NoticesAt lists who was told at a step.
func (d incidentShowData) NoticesAt(step int) []incident.Notice {
	var out []incident.Notice
	for _, n := range d.Rec.Notices {
		if n.Step == step {
			out = append(out, n)
		}
	}
	return out
}

// HasIntake reports whether the report came in through the public form
// and was first told to the contact point.
func (d incidentShowData) HasIntake() bool {
	return slices.ContainsFunc(d.Rec.Notices, func(n incident.Notice) bool { return n.Step == 0 })
}

// PersonLabel names the person an entry or notice refers to.
func (d incidentShowData) ActorLabel(e incident.Entry) string {
	if e.ActorID == 0 && e.ActorLabel == publicActor {
		return d.L.T("incident.actor_public")
	}
	return e.ActorLabel
}

// EntryTime is when an entry says it was done, when it says so, else zero.
func (incidentShowData) DoneAt(e incident.Entry) time.Time {
	if t, err := time.Parse(time.RFC3339, e.Data["done_at"]); err == nil {
		return t
	}
	return time.Time{}
}

// Due is a due date kept in an entry's data.
func (incidentShowData) Due(e incident.Entry) time.Time {
	if t, err := time.Parse(time.RFC3339, e.Data["due"]); err == nil {
		return t
	}
	return time.Time{}
}

// Voided reports whether a correction took an entry out of account.
func (d incidentShowData) Voided(e incident.Entry) bool {
	for _, x := range d.Rec.Entries {
		if x.Kind == incident.EntryCorrection && x.Corrects == e.ID && x.Data["void"] == "true" {
			return true
		}
	}
	return false
}

// StepName is a close step's text in the page's language.
func (d incidentShowData) StepName(id string) string {
	for _, st := range d.CloseSteps() {
		if st.ID == id {
			return d.L.Pick(st.Text.JA, st.Text.EN)
		}
	}
	return id
}

// Overdue reports whether a pending report's deadline has passed.
func (d incidentShowData) Overdue(r incident.ExternalReport) bool { return r.Overdue(d.Now) }

// Local formats a time for a form field.
func (incidentShowData) Local(t *time.Time) string { return incLocal(t, "2006-01-02T15:04") }

// Choices for the forms.
func (incidentShowData) Severities() []incident.Severity      { return incident.Severities }
func (incidentShowData) Containments() []incident.Containment { return incident.Containments }
func (incidentShowData) ManualReports() []incident.ReportKind { return incident.ManualReportKinds }
func (incidentShowData) HandlingKinds() []incident.EntryKind  { return incident.HandlingKinds }
func (d incidentShowData) StepString(n int) string            { return strconv.Itoa(n) }

// incidentShow shows an incident: its state, the chain with who was told
// and when they acknowledged, what is still to do before closing, the
// handling forms, the timeline, and beside it the emergency response plan
// in force (下條村 第2章9(2)). Anyone who may read incidents sees it, and so
// does anyone the chain told.
func (s *Server) incidentShow(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	return s.renderIncident(w, r, http.StatusOK, id, "", nil)
}

// loadIncidentFor reads an incident for the person, refusing anyone who
// may not read incidents and was not told of this one.
func (s *Server) loadIncidentFor(r *http.Request, id int64) (*incident.Record, error) {
	rec, err := s.incidentService().Load(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principalFrom(r)
	if !p.Can(string(policy.PermIncidentRead)) && !slices.ContainsFunc(rec.Notices, func(n incident.Notice) bool { return n.PersonID == p.PersonID }) {
		return nil, errForbidden
	}
	return rec, nil
}

func (s *Server) renderIncident(w http.ResponseWriter, r *http.Request, status int, id int64, failed string, formErr error) error {
	rec, err := s.loadIncidentFor(r, id)
	if err != nil {
		return err
	}
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	svc := s.incidentService()
	p := principalFrom(r)
	d := incidentShowData{incPage: s.incPage(r, "incident.show_title", "incidents"), incLookups: l, Rec: rec, svc: svc, Now: s.store.Now(),
		CanHandle: p.Can(string(policy.PermIncidentHandle)) && rec.Incident.Open(), Err: formErr, Failed: failed, Posted: r.PostForm}
	d.Outstanding = svc.Outstanding(l.Policy, rec)
	d.StepsDone = incident.StepsDone(rec.Entries)
	for _, n := range rec.Notices {
		if n.PersonID == p.PersonID && !n.Acknowledged() {
			d.MyNotices = append(d.MyNotices, n)
		}
	}
	if rec.Incident.Open() {
		if _, ok, err := svc.CanTriage(r.Context(), l.Policy, actorOf(p), &rec.Incident); err != nil {
			return err
		} else {
			d.CanTriage = ok
		}
		if next := rec.Incident.ChainStep + 1; next <= len(l.Policy.IncidentChain()) {
			d.NextStep = next
		}
		plan, err := s.store.CurrentPlan(r.Context())
		if err != nil && mamori.ErrorCode(err) != mamori.ENOTFOUND {
			return err
		}
		d.Plan = plan
	}
	return s.render(w, r, status, "incident", d)
}
