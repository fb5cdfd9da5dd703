package policycli

import (
	"fmt"
	"io"

	"mamori/internal/policy"
)

// compiled is the profile as "policy show --format json" prints it: the
// profile as loaded plus what the compiler derived (the facts each action's
// rules read, each level's effective restrictions, retention periods).
type compiled struct {
	ID                 string                  `json:"id"`
	Version            string                  `json:"version"`
	Name               policy.Text             `json:"name"`
	Source             string                  `json:"source"`
	SHA256             string                  `json:"sha256"`
	Organization       policy.Organization     `json:"organization"`
	PersonKinds        []*policy.PersonKind    `json:"person_kinds"`
	Axes               []axisJSON              `json:"axes"`
	Roles              []*policy.Role          `json:"roles"`
	Segments           []*policy.Segment       `json:"segments"`
	Crossings          []*policy.Crossing      `json:"crossings"`
	Facts              []*policy.FactDecl      `json:"facts"`
	Actions            []actionJSON            `json:"actions"`
	RecordTypes        []recordTypeJSON        `json:"record_types"`
	RequestKinds       []*policy.RequestKind   `json:"request_kinds"`
	Incident           *policy.IncidentProcess `json:"incident"`
	Duties             []*policy.Duty          `json:"duties"`
	Obligations        []*policy.Obligation    `json:"obligations"`
	Auth               *policy.AuthRules       `json:"auth"`
	SeparationOfDuties []*policy.SoD           `json:"separation_of_duties"`
	Gaps               []*policy.Gap           `json:"gaps"`
}

type axisJSON struct {
	ID             string      `json:"id"`
	Name           policy.Text `json:"name"`
	Clause         string      `json:"clause"`
	StrictestFirst []string    `json:"strictest_first"`
	MixedClause    string      `json:"mixed_clause,omitempty"`
	Levels         []levelJSON `json:"levels"`
}

type levelJSON struct {
	*policy.Level
	EffectiveRestrictions []*policy.Restriction `json:"effective_restrictions"`
}

type actionJSON struct {
	ID      string          `json:"id"`
	Name    policy.Text     `json:"name"`
	Clause  string          `json:"clause,omitempty"`
	Facts   []string        `json:"facts"`
	Default *policy.Outcome `json:"default,omitempty"`
	Rules   []*policy.Rule  `json:"rules"`
}

type recordTypeJSON struct {
	*policy.RecordType
	RetentionSpecified bool `json:"retention_specified"`
}

func compile(p *policy.Policy) compiled {
	c := compiled{
		ID: p.ID(), Version: p.Version(), Name: p.Name(), Source: p.Source(), SHA256: p.Hash(),
		Organization: p.Profile().Organization, PersonKinds: p.PersonKinds(), Roles: p.Roles(),
		Segments: p.Segments(), Crossings: p.Crossings(), Facts: p.Facts(),
		RequestKinds: p.RequestKinds(), Incident: p.Incident(), Duties: p.Duties(), Obligations: p.Obligations(),
		Auth: p.Auth(), SeparationOfDuties: p.SeparationOfDuties(), Gaps: p.Gaps(),
	}
	for _, ax := range p.Axes() {
		aj := axisJSON{ID: ax.ID, Name: ax.Name, Clause: ax.Clause, StrictestFirst: ax.StrictestFirst, MixedClause: ax.MixedClause}
		for _, l := range ax.Levels {
			rs, _ := ax.Restrictions(l.ID) // l is a level of ax: cannot fail
			aj.Levels = append(aj.Levels, levelJSON{Level: l, EffectiveRestrictions: rs})
		}
		c.Axes = append(c.Axes, aj)
	}
	for _, a := range p.Actions() {
		aj := actionJSON{ID: a.ID, Name: a.Name, Clause: a.Clause, Facts: p.ActionFacts(a.ID), Default: a.Default, Rules: []*policy.Rule{}}
		if aj.Facts == nil {
			aj.Facts = []string{}
		}
		if aj.Default == nil {
			aj.Default = p.Profile().Default
		}
		for _, r := range p.Rules() {
			if r.Action == a.ID {
				aj.Rules = append(aj.Rules, r)
			}
		}
		c.Actions = append(c.Actions, aj)
	}
	for _, rt := range p.RecordTypes() {
		c.RecordTypes = append(c.RecordTypes, recordTypeJSON{RecordType: rt, RetentionSpecified: rt.RetentionPeriod().Specified})
	}
	return c
}

// Show prints the compiled profile: axes, levels, roles, actions with the
// facts their rules read, and everything else the profile holds.
func Show(stdout, stderr io.Writer, args []string) int {
	fs := newFlagSet("policy show", stderr)
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil || len(pos) != 1 || (*format != "json" && *format != "text") {
		fmt.Fprintln(stderr, "usage: policy show NAME|FILE [--format json|text]")
		return ExitUsage
	}
	p, err := open(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitInvalid
	}
	if *format == "json" {
		return writeJSON(stdout, stderr, compile(p))
	}
	fmt.Fprintf(stdout, "%s %s — %s (%s)\nsource: %s\n\n", p.ID(), p.Version(), p.Name().JA, p.Name().EN, p.Source())
	fmt.Fprintln(stdout, "axes:")
	for _, ax := range p.Axes() {
		fmt.Fprintf(stdout, "  %s %s  strictest first: %v  [%s]\n", ax.ID, ax.Name.JA, ax.StrictestFirst, ax.Clause)
	}
	fmt.Fprintln(stdout, "roles:")
	for _, r := range p.Roles() {
		fmt.Fprintf(stdout, "  %-26s %s — %s (%s) [%s]\n", r.ID, r.Name.JA, r.Holder.JA, r.Scope, r.Clause)
	}
	fmt.Fprintln(stdout, "actions:")
	for _, a := range p.Actions() {
		fmt.Fprintf(stdout, "  %-32s %s  facts: %v\n", a.ID, a.Name.JA, p.ActionFacts(a.ID))
	}
	return ExitOK
}
