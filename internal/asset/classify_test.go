package asset

import (
	"strings"
	"testing"

	"mamori"
	"mamori/internal/policy"
)

func mustPolicy(t testing.TB, name string) *policy.Policy {
	t.Helper()
	pol, err := policy.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestEffective(t *testing.T) {
	c := NewClassifier(mustPolicy(t, "fujieda"))
	L := func(c, i, a string) Levels {
		l := Levels{}
		for axis, v := range map[string]string{"confidentiality": c, "integrity": i, "availability": a} {
			if v != "" {
				l[axis] = v
			}
		}
		return l
	}
	for _, test := range []struct {
		name     string
		own      Levels
		original Levels
		isCopy   bool
		held     []Levels
		want     Levels
		uncl     bool
	}{
		{"own levels", L("2", "2", "2"), nil, false, nil, L("2", "2", "2"), false},
		{"nothing given", Levels{}, nil, false, nil, Levels{}, true},
		{"one axis open", L("1", "", "2"), nil, false, nil, L("1", "", "2"), true},
		// 藤枝市 第2章5(2)④ウ: a medium holding 機密性1 and 3 is handled as 1.
		{"medium holding levels 1 and 3", Levels{}, nil, false, []Levels{L("3", "3", "2"), L("1", "2", "2")}, L("1", "2", "2"), false},
		{"holding less strict keeps own", L("1", "1", "1"), nil, false, []Levels{L("3", "3", "2")}, L("1", "1", "1"), false},
		{"holding stricter raises own", L("3", "3", "2"), nil, false, []Levels{L("2", "", "1")}, L("2", "3", "1"), false},
		// 藤枝市 第2章5(2)①イ: a copy is handled as its original.
		{"copy takes original", L("3", "3", "2"), L("1", "1", "1"), true, nil, L("1", "1", "1"), false},
		{"copy of unclassified", Levels{}, Levels{}, true, nil, Levels{}, true},
		{"copy holding stricter", nil, L("2", "2", "2"), true, []Levels{L("1", "", "")}, L("1", "2", "2"), false},
		{"levels of another policy are left out", Levels{"confidentiality": "3A", "importance": "1"}, nil, false, nil, Levels{}, true},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := c.Effective(test.own, test.original, test.isCopy, test.held)
			if !got.Equal(test.want) {
				t.Errorf("Effective = %v, want %v", got, test.want)
			}
			if u := c.Unclassified(got); u != test.uncl {
				t.Errorf("Unclassified = %v, want %v", u, test.uncl)
			}
		})
	}
	// Without axes nothing is classified and nothing waits.
	k := NewClassifier(nil)
	if got := k.Effective(Levels{"confidentiality": "1"}, nil, false, nil); len(got) != 0 || k.Unclassified(got) {
		t.Errorf("no axes: %v, unclassified %v", got, k.Unclassified(got))
	}
}

func TestCheckLevels(t *testing.T) {
	pol := mustPolicy(t, "fujieda")
	for _, test := range []struct {
		levels Levels
		field  string
	}{
		{Levels{"confidentiality": "1", "availability": "2"}, ""},
		{Levels{"confidentiality": ""}, ""},
		{Levels{"confidentiality": "4"}, "levels.confidentiality"},
		{Levels{"availability": "3"}, "levels.availability"},
		{Levels{"secrecy": "1"}, "levels.secrecy"},
	} {
		err := CheckLevels(pol, test.levels)
		if test.field == "" {
			if err != nil {
				t.Errorf("CheckLevels(%v) = %v", test.levels, err)
			}
			continue
		}
		e, ok := mamori.AsError(err)
		if !ok || e.Field != test.field || e.Code != mamori.EINVALID {
			t.Errorf("CheckLevels(%v) = %v, want an invalid error on %s", test.levels, err, test.field)
		}
	}
}

