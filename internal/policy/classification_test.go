package policy

import (
	"slices"
	"testing"
)

// TestStrictness: the order of strictness is per axis — 1 is strictest in
// 藤枝市 (第2章5(1)), 2 in 下條村 (第2章4(1)), 1 in 天草 (第10条).
func TestStrictness(t *testing.T) {
	for _, test := range []struct {
		profile, axis string
		levels        []string
		want          string
	}{
		{"fujieda", "confidentiality", []string{"3", "1"}, "1"},
		{"fujieda", "confidentiality", []string{"2", "3", "2"}, "2"},
		{"fujieda", "availability", []string{"2", "1"}, "1"},
		{"shimojo", "confidentiality", []string{"1", "2"}, "2"},
		{"amakusa", "importance", []string{"3", "2"}, "2"},
	} {
		p, err := Builtin(test.profile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Strictest(test.axis, test.levels...)
		if err != nil || got != test.want {
			t.Errorf("%s Strictest(%s, %v) = %q, %v; want %q", test.profile, test.axis, test.levels, got, err, test.want)
		}
		if len(test.levels) >= 2 {
			s, err := p.Stricter(test.axis, test.levels[0], test.levels[1])
			w, _ := p.Strictest(test.axis, test.levels[0], test.levels[1])
			if err != nil || s != w {
				t.Errorf("%s Stricter(%s, %s) = %q, %v", test.profile, test.levels[0], test.levels[1], s, err)
			}
		}
	}
	p, _ := Builtin("fujieda")
	for _, bad := range [][]string{{}, {"4"}, {"1", "0"}} {
		if _, err := p.Strictest("confidentiality", bad...); err == nil {
			t.Errorf("Strictest(%v) succeeded", bad)
		}
	}
	if _, err := p.Strictest("secrecy", "1"); err == nil {
		t.Error("Strictest on an unknown axis succeeded")
	}
}

func TestRestrictions(t *testing.T) {
	p := loadMinimal(t)
	ids := func(axis, level string) []string {
		rs, err := p.Restrictions(axis, level)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	// "high" includes the restrictions of "mid" before its own.
	if got := ids("secrecy", "high"); !slices.Equal(got, []string{"no-copy", "lock"}) {
		t.Errorf("high: %v", got)
	}
	if got := ids("secrecy", "low"); len(got) != 0 {
		t.Errorf("low: %v", got)
	}
	if _, err := p.Restrictions("secrecy", "none"); err == nil {
		t.Error("unknown level accepted")
	}
	// 藤枝市 機密性分類1 carries 第2章5(2)⑤イ, ⑨ and ⑪ restrictions.
	f, _ := Builtin("fujieda")
	rs, _ := f.Restrictions("confidentiality", "1")
	var clauses []string
	for _, r := range rs {
		clauses = append(clauses, r.Clause)
	}
	for _, c := range []string{"第2章 5(2)⑤ア", "第2章 5(2)⑤イ", "第2章 5(2)⑤ウ", "第2章 5(2)⑧エ", "第2章 5(2)⑨イ", "第2章 5(2)⑩ア", "第2章 5(2)⑪ウ", "第2章 6(1)⑤ウ"} {
		if !slices.Contains(clauses, c) {
			t.Errorf("機密性分類1 lacks a restriction from %s", c)
		}
	}
}
