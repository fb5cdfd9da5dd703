package web

import (
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/directory"
)

// personStatus suspends a person's rights (下條村 第2章9(6)(2), 天草
// 第39条(3)), reinstates them, or records that they left. Suspending and
// leaving end the person's sessions and API tokens at once: their next
// request is refused. A reason is required for the record.
func (s *Server) personStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	status := directory.PersonStatus(r.PostFormValue("status"))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if err := s.checkStatusChange(r, p, status, reason); err != nil {
		return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
	}
	if err := s.store.SetPersonStatus(r.Context(), p.ID, status, reason); err != nil {
		if isUserError(err) {
			return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
		}
		return err
	}
	s.redirect(w, r, "/people/"+strconv.FormatInt(p.ID, 10)+"?flash=status_"+string(status))
	return nil
}

func (s *Server) checkStatusChange(r *http.Request, p *directory.Person, status directory.PersonStatus, reason string) error {
	if !status.Valid() {
		return mamori.FieldError("status", "people.status_invalid", nil)
	}
	if p.ID == principalFrom(r).PersonID {
		return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.not_self"}
	}
	if status != directory.StatusActive && reason == "" {
		return mamori.FieldError("reason", "people.reason_required", nil)
	}
	if len([]rune(reason)) > 500 {
		return mamori.FieldError("reason", "people.reason_too_long", nil)
	}
	return nil
}

// personReviewed records that a person's access was reviewed after a move
// (下條村 第2章8(3)9, 12) and clears the flag. Nobody reviews their own
// access.
func (s *Server) personReviewed(w http.ResponseWriter, r *http.Request) error {
	p, err := s.managedPerson(r)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	if p.ID == me.PersonID && !me.IsAdmin {
		return s.renderPerson(w, r, http.StatusForbidden, p.ID, &mamori.Error{Code: mamori.EFORBIDDEN, Message: "people.review_self"})
	}
	if err := s.store.ClearReview(r.Context(), p.ID); err != nil {
		if isUserError(err) {
			return s.renderPerson(w, r, statusOf(codeOf(err)), p.ID, err)
		}
		return err
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "/" {
		next = "/people/" + strconv.FormatInt(p.ID, 10)
	}
	s.redirect(w, r, next+sep(next)+"flash=reviewed")
	return nil
}

func sep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}
