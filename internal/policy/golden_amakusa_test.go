package policy

import (
	"slices"
	"strings"
	"testing"
)

func init() { goldenTables["amakusa"] = amakusaGolden }

// Route steps of the 天草広域連合 profile: the three top roles are held
// once per organization (事務局 / 消防本部), so they are routed for the
// applicant's body; the section roles for the applicant's unit.
var (
	akSecurityManager = RouteStep{Role: "security_manager", Scope: RouteApplicantUnit}
	akOwnerManager    = RouteStep{Role: "security_manager", Scope: RouteOwnerUnit}
	akSectionHead     = RouteStep{Role: "section_head", Scope: RouteApplicantUnit}
	akNetworkManager  = RouteStep{Role: "network_manager", Scope: RouteApplicantBody}
	akInfoManager     = RouteStep{Role: "info_manager", Scope: RouteApplicantBody}
	akGeneralManager  = RouteStep{Role: "general_manager", Scope: RouteApplicantBody}
)

// amakusaAllClauses is a contract stipulating every item of 第19条.
var amakusaAllClauses = Facts{
	"contract_compliance": true, "contract_no_other_use": true, "contract_return": true,
	"contract_reporting": true, "contract_education": true, "contract_damages": true,
}

// amakusaWithout returns amakusaAllClauses without one item, plus extra facts.
func amakusaWithout(item string, extra Facts) Facts {
	f := Facts{}
	for k, v := range amakusaAllClauses {
		if k != item {
			f[k] = v
		}
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// amakusaGolden: 天草広域連合情報セキュリティ対策に関する規程 (003_da00b6288617d5c1.txt).
var amakusaGolden = []goldenCase{
	// 第23条6 wireless: denied for 重要性分類1; otherwise a network change (第16条3) and update (第6条(1)).
	{source: "第23条6", action: "wireless.use", facts: Facts{"importance": 1}, effect: Deny, cite: []string{"第23条6"}},
	{source: "第23条6 (medium holding 3 and 1 → 1, 第10条(1))", action: "wireless.use", facts: Facts{"importance": []int{3, 1}}, effect: Deny, cite: []string{"第23条6", "第10条(1)"}},
	{source: "第16条3, 第6条(1) (重要性分類2 wireless)", action: "wireless.use", facts: Facts{"importance": 2}, effect: Approve, route: []RouteStep{akNetworkManager, akInfoManager}, cite: []string{"第16条3", "第6条(1)"}},
	// 第16条4 take-out and transmission of 重要性分類1.
	{source: "第16条4 本文", action: "asset.take_out", facts: Facts{"importance": 1}, effect: Deny, cite: []string{"第16条4"}},
	{source: "第16条4 ただし書 (backup)", action: "asset.take_out", facts: Facts{"importance": 1, "exception_reason": "backup"}, effect: Approve, route: []RouteStep{akSecurityManager}, cite: []string{"第16条4"}},
	{source: "第16条4 (only class 1 is restricted)", action: "asset.take_out", facts: Facts{"importance": 2}, effect: Allow, route: []RouteStep{}, cite: []string{"第16条4"}},
	{source: "第16条4 本文 (e-mail)", action: "email.send_external", facts: Facts{"importance": 1}, effect: Deny, cite: []string{"第16条4"}},
	{source: "第16条4 ただし書 (emergency)", action: "email.send_external", facts: Facts{"importance": 1, "exception_reason": "emergency"}, effect: Approve, route: []RouteStep{akSecurityManager}},
	{source: "第16条4 (class 3 e-mail)", action: "email.send_external", facts: Facts{"importance": 3}, effect: Allow, route: []RouteStep{}},
	{source: "第16条4 (外部との only; within the union)", action: "email.send_internal", facts: Facts{}, effect: Allow, cite: []string{"第16条4"}},
	{source: "第16条4 本文 (website)", action: "web.send_external", facts: Facts{"importance": 1}, effect: Deny, cite: []string{"第16条4"}},
	{source: "第16条4 本文 (receiving)", action: "network.receive_external", facts: Facts{"importance": 1}, effect: Deny, cite: []string{"第16条4"}},
	// 第16条6 business purpose only.
	{source: "第16条6", action: "internet.use", facts: Facts{"business_purpose": false}, effect: Deny, cite: []string{"第16条6"}},
	{source: "第16条6", action: "system.use", facts: Facts{}, effect: Deny, cite: []string{"第16条6"}},
	// 第13条(4) exchange of media with non-staff.
	{source: "第13条(4) (no contract)", action: "asset.provide_external", facts: Facts{"importance": 2, "safe_handover": true}, effect: Deny, cite: []string{"第13条(4)"}},
	{source: "第13条(4) (contract, unsafe handover)", action: "asset.provide_external", facts: Facts{"importance": 1, "contract_confidentiality_damages": true}, effect: Deny, cite: []string{"第13条(4)"}},
	{source: "第13条(4) (contract and safe handover)", action: "asset.provide_external", facts: Facts{"importance": 1, "contract_confidentiality_damages": true, "safe_handover": true}, effect: Allow, cite: []string{"第13条(4)"}},
	{source: "第13条(4) (class 3)", action: "asset.provide_external", facts: Facts{"importance": 3}, effect: Allow},
	// 第14条 disposal.
	{source: "第14条後段", action: "asset.dispose", facts: Facts{"importance": 1, "made_unrecoverable": true}, effect: Approve, route: []RouteStep{akSecurityManager}, cite: []string{"第14条後段"}, record: "disposal_record"},
	{source: "第14条 (not erased)", action: "asset.dispose", facts: Facts{"importance": 2}, effect: Deny, cite: []string{"第14条"}},
	{source: "第14条 (class 1, not erased: deny overrides)", action: "asset.dispose", facts: Facts{"importance": 1, "made_unrecoverable": false}, effect: Deny, cite: []string{"第14条"}},
	{source: "第14条 (class 3, erased)", action: "asset.dispose", facts: Facts{"importance": 3, "made_unrecoverable": true}, effect: Allow, route: []RouteStep{}},
	// 第26条 software: through the network manager to the information controller, licence reported.
	{source: "第26条1, 第26条2", action: "software.install", facts: Facts{}, effect: Approve, route: []RouteStep{akNetworkManager, akInfoManager}, cite: []string{"第26条1", "第26条2"}, record: "licence_report"},
	// 第22条 equipment.
	{source: "第22条 本文", action: "equipment.change", facts: Facts{}, effect: Deny, cite: []string{"第22条"}},
	{source: "第22条 ただし書", action: "equipment.change", facts: Facts{"reasonable_reason": true}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第22条"}},
	// 第16条3, 第6条(1), 第23条 network.
	{source: "第16条3", action: "network.change", facts: Facts{}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第16条3"}},
	{source: "第6条(1), 第25条(1)", action: "network.update", facts: Facts{}, effect: Approve, route: []RouteStep{akInfoManager}, cite: []string{"第6条(1)", "第25条(1)"}, record: "configuration_change_record"},
	{source: "第23条2", action: "network.wiring_change", facts: Facts{}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第23条2"}},
	{source: "第23条3 (not secured)", action: "network.line_new", facts: Facts{}, effect: Deny, cite: []string{"第23条3"}},
	{source: "第23条3", action: "network.line_new", facts: Facts{"line_secured": true}, effect: Approve, route: []RouteStep{akInfoManager}},
	{source: "第23条4 (not reviewed)", action: "network.connect_external", facts: Facts{}, effect: Deny, cite: []string{"第23条4"}},
	{source: "第23条4", action: "network.connect_external", facts: Facts{"impact_checked": true}, effect: Approve, route: []RouteStep{akInfoManager}, cite: []string{"第23条4"}},
	// 第20条, 第24条 servers.
	{source: "第20条1", action: "server.install", facts: Facts{"outside_premises": false}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第20条1"}},
	{source: "第24条", action: "server.install", facts: Facts{"outside_premises": true}, effect: Approve, route: []RouteStep{akNetworkManager, akInfoManager}, cite: []string{"第24条"}},
	{source: "第20条3", action: "server.use", facts: Facts{}, effect: Deny, cite: []string{"第20条3"}},
	// 第21条 special control area.
	{source: "第21条3 (permission)", action: "serverroom.entry_permission", facts: Facts{}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第21条3"}},
	{source: "第21条3 (not permitted)", action: "serverroom.enter", facts: Facts{"identity_verified": true}, effect: Deny, cite: []string{"第21条3"}},
	{source: "第21条3 (no identity check)", action: "serverroom.enter", facts: Facts{"entry_permitted": true}, effect: Deny, cite: []string{"第21条3"}},
	{source: "第21条3 (entry log)", action: "serverroom.enter", facts: Facts{"entry_permitted": true, "identity_verified": true}, effect: Record, record: "entry_log", cite: []string{"第21条3"}},
	{source: "第21条4 (non-staff, unattended)", action: "serverroom.carry", facts: Facts{}, effect: Deny, cite: []string{"第21条4"}},
	{source: "第21条4", action: "serverroom.carry", facts: Facts{"carried_by_non_staff": true, "staff_attending": true}, effect: Approve, route: []RouteStep{akNetworkManager}},
	{source: "第21条5", action: "serverroom.electrical_work", facts: Facts{}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第21条5"}},
	// 第9条(1), 第7条(1), 第6条(2) systems and procedures.
	{source: "第9条(1), 第7条(1), 第6条(2)", action: "system.change", facts: Facts{"uses_network": true}, effect: Approve, route: []RouteStep{akNetworkManager, akSectionHead, akInfoManager}, cite: []string{"第9条(1)", "第7条(1)", "第6条(2)", "第25条(1)"}, record: "configuration_change_record"},
	{source: "第7条(1) (standalone system)", action: "system.change", facts: Facts{"uses_network": false}, effect: Approve, route: []RouteStep{akSectionHead}},
	{source: "第7条(1), 第6条(2)", action: "procedure.establish", facts: Facts{"uses_network": true}, effect: Approve, route: []RouteStep{akSectionHead, akInfoManager}},
	{source: "第31条1", action: "system.procure", facts: Facts{}, effect: Deny, cite: []string{"第31条1"}},
	{source: "第31条2", action: "system.procure", facts: Facts{"security_reviewed": true}, effect: Record, record: "procurement_documents", cite: []string{"第31条2"}},
	// 第9条(3) outsiders.
	{source: "第9条(3)", action: "asset.outsider_access", facts: Facts{}, effect: Approve, route: []RouteStep{akOwnerManager}, cite: []string{"第9条(3)"}},
	// 第33条3 removable media.
	{source: "第33条3(2)", action: "media.use", facts: Facts{"virus_checked": true}, effect: Deny, cite: []string{"第33条3(2)"}},
	{source: "第33条3(3)", action: "media.use", facts: Facts{"business_purpose": true}, effect: Deny, cite: []string{"第33条3(3)"}},
	{source: "第33条3(2)(3)", action: "media.use", facts: Facts{"business_purpose": true, "virus_checked": true}, effect: Allow},
	// 第27条, 第28条 users.
	{source: "第28条", action: "account.register", facts: Facts{"network_managed": true}, effect: Deny, cite: []string{"第28条"}},
	{source: "第27条1, 第27条2 (network manager's system)", action: "account.register", facts: Facts{"network_managed": true, "own_duties": true}, effect: Approve, route: []RouteStep{akNetworkManager}, cite: []string{"第27条1", "第27条2"}, record: "account_record"},
	{source: "第27条1 (section's system)", action: "account.register", facts: Facts{"network_managed": false, "own_duties": true}, effect: Approve, route: []RouteStep{akOwnerManager}, record: "account_record"},
	{source: "第27条1, 第27条2", action: "account.remove", facts: Facts{"network_managed": false}, effect: Approve, route: []RouteStep{akOwnerManager}, record: "account_record"},
	// 第39条 violations.
	{source: "第39条(3) (before correction)", action: "account.suspend", facts: Facts{}, effect: Deny, cite: []string{"第39条(3)"}},
	{source: "第39条(3)", action: "account.suspend", facts: Facts{"correction_failed": true}, effect: Record, record: "violation_report", cite: []string{"第39条(3)"}},
	// 第19条 contracts.
	{source: "第19条(6)", action: "contract.outsource", facts: amakusaWithout("contract_damages", nil), effect: Deny, cite: []string{"第19条(6)"}},
	{source: "第19条(2)", action: "contract.outsource", facts: amakusaWithout("contract_no_other_use", nil), effect: Deny, cite: []string{"第19条(2)"}},
	{source: "第19条 (all six items)", action: "contract.outsource", facts: amakusaAllClauses, effect: Allow, cite: []string{"第19条"}},
	{source: "第19条 (subcontract lacking an item)", action: "contract.subcontract", facts: amakusaWithout("contract_education", Facts{"contract_by": "network_manager"}), effect: Deny, cite: []string{"第19条"}},
	// 第43条: what the regulation does not settle goes to the 総合情報統括管理者.
	{source: "第43条 (private devices: not in the regulation)", action: "device.private_use", facts: Facts{}, effect: Approve, route: []RouteStep{akGeneralManager}, cite: []string{"第43条"}},
	{source: "第43条 (cloud services: not in the regulation)", action: "service.use_external", facts: Facts{}, effect: Approve, route: []RouteStep{akGeneralManager}, cite: []string{"第43条"}},
	{source: "第19条 (subcontract approved in advance)", action: "contract.subcontract", facts: amakusaWithout("", Facts{"contract_by": "security_manager"}), effect: Approve, route: []RouteStep{akSecurityManager}},
}

// TestAmakusaProfile checks the parts of the 天草広域連合 profile that are
// not decisions: the two organizations, the per-body roles of 第4条 with
// the substitution of 第6条2 and 第8条2, the reporting chain of 第37条,
// the August audit of 第40条2, the temporary password of 第30条2, and
// that every rule cites an article of the regulation.
func TestAmakusaProfile(t *testing.T) {
	p, err := Builtin("amakusa")
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, b := range p.Bodies() {
		bodies = append(bodies, b.ID)
	}
	if !slices.Equal(bodies, []string{"secretariat", "fire"}) {
		t.Errorf("bodies %v, want the 事務局 and the 消防本部", bodies)
	}
	for _, test := range []struct {
		role  string
		scope RoleScope
	}{
		{"general_manager", ScopeBody}, {"info_manager", ScopeBody}, {"network_manager", ScopeBody},
		{"section_head", ScopeUnit}, {"security_manager", ScopeUnit}, {"system_staff", ScopeUnit}, {"staff", ScopeOrganization},
	} {
		r, ok := p.Role(test.role)
		if !ok {
			t.Errorf("no role %s", test.role)
			continue
		}
		if r.Scope != test.scope {
			t.Errorf("role %s scope %s, want %s", test.role, r.Scope, test.scope)
		}
	}
	gm, _ := p.Role("general_manager")
	for _, m := range Matters {
		if got := gm.SubstitutesFor(m); !slices.Equal(got, []string{"info_manager", "network_manager"}) {
			t.Errorf("総合情報統括管理者 substitutes on %s = %v, want 情報統括管理者 then ネットワーク管理者 (第6条2, 第8条2)", m, got)
		}
	}
	if im, _ := p.Role("info_manager"); len(im.Substitutes) != 0 {
		t.Errorf("情報統括管理者 substitutes %v: 第8条2 names none for it alone", im.Substitutes)
	}
	if st, _ := p.Role("system_staff"); st.AppointedBy != "security_manager" {
		t.Errorf("情報システム担当者 appointed by %q, want security_manager (第4条6)", st.AppointedBy)
	}
	if got := p.BaselineRoles(); !slices.Equal(got, []string{"staff"}) {
		t.Errorf("BaselineRoles() = %v", got)
	}
	staff := p.Grants("staff")
	for _, g := range []Permission{PermAssetRead, PermRequestSubmit, PermIncidentReport, PermPolicyRead} {
		if !slices.Contains(staff, g) {
			t.Errorf("baseline lacks %s", g)
		}
	}
	if slices.Contains(staff, PermRequestDecide) {
		t.Error("every member of staff may decide requests")
	}
	if !slices.Contains(p.Grants("network_manager"), PermViolationManage) {
		t.Error("the network manager handles violations (第39条) but lacks violation.manage")
	}

	chain := p.IncidentChain()
	var steps [][]string
	for _, st := range chain {
		var roles []string
		for _, to := range st.To {
			roles = append(roles, to.Role)
		}
		steps = append(steps, roles)
	}
	want := [][]string{{"system_staff", "security_manager", "network_manager"}, {"section_head"}, {"info_manager"}, {"general_manager"}}
	if !slices.EqualFunc(steps, want, slices.Equal[[]string]) {
		t.Errorf("incident chain %v, want %v (第37条)", steps, want)
	}
	if chain[3].To[0] != akGeneralManager {
		t.Errorf("the 総合情報統括管理者 is told for the applicant's organization: %+v", chain[3].To[0])
	}

	var audit *Duty
	for _, d := range p.Duties() {
		if d.ID == "internal-audit" {
			audit = d
		}
	}
	if audit == nil || audit.Role != "info_manager" || audit.Month != 8 || audit.PeriodValue() != (Period{Years: 1, Specified: true}) || audit.Clause != "第40条2" {
		t.Errorf("internal audit every August (第40条2): %+v", audit)
	}
	if a := p.Auth(); !a.Password.TemporaryMustChange.Value || a.Password.TemporaryMustChange.Clause != "第30条2" {
		t.Errorf("temporary passwords changed at first use (第30条2): %+v", a.Password.TemporaryMustChange)
	}
	lv, err := p.Restrictions("importance", "1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range lv {
		ids = append(ids, r.ID)
	}
	for _, id := range []string{"removable-media-locked", "exchange-contract", "disposal-approval-record", "no-take-out", "no-external-transmission", "no-wireless", "periodic-backup", "access-control"} {
		if !slices.Contains(ids, id) {
			t.Errorf("重要性分類1 lacks restriction %s: %v", id, ids)
		}
	}
	if n := len(p.Obligations()); n < 120 {
		t.Errorf("only %d obligations; 第4条–第42条 have more than 120 such sentences", n)
	}
	for _, r := range p.Rules() {
		if !strings.HasPrefix(r.Clause, "第") || !strings.Contains(r.Clause, "条") {
			t.Errorf("rule %s cites %q, not an article of the regulation", r.ID, r.Clause)
		}
	}
	for _, id := range []string{"info-manager-substitute", "retention-periods", "subcontract-approver"} {
		if !slices.ContainsFunc(p.Gaps(), func(g *Gap) bool { return g.ID == id }) {
			t.Errorf("gap %s not listed", id)
		}
	}
}
