package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestBuiltins(t *testing.T) {
	want := []string{"amakusa", "fujieda", "kawamata", "shimojo"}
	if got := BuiltinNames(); !slices.Equal(got, want) {
		t.Fatalf("BuiltinNames() = %v, want %v", got, want)
	}
	for _, name := range want {
		p, err := Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.ID() != name {
			t.Errorf("%s: profile id %q", name, p.ID())
		}
		src, _ := BuiltinSource(name)
		again, err := Load(name+".yaml", src)
		if err != nil || again.Hash() != p.Hash() {
			t.Errorf("%s: reloading gives a different hash or %v", name, err)
		}
	}
	for _, bad := range []string{"", "nara", "../fujieda", "fujieda.yaml"} {
		if _, err := Builtin(bad); err == nil {
			t.Errorf("Builtin(%q) succeeded", bad)
		}
	}
}

// TestFujiedaProfile checks the parts of the 藤枝市 profile that are not
// decisions: roles of 第2章4(1), grants, the incident chain of 4(2)②,
// training of 6(3)①, separation of duties of 4(3), and that every rule and
// obligation cites a clause of the seed.
func TestFujiedaProfile(t *testing.T) {
	p, err := Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ciso", "general_security_officer", "security_officer", "security_manager", "infrastructure_manager", "security_staff", "staff", "unified_desk", "it_committee"} {
		if _, ok := p.Role(id); !ok {
			t.Errorf("no role %s", id)
		}
	}
	gso, _ := p.Role("general_security_officer")
	if gso.Delegation == nil || gso.Delegation.Clause != "第2章 4(1)②" {
		t.Errorf("統括's delegation of 4(1)② missing: %+v", gso.Delegation)
	}
	if got := p.BaselineRoles(); !slices.Equal(got, []string{"staff"}) {
		t.Errorf("BaselineRoles() = %v", got)
	}
	grants := p.Grants("staff", "security_manager", "no-such-role")
	for _, g := range []Permission{PermRequestSubmit, PermRequestDecide, PermAssetClassify} {
		if !slices.Contains(grants, g) {
			t.Errorf("Grants lacks %s: %v", g, grants)
		}
	}
	if slices.Contains(p.Grants("staff"), PermRequestDecide) {
		t.Error("every member of staff may decide requests")
	}
	chain := p.IncidentChain()
	if len(chain) != 3 || chain[0].To[0].Role != "security_manager" || chain[0].To[1].Role != "infrastructure_manager" ||
		chain[1].To[0].Role != "security_officer" || !chain[2].Conditional {
		t.Errorf("incident chain of 第2章4(2)②: %+v", chain)
	}
	if p.Incident().Contact != "unified_desk" {
		t.Errorf("incident contact %q", p.Incident().Contact)
	}
	var training *Duty
	for _, d := range p.Duties() {
		if d.ID == "training" {
			training = d
		}
	}
	if training == nil || training.PeriodValue() != (Period{Years: 1, Specified: true}) || training.Clause != "第2章 6(3)①" {
		t.Errorf("yearly training of 6(3)①: %+v", training)
	}
	if sod := p.SeparationOfDuties(); len(sod) != 1 || sod[0].Kind != SoDApplicantNotApprover || sod[0].Clause != "第2章 4(3)" {
		t.Errorf("separation of duties of 4(3): %+v", sod)
	}
	if n := len(p.Obligations()); n < 150 {
		t.Errorf("only %d obligations; 第2章 has more than 150 such sentences", n)
	}
	if len(p.ObligationsOf("infrastructure_manager")) == 0 {
		t.Error("no obligations for the infrastructure manager")
	}
	for _, r := range p.Rules() {
		if !strings.HasPrefix(r.Clause, "第2章 ") {
			t.Errorf("rule %s cites %q, not a clause of 第2章", r.ID, r.Clause)
		}
	}
	if p.Auth().Clause != "第2章 6(1)⑦" {
		t.Errorf("auth clause %q", p.Auth().Clause)
	}
	if len(p.Gaps()) == 0 {
		t.Error("no gaps listed")
	}
}
