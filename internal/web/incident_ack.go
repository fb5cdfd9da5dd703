package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incAckInput acknowledges receipt of a report (nothing to say but who and
// when, which the server knows).
type incAckInput struct{}

func (incAckInput) op() incidentOp {
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Acknowledge(r.Context(), pol, by, id)
	}
}

// incidentAck records that the viewer received the report; the chain's
// next step is told when the policy's order says so.
func (s *Server) incidentAck() handlerFunc {
	return s.incidentForm("chain", func(url.Values) (incidentOp, error) { return incAckInput{}.op(), nil })
}
