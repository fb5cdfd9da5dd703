package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/asset"
)

// assetFormData is the form to register or edit an asset. References are
// typed as asset numbers, as registers write them.
type assetFormData struct {
	Page
	assetLookups
	Asset     *asset.Asset
	IsNew     bool
	Parent    string
	CopyOf    string
	KeepUntil string
	Err       error
}

// Field reports whether the form's error is about the named field, for
// marking the input.
func (d assetFormData) Field(name string) bool {
	e, ok := mamori.AsError(d.Err)
	return ok && (e.Field == name || strings.HasPrefix(e.Field, name+"."))
}

// assetNew shows an empty form; the unit is the reader's own.
func (s *Server) assetNew(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	if !canWriteAssets(me) {
		return errAssetWrite
	}
	a := &asset.Asset{UnitID: me.UnitID, Kind: asset.KindInformation, State: asset.StateInUse, Levels: asset.Levels{}}
	return s.renderAssetForm(w, r, http.StatusOK, a, true, nil)
}

func (s *Server) renderAssetForm(w http.ResponseWriter, r *http.Request, status int, a *asset.Asset, isNew bool, formErr error) error {
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	title := "asset.edit_title"
	if isNew {
		title = "asset.new_title"
	}
	d := assetFormData{Page: s.page(r, title, "assets"), Asset: a, IsNew: isNew, Parent: a.ParentNumber, CopyOf: a.OriginalNumber, Err: formErr}
	if d.assetLookups, err = s.assetLookups(r.Context(), r, pol); err != nil {
		return err
	}
	d.KeepUntil = d.DateValue(a.KeepUntil)
	if formErr != nil && r.Method == http.MethodPost {
		d.KeepUntil = r.PostFormValue("keep_until")
	}
	return s.render(w, r, status, "asset_form", d)
}

// assetFromForm reads the form into a (levels only when isNew).
func (s *Server) assetFromForm(ctx context.Context, r *http.Request, a *asset.Asset, isNew bool) error {
	if err := r.ParseForm(); err != nil {
		return mamori.Errorf(mamori.EINVALID, "asset.form_invalid", nil)
	}
	f := r.PostForm
	a.Number, a.Name = f.Get("number"), f.Get("name")
	a.Kind, a.State = asset.Kind(f.Get("kind")), asset.State(f.Get("state"))
	a.Personal, a.SpecificPersonal = f.Get("personal") == "1", f.Get("specific_personal") == "1"
	a.Segment, a.Location, a.ControlArea, a.Notes = f.Get("segment"), f.Get("location"), f.Get("control_area"), f.Get("notes")
	a.ParentNumber, a.OriginalNumber = strings.TrimSpace(f.Get("parent")), strings.TrimSpace(f.Get("copy_of"))
	unit, err := strconv.ParseInt(f.Get("unit_id"), 10, 64)
	if err != nil {
		unit = 0
	}
	a.UnitID = unit
	if isNew {
		a.Levels = asset.Levels{}
		for key, vs := range f {
			if axis, ok := strings.CutPrefix(key, "level."); ok && len(vs) > 0 && vs[0] != "" && vs[0] != asset.Unknown {
				a.Levels[axis] = vs[0]
			}
		}
	}
	a.KeepUntil = nil
	if v := strings.TrimSpace(f.Get("keep_until")); v != "" {
		// A date input writes 2025-03-31; a person typing may write 和暦.
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
	}{{a.ParentNumber, "parent", &a.ParentID}, {a.OriginalNumber, "copy_of", &a.CopyOf}} {
		if ref.number == "" {
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

// assetCreate registers an asset from the form.
func (s *Server) assetCreate(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	if !canWriteAssets(me) {
		return errAssetWrite
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	a := &asset.Asset{}
	if err := s.assetFromForm(r.Context(), r, a, true); err != nil {
		return s.renderAssetForm(w, r, http.StatusUnprocessableEntity, a, true, err)
	}
	if err := s.assets().Create(r.Context(), pol, assetActor(me), a); err != nil {
		if isInputError(err) {
			return s.renderAssetForm(w, r, statusOf(mamori.ErrorCode(err)), a, true, err)
		}
		return err
	}
	s.redirect(w, r, "/assets/"+strconv.FormatInt(a.ID, 10)+"?flash=asset_created")
	return nil
}

// isInputError reports whether err is about what the person entered (shown
// on the form) rather than something to show as an error page.
func isInputError(err error) bool {
	switch mamori.ErrorCode(err) {
	case mamori.EINVALID, mamori.ECONFLICT:
		return true
	case mamori.EFORBIDDEN:
		e, _ := mamori.AsError(err)
		return e.Field != ""
	}
	return false
}

// assetEdit shows the form of an existing asset.
func (s *Server) assetEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.assets().Get(r.Context(), id)
	if err != nil {
		return err
	}
	if ok, err := s.assets().CanWrite(r.Context(), assetActor(principalFrom(r)), a.UnitID); err != nil {
		return err
	} else if !ok {
		return errAssetWrite
	}
	return s.renderAssetForm(w, r, http.StatusOK, a, false, nil)
}

// assetUpdate saves the edit form.
func (s *Server) assetUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	svc := s.assets()
	a, err := svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.assetFromForm(r.Context(), r, a, false); err != nil {
		return s.renderAssetForm(w, r, http.StatusUnprocessableEntity, a, false, err)
	}
	if err := svc.Update(r.Context(), pol, assetActor(principalFrom(r)), a); err != nil {
		if isInputError(err) {
			return s.renderAssetForm(w, r, statusOf(mamori.ErrorCode(err)), a, false, err)
		}
		return err
	}
	s.redirect(w, r, "/assets/"+strconv.FormatInt(id, 10)+"?flash=asset_updated")
	return nil
}

// assetReclassify decides or changes an asset's classification, by its
// manager, with the reason; a refusal is shown on the asset's page.
func (s *Server) assetReclassify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return mamori.Errorf(mamori.EINVALID, "asset.form_invalid", nil)
	}
	levels := asset.Levels{}
	for key, vs := range r.PostForm {
		if axis, ok := strings.CutPrefix(key, "level."); ok && len(vs) > 0 && vs[0] != "" {
			levels[axis] = vs[0]
		}
	}
	reason := r.PostFormValue("reason")
	if _, err := s.assets().Reclassify(r.Context(), pol, assetActor(principalFrom(r)), id, levels, reason); err != nil {
		if !isInputError(err) && mamori.ErrorCode(err) != mamori.EFORBIDDEN {
			return err
		}
		d, derr := s.assetShowData(r, id)
		if derr != nil {
			return derr
		}
		d.Err, d.Reason = err, reason
		return s.render(w, r, statusOf(mamori.ErrorCode(err)), "asset_show", d)
	}
	s.redirect(w, r, "/assets/"+strconv.FormatInt(id, 10)+"?flash=asset_reclassified")
	return nil
}
