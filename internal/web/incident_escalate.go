package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incEscalateInput tells the next step of the chain now.
type incEscalateInput struct {
	Note string `json:"note"`
}

func (in incEscalateInput) op() incidentOp {
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Escalate(r.Context(), pol, by, id, in.Note)
	}
}

// incidentEscalate tells the next step of the reporting chain.
func (s *Server) incidentEscalate() handlerFunc {
	return s.incidentForm("chain", func(v url.Values) (incidentOp, error) { return incEscalateInput{Note: v.Get("note")}.op(), nil })
}
