package web

import (
	"net/http"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/store"
)

type absenceJSON struct {
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	PersonName string    `json:"person_name"`
	Starts     time.Time `json:"starts_at"`
	Ends       time.Time `json:"ends_at"`
	Reason     string    `json:"reason,omitempty"`
}

func toAbsenceJSON(a directory.Absence) absenceJSON {
	return absenceJSON{ID: a.ID, PersonID: a.PersonID, PersonName: a.PersonName, Starts: a.Starts, Ends: a.Ends, Reason: a.Reason}
}

// apiAbsences lists absences (person=ID; current=1 keeps those not over).
func (s *Server) apiAbsences(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.AbsenceFilter{PersonID: atoi64(q.Get("person"))}
	if q.Get("current") == "1" {
		now := s.now()
		f.EndsAfter = &now
	}
	as, err := s.store.Absences(r.Context(), f)
	if err != nil {
		return err
	}
	out := []absenceJSON{}
	for _, a := range as {
		out = append(out, toAbsenceJSON(a))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"absences": out})
}

// apiAbsenceCreate records an absence from the first to the last day named
// (both included): one's own, or anyone's with directory.manage.
func (s *Server) apiAbsenceCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PersonID int64  `json:"person_id"`
		From     string `json:"from"`
		Until    string `json:"until"`
		Reason   string `json:"reason"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	me := principalFrom(r)
	if in.PersonID == 0 {
		in.PersonID = me.PersonID
	}
	if in.PersonID != me.PersonID && !me.Can("directory.manage") {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "absence.own_only", Field: "person_id"}
	}
	from, err := directory.ParseDate(in.From)
	if err != nil {
		return mamori.FieldError("from", "date.invalid", map[string]any{"Value": in.From})
	}
	until, err := directory.ParseDate(in.Until)
	if err != nil {
		return mamori.FieldError("until", "date.invalid", map[string]any{"Value": in.Until})
	}
	a := &directory.Absence{PersonID: in.PersonID, Starts: from, Ends: directory.DayAfter(until), Reason: strings.TrimSpace(in.Reason)}
	if err := s.store.CreateAbsence(r.Context(), a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toAbsenceJSON(*a))
}

// apiAbsenceDelete withdraws an absence.
func (s *Server) apiAbsenceDelete(w http.ResponseWriter, r *http.Request) error {
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}
