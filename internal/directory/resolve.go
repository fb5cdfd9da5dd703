package directory

import (
	"context"
	"slices"
	"strconv"
	"time"

	"mamori"
	"mamori/internal/policy"
)

// Acting is a person who acts in a role for a unit at a time.
type Acting struct {
	PersonID    int64
	Name        string
	Email       string
	Role        string // the role asked for
	AsRole      string // the role the person actually holds (a substitute's own role when substituting)
	UnitID      int64  // the unit the role is held for (0: organization-wide)
	ForPersonID int64  // the absent holder this person stands in for; 0 when acting in their own right
}

// Substituting reports whether the person acts in another's place: for an
// absent holder, or in a role they do not hold themselves.
func (a Acting) Substituting() bool { return a.ForPersonID != 0 || a.AsRole != a.Role }

// Holder is a person who holds a role for a unit (0: organization-wide).
type Holder struct {
	PersonID int64
	Name     string
	Email    string
	Role     string
	UnitID   int64
}

// Store is what role resolution reads. internal/store implements it.
type Store interface {
	// UnitPath returns the unit and its ancestors, the unit first and the
	// root last; a not_found error when the unit does not exist.
	UnitPath(ctx context.Context, unitID int64) ([]Unit, error)
	// RoleHolders returns the people whose status is active and who hold
	// role at time at: for one of unitIDs, or organization-wide (unit
	// NULL) when unitIDs is empty. Ordered by person id.
	RoleHolders(ctx context.Context, role string, unitIDs []int64, at time.Time) ([]Holder, error)
	// AbsentAt returns which of the given people are absent at time at.
	AbsentAt(ctx context.Context, personIDs []int64, at time.Time) (map[int64]bool, error)
}

// Service answers who acts in a role: the holders of the role, or, when
// they are all absent, the substitutes the policy names.
type Service struct {
	st  Store
	now func() time.Time
}

// NewService returns a service over st.
func NewService(st Store) *Service {
	return &Service{st: st, now: time.Now}
}

// roleLookup finds a role of the policy; a function so that tests can
// offer role graphs a validated policy would refuse (substitution cycles).
type roleLookup func(id string) (*policy.Role, bool)

// Resolve returns who acts as role for unitID at time at: for a per-unit role (policy Role.Scope) the holders
// for that unit, else for the nearest ancestor unit that has one; for an organization role its holders. When
// every holder is absent, the role's substitutes (policy order: 下條村 第2章3(2)イ, 天草 第6条2, 第8条2, 藤枝市 4(1)②
// delegation) are tried in turn, each resolved the same way, and the result says whom they stand in for.
// An empty result is an error naming the role and unit (a route must never silently have no approver).
//
// A role without any holder (天草 第8条2 "欠けたとき": vacant) is treated
// as one whose holders are all absent: its substitutes are tried, and the
// result's ForPersonID is then 0 while AsRole names the substitute's role.
//
// matter says what the role is resolved for: a substitute limited to other
// matters (下條村 第2章3(2)イ: incidents only) is passed over.
func (s *Service) Resolve(ctx context.Context, pol *policy.Policy, matter policy.Matter, role string, unitID int64, at time.Time) ([]Acting, error) {
	if pol == nil {
		return nil, mamori.Errorf(mamori.ENOTFOUND, "policy.none_active", nil)
	}
	return s.resolve(ctx, pol.Role, matter, role, unitID, at)
}

func (s *Service) resolve(ctx context.Context, lookup roleLookup, matter policy.Matter, role string, unitID int64, at time.Time) ([]Acting, error) {
	r, ok := lookup(role)
	if !ok {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "role.unknown", Args: map[string]any{"Role": role}, Field: "role"}
	}
	if r.Kind == policy.RoleBaseline {
		return nil, &mamori.Error{Code: mamori.EINVALID, Message: "role.baseline_unresolvable", Args: roleArgs(r), Field: "role"}
	}
	if at.IsZero() {
		at = s.now()
	}
	acting, err := s.chain(ctx, lookup, matter, r, unitID, at, map[string]bool{})
	if err != nil {
		return nil, err
	}
	if len(acting) == 0 {
		args := roleArgs(r)
		args["Unit"] = s.unitLabel(ctx, unitID)
		return nil, &mamori.Error{Code: mamori.ENOTFOUND, Message: "role.nobody_acts", Args: args}
	}
	for i := range acting {
		acting[i].Role = r.ID
	}
	return acting, nil
}

