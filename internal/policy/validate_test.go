package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestLoadErrors breaks the minimal profile one way at a time and checks
// that Load reports the right code at the right line, in both languages.
func TestLoadErrors(t *testing.T) {
	for _, test := range []struct {
		name     string
		old, new string
		code     ErrorCode
		line     string // text on the line the error must point at
	}{
		{"unknown role in reports_to", "reports_to: chief\n    grants: [policy.read]", "reports_to: boss\n    grants: [policy.read]", ECodeUnknownRole, "reports_to: boss"},
		{"unknown role in route", "- {role: chief, scope: organization}\n    clause: 第7条2", "- {role: nobody, scope: organization}\n    clause: 第7条2", ECodeUnknownRole, "{role: nobody"},
		{"route scope does not fit role", "- {role: manager, scope: applicant_unit}", "- {role: manager, scope: organization}", ECodeRouteScope, "{role: manager, scope: organization}"},
		{"undefined level in order", `strictest_first: ["high", "mid", "low"]`, `strictest_first: ["high", "mid", "lowest"]`, ECodeUnknownLevel, "strictest_first"},
		{"undefined level in condition", `when: secrecy == "high"`, `when: secrecy == "top"`, ECodeUnknownLevel, `when: secrecy == "top"`},
		{"undefined level in list", `when: secrecy in ["mid"] && channel == "mail"`, `when: secrecy in ["mid", "x"] && channel == "mail"`, ECodeUnknownLevel, `secrecy in ["mid", "x"]`},
		{"levels ordered with <", `when: secrecy == "high"`, `when: secrecy < "mid"`, ECodeCELType, `secrecy < "mid"`},
		{"undefined axis", "{id: secrecy, type: level, axis: secrecy}", "{id: secrecy, type: level, axis: integrity}", ECodeUnknownAxis, "axis: integrity"},
		{"CEL type error", `when: secrecy == "high"`, `when: secrecy == 1`, ECodeCELType, "when: secrecy == 1"},
		{"CEL non-bool condition", `when: secrecy == "high"`, `when: secrecy`, ECodeCELType, "when: secrecy\n"},
		{"CEL syntax error", `when: secrecy == "high"`, `when: secrecy == ("high"`, ECodeCELSyntax, `when: secrecy == ("high"`},
		{"CEL cost over the limit", `when: secrecy == "high"`, `when: tags.all(a, tags.all(b, tags.all(c, tags.all(d, a + b + c + d != "x"))))`, ECodeCELCost, "tags.all(a"},
		{"unknown fact in condition", "when: urgent\n", "when: hurry\n", ECodeUnknownFact, "when: hurry"},
		{"unknown fact in action", "name: {ja: 廃棄, en: Dispose}", "name: {ja: 廃棄, en: Dispose}\n    facts: [colour]", ECodeUnknownFact, "facts: [colour]"},
		{"unknown fact in request field", "type: enum, fact: channel", "type: enum, fact: colour", ECodeUnknownFact, "fact: colour"},
		{"substitution cycle", "reports_to: chief\n    grants: [policy.read]", "reports_to: chief\n    substitutes: [chief]\n    grants: [policy.read]", ECodeSubstitutionCycle, "substitutes: [chief]"},
		{"self substitution", "substitutes: [deputy]", "substitutes: [chief]", ECodeSubstitutionCycle, "substitutes: [chief]"},
		{"rule citing no clause", "clause: 第7条3\n", "clause: \"\"\n", ECodeMissingClause, `clause: ""`},
		{"role citing no clause", "clause: 第4条\n", "clause: \" \"\n", ECodeMissingClause, `clause: " "`},
		{"restriction citing no clause", "{id: no-copy, text: {ja: 複製禁止, en: No copies}, clause: 第6条2号}", "{id: no-copy, text: {ja: 複製禁止, en: No copies}}", ECodeMissingClause, "id: no-copy"},
		{"obligation citing no clause", "{id: ob-1, clause: 第12条, actor", "{id: ob-1, actor", ECodeMissingClause, "id: ob-1"},
		{"duplicate role id", "- id: deputy\n", "- id: chief\n", ECodeDuplicateID, "- id: chief\n    name: {ja: 副責任者"},
		{"duplicate rule id", "- id: send-urgent-record", "- id: send-high-deny", ECodeDuplicateID, "- id: send-high-deny\n    action: doc.send\n    when: urgent"},
		{"duplicate yaml key", "  version: \"1\"\n", "  version: \"1\"\n  version: \"2\"\n", ECodeDuplicateID, `version: "2"`},
		{"unknown permission", "grants: [request.submit]", "grants: [request.submit, request.approve]", ECodeUnknownPermission, "grants: [request.submit, request.approve]"},
		{"unknown record type", "record_type: log\n    clause: 第7条3", "record_type: diary\n    clause: 第7条3", ECodeUnknownRecordType, "record_type: diary"},
		{"unknown action", "- id: send-high-deny\n    action: doc.send", "- id: send-high-deny\n    action: doc.shred", ECodeUnknownAction, "action: doc.shred"},
		{"unknown overridden rule", "overrides: [send-urgent-record]", "overrides: [send-nothing]", ECodeUnknownRule, "overrides: [send-nothing]"},
		{"approve without route", "effect: approve\n    route:\n      - {role: manager, scope: applicant_unit}\n      - {role: chief, scope: organization}\n", "effect: approve\n", ECodeRequired, "id: send-mid-approve"},
		{"action without default", "    default: {effect: deny, clause: 第9条, reason: {ja: 不可, en: Not allowed}}\n", "", ECodeNoDefault, "- id: doc.dispose"},
		{"unknown key", "    clause: 第2条\n", "    clause: 第2条\n    boss: true\n", ECodeUnknownField, "boss: true"},
		{"wrong type", "period: 1y, month: 8", "period: 1y, month: august", ECodeType, "month: august"},
		{"bad retention", "retention: 5y", "retention: five years", ECodeInvalid, "retention: five years"},
		{"bad modality", "modality: must,", "modality: may,", ECodeInvalid, "modality: may"},
		{"wrong format", "format: mamori.policy/v1", "format: mamori.policy/v9", ECodeInvalid, "format: mamori.policy/v9"},
		{"unknown role told of a violation", "notify: [{role: manager, scope: applicant_unit}]", "notify: [{role: warden, scope: applicant_unit}]", ECodeUnknownRole, "role: warden"},
		{"suspension citing no clause", "    clause: 第13条2\n", "", ECodeMissingClause, "notify: [{role: chief"},
		{"unknown restriction subject", "{id: no-copy, text: {ja: 複製禁止, en: No copies}, clause: 第6条2号}", "{id: no-copy, text: {ja: 複製禁止, en: No copies}, clause: 第6条2号, applies_to: everyone}", ECodeInvalid, "applies_to: everyone"},
		{"yaml syntax", "  id: minimal\n", "  id: [minimal\n", ECodeSyntax, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			src := replaceOnce(t, minimalSource(t), test.old, test.new)
			_, err := Load("minimal.yaml", []byte(src))
			var les LoadErrors
			if !errors.As(err, &les) {
				t.Fatalf("Load error = %v, want LoadErrors", err)
			}
			if !les.Has(test.code) {
				t.Fatalf("errors lack code %s:\n%v", test.code, err)
			}
			for _, e := range les {
				if e.Code != test.code {
					continue
				}
				if e.Line == 0 || e.Column == 0 {
					t.Errorf("error without position: %v", e)
				}
				if e.Message.JA == "" || e.Message.EN == "" {
					t.Errorf("error without ja/en message: %+v", e)
				}
				if !strings.HasPrefix(e.Error(), "minimal.yaml:") {
					t.Errorf("Error() = %q, want file:line:column prefix", e.Error())
				}
				if test.line != "" {
					if want := lineOf(t, src, test.line); e.Line != want {
						t.Errorf("error at line %d, want %d (%q): %v", e.Line, want, test.line, e)
					}
				}
				return
			}
		})
	}
}

