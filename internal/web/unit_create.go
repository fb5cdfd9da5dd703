package web

import (
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/directory"
)

// unitFromForm reads the fields of the unit form.
func unitFromForm(r *http.Request) directory.Unit {
	sort, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("sort")))
	return directory.Unit{
		ParentID: atoi64(r.PostFormValue("parent_id")),
		Code:     r.PostFormValue("code"),
		Name:     r.PostFormValue("name"),
		NameEN:   r.PostFormValue("name_en"),
		Kind:     directory.UnitKind(r.PostFormValue("kind")),
		Body:     r.PostFormValue("body"),
		Sort:     sort,
	}
}

// unitCreate adds a unit to the organization.
func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	u := unitFromForm(r)
	err := s.checkBody(r, u.Body)
	if err == nil {
		err = s.store.CreateUnit(r.Context(), &u)
	}
	if err != nil {
		if isUserError(err) {
			return s.renderDirectory(w, r, statusOf(codeOf(err)), u, err)
		}
		return err
	}
	s.redirect(w, r, "/units/"+strconv.FormatInt(u.ID, 10)+"?flash=unit_saved")
	return nil
}

// checkBody accepts only a body the active policy names (or none).
func (s *Server) checkBody(r *http.Request, body string) error {
	body = strings.TrimSpace(body)
	if body == "" {
		return nil
	}
	if pol, err := s.activePolicy(r); err == nil {
		for _, b := range pol.Bodies() {
			if b.ID == body {
				return nil
			}
		}
	}
	return mamori.FieldError("body", "unit.body_unknown", map[string]any{"Body": body})
}
