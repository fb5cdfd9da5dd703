package bench

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/open-policy-agent/opa/v1/rego"
)

//go:embed fujieda.rego
var fujiedaRego string

// PrepareOPA compiles the Rego once, as a service would at start-up.
func PrepareOPA(ctx context.Context) (rego.PreparedEvalQuery, error) {
	pq, err := rego.New(
		rego.Query("data.mamori.fujieda.effect"),
		rego.Module("fujieda.rego", fujiedaRego),
	).PrepareForEval(ctx)
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("cannot prepare the Rego policy: %w", err)
	}
	return pq, nil
}

// OPAInput is the input document a case gives OPA.
func OPAInput(c Case) map[string]any {
	return map[string]any{"action": c.Action, "facts": c.Facts}
}

// OPA returns OPA's effect for a case.
func OPA(ctx context.Context, pq rego.PreparedEvalQuery, c Case) (string, error) {
	rs, err := pq.Eval(ctx, rego.EvalInput(OPAInput(c)))
	if err != nil {
		return "", err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return "", fmt.Errorf("no effect for %s", c.Name)
	}
	e, ok := rs[0].Expressions[0].Value.(string)
	if !ok {
		return "", fmt.Errorf("effect of %s is %T", c.Name, rs[0].Expressions[0].Value)
	}
	return e, nil
}
