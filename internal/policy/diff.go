package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ChangeKind says how an element differs between two versions.
type ChangeKind string

// Change kinds.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one difference between two versions of a profile, for the
// policy review (下條村 第2章11(3), 天草 第42条).
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Area is what kind of element changed: profile, role, axis, level,
	// fact, action, rule, record_type, request_kind, incident, duty,
	// obligation, auth, separation_of_duties, segment, gap.
	Area string `json:"area"`
	ID   string `json:"id"`
	// Field, Old and New are set for Changed.
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	Text  Text   `json:"text"`
}

func (c Change) String() string { return c.Text.EN }

// item is an element reduced to comparable fields.
type item struct {
	id     string
	fields map[string]string
}

// Diff lists what changed from a to b: roles, levels and their
// restrictions, facts, actions and their defaults, rules, retention and
// the other fields of record types, request kinds, incident chain, duties,
// obligations, auth, separation of duties, segments and gaps.
func Diff(a, b *Policy) []Change {
	var out []Change
	cmp := func(area string, x, y []item) { out = append(out, diffItems(area, x, y)...) }
	cmp("profile", profileItems(a), profileItems(b))
	cmp("role", roleItems(a), roleItems(b))
	cmp("axis", axisItems(a), axisItems(b))
	cmp("level", levelItems(a), levelItems(b))
	cmp("segment", segmentItems(a), segmentItems(b))
	cmp("fact", factItems(a), factItems(b))
	cmp("action", actionItems(a), actionItems(b))
	cmp("rule", ruleItems(a), ruleItems(b))
	cmp("record_type", recordTypeItems(a), recordTypeItems(b))
	cmp("request_kind", requestKindItems(a), requestKindItems(b))
	cmp("incident", incidentItems(a), incidentItems(b))
	cmp("violations", violationItems(a), violationItems(b))
	cmp("duty", dutyItems(a), dutyItems(b))
	cmp("obligation", obligationItems(a), obligationItems(b))
	cmp("auth", authItems(a), authItems(b))
	cmp("separation_of_duties", sodItems(a), sodItems(b))
	cmp("gap", gapItems(a), gapItems(b))
	return out
}

func diffItems(area string, x, y []item) []Change {
	var out []Change
	ym := map[string]item{}
	for _, it := range y {
		ym[it.id] = it
	}
	xm := map[string]item{}
	for _, it := range x {
		xm[it.id] = it
		other, ok := ym[it.id]
		if !ok {
			out = append(out, Change{Kind: Removed, Area: area, ID: it.id, Text: Text{
				JA: fmt.Sprintf("%s %s を削除", area, it.id), EN: fmt.Sprintf("removed %s %s", area, it.id)}})
			continue
		}
		for _, f := range sortedKeys(union(it.fields, other.fields)) {
			if it.fields[f] != other.fields[f] {
				out = append(out, Change{Kind: Changed, Area: area, ID: it.id, Field: f, Old: it.fields[f], New: other.fields[f], Text: Text{
					JA: fmt.Sprintf("%s %s の %s を変更: %q → %q", area, it.id, f, it.fields[f], other.fields[f]),
					EN: fmt.Sprintf("changed %s %s %s: %q → %q", area, it.id, f, it.fields[f], other.fields[f])}})
			}
		}
	}
	for _, it := range y {
		if _, ok := xm[it.id]; !ok {
			out = append(out, Change{Kind: Added, Area: area, ID: it.id, Text: Text{
				JA: fmt.Sprintf("%s %s を追加", area, it.id), EN: fmt.Sprintf("added %s %s", area, it.id)}})
		}
	}
	return out
}

func union(a, b map[string]string) map[string]string {
	m := make(map[string]string, len(a)+len(b))
	for k := range a {
		m[k] = ""
	}
	for k := range b {
		m[k] = ""
	}
	return m
}

func txt(t Text) string { return t.JA + " / " + t.EN }

func list[T ~string](xs []T) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = string(x)
	}
	return strings.Join(ss, ", ")
}

// substitutesSig writes a substitution order as "a, b[incident] 第2章3(2)イ",
// so that limiting a substitution to some matters shows in a diff.
func substitutesSig(subs []*Substitute) string {
	ss := make([]string, len(subs))
	for i, s := range subs {
		ss[i] = s.Role
		if len(s.For) > 0 {
			ss[i] += "[" + list(s.For) + "]"
		}
		if s.Clause != "" {
			ss[i] += " " + s.Clause
		}
	}
	return strings.Join(ss, ", ")
}

