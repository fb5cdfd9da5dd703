package incident

import (
	"context"
	"slices"
	"time"

	"mamori"
	"mamori/internal/directory"
	"mamori/internal/notify"
	"mamori/internal/policy"
)

// rolesGranting lists the appointed roles of the policy that grant perm:
// whoever must act on a deviation or violation is found through the
// permissions the profile gives, not through role ids written into code.
func rolesGranting(pol *policy.Policy, perm policy.Permission) []*policy.Role {
	var out []*policy.Role
	for _, r := range pol.Roles() {
		if r.Kind != policy.RoleBaseline && slices.Contains(r.Grants, perm) {
			out = append(out, r)
		}
	}
	return out
}

// recipientsOf resolves roles for a unit (per-unit roles) or the
// organization, skipping roles nobody acts in and the people in skip.
func recipientsOf(ctx context.Context, dir Resolver, pol *policy.Policy, steps []policy.RouteStep, unitID int64, at time.Time, skip ...int64) []notify.Recipient {
	var out []notify.Recipient
	for _, st := range steps {
		r, ok := pol.Role(st.Role)
		if !ok {
			continue
		}
		unit := int64(0)
		if directory.PerUnit(r) || st.Scope != policy.RouteOrganization {
			unit = unitID
		}
		acting, err := dir.Resolve(ctx, pol, policy.MatterIncident, st.Role, unit, at)
		if err != nil {
			continue // nobody holds it (the timeline of the record says whom it told)
		}
		for _, a := range acting {
			if !slices.Contains(skip, a.PersonID) {
				out = append(out, notify.Recipient{PersonID: a.PersonID})
			}
		}
	}
	return out
}

// stepsFor turns roles into organization- or unit-scoped steps.
func stepsFor(roles []*policy.Role) []policy.RouteStep {
	var out []policy.RouteStep
	for _, r := range roles {
		scope := policy.RouteOrganization
		if directory.PerUnit(r) {
			scope = policy.RouteApplicantUnit
		}
		out = append(out, policy.RouteStep{Role: r.ID, Scope: scope})
	}
	return out
}

// message builds a notification from catalog messages ID_subject and
// ID_body.
func message(cat interface {
	Both(string, map[string]any) mamori.Text
}, kind, id, link string, args map[string]any) notify.Message {
	return notify.Message{Kind: kind, Link: link, Subject: cat.Both(id+"_subject", args), Body: cat.Both(id+"_body", args)}
}
