package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/policy"
)

// assetRefJSON names another asset.
type assetRefJSON struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Name   string `json:"name"`
}

// assetJSON is an asset in the API. levels are its own classification,
// effective the levels it is handled at; unclassified says it waits for
// its manager.
type assetJSON struct {
	ID               int64             `json:"id"`
	Number           string            `json:"number"`
	Name             string            `json:"name"`
	Kind             asset.Kind        `json:"kind"`
	UnitID           int64             `json:"unit_id"`
	UnitName         string            `json:"unit_name"`
	Levels           map[string]string `json:"levels"`
	Effective        map[string]string `json:"effective"`
	Unclassified     bool              `json:"unclassified"`
	Personal         bool              `json:"personal"`
	SpecificPersonal bool              `json:"specific_personal"`
	Segment          string            `json:"segment,omitempty"`
	Location         string            `json:"location,omitempty"`
	ControlArea      string            `json:"control_area,omitempty"`
	Parent           *assetRefJSON     `json:"parent,omitempty"`
	CopyOf           *assetRefJSON     `json:"copy_of,omitempty"`
	State            asset.State       `json:"state"`
	KeepUntil        string            `json:"keep_until,omitempty"`
	Notes            string            `json:"notes,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`

	// Only when one asset is asked for.
	Managers       []assetManagerJSON     `json:"managers,omitempty"`
	Classification []assetAxisJSON        `json:"classification,omitempty"`
	Restrictions   []assetRestrictionJSON `json:"restrictions,omitempty"`
}

type assetManagerJSON struct {
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	Role        string `json:"role"`
	AsRole      string `json:"as_role"`
	ForPersonID int64  `json:"for_person_id,omitempty"`
}

type assetAxisJSON struct {
	Axis   string       `json:"axis"`
	Own    string       `json:"own,omitempty"`
	Level  string       `json:"level,omitempty"`
	Source asset.Source `json:"source"`
	Clause string       `json:"clause,omitempty"`
}

type assetRestrictionJSON struct {
	ID     string      `json:"id"`
	Text   policy.Text `json:"text"`
	Clause string      `json:"clause"`
	From   []string    `json:"from"` // "axis:level"
}