func route(r []RouteStep) string {
	ss := make([]string, len(r))
	for i, s := range r {
		ss[i] = s.Role + "@" + s.Scope
	}
	return strings.Join(ss, " → ")
}

func outcome(o *Outcome) string {
	if o == nil {
		return ""
	}
	return fmt.Sprintf("%s %s %s %s", o.Effect, route(o.Route), o.RecordType, o.Clause)
}

func fieldsSig(fs []*Field) string {
	ss := make([]string, len(fs))
	for i, f := range fs {
		ss[i] = fmt.Sprintf("%s:%s:%t:%s:%s", f.ID, f.Type, f.Required, f.Fact, f.Purpose)
	}
	return strings.Join(ss, ", ")
}

func profileItems(p *Policy) []item {
	pr := p.Profile()
	return []item{{id: pr.ID, fields: map[string]string{
		"version": pr.Version, "name": txt(pr.Name), "source": pr.Source, "revised": pr.Revised,
		"organization": txt(pr.Organization.Name), "default": outcome(pr.Default),
	}}}
}

func roleItems(p *Policy) []item {
	var out []item
	for _, r := range p.Roles() {
		f := map[string]string{
			"name": txt(r.Name), "holder": txt(r.Holder), "kind": string(r.Kind), "scope": string(r.Scope),
			"clause": r.Clause, "reports_to": r.ReportsTo, "appointed_by": r.AppointedBy,
			"substitutes": substitutesSig(r.Substitutes), "grants": list(r.Grants),
		}
		if r.Delegation != nil {
			f["delegation"] = list(r.Delegation.To) + " " + r.Delegation.Clause
		}
		for i, d := range r.Duties {
			f["duties."+strconv.Itoa(i)] = d.Text.JA + " " + d.Clause
		}
		out = append(out, item{id: r.ID, fields: f})
	}
	return out
}

func axisItems(p *Policy) []item {
	var out []item
	for _, a := range p.Axes() {
		out = append(out, item{id: a.ID, fields: map[string]string{
			"name": txt(a.Name), "clause": a.Clause, "strictest_first": strings.Join(a.StrictestFirst, ", "), "mixed_clause": a.MixedClause,
		}})
	}
	return out
}

func levelItems(p *Policy) []item {
	var out []item
	for _, a := range p.Axes() {
		for _, l := range a.Levels {
			f := map[string]string{"name": txt(l.Name), "clause": l.Clause, "includes": strings.Join(l.Includes, ", ")}
			for i, c := range l.Criteria {
				f["criteria."+strconv.Itoa(i)] = c.JA
			}
			for _, r := range l.Restrictions {
				f["restriction."+r.ID] = r.Text.JA + " " + r.Clause
			}
			out = append(out, item{id: a.ID + "/" + l.ID, fields: f})
		}
	}
	return out
}

func segmentItems(p *Policy) []item {
	var out []item
	for _, s := range p.Segments() {
		out = append(out, item{id: s.ID, fields: map[string]string{"name": txt(s.Name), "clause": s.Clause}})
	}
	for _, c := range p.Crossings() {
		out = append(out, item{id: c.From + "→" + c.To, fields: map[string]string{"effect": c.Effect, "text": c.Text.JA, "clause": c.Clause}})
	}
	return out
}

func factItems(p *Policy) []item {
	var out []item
	for _, f := range p.Facts() {
		out = append(out, item{id: f.ID, fields: map[string]string{
			"type": string(f.Type), "axis": f.Axis, "values": strings.Join(f.Values, ", "), "default": fmt.Sprint(f.Default),
		}})
	}
	return out
}

func actionItems(p *Policy) []item {
	var out []item
	for _, a := range p.Actions() {
		out = append(out, item{id: a.ID, fields: map[string]string{
			"name": txt(a.Name), "default": outcome(a.Default), "facts": strings.Join(p.ActionFacts(a.ID), ", "),
		}})
	}
	return out
}

