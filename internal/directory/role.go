package directory

import (
	"context"
	"slices"
	"time"

	"mamori"
	"mamori/internal/policy"
)

// Assignment is a role of the active policy held by a person, for a unit
// when the role is per unit or per body, from a time and possibly until
// another. Ended assignments are kept: they say who held what when.
type Assignment struct {
	ID         int64
	PersonID   int64
	Role       string
	UnitID     int64 // 0: organization-wide
	ValidFrom  time.Time
	ValidUntil *time.Time
	CreatedAt  time.Time
	CreatedBy  int64

	// Shown with the assignment, read with it.
	PersonName string
	StaffNo    string
	UnitName   string
}

// Current reports whether the assignment holds at time at.
func (a Assignment) Current(at time.Time) bool {
	return !a.ValidFrom.After(at) && (a.ValidUntil == nil || a.ValidUntil.After(at))
}

// ValidateAssignment checks an assignment against the active policy: the
// role must be one the policy defines and that is held by appointment (a
// baseline role is everyone's), and it is held for a unit exactly when
// the role is per unit or per body. unit is the unit named (nil for
// none); a per-body role is held for the body's top unit (a unit of kind
// body, or a root).
func ValidateAssignment(pol *policy.Policy, a *Assignment, unit *Unit) error {
	if pol == nil {
		return mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)
	}
	r, ok := pol.Role(a.Role)
	if !ok {
		return &mamori.Error{Code: mamori.EINVALID, Message: "role.unknown", Args: map[string]any{"Role": a.Role}, Field: "role"}
	}
	if r.Kind == policy.RoleBaseline {
		return &mamori.Error{Code: mamori.EINVALID, Message: "role.baseline_not_assignable", Args: roleArgs(r), Field: "role"}
	}
	if a.PersonID == 0 {
		return mamori.FieldError("person_id", "role.person_required", nil)
	}
	switch {
	case PerUnit(r) && a.UnitID == 0:
		return &mamori.Error{Code: mamori.EINVALID, Message: "role.unit_required", Args: roleArgs(r), Field: "unit_id"}
	case !PerUnit(r) && a.UnitID != 0:
		return &mamori.Error{Code: mamori.EINVALID, Message: "role.unit_not_allowed", Args: roleArgs(r), Field: "unit_id"}
	}
	if PerUnit(r) {
		if unit == nil || unit.ID != a.UnitID {
			return &mamori.Error{Code: mamori.EINVALID, Message: "unit.unknown", Args: map[string]any{"Unit": a.UnitID}, Field: "unit_id"}
		}
		if r.Scope == policy.ScopeBody && unit.Kind != UnitBody && unit.ParentID != 0 {
			args := roleArgs(r)
			args["Unit"] = unit.Name
			return &mamori.Error{Code: mamori.EINVALID, Message: "role.body_unit_required", Args: args, Field: "unit_id"}
		}
	}
	if a.ValidUntil != nil && !a.ValidUntil.After(a.ValidFrom) {
		return mamori.FieldError("valid_until", "role.period_invalid", nil)
	}
	return nil
}

// CheckExclusive refuses a role that the policy says may not be held
// together with one the person already holds (兼務の禁止, kind
// exclusive_roles). held lists the roles the person holds.
func CheckExclusive(pol *policy.Policy, role string, held []string) error {
	for _, c := range pol.SeparationOfDuties() {
		if c.Kind != policy.SoDExclusiveRoles || !slices.Contains(c.Roles, role) {
			continue
		}
		for _, h := range held {
			if h != role && slices.Contains(c.Roles, h) {
				other, _ := pol.Role(h)
				name := h
				if other != nil {
					name = other.Name.JA
				}
				return &mamori.Error{Code: mamori.EFORBIDDEN, Message: "sod.exclusive_roles", Field: "role",
					Args: map[string]any{"Role": role, "Other": name, "Clause": c.Clause}}
			}
		}
	}
	return nil
}

// RoleStore is what assigning a role needs. internal/store implements it.
type RoleStore interface {
	Unit(ctx context.Context, id int64) (*Unit, error)
	HeldRoles(ctx context.Context, personID int64, at time.Time) ([]string, error)
	AssignRole(ctx context.Context, a *Assignment) error
}

// Assign gives a person a role of the active policy, checked against it:
// a role the policy defines, held for a unit exactly when it is per unit,
// and not excluded by 兼務の禁止 from a role the person already holds.
func Assign(ctx context.Context, st RoleStore, pol *policy.Policy, a *Assignment) error {
	var unit *Unit
	if a.UnitID != 0 {
		u, err := st.Unit(ctx, a.UnitID)
		if err != nil {
			if e, ok := mamori.AsError(err); ok && e.Code == mamori.ENOTFOUND {
				return &mamori.Error{Code: mamori.EINVALID, Message: e.Message, Args: e.Args, Field: "unit_id"}
			}
			return err
		}
		unit = u
	}
	if err := ValidateAssignment(pol, a, unit); err != nil {
		return err
	}
	at := a.ValidFrom
	if at.IsZero() {
		at = time.Now()
	}
	held, err := st.HeldRoles(ctx, a.PersonID, at)
	if err != nil {
		return err
	}
	if err := CheckExclusive(pol, a.Role, held); err != nil {
		return err
	}
	return st.AssignRole(ctx, a)
}
