package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incCloseInput is the closing review.
type incCloseInput struct {
	Review string `json:"review"`
}

func (in incCloseInput) op() incidentOp {
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Close(r.Context(), pol, by, id, in.Review)
	}
}

// incidentClose closes the incident with its review; refused, naming each
// one, while mandatory steps are open.
func (s *Server) incidentClose() handlerFunc {
	return s.incidentForm("close", func(v url.Values) (incidentOp, error) { return incCloseInput{Review: v.Get("review")}.op(), nil })
}
