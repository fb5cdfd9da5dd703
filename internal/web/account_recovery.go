package web

import (
	"net/http"

	"mamori"
	"mamori/internal/auth"
)

type recoveryData struct {
	Page
	Enabled bool
	Left    int
	Codes   []string // shown once, right after they are made
	Err     error
}

// recoveryShow says how many recovery codes are left.
func (s *Server) recoveryShow(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	codes, err := s.store.RecoveryCodes(r.Context(), p.PersonID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account_recovery", recoveryData{Page: s.page(r, "recovery.title", "account"), Enabled: p.MFAEnabled, Left: len(codes)})
}

// recoveryRegenerate replaces the person's recovery codes with new ones,
// shown once on this answer; the old ones stop working.
func (s *Server) recoveryRegenerate(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := noToken(p); err != nil {
		return err
	}
	if !p.MFAEnabled {
		return s.render(w, r, http.StatusConflict, "account_recovery", recoveryData{Page: s.page(r, "recovery.title", "account"),
			Err: &mamori.Error{Code: mamori.ECONFLICT, Message: "recovery.no_totp"}})
	}
	return s.showNewRecoveryCodes(w, r, p.PersonID, "")
}

// showNewRecoveryCodes makes, stores and shows new recovery codes.
func (s *Server) showNewRecoveryCodes(w http.ResponseWriter, r *http.Request, personID int64, flash string) error {
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return err
	}
	if err := s.store.SetRecoveryCodes(r.Context(), personID, hashes); err != nil {
		return err
	}
	d := recoveryData{Page: s.page(r, "recovery.title", "account"), Enabled: true, Left: len(codes), Codes: codes}
	d.Flash = flash
	return s.render(w, r, http.StatusOK, "account_recovery", d)
}

// useRecoveryCode spends a recovery code of the person in place of the
// second factor for this session; false when it is not one of theirs.
// A wrong code is answered like a wrong TOTP code, so the answer never
// tells which kind was tried.
func (s *Server) useRecoveryCode(r *http.Request, personID int64, sessionID, code string) (bool, error) {
	hashes, err := s.store.RecoveryCodes(r.Context(), personID)
	if err != nil {
		return false, err
	}
	i := auth.MatchRecoveryCode(hashes, code)
	if i < 0 {
		return false, nil
	}
	return s.store.UseRecoveryCode(r.Context(), personID, hashes[i], sessionID)
}
