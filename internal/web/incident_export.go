package web

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"

	"mamori/internal/incident"
)

// incidentExport writes an incident report for download, as xlsx or
// PDF, in the reader's language.
func (s *Server) incidentExport(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := incID(r, "id")
		if err != nil {
			return err
		}
		rec, err := s.loadIncidentFor(r, id)
		if err != nil {
			return err
		}
		l, err := s.incLookups(r)
		if err != nil {
			return err
		}
		names := incident.Names{Organization: principalFrom(r).TenantName, Units: map[int64]string{}, People: map[int64]string{}, Policy: l.Policy}
		for _, u := range l.Units {
			names.Units[u.ID] = u.Name
		}
		for _, pid := range []int64{rec.Incident.ReporterID, rec.Incident.TriagedBy, rec.Incident.ClosedBy} {
			if pid != 0 {
				if p, err := s.store.Person(r.Context(), pid); err == nil {
					names.People[pid] = p.Name
				}
			}
		}
		for _, n := range rec.Notices {
			names.People[n.PersonID] = n.PersonName
			if n.ForPersonID != 0 {
				if p, err := s.store.Person(r.Context(), n.ForPersonID); err == nil {
					names.People[n.ForPersonID] = p.Name
				}
			}
		}
		var buf bytes.Buffer
		svc := s.incidentService()
		ct := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		if format == "pdf" {
			ct = "application/pdf"
			err = svc.WritePDF(&buf, rec, s.localizer(r), names)
		} else {
			err = svc.WriteXLSX(&buf, rec, s.localizer(r), names)
		}
		if err != nil {
			return err
		}
		name := "incident-" + rec.Incident.ReceiptNo + "." + format
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		w.Header().Set("Cache-Control", "no-store")
		_, err = w.Write(buf.Bytes())
		return err
	}
}
