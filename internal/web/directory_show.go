package web

import (
	"net/http"

	"mamori/internal/directory"
	"mamori/internal/store"
)

type directoryData struct {
	dirPage
	dirLookups
	Tree    []directory.TreeNode
	Counts  map[int64]int
	Holders map[int64][]directory.Assignment // roles held for each unit, now
	Form    directory.Unit
	Err     error
}

// directoryShow shows the organization as trees of units (several where
// the organization has them, as 天草's 事務局 and 消防本部), with how many
// people work in each and who holds the roles kept per unit.
func (s *Server) directoryShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderDirectory(w, r, http.StatusOK, directory.Unit{Kind: directory.UnitSection, ParentID: atoi64(r.URL.Query().Get("parent"))}, nil)
}

func (s *Server) renderDirectory(w http.ResponseWriter, r *http.Request, status int, form directory.Unit, formErr error) error {
	l, err := s.lookups(r)
	if err != nil {
		return err
	}
	d := directoryData{dirPage: s.dirPage(r, "dir.title", "units"), dirLookups: l, Tree: l.Units,
		Holders: map[int64][]directory.Assignment{}, Form: form, Err: formErr}
	if d.Counts, err = s.store.Headcounts(r.Context()); err != nil {
		return err
	}
	now := s.now()
	as, err := s.store.Assignments(r.Context(), store.AssignmentFilter{At: &now})
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.UnitID != 0 {
			d.Holders[a.UnitID] = append(d.Holders[a.UnitID], a)
		}
	}
	return s.render(w, r, status, "directory", d)
}
