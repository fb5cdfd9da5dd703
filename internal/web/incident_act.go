package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mamori"
	"mamori/internal/i18n"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incidentOp is one change to an incident, the same for the page and the
// API: it gets the policy and the actor and returns the service's error.
type incidentOp func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error

// runIncidentOp runs op for the incident in the path.
func (s *Server) runIncidentOp(r *http.Request, op incidentOp) (int64, error) {
	id, err := incID(r, "id")
	if err != nil {
		return 0, err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return id, err
	}
	return id, op(r, s.incidentService(), pol, actorOf(principalFrom(r)), id)
}

// incidentForm handles a form post on the incident page: on success back
// to the page (at the form's section) with a notice; on an error the
// person can mend, the page again with the form open, what was typed,
// and the error.
func (s *Server) incidentForm(form string, decode func(url.Values) (incidentOp, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseMultipartForm(incident.MaxEvidence + 1<<20); err != nil && err != http.ErrNotMultipart {
			if err := r.ParseForm(); err != nil {
				return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
			}
		}
		op, err := decode(r.PostForm)
		var id int64
		if err == nil {
			id, err = s.runIncidentOp(r, op)
		} else {
			id, _ = incID(r, "id")
		}
		if err != nil {
			if incUserError(err) && id != 0 && mamori.ErrorCode(err) != mamori.ENOTFOUND {
				return s.renderIncident(w, r, statusOf(mamori.ErrorCode(err)), id, form, err)
			}
			return err
		}
		s.redirect(w, r, fmt.Sprintf("/incidents/%d?flash=incident_saved#%s", id, form))
		return nil
	}
}

// incParseTime reads a time as a form or JSON gives it: RFC 3339, or a
// date or date and time in Japan ("2026-11-25", "2026-11-25T14:30").
func incParseTime(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		u := t.UTC()
		return &u, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, i18n.Tokyo); err == nil {
			u := t.UTC()
			return &u, nil
		}
	}
	return nil, mamori.FieldError(field, "incident.date_invalid", nil)
}