func TestRestrictions(t *testing.T) {
	pol := mustPolicy(t, "fujieda")
	rs := restrictionsOf(pol, Levels{"confidentiality": "1", "integrity": "1", "availability": "1"}, false, false)
	byKey := map[string]Restriction{}
	for _, r := range rs {
		k := r.ID + " " + r.Clause
		if _, dup := byKey[k]; dup {
			t.Errorf("restriction %s listed twice", k)
		}
		byKey[k] = r
	}
	// 機密性1 forbids sending outside (第2章 5(2)⑤イ) and e-mail (第2章 6(1)⑤ウ).
	for _, want := range []string{"no-external-transmission 第2章 5(2)⑤イ", "no-email 第2章 6(1)⑤ウ", "backup 第2章 5(2)⑥ウ", "redundancy 第2章 5(2)⑦ア"} {
		if _, ok := byKey[want]; !ok {
			t.Errorf("restrictions lack %s", want)
		}
	}
	// The same restriction from several axes is one entry with each source.
	fire := byKey["media-fireproof-storage 第2章 5(2)⑧エ"]
	if len(fire.From) != 3 {
		t.Errorf("media-fireproof-storage comes from %d axes, want 3", len(fire.From))
	}
	if got := restrictionsOf(pol, Levels{"confidentiality": "3", "integrity": "3", "availability": "2"}, true, true); len(got) != 0 {
		t.Errorf("the least strict levels carry %d restrictions", len(got))
	}
	if got := Restrictions(pol, &Asset{}); got != nil {
		t.Errorf("unclassified carries %v", got)
	}
	two := restrictionsOf(pol, Levels{"confidentiality": "2"}, false, false)
	for _, r := range two {
		if r.ID == "no-email" {
			t.Error("機密性2 must not carry the e-mail ban of 機密性1")
		}
	}
	// 第2章 5(2)⑤ウ binds only 機密性1 assets that are specific personal
	// information.
	if _, ok := byKey["specific-personal-info 第2章 5(2)⑤ウ"]; ok {
		t.Error("an asset without specific personal information carries 5(2)⑤ウ")
	}
	found := false
	for _, r := range Restrictions(pol, &Asset{Effective: Levels{"confidentiality": "1"}, SpecificPersonal: true}) {
		found = found || r.ID == "specific-personal-info"
	}
	if !found {
		t.Error("a specific-personal 機密性1 asset lacks 5(2)⑤ウ")
	}
}

func TestManagerRole(t *testing.T) {
	for _, test := range []struct {
		profile, role string
	}{
		{"fujieda", "security_manager"},
		{"shimojo", "security_manager"},
		{"amakusa", "security_manager"},
		{"kawamata", ""},
	} {
		r, ok := ManagerRole(mustPolicy(t, test.profile))
		got := ""
		if ok {
			got = r.ID
		}
		if got != test.role {
			t.Errorf("%s: manager role %q, want %q", test.profile, got, test.role)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() Asset {
		return Asset{Number: " Ａ－００１ ", Name: "住民記録", Kind: KindInformation, UnitID: 1}
	}
	a := good()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Number != "A-001" || a.State != StateInUse || a.Levels == nil {
		t.Errorf("normalized to %+v", a)
	}
	for _, test := range []struct {
		name  string
		edit  func(a *Asset)
		field string
	}{
		{"no number", func(a *Asset) { a.Number = " " }, "number"},
		{"number too long", func(a *Asset) { a.Number = strings.Repeat("9", 41) }, "number"},
		{"no name", func(a *Asset) { a.Name = "" }, "name"},
		{"unknown kind", func(a *Asset) { a.Kind = "spaceship" }, "kind"},
		{"no unit", func(a *Asset) { a.UnitID = 0 }, "unit_id"},
		{"unknown state", func(a *Asset) { a.State = "lost" }, "state"},
		{"own holder", func(a *Asset) { a.ID, a.ParentID = 5, 5 }, "parent"},
		{"own copy", func(a *Asset) { a.ID, a.CopyOf = 5, 5 }, "copy_of"},
		{"notes too long", func(a *Asset) { a.Notes = strings.Repeat("あ", 4001) }, "notes"},
	} {
		a := good()
		test.edit(&a)
		e, ok := mamori.AsError(a.Validate())
		if !ok || e.Field != test.field {
			t.Errorf("%s: %v, want an error on %s", test.name, e, test.field)
		}
	}
	s := good()
	s.SpecificPersonal = true
	s.Validate()
	if !s.Personal {
		t.Error("特定個人情報 must count as 個人情報")
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	for _, test := range []struct {
		kind  Kind
		holds bool
	}{
		{KindSystem, true}, {KindServer, true}, {KindPC, true}, {KindMedium, true}, {KindNetwork, true}, {KindMFP, true},
		{KindInformation, false}, {KindPaper, false}, {KindSoftware, false},
	} {
		if test.kind.Holds() != test.holds {
			t.Errorf("%s.Holds() = %v", test.kind, !test.holds)
		}
	}
}
