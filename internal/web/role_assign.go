package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// roleAssign gives a person a role of the active policy, from a day (today
// by default). Nobody but an administrator gives a role to themselves.
func (s *Server) roleAssign(w http.ResponseWriter, r *http.Request) error {
	form := roleForm{Person: strings.TrimSpace(r.PostFormValue("person")), Role: r.PostFormValue("role"), UnitID: atoi64(r.PostFormValue("unit_id")), From: r.PostFormValue("from")}
	back := safeNext(r.PostFormValue("next"))
	a, err := s.assignFromForm(r)
	if err == nil {
		err = directory.Assign(r.Context(), s.store, s.policyOrNil(r), a)
	}
	if err != nil {
		if !isUserError(err) {
			return err
		}
		if strings.HasPrefix(back, "/people/") {
			return s.renderPerson(w, r, statusOf(codeOf(err)), atoi64(strings.TrimPrefix(back, "/people/")), err)
		}
		return s.renderRoles(w, r, statusOf(codeOf(err)), form, err, roleResolution{})
	}
	if back == "/" {
		back = "/roles"
	}
	s.redirect(w, r, back+sep(back)+"flash=role_assigned")
	return nil
}

func (s *Server) assignFromForm(r *http.Request) (*directory.Assignment, error) {
	p, err := s.findPersonRef(r, "person")
	if err != nil {
		return nil, err
	}
	me := principalFrom(r)
	if p.ID == me.PersonID && !me.IsAdmin {
		return nil, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "role.not_self", Field: "person"}
	}
	if err := canManagePerson(me, p); err != nil {
		return nil, err
	}
	from, err := formDate(r, "from")
	if err != nil {
		return nil, err
	}
	if from.IsZero() || !from.After(s.now()) {
		from = s.now() // today: from now, not from midnight gone
	}
	return &directory.Assignment{PersonID: p.ID, Role: r.PostFormValue("role"), UnitID: atoi64(r.PostFormValue("unit_id")), ValidFrom: from}, nil
}

func (s *Server) policyOrNil(r *http.Request) *policy.Policy {
	pol, _ := s.activePolicy(r)
	return pol
}

// roleEnd ends a role held, now.
func (s *Server) roleEnd(w http.ResponseWriter, r *http.Request) error {
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
	back := safeNext(r.PostFormValue("next"))
	if back == "/" {
		back = "/roles"
	}
	if err := s.store.EndAssignment(r.Context(), id, s.now()); err != nil {
		if isUserError(err) {
			return s.renderRoles(w, r, statusOf(codeOf(err)), roleForm{}, err, roleResolution{})
		}
		return err
	}
	s.redirect(w, r, back+sep(back)+"flash=role_ended")
	return nil
}
