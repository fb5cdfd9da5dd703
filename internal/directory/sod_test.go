package directory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mamori"
	"mamori/internal/policy"
)

// fakeStore holds organization-wide holders and absences in memory, for
// role graphs no validated policy would allow.
type fakeStore struct {
	holders map[string][]Holder
	absent  map[int64]bool
	calls   int
}

func (f *fakeStore) UnitPath(ctx context.Context, id int64) ([]Unit, error) {
	return []Unit{{ID: id, Name: "課"}}, nil
}

func (f *fakeStore) RoleHolders(ctx context.Context, role string, unitIDs []int64, at time.Time) ([]Holder, error) {
	f.calls++
	return f.holders[role], nil
}

func (f *fakeStore) AbsentAt(ctx context.Context, ids []int64, at time.Time) (map[int64]bool, error) {
	return f.absent, nil
}

func TestResolveStopsAtSubstitutionCycles(t *testing.T) {
	roles := map[string]*policy.Role{
		"a": {ID: "a", Scope: policy.ScopeOrganization, Substitutes: subs("b")},
		"b": {ID: "b", Scope: policy.ScopeOrganization, Substitutes: subs("c", "a")},
		"c": {ID: "c", Scope: policy.ScopeOrganization, Substitutes: subs("b", "a")},
	}
	lookup := func(id string) (*policy.Role, bool) { r, ok := roles[id]; return r, ok }
	for _, test := range []struct {
		name    string
		absent  map[int64]bool
		want    int64
		wantFor int64
	}{
		{"everyone absent: the cycle ends in an error", map[int64]bool{1: true, 2: true, 3: true}, 0, 0},
		{"the second substitute in the ring acts", map[int64]bool{1: true, 2: true}, 3, 1},
	} {
		t.Run(test.name, func(t *testing.T) {
			st := &fakeStore{holders: map[string][]Holder{
				"a": {{PersonID: 1, Name: "甲", Role: "a"}},
				"b": {{PersonID: 2, Name: "乙", Role: "b"}},
				"c": {{PersonID: 3, Name: "丙", Role: "c"}},
			}, absent: test.absent}
			got, err := NewService(st).resolve(context.Background(), lookup, policy.MatterApproval, "a", 0, time.Now())
			if st.calls > len(roles) {
				t.Errorf("%d holder look-ups for %d roles: a role was tried twice", st.calls, len(roles))
			}
			if test.want == 0 {
				if mamori.ErrorCode(err) != mamori.ENOTFOUND {
					t.Fatalf("got %+v, %v; want not_found", got, err)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0].PersonID != test.want || got[0].ForPersonID != test.wantFor || got[0].Role != "a" || got[0].AsRole != "c" {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestCheckSeparation(t *testing.T) {
	fujieda, err := policy.Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	for _, test := range []struct {
		name      string
		applicant int64
		actor     Acting
		want      string // message id, "" for allowed
	}{
		{"another person approves", 1, Acting{PersonID: 2, Role: "security_manager", AsRole: "security_manager"}, ""},
		{"the applicant approves", 1, Acting{PersonID: 1, Role: "security_manager", AsRole: "security_manager"}, "sod.self_approval"},
		{"the applicant approves as someone's substitute", 1, Acting{PersonID: 1, Role: "ciso", AsRole: "general_security_officer", ForPersonID: 3}, "sod.self_approval"},
		{"the applicant's substitute approves in their place", 1, Acting{PersonID: 2, Role: "ciso", AsRole: "general_security_officer", ForPersonID: 1}, "sod.self_approval_by_substitute"},
		{"a substitute for someone else approves", 1, Acting{PersonID: 2, Role: "ciso", AsRole: "general_security_officer", ForPersonID: 3}, ""},
		{"no applicant (a public report)", 0, Acting{PersonID: 2}, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			err := CheckSeparation(fujieda, test.applicant, test.actor)
			if test.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := mamori.AsError(err)
			if !ok || e.Code != mamori.EFORBIDDEN || e.Message != test.want {
				t.Fatalf("err = %v; want forbidden %s", err, test.want)
			}
			// The refusal cites 藤枝市 第2章4(3).
			if e.Args["Clause"] != "第2章 4(3)" {
				t.Errorf("clause = %v, want 第2章 4(3)", e.Args["Clause"])
			}
		})
	}
	// A policy without the constraint written down still never lets an
	// applicant approve their own request.
	amakusa, err := policy.Builtin("amakusa")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSeparation(amakusa, 5, Acting{PersonID: 5}); mamori.ErrorCode(err) != mamori.EFORBIDDEN {
		t.Errorf("without a SoD clause: %v", err)
	}
}

func subs(roles ...string) []*policy.Substitute {
	out := make([]*policy.Substitute, len(roles))
	for i, r := range roles {
		out[i] = &policy.Substitute{Role: r}
	}
	return out
}

// 下條村 第2章3(2)イ: the 統括 acts for an absent CISO on an infringement
// only; an approval the CISO gives has nobody else to give it.
func TestResolveLimitsSubstitutionToItsMatters(t *testing.T) {
	roles := map[string]*policy.Role{
		"ciso": {ID: "ciso", Scope: policy.ScopeOrganization, Substitutes: []*policy.Substitute{
			{Role: "general", For: []policy.Matter{policy.MatterIncident}},
			{Role: "deputy", For: []policy.Matter{policy.MatterApproval}},
		}},
		"general": {ID: "general", Scope: policy.ScopeOrganization},
		"deputy":  {ID: "deputy", Scope: policy.ScopeOrganization},
	}
	lookup := func(id string) (*policy.Role, bool) { r, ok := roles[id]; return r, ok }
	for _, test := range []struct {
		matter policy.Matter
		deputy bool // whether the deputy role is held
		want   int64
	}{
		{policy.MatterIncident, true, 2},
		{policy.MatterApproval, true, 3},
		{policy.MatterApproval, false, 0},
	} {
		t.Run(fmt.Sprintf("%s/deputy=%t", test.matter, test.deputy), func(t *testing.T) {
			holders := map[string][]Holder{
				"ciso":    {{PersonID: 1, Name: "甲", Role: "ciso"}},
				"general": {{PersonID: 2, Name: "乙", Role: "general"}},
			}
			if test.deputy {
				holders["deputy"] = []Holder{{PersonID: 3, Name: "丙", Role: "deputy"}}
			}
			st := &fakeStore{holders: holders, absent: map[int64]bool{1: true}}
			got, err := NewService(st).resolve(context.Background(), lookup, test.matter, "ciso", 0, time.Now())
			if test.want == 0 {
				if mamori.ErrorCode(err) != mamori.ENOTFOUND {
					t.Fatalf("got %+v, %v; want nobody acting", got, err)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0].PersonID != test.want || got[0].ForPersonID != 1 {
				t.Fatalf("got %+v, %v; want person %d for 1", got, err, test.want)
			}
		})
	}
}
