package web

import (
	"net/http"

	"mamori/internal/directory"
)

type unitJSON struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id,omitempty"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	Kind     string `json:"kind"`
	Body     string `json:"body,omitempty"`
	Sort     int    `json:"sort"`
	Depth    int    `json:"depth"`
}

func toUnitJSON(u directory.Unit, depth int) unitJSON {
	return unitJSON{ID: u.ID, ParentID: u.ParentID, Code: u.Code, Name: u.Name, NameEN: u.NameEN, Kind: string(u.Kind), Body: u.Body, Sort: u.Sort, Depth: depth}
}

type unitInput struct {
	ParentID int64  `json:"parent_id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en"`
	Kind     string `json:"kind"`
	Body     string `json:"body"`
	Sort     int    `json:"sort"`
}

func (in unitInput) unit() directory.Unit {
	return directory.Unit{ParentID: in.ParentID, Code: in.Code, Name: in.Name, NameEN: in.NameEN, Kind: directory.UnitKind(in.Kind), Body: in.Body, Sort: in.Sort}
}

// apiUnits lists the units in tree order (depth-first; depth says how
// deep).
func (s *Server) apiUnits(w http.ResponseWriter, r *http.Request) error {
	units, err := s.store.Units(r.Context())
	if err != nil {
		return err
	}
	out := []unitJSON{}
	for _, n := range directory.Tree(units) {
		out = append(out, toUnitJSON(n.Unit, n.Depth))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"units": out})
}

// apiUnit returns one unit.
func (s *Server) apiUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.Unit(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUnitJSON(*u, 0))
}

// apiUnitCreate adds a unit.
func (s *Server) apiUnitCreate(w http.ResponseWriter, r *http.Request) error {
	var in unitInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	u := in.unit()
	if err := s.checkBody(r, u.Body); err != nil {
		return err
	}
	if err := s.store.CreateUnit(r.Context(), &u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toUnitJSON(u, 0))
}

// apiUnitUpdate replaces a unit's fields.
func (s *Server) apiUnitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in unitInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	u := in.unit()
	u.ID = id
	if err := s.checkBody(r, u.Body); err != nil {
		return err
	}
	if err := s.store.UpdateUnit(r.Context(), &u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUnitJSON(u, 0))
}
