package policy

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"cel.dev/cel-go/common/cost"
)

// Limits on conditions. A condition is checked against them when the
// profile loads (statically, from the declared bounds of list and string
// facts), so that Decide can evaluate without run-time cost tracking and
// still never run away on a hostile profile.
const (
	// MaxConditionCost is the largest estimated worst-case cost of one
	// condition, in CEL cost units (roughly one per operation).
	MaxConditionCost = 10000
	// maxConditionSize bounds a condition's length in code points.
	maxConditionSize = 4096
)

// compiledRule is a rule with its precompiled condition.
type compiledRule struct {
	rule  *Rule
	index int         // position among its action's rules
	prg   cel.Program // nil: the rule always applies
	facts []string    // facts the condition reads
}

// compiledAction is an action with its rules and the facts they read.
type compiledAction struct {
	action    *Action
	rules     []*compiledRule
	factNames []string // sorted
	slots     map[string]int
	decls     []*FactDecl // aligned with factNames
	pool      sync.Pool   // *activation
	cache     sync.Map    // bitmask of matching rules → *Decision
}

func celType(f *FactDecl) *cel.Type {
	switch f.Type {
	case FactBool:
		return cel.BoolType
	case FactInt:
		return cel.IntType
	case FactString:
		return cel.StringType
	case FactList:
		return cel.ListType(cel.StringType)
	case FactLevel:
		if f.axis != nil && f.axis.ints {
			return cel.IntType
		}
		return cel.StringType
	}
	return cel.DynType
}

func (p *Policy) celEnv() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.ParserExpressionSizeLimit(maxConditionSize),
		cel.ParserRecursionLimit(64),
	}
	for _, f := range p.doc.Facts {
		opts = append(opts, cel.Variable(f.ID, celType(f)))
	}
	return cel.NewEnv(opts...)
}

// compile type-checks every rule's condition and precompiles it.
func (v *validator) compile() {
	p := v.p
	env, err := p.celEnv()
	if err != nil {
		v.add(p.doc.Pos, ECodeCELType, "CEL 環境を作れません: "+err.Error(), "cannot build the CEL environment: "+err.Error())
		return
	}
	est := &sizeEstimator{p: p}
	for _, a := range p.doc.Actions {
		ca := p.actions[a.ID]
		read := map[string]bool{}
		for _, cr := range ca.rules {
			v.compileRule(env, est, cr)
			for _, f := range cr.facts {
				read[f] = true
			}
		}
		if len(a.Facts) > 0 {
			// The action declared what its rules may read: hold them to it.
			for _, cr := range ca.rules {
				for _, f := range cr.facts {
					if !slices.Contains(a.Facts, f) {
						v.add(cr.rule.Pos.At("when"), ECodeUnknownFact,
							fmt.Sprintf("規則 %s は行為 %s が宣言していない事実 %q を読みます", cr.rule.ID, a.ID, f),
							fmt.Sprintf("rule %s reads fact %q, which action %s does not declare", cr.rule.ID, f, a.ID))
					}
				}
			}
			for _, f := range a.Facts {
				read[f] = true
			}
		}
		ca.factNames = sortedKeys(read)
		ca.slots = make(map[string]int, len(ca.factNames))
		for i, f := range ca.factNames {
			ca.slots[f] = i
			ca.decls = append(ca.decls, p.facts[f])
		}
		n := len(ca.factNames)
		ca.pool.New = func() any { return &activation{names: ca.factNames, vals: make([]ref.Val, n)} }
	}
}

