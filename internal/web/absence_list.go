package web

import (
	"net/http"
	"time"

	"mamori/internal/directory"
	"mamori/internal/store"
)

type absenceForm struct {
	Person string
	From   string
	Until  string
	Reason string
}

type absenceListData struct {
	dirPage
	dirLookups
	Absences  []directory.Absence
	All       bool
	Form      absenceForm
	Err       error
	CanManage bool
	Now       time.Time
}

// Current reports whether an absence covers now.
func (d absenceListData) Current(a directory.Absence) bool { return a.Current(d.Now) }

// absenceList lists absences, current and coming (all with ?all=1), and
// the form to record one: anyone may record their own; those who manage
// the directory, anyone's.
func (s *Server) absenceList(w http.ResponseWriter, r *http.Request) error {
	today := directory.FormatDate(s.now())
	return s.renderAbsences(w, r, http.StatusOK, absenceForm{From: today, Until: today}, nil)
}

func (s *Server) renderAbsences(w http.ResponseWriter, r *http.Request, status int, form absenceForm, formErr error) error {
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	now := s.now()
	d := absenceListData{dirPage: s.dirPage(r, "absence.title", "absences"), dirLookups: l, Form: form, Err: formErr, Now: now,
		All: r.URL.Query().Get("all") == "1", CanManage: principalFrom(r).Can("directory.manage")}
	f := store.AbsenceFilter{}
	if !d.All {
		f.EndsAfter = &now
	}
	if d.Absences, err = s.store.Absences(r.Context(), f); err != nil {
		return err
	}
	return s.render(w, r, status, "absences", d)
}
