package policy

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/common/types"
)

// Facts are what a caller knows about the asset, the actor and the context
// of an action, keyed by declared fact name. A level fact may be given as
// one level or as a slice of levels (a medium holding several), which is
// reduced to the strictest.
type Facts map[string]any

// Decision is the policy's answer about one action.
type Decision struct {
	Effect Effect
	// Route is the approval route (Effect approve), in order.
	Route []RouteStep
	// Rules are the ids of the rules that produced the effect; empty when
	// the action's default applied.
	Rules []string
	// Clauses are the clauses the decision rests on, in order.
	Clauses []string
	// RecordType is the record the action requires, if any.
	RecordType    string
	Reason        Text
	PolicyVersion string
	// Default is true when no rule matched and the default applied.
	Default bool
}

// RuleTrace says what one rule of the action did in a decision.
type RuleTrace struct {
	Rule       string
	Effect     Effect
	When       string
	Clause     string
	Matched    bool
	Overridden bool // matched but displaced by a more specific rule
}

// Explanation is a decision with the trace of every rule of the action.
type Explanation struct {
	Decision Decision
	Trace    []RuleTrace
}

// Decide answers what the policy says about action given facts. Deny
// overrides approve, approve overrides record, record overrides allow; a
// matching rule listed in another matching rule's overrides is displaced;
// with no matching rule the action's (or the profile's) default applies.
// An unknown action, an undeclared or ill-typed fact, or a missing fact
// without a default is a *DecideError, never a silent allow.
func (p *Policy) Decide(action string, facts Facts) (Decision, error) {
	d, _, err := p.decide(action, facts, false)
	return d, err
}

// Explain is Decide with the trace of every rule, for the CLI, the decision
// API's debug view and the policy review.
func (p *Policy) Explain(action string, facts Facts) (Explanation, error) {
	d, trace, err := p.decide(action, facts, true)
	if err != nil {
		return Explanation{}, err
	}
	return Explanation{Decision: d, Trace: trace}, nil
}

func (p *Policy) decide(action string, facts Facts, explain bool) (Decision, []RuleTrace, error) {
	ca, ok := p.actions[action]
	if !ok {
		return Decision{}, nil, &DecideError{Code: ECodeUnknownActionDecide, Action: action, Message: Text{
			JA: fmt.Sprintf("プロファイル %s に行為 %q はありません", p.ID(), action),
			EN: fmt.Sprintf("profile %s has no action %q", p.ID(), action)}}
	}
	act := ca.pool.Get().(*activation)
	defer func() {
		clear(act.vals)
		ca.pool.Put(act)
	}()
	var mixed []string // clauses of axes whose fact was reduced from several levels
	for name, x := range facts {
		f, ok := p.facts[name]
		if !ok {
			return Decision{}, nil, &DecideError{Code: ECodeUnknownFactDecide, Action: action, Fact: name, Message: Text{
				JA: fmt.Sprintf("プロファイル %s に事実 %q は宣言されていません", p.ID(), name),
				EN: fmt.Sprintf("profile %s declares no fact %q", p.ID(), name)}}
		}
		fv, err := convertFact(f, x)
		if err != nil {
			return Decision{}, nil, &DecideError{Code: ECodeFactType, Action: action, Fact: name, Message: Text{
				JA: fmt.Sprintf("事実 %s の値が不正です: %v", name, err),
				EN: fmt.Sprintf("fact %s: %v", name, err)}}
		}
		if i, ok := ca.slots[name]; ok {
			act.vals[i] = fv.val
			if fv.mixed && f.axis.MixedClause != "" && !slices.Contains(mixed, f.axis.MixedClause) {
				mixed = append(mixed, f.axis.MixedClause)
			}
		}
	}
	for i, f := range ca.decls {
		if act.vals[i] != nil {
			continue
		}
		if f.def == nil {
			return Decision{}, nil, &DecideError{Code: ECodeMissingFact, Action: action, Fact: f.ID, Message: Text{
				JA: fmt.Sprintf("行為 %s の判断には事実 %s が必要です", action, f.ID),
				EN: fmt.Sprintf("action %s needs fact %s", action, f.ID)}}
		}
		act.vals[i] = f.def
	}

	// Evaluate every rule: deny must be able to override whatever else
	// matched, so there is no early exit.
	var matchedBuf [16]*compiledRule
	matched := matchedBuf[:0]
	for _, cr := range ca.rules {
		if cr.prg == nil {
			matched = append(matched, cr)
			continue
		}
		out, _, err := cr.prg.Eval(act)
		if err != nil {
			return Decision{}, nil, &DecideError{Code: ECodeEval, Action: action, Message: Text{
				JA: fmt.Sprintf("規則 %s の条件を評価できません: %v", cr.rule.ID, err),
				EN: fmt.Sprintf("cannot evaluate rule %s: %v", cr.rule.ID, err)}}
		}
		if out == types.True {
			matched = append(matched, cr)
		}
	}
	// Drop rules displaced by a more specific matching rule.
	var overridden map[string]bool
	for _, cr := range matched {
		for _, o := range cr.rule.Overrides {
			if overridden == nil {
				overridden = map[string]bool{}
			}
			overridden[o] = true
		}
	}
	if overridden != nil {
		kept := matched[:0:0]
		for _, cr := range matched {
			if !overridden[cr.rule.ID] {
				kept = append(kept, cr)
			}
		}
		matched = kept
	}

	d := p.combined(ca, matched)
	for _, c := range mixed {
		if !slices.Contains(d.Clauses, c) {
			d.Clauses = append(d.Clauses, c)
		}
	}
	var trace []RuleTrace
	if explain {
		for _, cr := range ca.rules {
			r := cr.rule
			t := RuleTrace{Rule: r.ID, Effect: r.Effect, When: r.When, Clause: r.Clause, Overridden: overridden[r.ID]}
			for _, m := range matched {
				if m == cr {
					t.Matched = true
				}
			}
			t.Matched = t.Matched || t.Overridden
			trace = append(trace, t)
		}
	}
	return d, trace, nil
}

