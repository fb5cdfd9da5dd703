// Package bench compares mamori's policy engine with Open Policy Agent on
// the same decisions. It is a module of its own so that the product binary
// does not carry OPA.
package bench

import "mamori/internal/policy"

// Case is one decision both engines must answer identically.
type Case struct {
	Name   string
	Action string
	Facts  map[string]any
	Effect string // expected; also checked against the profile's golden text
}

// Cases is the shared case table, read off 藤枝市 第2章.
var Cases = []Case{
	{"email c1 (6(1)⑤ウ)", "email.send_external", map[string]any{"confidentiality": 1}, "deny"},
	{"email c2 (6(1)⑤エ)", "email.send_external", map[string]any{"confidentiality": 2}, "approve"},
	{"email c3", "email.send_external", map[string]any{"confidentiality": 3}, "allow"},
	{"email mixed 1+3 (5(2)④ウ)", "email.send_external", map[string]any{"confidentiality": []any{3, 1}}, "deny"},
	{"take-out (6(1)③)", "asset.take_out", map[string]any{}, "approve"},
	{"transport c1 by staff, protected (5(2)⑨)", "asset.transport", map[string]any{"confidentiality": 1, "carrier": "staff", "protected": true}, "approve"},
	{"transport c2 by other contractor (5(2)⑨ア)", "asset.transport", map[string]any{"confidentiality": 2, "carrier": "contractor_without_nda", "protected": true}, "deny"},
	{"transport c2 unprotected (5(2)⑨イ)", "asset.transport", map[string]any{"confidentiality": 2, "carrier": "staff"}, "deny"},
	{"transport c3", "asset.transport", map[string]any{"confidentiality": 3}, "allow"},
	{"provide c1 (5(2)⑩ア)", "asset.provide_external", map[string]any{"confidentiality": 1}, "approve"},
	{"dispose c2 (5(2)⑪)", "asset.dispose", map[string]any{"confidentiality": 2}, "approve"},
	{"dispose c3", "asset.dispose", map[string]any{"confidentiality": 3}, "allow"},
	{"software ok (8(1)⑤ア)", "software.install", map[string]any{"licensed": true, "business_purpose": true, "origin_known": true}, "approve"},
	{"software unlicensed (8(1)⑤イ)", "software.install", map[string]any{"licensed": false, "business_purpose": true, "origin_known": true}, "deny"},
	{"external network, published without firewall (8(1)⑧エ)", "network.connect_external", map[string]any{"publishes_to_internet": true}, "deny"},
	{"external network (8(1)⑧ア)", "network.connect_external", map[string]any{"publishes_to_internet": false}, "approve"},
	{"wireless unencrypted (8(1)⑩イ)", "wireless.use", map[string]any{}, "deny"},
	{"wireless (8(1)⑩ア)", "wireless.use", map[string]any{"encrypted_and_authenticated": true}, "approve"},
	{"equipment change (8(3)④)", "equipment.change", map[string]any{"connects_other_network": true}, "approve"},
	{"private device for work (6(1)④ア)", "device.private_use", map[string]any{"business_purpose": true}, "approve"},
	{"private device not for work (6(1)④ア)", "device.private_use", map[string]any{"business_purpose": false}, "deny"},
	{"machine room, not permitted (7(1)②ア)", "serverroom.enter", map[string]any{}, "deny"},
	{"machine room, permitted (7(1)②ア)", "serverroom.enter", map[string]any{"entry_permitted": true}, "record"},
	{"machine room, escorted visitor (7(1)②エ)", "serverroom.enter", map[string]any{"visitor": true, "escorted": true}, "record"},
}

// Mamori returns mamori's effect for a case.
func Mamori(p *policy.Policy, c Case) (string, error) {
	d, err := p.Decide(c.Action, c.Facts)
	if err != nil {
		return "", err
	}
	return string(d.Effect), nil
}
