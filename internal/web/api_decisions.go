package web

import (
	"errors"
	"net/http"

	"mamori"
	"mamori/internal/policy"
	"mamori/internal/policy/policycli"
)

type decisionRequest struct {
	Action string         `json:"action"`
	Facts  map[string]any `json:"facts"`
}

// apiDecide answers what the active policy says about an action: the
// effect, the approval route, the rules and clauses, and the reason. An
// unknown action or fact is an error, never a silent allow.
func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Action == "" {
		return mamori.FieldError("action", "policy.action_required", nil)
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return err
	}
	d, err := pol.Decide(req.Action, policy.Facts(req.Facts))
	if err != nil {
		return decideError(err)
	}
	return writeJSON(w, http.StatusOK, policycli.NewDecisionJSON(d))
}

// decideError turns a question the policy cannot answer into a 422 that
// names the action or fact at fault.
func decideError(err error) error {
	var de *policy.DecideError
	if !errors.As(err, &de) {
		return err
	}
	field := "action"
	if de.Fact != "" {
		field = "facts." + de.Fact
	}
	return &mamori.Error{Code: mamori.EINVALID, Message: "policy.decide_failed", Field: field,
		Args: map[string]any{"Code": string(de.Code), "JA": de.Message.JA, "EN": de.Message.EN}, Err: err}
}
