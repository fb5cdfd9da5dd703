package policy

import (
	"slices"
	"sort"
)

// Policy is a loaded, validated and compiled profile. It is immutable and
// safe for concurrent use.
type Policy struct {
	file   string
	source []byte
	hash   string
	doc    *document

	roles        map[string]*Role
	axes         map[string]*Axis
	facts        map[string]*FactDecl
	actions      map[string]*compiledAction
	rules        map[string]*Rule
	recordTypes  map[string]*RecordType
	requestKinds map[string]*RequestKind
	segments     map[string]*Segment
}

// ID is the profile id (e.g. "fujieda").
func (p *Policy) ID() string { return p.doc.Profile.ID }

// Version is the profile's version string; decisions carry it.
func (p *Policy) Version() string { return p.doc.Profile.Version }

// Name is the policy's name.
func (p *Policy) Name() Text { return p.doc.Profile.Name }

// Source is the file name of the policy text the profile was written from.
func (p *Policy) Source() string { return p.doc.Profile.Source }

// File is the name the profile was loaded under.
func (p *Policy) File() string { return p.file }

// Hash is the hex SHA-256 of the profile's source bytes: two policies with
// the same hash are the same text.
func (p *Policy) Hash() string { return p.hash }

// Bytes returns a copy of the profile's source.
func (p *Policy) Bytes() []byte { return slices.Clone(p.source) }

// Profile returns the profile header: organization, bodies, person kinds.
func (p *Policy) Profile() *Profile { return &p.doc.Profile }

// Roles returns the roles in profile order.
func (p *Policy) Roles() []*Role { return p.doc.Roles }

// Role returns the role with the given id.
func (p *Policy) Role(id string) (*Role, bool) {
	r, ok := p.roles[id]
	return r, ok
}

// BaselineRoles returns the ids of the roles every member of staff holds.
func (p *Policy) BaselineRoles() []string {
	var ids []string
	for _, r := range p.doc.Roles {
		if r.Kind == RoleBaseline {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Grants returns the union of the permissions the given roles carry, in
// vocabulary order. Unknown role ids carry nothing: a role removed by a new
// policy version gives no power.
func (p *Policy) Grants(roleIDs ...string) []Permission {
	have := map[Permission]bool{}
	for _, id := range roleIDs {
		if r, ok := p.roles[id]; ok {
			for _, g := range r.Grants {
				have[g] = true
			}
		}
	}
	var out []Permission
	for _, perm := range Permissions {
		if have[perm] {
			out = append(out, perm)
		}
	}
	return out
}

// Axes returns the classification axes in profile order.
func (p *Policy) Axes() []*Axis { return p.doc.Classification.Axes }

// Axis returns the axis with the given id.
func (p *Policy) Axis(id string) (*Axis, bool) {
	a, ok := p.axes[id]
	return a, ok
}

// Segments returns the network segments.
func (p *Policy) Segments() []*Segment { return p.doc.Segments }

// Crossings returns what may cross between segments.
func (p *Policy) Crossings() []*Crossing { return p.doc.Crossings }

// Facts returns the declared facts.
func (p *Policy) Facts() []*FactDecl { return p.doc.Facts }

// Fact returns the declared fact with the given id.
func (p *Policy) Fact(id string) (*FactDecl, bool) {
	f, ok := p.facts[id]
	return f, ok
}

// Actions returns the actions in profile order.
func (p *Policy) Actions() []*Action { return p.doc.Actions }

// Action returns the action with the given id.
func (p *Policy) Action(id string) (*Action, bool) {
	a, ok := p.actions[id]
	if !ok {
		return nil, false
	}
	return a.action, true
}

// ActionFacts returns the sorted names of the facts the action's rules read.
func (p *Policy) ActionFacts(id string) []string {
	a, ok := p.actions[id]
	if !ok {
		return nil
	}
	return slices.Clone(a.factNames)
}

// Rules returns the rules in profile order.
func (p *Policy) Rules() []*Rule { return p.doc.Rules }

// Rule returns the rule with the given id.
func (p *Policy) Rule(id string) (*Rule, bool) {
	r, ok := p.rules[id]
	return r, ok
}

// RecordTypes returns the record types.
func (p *Policy) RecordTypes() []*RecordType { return p.doc.RecordTypes }

// RecordType returns the record type with the given id; its
// RetentionPeriod says how long records of it must be kept.
func (p *Policy) RecordType(id string) (*RecordType, bool) {
	r, ok := p.recordTypes[id]
	return r, ok
}

// RequestKinds returns the request kinds.
func (p *Policy) RequestKinds() []*RequestKind { return p.doc.RequestKinds }

// RequestKind returns the request kind with the given id.
func (p *Policy) RequestKind(id string) (*RequestKind, bool) {
	r, ok := p.requestKinds[id]
	return r, ok
}

// Incident returns the incident process.
func (p *Policy) Incident() *IncidentProcess { return &p.doc.Incident }

// Violations returns the response to violations; empty when the policy
// prescribes none.
func (p *Policy) Violations() *ViolationProcess { return &p.doc.Violations }

// IncidentChain returns the incident reporting chain, in order.
func (p *Policy) IncidentChain() []*IncidentStep { return p.doc.Incident.Chain }

// Duties returns the recurring duties.
func (p *Policy) Duties() []*Duty { return p.doc.Duties }

// Obligations returns the obligations.
func (p *Policy) Obligations() []*Obligation { return p.doc.Obligations }

// ObligationsOf returns the obligations whose actor or co-actor is the given
// role: a self-inspection checklist for that role.
func (p *Policy) ObligationsOf(role string) []*Obligation {
	var out []*Obligation
	for _, o := range p.doc.Obligations {
		if o.Actor == role || slices.Contains(o.CoActors, role) {
			out = append(out, o)
		}
	}
	return out
}

// Auth returns the authentication rules.
func (p *Policy) Auth() *AuthRules { return &p.doc.Auth }

// SeparationOfDuties returns the separation-of-duties constraints.
func (p *Policy) SeparationOfDuties() []*SoD { return p.doc.SeparationOfDuties }

// Gaps returns what the seed does not say.
func (p *Policy) Gaps() []*Gap { return p.doc.Gaps }

// PersonKinds returns the kinds of person the policy applies to.
func (p *Policy) PersonKinds() []*PersonKind { return p.doc.Profile.PersonKinds }

// Bodies returns the organizations within the policy's scope.
func (p *Policy) Bodies() []*Body { return p.doc.Profile.Organization.Bodies }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