func TestLoadMinimal(t *testing.T) {
	p := loadMinimal(t)
	if p.ID() != "minimal" || p.Version() != "1" || len(p.Hash()) != 64 {
		t.Errorf("header: id %q version %q hash %q", p.ID(), p.Version(), p.Hash())
	}
	if got := p.ActionFacts("doc.send"); strings.Join(got, ",") != "channel,count,secrecy,tags,urgent" {
		t.Errorf("ActionFacts(doc.send) = %v", got)
	}
}

func TestLoadErrorsAreAllReported(t *testing.T) {
	src := minimalSource(t)
	src = replaceOnce(t, src, "reports_to: chief\n    grants: [policy.read]", "reports_to: boss\n    grants: [policy.read]")
	src = replaceOnce(t, src, "grants: [request.submit]", "grants: [request.approve]")
	_, err := Load("m.yaml", []byte(src))
	var les LoadErrors
	if !errors.As(err, &les) || !les.Has(ECodeUnknownRole) || !les.Has(ECodeUnknownPermission) {
		t.Fatalf("want both errors in one pass, got %v", err)
	}
	if lines := strings.Count(err.Error(), "\n") + 1; lines != len(les) {
		t.Errorf("Error() has %d lines for %d errors", lines, len(les))
	}
}

func TestLoadRejectsOddInput(t *testing.T) {
	for _, src := range []string{"", "- a\n- b\n", "format: [", "a: &x [*x]", string(make([]byte, MaxSourceSize+1))} {
		if _, err := Load("x.yaml", []byte(src)); err == nil {
			t.Errorf("Load(%.20q) succeeded", src)
		}
	}
}
