package web

import (
	"mime"
	"net/http"
	"strconv"
)

// inlineSafe are the evidence types a browser may show rather than
// download; anything else (HTML above all) is only ever downloaded.
var inlineSafe = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "application/pdf": true, "text/plain": true}

// incidentFile sends an evidence file of an incident.
func (s *Server) incidentFile(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	fid, err := incID(r, "fid")
	if err != nil {
		return err
	}
	if _, err := s.loadIncidentFor(r, id); err != nil {
		return err
	}
	a, err := s.store.IncidentFile(r.Context(), id, fid)
	if err != nil {
		return err
	}
	ct, _, _ := mime.ParseMediaType(a.ContentType)
	disposition := "attachment"
	if !inlineSafe[ct] {
		ct = "application/octet-stream"
	} else if ct == "text/plain" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.Header().Set("X-Evidence-SHA256", a.SHA256)
	_, err = w.Write(a.Data)
	return err
}
