package policy

import "testing"

// Decisions against the full 藤枝市 profile. Run with
// go test -bench . -benchmem ./internal/policy/
func BenchmarkDecide(b *testing.B) {
	p, err := Builtin("fujieda")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		action string
		facts  Facts
	}{
		{"email_c2_approve", "email.send_external", Facts{"confidentiality": 2}},
		{"email_mixed_deny", "email.send_external", Facts{"confidentiality": []int{1, 3}}},
		{"transport_3rules", "asset.transport", Facts{"confidentiality": 1, "carrier": "staff", "protected": true}},
		{"software_3rules", "software.install", Facts{"licensed": true, "business_purpose": true, "origin_known": true}},
		{"take_out_no_condition", "asset.take_out", Facts{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Decide(bc.action, bc.facts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadFujieda(b *testing.B) {
	src, err := BuiltinSource("fujieda")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load("fujieda.yaml", src); err != nil {
			b.Fatal(err)
		}
	}
}