// chain resolves r and, when nobody of it is present, its substitutes in
// order. visited guards against substitution cycles: a validated policy
// has none, but resolution must terminate whatever it is given, and a
// role reached twice (A→B, A→C→B) is tried once.
func (s *Service) chain(ctx context.Context, lookup roleLookup, matter policy.Matter, r *policy.Role, unitID int64, at time.Time, visited map[string]bool) ([]Acting, error) {
	if visited[r.ID] {
		return nil, nil
	}
	visited[r.ID] = true
	hs, heldFor, err := s.holders(ctx, r, unitID, at)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(hs))
	for i, h := range hs {
		ids[i] = h.PersonID
	}
	absent := map[int64]bool{}
	if len(ids) > 0 {
		if absent, err = s.st.AbsentAt(ctx, ids, at); err != nil {
			return nil, err
		}
	}
	var present []Acting
	var standInFor int64
	for _, h := range hs {
		if absent[h.PersonID] {
			if standInFor == 0 {
				standInFor = h.PersonID
			}
			continue
		}
		present = append(present, Acting{PersonID: h.PersonID, Name: h.Name, Email: h.Email, Role: r.ID, AsRole: r.ID, UnitID: heldFor})
	}
	if len(present) > 0 {
		return present, nil
	}
	for _, sub := range substitutesOf(r, matter) {
		sr, ok := lookup(sub)
		if !ok {
			continue
		}
		acts, err := s.chain(ctx, lookup, matter, sr, unitID, at, visited)
		if err != nil {
			// A substitute that cannot be resolved for this unit (a
			// per-unit substitute of an organization role asked without a
			// unit) is passed over; anything else is a real failure.
			if c := mamori.ErrorCode(err); c == mamori.EINVALID {
				continue
			}
			return nil, err
		}
		if len(acts) == 0 {
			continue
		}
		for i := range acts {
			if standInFor != 0 {
				acts[i].ForPersonID = standInFor
			}
		}
		return acts, nil
	}
	return nil, nil
}

// substitutesOf lists who acts for r on matter when its holders are
// absent: the substitutes in the policy's order, then the roles r may
// delegate its work to (藤枝市 第2章4(1)② ただし書).
func substitutesOf(r *policy.Role, matter policy.Matter) []string {
	out := r.SubstitutesFor(matter)
	if r.Delegation != nil {
		for _, to := range r.Delegation.To {
			if !slices.Contains(out, to) {
				out = append(out, to)
			}
		}
	}
	return out
}

// holders finds the holders of r for unitID: organization-wide for an
// organization role; for a per-unit or per-body role those of the unit,
// else of its nearest ancestor that has any.
func (s *Service) holders(ctx context.Context, r *policy.Role, unitID int64, at time.Time) ([]Holder, int64, error) {
	if !PerUnit(r) {
		hs, err := s.st.RoleHolders(ctx, r.ID, nil, at)
		return hs, 0, err
	}
	if unitID == 0 {
		return nil, 0, &mamori.Error{Code: mamori.EINVALID, Message: "role.unit_required", Args: roleArgs(r), Field: "unit_id"}
	}
	path, err := s.st.UnitPath(ctx, unitID)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(path))
	for i, u := range path {
		ids[i] = u.ID
	}
	all, err := s.st.RoleHolders(ctx, r.ID, ids, at)
	if err != nil {
		return nil, 0, err
	}
	for _, u := range path {
		var hs []Holder
		for _, h := range all {
			if h.UnitID == u.ID {
				hs = append(hs, h)
			}
		}
		if len(hs) > 0 {
			return hs, u.ID, nil
		}
	}
	return nil, 0, nil
}

