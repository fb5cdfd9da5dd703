package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/store"
)

type assignmentJSON struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	StaffNo    string     `json:"staff_no"`
	PersonName string     `json:"person_name"`
	Role       string     `json:"role"`
	UnitID     int64      `json:"unit_id,omitempty"`
	ValidFrom  time.Time  `json:"valid_from"`
	ValidUntil *time.Time `json:"valid_until,omitempty"`
}

func toAssignmentJSON(a directory.Assignment) assignmentJSON {
	return assignmentJSON{ID: a.ID, PersonID: a.PersonID, StaffNo: a.StaffNo, PersonName: a.PersonName, Role: a.Role, UnitID: a.UnitID, ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil}
}

// apiRoles lists role assignments: by person, role, unit; current=1 keeps
// those that hold now.
func (s *Server) apiRoles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.AssignmentFilter{PersonID: atoi64(q.Get("person")), Role: q.Get("role"), UnitID: atoi64(q.Get("unit"))}
	if q.Get("current") == "1" {
		now := s.now()
		f.At = &now
	}
	as, err := s.store.Assignments(r.Context(), f)
	if err != nil {
		return err
	}
	out := []assignmentJSON{}
	for _, a := range as {
		out = append(out, toAssignmentJSON(a))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"assignments": out})
}

// apiRoleAssign gives a person a role of the active policy.
func (s *Server) apiRoleAssign(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PersonID  int64  `json:"person_id"`
		StaffNo   string `json:"staff_no"`
		Role      string `json:"role"`
		UnitID    int64  `json:"unit_id"`
		ValidFrom string `json:"valid_from"` // a date; today when empty
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	var p *directory.Person
	var err error
	if in.StaffNo != "" {
		p, err = s.store.PersonByStaffNo(r.Context(), strings.TrimSpace(in.StaffNo))
	} else {
		p, err = s.store.Person(r.Context(), in.PersonID)
	}
	if err != nil {
		return fieldError(err, "person_id")
	}
	if in.StaffNo != "" && in.PersonID != 0 && in.PersonID != p.ID {
		// Two different people named: refuse rather than guess.
		return mamori.FieldError("person_id", "role.person_mismatch", map[string]any{"StaffNo": in.StaffNo})
	}
	me := principalFrom(r)
	if p.ID == me.PersonID && !me.IsAdmin {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "role.not_self", Field: "person_id"}
	}
	if err := canManagePerson(me, p); err != nil {
		return err
	}
	from := s.now()
	if in.ValidFrom != "" {
		d, err := directory.ParseDate(in.ValidFrom)
		if err != nil {
			return mamori.FieldError("valid_from", "date.invalid", map[string]any{"Value": in.ValidFrom})
		}
		if d.After(from) {
			from = d
		}
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	a := &directory.Assignment{PersonID: p.ID, Role: in.Role, UnitID: in.UnitID, ValidFrom: from}
	if err := directory.Assign(r.Context(), s.store, pol, a); err != nil {
		return err
	}
	a.PersonName, a.StaffNo = p.Name, p.StaffNo
	return writeJSON(w, http.StatusCreated, toAssignmentJSON(*a))
}

func fieldError(err error, field string) error {
	if e, ok := mamori.AsError(err); ok && e.Code == mamori.ENOTFOUND {
		return &mamori.Error{Code: mamori.EINVALID, Message: e.Message, Args: e.Args, Field: field}
	}
	return err
}

// apiRoleEnd ends a role assignment now.
func (s *Server) apiRoleEnd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.store.Assignment(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), a.PersonID)
	if err != nil {
		return err
	}
	if err := canManagePerson(principalFrom(r), p); err != nil {
		return err
	}
	if err := s.store.EndAssignment(r.Context(), id, s.now()); err != nil {
		return err
	}
	if a, err = s.store.Assignment(r.Context(), id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toAssignmentJSON(*a))
}

type actingJSON struct {
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Role        string `json:"role"`
	AsRole      string `json:"as_role"`
	UnitID      int64  `json:"unit_id,omitempty"`
	ForPersonID int64  `json:"for_person_id,omitempty"`
}

// apiRoleResolve answers who acts in a role for a unit at a time (now by
// default): the holders, or the substitutes standing in for absent ones.
func (s *Server) apiRoleResolve(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	at := s.now()
	if v := q.Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = directory.ParseDate(v); err != nil {
				return mamori.FieldError("at", "date.invalid", map[string]any{"Value": v})
			}
			t = t.Add(12 * time.Hour)
		}
		at = t
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	matter, err := parseMatter(q.Get("matter"))
	if err != nil {
		return err
	}
	unit, _ := strconv.ParseInt(q.Get("unit"), 10, 64)
	acting, err := directory.NewService(s.store).Resolve(r.Context(), pol, matter, q.Get("role"), unit, at)
	if err != nil {
		return err
	}
	out := []actingJSON{}
	for _, a := range acting {
		out = append(out, actingJSON{PersonID: a.PersonID, Name: a.Name, Email: a.Email, Role: a.Role, AsRole: a.AsRole, UnitID: a.UnitID, ForPersonID: a.ForPersonID})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"acting": out, "at": at})
}