func newAssetJSON(a *asset.Asset) assetJSON {
	j := assetJSON{ID: a.ID, Number: a.Number, Name: a.Name, Kind: a.Kind, UnitID: a.UnitID, UnitName: a.UnitName,
		Levels: a.Levels, Effective: a.Effective, Unclassified: a.Unclassified, Personal: a.Personal, SpecificPersonal: a.SpecificPersonal,
		Segment: a.Segment, Location: a.Location, ControlArea: a.ControlArea, State: a.State, Notes: a.Notes,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if a.ParentID != 0 {
		j.Parent = &assetRefJSON{ID: a.ParentID, Number: a.ParentNumber, Name: a.ParentName}
	}
	if a.CopyOf != 0 {
		j.CopyOf = &assetRefJSON{ID: a.CopyOf, Number: a.OriginalNumber, Name: a.OriginalName}
	}
	if a.KeepUntil != nil {
		j.KeepUntil = a.KeepUntil.Format("2006-01-02")
	}
	if j.Levels == nil {
		j.Levels = map[string]string{}
	}
	if j.Effective == nil {
		j.Effective = map[string]string{}
	}
	return j
}

// assetInputJSON is what a client sends to register or change an asset.
// parent and copy_of are asset numbers, as registers write them.
type assetInputJSON struct {
	Number           string            `json:"number"`
	Name             string            `json:"name"`
	Kind             asset.Kind        `json:"kind"`
	UnitID           int64             `json:"unit_id"`
	Levels           map[string]string `json:"levels"`
	Personal         bool              `json:"personal"`
	SpecificPersonal bool              `json:"specific_personal"`
	Segment          string            `json:"segment"`
	Location         string            `json:"location"`
	ControlArea      string            `json:"control_area"`
	Parent           string            `json:"parent"`
	CopyOf           string            `json:"copy_of"`
	State            asset.State       `json:"state"`
	KeepUntil        string            `json:"keep_until"`
	Notes            string            `json:"notes"`
}

func (s *Server) assetFromJSON(ctx context.Context, in assetInputJSON, a *asset.Asset) error {
	a.Number, a.Name, a.Kind, a.UnitID = in.Number, in.Name, in.Kind, in.UnitID
	a.Personal, a.SpecificPersonal, a.Segment, a.Location, a.ControlArea = in.Personal, in.SpecificPersonal, in.Segment, in.Location, in.ControlArea
	a.State, a.Notes = in.State, in.Notes
	a.KeepUntil = nil
	if v := strings.TrimSpace(in.KeepUntil); v != "" {
		t, err := asset.ParseDate(v, false, false)
		if err != nil {
			return mamori.FieldError("keep_until", "asset.import.date_invalid", nil)
		}
		a.KeepUntil = &t
	}
	a.ParentID, a.CopyOf = 0, 0
	for _, ref := range []struct {
		number, field string
		dst           *int64
	}{{in.Parent, "parent", &a.ParentID}, {in.CopyOf, "copy_of", &a.CopyOf}} {
		if strings.TrimSpace(ref.number) == "" {
			continue
		}
		other, err := s.store.AssetByNumber(ctx, ref.number)
		if err != nil {
			if mamori.ErrorCode(err) == mamori.ENOTFOUND {
				return mamori.FieldError(ref.field, "asset.number_not_found", map[string]any{"Number": ref.number})
			}
			return err
		}
		*ref.dst = other.ID
	}
	return nil
}

// apiAssets lists a page of the register.
func (s *Server) apiAssets(w http.ResponseWriter, r *http.Request) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	f, err := assetFilter(r.URL.Query())
	if err != nil {
		return err
	}
	svc := s.assets()
	var list []asset.Asset
	var total int
	if r.URL.Query().Get("queue") == "1" {
		list, total, err = svc.Queue(r.Context(), pol, assetActor(principalFrom(r)), f)
	} else {
		list, total, err = svc.List(r.Context(), pol, f)
	}
	if err != nil {
		return err
	}
	f.Validate(pol)
	out := struct {
		Total       int         `json:"total"`
		TotalCapped bool        `json:"total_capped"`
		Limit       int         `json:"limit"`
		Offset      int         `json:"offset"`
		Assets      []assetJSON `json:"assets"`
	}{Total: total, Limit: f.Limit, Offset: f.Offset, Assets: make([]assetJSON, 0, len(list))}
	if asset.Capped(total, f) {
		out.Total, out.TotalCapped = asset.CountBound(f), true
	}
	for i := range list {
		out.Assets = append(out.Assets, newAssetJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiAsset returns one asset with its manager, the levels it is handled at
// and why, and the restrictions they carry with their clauses.
func (s *Server) apiAsset(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeAsset(w, r, http.StatusOK, id)
}

func (s *Server) writeAsset(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	svc := s.assets()
	a, err := svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	j := newAssetJSON(a)
	managers, _, err := svc.Managers(r.Context(), pol, a.UnitID)
	if err != nil {
		return err
	}
	for _, m := range managers {
		j.Managers = append(j.Managers, assetManagerJSON{PersonID: m.PersonID, Name: m.Name, Role: m.Role, AsRole: m.AsRole, ForPersonID: m.ForPersonID})
	}
	for _, al := range asset.Explain(pol, a) {
		aj := assetAxisJSON{Axis: al.Axis.ID, Source: al.Source}
		if al.Own != nil {
			aj.Own = al.Own.ID
		}
		if al.Level != nil {
			aj.Level = al.Level.ID
		}
		if al.Source == asset.SourceHeld {
			aj.Clause = al.Axis.MixedClause
		}
		j.Classification = append(j.Classification, aj)
	}
	for _, rs := range asset.Restrictions(pol, a) {
		rj := assetRestrictionJSON{ID: rs.ID, Text: rs.Text, Clause: rs.Clause}
		for _, f := range rs.From {
			rj.From = append(rj.From, f.Axis.ID+":"+f.Level.ID)
		}
		j.Restrictions = append(j.Restrictions, rj)
	}
	return writeJSON(w, status, j)
}

// apiAssetCreate registers an asset.
func (s *Server) apiAssetCreate(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	if !canWriteAssets(me) {
		return errAssetWrite
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	var in assetInputJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	a := &asset.Asset{Levels: asset.Levels{}}
	for axis, l := range in.Levels {
		if l != "" && l != asset.Unknown {
			a.Levels[axis] = l
		}
	}
	if err := s.assetFromJSON(r.Context(), in, a); err != nil {
		return err
	}
	if err := s.assets().Create(r.Context(), pol, assetActor(me), a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/assets/"+strconv.FormatInt(a.ID, 10))
	return s.writeAsset(w, r, http.StatusCreated, a.ID)
}

// apiAssetUpdate changes an asset's description; its classification
// changes only through reclassify.
func (s *Server) apiAssetUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	var in assetInputJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	svc := s.assets()
	a, err := svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if in.Levels != nil && !asset.Levels(in.Levels).Equal(a.Levels) {
		return mamori.FieldError("levels", "asset.levels_via_reclassify", nil)
	}
	if err := s.assetFromJSON(r.Context(), in, a); err != nil {
		return err
	}
	if err := svc.Update(r.Context(), pol, assetActor(principalFrom(r)), a); err != nil {
		return err
	}
	return s.writeAsset(w, r, http.StatusOK, id)
}

// apiAssetReclassify decides or changes an asset's classification.
func (s *Server) apiAssetReclassify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	var in struct {
		Levels map[string]string `json:"levels"`
		Reason string            `json:"reason"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := s.assets().Reclassify(r.Context(), pol, assetActor(principalFrom(r)), id, in.Levels, in.Reason); err != nil {
		return err
	}
	return s.writeAsset(w, r, http.StatusOK, id)
}

// assetEventJSON is an entry of an asset's history.
type assetEventJSON struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Data   json.RawMessage `json:"data"`
}

// apiAssetHistory returns an asset's events, newest first.
func (s *Server) apiAssetHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.assets()
	if _, err := svc.Get(r.Context(), id); err != nil {
		return err
	}
	events, err := svc.History(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]assetEventJSON, 0, len(events))
	for _, e := range events {
		out = append(out, assetEventJSON{Seq: e.Seq, At: e.At, Actor: e.ActorLabel, Action: e.Action, Data: json.RawMessage(e.Data)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

// importResultJSON is the answer of an import: its check (the dry run),
// and what was stored when it was committed.
type importResultJSON struct {
	Committed  bool                 `json:"committed"`
	Imported   int                  `json:"imported"`
	File       string               `json:"file"`
	SHA256     string               `json:"sha256"`
	Format     string               `json:"format"`
	Encoding   asset.Encoding       `json:"encoding,omitempty"`
	Sheet      string               `json:"sheet,omitempty"`
	HeaderRow  int                  `json:"header_row"`
	HeaderRows int                  `json:"header_rows"`
	Columns    []asset.Column       `json:"columns"`
	Mapping    map[string]string    `json:"mapping"`
	Values     []asset.ValueMapping `json:"values"`
	Rows       int                  `json:"rows"`
	GoodRows   int                  `json:"good_rows"`
	BadRows    int                  `json:"bad_rows"`
	Errors     int                  `json:"errors"`
	ToClassify int                  `json:"to_classify"`
	Issues     []importIssueJSON    `json:"issues"`
}

type importIssueJSON struct {
	asset.Issue
	Text mamori.Text `json:"text"`
}

func (s *Server) importResult(p *asset.Plan) importResultJSON {
	out := importResultJSON{File: p.FileName, SHA256: p.SHA256, Format: p.Format, Encoding: p.Encoding, Sheet: p.Sheet,
		HeaderRow: p.Header.Row, HeaderRows: p.Header.Rows, Columns: p.Columns, Mapping: map[string]string{}, Values: p.Values,
		Rows: p.Rows, BadRows: p.BadRows, Errors: p.Errors, ToClassify: p.ToClassify, Issues: []importIssueJSON{}}
	if out.Columns == nil {
		out.Columns = []asset.Column{}
	}
	if out.Values == nil {
		out.Values = []asset.ValueMapping{}
	}
	for _, f := range p.Fields {
		if l := p.Letters(f); l != "" {
			out.Mapping[string(f)] = l
		}
	}
	if p.Batch != nil {
		out.GoodRows = len(p.Batch.Items)
	}
	for _, is := range p.Issues {
		out.Issues = append(out.Issues, importIssueJSON{Issue: is, Text: s.cat.Both(is.Message, is.Args)})
	}
	return out
}

// apiAssetImport checks an uploaded register (multipart: file, and
// options as JSON) and, on /commit, stores it: all of it, or its good rows
// when options.skip_bad_rows is set. A refused commit answers 422 with the
// same check, every bad cell with its row and column.
func (s *Server) apiAssetImport(commit bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		me := principalFrom(r)
		if !canWriteAssets(me) {
			return errAssetWrite
		}
		pol, err := s.activePolicy(r)
		if err != nil {
			return err
		}
		name, data, err := readUpload(w, r)
		if err != nil {
			return err
		}
		var opts asset.ImportOptions
		if v := r.FormValue("options"); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&opts); err != nil {
				return &mamori.Error{Code: mamori.EINVALID, Message: "error.invalid_json", Field: "options", Args: map[string]any{"Detail": err.Error()}}
			}
		}
		svc := s.assets()
		plan, err := svc.Plan(r.Context(), pol, assetActor(me), name, data, opts)
		if err != nil {
			return err
		}
		out := s.importResult(plan)
		if !commit {
			return writeJSON(w, http.StatusOK, out)
		}
		if err := svc.Commit(r.Context(), pol, plan, nil); err != nil {
			if e, ok := mamori.AsError(err); ok && e.Message == "asset.import.has_errors" {
				return writeJSON(w, http.StatusUnprocessableEntity, struct {
					Error struct {
						Code    mamori.Code `json:"code"`
						Message mamori.Text `json:"message"`
					} `json:"error"`
					importResultJSON
				}{Error: struct {
					Code    mamori.Code `json:"code"`
					Message mamori.Text `json:"message"`
				}{e.Code, s.cat.Both(e.Message, e.Args)}, importResultJSON: out})
			}
			return err
		}
		out.Committed, out.Imported = true, out.GoodRows
		return writeJSON(w, http.StatusOK, out)
	}
}
