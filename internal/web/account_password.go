package web

import (
	"net/http"

	"mamori"
	"mamori/internal/auth"
)

type passwordData struct {
	Page
	MustChange bool
	Expired    bool
	Min        int
	History    int
	MaxAgeDays int
	Err        error
}

// passwordRules are the password rules of the request's active policy.
func (s *Server) passwordRules(r *http.Request) auth.PasswordRules {
	pol, _ := s.activePolicy(r)
	return auth.RulesFrom(pol)
}

func (s *Server) passwordPage(r *http.Request, err error) passwordData {
	p := principalFrom(r)
	rules := s.passwordRules(r)
	return passwordData{Page: s.page(r, "password.title", "account"), MustChange: p.MustChange, Expired: p.PasswordExpired,
		Min: rules.MinLength, History: rules.History, MaxAgeDays: rules.MaxAgeDays, Err: err}
}

// passwordForm shows the password change page; after sign-in with a
// temporary password, or with one older than the policy allows, it is the
// only page a person can reach (下條村 第2章7(7)5, 6; 天草 第30条2).
func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	if err := noToken(principalFrom(r)); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account_password", s.passwordPage(r, nil))
}

// passwordChange checks the current password and sets the new one under
// the active policy's rules: its length, and none of the person's last
// passwords again (下條村 第2章7(7)5).
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	rules := s.passwordRules(r)
	again := func(err error) error {
		return s.render(w, r, http.StatusUnprocessableEntity, "account_password", s.passwordPage(r, err))
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
	if err := rules.Check(next, confirm, current); err != nil {
		return again(err)
	}
	history, err := s.store.PasswordHistory(r.Context(), p.PersonID, rules.History)
	if err != nil {
		return err
	}
	if reused, err := auth.Reused(next, history); err != nil {
		return err
	} else if reused {
		return again(mamori.FieldError("new", "password.reused", map[string]any{"N": rules.History}))
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	if err := s.store.ChangePassword(r.Context(), p.PersonID, hash); err != nil {
		return err
	}
	s.redirect(w, r, "/?flash=password_changed")
	return nil
}
