package auth

// Principal is who is acting in a request: a signed-in person, or an API
// token acting for one.
type Principal struct {
	Tenant     int64
	TenantSlug string
	TenantName string
	PersonID   int64
	Name       string
	UnitID     int64
	IsAdmin    bool
	Roles      []RoleHolding
	Segments   []string // network segments of the policy the person works in
	Perms      map[string]bool
	MustChange bool // temporary password: must be changed before anything else
	// PasswordExpired: the password is older than the policy allows, so
	// MustChange is set (periodic change, 下條村 第2章7(7)5).
	PasswordExpired bool
	MFAEnabled      bool // the account has a second factor
	NeedsMFA        bool // two-factor required but not yet completed in this session
	MustEnrol       bool // two-factor required by policy but not yet set up
	SessionID       string
	TokenID         int64 // API token, if the request came with one

	PolicyVersionID int64
	PolicyHash      string
}

// RoleHolding is one role a person holds, scoped to a unit when the role
// is per unit.
type RoleHolding struct {
	Role   string
	UnitID int64
}

// Can reports whether the principal holds permission p.
func (p *Principal) Can(perm string) bool {
	return p != nil && p.Perms[perm]
}

// HasRole reports whether the principal holds role (in any unit).
func (p *Principal) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// InSegment reports whether the principal works in the network segment.
func (p *Principal) InSegment(segment string) bool {
	for _, s := range p.Segments {
		if s == segment {
			return true
		}
	}
	return false
}