func ruleItems(p *Policy) []item {
	var out []item
	for _, r := range p.Rules() {
		out = append(out, item{id: r.ID, fields: map[string]string{
			"action": r.Action, "when": r.When, "effect": string(r.Effect), "route": route(r.Route),
			"record_type": r.RecordType, "clause": r.Clause, "reason": txt(r.Reason), "overrides": strings.Join(r.Overrides, ", "),
		}})
	}
	return out
}

func recordTypeItems(p *Policy) []item {
	var out []item
	for _, r := range p.RecordTypes() {
		out = append(out, item{id: r.ID, fields: map[string]string{
			"name": txt(r.Name), "retention": r.RetentionPeriod().String(), "clause": r.Clause, "fields": fieldsSig(r.Fields),
		}})
	}
	return out
}

func requestKindItems(p *Policy) []item {
	var out []item
	for _, r := range p.RequestKinds() {
		out = append(out, item{id: r.ID, fields: map[string]string{
			"name": txt(r.Name), "action": r.Action, "clause": r.Clause, "fields": fieldsSig(r.Fields),
			"reports": list(r.Reports), "record_type": r.RecordType,
		}})
	}
	return out
}

func incidentItems(p *Policy) []item {
	in := p.Incident()
	f := map[string]string{"contact": in.Contact, "triage": in.Triage, "clause": in.Clause}
	for i, s := range in.Chain {
		f["chain."+strconv.Itoa(i)] = fmt.Sprintf("%s conditional=%t %s", route(s.To), s.Conditional, s.Clause)
	}
	for _, s := range in.CloseSteps {
		f["close."+s.ID] = s.Role + " " + s.Text.JA + " " + s.Clause
	}
	for _, e := range in.ExternalReports {
		f["external."+e.ID] = e.Target.JA + " " + e.Deadline + " " + e.Clause
	}
	return []item{{id: "incident", fields: f}}
}

func violationItems(p *Policy) []item {
	vp := p.Violations()
	f := map[string]string{"clause": vp.Clause, "notify": route(vp.Notify) + " " + vp.NotifyClause}
	if vp.Suspend != nil {
		f["suspend"] = route(vp.Suspend.Notify) + " " + vp.Suspend.Clause
	}
	return []item{{id: "violations", fields: f}}
}

func dutyItems(p *Policy) []item {
	var out []item
	for _, d := range p.Duties() {
		out = append(out, item{id: d.ID, fields: map[string]string{
			"role": d.Role, "period": d.Period, "month": strconv.Itoa(d.Month), "clause": d.Clause, "text": d.Text.JA,
		}})
	}
	return out
}

func obligationItems(p *Policy) []item {
	var out []item
	for _, o := range p.Obligations() {
		out = append(out, item{id: o.ID, fields: map[string]string{
			"clause": o.Clause, "actor": o.Actor, "co_actors": strings.Join(o.CoActors, ", "), "modality": string(o.Modality), "text": o.Text.JA,
		}})
	}
	return out
}

func authItems(p *Policy) []item {
	a := p.Auth()
	pw := a.Password
	f := map[string]string{
		"min_length":            strconv.Itoa(pw.MinLength.Value),
		"history":               strconv.Itoa(pw.History.Value),
		"max_age_days":          strconv.Itoa(pw.MaxAgeDays.Value),
		"lockout_threshold":     strconv.Itoa(pw.LockoutThreshold.Value),
		"temporary_must_change": strconv.FormatBool(pw.TemporaryMustChange.Value),
	}
	for _, r := range pw.Requirements {
		f["requirement."+r.ID] = r.Text.JA + " " + r.Clause
	}
	for _, m := range a.MFA {
		f["mfa."+m.ID] = fmt.Sprintf("roles=%s segments=%s admins=%t %s", strings.Join(m.Roles, ","), strings.Join(m.Segments, ","), m.Admins, m.Clause)
	}
	return []item{{id: "auth", fields: f}}
}

func sodItems(p *Policy) []item {
	var out []item
	for _, s := range p.SeparationOfDuties() {
		out = append(out, item{id: s.ID, fields: map[string]string{"kind": string(s.Kind), "roles": strings.Join(s.Roles, ", "), "clause": s.Clause}})
	}
	return out
}

func gapItems(p *Policy) []item {
	var out []item
	for _, g := range p.Gaps() {
		out = append(out, item{id: g.ID, fields: map[string]string{"topic": g.Topic.JA, "text": g.Text.JA}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
