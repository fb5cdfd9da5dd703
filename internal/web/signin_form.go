package web

import (
	"net/http"
)

type signinData struct {
	Page
	Tenant    string
	OneTenant bool
	Login     string
	Next      string
	Err       error
}

// signinForm shows the sign-in page. When the database serves a single
// organization its code is filled in and hidden.
func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) error {
	if principalFrom(r) != nil {
		s.redirect(w, r, "/")
		return nil
	}
	d := signinData{Page: s.page(r, "signin.title", ""), Next: safeNext(r.URL.Query().Get("next"))}
	if ts, err := s.store.Tenants(r.Context()); err == nil && len(ts) == 1 {
		d.Tenant, d.OneTenant = ts[0].Slug, true
	}
	return s.render(w, r, http.StatusOK, "signin", d)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if len(next) < 2 || next[0] != '/' || next[1] == '/' || next[1] == '\\' {
		return "/"
	}
	return next
}
