package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incUnitInput sets the unit an incident concerns.
type incUnitInput struct {
	UnitID int64 `json:"unit_id"`
}

func (in incUnitInput) op() incidentOp {
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.SetUnit(r.Context(), pol, by, id, in.UnitID)
	}
}

// incidentSetUnit sets the unit concerned; the chain's per-unit roles
// that could not be told without it are told now.
func (s *Server) incidentSetUnit() handlerFunc {
	return s.incidentForm("unit", func(v url.Values) (incidentOp, error) {
		return incUnitInput{UnitID: atoi64(v.Get("unit_id"))}.op(), nil
	})
}
