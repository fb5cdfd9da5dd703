package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"mamori"
	"mamori/internal/incident"
)

type violationNewData struct {
	incPage
	incLookups
	Rule incident.ViolationRule
	Form url.Values
	Err  error
}

// Val is a field's value as typed.
func (d violationNewData) Val(k string) string { return d.Form.Get(k) }

// violationNew shows the form to record a violation.
func (s *Server) violationNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderViolationNew(w, r, http.StatusOK, url.Values{"incident_id": {r.URL.Query().Get("incident")}}, nil)
}

func (s *Server) renderViolationNew(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "violation_new", violationNewData{incPage: s.incPage(r, "violation.new_title", "violations"), incLookups: l,
		Rule: incident.RuleFor(l.Policy), Form: form, Err: formErr})
}

// violationCreate records a violation.
func (s *Server) violationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
	}
	v, err := s.recordViolation(r, r.PostForm)
	if err != nil {
		if incUserError(err) {
			return s.renderViolationNew(w, r, statusOf(mamori.ErrorCode(err)), r.PostForm, err)
		}
		return err
	}
	s.redirect(w, r, fmt.Sprintf("/violations/%d?flash=violation_saved", v.ID))
	return nil
}

// recordViolation reads the person (by staff number or id) and the rest of
// a violation, and records it.
func (s *Server) recordViolation(r *http.Request, v url.Values) (*incident.Violation, error) {
	ref := strings.TrimSpace(v.Get("person"))
	if ref == "" {
		return nil, mamori.FieldError("person", "violation.person_required", nil)
	}
	var personID int64
	if p, err := s.store.PersonByStaffNo(r.Context(), ref); err == nil {
		personID = p.ID
	} else if id := atoi64(ref); id > 0 {
		if p, err := s.store.Person(r.Context(), id); err == nil {
			personID = p.ID
		}
	}
	if personID == 0 {
		return nil, mamori.FieldError("person", "violation.person_unknown", map[string]any{"Ref": ref})
	}
	found, err := incParseTime("found_at", v.Get("found_at"))
	if err != nil {
		return nil, err
	}
	vi := &incident.Violation{PersonID: personID, Description: v.Get("description"), Clause: v.Get("clause"), IncidentID: atoi64(v.Get("incident_id"))}
	if found != nil {
		vi.FoundAt = *found
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return nil, err
	}
	unitOf := func(id int64) (int64, string, error) { return s.store.PersonUnit(r.Context(), id) }
	if err := s.violationsService().Record(r.Context(), pol, actorOf(principalFrom(r)), vi, unitOf); err != nil {
		return nil, err
	}
	return vi, nil
}