func (v *validator) compileRule(env *cel.Env, est *sizeEstimator, cr *compiledRule) {
	r := cr.rule
	when := strings.TrimSpace(r.When)
	if when == "" {
		return
	}
	pos := r.Pos.At("when")
	parsed, iss := env.Parse(when)
	if iss.Err() != nil {
		v.add(pos, ECodeCELSyntax, "CEL の構文誤り: "+iss.Err().Error(), "CEL syntax error: "+iss.Err().Error())
		return
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		msg := iss.Err().Error()
		code := ECodeCELType
		if strings.Contains(msg, "undeclared reference") {
			code = ECodeUnknownFact
		}
		v.add(pos, code, "CEL の型誤り: "+msg, "CEL type error: "+msg)
		return
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		v.add(pos, ECodeCELType, "条件は bool でなければなりません（"+checked.OutputType().String()+"）", "a condition must be bool, not "+checked.OutputType().String())
		return
	}
	if !v.checkLevels(pos, checked) {
		return
	}
	c, err := env.EstimateCost(checked, est)
	if err != nil || c.Max > MaxConditionCost {
		v.add(pos, ECodeCELCost, fmt.Sprintf("条件の計算量が上限 %d を超えます", MaxConditionCost), fmt.Sprintf("condition may cost more than %d", MaxConditionCost))
		return
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		v.add(pos, ECodeCELType, "CEL をコンパイルできません: "+err.Error(), "cannot compile CEL: "+err.Error())
		return
	}
	cr.prg = prg
	seen := map[string]bool{}
	celast.PostOrderVisit(checked.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind {
			if _, ok := v.p.facts[e.AsIdent()]; ok {
				seen[e.AsIdent()] = true
			}
		}
	}))
	cr.facts = sortedKeys(seen)
}

// checkLevels makes sure that every literal compared with a level fact is a
// level of that fact's axis, and that levels are never ordered with < or >:
// whether 1 is stricter than 2 depends on the axis (藤枝市: 1 strictest;
// 下條村: 2 strictest), so a numeric comparison would read differently in
// every profile.
func (v *validator) checkLevels(pos Pos, a *cel.Ast) bool {
	ok := true
	levelAxis := func(e celast.Expr) *Axis {
		if e.Kind() != celast.IdentKind {
			return nil
		}
		if f, found := v.p.facts[e.AsIdent()]; found && f.Type == FactLevel {
			return f.axis
		}
		return nil
	}
	checkLit := func(ax *Axis, e celast.Expr) {
		var lits []celast.Expr
		switch e.Kind() {
		case celast.LiteralKind:
			lits = []celast.Expr{e}
		case celast.ListKind:
			lits = e.AsList().Elements()
		}
		for _, l := range lits {
			if l.Kind() != celast.LiteralKind {
				continue
			}
			id := literalString(l.AsLiteral())
			if !ax.HasLevel(id) {
				ok = false
				v.add(pos, ECodeUnknownLevel, fmt.Sprintf("分類軸 %s に分類 %s はありません", ax.ID, id), fmt.Sprintf("axis %s has no level %s", ax.ID, id))
			}
		}
	}
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.CallKind {
			return
		}
		call := e.AsCall()
		args := call.Args()
		switch call.FunctionName() {
		case operators.Equals, operators.NotEquals, operators.In:
			if len(args) != 2 {
				return
			}
			if ax := levelAxis(args[0]); ax != nil {
				checkLit(ax, args[1])
			}
			if ax := levelAxis(args[1]); ax != nil && call.FunctionName() != operators.In {
				checkLit(ax, args[0])
			}
		case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
			for _, arg := range args {
				if ax := levelAxis(arg); ax != nil {
					ok = false
					v.add(pos, ECodeCELType,
						fmt.Sprintf("分類 (%s) を大小比較しないでください。厳しさの順は分類軸ごとに異なります。in [...] で列挙してください", ax.ID),
						fmt.Sprintf("do not order levels (%s) with < or >: strictness runs differently per axis; list them with in [...]", ax.ID))
				}
			}
		}
	}))
	return ok
}

func literalString(v ref.Val) string {
	switch x := v.(type) {
	case types.Int:
		return strconv.FormatInt(int64(x), 10)
	case types.String:
		return string(x)
	}
	return fmt.Sprint(v.Value())
}

// sizeEstimator gives the static cost estimator the declared bounds of list
// and string facts, which Decide enforces.
type sizeEstimator struct{ p *Policy }

func (s *sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	f, ok := s.p.facts[path[0]]
	if !ok {
		return nil
	}
	var size uint64
	switch {
	case len(path) == 1 && f.Type == FactList:
		size = uint64(f.MaxItems)
	case len(path) == 1 && f.Type == FactString, len(path) == 2 && f.Type == FactList:
		size = uint64(f.MaxLength)
	default:
		return nil
	}
	e := cost.SizeEstimate{Min: 0, Max: size}
	return &e
}

func (s *sizeEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	return nil
}

