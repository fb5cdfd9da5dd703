package web

import (
	"mime"
	"net/http"
	"strconv"
)

// requestFile downloads a file filed with a request's report (a disposal
// certificate) to those who may read the request.
func (s *Server) requestFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fileID, err := pathID(r, "file")
	if err != nil {
		return err
	}
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	if _, err := s.requests().Get(r.Context(), rp, requestActor(principalFrom(r)), id); err != nil {
		return err
	}
	a, err := s.store.RequestAttachment(r.Context(), id, fileID)
	if err != nil {
		return err
	}
	// Served as a download, never rendered in mamori's origin: a file's
	// content type is what its uploader claimed.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(a.Data)
	return err
}
