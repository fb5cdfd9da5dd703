package policy

import (
	"slices"
	"testing"
)

// goldenCase is one decision read off a seed policy's text.
type goldenCase struct {
	// source is the clause of the seed the expected decision comes from.
	source string
	action string
	facts  Facts
	effect Effect
	// route, when not nil, must equal the decision's route exactly.
	route []RouteStep
	// cite are clauses the decision must cite (it may cite more).
	cite []string
	// record, when set, is the record type the decision must require.
	record string
}

// goldenTables holds one table per builtin profile. The other profiles'
// writers add theirs beside fujieda's, e.g. in golden_shimojo_test.go:
//
//	func init() { goldenTables["shimojo"] = []goldenCase{…} }
var goldenTables = map[string][]goldenCase{
	"fujieda": fujiedaGolden,
}

var (
	smApplicant = RouteStep{Role: "security_manager", Scope: RouteApplicantUnit}
	smOwner     = RouteStep{Role: "security_manager", Scope: RouteOwnerUnit}
	infraOrg    = RouteStep{Role: "infrastructure_manager", Scope: RouteOrganization}
	gsoOrg      = RouteStep{Role: "general_security_officer", Scope: RouteOrganization}
)

// fujiedaGolden: 藤枝市情報セキュリティポリシー (001_5d5075a77749f29e.txt).
var fujiedaGolden = []goldenCase{
	// 6(1)⑤ e-mail
	{source: "第2章 6(1)⑤ウ", action: "email.send_external", facts: Facts{"confidentiality": 1}, effect: Deny, cite: []string{"第2章 6(1)⑤ウ", "第2章 5(2)⑤イ"}},
	{source: "第2章 6(1)⑤エ", action: "email.send_external", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 6(1)⑤エ"}},
	{source: "第2章 6(1)⑤ (機密性3 unrestricted)", action: "email.send_external", facts: Facts{"confidentiality": 3}, effect: Allow, route: []RouteStep{}},
	{source: "第2章 5(2)④ウ (medium with 1 and 3 → 1)", action: "email.send_external", facts: Facts{"confidentiality": []int{1, 3}}, effect: Deny, cite: []string{"第2章 6(1)⑤ウ", "第2章 5(2)④ウ"}},
	{source: "第2章 5(2)④ウ (medium with 2 and 3 → 2)", action: "email.send_external", facts: Facts{"confidentiality": []string{"3", "2"}}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 6(1)⑤エ", "第2章 5(2)④ウ"}},
	{source: "第2章 6(1)⑤ウ (also within the city)", action: "email.send_internal", facts: Facts{"confidentiality": 1}, effect: Deny, cite: []string{"第2章 6(1)⑤ウ"}},
	{source: "第2章 6(1)⑤エ (also within the city)", action: "email.send_internal", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{smApplicant}},
	{source: "第2章 6(1)⑤ア", action: "internet.use", facts: Facts{"business_purpose": false}, effect: Deny, cite: []string{"第2章 6(1)⑤ア"}},
	{source: "第2章 5(2)④ア", action: "asset.use", facts: Facts{"business_purpose": false}, effect: Deny, cite: []string{"第2章 5(2)④ア"}},
	// 6(1)③ take-out and sending by website
	{source: "第2章 6(1)③ア", action: "asset.take_out", facts: Facts{}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 6(1)③ア", "第2章 6(1)③イ"}, record: "take_out_record"},
	{source: "第2章 6(1)③ア", action: "web.send_external", facts: Facts{"confidentiality": 3}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 6(1)③ア"}},
	{source: "第2章 5(2)⑤イ", action: "web.send_external", facts: Facts{"confidentiality": 1}, effect: Deny, cite: []string{"第2章 5(2)⑤イ"}},
	// 5(2)⑨ transport
	{source: "第2章 5(2)⑨ア", action: "asset.transport", facts: Facts{"confidentiality": 1, "carrier": "staff", "protected": true}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 5(2)⑨ア"}},
	{source: "第2章 5(2)⑨ア", action: "asset.transport", facts: Facts{"confidentiality": 2, "carrier": "contractor_without_nda", "protected": true}, effect: Deny, cite: []string{"第2章 5(2)⑨ア"}},
	{source: "第2章 5(2)⑨イ", action: "asset.transport", facts: Facts{"confidentiality": 2, "carrier": "contractor_with_nda"}, effect: Deny, cite: []string{"第2章 5(2)⑨イ"}},
	{source: "第2章 5(2)⑨ (機密性3 unrestricted)", action: "asset.transport", facts: Facts{"confidentiality": 3}, effect: Allow},
	// 5(2)⑩ provision, ⑪ disposal
	{source: "第2章 5(2)⑩ア", action: "asset.provide_external", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 5(2)⑩ア"}},
	{source: "第2章 5(2)⑩ (機密性3 unrestricted)", action: "asset.provide_external", facts: Facts{"confidentiality": 3}, effect: Allow},
	{source: "第2章 5(2)⑪イウ", action: "asset.dispose", facts: Facts{"confidentiality": 1}, effect: Approve, route: []RouteStep{smApplicant}, cite: []string{"第2章 5(2)⑪イ", "第2章 5(2)⑪ウ"}, record: "disposal_record"},
	{source: "第2章 5(2)⑪ (機密性3 unrestricted)", action: "asset.dispose", facts: Facts{"confidentiality": 3}, effect: Allow},
	// 8(1)⑤ software
	{source: "第2章 8(1)⑤ア", action: "software.install", facts: Facts{"licensed": true, "business_purpose": true, "origin_known": true}, effect: Approve, route: []RouteStep{smApplicant, infraOrg}, cite: []string{"第2章 8(1)⑤ア"}},
	{source: "第2章 8(1)⑤イ", action: "software.install", facts: Facts{"licensed": false, "business_purpose": true, "origin_known": true}, effect: Deny, cite: []string{"第2章 8(1)⑤イ"}},
	{source: "第2章 8(1)⑤ウ", action: "software.install", facts: Facts{"licensed": true, "business_purpose": true, "origin_known": false}, effect: Deny, cite: []string{"第2章 8(1)⑤ウ"}},
	// 8(1)⑧ external network, ⑩ wireless
	{source: "第2章 8(1)⑧ア", action: "network.connect_external", facts: Facts{"publishes_to_internet": false}, effect: Approve, route: []RouteStep{gsoOrg, infraOrg}, cite: []string{"第2章 8(1)⑧ア"}},
	{source: "第2章 8(1)⑧エ", action: "network.connect_external", facts: Facts{"publishes_to_internet": true, "firewall_at_boundary": false}, effect: Deny, cite: []string{"第2章 8(1)⑧エ"}},
	{source: "第2章 8(1)⑩ア", action: "wireless.use", facts: Facts{"encrypted_and_authenticated": true}, effect: Approve, route: []RouteStep{gsoOrg, infraOrg}, cite: []string{"第2章 8(1)⑩ア"}},
	{source: "第2章 8(1)⑩イ", action: "wireless.use", facts: Facts{}, effect: Deny, cite: []string{"第2章 8(1)⑩イ"}},
	// 8(3)④ equipment
	{source: "第2章 8(3)④ア", action: "equipment.change", facts: Facts{"connects_other_network": false}, effect: Approve, route: []RouteStep{smOwner}, cite: []string{"第2章 8(3)④ア"}},
	{source: "第2章 8(3)④アイ", action: "equipment.change", facts: Facts{"connects_other_network": true}, effect: Approve, route: []RouteStep{smOwner, infraOrg}, cite: []string{"第2章 8(3)④ア", "第2章 8(3)④イ"}},
	// 6(1)④ devices and media not issued by the city
	{source: "第2章 6(1)④ア", action: "device.private_use", facts: Facts{"business_purpose": true}, effect: Approve, route: []RouteStep{infraOrg}, cite: []string{"第2章 6(1)④ア"}},
	{source: "第2章 6(1)④ア", action: "device.private_use", facts: Facts{"business_purpose": false}, effect: Deny, cite: []string{"第2章 6(1)④ア"}},
	{source: "第2章 6(1)④ア", action: "media.external_use", facts: Facts{"business_purpose": true}, effect: Approve, route: []RouteStep{infraOrg}},
	{source: "第2章 6(1)④ウ", action: "device.security_setting_change", facts: Facts{}, effect: Approve, route: []RouteStep{infraOrg}, cite: []string{"第2章 6(1)④ウ"}},
	{source: "第2章 6(1)④エ", action: "file.execute", facts: Facts{"origin_known": false}, effect: Deny, cite: []string{"第2章 6(1)④エ"}},
	{source: "第2章 6(1)⑧ア", action: "authkey.share", facts: Facts{}, effect: Deny, cite: []string{"第2章 6(1)⑧ア"}},
	// 8(2)② user registration
	{source: "第2章 8(2)②イ", action: "account.register", facts: Facts{"common_system": true}, effect: Approve, route: []RouteStep{infraOrg}, cite: []string{"第2章 8(2)②イ"}},
	{source: "第2章 8(2)②イ", action: "account.register", facts: Facts{"common_system": false}, effect: Approve, route: []RouteStep{smOwner}, cite: []string{"第2章 8(2)②イ"}},
	{source: "第2章 8(2)②ア", action: "account.remove", facts: Facts{"common_system": false}, effect: Approve, route: []RouteStep{smOwner}},
	// 7(1) machine room, 7(4)①イ network building
	{source: "第2章 7(1)②ア", action: "serverroom.enter", facts: Facts{}, effect: Deny, cite: []string{"第2章 7(1)②ア"}},
	{source: "第2章 7(1)②ア", action: "serverroom.enter", facts: Facts{"entry_permitted": true}, effect: Record, record: "entry_log"},
	{source: "第2章 7(1)②エ", action: "serverroom.enter", facts: Facts{"visitor": true, "escorted": false}, effect: Deny, cite: []string{"第2章 7(1)②エ"}},
	{source: "第2章 7(1)②オ", action: "serverroom.carry", facts: Facts{"direction": "in", "related_to_system": false}, effect: Deny, cite: []string{"第2章 7(1)②オ"}},
	{source: "第2章 7(1)③ア", action: "serverroom.carry", facts: Facts{"direction": "out"}, effect: Approve, route: []RouteStep{infraOrg}, cite: []string{"第2章 7(1)③ア"}},
	{source: "第2章 7(4)①イ", action: "network.build", facts: Facts{}, effect: Approve, route: []RouteStep{gsoOrg}, cite: []string{"第2章 7(4)①イ"}},
	// 8(4)②ア, 6(2), 7(3)④イ, 7(3)⑤, 8(5)①ア
	{source: "第2章 8(4)②ア", action: "data.import_external", facts: Facts{"virus_checked": false}, effect: Deny, cite: []string{"第2章 8(4)②ア"}},
	{source: "第2章 6(2)", action: "contract.outsource", facts: Facts{"contract_duty_of_care": true}, effect: Deny, cite: []string{"第2章 6(2)"}},
	{source: "第2章 6(2)", action: "contract.outsource", facts: Facts{"contract_duty_of_care": true, "contract_confidentiality": true}, effect: Allow},
	{source: "第2章 7(3)④イ", action: "equipment.repair_external", facts: Facts{"data_erasable": false}, effect: Deny, cite: []string{"第2章 7(3)④イ"}},
	{source: "第2章 7(3)⑤", action: "equipment.dispose", facts: Facts{}, effect: Deny, cite: []string{"第2章 7(3)⑤"}},
	{source: "第2章 8(5)①ア", action: "system.patch", facts: Facts{}, effect: Record, record: "patch_history", cite: []string{"第2章 8(5)①ア"}},
}

func TestGolden(t *testing.T) {
	for name, table := range goldenTables {
		t.Run(name, func(t *testing.T) {
			if len(table) < 25 {
				t.Errorf("%s has %d golden decisions, want at least 25", name, len(table))
			}
			p, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range table {
				t.Run(c.action+" "+c.source, func(t *testing.T) {
					d, err := p.Decide(c.action, c.facts)
					if err != nil {
						t.Fatalf("Decide(%s, %v): %v", c.action, c.facts, err)
					}
					if d.Effect != c.effect {
						t.Errorf("effect %s, want %s (rules %v, reason %s)", d.Effect, c.effect, d.Rules, d.Reason.JA)
					}
					if c.route != nil && !slices.Equal(d.Route, c.route) {
						t.Errorf("route %v, want %v", d.Route, c.route)
					}
					for _, cl := range c.cite {
						if !slices.Contains(d.Clauses, cl) {
							t.Errorf("clauses %v do not cite %s", d.Clauses, cl)
						}
					}
					if c.record != "" && d.RecordType != c.record {
						t.Errorf("record type %q, want %q", d.RecordType, c.record)
					}
					if len(d.Clauses) == 0 {
						t.Errorf("decision cites no clause: %+v", d)
					}
				})
			}
		})
	}
}

// TestFujiedaRetention: take-out and disposal records are kept 5 years
// (第2章 6(1)③イ, 5(2)⑪ウ).
func TestFujiedaRetention(t *testing.T) {
	p, err := Builtin("fujieda")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"take_out_record", "disposal_record"} {
		rt, ok := p.RecordType(id)
		if !ok {
			t.Fatalf("no record type %s", id)
		}
		if got := rt.RetentionPeriod(); got != (Period{Years: 5, Specified: true}) {
			t.Errorf("%s retention %v, want 5y", id, got)
		}
	}
	rk, ok := p.RequestKind("take_out")
	if !ok || !slices.Contains(rk.Reports, ReportReturn) || rk.RecordType != "take_out_record" {
		t.Errorf("take_out request kind: %+v", rk)
	}
}
