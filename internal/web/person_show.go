package web

import (
	"net/http"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/store"
)

type personData struct {
	dirPage
	dirLookups
	Person    directory.Person
	Account   *store.Account // nil: no sign-in account
	Segments  []string
	Roles     []directory.Assignment // current and past
	Absences  []directory.Absence
	Tokens    []store.APIToken
	Recovery  int // unused recovery codes
	CanManage bool
	Locked    bool
	Now       time.Time
	Err       error
}

// personShow shows a person: details, roles held (now and before),
// absences; for managers the account's state and the actions on it.
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderPerson(w, r, http.StatusOK, id, nil)
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, status int, id int64, actionErr error) error {
	p, err := s.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	d := personData{dirPage: s.dirPage(r, "people.person_title", "people"), dirLookups: l, Person: *p, Err: actionErr,
		CanManage: me.Can("directory.manage") && canManagePerson(me, p) == nil, Now: s.now()}
	if d.Roles, err = s.store.Assignments(r.Context(), store.AssignmentFilter{PersonID: id}); err != nil {
		return err
	}
	if d.Absences, err = s.store.Absences(r.Context(), store.AbsenceFilter{PersonID: id}); err != nil {
		return err
	}
	if d.Segments, err = s.store.Segments(r.Context(), id); err != nil {
		return err
	}
	if d.CanManage || me.PersonID == id {
		acct, err := s.store.AccountOf(r.Context(), id)
		switch {
		case err == nil:
			d.Account = acct
			d.Locked = acct.LockedUntil != nil && s.now().Before(*acct.LockedUntil)
		case mamori.ErrorCode(err) != mamori.ENOTFOUND:
			return err
		}
		if d.Tokens, err = s.store.APITokens(r.Context(), id); err != nil {
			return err
		}
		codes, err := s.store.RecoveryCodes(r.Context(), id)
		if err != nil {
			return err
		}
		d.Recovery = len(codes)
	}
	return s.render(w, r, status, "person", d)
}

// Current reports whether an assignment holds now.
func (d personData) Current(a directory.Assignment) bool { return a.Current(d.Now) }
