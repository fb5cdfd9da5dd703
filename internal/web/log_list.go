package web

import (
	"net/http"
	"strings"

	"mamori/internal/eventlog"
	"mamori/internal/store"
)

type logData struct {
	Page
	Events []eventlog.Event
	Action string
	Older  int64
}

// logList shows the tenant's event log, newest first, a page at a time.
func (s *Server) logList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.EventFilter{Action: strings.TrimSpace(q.Get("action")), BeforeSeq: atoi64(q.Get("before")), Limit: 100}
	evs, err := s.store.Events(r.Context(), f)
	if err != nil {
		return err
	}
	d := logData{Page: s.page(r, "log.title", "log"), Events: evs, Action: f.Action}
	if len(evs) == f.Limit {
		d.Older = evs[len(evs)-1].Seq
	}
	return s.render(w, r, http.StatusOK, "log", d)
}
