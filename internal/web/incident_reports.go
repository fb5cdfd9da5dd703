package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incReportAddInput adds a report to an outside body.
type incReportAddInput struct {
	Kind   string `json:"kind"` // mic | prefecture | police | press | other
	Target string `json:"target"`
	DueAt  string `json:"due_at"`
	Note   string `json:"note"`
}

func (in incReportAddInput) op() (incidentOp, error) {
	due, err := incParseTime("due_at", in.DueAt)
	if err != nil {
		return nil, err
	}
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.AddReport(r.Context(), pol, by, id, incident.ExternalReport{Kind: incident.ReportKind(in.Kind), Target: in.Target, DueAt: due, Note: in.Note})
	}, nil
}

// incReportResolveInput records a report as submitted or not required.
type incReportResolveInput struct {
	Status      string `json:"status"` // submitted | not_required
	SubmittedAt string `json:"submitted_at"`
	Reference   string `json:"reference"`
	Note        string `json:"note"`
}

func (in incReportResolveInput) op(reportID int64) (incidentOp, error) {
	at, err := incParseTime("submitted_at", in.SubmittedAt)
	if err != nil {
		return nil, err
	}
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.ResolveReport(r.Context(), pol, by, id, reportID, incident.ReportStatus(in.Status), at, in.Reference, in.Note)
	}, nil
}

// incidentAddReport adds a report to an outside body with its deadline.
func (s *Server) incidentAddReport() handlerFunc {
	return s.incidentForm("reports", func(v url.Values) (incidentOp, error) {
		return incReportAddInput{Kind: v.Get("kind"), Target: v.Get("target"), DueAt: v.Get("due_at"), Note: v.Get("note")}.op()
	})
}

// incidentResolveReport records that a report went out, or is not needed.
func (s *Server) incidentResolveReport() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rid, err := incID(r, "rid")
		if err != nil {
			return err
		}
		return s.incidentForm("reports", func(v url.Values) (incidentOp, error) {
			return incReportResolveInput{Status: v.Get("status"), SubmittedAt: v.Get("submitted_at"), Reference: v.Get("reference"), Note: v.Get("note")}.op(rid)
		})(w, r)
	}
}
