package policy

import (
	"errors"
	"slices"
	"testing"
)

// TestDecideSemantics checks the combination rules on the minimal profile:
// deny overrides, approve over record over allow, overrides, defaults,
// mixed levels.
func TestDecideSemantics(t *testing.T) {
	p := loadMinimal(t)
	base := func(extra Facts) Facts {
		f := Facts{"secrecy": "low", "tags": []string{}, "count": 0, "channel": "web"}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	for _, test := range []struct {
		name    string
		action  string
		facts   Facts
		effect  Effect
		rules   []string
		clauses []string
		route   []RouteStep
		record  string
		dflt    bool
	}{
		{"no rule matches: action default", "doc.send", base(nil), Allow, nil, nil, nil, "", true},
		{"default deny cites its clause", "doc.dispose", Facts{}, Deny, nil, []string{"第9条"}, nil, "", true},
		{"deny", "doc.send", base(Facts{"secrecy": "high"}), Deny, []string{"send-high-deny"}, []string{"第7条1"}, nil, "", false},
		{"deny overrides record", "doc.send", base(Facts{"secrecy": "high", "urgent": true}), Deny, []string{"send-high-deny"}, []string{"第7条1"}, nil, "", false},
		{"approve with route", "doc.send", base(Facts{"secrecy": "mid", "channel": "mail"}), Approve, []string{"send-mid-approve"}, []string{"第7条2"},
			[]RouteStep{{"manager", "applicant_unit"}, {"chief", "organization"}}, "", false},
		{"approve keeps the record rule", "doc.send", base(Facts{"secrecy": "mid", "channel": "mail", "urgent": true}), Approve,
			[]string{"send-mid-approve", "send-urgent-record"}, []string{"第7条2", "第7条3"},
			[]RouteStep{{"manager", "applicant_unit"}, {"chief", "organization"}}, "log", false},
		{"record", "doc.send", base(Facts{"urgent": true}), Record, []string{"send-urgent-record"}, []string{"第7条3"}, nil, "log", false},
		{"more specific rule overrides", "doc.send", base(Facts{"urgent": true, "tags": []string{"public"}, "count": 1}), Allow,
			[]string{"send-tagged-allow"}, []string{"第7条4"}, nil, "", false},
		{"mixed levels: strictest, citing the axis clause", "doc.send", base(Facts{"secrecy": []string{"low", "high"}}), Deny,
			[]string{"send-high-deny"}, []string{"第7条1", "第6条2"}, nil, "", false},
		{"mixed levels as []any", "doc.send", base(Facts{"secrecy": []any{"mid", "low"}, "channel": "mail"}), Approve,
			[]string{"send-mid-approve"}, []string{"第7条2", "第6条2"}, []RouteStep{{"manager", "applicant_unit"}, {"chief", "organization"}}, "", false},
	} {
		t.Run(test.name, func(t *testing.T) {
			d, err := p.Decide(test.action, test.facts)
			if err != nil {
				t.Fatal(err)
			}
			if d.Effect != test.effect || !slices.Equal(d.Rules, test.rules) || !slices.Equal(d.Clauses, test.clauses) ||
				!slices.Equal(d.Route, test.route) || d.RecordType != test.record || d.Default != test.dflt {
				t.Errorf("got %+v\nwant effect %s rules %v clauses %v route %v record %q default %t",
					d, test.effect, test.rules, test.clauses, test.route, test.record, test.dflt)
			}
			if d.PolicyVersion != "1" || d.Reason.JA == "" {
				t.Errorf("decision lacks version or reason: %+v", d)
			}
		})
	}
}

// TestDecideErrors: a question the policy cannot answer is an error with a
// code, never a silent allow.
func TestDecideErrors(t *testing.T) {
	p := loadMinimal(t)
	ok := Facts{"secrecy": "low", "tags": []string{}, "count": 0, "channel": "web"}
	with := func(k string, v any) Facts {
		f := Facts{}
		for kk, vv := range ok {
			f[kk] = vv
		}
		if v == nil {
			delete(f, k)
		} else {
			f[k] = v
		}
		return f
	}
	for _, test := range []struct {
		name   string
		action string
		facts  Facts
		code   ErrorCode
	}{
		{"unknown action", "doc.burn", ok, ECodeUnknownActionDecide},
		{"unknown fact", "doc.send", with("colour", "red"), ECodeUnknownFactDecide},
		{"undefined level", "doc.send", with("secrecy", "top"), ECodeFactType},
		{"ill-typed bool", "doc.send", with("urgent", "yes"), ECodeFactType},
		{"ill-typed int", "doc.send", with("count", 1.5), ECodeFactType},
		{"value outside enum", "doc.send", with("channel", "fax"), ECodeFactType},
		{"list too long", "doc.send", with("tags", make([]string, 11)), ECodeFactType},
		{"list of non-strings", "doc.send", with("tags", []any{1}), ECodeFactType},
		{"empty level list", "doc.send", with("secrecy", []string{}), ECodeFactType},
		{"missing fact without default", "doc.send", with("count", nil), ECodeMissingFact},
	} {
		t.Run(test.name, func(t *testing.T) {
			d, err := p.Decide(test.action, test.facts)
			var de *DecideError
			if !errors.As(err, &de) || de.Code != test.code {
				t.Fatalf("Decide = %+v, %v; want DecideError %s", d, err, test.code)
			}
			if d.Effect != "" {
				t.Errorf("an error came with effect %q", d.Effect)
			}
		})
	}
}

func TestFactDefault(t *testing.T) {
	p := loadMinimal(t)
	// urgent is not given: its default (false) applies, so no record rule.
	d, err := p.Decide("doc.send", Facts{"secrecy": "low", "tags": []string{}, "count": 0, "channel": "web"})
	if err != nil || d.Effect != Allow {
		t.Fatalf("Decide = %+v, %v", d, err)
	}
}

func TestExplain(t *testing.T) {
	p := loadMinimal(t)
	ex, err := p.Explain("doc.send", Facts{"secrecy": "low", "urgent": true, "tags": []string{"public"}, "count": 0, "channel": "web"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{ // rule → {matched, overridden}
		"send-high-deny": {false, false}, "send-mid-approve": {false, false},
		"send-urgent-record": {true, true}, "send-tagged-allow": {true, false},
	}
	if len(ex.Trace) != len(want) {
		t.Fatalf("trace has %d rules, want %d", len(ex.Trace), len(want))
	}
	for _, tr := range ex.Trace {
		if w := want[tr.Rule]; tr.Matched != w[0] || tr.Overridden != w[1] {
			t.Errorf("%s: matched %t overridden %t, want %v", tr.Rule, tr.Matched, tr.Overridden, w)
		}
	}
	if ex.Decision.Effect != Allow {
		t.Errorf("effect %s, want allow", ex.Decision.Effect)
	}
}

// TestDecideConcurrent runs decisions in parallel: activations are pooled
// and must never leak one decision's facts into another (go test -race).
func TestDecideConcurrent(t *testing.T) {
	p := loadMinimal(t)
	done := make(chan error)
	for i := range 8 {
		go func() {
			level, want := "low", Allow
			if i%2 == 0 {
				level, want = "high", Deny
			}
			for range 200 {
				d, err := p.Decide("doc.send", Facts{"secrecy": level, "tags": []string{}, "count": 0, "channel": "web"})
				if err != nil || d.Effect != want {
					done <- errors.New("wrong decision under concurrency")
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
