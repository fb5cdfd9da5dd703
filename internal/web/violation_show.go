package web

import (
	"fmt"
	"net/http"
	"net/url"

	"mamori"
	"mamori/internal/incident"
	"mamori/internal/policy"
)

type violationShowData struct {
	incPage
	incLookups
	V      *incident.Violation
	Rule   incident.ViolationRule
	Err    error
	Failed string
	Posted url.Values
}

// Val is a field of the form that failed.
func (d violationShowData) Val(form, k string) string {
	if d.Failed != form {
		return ""
	}
	return d.Posted.Get(k)
}

// violationShow shows a violation and the form of its next stage.
func (s *Server) violationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := incID(r, "id")
	if err != nil {
		return err
	}
	return s.renderViolation(w, r, http.StatusOK, id, "", nil)
}

func (s *Server) renderViolation(w http.ResponseWriter, r *http.Request, status int, id int64, failed string, formErr error) error {
	v, err := s.store.Violation(r.Context(), id)
	if err != nil {
		return err
	}
	l, err := s.incLookups(r)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "violation", violationShowData{incPage: s.incPage(r, "violation.show_title", "violations"), incLookups: l,
		V: v, Rule: incident.RuleFor(l.Policy), Err: formErr, Failed: failed, Posted: r.PostForm})
}

// violationOp is a change to a violation, the same for page and API.
type violationOp func(r *http.Request, svc *incident.Violations, pol *policy.Policy, by incident.Actor, id int64) error

func (s *Server) runViolationOp(r *http.Request, op violationOp) (int64, error) {
	id, err := incID(r, "id")
	if err != nil {
		return 0, err
	}
	pol, err := s.activePolicy(r)
	if err != nil {
		return id, err
	}
	return id, op(r, s.violationsService(), pol, actorOf(principalFrom(r)), id)
}

func (s *Server) violationForm(form string, decode func(url.Values) violationOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return &mamori.Error{Code: mamori.EINVALID, Message: "report.malformed"}
		}
		id, err := s.runViolationOp(r, decode(r.PostForm))
		if err != nil {
			if incUserError(err) && id != 0 && mamori.ErrorCode(err) != mamori.ENOTFOUND {
				return s.renderViolation(w, r, statusOf(mamori.ErrorCode(err)), id, form, err)
			}
			return err
		}
		s.redirect(w, r, fmt.Sprintf("/violations/%d?flash=violation_saved", id))
		return nil
	}
}

// violationInstructionInput is the instruction to correct (天草 第39条(1)).
type violationInstructionInput struct {
	Instruction string `json:"instruction"`
}

func (in violationInstructionInput) op() violationOp {
	return func(r *http.Request, svc *incident.Violations, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Instruct(r.Context(), pol, by, id, in.Instruction)
	}
}

// violationResultInput is the result of the instruction (天草 第39条(2)).
type violationResultInput struct {
	Corrected bool   `json:"corrected"`
	Result    string `json:"result"`
}

func (in violationResultInput) op() violationOp {
	return func(r *http.Request, svc *incident.Violations, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.RecordResult(r.Context(), pol, by, id, in.Corrected, in.Result)
	}
}

// violationSuspensionInput suspends the person's rights (下條村 第2章9(6)(2),
// 天草 第39条(3)).
type violationSuspensionInput struct {
	Reason string `json:"reason"`
}

func (in violationSuspensionInput) op() violationOp {
	return func(r *http.Request, svc *incident.Violations, pol *policy.Policy, by incident.Actor, id int64) error {
		return svc.Suspend(r.Context(), pol, by, principalFrom(r).IsAdmin, id, in.Reason)
	}
}

func (s *Server) violationInstruct() handlerFunc {
	return s.violationForm("instruct", func(v url.Values) violationOp {
		return violationInstructionInput{Instruction: v.Get("instruction")}.op()
	})
}

func (s *Server) violationResult() handlerFunc {
	return s.violationForm("result", func(v url.Values) violationOp {
		return violationResultInput{Corrected: v.Get("corrected") == "yes", Result: v.Get("result")}.op()
	})
}

func (s *Server) violationSuspend() handlerFunc {
	return s.violationForm("suspend", func(v url.Values) violationOp { return violationSuspensionInput{Reason: v.Get("reason")}.op() })
}
