package web

import (
	"net/http"

	"mamori"
	"mamori/internal/auth"
)

// defaultMinPasswordLength applies where the policy asks only for "a
// sufficient length" (藤枝市 第2章6(1)⑦ア) without a number.
const defaultMinPasswordLength = 10

type passwordData struct {
	Page
	MustChange bool
	Min        int
	Err        error
}

func (s *Server) minPasswordLength(r *http.Request) int {
	if pol, err := s.activePolicy(r); err == nil && pol.Auth().Password.MinLength.Value > 0 {
		return pol.Auth().Password.MinLength.Value
	}
	return defaultMinPasswordLength
}

// passwordForm shows the password change page; after sign-in with a
// temporary password it is the only page a person can reach
// (下條村 第2章7(7)6, 天草 第30条2).
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	return s.render(w, r, http.StatusOK, "account_password", passwordData{Page: s.page(r, "password.title", "account"), MustChange: p.MustChange, Min: s.minPasswordLength(r)})
}

// passwordChange checks the current password and sets the new one.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	min := s.minPasswordLength(r)
	again := func(err error) error {
		return s.render(w, r, http.StatusUnprocessableEntity, "account_password", passwordData{Page: s.page(r, "password.title", "account"), MustChange: p.MustChange, Min: min, Err: err})
	}
	current, next, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	acct, err := s.store.AccountOf(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	if ok, err := auth.CheckPassword(acct.PasswordHash, current); err != nil {
		return err
	} else if !ok {
		return again(mamori.FieldError("current", "password.wrong_current", nil))
	}
	switch {
	case len([]rune(next)) < min:
		return again(mamori.FieldError("new", "password.too_short", map[string]any{"Min": min}))
	case next != confirm:
		return again(mamori.FieldError("confirm", "password.mismatch", nil))
	case next == current:
		return again(mamori.FieldError("new", "password.same_as_current", nil))
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), p.PersonID, hash, false); err != nil {
		return err
	}
	s.redirect(w, r, "/?flash=password_changed")
	return nil
}
