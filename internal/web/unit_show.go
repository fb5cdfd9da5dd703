package web

import (
	"net/http"
	"strconv"

	"mamori/internal/directory"
	"mamori/internal/store"
)

type unitData struct {
	dirPage
	dirLookups
	Unit      directory.Unit
	Ancestors []directory.Unit // the root first
	Children  []directory.TreeNode
	People    []directory.Person
	Holders   []directory.Assignment
	Form      directory.Unit
	Err       error
}

// unitShow shows a unit: where it sits, its sub-units, its people and the
// roles held for it; for managers, the form to change it.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.Unit(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, http.StatusOK, u, *u, nil)
}

func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, status int, u *directory.Unit, form directory.Unit, formErr error) error {
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	d := unitData{dirPage: s.dirPage(r, "unit.title", "units"), dirLookups: l, Unit: *u, Form: form, Err: formErr}
	path, err := s.store.UnitPath(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for i := len(path) - 1; i > 0; i-- {
		d.Ancestors = append(d.Ancestors, path[i])
	}
	in := false
	for _, n := range l.Units {
		switch {
		case n.ID == u.ID:
			in = true
		case in && n.ParentID == u.ID:
			d.Children = append(d.Children, n)
		}
	}
	if d.People, _, err = s.store.People(r.Context(), store.PeopleFilter{UnitID: u.ID, Status: directory.StatusActive, Limit: 500}); err != nil {
		return err
	}
	now := s.now()
	if d.Holders, err = s.store.Assignments(r.Context(), store.AssignmentFilter{UnitID: u.ID, At: &now}); err != nil {
		return err
	}
	return s.render(w, r, status, "unit", d)
}

// unitUpdate changes a unit.
func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	old, err := s.store.Unit(r.Context(), id)
	if err != nil {
		return err
	}
	u := unitFromForm(r)
	u.ID = id
	err = s.checkBody(r, u.Body)
	if err == nil {
		err = s.store.UpdateUnit(r.Context(), &u)
	}
	if err != nil {
		if isUserError(err) {
			return s.renderUnit(w, r, statusOf(codeOf(err)), old, u, err)
		}
		return err
	}
	s.redirect(w, r, "/units/"+strconv.FormatInt(id, 10)+"?flash=unit_saved")
	return nil
}

// unitDelete removes a unit nothing refers to.
func (s *Server) unitDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.Unit(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUnit(r.Context(), id); err != nil {
		if isUserError(err) {
			return s.renderUnit(w, r, statusOf(codeOf(err)), u, *u, err)
		}
		return err
	}
	s.redirect(w, r, "/directory?flash=unit_deleted")
	return nil
}
