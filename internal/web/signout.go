package web

import "net/http"

// signout ends this browser's session.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if p.SessionID != "" {
		if err := s.store.DeleteSession(r.Context(), p.SessionID, p.PersonID); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	s.redirect(w, r, "/signin?flash=signed_out")
	return nil
}

// signoutEverywhere ends every session and API token of the person.
func (s *Server) signoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r)
	if err := s.store.EndSessions(r.Context(), p.PersonID, "auth.signout_everywhere"); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	s.redirect(w, r, "/signin?flash=signed_out")
	return nil
}
