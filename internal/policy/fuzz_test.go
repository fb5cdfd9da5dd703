package policy

import (
	"strings"
	"testing"
)

// FuzzLoad: no input panics the loader (go test -fuzz=FuzzLoad).
func FuzzLoad(f *testing.F) {
	// The smallest profile only: a seed as large as a full profile slows the
	// instrumented loader to a few executions a second.
	for _, name := range []string{"kawamata"} {
		src, _ := BuiltinSource(name)
		f.Add(src)
	}
	f.Add([]byte(minimalSource(f)))
	f.Add([]byte("format: mamori.policy/v1\nprofile: {id: x}\nroles: [{id: a, substitutes: [a]}]\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load("fuzz.yaml", data)
		if err == nil && p == nil {
			t.Fatal("nil policy without error")
		}
		if err != nil {
			_ = err.Error()
		}
	})
}

// FuzzCondition: no CEL condition panics the compiler or Decide, and
// Decide either answers with a known effect or returns an error.
func FuzzCondition(f *testing.F) {
	for _, c := range []string{`secrecy == "high"`, `"a" in tags && count > 2`, `tags.exists(t, t.startsWith("x"))`,
		`count / 0 == 1`, `size(tags) > 0 ? urgent : !urgent`, `channel.matches("^m")`, `[1,2,3].all(x, x < count)`} {
		f.Add(c, "high", int64(1), true)
	}
	src := minimalSource(f)
	const old = `when: secrecy == "high"`
	f.Fuzz(func(t *testing.T, cond, level string, count int64, urgent bool) {
		if strings.ContainsAny(cond, "\n\r") {
			return // one YAML line; the loader fuzz covers the rest
		}
		quoted := strings.ReplaceAll(cond, `'`, `''`)
		p, err := Load("fuzz.yaml", []byte(strings.Replace(src, old, "when: '"+quoted+"'", 1)))
		if err != nil {
			return
		}
		d, err := p.Decide("doc.send", Facts{"secrecy": level, "urgent": urgent, "tags": []string{level}, "count": count, "channel": "mail"})
		if err == nil && !d.Effect.valid() {
			t.Fatalf("effect %q", d.Effect)
		}
	})
}
