package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"mamori"
	"mamori/internal/asset"
	"mamori/internal/policy"
)

// The import is a wizard over one uploaded file: the file is kept (in the
// database, so that any server can continue) while the person maps its
// columns and values and reads the check of every row; nothing enters the
// register until they commit, and then all at once.

// assetImportData is the import page: the upload form, or the steps of an
// uploaded file.
type assetImportData struct {
	Page
	assetLookups
	UploadID string
	FileName string
	Plan     *asset.Plan
	Options  asset.ImportOptions
	Issues   []asset.Issue
	More     int // issues not shown
	Good     int
	Err      error
}

// FieldName names an import field in the reader's language.
func (d assetImportData) FieldName(f asset.Field) string {
	if axis, ok := f.Axis(); ok && d.Policy != nil {
		if ax, ok := d.Policy.Axis(axis); ok {
			return d.L.Pick(ax.Name.JA, ax.Name.EN)
		}
	}
	return d.L.T("asset.field." + string(f))
}

// Mapped reports whether column j is mapped to field f.
func (d assetImportData) Mapped(f asset.Field, j int) bool {
	if d.Plan == nil {
		return false
	}
	for _, k := range d.Plan.Mapping[f] {
		if k == j {
			return true
		}
	}
	return false
}

// Targets are the choices of a value step for field f: value and label.
func (d assetImportData) Targets(f asset.Field) [][2]string {
	var out [][2]string
	if axis, ok := f.Axis(); ok && d.Policy != nil {
		if ax, ok := d.Policy.Axis(axis); ok {
			for _, l := range ax.Levels {
				out = append(out, [2]string{l.ID, d.L.Pick(l.Name.JA, l.Name.EN)})
			}
		}
		return append(out, [2]string{asset.Unknown, d.L.T("asset.import_unknown_level")})
	}
	switch f {
	case asset.FieldKind:
		for _, k := range asset.Kinds {
			out = append(out, [2]string{string(k), d.KindName(k)})
		}
	case asset.FieldState:
		for _, s := range asset.States {
			out = append(out, [2]string{string(s), d.StateName(s)})
		}
	case asset.FieldSegment:
		for _, s := range d.Segments() {
			out = append(out, [2]string{s.ID, d.L.Pick(s.Name.JA, s.Name.EN)})
		}
		out = append(out, [2]string{asset.Unknown, d.L.T("asset.import_no_segment")})
	}
	return out
}

// IssueText is an issue's message in the reader's language.
func (d assetImportData) IssueText(is asset.Issue) string {
	return d.L.cat.T(d.L.Lang, is.Message, is.Args)
}

// HeaderRows are the choices of header height.
func (assetImportData) HeaderRows() []int { return []int{1, 2} }

// assetImportForm shows the upload form.
func (s *Server) assetImportForm(w http.ResponseWriter, r *http.Request) error {
	if !canWriteAssets(principalFrom(r)) {
		return errAssetWrite
	}
	return s.renderImport(w, r, http.StatusOK, assetImportData{}, nil)
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, d assetImportData, pol *policy.Policy) error {
	if pol == nil {
		var err error
		if pol, err = s.activePolicy(r); err != nil {
			return err
		}
	}
	d.Page = s.page(r, "asset.import_title", "assets")
	var err error
	if d.assetLookups, err = s.assetLookups(r.Context(), r, pol); err != nil {
		return err
	}
	if d.Plan != nil {
		const shown = 500
		d.Issues = d.Plan.Issues
		if len(d.Issues) > shown {
			d.Issues, d.More = d.Issues[:shown], len(d.Plan.Issues)-shown
		}
		d.More += d.Plan.Errors - min(d.Plan.Errors, len(d.Plan.Issues))
		if d.Plan.Batch != nil {
			d.Good = len(d.Plan.Batch.Items)
		}
	}
	return s.render(w, r, status, "asset_import", d)
}

// readUpload reads the uploaded file of a multipart form.
func readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, asset.MaxImportSize+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, mamori.Errorf(mamori.EINVALID, "asset.import.too_large", map[string]any{"Limit": "64 MB"})
		}
		return "", nil, mamori.FieldError("file", "asset.import.empty", nil)
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, mamori.FieldError("file", "asset.import.empty", nil)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, asset.MaxImportSize+1))
	if err != nil {
		return "", nil, err
	}
	if len(data) > asset.MaxImportSize {
		return "", nil, mamori.Errorf(mamori.EINVALID, "asset.import.too_large", map[string]any{"Limit": "64 MB"})
	}
	return hdr.Filename, data, nil
}

