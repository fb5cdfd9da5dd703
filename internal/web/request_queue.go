package web

import (
	"net/http"
)

type requestQueueData struct {
	Page
	Rows []requestRow
}

// requestQueue lists the requests waiting for the reader's decision, oldest
// first: those whose pending step's role they act in now, in their own
// right or standing in for an absent holder.
func (s *Server) requestQueue(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	items, err := s.requests().Queue(r.Context(), rp, requestActor(principalFrom(r)))
	if err != nil {
		return err
	}
	l := s.localizer(r)
	now := s.store.Now()
	d := requestQueueData{Page: s.page(r, "request.queue_title", "requests")}
	for _, it := range items {
		row := requestRowOf(l, rp.Policy, &it.Request, now)
		if it.Acting.ForPersonID != 0 {
			row.Acting = l.T("request.acting_for", "Name", s.requestPersonName(r.Context(), it.Acting.ForPersonID))
		} else if it.Acting.AsRole != it.Acting.Role {
			row.Acting = l.T("request.acting_as", "Role", requestRoleName(l, rp.Policy, it.Acting.AsRole))
		}
		d.Rows = append(d.Rows, row)
	}
	return s.render(w, r, http.StatusOK, "request_queue", d)
}
