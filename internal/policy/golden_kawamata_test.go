package policy

import (
	"slices"
	"testing"
)

func init() { goldenTables["kawamata"] = kawamataGolden }

// kawamataGap is the clause a decision cites when the published 基本方針
// has no rule for the action: 9, which keeps the 対策基準 non-public.
const kawamataGap = "9"

// kawamataGolden: 川俣町情報セキュリティ基本方針 (002_64c6a4a2093d52b5.txt).
// Most answers are the explicit gap answers: the published text gives no
// rule, so the action is denied citing 9 rather than borrowed from another
// town's standards.
var kawamataGolden = []goldenCase{
	// 6(3)① the My Number segment.
	{source: "6(3)① (take-out from a My Number terminal)", action: "asset.take_out", facts: Facts{"segment": "my_number"}, effect: Deny, cite: []string{"6(3)①"}},
	{source: "6(3)① (My Number → LGWAN)", action: "network.cross_segment", facts: Facts{"from_segment": "my_number", "to_segment": "lgwan"}, effect: Deny, cite: []string{"6(3)①"}},
	{source: "6(3)① (internet → My Number, even sanitized)", action: "network.cross_segment", facts: Facts{"from_segment": "internet", "to_segment": "my_number", "sanitized": true}, effect: Deny, cite: []string{"6(3)①"}},
	// 6(3)② LGWAN and internet: split paths, sanitized traffic only.
	{source: "6(3)② (unsanitized)", action: "network.cross_segment", facts: Facts{"from_segment": "lgwan", "to_segment": "internet"}, effect: Deny, cite: []string{"6(3)②"}},
	{source: "6(3)② (unsanitized inbound)", action: "network.cross_segment", facts: Facts{"from_segment": "internet", "to_segment": "lgwan", "sanitized": false}, effect: Deny, cite: []string{"6(3)②"}},
	{source: "6(3)②, 2(12) (無害化通信)", action: "network.cross_segment", facts: Facts{"from_segment": "internet", "to_segment": "lgwan", "sanitized": true}, effect: Allow, cite: []string{"6(3)②"}},
	{source: "6(3)② (無害化通信 outbound)", action: "network.cross_segment", facts: Facts{"from_segment": "lgwan", "to_segment": "internet", "sanitized": true}, effect: Allow, cite: []string{"6(3)②"}},
	{source: "6(3) (within one segment)", action: "network.cross_segment", facts: Facts{"from_segment": "my_number", "to_segment": "my_number"}, effect: Allow, cite: []string{"6(3)"}},
	// 6(8) outsourcing, cloud, social media.
	{source: "6(8) (no security requirements in the contract)", action: "contract.outsource", facts: Facts{"contractor_measures_confirmed": true}, effect: Deny, cite: []string{"6(8)"}},
	{source: "6(8) (contractor's measures not confirmed)", action: "contract.outsource", facts: Facts{"contract_security_requirements": true}, effect: Deny, cite: []string{"6(8)"}},
	{source: "6(8) (both)", action: "contract.outsource", facts: Facts{"contract_security_requirements": true, "contractor_measures_confirmed": true}, effect: Allow, cite: []string{"6(8)"}},
	{source: "6(8) (cloud rules not published)", action: "service.use_external", facts: Facts{}, effect: Deny, cite: []string{"6(8)"}},
	{source: "6(8) (postable information not published)", action: "social_media.post", facts: Facts{}, effect: Deny, cite: []string{"6(8)"}},
	// Gap answers: no rule in the published text → deny citing 9.
	{source: "gap: take-out outside the My Number segment", action: "asset.take_out", facts: Facts{"segment": "lgwan"}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: take-out, segment not stated", action: "asset.take_out", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: e-mail", action: "email.send_external", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: website", action: "web.send_external", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: disposal", action: "asset.dispose", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: external provision", action: "asset.provide_external", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: transport", action: "asset.transport", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: software", action: "software.install", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: external network", action: "network.connect_external", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: wireless", action: "wireless.use", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: private devices", action: "device.private_use", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: external media", action: "media.external_use", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: equipment", action: "equipment.change", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: user registration", action: "account.register", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: user removal", action: "account.remove", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: server room", action: "serverroom.enter", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: carrying into the server room", action: "serverroom.carry", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
	{source: "gap: subcontracting", action: "contract.subcontract", facts: Facts{}, effect: Deny, cite: []string{kawamataGap}},
}

// TestKawamataProfile checks what the 川俣町 profile holds besides
// decisions: the seven executive bodies of 4(1), the three C/I/A axes of
// 6(2) with their levels marked unpublished, the three segments of 6(3),
// the duties of 6(5), 7 and 8, and that it borrows no rule: no approval
// route anywhere (the text names no approver), every action not settled by
// the text denied by default, and every gap the text leaves listed.
func TestKawamataProfile(t *testing.T) {
	p, err := Builtin("kawamata")
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, b := range p.Bodies() {
		bodies = append(bodies, b.ID)
	}
	if want := []string{"mayor", "assembly", "education", "agriculture", "election", "property_review", "audit_commissioners"}; !slices.Equal(bodies, want) {
		t.Errorf("bodies %v, want the seven executive bodies of 4(1)", bodies)
	}
	var axes []string
	for _, ax := range p.Axes() {
		axes = append(axes, ax.ID)
		if len(ax.Levels) != 1 || ax.Levels[0].ID != "unpublished" || len(ax.Levels[0].Restrictions) != 0 {
			t.Errorf("axis %s must hold only the placeholder level: %+v", ax.ID, ax.Levels)
		}
	}
	if !slices.Equal(axes, []string{"confidentiality", "integrity", "availability"}) {
		t.Errorf("axes %v, want C, I and A (6(2))", axes)
	}
	var segs []string
	for _, s := range p.Segments() {
		segs = append(segs, s.ID)
	}
	if !slices.Equal(segs, []string{"my_number", "lgwan", "internet"}) {
		t.Errorf("segments %v (6(3))", segs)
	}
	if mfa := p.Auth().MFA; len(mfa) != 1 || !slices.Equal(mfa[0].Segments, []string{"my_number"}) {
		t.Errorf("MFA on My Number terminals (6(3)①): %+v", mfa)
	}

	for _, r := range p.Rules() {
		if r.Effect == Approve || len(r.Route) > 0 {
			t.Errorf("rule %s has an approval route, but the text names no approver", r.ID)
		}
	}
	// Every action the text does not settle is denied by default citing 9
	// (or 6(8), which says the rules exist but are not published).
	settled := map[string]bool{"network.cross_segment": true, "contract.outsource": true}
	for _, a := range p.Actions() {
		if settled[a.ID] {
			continue
		}
		if a.Default == nil || a.Default.Effect != Deny || (a.Default.Clause != kawamataGap && a.Default.Clause != "6(8)") {
			t.Errorf("action %s: default %+v, want deny citing 9 or 6(8)", a.ID, a.Default)
		}
	}
	if d := p.Profile().Default; d == nil || d.Effect != Deny || d.Clause != kawamataGap {
		t.Errorf("profile default %+v, want deny citing 9", d)
	}
	// An action no module has taught the profile is still a gap answer.
	if _, err := p.Decide("asset.use", Facts{}); err == nil {
		t.Error("an undeclared action must be an error, not an answer")
	}

	var duties []string
	for _, d := range p.Duties() {
		duties = append(duties, d.ID+" "+d.Clause)
	}
	for _, want := range []string{"training 6(5)", "audit 7", "self-inspection 7", "policy-review 8"} {
		if !slices.Contains(duties, want) {
			t.Errorf("duty %q missing: %v", want, duties)
		}
	}
	for _, id := range []string{"standards-not-public", "roles", "approvers", "classification-confidentiality", "classification-integrity", "classification-availability", "records", "incident-chain", "training-frequency", "audit-interval", "contractor-details"} {
		if !slices.ContainsFunc(p.Gaps(), func(g *Gap) bool { return g.ID == id }) {
			t.Errorf("gap %s not listed", id)
		}
	}
	if len(p.RecordTypes()) != 0 {
		t.Error("the published text requires no record, yet the profile defines record types")
	}
	if ob := p.ObligationsOf("staff"); len(ob) != 1 || ob[0].Clause != "5" || ob[0].Modality != Must {
		t.Errorf("staff's one duty is 5's しなければならない: %+v", ob)
	}
}
