package web

import (
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/auth"
	"mamori/internal/directory"
)

// managedPerson loads the person of the path and checks the principal may
// act on their account.
func (s *Server) managedPerson(r *http.Request) (*directory.Person, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := s.store.Person(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := canManagePerson(principalFrom(r), p); err != nil {
		return nil, err
	}
	return p, nil
}

// personAccount gives a person without one a sign-in account; the
// one-time password is shown once.
func (s *Server) personAccount(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	if login == "" {
		login = p.StaffNo
	}
	if err := checkLogin(login); err != nil {
		return s.renderPerson(w, r, http.StatusUnprocessableEntity, p.ID, err)
	}
	pw, hash, err := newTemporaryPassword()
	if err != nil {
		return err
	}
	if err := s.store.AddAccount(r.Context(), p.ID, login, hash); err != nil {
		if isUserError(err) {
			return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
		}
		return err
	}
	return s.render(w, r, http.StatusOK, "person_secret", personSecretData{dirPage: s.dirPage(r, "people.secret_title", "people"), Person: *p, Login: login, Password: pw})
}

func newTemporaryPassword() (pw, hash string, err error) {
	if pw, err = auth.OneTimePassword(); err != nil {
		return "", "", err
	}
	hash, err = auth.HashPassword(pw)
	return pw, hash, err
}

// personPasswordReset gives a person a new temporary password, shown once,
// to be changed at first use (下條村 第2章8(3)7: a forgotten password is
// reissued by the administrator), and signs them out everywhere.
func (s *Server) personPasswordReset(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	if p.ID == principalFrom(r).PersonID {
		return s.renderPerson(w, r, http.StatusForbidden, p.ID, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.not_self"})
	}
	acct, err := s.store.AccountOf(r.Context(), p.ID)
	if err != nil {
		if mamori.ErrorCode(err) == mamori.ENOTFOUND {
			return s.renderPerson(w, r, http.StatusConflict, p.ID, &mamori.Error{Code: mamori.ECONFLICT, Message: "people.no_account"})
		}
		return err
	}
	pw, hash, err := newTemporaryPassword()
	if err != nil {
		return err
	}
	if err := s.store.ResetPassword(r.Context(), p.ID, hash); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "person_secret", personSecretData{dirPage: s.dirPage(r, "people.secret_title", "people"), Person: *p, Login: acct.Login, Password: pw, Reset: true})
}

// personTOTPReset removes a person's second factor (a lost phone) and
// their recovery codes; they enrol again at their next sign-in.
func (s *Server) personTOTPReset(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	if p.ID == principalFrom(r).PersonID {
		return s.renderPerson(w, r, http.StatusForbidden, p.ID, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.not_self"})
	}
	if err := s.store.ResetTOTP(r.Context(), p.ID); err != nil {
		if isUserError(err) {
			return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
		}
		return err
	}
	s.redirect(w, r, "/people/"+strconv.FormatInt(p.ID, 10)+"?flash=totp_reset")
	return nil
}