func (s *Service) unitLabel(ctx context.Context, unitID int64) string {
	if unitID == 0 {
		return "-"
	}
	if path, err := s.st.UnitPath(ctx, unitID); err == nil && len(path) > 0 {
		return path[0].Name
	}
	return "#" + strconv.FormatInt(unitID, 10)
}

// CanAct says whether personID may act as role for unitID at time at, and
// how (in their own right or in whose place). It is the check a step of a
// route makes before it accepts a decision. Nobody acting at all is a
// plain false, not an error.
func (s *Service) CanAct(ctx context.Context, pol *policy.Policy, matter policy.Matter, personID int64, role string, unitID int64, at time.Time) (Acting, bool, error) {
	acting, err := s.Resolve(ctx, pol, matter, role, unitID, at)
	if err != nil {
		if e, ok := mamori.AsError(err); ok && e.Message == "role.nobody_acts" {
			return Acting{}, false, nil
		}
		return Acting{}, false, err
	}
	for _, a := range acting {
		if a.PersonID == personID {
			return a, true, nil
		}
	}
	return Acting{}, false, nil
}

// Approvers resolves role like Resolve and keeps those who may decide on
// applicantID's application (CheckSeparation). When nobody remains, the
// error is the separation-of-duties refusal, so that the caller can route
// the application elsewhere (the policy's exception "やむを得ない場合"
// is a human decision, never taken silently).
func (s *Service) Approvers(ctx context.Context, pol *policy.Policy, role string, unitID int64, at time.Time, applicantID int64) ([]Acting, error) {
	acting, err := s.Resolve(ctx, pol, policy.MatterApproval, role, unitID, at)
	if err != nil {
		return nil, err
	}
	var out []Acting
	var refusal error
	for _, a := range acting {
		if err := CheckSeparation(pol, applicantID, a); err != nil {
			refusal = err
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, refusal
	}
	return out, nil
}

// CheckSeparation is the one shared separation-of-duties check (下條村 第2章3(7), 藤枝市 第2章4(3)): nobody
// approves what they applied for, including when acting as a substitute (ForPersonID) — returns a *mamori.Error
// with code forbidden citing the policy's SoD clause.
//
// A substitute's decision counts as the absent holder's (代理): so the
// substitute of an applicant may not decide on that applicant's
// application either, just as the applicant may not decide on it as
// someone else's substitute. The check applies whatever the policy says
// (an applicant approving their own request is something mamori never
// allows); the clause cited is the policy's applicant_not_approver
// constraint, when it has one.
func CheckSeparation(pol *policy.Policy, applicantID int64, actor Acting) error {
	if applicantID == 0 {
		return nil
	}
	msg := ""
	switch {
	case actor.PersonID == applicantID:
		msg = "sod.self_approval"
	case actor.ForPersonID == applicantID:
		msg = "sod.self_approval_by_substitute"
	default:
		return nil
	}
	args := map[string]any{"Clause": "", "Policy": ""}
	if pol != nil {
		args["Policy"] = pol.Name().JA
		for _, c := range pol.SeparationOfDuties() {
			if c.Kind == policy.SoDApplicantNotApprover {
				args["Clause"] = c.Clause
				break
			}
		}
	}
	return &mamori.Error{Code: mamori.EFORBIDDEN, Message: msg, Args: args}
}

// PerUnit reports whether a role is held for a unit (per unit, or per
// body, whose holder is recorded on the body's top unit) rather than for
// the whole organization.
func PerUnit(r *policy.Role) bool {
	return r.Scope == policy.ScopeUnit || r.Scope == policy.ScopeBody
}

func roleArgs(r *policy.Role) map[string]any {
	return map[string]any{"Role": r.ID, "RoleJA": r.Name.JA, "RoleEN": orText(r.Name.EN, r.Name.JA)}
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
