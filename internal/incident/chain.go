package incident

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/policy"
)

// Resolver finds who acts in a role of the policy for a unit at a time,
// substitutes included; *directory.Service implements it.
type Resolver interface {
	Resolve(ctx context.Context, pol *policy.Policy, matter policy.Matter, role string, unitID int64, at time.Time) ([]directory.Acting, error)
	CanAct(ctx context.Context, pol *policy.Policy, matter policy.Matter, personID int64, role string, unitID int64, at time.Time) (directory.Acting, bool, error)
}

// target is a role to tell at a step of the chain.
type target struct {
	Step   int
	Role   string
	Scope  string
	Clause string
}

// stepTargets returns the roles of step (1-based) of the profile's chain.
func stepTargets(pol *policy.Policy, step int) []target {
	chain := pol.IncidentChain()
	if step < 1 || step > len(chain) {
		return nil
	}
	s := chain[step-1]
	out := make([]target, 0, len(s.To))
	for _, to := range s.To {
		out = append(out, target{Step: step, Role: to.Role, Scope: to.Scope, Clause: s.Clause})
	}
	return out
}

// intakeTargets are who receives a report from the public form before
// the chain: the policy's unified contact point (藤枝市 第2章4(2)⑤) or, if
// it names none, the role that triages (下條村 第2章7(6)ウ: CSIRT). The
// chain's first step usually names the reporter's own unit, which a
// resident does not have.
func intakeTargets(pol *policy.Policy) []target {
	ip := pol.Incident()
	role := ip.Contact
	clause := ip.Clause
	if role == "" {
		role, clause = ip.Triage, ip.TriageClause
	}
	if role == "" {
		return nil
	}
	return []target{{Step: 0, Role: role, Scope: policy.RouteOrganization, Clause: clause}}
}

// fallbackTargets are told when nobody of the chain could be found, so
// that a report is never received by no one: every appointed role of the
// organization that may handle incidents.
func fallbackTargets(pol *policy.Policy, step int) []target {
	var out []target
	for _, r := range pol.Roles() {
		if r.Kind == policy.RoleBaseline || directory.PerUnit(r) || !slices.Contains(r.Grants, policy.PermIncidentHandle) {
			continue
		}
		out = append(out, target{Step: step, Role: r.ID, Scope: policy.RouteOrganization, Clause: pol.Incident().Clause})
	}
	return out
}

// unitFor is the unit a role of the chain is looked up for: the
// reporter's unit for "applicant" scopes (the unit concerned when the
// reporter has none, as a resident does), the unit concerned for
// owner_unit, none for the organization.
func unitFor(scope string, inc *Incident) int64 {
	switch scope {
	case policy.RouteOrganization:
		return 0
	case policy.RouteOwnerUnit:
		if inc.UnitID != 0 {
			return inc.UnitID
		}
		return inc.ReporterUnitID
	default:
		if inc.ReporterUnitID != 0 {
			return inc.ReporterUnitID
		}
		return inc.UnitID
	}
}

// resolve finds the people for targets, leaving out anyone already told
// at the same step for the same role. A role nobody holds (or that needs a
// unit the incident does not have yet) is returned as unresolved, not as
// an error: the report still stands, and the timeline says who could not
// be told.
func (s *Service) resolve(ctx context.Context, pol *policy.Policy, inc *Incident, targets []target, have []Notice) ([]Notice, []target, error) {
	var out []Notice
	var unresolved []target
	told := func(step int, role string, person int64) bool {
		for _, n := range append(have, out...) {
			if n.Step == step && n.Role == role && n.PersonID == person {
				return true
			}
		}
		return false
	}
	for _, t := range targets {
		acting, err := s.dir.Resolve(ctx, pol, policy.MatterIncident, t.Role, unitFor(t.Scope, inc), s.now())
		if err != nil {
			if c := mamori.ErrorCode(err); c == mamori.ENOTFOUND || c == mamori.EINVALID {
				unresolved = append(unresolved, t)
				continue
			}
			return nil, nil, fmt.Errorf("resolve %s for incident %d: %w", t.Role, inc.ID, err)
		}
		for _, a := range acting {
			if told(t.Step, t.Role, a.PersonID) {
				continue
			}
			out = append(out, Notice{IncidentID: inc.ID, Step: t.Step, Role: t.Role, AsRole: a.AsRole, UnitID: a.UnitID,
				PersonID: a.PersonID, ForPersonID: a.ForPersonID, Clause: t.Clause, PersonName: a.Name})
		}
	}
	return out, unresolved, nil
}

// roleName is a role's name in both languages (its id if unknown).
func roleName(pol *policy.Policy, id string) mamori.Text {
	if r, ok := pol.Role(id); ok {
		en := r.Name.EN
		if en == "" {
			en = r.Name.JA
		}
		return mamori.Text{JA: r.Name.JA, EN: en}
	}
	return mamori.Text{JA: id, EN: id}
}
