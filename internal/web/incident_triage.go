package web

import (
	"net/http"
	"net/url"

	"mamori/internal/incident"
	"mamori/internal/policy"
)

// incTriageInput is the CSIRT's assessment (下條村 第2章7(6)ウ).
type incTriageInput struct {
	Triage       string `json:"triage"`   // breach | not_breach
	Severity     string `json:"severity"` // low | medium | high | critical
	PersonalInfo bool   `json:"personal_info"`
	Malicious    bool   `json:"malicious"`
	Note         string `json:"note"`
}

func incTriageFromForm(v url.Values) (incidentOp, error) {
	return incTriageInput{Triage: v.Get("triage"), Severity: v.Get("severity"), PersonalInfo: v.Get("personal_info") != "",
		Malicious: v.Get("malicious") != "", Note: v.Get("note")}.op(), nil
}

func (in incTriageInput) op() incidentOp {
	return func(r *http.Request, svc *incident.Service, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Triage(r.Context(), pol, by, id, incident.TriageInput{Triage: incident.Triage(in.Triage), Severity: incident.Severity(in.Severity),
			PersonalInfo: in.PersonalInfo, Malicious: in.Malicious, Note: in.Note})
	}
}

// incidentTriage records the triage; the service refuses anyone who does
// not act in the policy's triage role.
func (s *Server) incidentTriage() handlerFunc { return s.incidentForm("triage", incTriageFromForm) }
