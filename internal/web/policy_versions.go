package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/store"
)

type policyVersionsData struct {
	Page
	Versions []store.PolicyVersion
	Builtins []string
	Errors   []policy.LoadError
	Err      error
}

// policyVersions lists the tenant's policy versions, newest first, for the
// review the seeds require (下條村 第2章11(3), 天草 第42条).
func (s *Server) policyVersions(w http.ResponseWriter, r *http.Request) error {
	return s.renderPolicyVersions(w, r, http.StatusOK, nil)
}

func (s *Server) renderPolicyVersions(w http.ResponseWriter, r *http.Request, status int, loadErr error) error {
	vs, err := s.store.PolicyVersions(r.Context())
	if err != nil {
		return err
	}
	d := policyVersionsData{Page: s.page(r, "policy.versions_title", "policy"), Versions: vs, Builtins: policy.BuiltinNames()}
	var les policy.LoadErrors
	switch {
	case errors.As(loadErr, &les):
		d.Errors = les
	case loadErr != nil:
		d.Err = loadErr
	}
	return s.render(w, r, status, "policy_versions", d)
}

// maxProfileSize bounds an uploaded profile.
const maxProfileSize = 2 << 20

// policyActivate validates a profile — a built-in one or an uploaded
// file — and makes it the tenant's active version. Invalid profiles are
// shown with every error at file:line:column, and nothing changes.
func (s *Server) policyActivate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxProfileSize+64<<10)
	var name string
	var src []byte
	if err := r.ParseMultipartForm(maxProfileSize); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return s.renderPolicyVersions(w, r, http.StatusUnprocessableEntity, &mamori.Error{Code: mamori.EINVALID, Message: "policy.upload_failed", Field: "file"})
	}
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if src, err = io.ReadAll(io.LimitReader(f, maxProfileSize+1)); err != nil {
			return err
		}
		if len(src) > maxProfileSize {
			return s.renderPolicyVersions(w, r, http.StatusUnprocessableEntity, &mamori.Error{Code: mamori.EINVALID, Message: "error.body_too_large", Args: map[string]any{"Limit": "2 MiB"}, Field: "file"})
		}
		name = hdr.Filename
	} else if b := strings.TrimSpace(r.FormValue("builtin")); b != "" {
		if src, err = policy.BuiltinSource(b); err != nil {
			return s.renderPolicyVersions(w, r, http.StatusUnprocessableEntity, &mamori.Error{Code: mamori.EINVALID, Message: "policy.unknown_builtin", Args: map[string]any{"Name": b}, Field: "builtin"})
		}
		name = b + ".yaml"
	} else {
		return s.renderPolicyVersions(w, r, http.StatusUnprocessableEntity, &mamori.Error{Code: mamori.EINVALID, Message: "policy.choose_source", Field: "file"})
	}
	pol, err := policy.Load(name, src)
	if err != nil {
		return s.renderPolicyVersions(w, r, http.StatusUnprocessableEntity, err)
	}
	if _, err := s.store.ActivatePolicy(r.Context(), store.PolicySource{Profile: pol.ID(), Version: pol.Version(), SourceHash: pol.Hash(), Source: string(src)}); err != nil {
		return err
	}
	s.redirect(w, r, "/policy/versions?flash=policy_activated")
	return nil
}

type policyDiffData struct {
	Page
	From, To *store.PolicyVersion
	Changes  []policy.Change
}

// policyDiff lists what changed between two versions.
func (s *Server) policyDiff(w http.ResponseWriter, r *http.Request) error {
	from, a, err := s.loadVersion(r, atoi64(r.URL.Query().Get("from")))
	if err != nil {
		return err
	}
	to, b, err := s.loadVersion(r, atoi64(r.URL.Query().Get("to")))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "policy_diff", policyDiffData{Page: s.page(r, "policy.diff_title", "policy"), From: from, To: to, Changes: policy.Diff(a, b)})
}

func (s *Server) loadVersion(r *http.Request, id int64) (*store.PolicyVersion, *policy.Policy, error) {
	pv, err := s.store.PolicyVersion(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	pol, err := s.policies.get(r.Context(), s.store, pv.ID, pv.SourceHash)
	if err != nil {
		return nil, nil, err
	}
	return pv, pol, nil
}

// policySource downloads a version's YAML exactly as it was adopted.
func (s *Server) policySource(w http.ResponseWriter, r *http.Request) error {
	pv, err := s.store.PolicyVersion(r.Context(), atoi64(r.PathValue("id")))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+pv.Profile+"-"+sanitizeFilename(pv.Version)+`.yaml"`)
	_, err = io.WriteString(w, pv.Source)
	return err
}

// sanitizeFilename keeps a name safe inside a Content-Disposition header.
func sanitizeFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r == '/' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}
