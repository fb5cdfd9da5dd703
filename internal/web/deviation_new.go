package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/incident"
)

type deviationNewData struct {
	incPage
	incLookups
	Form url.Values
	Err  error
}

// Val is a field's value as typed.
func (d deviationNewData) Val(k string) string { return d.Form.Get(k) }

// deviationNew shows the form a manager reports a deviation with (第2章9(4)2:
// 期間、理由、代替手段等).
func (s *Server) deviationNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderDeviationNew(w, r, http.StatusOK, url.Values{"unit_id": {strconv.FormatInt(principalFrom(r).UnitID, 10)}}, nil)
}

func (s *Server) renderDeviationNew(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "deviation_new", deviationNewData{incPage: s.incPage(r, "deviation.new_title", "deviations"), incLookups: l, Form: form, Err: formErr})
}

// deviationFromValues reads a deviation from the form (or the API's
// fields as values).
func deviationFromValues(v url.Values) (*incident.Deviation, error) {
	d := &incident.Deviation{UnitID: atoi64(v.Get("unit_id")), Provision: v.Get("provision"), Clause: v.Get("clause"), Reason: v.Get("reason"), Alternatives: v.Get("alternatives")}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"starts_on", &d.StartsOn}, {"ends_on", &d.EndsOn}} {
		t, err := incParseTime(f.name, v.Get(f.name))
		if err != nil {
			return nil, err
		}
		if t != nil {
			*f.to = *t
		}
	}
	return d, nil
}

// deviationCreate records a reported deviation.
func (s *Server) deviationCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
	}
	d, err := s.submitDeviation(r, r.PostForm)
	if err != nil {
		if incUserError(err) {
			return s.renderDeviationNew(w, r, statusOf(mamori.ErrorCode(err)), r.PostForm, err)
		}
		return err
	}
	s.redirect(w, r, fmt.Sprintf("/deviations/%d?flash=deviation_saved", d.ID))
	return nil
}

func (s *Server) submitDeviation(r *http.Request, v url.Values) (*incident.Deviation, error) {
	d, err := deviationFromValues(v)
	if err != nil {
		return nil, err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return nil, err
	}
	if err := s.deviationsService().Submit(r.Context(), pol, actorOf(principalFrom(r)), d); err != nil {
		return nil, err
	}
	return d, nil
}
