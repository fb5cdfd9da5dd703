package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/auth"
)

type totpData struct {
	Page
	Next string
	Err  error
}

// signinTOTPForm asks for the second factor after the password.
func (s *Server) signinTOTPForm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if !p.NeedsMFA {
		s.redirect(w, r, "/")
		return nil
	}
	return s.render(w, r, http.StatusOK, "signin_totp", totpData{Page: s.page(r, "totp.signin_title", ""), Next: safeNext(r.URL.Query().Get("next"))})
}

// signinTOTP checks the code. A wrong code counts as a failed sign-in, so
// the lockout covers guessing codes as it covers guessing passwords.
func (s *Server) signinTOTP(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	next := safeNext(r.PostFormValue("next"))
	if !p.NeedsMFA {
		s.redirect(w, r, next)
		return nil
	}
	acct, err := s.store.AccountOf(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	locked := acct.LockedUntil != nil && s.store.Now().Before(*acct.LockedUntil)
	// A recovery code stands in for the code of a lost phone, once.
	if !locked && auth.LooksLikeRecoveryCode(code) {
		used, err := s.useRecoveryCode(r, p.PersonID, p.SessionID, code)
		if err != nil {
			return err
		}
		if used {
			s.redirect(w, r, next)
			return nil
		}
	}
	if locked || !auth.CheckTOTP(acct.TOTPSecret, code, s.store.Now()) {
		lock := s.lockFor(r.Context(), acct.FailedCount+1)
		if err := s.store.RecordSigninFailure(r.Context(), p.PersonID, lock); err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnauthorized, "signin_totp", totpData{Page: s.page(r, "totp.signin_title", ""), Next: next,
			Err: &mamori.Error{Code: mamori.EUNAUTHORIZED, Message: "totp.wrong_code"}})
	}
	if err := s.store.CompleteMFA(r.Context(), p.SessionID, p.PersonID); err != nil {
		return err
	}
	s.redirect(w, r, next)
	return nil
}
