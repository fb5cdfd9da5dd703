package web

import (
	"net/http"
	"time"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/request"
)

// requestListData is the list of requests: one's own (history), those
// one decided, overdue returns, or all of them (request.read_all).
type requestListData struct {
	Page
	View     string
	Views    []string
	Status   string
	Statuses []request.Status
	Rows     []requestRow
	Now      time.Time
}

// requestRow is a request in a list.
type requestRow struct {
	ID        int64
	Kind      string
	Applicant string
	Assets    string
	Status    request.Status
	Waiting   string // the role the pending step waits for
	Submitted time.Time
	Due       *time.Time
	Overdue   bool
	Acting    string // in a queue: in whose place the reader acts
}

// requestViews are the lists, in tab order.
var requestViews = []string{"mine", "decided", "overdue", "all"}

// requestList lists requests: by default the reader's own, newest first.
func (s *Server) requestList(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.requestPolicy(r)
	if err != nil {
		return err
	}
	me := principalFrom(r)
	actor := requestActor(me)
	q := r.URL.Query()
	d := requestListData{Page: s.page(r, "request.list_title", "requests"), View: q.Get("view"), Status: q.Get("status"), Statuses: request.Statuses, Now: s.store.Now()}
	for _, v := range requestViews {
		if v == "all" && !actor.ReadAll {
			continue
		}
		d.Views = append(d.Views, v)
	}
	f := request.Filter{Limit: 200}
	if d.Status != "" {
		st := request.Status(d.Status)
		if !st.Valid() {
			return &mamori.Error{Code: mamori.EINVALID, Message: "request.status_unknown", Field: "status", Args: map[string]any{"Status": d.Status}}
		}
		f.Statuses = []request.Status{st}
	}
	svc := s.requests()
	var rs []request.Request
	switch d.View {
	case "decided":
		rs, err = svc.Decided(r.Context(), actor, f)
	case "overdue":
		rs, err = svc.Overdue(r.Context(), actor)
	case "all":
		rs, err = svc.All(r.Context(), actor, f)
	default:
		d.View = "mine"
		rs, err = svc.Mine(r.Context(), actor, f)
	}
	if err != nil {
		return err
	}
	l := s.localizer(r)
	for _, req := range rs {
		d.Rows = append(d.Rows, requestRowOf(l, rp.Policy, &req, d.Now))
	}
	return s.render(w, r, http.StatusOK, "request_list", d)
}

func requestRowOf(l Localizer, pol *policy.Policy, req *request.Request, now time.Time) requestRow {
	row := requestRow{ID: req.ID, Kind: l.Pick(req.KindName.JA, req.KindName.EN), Applicant: req.ApplicantName, Status: req.Status,
		Submitted: req.SubmittedAt, Overdue: req.Overdue(now)}
	if req.DueAt != nil {
		due := req.DueAt.Add(-time.Second)
		row.Due = &due
	}
	for i, a := range req.Assets {
		if i > 0 {
			row.Assets += "、"
		}
		row.Assets += a.Name
	}
	if st, ok := req.PendingStep(); ok {
		row.Waiting = requestRoleName(l, pol, st.Role)
	}
	return row
}
