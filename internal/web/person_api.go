package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/store"
)

type personJSON struct {
	ID          int64    `json:"id"`
	StaffNo     string   `json:"staff_no"`
	Name        string   `json:"name"`
	Kana        string   `json:"kana,omitempty"`
	Email       string   `json:"email,omitempty"`
	Kind        string   `json:"kind"`
	UnitID      int64    `json:"unit_id,omitempty"`
	Admin       bool     `json:"admin"`
	Status      string   `json:"status"`
	NeedsReview bool     `json:"needs_review"`
	Segments    []string `json:"segments,omitempty"`
}

func toPersonJSON(p directory.Person, segs []string) personJSON {
	return personJSON{ID: p.ID, StaffNo: p.StaffNo, Name: p.Name, Kana: p.Kana, Email: p.Email, Kind: string(p.Kind), UnitID: p.UnitID,
		Admin: p.IsAdmin, Status: string(p.Status), NeedsReview: p.NeedsReview, Segments: segs}
}

type personInput struct {
	StaffNo  string    `json:"staff_no"`
	Name     string    `json:"name"`
	Kana     string    `json:"kana"`
	Email    string    `json:"email"`
	Kind     string    `json:"kind"`
	UnitID   int64     `json:"unit_id"`
	Admin    bool      `json:"admin"`
	Segments *[]string `json:"segments"`
	// Account, on creation: give the person a sign-in account (login, by
	// default the staff number) with a one-time password in the answer.
	Account bool   `json:"account"`
	Login   string `json:"login"`
}

func (in personInput) person() directory.Person {
	return directory.Person{StaffNo: in.StaffNo, Name: in.Name, Kana: strings.TrimSpace(in.Kana), Email: in.Email,
		Kind: directory.PersonKind(in.Kind), UnitID: in.UnitID, IsAdmin: in.Admin}
}

// apiPeople lists people, filtered as the page is (q, unit, kind, status,
// review=1), a page at a time (limit, offset).
func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PeopleFilter{Query: q.Get("q"), UnitID: atoi64(q.Get("unit")), Kind: directory.PersonKind(q.Get("kind")),
		Status: directory.PersonStatus(q.Get("status")), NeedsReview: q.Get("review") == "1",
		Limit: int(atoi64(q.Get("limit"))), Offset: int(atoi64(q.Get("offset")))}
	people, total, err := s.store.People(r.Context(), f)
	if err != nil {
		return err
	}
	out := []personJSON{}
	for _, p := range people {
		out = append(out, toPersonJSON(p, nil))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"people": out, "total": total})
}

// apiPerson returns one person with the segments they work in.
func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	segs, err := s.store.Segments(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPersonJSON(*p, segs))
}

// apiPersonCreate adds a person, with a sign-in account when asked; the
// one-time password is in this answer only.
func (s *Server) apiPersonCreate(w http.ResponseWriter, r *http.Request) error {
	var in personInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	me := principalFrom(r)
	p := in.person()
	if p.IsAdmin && !me.IsAdmin {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.admin_only", Field: "admin"}
	}
	pol, _ := s.activePolicy(r)
	var segs []string
	if in.Segments != nil {
		var err error
		if segs, err = checkSegments(pol, *in.Segments); err != nil {
			return err
		}
	}
	out := map[string]any{}
	var hash string
	login := ""
	if in.Account {
		login = strings.TrimSpace(in.Login)
		if login == "" {
			login = strings.TrimSpace(p.StaffNo)
		}
		if err := checkLogin(login); err != nil {
			return err
		}
		pw, h, err := newTemporaryPassword()
		if err != nil {
			return err
		}
		hash = h
		out["login"], out["one_time_password"] = login, pw
	}
	if err := s.store.CreatePersonWith(r.Context(), &p, segs, login, hash); err != nil {
		return err
	}
	out["person"] = toPersonJSON(p, segs)
	return writeJSON(w, http.StatusCreated, out)
}

// apiPersonUpdate replaces a person's fields (segments only when given).
func (s *Server) apiPersonUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in personInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if in.Account || in.Login != "" {
		return mamori.FieldError("account", "people.account_on_create", nil)
	}
	old, err := s.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	if err := canManagePerson(me, old); err != nil {
		return err
	}
	p := in.person()
	p.ID = id
	if !me.IsAdmin {
		if p.IsAdmin != old.IsAdmin {
			return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.admin_only", Field: "admin"}
		}
	}
	var segs []string
	if in.Segments != nil {
		pol, _ := s.activePolicy(r)
		if segs, err = checkSegments(pol, *in.Segments); err != nil {
			return err
		}
	}
	if err := s.store.UpdatePerson(r.Context(), &p, segs); err != nil {
		return err
	}
	if segs == nil {
		if segs, err = s.store.Segments(r.Context(), id); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, toPersonJSON(p, segs))
}

// apiPersonStatus suspends, reinstates or marks as left; suspension ends
// the person's sessions and API tokens at once (下條村 第2章9(6)(2), 天草
// 第39条(3)).
func (s *Server) apiPersonStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	status, reason := directory.PersonStatus(in.Status), strings.TrimSpace(in.Reason)
	if err := s.checkStatusChange(r, p, status, reason); err != nil {
		return err
	}
	if err := s.store.SetPersonStatus(r.Context(), p.ID, status, reason); err != nil {
		return err
	}
	p.Status = status
	return writeJSON(w, http.StatusOK, toPersonJSON(*p, nil))
}
