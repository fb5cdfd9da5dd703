package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/directory"
)

// absenceCreate records an absence: from the first to the last day named
// (both included, days in Japan). While it lasts, the person's roles are
// acted in by the substitutes the policy names.
func (s *Server) absenceCreate(w http.ResponseWriter, r *http.Request) error {
	form := absenceForm{Person: strings.TrimSpace(r.PostFormValue("person")), From: r.PostFormValue("from"), Until: r.PostFormValue("until"), Reason: r.PostFormValue("reason")}
	a, err := s.absenceFromForm(r, form)
	if err == nil {
		err = s.store.CreateAbsence(r.Context(), a)
	}
	if err != nil {
		if isUserError(err) {
			return s.renderAbsences(w, r, statusOf(codeOf(err)), form, err)
		}
		return err
	}
	s.redirect(w, r, "/absences?flash=absence_saved")
	return nil
}

func (s *Server) absenceFromForm(r *http.Request, form absenceForm) (*directory.Absence, error) {
	me := principalFrom(r)
	personID := me.PersonID
	if form.Person != "" {
		p, err := s.findPersonRef(r, "person")
		if err != nil {
			return nil, err
		}
		personID = p.ID
	}
	if personID != me.PersonID && !me.Can("directory.manage") {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "absence.own_only", Field: "person"}
	}
	from, err := formDate(r, "from")
	if err != nil {
		return nil, err
	}
	until, err := formDate(r, "until")
	if err != nil {
		return nil, err
	}
	a := &directory.Absence{PersonID: personID, Starts: from, Reason: form.Reason}
	if !until.IsZero() {
		a.Ends = directory.DayAfter(until)
	}
	return a, a.Validate()
}

// absenceDelete withdraws an absence: one's own, or anyone's for those who
// manage the directory.
func (s *Server) absenceDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.store.Absence(r.Context(), id)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	if a.PersonID != me.PersonID && !me.Can("directory.manage") {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "absence.own_only"}
	}
	if err := s.store.DeleteAbsence(r.Context(), id); err != nil {
		return err
	}
	s.redirect(w, r, "/absences?flash=absence_deleted")
	return nil
}
