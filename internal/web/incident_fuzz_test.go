package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"mamori"
)

// FuzzIncidentAPIDecode feeds the incident area's JSON decoders arbitrary
// bodies: decoding and building the operation never panic, and every
// refusal is a user error (a 4xx with a message), never an internal one.
func FuzzIncidentAPIDecode(f *testing.F) {
	for _, seed := range []string{
		`{"triage":"breach","severity":"high","personal_info":true}`,
		`{"kind":"investigation","what":"w","due":"2026-13-40","done_at":"x"}`,
		`{"kind":"police","due_at":"2026-11-25T14:30"}`,
		`{"status":"submitted","submitted_at":"2026-11-25T00:00:00+09:00"}`,
		`{"step":"investigate","outcome":"maybe"}`,
		`{"category":"incident","title":"t","description":"d","unit_id":-1}`,
		`{"provision":"p","starts_on":"2026-01-01","ends_on":"2025-01-01"}`,
		`{"person":"s1","description":"d","incident_id":1e99}`,
		`{"contacts":[{"role":"r","phone":"1"}],"report_items":"a"}`,
		`{"decision":"approve"} trailing`,
		`[]`, `null`, ``, `{"review":` + strings.Repeat(`"`, 3),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		decode := func(v any) error {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return readJSON(httptest.NewRecorder(), r, v)
		}
		userErr := func(name string, err error) {
			if err == nil {
				return
			}
			if c := mamori.ErrorCode(err); c == mamori.EINTERNAL {
				t.Fatalf("%s: internal error %v", name, err)
			}
		}
		var tri incTriageInput
		if err := decode(&tri); err == nil {
			_ = tri.op()
		} else {
			userErr("triage", err)
		}
		var en incEntryInput
		if err := decode(&en); err == nil {
			_, err = en.op(nil)
			userErr("entry", err)
		} else {
			userErr("entry", err)
		}
		var st incStepInput
		if err := decode(&st); err == nil {
			_, err = st.op()
			userErr("step", err)
		}
		var ra incReportAddInput
		if err := decode(&ra); err == nil {
			_, err = ra.op()
			userErr("report", err)
		}
		var rr incReportResolveInput
		if err := decode(&rr); err == nil {
			_, err = rr.op(1)
			userErr("resolve", err)
		}
		var ic incidentCreateJSON
		if err := decode(&ic); err == nil {
			_, err = incidentFromForm(ic.values())
			userErr("create", err)
		}
		var dc deviationCreateJSON
		if err := decode(&dc); err == nil {
			userErr("deviation", func() error { _, err := deviationFromValues(incDeviationValues(dc)); return err }())
		}
		var vc violationCreateJSON
		userErr("violation", decode(&vc))
		var pl planSaveJSON
		userErr("plan", decode(&pl))
		var dd deviationDecisionInput
		userErr("decision", decode(&dd))
	})
}
