package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"mamori/internal/directory"
	"mamori/internal/store"
)

type personListData struct {
	dirPage
	dirLookups
	People   []directory.Person
	Total    int
	Filter   store.PeopleFilter
	Kinds    []directory.PersonKind
	Statuses []directory.PersonStatus
	Prev     string
	Next     string
}

const peoplePerPage = 50

// personList lists people with filters: text, unit (and below), kind,
// status, and those flagged for an access review after a move.
func (s *Server) personList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PeopleFilter{
		Query:       strings.TrimSpace(q.Get("q")),
		UnitID:      atoi64(q.Get("unit")),
		Kind:        directory.PersonKind(q.Get("kind")),
		Status:      directory.PersonStatus(q.Get("status")),
		NeedsReview: q.Get("review") == "1",
		Limit:       peoplePerPage,
	}
	if !f.Kind.Valid() {
		f.Kind = ""
	}
	if !f.Status.Valid() {
		f.Status = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * peoplePerPage
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	people, total, err := s.store.People(r.Context(), f)
	if err != nil {
		return err
	}
	d := personListData{dirPage: s.dirPage(r, "people.title", "people"), dirLookups: l, People: people, Total: total, Filter: f,
		Kinds: directory.PersonKinds, Statuses: directory.Statuses}
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"q", "unit", "kind", "status", "review"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("page", strconv.Itoa(p))
		return "/people?" + v.Encode()
	}
	if page > 1 {
		d.Prev = link(page - 1)
	}
	if f.Offset+len(people) < total {
		d.Next = link(page + 1)
	}
	return s.render(w, r, http.StatusOK, "people", d)
}