// activation hands the facts of one decision to CEL. It is a slice rather
// than a map so that Decide allocates nothing per fact; activations are
// pooled per action.
type activation struct {
	names []string
	vals  []ref.Val
}

func (a *activation) ResolveName(name string) (any, bool) {
	for i, n := range a.names {
		if n == name {
			v := a.vals[i]
			return v, v != nil
		}
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// factValue is a fact converted to its CEL value.
type factValue struct {
	val ref.Val
	// mixed is set when a level fact was given as several distinct levels
	// and reduced to the strictest.
	mixed bool
}

// convertFact checks x against the fact's declared type and converts it.
func convertFact(f *FactDecl, x any) (factValue, error) {
	switch f.Type {
	case FactBool:
		b, ok := x.(bool)
		if !ok {
			return factValue{}, fmt.Errorf("want bool, got %T", x)
		}
		return factValue{val: types.Bool(b)}, nil
	case FactInt:
		i, ok := toInt(x)
		if !ok {
			return factValue{}, fmt.Errorf("want int, got %T", x)
		}
		return factValue{val: types.Int(i)}, nil
	case FactString:
		s, ok := x.(string)
		if !ok {
			return factValue{}, fmt.Errorf("want string, got %T", x)
		}
		if err := checkString(f, s); err != nil {
			return factValue{}, err
		}
		return factValue{val: types.String(s)}, nil
	case FactList:
		var ss []string
		switch xs := x.(type) {
		case []string:
			ss = xs
		case []any:
			ss = make([]string, len(xs))
			for i, e := range xs {
				s, ok := e.(string)
				if !ok {
					return factValue{}, fmt.Errorf("want list of strings, element %d is %T", i, e)
				}
				ss[i] = s
			}
		default:
			return factValue{}, fmt.Errorf("want list of strings, got %T", x)
		}
		if len(ss) > f.MaxItems {
			return factValue{}, fmt.Errorf("list longer than %d", f.MaxItems)
		}
		for _, s := range ss {
			if err := checkString(f, s); err != nil {
				return factValue{}, err
			}
		}
		return factValue{val: types.NewStringList(types.DefaultTypeAdapter, slices.Clone(ss))}, nil
	case FactLevel:
		return convertLevel(f.axis, x)
	}
	return factValue{}, fmt.Errorf("fact %s has no type", f.ID)
}

func checkString(f *FactDecl, s string) error {
	if len(s) > f.MaxLength {
		return fmt.Errorf("string longer than %d bytes", f.MaxLength)
	}
	if len(f.Values) > 0 && !slices.Contains(f.Values, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(f.Values, ", "))
	}
	return nil
}

func toInt(x any) (int64, bool) {
	switch n := x.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint8:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func levelID(x any) (string, bool) {
	switch l := x.(type) {
	case string:
		return l, true
	default:
		if i, ok := toInt(x); ok {
			return strconv.FormatInt(i, 10), true
		}
	}
	return "", false
}

// convertLevel accepts one level or several (a medium holding information
// of several levels) and reduces them to the strictest.
func convertLevel(ax *Axis, x any) (factValue, error) {
	var ids []string
	switch xs := x.(type) {
	case []string:
		ids = xs
	case []int:
		for _, i := range xs {
			ids = append(ids, strconv.Itoa(i))
		}
	case []any:
		for _, e := range xs {
			id, ok := levelID(e)
			if !ok {
				return factValue{}, fmt.Errorf("level list element is %T", e)
			}
			ids = append(ids, id)
		}
	default:
		id, ok := levelID(x)
		if !ok {
			return factValue{}, fmt.Errorf("want a level of %s, got %T", ax.ID, x)
		}
		ids = []string{id}
	}
	if len(ids) == 0 {
		return factValue{}, fmt.Errorf("no level of %s given", ax.ID)
	}
	best, err := ax.Strictest(ids...)
	if err != nil {
		return factValue{}, err
	}
	mixed := false
	for _, id := range ids {
		if id != best {
			mixed = true
		}
	}
	if ax.ints {
		i, _ := strconv.ParseInt(best, 10, 64)
		return factValue{val: types.Int(i), mixed: mixed}, nil
	}
	return factValue{val: types.String(best), mixed: mixed}, nil
}
