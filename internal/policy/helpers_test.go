package policy

import (
	"os"
	"strings"
	"testing"
)

// minimalSource is testdata/minimal.yaml, a small valid profile that the
// tests break one thing at a time.
func minimalSource(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func loadMinimal(t testing.TB) *Policy {
	t.Helper()
	p, err := Load("minimal.yaml", []byte(minimalSource(t)))
	if err != nil {
		t.Fatalf("minimal profile does not load: %v", err)
	}
	return p
}

// replaceOnce replaces old by new in s and fails the test if old does not
// occur exactly once, so that a test cannot silently stop testing anything
// when the fixture changes.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("fixture contains %q %d times, want once", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

func lineOf(t *testing.T, s, needle string) int {
	t.Helper()
	i := strings.Index(s, needle)
	if i < 0 {
		t.Fatalf("%q not in source", needle)
	}
	return strings.Count(s[:i], "\n") + 1
}
