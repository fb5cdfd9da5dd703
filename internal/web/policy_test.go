package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"mamori/internal/store"
)

func TestDecisionAPI(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		c := e.admin()
		for _, test := range []struct {
			name, body string
			code       int
			want       []string
		}{
			{"confidentiality 1 by e-mail is denied", `{"action": "email.send_external", "facts": {"confidentiality": 1}}`, 200,
				[]string{`"effect": "deny"`, `第2章 6(1)⑤ウ`}},
			{"confidentiality 2 by e-mail needs the manager", `{"action": "email.send_external", "facts": {"confidentiality": 2}}`, 200,
				[]string{`"effect": "approve"`, `"security_manager"`, `第2章 6(1)⑤エ`}},
			{"a medium holding levels 1 and 3 is handled as 1", `{"action": "email.send_external", "facts": {"confidentiality": [3, 1]}}`, 200,
				[]string{`"effect": "deny"`}},
			{"unknown action", `{"action": "teleport", "facts": {}}`, 422, []string{`"code": "invalid"`, `"field": "action"`}},
			{"unknown fact", `{"action": "email.send_external", "facts": {"colour": "red"}}`, 422, []string{`"field": "facts.colour"`}},
			{"unknown field", `{"action": "email.send_external", "fact": {}}`, 422, []string{`"code": "invalid"`}},
			{"not JSON", `action=x`, 422, []string{`"code": "invalid"`}},
		} {
			t.Run(test.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/decisions", strings.NewReader(test.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", c.csrf)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				r := c.do(req)
				if r.code != test.code {
					t.Fatalf("status %d, want %d: %s", r.code, test.code, r.body)
				}
				for _, w := range test.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("response lacks %s: %s", w, r.body)
					}
				}
			})
		}
	})
}

func TestPolicyPagesAndVersions(t *testing.T) {
	eachEnv(t, "fujieda", func(t *testing.T, e *env) {
		c := e.admin()
		for _, test := range []struct{ path, want string }{
			{"/policy", "藤枝市"},
			{"/policy?tab=roles", "最高情報セキュリティ責任者"},
			{"/policy?tab=classification", "第2章 5(2)⑤イ"},
			{"/policy?tab=rules", "第2章 6(1)⑤ウ"},
			{"/policy?tab=records", "5"},
			{"/policy?tab=obligations", "しなければならない"},
			{"/policy/versions", "適用中"},
		} {
			if r := c.get(test.path); r.code != 200 || !strings.Contains(r.body, test.want) {
				t.Errorf("GET %s: %d, want it to show %q", test.path, r.code, test.want)
			}
		}
		// A broken upload is refused with its line and column; nothing changes.
		r := c.upload("/policy/versions", "broken.yaml", "format: 1\nprofile:\n  id: [\n")
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "broken.yaml:") {
			t.Fatalf("broken upload: %d %s", r.code, errorText(r.body))
		}
		vs, _ := e.st.PolicyVersions(e.ctx())
		if len(vs) != 1 {
			t.Fatalf("versions after a refused upload = %d", len(vs))
		}
		// Adopting another built-in profile makes a second version with a diff.
		c.get("/policy/versions")
		if r := c.post("/policy/versions", map[string][]string{"builtin": {"amakusa"}}); r.code != http.StatusSeeOther {
			t.Fatalf("adopt amakusa: %d %s", r.code, errorText(r.body))
		}
		vs, _ = e.st.PolicyVersions(e.ctx())
		if len(vs) != 2 || !vs[0].Active || vs[0].Profile != "amakusa" {
			t.Fatalf("versions = %+v", vs)
		}
		if r := c.get("/policy/diff?from=1&to=2"); r.code != 200 || !strings.Contains(r.body, "追加") {
			t.Errorf("diff: %d", r.code)
		}
		if r := c.get("/policy/versions/1/source"); r.code != 200 || !strings.Contains(r.body, "id: fujieda") {
			t.Errorf("source: %d %.100s", r.code, r.body)
		}
		evs, _ := e.st.Events(e.ctx(), store.EventFilter{Action: "policy.activate"})
		if len(evs) != 2 {
			t.Errorf("policy.activate events = %d, want 2", len(evs))
		}
	})
}

// upload posts a file as a multipart form.
func (c *client) upload(path, filename, content string) resp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// 下條村 第2章3(2)イ: the roles tab says the 統括 stands in for the CISO on
// incidents only, in the reader's language.
func TestPolicyRolesShowLimitedSubstitution(t *testing.T) {
	eachEnv(t, "shimojo", func(t *testing.T, e *env) {
		c := e.admin()
		if r := c.get("/policy?tab=roles"); r.code != 200 || !strings.Contains(r.body, "general_security_officer（インシデント対応に限る）") {
			t.Errorf("GET /policy?tab=roles: %d, want the limited substitution shown", r.code)
		}
	})
}