// assetImportUpload keeps an uploaded file and goes to its first step.
func (s *Server) assetImportUpload(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	if !canWriteAssets(me) {
		return errAssetWrite
	}
	name, data, err := readUpload(w, r)
	if err == nil {
		// A file that cannot be read at all is refused here, not kept.
		_, err = asset.ReadTable(data, asset.ReadOptions{Encoding: asset.Encoding(r.FormValue("encoding"))})
	}
	if err != nil {
		if mamori.ErrorCode(err) == mamori.EINTERNAL {
			return err
		}
		return s.renderImport(w, r, statusOf(mamori.ErrorCode(err)), assetImportData{Err: err}, nil)
	}
	id, err := s.store.SaveUpload(r.Context(), me.PersonID, name, data)
	if err != nil {
		return err
	}
	if enc := r.FormValue("encoding"); enc != "" {
		if err := s.store.SaveUploadOptions(r.Context(), id, me.PersonID, asset.ImportOptions{Encoding: asset.Encoding(enc)}); err != nil {
			return err
		}
	}
	s.redirect(w, r, "/asset-imports/"+id)
	return nil
}

// assetImportShow shows an uploaded file's steps with the choices made so
// far and the check of every row.
func (s *Server) assetImportShow(w http.ResponseWriter, r *http.Request) error {
	return s.showImport(w, r, nil)
}

func (s *Server) showImport(w http.ResponseWriter, r *http.Request, showErr error) error {
	me := principalFrom(r)
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	up, err := s.store.LoadUpload(r.Context(), r.PathValue("id"), me.PersonID)
	if err != nil {
		return err
	}
	d := assetImportData{UploadID: up.ID, FileName: up.FileName, Options: up.Options}
	d.Plan, d.Err = s.assets().Plan(r.Context(), pol, assetActor(me), up.FileName, up.Data, up.Options)
	if d.Err != nil && mamori.ErrorCode(d.Err) == mamori.EINTERNAL {
		return d.Err
	}
	status := http.StatusOK
	if showErr != nil {
		d.Err = showErr
		status = statusOf(mamori.ErrorCode(showErr))
	}
	return s.renderImport(w, r, status, d, pol)
}

// assetImportChoose saves the choices of the steps: sheet and header,
// column for each field, meaning of each value.
func (s *Server) assetImportChoose(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	id := r.PathValue("id")
	if _, err := s.store.LoadUpload(r.Context(), id, me.PersonID); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return mamori.Errorf(mamori.EINVALID, "asset.form_invalid", nil)
	}
	f := r.PostForm
	opts := asset.ImportOptions{
		Sheet:       f.Get("sheet"),
		Encoding:    asset.Encoding(f.Get("encoding")),
		DefaultKind: asset.Kind(f.Get("default_kind")),
		DefaultUnit: strings.TrimSpace(f.Get("default_unit")),
	}
	opts.HeaderRow, _ = strconv.Atoi(f.Get("header_row"))
	opts.HeaderRows, _ = strconv.Atoi(f.Get("header_rows"))
	// Another sheet, header or encoding than the page showed makes other
	// columns: the columns and values are then proposed afresh.
	same := f.Get("sheet") == f.Get("shown_sheet") && f.Get("header_row") == f.Get("shown_header_row") &&
		f.Get("header_rows") == f.Get("shown_header_rows") && f.Get("encoding") == f.Get("shown_encoding")
	if same && f.Has("mapped") {
		opts.Columns = map[string]string{}
		for key, vs := range f {
			if field, ok := strings.CutPrefix(key, "col:"); ok {
				var letters []string
				for _, v := range vs {
					if v != "" {
						letters = append(letters, v)
					}
				}
				if len(letters) > 0 {
					opts.Columns[field] = strings.Join(letters, ",")
				}
			}
			if rest, ok := strings.CutPrefix(key, "v:"); ok && len(vs) > 0 && vs[0] != "" {
				field, value, ok := strings.Cut(rest, ":")
				if !ok {
					continue
				}
				if opts.Values == nil {
					opts.Values = map[string]map[string]string{}
				}
				if opts.Values[field] == nil {
					opts.Values[field] = map[string]string{}
				}
				opts.Values[field][value] = vs[0]
			}
		}
	}
	if err := s.store.SaveUploadOptions(r.Context(), id, me.PersonID, opts); err != nil {
		return err
	}
	s.redirect(w, r, "/asset-imports/"+id+"#check")
	return nil
}

// assetImportCommit imports the checked file: all of it, or — when the
// person chose so — its good rows; then forgets the upload.
func (s *Server) assetImportCommit(w http.ResponseWriter, r *http.Request) error {
	me := principalFrom(r)
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	up, err := s.store.LoadUpload(r.Context(), id, me.PersonID)
	if err != nil {
		return err
	}
	opts := up.Options
	opts.SkipBadRows = r.PostFormValue("skip_bad_rows") == "1"
	svc := s.assets()
	plan, err := svc.Plan(r.Context(), pol, assetActor(me), up.FileName, up.Data, opts)
	if err == nil {
		err = svc.Commit(r.Context(), pol, plan, nil)
	}
	if err != nil {
		if mamori.ErrorCode(err) == mamori.EINTERNAL {
			return err
		}
		return s.showImport(w, r, err)
	}
	if err := s.store.DeleteUpload(r.Context(), id, me.PersonID); err != nil {
		s.log.Warn("remove upload after import", "err", err)
	}
	s.redirect(w, r, "/assets?flash=asset_imported")
	return nil
}
