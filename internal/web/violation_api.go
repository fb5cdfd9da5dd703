package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mamori/internal/incident"
)

type violationJSON struct {
	ID               int64      `json:"id"`
	PersonID         int64      `json:"person_id"`
	Person           string     `json:"person"`
	UnitID           int64      `json:"unit_id"`
	IncidentID       int64      `json:"incident_id,omitempty"`
	Description      string     `json:"description"`
	Clause           string     `json:"clause"`
	FoundAt          time.Time  `json:"found_at"`
	Status           string     `json:"status"`
	Instruction      string     `json:"instruction,omitempty"`
	InstructedAt     *time.Time `json:"instructed_at,omitempty"`
	Result           string     `json:"result,omitempty"`
	ResultAt         *time.Time `json:"result_at,omitempty"`
	SuspensionReason string     `json:"suspension_reason,omitempty"`
	SuspendedAt      *time.Time `json:"suspended_at,omitempty"`
}

func toViolationJSON(v *incident.Violation) violationJSON {
	return violationJSON{ID: v.ID, PersonID: v.PersonID, Person: v.PersonName, UnitID: v.UnitID, IncidentID: v.IncidentID, Description: v.Description,
		Clause: v.Clause, FoundAt: v.FoundAt, Status: string(v.Status), Instruction: v.Instruction, InstructedAt: v.InstructedAt, Result: v.Result,
		ResultAt: v.ResultAt, SuspensionReason: v.SuspensionReason, SuspendedAt: v.SuspendedAt}
}

// apiViolationList lists violations; ?person=ID those of one person.
func (s *Server) apiViolationList(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.store.Violations(r.Context(), atoi64(r.URL.Query().Get("person")))
	if err != nil {
		return err
	}
	out := struct {
		Violations []violationJSON `json:"violations"`
	}{Violations: []violationJSON{}}
	for i := range vs {
		out.Violations = append(out.Violations, toViolationJSON(&vs[i]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// violationCreateJSON records a violation through the API; person is a
// staff number or a person id.
type violationCreateJSON struct {
	Person      string `json:"person"`
	Description string `json:"description"`
	Clause      string `json:"clause"`
	FoundAt     string `json:"found_at"`
	IncidentID  int64  `json:"incident_id"`
}

func (s *Server) apiViolationCreate(w http.ResponseWriter, r *http.Request) error {
	var in violationCreateJSON
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	v, err := s.recordViolation(r, url.Values{"person": {in.Person}, "description": {in.Description}, "clause": {in.Clause},
		"found_at": {in.FoundAt}, "incident_id": {strconv.FormatInt(in.IncidentID, 10)}})
	if err != nil {
		return err
	}
	v, err = s.store.Violation(r.Context(), v.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toViolationJSON(v))
}

func (s *Server) apiViolationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.store.Violation(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toViolationJSON(v))
}

func apiViolationOp[T any](s *Server, build func(T) violationOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in T
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
		if _, err := s.runViolationOp(r, build(in)); err != nil {
			return err
		}
		return s.apiViolationShow(w, r)
	}
}

func (s *Server) apiViolationInstruct() handlerFunc {
	return apiViolationOp(s, func(in violationInstructionInput) violationOp { return in.op() })
}

func (s *Server) apiViolationResult() handlerFunc {
	return apiViolationOp(s, func(in violationResultInput) violationOp { return in.op() })
}

func (s *Server) apiViolationSuspend() handlerFunc {
	return apiViolationOp(s, func(in violationSuspensionInput) violationOp { return in.op() })
}
