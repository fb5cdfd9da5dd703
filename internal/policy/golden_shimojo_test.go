package policy

import (
	"slices"
	"strings"
	"testing"
)

func init() { goldenTables["shimojo"] = shimojoGolden }

// Route steps of the 下條村 profile. The 情報セキュリティ管理者 is one per
// section (各課長); every other approver is organization-wide.
var (
	shManager      = RouteStep{Role: "security_manager", Scope: RouteApplicantUnit}
	shOwnerManager = RouteStep{Role: "security_manager", Scope: RouteOwnerUnit}
	shGeneral      = RouteStep{Role: "general_security_officer", Scope: RouteOrganization}
	shNetwork      = RouteStep{Role: "network_manager", Scope: RouteOrganization}
	shCISO         = RouteStep{Role: "ciso", Scope: RouteOrganization}
	shCommittee    = RouteStep{Role: "committee", Scope: RouteOrganization}
)

// shimojoGolden: 下條村情報セキュリティポリシー (000_f9058d11fe21a3bb.txt),
// each decision read off the clause in source.
var shimojoGolden = []goldenCase{
	// 7(1)7-8 外部での情報処理・私物パソコン; 4(1) 取扱制限
	{source: "第2章 7(1)8 (機密性2 on a private PC)", action: "device.private_use", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 7(1)8", "第2章 4(1)"}},
	{source: "第2章 7(1)8 (機密性1 on a private PC)", action: "device.private_use", facts: Facts{"confidentiality": 1}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 7(1)8"}},
	{source: "第2章 7(1)8 (work outside on a private PC with 機密性2)", action: "work.outside", facts: Facts{"confidentiality": 2, "private_pc": true}, effect: Deny, cite: []string{"第2章 7(1)8"}},
	{source: "第2章 7(1)7", action: "work.outside", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 7(1)7"}},
	{source: "第2章 7(1)7-8 (機密性1 on a private PC outside)", action: "work.outside", facts: Facts{"confidentiality": 1, "private_pc": true}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 7(1)7", "第2章 7(1)8"}},
	// 7(1)3-4 持ち出し
	{source: "第2章 7(1)3", action: "asset.take_out", facts: Facts{"item": "terminal"}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 7(1)3"}},
	{source: "第2章 7(1)4 (media out without an unavoidable reason)", action: "asset.take_out", facts: Facts{"item": "removable_media", "protected": true}, effect: Deny, cite: []string{"第2章 7(1)4"}},
	{source: "第2章 7(1)4 (media out unprotected)", action: "asset.take_out", facts: Facts{"item": "removable_media", "business_unavoidable": true}, effect: Deny, cite: []string{"第2章 7(1)4"}},
	{source: "第2章 7(1)4", action: "asset.take_out", facts: Facts{"item": "removable_media", "business_unavoidable": true, "protected": true}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 7(1)4"}},
	// 4(2)7 運搬
	{source: "第2章 4(2)7 (機密性2 unprotected)", action: "asset.transport", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 4(2)7", "第2章 4(1)"}},
	{source: "第2章 4(2)7 (機密性2 in a locked case)", action: "asset.transport", facts: Facts{"confidentiality": 2, "protected": true}, effect: Allow, route: []RouteStep{}},
	// 4(2)8 提供・公表
	{source: "第2章 4(2)8-3", action: "asset.provide_external", facts: Facts{"confidentiality": 2, "contract_confidentiality": true}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 4(2)8-3"}},
	{source: "第2章 4(2)8-5 (no confidentiality contract)", action: "asset.provide_external", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 4(2)8-5"}},
	{source: "第2章 4(2)8-5 (required by law)", action: "asset.provide_external", facts: Facts{"confidentiality": 2, "statutory": true}, effect: Approve, route: []RouteStep{shManager}},
	{source: "第2章 4(2)8 (機密性1 unrestricted)", action: "asset.provide_external", facts: Facts{"confidentiality": 1}, effect: Allow},
	{source: "第2章 4(2)8-1", action: "asset.publish", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 4(2)8-1"}},
	{source: "第2章 8(1)5-2", action: "asset.publish", facts: Facts{"confidentiality": 1}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 8(1)5-2"}},
	// 4(2)9-10 廃棄
	{source: "第2章 4(2)9-2, 9-3", action: "asset.dispose", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 4(2)9-3", "第2章 4(2)9-2"}, record: "disposal_record"},
	{source: "第2章 4(2)10-3 (papers to a contractor without a contract)", action: "asset.dispose", facts: Facts{"confidentiality": 2, "paper": true, "outsourced": true}, effect: Deny, cite: []string{"第2章 4(2)10-3"}},
	{source: "第2章 4(2)9 (機密性1 unrestricted)", action: "asset.dispose", facts: Facts{"confidentiality": 1}, effect: Allow},
	{source: "第2章 4(2)4-3 (medium holding 1 and 2 → 2)", action: "asset.dispose", facts: Facts{"confidentiality": []int{1, 2}}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 4(2)9-3", "第2章 4(2)4-3"}, record: "disposal_record"},
	{source: "第2章 4(2)10-6", action: "document.reuse", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 4(2)10-6"}},
	{source: "第2章 4(2)4-4", action: "media.reuse", facts: Facts{}, effect: Deny, cite: []string{"第2章 4(2)4-4"}},
	{source: "第2章 4(2)4-1", action: "asset.use", facts: Facts{}, effect: Deny, cite: []string{"第2章 4(2)4-1"}},
	// 8(2)ウ 電子メール, 4(2)6
	{source: "第2章 8(2)ウ③", action: "email.send_external", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 8(2)ウ③"}},
	{source: "第2章 8(2)ウ④ (LGWAN mail)", action: "email.send_external", facts: Facts{"confidentiality": 2, "via_internet": false}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 8(2)ウ④"}},
	{source: "第2章 8(2)ウ④ (within the village)", action: "email.send_internal", facts: Facts{"confidentiality": 2}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 8(2)ウ④"}},
	{source: "第2章 4(2)6 (機密性2 in the body, encrypted as needed)", action: "email.send_external", facts: Facts{"confidentiality": 2, "attachment": false}, effect: Allow, cite: []string{"第2章 4(2)6"}},
	{source: "第2章 8(2)ウ②", action: "email.forward", facts: Facts{"business_purpose": true, "suspicious": true}, effect: Deny, cite: []string{"第2章 8(2)ウ②"}},
	// 8(2)イ ソフトウェア, 8(2)5 機器構成の変更
	{source: "第2章 8(2)イ①", action: "software.install", facts: Facts{"licensed": true, "business_purpose": true, "origin_known": true}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 8(2)イ①"}},
	{source: "第2章 8(2)イ②", action: "software.install", facts: Facts{"business_purpose": true, "origin_known": true}, effect: Deny, cite: []string{"第2章 8(2)イ②"}},
	{source: "第2章 8(2)イ③", action: "software.install", facts: Facts{"licensed": true, "business_purpose": true}, effect: Deny, cite: []string{"第2章 8(2)イ③"}},
	{source: "第2章 8(2)5-1", action: "equipment.change", facts: Facts{"connects_other_network": false}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 8(2)5-1"}},
	{source: "第2章 8(2)5-2", action: "equipment.change", facts: Facts{"connects_other_network": true}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 8(2)5-1", "第2章 8(2)5-2"}},
	// 8(1)3-4 外部ネットワーク・インターネット, セ 無線LAN
	{source: "第2章 8(1)3-1", action: "network.connect_external", facts: Facts{"impact_checked": true, "demarcation_defined": true}, effect: Approve, route: []RouteStep{shGeneral}, cite: []string{"第2章 8(1)3-1"}},
	{source: "第2章 8(1)3-1 (not examined)", action: "network.connect_external", facts: Facts{"demarcation_defined": true}, effect: Deny, cite: []string{"第2章 8(1)3-1"}},
	{source: "第2章 8(1)4-1", action: "internet.connect", facts: Facts{}, effect: Deny, cite: []string{"第2章 8(1)4-1"}},
	{source: "第2章 8(1)4-2", action: "server.internet_access", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 8(1)4-2"}},
	{source: "第2章 8(1)4-2 (residents' service, protected)", action: "server.internet_access", facts: Facts{"confidentiality": 2, "for_residents": true, "protected": true}, effect: Approve, route: []RouteStep{shGeneral, shNetwork}, cite: []string{"第2章 8(1)4-2"}},
	{source: "第2章 8(1)セ① (no encryption)", action: "wireless.use", facts: Facts{}, effect: Deny, cite: []string{"第2章 8(1)セ①"}},
	{source: "第2章 8(1)セ①", action: "wireless.use", facts: Facts{"encrypted_and_authenticated": true}, effect: Approve, route: []RouteStep{shNetwork}},
	// 8(4) 外部からのアクセス
	{source: "第2章 8(4)1 (a section's system)", action: "remote.access", facts: Facts{"common_system": false, "identity_check": true, "encrypted": true}, effect: Approve, route: []RouteStep{shGeneral, shOwnerManager}, cite: []string{"第2章 8(4)1"}},
	{source: "第2章 8(4)1 (a shared system)", action: "remote.access", facts: Facts{"common_system": true, "identity_check": true, "encrypted": true}, effect: Approve, route: []RouteStep{shGeneral, shNetwork}},
	{source: "第2章 8(4)4", action: "remote.access", facts: Facts{"common_system": false, "identity_check": true}, effect: Deny, cite: []string{"第2章 8(4)4"}},
	{source: "第2章 8(4)8", action: "remote.access", facts: Facts{"common_system": false, "identity_check": true, "encrypted": true, "private_device": true}, effect: Deny, cite: []string{"第2章 8(4)8"}},
	{source: "第2章 8(4)6", action: "device.connect_internal", facts: Facts{"virus_checked": true, "patch_checked": true}, effect: Approve, route: []RouteStep{shManager}},
	{source: "第2章 8(4)7", action: "network.public_line", facts: Facts{"business_unavoidable": true, "firewall": true, "mfa": true, "encrypted": true}, effect: Approve, route: []RouteStep{shGeneral}, cite: []string{"第2章 8(4)7"}},
	{source: "第2章 8(4)7 (no MFA)", action: "network.public_line", facts: Facts{"business_unavoidable": true, "firewall": true, "encrypted": true}, effect: Deny, cite: []string{"第2章 8(4)7"}},
	// 8(2)エ 個人所有機器・外部記録媒体, 8(6)ア7
	{source: "第2章 8(2)エ①", action: "device.private_connect", facts: Facts{}, effect: Approve, route: []RouteStep{shGeneral}, cite: []string{"第2章 8(2)エ①"}},
	{source: "第2章 8(2)エ②", action: "media.external_use", facts: Facts{"business_unavoidable": true, "virus_checked": true}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 8(2)エ②"}},
	{source: "第2章 8(2)エ② (no unavoidable reason)", action: "media.external_use", facts: Facts{"virus_checked": true}, effect: Deny, cite: []string{"第2章 8(2)エ②"}},
	{source: "第2章 8(6)ア7", action: "media.external_use", facts: Facts{"business_unavoidable": true, "virus_checked": true, "offline_system": true}, effect: Deny, cite: []string{"第2章 8(6)ア7"}},
	{source: "第2章 8(6)イ9", action: "data.import_external", facts: Facts{}, effect: Deny, cite: []string{"第2章 8(6)イ9"}},
	// 5 三層分離
	{source: "第2章 5(1)1②", action: "media.export", facts: Facts{"segment": "my_number"}, effect: Deny, cite: []string{"第2章 5(1)1②"}},
	{source: "第2章 5(1) (My Number ↔ internet)", action: "network.cross_segment", facts: Facts{"from_segment": "my_number", "to_segment": "internet", "specified_communication": true, "sanitized": true}, effect: Deny, cite: []string{"第2章 5(1)"}},
	{source: "第2章 5(1) (My Number → LGWAN unspecified)", action: "network.cross_segment", facts: Facts{"from_segment": "my_number", "to_segment": "lgwan"}, effect: Deny, cite: []string{"第2章 5(1)"}},
	{source: "第2章 5(2)ア (unsanitized import)", action: "network.cross_segment", facts: Facts{"from_segment": "internet", "to_segment": "lgwan", "specified_communication": true}, effect: Deny, cite: []string{"第2章 5(2)ア"}},
	{source: "第2章 5(2)ア (sanitized specified communication)", action: "network.cross_segment", facts: Facts{"from_segment": "internet", "to_segment": "lgwan", "specified_communication": true, "sanitized": true}, effect: Allow, cite: []string{"第2章 5(2)ア"}},
	// 6 物理的セキュリティ
	{source: "第2章 6(1)5", action: "equipment.install_outside", facts: Facts{}, effect: Approve, route: []RouteStep{shCISO}, cite: []string{"第2章 6(1)5"}},
	{source: "第2章 6(2)2 (not permitted)", action: "serverroom.enter", facts: Facts{}, effect: Deny, cite: []string{"第2章 6(2)2"}},
	{source: "第2章 6(2)2 (entry log)", action: "serverroom.enter", facts: Facts{"entry_permitted": true}, effect: Record, record: "entry_log", cite: []string{"第2章 6(2)2"}},
	{source: "第2章 6(2)2 (work by staff)", action: "serverroom.work", facts: Facts{"contractor_worker": false}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 6(2)2"}},
	{source: "第2章 6(2)3 (contractor without ID)", action: "serverroom.work", facts: Facts{}, effect: Deny, cite: []string{"第2章 6(2)3"}},
	{source: "第2章 6(2)3 (nobody attending)", action: "serverroom.carry", facts: Facts{"direction": "out", "contractor_worker": false}, effect: Deny, cite: []string{"第2章 6(2)3"}},
	{source: "第2章 6(2)6", action: "serverroom.carry", facts: Facts{"direction": "in", "staff_present": true, "contractor_worker": true, "id_presented": true}, effect: Deny, cite: []string{"第2章 6(2)6"}},
	{source: "第2章 6(2)2-3 (carry-in approved)", action: "serverroom.carry", facts: Facts{"direction": "in", "staff_present": true, "contractor_worker": true, "id_presented": true, "necessary_equipment": true}, effect: Approve, route: []RouteStep{shNetwork}},
	{source: "第2章 6(2)4", action: "serverroom.photograph", facts: Facts{}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 6(2)4"}},
	// 7(7)-(8) パスワード・ICカード
	{source: "第2章 7(7)9", action: "password.share", facts: Facts{}, effect: Deny, cite: []string{"第2章 7(7)9"}},
	{source: "第2章 7(8)1", action: "authkey.share", facts: Facts{}, effect: Deny, cite: []string{"第2章 7(8)1"}},
	// 8(3) 利用者の登録・変更・抹消
	{source: "第2章 8(3)3 (a section's system)", action: "account.register", facts: Facts{"common_system": false}, effect: Approve, route: []RouteStep{shOwnerManager}, cite: []string{"第2章 8(3)3"}},
	{source: "第2章 8(3)3 (a shared system)", action: "account.register", facts: Facts{"common_system": true}, effect: Approve, route: []RouteStep{shNetwork}},
	{source: "第2章 8(3)3 (change)", action: "account.change", facts: Facts{"common_system": false}, effect: Approve, route: []RouteStep{shOwnerManager}},
	{source: "第2章 8(3)9", action: "account.remove", facts: Facts{"common_system": false}, effect: Approve, route: []RouteStep{shOwnerManager}, cite: []string{"第2章 8(3)9"}},
	{source: "第2章 8(3)7", action: "account.password_reset", facts: Facts{"common_system": true}, effect: Approve, route: []RouteStep{shNetwork}, cite: []string{"第2章 8(3)7"}},
	// 8(5)ウ 修理・廃棄
	{source: "第2章 8(5)ウ9", action: "equipment.dispose", facts: Facts{"confidentiality": 1}, effect: Deny, cite: []string{"第2章 8(5)ウ9"}},
	{source: "第2章 8(5)ウ9, 4(2)9-3 (lease return of 機密性2)", action: "equipment.dispose", facts: Facts{"confidentiality": 2, "data_erased": true}, effect: Approve, route: []RouteStep{shManager}, record: "disposal_record"},
	{source: "第2章 8(5)ウ8", action: "equipment.repair_external", facts: Facts{"data_erasable": false}, effect: Deny, cite: []string{"第2章 8(5)ウ8"}},
	// 9 運用
	{source: "第2章 9(1)2", action: "usage.survey", facts: Facts{"for_investigation": true}, effect: Deny, cite: []string{"第2章 9(1)2"}},
	{source: "第2章 9(4)3-4", action: "policy.deviate", facts: Facts{}, effect: Approve, route: []RouteStep{shGeneral, shCommittee}, cite: []string{"第2章 9(4)3", "第2章 9(4)4"}, record: "deviation_register"},
	{source: "第2章 9(6)(1)", action: "violation.suspend_rights", facts: Facts{}, effect: Deny, cite: []string{"第2章 9(6)(1)"}},
	{source: "第2章 9(6)(2)", action: "violation.suspend_rights", facts: Facts{"guidance_failed": true}, effect: Record, record: "suspension_notice", cite: []string{"第2章 9(6)(2)"}},
	// 10 外部サービスの利用
	{source: "第2章 10(2)3", action: "maintenance.remote", facts: Facts{}, effect: Approve, route: []RouteStep{shCISO}, cite: []string{"第2章 10(2)3"}, record: "remote_maintenance_record"},
	{source: "第2章 10(2)1", action: "contract.outsource", facts: Facts{"contract_confidentiality": true}, effect: Deny, cite: []string{"第2章 10(2)1"}},
	{source: "第2章 10(2)2", action: "contract.outsource", facts: Facts{"contract_confidentiality": true, "contract_policy_terms": true, "subcontract": true}, effect: Deny, cite: []string{"第2章 10(2)2"}},
	{source: "第2章 10(3)2", action: "service.outsource", facts: Facts{"confidentiality": 2, "contract_security_requirements": true}, effect: Approve, route: []RouteStep{shGeneral, shNetwork}, cite: []string{"第2章 10(3)2"}},
	{source: "第2章 10(3)1", action: "service.outsource", facts: Facts{"confidentiality": 1}, effect: Deny, cite: []string{"第2章 10(3)1"}},
	{source: "第2章 10(4)②", action: "service.use_external", facts: Facts{}, effect: Deny, cite: []string{"第2章 10(4)②"}},
	{source: "第2章 10(5)3", action: "sns.post", facts: Facts{"confidentiality": 2}, effect: Deny, cite: []string{"第2章 10(5)3"}},
	{source: "第2章 10(6)4", action: "webconf.join_external", facts: Facts{}, effect: Approve, route: []RouteStep{shManager}, cite: []string{"第2章 10(6)4"}},
	{source: "第2章 10(6)3", action: "webconf.host", facts: Facts{}, effect: Deny, cite: []string{"第2章 10(6)3"}},
}

// TestShimojoProfile checks the parts of the 下條村 profile that are not
// decisions: the organization of 第2章3 with the substitution of 3(2)イ, the
// grants, the classification of 4(1), the three segments of 5, the
// incident process of 7(6) and 9(3), training of 7(5)3, password and MFA
// rules of 7(7) and 5(1)1①, separation of duties of 3(7), and that every
// rule cites 第2章.
func TestShimojoProfile(t *testing.T) {
	p, err := Builtin("shimojo")
	if err != nil {
		t.Fatal(err)
	}
	if p.Profile().Default != nil {
		t.Error("the profile keeps a profile-wide default; every action states its own")
	}
	for _, id := range []string{"ciso", "general_security_officer", "network_manager", "security_manager", "system_administrator",
		"committee", "csirt", "csirt_lead", "unified_desk", "auditor", "staff"} {
		if _, ok := p.Role(id); !ok {
			t.Errorf("no role %s", id)
		}
	}
	ciso, _ := p.Role("ciso")
	if ciso.Holder.JA != "副村長" {
		t.Errorf("CISO (副村長, 3(1)ア): %+v", ciso)
	}
	// 3(2)イ: the 統括 acts for the absent CISO on an infringement or its
	// threat, and on nothing else.
	if got := ciso.SubstitutesFor(MatterIncident); !slices.Equal(got, []string{"general_security_officer"}) {
		t.Errorf("CISO substitutes on incidents = %v, want the 統括 (3(2)イ)", got)
	}
	if got := ciso.SubstitutesFor(MatterApproval); len(got) != 0 {
		t.Errorf("CISO substitutes on approvals = %v, want none: 3(2)イ is limited to infringements", got)
	}
	if gso, _ := p.Role("general_security_officer"); gso.Holder.JA != "総務課長" || gso.ReportsTo != "ciso" {
		t.Errorf("統括 (総務課長, 3(2)): %+v", gso)
	}
	if sm, _ := p.Role("security_manager"); sm.Scope != ScopeUnit {
		t.Errorf("情報セキュリティ管理者 must be one per section (3(4)): scope %s", sm.Scope)
	}
	for id, kind := range map[string]RoleKind{"committee": RoleBody, "csirt": RoleBody, "staff": RoleBaseline} {
		if r, _ := p.Role(id); r.Kind != kind {
			t.Errorf("%s kind %s, want %s", id, r.Kind, kind)
		}
	}
	if got := p.BaselineRoles(); !slices.Equal(got, []string{"staff"}) {
		t.Errorf("BaselineRoles() = %v", got)
	}
	for _, g := range []struct {
		role string
		has  []Permission
		not  []Permission
	}{
		{"staff", []Permission{PermAssetRead, PermRequestSubmit, PermIncidentReport, PermPolicyRead}, []Permission{PermRequestDecide, PermDeviationSubmit, PermAssetClassify, PermIncidentHandle}},
		{"security_manager", []Permission{PermRequestDecide, PermAssetClassify, PermDeviationSubmit}, []Permission{PermDeviationDecide}},
		{"general_security_officer", []Permission{PermDeviationReview, PermIncidentHandle}, []Permission{PermDeviationDecide}},
		{"committee", []Permission{PermDeviationDecide, PermPolicyManage}, nil},
		{"csirt", []Permission{PermIncidentRead, PermIncidentHandle}, []Permission{PermRequestDecide}},
	} {
		grants := p.Grants(g.role)
		for _, want := range g.has {
			if !slices.Contains(grants, want) {
				t.Errorf("%s lacks %s", g.role, want)
			}
		}
		for _, no := range g.not {
			if slices.Contains(grants, no) {
				t.Errorf("%s must not have %s", g.role, no)
			}
		}
	}

	// 4(1): 機密性 only, 2 strictest, the eight 取扱制限 of the table on 2.
	if axes := p.Axes(); len(axes) != 1 || !slices.Equal(axes[0].StrictestFirst, []string{"2", "1"}) {
		t.Errorf("classification of 4(1): %+v", axes)
	}
	rs, err := p.Restrictions("confidentiality", "2")
	if err != nil {
		t.Fatal(err)
	}
	table := 0
	var clauses []string
	for _, r := range rs {
		if r.Clause == "第2章 4(1)" {
			table++
		}
		clauses = append(clauses, r.Clause)
	}
	if table != 8 {
		t.Errorf("機密性2 carries %d restrictions of the 4(1) table, want 8", table)
	}
	for _, c := range []string{"第2章 4(2)7", "第2章 4(2)8-3", "第2章 4(2)9-3", "第2章 7(1)8", "第2章 8(2)ウ③", "第2章 10(5)3"} {
		if !slices.Contains(clauses, c) {
			t.Errorf("機密性2 restrictions lack %s", c)
		}
	}
	if rs, _ := p.Restrictions("confidentiality", "1"); len(rs) != 0 {
		t.Errorf("機密性1 has no 取扱制限 in 4(1): %v", rs)
	}

	// 第1章6(3), 第2章5: three segments; My Number ↔ internet never.
	if n := len(p.Segments()); n != 3 {
		t.Errorf("%d segments, want 3", n)
	}
	for _, c := range p.Crossings() {
		if (c.From == "my_number" && c.To == "internet") || (c.From == "internet" && c.To == "my_number") {
			if c.Effect != "deny" {
				t.Errorf("crossing %s → %s is %s", c.From, c.To, c.Effect)
			}
		}
	}

	// 7(6): 情報セキュリティ管理者 → CISO, 統括, CSIRT; CSIRT triages (7(6)ウ).
	chain := p.IncidentChain()
	if len(chain) < 2 || chain[0].To[0] != shManager {
		t.Fatalf("incident chain of 7(6): %+v", chain)
	}
	var second []string
	for _, st := range chain[1].To {
		second = append(second, st.Role)
	}
	if !slices.Equal(second, []string{"ciso", "general_security_officer", "csirt"}) {
		t.Errorf("second step of 7(6)2 tells %v", second)
	}
	in := p.Incident()
	if in.Triage != "csirt" || in.TriageClause != "第2章 7(6)ウ" || in.Contact != "unified_desk" {
		t.Errorf("triage %q (%s), contact %q", in.Triage, in.TriageClause, in.Contact)
	}
	var investigate *ProcessStep
	for _, s := range in.CloseSteps {
		if s.ID == "investigate" {
			investigate = s
		}
	}
	if investigate == nil || investigate.Clause != "第2章 9(3)1-1" || investigate.Role != "security_manager" {
		t.Errorf("investigation step of 9(3)1-1: %+v", investigate)
	}

	var training *Duty
	for _, d := range p.Duties() {
		if d.ID == "training" {
			training = d
		}
	}
	if training == nil || training.PeriodValue() != (Period{Years: 1, Specified: true}) || training.Clause != "第2章 7(5)3" {
		t.Errorf("yearly training of 7(5)3: %+v", training)
	}

	auth := p.Auth()
	if !auth.Password.TemporaryMustChange.Value || auth.Password.TemporaryMustChange.Clause != "第2章 7(7)6" {
		t.Errorf("temporary password of 7(7)6: %+v", auth.Password.TemporaryMustChange)
	}
	if auth.Password.MinLength.Value != 0 {
		t.Errorf("the seed gives no minimum length, got %d", auth.Password.MinLength.Value)
	}
	if len(auth.MFA) == 0 || !slices.Equal(auth.MFA[0].Segments, []string{"my_number"}) || auth.MFA[0].Clause != "第2章 5(1)1①" {
		t.Errorf("MFA of 5(1)1①: %+v", auth.MFA)
	}

	sod := p.SeparationOfDuties()
	if len(sod) < 2 || sod[0].Kind != SoDApplicantNotApprover || sod[0].Clause != "第2章 3(7)1" ||
		sod[1].Kind != SoDAuditorNotAuditee || sod[1].Clause != "第2章 3(7)2" {
		t.Errorf("separation of duties of 3(7): %+v", sod)
	}

	if rk, ok := p.RequestKind("remote_maintenance"); !ok || !slices.Equal(rk.Reports, []ReportKind{ReportStart, ReportEnd}) {
		t.Errorf("remote maintenance of 10(2)3 needs start and end reports: %+v", rk)
	}
	// The seed names no retention period: none may be invented.
	for _, rt := range p.RecordTypes() {
		if rt.RetentionPeriod().Specified {
			t.Errorf("record type %s has retention %s; the seed gives none", rt.ID, rt.Retention)
		}
	}

	if n := len(p.Obligations()); n < 300 {
		t.Errorf("only %d obligations; 第2章 has more than 300 such duties", n)
	}
	for _, role := range []string{"ciso", "general_security_officer", "network_manager", "security_manager", "system_administrator", "committee", "csirt", "auditor", "staff"} {
		if len(p.ObligationsOf(role)) == 0 {
			t.Errorf("no obligations for %s", role)
		}
	}
	for _, r := range p.Rules() {
		if !strings.HasPrefix(r.Clause, "第2章 ") {
			t.Errorf("rule %s cites %q, not a clause of 第2章", r.ID, r.Clause)
		}
	}
	if len(p.Gaps()) == 0 {
		t.Error("no gaps listed")
	}
}
