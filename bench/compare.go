package bench

import (
	"context"
	"fmt"
	"time"

	"mamori/internal/policy"
)

// Comparison is mamori against OPA on the shared case table: the time per
// decision of each, measured in turn in the same process.
type Comparison struct {
	Cases    int
	MamoriNs float64 // per decision
	OPANs    float64 // per decision, input as a Go map (as Decide receives it)
}

// Ratio is how many times faster mamori decided.
func (c Comparison) Ratio() float64 { return c.OPANs / c.MamoriNs }

// Agree checks that both engines give the expected effect on every case:
// timing engines that disagree would measure nothing.
func Agree(ctx context.Context, p *policy.Policy) error {
	pq, err := PrepareOPA(ctx)
	if err != nil {
		return err
	}
	var bad []string
	for _, c := range Cases {
		m, err := Mamori(p, c)
		if err != nil {
			return fmt.Errorf("%s: mamori: %w", c.Name, err)
		}
		o, err := OPA(ctx, pq, c)
		if err != nil {
			return fmt.Errorf("%s: opa: %w", c.Name, err)
		}
		if m != o || m != c.Effect {
			bad = append(bad, fmt.Sprintf("%s: mamori %s, opa %s, want %s", c.Name, m, o, c.Effect))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the engines disagree on %d of %d cases: %v", len(bad), len(Cases), bad)
	}
	return nil
}

// Compare checks that both engines agree (Agree), then times n decisions
// of mamori and n/10 of OPA (it is much slower) over the case table
// round-robin, each after a warm-up.
func Compare(ctx context.Context, n int) (Comparison, error) {
	p, err := policy.Builtin("fujieda")
	if err != nil {
		return Comparison{}, err
	}
	if err := Agree(ctx, p); err != nil {
		return Comparison{}, err
	}
	pq, err := PrepareOPA(ctx)
	if err != nil {
		return Comparison{}, err
	}
	mamori := func(c Case) error { _, err := Mamori(p, c); return err }
	opa := func(c Case) error { _, err := OPA(ctx, pq, c); return err }
	if _, err := measure(max(n/100, len(Cases)), mamori); err != nil {
		return Comparison{}, err
	}
	if _, err := measure(max(n/1000, len(Cases)), opa); err != nil {
		return Comparison{}, err
	}
	m, err := measure(n, mamori)
	if err != nil {
		return Comparison{}, err
	}
	o, err := measure(max(n/10, len(Cases)), opa)
	if err != nil {
		return Comparison{}, err
	}
	return Comparison{Cases: len(Cases), MamoriNs: m, OPANs: o}, nil
}

// measure times n decisions of one engine over the case table round-robin
// and returns ns per decision.
func measure(n int, decide func(Case) error) (float64, error) {
	start := time.Now()
	for i := range n {
		if err := decide(Cases[i%len(Cases)]); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}
