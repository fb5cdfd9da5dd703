package web

import (
	"net/http"

	"mamori/internal/i18n"
)

// setLang remembers the language a person chose and returns them to the
// page they were on.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: i18n.Lang(r.PostFormValue("lang")), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	s.redirect(w, r, safeNext(r.PostFormValue("next")))
	return nil
}