// combined returns combine's result for the matching rules, cached per
// set of matching rules: an action has a handful of rules, so a handful of
// distinct outcomes, and building the joined reason texts each time would
// cost more than all the CEL evaluations. The cached slices are cloned so
// that a caller may modify its Decision freely.
func (p *Policy) combined(ca *compiledAction, matched []*compiledRule) Decision {
	if len(ca.rules) > 64 {
		return p.combine(ca, matched)
	}
	var key uint64
	for _, m := range matched {
		key |= 1 << m.index
	}
	v, ok := ca.cache.Load(key)
	if !ok {
		d := p.combine(ca, matched)
		v, _ = ca.cache.LoadOrStore(key, &d)
	}
	d := *v.(*Decision)
	d.Route = slices.Clone(d.Route)
	d.Rules = slices.Clone(d.Rules)
	d.Clauses = slices.Clone(d.Clauses)
	return d
}

// combine turns the matching rules into one decision.
func (p *Policy) combine(ca *compiledAction, matched []*compiledRule) Decision {
	d := Decision{PolicyVersion: p.Version()}
	for _, e := range []Effect{Deny, Approve, Record, Allow} {
		for _, cr := range matched {
			if cr.rule.Effect == e {
				d.Effect = e
				break
			}
		}
		if d.Effect != "" {
			break
		}
	}
	if d.Effect == "" {
		o := ca.action.Default
		if o == nil {
			o = p.doc.Profile.Default
		}
		d.Effect, d.Route, d.RecordType, d.Reason, d.Default = o.Effect, slices.Clone(o.Route), o.RecordType, o.Reason, true
		if o.Clause != "" {
			d.Clauses = []string{o.Clause}
		}
		return d
	}
	var ja, en []string
	for _, cr := range matched {
		r := cr.rule
		// Under deny only the denying rules speak; under approve the
		// record rules still say what must be recorded.
		switch {
		case d.Effect == Deny && r.Effect != Deny:
			continue
		case d.Effect != Deny && r.Effect == Allow && d.Effect != Allow:
			continue
		}
		d.Rules = append(d.Rules, r.ID)
		if !slices.Contains(d.Clauses, r.Clause) {
			d.Clauses = append(d.Clauses, r.Clause)
		}
		if r.Reason.JA != "" && !slices.Contains(ja, r.Reason.JA) {
			ja = append(ja, r.Reason.JA)
		}
		if r.Reason.EN != "" && !slices.Contains(en, r.Reason.EN) {
			en = append(en, r.Reason.EN)
		}
		if d.Effect != Deny {
			for _, st := range r.Route {
				if !slices.Contains(d.Route, st) {
					d.Route = append(d.Route, st)
				}
			}
			if d.RecordType == "" {
				d.RecordType = r.RecordType
			}
		}
	}
	d.Reason = Text{JA: strings.Join(ja, "／"), EN: strings.Join(en, " / ")}
	return d
}
