package policy

import (
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	a, err := Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	if ch := Diff(a, a); len(ch) != 0 {
		t.Fatalf("Diff(a, a) = %v", ch)
	}
	src, _ := BuiltinSource("fujieda")
	s := string(src)
	edit := func(old, new string) {
		t.Helper()
		if strings.Count(s, old) < 1 {
			t.Fatalf("fixture lacks %q", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	edit(`version: "2015-12-28.1"`, `version: "2026-04-01.1"`)
	edit("retention: 5y\n    clause: 第2章 5(2)⑪ウ", "retention: 10y\n    clause: 第2章 5(2)⑪ウ")
	edit("  - id: email-external-c2-approve\n    action: email.send_external\n    when: confidentiality == 2\n",
		"  - id: email-external-c2-approve\n    action: email.send_external\n    when: confidentiality in [1, 2]\n")
	edit("  - id: it_committee\n", "  - id: auditor\n    name: {ja: 監査人, en: Auditor}\n    scope: organization\n    clause: 第2章 12\n    grants: [audit.read]\n  - id: it_committee\n")
	edit("  - {id: ob-12-2,", "  - {id: ob-12-3,")
	b, err := Load("fujieda-next.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range Diff(a, b) {
		got[string(c.Kind)+" "+c.Area+" "+c.ID+" "+c.Field] = true
		if c.Text.JA == "" || c.Text.EN == "" {
			t.Errorf("change without text: %+v", c)
		}
	}
	for _, want := range []string{
		"changed profile fujieda version",
		"changed record_type disposal_record retention",
		"changed rule email-external-c2-approve when",
		"added role auditor ",
		"removed obligation ob-12-2 ",
		"added obligation ob-12-3 ",
	} {
		if !got[want] {
			t.Errorf("Diff lacks %q; got %v", want, got)
		}
	}
}
