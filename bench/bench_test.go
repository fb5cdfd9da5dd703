package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"mamori/internal/policy"
)

func setup(tb testing.TB) (*policy.Policy, rego.PreparedEvalQuery) {
	tb.Helper()
	p, err := policy.Builtin("fujieda")
	if err != nil {
		tb.Fatal(err)
	}
	pq, err := PrepareOPA(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return p, pq
}

// TestSameEffects: both engines must give the expected effect on every
// case; a benchmark of engines that disagree would measure nothing.
func TestSameEffects(t *testing.T) {
	p, pq := setup(t)
	ctx := context.Background()
	for _, c := range Cases {
		m, err := Mamori(p, c)
		if err != nil {
			t.Fatalf("%s: mamori: %v", c.Name, err)
		}
		o, err := OPA(ctx, pq, c)
		if err != nil {
			t.Fatalf("%s: opa: %v", c.Name, err)
		}
		if m != o || m != c.Effect {
			t.Errorf("%s: mamori %s, opa %s, want %s", c.Name, m, o, c.Effect)
		}
	}
}

func benchMamori(b *testing.B) {
	p, _ := setup(b)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := Mamori(p, Cases[i%len(Cases)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchOPA(b *testing.B) {
	_, pq := setup(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := OPA(ctx, pq, Cases[i%len(Cases)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchOPAParsed gives OPA its input already converted to an AST value,
// its fastest path: the conversion is then outside the measurement.
func benchOPAParsed(b *testing.B) {
	_, pq := setup(b)
	ctx := context.Background()
	inputs := make([]ast.Value, len(Cases))
	for i, c := range Cases {
		v, err := ast.InterfaceToValue(OPAInput(c))
		if err != nil {
			b.Fatal(err)
		}
		inputs[i] = v
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := pq.Eval(ctx, rego.EvalParsedInput(inputs[i%len(inputs)])); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDecide evaluates the whole case table round-robin with each
// engine; ns/op is per decision.
func BenchmarkDecide(b *testing.B) {
	b.Run("mamori", benchMamori)
	b.Run("opa", benchOPA)
	b.Run("opa_parsed_input", benchOPAParsed)
}

// BenchmarkRatio times both engines on the same decisions and reports how
// many times faster mamori is (metric "x_faster"), printing a summary line.
// (testing.Benchmark cannot be nested in a benchmark: it takes the same
// lock, so the timing is done by hand.)
func BenchmarkRatio(b *testing.B) {
	p, pq := setup(b)
	ctx := context.Background()
	mamori := func(c Case) error { _, err := Mamori(p, c); return err }
	opa := func(c Case) error { _, err := OPA(ctx, pq, c); return err }
	// Warm both up, then time enough decisions for a stable figure.
	if _, err := measure(2000, mamori); err != nil {
		b.Fatal(err)
	}
	if _, err := measure(200, opa); err != nil {
		b.Fatal(err)
	}
	m, err := measure(200000, mamori)
	if err != nil {
		b.Fatal(err)
	}
	o, err := measure(20000, opa)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("mamori %.0f ns/decision, opa %.0f ns/decision: mamori is %.1f× faster\n", m, o, o/m)
	for b.Loop() {
	}
	b.ReportMetric(o/m, "x_faster")
	b.ReportMetric(m, "mamori_ns/decision")
	b.ReportMetric(o, "opa_ns/decision")
}
