package web

import (
	"net/http"
	"net/url"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incStepInput marks a mandatory step of the policy done or not applicable.
type incStepInput struct {
	Step    string `json:"step"`
	Outcome string `json:"outcome"` // done | not_applicable
	Note    string `json:"note"`
}

func (in incStepInput) op() (incidentOp, error) {
	if in.Outcome != "done" && in.Outcome != "not_applicable" {
		return nil, mamori.FieldError("outcome", "incident.outcome_invalid", nil)
	}
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.MarkStep(r.Context(), pol, by, id, in.Step, in.Outcome == "done", in.Note)
	}, nil
}

// incidentMarkStep marks a close step of the policy.
func (s *Server) incidentMarkStep() handlerFunc {
	return s.incidentForm("steps", func(v url.Values) (incidentOp, error) {
		return incStepInput{Step: v.Get("step"), Outcome: v.Get("outcome"), Note: v.Get("note")}.op()
	})
}
