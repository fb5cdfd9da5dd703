# The 藤枝市 decisions of internal/policy/profiles/fujieda.yaml, written by
# hand in Rego for the benchmark against Open Policy Agent. Only the actions
# of the shared case table (cases.go) are transcribed; the combination is
# the same as mamori's: deny overrides approve, approve overrides record,
# record overrides allow, and an action's default applies when no rule
# matches. Facts missing from the input take the profile's defaults.
package mamori.fujieda

default_facts := {
	"protected": false,
	"carrier": "other",
	"licensed": false,
	"business_purpose": false,
	"origin_known": false,
	"firewall_at_boundary": false,
	"encrypted_and_authenticated": false,
	"entry_permitted": false,
	"visitor": false,
	"escorted": false,
	"related_to_system": false,
}

facts := object.union(default_facts, input.facts)

# A medium holding several levels is handled at the strictest (第2章5(2)④ウ);
# on 藤枝市's scales 1 is the strictest, so the strictest is the minimum.
conf := min(facts.confidentiality) if is_array(facts.confidentiality)

conf := facts.confidentiality if is_number(facts.confidentiality)

default_effect := {
	"email.send_external": "allow",
	"asset.transport": "allow",
	"asset.provide_external": "allow",
	"asset.dispose": "allow",
}

# 第2章 6(1)⑤ウ, 5(2)⑤イ, 6(1)⑤エ
deny contains "email-external-c1-deny" if {
	input.action == "email.send_external"
	conf == 1
}

deny contains "email-external-c1-restriction" if {
	input.action == "email.send_external"
	conf == 1
}

approve contains "email-external-c2-approve" if {
	input.action == "email.send_external"
	conf == 2
}

# 第2章 6(1)③アイ
approve contains "take-out-approve" if input.action == "asset.take_out"

record contains "take-out-record" if input.action == "asset.take_out"

# 第2章 5(2)⑨
deny contains "transport-carrier-deny" if {
	input.action == "asset.transport"
	conf in {1, 2}
	not facts.carrier in {"staff", "contractor_with_nda"}
}

deny contains "transport-protection-deny" if {
	input.action == "asset.transport"
	conf in {1, 2}
	not facts.protected
}

approve contains "transport-approve" if {
	input.action == "asset.transport"
	conf in {1, 2}
}

# 第2章 5(2)⑩ア
approve contains "provide-approve" if {
	input.action == "asset.provide_external"
	conf in {1, 2}
}

# 第2章 5(2)⑪イウ
approve contains "dispose-approve" if {
	input.action == "asset.dispose"
	conf in {1, 2}
}

record contains "dispose-record" if {
	input.action == "asset.dispose"
	conf in {1, 2}
}

# 第2章 8(1)⑤
deny contains "software-unlicensed-deny" if {
	input.action == "software.install"
	not facts.licensed
}

deny contains "software-unsafe-deny" if {
	input.action == "software.install"
	not facts.business_purpose
}

deny contains "software-unsafe-deny" if {
	input.action == "software.install"
	not facts.origin_known
}

approve contains "software-approve" if input.action == "software.install"

# 第2章 8(1)⑧
deny contains "external-network-firewall-deny" if {
	input.action == "network.connect_external"
	facts.publishes_to_internet
	not facts.firewall_at_boundary
}

approve contains "external-network-approve" if input.action == "network.connect_external"

# 第2章 8(1)⑩
deny contains "wireless-unprotected-deny" if {
	input.action == "wireless.use"
	not facts.encrypted_and_authenticated
}

approve contains "wireless-approve" if input.action == "wireless.use"

# 第2章 8(3)④
approve contains "equipment-change-approve" if input.action == "equipment.change"

approve contains "equipment-change-network-approve" if {
	input.action == "equipment.change"
	facts.connects_other_network
}

# 第2章 6(1)④ア
deny contains "private-device-deny" if {
	input.action == "device.private_use"
	not facts.business_purpose
}

approve contains "private-device-approve" if {
	input.action == "device.private_use"
	facts.business_purpose
}

# 第2章 7(1)②
deny contains "serverroom-unpermitted-deny" if {
	input.action == "serverroom.enter"
	not facts.entry_permitted
	not facts.visitor
}

deny contains "serverroom-visitor-escort-deny" if {
	input.action == "serverroom.enter"
	facts.visitor
	not facts.escorted
}

record contains "serverroom-entry-log" if input.action == "serverroom.enter"

effect := "deny" if count(deny) > 0

effect := "approve" if {
	count(deny) == 0
	count(approve) > 0
}

effect := "record" if {
	count(deny) == 0
	count(approve) == 0
	count(record) > 0
}

effect := default_effect[input.action] if {
	count(deny) == 0
	count(approve) == 0
	count(record) == 0
}
