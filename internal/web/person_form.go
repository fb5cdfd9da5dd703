package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

type personFormData struct {
	dirPage
	dirLookups
	Person   directory.Person
	Segments []string
	Kinds    []directory.PersonKind
	Account  bool // create a sign-in account with the person
	Login    string
	Edit     bool
	Err      error
}

// HasSegment reports whether the form has segment checked.
func (d personFormData) HasSegment(id string) bool { return slices.Contains(d.Segments, id) }

// personSecretData shows a one-time password once, after an account is
// created or a password reset.
type personSecretData struct {
	dirPage
	Person   directory.Person
	Login    string
	Password string
	Reset    bool
}

// personNew shows the form for a new person.
func (s *Server) personNew(w http.ResponseWriter, r *http.Request) error {
	p := directory.Person{Kind: directory.KindStaff, UnitID: atoi64(r.URL.Query().Get("unit"))}
	return s.renderPersonForm(w, r, http.StatusOK, personFormData{Person: p, Account: true})
}

// personEdit shows the form to change a person.
func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	if err := canManagePerson(principalFrom(r), p); err != nil {
		return err
	}
	segs, err := s.store.Segments(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderPersonForm(w, r, http.StatusOK, personFormData{Person: *p, Segments: segs, Edit: true})
}

func (s *Server) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, d personFormData) error {
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	title := "people.new_title"
	if d.Edit {
		title = "people.edit_title"
	}
	d.dirPage, d.dirLookups, d.Kinds = s.dirPage(r, title, "people"), l, directory.PersonKinds
	return s.render(w, r, status, "person_form", d)
}

// personFromForm reads the person form; segments are checked against the
// active policy's.
func personFromForm(r *http.Request, pol *policy.Policy) (directory.Person, []string, error) {
	p := directory.Person{
		StaffNo: r.PostFormValue("staff_no"),
		Name:    r.PostFormValue("name"),
		Kana:    strings.TrimSpace(r.PostFormValue("kana")),
		Email:   r.PostFormValue("email"),
		Kind:    directory.PersonKind(r.PostFormValue("kind")),
		UnitID:  atoi64(r.PostFormValue("unit_id")),
		IsAdmin: r.PostFormValue("is_admin") == "on",
	}
	segs, err := checkSegments(pol, r.PostForm["segments"])
	return p, segs, err
}

// checkSegments keeps the segments the policy defines; any other is an
// error naming it.
func checkSegments(pol *policy.Policy, in []string) ([]string, error) {
	out := []string{}
	for _, id := range in {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(out, id) {
			continue
		}
		known := false
		if pol != nil {
			for _, seg := range pol.Segments() {
				known = known || seg.ID == id
			}
		}
		if !known {
			return nil, mamori.FieldError("segments", "people.segment_unknown", map[string]any{"Segment": id})
		}
		out = append(out, id)
	}
	return out, nil
}

// personCreate adds a person and, when asked, a sign-in account whose
// one-time password is shown once, on the answer to this request, and
// must be changed at first sign-in (下條村 第2章7(7)6, 天草 第30条2).
func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	pol, _ := s.activePolicy(r)
	p, segs, err := personFromForm(r, pol)
	account := r.PostFormValue("account") == "on"
	login := strings.TrimSpace(r.PostFormValue("login"))
	again := func(err error) error {
		return s.renderPersonForm(w, r, statusOf(codeOf(err)), personFormData{Person: p, Segments: r.PostForm["segments"], Account: account, Login: login, Err: err})
	}
	if err != nil {
		return again(err)
	}
	if p.IsAdmin && !me.IsAdmin {
		return again(&mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.admin_only", Field: "is_admin"})
	}
	var pw, hash string
	if account {
		if login == "" {
			login = strings.TrimSpace(p.StaffNo)
		}
		if err := checkLogin(login); err != nil {
			return again(err)
		}
		if pw, err = auth.OneTimePassword(); err != nil {
			return err
		}
		if hash, err = auth.HashPassword(pw); err != nil {
			return err
		}
	} else {
		login = ""
	}
	if err := s.store.CreatePersonWith(r.Context(), &p, segs, login, hash); err != nil {
		if isUserError(err) {
			return again(err)
		}
		return err
	}
	if !account {
		s.redirect(w, r, "/people/"+strconv.FormatInt(p.ID, 10)+"?flash=person_saved")
		return nil
	}
	return s.render(w, r, http.StatusOK, "person_secret", personSecretData{dirPage: s.dirPage(r, "people.secret_title", "people"), Person: p, Login: login, Password: pw})
}

// checkLogin accepts a login ID people can type: no spaces, not too long.
func checkLogin(login string) error {
	if login == "" || len(login) > 64 || strings.ContainsAny(login, " \t\r\n\u3000") {
		return mamori.FieldError("login", "people.login_invalid", nil)
	}
	return nil
}

// personUpdate changes a person. Moving them to another unit here flags
// them for an access review, as a transfer does.
func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	old, err := s.store.Person(r.Context(), id)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	if err := canManagePerson(me, old); err != nil {
		return err
	}
	pol, _ := s.activePolicy(r)
	p, segs, err := personFromForm(r, pol)
	p.ID = id
	again := func(err error) error {
		return s.renderPersonForm(w, r, statusOf(codeOf(err)), personFormData{Person: p, Segments: r.PostForm["segments"], Edit: true, Err: err})
	}
	if err != nil {
		return again(err)
	}
	if !me.IsAdmin {
		p.IsAdmin = old.IsAdmin
	}
	if me.PersonID == id && old.IsAdmin && !p.IsAdmin {
		return again(&mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.not_self", Field: "is_admin"})
	}
	if err := s.store.UpdatePerson(r.Context(), &p, segs); err != nil {
		if isUserError(err) {
			return again(err)
		}
		return err
	}
	s.redirect(w, r, "/people/"+strconv.FormatInt(id, 10)+"?flash=person_saved")
	return nil
}
