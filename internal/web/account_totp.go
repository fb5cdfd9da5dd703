package web

import (
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/auth"
)

type totpEnrolData struct {
	Page
	Secret   string
	QR       string
	Required bool
	Enabled  bool
	Err      error
}

// totpEnrolForm starts enrolment of a second factor: it makes a secret,
// kept pending until the person proves it with a code. Showing the page
// again shows the same pending secret, so a reload or a browser's second
// fetch does not invalidate what the person has already scanned.
func (s *Server) totpEnrolForm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	if p.MustChange {
		s.redirect(w, r, "/account/password")
		return nil
	}
	if p.NeedsMFA {
		s.redirect(w, r, "/signin/totp")
		return nil
	}
	d := totpEnrolData{Page: s.page(r, "totp.enrol_title", "account"), Required: p.MustEnrol, Enabled: p.MFAEnabled}
	if p.MFAEnabled {
		return s.render(w, r, http.StatusOK, "account_totp", d)
	}
	acct, err := s.store.AccountOf(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	secret, qr, err := auth.TOTPKey("mamori "+p.TenantSlug, acct.Login, acct.TOTPSecret)
	if err != nil {
		return err
	}
	if secret != acct.TOTPSecret {
		if err := s.store.SetTOTP(r.Context(), p.PersonID, secret, false); err != nil {
			return err
		}
	}
	d.Secret, d.QR = secret, qr
	return s.render(w, r, http.StatusOK, "account_totp", d)
}

// totpEnrol enables the pending secret once a code from it checks out.
func (s *Server) totpEnrol(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	if p.MustChange || p.NeedsMFA || p.MFAEnabled {
		s.redirect(w, r, "/account/totp")
		return nil
	}
	acct, err := s.store.AccountOf(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if acct.TOTPSecret == "" || !auth.CheckTOTP(acct.TOTPSecret, code, s.store.Now()) {
		secret, qr, err := auth.TOTPKey("mamori "+p.TenantSlug, acct.Login, acct.TOTPSecret)
		if err != nil {
			return err
		}
		if secret != acct.TOTPSecret {
			if err := s.store.SetTOTP(r.Context(), p.PersonID, secret, false); err != nil {
				return err
			}
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "account_totp", totpEnrolData{Page: s.page(r, "totp.enrol_title", "account"),
			Secret: secret, QR: qr, Required: p.MustEnrol, Err: &mamori.Error{Code: mamori.EINVALID, Message: "totp.wrong_code", Field: "code"}})
	}
	if err := s.store.SetTOTP(r.Context(), p.PersonID, acct.TOTPSecret, true); err != nil {
		return err
	}
	// The session that enrolled has proved the factor.
	if p.SessionID != "" {
		if err := s.store.CompleteMFA(r.Context(), p.SessionID, p.PersonID); err != nil {
			return err
		}
	}
	// Recovery codes, for the day the phone is lost: shown on this answer
	// only, stored hashed, each usable once.
	return s.showNewRecoveryCodes(w, r, p.PersonID, "flash.totp_enabled")
}
